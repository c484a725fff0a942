/* SPDX-License-Identifier: BSD-3-Clause */
/* Devices: what users name (a PCI address); attach/detach by group rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_bus.h"
#include "iop_log.h"
#include "iommu_internal.h"

int iop_dev_info_find(const struct iop_dev_info *info, size_t count,
		      const char *bdf, const struct iop_dev_info **found)
{
	char canon[IOP_BDF_LEN];
	int rc = iop_pci_addr_normalize(bdf, canon);

	if (rc)
		return rc;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(info[i].bdf, canon) == 0) {
			*found = &info[i];
			return 0;
		}
	}
	return IOP_ERR(ENODEV, "unknown device %s: iop-devices list shows the devices", canon);
}

static struct iop_dev *find_open(struct iop_ctx *ctx, const char *bdf)
{
	for (struct iop_dev *d = ctx->devs; d; d = d->next)
		if (strcmp(d->bdf, bdf) == 0)
			return d;
	return NULL;
}

static int dev_open(struct iop_ctx *ctx, const char *bdf, struct iop_dev **out)
{
	const struct iop_dev_info *di;
	struct iop_dev_info *info;
	struct iop_dev *dev;
	size_t count;
	int rc;

	rc = iop_ctx_devices_alloc(ctx, &info, &count);
	if (rc)
		return rc;
	rc = iop_dev_info_find(info, count, bdf, &di);
	if (rc)
		goto out;
	if (find_open(ctx, di->bdf)) {
		rc = IOP_ERR(EBUSY, "device %s is already open", di->bdf);
		goto out;
	}
	rc = iop_group_check_viable(di->bdf, di->group, info, count);
	if (rc)
		goto out;
	if (strcmp(di->driver, "vfio-pci") != 0) {
		rc = IOP_ERR(ENODEV, "device %s is on no driver, not vfio-pci: run iop-devices bind %s",
			     di->bdf, di->bdf);
		goto out;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		rc = IOP_ERR(ENOMEM, "out of memory opening %s", di->bdf);
		goto out;
	}
	dev->ctx = ctx;
	memcpy(dev->bdf, di->bdf, IOP_BDF_LEN);
	dev->group = iop_group_get(ctx, di->group);
	if (!dev->group) {
		free(dev);
		rc = IOP_ERR(ENOMEM, "out of memory opening %s", di->bdf);
		goto out;
	}
	iop_err_clear();
	rc = ctx->ops->dev_open(ctx->bctx, dev->bdf, &dev->bdev);
	if (rc) {
		iop_group_put(dev->group);
		free(dev);
		/* whoever knows the cause writes the message: a real backend's
		 * diagnosis (a missing cdev, the group's offenders) stands */
		if (iop_err_msg()[0])
			goto out;
		if (rc == -EINVAL)
			rc = IOP_ERR(EINVAL, "cannot open %s: it is already bound for user DMA (by another process, or opened twice)",
				     di->bdf);
		else if (rc == -EPERM || rc == -EBUSY)
			rc = IOP_ERR(-rc, "cannot claim %s for user DMA: its IOMMU group %u is in use by a kernel driver or another process (%s)",
				     di->bdf, di->group, strerror(-rc));
		else
			rc = IOP_ERR(-rc, "cannot open %s: %s", di->bdf, strerror(-rc));
		goto out;
	}
	dev->next = ctx->devs;
	ctx->devs = dev;
	*out = dev;
out:
	free(info);
	return rc;
}

int iop_dev_open(struct iop_ctx *ctx, const char *bdf, struct iop_dev **out)
{
	int rc;

	iop_ctx_lock(ctx);
	rc = dev_open(ctx, bdf, out);
	iop_ctx_unlock(ctx);
	return rc;
}

void iop_dev_close(struct iop_dev *dev)
{
	struct iop_ctx *ctx;
	struct iop_dev **pp;

	if (!dev)
		return;
	ctx = dev->ctx;
	iop_ctx_lock(ctx);
	if (dev->ioas)
		iop_dev_note_detached(dev);
	/* the backend detaches on close, as closing the VFIO fd does */
	ctx->ops->dev_close(dev->bdev);
	iop_group_put(dev->group);
	for (pp = &ctx->devs; *pp != dev; pp = &(*pp)->next)
		;
	*pp = dev->next;
	free(dev);
	iop_ctx_unlock(ctx);
}

const char *iop_dev_bdf(const struct iop_dev *dev)
{
	return dev->bdf;
}

unsigned int iop_dev_group(const struct iop_dev *dev)
{
	return dev->group->id;
}

struct iop_ctx *iop_dev_ctx(const struct iop_dev *dev)
{
	return dev->ctx;
}

struct iop_ioas *iop_dev_ioas(const struct iop_dev *dev)
{
	struct iop_ioas *ioas;

	iop_ctx_lock(dev->ctx);
	ioas = dev->ioas;
	iop_ctx_unlock(dev->ctx);
	return ioas;
}

int iop_dev_fd(const struct iop_dev *dev)
{
	int fd;

	iop_ctx_lock(dev->ctx);
	fd = dev->ctx->ops->dev_fd(dev->bdev);
	iop_ctx_unlock(dev->ctx);
	return fd;
}

