/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOMMU_IOAS_ALLOW_IOVAS in the sim, as iommufd does it (ioas.c,
 * io_pagetable.c): a list of ranges, each with first < last and none
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

/* Part of [first, last] is IOVA a group attached to s reserves. */
static bool reserved_in(const struct sim_ioas *s, uint64_t first, uint64_t last)
{
	for (size_t g = 0; g < s->ctx->topo.ngroups; g++) {
		const struct sim_group *grp = &s->ctx->groups[g];

		if (grp->ioas == s && !sim_group_windowed(grp) &&
		    (sim_group_beyond_aperture(grp, first, last) ||
		     sim_group_meets_reserved(grp, first, last)))
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
