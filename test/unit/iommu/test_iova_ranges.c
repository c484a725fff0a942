/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 6: IOVAs honour the IOAS's ranges. IOVA = VA where it fits;
 * otherwise packed, hugepage-aligned, IOVA = VA modulo 2 MiB, inside the
 * ranges (a 39-bit vIOMMU aperture; an sPAPR-like window at 2^59); no
 * room is ENOSPC with the sizes in the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_internal.h"
#include "iova_table.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define MiB (UINT64_C(1) << 20)
#define HP (2 * MiB)

struct fix {
	struct iop_ctx *ctx;
	struct iop_dev *dev;
	struct iop_ioas *ioas;
};

/* A context with one device attached to one IOAS, on group ranges. */
static struct fix *fix_new(const char *group_line)
{
	struct fix *f = calloc(1, sizeof(*f));
	char text[512];

	snprintf(text, sizeof(text), "%s\ndevice 0000:00:03.0 group=1 driver=vfio-pci\n", group_line);
	f->ctx = sim_ctx_new(text);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:03.0", &f->dev), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &f->ioas), 0);
	assert_int_equal(iop_dev_attach(f->dev, f->ioas), 0);
	return f;
}

static void fix_free(struct fix *f)
{
	iop_ctx_destroy(f->ctx);
	free(f);
	assert_sim_clean();
}

static void assert_in_ranges(struct iop_ioas *ioas, uint64_t iova, uint64_t len)
{
	struct iop_iova_range r[IOP_MAX_RANGES];
	size_t n;
	bool ok = false;

	assert_int_equal(iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n), 0);
	for (size_t i = 0; i < n; i++)
		ok |= r[i].first <= iova && iova + len - 1 <= r[i].last;
	assert_true(ok);
}

static void rule6_iova_is_va_where_it_fits(void **state)
{
	struct fix *f = fix_new("group 1");
	size_t len = 4 * MiB;
	char *buf = hugebuf_alloc(len);
	uint64_t iova, t;

	(void)state;
	assert_int_equal(iop_ioas_map(f->ioas, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iova, (uintptr_t)buf);
	assert_int_equal(iop_ioas_va2iova(f->ioas, buf + 12345, &t), 0);
	assert_int_equal(t, iova + 12345);
	assert_int_equal(iop_iova_table_lookup(iop_ioas_table(f->ioas), (uintptr_t)buf + 7), iova + 7);
	/* whole pages only, as the kernel */
	assert_int_equal(iop_ioas_map(f->ioas, buf + 100, 4096, IOP_PROT_READ, &t), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "must be multiples of 4 KiB"));
	assert_int_equal(iop_ioas_unmap(f->ioas, buf, len), 0);
	assert_int_equal(iop_iova_table_lookup(iop_ioas_table(f->ioas), (uintptr_t)buf), IOP_IOVA_POISON);
	assert_int_equal(iop_ioas_va2iova(f->ioas, buf, &t), -ENOENT);
	hugebuf_free(buf, len);
	fix_free(f);
}

static void rule6_39bit_aperture_packs_inside_it(void **state)
{
	struct fix *f = fix_new("group 1 range=0-0x7fffffffff");
	size_t len = 4 * MiB;
	char *buf = hugebuf_alloc(len + HP);
	char *va = buf + 4096; /* not hugepage-aligned: the offset is kept */
	/* below 2^39 (not touched: the sim only pins and translates) */
	void *low = (void *)(uintptr_t)0x1000200000ull;
	uint64_t iova, iova_low, out = 0;
	char msg[] = "hello through a packed IOVA";

	(void)state;
	assert_true((uintptr_t)buf > (UINT64_C(1) << 39));
	assert_int_equal(iop_ioas_map(f->ioas, va, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_true(iova != (uintptr_t)va);
	assert_true(iova != 0);
	assert_int_equal(iova % HP, (uintptr_t)va % HP);
	assert_in_ranges(f->ioas, iova, len);
	assert_int_equal(iop_iova_table_lookup(iop_ioas_table(f->ioas), (uintptr_t)va + 100), iova + 100);
	/* the device reaches the buffer through the packed IOVA */
	assert_int_equal(iop_sim_dma_write(f->dev, iova + 64, msg, sizeof(msg)), 0);
	assert_memory_equal(va + 64, msg, sizeof(msg));
	/* a VA that fits stays identity-mapped, next to the packed one */
	assert_int_equal(iop_ioas_map(f->ioas, low, HP, IOP_PROT_READ, &iova_low), 0);
	assert_int_equal(iova_low, (uintptr_t)low);
	assert_int_equal(iop_ioas_va2iova(f->ioas, va, &out), 0);
	assert_int_equal(out, iova);
	assert_int_equal(iop_ioas_unmap(f->ioas, va, len), 0);
	assert_int_equal(iop_ioas_unmap(f->ioas, low, HP), 0);
	hugebuf_free(buf, len + HP);
	fix_free(f);
}

static void rule6_window_at_2_59_packs_inside_it(void **state)
{
	struct fix *f = fix_new("group 1 range=0x800000000000000-0xfffffffffffffff");
	uint64_t iova[3];
	/* fake VAs: the sim pins nothing real */
	uintptr_t va[3] = { 0x7f0000000000, 0x7f0000401000, 0x7f0001000000 };
	uint64_t len[3] = { 4 * MiB, 8192, 6 * MiB };

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(iop_ioas_map(f->ioas, (void *)va[i], len[i], IOP_PROT_READ, &iova[i]), 0);
		assert_true(iova[i] >= (UINT64_C(1) << 59));
		assert_int_equal(iova[i] % HP, va[i] % HP);
		assert_in_ranges(f->ioas, iova[i], len[i]);
	}
	/* packed mappings never overlap */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < i; j++)
			assert_true(iova[i] + len[i] <= iova[j] || iova[j] + len[j] <= iova[i]);
	fix_free(f);
}

