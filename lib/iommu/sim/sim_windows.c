/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Window-style IOMMUs in the sim (seed 001), as the kernel's sPAPR TCE v2
 * container does it (drivers/vfio/vfio_iommu_spapr_tce.c): an IOAS reached
 * by such a group has no fixed aperture but DMA windows, up to two. The
 * first group brings the default window at IOVA 0 (its topology's
 * dma-window= size); further windows are created (the platform places the
 * second at 2^59) and removed by the program; every group that joins gets
 * the IOAS's windows; a group of the other IOMMU style is refused (EPERM,
 * "incompatible"); the windows go when the last group leaves (the
 * container's IOMMU is released then). The IOAS's mappings stay, as in
 * iommufd: they must fit the windows when a group joins again. Errnos: create with both slots used ENOSPC, with a page
 * size the IOMMU lacks EINVAL, with no group attached ENXIO; remove of no
 * window EINVAL.
 */
#include <errno.h>

#include "sim_internal.h"

/* Where the platform puts the window of each slot (PowerNV: the 32-bit
 * window at 0, the dynamic one at the TCE bypass base 2^59). */
static const uint64_t slot_start[SIM_MAX_WINDOWS] = { 0, UINT64_C(1) << 59 };

/* Page sizes a window may use: 4 KiB, 64 KiB, 2 MiB, 1 GiB. */
#define PAGE_SHIFTS ((1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 30))

bool sim_group_windowed(const struct sim_group *g)
{
	return g->topo->dma_window != 0;
}

static bool slot_used(const struct sim_ioas *s, int i)
{
	return s->windows[i].first <= s->windows[i].last;
}

static void slot_clear(struct sim_ioas *s, int i)
{
	s->windows[i] = (struct iop_iova_range){ 1, 0 };
}

int sim_windows_join(struct sim_ioas *s, const struct sim_group *g)
{
	const struct sim_ctx *c = s->ctx;

	for (size_t i = 0; i < c->topo.ngroups; i++) {
		const struct sim_group *other = &c->groups[i];

		if (other->ioas == s && other != g &&
		    sim_group_windowed(other) != sim_group_windowed(g))
			return -EPERM;
	}
	if (!sim_group_windowed(g) || s->windowed)
		return 0;
	s->windowed = true;
	s->windows[0] = (struct iop_iova_range){ slot_start[0], slot_start[0] + g->topo->dma_window - 1 };
	for (int i = 1; i < SIM_MAX_WINDOWS; i++)
		slot_clear(s, i);
	return 0;
}

void sim_windows_leave(struct sim_ioas *s)
{
	s->windowed = false;
}

size_t sim_windows_ranges(const struct sim_ioas *s, struct iop_iova_range *out)
{
	size_t n = 0;

	/* slots are in IOVA order already */
	for (int i = 0; i < SIM_MAX_WINDOWS; i++)
		if (slot_used(s, i))
			out[n++] = s->windows[i];
	return n;
}

/* What a window call gets before it looks at its arguments: an injected
 * failure, or ENXIO where no windowed group is attached. */
static int windows_usable(const struct sim_ioas *s)
{
	int rc = sim_call();

	if (rc)
		return rc;
	return !s->windowed || s->ngroups == 0 ? -ENXIO : 0;
}

int sim_window_create(void *bioas, unsigned int page_shift, uint64_t size,
		      uint64_t *start)
{
	struct sim_ioas *s = bioas;
	int rc = windows_usable(s);

	if (rc)
		return rc;
	for (int i = 0; i < SIM_MAX_WINDOWS; i++) {
		if (slot_used(s, i))
			continue;
		if (page_shift >= 64 || !(PAGE_SHIFTS & (1ull << page_shift)) || size == 0 ||
		    size % (1ull << page_shift) || size - 1 > UINT64_MAX - slot_start[i])
			return -EINVAL;
		s->windows[i] = (struct iop_iova_range){ slot_start[i], slot_start[i] + size - 1 };
		*start = slot_start[i];
		return 0;
	}
	return -ENOSPC;
}

int sim_window_remove(void *bioas, uint64_t start)
{
	struct sim_ioas *s = bioas;
	int rc = windows_usable(s);

	if (rc)
		return rc;
	for (int i = 0; i < SIM_MAX_WINDOWS; i++) {
		if (slot_used(s, i) && s->windows[i].first <= start && start <= s->windows[i].last) {
			/* the kernel clears the window's table: its maps go */
			rc = sim_unmap_inside(s, s->windows[i].first, s->windows[i].last);
			if (rc == 0)
				slot_clear(s, i);
			return rc;
		}
	}
	return -EINVAL;
}
