/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "sim" PMD: the driver of the sim NIC. It posts buffers by IOVA, which it
 * takes from each queue's IOVA cache (the IOAS of the port's device), and
 * runs the device model (sim_dev.c) inside its bursts.
 *
 *   sim:wire=pair,peer=N | wire=af_packet,iface=NAME | wire=gen[,size=B]
 *       | wire=pcap,rx=FILE[,tx=FILE][,loop=N]
 *       [,dev=BDF]         the device of the sim topology (default: the
 *                          next unused device of type=sim)
 *       [,iova=cache|mbuf] where buffer IOVAs come from (mbuf: DPDK's
 *                          precomputed buf_iova, the P3 benchmark's anchor)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "port_driver.h"
#include "sim_pmd.h"
#include "sim_ring.h"
#include "sim_wire.h"

#define SIM_MIN_DESC 64
#define SIM_MAX_DESC 4096
#define SIM_REARM_BATCH 32
#define SIM_TX_MAX_SEGS 64
/* device queues; a wire with fewer queues is shared (see sim_configure) */
#define SIM_MAX_QUEUES 8

#define SIM_RX_OFFLOADS (IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP | \
			 IOP_PORT_RX_OFFLOAD_SCATTER | IOP_PORT_RX_OFFLOAD_RSS_HASH)
#define SIM_TX_OFFLOADS (IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT | \
			 IOP_PORT_TX_OFFLOAD_MULTI_SEGS)
#define SIM_RSS_TYPES (IOP_PORT_RSS_IPV4 | IOP_PORT_RSS_FRAG_IPV4 | \
		       IOP_PORT_RSS_NONFRAG_IPV4_TCP | IOP_PORT_RSS_NONFRAG_IPV4_UDP | \
		       IOP_PORT_RSS_NONFRAG_IPV4_OTHER | IOP_PORT_RSS_IPV6 | \
		       IOP_PORT_RSS_NONFRAG_IPV6_TCP | IOP_PORT_RSS_NONFRAG_IPV6_UDP | \
		       IOP_PORT_RSS_NONFRAG_IPV6_OTHER)

struct sim_port {
	struct sim_wire wire;
	struct iop_dev *dev;
	struct iop_ioas *ioas;
	enum sim_iova_mode iova_mode;
	uint16_t nb_rxq, nb_txq;
	uint16_t wire_nb_txq;
	bool started;
	struct sim_rx_model rxm;
	struct sim_tx_model txm;
	/* tx queues sharing a wire queue take turns on it */
	rte_spinlock_t wire_txq_lock[IOP_PORT_MAX_QUEUES];
	struct sim_rxq *rxq[IOP_PORT_MAX_QUEUES];
	struct sim_txq *txq[IOP_PORT_MAX_QUEUES];
};

static struct iop_port_driver sim_driver;

struct sim_wire *sim_port_wire(uint16_t port)
{
	struct iop_port *p = iop_port_get(port);

	if (!p || iop_port_driver_of(p) != &sim_driver)
		return NULL;
	return &((struct sim_port *)iop_port_priv(p))->wire;
}

/* --- IOVAs ---------------------------------------------------------------- */

