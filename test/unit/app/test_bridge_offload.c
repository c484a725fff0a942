/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bridge --lro (app/iop-bridge/offload.c): a frame of merged TCP
 * segments goes out as a TSO request of its segment size, and one whose
 * checksum its sender left to a device with a checksum request, both as
 * DPDK wants them (l2/l3/l4_len, the checksum field seeded with DPDK's own
 * rte_ipv4/ipv6_phdr_cksum); anything else is left as it came.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "../../../app/iop-bridge/bridge.h"

struct frame {
	struct rte_mbuf m;
	uint8_t buf[4096];
};

/* An Ethernet/IPv4 (or IPv6)/TCP (or UDP) frame of payload bytes as a
 * receiving PMD leaves it: one segment, the given rx flags. */
static void frame_init(struct frame *f, bool v6, uint8_t proto, uint16_t payload, uint64_t rx)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f->buf;
	uint16_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint16_t l4 = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);

	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->buf;
	f->m.buf_len = sizeof(f->buf);
	f->m.nb_segs = 1;
	f->m.refcnt = 1;
	f->m.pkt_len = f->m.data_len = (uint16_t)(14 + l3 + l4 + payload);
	f->m.ol_flags = rx;
	f->m.tso_segsz = 1448;
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + payload));
		ip->proto = proto;
		ip->hop_limits = 64;
		ip->src_addr[15] = 1;
		ip->dst_addr[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + payload));
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		ip->src_addr = rte_cpu_to_be_32(UINT32_C(0xc0000201));
		ip->dst_addr = rte_cpu_to_be_32(UINT32_C(0xc6336407));
	}
	if (proto == IPPROTO_TCP)
		((struct rte_tcp_hdr *)(f->buf + 14 + l3))->data_off = 5 << 4;
}

static uint16_t l4_cksum(struct frame *f, uint16_t l3, size_t off)
{
	uint16_t v;

	memcpy(&v, f->buf + 14 + l3 + off, sizeof(v));
	return v;
}

static void merged_tcp_frame_goes_out_as_tso(void **state)
{
	static struct frame f;
	struct rte_mbuf *m = &f.m;
	uint64_t tx = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;

	(void)state;
	frame_init(&f, false, IPPROTO_TCP, 3000, RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE);
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 |
					RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK), tx);
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	assert_int_equal(m->l4_len, 20);
	assert_int_equal(m->tso_segsz, 1448);
	assert_int_equal(l4_cksum(&f, 20, offsetof(struct rte_tcp_hdr, cksum)),
			 rte_ipv4_phdr_cksum((struct rte_ipv4_hdr *)(f.buf + 14), tx));
	frame_init(&f, true, IPPROTO_TCP, 3000, RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE);
	offload_requests(&m, 1);
	tx = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_SEG;
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 |
					RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK), tx);
	assert_int_equal(m->l3_len, 40);
	assert_int_equal(l4_cksum(&f, 40, offsetof(struct rte_tcp_hdr, cksum)),
			 rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)(f.buf + 14), tx));
}

static void checksum_left_to_a_device_goes_out_as_a_request(void **state)
{
	static struct frame f;
	struct rte_mbuf *m = &f.m;

	(void)state;
	frame_init(&f, false, IPPROTO_UDP, 100, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK),
			 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM);
	assert_int_equal(m->l4_len, 8);
	/* with the length: DPDK's seed for a checksum request */
	assert_int_equal(l4_cksum(&f, 20, offsetof(struct rte_udp_hdr, dgram_cksum)),
			 rte_ipv4_phdr_cksum((struct rte_ipv4_hdr *)(f.buf + 14), RTE_MBUF_F_TX_IPV4));
	frame_init(&f, false, IPPROTO_TCP, 100, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
}

static void other_frames_are_left_as_they_came(void **state)
{
	static struct frame f;
	static struct rte_mbuf rest;
	struct rte_mbuf *m = &f.m;

	(void)state;
	/* checksum good or unknown: nothing to ask */
	frame_init(&f, false, IPPROTO_TCP, 100, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	/* merged UDP is not TCP LRO */
	frame_init(&f, false, IPPROTO_UDP, 3000, RTE_MBUF_F_RX_LRO);
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags, RTE_MBUF_F_RX_LRO);
	/* the TCP header across two segments: not written */
	frame_init(&f, false, IPPROTO_TCP, 3000, RTE_MBUF_F_RX_LRO);
	memset(&rest, 0, sizeof(rest));
	rest.buf_addr = f.buf + 44;
	rest.buf_len = (uint16_t)(sizeof(f.buf) - 44);
	rest.data_len = (uint16_t)(m->pkt_len - 44);
	rest.nb_segs = 1;
	rest.refcnt = 1;
	m->data_len = 44;
	m->next = &rest;
	m->nb_segs = 2;
	offload_requests(&m, 1);
	assert_int_equal(m->ol_flags, RTE_MBUF_F_RX_LRO);
	assert_int_equal(l4_cksum(&f, 20, offsetof(struct rte_tcp_hdr, cksum)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merged_tcp_frame_goes_out_as_tso),
		cmocka_unit_test(checksum_left_to_a_device_goes_out_as_a_request),
		cmocka_unit_test(other_frames_are_left_as_they_came),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
