/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_TEST_IOMMUFD_TEST_ABI_H
#define IOP_TEST_IOMMUFD_TEST_ABI_H

/*
 * The part of the kernel's IOMMUFD_TEST interface the vm tier uses to make
 * iommufd access objects (seed 004). It is not uAPI: the kernel keeps it in
 * drivers/iommu/iommufd/iommufd_test.h, built only with
 * CONFIG_IOMMUFD_TEST. Declared here from that file's Linux 6.12 layout
 * (the guest kernel's): the op numbers, and struct iommu_test_cmd with the
 * union members we fill. The union's largest 6.12 member (dirty: a u32 and
 * five u64) fixes its size at 48 bytes; `last` follows it, and the kernel
 * refuses a command shorter than up to `last` (EINVAL). The static_asserts
 * keep the layout.
 */

#include <assert.h>
#include <stddef.h>

#include <linux/iommufd.h>
#include <linux/types.h>

enum {
	IOP_TEST_OP_CREATE_ACCESS = 5,
	IOP_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IOP_TEST_OP_ACCESS_PAGES = 7,
	IOP_TEST_OP_ACCESS_RW = 8,
};

/* create_access.flags: the access pins pages (it has an unmap call-back) */
#define IOP_TEST_ACCESS_CREATE_NEEDS_PIN_PAGES (1u << 0)
/* access_pages.flags / access_rw.flags */
#define IOP_TEST_ACCESS_WRITE (1u << 0)

struct iop_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id; /* IOAS id (create_access), else the access fd */
	__u32 reserved;
	union {
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		__u8 layout_6_12[48];
	};
	__u32 last;
};

static_assert(offsetof(struct iop_test_cmd, create_access) == 16, "iommu_test_cmd union offset");
static_assert(offsetof(struct iop_test_cmd, last) == 64, "iommu_test_cmd.last offset (6.12)");

#define IOP_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

#endif /* IOP_TEST_IOMMUFD_TEST_ABI_H */