static inline uint64_t buf_iova(const struct iop_iova_burst *b, enum sim_iova_mode mode,
				const struct rte_mbuf *m)
{
	if (mode == SIM_IOVA_MBUF)
		return m->buf_iova + m->data_off;
	return iop_iova_burst_lookup(b, rte_pktmbuf_mtod(m, const void *));
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

/* Posts fresh buffers on empty descriptors, a batch at a time. Returns
 * false when the pool is empty or a buffer has no IOVA (counted). */
static bool rx_rearm(struct sim_rxq *q, const struct iop_iova_burst *b, uint16_t empty)
{
	struct rte_mbuf *m[SIM_REARM_BATCH];

	while (empty) {
		uint16_t k = RTE_MIN(empty, SIM_REARM_BATCH);

		if (rte_pktmbuf_alloc_bulk(q->mp, m, k) != 0) {
			q->cnt->rx_nombuf++;
			return false;
		}
		for (uint16_t i = 0; i < k; i++) {
			struct sim_desc *d = &q->ring[q->rearm];
			uint64_t iova = buf_iova(b, q->iova_mode, m[i]);

			if (iova == IOP_IOVA_POISON) {
				q->cnt->rx_unmapped++;
				rte_pktmbuf_free_bulk(&m[i], k - i);
				looked(&q->cache, q->iova_mode, i + 1);
				return false;
			}
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

/* Held by a move: takes back the buffers posted that the device has not
 * filled (as a NIC whose queue is disabled), so none holds an IOVA. Not
 * while a frame the device wrote waits to be harvested (more than the
 * caller's burst took, or written by another queue's thread running the
 * RSS engine): those are frames, not buffers, and a later burst takes
 * them first. */
static void rx_reclaim(struct sim_rxq *q)
{
	if (sim_desc_flags(&q->ring[q->next]) & SIM_DESC_DONE)
		return;
	for (uint16_t i = q->next; q->sw[i]; i = (uint16_t)((i + 1) & q->mask)) {
		rte_pktmbuf_free(q->sw[i]);
		q->sw[i] = NULL;
		q->ring[i].flags = 0;
	}
	q->rearm = q->dev_next = q->next;
	__atomic_store_n(&q->idle, true, __ATOMIC_RELEASE);
}

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
			m->port = q->port;
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

static uint16_t sim_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
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
	if (held && q->model->spread) {
		/* the device's rx engine may be writing into this ring */
		rte_spinlock_lock(&q->model->lock);
		rx_reclaim(q);
		rte_spinlock_unlock(&q->model->lock);
	} else if (held) {
		rx_reclaim(q);
	} else if (empty >= SIM_REARM_BATCH || empty == q->nb_desc) {
		rx_rearm(q, &b, empty);
	}
	q->cnt->packets += nb;
	q->cnt->bytes += bytes;
	return nb;
}

/* --- tx ------------------------------------------------------------------- */

static void tx_clean(struct sim_txq *q)
{
	struct rte_mbuf *done[SIM_REARM_BATCH];
	uint16_t k = 0;

	while (q->clean != q->next && (q->ring[q->clean].flags & SIM_DESC_DONE)) {
		if (q->sw[q->clean]) {
			done[k++] = q->sw[q->clean];
			q->sw[q->clean] = NULL;
		}
		q->ring[q->clean].flags = 0;
		q->clean = (uint16_t)((q->clean + 1) & q->mask);
		if (k == SIM_REARM_BATCH) {
			rte_pktmbuf_free_bulk(done, k);
			k = 0;
		}
	}
	if (k)
		rte_pktmbuf_free_bulk(done, k);
}

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

/* Posts one frame (one descriptor per segment). false: some segment has
 * no IOVA in the port's IOAS; nothing was posted. */
static bool tx_post(struct sim_txq *q, const struct iop_iova_burst *b, struct rte_mbuf *m,
		    unsigned int *lookups)
{
	uint64_t iova[SIM_TX_MAX_SEGS];
	uint16_t s = 0, idx = q->next;

	for (struct rte_mbuf *seg = m; seg; seg = seg->next, s++) {
		iova[s] = buf_iova(b, q->iova_mode, seg);
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

static uint16_t sim_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct sim_txq *q = txq;
	struct iop_iova_burst b = burst_begin(&q->cache, q->iova_mode);
	uint16_t room, free_desc, i, sent = 0;
	unsigned int lookups = 0;

	if (__atomic_load_n(&q->hold, __ATOMIC_ACQUIRE)) {
		/* finish what is in flight, take nothing new */
		if (q->wire_lock)
			rte_spinlock_lock(q->wire_lock);
		sim_dev_tx_poll(q);
		if (q->wire_lock)
			rte_spinlock_unlock(q->wire_lock);
		tx_clean(q);
		if (q->clean == q->next)
			__atomic_store_n(&q->idle, true, __ATOMIC_RELEASE);
		return 0;
	}
	if (q->wire_lock)
		rte_spinlock_lock(q->wire_lock);
	/* take only what the wire can carry now: a frame the port accepts
	 * is on the wire (or a counted drop) when the burst returns */
	room = q->wire->ops->tx_room(q->wire, q->wq, n);
	for (i = 0; i < n && sent < room; i++) {
		struct rte_mbuf *m = pkts[i];

		free_desc = (uint16_t)(q->nb_desc - 1 - ((q->next - q->clean) & q->mask));
		if (m->nb_segs > SIM_TX_MAX_SEGS || m->nb_segs >= q->nb_desc) {
			/* could never be posted: longer than any frame we send */
			q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (m->nb_segs > free_desc)
			break;
		if (!tx_post(q, &b, m, &lookups)) {
			q->cnt->drops[IOP_DROP_TX_UNMAPPED]++;
			rte_pktmbuf_free(m);
			continue;
		}
		sent++;
	}
	looked(&q->cache, q->iova_mode, lookups);
	sim_dev_tx_poll(q);
	if (q->wire_lock)
		rte_spinlock_unlock(q->wire_lock);
	tx_clean(q);
	return i;
}

/* --- control path ---------------------------------------------------------- */

static void sim_info(struct iop_port *port, struct iop_port_info *info)
{
	struct sim_port *sp = iop_port_priv(port);

	info->driver = "sim";
	info->max_rx_queues = SIM_MAX_QUEUES;
	info->max_tx_queues = SIM_MAX_QUEUES;
	info->min_desc = SIM_MIN_DESC;
	info->max_desc = SIM_MAX_DESC;
	info->max_frame_len = sp->wire.max_frame_len;
	info->rx_offload_capa = SIM_RX_OFFLOADS;
	info->tx_offload_capa = SIM_TX_OFFLOADS;
	info->rss_hash_types = SIM_RSS_TYPES;
	info->rss_key_size = SIM_RSS_KEY_LEN;
	info->reta_size = SIM_RETA_SIZE;
	/* an untagged frame of the MTU fills a wire slot (a tagged one of
	 * the same MTU is then dropped as tx_oversize) */
	info->max_mtu = sp->wire.max_frame_len - RTE_ETHER_HDR_LEN;
}

static void rss_set(struct sim_rx_model *m, const struct iop_port_rss_conf *rss)
{
	memcpy(m->key, rss->key, sizeof(m->key));
	for (uint16_t i = 0; i < SIM_RETA_SIZE; i++)
		__atomic_store_n(&m->reta[i], rss->reta[i], __ATOMIC_RELAXED);
	__atomic_store_n(&m->hash_types, rss->hash_types, __ATOMIC_RELAXED);
}

/*
 * Device queues over wire queues: a wire with fewer queues than the port
 * (af_packet and pcap have one) is shared. Rx: with RSS over several
 * queues the device spreads the frames of every wire queue; without it,
 * rx queue q takes wire queue q's frames (none where there is no such
 * wire queue). Tx: tx queue q sends on wire queue q modulo the wire's
 * count, taking turns with the queues that share it.
 */
static int sim_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct sim_port *sp = iop_port_priv(port);
	uint16_t wire_max = sp->wire.ops->max_queues;
	uint16_t wire_rxq = RTE_MIN(conf->nb_rxq, wire_max);
	uint16_t wire_txq = RTE_MIN(conf->nb_txq, wire_max);
	uint32_t max_len = conf->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	int rc = sp->wire.ops->configure(&sp->wire, wire_rxq, wire_txq);

	if (rc)
		return rc;
	sp->nb_rxq = conf->nb_rxq;
	sp->nb_txq = conf->nb_txq;
	sp->wire_nb_txq = wire_txq;
	memset(&sp->rxm, 0, sizeof(sp->rxm));
	rte_spinlock_init(&sp->rxm.lock);
	sp->rxm.nb_rxq = conf->nb_rxq;
	sp->rxm.wire_nb_rxq = wire_rxq;
	sp->rxm.rx_offloads = conf->rx_offloads;
	sp->rxm.max_len = max_len;
	sp->rxm.spread = conf->nb_rxq > 1 && conf->rss.hash_types;
	rss_set(&sp->rxm, &conf->rss);
	sp->txm.tx_offloads = conf->tx_offloads;
	sp->txm.max_len = max_len;
	for (uint16_t i = 0; i < IOP_PORT_MAX_QUEUES; i++)
		rte_spinlock_init(&sp->wire_txq_lock[i]);
	return 0;
}

/* Live: the rx engine reads the table and key under its lock when it
 * spreads, so no frame is hashed with half a key. Turning RSS on or off
 * over several queues changes who reads the wire: only when stopped. */
static int sim_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss)
{
	struct sim_port *sp = iop_port_priv(port);
	bool spread = sp->nb_rxq > 1 && rss->hash_types;

	/* turning it off keeps the engine: unhashed frames go to queue 0 */
	if (sp->started && spread && !sp->rxm.spread)
		return IOP_ERR(EBUSY, "port %u: RSS was off at configure: stop the port to turn it on",
			       iop_port_id(port));
	rte_spinlock_lock(&sp->rxm.lock);
	rss_set(&sp->rxm, rss);
	if (!sp->started)
		sp->rxm.spread = spread;
	rte_spinlock_unlock(&sp->rxm.lock);
	return 0;
}

/* Frees a queue (rx or tx), its ring and the mbufs it still holds. */
static void queue_free(void *q, struct sim_desc *ring, struct rte_mbuf **sw, uint16_t nb_desc)
{
	for (uint16_t i = 0; i < nb_desc && sw; i++)
		rte_pktmbuf_free(sw[i]);
	rte_free(sw);
	rte_free(ring);
	rte_free(q);
}

static void sim_rxq_release(void *p)
{
	struct sim_rxq *q = p;

	if (q)
		queue_free(q, q->ring, q->sw, q->nb_desc);
}

static void sim_txq_release(void *p)
{
	struct sim_txq *q = p;

	if (q)
		queue_free(q, q->ring, q->sw, q->nb_desc);
}

static int ring_alloc(struct iop_port *port, const char *dir, uint16_t qid, uint16_t nb_desc,
		      struct sim_desc **ring, struct rte_mbuf ***sw)
{
	/* hugepage memory: the rings are what the device reads */
	*ring = rte_zmalloc("iop_sim_ring", sizeof(**ring) * nb_desc, RTE_CACHE_LINE_SIZE);
	*sw = rte_zmalloc("iop_sim_sw", sizeof(**sw) * nb_desc, RTE_CACHE_LINE_SIZE);
	if (*ring && *sw)
		return 0;
	rte_free(*ring);
	rte_free(*sw);
	return IOP_ERR(ENOMEM, "port %u: no hugepage memory for %s queue %u's %u descriptors: reserve more hugepages",
		       iop_port_id(port), dir, qid, nb_desc);
}

/* Rx buffers all come from the queue's pool: when its memory is one
 * IOVA-contiguous run of the IOAS, they translate with one compare and
 * one add. When it is not, the entries translate them (as exactly). */
static void set_pool_run(struct iop_iova_cache *c, struct rte_mempool *mp)
{
	void *va;
	size_t len;

	if (iop_mem_pool_span(mp, &va, &len) == 0)
		iop_iova_cache_set_run(c, va, len);
}

static int sim_rxq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
			 struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **out)
{
	struct sim_port *sp = iop_port_priv(port);
	uint32_t room = (uint32_t)(rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM);
	struct sim_rxq *q;
	int rc;

	if (mp->size < nb_desc)
		return IOP_ERR(EINVAL, "port %u: mempool %s has %u mbufs, fewer than the %u rx descriptors of queue %u: make the pool larger",
			       iop_port_id(port), mp->name, mp->size, nb_desc, qid);
	q = rte_zmalloc("iop_sim_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE);
	if (!q)
		return IOP_ERR(ENOMEM, "port %u: no hugepage memory for rx queue %u",
			       iop_port_id(port), qid);
	rc = ring_alloc(port, "rx", qid, nb_desc, &q->ring, &q->sw);
	if (rc) {
		rte_free(q);
		return rc;
	}
	iop_iova_cache_init(&q->cache, sp->ioas);
	set_pool_run(&q->cache, mp);
	q->nb_desc = nb_desc;
	q->mask = (uint16_t)(nb_desc - 1);
	q->q = qid;
	q->port = iop_port_id(port);
	q->iova_mode = sp->iova_mode;
	q->buf_len = (uint16_t)RTE_MIN(room, (uint32_t)UINT16_MAX);
	q->mp = mp;
	q->dev = sp->dev;
	q->wire = &sp->wire;
	q->cnt = cnt;
	q->model = &sp->rxm;
	if (q->iova_mode == SIM_IOVA_CACHE)
		cnt->iova_cache = &q->cache;
	sp->rxq[qid] = q;
	sp->rxm.rxq[qid] = q;
	*out = q;
	return 0;
}

static int sim_txq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
			 struct iop_port_qcounters *cnt, void **out)
{
	struct sim_port *sp = iop_port_priv(port);
	struct sim_txq *q;
	int rc;

	q = rte_zmalloc("iop_sim_txq", sizeof(*q), RTE_CACHE_LINE_SIZE);
	if (!q)
		return IOP_ERR(ENOMEM, "port %u: no hugepage memory for tx queue %u",
			       iop_port_id(port), qid);
	rc = ring_alloc(port, "tx", qid, nb_desc, &q->ring, &q->sw);
	if (rc) {
		rte_free(q);
		return rc;
	}
	iop_iova_cache_init(&q->cache, sp->ioas);
	q->nb_desc = nb_desc;
	q->mask = (uint16_t)(nb_desc - 1);
	q->q = qid;
	q->port = iop_port_id(port);
	q->iova_mode = sp->iova_mode;
	q->dev = sp->dev;
	q->wire = &sp->wire;
	q->cnt = cnt;
	q->model = &sp->txm;
	q->wq = (uint16_t)(qid % sp->wire_nb_txq);
	q->wire_lock = sp->nb_txq > sp->wire_nb_txq ? &sp->wire_txq_lock[q->wq] : NULL;
	if (q->iova_mode == SIM_IOVA_CACHE)
		cnt->iova_cache = &q->cache;
	sp->txq[qid] = q;
	*out = q;
	return 0;
}

/* Empties a ring (rx or tx): no mbufs, no descriptor posted. */
static void ring_clear(struct sim_desc *ring, struct rte_mbuf **sw, uint16_t nb_desc)
{
	for (uint16_t i = 0; i < nb_desc; i++) {
		rte_pktmbuf_free(sw[i]);
		sw[i] = NULL;
		ring[i].flags = 0;
	}
}

static void rxq_reset(struct sim_rxq *q)
{
	ring_clear(q->ring, q->sw, q->nb_desc);
	q->next = q->rearm = q->dev_next = 0;
}

static void txq_reset(struct sim_txq *q)
{
	ring_clear(q->ring, q->sw, q->nb_desc);
	q->next = q->clean = q->dev_next = 0;
}

#define SIM_TX_DRAIN_MS 1000

static void sim_stop(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);

	for (uint16_t i = 0; i < sp->nb_rxq; i++)
		rxq_reset(sp->rxq[i]);
	for (uint16_t i = 0; i < sp->nb_txq; i++) {
		/* every frame tx_burst took is sent or a counted drop once
		 * stop returns (tx_unsent if the far side took none of it
		 * for a second), unless the far side is still sending it */
		if (!sim_dev_tx_drain(sp->txq[i], SIM_TX_DRAIN_MS))
			IOP_LOG(WARN, "port %u: tx queue %u: the far side is still sending frames after %u ms; they are not counted",
				iop_port_id(port), i, SIM_TX_DRAIN_MS);
		txq_reset(sp->txq[i]);
	}
	sp->started = false;
}

static int sim_start(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);
	int rc = sp->wire.ops->start ? sp->wire.ops->start(&sp->wire) : 0;

	for (uint16_t i = 0; rc == 0 && i < sp->nb_rxq; i++) {
		struct sim_rxq *q = sp->rxq[i];
		struct iop_iova_burst b;

		rxq_reset(q);
		b = burst_begin(&q->cache, q->iova_mode);
		if (rx_rearm(q, &b, q->nb_desc))
			continue;
		if (q->cnt->rx_unmapped)
			rc = IOP_ERR(EFAULT, "port %u: rx buffers of mempool %s are not mapped in the port's IOAS: create pools after iop_init() so they are in DPDK's memory",
				     iop_port_id(port), q->mp->name);
		else
			rc = IOP_ERR(ENOMEM, "port %u: mempool %s ran out of mbufs filling rx queue %u's %u descriptors: make the pool larger",
				     iop_port_id(port), q->mp->name, i, q->nb_desc);
	}
	for (uint16_t i = 0; rc == 0 && i < sp->nb_txq; i++)
		txq_reset(sp->txq[i]);
	if (rc)
		sim_stop(port);
	sp->started = rc == 0;
	return rc;
}

