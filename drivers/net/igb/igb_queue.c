/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 82576's rings of advanced descriptors, for the PF and VF PMDs
 * (igb_queue.h): up to 8 rx and 8 tx queues, polled. Rx reports the
 * device's IPv4 and TCP/UDP checksum verdicts and the RSS hash in the mbuf;
 * tx inserts the checksums an mbuf asks for (RTE_MBUF_F_TX_IP_CKSUM,
 * RTE_MBUF_F_TX_TCP/UDP_CKSUM). Descriptors carry IOVAs of the device's
 * IOAS from each queue's IOVA cache.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#define IOP_LOG_PREFIX "igb: "
#include "igb_queue.h"
#include "igb_regs.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "pci_pmd_ring.h"

/* As in the e1000e PMD: the rx tail goes back to the device once 32
 * descriptors are free, and every 32nd tx descriptor asks for its status
 * (RS), which then stands for the 32 before it. */
#define IGB_RX_FREE_THRESH 32
#define IGB_TX_RS_THRESH 32

struct igb_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	volatile uint8_t *blk;  /* the queue's register block */
	void *ring;          /* union igb_rx_desc[] or struct igb_tx_desc[] */
	uint64_t ring_iova;
	uint16_t idx;        /* queue number on the device */
	uint16_t size, mask;
	uint16_t next;       /* rx: next to check; tx: next free (tail) */
	uint16_t clean;      /* tx: oldest not yet reclaimed */
	uint16_t hold;       /* rx: processed but not yet given back by RDT */
	uint16_t port_id;
	bool rx_dropping;    /* rx: the frame under way (no EOP yet) is dropped */
	uint32_t max_frame;  /* igb_rings.max_frame at the queue's setup */
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw;
	struct igb_rings *rings;
	struct iop_iova_cache cache;
	uint32_t stopped_dh, stopped_dt; /* head and tail while a move stops the DMA */
};

static void igb_queue_release(void *arg);

static void igb_queue_free(struct igb_queue *q)
{
	if (!q)
		return;
	iop_pci_ring_free(q->ring, q->sw);
	rte_free(q);
}

/* A queue of size descriptors whose register block is at base (the
 * device's rx or tx queue 0) plus qi strides. */
static int igb_queue_alloc(struct iop_port *port, uint16_t qi, uint16_t size, size_t base,
			   struct iop_port_qcounters *cnt, struct igb_queue **out)
{
	struct igb_rings *r = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	struct iop_pci_ring_mem mem;
	struct igb_queue *q;
	int rc;

	q = rte_zmalloc_socket("iop_igb_q", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       iop_bus_socket_id(iop_pci_dev_numa_node(pdev)));
	if (!q)
		return IOP_ERR(ENOMEM, "no hugepage memory for an igb queue: reserve more hugepages");
	/* rx and tx descriptors are both 16 bytes */
	rc = iop_pci_ring_alloc(pdev, "igb", size, sizeof(union igb_rx_desc), &mem);
	if (rc < 0) {
		rte_free(q);
		return rc;
	}
	q->ring = mem.ring;
	q->ring_iova = mem.iova;
	q->sw = mem.sw;
	q->blk = r->regs + base + r->q_stride * qi;
	q->idx = qi;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->rings = r;
	q->q.release = igb_queue_release;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, mem.ioas);
	cnt->iova_cache = &q->cache;
	*out = q;
	return 0;
}

int igb_rx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
		       struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **rxq)
{
	struct igb_rings *r = iop_pci_port_priv(port);
	uint16_t room = rte_pktmbuf_data_room_size(mp);
	struct iop_pci_rx_refill refill;
	struct igb_queue *q;
	int rc;

	/* the device writes up to SRRCTL.BSIZEPACKET bytes whatever the frame */
	if (room < RTE_PKTMBUF_HEADROOM + IGB_RX_BUF_SIZE)
		return IOP_ERR(EINVAL, "mbufs with %u bytes of data room are too small for igb: %u needed (RTE_MBUF_DEFAULT_BUF_SIZE)",
			       room, RTE_PKTMBUF_HEADROOM + IGB_RX_BUF_SIZE);
	rc = iop_pci_rx_refill_init(&refill, mp, iop_port_id(port), RTE_PKTMBUF_HEADROOM, "igb");
	if (rc < 0)
		return rc;
	rc = igb_queue_alloc(port, qi, nb_desc, r->rxq_base, cnt, &q);
	if (rc < 0)
		return rc;
	q->max_frame = r->max_frame;
	q->mp = mp;
	q->refill = refill;
	iop_pci_cache_run_pool(&q->cache, mp);
	r->rxq[qi] = q;
	*rxq = q;
	return 0;
}

