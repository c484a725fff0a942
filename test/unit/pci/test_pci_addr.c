/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI addresses have one parser (lib/bus): every form it accepts comes out
 * canonical, and every string it refuses gets one line saying what an
 * address looks like, whether it reaches the parser directly, through
 * lib/iommu (iop_dev_open, iop_plan_build) or through the PCI bus.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iop_bus.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_pci.h"

static void addr_parse_accepts_long_and_short_forms(void **state)
{
	struct iop_pci_addr a;
	char bdf[IOP_BDF_LEN];

	(void)state;
	assert_int_equal(iop_pci_addr_parse("0000:01:1f.7", &a), 0);
	assert_int_equal(a.bus, 1);
	assert_int_equal(a.dev, 0x1f);
	assert_int_equal(a.func, 7);
	iop_pci_addr_format(&a, bdf);
	assert_string_equal(bdf, "0000:01:1f.7");
	assert_int_equal(iop_pci_addr_parse("00:03.0", &a), 0);
	iop_pci_addr_format(&a, bdf);
	assert_string_equal(bdf, "0000:00:03.0");
}

static void addr_normalize_gives_the_canonical_lower_case_long_form(void **state)
{
	static const char *const in[][2] = {
		{ "00:03.0", "0000:00:03.0" },
		{ "0:3.0", "0000:00:03.0" },
		{ "ABCD:EF:1F.7", "abcd:ef:1f.7" },
		{ "0000:0a:00.1", "0000:0a:00.1" },
	};
	char bdf[IOP_BDF_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(iop_pci_addr_normalize(in[i][0], bdf), 0);
		assert_string_equal(bdf, in[i][1]);
	}
}

/* Strings a user, a file or a hostile caller may give. */
static const char *const bad[] = {
	"", "eth0", "0000:00:03.0x", "0000:00:20.0", "0000:00:03.8",
	"0000:100:03.0", "00000:00:03.0", "0000:00:03", "0000:00:03.", ":00:03.0",
	" 0000:00:03.0", "0000:00:03.0 ", "0000:00:03.0\n", "0x00:00:03.0",
	"+0:00:03.0", "-1:00:03.0", "../../../etc", "0000:00:03.0/../../x",
	"0000:00:03.0,bdf=1", "0000\t00:03.0", "0000:00:03.0\x01",
	"ffffffffffffffffffffffffffffffffffffffffffffffffff:00:03.0",
	"0000:00:03.00000000000000000000000000000000000000000000000000000000",
};

/* One line, saying what an address looks like. */
static void assert_one_clear_line(const char *in)
{
	const char *msg = iop_err_msg();

	if (!strstr(msg, "DDDD:BB:DD.F") && !strstr(msg, "device <= 1f, function <= 7"))
		fail_msg("'%s': unclear message '%s'", in, msg);
	if (strchr(msg, '\n'))
		fail_msg("'%s': message of more than one line '%s'", in, msg);
}

static void addr_parse_refuses_bad_and_hostile_strings_with_one_clear_line(void **state)
{
	struct iop_pci_addr a;
	char bdf[IOP_BDF_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iop_err_clear();
		if (iop_pci_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("'%s' parsed as a PCI address", bad[i]);
		assert_one_clear_line(bad[i]);
		assert_int_equal(iop_pci_addr_normalize(bad[i], bdf), -EINVAL);
	}
	assert_int_equal(iop_pci_addr_parse(NULL, &a), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "no PCI address given"));
}

/* lib/iommu and the PCI bus refuse them with the parser's line. */
static void iommu_and_pci_bus_refuse_a_bad_address_with_the_parser_s_line(void **state)
{
	struct iop_ctx_params params = { .backend = IOP_BACKEND_SIM };
	struct iop_bus_dev d;
	struct iop_ctx *ctx;
	struct iop_dev *dev;
	struct iop_plan plan;

	(void)state;
	assert_int_equal(iop_ctx_create(&params, &ctx), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *one[] = { bad[i] };

		iop_err_clear();
		assert_int_equal(iop_dev_open(ctx, bad[i], &dev), -EINVAL);
		assert_one_clear_line(bad[i]);
		iop_err_clear();
		assert_int_equal(iop_plan_build(ctx, IOP_LAYOUT_SHARED, false, one, 1, &plan), -EINVAL);
		assert_one_clear_line(bad[i]);
		iop_err_clear();
		assert_int_equal(iop_pci_lookup("/nonexistent-iop", bad[i], &d), -EINVAL);
		assert_one_clear_line(bad[i]);
	}
	/* an upper-case or short name of a device is that device */
	assert_int_equal(iop_dev_open(ctx, "00:1F.0", &dev), 0);
	assert_string_equal(iop_dev_bdf(dev), "0000:00:1f.0");
	iop_dev_close(dev);
	iop_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_parse_accepts_long_and_short_forms),
		cmocka_unit_test(addr_normalize_gives_the_canonical_lower_case_long_form),
		cmocka_unit_test(addr_parse_refuses_bad_and_hostile_strings_with_one_clear_line),
		cmocka_unit_test(iommu_and_pci_bus_refuse_a_bad_address_with_the_parser_s_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