static int sim_link(struct iop_port *port, struct iop_port_link *link)
{
	struct sim_port *sp = iop_port_priv(port);

	return sp->wire.ops->link_get(&sp->wire, link);
}

static struct iop_dev *sim_dev_get(struct iop_port *port)
{
	return ((struct sim_port *)iop_port_priv(port))->dev;
}

static size_t sim_ioas_changed(struct iop_port *port, struct iop_ioas *ioas,
			       struct iop_iova_cache **caches, size_t max)
{
	struct sim_port *sp = iop_port_priv(port);
	size_t n = 0;

	sp->ioas = ioas;
	if (sp->iova_mode != SIM_IOVA_CACHE)
		return 0;
	for (uint16_t i = 0; i < sp->nb_rxq && n < max; i++)
		if (sp->rxq[i])
			caches[n++] = &sp->rxq[i]->cache;
	for (uint16_t i = 0; i < sp->nb_txq && n < max; i++)
		if (sp->txq[i])
			caches[n++] = &sp->txq[i]->cache;
	return n;
}

static void sim_hold(struct iop_port *port, bool on)
{
	struct sim_port *sp = iop_port_priv(port);

	for (uint16_t i = 0; i < sp->nb_rxq; i++) {
		__atomic_store_n(&sp->rxq[i]->idle, false, __ATOMIC_RELAXED);
		__atomic_store_n(&sp->rxq[i]->hold, on, __ATOMIC_RELEASE);
	}
	for (uint16_t i = 0; i < sp->nb_txq; i++) {
		__atomic_store_n(&sp->txq[i]->idle, false, __ATOMIC_RELAXED);
		__atomic_store_n(&sp->txq[i]->hold, on, __ATOMIC_RELEASE);
	}
}