int igb_tx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
		       struct iop_port_qcounters *cnt, void **txq)
{
	struct igb_rings *r = iop_pci_port_priv(port);
	struct igb_queue *q;
	int rc;

	rc = igb_queue_alloc(port, qi, nb_desc, r->txq_base, cnt, &q);
	if (rc < 0)
		return rc;
	q->max_frame = r->max_frame;
	r->txq[qi] = q;
	*txq = q;
	return 0;
}

static void igb_queue_release(void *arg)
{
	struct igb_queue *q = arg;

	if (!q)
		return;
	if (q->rings->rxq[q->idx] == q)
		q->rings->rxq[q->idx] = NULL;
	if (q->rings->txq[q->idx] == q)
		q->rings->txq[q->idx] = NULL;
	igb_queue_free(q);
}

static void igb_drop_mbufs(struct igb_queue *rxq, struct igb_queue *txq)
{
	if (rxq)
		iop_pci_free_mbufs(rxq->sw, rxq->size);
	if (txq)
		iop_pci_tx_drop(txq->sw, txq->clean, txq->next, txq->mask);
}

/* Sets a queue's enable bit and waits for the device to show it (a real
 * 82576 takes a few microseconds; QEMU at once). */
static int igb_queue_enable(struct igb_queue *q)
{
	igb_wr(q->blk, IGB_Q_DCTL, igb_rd(q->blk, IGB_Q_DCTL) | IGB_XDCTL_ENABLE);
	for (int i = 0; i < 100; i++) {
		if (igb_rd(q->blk, IGB_Q_DCTL) & IGB_XDCTL_ENABLE)
			return 0;
		usleep(100);
	}
	return IOP_ERR(EIO, "queue %u of the igb did not start within 10 ms", q->idx);
}

static inline void igb_rx_post(volatile union igb_rx_desc *d, uint64_t iova)
{
	d->read.pkt_addr = iova;
	d->read.hdr_addr = 0; /* clears DD: the write-back lands over it */
}

/* rx queue start: ring registers, one buffer of 2 KiB per advanced
 * descriptor, enable, then the tail (ignored while the queue is off). */
static int igb_rx_start(struct igb_queue *q)
{
	union igb_rx_desc *ring = q->ring;
	unsigned int looked = 0;
	int rc;

	struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);

	for (uint16_t i = 0; i < q->size; i++) {
		struct rte_mbuf *m;
		uint64_t iova;

		rc = iop_pci_rx_buf_alloc(&q->refill, &b, "igb", q->size, &looked, &m, &iova);
		if (rc < 0)
			return rc;
		q->sw[i] = m;
		igb_rx_post(&ring[i], iova);
	}
	iop_iova_cache_count(&q->cache, looked);
	q->next = 0;
	q->hold = 0;
	q->rx_dropping = false;
	igb_wr(q->blk, IGB_Q_DBAL, (uint32_t)q->ring_iova);
	igb_wr(q->blk, IGB_Q_DBAH, (uint32_t)(q->ring_iova >> 32));
	igb_wr(q->blk, IGB_Q_DLEN, (uint32_t)(q->size * sizeof(union igb_rx_desc)));
	igb_wr(q->blk, IGB_Q_SRRCTL, (IGB_RX_BUF_SIZE / 1024) * IGB_SRRCTL_BSIZEPKT_1K |
					IGB_SRRCTL_DESCTYPE_ADV_ONEBUF | IGB_SRRCTL_DROP_EN);
	igb_wr(q->blk, IGB_Q_DH, 0);
	rc = igb_queue_enable(q);
	if (rc < 0)
		return rc;
	/* the device owns RDH..RDT-1: every descriptor but one */
	igb_wr(q->blk, IGB_Q_DT, q->mask);
	return 0;
}

