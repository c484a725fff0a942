/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_PMD_RING_H
#define IOP_PCI_PMD_RING_H

/*
 * The descriptor-ring bookkeeping every PCI PMD repeats around its own
 * descriptor format: ring memory that the device reaches by one IOVA,
 * buffers taken and freed in bulk and posted by the IOVA of the queue's
 * cache (through its run), and the queue counters.
 * The burst helpers are static inline so that the PMD's hot loop stays one
 * function; each takes the PMD's `looked` counter, which it adds to the
 * cache once per burst with iop_iova_cache_count().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "iop_iova_cache.h"
#include "iop_pci.h"
#include "iop_port.h"
#include "port_driver.h"

struct iop_ioas;

/* The IOVA of a ring of `bytes` at va, which one translation of the IOAS
 * must cover whole (the device walks it by address). -EFAULT (or the
 * lookup's error) with the message naming pmd when it does not. */
int iop_pci_ring_iova(struct iop_pci_dev *pdev, struct iop_ioas *ioas, const char *pmd,
		      const void *va, size_t bytes, uint64_t *iova);

/* A queue's descriptor ring and its mbuf slots (iop_pci_ring_alloc). */
struct iop_pci_ring_mem {
	void *ring;
	uint64_t iova;          /* of the ring, in the device's IOAS */
	struct rte_mbuf **sw;   /* one slot a descriptor */
	struct iop_ioas *ioas;  /* the device's, for the queue's cache */
};

/*
 * Queue set-up: a ring of size descriptors of desc_size bytes and its mbuf
 * slots, zeroed, in hugepage memory of the device's NUMA node, the ring 4
 * KiB aligned and reached by one IOVA of the device's IOAS. -ENODEV (the
 * device is in no IOAS), -ENOMEM, or iop_pci_ring_iova's error, with the
 * message naming pmd; nothing is kept then.
 */
int iop_pci_ring_alloc(struct iop_pci_dev *pdev, const char *pmd, uint16_t size,
		       size_t desc_size, struct iop_pci_ring_mem *mem);
/* Frees what iop_pci_ring_alloc gave (NULL: nothing). */
void iop_pci_ring_free(void *ring, struct rte_mbuf **sw);

/* Frees the mbufs a queue holds by descriptor (or slot) and clears them. */
void iop_pci_free_mbufs(struct rte_mbuf **sw, uint16_t n);

struct iop_pci_rx_refill;

/* For filling an rx ring at start: a fresh mbuf, rearmed as
 * iop_pci_rx_alloc() does, and the IOVA of its byte at buf_off. -ENOMEM
 * (pool empty) or -EFAULT (not mapped), with the message naming pmd and
 * the ring's size. */
int iop_pci_rx_buf_alloc(const struct iop_pci_rx_refill *r, const struct iop_iova_burst *b,
			 const char *pmd, uint16_t ring_size, unsigned int *looked,
			 struct rte_mbuf **m, uint64_t *iova);

/* A frame sent or received: the queue's packet and byte counters. */
static inline void iop_pci_count_packet(struct iop_port_qcounters *cnt, uint32_t len)
{
	cnt->packets++;
	cnt->bytes += len;
}

/* n frames of `bytes` in all: a burst's packet and byte counters, added
 * once (a store a frame costs the loop more than the sum in a register). */
static inline void iop_pci_count_packets(struct iop_port_qcounters *cnt, unsigned int n,
					 uint64_t bytes)
{
	cnt->packets += n;
	cnt->bytes += bytes;
}

/* Most buffers an rx burst takes from the pool in one get (its locals). */
#define IOP_PCI_RX_CHUNK 64

