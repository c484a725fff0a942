/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_RX_FRAME_H
#define IOP_VIRTIO_RX_FRAME_H

/*
 * rx: the frames of the buffers a virtio-net device used, one buffer at a
 * time in the order it used them, the same on split and packed rings.
 * With VIRTIO_NET_F_MRG_RXBUF a frame spans the num_buffers buffers of its
 * header's count (virtio 1.2 5.1.6.4): the first holds the 12-byte header
 * and the frame's start, the others go on with the frame where the header
 * would be (5.1.6.3.1: every buffer is posted the same way). They become
 * one mbuf chain: nb_segs, pkt_len on the first, data_len on each.
 *
 * A frame the device describes wrongly is dropped and counted
 * (rx_malformed), never delivered: a buffer too short for the header and
 * an Ethernet header or longer than posted, a num_buffers of 0 or of more buffers than the ring
 * holds, a GSO type not negotiated. A frame longer than the port's MTU
 * (or a chain where the port did not ask for scatter) is rx_oversize.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "pci_pmd_ring.h"
#include "port_driver.h"
#include "virtio_offload.h"

/* 5.1.6: with VIRTIO_F_VERSION_1 the header is always 12 bytes (it has
 * num_buffers even without VIRTIO_NET_F_MRG_RXBUF). */
#define VNET_HDR_LEN ((uint32_t)sizeof(struct vnet_hdr))

/* rx: the header goes in the headroom, right before the frame; a
 * buffer that continues a frame is written from the same place */
#define VNET_RX_HDR_OFF (RTE_PKTMBUF_HEADROOM - VNET_HDR_LEN)

/* What an rx queue delivers, fixed at start from what was negotiated and
 * configured. */
struct vnet_rx_rules {
	uint32_t buf_len;    /* bytes the device may write per buffer */
	uint32_t max_frame;  /* longest frame: MTU + 14 (LRO frames: 64 KiB) */
	uint16_t max_bufs;   /* buffers one frame may span: the ring's size */
	bool mrg_rxbuf;      /* VIRTIO_NET_F_MRG_RXBUF: num_buffers counts */
	bool scatter;        /* chains may be delivered */
	bool csum;           /* GUEST_CSUM: report the header's checksum word */
	bool lro;            /* GUEST_TSO4/6: merged TCP segments may come */
};

/* The frame being put together, kept across bursts: the device may have
 * used its first buffers when a burst ends. head NULL with buffers left:
 * a frame already dropped whose remaining buffers are skipped. */
struct vnet_rx_frame {
	struct rte_mbuf *head, *tail;
	uint16_t left;       /* buffers still to come */
};

/* The kernel's MTU rule (iop_pci_frame_fits; max_frame is MTU + 14). */
static inline bool vnet_frame_fits(const struct rte_mbuf *m, uint32_t max_frame)
{
	return iop_pci_frame_fits(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
				  m->pkt_len, max_frame);
}

/* A frame the device described wrongly: its buffers go back to the pool. */
static inline struct rte_mbuf *vnet_rx_malformed(struct iop_port_qcounters *cnt,
						 struct rte_mbuf *m)
{
	cnt->drops[IOP_DROP_RX_MALFORMED]++;
	rte_pktmbuf_free(m);
	return NULL;
}

/* The whole frame m: delivered (counted) if the port takes it. */
static inline struct rte_mbuf *vnet_rx_complete(const struct vnet_rx_rules *r,
						struct iop_port_qcounters *cnt,
						struct rte_mbuf *m)
{
	uint32_t max = (m->ol_flags & RTE_MBUF_F_RX_LRO) ? VNET_MAX_TSO_FRAME : r->max_frame;

	if (unlikely(!vnet_frame_fits(m, max) || (m->nb_segs > 1 && !r->scatter))) {
		cnt->drops[IOP_DROP_RX_OVERSIZE]++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	iop_pci_count_packet(cnt, m->pkt_len);
	return m;
}

/*
 * Buffer m, in which the device wrote len bytes (rearmed when posted:
 * data_off at the headroom, one segment, no flags). Returns the frame it
 * completes, or NULL (more buffers to come, or dropped).
 */
static inline struct rte_mbuf *vnet_rx_frame_add(struct vnet_rx_frame *f,
						 const struct vnet_rx_rules *r,
						 struct iop_port_qcounters *cnt,
						 struct rte_mbuf *m, uint32_t len)
{
	const struct vnet_hdr *h;
	uint16_t nbufs;

	if (unlikely(f->left)) {
		struct rte_mbuf *head = f->head;

		f->left--;
		if (unlikely(head == NULL || len > r->buf_len)) {
			rte_pktmbuf_free(m);
			if (head)
				vnet_rx_malformed(cnt, head);
			f->head = f->tail = NULL;
			return NULL;
		}
		m->data_off = (uint16_t)VNET_RX_HDR_OFF;
		m->data_len = (uint16_t)len;
		f->tail->next = m;
		f->tail = m;
		head->nb_segs++;
		head->pkt_len += len;
		if (f->left)
			return NULL;
		f->head = f->tail = NULL;
		return vnet_rx_complete(r, cnt, head);
	}
	h = (const struct vnet_hdr *)((const uint8_t *)m->buf_addr + VNET_RX_HDR_OFF);
	nbufs = r->mrg_rxbuf ? h->num_buffers : 1;
	/* a count that cannot be: the buffers that follow are taken as
	 * frames of their own, and a wrong one fails these checks too */
	if (unlikely(nbufs == 0 || nbufs > r->max_bufs))
		return vnet_rx_malformed(cnt, m);
	if (unlikely(len < VNET_HDR_LEN + RTE_ETHER_HDR_LEN || len > r->buf_len ||
		     !vnet_rx_gso(h, r->lro, m))) {
		f->left = (uint16_t)(nbufs - 1); /* skipped */
		return vnet_rx_malformed(cnt, m);
	}
	m->data_len = (uint16_t)(len - VNET_HDR_LEN);
	m->pkt_len = len - VNET_HDR_LEN;
	if (r->csum)
		m->ol_flags |= vnet_rx_csum_flags(h);
	if (likely(nbufs == 1))
		return vnet_rx_complete(r, cnt, m);
	f->head = f->tail = m;
	f->left = (uint16_t)(nbufs - 1);
	return NULL;
}

/* The ring stopped with a frame cut short: its buffers go back, the frame
 * counted as malformed. */
static inline void vnet_rx_frame_abandon(struct vnet_rx_frame *f, struct iop_port_qcounters *cnt)
{
	if (f->head)
		vnet_rx_malformed(cnt, f->head);
	*f = (struct vnet_rx_frame){ 0 };
}

#endif /* IOP_VIRTIO_RX_FRAME_H */
