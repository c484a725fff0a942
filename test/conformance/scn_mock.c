/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel self-test's mock device, for iop-scn (scn_mock.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include "scn_mock.h"

/* IOMMU_TEST_CMD of drivers/iommu/iommufd/iommufd_test.h, which is not an
 * installed header. Only the fields used here are named; the union is
 * padded beyond the kernel's, which accepts a larger, zero-filled command. */
#define SCN_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)
#define SCN_TEST_OP_MOCK_DOMAIN 2

struct scn_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t reserved;
	union {
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
		} mock_domain;
		uint64_t pad[14];
	};
};

int scn_mock_attach(int iommufd, uint32_t ioas_id, uint32_t *stdev)
{
	struct scn_test_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.op = SCN_TEST_OP_MOCK_DOMAIN;
	cmd.id = ioas_id;
	if (ioctl(iommufd, SCN_TEST_CMD, &cmd) < 0)
		return -errno;
	*stdev = cmd.mock_domain.out_stdev_id;
	return 0;
}

int scn_mock_detach(int iommufd, uint32_t stdev)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = stdev };

	return ioctl(iommufd, IOMMU_DESTROY, &cmd) < 0 ? -errno : 0;
}
