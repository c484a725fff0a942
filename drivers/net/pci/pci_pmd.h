/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_PMD_H
#define IOP_PCI_PMD_H

/*
 * PCI PMDs (drivers/net/virtio, e1000e, igb) behind the one `pci` port
 * type: the port driver in pci_port.c opens the device named by
 * "pci:<BDF>", picks the PMD whose ids match, forwards every port op to it
 * and puts the PMD's burst functions in the port's fast-path table.
 */

#include <stdint.h>

#include "iop_pci.h"
#include "port_driver.h"

struct iop_pci_id {
	uint16_t vendor, device;
};

/* First member of every rx and tx queue of a PCI PMD: how to free it
 * (queue release gets no port to find the PMD by). */
struct iop_pci_q {
	void (*release)(void *q);
};

struct iop_pci_pmd {
	const char *name;
	const struct iop_pci_id *ids; /* ends with {0, 0} */
	size_t priv_size;             /* zeroed, iop_pci_port_priv() */
	/* Brings the device up to a known state and sets the port's MAC. */
	int (*probe)(struct iop_port *port, struct iop_pci_dev *pdev);
	/* Every op but rx_burst/tx_burst and the queue releases, which the
	 * queues carry. */
	const struct iop_port_ops *ops;
	/* The fast path, called directly by iop_port_rx_burst/tx_burst (and
	 * by net_iop's ethdev table) with the PMD's queue. */
	iop_rx_burst_t rx_burst;
	iop_tx_burst_t tx_burst;
	struct iop_pci_pmd *next;
};

void iop_pci_pmd_register(struct iop_pci_pmd *pmd);
/* The PMD for these ids, or NULL. */
const struct iop_pci_pmd *iop_pci_pmd_match(uint16_t vendor, uint16_t device);

#define IOP_PCI_PMD_REGISTER(pmd) \
	static void __attribute__((constructor)) iop_pci_pmd_reg_##pmd(void) \
	{ iop_pci_pmd_register(&(pmd)); }

/* For PMD ops: the PMD's state and the device of a pci port. */
void *iop_pci_port_priv(struct iop_port *port);
struct iop_pci_dev *iop_pci_port_dev(struct iop_port *port);

#endif /* IOP_PCI_PMD_H */
