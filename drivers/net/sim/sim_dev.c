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
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>

#include "iop_port.h"
#include "port_driver.h"
#include "iop_sim.h"
#include "sim_offload.h"
#include "sim_ring.h"
#include "sim_wire.h"

/* What the device writes for one frame, in up to three pieces: the frame
 * as the wire has it, with a VLAN tag put back where the kernel took it
 * out (af_packet) or taken out (VLAN strip). */
struct rx_pieces {
	const uint8_t *ptr[3];
	uint32_t len[3];
	unsigned int n;
	uint32_t total;
};

static void piece_add(struct rx_pieces *pc, const uint8_t *ptr, uint32_t len)
{
	if (len == 0)
		return;
	pc->ptr[pc->n] = ptr;
	pc->len[pc->n++] = len;
	pc->total += len;
}

/* Writes the pieces over the k descriptors from first, buf_len bytes a
 * descriptor; sets each descriptor's len. */
static int dma_pieces(struct sim_rxq *q, uint16_t first, uint16_t k, const struct rx_pieces *pc)
{
	unsigned int pi = 0;
	uint32_t poff = 0;

	for (uint16_t i = 0; i < k; i++) {
		struct sim_desc *d = &q->ring[(first + i) & q->mask];
		uint32_t room = d->buf_len, used = 0;

		while (used < room && pi < pc->n) {
			uint32_t c = RTE_MIN(room - used, pc->len[pi] - poff);
			int rc = iop_sim_dma_write(q->dev, d->iova + used, pc->ptr[pi] + poff, c);

			if (rc)
				return rc;
			used += c;
			poff += c;
			if (poff == pc->len[pi]) {
				pi++;
				poff = 0;
			}
		}
		d->len = (uint16_t)used;
	}
	return 0;
}

/* Hands k descriptors from first back to the driver, the first last, so
 * the driver sees a whole frame once it sees its first descriptor done. */
static void rx_done(struct sim_rxq *q, uint16_t first, uint16_t k, uint16_t first_flags,
		    uint16_t all_flags)
{
	for (uint16_t i = k; i-- > 0;) {
		uint16_t fl = (uint16_t)(SIM_DESC_DONE | all_flags | (i + 1u < k ? SIM_DESC_MORE : 0));

		sim_desc_set_flags(&q->ring[(first + i) & q->mask], i ? fl : (uint16_t)(fl | first_flags));
	}
	q->dev_next = (uint16_t)((first + k) & q->mask);
}

/* Posted descriptors free for the device from dev_next, up to want. */
static uint16_t rx_posted(const struct sim_rxq *q, uint16_t want)
{
	uint16_t k = 0;

	while (k < want && k < q->nb_desc &&
	       (sim_desc_flags(&q->ring[(q->dev_next + k) & q->mask]) &
		(SIM_DESC_AVAIL | SIM_DESC_DONE)) == SIM_DESC_AVAIL)
		k++;
	return k;
}

enum rx_result {
	RX_TAKEN,   /* written, or dropped and counted: consume it */
	RX_NO_ROOM, /* not enough buffers posted on the queue */
};

/* Takes one frame from the wire into queue q's ring, with the offloads of
 * the model; hash/hashed come from the caller when it spread the frame. */
