/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim NIC's device model: what the hardware would do with the rings.
 * It reads descriptors from the ring (shared hugepage memory) and moves
 * frame bytes only with iop_sim_dma_read/write on the IOVA the driver
 * posted, so the sim IOMMU translates every byte through the IOAS of the
 * device's group. A bad IOVA is a fault the IOMMU records and the device
 * counts as a dropped frame; no memory is touched.
 *
 * The model runs inside the PMD's bursts, on the polling thread (see
 * doc/ports.md, "Why the device model runs in the burst"): a thread of its
 * own would need a core of its own to keep up, and would make every
 * benchmark measure the scheduler.
 */
#include <errno.h>
#include <unistd.h>

#include <rte_ether.h>

#include "iop_port.h"
#include "iop_sim.h"
#include "sim_ring.h"
#include "sim_wire.h"

/* Writes the frame into the buffer at iova, putting back the VLAN tag the
 * kernel took out (af_packet) right after the two MAC addresses. */
static int dma_frame_in(struct iop_dev *dev, uint64_t iova, const struct sim_frame *f)
{
	const uint32_t macs = 2 * RTE_ETHER_ADDR_LEN;
	uint8_t tag[4];
	int rc;

	if (!f->has_vlan || f->len < macs)
		return iop_sim_dma_write(dev, iova, f->data, f->len);
	tag[0] = (uint8_t)(f->vlan_tpid >> 8);
	tag[1] = (uint8_t)f->vlan_tpid;
	tag[2] = (uint8_t)(f->vlan_tci >> 8);
	tag[3] = (uint8_t)f->vlan_tci;
	rc = iop_sim_dma_write(dev, iova, f->data, macs);
	if (rc == 0)
		rc = iop_sim_dma_write(dev, iova + macs, tag, sizeof(tag));
	if (rc == 0)
		rc = iop_sim_dma_write(dev, iova + macs + sizeof(tag), f->data + macs,
				       f->len - macs);
	return rc;
}

void sim_dev_rx_poll(struct sim_rxq *q, uint16_t budget)
{
	struct sim_wire *w = q->wire;
	uint64_t lost = w->ops->rx_dropped(w, q->q);

	if (lost)
		q->cnt->drops[IOP_DROP_RX_RING_FULL] += lost;
	for (uint16_t n = 0; n < budget; n++) {
		struct sim_desc *d = &q->ring[q->dev_next];
		struct sim_frame f;
		uint32_t len;

		if ((d->flags & (SIM_DESC_AVAIL | SIM_DESC_DONE)) != SIM_DESC_AVAIL)
			return; /* no buffer posted: the frame waits on the wire */
		if (!w->ops->rx_peek(w, q->q, &f))
			return;
		len = f.len + (f.has_vlan ? 4u : 0u);
		if (f.truncated || len > d->buf_len) {
			/* dropped before it took a descriptor, as a NIC would */
			q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
			w->ops->rx_consume(w, q->q);
			continue;
		}
		if (dma_frame_in(q->dev, d->iova, &f) != 0) {
			q->cnt->drops[IOP_DROP_RX_DMA_FAULT]++;
			q->cnt->dma_faults++;
			d->flags = SIM_DESC_DONE | SIM_DESC_ERROR;
		} else {
			d->len = (uint16_t)len;
			d->flags = SIM_DESC_DONE;
		}
		w->ops->rx_consume(w, q->q);
		q->dev_next = (uint16_t)((q->dev_next + 1) & q->mask);
	}
}

/* Sends the frame whose first descriptor is at *i (it may span several);
 * leaves *i after its last descriptor. */
static void tx_one(struct sim_txq *q, uint16_t *i)
{
	struct sim_wire *w = q->wire;
	uint16_t first = *i, idx = first;
	uint32_t len = 0;
	bool fault = false;
	uint8_t *slot;

	for (;;) {
		len += q->ring[idx].buf_len;
		if (!(q->ring[idx].flags & SIM_DESC_MORE))
			break;
		idx = (uint16_t)((idx + 1) & q->mask);
	}
	*i = (uint16_t)((idx + 1) & q->mask);

	if (len > w->max_frame_len) {
		q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
	} else {
		/* the slot stays the wire's next until a frame is committed */
		uint32_t off = 0;

		slot = w->ops->tx_slot(w, q->q);
		for (uint16_t j = first;; j = (uint16_t)((j + 1) & q->mask)) {
			struct sim_desc *d = &q->ring[j];

			if (!fault && iop_sim_dma_read(q->dev, d->iova, slot + off, d->buf_len) != 0)
				fault = true;
			off += d->buf_len;
			if (j == idx)
				break;
		}
		if (fault) {
			q->cnt->drops[IOP_DROP_TX_DMA_FAULT]++;
			q->cnt->dma_faults++;
		} else if (w->ops->tx_max_len && len > w->ops->tx_max_len(w, q->q, slot)) {
			q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		} else {
			w->ops->tx_commit(w, q->q, len);
			if (!w->ops->tx_reap) { /* the wire took it */
				q->cnt->packets++;
				q->cnt->bytes += len;
			}
		}
	}
	for (uint16_t j = first;; j = (uint16_t)((j + 1) & q->mask)) {
		q->ring[j].flags = SIM_DESC_DONE;
		if (j == idx)
			break;
	}
}

static void tx_count(struct sim_txq *q, const struct sim_tx_fate *f)
{
	q->cnt->packets += f->sent;
	q->cnt->bytes += f->sent_bytes;
	q->cnt->drops[IOP_DROP_TX_REFUSED] += f->refused;
	q->cnt->drops[IOP_DROP_TX_LINK_DROPPED] += f->link_dropped;
	q->cnt->drops[IOP_DROP_TX_UNSENT] += f->unsent;
}

/* Counts the frames whose fate the wire learned: a frame is sent when
 * the far side took it, not when the device handed it over. */
static void tx_reap(struct sim_txq *q)
{
	struct sim_wire *w = q->wire;
	struct sim_tx_fate f = {0};

	if (!w->ops->tx_reap)
		return;
	w->ops->tx_reap(w, q->q, &f);
	tx_count(q, &f);
}

void sim_dev_tx_poll(struct sim_txq *q)
{
	while ((q->ring[q->dev_next].flags & (SIM_DESC_AVAIL | SIM_DESC_DONE)) == SIM_DESC_AVAIL)
		tx_one(q, &q->dev_next);
	q->wire->ops->tx_flush(q->wire, q->q);
	tx_reap(q);
}

bool sim_dev_tx_drain(struct sim_txq *q, unsigned int timeout_ms)
{
	struct sim_wire *w = q->wire;

	for (unsigned int ms = 0; w->ops->tx_in_flight; ms++) {
		w->ops->tx_flush(w, q->q);
		tx_reap(q);
		if (w->ops->tx_in_flight(w, q->q) == 0)
			break;
		if (ms == timeout_ms) {
			struct sim_tx_fate f = {0};

			if (w->ops->tx_discard)
				w->ops->tx_discard(w, q->q, &f);
			tx_count(q, &f);
			return w->ops->tx_in_flight(w, q->q) == 0;
		}
		usleep(1000);
	}
	return true;
}