/*
 * What an rx queue needs to refill its ring, set up once per queue by
 * iop_pci_rx_refill_init():
 * - rearm: DPDK's "mbuf initializer", the 8 bytes of rearm_data (data_off,
 *   refcnt, nb_segs, port) of a fresh buffer of the port, written in one
 *   store instead of resetting the mbuf field by field;
 * - buf_off: where the byte the device writes first lies from the mbuf's
 *   own address. A buffer in the pool is direct, so its buf_addr is the
 *   mbuf's address plus the pool's fixed header (rte_mbuf_buf_addr()): the
 *   refill translates it without loading anything from the mbuf.
 */
struct iop_pci_rx_refill {
	struct rte_mempool *mp;
	uint64_t rearm;
	uint32_t buf_off;
};

/* rx queue set-up, for buffers of mp on port_id whose byte `off` from
 * buf_addr the device writes first. -EINVAL, with the message naming pmd,
 * for a pool of pinned external buffers (their buf_addr is elsewhere). */
int iop_pci_rx_refill_init(struct iop_pci_rx_refill *r, struct rte_mempool *mp,
			   uint16_t port_id, uint16_t off, const char *pmd);

/* Queue set-up: the pool's memory becomes the cache's run when the IOAS
 * maps it as one (else lookups go through the entries, as exactly). */
void iop_pci_cache_run_pool(struct iop_iova_cache *cache, struct rte_mempool *mp);

/* The slow side of iop_pci_rx_alloc: the pool has fewer than n. */
unsigned int iop_pci_rx_alloc_dry(struct rte_mempool *mp, struct rte_mbuf **m, unsigned int n);

/* Writes the rearm template into m, with no offload flags and no packet
 * type: stores only (rearm_data is a marker, hence the byte offset). */
static inline void iop_pci_rx_rearm(struct rte_mbuf *m, uint64_t rearm)
{
	memcpy((uint8_t *)m + offsetof(struct rte_mbuf, rearm_data), &rearm, sizeof(rearm));
	m->ol_flags = 0;
	m->packet_type = 0;
}

/*
 * rx: up to n (<= IOP_PCI_RX_CHUNK) buffers to replace received ones, from
 * one pool get, each rearmed, with iova[i] the IOVA of its byte at buf_off,
 * looked up through the burst's run. Returns how many (in m[0..]): when
 * the pool has fewer than n, what it has, and the rest count in
 * rx_nombuf; a buffer that is not mapped goes back to the pool and counts
 * in rx_unmapped. The PMD leaves the frames it has no buffer for in the
 * ring for the next burst.
 */
static __rte_always_inline unsigned int iop_pci_rx_alloc(const struct iop_pci_rx_refill *r,
					    const struct iop_iova_burst *b,
					    struct iop_port_qcounters *cnt, unsigned int n,
					    unsigned int *looked, struct rte_mbuf **m, uint64_t *iova)
{
	unsigned int got = n, k = 0;

	if (unlikely(rte_mempool_get_bulk(r->mp, (void **)m, n) != 0)) {
		got = iop_pci_rx_alloc_dry(r->mp, m, n);
		cnt->rx_nombuf += n - got;
	}
	*looked += got;
	for (unsigned int i = 0; i < got; i++) {
		struct rte_mbuf *f = m[i];
		uint64_t a = iop_iova_burst_lookup(b, (uint8_t *)f + r->buf_off);

		if (unlikely(a == IOP_IOVA_POISON)) {
			rte_mempool_put(r->mp, f);
			cnt->rx_unmapped++;
			continue;
		}
		iop_pci_rx_rearm(f, r->rearm);
		m[k] = f;
		iova[k++] = a;
	}
	return k;
}

/*
 * rx: what a burst that finds nothing received returns. It still passes a
 * burst boundary: the queue's cache takes a rebind a live move published
 * (iop_port_move waits for every queue's), as iop_iova_cache_burst() does
 * in a burst that has frames. Without it an idle rx queue blocks the move.
 */
static inline uint16_t iop_pci_rx_none(struct iop_iova_cache *cache)
{
	iop_iova_cache_sync(cache);
	return 0;
}

