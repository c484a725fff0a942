/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim PMD's control path: its capabilities, the configuration (RSS,
 * offloads, MTU, device queues over wire queues), queue setup and release,
 * start and stop.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_log.h"
#include "iop_mem.h"
#include "sim_port.h"
#include "sim_ring.h"
#include "sim_wire.h"

#define SIM_MIN_DESC 64
#define SIM_MAX_DESC 4096
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

void sim_info(struct iop_port *port, struct iop_port_info *info)
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
int sim_configure(struct iop_port *port, const struct iop_port_conf *conf)
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
int sim_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss)
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

void sim_rxq_release(void *p)
{
	struct sim_rxq *q = p;

	if (q)
		queue_free(q, q->ring, q->sw, q->nb_desc);
}

void sim_txq_release(void *p)
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

int sim_rxq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
		  struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **out)
{
	struct sim_port *sp = iop_port_priv(port);
	uint32_t room = (uint32_t)(rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM);
	struct iop_pci_rx_refill refill;
	struct sim_rxq *q;
	int rc;

	if (mp->size < nb_desc)
		return IOP_ERR(EINVAL, "port %u: mempool %s has %u mbufs, fewer than the %u rx descriptors of queue %u: make the pool larger",
			       iop_port_id(port), mp->name, mp->size, nb_desc, qid);
	/* the device writes at the headroom's end, as rearm leaves data_off */
	rc = iop_pci_rx_refill_init(&refill, mp, iop_port_id(port), RTE_PKTMBUF_HEADROOM, "sim");
	if (rc)
		return rc;
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
	/* rx buffers all come from the pool: its memory is the run */
	iop_pci_cache_run_pool(&q->cache, mp);
	q->nb_desc = nb_desc;
	q->mask = (uint16_t)(nb_desc - 1);
	q->q = qid;
	q->port = iop_port_id(port);
	q->iova_mode = sp->iova_mode;
	q->buf_len = (uint16_t)RTE_MIN(room, (uint32_t)UINT16_MAX);
	q->refill = refill;
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

int sim_txq_setup(struct iop_port *port, uint16_t qid, uint16_t nb_desc,
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

void sim_stop(struct iop_port *port)
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

int sim_start(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);
	int rc = sp->wire.ops->start ? sp->wire.ops->start(&sp->wire) : 0;

	for (uint16_t i = 0; rc == 0 && i < sp->nb_rxq; i++) {
		struct sim_rxq *q = sp->rxq[i];

		rxq_reset(q);
		if (sim_rxq_fill(q))
			continue;
		if (q->cnt->rx_unmapped)
			rc = IOP_ERR(EFAULT, "port %u: rx buffers of mempool %s are not mapped in the port's IOAS: create pools after iop_init() so they are in DPDK's memory",
				     iop_port_id(port), q->refill.mp->name);
		else
			rc = IOP_ERR(ENOMEM, "port %u: mempool %s ran out of mbufs filling rx queue %u's %u descriptors: make the pool larger",
				     iop_port_id(port), q->refill.mp->name, i, q->nb_desc);
	}
	for (uint16_t i = 0; rc == 0 && i < sp->nb_txq; i++)
		txq_reset(sp->txq[i]);
	if (rc)
		sim_stop(port);
	sp->started = rc == 0;
	return rc;
}

int sim_link(struct iop_port *port, struct iop_port_link *link)
{
	struct sim_port *sp = iop_port_priv(port);

	return sp->wire.ops->link_get(&sp->wire, link);
}

struct iop_dev *sim_dev_get(struct iop_port *port)
{
	return ((struct sim_port *)iop_port_priv(port))->dev;
}

int sim_promisc(struct iop_port *port, bool on)
{
	struct sim_port *sp = iop_port_priv(port);

	return sp->wire.ops->promisc_set ? sp->wire.ops->promisc_set(&sp->wire, on) : 0;
}
