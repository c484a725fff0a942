/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtio-net control commands the PMD sends, byte for byte against the
 * layouts of virtio 1.2 5.1.6.5 (little-endian, packed), and the mapping
 * of RSS hash types and table sizes between the spec and lib/port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../drivers/net/virtio/virtio_ctrl.h"

static void vq_pairs_set_is_class_mq_command_0_and_a_le16(void **state)
{
	uint8_t buf[VIRTIO_CTRL_CMD_MAX];
	const uint8_t want[] = { 4, 0, 0x03, 0x01 };

	(void)state;
	assert_int_equal(virtio_ctrl_vq_pairs_set(buf, 0x0103), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void rss_config_has_the_spec_layout(void **state)
{
	uint8_t buf[VIRTIO_CTRL_CMD_MAX];
	struct iop_port_rss_conf rss = {
		.hash_types = IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_NONFRAG_IPV4_UDP |
			      IOP_PORT_RSS_NONFRAG_IPV6_TCP,
		.key_len = 3, .key = { 0xaa, 0xbb, 0xcc },
		.reta_size = 4, .reta = { 1, 0, 0x102, 1 },
	};
	const uint8_t want[] = {
		4, 1,                   /* VIRTIO_NET_CTRL_MQ, _RSS_CONFIG */
		0x15, 0, 0, 0,          /* hash_types: IPv4 | UDPv4 | TCPv6 */
		3, 0,                   /* indirection_table_mask */
		0, 0,                   /* unclassified_queue */
		1, 0, 0, 0, 2, 1, 1, 0, /* indirection_table[4] */
		2, 0,                   /* max_tx_vq */
		3, 0xaa, 0xbb, 0xcc,    /* hash_key_length, hash_key_data */
	};

	(void)state;
	assert_int_equal(virtio_ctrl_rss_config(buf, &rss, 2), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void rss_config_of_the_largest_table_and_key_fits_the_buffer(void **state)
{
	static uint8_t buf[VIRTIO_CTRL_CMD_MAX];
	struct iop_port_rss_conf rss = { .hash_types = IOP_PORT_RSS_IPV4,
					 .key_len = IOP_PORT_RSS_KEY_MAX,
					 .reta_size = IOP_PORT_RETA_MAX };

	(void)state;
	assert_int_equal(virtio_ctrl_rss_config(buf, &rss, 1), VIRTIO_CTRL_CMD_MAX);
}

static void hash_types_map_both_ways_and_drop_what_virtio_has_not(void **state)
{
	uint32_t all = VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
		       VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_IPv6 |
		       VIRTIO_NET_RSS_HASH_TYPE_TCPv6 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6;

	(void)state;
	assert_int_equal(virtio_rss_types_to_port(all),
			 IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_NONFRAG_IPV4_TCP |
			 IOP_PORT_RSS_NONFRAG_IPV4_UDP | IOP_PORT_RSS_IPV6 |
			 IOP_PORT_RSS_NONFRAG_IPV6_TCP | IOP_PORT_RSS_NONFRAG_IPV6_UDP);
	assert_int_equal(virtio_rss_types_from_port(virtio_rss_types_to_port(all)), all);
	/* the _EX types (bits 6-8) have no lib/port name */
	assert_int_equal(virtio_rss_types_to_port(0x1c0), 0);
	assert_int_equal(virtio_rss_types_from_port(IOP_PORT_RSS_FRAG_IPV4), 0);
}

/* 5.1.6.5.7.1: the table's length is indirection_table_mask + 1 */
static void reta_size_is_the_largest_power_of_two_the_device_takes(void **state)
{
	(void)state;
	assert_int_equal(virtio_rss_reta_size(128), 128);
	assert_int_equal(virtio_rss_reta_size(100), 64);
	assert_int_equal(virtio_rss_reta_size(4096), IOP_PORT_RETA_MAX);
	assert_int_equal(virtio_rss_reta_size(1), 1);
	assert_int_equal(virtio_rss_reta_size(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vq_pairs_set_is_class_mq_command_0_and_a_le16),
		cmocka_unit_test(rss_config_has_the_spec_layout),
		cmocka_unit_test(rss_config_of_the_largest_table_and_key_fits_the_buffer),
		cmocka_unit_test(hash_types_map_both_ways_and_drop_what_virtio_has_not),
		cmocka_unit_test(reta_size_is_the_largest_power_of_two_the_device_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
