/* SPDX-License-Identifier: BSD-3-Clause */
/* IOMMU groups: refcounted by open devices, checked for viability. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"
#include "user_dma.h"

struct iop_group *iop_group_get(struct iop_ctx *ctx, unsigned int id)
{
	struct iop_group *g;

	for (g = ctx->groups; g; g = g->next) {
		if (g->id == id) {
			g->nopen++;
			return g;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->ctx = ctx;
	g->id = id;
	g->nopen = 1;
	g->next = ctx->groups;
	ctx->groups = g;
	return g;
}

void iop_group_put(struct iop_group *group)
{
	struct iop_group **pp;

	if (--group->nopen > 0)
		return;
	for (pp = &group->ctx->groups; *pp != group; pp = &(*pp)->next)
		;
	*pp = group->next;
	free(group);
}

struct iop_ioas *iop_ctx_group_ioas(struct iop_ctx *ctx, unsigned int id)
{
	struct iop_ioas *ioas = NULL;

	iop_ctx_lock(ctx);
	for (struct iop_group *g = ctx->groups; g; g = g->next)
		if (g->id == id)
			ioas = g->ioas;
	iop_ctx_unlock(ctx);
	return ioas;
}

/* Fills why[] with the offenders of group id and their fix; false if none. */
static bool group_offenders(unsigned int id, const struct iop_dev_info *info,
			    size_t count, char *why, size_t size)
{
	char list[256] = "", fix[256] = "";
	size_t nl = 0, nf = 0, n = 0;

	for (size_t i = 0; i < count; i++) {
		if (info[i].group != id || iop_driver_allows_user_dma(info[i].driver))
			continue;
		nl += (size_t)snprintf(list + nl, nl < sizeof(list) ? sizeof(list) - nl : 0,
				       "%s%s on %s", n ? ", " : "", info[i].bdf,
				       info[i].driver);
		nf += (size_t)snprintf(fix + nf, nf < sizeof(fix) ? sizeof(fix) - nf : 0,
				       " %s", info[i].bdf);
		n++;
	}
	if (n == 0)
		return false;
	snprintf(why, size, "%s (every device of a group must be on vfio-pci, pci-stub, pcieport or no driver); fix: iop-devices bind%s",
		 list, fix);
	return true;
}

/* Rule 4 (seed 002): a group is safe for user DMA only when every device
 * in it is on a driver that does no DMA of its own, or on none. */
int iop_group_check_viable(const char *bdf, unsigned int id,
			   const struct iop_dev_info *info, size_t count)
{
	char why[400];

	if (!group_offenders(id, info, count, why, sizeof(why)))
		return 0;
	return IOP_ERR(EPERM, "cannot use %s: its IOMMU group %u is not viable: %s",
		       bdf, id, why);
}

static int group_info(struct iop_ctx *ctx, unsigned int group,
		      struct iop_group_info *gi)
{
	struct iop_dev_info *info;
	size_t count;
	int rc;

	rc = iop_ctx_devices_alloc(ctx, &info, &count);
	if (rc)
		return rc;
	memset(gi, 0, sizeof(*gi));
	gi->id = group;
	for (size_t i = 0; i < count; i++) {
		if (info[i].group != group)
			continue;
		if (gi->ndevs < IOP_GROUP_MAX_DEVS)
			memcpy(gi->bdf[gi->ndevs], info[i].bdf, IOP_BDF_LEN);
		gi->ndevs++;
	}
	gi->viable = !group_offenders(group, info, count, gi->why, sizeof(gi->why));
	free(info);
	if (gi->ndevs == 0)
		return IOP_ERR(ENOENT, "no IOMMU group %u: iop-devices list shows the groups", group);
	if (gi->ndevs > IOP_GROUP_MAX_DEVS)
		gi->ndevs = IOP_GROUP_MAX_DEVS;
	if (ctx->ops->group_ranges) {
		rc = ctx->ops->group_ranges(ctx->bctx, group, gi->ranges,
					    IOP_MAX_RANGES, &gi->nranges);
		if (rc)
			return IOP_ERR(-rc, "cannot read the IOVA ranges of group %u: %s",
				       group, strerror(-rc));
		if (gi->nranges > IOP_MAX_RANGES)
			gi->nranges = IOP_MAX_RANGES;
	}
	return 0;
}

int iop_ctx_group_info(struct iop_ctx *ctx, unsigned int group,
		       struct iop_group_info *gi)
{
	int rc;

	iop_ctx_lock(ctx);
	rc = group_info(ctx, group, gi);
	iop_ctx_unlock(ctx);
	return rc;
}
