/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82576 VF (QEMU's igbvf) PMD. The kernel's igb driver owns the PF
 * and creates the VFs (sriov_numvfs); a VF bound to vfio-pci is driven
 * here: its two rx and two tx rings are the PF's ring format
 * (drivers/net/igb/igb_queue.c), and everything a VF may not touch (its
 * MAC filter, promiscuous modes, whether it may send and receive at all)
 * it asks of the PF over the mailbox (igbvf_mbx.c). The PF decides what
 * reaches the VF: frames for the VF's MAC (which the PF owner may set with
 * `ip link set PFIF vf N mac M`), broadcasts, and multicast if the PF
 * allows it. Linux's igb PF never lets a VF be unicast-promiscuous, and
 * with VFs it does not spread a pool's frames over its rx rings: every
 * frame lands in rx ring 0, so a second rx queue receives nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>

#define IOP_LOG_PREFIX "igbvf: "
#include "../igb/igb_queue.h"
#include "../igb/igb_regs.h"
#include "igbvf_mbx.h"
#include "igbvf_regs.h"
#include "iop_log.h"
#include "pci_e1000.h"

/* How long the PF may take to answer one mailbox step: it answers from
 * its interrupt handler, which a loaded emulated guest may run late. */
#define IGBVF_MBX_TIMEOUT_MS 5000

struct igbvf_priv {
	struct igb_rings r;  /* must stay first (igb_queue.h) */
	volatile uint8_t *regs; /* BAR0 */
	struct igbvf_mbx mbx;
	char pf[IOP_BDF_LEN];   /* the PF's BDF, "" if sysfs does not say */
	char pf_if[16];         /* its kernel interface, "" if none */
};

/* The VF's PF and its interface, for messages. */
static void igbvf_find_pf(struct igbvf_priv *vp, const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	vp->pf[0] = vp->pf_if[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(base) >= sizeof(vp->pf))
		return;
	memcpy(vp->pf, base, strlen(base) + 1);
	iop_pci_netif(NULL, vp->pf, vp->pf_if);
}

/* What the user must put right when the PF does not answer: its driver
 * must be igb, and the mailbox is served only while its interface is up. */
static int igbvf_pf_silent(struct igbvf_priv *vp, const char *bdf, const char *what)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *drv;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", vp->pf);
	n = vp->pf[0] ? readlink(path, target, sizeof(target) - 1) : -1;
	if (n > 0) {
		target[n] = '\0';
		drv = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	} else {
		drv = NULL;
	}
	if (vp->pf[0] && (!drv || strcmp(drv, "igb") != 0))
		return IOP_ERR(EHOSTDOWN, "VF %s: its PF %s is on %s, which does not answer a VF's mailbox (%s): give the PF back to the kernel's igb driver (iop-devices unbind %s), then recreate the VFs",
			       bdf, vp->pf, drv ? drv : "no driver", what, vp->pf);
	if (vp->pf_if[0])
		return IOP_ERR(ETIMEDOUT, "VF %s: its PF %s did not answer the mailbox (%s): the PF's igb driver serves VFs only while its interface is up: ip link set %s up",
			       bdf, vp->pf, what, vp->pf_if);
	return IOP_ERR(ETIMEDOUT, "VF %s: its PF %s did not answer the mailbox (%s): the PF needs the kernel's igb driver with its interface up",
		       bdf, vp->pf[0] ? vp->pf : "(unknown)", what);
}

static void igbvf_mac_words(const struct rte_ether_addr *mac, uint32_t w[2])
{
	const uint8_t *a = mac->addr_bytes;

	w[0] = (uint32_t)a[0] | (uint32_t)a[1] << 8 | (uint32_t)a[2] << 16 | (uint32_t)a[3] << 24;
	w[1] = (uint32_t)a[4] | (uint32_t)a[5] << 8;
}

/*
 * VF reset: CTRL.RST (the PF sees a function-level reset of this VF and
 * forgets its filters), then the reset message, which makes the PF enable
 * the VF's rx and tx and answer with the MAC it has for the VF (ACK), or
 * NACK when it has none: then a random one is asked for.
 */
