/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim PMD's bursts: rx harvests the descriptors the device filled and
 * refills them, tx posts frames and reclaims the sent ones; both run the
 * device model (sim_dev.c) inside the burst. Everything they call per
 * frame is in this file, so the compiler inlines it. A queue held by a
 * move goes to sim_pause.c instead.
 */
#include <rte_mbuf.h>

#include "iop_iova_cache.h"
#include "sim_port.h"
#include "sim_ring.h"
#include "sim_wire.h"

#define SIM_REARM_BATCH 32
#define SIM_TX_MAX_SEGS 64

/* --- IOVAs ---------------------------------------------------------------- */

/* The IOVA of the frame's data (tx). */
static inline uint64_t data_iova(const struct iop_iova_burst *b, enum sim_iova_mode mode,
				 const struct rte_mbuf *m)
{
	if (mode == SIM_IOVA_MBUF)
		return m->buf_iova + m->data_off;
	return iop_iova_burst_lookup(b, rte_pktmbuf_mtod(m, const void *));
}

/* The IOVA of a fresh rx buffer's first byte, at the headroom's end. With
 * the cache, from the mbuf's own address through the run, nothing loaded
 * from the mbuf (a pool's mbuf is direct, its buffer at a fixed offset). */
static inline uint64_t rx_buf_iova(const struct iop_iova_burst *b, const struct sim_rxq *q,
				   const struct rte_mbuf *m)
{
	if (q->iova_mode == SIM_IOVA_MBUF)
		return m->buf_iova + RTE_PKTMBUF_HEADROOM;
	return iop_iova_burst_lookup(b, (const uint8_t *)m + q->refill.buf_off);
}

/* The burst's translation state: the cache synced, its run in registers. */
static inline struct iop_iova_burst burst_begin(struct iop_iova_cache *c, enum sim_iova_mode mode)
{
	if (mode == SIM_IOVA_MBUF)
		return (struct iop_iova_burst){ .cache = c };
	return iop_iova_cache_burst(c);
}

/* Adds a batch's lookups to the cache's counters (its hits are derived). */
static inline void looked(struct iop_iova_cache *c, enum sim_iova_mode mode, unsigned int n)
{
	if (mode == SIM_IOVA_CACHE)
		iop_iova_cache_count(c, n);
}

/* --- rx ------------------------------------------------------------------- */

/* Posts fresh buffers on empty descriptors, a batch at a time: one pool
 * get, and each mbuf rearmed by the template's stores rather than reset
 * field by field. Returns false when the pool is empty or a buffer has no
 * IOVA (counted). */
static bool rx_rearm(struct sim_rxq *q, const struct iop_iova_burst *b, uint16_t empty)
{
	struct rte_mbuf *m[SIM_REARM_BATCH];

	while (empty) {
		uint16_t k = RTE_MIN(empty, SIM_REARM_BATCH);

		if (rte_mempool_get_bulk(q->refill.mp, (void **)m, k) != 0) {
			q->cnt->rx_nombuf++;
			return false;
		}
		for (uint16_t i = 0; i < k; i++) {
			struct sim_desc *d = &q->ring[q->rearm];
			uint64_t iova = rx_buf_iova(b, q, m[i]);

			if (iova == IOP_IOVA_POISON) {
				q->cnt->rx_unmapped++;
				rte_mempool_put_bulk(q->refill.mp, (void **)&m[i], k - i);
				looked(&q->cache, q->iova_mode, i + 1);
				return false;
			}
			iop_pci_rx_rearm(m[i], q->refill.rearm);
			q->sw[q->rearm] = m[i];
			d->iova = iova;
			d->buf_len = q->buf_len;
			d->len = 0;
			sim_desc_set_flags(d, SIM_DESC_AVAIL);
			q->rearm = (uint16_t)((q->rearm + 1) & q->mask);
		}
		looked(&q->cache, q->iova_mode, k);
		empty = (uint16_t)(empty - k);
	}
	return true;
}

/* Descriptors the driver harvested and has not refilled. */
static inline uint16_t rx_empty(const struct sim_rxq *q)
{
	if (q->sw[q->rearm] == NULL)
		return (uint16_t)(((q->next - q->rearm - 1) & q->mask) + 1);
	return 0;
}

#define SIM_DESC_RX_VERDICTS \
	(SIM_DESC_RX_RSS | SIM_DESC_RX_VLAN | SIM_DESC_RX_IP_CK | SIM_DESC_RX_L4_CK)

/* The device's verdicts of a frame's first descriptor, as DPDK's mbuf
 * flags. */
