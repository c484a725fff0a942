/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82574L (QEMU's e1000e) PMD: one rx and one tx ring of legacy
 * descriptors, polled, interrupts masked. Descriptors carry IOVAs of the
 * device's IOAS from each queue's IOVA cache. With checksum offload
 * configured, rx delivers the device's verdicts and tx sends frames that
 * ask for checksums (RTE_MBUF_F_TX_IP_CKSUM, RTE_MBUF_F_TX_TCP/UDP_CKSUM)
 * in extended data descriptors after the context they need. With VLAN
 * strip (and insert) configured, CTRL.VME has the device strip tags on rx
 * and insert those tx descriptors ask for (VLE). Jumbo frames: the MTU
 * comes from the configuration; the device takes long frames (LPE) into
 * buffers as large as the pool's mbufs allow (2 to 16 KiB), and a frame
 * over one buffer spans descriptors and arrives as an mbuf chain
 * (scatter); a chain goes out one descriptor a segment.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#define IOP_LOG_PREFIX "e1000e: "
#include "e1000e.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "pci_e1000.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"

static void e1000_queue_release(void *arg);
static void e1000_bursts(const struct e1000_priv *ep, iop_rx_burst_t *rx, iop_tx_burst_t *tx);

static int e1000_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	void *bar;
	int rc;

	rc = iop_pci_bar_map(pdev, 0, &bar, NULL);
	if (rc < 0)
		return rc;
	ep->regs = bar;
	/* QEMU negotiates 1000/full on its own */
	rc = iop_e1000_bring_up(port, pdev, ep->regs, IOP_E1000_82574);
	if (rc < 0)
		return rc;
	ep->promisc = true;
	return 0;
}

static void e1000_info_get(struct iop_port *port, struct iop_port_info *info)
{
	info->driver = "e1000e";
	info->max_rx_queues = 1;
	info->max_tx_queues = 1;
	info->min_desc = E1000_MIN_DESC;
	info->max_desc = E1000_MAX_DESC;
	info->max_frame_len = E1000_MAX_JUMBO_FRAME;
	info->max_mtu = E1000_MAX_MTU;
	info->rx_offload_capa = IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP |
				IOP_PORT_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT |
				IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
	info->numa_node = iop_pci_dev_numa_node(iop_pci_port_dev(port));
}

static int e1000_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	/* 10.2.2.1: one bit, CTRL.VME, turns on both */
	if ((conf->tx_offloads & IOP_PORT_TX_OFFLOAD_VLAN_INSERT) &&
	    !(conf->rx_offloads & IOP_PORT_RX_OFFLOAD_VLAN_STRIP))
		return IOP_ERR(ENOTSUP, "tx offload vlan_insert: e1000e needs rx offload vlan_strip with it (one switch, CTRL.VME, does both): ask for both");
	ep->rx_offloads = conf->rx_offloads;
	ep->tx_offloads = conf->tx_offloads;
	ep->max_frame = conf->mtu + RTE_ETHER_HDR_LEN;
	return 0;
}

static void e1000_queue_free(struct e1000_queue *q)
{
	if (!q)
		return;
	iop_pci_ring_free(q->ring, q->sw);
	rte_free(q);
}

static int e1000_queue_alloc(struct iop_port *port, uint16_t size,
			     struct iop_port_qcounters *cnt, struct e1000_queue **out)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	struct iop_pci_ring_mem mem;
	struct e1000_queue *q;
	int rc;

	q = rte_zmalloc_socket("iop_e1000_q", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       iop_bus_socket_id(iop_pci_dev_numa_node(pdev)));
	if (!q)
		return IOP_ERR(ENOMEM, "no hugepage memory for an e1000e queue: reserve more hugepages");
	/* rx and tx descriptors are both 16 bytes */
	rc = iop_pci_ring_alloc(pdev, "e1000e", size, sizeof(struct e1000_rx_desc), &mem);
	if (rc < 0) {
		rte_free(q);
		return rc;
	}
	q->ring = mem.ring;
	q->ring_iova = mem.iova;
	q->sw = mem.sw;
	q->regs = ep->regs;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->ep = ep;
	q->q.release = e1000_queue_release;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, mem.ioas);
	cnt->iova_cache = &q->cache;
	*out = q;
	return 0;
}

