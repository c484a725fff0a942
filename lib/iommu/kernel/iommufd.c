/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iommufd backend: /dev/iommu holds the IOAS objects; each device is its
 * VFIO cdev (/dev/vfio/devices/vfioN) bound to that iommufd and attached to
 * an IOAS. The kernel enforces the group rules itself (BIND fails with EPERM
 * while the group is not viable; a device whose group sits on another IOAS
 * gets EINVAL on ATTACH), so every op is one ioctl and returns its errno.
 */
#define IOP_LOG_PREFIX "iommu/iommufd: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "diag.h"
#include "iommu_backend.h"
#include "iop_log.h"
#include "kernel_backend.h"
#include "kernel_ctx.h"
#include "sysfs.h"

struct ifd_ctx {
	struct iop_kernel_ctx k; /* must stay first (kernel_ctx.h) */
	int fd; /* /dev/iommu */
};

struct ifd_dev {
	struct ifd_ctx *ctx;
	int fd;          /* the VFIO cdev, bound to ctx->fd */
	uint32_t devid;  /* iommufd's id of the bound device */
	uint32_t hwpt;   /* hw_pagetable ATTACH returned; 0 when detached */
	unsigned int group;
	char bdf[IOP_BDF_LEN];
};

struct ifd_ioas {
	struct ifd_ctx *ctx;
	uint32_t id;
};

static uint32_t map_flags(unsigned int prot)
{
	uint32_t f = 0;

	if (prot & IOP_PROT_READ)
		f |= IOMMU_IOAS_MAP_READABLE;
	if (prot & IOP_PROT_WRITE)
		f |= IOMMU_IOAS_MAP_WRITEABLE;
	return f;
}

static int ifd_open(const struct iop_ctx_params *params, void **bctx)
{
	struct ifd_ctx *c = calloc(1, sizeof(*c));
	char path[PATH_MAX + 8];
	int err;

	if (!c)
		return IOP_ERR(ENOMEM, "out of memory");
	iop_kernel_ctx_init(&c->k, params);
	snprintf(path, sizeof(path), "%s/iommu", c->k.dev);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		err = errno;
		free(c);
		if (err == ENOENT)
			return IOP_ERR(ENOENT, "no %s: the kernel lacks CONFIG_IOMMUFD "
				       "(use --iommu=vfio, or a kernel built with CONFIG_IOMMUFD=y)", path);
		if (err == EACCES || err == EPERM)
			return IOP_ERR(err, "no permission to open %s: run as root", path);
		return IOP_ERR(err, "cannot open %s: %s", path, strerror(err));
	}
	IOP_LOG(DEBUG, "opened %s (fd %d)", path, c->fd);
	*bctx = c;
	return 0;
}

static void ifd_close(void *bctx)
{
	struct ifd_ctx *c = bctx;

	if (!c)
		return;
	close(c->fd);
	free(c);
}

static int ifd_dev_open(void *bctx, const char *bdf, void **bdev)
{
	struct ifd_ctx *c = bctx;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iop_dev_info info;
	struct ifd_dev *d;
	char cdev[32], path[PATH_MAX + 64];
	int ret, err;

	ret = iop_diag_check_device(c->k.sysfs, bdf, &info);
	if (ret < 0)
		return ret;
	if (iop_sysfs_vfio_cdev(c->k.sysfs, bdf, cdev, sizeof(cdev)) < 0)
		return IOP_ERR(ENOENT, "%s is on vfio-pci but has no VFIO device node: the kernel "
			       "lacks CONFIG_VFIO_DEVICE_CDEV (use --iommu=vfio)", bdf);
	d = calloc(1, sizeof(*d));
	if (!d)
		return IOP_ERR(ENOMEM, "out of memory");
	d->ctx = c;
	d->group = info.group;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(path, sizeof(path), "%s/vfio/devices/%s", c->k.dev, cdev);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		err = errno;
		free(d);
		if (err == ENOENT)
			return IOP_ERR(ENOENT, "no %s for %s: vfio-pci not loaded or /dev not populated", path, bdf);
		return IOP_ERR(err, "cannot open %s (%s): %s", path, bdf, strerror(err));
	}
	bind.iommufd = c->fd;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		err = errno;
		close(d->fd);
		free(d);
		if (err == EPERM)
			return iop_diag_not_viable(c->k.sysfs, bdf, info.group);
		if (err == EBUSY)
			return IOP_ERR(EBUSY, "%s is already in use (opened through its group, or by another process)", bdf);
		return IOP_ERR(err, "VFIO_DEVICE_BIND_IOMMUFD of %s failed: %s", bdf, strerror(err));
	}
	d->devid = bind.out_devid;
	IOP_LOG(DEBUG, "%s: %s bound, devid %u, group %u", bdf, path, d->devid, d->group);
	*bdev = d;
	return 0;
}

