/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_SYSFS_H
#define IOP_PCI_SYSFS_H

/*
 * PCI devices as sysfs shows them (<root>/bus/pci/devices/<bdf>): the one
 * scanner drivers/bus/pci (iop_pci_scan, which adds pci.ids names) and the
 * kernel IOMMU backends (the devices that have an IOMMU group) share, and
 * the folder and link readers both use. root is "/sys" or a test copy.
 */

#include <stddef.h>

#include "iop_bus.h"

/* The sorted names of a folder's entries (no dot entries); free them with
 * iop_sysfs_names_free. -errno if the folder cannot be read. */
int iop_sysfs_names(const char *path, char ***names, size_t *n);
void iop_sysfs_names_free(char **names, size_t n);

/* The base name of the link <root>/bus/pci/devices/<bdf>/<attr>, e.g. the
 * driver's name for attr "driver"; -errno (-ENOENT: no such link). */
int iop_pci_sysfs_link(const char *root, const char *bdf, const char *attr,
		       char *out, size_t len);

/* One device by its canonical address: ids, class, driver ("none"), IOMMU
 * group (-1: none), NUMA node (-1: unknown); bus "pci", desc empty.
 * -ENODEV when there is no such device. */
int iop_pci_sysfs_device(const char *root, const char *bdf, struct iop_bus_dev *dev);

/* Every device, sorted by address, in *devs (free it). Entries that are not
 * PCI addresses, or that vanish while the scan runs, are left out. -errno
 * with a one-line message naming the folder if it cannot be read. */
int iop_pci_sysfs_scan(const char *root, struct iop_bus_dev **devs, size_t *n);

#endif /* IOP_PCI_SYSFS_H */
