/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "iova_table.h"

#define MB2 (2ull << 20)

static void table_translates_first_last_and_rejects_one_past(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();
	uintptr_t va = 0x7f0000000000ull;
	uint64_t iova = 0x40000000ull;

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, va, iova, 3 * MB2), 0);
	assert_int_equal(iop_iova_table_lookup(t, va), iova);
	assert_int_equal(iop_iova_table_lookup(t, va + 3 * MB2 - 1), iova + 3 * MB2 - 1);
	assert_int_equal(iop_iova_table_lookup(t, va + 3 * MB2), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_table_lookup(t, va - 1), IOP_IOVA_POISON);
	iop_iova_table_destroy(t);
}

static void table_partial_pages_are_exact(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();
	uintptr_t va = 0x10001000; /* 4 KiB aligned, inside one 2 MiB page */

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, va, 0x5001000, 0x3000), 0);
	assert_false(iop_iova_table_page(t, va) & IOP_IOVA_TABLE_ENTRY_FULL);
	assert_int_equal(iop_iova_table_lookup(t, va + 0x2fff), 0x5003fff);
	assert_int_equal(iop_iova_table_lookup(t, va + 0x3000), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_table_lookup(t, va - 1), IOP_IOVA_POISON);
	iop_iova_table_destroy(t);
}

static void table_overlapping_insert_is_eexist(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, 0x40000000, 0x40000000, MB2), 0);
	assert_int_equal(iop_iova_table_insert(t, 0x40000000 + MB2 - 4096, 0, MB2), -EEXIST);
	assert_int_equal(iop_iova_table_insert(t, 0, 0, 0), -EINVAL);
	iop_iova_table_destroy(t);
}

static void table_remove_bumps_generation_and_poisons(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();
	uint64_t gen;

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, 0x40000000, 0x200000, 2 * MB2), 0);
	gen = *iop_iova_table_generation(t);
	iop_iova_table_remove(t, 0x40000000, 2 * MB2);
	assert_true(*iop_iova_table_generation(t) > gen);
	assert_int_equal(iop_iova_table_lookup(t, 0x40000000), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_table_page(t, 0x40000000), 0);
	iop_iova_table_destroy(t);
}

static void table_unaligned_delta_stays_exact(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();

	(void)state;
	/* IOVA not congruent to VA modulo 2 MiB: pages cannot be full */
	assert_int_equal(iop_iova_table_insert(t, 0x40000000, 0x1000, 2 * MB2), 0);
	assert_false(iop_iova_table_page(t, 0x40000000) & IOP_IOVA_TABLE_ENTRY_FULL);
	assert_int_equal(iop_iova_table_lookup(t, 0x40000000 + MB2 + 5), 0x1000 + MB2 + 5);
	iop_iova_table_destroy(t);
}

/* A mapping whose unmap failed: still listed (the IOMMU maps it), never
 * translated, neither on its full pages nor on a partial one it shares
 * with a live mapping; a queue cache refills nothing from it. */
static void table_stale_mapping_is_listed_and_translates_nowhere(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();
	struct iop_iova_table_mapping m[4];
	uintptr_t va = 0x40000000;

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, va, 0x200000, 2 * MB2), 0);
	assert_int_equal(iop_iova_table_insert(t, va + 2 * MB2, 0x800000, 0x1000), 0);
	iop_iova_table_remove(t, va, 2 * MB2);
	assert_int_equal(iop_iova_table_insert_stale(t, va, 0x200000, 2 * MB2), 0);
	assert_int_equal(iop_iova_table_list(t, m, 4), 2);
	assert_int_equal(m[0].va, va);
	assert_int_equal(m[0].iova, 0x200000);
	assert_true(m[0].stale);
	assert_false(m[1].stale);
	assert_int_equal(iop_iova_table_page(t, va), 0);
	assert_int_equal(iop_iova_table_lookup(t, va), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_table_lookup(t, va + 2 * MB2 - 1), IOP_IOVA_POISON);
	/* the live neighbour still translates */
	assert_int_equal(iop_iova_table_lookup(t, va + 2 * MB2), 0x800000);
	/* a stale mapping on a partial page: exact list, still poison */
	iop_iova_table_remove(t, va + 2 * MB2, 0x1000);
	assert_int_equal(iop_iova_table_insert_stale(t, va + 2 * MB2, 0x800000, 0x1000), 0);
	assert_int_equal(iop_iova_table_lookup(t, va + 2 * MB2), IOP_IOVA_POISON);
	/* the IOVAs still in use: a new mapping there overlaps */
	assert_int_equal(iop_iova_table_insert(t, va, 0x200000, MB2), -EEXIST);
	/* once unmapped, the VA can be mapped afresh */
	iop_iova_table_remove(t, va, 2 * MB2);
	assert_int_equal(iop_iova_table_insert(t, va, 0x400000, 2 * MB2), 0);
	assert_int_equal(iop_iova_table_lookup(t, va + 5), 0x400005);
	iop_iova_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_translates_first_last_and_rejects_one_past),
		cmocka_unit_test(table_partial_pages_are_exact),
		cmocka_unit_test(table_overlapping_insert_is_eexist),
		cmocka_unit_test(table_remove_bumps_generation_and_poisons),
		cmocka_unit_test(table_unaligned_delta_stays_exact),
		cmocka_unit_test(table_stale_mapping_is_listed_and_translates_nowhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