static bool sim_held(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);

	for (uint16_t i = 0; i < sp->nb_rxq; i++)
		if (!__atomic_load_n(&sp->rxq[i]->idle, __ATOMIC_ACQUIRE))
			return false;
	for (uint16_t i = 0; i < sp->nb_txq; i++)
		if (!__atomic_load_n(&sp->txq[i]->idle, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static int sim_promisc(struct iop_port *port, bool on)
{
	struct sim_port *sp = iop_port_priv(port);

	return sp->wire.ops->promisc_set ? sp->wire.ops->promisc_set(&sp->wire, on) : 0;
}

/* --- probe: device, IOAS, wire --------------------------------------------- */

/* BDFs of the topology's sim devices taken by open sim ports. */
static char used_bdf[IOP_PORT_MAX][IOP_BDF_LEN];

static bool bdf_used(const char *bdf)
{
	for (int i = 0; i < IOP_PORT_MAX; i++)
		if (strcmp(used_bdf[i], bdf) == 0)
			return true;
	return false;
}

static int pick_device(struct iop_port *port, const struct iop_port_spec *spec, char *bdf)
{
	const char *want = iop_port_spec_get(spec, "dev");
	struct iop_ctx *ctx = iop_ctx_get();
	struct iop_dev_info info[64];
	size_t n = 0;
	int rc;

	if (!ctx || iop_ctx_backend(ctx) != IOP_BACKEND_SIM)
		return IOP_ERR(ENODEV, "port %u (%s): sim ports are devices of the sim IOMMU: run with --iommu=sim (and --sim-topology=FILE)",
			       iop_port_id(port), iop_port_spec_text(port));
	rc = iop_ctx_devices(ctx, info, RTE_DIM(info), &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && i < RTE_DIM(info); i++) {
		if (want && strcmp(info[i].bdf, want) != 0)
			continue;
		if (want && strcmp(info[i].type, "sim") != 0)
			return IOP_ERR(EINVAL, "port %u: device %s is of type=%s in the sim topology, not type=sim",
				       iop_port_id(port), want, info[i].type);
		if (bdf_used(info[i].bdf)) {
			if (want)
				return IOP_ERR(EBUSY, "port %u: device %s is already used by another sim port",
					       iop_port_id(port), want);
			continue;
		}
		if (strcmp(info[i].type, "sim") != 0)
			continue;
		snprintf(bdf, IOP_BDF_LEN, "%s", info[i].bdf);
		return 0;
	}
	if (want)
		return IOP_ERR(ENODEV, "port %u: no device %s in the sim topology", iop_port_id(port), want);
	return IOP_ERR(ENODEV, "port %u: every type=sim device of the sim topology is in use: add a line 'device <bdf> group=<id> driver=vfio-pci type=sim' per sim port",
		       iop_port_id(port));
}

static int check_wire_keys(struct iop_port *port, const struct iop_port_spec *spec,
			   const struct sim_wire_ops *ops)
{
	for (size_t i = 0; i < spec->nkeys; i++) {
		const char *k = spec->key[i];
		bool ok = !strcmp(k, "wire") || !strcmp(k, "dev") || !strcmp(k, "iova");

		for (const char *const *wk = ops->keys; !ok && *wk; wk++)
			ok = strcmp(*wk, k) == 0;
		if (!ok)
			return IOP_ERR(EINVAL, "port spec '%s': key '%s' does not apply to wire=%s",
				       iop_port_spec_text(port), k, ops->name);
	}
	return 0;
}

static int sim_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	struct sim_port *sp = iop_port_priv(port);
	const char *wire = iop_port_spec_get(spec, "wire");
	const char *iova = iop_port_spec_get(spec, "iova");
	struct rte_ether_addr mac = {{0x02, 0x00, 0x00, 0x00, 0x01, 0x00}};
	char bdf[IOP_BDF_LEN];
	int rc;

	if (!wire)
		return IOP_ERR(EINVAL, "port spec '%s': sim ports need wire=pair|af_packet|gen|pcap",
			       iop_port_spec_text(port));
	rc = sim_wire_find(wire, &sp->wire.ops);
	if (rc)
		return rc;
	rc = check_wire_keys(port, spec, sp->wire.ops);
	if (rc)
		return rc;
	if (!iova || !strcmp(iova, "cache"))
		sp->iova_mode = SIM_IOVA_CACHE;
	else if (!strcmp(iova, "mbuf"))
		sp->iova_mode = SIM_IOVA_MBUF;
	else
		return IOP_ERR(EINVAL, "port spec '%s': iova=%s: give iova=cache or iova=mbuf",
			       iop_port_spec_text(port), iova);
	rc = pick_device(port, spec, bdf);
	if (rc)
		return rc;
	rc = iop_port_dev_open(bdf, &sp->dev, &sp->ioas);
	if (rc)
		return rc;
	sp->wire.port = port;
	rc = sp->wire.ops->open(&sp->wire, spec);
	if (rc) {
		iop_port_dev_close(sp->dev);
		return rc;
	}
	snprintf(used_bdf[iop_port_id(port)], IOP_BDF_LEN, "%s", bdf);
	mac.addr_bytes[5] = (uint8_t)iop_port_id(port);
	if (sp->wire.ops->mac_get)
		sp->wire.ops->mac_get(&sp->wire, &mac);
	iop_port_set_mac(port, &mac);
	IOP_LOG(INFO, "port %u: device %s, IOAS %u, wire %s", iop_port_id(port), bdf,
		iop_ioas_id(sp->ioas), wire);
	return 0;
}

static void sim_close(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);

	sp->wire.ops->close(&sp->wire);
	iop_port_dev_close(sp->dev);
	used_bdf[iop_port_id(port)][0] = '\0';
}