/* The largest buffer size RCTL offers (2 to 16 KiB, powers of two) that
 * mbufs of room bytes of data room hold after their headroom; 0 below the
 * smallest. */
static uint32_t e1000_rx_buf_len(struct iop_port *port, uint16_t room)
{
	uint32_t len = E1000_RX_BUF_MAX;
	uint32_t avail = room > RTE_PKTMBUF_HEADROOM ? (uint32_t)room - RTE_PKTMBUF_HEADROOM : 0;

	(void)port;
	while (len >= E1000_RX_BUF_MIN && len > avail)
		len /= 2;
	return len >= E1000_RX_BUF_MIN ? len : 0;
}

static int e1000_rx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
				struct rte_mempool *mp, struct iop_port_qcounters *cnt,
				void **rxq)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	uint16_t room = rte_pktmbuf_data_room_size(mp);
	struct iop_pci_rx_refill refill;
	struct e1000_queue *q;
	int rc;

	(void)qi;
	/* the device writes up to RCTL.BSIZE bytes whatever the frame */
	if (room < RTE_PKTMBUF_HEADROOM + E1000_RX_BUF_MIN)
		return IOP_ERR(EINVAL, "mbufs with %u bytes of data room are too small for e1000e: %u needed (RTE_MBUF_DEFAULT_BUF_SIZE)",
			       room, RTE_PKTMBUF_HEADROOM + E1000_RX_BUF_MIN);
	rc = iop_pci_rx_refill_init(&refill, mp, iop_port_id(port), RTE_PKTMBUF_HEADROOM, "e1000e");
	if (rc < 0)
		return rc;
	rc = e1000_queue_alloc(port, nb_desc, cnt, &q);
	if (rc < 0)
		return rc;
	q->mp = mp;
	q->refill = refill;
	q->buf_len = (uint16_t)e1000_rx_buf_len(port, room);
	iop_pci_cache_run_pool(&q->cache, mp);
	ep->rxq = q;
	*rxq = q;
	return 0;
}

static int e1000_tx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
				struct iop_port_qcounters *cnt, void **txq)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct e1000_queue *q;
	int rc;

	(void)qi;
	rc = e1000_queue_alloc(port, nb_desc, cnt, &q);
	if (rc < 0)
		return rc;
	ep->txq = q;
	*txq = q;
	return 0;
}

static void e1000_queue_release(void *arg)
{
	struct e1000_queue *q = arg;

	if (q && q->ep->rxq == q)
		q->ep->rxq = NULL;
	if (q && q->ep->txq == q)
		q->ep->txq = NULL;
	e1000_queue_free(q);
}

static void e1000_drop_mbufs(struct e1000_priv *ep)
{
	if (ep->rxq) {
		iop_pci_free_mbufs(ep->rxq->sw, ep->rxq->size);
		iop_pci_rx_chain_reset(&ep->rxq->chain);
	}
	if (ep->txq)
		iop_pci_tx_drop(ep->txq->sw, ep->txq->clean, ep->txq->next, ep->txq->mask);
}

/* 4.6.5: receive initialization */
static int e1000_rx_start(struct e1000_queue *q)
{
	struct e1000_rx_desc *ring = q->ring;
	unsigned int looked = 0;
	struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);

	for (uint16_t i = 0; i < q->size; i++) {
		struct rte_mbuf *m;
		uint64_t iova;
		int rc = iop_pci_rx_buf_alloc(&q->refill, &b, "e1000e", q->size, &looked, &m, &iova);

		if (rc < 0)
			return rc;
		q->sw[i] = m;
		ring[i] = (struct e1000_rx_desc){ .addr = iova };
	}
	iop_iova_cache_count(&q->cache, looked);
	q->next = 0;
	q->hold = 0;
	q->max_frame = q->ep->max_frame;
	q->scatter = q->ep->rx_offloads & IOP_PORT_RX_OFFLOAD_SCATTER;
	wr(q->regs, E1000_RDBAL, (uint32_t)q->ring_iova);
	wr(q->regs, E1000_RDBAH, (uint32_t)(q->ring_iova >> 32));
	wr(q->regs, E1000_RDLEN, (uint32_t)(q->size * sizeof(struct e1000_rx_desc)));
	wr(q->regs, E1000_RDH, 0);
	/* the device owns RDH..RDT-1: every descriptor but one */
	wr(q->regs, E1000_RDT, q->mask);
	wr(q->regs, E1000_RFCTL, rd(q->regs, E1000_RFCTL) & ~E1000_RFCTL_EXTEN);
	/* 7.1.11: the device checks only what RXCSUM asks for */
	q->rx_csum = q->ep->rx_offloads & IOP_PORT_RX_OFFLOAD_CHECKSUM;
	wr(q->regs, E1000_RXCSUM, q->rx_csum ? E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD : 0);
	q->vlan = q->ep->rx_offloads & IOP_PORT_RX_OFFLOAD_VLAN_STRIP;
	return 0;
}

