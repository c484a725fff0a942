/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_E1000_H
#define IOP_PCI_E1000_H

/*
 * What the Intel e1000 family's PMDs share (as DPDK's e1000 base code
 * serves its em and igb drivers): the 82574L (e1000e) and the 82576 (igb)
 * keep their general registers at the same offsets with the same bits, so
 * bringing the device up, its link, its MAC address, the receive control
 * and stopping and closing it are one rule here. The 82576 VF (igbvf) sees
 * the PF's STATUS at the same offset and takes its link from it. Each
 * PMD's own registers stay in its *_regs.h.
 */

#include <stdbool.h>
#include <stdint.h>

#include "iop_pci.h"
#include "port_driver.h"

/* general registers (82574 datasheet 10.2.2, 82575EB SDM 8.2) */
#define IOP_E1000_CTRL 0x00000
#define IOP_E1000_CTRL_SLU (1u << 6)        /* set link up */
#define IOP_E1000_CTRL_RST (1u << 26)       /* software reset, self-clearing */
#define IOP_E1000_STATUS 0x00008
#define IOP_E1000_STATUS_LU (1u << 1)       /* link up */
#define IOP_E1000_STATUS_SPEED_SHIFT 6      /* 00 10, 01 100, 1x 1000 Mb/s */
#define IOP_E1000_CTRL_EXT 0x00018
#define IOP_E1000_CTRL_EXT_DRV_LOAD (1u << 28) /* a driver owns the device */
/* interrupts: we poll, so every cause is masked */
#define IOP_E1000_ICR 0x000c0
#define IOP_E1000_IMC 0x000d8
#define IOP_E1000_EIMC 0x01528              /* 82576: extended (per-queue) causes */
/* receive and transmit units */
#define IOP_E1000_RCTL 0x00100
#define IOP_E1000_RCTL_EN (1u << 1)
#define IOP_E1000_RCTL_UPE (1u << 3)        /* unicast promiscuous */
#define IOP_E1000_RCTL_MPE (1u << 4)        /* multicast promiscuous */
#define IOP_E1000_RCTL_LPE (1u << 5)        /* long packets: past 1522 bytes */
#define IOP_E1000_RCTL_BAM (1u << 15)       /* accept broadcast */
#define IOP_E1000_RCTL_SECRC (1u << 26)     /* strip the Ethernet CRC */
#define IOP_E1000_TCTL 0x00400
#define IOP_E1000_TCTL_EN (1u << 1)
#define IOP_E1000_TCTL_PSP (1u << 3)        /* pad short packets */
#define IOP_E1000_TCTL_CT_SHIFT 4           /* collision threshold */
#define IOP_E1000_TCTL_COLD_SHIFT 12        /* collision distance */
/* receive address 0: the MAC address loaded from the NVM */
#define IOP_E1000_RAL0 0x05400
#define IOP_E1000_RAH0 0x05404
#define IOP_E1000_RAH_AV (1u << 31)

/* Which e1000 a PMD drives, where the two differ in the shared rules. */
enum iop_e1000_mac_type {
	IOP_E1000_82574, /* e1000e */
	IOP_E1000_82576, /* igb: extended interrupt causes too (EIMC) */
};

/*
 * Brings the device up to a known state at probe: every interrupt masked,
 * a global reset (FLR through VFIO where the device offers it, else
 * CTRL.RST), link up (SLU), the driver's claim (CTRL_EXT.DRV_LOAD) and
 * the port's MAC address from RAL0/RAH0, or a random one when the NVM
 * gave none. -ENODEV when the device reads all-ones after the reset.
 */
int iop_e1000_bring_up(struct iop_port *port, struct iop_pci_dev *pdev, volatile uint8_t *regs,
		       enum iop_e1000_mac_type type);

/* RCTL's bits every e1000 PMD sets: receive on, broadcasts, CRC stripped,
 * and both promiscuous modes when promisc; the PMD adds its own. */
uint32_t iop_e1000_rctl(bool promisc);
/* Promiscuous mode changed: rctl, the PMD's whole RCTL for it, goes to a
 * receive unit that is on (a stopped port takes it at start). */
void iop_e1000_rctl_update(volatile uint8_t *regs, uint32_t rctl);

/* The transmit unit on, padding short frames, with the IEEE 802.3
 * collision threshold and distance. */
void iop_e1000_tx_enable(volatile uint8_t *regs);

/* port stop: the receive and transmit units off and bus mastering off, so
 * that no DMA lands in buffers about to be given back; nothing is touched
 * on a device that is gone. */
void iop_e1000_stop(struct iop_pci_dev *pdev, volatile uint8_t *regs);
/* port close: the driver's claim given up and every interrupt masked. */
void iop_e1000_close(struct iop_pci_dev *pdev, volatile uint8_t *regs,
		     enum iop_e1000_mac_type type);
/* Link state and speed from STATUS (a VF's too); -ENODEV when the device
 * reads all-ones (it stopped answering). */
int iop_e1000_link_get(struct iop_pci_dev *pdev, volatile uint8_t *regs,
		       struct iop_port_link *link);

#endif /* IOP_PCI_E1000_H */
