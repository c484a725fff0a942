/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The legacy VFIO backend: an IOAS is a type1v2 container (/dev/vfio/vfio),
 * a device is reached through its group fd (/dev/vfio/<group>), and a group
 * joins a container with VFIO_GROUP_SET_CONTAINER; several groups in one
 * container share its mappings (seed 001).
 *
 * The kernel gives type1 no per-device attach and no IOMMU until the first
 * group joins, so this file supplies the iommufd semantics the core expects:
 * - mappings are kept here too, so an IOAS can be mapped before any device
 *   attaches; they are replayed when the container gets its IOMMU (the
 *   kernel drops them when the last group leaves);
 * - an unmap removes whole mappings in IOVA order and stops with -ENOENT
 *   at the first it would cut, as on iommufd, where the type1 kernel would
 *   answer EINVAL or silently unmap nothing; unmap-all is type1's
 *   VFIO_DMA_UNMAP_FLAG_ALL;
 * - a container that still holds a group is not closed (-EBUSY);
 * - a group on one container refuses another (-EINVAL, as the kernel's
 *   SET_CONTAINER); an attached device is not moved (-EBUSY: no replace);
 * - a device has an fd only while attached: type1 hands device fds out only
 *   for groups in a container, and a group cannot leave while one is open.
 */
#define IOP_LOG_PREFIX "iommu/vfio: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "diag.h"
#include "iommu_backend.h"
#include "iop_log.h"
#include "kernel_backend.h"
#include "kernel_ctx.h"
#include "sysfs.h"

#define VF_PAGE 4096u

struct vf_ioas;

struct vf_group {
	struct vf_group *next;
	unsigned int id;
	int fd;                 /* /dev/vfio/<id> */
	unsigned int nopen;     /* devices of ours open in it */
	unsigned int nattached; /* of which attached (hold a device fd) */
	struct vf_ioas *ioas;   /* container it is in, or NULL */
};

struct vf_ctx {
	struct iop_kernel_ctx k; /* must stay first (kernel_ctx.h) */
	struct vf_group *groups;
};

struct vf_map {
	uint64_t iova, len;
	void *va;
	unsigned int prot;
};

struct vf_ioas {
	struct vf_ctx *ctx;
	int fd;               /* the container */
	unsigned int ngroups; /* groups in it; the IOMMU is set while > 0 */
	struct vf_map *maps;
	size_t nmaps, cap;
};

struct vf_dev {
	struct vf_ctx *ctx;
	struct vf_group *group;
	struct vf_ioas *ioas;
	int fd; /* device fd while attached, else -1 */
	char bdf[IOP_BDF_LEN];
};

static int vf_open(const struct iop_ctx_params *params, void **bctx)
{
	struct vf_ctx *c = calloc(1, sizeof(*c));
	char path[PATH_MAX + 16];

	if (!c)
		return IOP_ERR(ENOMEM, "out of memory");
	iop_kernel_ctx_init(&c->k, params);
	snprintf(path, sizeof(path), "%s/vfio/vfio", c->k.dev);
	if (access(path, F_OK) != 0) {
		free(c);
		return IOP_ERR(ENOENT, "no %s: vfio-pci not loaded (modprobe vfio-pci, then "
			       "iop-devices bind BDF)", path);
	}
	*bctx = c;
	return 0;
}

static void vf_close(void *bctx)
{
	struct vf_ctx *c = bctx;

	if (!c)
		return;
	/* devices are closed first by the core; a leftover group fd is closed
	 * anyway so the group is free for the next user */
	while (c->groups) {
		struct vf_group *g = c->groups;

		c->groups = g->next;
		close(g->fd);
		free(g);
	}
	free(c);
}

static int group_get(struct vf_ctx *c, const char *bdf, unsigned int id,
		     struct vf_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vf_group *g;
	char path[PATH_MAX + 32];
	int fd, err;

	for (g = c->groups; g; g = g->next) {
		if (g->id == id) {
			*out = g;
			return 0;
		}
	}
	snprintf(path, sizeof(path), "%s/vfio/%u", c->k.dev, id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == EBUSY)
			return IOP_ERR(EBUSY, "group %u (%s) is in use by another process or by iommufd", id, bdf);
		return IOP_ERR(err, "cannot open %s for %s: %s", path, bdf, strerror(err));
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		err = errno;
		close(fd);
		return IOP_ERR(err, "VFIO_GROUP_GET_STATUS of group %u failed: %s", id, strerror(err));
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		close(fd);
		return iop_diag_not_viable(c->k.sysfs, bdf, id);
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		close(fd);
		return IOP_ERR(ENOMEM, "out of memory");
	}
	g->id = id;
	g->fd = fd;
	g->next = c->groups;
	c->groups = g;
	IOP_LOG(DEBUG, "group %u opened (%s)", id, path);
	*out = g;
	return 0;
}

