/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_KERNEL_CTX_H
#define IOP_IOMMU_KERNEL_CTX_H

/*
 * What the context of every real backend (iommufd, vfio) holds alike: where
 * it finds sysfs and /dev. It is the first member of each backend's context,
 * so the ops that only read sysfs serve both backends with the bctx they get.
 */

#include <limits.h>
#include <stddef.h>

#include "iommu_backend.h"

struct iop_kernel_ctx {
	char sysfs[PATH_MAX]; /* iop_ctx_params.sysfs_root, or "/sys" */
	char dev[PATH_MAX];   /* iop_ctx_params.dev_root, or "/dev" */
};

void iop_kernel_ctx_init(struct iop_kernel_ctx *k, const struct iop_ctx_params *params);

/* struct iop_backend_ops .devices and .group_ranges, from sysfs; bctx
 * starts with a struct iop_kernel_ctx. */
int iop_kernel_devices(void *bctx, struct iop_dev_info *info, size_t max, size_t *count);
int iop_kernel_group_ranges(void *bctx, unsigned int group, struct iop_iova_range *ranges,
			    size_t max, size_t *count);

#endif /* IOP_IOMMU_KERNEL_CTX_H */