static int igbvf_reset(struct iop_port *port, struct igbvf_priv *vp, const char *bdf)
{
	uint32_t req[3] = { IGBVF_MSG_RESET }, reply[3] = { 0 };
	struct rte_ether_addr mac;
	int rc;

	igb_wr(vp->regs, IGBVF_EIMC, IGBVF_EIMC_ALL);
	igb_wr(vp->regs, IGBVF_CTRL, IGBVF_CTRL_RST);
	usleep(1000);
	if (igb_rd(vp->regs, IGBVF_STATUS) == 0xffffffff)
		return IOP_ERR(ENODEV, "%s reads all-ones after reset: the VF is gone (was its PF's sriov_numvfs set to 0?)",
			       bdf);
	vp->mbx.pf_reset = false;
	vp->mbx.seen = 0;
	if (igbvf_mbx_wait_pf_ready(&vp->mbx) < 0)
		return igbvf_pf_silent(vp, bdf, "the PF stays in reset");
	rc = igbvf_mbx_call(&vp->mbx, req, 1, reply, 3);
	if (rc == -ETIMEDOUT || rc == -EBUSY)
		return igbvf_pf_silent(vp, bdf, "VF reset");
	if (rc == 0) {
		for (int i = 0; i < 4; i++)
			mac.addr_bytes[i] = (uint8_t)(reply[1] >> (8 * i));
		mac.addr_bytes[4] = (uint8_t)reply[2];
		mac.addr_bytes[5] = (uint8_t)(reply[2] >> 8);
	}
	if (rc == -EPERM || (rc == 0 && rte_is_zero_ether_addr(&mac))) {
		/* the PF has no address for this VF: pick one and ask for it */
		rte_eth_random_addr(mac.addr_bytes);
		req[0] = IGBVF_MSG_SET_MAC;
		igbvf_mac_words(&mac, &req[1]);
		rc = igbvf_mbx_call(&vp->mbx, req, 3, reply, 1);
		if (rc == -EPERM)
			return IOP_ERR(EPERM, "VF %s: the PF %s refused the MAC address the VF asked for: set one on the PF (ip link set %s vf N mac ADDR)",
				       bdf, vp->pf, vp->pf_if[0] ? vp->pf_if : "PFIF");
		if (rc == -ETIMEDOUT || rc == -EBUSY)
			return igbvf_pf_silent(vp, bdf, "MAC address");
	}
	if (rc < 0)
		return IOP_ERR(-rc, "VF %s: the PF's answer to the VF reset makes no sense (0x%08x): is the PF an 82576 on Linux's igb?",
			       bdf, reply[0]);
	iop_port_set_mac(port, &mac);
	return 0;
}

static int igbvf_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(pdev);
	void *bar;
	int rc;

	rc = iop_pci_bar_map(pdev, 0, &bar, NULL);
	if (rc < 0)
		return rc;
	vp->regs = vp->r.regs = bar;
	vp->r.rxq_base = IGBVF_RXQ_BASE;
	vp->r.txq_base = IGBVF_TXQ_BASE;
	vp->r.q_stride = IGBVF_Q_STRIDE;
	vp->r.max_queues = IGBVF_MAX_QUEUES;
	vp->r.nb_rxq = vp->r.nb_txq = 1;
	vp->mbx.regs = vp->regs;
	vp->mbx.timeout_ms = IGBVF_MBX_TIMEOUT_MS;
	igbvf_find_pf(vp, bdf);
	return igbvf_reset(port, vp, bdf);
}

static void igbvf_info_get(struct iop_port *port, struct iop_port_info *info)
{
	info->driver = "igbvf";
	info->max_rx_queues = IGBVF_MAX_QUEUES;
	info->max_tx_queues = IGBVF_MAX_QUEUES;
	info->min_desc = IGB_MIN_DESC;
	info->max_desc = IGB_MAX_DESC;
	info->max_frame_len = IGB_MAX_FRAME;
	info->numa_node = iop_pci_dev_numa_node(iop_pci_port_dev(port));
	/* the rings' tx contexts; rx verdicts and RSS are the PF's to set */
	info->tx_offload_capa = IOP_PORT_TX_OFFLOAD_CHECKSUM;
	info->max_mtu = IGB_MAX_FRAME - RTE_ETHER_HDR_LEN;
}

