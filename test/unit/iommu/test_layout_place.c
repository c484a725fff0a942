/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/iommu's placement step (iop_layout_place): the rules of each --ioas
 * layout for one device, given the devices placed before it. Plans
 * (test_iommu_rules) and ports (test_port_placement) are built on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "iop_iommu.h"
#include "iop_log.h"

/* Three devices placed: group 1 in IOAS 4, group 3 in IOAS 7, group 2 in
 * IOAS 9 (the indexes are the caller's). */
static const struct iop_placed_dev placed[] = {
	{ "0000:00:01.0", 1, 4 },
	{ "0000:00:03.0", 3, 7 },
	{ "0000:00:02.0", 2, 9 },
};
#define NPLACED (sizeof(placed) / sizeof(placed[0]))

static char logged[2048];

/* iop_layout_place with its log captured in logged. */
static int place(enum iop_layout l, bool strict, size_t n, const char *bdf,
		 unsigned int group, size_t *ioas)
{
	FILE *cap = tmpfile();
	size_t got;
	int rc;

	assert_non_null(cap);
	assert_int_equal(rte_openlog_stream(cap), 0);
	iop_err_clear();
	rc = iop_layout_place(l, strict, placed, n, bdf, group, ioas);
	rte_openlog_stream(NULL);
	rewind(cap);
	got = fread(logged, 1, sizeof(logged) - 1, cap);
	logged[got] = '\0';
	fclose(cap);
	return rc;
}

static void the_first_device_gets_a_new_ioas_in_every_layout(void **state)
{
	const enum iop_layout layouts[] = { IOP_LAYOUT_SHARED, IOP_LAYOUT_PER_GROUP,
					    IOP_LAYOUT_PER_DEVICE };
	size_t k = 0;

	(void)state;
	for (size_t l = 0; l < 3; l++)
		for (int strict = 0; strict < 2; strict++) {
			assert_int_equal(place(layouts[l], strict, 0, "0000:00:03.1", 3, &k), 0);
			assert_int_equal(k, IOP_PLACE_NEW_IOAS);
		}
}

/* Shared has one IOAS until a live move takes a group to another: then
 * the group's devices still go where it is, as the kernel attaches a
 * device only to its group's IOAS (rule 3, seed 000). */
static void shared_joins_the_first_placed_ioas_or_where_its_group_moved(void **state)
{
	size_t k = 0;

	(void)state;
	assert_int_equal(place(IOP_LAYOUT_SHARED, true, NPLACED, "0000:00:05.0", 5, &k), 0);
	assert_int_equal(k, 4);
	assert_int_equal(place(IOP_LAYOUT_SHARED, false, NPLACED, "0000:00:03.1", 3, &k), 0);
	assert_int_equal(k, 7);
	assert_string_equal(logged, "");
}

static void per_group_joins_its_group_s_ioas_or_gets_a_new_one(void **state)
{
	size_t k = 0;

	(void)state;
	assert_int_equal(place(IOP_LAYOUT_PER_GROUP, true, NPLACED, "0000:00:03.1", 3, &k), 0);
	assert_int_equal(k, 7);
	assert_int_equal(place(IOP_LAYOUT_PER_GROUP, false, NPLACED, "0000:00:05.0", 5, &k), 0);
	assert_int_equal(k, IOP_PLACE_NEW_IOAS);
	assert_string_equal(logged, "");
}

static void per_device_gives_a_device_of_an_unplaced_group_a_new_ioas(void **state)
{
	size_t k = 0;

	(void)state;
	for (int strict = 0; strict < 2; strict++) {
		assert_int_equal(place(IOP_LAYOUT_PER_DEVICE, strict, NPLACED, "0000:00:05.0", 5, &k), 0);
		assert_int_equal(k, IOP_PLACE_NEW_IOAS);
		assert_string_equal(logged, "");
	}
}

/* Rule 3 (seed 000): the devices of a group share one IOAS. */
static void per_device_merges_a_placed_group_into_its_ioas_with_a_warning(void **state)
{
	size_t k = 0;

	(void)state;
	assert_int_equal(place(IOP_LAYOUT_PER_DEVICE, false, NPLACED, "0000:00:03.1", 3, &k), 0);
	assert_int_equal(k, 7);
	assert_non_null(strstr(logged, "warn: iommu: --ioas=per-device: IOMMU group 3 merged: 0000:00:03.0 and 0000:00:03.1 share one IOAS"));
}

static void per_device_strict_refuses_a_placed_group_naming_both_devices(void **state)
{
	size_t k = 0;

	(void)state;
	assert_int_equal(place(IOP_LAYOUT_PER_DEVICE, true, NPLACED, "0000:00:03.1", 3, &k), -EINVAL);
	assert_int_equal(k, IOP_PLACE_NEW_IOAS);
	assert_string_equal(iop_err_msg(),
		"iommu: --ioas=per-device cannot give 0000:00:03.0 and 0000:00:03.1 an IOAS each: both are in IOMMU group 3, which shares one IOAS; use --ioas=per-group (or drop --strict to merge them)");
	assert_null(strstr(logged, "merged"));
}

static void an_unknown_layout_is_refused(void **state)
{
	size_t k = 0;

	(void)state;
	assert_int_equal(place((enum iop_layout)42, false, NPLACED, "0000:00:03.1", 3, &k), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "unknown IOAS layout 42"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_device_gets_a_new_ioas_in_every_layout),
		cmocka_unit_test(shared_joins_the_first_placed_ioas_or_where_its_group_moved),
		cmocka_unit_test(per_group_joins_its_group_s_ioas_or_gets_a_new_one),
		cmocka_unit_test(per_device_gives_a_device_of_an_unplaced_group_a_new_ioas),
		cmocka_unit_test(per_device_merges_a_placed_group_into_its_ioas_with_a_warning),
		cmocka_unit_test(per_device_strict_refuses_a_placed_group_naming_both_devices),
		cmocka_unit_test(an_unknown_layout_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
