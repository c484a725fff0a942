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
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#define IOP_LOG_PREFIX "e1000e: "
#include "e1000e_offload.h"
#include "e1000e_regs.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"

#define E1000_MIN_DESC 64
/* Most descriptors a frame sent takes (QEMU's model gathers at most 64
 * buffers a frame): with its context it always fits an empty ring. */
#define E1000_TX_MAX_SEGS 32
static_assert(E1000_TX_MAX_SEGS + 1 < E1000_MIN_DESC, "a frame fits the smallest ring");
/* Doorbells and write-backs cost a bus transaction each (and a VM exit
 * under emulation): the tail is moved back to the device once 32 rx
 * descriptors are free, and only every 32nd tx descriptor asks for its
 * status to be reported (RS), which then stands for the 32 before it. */
#define E1000_RX_FREE_THRESH 32
#define E1000_TX_RS_THRESH 32
#define E1000_MAX_DESC 4096

struct e1000_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	volatile uint8_t *regs;
	void *ring;          /* struct e1000_rx_desc[] or e1000_tx_desc[] */
	uint64_t ring_iova;
	uint16_t size, mask;
	uint16_t next;       /* rx: next to check; tx: next free (tail) */
	uint16_t clean;      /* tx: oldest not yet reclaimed */
	uint16_t hold;       /* rx: processed but not yet given back by RDT */
	uint16_t port_id;
	uint16_t buf_len;    /* rx: bytes of each buffer (RCTL.BSIZE) */
	uint32_t max_frame;  /* the MTU's untagged frame (iop_pci_frame_fits) */
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw;
	struct e1000_priv *ep;
	bool rx_csum;        /* rx: deliver the checksum verdicts */
	bool vlan;           /* rx: tags stripped (CTRL.VME) */
	bool scatter;        /* rx: frames over one buffer delivered chained */
	struct iop_pci_rx_chain chain; /* rx: the frame whose EOP is yet to come */
	bool ctx_set;        /* tx: the device holds ctx (one per queue) */
	struct e1000_tx_ctx_desc ctx;
	struct iop_iova_cache cache;
};

struct e1000_priv {
	volatile uint8_t *regs; /* BAR0 */
	struct e1000_queue *rxq, *txq;
	bool promisc;
	uint32_t tctl;          /* TCTL while a move stops the DMA */
	uint64_t rx_offloads;   /* as configured */
	uint64_t tx_offloads;
	uint32_t max_frame;     /* the MTU's untagged frame: MTU and header */
};

static void e1000_queue_release(void *arg);

static inline uint32_t rd(volatile uint8_t *regs, size_t reg)
{
	return iop_mmio_read32(regs, reg);
}

static inline void wr(volatile uint8_t *regs, size_t reg, uint32_t v)
{
	iop_mmio_write32(regs, reg, v);
}

/* 4.6.1: no interrupts while (and after) we set up; we poll. */
static void e1000_mask_irqs(volatile uint8_t *regs)
{
	wr(regs, E1000_IMC, 0xffffffff);
	(void)rd(regs, E1000_ICR);
}

/* 4.6.2: global reset. The device reset (FLR through VFIO) is preferred;
 * CTRL.RST resets the MAC when the device offers no FLR. */
static int e1000_reset(struct iop_pci_dev *pdev, volatile uint8_t *regs)
{
	e1000_mask_irqs(regs);
	if (iop_pci_reset(pdev) < 0) {
		wr(regs, E1000_CTRL, rd(regs, E1000_CTRL) | E1000_CTRL_RST);
		usleep(1000);
	}
	if (rd(regs, E1000_STATUS) == 0xffffffff)
		return IOP_ERR(ENODEV, "%s reads all-ones after reset: the device stopped answering",
			       iop_pci_dev_bdf(pdev));
	e1000_mask_irqs(regs);
	return 0;
}

