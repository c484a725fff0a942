/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-bridge's command line (app/iop-bridge/args.c): the app's options and
 * the rearrangement done before iop_init. No EAL needed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "args.h"
#include "iop_log.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int parse(int argc, char **argv, struct bridge_opts *o)
{
	iop_err_clear();
	return args_parse(argc, argv, o);
}

static void bridge_defaults_are_io_one_queue_period_one(void **state)
{
	char *argv[] = {"iop-bridge", "--port", "null", "--port=null", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), 0);
	assert_int_equal(o.nports, 2);
	assert_string_equal(o.port[1], "null");
	assert_int_equal(o.mode, MODE_IO);
	assert_int_equal(o.queues, 1);
	assert_int_equal(o.burst, 32);
	assert_true(o.stats_period == 1.0 && o.duration == 0.0);
	assert_null(o.json_path);
}

static void bridge_io_mode_needs_even_port_count(void **state)
{
	char *argv[] = {"iop-bridge", "--port", "null", "--port", "null", "--port", "null", NULL};
	char *l2[] = {"iop-bridge", "--port", "null", "--port", "null", "--port", "null",
		      "--forward-mode=l2", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), -EINVAL);
	assert_string_equal(iop_err_msg(),
			    "io mode forwards port 2k to 2k+1: give an even number of ports (got 3)");
	assert_int_equal(parse(ARGC(l2), l2, &o), 0);
	assert_int_equal(o.mode, MODE_L2);
}

static void bridge_l2_needs_two_ports_and_no_port_is_einval(void **state)
{
	char *one[] = {"iop-bridge", "--port", "null", "--forward-mode=l2", NULL};
	char *none[] = {"iop-bridge", "--duration=1", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(one), one, &o), -EINVAL);
	assert_int_equal(parse(ARGC(none), none, &o), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "no port"));
}

static void bridge_bad_values_are_einval_naming_the_option(void **state)
{
	static const char *const bad[][2] = {
		{"--forward-mode=hub", "unknown --forward-mode=hub: use io, macswap or l2"},
		{"--queues=17", "--queues=17: give a number from 1 to 16"},
		{"--burst=0", "--burst=0: give a number from 1 to 256"},
		{"--rxd=1.5", "--rxd=1.5: give a whole number"},
		{"--duration=soon", "--duration=soon: give a number from 0 to 1000000000"},
		{"--duration=nan", "--duration=nan: give a number from 0 to 1000000000"},
		{"--duration=inf", "--duration=inf: give a number from 0 to 1000000000"},
		{"--duration=-1", "--duration=-1: give a number from 0 to 1000000000"},
		{"--duration= 1", "--duration= 1: give a number from 0 to 1000000000"},
		{"--stats-period=nan", "--stats-period=nan: give a number from 0 to 3600"},
		{"--stats-period=INF", "--stats-period=INF: give a number from 0 to 3600"},
		{"--stats-period=-0.5", "--stats-period=-0.5: give a number from 0 to 3600"},
		{"--color", "unknown argument '--color' (iop-bridge -- --help lists them)"},
		{"--move-every=0", "--move-every=0: give a number from 1 to 3600000"},
		{"--move-every=fast", "--move-every=fast: give a number from 1 to 3600000"},
		{"--move-port=2", "--move-port=2: there are only 2 ports (0 to 1)"},
	};
	struct bridge_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"iop-bridge", "--port", "null", "--port", "null", (char *)bad[i][0], NULL};

		assert_int_equal(parse(ARGC(argv), argv, &o), -EINVAL);
		assert_string_equal(iop_err_msg(), bad[i][1]);
	}
}

static void bridge_move_options_are_parsed(void **state)
{
	char *argv[] = {"iop-bridge", "--port", "null", "--port", "null", "--move-every=50",
			"--move-port=1", "--move-group", NULL};
	char *plain[] = {"iop-bridge", "--port", "null", "--port", "null", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), 0);
	assert_int_equal(o.move_every_ms, 50);
	assert_int_equal(o.move_port, 1);
	assert_true(o.move_group);
	assert_int_equal(parse(ARGC(plain), plain, &o), 0);
	assert_int_equal(o.move_every_ms, 0);
	assert_false(o.move_group);
}

