/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed 001, window-style IOMMUs (sPAPR TCE) in the sim, through the public
 * API: the first group brings a default window, windows are created and
 * removed, every group that joins takes them, a group of the other IOMMU
 * style is refused. No test machine has such an IOMMU: the errnos are
 * those of the kernel's drivers/vfio/vfio_iommu_spapr_tce.c
 * (doc/backends.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "sim_fixture.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define DDW_START (UINT64_C(1) << 59)

static const char topo[] =
	"group 1 dma-window=1G\n"
	"group 2 dma-window=512M\n"
	"device 0000:00:01.0 group=1 driver=vfio-pci\n"
	"device 0000:00:02.0 group=2 driver=vfio-pci\n"
	"device 0000:00:03.0 group=3 driver=vfio-pci\n"; /* 48-bit aperture */

struct fix {
	struct iop_ctx *ctx;
	struct iop_dev *w1, *w2, *ap;
	struct iop_ioas *ioas;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ctx = sim_ctx_new(topo);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:01.0", &f->w1), 0);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:02.0", &f->w2), 0);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:03.0", &f->ap), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &f->ioas), 0);
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

static void assert_ranges(struct iop_ioas *ioas, size_t n, const struct iop_iova_range *want)
{
	struct iop_iova_range r[IOP_MAX_RANGES];
	size_t count;

	assert_int_equal(iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &count), 0);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].first, want[i].first);
		assert_int_equal(r[i].last, want[i].last);
	}
}

static void windows_first_group_brings_the_default_window(void **state)
{
	struct fix *f = *state;
	const struct iop_iova_range all = { 0, UINT64_MAX }, dflt = { 0, GiB - 1 };

	assert_ranges(f->ioas, 1, &all);
	assert_int_equal(iop_dev_attach(f->w1, f->ioas), 0);
	assert_ranges(f->ioas, 1, &dflt);
	/* the second group takes the IOAS's window, not a default of its own */
	assert_int_equal(iop_dev_attach(f->w2, f->ioas), 0);
	assert_ranges(f->ioas, 1, &dflt);
	/* the windows go with the last group */
	assert_int_equal(iop_dev_detach(f->w1), 0);
	assert_int_equal(iop_dev_detach(f->w2), 0);
	assert_ranges(f->ioas, 1, &all);
}

static void windows_are_created_and_removed(void **state)
{
	struct fix *f = *state;
	const struct iop_iova_range two[] = { { 0, GiB - 1 }, { DDW_START, DDW_START + 4 * GiB - 1 } };
	const struct iop_iova_range one[] = { { 0, GiB - 1 } };
	uint64_t start = 1, iova;
	void *va = (void *)(uintptr_t)0x7f0000000000;

	/* no window-style group attached */
	assert_int_equal(iop_ioas_window_create(f->ioas, 21, 4 * GiB, &start), -ENXIO);
	assert_int_equal(iop_dev_attach(f->w1, f->ioas), 0);
	assert_int_equal(iop_ioas_window_create(f->ioas, 13, 4 * GiB, &start), -EINVAL);
	assert_int_equal(iop_ioas_window_create(f->ioas, 21, 4 * GiB + 4096, &start), -EINVAL);
	assert_int_equal(iop_ioas_window_create(f->ioas, 21, 4 * GiB, &start), 0);
	assert_int_equal(start, DDW_START);
	assert_ranges(f->ioas, 2, two);
	/* both slots in use */
	assert_int_equal(iop_ioas_window_create(f->ioas, 12, MiB, &start), -ENOSPC);
	assert_non_null(strstr(iop_err_msg(), "both window slots are in use"));
	/* a group joining later takes both windows */
	assert_int_equal(iop_dev_attach(f->w2, f->ioas), 0);
	assert_ranges(f->ioas, 2, two);
	/* outside every window: the kernel finds no table (ENXIO) */
	assert_int_equal(f->ctx->ops->map(f->ioas->bioas, va, 2 * MiB, 2 * GiB, IOP_PROT_READ), -ENXIO);
	/* VA does not fit a window: packed into the first */
	assert_int_equal(iop_ioas_map(f->ioas, va, 2 * MiB, IOP_PROT_READ, &iova), 0);
	assert_true(iova + 2 * MiB - 1 < GiB);
	/* a window that still maps memory stays */
	assert_int_equal(iop_ioas_window_remove(f->ioas, 5), -EBUSY);
	assert_non_null(strstr(iop_err_msg(), "unmap it first"));
	assert_int_equal(iop_ioas_unmap(f->ioas, va, 2 * MiB), 0);
	assert_int_equal(iop_ioas_window_remove(f->ioas, DDW_START + 4096), 0);
	assert_ranges(f->ioas, 1, one);
	assert_int_equal(iop_ioas_window_remove(f->ioas, DDW_START), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "no window there"));
}

static void windows_group_of_the_other_style_is_refused(void **state)
{
	struct fix *f = *state;
	struct iop_ioas *other;

	assert_int_equal(iop_dev_attach(f->w1, f->ioas), 0);
	assert_int_equal(iop_dev_attach(f->ap, f->ioas), -EPERM);
	assert_int_equal(iop_ioas_create(f->ctx, &other), 0);
	assert_int_equal(iop_dev_attach(f->ap, other), 0);
	assert_int_equal(iop_dev_attach(f->w2, other), -EPERM);
	/* an aperture-style IOAS has no windows to create */
	assert_int_equal(iop_ioas_window_create(other, 21, GiB, &(uint64_t){ 0 }), -ENXIO);
}

static void windows_mappings_must_fit_them_when_a_group_joins(void **state)
{
	struct fix *f = *state;
	void *va = (void *)(uintptr_t)0x7f0000000000;

	/* mapped before any group, beyond the default window */
	assert_int_equal(f->ctx->ops->map(f->ioas->bioas, va, 2 * MiB, 2 * GiB, IOP_PROT_READ), 0);
	assert_int_equal(iop_dev_attach(f->w1, f->ioas), -EADDRINUSE);
	/* refused without a trace: no window was left behind */
	assert_int_equal(iop_dev_attach(f->ap, f->ioas), 0);
	assert_int_equal(iop_dev_detach(f->ap), 0);
	assert_int_equal(f->ctx->ops->unmap(f->ioas->bioas, 0, UINT64_MAX), 0);
	assert_int_equal(iop_dev_attach(f->w1, f->ioas), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(windows_first_group_brings_the_default_window),
		T(windows_are_created_and_removed),
		T(windows_group_of_the_other_style_is_refused),
		T(windows_mappings_must_fit_them_when_a_group_joins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
