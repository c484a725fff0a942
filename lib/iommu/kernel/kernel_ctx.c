/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "kernel_ctx.h"
#include "sysfs.h"

void iop_kernel_ctx_init(struct iop_kernel_ctx *k, const struct iop_ctx_params *params)
{
	snprintf(k->sysfs, sizeof(k->sysfs), "%s",
		 params && params->sysfs_root ? params->sysfs_root : "/sys");
	snprintf(k->dev, sizeof(k->dev), "%s",
		 params && params->dev_root ? params->dev_root : "/dev");
}

int iop_kernel_devices(void *bctx, struct iop_dev_info *info, size_t max, size_t *count)
{
	const struct iop_kernel_ctx *k = bctx;

	return iop_sysfs_pci_scan(k->sysfs, info, max, count);
}

int iop_kernel_group_ranges(void *bctx, unsigned int group, struct iop_iova_range *ranges,
			    size_t max, size_t *count)
{
	const struct iop_kernel_ctx *k = bctx;

	return iop_sysfs_group_ranges(k->sysfs, group, ranges, max, count);
}
