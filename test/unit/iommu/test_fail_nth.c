/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 8: for every N, failing the Nth backend call during a full set-up
 * (context, groups, devices, IOAS, maps, a move, an unmap) returns the
 * error, leaves the core in step with the backend, and after teardown no
 * fd, pin, mapping or backend object is left (the sim counters; the
 * sanitizer build adds LSan for the core's own allocations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"
#include "sim_internal.h"

#define MiB ((size_t)1 << 20)

struct sweep {
	const struct topo_variant *v;
	enum iop_layout layout;
};

/* The core's view (devices attached, mappings, table) is the backend's. */
static void assert_core_matches_backend(struct iop_ctx *ctx)
{
	for (struct iop_dev *d = ctx->devs; d; d = d->next) {
		const struct sim_dev *sd = d->bdev;

		assert_int_equal(sd->attached, d->ioas != NULL);
		if (d->ioas)
			assert_ptr_equal(sd->group->ioas, d->ioas->bioas);
	}
	assert_tables_match_backend(ctx);
}

static int full_setup(const char *path, const struct sweep *sw,
		      struct iop_ctx **ctx, char *buf)
{
	const char *bdfs[] = { sw->v->a, sw->v->b };
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_plan plan;
	struct iop_dev *devs[2];
	struct iop_ioas *ioas[2];
	uint64_t iova;
	int rc;

	rc = iop_ctx_create(&p, ctx);
	if (rc)
		return rc;
	rc = iop_plan_build(*ctx, sw->layout, false, bdfs, 2, &plan);
	if (rc)
		return rc;
	rc = iop_plan_apply(*ctx, &plan, bdfs, 2, devs, ioas);
	if (rc)
		return rc;
	for (size_t k = 0; k < plan.nioas; k++) {
		rc = iop_ioas_map(ioas[k], buf, 2 * MiB, IOP_PROT_READ | IOP_PROT_WRITE, &iova);
		if (rc)
			return rc;
		rc = iop_ioas_map(ioas[k], buf + 2 * MiB, 2 * MiB, IOP_PROT_READ, &iova);
		if (rc)
			return rc;
	}
	rc = iop_dev_move(devs, 2, ioas[0]);
	if (rc)
		return rc;
	return iop_ioas_unmap(ioas[0], buf + 2 * MiB, 2 * MiB);
}

static void rule8_fail_nth_backend_call_leaks_nothing(void **state)
{
	const struct sweep *sw = *state;
	char *path = topo_file_write(sw->v->text);
	char *buf = hugebuf_alloc(4 * MiB);
	uint64_t n;

	for (n = 1;; n++) {
		struct iop_ctx *ctx = NULL;
		uint64_t calls;
		int rc;

		iop_err_clear();
		iop_sim_fail_nth(n);
		rc = full_setup(path, sw, &ctx, buf);
		calls = iop_sim_calls();
		iop_sim_fail_nth(0);
		if (rc) {
			/* the injected failure surfaced with a message */
			assert_int_equal(rc, -ENOMEM);
			assert_true(iop_err_msg()[0] != '\0');
		}
		if (ctx)
			assert_core_matches_backend(ctx);
		iop_ctx_destroy(ctx);
		assert_sim_clean();
		if (calls < n) {
			assert_int_equal(rc, 0);
			break;
		}
	}
	print_message("%s/%s: %llu backend calls, each failed once\n", sw->v->name,
		      iop_layout_name(sw->layout), (unsigned long long)n - 1);
	hugebuf_free(buf, 4 * MiB);
	topo_file_remove(path);
}

static const struct sweep sweeps[] = {
	{ &variant_singletons, IOP_LAYOUT_SHARED },
	{ &variant_singletons, IOP_LAYOUT_PER_DEVICE },
	{ &variant_singletons, IOP_LAYOUT_PER_GROUP },
	{ &variant_group2, IOP_LAYOUT_SHARED },
	{ &variant_group2, IOP_LAYOUT_PER_DEVICE },
	{ &variant_group2, IOP_LAYOUT_PER_GROUP },
};

#define SWEEP(i, name) \
	{ "rule8_fail_nth_backend_call_leaks_nothing/" name, \
	  rule8_fail_nth_backend_call_leaks_nothing, NULL, NULL, (void *)&sweeps[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		SWEEP(0, "singletons/shared"),
		SWEEP(1, "singletons/per-device"),
		SWEEP(2, "singletons/per-group"),
		SWEEP(3, "group2/shared"),
		SWEEP(4, "group2/per-device"),
		SWEEP(5, "group2/per-group"),
	};

	/* per-device merges group2 with a warning on every pass */
	iop_log_set_level(IOP_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
