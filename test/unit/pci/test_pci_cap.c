/* SPDX-License-Identifier: BSD-3-Clause */
/* Capability-list walks on plain config-space bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "iop_pci.h"

/* A config space with MSI-X at 0x40, vendor caps at 0x50 and 0x70, PCIe at 0x60. */
static void make_cfg(uint8_t cfg[IOP_PCI_CFG_SIZE])
{
	memset(cfg, 0, IOP_PCI_CFG_SIZE);
	cfg[0x06] = 0x10; /* status: capability list */
	cfg[0x34] = 0x40;
	cfg[0x40] = IOP_PCI_CAP_ID_MSIX; cfg[0x41] = 0x50;
	cfg[0x50] = IOP_PCI_CAP_ID_VNDR; cfg[0x51] = 0x60;
	cfg[0x60] = IOP_PCI_CAP_ID_EXP;  cfg[0x61] = 0x70;
	cfg[0x70] = IOP_PCI_CAP_ID_VNDR; cfg[0x71] = 0x00;
}

static void cap_find_walks_the_list_and_resumes_after_a_hit(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos = 0;

	(void)state;
	make_cfg(cfg);
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_MSIX, 0, &pos), 0);
	assert_int_equal(pos, 0x40);
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_VNDR, 0, &pos), 0);
	assert_int_equal(pos, 0x50);
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_VNDR, pos, &pos), 0);
	assert_int_equal(pos, 0x70);
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_VNDR, pos, &pos), -ENOENT);
}

static void cap_find_is_enoent_without_the_status_bit(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos;

	(void)state;
	make_cfg(cfg);
	cfg[0x06] = 0;
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_MSIX, 0, &pos), -ENOENT);
}

static void cap_find_ignores_the_low_two_pointer_bits(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos;

	(void)state;
	make_cfg(cfg);
	cfg[0x34] = 0x43;
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_MSIX, 0, &pos), 0);
	assert_int_equal(pos, 0x40);
}

static void cap_find_is_eio_on_a_loop(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos;

	(void)state;
	make_cfg(cfg);
	cfg[0x71] = 0x40; /* back to the first */
	assert_int_equal(iop_pci_cap_find(cfg, 0x05, 0, &pos), -EIO);
}

static void cap_find_is_eio_on_a_pointer_into_the_header(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos;

	(void)state;
	make_cfg(cfg);
	cfg[0x51] = 0x20;
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_EXP, 0, &pos), -EIO);
}

static void cap_find_of_all_ones_config_space_is_an_error_not_a_hang(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE], pos;

	(void)state;
	memset(cfg, 0xff, sizeof(cfg));
	assert_int_equal(iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_MSIX, 0, &pos), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cap_find_walks_the_list_and_resumes_after_a_hit),
		cmocka_unit_test(cap_find_is_enoent_without_the_status_bit),
		cmocka_unit_test(cap_find_ignores_the_low_two_pointer_bits),
		cmocka_unit_test(cap_find_is_eio_on_a_loop),
		cmocka_unit_test(cap_find_is_eio_on_a_pointer_into_the_header),
		cmocka_unit_test(cap_find_of_all_ones_config_space_is_an_error_not_a_hang),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