/* 4.6.6: transmit initialization */
static void e1000_tx_start(struct e1000_queue *q)
{
	memset(q->ring, 0, q->size * sizeof(struct e1000_tx_desc));
	memset(q->sw, 0, q->size * sizeof(*q->sw));
	q->next = q->clean = 0;
	q->max_frame = q->ep->max_frame;
	q->tx_ol = (q->ep->tx_offloads & IOP_PORT_TX_OFFLOAD_CHECKSUM ? E1000_TX_CSUM_FLAGS : 0) |
		   (q->ep->tx_offloads & IOP_PORT_TX_OFFLOAD_VLAN_INSERT ? RTE_MBUF_F_TX_VLAN : 0);
	q->ctx_set = false;
	wr(q->regs, E1000_TDBAL, (uint32_t)q->ring_iova);
	wr(q->regs, E1000_TDBAH, (uint32_t)(q->ring_iova >> 32));
	wr(q->regs, E1000_TDLEN, (uint32_t)(q->size * sizeof(struct e1000_tx_desc)));
	wr(q->regs, E1000_TDH, 0);
	wr(q->regs, E1000_TDT, 0);
	/* 10.2.6: IEEE 802.3 inter-packet gap (IPGT 8, IPGR1 8, IPGR2 6) */
	wr(q->regs, E1000_TIPG, 8u | 8u << 10 | 6u << 20);
	iop_e1000_tx_enable(q->regs);
}

/* 10.2.5.1: the buffer size of RCTL for len (a power of two, 2048..16384) */
static uint32_t e1000_rctl_bsize(uint16_t len)
{
	switch (len) {
	case 16384:
		return E1000_RCTL_BSEX | 1u << E1000_RCTL_BSIZE_SHIFT;
	case 8192:
		return E1000_RCTL_BSEX | 2u << E1000_RCTL_BSIZE_SHIFT;
	case 4096:
		return E1000_RCTL_BSEX | 3u << E1000_RCTL_BSIZE_SHIFT;
	default:
		return 0; /* 2048 */
	}
}

/* LPE always: the device then hands over every frame up to its own limit,
 * and the PMD drops those over the MTU where it counts them (rx_oversize);
 * without LPE the device would drop frames past 1522 bytes unseen. */
static uint32_t e1000_rctl(const struct e1000_priv *ep)
{
	return iop_e1000_rctl(ep->promisc) | IOP_E1000_RCTL_LPE | e1000_rctl_bsize(ep->rxq->buf_len);
}

static int e1000_start(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	iop_rx_burst_t rx;
	iop_tx_burst_t tx;
	int rc;

	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	wr(ep->regs, E1000_VET, RTE_ETHER_TYPE_VLAN);
	if (ep->rx_offloads & IOP_PORT_RX_OFFLOAD_VLAN_STRIP)
		wr(ep->regs, IOP_E1000_CTRL, rd(ep->regs, IOP_E1000_CTRL) | E1000_CTRL_VME);
	else
		wr(ep->regs, IOP_E1000_CTRL, rd(ep->regs, IOP_E1000_CTRL) & ~E1000_CTRL_VME);
	if (ep->txq)
		e1000_tx_start(ep->txq);
	if (ep->rxq) {
		rc = e1000_rx_start(ep->rxq);
		if (rc < 0) {
			iop_pci_free_mbufs(ep->rxq->sw, ep->rxq->size);
			return rc;
		}
		wr(ep->regs, IOP_E1000_RCTL, e1000_rctl(ep));
	}
	e1000_bursts(ep, &rx, &tx);
	iop_port_set_burst(port, rx, tx);
	return 0;
}

