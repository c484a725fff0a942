/* SPDX-License-Identifier: BSD-3-Clause */
/* iop_init's own parser (lib/init/options.c) and the rules every app
 * shares through it: getopt_long, both --opt=value and --opt value, names
 * matched whole, the --sim-topology rule, one line per refusal. No EAL:
 * the parser runs on what rte_eal_init leaves. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "init_options.h"
#include "iop_log.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static struct iop_options o;

static int parse(int argc, char **argv)
{
	memset(&o, 0, sizeof(o));
	iop_err_clear();
	return init_options_parse(argc, argv, &o);
}

static void options_take_both_forms_and_stop_at_the_apps_first_argument(void **state)
{
	char *argv[] = {"app", "--iommu", "sim", "--ioas=per-group", "--strict",
			"--sim-topology", "t.topo", "app-arg", "--json", NULL};

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 6);
	assert_int_equal(o.backend, IOP_BACKEND_SIM);
	assert_int_equal(o.layout, IOP_LAYOUT_PER_GROUP);
	assert_true(o.strict);
	assert_string_equal(o.sim_topology, "t.topo");
	assert_false(o.help);
}

/* iop_init shares the line with the app: an abbreviation is the app's */
static void an_abbreviation_is_the_apps_option_not_iopaths(void **state)
{
	char *argv[] = {"app", "--iommu=sim", "--stat", "--strict", NULL};
	char *unknown[] = {"app", "--colour=red", "--strict", NULL};

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 1);
	assert_false(o.strict);
	assert_int_equal(parse(ARGC(unknown), unknown), 0);
}

static void a_second_double_dash_is_consumed_and_ends_iopaths_options(void **state)
{
	char *argv[] = {"app", "--iommu=sim", "--", "--strict", NULL};

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 2);
	assert_false(o.strict);
}

static void help_stops_and_stays_for_the_app(void **state)
{
	char *argv[] = {"app", "--ioas", "shared", "--help", "x", NULL};

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 2);
	assert_true(o.help);
}

static void bad_options_are_one_line_naming_the_option(void **state)
{
	char *novalue[] = {"app", "--iommu", NULL};
	char *flag[] = {"app", "--strict=yes", NULL};
	char *layout[] = {"app", "--ioas", "wide", NULL};
	char *level[] = {"app", "--log-level", "iop.port:loud", NULL};

	(void)state;
	assert_int_equal(parse(ARGC(novalue), novalue), -EINVAL);
	assert_string_equal(iop_err_msg(),
			    "option '--iommu' needs a value: --iommu=VALUE or --iommu VALUE (man iopath)");
	assert_int_equal(parse(ARGC(flag), flag), -EINVAL);
	assert_string_equal(iop_err_msg(), "option '--strict' takes no value: write --strict alone (man iopath)");
	assert_int_equal(parse(ARGC(layout), layout), -EINVAL);
	assert_string_equal(iop_err_msg(), "unknown IOAS layout 'wide': use --ioas=shared, per-device or per-group");
	assert_int_equal(parse(ARGC(level), level), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "unknown log level 'loud'"));
}

/* The one --sim-topology rule (iop-devices and iop_init once disagreed:
 * iop_init ignored the file unless --iommu=sim was given too). */
static void sim_topology_selects_the_sim_and_refuses_a_kernel_backend(void **state)
{
	struct iop_options r = { .sim_topology = "t.topo" };

	(void)state;
	assert_int_equal(iop_options_resolve(&r), 0);
	assert_int_equal(r.backend, IOP_BACKEND_SIM);
	r.backend = IOP_BACKEND_AUTO;
	assert_int_equal(iop_options_resolve(&r), 0);
	assert_int_equal(r.backend, IOP_BACKEND_SIM);
	for (int k = IOP_BACKEND_IOMMUFD; k <= IOP_BACKEND_VFIO; k++) {
		r.backend = (enum iop_backend_kind)k;
		iop_err_clear();
		assert_int_equal(iop_options_resolve(&r), -EINVAL);
		assert_non_null(strstr(iop_err_msg(), "--sim-topology=t.topo describes the sim's machine, but --iommu="));
	}
	r.sim_topology = NULL;
	r.backend = IOP_BACKEND_VFIO;
	assert_int_equal(iop_options_resolve(&r), 0);
	assert_int_equal(r.backend, IOP_BACKEND_VFIO);
}

static void an_ambiguous_abbreviation_lists_the_candidates(void **state)
{
	static const struct option table[] = {
		{ "move-every", required_argument, NULL, 1 }, { "move-port", required_argument, NULL, 2 },
		{ "json", no_argument, NULL, 3 }, { NULL, 0, NULL, 0 },
	};
	char *argv[] = {"app", "--move=3", "--js=1", "-q", "--", NULL};

	(void)state;
	assert_int_equal(iop_options_error(table, argv, 1, '?', "app"), -EINVAL);
	assert_string_equal(iop_err_msg(), "option '--move' is ambiguous: --move-every, --move-port? (man app)");
	iop_options_error(table, argv, 2, '?', "app");
	assert_string_equal(iop_err_msg(), "option '--json' takes no value: write --json alone (man app)");
	iop_options_error(table, argv, 3, '?', "app");
	assert_string_equal(iop_err_msg(), "unknown option '-q': app --help or man app lists the options");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_take_both_forms_and_stop_at_the_apps_first_argument),
		cmocka_unit_test(an_abbreviation_is_the_apps_option_not_iopaths),
		cmocka_unit_test(a_second_double_dash_is_consumed_and_ends_iopaths_options),
		cmocka_unit_test(help_stops_and_stays_for_the_app),
		cmocka_unit_test(bad_options_are_one_line_naming_the_option),
		cmocka_unit_test(sim_topology_selects_the_sim_and_refuses_a_kernel_backend),
		cmocka_unit_test(an_ambiguous_abbreviation_lists_the_candidates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
