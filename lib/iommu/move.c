/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 5 (seed 000): moving devices between IOAS never splits a group.
 * Each group moves as a whole: an atomic replace where the backend has it
 * (iommufd), otherwise detach every device of the group, then attach them
 * all. A failure midway puts every device back where it was; with replace
 * it never detaches a device that was attached: a group whose replace
 * failed is still where it was (the kernel's replace is atomic) and is left
 * alone, one that moved is replaced back, so its DMA is never blocked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"

static bool in_set(struct iop_dev *const *devs, size_t n, const struct iop_dev *d)
{
	for (size_t i = 0; i < n; i++)
		if (devs[i] == d)
			return true;
	return false;
}

/* Detaches every attached device of group g (all of them are in devs). */
static int detach_group(struct iop_dev *const *devs, size_t n,
			const struct iop_group *g)
{
	for (size_t i = 0; i < n; i++) {
		struct iop_dev *d = devs[i];
		int rc;

		if (d->group != g || !d->ioas)
			continue;
		rc = d->ctx->ops->detach(d->bdev);
		if (rc)
			return rc;
		iop_dev_note_detached(d);
	}
	return 0;
}

/* *touched: g is no longer exactly where it was (to be restored). */
static int move_group(struct iop_dev *const *devs, size_t n,
		      struct iop_group *g, struct iop_ioas *to, bool *touched)
{
	const struct iop_backend_ops *ops = to->ctx->ops;
	int rc;

	*touched = false;
	if (g->ioas && g->ioas != to) {
		if (ops->can_replace) {
			struct iop_dev *first = NULL;

			for (size_t i = 0; i < n && !first; i++)
				if (devs[i]->group == g && devs[i]->ioas)
					first = devs[i];
			/* one replace moves the group's domain, and with it
			 * every attached device of the group */
			rc = ops->attach(first->bdev, to->bioas);
			if (rc)
				return rc;
			iop_group_note_replaced(g, to);
		} else {
			*touched = true;
			rc = detach_group(devs, n, g);
			if (rc)
				return rc;
		}
	}
	*touched = true;
	for (size_t i = 0; i < n; i++) {
		struct iop_dev *d = devs[i];

		if (d->group != g || d->ioas == to)
			continue;
		rc = ops->attach(d->bdev, to->bioas);
		if (rc)
			return rc;
		iop_dev_note_attached(d, to);
	}
	return 0;
}

/* With replace: detaches the devices of g the move attached, and replaces
 * g's domain back to from[i] of a device that was attached, which never
 * leaves those without a domain. */
static int replace_back(struct iop_dev *const *devs, size_t n,
			struct iop_group *g, struct iop_ioas *const *from)
{
	struct iop_dev *first = NULL;
	struct iop_ioas *back = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct iop_dev *d = devs[i];

		if (d->group != g || !d->ioas)
			continue;
		if (from[i]) {
			first = first ? first : d;
			back = back ? back : from[i];
			continue;
		}
		rc = d->ctx->ops->detach(d->bdev);
		if (rc)
			return rc;
		iop_dev_note_detached(d);
	}
	if (!first || first->ioas == back)
		return 0;
	rc = first->ctx->ops->attach(first->bdev, back->bioas);
	if (rc == 0)
		iop_group_note_replaced(g, back);
	return rc;
}

/* Without replace: detaches the devices of g that are not on from[i]
 * (a detach refused midway left the others where they were), then
 * attaches them back there. */
static int detach_attach_back(struct iop_dev *const *devs, size_t n,
			      const struct iop_group *g, struct iop_ioas *const *from)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct iop_dev *d = devs[i];

		if (d->group != g || !d->ioas || d->ioas == from[i])
			continue;
		rc = d->ctx->ops->detach(d->bdev);
		if (rc == 0)
			iop_dev_note_detached(d);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct iop_dev *d = devs[i];

		if (d->group != g || !from[i] || d->ioas == from[i])
			continue;
		rc = d->ctx->ops->attach(d->bdev, from[i]->bioas);
		if (rc == 0)
			iop_dev_note_attached(d, from[i]);
	}
	return rc;
}