static void rule6_no_room_is_enospc_with_sizes(void **state)
{
	/* 4 MiB of IOVA, below every user VA */
	struct fix *f = fix_new("group 1 range=0x200000-0x5fffff");
	uint64_t iova;

	(void)state;
	iop_err_clear();
	assert_int_equal(iop_ioas_map(f->ioas, (void *)0x7f0000000000, 8 * MiB, IOP_PROT_READ, &iova), -ENOSPC);
	assert_non_null(strstr(iop_err_msg(), "no room for 8388608 bytes"));
	assert_non_null(strstr(iop_err_msg(), "hold 4194304 bytes"));
	/* it still fits what the window can hold */
	assert_int_equal(iop_ioas_map(f->ioas, (void *)0x7f0000000000, 4 * MiB, IOP_PROT_READ, &iova), 0);
	assert_int_equal(iova, 0x200000);
	assert_int_equal(iop_ioas_map(f->ioas, (void *)0x7f0000800000, 4096, IOP_PROT_READ, &iova), -ENOSPC);
	assert_non_null(strstr(iop_err_msg(), "4194304 bytes of them mapped"));
	fix_free(f);
}

static void rule6_ranges_narrow_on_attach_and_widen_on_detach(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(
		"group 1 range=0-0x7fffffffff\n"
		"device 0000:00:03.0 group=1 driver=vfio-pci\n");
	struct iop_iova_range r[IOP_MAX_RANGES];
	struct iop_dev *d;
	struct iop_ioas *ioas;
	size_t n;

	(void)state;
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &d), 0);
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(iop_dev_attach(d, ioas), 0);
	assert_int_equal(iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].last, 0x7fffffffffull);
	assert_int_equal(iop_dev_detach(d), 0);
	assert_int_equal(iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n), 0);
	assert_int_equal(r[0].last, UINT64_MAX);
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

static void rule6_pick_keeps_shared_hugepage_on_one_offset(void **state)
{
	struct iop_iova_range r = { 0, 0x7fffffffffull };
	struct iop_map m = { .va = 0x7f0000000000, .len = 4096 };
	uint64_t iova;

	(void)state;
	assert_int_equal(iop_iova_pick(&r, 1, NULL, 0, m.va, m.len, &m.iova), 0);
	assert_int_equal(m.iova, HP);
	/* a second small mapping in the same 2 MiB page of VA */
	assert_int_equal(iop_iova_pick(&r, 1, &m, 1, m.va + 8192, 4096, &iova), 0);
	assert_int_equal(iova - (m.va + 8192), m.iova - m.va);
	/* a mapping in another page gets its own 2 MiB block */
	assert_int_equal(iop_iova_pick(&r, 1, &m, 1, m.va + HP + 4096, 4096, &iova), 0);
	assert_int_equal(iova, 2 * HP + 4096);
	assert_int_equal(iop_iova_pick(&r, 1, &m, 1, 0x1000, 0, &iova), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule6_iova_is_va_where_it_fits),
		cmocka_unit_test(rule6_39bit_aperture_packs_inside_it),
		cmocka_unit_test(rule6_window_at_2_59_packs_inside_it),
		cmocka_unit_test(rule6_no_room_is_enospc_with_sizes),
		cmocka_unit_test(rule6_ranges_narrow_on_attach_and_widen_on_detach),
		cmocka_unit_test(rule6_pick_keeps_shared_hugepage_on_one_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
