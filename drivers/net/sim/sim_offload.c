/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim NIC's offload engines on frame bytes (see sim_offload.h). DPDK's
 * rte_softrss and checksum functions are the arithmetic, so the model
 * hashes and sums exactly as DPDK's software reference does.
 */
/* rte_ipv4/6_udptcp_cksum_verify are still marked experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "iop_port.h"
#include "sim_offload.h"
#include "sim_ring.h"

static uint16_t be16_at(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

void sim_parse(const uint8_t *frame, uint32_t len, struct sim_parse *p)
{
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN;
	uint16_t type;

	memset(p, 0, sizeof(*p));
	if (len < RTE_ETHER_HDR_LEN)
		return;
	type = be16_at(frame + off);
	if ((type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) &&
	    len >= RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN) {
		p->has_vlan = true;
		p->vlan_tci = be16_at(frame + off + 2);
		off += RTE_VLAN_HLEN;
		type = be16_at(frame + off);
	}
	off += 2;
	p->l3_off = off;
	if (type == RTE_ETHER_TYPE_IPV4 && len >= off + sizeof(struct rte_ipv4_hdr)) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + off);
		uint32_t ihl = rte_ipv4_hdr_len(ip);

		if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || len < off + ihl)
			return;
		p->ipv4 = true;
		p->l4_proto = ip->next_proto_id;
		p->frag = (rte_be_to_cpu_16(ip->fragment_offset) &
			   (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		if (!p->frag)
			p->l4_off = off + ihl;
	} else if (type == RTE_ETHER_TYPE_IPV6 && len >= off + sizeof(struct rte_ipv6_hdr)) {
		const struct rte_ipv6_hdr *ip = (const void *)(frame + off);

		p->ipv6 = true;
		/* extension headers are not followed: their L4 is "other" */
		p->l4_proto = ip->proto;
		p->l4_off = off + (uint32_t)sizeof(*ip);
	}
	if (p->l4_off && (p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP)) {
		uint32_t need = p->l4_proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
							     sizeof(struct rte_udp_hdr);

		if (len < p->l4_off + need)
			p->l4_off = 0;
	}
}

/* The ports of a TCP or UDP header (both at its start) as the tuple's
 * last word, sport << 16 | dport: written as the 32-bit word rte_softrss
 * reads, not as two 16-bit halves it would read through another type. */
static uint32_t l4_ports(const uint8_t *l4)
{
	return (uint32_t)be16_at(l4) << 16 | be16_at(l4 + 2);
}

bool sim_rss_hash(const uint8_t *frame, const struct sim_parse *p, uint64_t hash_types,
		  const uint8_t *key, uint32_t *hash)
{
	bool tcp = p->l4_off && p->l4_proto == IPPROTO_TCP;
	bool udp = p->l4_off && p->l4_proto == IPPROTO_UDP;
	union rte_thash_tuple t;
	bool l4;

	memset(&t, 0, sizeof(t));
	if (p->ipv4) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + p->l3_off);
		uint64_t l3_type = p->frag ? IOP_PORT_RSS_FRAG_IPV4 :
				   tcp || udp ? 0 : IOP_PORT_RSS_NONFRAG_IPV4_OTHER;

		l4 = (tcp && (hash_types & IOP_PORT_RSS_NONFRAG_IPV4_TCP)) ||
		     (udp && (hash_types & IOP_PORT_RSS_NONFRAG_IPV4_UDP));
		if (!l4 && !(hash_types & (IOP_PORT_RSS_IPV4 | l3_type)))
			return false;
		t.v4.src_addr = rte_be_to_cpu_32(ip->src_addr);
		t.v4.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
		if (l4)
			t.v4.sctp_tag = l4_ports(frame + p->l4_off);
		*hash = rte_softrss((uint32_t *)&t.v4,
				    l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN, key);
		return true;
	}
	if (p->ipv6) {
		const struct rte_ipv6_hdr *ip = (const void *)(frame + p->l3_off);
		uint64_t l3_type = tcp || udp ? 0 : IOP_PORT_RSS_NONFRAG_IPV6_OTHER;

		l4 = (tcp && (hash_types & IOP_PORT_RSS_NONFRAG_IPV6_TCP)) ||
		     (udp && (hash_types & IOP_PORT_RSS_NONFRAG_IPV6_UDP));
		if (!l4 && !(hash_types & (IOP_PORT_RSS_IPV6 | l3_type)))
			return false;
		rte_thash_load_v6_addrs(ip, &t);
		if (l4)
			t.v6.sctp_tag = l4_ports(frame + p->l4_off);
		*hash = rte_softrss((uint32_t *)&t.v6,
				    l4 ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN, key);
		return true;
	}
	return false;
}

