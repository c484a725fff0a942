/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_TEST_VM_GUEST_FRAMES_H
#define IOP_TEST_VM_GUEST_FRAMES_H

/*
 * The IPv4 frames the guest check programs (iop-e1000e-checks,
 * iop-igb-checks) send through a NIC's offloads: broadcast, 10.0.0.1 ->
 * 10.0.0.2, UDP (to 4789) or TCP (ACK to 80) from a given source port,
 * checksums right, broken, or left to the sending device the way DPDK
 * asks for it. One builder, so every program tests the same bytes.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

enum guest_sum {
	GUEST_SUM_RIGHT,
	GUEST_SUM_BAD_IP,     /* the IPv4 header checksum is wrong */
	GUEST_SUM_BAD_L4,     /* the UDP or TCP checksum is wrong */
	/* IPv4 header checksum 0, the pseudo-header sum in the L4 field and
	 * the mbuf's offload flags and l2_len/l3_len set: the device fills
	 * them in */
	GUEST_SUM_TX_OFFLOAD,
};

struct guest_frame {
	bool tcp;
	uint16_t sport;
	uint16_t ip_opt;  /* bytes of IPv4 options (NOPs), a multiple of 4 */
	uint16_t payload; /* bytes after the L4 header: byte i is sport + 5 i */
	enum guest_sum sum;
};

/* The frame f describes, in one mbuf of mp; NULL when mp is empty. */
static inline struct rte_mbuf *guest_ipv4_frame(struct rte_mempool *mp, const struct guest_frame *f)
{
	uint16_t l4len = f->tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint16_t l3len = (uint16_t)(sizeof(struct rte_ipv4_hdr) + f->ip_opt);
	uint16_t len = (uint16_t)(sizeof(struct rte_ether_hdr) + l3len + l4len + f->payload);
	uint16_t ck_off = f->tcp ? offsetof(struct rte_tcp_hdr, cksum) :
				   offsetof(struct rte_udp_hdr, dgram_cksum);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth = m ? (struct rte_ether_hdr *)rte_pktmbuf_append(m, len) : NULL;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint16_t ck;

	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, len);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = (uint8_t)(RTE_IPV4_VHL_DEF + f->ip_opt / 4);
	memset(ip + 1, 1, f->ip_opt); /* NOP options */
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = f->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	l4 = (uint8_t *)ip + l3len;
	if (f->tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = rte_cpu_to_be_16(f->sport);
		t->dst_port = rte_cpu_to_be_16(80);
		t->data_off = 0x50;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
		t->rx_win = rte_cpu_to_be_16(1024);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(f->sport);
		u->dst_port = rte_cpu_to_be_16(4789);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4len + f->payload));
	}
	for (uint16_t i = 0; i < f->payload; i++)
		l4[l4len + i] = (uint8_t)(f->sport + 5 * i);
	ck = rte_ipv4_udptcp_cksum(ip, l4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (f->sum == GUEST_SUM_BAD_IP)
		ip->hdr_checksum ^= 0x1111;
	if (f->sum == GUEST_SUM_BAD_L4)
		ck ^= 0x1111;
	if (f->sum == GUEST_SUM_TX_OFFLOAD) {
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			      (f->tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		m->l2_len = sizeof(*eth);
		m->l3_len = l3len;
		ip->hdr_checksum = 0;
		ck = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	}
	memcpy(l4 + ck_off, &ck, sizeof(ck));
	return m;
}

#endif /* IOP_TEST_VM_GUEST_FRAMES_H */