static int e1000_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct rte_ether_addr mac;
	uint32_t ral, rah;
	void *bar;
	int rc;

	rc = iop_pci_bar_map(pdev, 0, &bar, NULL);
	if (rc < 0)
		return rc;
	ep->regs = bar;
	rc = e1000_reset(pdev, ep->regs);
	if (rc < 0)
		return rc;
	/* 4.6.3: link setup; QEMU negotiates 1000/full on its own */
	wr(ep->regs, E1000_CTRL, rd(ep->regs, E1000_CTRL) | E1000_CTRL_SLU);
	wr(ep->regs, E1000_CTRL_EXT, rd(ep->regs, E1000_CTRL_EXT) | E1000_CTRL_EXT_DRV_LOAD);
	/* 10.2.5: RAL0/RAH0 hold the MAC address loaded from the NVM */
	ral = rd(ep->regs, E1000_RAL0);
	rah = rd(ep->regs, E1000_RAH0);
	if (rah & E1000_RAH_AV) {
		for (int i = 0; i < 4; i++)
			mac.addr_bytes[i] = (uint8_t)(ral >> (8 * i));
		mac.addr_bytes[4] = (uint8_t)rah;
		mac.addr_bytes[5] = (uint8_t)(rah >> 8);
	} else {
		rte_eth_random_addr(mac.addr_bytes);
	}
	iop_port_set_mac(port, &mac);
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
	rte_free(q->sw);
	rte_free(q->ring);
	rte_free(q);
}

static int e1000_queue_alloc(struct iop_port *port, uint16_t size,
			     struct iop_port_qcounters *cnt, struct e1000_queue **out)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	struct iop_ioas *ioas = iop_dev_ioas(iop_pci_dev_iommu(pdev));
	int socket = iop_bus_socket_id(iop_pci_dev_numa_node(pdev));
	size_t bytes = (size_t)size * sizeof(struct e1000_rx_desc);
	struct e1000_queue *q;
	int rc;

	if (!ioas)
		return IOP_ERR(ENODEV, "%s is not attached to an IOAS", iop_pci_dev_bdf(pdev));
	q = rte_zmalloc_socket("iop_e1000_q", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (!q)
		return IOP_ERR(ENOMEM, "no hugepage memory for an e1000e queue: reserve more hugepages");
	q->ring = rte_zmalloc_socket("iop_e1000_ring", bytes, 4096, socket);
	q->sw = rte_zmalloc_socket("iop_e1000_sw", sizeof(*q->sw) * size, 0, socket);
	if (!q->ring || !q->sw) {
		e1000_queue_free(q);
		return IOP_ERR(ENOMEM, "no hugepage memory for an e1000e ring of %u descriptors: reserve more hugepages",
			       size);
	}
	rc = iop_pci_ring_iova(pdev, ioas, "e1000e", q->ring, bytes, &q->ring_iova);
	if (rc < 0) {
		e1000_queue_free(q);
		return rc;
	}
	q->regs = ep->regs;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->ep = ep;
	q->q.release = e1000_queue_release;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, ioas);
	cnt->iova_cache = &q->cache;
	*out = q;
	return 0;
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
	/* the largest buffer size RCTL offers that the mbufs hold */
	q->buf_len = E1000_RX_BUF_MAX;
	while (q->buf_len > room - RTE_PKTMBUF_HEADROOM)
		q->buf_len /= 2;
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

static void e1000_drop_mbufs(struct e1000_queue *q)
{
	if (q)
		iop_pci_free_mbufs(q->sw, q->size);
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
	q->next = q->clean = 0;
	q->max_frame = q->ep->max_frame;
	q->ctx_set = false;
	wr(q->regs, E1000_TDBAL, (uint32_t)q->ring_iova);
	wr(q->regs, E1000_TDBAH, (uint32_t)(q->ring_iova >> 32));
	wr(q->regs, E1000_TDLEN, (uint32_t)(q->size * sizeof(struct e1000_tx_desc)));
	wr(q->regs, E1000_TDH, 0);
	wr(q->regs, E1000_TDT, 0);
	/* 10.2.6: IEEE 802.3 inter-packet gap (IPGT 8, IPGR1 8, IPGR2 6) */
	wr(q->regs, E1000_TIPG, 8u | 8u << 10 | 6u << 20);
	wr(q->regs, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
				0x0fu << E1000_TCTL_CT_SHIFT | 0x3fu << E1000_TCTL_COLD_SHIFT);
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
	uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_LPE |
			e1000_rctl_bsize(ep->rxq->buf_len);

	return ep->promisc ? rctl | E1000_RCTL_UPE | E1000_RCTL_MPE : rctl;
}