/* The two checksum contexts every tx queue keeps from its start: IPv4
 * without options after an untagged Ethernet header, with TCP (index 0) or
 * UDP (index 1), the shape of nearly every frame that asks for it. */
#define IGB_CTX_TCP 0
#define IGB_CTX_UDP 1
#define IGB_CTX_L2_LEN 14
#define IGB_CTX_L3_LEN 20

static void igb_tx_contexts(struct igb_queue *q)
{
	volatile struct igb_tx_ctx_desc *ctx = q->ring;

	for (uint32_t i = IGB_CTX_TCP; i <= IGB_CTX_UDP; i++) {
		ctx[i].vlan_macip_lens = IGB_CTX_L2_LEN << IGB_TXC_MACLEN_SHIFT | IGB_CTX_L3_LEN;
		ctx[i].seqnum_seed = 0;
		ctx[i].type_tucmd_mlhl = IGB_TXD_CMD_DEXT | IGB_TXC_DTYP_CTXT | IGB_TXC_TUCMD_IPV4 |
					 (i == IGB_CTX_TCP ? IGB_TXC_TUCMD_L4T_TCP : 0);
		ctx[i].mss_l4len_idx = i << IGB_TXD_CTX_IDX_SHIFT;
		q->sw[i] = NULL;
	}
	q->next = IGB_CTX_UDP + 1;
}

static int igb_tx_start(struct igb_queue *q)
{
	int rc;

	memset(q->ring, 0, q->size * sizeof(struct igb_tx_desc));
	q->next = q->clean = 0;
	igb_tx_contexts(q);
	igb_wr(q->blk, IGB_Q_DBAL, (uint32_t)q->ring_iova);
	igb_wr(q->blk, IGB_Q_DBAH, (uint32_t)(q->ring_iova >> 32));
	igb_wr(q->blk, IGB_Q_DLEN, (uint32_t)(q->size * sizeof(struct igb_tx_desc)));
	igb_wr(q->blk, IGB_Q_DH, 0);
	igb_wr(q->blk, IGB_Q_DT, 0);
	rc = igb_queue_enable(q);
	if (rc == 0)
		igb_wr(q->blk, IGB_Q_DT, q->next); /* the contexts go first */
	return rc;
}


/* The device's checksum verdicts (only what it checked) and the RSS hash. */
static inline void igb_rx_offload(struct rte_mbuf *m, uint32_t status, uint16_t pkt_info,
				  uint32_t hash)
{
	uint64_t f = 0;

	if (status & IGB_RXD_STAT_IPCS)
		f |= status & IGB_RXD_ERR_IPE ? RTE_MBUF_F_RX_IP_CKSUM_BAD : RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	if (status & IGB_RXD_STAT_L4CS)
		f |= status & IGB_RXD_ERR_L4E ? RTE_MBUF_F_RX_L4_CKSUM_BAD : RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	if (pkt_info & IGB_RXD_RSS_TYPE_MASK) {
		f |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = hash;
	}
	m->ol_flags = f;
}

/* The device sets DD (and EOP on a frame's last buffer) when it has
 * written a descriptor back, over the buffer's address (igb_rx_post
 * clears it). */
static inline bool igb_rx_dd(const volatile void *ring, uint16_t slot)
{
	return ((const volatile union igb_rx_desc *)ring)[slot].wb.status_error & IGB_RXD_STAT_DD;
}

static inline void igb_rx_post_slot(volatile void *ring, uint16_t slot, uint64_t iova)
{
	igb_rx_post((volatile union igb_rx_desc *)ring + slot, iova);
}

/* What an rx burst carries from one frame to the next. */
struct igb_rx_state {
	struct igb_queue *q;
	struct rte_mbuf **pkts;
	uint16_t got;
	bool dropping;      /* q->rx_dropping while the burst runs */
	uint32_t max_frame; /* q->max_frame */
	unsigned int whole; /* frames delivered, and their bytes */
	uint64_t bytes;
};