static inline void rx_offload_flags(struct rte_mbuf *m, const struct sim_desc *d, uint16_t fl)
{
	uint64_t ol = 0;

	if (fl & SIM_DESC_RX_RSS) {
		ol |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = d->wb.rss_hash;
	}
	if (fl & SIM_DESC_RX_VLAN) {
		ol |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = d->wb.vlan_tci;
	}
	if (fl & SIM_DESC_RX_IP_CK)
		ol |= fl & SIM_DESC_RX_IP_BAD ? RTE_MBUF_F_RX_IP_CKSUM_BAD : RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	if (fl & SIM_DESC_RX_L4_CK)
		ol |= fl & SIM_DESC_RX_L4_BAD ? RTE_MBUF_F_RX_L4_CKSUM_BAD : RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	m->ol_flags = ol;
}

/* Takes the frame whose first descriptor (flags fl) is at q->next: one
 * mbuf, or a chain over the descriptors the device marked MORE (scatter);
 * NULL for a frame the device dropped (it counted it). The device hands
 * back a frame's later descriptors before its first. */
static inline struct rte_mbuf *rx_harvest(struct sim_rxq *q, uint16_t fl)
{
	const struct sim_desc *first = &q->ring[q->next];
	struct rte_mbuf *head = NULL, *last = NULL;
	bool error = fl & SIM_DESC_ERROR;
	uint16_t dfl = fl;

	/* ol_flags is 0 from the rearm: one test when the device set none */
	if (unlikely(fl & SIM_DESC_RX_VERDICTS))
		rx_offload_flags(q->sw[q->next], first, fl);
	for (;;) {
		struct sim_desc *d = &q->ring[q->next];
		struct rte_mbuf *m = q->sw[q->next];

		q->sw[q->next] = NULL;
		if (error) {
			rte_pktmbuf_free(m);
		} else if (!head) {
			m->data_len = d->len;
			m->pkt_len = d->len;
			head = last = m;
		} else {
			m->data_len = d->len;
			head->pkt_len += d->len;
			head->nb_segs++;
			last->next = m;
			last = m;
		}
		d->flags = 0;
		q->next = (uint16_t)((q->next + 1) & q->mask);
		if (!(dfl & SIM_DESC_MORE))
			break;
		dfl = sim_desc_flags(&q->ring[q->next]);
	}
	return head;
}

uint16_t sim_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct sim_rxq *q = rxq;
	struct iop_iova_burst b = burst_begin(&q->cache, q->iova_mode);
	bool held = __atomic_load_n(&q->hold, __ATOMIC_ACQUIRE);
	uint64_t bytes = 0;
	uint16_t nb = 0, empty;

	sim_dev_rx_poll(q, n);
	while (nb < n) {
		struct sim_desc *d = &q->ring[q->next];
		uint16_t fl = sim_desc_flags(d);
		struct rte_mbuf *m;

		if (!(fl & SIM_DESC_DONE))
			break;
		m = rx_harvest(q, fl);
		if (m) {
			pkts[nb++] = m;
			bytes += m->pkt_len;
		}
	}
	empty = rx_empty(q);
	if (unlikely(held))
		sim_rxq_reclaim(q);
	else if (empty >= SIM_REARM_BATCH || empty == q->nb_desc)
		rx_rearm(q, &b, empty);
	q->cnt->packets += nb;
	q->cnt->bytes += bytes;
	return nb;
}

bool sim_rxq_fill(struct sim_rxq *q)
{
	struct iop_iova_burst b = burst_begin(&q->cache, q->iova_mode);

	return rx_rearm(q, &b, q->nb_desc);
}

/* --- tx ------------------------------------------------------------------- */

/* The offloads m asks for that the configuration enabled, as the first
 * descriptor's flags (and its tag and header lengths). */
static inline uint16_t tx_offload_request(const struct sim_txq *q, const struct rte_mbuf *m,
					  struct sim_desc *d)
{
	uint64_t on = q->model->tx_offloads, ol = m->ol_flags, l4 = ol & RTE_MBUF_F_TX_L4_MASK;
	uint16_t fl = 0;

	if (likely(!(ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_VLAN))))
		return 0;
	if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && (on & IOP_PORT_TX_OFFLOAD_IPV4_CKSUM))
		fl |= SIM_DESC_TX_IP_CK;
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM && (on & IOP_PORT_TX_OFFLOAD_TCP_CKSUM))
		fl |= SIM_DESC_TX_TCP_CK;
	if (l4 == RTE_MBUF_F_TX_UDP_CKSUM && (on & IOP_PORT_TX_OFFLOAD_UDP_CKSUM))
		fl |= SIM_DESC_TX_UDP_CK;
	if (ol & RTE_MBUF_F_TX_IPV6)
		fl |= SIM_DESC_TX_IPV6;
	if ((ol & RTE_MBUF_F_TX_VLAN) && (on & IOP_PORT_TX_OFFLOAD_VLAN_INSERT)) {
		fl |= SIM_DESC_TX_VLAN;
		d->tx_vlan_tci = m->vlan_tci;
	}
	d->tx_hdr_lens = (uint16_t)((m->l2_len & 0x7fu) << 9 | (m->l3_len & 0x1ffu));
	return fl;
}

