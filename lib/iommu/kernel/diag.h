/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_DIAG_H
#define IOP_IOMMU_DIAG_H

/*
 * Root causes only the real backends can see, turned into one-line user
 * messages (iop_err). Each returns the negative errno it was given.
 */

#include <stdint.h>

#include "iop_iommu.h"

/* Before opening a device: it exists (-ENODEV), has an IOMMU group
 * (-ENOENT: IOMMU off) and is bound to vfio-pci (-ENODEV). Fills info. */
int iop_diag_check_device(const char *sysfs_root, const char *bdf,
			  struct iop_dev_info *info);

/* -EPERM from the kernel when claiming a device: names the group's
 * offending members and the fix (rule 4's wording). */
int iop_diag_not_viable(const char *sysfs_root, const char *bdf,
			unsigned int group);

/* -ENOMEM from a map: RLIMIT_MEMLOCK and the size it needs, or plain
 * memory exhaustion when the limit is not what stopped it. */
int iop_diag_map_nomem(const char *backend, uint64_t len);

/* -ENOMEM from iommufd's attach: the first device of an IOAS pins all
 * that is mapped in it, so the limit can refuse the attach. */
int iop_diag_attach_nomem(const char *backend, const char *bdf);

#endif /* IOP_IOMMU_DIAG_H */
