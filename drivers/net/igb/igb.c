/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82576 (QEMU's igb) PF PMD: reset, link, MAC, and up to 8 rx and 8
 * tx rings (igb_queue.c), polled, interrupts masked. RSS as the port's
 * configuration asks (struct iop_port_rss_conf): a Toeplitz hash with its
 * 40-byte key of the IPv4/IPv6 addresses (and TCP/UDP ports) of the hash
 * types it names, the 128-entry redirection table spreading the hashes
 * over the rx queues.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>

#define IOP_LOG_PREFIX "igb: "
#include "igb_queue.h"
#include "igb_regs.h"
#include "iop_log.h"
#include "pci_e1000.h"

struct igb_priv {
	struct igb_rings r;  /* must stay first (igb_queue.h) */
	volatile uint8_t *regs; /* BAR0 */
	bool promisc;
	struct iop_port_rss_conf rss; /* complete (lib/port): key and table */
};

/* The hash types the 82576 has an MRQC field for (SDM 5.4.2). */
static const struct {
	uint64_t type;
	uint32_t mrqc;
} igb_rss_fields[] = {
	{ IOP_PORT_RSS_IPV4, IGB_MRQC_IPV4 },
	{ IOP_PORT_RSS_NONFRAG_IPV4_TCP, IGB_MRQC_IPV4_TCP },
	{ IOP_PORT_RSS_NONFRAG_IPV4_UDP, IGB_MRQC_IPV4_UDP },
	{ IOP_PORT_RSS_IPV6, IGB_MRQC_IPV6 },
	{ IOP_PORT_RSS_NONFRAG_IPV6_TCP, IGB_MRQC_IPV6_TCP },
	{ IOP_PORT_RSS_NONFRAG_IPV6_UDP, IGB_MRQC_IPV6_UDP },
};

/* One PHY register access through MDIC; -EIO when the PHY does not answer. */
static int igb_phy_access(volatile uint8_t *regs, uint32_t op, uint32_t reg, uint16_t *val)
{
	uint32_t mdic = op | reg << IGB_MDIC_REG_SHIFT | IGB_PHY_ADDR << IGB_MDIC_PHY_SHIFT |
			(op == IGB_MDIC_OP_WRITE ? *val : 0);

	igb_wr(regs, IGB_MDIC, mdic);
	for (int i = 0; i < 100; i++) {
		mdic = igb_rd(regs, IGB_MDIC);
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

/* Autonegotiation restarted in the PHY, after SLU (iop_e1000_bring_up).
 * The PHY comes out of a reset without a negotiated link (QEMU's igb too:
 * its link stays down until the driver restarts autonegotiation). */
static int igb_phy_autoneg(volatile uint8_t *regs)
{
	uint16_t bmcr;
	int rc;

	rc = igb_phy_access(regs, IGB_MDIC_OP_READ, IGB_PHY_BMCR, &bmcr);
	if (rc < 0)
		return rc;
	bmcr |= IGB_BMCR_ANENABLE | IGB_BMCR_ANRESTART;
	return igb_phy_access(regs, IGB_MDIC_OP_WRITE, IGB_PHY_BMCR, &bmcr);
}

static int igb_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	void *bar;
	int rc;

	/* their mailbox would go unanswered: the VFs need the kernel's igb */
	rc = iop_pci_sriov_refuse_pf(NULL, iop_pci_dev_bdf(pdev),
				     "whose mailbox the igb PMD does not serve (leave the PF to the kernel's igb driver)");
	if (rc < 0)
		return rc;
	rc = iop_pci_bar_map(pdev, 0, &bar, NULL);
	if (rc < 0)
		return rc;
	ip->regs = ip->r.regs = bar;
	ip->r.rxq_base = IGB_PF_RXQ_BASE;
	ip->r.txq_base = IGB_PF_TXQ_BASE;
	ip->r.q_stride = IGB_PF_Q_STRIDE;
	ip->r.max_queues = IGB_MAX_QUEUES;
	rc = iop_e1000_bring_up(port, pdev, ip->regs, IOP_E1000_82576);
	if (rc < 0)
		return rc;
	rc = igb_phy_autoneg(ip->regs);
	if (rc < 0)
		return rc;
	ip->promisc = true;
	ip->r.nb_rxq = ip->r.nb_txq = 1;
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
	info->rx_offload_capa = IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_RSS_HASH;
	info->tx_offload_capa = IOP_PORT_TX_OFFLOAD_CHECKSUM;
	for (size_t i = 0; i < RTE_DIM(igb_rss_fields); i++)
		info->rss_hash_types |= igb_rss_fields[i].type;
	info->rss_key_size = IGB_RSS_KEY_LEN;
	info->reta_size = IGB_RETA_ENTRIES;
	info->max_mtu = IGB_MAX_FRAME - RTE_ETHER_HDR_LEN;
}

static int igb_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	ip->rss = conf->rss;
	return igb_rings_configure(port, conf);
}

/* RSS as configured: the key, the redirection table and the hash types
 * (none: RSS off, everything to queue 0). The hash replaces the packet
 * checksum in the descriptor (RXCSUM.PCSD); the IPv4/L4 verdicts stay in
 * the status. */
static void igb_rss_setup(struct igb_priv *ip)
{
	const struct iop_port_rss_conf *rss = &ip->rss;
	uint32_t rxcsum = IGB_RXCSUM_IPOFLD | IGB_RXCSUM_TUOFLD, mrqc = 0;

	for (size_t i = 0; i < RTE_DIM(igb_rss_fields); i++)
		if (rss->hash_types & igb_rss_fields[i].type)
			mrqc |= igb_rss_fields[i].mrqc;
	if (!mrqc || rss->key_len != IGB_RSS_KEY_LEN || rss->reta_size != IGB_RETA_ENTRIES) {
		igb_wr(ip->regs, IGB_MRQC, 0);
		igb_wr(ip->regs, IGB_RXCSUM, rxcsum);
		return;
	}
	for (int i = 0; i < IGB_RSS_KEY_LEN / 4; i++)
		igb_wr(ip->regs, IGB_RSSRK(i), (uint32_t)rss->key[4 * i] |
					       (uint32_t)rss->key[4 * i + 1] << 8 |
					       (uint32_t)rss->key[4 * i + 2] << 16 |
					       (uint32_t)rss->key[4 * i + 3] << 24);
	for (int i = 0; i < IGB_RETA_ENTRIES / 4; i++) {
		uint32_t reta = 0;

		for (int j = 0; j < 4; j++)
			reta |= (uint32_t)(rss->reta[4 * i + j] & 0xff) << (8 * j);
		igb_wr(ip->regs, IGB_RETA(i), reta);
	}
	igb_wr(ip->regs, IGB_RXCSUM, rxcsum | IGB_RXCSUM_PCSD);
	igb_wr(ip->regs, IGB_MRQC, IGB_MRQC_RSS | mrqc);
}

/* New RSS settings, complete as for configure; a started port takes them
 * at once (frames in flight may land by the old ones). */
static int igb_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	ip->rss = *rss;
	if (igb_rd(ip->regs, IOP_E1000_RCTL) & IOP_E1000_RCTL_EN)
		igb_rss_setup(ip);
	return 0;
}

