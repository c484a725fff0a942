/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_KERNEL_BACKEND_H
#define IOP_IOMMU_KERNEL_BACKEND_H

/*
 * Calls the real backends offer beyond struct iop_backend_ops, used by the
 * guest tests that exercise every ioctl.
 */

#include <stdint.h>

/* iommufd: IOMMU_IOAS_MAP without IOMMU_IOAS_MAP_FIXED_IOVA; the kernel
 * picks the IOVA inside the IOAS's ranges and returns it in *iova. */
int iop_iommufd_map_any(void *bioas, void *va, uint64_t len, unsigned int prot,
			uint64_t *iova);
/* iommufd: the IOAS object id, and the iommufd it lives in. */
uint32_t iop_iommufd_ioas_id(void *bioas);
int iop_iommufd_fd(void *bioas);

#endif /* IOP_IOMMU_KERNEL_BACKEND_H */