/* The buffer m the device wrote at slot: a whole frame within the MTU (a
 * tag may add 4) is delivered; anything else (a bad frame, or one over the MTU, which with
 * RCTL.LPE the device hands over, over several buffers when it is longer
 * than one) gives its buffers back and counts once, at its last buffer,
 * as rx_oversize. */
static __rte_always_inline void igb_rx_step(void *arg, volatile void *ring, uint16_t slot,
					    struct rte_mbuf *m)
{
	struct igb_rx_state *st = arg;
	volatile union igb_rx_desc *d = (volatile union igb_rx_desc *)ring + slot;
	uint32_t status = d->wb.status_error;
	uint16_t len = d->wb.length;

	if (likely((status & IGB_RXD_STAT_EOP) && !(status & IGB_RXD_ERR_RXE) && !st->dropping &&
		   (len <= st->max_frame ||
		    iop_pci_frame_fits(rte_pktmbuf_mtod(m, const uint8_t *), len, len,
				       st->max_frame)))) {
		igb_rx_offload(m, status, d->wb.pkt_info, d->wb.rss_hash);
		iop_pci_rx_set_len(m, len);
		st->bytes += len;
		st->whole++;
		st->pkts[st->got++] = m;
		return;
	}
	iop_pci_rx_recycle(m);
	st->dropping = !(status & IGB_RXD_STAT_EOP);
	if (!st->dropping)
		st->q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
}

/* RDT hands the descriptors processed back to the device. */
uint16_t igb_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct igb_queue *q = arg;
	struct igb_rx_state st = { .q = q, .pkts = pkts, .dropping = q->rx_dropping,
				   .max_frame = q->max_frame };
	unsigned int done = iop_pci_rx_walk(q->ring, q->sw, q->mask, &q->next, n, &q->refill,
					    &q->cache, q->cnt, igb_rx_dd, igb_rx_step,
					    igb_rx_post_slot, &st);

	if (done == 0)
		return 0;
	q->rx_dropping = st.dropping;
	iop_pci_count_packets(q->cnt, st.whole, st.bytes);
	q->hold = (uint16_t)(q->hold + done);
	if (q->hold >= IGB_RX_FREE_THRESH) {
		/* hand back everything up to the last descriptor we processed */
		igb_wr(q->blk, IGB_Q_DT, (uint32_t)((q->next - 1) & q->mask));
		q->hold = 0;
	}
	return st.got;
}

/* Descriptors between TDH and TDT belong to the device; with RS it sets
 * DD when it is done with one, and with all before it. */
static inline bool igb_tx_done(const volatile void *ring, uint16_t slot)
{
	return ((const volatile struct igb_tx_desc *)ring)[slot].olinfo_status & IGB_TXD_STAT_DD;
}

/* Checksums a frame of another shape than the contexts' gets in software,
 * before it goes out without offload. */
static void igb_tx_csum_sw(struct rte_mbuf *m)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
	void *l4 = l3 + m->l3_len;
	uint64_t l4t = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	/* where the TCP or UDP checksum field lies in the L4 header */
	size_t ck_off = l4t == RTE_MBUF_F_TX_TCP_CKSUM ? offsetof(struct rte_tcp_hdr, cksum) :
						       offsetof(struct rte_udp_hdr, dgram_cksum);
	uint16_t *ck = l4t == RTE_MBUF_F_TX_TCP_CKSUM || l4t == RTE_MBUF_F_TX_UDP_CKSUM ?
		       (uint16_t *)((uint8_t *)l4 + ck_off) : NULL;

	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		if (ck) {
			*ck = 0;
			*ck = rte_ipv4_udptcp_cksum(ip, l4);
		}
	} else if (ck && (m->ol_flags & RTE_MBUF_F_TX_IPV6)) {
		*ck = 0;
		*ck = rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)l3, l4);
	}
}

#define IGB_TX_CSUM_FLAGS (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)

