/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_DEV_H
#define IOP_PCI_DEV_H

/* The state of an opened PCI device, shared by pci_vfio.c and pci_irq.c. */

#include "iop_pci.h"

#define PCI_BARS 6
#define PCI_MSIX_MAX 32

struct iop_pci_dev {
	struct iop_dev *dev;
	int fd;                     /* VFIO device fd, owned by lib/iommu */
	char bdf[IOP_BDF_LEN];
	int numa_node;
	uint32_t vfio_flags;        /* VFIO_DEVICE_FLAGS_* */
	uint64_t cfg_offset;        /* config region offset in fd */
	uint8_t cfg[IOP_PCI_CFG_SIZE];
	void *bar[PCI_BARS];
	size_t bar_len[PCI_BARS];
	unsigned int nmsix;
	int msix_fd[PCI_MSIX_MAX];
	int req_fd;                 /* -1 when not enabled */
};

int pci_irq_set_eventfds(struct iop_pci_dev *p, unsigned int index,
			 unsigned int n, const int *fds);
void pci_irq_release(struct iop_pci_dev *p);

#endif /* IOP_PCI_DEV_H */