/*
 * rx: the walk of a ring of descriptors the device writes back in order
 * (e1000e, igb), up to n of them from *next: while the device has written
 * some back (dd(ring, slot)), as many fresh buffers as are ready come from
 * one pool get (iop_pci_rx_alloc); each received buffer m at its slot goes
 * to the PMD's step(st, ring, slot, m), which delivers it (or chains or
 * recycles it), then the slot gets its fresh buffer (post(ring, slot,
 * iova), which also clears DD). A slot left without a fresh buffer stays
 * as the device wrote it, for the next burst. Returns how many descriptors
 * were processed (for the PMD's tail doorbell); *next moves past them.
 * Always inline, with the PMD's step and its burst state st: both end in
 * the PMD's burst as one loop.
 */
static __rte_always_inline unsigned int
iop_pci_rx_walk(volatile void *ring, struct rte_mbuf **sw, uint16_t mask, uint16_t *next,
		uint16_t n, const struct iop_pci_rx_refill *refill, struct iop_iova_cache *cache,
		struct iop_port_qcounters *cnt, bool (*dd)(const volatile void *ring, uint16_t slot),
		void (*step)(void *st, volatile void *ring, uint16_t slot, struct rte_mbuf *m),
		void (*post)(volatile void *ring, uint16_t slot, uint64_t iova), void *st)
{
	uint16_t idx = *next, left = n;
	unsigned int looked = 0, done = 0;
	struct iop_iova_burst b;

	if (!dd(ring, idx)) {
		iop_pci_rx_none(cache);
		return 0;
	}
	b = iop_iova_cache_burst(cache);
	while (left) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = RTE_MIN(left, (uint16_t)IOP_PCI_RX_CHUNK), ready = 0, k;

		while (ready < want && dd(ring, (uint16_t)((idx + ready) & mask)))
			ready++;
		if (!ready)
			break;
		/* the rest of the descriptors after their DD */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		k = iop_pci_rx_alloc(refill, &b, cnt, ready, &looked, fresh, iova);
		for (unsigned int i = 0; i < k; i++) {
			step(st, ring, idx, sw[idx]);
			sw[idx] = fresh[i];
			post(ring, idx, iova[i]);
			idx = (uint16_t)((idx + 1) & mask);
		}
		done += k;
		if (k < ready)
			break;
		left = (uint16_t)(left - k);
	}
	iop_iova_cache_count(cache, looked);
	*next = idx;
	return done;
}

/* rx: a received buffer that carries no frame (a bad or oversized one),
 * replaced in the ring: back to the pool as it was posted. */
static inline void iop_pci_rx_recycle(struct rte_mbuf *m)
{
	rte_mbuf_raw_free(m);
}

/* rx: a received frame of len bytes in one buffer, as the caller gets it
 * (the buffer was rearmed when it was posted). The burst counts it
 * (iop_pci_count_packets). */
static inline void iop_pci_rx_set_len(struct rte_mbuf *m, uint16_t len)
{
	m->data_len = len;
	m->pkt_len = len;
}

/*
 * Whether a frame of len bytes, whose first bytes (at least an Ethernet
 * header's worth, hdr_len of them) are at hdr, fits an MTU whose untagged
 * frame is max_frame bytes (the MTU and the Ethernet header): an 802.1Q
 * tag in its bytes may add 4 more, as on the sim's wire. A tag the device
 * strips on rx or inserts on tx is not in the bytes and not counted.
 */
static inline bool iop_pci_frame_fits(const uint8_t *hdr, uint16_t hdr_len, uint32_t len,
				      uint32_t max_frame)
{
	if (len <= max_frame)
		return true;
	return len <= max_frame + RTE_VLAN_HLEN && hdr_len >= RTE_ETHER_HDR_LEN &&
	       (hdr[12] << 8 | hdr[13]) == RTE_ETHER_TYPE_VLAN;
}

