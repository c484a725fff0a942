/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA a group reserves, as iommufd sees it (io_pagetable.c), of two
 * kinds checked at different points of an attach (sim.c): what lies
 * outside its domain's aperture (the span of its ranges in the topology)
 * and the regions its devices reserve inside it (the gaps between its
 * ranges: the MSI window). Neither may hold a mapping of the IOAS nor a
 * range the IOAS was told to allow.
 *
 * IOMMU_IOAS_ALLOW_IOVAS in the sim, as iommufd does it (ioas.c): a list of ranges, each with first < last and none
 * overlapping another (EINVAL), replaces the IOAS's allowed ranges; an
 * empty list allows everything again. Allowed IOVA must never be reserved
 * by an attached group (its MSI window, what lies outside its aperture):
 * setting such a range is EADDRINUSE (the old list stays), and so is the
 * attach of a group that would reserve allowed IOVA. Nothing else looks
 * at them here: the kernel checks them only when it picks an IOVA itself,
 * not for fixed-IOVA maps or copies, and IOVA_RANGES does not show them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_backend.h"
#include "sim_internal.h"

static bool beyond_aperture(const struct sim_group *g, uint64_t first, uint64_t last)
{
	const struct sim_topo_group *t = g->topo;

	return first < t->ranges[0].first || last > t->ranges[t->nranges - 1].last;
}

static bool meets_regions(const struct sim_group *g, uint64_t first, uint64_t last)
{
	const struct sim_topo_group *t = g->topo;

	for (size_t i = 0; i + 1 < t->nranges; i++) {
		uint64_t gap_first = t->ranges[i].last + 1, gap_last = t->ranges[i + 1].first - 1;

		if (gap_first <= gap_last && first <= gap_last && gap_first <= last)
			return true;
	}
	return false;
}

/* The areas of s and the ranges it allows are clear of what g reserves
 * of one kind. */
static bool clear_of(const struct sim_group *g, const struct sim_ioas *s,
		     bool (*reserves)(const struct sim_group *, uint64_t, uint64_t))
{
	for (size_t i = 0; i < s->nareas; i++)
		if (reserves(g, s->areas[i].iova, s->areas[i].iova + s->areas[i].len - 1))
			return false;
	for (size_t i = 0; i < s->nallowed; i++)
		if (reserves(g, s->allowed[i].first, s->allowed[i].last))
			return false;
	return true;
}

bool sim_group_clear_of_aperture(const struct sim_group *g, const struct sim_ioas *s)
{
	return clear_of(g, s, beyond_aperture);
}

bool sim_group_clear_of_regions(const struct sim_group *g, const struct sim_ioas *s)
{
	return clear_of(g, s, meets_regions);
}

/* Part of [first, last] is IOVA a group attached to s reserves. */
static bool reserved_in(const struct sim_ioas *s, uint64_t first, uint64_t last)
{
	for (size_t g = 0; g < s->ctx->topo.ngroups; g++) {
		const struct sim_group *grp = &s->ctx->groups[g];

		if (grp->ioas == s && !sim_group_windowed(grp) &&
		    (beyond_aperture(grp, first, last) || meets_regions(grp, first, last)))
			return true;
	}
	return false;
}

int sim_allow_iovas(void *bioas, const struct iop_iova_range *ranges, size_t n)
{
	struct sim_ioas *s = bioas;
	struct iop_iova_range *copy = NULL;
	int rc = sim_call();

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (ranges[i].first >= ranges[i].last)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (ranges[j].first <= ranges[i].last && ranges[i].first <= ranges[j].last)
				return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (reserved_in(s, ranges[i].first, ranges[i].last))
			return -EADDRINUSE;
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, ranges, n * sizeof(*copy));
	}
	free(s->allowed);
	s->allowed = copy;
	s->nallowed = n;
	return 0;
}
