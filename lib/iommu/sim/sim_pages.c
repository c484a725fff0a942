/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pinned pages of the sim: as in iommufd, a user page is pinned and
 * charged to memlock only while an area of an IOAS with a domain covers it
 * or an access pins it; each page is counted once however many areas
 * (copies) cover it, and a pin past the topology's memlock line fails with
 * ENOMEM, nothing pinned.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim_internal.h"

static void charge(struct sim_ctx *c, int64_t npages)
{
	__atomic_add_fetch(&c->pinned_pages, (uint64_t)npages, __ATOMIC_RELAXED);
	sim_count_pinned(npages);
}

/* The pages [va, va + len) touches. */
uint64_t sim_pages_spanned(uintptr_t va, uint64_t len)
{
	uint64_t first = va / SIM_PAGE_SIZE;
	uint64_t last = (va + len - 1) / SIM_PAGE_SIZE;

	return last - first + 1;
}

/* Adds delta to the domain count of each page area a covers; returns how
 * many pages went from 0 to 1 (delta 1) or from 1 to 0 (delta -1). */
static uint64_t area_domain_refs(const struct sim_area *a, int delta)
{
	struct sim_pages *p = a->pages;
	uint64_t first = a->va / SIM_PAGE_SIZE - p->first_page;
	uint64_t n = sim_pages_spanned(a->va, a->len), changed = 0;

	for (uint64_t i = first; i < first + n; i++) {
		if (delta > 0)
			changed += p->domain_refs[i]++ == 0;
		else
			changed += --p->domain_refs[i] == 0;
	}
	return changed;
}

/* Pins the pages of areas for a domain (or an access's pin of a piece of
 * an area), all or none: -ENOMEM past the memlock line. Pages already
 * pinned (by another IOAS with a domain, an access, or an earlier area of
 * the list) cost nothing. */
int sim_pin_areas(struct sim_ctx *c, const struct sim_area *a, size_t n)
{
	uint64_t need = 0;

	for (size_t i = 0; i < n; i++) {
		struct sim_pages *p = a[i].pages;

		if (!p->domain_refs) {
			p->domain_refs = calloc(p->npages, sizeof(*p->domain_refs));
			if (!p->domain_refs) {
				while (i--)
					area_domain_refs(&a[i], -1);
				return -ENOMEM;
			}
		}
		need += area_domain_refs(&a[i], 1);
	}
	if (c->topo.memlock != UINT64_MAX &&
	    __atomic_load_n(&c->pinned_pages, __ATOMIC_RELAXED) + need >
	    c->topo.memlock / SIM_PAGE_SIZE) {
		for (size_t i = 0; i < n; i++)
			area_domain_refs(&a[i], -1);
		return -ENOMEM;
	}
	charge(c, (int64_t)need);
	return 0;
}

void sim_unpin_areas(struct sim_ctx *c, const struct sim_area *a, size_t n)
{
	uint64_t freed = 0;

	for (size_t i = 0; i < n; i++)
		freed += area_domain_refs(&a[i], -1);
	charge(c, -(int64_t)freed);
}