/*
 * tx: how long a frame m may be under max_frame (as for
 * iop_pci_frame_fits): max_frame, or m's own length when a tag in its
 * bytes makes it fit.
 */
static inline uint32_t iop_pci_tx_frame_limit(const struct rte_mbuf *m, uint32_t max_frame)
{
	if (likely(m->pkt_len <= max_frame))
		return max_frame;
	return iop_pci_frame_fits(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, m->pkt_len,
				  max_frame) ? m->pkt_len : max_frame;
}

/*
 * rx: a frame the device spreads over several descriptors (each buffer
 * full but the last, whose descriptor has EOP), put together as an mbuf
 * chain in descriptor order. One per rx queue, empty between frames; a
 * frame may span bursts. max_frame is the MTU's untagged frame
 * (iop_pci_frame_fits). A frame that grows past it and a tag, or to
 * IOP_PCI_RX_MAX_SEGS buffers, is cut: its buffers go back to the pool as they
 * come and the frame counts once, at its end, as rx_oversize.
 */
#define IOP_PCI_RX_MAX_SEGS 64

struct iop_pci_rx_chain {
	struct rte_mbuf *head, *tail;
	bool cut;
};

/* Drops what a chain holds (a port stopping in the middle of a frame). */
static inline void iop_pci_rx_chain_reset(struct iop_pci_rx_chain *c)
{
	rte_pktmbuf_free(c->head);
	c->head = c->tail = NULL;
	c->cut = false;
}

/* Whether a frame is under way: the next buffer continues it. */
static inline bool iop_pci_rx_chain_open(const struct iop_pci_rx_chain *c)
{
	return c->head != NULL || c->cut;
}

/* Adds buffer m, holding len bytes of a frame whose end is yet to come. */
static inline void iop_pci_rx_chain_add(struct iop_pci_rx_chain *c, struct rte_mbuf *m,
					uint16_t len, uint32_t max_frame)
{
	if (c->cut) {
		iop_pci_rx_recycle(m);
		return;
	}
	m->data_len = len;
	if (c->head == NULL) {
		c->head = m;
		m->pkt_len = len;
	} else {
		c->tail->next = m;
		c->head->nb_segs++;
		c->head->pkt_len += len;
	}
	c->tail = m;
	if (c->head->pkt_len > max_frame + RTE_VLAN_HLEN ||
	    c->head->nb_segs >= IOP_PCI_RX_MAX_SEGS) {
		iop_pci_rx_chain_reset(c);
		c->cut = true;
	}
}

/*
 * The frame's last buffer m (EOP) with len bytes: returns the whole frame
 * (m alone, or the chain ending in m), counted, or NULL when the frame is
 * dropped and counted as rx_oversize: bad (the device flagged an error on
 * it), over the MTU (iop_pci_frame_fits), cut, or in several buffers while
 * the queue may not deliver chains (!scatter). Either way the chain is empty after.
 */
static inline struct rte_mbuf *iop_pci_rx_chain_end(struct iop_pci_rx_chain *c,
						    struct rte_mbuf *m, uint16_t len, bool bad,
						    bool scatter, uint32_t max_frame,
						    struct iop_port_qcounters *cnt)
{
	struct rte_mbuf *f;

	if (!c->cut)
		iop_pci_rx_chain_add(c, m, len, max_frame);
	else
		iop_pci_rx_recycle(m);
	f = c->head;
	if (c->cut || bad || (f->nb_segs > 1 && !scatter) ||
	    !iop_pci_frame_fits(rte_pktmbuf_mtod(f, const uint8_t *), f->data_len, f->pkt_len,
				max_frame)) {
		cnt->drops[IOP_DROP_RX_OVERSIZE]++;
		iop_pci_rx_chain_reset(c);
		return NULL;
	}
	c->head = c->tail = NULL;
	iop_pci_count_packet(cnt, f->pkt_len);
	return f;
}

