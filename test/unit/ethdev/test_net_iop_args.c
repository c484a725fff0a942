/* SPDX-License-Identifier: BSD-3-Clause */
/* net_iop devargs: spec=[...] and iopath's options, and the rule that every
 * net_iop device of a process agrees on the options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"
#include "net_iop_args.h"

static void spec_in_brackets_keeps_its_commas_and_equals(void **state)
{
	struct net_iop_args a;

	(void)state;
	assert_int_equal(net_iop_args_parse("net_iop0", "spec=[sim:wire=af_packet,iface=veth0]", &a), 0);
	assert_string_equal(a.spec, "sim:wire=af_packet,iface=veth0");
	assert_false(a.has_iommu || a.has_ioas || a.has_strict || a.has_topo);
	assert_int_equal(net_iop_args_parse("net_iop1", "spec=[pci:0000:00:02.0],ioas=per-device", &a), 0);
	assert_string_equal(a.spec, "pci:0000:00:02.0");
	/* a spec without commas needs no brackets */
	assert_int_equal(net_iop_args_parse("net_iop2", "spec=null", &a), 0);
	assert_string_equal(a.spec, "null");
}

static void options_take_iopath_names(void **state)
{
	struct net_iop_args a;

	(void)state;
	assert_int_equal(net_iop_args_parse("net_iop0",
		"iommu=sim,spec=[sim:wire=gen],ioas=per-device,strict,sim-topology=/tmp/x.topo", &a), 0);
	assert_int_equal(a.opts.backend, IOP_BACKEND_SIM);
	assert_int_equal(a.opts.layout, IOP_LAYOUT_PER_DEVICE);
	assert_true(a.opts.strict);
	assert_string_equal(a.opts.sim_topology, "/tmp/x.topo");
	assert_true(a.has_iommu && a.has_ioas && a.has_strict && a.has_topo);
}

static void no_spec_is_refused_with_an_example(void **state)
{
	struct net_iop_args a;

	(void)state;
	iop_err_clear();
	assert_int_equal(net_iop_args_parse("net_iop0", "iommu=sim", &a), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "net_iop0,spec=[sim:wire=af_packet,iface=veth0]"));
	assert_int_equal(net_iop_args_parse("net_iop0", NULL, &a), -EINVAL);
	assert_int_equal(net_iop_args_parse("net_iop0", "", &a), -EINVAL);
}

static void bad_devargs_are_refused_naming_the_key(void **state)
{
	static const struct { const char *args, *says; } bad[] = {
		{ "spec=[null],colour=red", "unknown devarg 'colour'" },
		{ "spec=[sim:wire=gen", "no closing ']'" },
		{ "spec=[null],spec=[null]", "spec= is given twice" },
		{ "spec=", "spec= has no value" },
		{ "spec=[]", "spec= has no value" },
		{ "spec=[null],iommu=bogus", "use iommu=auto, iommufd, vfio or sim" },
		{ "spec=[null],ioas=some", "use ioas=shared, per-device or per-group" },
		{ "spec=[null],strict=yes", "strict takes no value" },
		{ "spec=[null],iommu", "iommu needs a value" },
		{ "spec=[null],iommu=sim,iommu=sim", "iommu= is given twice" },
	};
	struct net_iop_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iop_err_clear();
		assert_int_equal(net_iop_args_parse("net_iop3", bad[i].args, &a), -EINVAL);
		if (!strstr(iop_err_msg(), bad[i].says) || !strstr(iop_err_msg(), "net_iop3"))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].args, iop_err_msg(), bad[i].says);
	}
}

static void later_device_agrees_when_it_repeats_or_leaves_out_options(void **state)
{
	struct net_iop_args first, a;

	(void)state;
	assert_int_equal(net_iop_args_parse("net_iop0", "spec=[null],iommu=sim,sim-topology=/t,ioas=per-group", &first), 0);
	assert_int_equal(net_iop_args_parse("net_iop1", "spec=[null]", &a), 0);
	assert_int_equal(net_iop_args_agree("net_iop1", &a, "net_iop0", &first), 0);
	assert_int_equal(net_iop_args_parse("net_iop1", "spec=[null],iommu=sim,sim-topology=/t,ioas=per-group", &a), 0);
	assert_int_equal(net_iop_args_agree("net_iop1", &a, "net_iop0", &first), 0);
}

static void later_device_with_other_options_is_refused_naming_both(void **state)
{
	static const struct { const char *args, *says; } other[] = {
		{ "spec=[null],iommu=vfio", "iommu=vfio, but net_iop0 set iommu=sim" },
		{ "spec=[null],ioas=shared", "ioas=shared, but net_iop0 set ioas=per-group" },
		{ "spec=[null],strict", "strict, but net_iop0 set no strict" },
		{ "spec=[null],sim-topology=/u", "sim-topology=/u, but net_iop0 set sim-topology=/t" },
	};
	struct net_iop_args first, a;

	(void)state;
	assert_int_equal(net_iop_args_parse("net_iop0", "spec=[null],iommu=sim,sim-topology=/t,ioas=per-group", &first), 0);
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_int_equal(net_iop_args_parse("net_iop1", other[i].args, &a), 0);
		iop_err_clear();
		assert_int_equal(net_iop_args_agree("net_iop1", &a, "net_iop0", &first), -EINVAL);
		if (!strstr(iop_err_msg(), other[i].says) || !strstr(iop_err_msg(), "give every net_iop device the same"))
			fail_msg("'%s': message '%s' lacks '%s'", other[i].args, iop_err_msg(), other[i].says);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_in_brackets_keeps_its_commas_and_equals),
		cmocka_unit_test(options_take_iopath_names),
		cmocka_unit_test(no_spec_is_refused_with_an_example),
		cmocka_unit_test(bad_devargs_are_refused_naming_the_key),
		cmocka_unit_test(later_device_agrees_when_it_repeats_or_leaves_out_options),
		cmocka_unit_test(later_device_with_other_options_is_refused_naming_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
