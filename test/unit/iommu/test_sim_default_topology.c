/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend's built-in topology, used when no --sim-topology is
 * given: 32 NICs of type sim, each alone in its IOMMU group, on vfio-pci.
 * Apps and library users get it without writing a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "iop_iommu.h"
#include "iop_log.h"

#define DEFAULT_NICS 32

static void sim_without_a_file_models_32_singleton_sim_nics(void **state)
{
	struct iop_ctx_params params = { .backend = IOP_BACKEND_SIM };
	struct iop_dev_info info[DEFAULT_NICS + 1];
	struct iop_ctx *ctx;
	size_t n;

	(void)state;
	assert_int_equal(iop_ctx_create(&params, &ctx), 0);
	assert_int_equal(iop_ctx_devices(ctx, info, DEFAULT_NICS + 1, &n), 0);
	assert_int_equal(n, DEFAULT_NICS);
	/* bounded by the constant: gcc then sees a slot and bus fit the BDF */
	for (unsigned int i = 0; i < DEFAULT_NICS; i++) {
		char bdf[IOP_BDF_LEN];

		/* slots 01..1f of bus 0, then bus 1: a slot is at most 0x1f */
		snprintf(bdf, sizeof(bdf), "0000:%02x:%02x.0", (i + 1) / 32, (i + 1) % 32);
		assert_string_equal(info[i].bdf, bdf);
		assert_string_equal(info[i].driver, "vfio-pci");
		assert_string_equal(info[i].type, "sim");
		assert_int_equal(info[i].group, i + 1);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(info[j].group, info[i].group);
	}
	iop_ctx_destroy(ctx);
}

static void sim_default_devices_open_and_attach_like_a_file_s(void **state)
{
	struct iop_ctx_params params = { .backend = IOP_BACKEND_SIM };
	struct iop_ctx *ctx;
	struct iop_dev *a, *b;
	struct iop_ioas *ioas;

	(void)state;
	assert_int_equal(iop_ctx_create(&params, &ctx), 0);
	assert_int_equal(iop_dev_open(ctx, "0000:00:01.0", &a), 0);
	assert_int_equal(iop_dev_open(ctx, "0000:01:00.0", &b), 0);
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_dev_attach(a, ioas), 0);
	assert_int_equal(iop_dev_attach(b, ioas), 0);
	/* the 33rd NIC's address is no device; device 21 is no PCI address */
	assert_int_equal(iop_dev_open(ctx, "0000:01:01.0", &a), -ENODEV);
	assert_int_equal(iop_dev_open(ctx, "0000:00:21.0", &a), -EINVAL);
	iop_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_without_a_file_models_32_singleton_sim_nics),
		cmocka_unit_test(sim_default_devices_open_and_attach_like_a_file_s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
