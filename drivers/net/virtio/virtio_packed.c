/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net bursts on packed rings (VIRTIO_F_RING_PACKED, virtio 1.2 2.8):
 * one ring both sides write. The driver makes descriptors available in
 * ring order and the device writes used descriptors back over them, in the
 * order it completes buffers, each naming its buffer id. Who owns a
 * descriptor is in its AVAIL/USED flag bits, read against a wrap counter
 * per side that flips at every lap of the ring (2.8.1).
 */
#include <string.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_log.h"
#include "pci_pmd_ring.h"
#include "vnet.h"

/* 2.8 "Placing Available Buffers Into The Descriptor Ring": the flags go
 * last, after a barrier, and hand the descriptor over. */
static inline void vnet_packed_make_avail(struct vring_packed_desc *d, uint16_t flags,
					  uint8_t wrap)
{
	__atomic_store_n(&d->flags, (uint16_t)(flags | vring_packed_avail_flags(wrap)),
			 __ATOMIC_RELEASE);
}

static inline bool vnet_packed_used(struct vnet_queue *q)
{
	return vring_packed_is_used(__atomic_load_n(&q->pdesc[q->last_used].flags,
						    __ATOMIC_ACQUIRE),
				    q->used_wrap);
}

/* 2.8 "Sending Available Buffer Notifications": the flags must be visible
 * before the device area is read. */
static inline void vnet_packed_kick(struct vnet_queue *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->device_event->flags, __ATOMIC_RELAXED) !=
	    VRING_PACKED_EVENT_DISABLE)
		iop_mmio_write16(q->notify, 0, q->qidx);
}

void vnet_packed_tx_init(struct vnet_queue *q, bool indirect)
{
	struct vring_packed_desc *txd = q->txd;

	/* the per-slot tables: the slot's header, then the frame (2.8.7:
	 * only WRITE counts there, and neither is device-writable) */
	if (indirect)
		for (uint16_t s = 0; s < q->slots; s++)
			txd[s * q->tx_table_len] = (struct vring_packed_desc){
				.addr = vnet_tx_hdr_iova(q, s), .len = VNET_HDR_LEN };
}

void vnet_packed_reset(struct vnet_queue *q)
{
	/* 2.8.13: the descriptor ring starts zeroed, neither available nor
	 * used at wrap counter 1 */
	memset(q->pdesc, 0, sizeof(*q->pdesc) * q->size);
	q->last_used = q->avail_idx = 0;
	q->used_wrap = q->avail_wrap = 1;
	/* we poll: no used buffer notifications */
	q->driver_event->off_wrap = 0;
	q->driver_event->flags = VRING_PACKED_EVENT_DISABLE;
	memset(q->device_event, 0, sizeof(*q->device_event));
}

int vnet_packed_rx_fill(struct vnet_queue *q)
{
	unsigned int looked = 0;
	struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);

	for (uint16_t i = 0; i < q->size; i++) {
		struct vring_packed_desc *d = &q->pdesc[q->avail_idx];
		struct rte_mbuf *m;
		uint64_t iova;
		int rc = iop_pci_rx_buf_alloc(&q->refill, &b, "virtio", q->size, &looked, &m,
					      &iova);

		if (rc < 0)
			return rc;
		q->sw[i] = m;
		d->addr = iova;
		d->len = q->rx.buf_len;
		d->id = i;
		vnet_packed_make_avail(d, VRING_DESC_F_WRITE, q->avail_wrap);
		vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
	}
	iop_iova_cache_count(&q->cache, looked);
	return 0;
}

/* How many descriptors from the next one to poll the device has used, up
 * to max; their contents may be read after this (acquire). */
static inline unsigned int vnet_packed_ready(const struct vnet_queue *q, unsigned int max)
{
	uint16_t pos = q->last_used;
	uint8_t wrap = q->used_wrap;
	unsigned int k = 0;

	while (k < max && vring_packed_is_used(__atomic_load_n(&q->pdesc[pos].flags,
							       __ATOMIC_ACQUIRE), wrap)) {
		k++;
		vnet_packed_advance(&pos, &wrap, 1, q->size);
	}
	return k;
}

/*
 * Every rx buffer is one descriptor, so the ring stays full: each used
 * descriptor read frees the position a fresh buffer then takes. The used
 * buffer id names the mbuf (the device may complete out of order).
 */
uint16_t vnet_packed_rx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t got = 0, left = n, posted = 0;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	if (!vnet_packed_used(q))
		return iop_pci_rx_none(&q->cache);
	b = iop_iova_cache_burst(&q->cache);
	while (left) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = vnet_packed_ready(q, RTE_MIN(left, (uint16_t)IOP_PCI_RX_CHUNK));
		/* frames with no replacement buffer stay in the ring for the
		 * next burst (the device drops at the wire once it is full) */
		unsigned int k = want ? iop_pci_rx_alloc(&q->refill, &b, q->cnt, want,
							 &looked, fresh, iova) : 0;

		for (unsigned int i = 0; i < k; i++) {
			const struct vring_packed_desc *u = &q->pdesc[q->last_used];
			uint16_t id = (uint16_t)(u->id & q->mask);
			uint32_t len = u->len;
			struct rte_mbuf *m = q->sw[id];
			struct vring_packed_desc *d;

			q->sw[id] = fresh[i];
			vnet_rx_take(q, m, len, pkts, &got);
			vnet_packed_advance(&q->last_used, &q->used_wrap, 1, q->size);
			d = &q->pdesc[q->avail_idx];
			d->addr = iova[i];
			d->len = q->rx.buf_len;
			d->id = id;
			vnet_packed_make_avail(d, VRING_DESC_F_WRITE, q->avail_wrap);
			vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
		}
		posted = (uint16_t)(posted + k);
		if (k == 0 || k < want)
			break;
		left = (uint16_t)(left - want);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (posted)
		vnet_packed_kick(q);
	return got;
}