/* The olinfo bits for the checksums m asks for: the device inserts them
 * when m has the shape of a context (the application has put the
 * pseudo-header sum in the L4 checksum field, as for any Intel NIC);
 * otherwise they are computed here. */
static inline uint32_t igb_tx_csum(struct rte_mbuf *m)
{
	uint64_t l4t = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;

	if (likely(!(m->ol_flags & IGB_TX_CSUM_FLAGS)))
		return 0;
	if ((m->ol_flags & RTE_MBUF_F_TX_IPV4) && m->l2_len == IGB_CTX_L2_LEN &&
	    m->l3_len == IGB_CTX_L3_LEN &&
	    (l4t == RTE_MBUF_F_TX_TCP_CKSUM || l4t == RTE_MBUF_F_TX_UDP_CKSUM || l4t == 0))
		return (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM ? IGB_TXD_POPTS_IXSM : 0) |
		       (l4t ? IGB_TXD_POPTS_TXSM : 0) |
		       (uint32_t)(l4t == RTE_MBUF_F_TX_UDP_CKSUM ? IGB_CTX_UDP : IGB_CTX_TCP)
			       << IGB_TXD_CTX_IDX_SHIFT;
	igb_tx_csum_sw(m);
	return 0;
}

uint16_t igb_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct igb_queue *q = arg;
	volatile struct igb_tx_desc *ring = q->ring;
	uint16_t tail = q->next, i;
	unsigned int looked = 0, sent = 0;
	uint64_t bytes = 0;
	struct iop_iova_burst b;

	/* the checksum contexts at the ring's start carry no mbuf */
	iop_pci_tx_reclaim(q->sw, &q->clean, q->next, q->mask, IGB_TX_RS_THRESH, igb_tx_done, ring);
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	b = iop_iova_cache_burst(&q->cache);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t iova;

		/* one descriptor stays free so that a full ring differs from an empty one */
		if (((tail + 1) & q->mask) == q->clean)
			break;
		iova = iop_pci_tx_iova(&b, q->cnt, m, iop_pci_tx_frame_limit(m, q->max_frame),
				       &looked);
		if (iova == IOP_IOVA_POISON)
			continue;
		ring[tail].addr = iova;
		ring[tail].cmd_type_len = m->data_len | IGB_TXD_DTYP_DATA | IGB_TXD_CMD_DEXT |
					  IGB_TXD_CMD_EOP | IGB_TXD_CMD_IFCS |
					  ((tail & (IGB_TX_RS_THRESH - 1)) == IGB_TX_RS_THRESH - 1 ?
					   IGB_TXD_CMD_RS : 0);
		ring[tail].olinfo_status = (uint32_t)m->pkt_len << IGB_TXD_PAYLEN_SHIFT |
					   igb_tx_csum(m);
		q->sw[tail] = m;
		tail = (uint16_t)((tail + 1) & q->mask);
		bytes += m->pkt_len;
		sent++;
	}
	iop_pci_count_packets(q->cnt, sent, bytes);
	iop_iova_cache_count(&q->cache, looked);
	if (tail != q->next) {
		q->next = tail;
		igb_wr(q->blk, IGB_Q_DT, tail);
	}
	return i;
}

int igb_rings_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct igb_rings *r = iop_pci_port_priv(port);

	r->nb_rxq = conf->nb_rxq;
	r->nb_txq = conf->nb_txq;
	r->max_frame = conf->mtu + RTE_ETHER_HDR_LEN;
	return 0;
}

int igb_rings_start_tx(struct igb_rings *r)
{
	int rc = 0;

	for (uint16_t i = 0; rc == 0 && i < r->nb_txq; i++)
		if (r->txq[i])
			rc = igb_tx_start(r->txq[i]);
	return rc;
}

int igb_rings_start_rx(struct igb_rings *r)
{
	int rc = 0;

	for (uint16_t i = 0; rc == 0 && i < r->nb_rxq; i++)
		if (r->rxq[i])
			rc = igb_rx_start(r->rxq[i]);
	return rc;
}

