/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules 1-5 of lib/iommu, each run over the topology variants (singleton
 * groups, a 2-device group, a group with a sibling on a kernel driver), as
 * the kernel's iommufd selftests run each test over fixture variants.
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
#include <unistd.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

struct fix {
	const struct topo_variant *v;
	struct iop_ctx *ctx;
	struct iop_dev *a, *b;
	struct iop_ioas *A, *B;
};

static int setup(void **state)
{
	const struct topo_variant *v = *state;
	struct fix *f = calloc(1, sizeof(*f));

	f->v = v;
	f->ctx = sim_ctx_new(v->text);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	iop_ctx_destroy(f->ctx);
	free(f);
	assert_sim_clean();
	return 0;
}

/* Opens a (and b unless its group is blocked: then b's open must fail
 * with EPERM), creates IOAS A and B. */
static void open_both(struct fix *f)
{
	assert_int_equal(iop_dev_open(f->ctx, f->v->a, &f->a), 0);
	if (f->v->b_blocked)
		assert_int_equal(iop_dev_open(f->ctx, f->v->b, &f->b), -EPERM);
	else
		assert_int_equal(iop_dev_open(f->ctx, f->v->b, &f->b), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &f->A), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &f->B), 0);
}

/* open_both, then every device it opened attached to A: they are in
 * both[], and their count is returned. */
static size_t open_and_attach_both(struct fix *f, struct iop_dev *both[2])
{
	size_t n;

	open_both(f);
	both[0] = f->a;
	both[1] = f->b;
	n = f->b ? 2 : 1;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(iop_dev_attach(both[i], f->A), 0);
	return n;
}

static struct iop_ioas *group_ioas(struct fix *f, struct iop_dev *d)
{
	return iop_ctx_group_ioas(f->ctx, iop_dev_group(d));
}

