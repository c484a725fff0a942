/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_OFFLOAD_H
#define IOP_VIRTIO_OFFLOAD_H

/*
 * The virtio-net header (virtio 1.2 5.1.6) that precedes every frame, and
 * DPDK's mbuf offload requests written into it: checksum (VIRTIO_NET_F_CSUM)
 * and TCP segmentation (VIRTIO_NET_F_HOST_TSO4/6); on receive, the
 * device's word on the L4 checksum (VIRTIO_NET_F_GUEST_CSUM) as DPDK's
 * rx flags.
 */

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* 5.1.3 feature bits */
#define VIRTIO_NET_F_CSUM 0       /* the device completes tx checksums */
#define VIRTIO_NET_F_GUEST_CSUM 1 /* rx frames may say their checksum is fine */
#define VIRTIO_NET_F_GUEST_TSO4 7 /* rx frames may be TCP/IPv4 segments merged (LRO) */
#define VIRTIO_NET_F_GUEST_TSO6 8 /* the same for TCP/IPv6 */
#define VIRTIO_NET_F_HOST_TSO4 11 /* the device segments TCP/IPv4 */
#define VIRTIO_NET_F_HOST_TSO6 12 /* the device segments TCP/IPv6 */
#define VIRTIO_NET_F_MRG_RXBUF 15 /* an rx frame may span several buffers (num_buffers) */

/* 5.1.6: struct virtio_net_hdr, little-endian */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;     /* bytes of headers before the TCP payload (GSO) */
	uint16_t gso_size;    /* payload bytes per segment (GSO) */
	uint16_t csum_start;  /* the checksum covers csum_start to the end */
	uint16_t csum_offset; /* where, from csum_start, it goes */
	uint16_t num_buffers;
};
static_assert(sizeof(struct vnet_hdr) == 12, "virtio 1.2 5.1.6: 12-byte header with VERSION_1");
static_assert(offsetof(struct vnet_hdr, csum_start) == 6, "virtio 1.2 5.1.6: csum_start at byte 6");

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN 0x80 /* only with VIRTIO_NET_F_GUEST_ECN, never negotiated */

/* Longest frame a TCP segmentation request may carry: an IP datagram's
 * 64 KiB and its Ethernet header. */
#define VNET_MAX_TSO_FRAME (65535 + 14)

/*
 * TSO: DPDK has the TCP checksum field hold the pseudo-header sum without
 * the TCP length (rte_ipv4_phdr_cksum with RTE_MBUF_F_TX_TCP_SEG); the
 * device, like Linux's segmentation it stands for, takes it with the
 * length of the whole frame's TCP part and adjusts it per segment. Adds
 * that length in (one's complement: the order of the bytes does not
 * matter as long as both sides have the same). DPDK wants the headers in
 * the first segment; a chain that has them elsewhere is left alone, as
 * net_virtio does (never a write past the first segment's data).
 */
static inline void vnet_tso_add_length(struct rte_mbuf *m)
{
	uint16_t *ck = rte_pktmbuf_mtod_offset(m, uint16_t *, m->l2_len + m->l3_len +
					       offsetof(struct rte_tcp_hdr, cksum));
	uint32_t sum;

	if (unlikely(m->data_len < m->l2_len + m->l3_len + sizeof(struct rte_tcp_hdr)))
		return;
	sum = (uint32_t)*ck + rte_cpu_to_be_16((uint16_t)(m->pkt_len - m->l2_len - m->l3_len));
	*ck = (uint16_t)((sum & 0xffff) + (sum >> 16));
}

/*
 * 5.1.6.2 "Packet Transmission": the header for m. DPDK's convention (the
 * L4 checksum field holds the pseudo-header sum, l2_len/l3_len/l4_len set)
 * is the one the device expects: it sums csum_start to the end into the
 * field at csum_start + csum_offset. For TSO, hdr_len covers the headers,
 * gso_size is m->tso_segsz, and the checksum field gets the TCP length
 * (vnet_tso_add_length). No request: all zero.
 */
static inline void vnet_tx_hdr(struct vnet_hdr *h, struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags;
	uint16_t l4 = (uint16_t)(m->l2_len + m->l3_len);

	*h = (struct vnet_hdr){ 0 };
	if (f & RTE_MBUF_F_TX_TCP_SEG) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->gso_type = (f & RTE_MBUF_F_TX_IPV6) ? VIRTIO_NET_HDR_GSO_TCPV6 :
							  VIRTIO_NET_HDR_GSO_TCPV4;
		h->hdr_len = (uint16_t)(l4 + m->l4_len);
		h->gso_size = m->tso_segsz;
		h->csum_start = l4;
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
		vnet_tso_add_length(m);
	} else if ((f & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = l4;
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	} else if ((f & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = l4;
		h->csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
	}
}

/*
 * 5.1.6.4.1 "Processing of Incoming Packets": with GUEST_CSUM a frame may
 * come with NEEDS_CSUM (its L4 checksum is not filled in, but its data is
 * known good: a sender on the same host left it partial), which DPDK calls
 * RTE_MBUF_F_RX_L4_CKSUM_NONE, or DATA_VALID (the device checked it):
 * L4_CKSUM_GOOD. Neither: the device says nothing (UNKNOWN, 0).
 */
static inline uint64_t vnet_rx_csum_flags(const struct vnet_hdr *h)
{
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return RTE_MBUF_F_RX_L4_CKSUM_NONE;
	if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		return RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return 0;
}

/*
 * 5.1.6.4 with VIRTIO_NET_F_GUEST_TSO4/6: a frame whose gso_type is TCPV4
 * or TCPV6 is several TCP segments of gso_size payload bytes merged, with
 * NEEDS_CSUM (its checksum field holds the pseudo-header sum). DPDK calls
 * that RTE_MBUF_F_RX_LRO with tso_segsz, as net_virtio does. Returns false
 * for what the device must not send: a GSO frame when the port did not
 * negotiate it (lro false), with ECN (VIRTIO_NET_F_GUEST_ECN is never
 * negotiated), of another type (UDP: GUEST_UFO neither), or with a
 * gso_size of 0.
 */
static inline bool vnet_rx_gso(const struct vnet_hdr *h, bool lro, struct rte_mbuf *m)
{
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	if (!lro || h->gso_size == 0 ||
	    (h->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 && h->gso_type != VIRTIO_NET_HDR_GSO_TCPV6))
		return false;
	m->ol_flags |= RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE;
	m->tso_segsz = h->gso_size;
	return true;
}

#endif /* IOP_VIRTIO_OFFLOAD_H */
