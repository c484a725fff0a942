/* SPDX-License-Identifier: BSD-3-Clause */
/* Port spec strings: TYPE[:key=value,...] (lib/port/port_spec.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"
#include "port_spec.h"

static void spec_type_alone_has_no_keys(void **state)
{
	struct iop_port_spec s;

	(void)state;
	assert_int_equal(iop_port_spec_parse("null", &s), 0);
	assert_string_equal(s.type, "null");
	assert_int_equal(s.nkeys, 0);
}

static void spec_keys_keep_their_order_and_values(void **state)
{
	struct iop_port_spec s;

	(void)state;
	assert_int_equal(iop_port_spec_parse("sim:wire=af_packet,iface=veth0", &s), 0);
	assert_string_equal(s.type, "sim");
	assert_int_equal(s.nkeys, 2);
	assert_string_equal(s.key[0], "wire");
	assert_string_equal(s.value[0], "af_packet");
	assert_string_equal(iop_port_spec_get(&s, "iface"), "veth0");
	assert_null(iop_port_spec_get(&s, "peer"));
}

static void spec_pci_address_is_key_bdf(void **state)
{
	struct iop_port_spec s;

	(void)state;
	assert_int_equal(iop_port_spec_parse("pci:0000:01:00.0", &s), 0);
	assert_string_equal(s.type, "pci");
	assert_string_equal(iop_port_spec_get(&s, "bdf"), "0000:01:00.0");
}

static void spec_malformed_is_einval_with_message(void **state)
{
	static const char *const bad[] = {
		"", ":wire=gen", "sim:", "sim:wire", "sim:wire=", "sim:=gen",
		"sim:wire=gen,", "sim:wire=gen,,size=64", "sim:wire=gen,wire=pair",
		"averyveryverylongtypename",
	};
	struct iop_port_spec s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iop_err_clear();
		assert_int_equal(iop_port_spec_parse(bad[i], &s), -EINVAL);
		assert_true(strlen(iop_err_msg()) > 0);
	}
}

/* " 64" is a typo, not 64: no part of a spec holds blanks. */
static void spec_part_with_a_space_is_refused(void **state)
{
	static const char *const bad[][2] = {
		{"sim:wire=gen,size= 64", "value ' 64' holds a space or control character"},
		{"sim:wire=gen,size=64 ", "value '64 ' holds a space or control character"},
		{"sim:wire=af_packet,iface=\teth0", "holds a space or control character"},
		{" sim:wire=gen", "port type ' sim' holds a space"},
		{"sim: wire=gen", "key ' wire' holds a space"},
		{"pci: 0000:01:00.0", "address ' 0000:01:00.0' holds a space"},
	};
	struct iop_port_spec s;
	uint32_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iop_err_clear();
		assert_int_equal(iop_port_spec_parse(bad[i][0], &s), -EINVAL);
		if (!strstr(iop_err_msg(), bad[i][1]))
			fail_msg("'%s': got '%s'", bad[i][0], iop_err_msg());
	}
	/* a number reached another way still starts with a digit */
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,size=+64", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), -EINVAL);
}

static void spec_repeated_key_is_named(void **state)
{
	struct iop_port_spec s;

	(void)state;
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,wire=pair", &s), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "key 'wire' given twice"));
}

static void spec_number_out_of_range_is_einval(void **state)
{
	struct iop_port_spec s;
	uint32_t v;

	(void)state;
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,size=59", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "size=59: give a number from 60 to 9216"));
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,size=-1", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), -EINVAL);
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,size=1k", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), -EINVAL);
}

static void spec_absent_number_takes_default(void **state)
{
	struct iop_port_spec s;
	uint32_t v = 0;

	(void)state;
	assert_int_equal(iop_port_spec_parse("sim:wire=gen", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(iop_port_spec_parse("sim:wire=gen,size=1500", &s), 0);
	assert_int_equal(iop_port_spec_get_u32(&s, "size", 64, 60, 9216, &v), 0);
	assert_int_equal(v, 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_type_alone_has_no_keys),
		cmocka_unit_test(spec_keys_keep_their_order_and_values),
		cmocka_unit_test(spec_pci_address_is_key_bdf),
		cmocka_unit_test(spec_malformed_is_einval_with_message),
		cmocka_unit_test(spec_part_with_a_space_is_refused),
		cmocka_unit_test(spec_repeated_key_is_named),
		cmocka_unit_test(spec_number_out_of_range_is_einval),
		cmocka_unit_test(spec_absent_number_takes_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
