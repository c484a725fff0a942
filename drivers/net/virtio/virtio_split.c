/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net bursts on split rings (virtio 1.0 2.4): the driver posts
 * descriptor indexes in the available ring and reads the device's answers
 * from the used ring, both with free-running 16-bit indexes.
 */
#include <string.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_log.h"
#include "pci_pmd_ring.h"
#include "vnet.h"

void vnet_split_tx_init(struct vnet_queue *q, bool indirect)
{
	struct vring_desc *txd = q->txd;

	for (uint16_t s = 0; s < q->slots; s++) {
		struct vring_desc *h = &txd[2 * s];

		if (indirect) {
			q->desc[s].addr = q->ring_iova + (uint64_t)((uint8_t *)h - (uint8_t *)q->ring);
			q->desc[s].len = 2 * sizeof(*h);
			q->desc[s].flags = VRING_DESC_F_INDIRECT;
		}
		h->addr = q->hdr_iova;
		h->len = VNET_HDR_LEN;
		h->flags = VRING_DESC_F_NEXT;
		h->next = (uint16_t)(indirect ? 1 : 2 * s + 1);
	}
}

void vnet_split_reset(struct vnet_queue *q)
{
	q->last_used = q->avail_idx = 0;
	q->avail->idx = 0;
	/* we poll: 2.4.7, ask the device not to interrupt */
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	memset(q->used, 0, 4);
}

int vnet_split_rx_fill(struct vnet_queue *q)
{
	unsigned int looked = 0;

	iop_iova_cache_sync(&q->cache);
	for (uint16_t i = 0; i < q->size; i++) {
		struct rte_mbuf *m;
		uint64_t iova;
		int rc = iop_pci_rx_buf_alloc(q->mp, &q->cache, "virtio", q->size,
					      VNET_RX_HDR_OFF, &looked, &m, &iova);

		if (rc < 0)
			return rc;
		q->sw[i] = m;
		q->desc[i].addr = iova;
		q->desc[i].len = q->buf_len;
		q->desc[i].flags = VRING_DESC_F_WRITE;
		q->avail->ring[i] = i;
	}
	iop_iova_cache_count(&q->cache, looked);
	q->avail_idx = q->size;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	return 0;
}

static inline void vnet_split_publish(struct vnet_queue *q, uint16_t avail)
{
	__atomic_store_n(&q->avail->idx, avail, __ATOMIC_RELEASE);
	q->avail_idx = avail;
	/* 2.4.7.2: the flags read must not pass the idx write */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY))
		iop_mmio_write16(q->notify, 0, q->qidx);
}

uint16_t vnet_split_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t avail = q->avail_idx, got = 0;
	unsigned int looked = 0;

	if (q->last_used == used)
		return 0;
	iop_iova_cache_sync(&q->cache);
	while (q->last_used != used && got < n) {
		const struct vring_used_elem *e = &q->used->ring[q->last_used & q->mask];
		uint16_t id = (uint16_t)(e->id & q->mask);
		uint32_t len = e->len;
		struct rte_mbuf *m = q->sw[id], *fresh;
		uint64_t iova;

		/* frames the device took but a wire would not carry */
		if (len <= VNET_HDR_LEN || len - VNET_HDR_LEN > VNET_MAX_FRAME) {
			q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
			goto repost;
		}
		/* no replacement buffer: leave the frame in the ring for the
		 * next burst (the device drops at the wire once the ring is full) */
		fresh = iop_pci_rx_refill(q->mp, &q->cache, q->cnt, VNET_RX_HDR_OFF, &looked, &iova);
		if (!fresh)
			break;
		q->sw[id] = fresh;
		q->desc[id].addr = iova;
		m->data_off = RTE_PKTMBUF_HEADROOM;
		iop_pci_rx_deliver(m, (uint16_t)(len - VNET_HDR_LEN), q->port_id, q->cnt);
		pkts[got++] = m;
repost:
		q->last_used++;
		q->avail->ring[avail & q->mask] = id;
		avail++;
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_split_publish(q, avail);
	return got;
}

static void vnet_split_tx_reclaim(struct vnet_queue *q)
{
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);

	while (q->last_used != used) {
		uint16_t id = (uint16_t)(q->used->ring[q->last_used & q->mask].id & q->mask);
		uint16_t slot = (uint16_t)(id / q->head_stride);

		q->last_used++;
		rte_pktmbuf_free(q->sw[slot]);
		q->sw[slot] = NULL;
		q->free[q->nfree++] = slot;
	}
}

uint16_t vnet_split_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;
	struct vring_desc *txd = q->txd;
	uint16_t avail = q->avail_idx, i;
	unsigned int looked = 0;

	vnet_split_tx_reclaim(q);
	iop_iova_cache_sync(&q->cache);
	for (i = 0; i < n && q->nfree; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vring_desc *d;
		uint16_t slot;
		uint64_t iova;

		iova = iop_pci_tx_iova(&q->cache, q->cnt, m, VNET_MAX_FRAME, &looked);
		if (iova == IOP_IOVA_POISON)
			continue;
		slot = q->free[--q->nfree];
		d = &txd[2 * slot + 1];
		d->addr = iova;
		d->len = m->data_len;
		d->flags = 0;
		q->sw[slot] = m;
		q->avail->ring[avail & q->mask] = (uint16_t)(slot * q->head_stride);
		avail++;
		iop_pci_count_packet(q->cnt, m->pkt_len);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_split_publish(q, avail);
	return i;
}