/* Posts a one-segment frame on the next descriptor. false: it has no
 * IOVA in the port's IOAS; nothing was posted. */
static inline bool tx_post_one(struct sim_txq *q, const struct iop_iova_burst *b,
			       struct rte_mbuf *m)
{
	struct sim_desc *d = &q->ring[q->next];
	uint64_t iova = data_iova(b, q->iova_mode, m);

	if (unlikely(iova == IOP_IOVA_POISON))
		return false;
	q->sw[q->next] = m;
	d->iova = iova;
	d->buf_len = m->data_len;
	d->flags = (uint16_t)(SIM_DESC_AVAIL | tx_offload_request(q, m, d));
	q->next = (uint16_t)((q->next + 1) & q->mask);
	return true;
}

/* Posts a chain (one descriptor per segment). false: some segment has
 * no IOVA in the port's IOAS; nothing was posted. */
static bool tx_post_chain(struct sim_txq *q, const struct iop_iova_burst *b, struct rte_mbuf *m,
			  unsigned int *lookups)
{
	uint64_t iova[SIM_TX_MAX_SEGS];
	uint16_t s = 0, idx = q->next;

	for (struct rte_mbuf *seg = m; seg; seg = seg->next, s++) {
		iova[s] = data_iova(b, q->iova_mode, seg);
		if (iova[s] == IOP_IOVA_POISON) {
			*lookups += s + 1u;
			return false;
		}
	}
	*lookups += s;
	s = 0;
	for (struct rte_mbuf *seg = m; seg; seg = seg->next, s++) {
		struct sim_desc *d = &q->ring[idx];

		q->sw[idx] = seg == m ? m : NULL;
		d->iova = iova[s];
		d->buf_len = seg->data_len;
		d->flags = (uint16_t)(SIM_DESC_AVAIL | (seg->next ? SIM_DESC_MORE : 0) |
				      (seg == m ? tx_offload_request(q, m, d) : 0));
		idx = (uint16_t)((idx + 1) & q->mask);
	}
	q->next = idx;
	return true;
}

uint16_t sim_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct sim_txq *q = txq;
	struct iop_iova_burst b;
	uint16_t room, free_desc, i, sent = 0;
	unsigned int lookups = 0;

	if (q->iova_mode == SIM_IOVA_CACHE && n)
		iop_pci_tx_run_follow(&q->cache, &q->run_pool, pkts[0]);
	b = burst_begin(&q->cache, q->iova_mode);
	if (unlikely(__atomic_load_n(&q->hold, __ATOMIC_ACQUIRE))) {
		sim_txq_finish(q);
		return 0;
	}
	if (q->wire_lock)
		rte_spinlock_lock(q->wire_lock);
	/* take only what the wire can carry now: a frame the port accepts
	 * is on the wire (or a counted drop) when the burst returns */
	room = q->wire->ops->tx_room(q->wire, q->wq, n);
	/* the device runs after the loop: nothing is freed during it */
	free_desc = (uint16_t)(q->nb_desc - 1 - ((q->next - q->clean) & q->mask));
	for (i = 0; i < n && sent < room; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t segs = m->nb_segs;
		bool posted;

		if (likely(segs == 1)) {
			if (unlikely(free_desc == 0))
				break;
			lookups++;
			posted = tx_post_one(q, &b, m);
		} else {
			if (segs > SIM_TX_MAX_SEGS || segs >= q->nb_desc) {
				/* could never be posted: longer than any frame we send */
				q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
				rte_pktmbuf_free(m);
				continue;
			}
			if (segs > free_desc)
				break;
			posted = tx_post_chain(q, &b, m, &lookups);
		}
		if (unlikely(!posted)) {
			q->cnt->drops[IOP_DROP_TX_UNMAPPED]++;
			rte_pktmbuf_free(m);
			continue;
		}
		free_desc = (uint16_t)(free_desc - segs);
		sent++;
	}
	looked(&q->cache, q->iova_mode, lookups);
	sim_dev_tx_poll(q);
	if (q->wire_lock)
		rte_spinlock_unlock(q->wire_lock);
	sim_txq_clean(q);
	return i;
}