static void ifd_dev_close(void *bdev)
{
	struct ifd_dev *d = bdev;

	if (!d)
		return;
	/* closing the cdev detaches and unbinds it in the kernel */
	close(d->fd);
	free(d);
}

static int ifd_dev_fd(void *bdev)
{
	return ((struct ifd_dev *)bdev)->fd;
}

static int ifd_ioas_alloc(void *bctx, void **bioas)
{
	struct ifd_ctx *c = bctx;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct ifd_ioas *a;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a)
		return IOP_ERR(ENOMEM, "out of memory");
	if (ioctl(c->fd, IOMMU_IOAS_ALLOC, &cmd) < 0) {
		err = errno;
		free(a);
		return IOP_ERR(err, "IOMMU_IOAS_ALLOC failed: %s", strerror(err));
	}
	a->ctx = c;
	a->id = cmd.out_ioas_id;
	IOP_LOG(DEBUG, "IOAS %u allocated", a->id);
	*bioas = a;
	return 0;
}

static int ifd_ioas_free(void *bioas)
{
	struct ifd_ioas *a = bioas;
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	int err;

	cmd.id = a->id;
	/* EBUSY while a device is attached: the IOAS stays, as does a */
	if (ioctl(a->ctx->fd, IOMMU_DESTROY, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "IOMMU_DESTROY of IOAS %u failed: %s", a->id, strerror(err));
	}
	free(a);
	return 0;
}

static int ifd_attach(void *bdev, void *bioas)
{
	struct ifd_dev *d = bdev;
	struct ifd_ioas *a = bioas;
	struct vfio_device_attach_iommufd_pt cmd = { .argsz = sizeof(cmd) };
	int err;

	/* a second ATTACH on an attached device is the kernel's atomic replace */
	cmd.pt_id = a->id;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd) < 0) {
		err = errno;
		if (err == ENOMEM)
			return iop_diag_attach_nomem("iommufd", d->bdf);
		return IOP_ERR(err, "VFIO_DEVICE_ATTACH_IOMMUFD_PT of %s (group %u) to IOAS %u failed: %s",
			       d->bdf, d->group, a->id, strerror(err));
	}
	d->hwpt = cmd.pt_id;
	IOP_LOG(DEBUG, "%s attached to IOAS %u (hwpt %u)", d->bdf, a->id, d->hwpt);
	return 0;
}

static int ifd_detach(void *bdev)
{
	struct ifd_dev *d = bdev;
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };
	int err;

	if (ioctl(d->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "VFIO_DEVICE_DETACH_IOMMUFD_PT of %s failed: %s", d->bdf, strerror(err));
	}
	d->hwpt = 0;
	IOP_LOG(DEBUG, "%s detached", d->bdf);
	return 0;
}

static int do_map(struct ifd_ioas *a, void *va, uint64_t len, uint64_t *iova,
		  uint32_t flags)
{
	struct iommu_ioas_map cmd = { .size = sizeof(cmd) };
	int err;

	cmd.flags = flags;
	cmd.ioas_id = a->id;
	cmd.user_va = (uintptr_t)va;
	cmd.length = len;
	cmd.iova = *iova;
	if (ioctl(a->ctx->fd, IOMMU_IOAS_MAP, &cmd) < 0) {
		err = errno;
		if (err == ENOMEM)
			return iop_diag_map_nomem("iommufd", len);
		return IOP_ERR(err, "IOMMU_IOAS_MAP of %" PRIu64 " bytes at IOVA 0x%" PRIx64
			       " in IOAS %u failed: %s", len, *iova, a->id, strerror(err));
	}
	*iova = cmd.iova;
	IOP_LOG(DEBUG, "IOAS %u: mapped va %p len 0x%" PRIx64 " at iova 0x%" PRIx64,
		a->id, va, len, *iova);
	return 0;
}

static int ifd_map(void *bioas, void *va, uint64_t len, uint64_t iova,
		   unsigned int prot)
{
	return do_map(bioas, va, len, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | map_flags(prot));
}

int iop_iommufd_map_any(void *bioas, void *va, uint64_t len, unsigned int prot,
			uint64_t *iova)
{
	*iova = 0;
	return do_map(bioas, va, len, iova, map_flags(prot));
}

