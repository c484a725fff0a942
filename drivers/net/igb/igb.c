/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82576 (QEMU's igb) PF PMD: up to 8 rx and 8 tx rings of advanced
 * descriptors, polled, interrupts masked. With more than one rx queue, RSS
 * spreads flows over them: Toeplitz hash of the IPv4/IPv6 addresses (and
 * TCP/UDP ports), redirection table filled round-robin over the queues.
 * Rx reports the device's IPv4 and TCP/UDP checksum verdicts in the mbuf;
 * tx inserts the checksums an mbuf asks for (RTE_MBUF_F_TX_IP_CKSUM,
 * RTE_MBUF_F_TX_TCP/UDP_CKSUM).
 * Descriptors carry IOVAs of the device's IOAS from each queue's IOVA cache.
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
#include "igb_regs.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"

#define IGB_MAX_FRAME 1514
#define IGB_MIN_DESC 64
#define IGB_MAX_DESC 4096
/* 82576: 16 queues, of which RSS without VMDq spreads over 8 (as Linux's
 * igb uses them) */
#define IGB_MAX_QUEUES 8
/* As in the e1000e PMD: the rx tail goes back to the device once 32
 * descriptors are free, and every 32nd tx descriptor asks for its status
 * (RS), which then stands for the 32 before it. */
#define IGB_RX_FREE_THRESH 32
#define IGB_TX_RS_THRESH 32

/* The Toeplitz key of Microsoft's RSS specification (its verification
 * suite's key): any 40 bytes spread flows; this one makes hashes
 * reproducible against published test vectors. */
static const uint8_t igb_rss_key[IGB_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct igb_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	volatile uint8_t *regs;
	void *ring;          /* union igb_rx_desc[] or struct igb_tx_desc[] */
	uint64_t ring_iova;
	uint16_t idx;        /* queue number on the device */
	uint16_t size, mask;
	uint16_t next;       /* rx: next to check; tx: next free (tail) */
	uint16_t clean;      /* tx: oldest not yet reclaimed */
	uint16_t hold;       /* rx: processed but not yet given back by RDT */
	uint16_t port_id;
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw;
	struct igb_priv *ip;
	struct iop_iova_cache cache;
};

struct igb_priv {
	volatile uint8_t *regs; /* BAR0 */
	uint16_t nb_rxq, nb_txq;
	struct igb_queue *rxq[IGB_MAX_QUEUES], *txq[IGB_MAX_QUEUES];
	bool promisc;
};

static void igb_queue_release(void *arg);

static inline uint32_t rd(volatile uint8_t *regs, size_t reg)
{
	return iop_mmio_read32(regs, reg);
}

static inline void wr(volatile uint8_t *regs, size_t reg, uint32_t v)
{
	iop_mmio_write32(regs, reg, v);
}

static void igb_mask_irqs(volatile uint8_t *regs)
{
	wr(regs, IGB_EIMC, 0xffffffff);
	wr(regs, IGB_IMC, 0xffffffff);
	(void)rd(regs, IGB_ICR);
}

/* Global reset: the device reset (FLR through VFIO) is preferred; CTRL.RST
 * resets the MAC when the device offers no FLR. */
static int igb_reset(struct iop_pci_dev *pdev, volatile uint8_t *regs)
{
	igb_mask_irqs(regs);
	if (iop_pci_reset(pdev) < 0) {
		wr(regs, IGB_CTRL, rd(regs, IGB_CTRL) | IGB_CTRL_RST);
		usleep(1000);
	}
	if (rd(regs, IGB_STATUS) == 0xffffffff)
		return IOP_ERR(ENODEV, "%s reads all-ones after reset: the device stopped answering",
			       iop_pci_dev_bdf(pdev));
	igb_mask_irqs(regs);
	return 0;
}

/* One PHY register access through MDIC; -EIO when the PHY does not answer. */
static int igb_phy_access(volatile uint8_t *regs, uint32_t op, uint32_t reg, uint16_t *val)
{
	uint32_t mdic = op | reg << IGB_MDIC_REG_SHIFT | IGB_PHY_ADDR << IGB_MDIC_PHY_SHIFT |
			(op == IGB_MDIC_OP_WRITE ? *val : 0);

	wr(regs, IGB_MDIC, mdic);
	for (int i = 0; i < 100; i++) {
		mdic = rd(regs, IGB_MDIC);
		if (mdic & IGB_MDIC_READY) {
			if (mdic & IGB_MDIC_ERROR)
				break;
			*val = (uint16_t)mdic;
			return 0;
		}
		usleep(50);
	}
	return IOP_ERR(EIO, "the 82576's PHY did not answer on MDIC (register %u)", reg);
}

/* Link setup: SLU, then autonegotiation restarted in the PHY. The PHY
 * comes out of a reset without a negotiated link (QEMU's igb too: its link
 * stays down until the driver restarts autonegotiation). */
static int igb_link_setup(volatile uint8_t *regs)
{
	uint16_t bmcr;
	int rc;

	wr(regs, IGB_CTRL, rd(regs, IGB_CTRL) | IGB_CTRL_SLU);
	rc = igb_phy_access(regs, IGB_MDIC_OP_READ, IGB_PHY_BMCR, &bmcr);
	if (rc < 0)
		return rc;
	bmcr |= IGB_BMCR_ANENABLE | IGB_BMCR_ANRESTART;
	return igb_phy_access(regs, IGB_MDIC_OP_WRITE, IGB_PHY_BMCR, &bmcr);
}

static int igb_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct rte_ether_addr mac;
	uint32_t ral, rah;
	void *bar;
	int rc;

	rc = iop_pci_bar_map(pdev, 0, &bar, NULL);
	if (rc < 0)
		return rc;
	ip->regs = bar;
	rc = igb_reset(pdev, ip->regs);
	if (rc < 0)
		return rc;
	rc = igb_link_setup(ip->regs);
	if (rc < 0)
		return rc;
	wr(ip->regs, IGB_CTRL_EXT, rd(ip->regs, IGB_CTRL_EXT) | IGB_CTRL_EXT_DRV_LOAD);
	/* RAL0/RAH0 hold the MAC address loaded from the NVM */
	ral = rd(ip->regs, IGB_RAL0);
	rah = rd(ip->regs, IGB_RAH0);
	if (rah & IGB_RAH_AV) {
		for (int i = 0; i < 4; i++)
			mac.addr_bytes[i] = (uint8_t)(ral >> (8 * i));
		mac.addr_bytes[4] = (uint8_t)rah;
		mac.addr_bytes[5] = (uint8_t)(rah >> 8);
	} else {
		rte_eth_random_addr(mac.addr_bytes);
	}
	iop_port_set_mac(port, &mac);
	ip->promisc = true;
	ip->nb_rxq = ip->nb_txq = 1;
	return 0;
}

