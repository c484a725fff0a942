/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-devices plan: the IOAS layout a set of devices would get. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "iop_devices.h"
#include "iop_log.h"

static void print_json(const struct iop_plan *plan, bool strict)
{
	json_t *merged = json_array(), *ioas = json_array();

	for (size_t m = 0; m < plan->nmerged; m++)
		json_array_append_new(merged, json_integer(plan->merged_group[m]));
	for (size_t k = 0; k < plan->nioas; k++) {
		const struct iop_plan_ioas *pi = &plan->ioas[k];
		json_t *devs = json_array();

		for (size_t j = 0; j < pi->ndevs; j++)
			json_array_append_new(devs, json_string(pi->bdf[j]));
		json_array_append_new(ioas, json_pack("{s:I,s:o,s:o}", "ioas", (json_int_t)(k + 1),
						      "devices", devs, "ranges", iopd_json_ranges(pi->ranges, pi->nranges)));
	}
	iopd_json_print(json_pack("{s:s,s:b,s:o,s:o}", "layout", iop_layout_name(plan->layout),
				  "strict", strict, "merged_groups", merged, "ioas", ioas));
}

static void print_text(const struct iop_plan *plan, bool strict)
{
	printf("layout %s%s: %zu IOAS\n", iop_layout_name(plan->layout),
	       strict ? " (strict)" : "", plan->nioas);
	for (size_t m = 0; m < plan->nmerged; m++)
		printf("merged: IOMMU group %u shares one IOAS\n", plan->merged_group[m]);
	for (size_t k = 0; k < plan->nioas; k++) {
		const struct iop_plan_ioas *pi = &plan->ioas[k];

		printf("IOAS %zu:", k + 1);
		for (size_t j = 0; j < pi->ndevs; j++)
			printf(" %s", pi->bdf[j]);
		fputs("\n  IOVA ranges:", stdout);
		for (size_t r = 0; r < pi->nranges; r++)
			printf(" 0x%" PRIx64 "-0x%" PRIx64, pi->ranges[r].first, pi->ranges[r].last);
		if (!pi->nranges)
			fputs(" known once attached", stdout);
		putchar('\n');
	}
}

static int plan_run(struct iopd_env *env, int argc, char **argv)
{
	const char *layout_name = NULL;
	enum iop_layout layout;
	struct iop_plan *plan;
	bool strict = false;
	int n = iopd_common_opts(env, argc, argv), ndev = 0;
	int rc;

	if (n < 0)
		return IOPD_EXIT_USAGE;
	/* what is left: --ioas=L, --strict and device names, in any order */
	for (int i = 0; i < n; i++) {
		if (strncmp(argv[i], "--ioas=", 7) == 0)
			layout_name = argv[i] + 7;
		else if (strcmp(argv[i], "--strict") == 0)
			strict = true;
		else if (strncmp(argv[i], "--", 2) == 0)
			return iopd_fail(env, IOPD_EXIT_USAGE, "unknown plan option '%s': plan --ioas=shared|per-device|per-group [--strict] BDF...",
					 argv[i]);
		else
			argv[ndev++] = argv[i];
	}
	if (!layout_name)
		return iopd_fail(env, IOPD_EXIT_USAGE, "plan needs --ioas=shared|per-device|per-group");
	if (iop_layout_parse(layout_name, &layout))
		return iopd_fail(env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
	if (ndev == 0)
		return iopd_fail(env, IOPD_EXIT_USAGE, "plan needs at least one device (a PCI address such as 0000:03:00.0; iop-devices list shows them)");
	if (!iopd_ctx(env))
		return IOPD_EXIT_FAIL;
	plan = malloc(sizeof(*plan));
	if (!plan)
		return iopd_fail(env, IOPD_EXIT_FAIL, "out of memory");
	rc = iop_plan_build(env->ctx, layout, strict, (const char *const *)argv,
			    (size_t)ndev, plan);
	if (rc == 0 && env->json)
		print_json(plan, strict);
	else if (rc == 0)
		print_text(plan, strict);
	free(plan);
	if (rc)
		return iopd_fail(env, IOPD_EXIT_FAIL, "%s", iop_err_msg());
	return IOPD_EXIT_OK;
}

static struct iopd_cmd plan_cmd = {
	.name = "plan",
	.args = "--ioas=shared|per-device|per-group [--strict] BDF... [--json]",
	.help = "the IOAS layout these devices would get (which devices share which IOAS, its IOVA ranges), or why it is impossible",
	.run = plan_run,
};
IOPD_COMMAND(plan_cmd)