void igb_rings_stop(struct iop_pci_dev *pdev, struct igb_rings *r)
{
	if (!iop_pci_dev_gone(pdev)) {
		for (uint16_t i = 0; i < r->max_queues; i++) {
			volatile uint8_t *rx = r->regs + r->rxq_base + r->q_stride * i;
			volatile uint8_t *tx = r->regs + r->txq_base + r->q_stride * i;

			igb_wr(rx, IGB_Q_DCTL, igb_rd(rx, IGB_Q_DCTL) & ~IGB_XDCTL_ENABLE);
			igb_wr(tx, IGB_Q_DCTL, igb_rd(tx, IGB_Q_DCTL) & ~IGB_XDCTL_ENABLE);
		}
		/* no DMA into buffers we are about to give back */
		iop_pci_set_bus_master(pdev, false);
	}
	for (uint16_t i = 0; i < r->max_queues; i++)
		igb_drop_mbufs(r->rxq[i], r->txq[i]);
}

/* Clears a queue's enable bit and waits until the device shows it clear:
 * a real 82576 first ends the descriptor fetches and write-backs under
 * way; QEMU's igb clears it at once, and then neither receives into the
 * queue (nor, with every queue off, takes a frame from its backend) nor
 * sends from it. */
static int igb_queue_disable(struct igb_queue *q)
{
	igb_wr(q->blk, IGB_Q_DCTL, igb_rd(q->blk, IGB_Q_DCTL) & ~IGB_XDCTL_ENABLE);
	for (int i = 0; i < 100; i++) {
		if (!(igb_rd(q->blk, IGB_Q_DCTL) & IGB_XDCTL_ENABLE))
			return 0;
		usleep(100);
	}
	return IOP_ERR(EIO, "queue %u of the igb did not stop within 10 ms: the port keeps forwarding; stop it, move it, start it again", q->idx);
}

/* Every queue set up, rx then tx, in the order a move stops them. */
static size_t igb_rings_queues(struct igb_rings *r, struct igb_queue **qs)
{
	size_t n = 0;

	for (uint16_t i = 0; i < r->nb_rxq; i++)
		if (r->rxq[i])
			qs[n++] = r->rxq[i];
	for (uint16_t i = 0; i < r->nb_txq; i++)
		if (r->txq[i])
			qs[n++] = r->txq[i];
	return n;
}

/* A queue goes on where it stopped: its head (which a disable may reset
 * on hardware; QEMU keeps it) is written back while it is off, then the
 * enable, then its tail, which makes QEMU's model look at the ring again
 * (rx: frames it held; tx: descriptors posted while it was off). */
static int igb_queue_resume(struct igb_queue *q)
{
	int rc;

	igb_wr(q->blk, IGB_Q_DH, q->stopped_dh);
	rc = igb_queue_enable(q);
	if (rc == 0)
		igb_wr(q->blk, IGB_Q_DT, q->stopped_dt);
	return rc;
}

static int igb_rings_dma_stop(struct igb_rings *r)
{
	struct igb_queue *qs[2 * IGB_MAX_QUEUES];
	size_t n = igb_rings_queues(r, qs), i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		rc = igb_queue_disable(qs[i]);
		if (rc < 0)
			break;
		qs[i]->stopped_dh = igb_rd(qs[i]->blk, IGB_Q_DH);
		qs[i]->stopped_dt = igb_rd(qs[i]->blk, IGB_Q_DT);
	}
	if (rc < 0) { /* every queue goes on: the move is refused */
		(void)igb_queue_enable(qs[i]);
		while (i--)
			(void)igb_queue_resume(qs[i]);
	}
	return rc;
}

static int igb_rings_dma_restart(struct igb_rings *r)
{
	struct igb_queue *qs[2 * IGB_MAX_QUEUES];
	size_t n = igb_rings_queues(r, qs);
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		int qrc = igb_queue_resume(qs[i]);

		rc = rc ? rc : qrc;
	}
	return rc;
}

int igb_dma_stop(struct iop_port *port, bool stop)
{
	struct igb_rings *r = iop_pci_port_priv(port);

	return stop ? igb_rings_dma_stop(r) : igb_rings_dma_restart(r);
}
