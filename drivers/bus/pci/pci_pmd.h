/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_PMD_H
#define IOP_PCI_PMD_H

/*
 * PCI PMDs (drivers/net/virtio, drivers/net/e1000e) behind the one `pci`
 * port type: the port driver in pci_port.c opens the device named by
 * "pci:<BDF>", picks the PMD whose ids match and forwards every port op to
 * it. Burst functions cannot be forwarded per port, so each PMD queue
 * starts with a struct iop_pci_q naming its burst function.
 */

#include <stdint.h>

#include "iop_pci.h"
#include "port_driver.h"

struct iop_pci_id {
	uint16_t vendor, device;
};

/* First member of every rx and tx queue of a PCI PMD: its burst function,
 * how to free it (queue release gets no port to find the PMD by) and its
 * IOVA cache (for stats). The PMD sets those three; pci_port.c owns the
 * rest. */
struct iop_pci_q {
	iop_rx_burst_t burst;
	void (*release)(void *q);
	const struct iop_iova_cache *cache;
	struct pci_port *port;  /* for the request-interrupt check */
	uint32_t polls;         /* bursts since the queue started */
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