/* tx: the IOVA of the data of m, a frame in one segment within the MTU,
 * or IOP_IOVA_POISON when it is not mapped: then m is freed and counted
 * as tx_unmapped. */
static __rte_always_inline uint64_t iop_pci_tx_seg_iova(const struct iop_iova_burst *b,
							struct iop_port_qcounters *cnt,
							struct rte_mbuf *m, unsigned int *looked)
{
	uint64_t iova;

	(*looked)++;
	iova = iop_iova_burst_lookup(b, rte_pktmbuf_mtod(m, void *));
	if (unlikely(iova == IOP_IOVA_POISON)) {
		cnt->drops[IOP_DROP_TX_UNMAPPED]++;
		rte_pktmbuf_free(m);
	}
	return iova;
}

/* tx: iop_pci_tx_segs for a frame of more than one segment or over
 * max_frame (the walk the common frame skips). */
static inline unsigned int iop_pci_tx_chain_segs(const struct iop_iova_burst *b,
						 struct iop_port_qcounters *cnt, struct rte_mbuf *m,
						 uint32_t max_frame, unsigned int max_segs,
						 unsigned int *looked, uint64_t *iova, uint16_t *len)
{
	unsigned int k = 0;
	uint32_t bytes = 0;

	for (struct rte_mbuf *s = m; s; s = s->next) {
		if (s->data_len == 0 && s != m)
			continue;
		bytes += s->data_len;
		if (k == max_segs || bytes > max_frame + RTE_VLAN_HLEN) {
			cnt->drops[IOP_DROP_TX_OVERSIZE]++;
			rte_pktmbuf_free(m);
			return 0;
		}
		(*looked)++;
		iova[k] = iop_iova_burst_lookup(b, rte_pktmbuf_mtod(s, void *));
		if (iova[k] == IOP_IOVA_POISON) {
			cnt->drops[IOP_DROP_TX_UNMAPPED]++;
			rte_pktmbuf_free(m);
			return 0;
		}
		len[k++] = s->data_len;
	}
	if (!iop_pci_frame_fits(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, bytes,
				max_frame)) {
		cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	return k;
}

/*
 * tx: the IOVA and length of each of m's segments that holds data (a
 * chain's empty segments after the first get no descriptor), into iova[]
 * and len[]; returns how many. 0 when m cannot go out, then freed and
 * counted as a drop: tx_oversize for a frame over the MTU (max_frame as
 * for iop_pci_frame_fits) or of more than max_segs segments, tx_unmapped
 * for a segment not mapped in the IOAS. Always inline: the common frame,
 * in one segment, costs a call and its arguments' stores otherwise.
 */
static __rte_always_inline unsigned int iop_pci_tx_segs(const struct iop_iova_burst *b,
							struct iop_port_qcounters *cnt,
							struct rte_mbuf *m, uint32_t max_frame,
							unsigned int max_segs, unsigned int *looked,
							uint64_t *iova, uint16_t *len)
{
	if (unlikely(m->nb_segs != 1 || m->data_len > max_frame))
		return iop_pci_tx_chain_segs(b, cnt, m, max_frame, max_segs, looked, iova, len);
	iova[0] = iop_pci_tx_seg_iova(b, cnt, m, looked);
	len[0] = m->data_len;
	return iova[0] != IOP_IOVA_POISON;
}

/*
 * tx completion: gives back the n mbufs the device is done with (NULL
 * entries are skipped), as rte_pktmbuf_free() would (a shared one only
 * loses a reference, an indirect or external one is detached), in one
 * rte_mempool_put_bulk() per run of mbufs of one pool; a chain goes
 * through rte_pktmbuf_free(). Inline: a call per burst into librte_mbuf's
 * generic rte_pktmbuf_free_bulk() cost about 40 instructions per frame
 * (bench/pci_burst.sh). Reuses done[] as the list of what goes back.
 */
static __rte_always_inline void iop_pci_tx_free(struct rte_mbuf **done, unsigned int n)
{
	struct rte_mempool *mp = NULL;
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = done[i];

		if (m == NULL)
			continue;
		if (unlikely(m->nb_segs != 1)) {
			rte_pktmbuf_free(m);
			continue;
		}
		m = rte_pktmbuf_prefree_seg(m);
		if (unlikely(m == NULL))
			continue;
		if (unlikely(m->pool != mp)) {
			if (k)
				rte_mempool_put_bulk(mp, (void **)done, k);
			mp = m->pool;
			k = 0;
		}
		done[k++] = m;
	}
	if (k)
		rte_mempool_put_bulk(mp, (void **)done, k);
}

