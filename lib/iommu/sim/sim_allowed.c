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

/* The ranges g leaves usable hold every allowed range of s (so g
 * reserves none of them). Window-style groups have no fixed reserved
 * IOVA. */
bool sim_allowed_fit(const struct sim_ioas *s, const struct sim_group *g)
{
	if (sim_group_windowed(g))
		return true;
	for (size_t i = 0; i < s->nallowed; i++) {
		bool in = false;

		for (size_t r = 0; r < g->topo->nranges && !in; r++)
			in = g->topo->ranges[r].first <= s->allowed[i].first &&
			     s->allowed[i].last <= g->topo->ranges[r].last;
		if (!in)
			return false;
	}
	return true;
}

int sim_allow_iovas(void *bioas, const struct iop_iova_range *ranges, size_t n)
{
	struct sim_ioas *s = bioas;
	struct iop_iova_range *old = s->allowed, *copy = NULL;
	size_t nold = s->nallowed;
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
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, ranges, n * sizeof(*copy));
	}
	s->allowed = copy;
	s->nallowed = n;
	for (size_t g = 0; g < s->ctx->topo.ngroups; g++) {
		if (s->ctx->groups[g].ioas == s && !sim_allowed_fit(s, &s->ctx->groups[g])) {
			s->allowed = old;
			s->nallowed = nold;
			free(copy);
			return -EADDRINUSE;
		}
	}
	free(old);
	return 0;
}