static void e1000_stop(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	iop_e1000_stop(iop_pci_port_dev(port), ep->regs);
	e1000_drop_mbufs(ep);
}

static void e1000_close(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	iop_e1000_close(iop_pci_port_dev(port), ep->regs, IOP_E1000_82574);
}

static int e1000_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	return iop_e1000_link_get(iop_pci_port_dev(port), ep->regs, link);
}

static int e1000_promisc_set(struct iop_port *port, bool on)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	ep->promisc = on;
	if (ep->rxq)
		iop_e1000_rctl_update(ep->regs, e1000_rctl(ep));
	return 0;
}

/* m, a received frame, with what the device found as configured: the
 * checksum verdicts (rx_csum) and the tag it stripped (vlan). */
static inline struct rte_mbuf *e1000_rx_results(bool rx_csum, bool vlan, struct rte_mbuf *m,
						uint8_t status, uint8_t errors, uint16_t special)
{
	if (rx_csum)
		m->ol_flags = e1000_rx_csum_flags(status, errors);
	if (vlan)
		e1000_rx_vlan(m, status, special);
	return m;
}

/* 7.1.4: the device sets DD (and EOP on a frame's last buffer) when it has
 * written a descriptor back; a fresh buffer's descriptor has it clear. */
static inline bool e1000_rx_dd(const volatile void *ring, uint16_t slot)
{
	return ((const volatile struct e1000_rx_desc *)ring)[slot].status & E1000_RXD_STAT_DD;
}

static inline void e1000_rx_post(volatile void *ring, uint16_t slot, uint64_t iova)
{
	volatile struct e1000_rx_desc *d = (volatile struct e1000_rx_desc *)ring + slot;

	d->addr = iova;
	d->status = 0;
}

/* What an rx burst carries from one frame to the next (read from the
 * queue once a burst). */
struct e1000_rx_state {
	struct e1000_queue *q;
	struct rte_mbuf **pkts;
	uint32_t max_frame;
	bool rx_csum, vlan; /* as configured: the results to deliver */
	bool open;          /* a chain is under way */
	uint16_t got;
	unsigned int whole; /* frames delivered in one buffer, and their bytes */
	uint64_t bytes;
};

/*
 * The buffer m the device wrote at slot. A frame in one buffer within the
 * MTU takes the first branch; anything else (a chain, a bad frame, one
 * over the MTU even by a tag's 4 bytes) goes through the chain helpers,
 * which apply the frame-length rule. Errors and offload results are those
 * of the EOP descriptor.
 */
static __rte_always_inline void e1000_rx_step(void *arg, volatile void *ring, uint16_t slot,
					      struct rte_mbuf *m)
{
	struct e1000_rx_state *st = arg;
	volatile struct e1000_rx_desc *d = (volatile struct e1000_rx_desc *)ring + slot;
	uint8_t status = d->status, errors = d->errors;
	uint16_t len = d->length;

	if (likely((status & E1000_RXD_STAT_EOP) && !(errors & E1000_RXD_ERR_FRAME) &&
		   len <= st->max_frame && !st->open)) {
		iop_pci_rx_set_len(m, len);
		st->bytes += len;
		st->whole++;
		st->pkts[st->got++] = e1000_rx_results(st->rx_csum, st->vlan, m, status, errors,
						       d->special);
		return;
	}
	if (!(status & E1000_RXD_STAT_EOP)) {
		iop_pci_rx_chain_add(&st->q->chain, m, len, st->max_frame);
	} else {
		m = iop_pci_rx_chain_end(&st->q->chain, m, len, errors & E1000_RXD_ERR_FRAME,
					 st->q->scatter, st->max_frame, st->q->cnt);
		if (m)
			st->pkts[st->got++] = e1000_rx_results(st->rx_csum, st->vlan, m, status,
							       errors, d->special);
	}
	st->open = iop_pci_rx_chain_open(&st->q->chain);
}

/*
 * One body, two bursts (chosen at start, e1000_bursts): `offloads` false
 * leaves out the checksum verdicts and the tag, which no frame of such a
 * queue has. RDT hands the descriptors processed back to the device.
 */
