/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-bridge's command line (app/iop-bridge/args.c): getopt_long over the
 * words after `--`, the bridge's options and iopath's in any order, parsed
 * before the EAL starts (doc/cli.md). No EAL needed. */
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

static struct iop_options iop;
static int eal_argc;

/* argv as the app's words: the test puts "iop-bridge --" in front */
static int parse(int argc, char **argv, struct bridge_opts *o)
{
	char *full[64] = {"iop-bridge", "--"};

	assert_true(argc + 2 < 64);
	for (int i = 1; i <= argc; i++)
		full[i + 1] = argv[i];
	iop_err_clear();
	return args_parse(argc + 1, full, o, &iop, &eal_argc);
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
		{"--color", "unknown option '--color': iop-bridge --help or man iop-bridge lists the options"},
		{"--color=red", "unknown option '--color': iop-bridge --help or man iop-bridge lists the options"},
		{"--move", "option '--move' is ambiguous: --move-every, --move-port, --move-group, --move-pause? (man iop-bridge)"},
		{"--tx-hold-ms=-1", "--tx-hold-ms=-1: give a number from 0 to 60000"},
		{"--tx-hold-ms=60001", "--tx-hold-ms=60001: give a number from 0 to 60000"},
		{"--move-group=yes", "option '--move-group' takes no value: write --move-group alone (man iop-bridge)"},
		{"--duration", "option '--duration' needs a value: --duration=VALUE or --duration VALUE (man iop-bridge)"},
		{"-x", "unknown option '-x': iop-bridge --help or man iop-bridge lists the options"},
		{"stray", "unexpected argument 'stray': every iop-bridge option starts with -- (man iop-bridge)"},
		{"--json-stats=", "--json-stats needs a file name: --json-stats=FILE"},
		{"--iommu=bogus", "unknown IOMMU backend 'bogus': use --iommu=auto, iommufd, vfio or sim"},
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
			"--move-port=1", "--move-group", "--move-pause", "--tx-hold-ms=0", NULL};
	char *plain[] = {"iop-bridge", "--port", "null", "--port", "null", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), 0);
	assert_int_equal(o.move_every_ms, 50);
	assert_int_equal(o.move_port, 1);
	assert_true(o.move_group);
	assert_true(o.move_pause);
	assert_int_equal(o.tx_hold_ms, 0);
	assert_int_equal(parse(ARGC(plain), plain, &o), 0);
	assert_int_equal(o.move_every_ms, 0);
	assert_false(o.move_group);
	assert_false(o.move_pause);
	assert_int_equal(o.tx_hold_ms, 5000);
}

static void bridge_takes_every_option_as_opt_value_and_opt_equals_value(void **state)
{
	char *sep[] = {"iop-bridge", "--port", "null", "--port", "null", "--duration", "1.5",
		       "--json-stats", "s.json", "--queues", "2", "--forward-mode", "macswap",
		       "--iommu", "sim", "--ioas", "per-device", NULL};
	char *eq[] = {"iop-bridge", "--port=null", "--port=null", "--duration=1.5",
		      "--json-stats=s.json", "--queues=2", "--forward-mode=macswap",
		      "--iommu=sim", "--ioas=per-device", NULL};
	char **forms[] = {sep, eq};
	int counts[] = {ARGC(sep), ARGC(eq)};
	struct bridge_opts o;

	(void)state;
	for (int f = 0; f < 2; f++) {
		assert_int_equal(parse(counts[f], forms[f], &o), 0);
		assert_int_equal(o.nports, 2);
		assert_true(o.duration == 1.5);
		assert_string_equal(o.json_path, "s.json");
		assert_int_equal(o.queues, 2);
		assert_int_equal(o.mode, MODE_MACSWAP);
		assert_int_equal(iop.backend, IOP_BACKEND_SIM);
		assert_int_equal(iop.layout, IOP_LAYOUT_PER_DEVICE);
	}
}

static void bridge_splits_eal_options_at_the_first_double_dash(void **state)
{
	char *argv[] = {"iop-bridge", "-l", "0-1", "--in-memory", "--", "--port", "pci:0000:01:00.0",
			"--ioas=per-device", "--port", "null", "--strict", "--duration=1", NULL};
	struct bridge_opts o;

	(void)state;
	iop_err_clear();
	assert_int_equal(args_parse(ARGC(argv), argv, &o, &iop, &eal_argc), 0);
	assert_int_equal(eal_argc, 4);
	assert_int_equal(o.nports, 2);
	assert_string_equal(o.port[0], "pci:0000:01:00.0");
	/* iopath's options among the bridge's; a pci port: the real IOMMU */
	assert_int_equal(iop.layout, IOP_LAYOUT_PER_DEVICE);
	assert_true(iop.strict);
	assert_int_equal(iop.backend, IOP_BACKEND_AUTO);
}