static void igbvf_stop(struct iop_port *port)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);

	igb_rings_stop(iop_pci_port_dev(port), &vp->r);
}

static int igbvf_start(struct iop_port *port)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	int rc;

	/* the PF reset since the VF's: it no longer lets the VF send or
	 * receive until the VF resets again */
	igbvf_mbx_poll(&vp->mbx);
	if (vp->mbx.pf_reset) {
		rc = igbvf_reset(port, vp, iop_pci_dev_bdf(pdev));
		if (rc < 0)
			return rc;
	}
	iop_pci_set_bus_master(pdev, true);
	rc = igb_rings_start_tx(&vp->r);
	if (rc == 0)
		rc = igb_rings_start_rx(&vp->r);
	if (rc < 0)
		igbvf_stop(port);
	return rc;
}

static void igbvf_close(struct iop_port *port)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);

	/* the PF sees the VF reset and drops its filters for it */
	if (!iop_pci_dev_gone(iop_pci_port_dev(port)))
		igb_wr(vp->regs, IGBVF_CTRL, IGBVF_CTRL_RST);
}

/* Up when the PF's link is up and the PF has not reset under the VF (a
 * reset PF has stopped the VF's queues until it resets too). */
static int igbvf_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);
	int rc = iop_e1000_link_get(iop_pci_port_dev(port), vp->regs, link);

	if (rc < 0)
		return rc;
	igbvf_mbx_poll(&vp->mbx);
	if (vp->mbx.pf_reset || igbvf_mbx_pf_resetting(&vp->mbx))
		*link = (struct iop_port_link){ .up = false, .speed_mbps = 0 };
	return 0;
}

/* A VF is promiscuous only as far as the PF allows: Linux's igb grants
 * multicast-promiscuous and refuses unicast, so "on" asks for both and
 * settles for multicast, saying so once. */
static int igbvf_promisc_set(struct iop_port *port, bool on)
{
	struct igbvf_priv *vp = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(iop_pci_port_dev(port));
	uint32_t req = IGBVF_MSG_SET_PROMISC, reply = 0;
	int rc;

	if (on)
		req |= IGBVF_PROMISC_UNICAST | IGBVF_PROMISC_MULTICAST;
	rc = igbvf_mbx_call(&vp->mbx, &req, 1, &reply, 1);
	if (rc == -EPERM && on) {
		req = IGBVF_MSG_SET_PROMISC | IGBVF_PROMISC_MULTICAST;
		rc = igbvf_mbx_call(&vp->mbx, &req, 1, &reply, 1);
		if (rc == 0)
			IOP_LOG(INFO, "VF %s: the PF allows multicast-promiscuous only: unicast frames reach the VF for its own MAC address alone",
				bdf);
	}
	if (rc == -ETIMEDOUT || rc == -EBUSY)
		return igbvf_pf_silent(vp, bdf, "promiscuous mode");
	if (rc < 0)
		return IOP_ERR(-rc, "VF %s: the PF refused promiscuous mode %s", bdf, on ? "on" : "off");
	return 0;
}

static const struct iop_port_ops igbvf_ops = {
	.info_get = igbvf_info_get,
	.configure = igb_rings_configure,
	.rx_queue_setup = igb_rx_queue_setup,
	.tx_queue_setup = igb_tx_queue_setup,
	.start = igbvf_start,
	.stop = igbvf_stop,
	.close = igbvf_close,
	.link_get = igbvf_link_get,
	.promisc_set = igbvf_promisc_set,
	.dma_stop = igb_dma_stop,
};

static const struct iop_pci_id igbvf_ids[] = {
	{ 0x8086, 0x10ca }, /* 82576 VF */
	{ 0, 0 },
};

static struct iop_pci_pmd igbvf_pmd = {
	.name = "igbvf",
	.ids = igbvf_ids,
	.priv_size = sizeof(struct igbvf_priv),
	.probe = igbvf_probe,
	.ops = &igbvf_ops,
	.rx_burst = igb_rx_burst,
	.tx_burst = igb_tx_burst,
};

IOP_PCI_PMD_REGISTER(igbvf_pmd)