int sim_wire_find(const char *name, const struct sim_wire_ops **ops)
{
	static const struct sim_wire_ops *const wires[] = {
		&sim_wire_pair, &sim_wire_af_packet, &sim_wire_gen, &sim_wire_pcap,
	};

	for (size_t i = 0; i < RTE_DIM(wires); i++) {
		if (strcmp(wires[i]->name, name) == 0) {
			*ops = wires[i];
			return 0;
		}
	}
	return IOP_ERR(EINVAL, "sim: unknown wire '%s' (wires: pair, af_packet, gen, pcap)", name);
}

static const struct iop_port_ops sim_ops = {
	.info_get = sim_info,
	.configure = sim_configure,
	.rss_update = sim_rss_update,
	.rx_queue_setup = sim_rxq_setup,
	.tx_queue_setup = sim_txq_setup,
	.rx_queue_release = sim_rxq_release,
	.tx_queue_release = sim_txq_release,
	.start = sim_start,
	.stop = sim_stop,
	.close = sim_close,
	.link_get = sim_link,
	.promisc_set = sim_promisc,
	.dev_get = sim_dev_get,
	.ioas_changed = sim_ioas_changed,
	.hold = sim_hold,
	.held = sim_held,
	.rx_burst = sim_rx_burst,
	.tx_burst = sim_tx_burst,
};

static const char *const sim_keys[] = {"wire", "dev", "iova", "peer", "iface", "size",
				       "rx", "tx", "loop", "flows", NULL};

static struct iop_port_driver sim_driver = {
	.name = "sim",
	.keys = sim_keys,
	.priv_size = sizeof(struct sim_port),
	.probe = sim_probe,
	.ops = &sim_ops,
};

IOP_PORT_DRIVER_REGISTER(sim_driver)
