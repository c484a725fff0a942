/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_OWNER_H
#define IOP_PCI_OWNER_H

/*
 * Who holds a device open through VFIO (its cdev /dev/vfio/devices/vfioN or
 * its group node /dev/vfio/<group>), found as lsof does, in /proc/<pid>/fd.
 * While such a holder lives its IOMMU group is owned for user DMA: the
 * kernel lets no kernel driver probe a device of the group (seed 002), and
 * unbinding the held device from vfio-pci waits until the holder closes it.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "iop_pci.h"

struct pci_holder {
	pid_t pid;
	char comm[32];           /* the process's name */
	char bdf[IOP_BDF_LEN];   /* the device it holds */
};

/* True, with the holder, when some process holds bdf open through VFIO. */
bool pci_device_holder(const char *root, const char *bdf, struct pci_holder *h);
/* True, with the holder, when some process holds a device of bdf's IOMMU
 * group (bdf itself included) open through VFIO. */
bool pci_group_holder(const char *root, const char *bdf, struct pci_holder *h);

#endif /* IOP_PCI_OWNER_H */
