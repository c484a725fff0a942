/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a context holds, read under its lock for whoever shows it to an
 * operator (telemetry): IOAS with their mappings, open devices and where
 * they are attached, and the bytes the backend keeps pinned.
 */
#include <errno.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"

#include "iommu_internal.h"

int iop_ctx_ioas_list(struct iop_ctx *ctx, struct iop_ioas_info *info, size_t max,
		      size_t *count)
{
	size_t n = 0;

	iop_ctx_lock(ctx);
	/* the list is newest first: fill from the end for creation order */
	for (const struct iop_ioas *a = ctx->ioas_list; a; a = a->next)
		n++;
	*count = n;
	for (const struct iop_ioas *a = ctx->ioas_list; a; a = a->next) {
		struct iop_ioas_info *o;

		if (--n >= max)
			continue;
		o = &info[n];
		o->id = a->id;
		o->ndevs = a->ndevs;
		o->nmaps = a->nmaps;
		o->mapped_bytes = 0;
		for (size_t m = 0; m < a->nmaps; m++)
			o->mapped_bytes += a->maps[m].len;
	}
	iop_ctx_unlock(ctx);
	return 0;
}

int iop_ctx_ioas_maps(struct iop_ctx *ctx, unsigned int id, struct iop_map_info *maps,
		      size_t max, size_t *count)
{
	const struct iop_ioas *a;

	iop_ctx_lock(ctx);
	for (a = ctx->ioas_list; a && a->id != id; a = a->next)
		;
	if (!a) {
		iop_ctx_unlock(ctx);
		return IOP_ERR(ENOENT, "no IOAS %u", id);
	}
	*count = a->nmaps;
	for (size_t m = 0; m < a->nmaps && m < max; m++)
		maps[m] = (struct iop_map_info){ .va = a->maps[m].va, .iova = a->maps[m].iova,
						 .len = a->maps[m].len, .prot = a->maps[m].prot };
	iop_ctx_unlock(ctx);
	return 0;
}

int iop_ctx_open_devices(struct iop_ctx *ctx, struct iop_open_dev *devs, size_t max,
			 size_t *count)
{
	size_t n = 0;

	iop_ctx_lock(ctx);
	for (const struct iop_dev *d = ctx->devs; d; d = d->next, n++) {
		if (n >= max)
			continue;
		memcpy(devs[n].bdf, d->bdf, sizeof(devs[n].bdf));
		devs[n].group = d->group->id;
		devs[n].ioas = d->ioas ? d->ioas->id : 0;
	}
	*count = n;
	iop_ctx_unlock(ctx);
	return 0;
}

/* Whether an IOAS listed before b maps exactly [va, va+len): then the
 * backend copied b's mapping from it without pinning the pages again. */
static bool pinned_before(const struct iop_ioas *b, const struct iop_map *m)
{
	for (const struct iop_ioas *a = b->next; a; a = a->next)
		for (size_t k = 0; k < a->nmaps; k++)
			if (a->maps[k].va == m->va && a->maps[k].len == m->len)
				return true;
	return false;
}

uint64_t iop_ctx_pinned_bytes(struct iop_ctx *ctx)
{
	uint64_t bytes = 0;

	iop_ctx_lock(ctx);
	for (const struct iop_ioas *a = ctx->ioas_list; a; a = a->next)
		for (size_t k = 0; k < a->nmaps; k++)
			if (!ctx->ops->copy || !pinned_before(a, &a->maps[k]))
				bytes += a->maps[k].len;
	iop_ctx_unlock(ctx);
	return bytes;
}