static void igb_info_get(struct iop_port *port, struct iop_port_info *info)
{
	info->driver = "igb";
	info->max_rx_queues = IGB_MAX_QUEUES;
	info->max_tx_queues = IGB_MAX_QUEUES;
	info->min_desc = IGB_MIN_DESC;
	info->max_desc = IGB_MAX_DESC;
	info->max_frame_len = IGB_MAX_FRAME;
	info->numa_node = iop_pci_dev_numa_node(iop_pci_port_dev(port));
}

static int igb_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	ip->nb_rxq = conf->nb_rxq;
	ip->nb_txq = conf->nb_txq;
	return 0;
}

static void igb_queue_free(struct igb_queue *q)
{
	if (!q)
		return;
	rte_free(q->sw);
	rte_free(q->ring);
	rte_free(q);
}

static int igb_queue_alloc(struct iop_port *port, uint16_t qi, uint16_t size,
			   struct iop_port_qcounters *cnt, struct igb_queue **out)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	struct iop_ioas *ioas = iop_dev_ioas(iop_pci_dev_iommu(pdev));
	int socket = iop_bus_socket_id(iop_pci_dev_numa_node(pdev));
	size_t bytes = (size_t)size * sizeof(union igb_rx_desc);
	struct igb_queue *q;
	int rc;

	if (!ioas)
		return IOP_ERR(ENODEV, "%s is not attached to an IOAS", iop_pci_dev_bdf(pdev));
	q = rte_zmalloc_socket("iop_igb_q", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (!q)
		return IOP_ERR(ENOMEM, "no hugepage memory for an igb queue: reserve more hugepages");
	q->ring = rte_zmalloc_socket("iop_igb_ring", bytes, 4096, socket);
	q->sw = rte_zmalloc_socket("iop_igb_sw", sizeof(*q->sw) * size, 0, socket);
	if (!q->ring || !q->sw) {
		igb_queue_free(q);
		return IOP_ERR(ENOMEM, "no hugepage memory for an igb ring of %u descriptors: reserve more hugepages",
			       size);
	}
	rc = iop_pci_ring_iova(pdev, ioas, "igb", q->ring, bytes, &q->ring_iova);
	if (rc < 0) {
		igb_queue_free(q);
		return rc;
	}
	q->regs = ip->regs;
	q->idx = qi;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->ip = ip;
	q->q.release = igb_queue_release;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, ioas);
	*out = q;
	return 0;
}