static __rte_always_inline uint16_t e1000_rx(struct e1000_queue *q, struct rte_mbuf **pkts,
					     uint16_t n, bool offloads)
{
	struct e1000_rx_state st = {
		.q = q, .pkts = pkts, .max_frame = q->max_frame,
		.rx_csum = offloads && q->rx_csum, .vlan = offloads && q->vlan,
		.open = iop_pci_rx_chain_open(&q->chain),
	};
	unsigned int done = iop_pci_rx_walk(q->ring, q->sw, q->mask, &q->next, n, &q->refill,
					    &q->cache, q->cnt, e1000_rx_dd, e1000_rx_step,
					    e1000_rx_post, &st);

	if (done == 0)
		return 0;
	iop_pci_count_packets(q->cnt, st.whole, st.bytes);
	q->hold = (uint16_t)(q->hold + done);
	if (q->hold >= E1000_RX_FREE_THRESH) {
		/* hand back everything up to the last descriptor we processed */
		wr(q->regs, E1000_RDT, (uint32_t)((q->next - 1) & q->mask));
		q->hold = 0;
	}
	return st.got;
}

static uint16_t e1000_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return e1000_rx(arg, pkts, n, true);
}

static uint16_t e1000_rx_burst_lean(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return e1000_rx(arg, pkts, n, false);
}

/* 7.2: descriptors between TDH and TDT belong to the device; with RS it
 * sets DD when it is done with one, and with all before it. */
static inline bool e1000_tx_done(const volatile void *ring, uint16_t slot)
{
	return ((const volatile struct e1000_tx_desc *)ring)[slot].status & E1000_TXD_STAT_DD;
}

static inline uint8_t e1000_tx_rs(uint16_t slot)
{
	return (slot & (E1000_TX_RS_THRESH - 1)) == E1000_TX_RS_THRESH - 1 ? E1000_TXD_CMD_RS : 0;
}

/* Writes context c at tail; the device holds it for the frames after. */
static void e1000_tx_ctx_put(struct e1000_queue *q, struct e1000_tx_ctx_desc c, uint16_t tail)
{
	volatile struct e1000_tx_ctx_desc *slot = (volatile struct e1000_tx_ctx_desc *)q->ring + tail;

	q->ctx = c;
	q->ctx_set = true;
	if (e1000_tx_rs(tail))
		c.cmd_len |= E1000_TXC_RS;
	*slot = c;
	q->sw[tail] = NULL;
}

/* Writes data descriptor d for len bytes at iova into slot tail, with RS
 * where it falls, in two stores (the address, then the rest with status
 * 0); returns the next slot. */
static inline uint16_t e1000_tx_put(volatile struct e1000_tx_desc *ring, uint16_t mask,
				    uint16_t tail, struct e1000_tx_desc d, uint64_t iova,
				    uint16_t len)
{
	uint64_t upper;

	d.length = len;
	d.cmd |= e1000_tx_rs(tail);
	d.status = 0;
	memcpy(&upper, (const uint8_t *)&d + 8, sizeof(upper));
	ring[tail].addr = iova;
	*(volatile uint64_t *)((volatile uint8_t *)&ring[tail] + 8) = upper;
	return (uint16_t)((tail + 1) & mask);
}

/* The data descriptor's options for m: the checksums (with the context
 * they need, *ctx when it is not the one the device holds) and the tag
 * the configuration lets m ask for (q->tx_ol). */
static inline struct e1000_tx_desc e1000_tx_opts(const struct e1000_queue *q, struct rte_mbuf *m,
						 struct e1000_tx_ctx_desc *c, bool *ctx)
{
	uint64_t asked = m->ol_flags & q->tx_ol;
	bool csum = (asked & E1000_TX_CSUM_FLAGS) && e1000_tx_csum_fits(m);
	bool vle = asked & RTE_MBUF_F_TX_VLAN;