/* Puts every device of group g back on from[i]; false if it could not. */
static bool restore_group(struct iop_dev *const *devs, size_t n,
			  struct iop_group *g, struct iop_ioas *const *from)
{
	int rc = g->ctx->ops->can_replace ? replace_back(devs, n, g, from) :
					    detach_attach_back(devs, n, g, from);

	if (rc)
		IOP_LOG(ERR, "could not put IOMMU group %u back after a failed move (%s): close its devices",
			g->id, strerror(-rc));
	return rc == 0;
}

/* devs hold every open device of their groups, all of to's context. */
static int whole_groups(struct iop_dev *const *devs, size_t n, const struct iop_ioas *to)
{
	for (size_t i = 0; i < n; i++)
		if (devs[i]->ctx != to->ctx)
			return IOP_ERR(EINVAL, "cannot move %s to IOAS %u of another context",
				       devs[i]->bdf, to->id);
	for (struct iop_dev *d = to->ctx->devs; d; d = d->next) {
		if (in_set(devs, n, d))
			continue;
		for (size_t i = 0; i < n; i++)
			if (devs[i]->group == d->group)
				return IOP_ERR(EINVAL, "cannot move %s to IOAS %u without %s: both are in IOMMU group %u and a group is never split; move them together",
					       devs[i]->bdf, to->id, d->bdf, d->group->id);
	}
	return 0;
}

static int dev_move(struct iop_dev *const *devs, size_t n, struct iop_ioas *to)
{
	struct iop_ioas **from;
	char before[512];
	bool touched = false;
	size_t done;
	int rc;

	rc = whole_groups(devs, n, to);
	if (rc)
		return rc;
	from = calloc(n ? n : 1, sizeof(*from));
	if (!from)
		return IOP_ERR(ENOMEM, "out of memory moving devices");
	for (size_t i = 0; i < n; i++)
		from[i] = devs[i]->ioas;
	/* a backend that fails says why, or leaves the message as it was */
	snprintf(before, sizeof(before), "%s", iop_err_msg());
	/* one group at a time, in the order of first appearance */
	for (done = 0; done < n; done++) {
		bool seen = false;

		for (size_t j = 0; j < done; j++)
			seen |= devs[j]->group == devs[done]->group;
		if (seen)
			continue;
		rc = move_group(devs, n, devs[done]->group, to, &touched);
		if (rc)
			break;
	}
	if (rc) {
		bool restored = true;
		int err = -rc;
		char why[512];

		/* the backend's own words, before a restore step writes others */
		snprintf(why, sizeof(why), "%s",
			 strcmp(iop_err_msg(), before) ? iop_err_msg() : strerror(err));

		/* the group that failed is restored only if it changed */
		for (size_t k = 0; k < (touched ? done + 1 : done) && k < n; k++) {
			bool seen = false;

			for (size_t j = 0; j < k; j++)
				seen |= devs[j]->group == devs[k]->group;
			if (!seen)
				restored &= restore_group(devs, n, devs[k]->group, from);
		}
		rc = IOP_ERR(err, "cannot move %zu device(s) to IOAS %u: %s; %s",
			     n, to->id, why,
			     restored ? "every device is back where it was" :
					"some devices are detached now (see the error above)");
	}
	free(from);
	return rc;
}

int iop_dev_move_check(struct iop_dev *const *devs, size_t n, struct iop_ioas *to)
{
	int rc;

	iop_ctx_lock(to->ctx);
	rc = whole_groups(devs, n, to);
	iop_ctx_unlock(to->ctx);
	return rc;
}

int iop_dev_move(struct iop_dev *const *devs, size_t n, struct iop_ioas *to)
{
	int rc;

	iop_ctx_lock(to->ctx);
	rc = dev_move(devs, n, to);
	iop_ctx_unlock(to->ctx);
	return rc;
}