static int igb_rx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
			      struct rte_mempool *mp, struct iop_port_qcounters *cnt,
			      void **rxq)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
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
	rc = igb_queue_alloc(port, qi, nb_desc, cnt, &q);
	if (rc < 0)
		return rc;
	q->mp = mp;
	q->refill = refill;
	iop_pci_cache_run_pool(&q->cache, mp);
	ip->rxq[qi] = q;
	*rxq = q;
	return 0;
}

static int igb_tx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
			      struct iop_port_qcounters *cnt, void **txq)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct igb_queue *q;
	int rc;

	rc = igb_queue_alloc(port, qi, nb_desc, cnt, &q);
	if (rc < 0)
		return rc;
	ip->txq[qi] = q;
	*txq = q;
	return 0;
}

static void igb_queue_release(void *arg)
{
	struct igb_queue *q = arg;

	if (!q)
		return;
	if (q->ip->rxq[q->idx] == q)
		q->ip->rxq[q->idx] = NULL;
	if (q->ip->txq[q->idx] == q)
		q->ip->txq[q->idx] = NULL;
	igb_queue_free(q);
}

static void igb_drop_mbufs(struct igb_queue *q)
{
	if (q)
		iop_pci_free_mbufs(q->sw, q->size);
}

/* Sets a queue's enable bit and waits for the device to show it (a real
 * 82576 takes a few microseconds; QEMU at once). */