	*ctx = false;
	if (csum) {
		*c = e1000_tx_ctx(m);
		*ctx = !q->ctx_set || !e1000_tx_ctx_same(c, &q->ctx);
	}
	return (struct e1000_tx_desc){
		.cso = csum ? E1000_TXD_DTYP_DATA : 0,
		.cmd = E1000_TXD_CMD_IFCS | (csum ? E1000_TXD_CMD_DEXT : 0) |
		       (vle ? E1000_TXD_CMD_VLE : 0),
		.css = csum ? e1000_tx_popts(m) : 0,
		.special = vle ? m->vlan_tci : 0,
	};
}

/* What e1000_tx_frame did with a frame. */
enum e1000_tx_verdict { E1000_TX_POSTED, E1000_TX_DROPPED, E1000_TX_NO_ROOM };

/*
 * Posts any frame at *tail, with `room` descriptors free: one descriptor a
 * segment (iop_pci_tx_segs), with the options and checksum context the
 * frame asks for among tx_ol, and counts it. A dropped frame is freed and
 * counted (iop_pci_tx_segs); one that does not fit stays the caller's.
 * Out of line: the bursts post a frame in one segment that asks for
 * nothing themselves.
 */
static enum e1000_tx_verdict e1000_tx_frame(struct e1000_queue *q, const struct iop_iova_burst *b,
					    struct rte_mbuf *m, uint64_t tx_ol, unsigned int room,
					    uint16_t *tail, unsigned int *looked)
{
	volatile struct e1000_tx_desc *ring = q->ring;
	struct e1000_tx_desc d = { .cmd = E1000_TXD_CMD_IFCS };
	struct e1000_tx_ctx_desc c;
	uint64_t iova[E1000_TX_MAX_SEGS];
	uint16_t len[E1000_TX_MAX_SEGS];
	uint16_t t = *tail;
	uint32_t bytes = 0;
	bool ctx = false;
	unsigned int k;

	k = iop_pci_tx_segs(b, q->cnt, m, q->max_frame, E1000_TX_MAX_SEGS, looked, iova, len);
	if (k == 0)
		return E1000_TX_DROPPED;
	if (m->ol_flags & tx_ol)
		d = e1000_tx_opts(q, m, &c, &ctx);
	/* a frame with checksums may need a context first */
	if (k + ctx > room)
		return E1000_TX_NO_ROOM;
	if (ctx) {
		e1000_tx_ctx_put(q, c, t);
		t = (uint16_t)((t + 1) & q->mask);
	}
	/* 7.2.10.3: every descriptor of the frame carries its options; the
	 * device takes VLE and the tag from the last (EOP) one. The frame's
	 * mbufs go back once that one is done. */
	for (unsigned int j = 0; j + 1 < k; j++) {
		q->sw[t] = NULL;
		t = e1000_tx_put(ring, q->mask, t, d, iova[j], len[j]);
		bytes += len[j];
	}
	d.cmd |= E1000_TXD_CMD_EOP;
	q->sw[t] = m;
	*tail = e1000_tx_put(ring, q->mask, t, d, iova[k - 1], len[k - 1]);
	iop_pci_count_packet(q->cnt, bytes + len[k - 1]);
	return E1000_TX_POSTED;
}

/*
 * One body, two bursts (chosen at start, e1000_bursts): with `offloads`
 * false no frame's flags are read, as the configuration enabled none
 * (doc/ports.md: a flag whose offload is not enabled is ignored). A frame
 * in one segment within the MTU that asks for no offload is posted here
 * as one descriptor; any other goes through e1000_tx_frame.
 */
