/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-bridge's learning table (app/iop-bridge/l2_table.c): pure rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "l2_table.h"

#define A 0x020000000001ull
#define B 0x020000000002ull
#define C 0x020000000003ull
#define BCAST 0xffffffffffffull
#define MCAST 0x01005e000001ull
#define AGE 100

static int setup(void **state)
{
	static struct l2_table t;

	*state = &t;
	return l2_table_init(&t, 64, AGE);
}

static int teardown(void **state)
{
	l2_table_free(*state);
	return 0;
}

static void l2_unknown_destination_floods(void **state)
{
	assert_int_equal(l2_decide(*state, 0, A, B, 1), L2_FLOOD);
}

static void l2_broadcast_and_multicast_flood_even_if_learned(void **state)
{
	struct l2_table *t = *state;

	assert_int_equal(l2_decide(t, 0, A, BCAST, 1), L2_FLOOD);
	assert_int_equal(l2_decide(t, 1, B, MCAST, 2), L2_FLOOD);
	/* a group address is never learned as a source */
	l2_learn(t, MCAST, 3, 3);
	assert_int_equal(l2_lookup(t, MCAST, 3), -1);
}

static void l2_learned_source_is_unicast_destination(void **state)
{
	struct l2_table *t = *state;

	assert_int_equal(l2_decide(t, 0, A, B, 1), L2_FLOOD);
	assert_int_equal(l2_decide(t, 1, B, A, 2), 0);
	assert_int_equal(l2_decide(t, 0, A, B, 3), 1);
}

static void l2_destination_on_ingress_port_is_filtered(void **state)
{
	struct l2_table *t = *state;

	l2_learn(t, B, 2, 1);
	assert_int_equal(l2_decide(t, 2, A, B, 2), L2_FILTER);
}

static void l2_moved_host_is_learned_on_its_new_port(void **state)
{
	struct l2_table *t = *state;

	l2_learn(t, A, 0, 1);
	l2_learn(t, A, 3, 2);
	assert_int_equal(l2_lookup(t, A, 2), 3);
	assert_int_equal(l2_count(t), 1);
}

static void l2_entry_older_than_aging_time_is_forgotten(void **state)
{
	struct l2_table *t = *state;

	l2_learn(t, A, 1, 10);
	assert_int_equal(l2_lookup(t, A, 10 + AGE), 1);
	assert_int_equal(l2_lookup(t, A, 10 + AGE + 1), -1);
	assert_int_equal(l2_decide(t, 0, B, A, 10 + AGE + 1), L2_FLOOD);
	assert_int_equal(l2_age(t, 10 + AGE + 1), 1); /* A; B is fresh */
	assert_int_equal(l2_count(t), 1);
}

static void l2_relearning_refreshes_age(void **state)
{
	struct l2_table *t = *state;

	l2_learn(t, A, 1, 10);
	l2_learn(t, A, 1, 10 + AGE);
	assert_int_equal(l2_lookup(t, A, 10 + 2 * AGE), 1);
}

static void l2_full_window_replaces_oldest_entry(void **state)
{
	struct l2_table t;

	(void)state;
	/* 8 slots, one probe window: the 9th MAC evicts the oldest */
	assert_int_equal(l2_table_init(&t, L2_PROBE, 1000), 0);
	for (uint64_t i = 0; i < L2_PROBE; i++)
		l2_learn(&t, A + (i << 8), (uint16_t)i, 10 + i);
	assert_int_equal(l2_count(&t), L2_PROBE);
	l2_learn(&t, C + 0x100000, 9, 50);
	assert_int_equal(l2_lookup(&t, A, 50), -1);  /* learned at 10: gone */
	assert_int_equal(l2_lookup(&t, A + (1 << 8), 50), 1);
	assert_int_equal(l2_lookup(&t, C + 0x100000, 50), 9);
	l2_table_free(&t);
}

static void l2_table_size_must_be_power_of_two(void **state)
{
	struct l2_table t;

	(void)state;
	assert_int_equal(l2_table_init(&t, 100, 1), -EINVAL);
	assert_int_equal(l2_table_init(&t, 4, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(l2_unknown_destination_floods, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_broadcast_and_multicast_flood_even_if_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_learned_source_is_unicast_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_destination_on_ingress_port_is_filtered, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_moved_host_is_learned_on_its_new_port, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_entry_older_than_aging_time_is_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(l2_relearning_refreshes_age, setup, teardown),
		cmocka_unit_test(l2_full_window_replaces_oldest_entry),
		cmocka_unit_test(l2_table_size_must_be_power_of_two),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