/* The sim's topology is built into the library: without --iommu and
 * without a pci port the bridge runs on the sim and names no file. */
static void bridge_picks_the_sim_and_its_builtin_topology_for_sim_ports(void **state)
{
	char *argv[] = {"iop-bridge", "--port", "sim:wire=gen", "--port", "null", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), 0);
	assert_int_equal(iop.backend, IOP_BACKEND_SIM);
	assert_null(iop.sim_topology);
}

/* One rule, lib/init's: a topology selects the sim, whatever the ports
 * (the bridge once fell back to the kernel's IOMMU with a pci port), and
 * a kernel backend beside it is refused. */
static void bridge_sim_topology_selects_the_sim_and_refuses_a_kernel_backend(void **state)
{
	char *topo[] = {"iop-bridge", "--sim-topology", "my.topo", "--port", "pci:0000:01:00.0",
			"--port", "null", NULL};
	char *with_auto[] = {"iop-bridge", "--iommu=auto", "--sim-topology=my.topo", "--port", "null",
			     "--port", "null", NULL};
	char *vfio[] = {"iop-bridge", "--iommu=vfio", "--sim-topology=my.topo", "--port", "null",
			"--port", "null", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(topo), topo, &o), 0);
	assert_int_equal(iop.backend, IOP_BACKEND_SIM);
	assert_string_equal(iop.sim_topology, "my.topo");
	assert_int_equal(parse(ARGC(with_auto), with_auto, &o), 0);
	assert_int_equal(iop.backend, IOP_BACKEND_SIM);
	assert_int_equal(parse(ARGC(vfio), vfio, &o), -EINVAL);
	assert_string_equal(iop_err_msg(),
			    "--sim-topology=my.topo describes the sim's machine, but --iommu=vfio: drop one of them (man iopath)");
}

static void bridge_help_is_a_flag_and_runs_nothing(void **state)
{
	char *argv[] = {"iop-bridge", "--help", NULL};
	struct bridge_opts o;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o), 0);
	assert_true(o.help);
}

/* Without `--` every word would go to the EAL: say so instead of "no port" */
static void bridge_without_double_dash_says_where_the_options_go(void **state)
{
	char *argv[] = {"iop-bridge", "--port", "null", "--port", "null", NULL};
	struct bridge_opts o;

	(void)state;
	iop_err_clear();
	assert_int_equal(args_parse(ARGC(argv), argv, &o, &iop, &eal_argc), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "no '--': the bridge's options come after the EAL options and '--'"));
}

/* Hundreds of EAL arguments are fine: nothing is copied into an array of
 * fixed size any more (507 once wrote past one). */
static void bridge_takes_any_number_of_eal_arguments(void **state)
{
	static char *argv[1004];
	struct bridge_opts o;

	(void)state;
	argv[0] = "iop-bridge";
	for (int i = 1; i < 1000; i++)
		argv[i] = "-v";
	argv[1000] = "--";
	argv[1001] = "--port=null";
	argv[1002] = "--port=null";
	iop_err_clear();
	assert_int_equal(args_parse(1003, argv, &o, &iop, &eal_argc), 0);
	assert_int_equal(eal_argc, 1000);
	assert_int_equal(o.nports, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bridge_defaults_are_io_one_queue_period_one),
		cmocka_unit_test(bridge_io_mode_needs_even_port_count),
		cmocka_unit_test(bridge_l2_needs_two_ports_and_no_port_is_einval),
		cmocka_unit_test(bridge_bad_values_are_einval_naming_the_option),
		cmocka_unit_test(bridge_move_options_are_parsed),
		cmocka_unit_test(bridge_takes_every_option_as_opt_value_and_opt_equals_value),
		cmocka_unit_test(bridge_splits_eal_options_at_the_first_double_dash),
		cmocka_unit_test(bridge_picks_the_sim_and_its_builtin_topology_for_sim_ports),
		cmocka_unit_test(bridge_sim_topology_selects_the_sim_and_refuses_a_kernel_backend),
		cmocka_unit_test(bridge_help_is_a_flag_and_runs_nothing),
		cmocka_unit_test(bridge_takes_any_number_of_eal_arguments),
		cmocka_unit_test(bridge_without_double_dash_says_where_the_options_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