void *iop_dev_backend(const struct iop_dev *dev)
{
	return dev->bdev;
}

/* Rule 1 (seed 000): the first device of a group to attach attaches the
 * group; the last to detach detaches it; in between the group stays. */
void iop_dev_note_attached(struct iop_dev *dev, struct iop_ioas *ioas)
{
	struct iop_group *g = dev->group;

	if (g->nattached++ == 0)
		g->ioas = ioas;
	dev->ioas = ioas;
	ioas->ndevs++;
}

void iop_dev_note_detached(struct iop_dev *dev)
{
	struct iop_group *g = dev->group;

	dev->ioas->ndevs--;
	dev->ioas = NULL;
	if (--g->nattached == 0)
		g->ioas = NULL;
}

void iop_group_note_replaced(struct iop_group *g, struct iop_ioas *to)
{
	for (struct iop_dev *d = g->ctx->devs; d; d = d->next) {
		if (d->group == g && d->ioas) {
			d->ioas->ndevs--;
			d->ioas = to;
			to->ndevs++;
		}
	}
	g->ioas = to;
}

/* Rule 2's message (-EINVAL): dev cannot join `to`; its group is on
 * another IOAS with an attached sibling. */
static int dev_err_group_elsewhere(const struct iop_dev *dev,
				   const struct iop_ioas *to)
{
	const struct iop_group *g = dev->group;
	const char *sibling = "another device";

	for (const struct iop_dev *d = dev->ctx->devs; d; d = d->next) {
		if (d != dev && d->group == g && d->ioas == g->ioas) {
			sibling = d->bdf;
			break;
		}
	}
	return IOP_ERR(EINVAL, "cannot attach %s to IOAS %u: its IOMMU group %u is on IOAS %u with %s, and all devices of a group share one IOAS; attach it to IOAS %u or use --ioas=per-group",
		       dev->bdf, to->id, g->id, g->ioas->id, sibling, g->ioas->id);
}

/* The kernel pins an IOAS's pages when its first device attaches, so the
 * locked-memory limit can refuse the attach rather than the maps. */
static int attach_pin_refused(const struct iop_dev *dev, struct iop_ioas *ioas)
{
	uint64_t mapped = iop_ioas_mapped_bytes(ioas);
	char what[160];

	snprintf(what, sizeof(what), "cannot attach %s to IOAS %u: attaching pins the %" PRIu64 " MiB mapped in it",
		 dev->bdf, ioas->id, (mapped + (1 << 20) - 1) >> 20);
	return iop_pin_refused_error(ioas, what, mapped);
}

static int dev_attach(struct iop_dev *dev, struct iop_ioas *ioas)
{
	struct iop_ctx *ctx = dev->ctx;
	int rc;

	if (ioas->ctx != ctx)
		return IOP_ERR(EINVAL, "cannot attach %s to IOAS %u of another context",
			       dev->bdf, ioas->id);
	if (dev->ioas == ioas)
		return 0;
	if (dev->ioas)
		return IOP_ERR(EBUSY, "device %s is already attached to IOAS %u: detach it first or move it with iop_dev_move",
			       dev->bdf, dev->ioas->id);
	/* Rule 2 (seed 000): a group is in one IOAS; a device cannot take it
	 * elsewhere behind its siblings' backs (never a silent success). */
	if (dev->group->ioas && dev->group->ioas != ioas)
		return dev_err_group_elsewhere(dev, ioas);
	rc = ctx->ops->attach(dev->bdev, ioas->bioas);
	if (rc == -EADDRINUSE)
		return IOP_ERR(EADDRINUSE, "cannot attach %s to IOAS %u: mappings of that IOAS lie outside the IOVA ranges of group %u; attach before mapping",
			       dev->bdf, ioas->id, dev->group->id);
	if (rc == -ENOMEM)
		return attach_pin_refused(dev, ioas);
	if (rc)
		return IOP_ERR(-rc, "cannot attach %s to IOAS %u: %s", dev->bdf,
			       ioas->id, strerror(-rc));
	iop_dev_note_attached(dev, ioas);
	return 0;
}

int iop_dev_attach(struct iop_dev *dev, struct iop_ioas *ioas)
{
	int rc;

	iop_ctx_lock(dev->ctx);
	rc = dev_attach(dev, ioas);
	iop_ctx_unlock(dev->ctx);
	return rc;
}

static int dev_detach(struct iop_dev *dev)
{
	int rc;

	if (!dev->ioas)
		return IOP_ERR(EINVAL, "device %s is not attached to an IOAS", dev->bdf);
	rc = dev->ctx->ops->detach(dev->bdev);
	if (rc)
		return IOP_ERR(-rc, "cannot detach %s from IOAS %u: %s", dev->bdf,
			       dev->ioas->id, strerror(-rc));
	iop_dev_note_detached(dev);
	return 0;
}

int iop_dev_detach(struct iop_dev *dev)
{
	int rc;

	iop_ctx_lock(dev->ctx);
	rc = dev_detach(dev);
	iop_ctx_unlock(dev->ctx);
	return rc;
}
