/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_E1000E_OFFLOAD_H
#define IOP_E1000E_OFFLOAD_H

/*
 * The 82574L's checksum offloads, as pure functions of descriptors and
 * mbufs (no device needed): the receive descriptor's verdicts as DPDK's
 * mbuf flags (7.1.4, 7.1.11), and the transmit checksum context (7.2.10.2)
 * and data descriptor options (7.2.10.3) for what an mbuf asks.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "e1000e_regs.h"

/* The receive verdicts: only what the device checked (IPCS, TCPCS) gets a
 * verdict, and IXSM says it checked nothing. QEMU sets TCPCS for UDP too
 * (with UDPCS), so TCPCS/TCPE stand for either L4 protocol. */
static inline uint64_t e1000_rx_csum_flags(uint8_t status, uint8_t errors)
{
	uint64_t f = 0;

	if (status & E1000_RXD_STAT_IXSM)
		return 0;
	if (status & E1000_RXD_STAT_IPCS)
		f |= errors & E1000_RXD_ERR_IPE ? RTE_MBUF_F_RX_IP_CKSUM_BAD : RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	if (status & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS))
		f |= errors & E1000_RXD_ERR_TCPE ? RTE_MBUF_F_RX_L4_CKSUM_BAD : RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return f;
}

/* A tag the device stripped (VP, with CTRL.VME): its TCI from special. */
static inline void e1000_rx_vlan(struct rte_mbuf *m, uint8_t status, uint16_t special)
{
	if (status & E1000_RXD_STAT_VP) {
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = special;
	}
}

#define E1000_TX_CSUM_FLAGS (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)

/* Whether the device can insert the checksums m asks for: IPv4 or IPv6
 * with TCP or UDP (or IPv4 alone), its header offsets within the 8 bits of
 * a context's start fields. Other requests go out unchanged. */
static inline bool e1000_tx_csum_fits(const struct rte_mbuf *m)
{
	uint64_t l4t = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	bool v4 = m->ol_flags & RTE_MBUF_F_TX_IPV4;

	if (!v4 && !(m->ol_flags & RTE_MBUF_F_TX_IPV6))
		return false;
	if (!v4 && (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM))
		return false;
	if (l4t != 0 && l4t != RTE_MBUF_F_TX_TCP_CKSUM && l4t != RTE_MBUF_F_TX_UDP_CKSUM)
		return false;
	return m->l2_len + m->l3_len <= UINT8_MAX && m->l3_len != 0;
}

/* The context (7.2.10.2) for m's checksums: where the IPv4 header checksum
 * is computed (IPCSS..IPCSE) and stored (IPCSO), and the same for TCP or
 * UDP (TUCSS to the end of the frame, TUCSO). The application has put the
 * pseudo-header sum in the L4 checksum field, as for any Intel NIC. */
static inline struct e1000_tx_ctx_desc e1000_tx_ctx(const struct rte_mbuf *m)
{
	uint64_t l4t = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint8_t l3 = (uint8_t)m->l2_len, l4 = (uint8_t)(m->l2_len + m->l3_len);
	struct e1000_tx_ctx_desc c = {
		.ipcss = l3,
		.ipcso = (uint8_t)(l3 + offsetof(struct rte_ipv4_hdr, hdr_checksum)),
		.ipcse = (uint16_t)(l4 - 1),
		.tucss = l4,
		.tucso = (uint8_t)(l4 + (l4t == RTE_MBUF_F_TX_UDP_CKSUM ?
					 offsetof(struct rte_udp_hdr, dgram_cksum) :
					 offsetof(struct rte_tcp_hdr, cksum))),
		.tucse = 0, /* to the end of the frame */
		.cmd_len = E1000_TXC_DEXT |
			   (m->ol_flags & RTE_MBUF_F_TX_IPV4 ? E1000_TXC_TUCMD_IP : 0) |
			   (l4t == RTE_MBUF_F_TX_UDP_CKSUM ? 0 : E1000_TXC_TUCMD_TCP),
	};

	return c;
}

/* Two contexts are the same when they compute the same checksums. */
static inline bool e1000_tx_ctx_same(const struct e1000_tx_ctx_desc *a,
				     const struct e1000_tx_ctx_desc *b)
{
	return a->ipcss == b->ipcss && a->ipcso == b->ipcso && a->ipcse == b->ipcse &&
	       a->tucss == b->tucss && a->tucso == b->tucso && a->tucse == b->tucse &&
	       a->cmd_len == b->cmd_len;
}

/* The data descriptor's POPTS (7.2.10.3): which checksums it inserts with
 * the context last written. */
static inline uint8_t e1000_tx_popts(const struct rte_mbuf *m)
{
	return (uint8_t)((m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM ? E1000_TXD_POPTS_IXSM : 0) |
			 (m->ol_flags & RTE_MBUF_F_TX_L4_MASK ? E1000_TXD_POPTS_TXSM : 0));
}

#endif /* IOP_E1000E_OFFLOAD_H */
