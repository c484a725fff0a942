/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules the Intel e1000 family's PMDs share (pci_e1000.h). */
#include <errno.h>
#include <unistd.h>

#include <rte_ether.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_e1000.h"

static uint32_t rd(volatile uint8_t *regs, size_t reg)
{
	return iop_mmio_read32(regs, reg);
}

static void wr(volatile uint8_t *regs, size_t reg, uint32_t v)
{
	iop_mmio_write32(regs, reg, v);
}

/* 82574 4.6.1: no interrupts while (and after) we set up; we poll. */
static void e1000_mask_irqs(volatile uint8_t *regs, enum iop_e1000_mac_type type)
{
	if (type == IOP_E1000_82576)
		wr(regs, IOP_E1000_EIMC, 0xffffffff);
	wr(regs, IOP_E1000_IMC, 0xffffffff);
	(void)rd(regs, IOP_E1000_ICR);
}

/* 82574 4.6.2: global reset. The device reset (FLR through VFIO) is
 * preferred; CTRL.RST resets the MAC when the device offers no FLR. */
static int e1000_reset(struct iop_pci_dev *pdev, volatile uint8_t *regs,
		       enum iop_e1000_mac_type type)
{
	e1000_mask_irqs(regs, type);
	if (iop_pci_reset(pdev) < 0) {
		wr(regs, IOP_E1000_CTRL, rd(regs, IOP_E1000_CTRL) | IOP_E1000_CTRL_RST);
		usleep(1000);
	}
	if (rd(regs, IOP_E1000_STATUS) == 0xffffffff)
		return IOP_ERR(ENODEV, "%s reads all-ones after reset: the device stopped answering",
			       iop_pci_dev_bdf(pdev));
	e1000_mask_irqs(regs, type);
	return 0;
}

int iop_e1000_bring_up(struct iop_port *port, struct iop_pci_dev *pdev, volatile uint8_t *regs,
		       enum iop_e1000_mac_type type)
{
	struct rte_ether_addr mac;
	uint32_t ral, rah;
	int rc;

	rc = e1000_reset(pdev, regs, type);
	if (rc < 0)
		return rc;
	/* 82574 4.6.3: link setup (the 82576's PHY wants autonegotiation
	 * restarted besides, which igb does) */
	wr(regs, IOP_E1000_CTRL, rd(regs, IOP_E1000_CTRL) | IOP_E1000_CTRL_SLU);
	wr(regs, IOP_E1000_CTRL_EXT, rd(regs, IOP_E1000_CTRL_EXT) | IOP_E1000_CTRL_EXT_DRV_LOAD);
	/* 82574 10.2.5: RAL0/RAH0 hold the MAC address loaded from the NVM */
	ral = rd(regs, IOP_E1000_RAL0);
	rah = rd(regs, IOP_E1000_RAH0);
	if (rah & IOP_E1000_RAH_AV) {
		for (int i = 0; i < 4; i++)
			mac.addr_bytes[i] = (uint8_t)(ral >> (8 * i));
		mac.addr_bytes[4] = (uint8_t)rah;
		mac.addr_bytes[5] = (uint8_t)(rah >> 8);
	} else {
		rte_eth_random_addr(mac.addr_bytes);
	}
	iop_port_set_mac(port, &mac);
	return 0;
}

uint32_t iop_e1000_rctl(bool promisc)
{
	uint32_t rctl = IOP_E1000_RCTL_EN | IOP_E1000_RCTL_BAM | IOP_E1000_RCTL_SECRC;

	return promisc ? rctl | IOP_E1000_RCTL_UPE | IOP_E1000_RCTL_MPE : rctl;
}

void iop_e1000_rctl_update(volatile uint8_t *regs, uint32_t rctl)
{
	if (rd(regs, IOP_E1000_RCTL) & IOP_E1000_RCTL_EN)
		wr(regs, IOP_E1000_RCTL, rctl);
}

void iop_e1000_tx_enable(volatile uint8_t *regs)
{
	wr(regs, IOP_E1000_TCTL, IOP_E1000_TCTL_EN | IOP_E1000_TCTL_PSP |
				 0x0fu << IOP_E1000_TCTL_CT_SHIFT | 0x3fu << IOP_E1000_TCTL_COLD_SHIFT);
}

void iop_e1000_stop(struct iop_pci_dev *pdev, volatile uint8_t *regs)
{
	if (iop_pci_dev_gone(pdev))
		return;
	wr(regs, IOP_E1000_RCTL, 0);
	wr(regs, IOP_E1000_TCTL, 0);
	iop_pci_set_bus_master(pdev, false);
}

void iop_e1000_close(struct iop_pci_dev *pdev, volatile uint8_t *regs,
		     enum iop_e1000_mac_type type)
{
	if (iop_pci_dev_gone(pdev))
		return;
	wr(regs, IOP_E1000_CTRL_EXT, rd(regs, IOP_E1000_CTRL_EXT) & ~IOP_E1000_CTRL_EXT_DRV_LOAD);
	e1000_mask_irqs(regs, type);
}

int iop_e1000_link_get(struct iop_pci_dev *pdev, volatile uint8_t *regs,
		       struct iop_port_link *link)
{
	static const uint32_t speed[4] = { 10, 100, 1000, 1000 };
	uint32_t status = rd(regs, IOP_E1000_STATUS);

	if (status == 0xffffffff)
		return IOP_ERR(ENODEV, "%s stopped answering (reads all-ones)", iop_pci_dev_bdf(pdev));
	link->up = status & IOP_E1000_STATUS_LU;
	link->speed_mbps = link->up ? speed[(status >> IOP_E1000_STATUS_SPEED_SHIFT) & 3] : 0;
	return 0;
}
