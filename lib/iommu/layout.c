/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOAS layouts (--ioas=shared|per-device|per-group): the placement step of
 * one device (iop_layout_place, also used by lib/port as ports open), a plan
 * for a list of devices built from it, and applying a plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"
#include "iova_ranges.h"

#define PLAN_MAX_IOAS (sizeof(((struct iop_plan *)0)->ioas) / sizeof(struct iop_plan_ioas))
#define PLAN_MAX_MERGED (sizeof(((struct iop_plan *)0)->merged_group) / sizeof(unsigned int))

/* Checks every name and the viability of every group named. */
static int check_devices(const char *const *bdfs, size_t n,
			 const struct iop_dev_info *info, size_t count,
			 const struct iop_dev_info **di)
{
	int rc;

	if (n == 0)
		return IOP_ERR(EINVAL, "no devices given: name at least one PCI address (iop-devices list shows them)");
	for (size_t i = 0; i < n; i++) {
		rc = iop_dev_info_find(info, count, bdfs[i], &di[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (di[j] == di[i])
				return IOP_ERR(EINVAL, "device %s is named twice", di[i]->bdf);
	}
	for (size_t i = 0; i < n; i++) {
		rc = iop_group_check_viable(di[i]->bdf, di[i]->group, info, count);
		if (rc)
			return rc;
		if (strcmp(di[i]->driver, "vfio-pci") != 0)
			return IOP_ERR(ENODEV, "device %s is on no driver, not vfio-pci: run iop-devices bind %s",
				       di[i]->bdf, di[i]->bdf);
	}
	return 0;
}

/* Adds bdf to plan IOAS k, a new one when k is nioas. */
static int add_to(struct iop_plan *plan, size_t k, const char *bdf)
{
	struct iop_plan_ioas *pi;

	if (k == plan->nioas) {
		if (plan->nioas == PLAN_MAX_IOAS)
			return IOP_ERR(E2BIG, "a plan holds at most %zu IOAS", PLAN_MAX_IOAS);
		plan->nioas++;
	}
	pi = &plan->ioas[k];
	if (pi->ndevs == IOP_GROUP_MAX_DEVS)
		return IOP_ERR(E2BIG, "an IOAS of a plan holds at most %d devices", IOP_GROUP_MAX_DEVS);
	pi->bdf[pi->ndevs++] = bdf;
	return 0;
}

static const struct iop_placed_dev *placed_in_group(const struct iop_placed_dev *placed,
						    size_t n, unsigned int group)
{
	for (size_t i = 0; i < n; i++)
		if (placed[i].group == group)
			return &placed[i];
	return NULL;
}

int iop_layout_place(enum iop_layout layout, bool strict,
		     const struct iop_placed_dev *placed, size_t n,
		     const char *bdf, unsigned int group, size_t *ioas)
{
	const struct iop_placed_dev *mate = placed_in_group(placed, n, group);

	*ioas = IOP_PLACE_NEW_IOAS;
	switch (layout) {
	case IOP_LAYOUT_SHARED:
		/* one IOAS, unless a live move took a group elsewhere: the
		 * group's devices still go where it is (rule 3, seed 000) */
		if (n)
			*ioas = mate ? mate->ioas : placed[0].ioas;
		return 0;
	case IOP_LAYOUT_PER_GROUP:
		if (mate)
			*ioas = mate->ioas;
		return 0;
	case IOP_LAYOUT_PER_DEVICE:
		if (!mate)
			return 0;
		/* Rule 3 (seed 000): the devices of a group share one IOAS */
		if (strict)
			return IOP_ERR(EINVAL, "--ioas=per-device cannot give %s and %s an IOAS each: both are in IOMMU group %u, which shares one IOAS; use --ioas=per-group (or drop --strict to merge them)",
				       mate->bdf, bdf, group);
		IOP_LOG(WARN, "--ioas=per-device: IOMMU group %u merged: %s and %s share one IOAS (devices of a group cannot be apart)",
			group, mate->bdf, bdf);
		*ioas = mate->ioas;
		return 0;
	}
	return IOP_ERR(EINVAL, "unknown IOAS layout %d", (int)layout);
}

/* Records a group per-device merged, once. */
static void note_merged(struct iop_plan *plan, unsigned int group)
{
	for (size_t m = 0; m < plan->nmerged; m++)
		if (plan->merged_group[m] == group)
			return;
	if (plan->nmerged < PLAN_MAX_MERGED)
		plan->merged_group[plan->nmerged++] = group;
}

/* The ranges each planned IOAS will have: those all its groups allow. */
static int plan_ranges(struct iop_ctx *ctx, struct iop_plan *plan,
		       const char *const *bdfs, const struct iop_dev_info *const *di)
{
	if (!ctx->ops->group_ranges)
		return 0;
	for (size_t k = 0; k < plan->nioas; k++) {
		struct iop_plan_ioas *pi = &plan->ioas[k];

		pi->ranges[0] = (struct iop_iova_range){ 0, UINT64_MAX };
		pi->nranges = 1;
		for (size_t j = 0; j < pi->ndevs; j++) {
			struct iop_iova_range gr[IOP_MAX_RANGES], out[IOP_MAX_RANGES];
			size_t ng, i;
			int rc;

			for (i = 0; bdfs[i] != pi->bdf[j]; i++)
				;
			rc = ctx->ops->group_ranges(ctx->bctx, di[i]->group, gr,
						    IOP_MAX_RANGES, &ng);
			if (rc)
				return IOP_ERR(-rc, "cannot read the IOVA ranges of group %u: %s",
					       di[i]->group, strerror(-rc));
			if (ng > IOP_MAX_RANGES)
				ng = IOP_MAX_RANGES;
			pi->nranges = iop_iova_ranges_intersect(pi->ranges, pi->nranges, gr, ng,
								out, IOP_MAX_RANGES);
			memcpy(pi->ranges, out, pi->nranges * sizeof(*out));
		}
	}
	return 0;
}

static int plan_build(struct iop_ctx *ctx, enum iop_layout layout, bool strict,
		      const char *const *bdfs, size_t n, struct iop_plan *plan)
{
	const struct iop_dev_info **di;
	struct iop_placed_dev *placed;
	struct iop_dev_info *info;
	size_t count;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->layout = layout;
	rc = iop_ctx_devices_alloc(ctx, &info, &count);
	if (rc)
		return rc;
	di = calloc(n ? n : 1, sizeof(*di));
	placed = calloc(n ? n : 1, sizeof(*placed));
	if (!di || !placed) {
		free(di);
		free(placed);
		free(info);
		return IOP_ERR(ENOMEM, "out of memory planning a layout");
	}
	rc = check_devices(bdfs, n, info, count, di);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t k;

		rc = iop_layout_place(layout, strict, placed, i, di[i]->bdf, di[i]->group, &k);
		if (rc)
			break;
		if (k == IOP_PLACE_NEW_IOAS)
			k = plan->nioas;
		else if (layout == IOP_LAYOUT_PER_DEVICE)
			note_merged(plan, di[i]->group);
		rc = add_to(plan, k, bdfs[i]);
		placed[i] = (struct iop_placed_dev){ di[i]->bdf, di[i]->group, k };
	}
	if (rc == 0)
		rc = plan_ranges(ctx, plan, bdfs, di);
	free(placed);
	free(di);
	free(info);
	return rc;
}

int iop_plan_build(struct iop_ctx *ctx, enum iop_layout layout, bool strict,
		   const char *const *bdfs, size_t n, struct iop_plan *plan)
{
	int rc;

	iop_ctx_lock(ctx);
	rc = plan_build(ctx, layout, strict, bdfs, n, plan);
	iop_ctx_unlock(ctx);
	return rc;
}

/* The IOAS it destroys on failure are its own: nobody else holds them. */
static int plan_apply(struct iop_ctx *ctx, const struct iop_plan *plan,
		      const char *const *bdfs, size_t n, struct iop_dev **devs,
		      struct iop_ioas **ioas_out)
{
	size_t opened = 0, created = 0;
	int rc = 0;

	for (; opened < n && rc == 0; opened++) {
		rc = iop_dev_open(ctx, bdfs[opened], &devs[opened]);
		if (rc)
			break;
	}
	for (; rc == 0 && created < plan->nioas; created++) {
		rc = iop_ioas_create(ctx, &ioas_out[created]);
		if (rc)
			break;
	}
	for (size_t k = 0; rc == 0 && k < plan->nioas; k++) {
		for (size_t j = 0; rc == 0 && j < plan->ioas[k].ndevs; j++) {
			size_t i;

			/* by name: the caller may pass a copy of the list */
			for (i = 0; i < n && strcmp(bdfs[i], plan->ioas[k].bdf[j]) != 0; i++)
				;
			if (i == n)
				rc = IOP_ERR(EINVAL, "device %s of the plan is not in the device list",
					     plan->ioas[k].bdf[j]);
			else
				rc = iop_dev_attach(devs[i], ioas_out[k]);
		}
	}
	if (rc == 0)
		return 0;
	/* nothing stays open: closing detaches, then the IOAS are empty */
	for (size_t i = 0; i < opened; i++) {
		iop_dev_close(devs[i]);
		devs[i] = NULL;
	}
	for (size_t k = 0; k < created; k++) {
		iop_ioas_destroy(ioas_out[k]);
		ioas_out[k] = NULL;
	}
	return rc;
}

int iop_plan_apply(struct iop_ctx *ctx, const struct iop_plan *plan,
		   const char *const *bdfs, size_t n, struct iop_dev **devs,
		   struct iop_ioas **ioas_out)
{
	int rc;

	iop_ctx_lock(ctx);
	rc = plan_apply(ctx, plan, bdfs, n, devs, ioas_out);
	iop_ctx_unlock(ctx);
	return rc;
}
