/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_SYSFS_H
#define IOP_IOMMU_SYSFS_H

/*
 * What the real backends read from /sys/bus/pci: a device's driver, IOMMU
 * group, ids, NUMA node and VFIO cdev name, and the members of a group.
 * sysfs_root is "/sys" or a test copy of it.
 */

#include <stddef.h>

#include "iop_iommu.h"

/* Every PCI device that has an IOMMU group, sorted by address. *count is
 * the number present; up to max are filled. */
int iop_sysfs_pci_scan(const char *sysfs_root, struct iop_dev_info *info,
		       size_t max, size_t *count);

/* One device: -ENODEV if there is no such PCI device, -ENOENT if it has
 * no IOMMU group (no IOMMU, or it is disabled). driver is "none" when the
 * device has no driver. */
int iop_sysfs_pci_info(const char *sysfs_root, const char *bdf,
		       struct iop_dev_info *info);

/* "vfioN" of the device's VFIO cdev; -ENOENT when it has none (not bound
 * to vfio-pci, or the kernel lacks CONFIG_VFIO_DEVICE_CDEV). */
int iop_sysfs_vfio_cdev(const char *sysfs_root, const char *bdf, char *name,
			size_t len);

/* Writes into why the members of a group that make it not viable (bound to
 * a driver other than vfio-pci) and the command that fixes it, e.g.
 * "0000:01:02.0 bound to e1000e (run: iop-devices bind 0000:01:02.0)".
 * Returns the number of offending devices (0: the group is viable). */
int iop_sysfs_group_offenders(const char *sysfs_root, unsigned int group,
			      char *why, size_t len);

/* The IOVA ranges a group's IOMMU will allow once the group is attached:
 * the IOMMU's address width less the group's reserved regions (the MSI
 * window, firmware-reserved memory), as iommufd and type1 compute them.
 * *count is 0 when sysfs does not tell the width (only Intel VT-d shows it,
 * in intel-iommu/cap). */
int iop_sysfs_group_ranges(const char *sysfs_root, unsigned int group,
			   struct iop_iova_range *ranges, size_t max,
			   size_t *count);

#endif /* IOP_IOMMU_SYSFS_H */
