/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --lro: what a received frame's offload flags ask of the egress port.
 * A frame of merged TCP segments (RTE_MBUF_F_RX_LRO, tso_segsz) goes out
 * as a TSO request of the same segment size, so a port that segments cuts
 * it back into what the sender sent, and one that cannot drops it as
 * tx_oversize. A frame whose L4 checksum the sender left to a device
 * (RTE_MBUF_F_RX_L4_CKSUM_NONE: virtio's NEEDS_CSUM) goes out with a
 * checksum request. Both as DPDK wants them: l2/l3/l4_len set and the
 * checksum field seeded with the pseudo-header sum (without the length
 * for TSO). A frame whose headers are not IPv4/IPv6 with TCP or UDP in
 * its first segment is left as it came.
 */
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "bridge.h"

static void offload_request(struct rte_mbuf *m)
{
	bool lro = m->ol_flags & RTE_MBUF_F_RX_LRO;
	struct rte_net_hdr_lens hl;
	uint32_t ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
					   RTE_PTYPE_L4_MASK);
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;
	uint64_t tx;
	void *l3;
	uint16_t *ck;

	if ((l4 != RTE_PTYPE_L4_TCP && (lro || l4 != RTE_PTYPE_L4_UDP)) ||
	    hl.l2_len + hl.l3_len + hl.l4_len > m->data_len)
		return;
	if (RTE_ETH_IS_IPV4_HDR(ptype))
		tx = RTE_MBUF_F_TX_IPV4;
	else if (RTE_ETH_IS_IPV6_HDR(ptype))
		tx = RTE_MBUF_F_TX_IPV6;
	else
		return;
	if (lro)
		tx |= RTE_MBUF_F_TX_TCP_SEG;
	else
		tx |= l4 == RTE_PTYPE_L4_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	l3 = rte_pktmbuf_mtod_offset(m, void *, hl.l2_len);
	ck = rte_pktmbuf_mtod_offset(m, uint16_t *, hl.l2_len + hl.l3_len +
				     (l4 == RTE_PTYPE_L4_TCP ? offsetof(struct rte_tcp_hdr, cksum) :
				      offsetof(struct rte_udp_hdr, dgram_cksum)));
	*ck = (tx & RTE_MBUF_F_TX_IPV4) ? rte_ipv4_phdr_cksum(l3, tx) : rte_ipv6_phdr_cksum(l3, tx);
	m->ol_flags |= tx;
}

void offload_requests(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i]->ol_flags & RTE_MBUF_F_RX_LRO ||
		    (pkts[i]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE)
			offload_request(pkts[i]);
}