static int e1000_start(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	int rc;

	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	wr(ep->regs, E1000_VET, RTE_ETHER_TYPE_VLAN);
	if (ep->rx_offloads & IOP_PORT_RX_OFFLOAD_VLAN_STRIP)
		wr(ep->regs, E1000_CTRL, rd(ep->regs, E1000_CTRL) | E1000_CTRL_VME);
	else
		wr(ep->regs, E1000_CTRL, rd(ep->regs, E1000_CTRL) & ~E1000_CTRL_VME);
	if (ep->txq)
		e1000_tx_start(ep->txq);
	if (ep->rxq) {
		rc = e1000_rx_start(ep->rxq);
		if (rc < 0) {
			e1000_drop_mbufs(ep->rxq);
			return rc;
		}
		wr(ep->regs, E1000_RCTL, e1000_rctl(ep));
	}
	return 0;
}

static void e1000_stop(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev)) {
		wr(ep->regs, E1000_RCTL, 0);
		wr(ep->regs, E1000_TCTL, 0);
		/* no DMA into buffers we are about to give back */
		iop_pci_set_bus_master(pdev, false);
	}
	e1000_drop_mbufs(ep->rxq);
	e1000_drop_mbufs(ep->txq);
	if (ep->rxq)
		iop_pci_rx_chain_reset(&ep->rxq->chain);
}

static void e1000_close(struct iop_port *port)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev)) {
		wr(ep->regs, E1000_CTRL_EXT, rd(ep->regs, E1000_CTRL_EXT) & ~E1000_CTRL_EXT_DRV_LOAD);
		e1000_mask_irqs(ep->regs);
	}
}

static int e1000_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);
	uint32_t status = rd(ep->regs, E1000_STATUS);
	static const uint32_t speed[4] = { 10, 100, 1000, 1000 };

	if (status == 0xffffffff)
		return IOP_ERR(ENODEV, "%s stopped answering (reads all-ones)",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)));
	link->up = status & E1000_STATUS_LU;
	link->speed_mbps = link->up ? speed[(status >> E1000_STATUS_SPEED_SHIFT) & 3] : 0;
	return 0;
}

static int e1000_promisc_set(struct iop_port *port, bool on)
{
	struct e1000_priv *ep = iop_pci_port_priv(port);

	ep->promisc = on;
	if (ep->rxq && (rd(ep->regs, E1000_RCTL) & E1000_RCTL_EN))
		wr(ep->regs, E1000_RCTL, e1000_rctl(ep));
	return 0;
}

/* m, a received frame, with what the device found as configured. */
static inline struct rte_mbuf *e1000_rx_results(const struct e1000_queue *q, struct rte_mbuf *m,
						uint8_t status, uint8_t errors, uint16_t special)
{
	if (q->rx_csum)
		m->ol_flags = e1000_rx_csum_flags(status, errors);
	if (q->vlan)
		e1000_rx_vlan(m, status, special);
	return m;
}

/* 7.1.4: the device sets DD (and EOP on a frame's last buffer) when it has
 * written a descriptor back; RDT hands descriptors back to it. */
