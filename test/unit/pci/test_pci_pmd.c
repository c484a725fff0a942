/* SPDX-License-Identifier: BSD-3-Clause */
/* PMD matching, virtio capability parsing, ring layouts and the packed
 * ring's ownership flags: everything of the PCI PMDs that needs no device. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"
#include "pci_pmd.h"
#include "../../../drivers/net/e1000e/e1000e_regs.h"
#include "../../../drivers/net/virtio/virtio_pci.h"
#include "../../../drivers/net/virtio/virtio_ring.h"

static void put_cap(uint8_t *cfg, uint8_t pos, uint8_t next, uint8_t type, uint8_t bar,
		    uint32_t off, uint32_t len)
{
	cfg[pos] = IOP_PCI_CAP_ID_VNDR;
	cfg[pos + 1] = next;
	cfg[pos + 2] = 16;
	cfg[pos + VIRTIO_CAP_CFG_TYPE] = type;
	cfg[pos + VIRTIO_CAP_BAR] = bar;
	memcpy(&cfg[pos + VIRTIO_CAP_OFFSET], &off, 4);
	memcpy(&cfg[pos + VIRTIO_CAP_LENGTH], &len, 4);
}

/* QEMU's modern virtio-net: MSI-X first, then the virtio caps in BAR4. */
static void qemu_virtio_cfg(uint8_t cfg[IOP_PCI_CFG_SIZE])
{
	uint32_t mult = 4;

	memset(cfg, 0, IOP_PCI_CFG_SIZE);
	cfg[0x06] = 0x10;
	cfg[0x34] = 0x98;
	cfg[0x98] = IOP_PCI_CAP_ID_MSIX; cfg[0x99] = 0x84;
	put_cap(cfg, 0x84, 0x70, 5, 0, 0, 0);              /* PCI cfg access: ignored */
	put_cap(cfg, 0x70, 0x60, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000);
	memcpy(&cfg[0x70 + VIRTIO_CAP_NOTIFY_MULT], &mult, 4);
	put_cap(cfg, 0x60, 0x50, VIRTIO_PCI_CAP_DEVICE_CFG, 4, 0x2000, 0x1000);
	put_cap(cfg, 0x50, 0x40, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 0x1000);
	put_cap(cfg, 0x40, 0x00, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000);
}

static void pmd_match_finds_virtio_and_82574l_by_ids_only(void **state)
{
	(void)state;
	assert_string_equal(iop_pci_pmd_match(0x1af4, 0x1041)->name, "virtio");
	assert_string_equal(iop_pci_pmd_match(0x1af4, 0x1000)->name, "virtio");
	assert_string_equal(iop_pci_pmd_match(0x8086, 0x10d3)->name, "e1000e");
	assert_null(iop_pci_pmd_match(0x8086, 0x100e)); /* e1000, not 82574L */
	assert_null(iop_pci_pmd_match(0x1af4, 0x1042)); /* virtio-blk */
}

static void pmd_match_gives_the_82576_pf_and_its_vf_each_their_pmd(void **state)
{
	(void)state;
	assert_string_equal(iop_pci_pmd_match(0x8086, 0x10c9)->name, "igb");
	assert_string_equal(iop_pci_pmd_match(0x8086, 0x10ca)->name, "igbvf");
}

static void virtio_caps_are_read_from_the_vendor_capabilities(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE];
	struct virtio_caps caps;

	(void)state;
	qemu_virtio_cfg(cfg);
	assert_int_equal(virtio_caps_parse(cfg, "0000:00:04.0", &caps), 0);
	assert_int_equal(caps.common.bar, 4);
	assert_int_equal(caps.common.offset, 0);
	assert_int_equal(caps.isr.offset, 0x1000);
	assert_int_equal(caps.device.offset, 0x2000);
	assert_int_equal(caps.notify.offset, 0x3000);
	assert_int_equal(caps.notify_mult, 4);
}

static void virtio_first_capability_of_a_type_wins_and_bad_bars_are_skipped(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE];
	struct virtio_caps caps;

	(void)state;
	qemu_virtio_cfg(cfg);
	/* a common cfg in a BAR that does not exist, before the real one */
	cfg[0x34] = 0xb0;
	put_cap(cfg, 0xb0, 0xc0, VIRTIO_PCI_CAP_COMMON_CFG, 7, 0x5000, 0x1000);
	put_cap(cfg, 0xc0, 0x98, VIRTIO_PCI_CAP_DEVICE_CFG, 2, 0x8000, 0x100);
	assert_int_equal(virtio_caps_parse(cfg, "0000:00:04.0", &caps), 0);
	assert_int_equal(caps.common.bar, 4);
	assert_int_equal(caps.device.bar, 2);
	assert_int_equal(caps.device.offset, 0x8000);
}

static void virtio_legacy_only_device_is_enodev_with_the_qemu_fix(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE];
	struct virtio_caps caps;

	(void)state;
	qemu_virtio_cfg(cfg);
	cfg[0x34] = 0x98;
	cfg[0x99] = 0; /* only MSI-X */
	assert_int_equal(virtio_caps_parse(cfg, "0000:00:04.0", &caps), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "legacy-only"));
	assert_non_null(strstr(iop_err_msg(), "0000:00:04.0"));
}