static int igb_queue_enable(struct igb_queue *q, size_t ctl)
{
	wr(q->regs, ctl, rd(q->regs, ctl) | IGB_XDCTL_ENABLE);
	for (int i = 0; i < 100; i++) {
		if (rd(q->regs, ctl) & IGB_XDCTL_ENABLE)
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
	wr(q->regs, IGB_RDBAL(q->idx), (uint32_t)q->ring_iova);
	wr(q->regs, IGB_RDBAH(q->idx), (uint32_t)(q->ring_iova >> 32));
	wr(q->regs, IGB_RDLEN(q->idx), (uint32_t)(q->size * sizeof(union igb_rx_desc)));
	wr(q->regs, IGB_SRRCTL(q->idx), (IGB_RX_BUF_SIZE / 1024) * IGB_SRRCTL_BSIZEPKT_1K |
					IGB_SRRCTL_DESCTYPE_ADV_ONEBUF | IGB_SRRCTL_DROP_EN);
	wr(q->regs, IGB_RDH(q->idx), 0);
	rc = igb_queue_enable(q, IGB_RXDCTL(q->idx));
	if (rc < 0)
		return rc;
	/* the device owns RDH..RDT-1: every descriptor but one */
	wr(q->regs, IGB_RDT(q->idx), q->mask);
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
	wr(q->regs, IGB_TDBAL(q->idx), (uint32_t)q->ring_iova);
	wr(q->regs, IGB_TDBAH(q->idx), (uint32_t)(q->ring_iova >> 32));
	wr(q->regs, IGB_TDLEN(q->idx), (uint32_t)(q->size * sizeof(struct igb_tx_desc)));
	wr(q->regs, IGB_TDH(q->idx), 0);
	wr(q->regs, IGB_TDT(q->idx), 0);
	rc = igb_queue_enable(q, IGB_TXDCTL(q->idx));
	if (rc == 0)
		wr(q->regs, IGB_TDT(q->idx), q->next); /* the contexts go first */
	return rc;
}

/* RSS over nb_rxq queues: the key, the redirection table round-robin over
 * the queues, and the hash types. The hash replaces the packet checksum in
 * the descriptor (RXCSUM.PCSD); the IPv4/L4 verdicts stay in the status. */
static void igb_rss_setup(struct igb_priv *ip)
{
	uint32_t rxcsum = IGB_RXCSUM_IPOFLD | IGB_RXCSUM_TUOFLD;

	if (ip->nb_rxq < 2) {
		wr(ip->regs, IGB_MRQC, 0);
		wr(ip->regs, IGB_RXCSUM, rxcsum);
		return;
	}
	for (int i = 0; i < IGB_RSS_KEY_LEN / 4; i++)
		wr(ip->regs, IGB_RSSRK(i), (uint32_t)igb_rss_key[4 * i] |
					   (uint32_t)igb_rss_key[4 * i + 1] << 8 |
					   (uint32_t)igb_rss_key[4 * i + 2] << 16 |
					   (uint32_t)igb_rss_key[4 * i + 3] << 24);
	for (int i = 0; i < IGB_RETA_ENTRIES / 4; i++) {
		uint32_t reta = 0;

		for (int j = 0; j < 4; j++)
			reta |= (uint32_t)((4 * i + j) % ip->nb_rxq) << (8 * j);
		wr(ip->regs, IGB_RETA(i), reta);
	}
	wr(ip->regs, IGB_RXCSUM, rxcsum | IGB_RXCSUM_PCSD);
	wr(ip->regs, IGB_MRQC, IGB_MRQC_RSS | IGB_MRQC_IPV4 | IGB_MRQC_IPV4_TCP |
			       IGB_MRQC_IPV4_UDP | IGB_MRQC_IPV6 | IGB_MRQC_IPV6_TCP |
			       IGB_MRQC_IPV6_UDP);
}

static uint32_t igb_rctl(const struct igb_priv *ip)
{
	uint32_t rctl = IGB_RCTL_EN | IGB_RCTL_BAM | IGB_RCTL_SECRC;

	return ip->promisc ? rctl | IGB_RCTL_UPE | IGB_RCTL_MPE : rctl;
}

static void igb_stop(struct iop_port *port);

static int igb_start(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	int rc = 0;

	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	for (uint16_t i = 0; rc == 0 && i < ip->nb_txq; i++)
		if (ip->txq[i])
			rc = igb_tx_start(ip->txq[i]);
	if (rc == 0) {
		/* IEEE 802.3 collision threshold and distance */
		wr(ip->regs, IGB_TCTL, IGB_TCTL_EN | IGB_TCTL_PSP |
				       0x0fu << IGB_TCTL_CT_SHIFT | 0x3fu << IGB_TCTL_COLD_SHIFT);
		igb_rss_setup(ip);
	}
	for (uint16_t i = 0; rc == 0 && i < ip->nb_rxq; i++)
		if (ip->rxq[i])
			rc = igb_rx_start(ip->rxq[i]);
	if (rc < 0) {
		igb_stop(port);
		return rc;
	}
	wr(ip->regs, IGB_RCTL, igb_rctl(ip));
	return 0;
}

static void igb_stop(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev)) {
		wr(ip->regs, IGB_RCTL, 0);
		wr(ip->regs, IGB_TCTL, 0);
		for (uint16_t i = 0; i < IGB_MAX_QUEUES; i++) {
			wr(ip->regs, IGB_RXDCTL(i), rd(ip->regs, IGB_RXDCTL(i)) & ~IGB_XDCTL_ENABLE);
			wr(ip->regs, IGB_TXDCTL(i), rd(ip->regs, IGB_TXDCTL(i)) & ~IGB_XDCTL_ENABLE);
		}
		/* no DMA into buffers we are about to give back */
		iop_pci_set_bus_master(pdev, false);
	}
	for (uint16_t i = 0; i < IGB_MAX_QUEUES; i++) {
		igb_drop_mbufs(ip->rxq[i]);
		igb_drop_mbufs(ip->txq[i]);
	}
}

static void igb_close(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev)) {
		wr(ip->regs, IGB_CTRL_EXT, rd(ip->regs, IGB_CTRL_EXT) & ~IGB_CTRL_EXT_DRV_LOAD);
		igb_mask_irqs(ip->regs);
	}
}

static int igb_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	uint32_t status = rd(ip->regs, IGB_STATUS);
	static const uint32_t speed[4] = { 10, 100, 1000, 1000 };

	if (status == 0xffffffff)
		return IOP_ERR(ENODEV, "%s stopped answering (reads all-ones)",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)));
	link->up = status & IGB_STATUS_LU;
	link->speed_mbps = link->up ? speed[(status >> IGB_STATUS_SPEED_SHIFT) & 3] : 0;
	return 0;
}

static int igb_promisc_set(struct iop_port *port, bool on)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	ip->promisc = on;
	if (rd(ip->regs, IGB_RCTL) & IGB_RCTL_EN)
		wr(ip->regs, IGB_RCTL, igb_rctl(ip));
	return 0;
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
 * written a descriptor back, over the buffer's address; RDT hands
 * descriptors back to it. Every descriptor processed gets a fresh buffer. */