static uint16_t e1000_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct e1000_queue *q = arg;
	volatile struct e1000_rx_desc *ring = q->ring;
	uint16_t idx = q->next, got = 0, done = 0, left = n;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	if (!(ring[idx].status & E1000_RXD_STAT_DD))
		return iop_pci_rx_none(&q->cache);
	b = iop_iova_cache_burst(&q->cache);
	while (left) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = RTE_MIN(left, (uint16_t)IOP_PCI_RX_CHUNK), ready = 0, k;

		while (ready < want && (ring[(idx + ready) & q->mask].status & E1000_RXD_STAT_DD))
			ready++;
		if (!ready)
			break;
		/* the rest of the descriptors after their DD */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		/* frames with no replacement buffer stay in the ring for the next burst */
		k = iop_pci_rx_alloc(&q->refill, &b, q->cnt, ready, &looked, fresh, iova);
		for (unsigned int i = 0; i < k; i++) {
			volatile struct e1000_rx_desc *d = &ring[idx];
			uint8_t status = d->status;
			uint16_t len = d->length;
			struct rte_mbuf *m = q->sw[idx];
			uint8_t errors = d->errors;

			/* errors and offload results are those of the EOP descriptor */
			if (likely((status & E1000_RXD_STAT_EOP) && !(errors & E1000_RXD_ERR_FRAME) &&
				   len <= q->max_frame && !iop_pci_rx_chain_open(&q->chain))) {
				iop_pci_rx_deliver(m, len, q->cnt);
				pkts[got++] = e1000_rx_results(q, m, status, errors, d->special);
			} else if (!(status & E1000_RXD_STAT_EOP)) {
				iop_pci_rx_chain_add(&q->chain, m, len, q->max_frame);
			} else {
				m = iop_pci_rx_chain_end(&q->chain, m, len, errors & E1000_RXD_ERR_FRAME,
							 q->scatter, q->max_frame, q->cnt);
				if (m)
					pkts[got++] = e1000_rx_results(q, m, status, errors, d->special);
			}
			q->sw[idx] = fresh[i];
			d->addr = iova[i];
			d->status = 0;
			idx = (uint16_t)((idx + 1) & q->mask);
			done++;
		}
		if (k < ready)
			break;
		left = (uint16_t)(left - k);
	}
	iop_iova_cache_count(&q->cache, looked);
	q->next = idx;
	q->hold = (uint16_t)(q->hold + done);
	if (q->hold >= E1000_RX_FREE_THRESH) {
		/* hand back everything up to the last descriptor we processed */
		wr(q->regs, E1000_RDT, (uint32_t)((idx - 1) & q->mask));
		q->hold = 0;
	}
	return got;
}

/* 7.2: descriptors between TDH and TDT belong to the device; with RS it
 * sets DD when it is done with one, and with all before it. */
