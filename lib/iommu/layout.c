/* SPDX-License-Identifier: BSD-3-Clause */
/* IOAS layouts (--ioas=shared|per-device|per-group): plan, then apply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"

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
		di[i] = iop_dev_info_find(info, count, bdfs[i]);
		if (!di[i])
			return IOP_ERR(ENODEV, "unknown device %s: iop-devices list shows the devices", bdfs[i]);
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

/* The plan IOAS that already holds a device of group g, or -1. */
static long ioas_of_group(const struct iop_plan *plan, const char *const *bdfs,
			  const struct iop_dev_info *const *di, size_t n,
			  unsigned int g)
{
	for (size_t k = 0; k < plan->nioas; k++)
		for (size_t j = 0; j < plan->ioas[k].ndevs; j++)
			for (size_t i = 0; i < n; i++)
				if (plan->ioas[k].bdf[j] == bdfs[i] && di[i]->group == g)
					return (long)k;
	return -1;
}

static int add_to(struct iop_plan *plan, long k, const char *bdf)
{
	struct iop_plan_ioas *pi;

	if (k < 0) {
		if (plan->nioas == PLAN_MAX_IOAS)
			return IOP_ERR(E2BIG, "a plan holds at most %zu IOAS", PLAN_MAX_IOAS);
		k = (long)plan->nioas++;
	}
	pi = &plan->ioas[k];
	if (pi->ndevs == IOP_GROUP_MAX_DEVS)
		return IOP_ERR(E2BIG, "an IOAS of a plan holds at most %d devices", IOP_GROUP_MAX_DEVS);
	pi->bdf[pi->ndevs++] = bdf;
	return 0;
}

/* Rule 3 (seed 000): per-device cannot give two devices of one group an
 * IOAS each: an error under --strict, else one IOAS and a warning. */
static int check_per_device(struct iop_plan *plan, bool strict,
			    const struct iop_dev_info *const *di, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			bool known = false;

			if (di[j]->group != di[i]->group)
				continue;
			if (strict)
				return IOP_ERR(EINVAL, "--ioas=per-device cannot give %s and %s an IOAS each: both are in IOMMU group %u, which shares one IOAS; use --ioas=per-group (or drop --strict to merge them)",
					       di[j]->bdf, di[i]->bdf, di[i]->group);
			for (size_t m = 0; m < plan->nmerged; m++)
				known |= plan->merged_group[m] == di[i]->group;
			if (!known && plan->nmerged < PLAN_MAX_MERGED) {
				plan->merged_group[plan->nmerged++] = di[i]->group;
				IOP_LOG(WARN, "--ioas=per-device: IOMMU group %u merged: %s and %s share one IOAS (devices of a group cannot be apart)",
					di[i]->group, di[j]->bdf, di[i]->bdf);
			}
			break;
		}
	}
	return 0;
}

static size_t intersect(const struct iop_iova_range *a, size_t na,
			const struct iop_iova_range *b, size_t nb,
			struct iop_iova_range *out, size_t max)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb && n < max) {
		uint64_t first = a[i].first > b[j].first ? a[i].first : b[j].first;
		uint64_t last = a[i].last < b[j].last ? a[i].last : b[j].last;

		if (first <= last)
			out[n++] = (struct iop_iova_range){ first, last };
		if (a[i].last < b[j].last)
			i++;
		else
			j++;
	}
	return n;
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
			pi->nranges = intersect(pi->ranges, pi->nranges, gr, ng, out, IOP_MAX_RANGES);
			memcpy(pi->ranges, out, pi->nranges * sizeof(*out));
		}
	}
	return 0;
}

static int plan_build(struct iop_ctx *ctx, enum iop_layout layout, bool strict,
		      const char *const *bdfs, size_t n, struct iop_plan *plan)
{
	const struct iop_dev_info **di;
	struct iop_dev_info *info;
	size_t count;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->layout = layout;
	rc = iop_ctx_devices_alloc(ctx, &info, &count);
	if (rc)
		return rc;
	di = calloc(n ? n : 1, sizeof(*di));
	if (!di) {
		free(info);
		return IOP_ERR(ENOMEM, "out of memory planning a layout");
	}
	rc = check_devices(bdfs, n, info, count, di);
	if (rc == 0 && layout == IOP_LAYOUT_PER_DEVICE)
		rc = check_per_device(plan, strict, di, n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		long k = -1;

		switch (layout) {
		case IOP_LAYOUT_SHARED:
			k = plan->nioas ? 0 : -1;
			break;
		case IOP_LAYOUT_PER_DEVICE: /* merged groups (see above) */
		case IOP_LAYOUT_PER_GROUP:
			k = ioas_of_group(plan, bdfs, di, i, di[i]->group);
			break;
		default:
			rc = IOP_ERR(EINVAL, "unknown IOAS layout %d", (int)layout);
			continue;
		}
		rc = add_to(plan, k, bdfs[i]);
	}
	if (rc == 0)
		rc = plan_ranges(ctx, plan, bdfs, di);
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