/* A used descriptor stands for its whole chain (2.8.6): skip head_stride. */
static void vnet_packed_tx_reclaim(struct vnet_queue *q)
{
	struct rte_mbuf *done[IOP_PCI_RX_CHUNK];
	unsigned int k = 0;

	while (vnet_packed_used(q)) {
		uint16_t slot = (uint16_t)(q->pdesc[q->last_used].id & q->mask);

		vnet_packed_advance(&q->last_used, &q->used_wrap, q->head_stride, q->size);
		vnet_tx_slot_done(q, slot, done, &k);
	}
	if (k)
		iop_pci_tx_free(done, k);
}

/*
 * A frame is its header and its bytes: one ring entry when the header fits
 * in its headroom (vnet_tx_push_ok); else the slot's header and the frame, with
 * indirect descriptors one ring entry pointing to the slot's table, without
 * them a chain of two ring entries whose first is made available last
 * (2.8.6). The buffer id is the slot, in every descriptor of the chain.
 */
uint16_t vnet_packed_tx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct vring_packed_desc *txd = q->txd;
	uint16_t i, posted = 0;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	vnet_packed_tx_reclaim(q);
	b = vnet_tx_burst_begin(q, pkts, n);
	for (i = 0; i < n && q->nfree; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vring_packed_desc *head = &q->pdesc[q->avail_idx];
		uint8_t head_wrap = q->avail_wrap;
		uint64_t iova[VNET_TX_MAX_SEGS];
		uint16_t slot;
		enum vnet_tx_took took = vnet_tx_take(q, &b, m, &looked, &slot, iova);

		if (took == VNET_TX_DROPPED)
			continue;
		if (took == VNET_TX_PUSHED) {
			head->id = slot;
			head->addr = iova[0];
			head->len = m->data_len + VNET_HDR_LEN;
			vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
			vnet_packed_make_avail(head, 0, head_wrap);
			posted++;
			iop_pci_count_packet(q->cnt, m->pkt_len);
			continue;
		}
		head->id = slot;
		if (q->head_stride == 1) {
			uint32_t base = (uint32_t)slot * q->tx_table_len;
			uint16_t k = 0;

			/* 2.8.7: a table's entries follow each other, no NEXT */
			for (const struct rte_mbuf *s = m; s; s = s->next, k++) {
				txd[base + 1 + k].addr = iova[k];
				txd[base + 1 + k].len = s->data_len;
			}
			head->addr = q->txd_iova + base * sizeof(*txd);
			head->len = (uint32_t)(k + 1) * sizeof(*txd);
			vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
			vnet_packed_make_avail(head, VRING_DESC_F_INDIRECT, head_wrap);
		} else {
			struct vring_packed_desc *frame;

			vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
			frame = &q->pdesc[q->avail_idx];
			frame->addr = iova[0];
			frame->len = m->data_len;
			frame->id = slot;
			frame->flags = vring_packed_avail_flags(q->avail_wrap);
			vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
			head->addr = vnet_tx_hdr_iova(q, slot);
			head->len = VNET_HDR_LEN;
			vnet_packed_make_avail(head, VRING_DESC_F_NEXT, head_wrap);
		}
		posted++;
		iop_pci_count_packet(q->cnt, m->pkt_len);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (posted)
		vnet_packed_kick(q);
	return i;
}

void vnet_packed_ctrl_post(struct vnet_queue *q, uint64_t cmd, uint32_t len, uint64_t ack)
{
	struct vring_packed_desc *head = &q->pdesc[q->avail_idx], *tail;
	uint8_t head_wrap = q->avail_wrap;

	vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
	tail = &q->pdesc[q->avail_idx];
	*tail = (struct vring_packed_desc){ .addr = ack, .len = 1, .id = 0,
		.flags = (uint16_t)(VRING_DESC_F_WRITE | vring_packed_avail_flags(q->avail_wrap)) };
	vnet_packed_advance(&q->avail_idx, &q->avail_wrap, 1, q->size);
	head->addr = cmd;
	head->len = len;
	head->id = 0;
	vnet_packed_make_avail(head, VRING_DESC_F_NEXT, head_wrap);
	vnet_packed_kick(q);
}

bool vnet_packed_ctrl_done(struct vnet_queue *q)
{
	if (!vnet_packed_used(q))
		return false;
	vnet_packed_advance(&q->last_used, &q->used_wrap, 2, q->size);
	return true;
}