static void e1000_tx_reclaim(struct e1000_queue *q)
{
	volatile struct e1000_tx_desc *ring = q->ring;

	for (;;) {
		/* the RS descriptor that closes the group of q->clean */
		uint16_t rs = (uint16_t)(q->clean | (E1000_TX_RS_THRESH - 1));
		uint16_t posted = (uint16_t)((q->next - q->clean) & q->mask);
		struct rte_mbuf *done[E1000_TX_RS_THRESH];
		unsigned int k = 0;

		if ((uint16_t)(rs - q->clean) >= posted || !(ring[rs].status & E1000_TXD_STAT_DD))
			return;
		/* context descriptors carry no mbuf */
		for (uint16_t i = q->clean; i != (uint16_t)((rs + 1) & q->mask);
		     i = (uint16_t)((i + 1) & q->mask)) {
			if (q->sw[i])
				done[k++] = q->sw[i];
			q->sw[i] = NULL;
		}
		iop_pci_tx_free(done, k);
		q->clean = (uint16_t)((rs + 1) & q->mask);
	}
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
 * where it falls; returns the next slot. */
static inline uint16_t e1000_tx_put(struct e1000_queue *q, uint16_t tail,
				    const struct e1000_tx_desc *d, uint64_t iova, uint16_t len)
{
	volatile struct e1000_tx_desc *slot = (volatile struct e1000_tx_desc *)q->ring + tail;

	slot->addr = iova;
	slot->length = len;
	slot->cso = d->cso;
	slot->cmd = d->cmd | e1000_tx_rs(tail);
	slot->status = 0;
	slot->css = d->css;
	slot->special = d->special;
	return (uint16_t)((tail + 1) & q->mask);
}

static uint16_t e1000_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct e1000_queue *q = arg;
	uint16_t tail = q->next, i;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	e1000_tx_reclaim(q);
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	b = iop_iova_cache_burst(&q->cache);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		bool csum = (m->ol_flags & E1000_TX_CSUM_FLAGS) && e1000_tx_csum_fits(m);
		bool vle = (m->ol_flags & RTE_MBUF_F_TX_VLAN) &&
			   (q->ep->tx_offloads & IOP_PORT_TX_OFFLOAD_VLAN_INSERT);
		uint64_t iova[E1000_TX_MAX_SEGS];
		uint16_t len[E1000_TX_MAX_SEGS];
		struct e1000_tx_ctx_desc c;
		struct e1000_tx_desc d;
		bool ctx = false;
		uint32_t bytes = 0;
		unsigned int k;
		/* one descriptor stays free so that a full ring differs from an
		 * empty one */
		unsigned int room = (uint16_t)(q->clean - tail - 1) & q->mask;

		if (room == 0)
			break;
		k = iop_pci_tx_segs(&b, q->cnt, m, q->max_frame, E1000_TX_MAX_SEGS, &looked,
				    iova, len);
		if (k == 0)
			continue;
		if (csum) {
			c = e1000_tx_ctx(m);
			ctx = !q->ctx_set || !e1000_tx_ctx_same(&c, &q->ctx);
		}
		/* a frame with checksums may need a context first; a frame
		 * that does not fit stays the caller's */
		if (k + ctx > room)
			break;
		if (ctx) {
			e1000_tx_ctx_put(q, c, tail);
			tail = (uint16_t)((tail + 1) & q->mask);
		}
		/* 7.2.10.3: every descriptor of the frame carries its options;
		 * the device takes VLE and the tag from the last (EOP) one. The
		 * frame's mbufs go back once that one is done. */
		d = (struct e1000_tx_desc){
			.cso = csum ? E1000_TXD_DTYP_DATA : 0,
			.cmd = E1000_TXD_CMD_IFCS | (csum ? E1000_TXD_CMD_DEXT : 0) |
			       (vle ? E1000_TXD_CMD_VLE : 0),
			.css = csum ? e1000_tx_popts(m) : 0,
			.special = vle ? m->vlan_tci : 0,
		};
		for (unsigned int j = 0; j + 1 < k; j++) {
			q->sw[tail] = NULL;
			tail = e1000_tx_put(q, tail, &d, iova[j], len[j]);
			bytes += len[j];
		}
		d.cmd |= E1000_TXD_CMD_EOP;
		q->sw[tail] = m;
		tail = e1000_tx_put(q, tail, &d, iova[k - 1], len[k - 1]);
		iop_pci_count_packet(q->cnt, bytes + len[k - 1]);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (tail != q->next) {
		q->next = tail;
		wr(q->regs, E1000_TDT, tail);
	}
	return i;
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
			wr(ep->regs, E1000_TCTL, ep->tctl);
		if (ep->rxq)
			wr(ep->regs, E1000_RCTL, e1000_rctl(ep));
		return 0;
	}
	ep->tctl = rd(ep->regs, E1000_TCTL);
	wr(ep->regs, E1000_RCTL, 0);
	wr(ep->regs, E1000_TCTL, ep->tctl & ~E1000_TCTL_EN);
	/* the write is posted: read it back, then let a frame in flight end */
	(void)rd(ep->regs, E1000_STATUS);
	nanosleep(&settle, NULL);
	return 0;
}

static const struct iop_port_ops e1000_ops = {
	.info_get = e1000_info_get,
	.configure = e1000_configure,
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