static __rte_always_inline uint16_t e1000_tx(struct e1000_queue *q, struct rte_mbuf **pkts,
					     uint16_t n, bool offloads)
{
	volatile struct e1000_tx_desc *ring = q->ring;
	struct rte_mbuf **sw = q->sw;
	const uint16_t mask = q->mask;
	const uint32_t max_frame = q->max_frame;
	const uint64_t tx_ol = offloads ? q->tx_ol : 0;
	const struct e1000_tx_desc plain = { .cmd = E1000_TXD_CMD_IFCS | E1000_TXD_CMD_EOP };
	struct iop_port_qcounters *cnt = q->cnt;
	uint16_t tail = q->next, clean, i;
	unsigned int looked = 0, sent = 0, room;
	uint64_t bytes = 0;
	struct iop_iova_burst b;

	iop_pci_tx_reclaim(sw, &q->clean, tail, mask, E1000_TX_RS_THRESH, e1000_tx_done, ring);
	clean = q->clean;
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	b = iop_iova_cache_burst(&q->cache);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t iova;

		/* one descriptor stays free so that a full ring differs from
		 * an empty one; a frame that does not fit stays the caller's */
		room = (uint16_t)(clean - tail - 1) & mask;
		if (room == 0)
			break;
		if (unlikely(m->nb_segs != 1 || m->data_len > max_frame ||
			     (offloads && (m->ol_flags & tx_ol)))) {
			enum e1000_tx_verdict v = e1000_tx_frame(q, &b, m, tx_ol, room, &tail, &looked);

			if (v == E1000_TX_NO_ROOM)
				break;
			continue;
		}
		iova = iop_pci_tx_seg_iova(&b, cnt, m, &looked);
		if (unlikely(iova == IOP_IOVA_POISON))
			continue;
		sw[tail] = m;
		tail = e1000_tx_put(ring, mask, tail, plain, iova, m->data_len);
		bytes += m->data_len;
		sent++;
	}
	iop_pci_count_packets(cnt, sent, bytes);
	iop_iova_cache_count(&q->cache, looked);
	if (tail != q->next) {
		q->next = tail;
		wr(q->regs, E1000_TDT, tail);
	}
	return i;
}

static uint16_t e1000_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return e1000_tx(arg, pkts, n, true);
}

static uint16_t e1000_tx_burst_lean(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return e1000_tx(arg, pkts, n, false);
}

/* The bursts for the configuration, as DPDK's PMDs pick theirs: the lean
 * ones where no offload that reads or writes an mbuf's flags is on. Scatter
 * and the MTU change nothing on the common frame's path. */
static void e1000_bursts(const struct e1000_priv *ep, iop_rx_burst_t *rx, iop_tx_burst_t *tx)
{
	*rx = ep->rx_offloads & (IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP) ?
	      e1000_rx_burst : e1000_rx_burst_lean;
	*tx = ep->tx_offloads & (IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT) ?
	      e1000_tx_burst : e1000_tx_burst_lean;
}

/* Live moves (doc/move.md): the receive and transmit units go off, so the
 * device reaches no memory while its domain changes; the rings, the
 * buffers posted and what waits to be sent stay, and they go on when the
 * units are on again. A frame that arrives meanwhile is the wire's. */
static int e1000_dma_stop(struct iop_port *port, bool stop)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct timespec settle = {0, 1000000};

	if (!stop) {
		if (ep->txq)
			wr(ep->regs, IOP_E1000_TCTL, ep->tctl);
		if (ep->rxq)
			wr(ep->regs, IOP_E1000_RCTL, e1000_rctl(ep));
		return 0;
	}
	ep->tctl = rd(ep->regs, IOP_E1000_TCTL);
	wr(ep->regs, IOP_E1000_RCTL, 0);
	wr(ep->regs, IOP_E1000_TCTL, ep->tctl & ~IOP_E1000_TCTL_EN);
	/* the write is posted: read it back, then let a frame in flight end */
	(void)rd(ep->regs, IOP_E1000_STATUS);
	nanosleep(&settle, NULL);
	return 0;
}

static const struct iop_port_ops e1000_ops = {
	.info_get = e1000_info_get,
	.configure = e1000_configure,
	.rx_buf_len = e1000_rx_buf_len,
	.rx_queue_setup = e1000_rx_queue_setup,
	.tx_queue_setup = e1000_tx_queue_setup,
	.start = e1000_start,
	.stop = e1000_stop,
	.close = e1000_close,
	.link_get = e1000_link_get,
	.promisc_set = e1000_promisc_set,
	.dma_stop = e1000_dma_stop,
};

static const struct iop_pci_id e1000_ids[] = {
	{ 0x8086, 0x10d3 }, /* 82574L */
	{ 0, 0 },
};

static struct iop_pci_pmd e1000_pmd = {
	.name = "e1000e",
	.ids = e1000_ids,
	.priv_size = sizeof(struct e1000_priv),
	.probe = e1000_probe,
	.ops = &e1000_ops,
	.rx_burst = e1000_rx_burst,
	.tx_burst = e1000_tx_burst,
};

IOP_PCI_PMD_REGISTER(e1000_pmd)
