/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtio-net header the PMD writes for DPDK's transmit offload
 * requests (virtio 1.2 5.1.6.2), the TSO checksum seed checked against
 * DPDK's own pseudo-header sum with the length, and the receive header's
 * checksum word as DPDK's flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ip.h>

#include "../../../drivers/net/virtio/virtio_offload.h"

/* An IPv4/TCP frame of `payload` bytes in a static mbuf, seeded as DPDK
 * wants for these flags. */
struct tcp_frame {
	struct rte_mbuf m;
	uint8_t buf[2048];
};

static struct rte_ipv4_hdr *tcp_frame_init(struct tcp_frame *f, uint16_t payload, uint64_t flags)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->buf + 14);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->buf;
	f->m.data_off = 0;
	f->m.nb_segs = 1;
	f->m.l2_len = 14;
	f->m.l3_len = sizeof(*ip);
	f->m.l4_len = sizeof(*tcp);
	f->m.pkt_len = f->m.data_len = (uint32_t)(14 + sizeof(*ip) + sizeof(*tcp) + payload);
	f->m.ol_flags = flags | RTE_MBUF_F_TX_IPV4;
	f->m.tso_segsz = 100;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->next_proto_id = IPPROTO_TCP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(f->m.pkt_len - 14));
	/* 192.0.2.1 and 198.51.100.7, written out: DPDK 22.11's RTE_IPV4()
	 * shifts an int into its sign bit, which UBSan rejects */
	ip->src_addr = rte_cpu_to_be_32(UINT32_C(0xc0000201));
	ip->dst_addr = rte_cpu_to_be_32(UINT32_C(0xc6336407));
	tcp->cksum = rte_ipv4_phdr_cksum(ip, f->m.ol_flags);
	return ip;
}

static void no_request_is_an_all_zero_header(void **state)
{
	static struct tcp_frame f;
	struct vnet_hdr h;

	(void)state;
	tcp_frame_init(&f, 10, 0);
	memset(&h, 0xff, sizeof(h));
	vnet_tx_hdr(&h, &f.m);
	assert_memory_equal(&h, &(struct vnet_hdr){ 0 }, sizeof(h));
}

static void udp_and_tcp_checksums_point_at_their_fields(void **state)
{
	static struct tcp_frame f;
	struct vnet_hdr h;

	(void)state;
	tcp_frame_init(&f, 10, RTE_MBUF_F_TX_UDP_CKSUM);
	vnet_tx_hdr(&h, &f.m);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 6);
	tcp_frame_init(&f, 10, RTE_MBUF_F_TX_TCP_CKSUM);
	vnet_tx_hdr(&h, &f.m);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
}

static void tso_gives_segment_size_header_length_and_gso_type(void **state)
{
	static struct tcp_frame f;
	struct vnet_hdr h;

	(void)state;
	tcp_frame_init(&f, 1000, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM);
	vnet_tx_hdr(&h, &f.m);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.gso_size, 100);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	f.m.ol_flags = (f.m.ol_flags & ~RTE_MBUF_F_TX_IPV4) | RTE_MBUF_F_TX_IPV6;
	vnet_tx_hdr(&h, &f.m);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
}

/* After the header is written the TCP checksum field holds what DPDK
 * computes for the pseudo-header with the TCP length: what Linux's
 * segmentation (and a virtio device) starts from. */
static void tso_seed_gains_the_tcp_length(void **state)
{
	static struct tcp_frame f;
	struct vnet_hdr h;

	(void)state;
	for (uint16_t payload = 0; payload <= 1900; payload = (uint16_t)(payload + 95)) {
		struct rte_ipv4_hdr *ip = tcp_frame_init(&f, payload,
							  RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM);
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		vnet_tx_hdr(&h, &f.m);
		assert_int_equal(tcp->cksum, rte_ipv4_phdr_cksum(ip, 0));
	}
}

/* 5.1.6.4.1: NEEDS_CSUM (data good, sum not filled in) and DATA_VALID. */
static void rx_header_flags_become_dpdk_l4_verdicts(void **state)
{
	(void)state;
	assert_int_equal(vnet_rx_csum_flags(&(struct vnet_hdr){ .flags = 0 }),
			 RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN);
	assert_int_equal(vnet_rx_csum_flags(&(struct vnet_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM }),
			 RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_int_equal(vnet_rx_csum_flags(&(struct vnet_hdr){ .flags = VIRTIO_NET_HDR_F_DATA_VALID }),
			 RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_request_is_an_all_zero_header),
		cmocka_unit_test(udp_and_tcp_checksums_point_at_their_fields),
		cmocka_unit_test(tso_gives_segment_size_header_length_and_gso_type),
		cmocka_unit_test(tso_seed_gains_the_tcp_length),
		cmocka_unit_test(rx_header_flags_become_dpdk_l4_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