static uint16_t igb_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct igb_queue *q = arg;
	volatile union igb_rx_desc *ring = q->ring;
	uint16_t idx = q->next, got = 0, done = 0, left = n;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	if (!(ring[idx].wb.status_error & IGB_RXD_STAT_DD))
		return 0;
	b = iop_iova_cache_burst(&q->cache);
	while (left) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = RTE_MIN(left, (uint16_t)IOP_PCI_RX_CHUNK), ready = 0, k;

		while (ready < want &&
		       (ring[(idx + ready) & q->mask].wb.status_error & IGB_RXD_STAT_DD))
			ready++;
		if (!ready)
			break;
		/* the rest of the descriptors after their DD */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		/* frames with no replacement buffer stay in the ring for the next burst */
		k = iop_pci_rx_alloc(&q->refill, &b, q->cnt, ready, &looked, fresh, iova);
		for (unsigned int i = 0; i < k; i++) {
			volatile union igb_rx_desc *d = &ring[idx];
			uint32_t status = d->wb.status_error;
			uint16_t len = d->wb.length;
			struct rte_mbuf *m = q->sw[idx];

			if (likely((status & IGB_RXD_STAT_EOP) && !(status & IGB_RXD_ERR_RXE) &&
				   len <= IGB_MAX_FRAME)) {
				igb_rx_offload(m, status, d->wb.pkt_info, d->wb.rss_hash);
				iop_pci_rx_deliver(m, len, q->cnt);
				pkts[got++] = m;
			} else {
				q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
				iop_pci_rx_recycle(m);
			}
			q->sw[idx] = fresh[i];
			igb_rx_post(d, iova[i]);
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
	if (q->hold >= IGB_RX_FREE_THRESH) {
		/* hand back everything up to the last descriptor we processed */
		wr(q->regs, IGB_RDT(q->idx), (uint32_t)((idx - 1) & q->mask));
		q->hold = 0;
	}
	return got;
}

/* Descriptors between TDH and TDT belong to the device; with RS it sets
 * DD when it is done with one, and with all before it. */
static void igb_tx_reclaim(struct igb_queue *q)
{
	volatile struct igb_tx_desc *ring = q->ring;

	for (;;) {
		/* the RS descriptor that closes the group of q->clean */
		uint16_t rs = (uint16_t)(q->clean | (IGB_TX_RS_THRESH - 1));
		uint16_t posted = (uint16_t)((q->next - q->clean) & q->mask);
		struct rte_mbuf *done[IGB_TX_RS_THRESH];
		unsigned int k = 0;

		if ((uint16_t)(rs - q->clean) >= posted || !(ring[rs].olinfo_status & IGB_TXD_STAT_DD))
			return;
		for (uint16_t i = q->clean; i != (uint16_t)((rs + 1) & q->mask);
		     i = (uint16_t)((i + 1) & q->mask)) {
			done[k++] = q->sw[i];
			q->sw[i] = NULL;
		}
		iop_pci_tx_free(done, k);
		q->clean = (uint16_t)((rs + 1) & q->mask);
	}
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

static uint16_t igb_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct igb_queue *q = arg;
	volatile struct igb_tx_desc *ring = q->ring;
	uint16_t tail = q->next, i;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	igb_tx_reclaim(q);
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	b = iop_iova_cache_burst(&q->cache);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t iova;

		/* one descriptor stays free so that a full ring differs from an empty one */
		if (((tail + 1) & q->mask) == q->clean)
			break;
		iova = iop_pci_tx_iova(&b, q->cnt, m, IGB_MAX_FRAME, &looked);
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
		iop_pci_count_packet(q->cnt, m->pkt_len);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (tail != q->next) {
		q->next = tail;
		wr(q->regs, IGB_TDT(q->idx), tail);
	}
	return i;
}

static const struct iop_port_ops igb_ops = {
	.info_get = igb_info_get,
	.configure = igb_configure,
	.rx_queue_setup = igb_rx_queue_setup,
	.tx_queue_setup = igb_tx_queue_setup,
	.start = igb_start,
	.stop = igb_stop,
	.close = igb_close,
	.link_get = igb_link_get,
	.promisc_set = igb_promisc_set,
};

static const struct iop_pci_id igb_ids[] = {
	{ 0x8086, 0x10c9 }, /* 82576 */
	{ 0, 0 },
};

static struct iop_pci_pmd igb_pmd = {
	.name = "igb",
	.ids = igb_ids,
	.priv_size = sizeof(struct igb_priv),
	.probe = igb_probe,
	.ops = &igb_ops,
	.rx_burst = igb_rx_burst,
	.tx_burst = igb_tx_burst,
};

IOP_PCI_PMD_REGISTER(igb_pmd)
