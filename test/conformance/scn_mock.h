/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SCN_MOCK_H
#define IOP_SCN_MOCK_H

/*
 * A second IOMMU group with other IOVA ranges, for iop-scn's "mock" step:
 * on iommufd, the mock device of the kernel's self-test (CONFIG_IOMMUFD_TEST),
 * whose IOMMU allows only IOVA 16 MiB to 2 GiB - 1 and maps 2 KiB pages; on
 * the sim, a group with that range and page (SCN_MOCK_*), written into the
 * generated topology.
 */

#include <stdint.h>

/* the sim's mock devices, each alone in its group (group SCN_MOCK_GROUP + i) */
#define SCN_MOCKS 2
#define SCN_MOCK_BDF "0000:ff:1f.%u"
#define SCN_MOCK_GROUP 4090u
/* its IOMMU's range, and its page: half a CPU page (MOCK_IO_PAGE_SIZE) */
#define SCN_MOCK_RANGE "range=0x1000000-0x7fffffff iopage=2048"

/* IOMMU_TEST_OP_MOCK_DOMAIN: a mock device bound to the iommufd and
 * attached to the IOAS; *stdev is the object that detaches it when
 * destroyed. 0 or -errno (-ENOTTY: a kernel without CONFIG_IOMMUFD_TEST). */
int scn_mock_attach(int iommufd, uint32_t ioas_id, uint32_t *stdev);
/* IOMMU_DESTROY of the mock device: detaches and unbinds it. */
int scn_mock_detach(int iommufd, uint32_t stdev);

#endif /* IOP_SCN_MOCK_H */