static int ifd_copy(void *dst_bioas, uint64_t dst_iova, void *src_bioas,
		    uint64_t src_iova, uint64_t len, unsigned int prot)
{
	struct ifd_ioas *dst = dst_bioas, *src = src_bioas;
	struct iommu_ioas_copy cmd = { .size = sizeof(cmd) };
	int err;

	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA | map_flags(prot);
	cmd.dst_ioas_id = dst->id;
	cmd.src_ioas_id = src->id;
	cmd.length = len;
	cmd.dst_iova = dst_iova;
	cmd.src_iova = src_iova;
	if (ioctl(dst->ctx->fd, IOMMU_IOAS_COPY, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "IOMMU_IOAS_COPY of 0x%" PRIx64 " bytes from IOAS %u to IOAS %u failed: %s",
			       len, src->id, dst->id, strerror(err));
	}
	IOP_LOG(DEBUG, "copied iova 0x%" PRIx64 " of IOAS %u to 0x%" PRIx64 " of IOAS %u",
		src_iova, src->id, dst_iova, dst->id);
	return 0;
}

static int ifd_unmap(void *bioas, uint64_t iova, uint64_t len)
{
	struct ifd_ioas *a = bioas;
	struct iommu_ioas_unmap cmd = { .size = sizeof(cmd) };
	int err;

	cmd.ioas_id = a->id;
	cmd.iova = iova;
	cmd.length = len;
	if (ioctl(a->ctx->fd, IOMMU_IOAS_UNMAP, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "IOMMU_IOAS_UNMAP of IOVA 0x%" PRIx64 "+0x%" PRIx64
			       " in IOAS %u failed: %s", iova, len, a->id, strerror(err));
	}
	return 0;
}

/* The uAPI's protocol: ask with no room, learn the count from EMSGSIZE,
 * ask again; the set can change in between (a device attaching), so loop. */
static int ifd_iova_ranges(void *bioas, struct iop_iova_range *ranges,
			   size_t max, size_t *count)
{
	struct ifd_ioas *a = bioas;
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd) };
	struct iommu_iova_range *buf = NULL, *nb;
	uint32_t cap = 0, i;
	int err;

	for (;;) {
		cmd.ioas_id = a->id;
		cmd.num_iovas = cap;
		cmd.allowed_iovas = (uintptr_t)buf;
		if (ioctl(a->ctx->fd, IOMMU_IOAS_IOVA_RANGES, &cmd) == 0)
			break;
		err = errno;
		if (err != EMSGSIZE) {
			free(buf);
			return IOP_ERR(err, "IOMMU_IOAS_IOVA_RANGES of IOAS %u failed: %s",
				       a->id, strerror(err));
		}
		cap = cmd.num_iovas;
		nb = realloc(buf, cap * sizeof(*buf));
		if (!nb) {
			free(buf);
			return IOP_ERR(ENOMEM, "out of memory");
		}
		buf = nb;
	}
	for (i = 0; i < cmd.num_iovas && i < max; i++) {
		ranges[i].first = buf[i].start;
		ranges[i].last = buf[i].last;
	}
	*count = cmd.num_iovas;
	free(buf);
	return 0;
}

static int ifd_allow_iovas(void *bioas, const struct iop_iova_range *ranges, size_t n)
{
	struct ifd_ioas *a = bioas;
	struct iommu_ioas_allow_iovas cmd = { .size = sizeof(cmd) };
	struct iommu_iova_range *buf = n ? calloc(n, sizeof(*buf)) : NULL;
	int err;

	if (n && !buf)
		return IOP_ERR(ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		buf[i].start = ranges[i].first;
		buf[i].last = ranges[i].last;
	}
	cmd.ioas_id = a->id;
	cmd.num_iovas = (uint32_t)n;
	cmd.allowed_iovas = (uintptr_t)buf;
	err = ioctl(a->ctx->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd) < 0 ? errno : 0;
	free(buf);
	if (err)
		return IOP_ERR(err, "IOMMU_IOAS_ALLOW_IOVAS of %zu range(s) in IOAS %u failed: %s",
			       n, a->id, strerror(err));
	return 0;
}

uint32_t iop_iommufd_ioas_id(void *bioas)
{
	return ((struct ifd_ioas *)bioas)->id;
}

int iop_iommufd_fd(void *bioas)
{
	return ((struct ifd_ioas *)bioas)->ctx->fd;
}

const struct iop_backend_ops iop_backend_iommufd = {
	.name = "iommufd",
	.can_replace = true,
	.open = ifd_open,
	.close = ifd_close,
	.devices = iop_kernel_devices,
	.dev_open = ifd_dev_open,
	.dev_close = ifd_dev_close,
	.dev_fd = ifd_dev_fd,
	.ioas_alloc = ifd_ioas_alloc,
	.ioas_free = ifd_ioas_free,
	.attach = ifd_attach,
	.detach = ifd_detach,
	.map = ifd_map,
	.copy = ifd_copy,
	.unmap = ifd_unmap,
	.iova_ranges = ifd_iova_ranges,
	.allow_iovas = ifd_allow_iovas,
	.group_ranges = iop_kernel_group_ranges,
};