/* LPE, with the longest length RLPML takes: the device hands over every
 * frame up to 16 KiB, and the PMD drops those over the MTU where it
 * counts them (rx_oversize). Without LPE QEMU's 82576 drops frames over
 * 1514 bytes (1518 tagged) unseen, and counts them nowhere: it adds to
 * ROC only in VMDq mode. */
static uint32_t igb_rctl(const struct igb_priv *ip)
{
	return iop_e1000_rctl(ip->promisc) | IOP_E1000_RCTL_LPE;
}

static void igb_stop(struct iop_port *port);

static int igb_start(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	int rc = 0;

	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	rc = igb_rings_start_tx(&ip->r);
	if (rc == 0) {
		iop_e1000_tx_enable(ip->regs);
		igb_rss_setup(ip);
		igb_wr(ip->regs, IGB_RLPML, IGB_RLPML_MAX);
	}
	if (rc == 0)
		rc = igb_rings_start_rx(&ip->r);
	if (rc < 0) {
		igb_stop(port);
		return rc;
	}
	igb_wr(ip->regs, IOP_E1000_RCTL, igb_rctl(ip));
	return 0;
}

static void igb_stop(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	iop_e1000_stop(pdev, ip->regs);
	igb_rings_stop(pdev, &ip->r);
}

static void igb_close(struct iop_port *port)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	iop_e1000_close(iop_pci_port_dev(port), ip->regs, IOP_E1000_82576);
}

static int igb_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	return iop_e1000_link_get(iop_pci_port_dev(port), ip->regs, link);
}

static int igb_promisc_set(struct iop_port *port, bool on)
{
	struct igb_priv *ip = iop_pci_port_priv(port);

	ip->promisc = on;
	iop_e1000_rctl_update(ip->regs, igb_rctl(ip));
	return 0;
}

static const struct iop_port_ops igb_ops = {
	.info_get = igb_info_get,
	.configure = igb_configure,
	.rss_update = igb_rss_update,
	.rx_queue_setup = igb_rx_queue_setup,
	.tx_queue_setup = igb_tx_queue_setup,
	.start = igb_start,
	.stop = igb_stop,
	.close = igb_close,
	.link_get = igb_link_get,
	.promisc_set = igb_promisc_set,
	.dma_stop = igb_dma_stop,
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