static void prepare_moves_iopath_options_before_the_app_ones(void **state)
{
	char *argv[] = {"iop-bridge", "-l", "0", "--", "--port", "pci:0000:01:00.0",
			"--ioas=per-device", "--port", "null", "--strict", "--duration=1", NULL};
	char **out;
	int n;

	(void)state;
	n = args_prepare(ARGC(argv), argv, &out);
	/* a pci port: the real IOMMU */
	assert_int_equal(n, 12);
	assert_string_equal(out[3], "--");
	assert_string_equal(out[4], "--ioas=per-device");
	assert_string_equal(out[5], "--strict");
	assert_string_equal(out[6], "--");
	assert_string_equal(out[7], "--port");
	assert_string_equal(out[11], "--duration=1");
	assert_null(out[12]);
}

/* The sim's topology is built into the library: nothing is written to
 * a file between the command line and iop_init. */
static void prepare_picks_the_sim_and_its_builtin_topology_for_sim_ports(void **state)
{
	char *argv[] = {"iop-bridge", "--", "--port", "sim:wire=gen", "--port", "sim:wire=gen",
			"--port", "null", "--port", "null", NULL};
	char **out;
	int n;

	(void)state;
	n = args_prepare(ARGC(argv), argv, &out);
	assert_int_equal(n, 12);
	assert_string_equal(out[1], "--");
	assert_string_equal(out[2], "--iommu=sim");
	assert_string_equal(out[3], "--");
	for (int i = 0; i < n; i++)
		assert_null(strstr(out[i], "--sim-topology"));
}

/* --sim-topology alone implies --iommu=sim (the bridge once fell back to
 * the kernel's IOMMU and told the user to pass --sim-topology). */
static void prepare_sim_topology_implies_the_sim_backend(void **state)
{
	char *argv[] = {"iop-bridge", "--", "--sim-topology=my.topo", "--port", "sim:wire=gen", NULL};
	char **out;
	int n;

	(void)state;
	n = args_prepare(ARGC(argv), argv, &out);
	assert_int_equal(n, 7);
	assert_string_equal(out[2], "--sim-topology=my.topo");
	assert_string_equal(out[3], "--iommu=sim");
	assert_string_equal(out[4], "--");
}

/* argv, two `--`, --iommu=sim and NULL must fit the rearranged array: 507
 * EAL arguments without `--` once wrote past it. */
static void prepare_never_writes_past_its_array(void **state)
{
	static char *argv[600];
	char **out;

	(void)state;
	argv[0] = "iop-bridge";
	for (int i = 1; i < 600; i++)
		argv[i] = "-v";
	for (int argc = 490; argc < 600; argc++) {
		int n;

		iop_err_clear();
		n = args_prepare(argc, argv, &out);
		if (n < 0) {
			assert_int_equal(n, -E2BIG);
			assert_non_null(strstr(iop_err_msg(), "too many arguments"));
			continue;
		}
		assert_true(n < 512);
		assert_null(out[n]);
	}
}

static void prepare_keeps_a_given_topology(void **state)
{
	char *argv[] = {"iop-bridge", "--", "--iommu=sim", "--sim-topology=my.topo",
			"--port", "sim:wire=gen", NULL};
	char **out;

	(void)state;
	assert_int_equal(args_prepare(ARGC(argv), argv, &out), 7);
	assert_string_equal(out[2], "--iommu=sim");
	assert_string_equal(out[3], "--sim-topology=my.topo");
	assert_string_equal(out[4], "--");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bridge_defaults_are_io_one_queue_period_one),
		cmocka_unit_test(bridge_io_mode_needs_even_port_count),
		cmocka_unit_test(bridge_l2_needs_two_ports_and_no_port_is_einval),
		cmocka_unit_test(bridge_bad_values_are_einval_naming_the_option),
		cmocka_unit_test(bridge_move_options_are_parsed),
		cmocka_unit_test(prepare_moves_iopath_options_before_the_app_ones),
		cmocka_unit_test(prepare_picks_the_sim_and_its_builtin_topology_for_sim_ports),
		cmocka_unit_test(prepare_keeps_a_given_topology),
		cmocka_unit_test(prepare_sim_topology_implies_the_sim_backend),
		cmocka_unit_test(prepare_never_writes_past_its_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