static void virtio_short_common_config_is_enodev(void **state)
{
	uint8_t cfg[IOP_PCI_CFG_SIZE];
	struct virtio_caps caps;
	uint32_t len = 0x20;

	(void)state;
	qemu_virtio_cfg(cfg);
	memcpy(&cfg[0x40 + VIRTIO_CAP_LENGTH], &len, 4);
	assert_int_equal(virtio_caps_parse(cfg, "0000:00:04.0", &caps), -ENODEV);
}

static void vring_layout_aligns_parts_and_keeps_used_on_its_own_page(void **state)
{
	struct vring_layout l = vring_layout(256);

	(void)state;
	assert_int_equal(l.avail, 256 * 16);
	assert_int_equal(l.avail % VRING_AVAIL_ALIGN, 0);
	assert_int_equal(l.used, 8192);
	assert_int_equal(l.used % VRING_USED_ALIGN, 0);
	assert_true(l.used >= l.avail + 4 + 2 * 256 + 2);
	assert_true(l.total >= l.used + 4 + 8 * 256 + 2);
	assert_int_equal(l.total % 4096, 0);
	l = vring_layout(64);
	assert_int_equal(l.avail, 1024);
	assert_int_equal(l.used, 4096);
}

static void vring_packed_layout_aligns_parts_and_keeps_the_device_area_apart(void **state)
{
	struct vring_layout l = vring_packed_layout(256);

	(void)state;
	assert_int_equal(l.avail, 256 * 16);
	assert_int_equal(l.avail % VRING_PACKED_EVENT_ALIGN, 0);
	assert_int_equal(l.used % VRING_PACKED_EVENT_ALIGN, 0);
	/* the area the device writes shares no cache line with ours */
	assert_true(l.used / 64 > (l.avail + 3) / 64);
	assert_true(l.total >= l.used + 4);
	assert_int_equal(l.total % 4096, 0);
	assert_int_equal(VRING_DESC_ALIGN % VRING_PACKED_DESC_ALIGN, 0);
}

/* virtio 1.2 2.8.1: available = AVAIL matches the driver's counter and
 * USED does not; used = both match the device's counter. */
static void vring_packed_flags_follow_the_wrap_counters(void **state)
{
	const uint16_t both = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;

	(void)state;
	assert_int_equal(vring_packed_avail_flags(1), VRING_PACKED_DESC_F_AVAIL);
	assert_int_equal(vring_packed_avail_flags(0), VRING_PACKED_DESC_F_USED);
	for (int w = 0; w <= 1; w++) {
		/* what the driver made available is never used, on either lap */
		assert_false(vring_packed_is_used(vring_packed_avail_flags(w), w));
		assert_false(vring_packed_is_used(vring_packed_avail_flags(w), !w));
		/* other flag bits do not matter */
		assert_true(vring_packed_is_used((uint16_t)((w ? both : 0) | VRING_DESC_F_WRITE), w));
		/* a descriptor used on the previous lap is not used on this one */
		assert_false(vring_packed_is_used(w ? 0 : both, w));
	}
	/* 2.8.13: the ring starts zeroed; nothing is used at counter 1 */
	assert_false(vring_packed_is_used(0, 1));
}

static void vring_tx_holds_a_frame_per_entry_with_indirect_and_half_without(void **state)
{
	struct vring_tx_layout t;

	(void)state;
	t = vring_tx_layout(256, 1);
	assert_int_equal(t.slots, 256);
	assert_int_equal(t.head_stride, 1);
	t = vring_tx_layout(256, 0);
	assert_int_equal(t.slots, 128);
	assert_int_equal(t.head_stride, 2);
	/* the last slot's chain ends inside the ring */
	assert_int_equal((t.slots - 1) * t.head_stride + 1, 255);
}

static void e1000e_descriptors_have_the_datasheet_layout(void **state)
{
	(void)state;
	/* the static_asserts in e1000e_regs.h and virtio_ring.h already hold
	 * at compile time; these check the fields the PMDs poll */
	assert_int_equal(offsetof(struct e1000_rx_desc, length), 8);
	assert_int_equal(offsetof(struct e1000_rx_desc, errors), 13);
	assert_int_equal(offsetof(struct e1000_tx_desc, length), 8);
	assert_int_equal(offsetof(struct vring_desc, next), 14);
	assert_int_equal(offsetof(struct vring_packed_desc, flags), 14);
	assert_int_equal(E1000_RING_ALIGN % sizeof(struct e1000_rx_desc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pmd_match_finds_virtio_and_82574l_by_ids_only),
		cmocka_unit_test(pmd_match_gives_the_82576_pf_and_its_vf_each_their_pmd),
		cmocka_unit_test(virtio_caps_are_read_from_the_vendor_capabilities),
		cmocka_unit_test(virtio_first_capability_of_a_type_wins_and_bad_bars_are_skipped),
		cmocka_unit_test(virtio_legacy_only_device_is_enodev_with_the_qemu_fix),
		cmocka_unit_test(virtio_short_common_config_is_enodev),
		cmocka_unit_test(vring_layout_aligns_parts_and_keeps_used_on_its_own_page),
		cmocka_unit_test(vring_packed_layout_aligns_parts_and_keeps_the_device_area_apart),
		cmocka_unit_test(vring_packed_flags_follow_the_wrap_counters),
		cmocka_unit_test(vring_tx_holds_a_frame_per_entry_with_indirect_and_half_without),
		cmocka_unit_test(e1000e_descriptors_have_the_datasheet_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