/*
 * tx completion by groups of descriptors (DPDK's tx_rs_thresh), for a ring
 * of mask + 1 slots whose frames the PMD posts from *clean to next:
 * - the PMD asks for a status (RS) only on the last slot of each aligned
 *   group of `group` slots (a power of two that divides the ring's size),
 *   and the device reports that one done (done(ring, slot)) once it is done
 *   with it and with every slot before it;
 * - sw[] holds each frame's mbuf at its last slot and NULL at the others
 *   (a chain's first segments, context descriptors).
 * Every group the device is done with gives its mbufs back (iop_pci_tx_free
 * in place: the group's sw[] entries are left stale, as all of them are
 * written again before the group's last slot is posted), and *clean moves
 * past it. A stopping queue frees what is left with iop_pci_tx_drop.
 */
static __rte_always_inline void iop_pci_tx_reclaim(struct rte_mbuf **sw, uint16_t *clean,
						   uint16_t next, uint16_t mask, uint16_t group,
						   bool (*done)(const volatile void *ring,
								uint16_t slot),
						   const volatile void *ring)
{
	for (;;) {
		uint16_t c = *clean, last = (uint16_t)(c | (group - 1));

		if ((uint16_t)((next - c) & mask) < group || !done(ring, last))
			return;
		iop_pci_tx_free(sw + c, group);
		*clean = (uint16_t)((last + 1) & mask);
	}
}

/* A stopping tx queue (the device does no more DMA): frees the mbufs of
 * the frames posted and not yet reclaimed, slots clean to next. */
static inline void iop_pci_tx_drop(struct rte_mbuf **sw, uint16_t clean, uint16_t next,
				   uint16_t mask)
{
	for (uint16_t i = clean; i != next; i = (uint16_t)((i + 1) & mask)) {
		rte_pktmbuf_free(sw[i]);
		sw[i] = NULL;
	}
}

/*
 * tx: the queue's run is the memory of the pool of the first frame it
 * sends (frames of a forwarding loop come from the rx pools; any other
 * pool is still translated, through the entries). Once per queue, on the
 * polling thread; *run_pool remembers the pool.
 */
static inline void iop_pci_tx_run_follow(struct iop_iova_cache *cache,
					 struct rte_mempool **run_pool, struct rte_mbuf *first)
{
	if (unlikely(*run_pool == NULL)) {
		*run_pool = first->pool;
		iop_pci_cache_run_pool(cache, first->pool);
	}
}

/*
 * tx: the IOVA of m's data, or IOP_IOVA_POISON when m cannot go out (more
 * than one segment or longer than max_frame, or not mapped): then m is
 * freed and counted as a drop, and the PMD goes on with the next packet.
 */
static inline uint64_t iop_pci_tx_iova(const struct iop_iova_burst *b,
				       struct iop_port_qcounters *cnt, struct rte_mbuf *m,
				       uint32_t max_frame, unsigned int *looked)
{
	if (m->nb_segs != 1 || m->pkt_len > max_frame) {
		cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		rte_pktmbuf_free(m);
		return IOP_IOVA_POISON;
	}
	return iop_pci_tx_seg_iova(b, cnt, m, looked);
}

#endif /* IOP_PCI_PMD_RING_H */
