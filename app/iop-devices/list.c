/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-devices list: devices, drivers, groups, viability and why not. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "iop_devices.h"
#include "iop_log.h"

static int cmp_dev(const void *a, const void *b)
{
	const struct iop_dev_info *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->bdf, y->bdf);
}

static void json_ranges(const struct iop_group_info *g)
{
	fputs("\"ranges\": [", stdout);
	for (size_t r = 0; r < g->nranges; r++)
		printf("%s{\"first\": \"0x%" PRIx64 "\", \"last\": \"0x%" PRIx64 "\"}",
		       r ? ", " : "", g->ranges[r].first, g->ranges[r].last);
	fputs("]", stdout);
}

static void print_json(struct iopd_env *env, const struct iop_dev_info *d,
		       size_t n, const struct iop_group_info *groups)
{
	printf("{\"backend\": \"%s\", \"groups\": [", iop_backend_name(iop_ctx_backend(env->ctx)));
	for (size_t i = 0, g = 0; i < n; g++) {
		const struct iop_group_info *gi = &groups[g];

		printf("%s\n  {\"id\": %u, \"viable\": %s, \"why\": ", g ? "," : "",
		       gi->id, gi->viable ? "true" : "false");
		iopd_json_str(stdout, gi->why);
		fputs(", ", stdout);
		json_ranges(gi);
		fputs(", \"devices\": [", stdout);
		for (size_t k = 0; i < n && d[i].group == gi->id; i++, k++) {
			printf("%s\n    {\"bdf\": \"%s\", \"driver\": ", k ? "," : "", d[i].bdf);
			iopd_json_str(stdout, d[i].driver);
			fputs(", \"type\": ", stdout);
			iopd_json_str(stdout, d[i].type);
			printf(", \"vendor\": \"0x%04x\", \"device\": \"0x%04x\", \"numa_node\": %d}",
			       d[i].vendor, d[i].device, d[i].numa_node);
		}
		fputs("]}", stdout);
	}
	fputs("\n]}\n", stdout);
}

static void print_text(const struct iop_dev_info *d, size_t n,
		       const struct iop_group_info *groups)
{
	for (size_t i = 0, g = 0; i < n; g++) {
		const struct iop_group_info *gi = &groups[g];

		printf("group %u", gi->id);
		for (size_t r = 0; r < gi->nranges; r++)
			printf("%s0x%" PRIx64 "-0x%" PRIx64, r ? " " : " (IOVA ", gi->ranges[r].first,
			       gi->ranges[r].last);
		printf("%s: %s%s", gi->nranges ? ")" : "", gi->viable ? "viable" : "NOT viable: ",
		       gi->viable ? "" : gi->why);
		putchar('\n');
		for (; i < n && d[i].group == gi->id; i++)
			printf("  %s  %-10s%s%s\n", d[i].bdf, d[i].driver,
			       d[i].type[0] ? " " : "", d[i].type);
	}
}

static int list_run(struct iopd_env *env, int argc, char **argv)
{
	struct iop_group_info *groups;
	struct iop_dev_info *d;
	size_t n, max = 0, ng = 0;
	int rc;

	if (iopd_common_opts(env, argc, argv) != 0)
		return iopd_fail(env, IOPD_EXIT_USAGE, "list takes no arguments but --json");
	if (!iopd_ctx(env))
		return IOPD_EXIT_FAIL;
	/* the device count may change between calls: ask until it fits */
	for (d = NULL;; max = n + 8) {
		struct iop_dev_info *nd = realloc(d, (max ? max : 1) * sizeof(*d));

		if (!nd) {
			free(d);
			return iopd_fail(env, IOPD_EXIT_FAIL, "out of memory");
		}
		d = nd;
		if (iop_ctx_devices(env->ctx, d, max, &n)) {
			free(d);
			return iopd_fail(env, IOPD_EXIT_FAIL, "%s", iop_err_msg());
		}
		if (n <= max)
			break;
	}
	qsort(d, n, sizeof(*d), cmp_dev);
	groups = calloc(n ? n : 1, sizeof(*groups));
	if (!groups) {
		free(d);
		return iopd_fail(env, IOPD_EXIT_FAIL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (i && d[i].group == d[i - 1].group)
			continue;
		rc = iop_ctx_group_info(env->ctx, d[i].group, &groups[ng++]);
		if (rc) {
			free(groups);
			free(d);
			return iopd_fail(env, IOPD_EXIT_FAIL, "%s", iop_err_msg());
		}
	}
	if (env->json)
		print_json(env, d, n, groups);
	else
		print_text(d, n, groups);
	free(groups);
	free(d);
	return IOPD_EXIT_OK;
}

static struct iopd_cmd list_cmd = {
	.name = "list",
	.args = "[--json]",
	.help = "devices, their drivers and IOMMU groups; whether each group is viable for user DMA and why not",
	.run = list_run,
};
IOPD_COMMAND(list_cmd)