static enum rx_result rx_frame(struct sim_rxq *q, const struct sim_frame *f,
			       const struct sim_parse *parsed, bool hashed, uint32_t hash)
{
	const struct sim_rx_model *m = q->model;
	const uint32_t macs = 2 * RTE_ETHER_ADDR_LEN;
	struct sim_parse local;
	const struct sim_parse *p = parsed;
	struct rx_pieces pc = {0};
	uint16_t first_flags = 0, vlan_tci = 0, k, first;
	bool tagged, strip;
	uint8_t tag[4];
	uint32_t len;

	if (!p && (m->hash_types || (m->rx_offloads & (IOP_PORT_RX_OFFLOAD_CHECKSUM |
							IOP_PORT_RX_OFFLOAD_VLAN_STRIP)))) {
		sim_parse(f->data, f->len, &local);
		p = &local;
	}
	tagged = f->has_vlan || (p ? p->has_vlan :
		 f->len >= RTE_ETHER_HDR_LEN &&
		 ((f->data[macs] << 8 | f->data[macs + 1]) == RTE_ETHER_TYPE_VLAN ||
		  (f->data[macs] << 8 | f->data[macs + 1]) == RTE_ETHER_TYPE_QINQ));
	len = f->len + (f->has_vlan ? RTE_VLAN_HLEN : 0u);
	if (f->truncated || len > m->max_len - (tagged ? 0u : RTE_VLAN_HLEN)) {
		/* over the MTU, dropped before it took a descriptor, as a NIC would */
		q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
		return RX_TAKEN;
	}
	strip = tagged && (m->rx_offloads & IOP_PORT_RX_OFFLOAD_VLAN_STRIP) && f->len >= macs;
	if (strip) {
		first_flags |= SIM_DESC_RX_VLAN;
		vlan_tci = f->has_vlan ? f->vlan_tci : p->vlan_tci;
		piece_add(&pc, f->data, macs);
		piece_add(&pc, f->data + macs + (f->has_vlan ? 0 : RTE_VLAN_HLEN),
			  f->len - macs - (f->has_vlan ? 0 : RTE_VLAN_HLEN));
	} else if (f->has_vlan && f->len >= macs) {
		tag[0] = (uint8_t)(f->vlan_tpid >> 8);
		tag[1] = (uint8_t)f->vlan_tpid;
		tag[2] = (uint8_t)(f->vlan_tci >> 8);
		tag[3] = (uint8_t)f->vlan_tci;
		piece_add(&pc, f->data, macs);
		piece_add(&pc, tag, sizeof(tag));
		piece_add(&pc, f->data + macs, f->len - macs);
	} else {
		piece_add(&pc, f->data, f->len);
	}
	k = (uint16_t)RTE_MAX(1u, (pc.total + q->buf_len - 1) / q->buf_len);
	if (k > 1 && !(m->rx_offloads & IOP_PORT_RX_OFFLOAD_SCATTER)) {
		q->cnt->drops[IOP_DROP_RX_OVERSIZE]++; /* longer than one buffer */
		return RX_TAKEN;
	}
	if (k > q->nb_desc - 1u) {
		q->cnt->drops[IOP_DROP_RX_OVERSIZE]++; /* longer than the whole ring */
		return RX_TAKEN;
	}
	if (rx_posted(q, k) < k)
		return RX_NO_ROOM;
	first = q->dev_next;
	if (dma_pieces(q, first, k, &pc) != 0) {
		q->cnt->drops[IOP_DROP_RX_DMA_FAULT]++;
		q->cnt->dma_faults++;
		rx_done(q, first, k, 0, SIM_DESC_ERROR);
		return RX_TAKEN;
	}
	if (p)
		first_flags |= sim_rx_cksum(f->data, f->len, p, m->rx_offloads);
	if (!parsed && m->hash_types && p)
		hashed = sim_rss_hash(f->data, p, m->hash_types, m->key, &hash);
	if (hashed && (m->rx_offloads & IOP_PORT_RX_OFFLOAD_RSS_HASH)) {
		first_flags |= SIM_DESC_RX_RSS;
		q->ring[first].wb.rss_hash = hash;
	}
	q->ring[first].wb.vlan_tci = vlan_tci;
	rx_done(q, first, k, first_flags, 0);
	return RX_TAKEN;
}

/* Without RSS over several queues: rx queue q takes what its wire queue
 * holds, and a frame waits on the wire while no buffer is posted. */
static void rx_poll_own(struct sim_rxq *q, uint16_t budget)
{
	struct sim_wire *w = q->wire;
	uint64_t lost;

	if (q->q >= q->model->wire_nb_rxq)
		return; /* the wire has fewer queues: nothing comes here */
	lost = w->ops->rx_dropped(w, q->q);
	if (lost)
		q->cnt->drops[IOP_DROP_RX_RING_FULL] += lost;
	for (uint16_t n = 0; n < budget; n++) {
		struct sim_frame f;

		if (!rx_posted(q, 1))
			return; /* no buffer posted: the frame waits on the wire */
		if (!w->ops->rx_peek(w, q->q, &f))
			return;
		if (rx_frame(q, &f, NULL, false, 0) == RX_NO_ROOM)
			return;
		w->ops->rx_consume(w, q->q);
	}
}

/* RSS over several queues: the device's one rx engine, run by whichever
 * polling thread gets the lock, hashes each frame of every wire queue and
 * writes it into the queue the redirection table names; a frame for a
 * queue with no buffer posted is dropped there (rx_ring_full), as a NIC
 * drops it, so one slow queue holds up no other. */
static void rx_poll_spread(struct sim_rx_model *m, struct sim_wire *w, uint16_t budget)
{
	if (!rte_spinlock_trylock(&m->lock))
		return; /* another queue's thread runs the engine now */
	for (uint16_t i = 0; i < m->wire_nb_rxq; i++) {
		uint16_t wq = (uint16_t)((m->next_wire_q + i) % m->wire_nb_rxq);
		uint64_t lost = w->ops->rx_dropped(w, wq);
		struct sim_frame f;

		if (lost)
			m->rxq[wq % m->nb_rxq]->cnt->drops[IOP_DROP_RX_RING_FULL] += lost;
		for (uint16_t n = 0; n < budget && w->ops->rx_peek(w, wq, &f); n++) {
			struct sim_parse p;
			uint32_t hash = 0;
			bool hashed;
			struct sim_rxq *tq;

			sim_parse(f.data, f.len, &p);
			hashed = sim_rss_hash(f.data, &p, m->hash_types, m->key, &hash);
			tq = m->rxq[hashed ? m->reta[hash % SIM_RETA_SIZE] : 0];
			if (rx_frame(tq, &f, &p, hashed, hash) == RX_NO_ROOM)
				tq->cnt->drops[IOP_DROP_RX_RING_FULL]++;
			w->ops->rx_consume(w, wq);
		}
	}
	m->next_wire_q = (uint16_t)((m->next_wire_q + 1) % m->wire_nb_rxq);
	rte_spinlock_unlock(&m->lock);
}