uint16_t sim_rx_cksum(const uint8_t *frame, uint32_t len, const struct sim_parse *p,
		      uint64_t rx_offloads)
{
	bool tcp = p->l4_proto == IPPROTO_TCP, udp = p->l4_proto == IPPROTO_UDP;
	uint16_t v = 0;

	if (p->ipv4 && (rx_offloads & IOP_PORT_RX_OFFLOAD_IPV4_CKSUM)) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + p->l3_off);

		v |= SIM_DESC_RX_IP_CK;
		if (rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) != 0xffff)
			v |= SIM_DESC_RX_IP_BAD;
	}
	if (!p->l4_off || !(tcp || udp))
		return v;
	if (!(rx_offloads & (tcp ? IOP_PORT_RX_OFFLOAD_TCP_CKSUM : IOP_PORT_RX_OFFLOAD_UDP_CKSUM)))
		return v;
	if (p->ipv4) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + p->l3_off);
		uint32_t l4_len = (uint32_t)rte_be_to_cpu_16(ip->total_length);

		/* a length the frame does not hold, or shorter than the header */
		if (l4_len < rte_ipv4_hdr_len(ip) || p->l3_off + l4_len > len)
			return v | SIM_DESC_RX_L4_CK | SIM_DESC_RX_L4_BAD;
		/* UDP over IPv4 may go without a checksum: nothing to check */
		if (udp && ((const struct rte_udp_hdr *)(frame + p->l4_off))->dgram_cksum == 0)
			return v;
		v |= SIM_DESC_RX_L4_CK;
		if (rte_ipv4_udptcp_cksum_verify(ip, frame + p->l4_off) != 0)
			v |= SIM_DESC_RX_L4_BAD;
	} else if (p->ipv6) {
		const struct rte_ipv6_hdr *ip = (const void *)(frame + p->l3_off);

		if (p->l4_off + rte_be_to_cpu_16(ip->payload_len) > len)
			return v | SIM_DESC_RX_L4_CK | SIM_DESC_RX_L4_BAD;
		v |= SIM_DESC_RX_L4_CK;
		if (rte_ipv6_udptcp_cksum_verify(ip, frame + p->l4_off) != 0)
			v |= SIM_DESC_RX_L4_BAD;
	}
	return v;
}

/* Writes a checksum field that may not be aligned. */
static void put_cksum(uint8_t *field, uint16_t ck)
{
	memcpy(field, &ck, sizeof(ck));
}

void sim_tx_cksum(uint8_t *frame, uint32_t len, uint16_t flags, uint32_t l2_len, uint32_t l3_len)
{
	uint8_t *l3 = frame + l2_len, *l4 = l3 + l3_len, *ck = NULL;

	if (flags & SIM_DESC_TX_TCP_CK && len >= l2_len + l3_len + sizeof(struct rte_tcp_hdr))
		ck = l4 + offsetof(struct rte_tcp_hdr, cksum);
	else if (flags & SIM_DESC_TX_UDP_CK && len >= l2_len + l3_len + sizeof(struct rte_udp_hdr))
		ck = l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	if (flags & SIM_DESC_TX_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)l3;

		if (ck && l3_len >= sizeof(*ip) &&
		    l2_len + l3_len + rte_be_to_cpu_16(ip->payload_len) <= len) {
			put_cksum(ck, 0);
			put_cksum(ck, rte_ipv6_udptcp_cksum(ip, l4));
		}
		return;
	}
	if (len < l2_len + sizeof(struct rte_ipv4_hdr) || l3_len < sizeof(struct rte_ipv4_hdr))
		return;
	struct rte_ipv4_hdr *ip = (void *)l3;
	uint32_t total = rte_be_to_cpu_16(ip->total_length);

	if (flags & SIM_DESC_TX_IP_CK && rte_ipv4_hdr_len(ip) <= l3_len) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (ck && l2_len + total <= len && total >= l3_len) {
		put_cksum(ck, 0);
		put_cksum(ck, rte_ipv4_udptcp_cksum(ip, l4));
	}
}
