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
			json_array_append_new(devs, app_json_str(pi->bdf[j]));
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

/* plan takes iopath's own --ioas and --strict, read by lib/init */
struct plan_opts {
	struct iop_options o;
	bool layout_given;
};

static int plan_opt(void *ctx, int val, const char *arg)
{
	struct plan_opts *p = ctx;

	p->layout_given |= val == IOP_OPT_IOAS;
	return iop_options_apply(&p->o, val, arg);
}

static int plan_run(struct iopd_env *env, int argc, char **argv)
{
	static const struct option table[] = { IOP_OPTION_IOAS, IOP_OPTION_STRICT, IOPD_OPTIONS_END };
	struct plan_opts po = { 0 };
	struct iop_plan *plan;
	enum iop_layout layout;
	bool strict;
	int ndev = iopd_options(env, argc, argv, table, plan_opt, &po);
	int rc;

	if (ndev < 0)
		return IOPD_EXIT_USAGE;
	if (!po.layout_given)
		return iopd_fail(env, IOPD_EXIT_USAGE, "plan needs --ioas=shared|per-device|per-group");
	layout = po.o.layout;
	strict = po.o.strict;
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