void sim_dev_rx_poll(struct sim_rxq *q, uint16_t budget)
{
	if (q->model->spread)
		rx_poll_spread(q->model, q->wire, budget);
	else
		rx_poll_own(q, budget);
}

/* The tx offloads the first descriptor asks for, on the frame in the
 * slot: checksums, then the VLAN tag (the checksums' offsets are those of
 * the frame as the driver gave it). Returns the frame's new length,
 * UINT32_MAX when the tag does not fit the slot. */
static uint32_t tx_offload(const struct sim_desc *d, uint8_t *slot, uint32_t len, uint32_t room)
{
	const uint32_t macs = 2 * RTE_ETHER_ADDR_LEN;

	if (d->flags & (SIM_DESC_TX_IP_CK | SIM_DESC_TX_TCP_CK | SIM_DESC_TX_UDP_CK))
		sim_tx_cksum(slot, len, d->flags, d->tx_hdr_lens >> 9, d->tx_hdr_lens & 0x1ffu);
	if ((d->flags & SIM_DESC_TX_VLAN) && len >= macs) {
		if (len + RTE_VLAN_HLEN > room)
			return UINT32_MAX; /* no room for the tag: oversize */
		memmove(slot + macs + RTE_VLAN_HLEN, slot + macs, len - macs);
		slot[macs] = (uint8_t)(RTE_ETHER_TYPE_VLAN >> 8);
		slot[macs + 1] = (uint8_t)RTE_ETHER_TYPE_VLAN;
		slot[macs + 2] = (uint8_t)(d->tx_vlan_tci >> 8);
		slot[macs + 3] = (uint8_t)d->tx_vlan_tci;
		len += RTE_VLAN_HLEN;
	}
	return len;
}

/* Whether the frame fits the MTU: 4 more bytes for an 802.1Q-tagged one. */
static bool tx_fits_mtu(const struct sim_txq *q, const uint8_t *frame, uint32_t len)
{
	const uint32_t macs = 2 * RTE_ETHER_ADDR_LEN;
	bool tagged = len >= RTE_ETHER_HDR_LEN &&
		      (frame[macs] << 8 | frame[macs + 1]) == RTE_ETHER_TYPE_VLAN;

	return len <= q->model->max_len - (tagged ? 0u : RTE_VLAN_HLEN);
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

		slot = w->ops->tx_slot(w, q->wq);
		for (uint16_t j = first;; j = (uint16_t)((j + 1) & q->mask)) {
			struct sim_desc *d = &q->ring[j];

			if (!fault && iop_sim_dma_read(q->dev, d->iova, slot + off, d->buf_len) != 0)
				fault = true;
			off += d->buf_len;
			if (j == idx)
				break;
		}
		if (!fault)
			len = tx_offload(&q->ring[first], slot, len, w->max_frame_len);
		if (fault) {
			q->cnt->drops[IOP_DROP_TX_DMA_FAULT]++;
			q->cnt->dma_faults++;
		} else if (!tx_fits_mtu(q, slot, len) ||
			   (w->ops->tx_max_len && len > w->ops->tx_max_len(w, q->wq, slot))) {
			q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		} else {
			w->ops->tx_commit(w, q->wq, len);
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
	w->ops->tx_reap(w, q->wq, &f);
	tx_count(q, &f);
}

void sim_dev_tx_poll(struct sim_txq *q)
{
	while ((q->ring[q->dev_next].flags & (SIM_DESC_AVAIL | SIM_DESC_DONE)) == SIM_DESC_AVAIL)
		tx_one(q, &q->dev_next);
	q->wire->ops->tx_flush(q->wire, q->wq);
	tx_reap(q);
}

bool sim_dev_tx_drain(struct sim_txq *q, unsigned int timeout_ms)
{
	struct sim_wire *w = q->wire;

	for (unsigned int ms = 0; w->ops->tx_in_flight; ms++) {
		w->ops->tx_flush(w, q->wq);
		tx_reap(q);
		if (w->ops->tx_in_flight(w, q->wq) == 0)
			break;
		if (ms == timeout_ms) {
			struct sim_tx_fate f = {0};

			if (w->ops->tx_discard)
				w->ops->tx_discard(w, q->wq, &f);
			tx_count(q, &f);
			return w->ops->tx_in_flight(w, q->wq) == 0;
		}
		usleep(1000);
	}
	return true;
}
