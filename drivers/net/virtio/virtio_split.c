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

	/* slot s's table starts at txd[s * tx_table_len]: its header, then
	 * the frame's segments (the ring itself without indirect tables) */
	for (uint16_t s = 0; s < q->slots; s++) {
		uint16_t base = (uint16_t)(s * q->tx_table_len);
		struct vring_desc *h = &txd[base];

		if (indirect) {
			q->desc[s].addr = q->txd_iova + (uint64_t)base * sizeof(*h);
			q->desc[s].flags = VRING_DESC_F_INDIRECT;
		}
		h->addr = vnet_tx_hdr_iova(q, s);
		h->len = VNET_HDR_LEN;
		h->flags = VRING_DESC_F_NEXT;
		h->next = (uint16_t)(indirect ? 1 : base + 1);
		if (indirect)
			for (uint16_t i = 1; i < q->tx_table_len; i++)
				txd[base + i].next = (uint16_t)(i + 1);
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
	struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);

	for (uint16_t i = 0; i < q->size; i++) {
		struct rte_mbuf *m;
		uint64_t iova;
		int rc = iop_pci_rx_buf_alloc(&q->refill, &b, "virtio", q->size, &looked, &m,
					      &iova);

		if (rc < 0)
			return rc;
		q->sw[i] = m;
		q->desc[i].addr = iova;
		q->desc[i].len = q->rx.buf_len;
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

uint16_t vnet_split_rx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t ready = (uint16_t)(used - q->last_used);
	uint16_t avail = q->avail_idx, got = 0;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	if (ready == 0)
		return iop_pci_rx_none(&q->cache);
	if (ready > n)
		ready = n;
	b = iop_iova_cache_burst(&q->cache);
	while (ready) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = RTE_MIN(ready, (uint16_t)IOP_PCI_RX_CHUNK);
		/* frames with no replacement buffer stay in the ring for the
		 * next burst (the device drops at the wire once it is full) */
		unsigned int k = iop_pci_rx_alloc(&q->refill, &b, q->cnt, want, &looked, fresh,
						  iova);

		for (unsigned int i = 0; i < k; i++) {
			const struct vring_used_elem *e = &q->used->ring[q->last_used & q->mask];
			uint16_t id = (uint16_t)(e->id & q->mask);
			uint32_t len = e->len;
			struct rte_mbuf *m = q->sw[id];

			q->sw[id] = fresh[i];
			q->desc[id].addr = iova[i];
			vnet_rx_take(q, m, len, pkts, &got);
			q->last_used++;
			q->avail->ring[avail & q->mask] = id;
			avail++;
		}
		if (k < want)
			break;
		ready = (uint16_t)(ready - want);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_split_publish(q, avail);
	return got;
}

static void vnet_split_tx_reclaim(struct vnet_queue *q)
{
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	struct rte_mbuf *done[IOP_PCI_RX_CHUNK];
	unsigned int k = 0;

	while (q->last_used != used) {
		uint16_t id = (uint16_t)(q->used->ring[q->last_used & q->mask].id & q->mask);

		q->last_used++;
		vnet_tx_slot_done(q, (uint16_t)(id / q->head_stride), done, &k);
	}
	if (k)
		iop_pci_tx_free(done, k);
}

/* tx: a chain's segments in a slot's indirect table from d on, linked
 * by the next indexes set at init. */
static void vnet_split_tx_chain(struct vring_desc *d, const struct rte_mbuf *m,
				const uint64_t *iova)
{
	uint16_t k = 0;

	for (const struct rte_mbuf *s = m; s; s = s->next, k++) {
		d[k].addr = iova[k];
		d[k].len = s->data_len;
		d[k].flags = s->next ? VRING_DESC_F_NEXT : 0;
	}
}

uint16_t vnet_split_tx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct vring_desc *txd = q->txd;
	uint16_t avail = q->avail_idx, i;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	vnet_split_tx_reclaim(q);
	b = vnet_tx_burst_begin(q, pkts, n);
	for (i = 0; i < n && q->nfree; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vring_desc *d;
		uint64_t iova[VNET_TX_MAX_SEGS];
		uint16_t slot;
		enum vnet_tx_took took = vnet_tx_take(q, &b, m, &looked, &slot, iova);

		if (took == VNET_TX_DROPPED)
			continue;
		if (took == VNET_TX_PUSHED) {
			q->desc[slot] = (struct vring_desc){ .addr = iova[0],
							     .len = m->data_len + VNET_HDR_LEN };
		} else {
			d = &txd[slot * q->tx_table_len + 1];
			if (likely(m->nb_segs == 1)) {
				d->addr = iova[0];
				d->len = m->data_len;
				d->flags = 0;
			} else {
				vnet_split_tx_chain(d, m, iova);
			}
			/* with indirect tables: the slot's table (a pushed
			 * frame may have had the slot's descriptor), its
			 * header and segments */
			if (q->head_stride == 1)
				q->desc[slot] = (struct vring_desc){
					.addr = q->txd_iova +
						(uint64_t)slot * q->tx_table_len * sizeof(*d),
					.len = (uint32_t)(m->nb_segs + 1) * sizeof(*d),
					.flags = VRING_DESC_F_INDIRECT };
		}
		q->avail->ring[avail & q->mask] = (uint16_t)(slot * q->head_stride);
		avail++;
		iop_pci_count_packet(q->cnt, m->pkt_len);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_split_publish(q, avail);
	return i;
}

void vnet_split_ctrl_post(struct vnet_queue *q, uint64_t cmd, uint32_t len, uint64_t ack)
{
	q->desc[0] = (struct vring_desc){ .addr = cmd, .len = len, .flags = VRING_DESC_F_NEXT,
					  .next = 1 };
	q->desc[1] = (struct vring_desc){ .addr = ack, .len = 1, .flags = VRING_DESC_F_WRITE };
	q->avail->ring[q->avail_idx & q->mask] = 0;
	vnet_split_publish(q, (uint16_t)(q->avail_idx + 1));
}

bool vnet_split_ctrl_done(struct vnet_queue *q)
{
	if (__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) == q->last_used)
		return false;
	q->last_used++;
	return true;
}