static void rule1_first_attach_attaches_group_last_detach_detaches(void **state)
{
	struct fix *f = *state;
	size_t len = 2u << 20;
	char *buf = hugebuf_alloc(len);
	uint64_t iova;
	char x = 1;

	open_both(f);
	assert_null(group_ioas(f, f->a));
	assert_int_equal(iop_dev_attach(f->a, f->A), 0);
	assert_ptr_equal(group_ioas(f, f->a), f->A);
	assert_int_equal(iop_ioas_map(f->A, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	if (!f->b)
		goto out;
	assert_int_equal(iop_dev_attach(f->b, f->A), 0);
	assert_int_equal(iop_dev_detach(f->a), 0);
	assert_null(iop_dev_ioas(f->a));
	if (f->v->same_group) {
		/* b holds the group on A; a's DMA is still translated there */
		assert_ptr_equal(group_ioas(f, f->a), f->A);
		assert_int_equal(iop_sim_dma_write(f->a, iova, &x, 1), 0);
	} else {
		assert_null(group_ioas(f, f->a));
		assert_int_equal(iop_sim_dma_write(f->a, iova, &x, 1), -EFAULT);
	}
	assert_ptr_equal(group_ioas(f, f->b), f->A);
	assert_int_equal(iop_dev_detach(f->b), 0);
	assert_null(group_ioas(f, f->b));
	assert_int_equal(iop_sim_dma_write(f->b, iova, &x, 1), -EFAULT);
	assert_int_equal(iop_dev_detach(f->b), -EINVAL);
out:
	assert_int_equal(iop_ioas_unmap(f->A, buf, len), 0);
	hugebuf_free(buf, len);
}

static void rule2_device_cannot_take_its_group_to_another_ioas(void **state)
{
	struct fix *f = *state;
	char want[256];
	int rc;

	open_both(f);
	assert_int_equal(iop_dev_attach(f->a, f->A), 0);
	if (!f->b)
		return;
	iop_err_clear();
	rc = iop_dev_attach(f->b, f->B);
	if (!f->v->same_group) {
		assert_int_equal(rc, 0);
		assert_ptr_equal(iop_dev_ioas(f->b), f->B);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	assert_null(iop_dev_ioas(f->b));
	assert_ptr_equal(group_ioas(f, f->a), f->A);
	/* the message names the device, the group, the sibling and IOAS A */
	snprintf(want, sizeof(want), "cannot attach %s to IOAS %u: its IOMMU group %u is on IOAS %u with %s",
		 f->v->b, iop_ioas_id(f->B), iop_dev_group(f->b), iop_ioas_id(f->A), f->v->a);
	assert_non_null(strstr(iop_err_msg(), want));
	/* the backend refuses too (the kernel's EINVAL), so no path around
	 * the core's check succeeds silently */
	assert_int_equal(f->ctx->ops->attach(iop_dev_backend(f->b), f->B->bioas), -EINVAL);
	/* joining the group's IOAS is fine */
	assert_int_equal(iop_dev_attach(f->b, f->A), 0);
}

/* stderr of fn(), for warnings */
static char captured[1024];

static int plan_capturing(struct iop_ctx *ctx, enum iop_layout l, bool strict,
			  const char *const *bdfs, size_t n, struct iop_plan *plan)
{
	char *path = topo_file_write("");
	FILE *cap = fopen(path, "w+");
	int saved = dup(2), rc;
	size_t got;

	fflush(stderr);
	dup2(fileno(cap), 2);
	rc = iop_plan_build(ctx, l, strict, bdfs, n, plan);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	got = fread(captured, 1, sizeof(captured) - 1, cap);
	captured[got] = '\0';
	fclose(cap);
	topo_file_remove(path);
	return rc;
}

static const char *const layouts[] = { "shared", "per-device", "per-group" };

static void check_applied(struct fix *f, const struct iop_plan *plan,
			  const char *const *bdfs)
{
	struct iop_dev *devs[2] = { 0 };
	struct iop_ioas *ioas[2] = { 0 };

	assert_int_equal(iop_plan_apply(f->ctx, plan, bdfs, 2, devs, ioas), 0);
	for (size_t k = 0; k < plan->nioas; k++)
		for (size_t j = 0; j < plan->ioas[k].ndevs; j++)
			for (size_t i = 0; i < 2; i++)
				if (plan->ioas[k].bdf[j] == bdfs[i])
					assert_ptr_equal(iop_dev_ioas(devs[i]), ioas[k]);
	iop_dev_close(devs[0]);
	iop_dev_close(devs[1]);
	for (size_t k = 0; k < plan->nioas; k++)
		assert_int_equal(iop_ioas_destroy(ioas[k]), 0);
}

static void rule3_per_device_merges_a_group_or_fails_strict(void **state)
{
	struct fix *f = *state;
	const char *bdfs[] = { f->v->a, f->v->b };
	struct iop_plan plan;
	struct iop_sim_counters c;

	for (size_t l = 0; l < 3; l++) {
		for (int strict = 0; strict < 2; strict++) {
			enum iop_layout layout;
			size_t want_ioas;
			int rc;

			assert_int_equal(iop_layout_parse(layouts[l], &layout), 0);
			rc = plan_capturing(f->ctx, layout, strict, bdfs, 2, &plan);
			if (f->v->b_blocked) {
				assert_int_equal(rc, -EPERM);
				continue;
			}
			if (layout == IOP_LAYOUT_PER_DEVICE && f->v->same_group && strict) {
				assert_int_equal(rc, -EINVAL);
				assert_non_null(strstr(iop_err_msg(), "--ioas=per-group"));
				/* nothing attached or even opened */
				iop_sim_counters(&c);
				assert_int_equal(c.open_fds, 1);
				continue;
			}
			assert_int_equal(rc, 0);
			want_ioas = (layout == IOP_LAYOUT_SHARED || f->v->same_group) ? 1 : 2;
			assert_int_equal(plan.nioas, want_ioas);
			if (layout == IOP_LAYOUT_PER_DEVICE && f->v->same_group) {
				char want[64];

				assert_int_equal(plan.nmerged, 1);
				assert_int_equal(plan.merged_group[0], 7);
				snprintf(want, sizeof(want), "IOMMU group %u merged", 7u);
				assert_non_null(strstr(captured, want));
			} else {
				assert_int_equal(plan.nmerged, 0);
				assert_null(strstr(captured, "merged"));
			}
			check_applied(f, &plan, bdfs);
		}
	}
}

static void rule4_group_with_a_kernel_driver_is_not_viable(void **state)
{
	struct fix *f = *state;
	struct iop_group_info gi;
	struct iop_dev *d = NULL;
	int rc;

	iop_err_clear();
	rc = iop_dev_open(f->ctx, f->v->b, &d);
	assert_int_equal(iop_ctx_group_info(f->ctx, 9, &gi), f->v->b_blocked ? 0 : -ENOENT);
	if (!f->v->b_blocked) {
		assert_int_equal(rc, 0);
		assert_int_equal(iop_ctx_group_info(f->ctx, iop_dev_group(d), &gi), 0);
		assert_true(gi.viable);
		assert_string_equal(gi.why, "");
		return;
	}
	assert_int_equal(rc, -EPERM);
	assert_null(d);
	/* each offender with its driver, and the command that fixes it */
	assert_non_null(strstr(iop_err_msg(), "0000:02:00.1 on e1000e"));
	assert_non_null(strstr(iop_err_msg(), "fix: iop-devices bind 0000:02:00.1"));
	assert_false(gi.viable);
	assert_int_equal(gi.ndevs, 2);
	assert_non_null(strstr(gi.why, "0000:02:00.1 on e1000e"));
	/* the kernel model refuses the bind too (EPERM) */
	assert_int_equal(f->ctx->ops->dev_open(f->ctx->bctx, f->v->b, (void **)&d), -EPERM);
	/* the other group is unaffected */
	assert_int_equal(iop_dev_open(f->ctx, f->v->a, &d), 0);
}

/* A backend without atomic replace (the vfio type1 container's way). */
static struct iop_backend_ops sim_no_replace;

static void rule5_move(struct fix *f, bool replace)
{
	struct iop_dev *both[2];
	size_t n;
	int rc;

	if (!replace) {
		sim_no_replace = iop_backend_sim;
		sim_no_replace.can_replace = false;
		f->ctx->ops = &sim_no_replace;
	}
	n = open_and_attach_both(f, both);
	/* moving one device of a group without its sibling is refused */
	rc = iop_dev_move(&f->a, 1, f->B);
	if (f->v->same_group) {
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(iop_err_msg(), "never split"));
		assert_ptr_equal(iop_dev_ioas(f->a), f->A);
		assert_int_equal(iop_dev_move(both, n, f->B), 0);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(iop_dev_move(both, n, f->B), 0);
	}
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(iop_dev_ioas(both[i]), f->B);
		assert_ptr_equal(group_ioas(f, both[i]), f->B);
	}
	/* a failure at every step of the move back rolls back to B */
	for (uint64_t nth = 1;; nth++) {
		iop_sim_fail_nth(nth);
		rc = iop_dev_move(both, n, f->A);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		for (size_t i = 0; i < n; i++) {
			assert_ptr_equal(iop_dev_ioas(both[i]), f->B);
			assert_ptr_equal(group_ioas(f, both[i]), f->B);
		}
	}
	iop_sim_fail_nth(0);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(iop_dev_ioas(both[i]), f->A);
	assert_int_equal(f->A->ndevs, n);
	assert_int_equal(f->B->ndevs, 0);
}

static void rule5_move_never_splits_a_group_replace(void **state)
{
	rule5_move(*state, true);
}

static void rule5_move_never_splits_a_group_detach_all_then_attach(void **state)
{
	rule5_move(*state, false);
}

/*
 * With replace, a failed move never takes a group's domain away, not even
 * for a moment: the group whose replace failed is still where it was (the
 * kernel's replace is atomic), and every group already moved is replaced
 * back. A detach and attach instead would block the group's DMA in between
 * (a NIC would fault or miss frames there). So after the Nth backend call
 * failed, the only other calls are one replace back per group moved before
 * it (each moved in one call), and no device ever lost its domain.
 */
static void rule5_failed_replace_never_detaches_a_group(void **state)
{
	struct fix *f = *state;
	size_t len = 2u << 20;
	char *buf = hugebuf_alloc(len);
	struct iop_dev *both[2];
	uint64_t iova, calls;
	size_t n;
	char x;
	int rc;

	n = open_and_attach_both(f, both);
	assert_int_equal(iop_ioas_map(f->A, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	for (uint64_t nth = 1;; nth++) {
		iop_sim_fail_nth(nth);
		rc = iop_dev_move(both, n, f->B);
		calls = iop_sim_calls();
		iop_sim_fail_nth(0);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(calls, 2 * nth - 1);
		for (size_t i = 0; i < n; i++) {
			struct iop_sim_faults fl;

			assert_ptr_equal(iop_dev_ioas(both[i]), f->A);
			assert_int_equal(iop_sim_dma_read(both[i], iova, &x, 1), 0);
			assert_int_equal(iop_sim_dev_faults(both[i], &fl), 0);
			assert_int_equal(fl.count, 0);
		}
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(iop_dev_detach(both[i]), 0);
	assert_int_equal(iop_ioas_unmap(f->A, buf, len), 0);
	hugebuf_free(buf, len);
}

/*
 * A type1 container keeps a group while another reference to a device of
 * it is open: VFIO_GROUP_UNSET_CONTAINER is EBUSY (move.scn's hold step
 * shows the kernel's answer, and the vfio backend then keeps the device
 * attached). A backend whose detach of one device is refused so: the
 * move fails with EBUSY and the backend's reason, and every device, the
 * refused one and those detached before it, is on its IOAS as before.
 */
static const void *busy_bdev;

static int detach_busy(void *bdev)
{
	if (bdev == busy_bdev)
		return iop_err(EBUSY, "group still open elsewhere (test)");
	return iop_backend_sim.detach(bdev);
}

static void rule5_refused_detach_leaves_every_device_where_it_was(void **state)
{
	struct fix *f = *state;
	struct iop_dev *both[2];
	size_t n;

	sim_no_replace = iop_backend_sim;
	sim_no_replace.can_replace = false;
	sim_no_replace.detach = detach_busy;
	f->ctx->ops = &sim_no_replace;
	n = open_and_attach_both(f, both);
	/* the last device of the move: every other one went first */
	busy_bdev = both[n - 1]->bdev;
	assert_int_equal(iop_dev_move(both, n, f->B), -EBUSY);
	assert_non_null(strstr(iop_err_msg(), "group still open elsewhere (test)"));
	assert_non_null(strstr(iop_err_msg(), "every device is back where it was"));
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(iop_dev_ioas(both[i]), f->A);
		assert_ptr_equal(group_ioas(f, both[i]), f->A);
	}
	assert_int_equal(f->A->ndevs, n);
	/* the reference gone, the same move goes through */
	busy_bdev = NULL;
	assert_int_equal(iop_dev_move(both, n, f->B), 0);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(iop_dev_ioas(both[i]), f->B);
}

#define VARIANT(fn, v) \
	{ #fn "/" #v, fn, setup, teardown, (void *)&variant_##v }
#define ALL_VARIANTS(fn) \
	VARIANT(fn, singletons), VARIANT(fn, group2), VARIANT(fn, kernel_sibling)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ALL_VARIANTS(rule1_first_attach_attaches_group_last_detach_detaches),
		ALL_VARIANTS(rule2_device_cannot_take_its_group_to_another_ioas),
		ALL_VARIANTS(rule3_per_device_merges_a_group_or_fails_strict),
		ALL_VARIANTS(rule4_group_with_a_kernel_driver_is_not_viable),
		ALL_VARIANTS(rule5_move_never_splits_a_group_replace),
		ALL_VARIANTS(rule5_move_never_splits_a_group_detach_all_then_attach),
		ALL_VARIANTS(rule5_failed_replace_never_detaches_a_group),
		ALL_VARIANTS(rule5_refused_detach_leaves_every_device_where_it_was),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