static void group_put(struct vf_ctx *c, struct vf_group *g)
{
	struct vf_group **p;

	if (--g->nopen)
		return;
	for (p = &c->groups; *p != g; p = &(*p)->next)
		;
	*p = g->next;
	close(g->fd);
	free(g);
}

static int vf_dev_open(void *bctx, const char *bdf, void **bdev)
{
	struct vf_ctx *c = bctx;
	struct iop_dev_info info;
	struct vf_group *g;
	struct vf_dev *d;
	int ret;

	ret = iop_diag_check_device(c->k.sysfs, bdf, &info);
	if (ret < 0)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d)
		return IOP_ERR(ENOMEM, "out of memory");
	ret = group_get(c, bdf, info.group, &g);
	if (ret < 0) {
		free(d);
		return ret;
	}
	g->nopen++;
	d->ctx = c;
	d->group = g;
	d->fd = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	*bdev = d;
	return 0;
}

static int vf_dev_fd(void *bdev)
{
	return ((struct vf_dev *)bdev)->fd;
}

static int vf_ioas_alloc(void *bctx, void **bioas)
{
	struct vf_ctx *c = bctx;
	struct vf_ioas *a;
	char path[PATH_MAX + 16];
	int err, v;

	a = calloc(1, sizeof(*a));
	if (!a)
		return IOP_ERR(ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/vfio/vfio", c->k.dev);
	a->fd = open(path, O_RDWR | O_CLOEXEC);
	if (a->fd < 0) {
		err = errno;
		free(a);
		if (err == ENOENT)
			return IOP_ERR(ENOENT, "no %s: vfio-pci not loaded (modprobe vfio-pci)", path);
		return IOP_ERR(err, "cannot open %s: %s", path, strerror(err));
	}
	v = ioctl(a->fd, VFIO_GET_API_VERSION);
	if (v != VFIO_API_VERSION) {
		close(a->fd);
		free(a);
		return IOP_ERR(EINVAL, "%s speaks VFIO API %d, not %d", path, v, VFIO_API_VERSION);
	}
	if (ioctl(a->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		close(a->fd);
		free(a);
		return IOP_ERR(ENODEV, "the kernel's VFIO has no type1v2 IOMMU (CONFIG_VFIO_IOMMU_TYPE1): "
			       "use --iommu=iommufd");
	}
	a->ctx = c;
	IOP_LOG(DEBUG, "container fd %d opened", a->fd);
	*bioas = a;
	return 0;
}

static int vf_ioas_free(void *bioas)
{
	struct vf_ioas *a = bioas;

	/* closing a container a group is still in would leave the group in
	 * it, out of our sight: refuse, as iommufd's IOMMU_DESTROY does */
	if (a->ngroups)
		return IOP_ERR(EBUSY, "the container still holds %u group(s): detach their devices first",
			       a->ngroups);
	close(a->fd);
	free(a->maps);
	free(a);
	return 0;
}

static int kernel_map(struct vf_ioas *a, const struct vf_map *m)
{
	struct vfio_iommu_type1_dma_map cmd = { .argsz = sizeof(cmd) };
	int err;

	cmd.flags = (m->prot & IOP_PROT_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
		    (m->prot & IOP_PROT_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	cmd.vaddr = (uintptr_t)m->va;
	cmd.iova = m->iova;
	cmd.size = m->len;
	if (ioctl(a->fd, VFIO_IOMMU_MAP_DMA, &cmd) < 0) {
		err = errno;
		if (err == ENOMEM)
			return iop_diag_map_nomem("vfio", m->len);
		if (err == ENOSPC)
			return IOP_ERR(ENOSPC, "VFIO_IOMMU_MAP_DMA: the type1 IOMMU's mapping limit is reached "
				       "(module parameter vfio_iommu_type1.dma_entry_limit)");
		return IOP_ERR(err, "VFIO_IOMMU_MAP_DMA of 0x%" PRIx64 " bytes at IOVA 0x%" PRIx64
			       " failed: %s", m->len, m->iova, strerror(err));
	}
	IOP_LOG(DEBUG, "mapped va %p len 0x%" PRIx64 " at iova 0x%" PRIx64, m->va, m->len, m->iova);
	return 0;
}

static int kernel_unmap(struct vf_ioas *a, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap cmd = { .argsz = sizeof(cmd) };
	int err;

	cmd.iova = iova;
	cmd.size = len;
	if (ioctl(a->fd, VFIO_IOMMU_UNMAP_DMA, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "VFIO_IOMMU_UNMAP_DMA of IOVA 0x%" PRIx64 "+0x%" PRIx64 " failed: %s",
			       iova, len, strerror(err));
	}
	return 0;
}

/* The container's first group: give it its IOMMU and the mappings made
 * while it had none. On failure the container is left without the group. */
static int container_join(struct vf_ioas *a, struct vf_group *g, const char *bdf)
{
	size_t i;
	int ret, err;

	if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &a->fd) < 0) {
		err = errno;
		if (err == EPERM)
			return iop_diag_not_viable(a->ctx->k.sysfs, bdf, g->id);
		return IOP_ERR(err, "VFIO_GROUP_SET_CONTAINER of group %u failed: %s", g->id, strerror(err));
	}
	if (a->ngroups == 0) {
		if (ioctl(a->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
			err = errno;
			ret = IOP_ERR(err, "VFIO_SET_IOMMU(type1v2) for group %u failed: %s", g->id, strerror(err));
			goto unset;
		}
		for (i = 0; i < a->nmaps; i++) {
			ret = kernel_map(a, &a->maps[i]);
			if (ret < 0) {
				while (i--)
					kernel_unmap(a, a->maps[i].iova, a->maps[i].len);
				goto unset;
			}
		}
	}
	a->ngroups++;
	g->ioas = a;
	return 0;
unset:
	ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
	return ret;
}

/* Takes the group out of its container; 0 or -errno, and on failure the
 * group is still in it. */
static int container_leave(struct vf_group *g)
{
	struct vf_ioas *a = g->ioas;

	/* the kernel drops the container's IOMMU, and with it every mapping,
	 * when its last group leaves; a->maps keeps them for the next join */
	if (ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER) < 0)
		return -errno;
	a->ngroups--;
	g->ioas = NULL;
	return 0;
}

/*
 * Closes d's fd; the group's last device also takes the group out of its
 * container. The kernel refuses that (EBUSY) while any other reference to
 * a device of the group is open (drivers/vfio/group.c: container_users),
 * such as a PMD's mapping of a BAR: then, unless force, d gets a new fd
 * and stays attached, and the error says so. force (the device is being
 * closed): d is recorded as gone whatever the kernel said.
 */
static int dev_leave(struct vf_dev *d, bool force)
{
	struct vf_group *g = d->group;
	int ret = 0;

	close(d->fd);
	d->fd = -1;
	if (g->nattached == 1)
		ret = container_leave(g);
	if (ret < 0 && !force) {
		d->fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
		if (d->fd >= 0)
			return IOP_ERR(-ret, "cannot detach %s: VFIO_GROUP_UNSET_CONTAINER of group %u failed: %s%s; it stays attached",
				       d->bdf, g->id, strerror(-ret),
				       ret == -EBUSY ? " (a device of the group is still open elsewhere: another fd, or a mapping of its regions)" : "");
		ret = IOP_ERR(errno, "cannot detach %s: VFIO_GROUP_UNSET_CONTAINER of group %u failed (%s), and its device fd could not be opened again (%s): it is detached, its group stays in its container",
			      d->bdf, g->id, strerror(-ret), strerror(errno));
	} else if (ret < 0) {
		IOP_LOG(WARN, "VFIO_GROUP_UNSET_CONTAINER of group %u failed: %s", g->id, strerror(-ret));
		g->ioas->ngroups--;
		g->ioas = NULL;
	}
	g->nattached--;
	d->ioas = NULL;
	return ret;
}

static int vf_attach(void *bdev, void *bioas)
{
	struct vf_dev *d = bdev;
	struct vf_ioas *a = bioas;
	struct vf_group *g = d->group;
	int ret, err;

	if (d->ioas == a)
		return 0;
	if (d->ioas)
		return IOP_ERR(EBUSY, "%s is attached to another container: type1 cannot replace, detach first", d->bdf);
	if (g->ioas && g->ioas != a)
		return IOP_ERR(EINVAL, "%s: its group %u is in another container", d->bdf, g->id);
	if (!g->ioas) {
		ret = container_join(a, g, d->bdf);
		if (ret < 0)
			return ret;
	}
	d->fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->fd < 0) {
		err = errno;
		ret = IOP_ERR(err, "VFIO_GROUP_GET_DEVICE_FD of %s failed: %s", d->bdf, strerror(err));
		if (g->nattached == 0 && container_leave(g) < 0)
			IOP_LOG(WARN, "group %u stays in its container: VFIO_GROUP_UNSET_CONTAINER failed", g->id);
		return ret;
	}
	g->nattached++;
	d->ioas = a;
	IOP_LOG(DEBUG, "%s attached (group %u, device fd %d)", d->bdf, g->id, d->fd);
	return 0;
}

static int vf_detach(void *bdev)
{
	struct vf_dev *d = bdev;
	int ret;

	if (!d->ioas)
		return 0;
	ret = dev_leave(d, false);
	if (ret == 0)
		IOP_LOG(DEBUG, "%s detached", d->bdf);
	return ret;
}

static void vf_dev_close(void *bdev)
{
	struct vf_dev *d = bdev;

	if (!d)
		return;
	if (d->ioas)
		dev_leave(d, true);
	group_put(d->ctx, d->group);
	free(d);
}

/* Compares last bytes, not ends: a mapping may end at 2^64. */
static int overlaps(const struct vf_map *m, uint64_t iova, uint64_t len)
{
	return m->iova <= iova + (len - 1) && iova <= m->iova + (m->len - 1);
}

static int vf_map(void *bioas, void *va, uint64_t len, uint64_t iova,
		  unsigned int prot)
{
	struct vf_ioas *a = bioas;
	struct vf_map m = { .iova = iova, .len = len, .va = va, .prot = prot }, *nm;
	size_t i;
	int ret;

	if (!len || (len | iova | (uintptr_t)va) % VF_PAGE || iova + len - 1 < iova)
		return IOP_ERR(EINVAL, "map of 0x%" PRIx64 " bytes at IOVA 0x%" PRIx64
			       ": not page aligned or wraps", len, iova);
	for (i = 0; i < a->nmaps; i++)
		if (overlaps(&a->maps[i], iova, len))
			return IOP_ERR(EEXIST, "IOVA 0x%" PRIx64 "+0x%" PRIx64 " overlaps a mapping", iova, len);
	if (a->nmaps == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;

		nm = realloc(a->maps, cap * sizeof(*nm));
		if (!nm)
			return IOP_ERR(ENOMEM, "out of memory");
		a->maps = nm;
		a->cap = cap;
	}
	if (a->ngroups) {
		ret = kernel_map(a, &m);
		if (ret < 0)
			return ret;
	}
	a->maps[a->nmaps++] = m;
	return 0;
}

/* Unmap-all on iommufd (IOVA 0, length UINT64_MAX) is type1's
 * VFIO_DMA_UNMAP_FLAG_ALL (Linux 5.12), which wants IOVA and size 0. */
static int unmap_all(struct vf_ioas *a)
{
	struct vfio_iommu_type1_dma_unmap cmd = { .argsz = sizeof(cmd) };
	int err;

	cmd.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	if (a->ngroups && ioctl(a->fd, VFIO_IOMMU_UNMAP_DMA, &cmd) < 0) {
		err = errno;
		return IOP_ERR(err, "VFIO_IOMMU_UNMAP_DMA of everything failed: %s (Linux 5.12 or later needed)",
			       strerror(err));
	}
	a->nmaps = 0;
	return 0;
}

/* The overlapping mapping with the lowest IOVA, or -1. */
static ssize_t first_overlap(const struct vf_ioas *a, uint64_t iova, uint64_t len)
{
	ssize_t best = -1;

	for (size_t i = 0; i < a->nmaps; i++)
		if (overlaps(&a->maps[i], iova, len) &&
		    (best < 0 || a->maps[i].iova < a->maps[best].iova))
			best = (ssize_t)i;
	return best;
}

/* iommufd's rule: whole mappings in IOVA order; the first one the range
 * would cut stops the unmap with ENOENT (those before it are gone), as
 * does a range with nothing in it. type1 would answer EINVAL or silently
 * unmap nothing instead. */
static int vf_unmap(void *bioas, uint64_t iova, uint64_t len)
{
	struct vf_ioas *a = bioas;
	size_t done = 0;
	ssize_t i;
	int ret;

	if (iova == 0 && len == UINT64_MAX)
		return unmap_all(a);
	if (iova == UINT64_MAX || len == UINT64_MAX || (len && iova + len - 1 < iova))
		return IOP_ERR(EOVERFLOW, "unmap of IOVA 0x%" PRIx64 "+0x%" PRIx64 " wraps", iova, len);
	if (!len)
		return IOP_ERR(EINVAL, "unmap of 0 bytes");
	while ((i = first_overlap(a, iova, len)) >= 0) {
		const struct vf_map *m = &a->maps[i];

		if (m->iova < iova || m->iova + m->len - 1 > iova + len - 1)
			return IOP_ERR(ENOENT, "unmap of IOVA 0x%" PRIx64 "+0x%" PRIx64
				       " would cut the mapping at 0x%" PRIx64 " (%zu whole mapping(s) before it are unmapped)",
				       iova, len, m->iova, done);
		if (a->ngroups) {
			ret = kernel_unmap(a, m->iova, m->len);
			if (ret < 0)
				return ret;
		}
		a->maps[i] = a->maps[--a->nmaps];
		done++;
	}
	if (!done)
		return IOP_ERR(ENOENT, "nothing mapped at IOVA 0x%" PRIx64 "+0x%" PRIx64, iova, len);
	return 0;
}

/* VFIO_IOMMU_GET_INFO, grown to the size the kernel asks for so its
 * capability chain fits. Caller frees. */
static int get_info(struct vf_ioas *a, struct vfio_iommu_type1_info **out)
{
	struct vfio_iommu_type1_info *info = NULL, *ni;
	uint32_t sz = sizeof(*info);
	int err;

	for (;;) {
		ni = realloc(info, sz);
		if (!ni) {
			free(info);
			return IOP_ERR(ENOMEM, "out of memory");
		}
		info = ni;
		memset(info, 0, sz);
		info->argsz = sz;
		if (ioctl(a->fd, VFIO_IOMMU_GET_INFO, info) < 0) {
			err = errno;
			free(info);
			return IOP_ERR(err, "VFIO_IOMMU_GET_INFO failed: %s", strerror(err));
		}
		if (info->argsz <= sz)
			break;
		sz = info->argsz;
	}
	*out = info;
	return 0;
}

static int vf_iova_ranges(void *bioas, struct iop_iova_range *ranges,
			  size_t max, size_t *count)
{
	struct vf_ioas *a = bioas;
	struct vfio_iommu_type1_info *info = NULL;
	struct vfio_info_cap_header *hdr;
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	uint32_t off, i;
	int ret;

	if (!a->ngroups) {
		/* no IOMMU yet: nothing narrows the space (as an empty IOAS) */
		if (max)
			ranges[0] = (struct iop_iova_range){ 0, UINT64_MAX };
		*count = 1;
		return 0;
	}
	ret = get_info(a, &info);
	if (ret < 0)
		return ret;
	*count = 0;
	off = (info->flags & VFIO_IOMMU_INFO_CAPS) ? info->cap_offset : 0;
	while (off && off + sizeof(*hdr) <= info->argsz) {
		hdr = (struct vfio_info_cap_header *)((char *)info + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			cap = (struct vfio_iommu_type1_info_cap_iova_range *)hdr;
			for (i = 0; i < cap->nr_iovas; i++) {
				if (i < max) {
					ranges[i].first = cap->iova_ranges[i].start;
					ranges[i].last = cap->iova_ranges[i].end;
				}
			}
			*count = cap->nr_iovas;
			break;
		}
		off = hdr->next;
	}
	free(info);
	if (*count == 0) {
		/* a kernel older than 5.4 reports no ranges: assume the whole space */
		if (max)
			ranges[0] = (struct iop_iova_range){ 0, UINT64_MAX };
		*count = 1;
	}
	return 0;
}

const struct iop_backend_ops iop_backend_vfio = {
	.name = "vfio",
	.can_replace = false,
	.open = vf_open,
	.close = vf_close,
	.devices = iop_kernel_devices,
	.dev_open = vf_dev_open,
	.dev_close = vf_dev_close,
	.dev_fd = vf_dev_fd,
	.ioas_alloc = vf_ioas_alloc,
	.ioas_free = vf_ioas_free,
	.attach = vf_attach,
	.detach = vf_detach,
	.map = vf_map,
	.copy = NULL,
	.unmap = vf_unmap,
	.iova_ranges = vf_iova_ranges,
	.group_ranges = iop_kernel_group_ranges,
};
