/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 6 (seed 001): IOVAs honour the IOAS's ranges. IOVA = VA where
 * it fits; otherwise mappings are packed inside the ranges, hugepage by
 * hugepage, keeping IOVA = VA modulo 2 MiB so that every 2 MiB page of VA
 * has one IOVA offset and the 2 MiB translation table stays exact.
 */
#include <errno.h>
#include <stdbool.h>

#include "iommu_internal.h"
#include "iova_table.h"

#define HP IOP_HUGEPAGE_SIZE

static uint64_t hp_down(uint64_t x)
{
	return x & ~(HP - 1);
}

/* Last byte of the 2 MiB page holding x. */
static uint64_t hp_last(uint64_t x)
{
	return hp_down(x) + (HP - 1);
}

static bool fits_ranges(const struct iop_iova_range *r, size_t nr,
			uint64_t iova, uint64_t len)
{
	uint64_t last;

	if (__builtin_add_overflow(iova, len - 1, &last) || last > IOP_IOVA_LAST_USABLE)
		return false;
	for (size_t i = 0; i < nr; i++)
		if (r[i].first <= iova && last <= r[i].last)
			return true;
	return false;
}

/* A mapping whose 2 MiB IOVA pages meet [first, last] with another
 * IOVA-VA offset than delta, or NULL. Two mappings with the same offset
 * may share a 2 MiB page: the table then holds one offset for it. */
static const struct iop_map *conflict(const struct iop_map *maps, size_t n,
				      uint64_t first, uint64_t last,
				      uint64_t delta)
{
	for (size_t i = 0; i < n; i++) {
		const struct iop_map *m = &maps[i];

		if (hp_down(m->iova) <= last && first <= hp_last(m->iova + m->len - 1) &&
		    m->iova - m->va != delta)
			return m;
	}
	return NULL;
}

static bool try_at(const struct iop_iova_range *r, size_t nr,
		   const struct iop_map *maps, size_t n, uintptr_t va,
		   uint64_t len, uint64_t iova)
{
	return fits_ranges(r, nr, iova, len) &&
	       !conflict(maps, n, hp_down(iova), hp_last(iova + len - 1), iova - va);
}

/* The offset already used in this IOAS for a 2 MiB VA page of the new
 * mapping: using it too keeps that page on one offset (a "full" entry the
 * queue caches may hold) rather than a partial one. */
static bool shared_page_delta(const struct iop_map *maps, size_t n,
			      uintptr_t va, uint64_t len, uint64_t *delta)
{
	for (size_t i = 0; i < n; i++) {
		const struct iop_map *m = &maps[i];

		if (hp_down(m->va) <= hp_last(va + len - 1) &&
		    hp_down(va) <= hp_last(m->va + m->len - 1)) {
			*delta = m->iova - m->va;
			return true;
		}
	}
	return false;
}

/* Lowest fit inside one range; blocks start on 2 MiB and never at IOVA 0
 * (as the kernel's allocator: a zero IOVA looks like a missing one). */
static bool pack_in_range(const struct iop_iova_range *r,
			  const struct iop_map *maps, size_t n, uintptr_t va,
			  uint64_t len, uint64_t *iova)
{
	uint64_t off = va & (HP - 1);
	uint64_t span = hp_last(va + len - 1) - hp_down(va); /* bytes - 1 */
	uint64_t b = hp_down(r->first);

	if (b + off < r->first) {
		if (b > UINT64_MAX - HP)
			return false; /* no 2 MiB page starts above: b would wrap to 0 */
		b += HP;
	}
	if (b == 0)
		b = HP;
	for (;;) {
		uint64_t last_byte, block_last;
		const struct iop_map *m;

		if (b < HP || __builtin_add_overflow(b + off, len - 1, &last_byte) ||
		    last_byte > r->last || last_byte > IOP_IOVA_LAST_USABLE ||
		    __builtin_add_overflow(b, span, &block_last))
			return false;
		m = conflict(maps, n, b, block_last, b + off - va);
		if (!m) {
			*iova = b + off;
			return true;
		}
		b = hp_last(m->iova + m->len - 1) + 1;
	}
}

bool iop_iova_fits(const struct iop_iova_range *ranges, size_t nranges,
		   const struct iop_map *maps, size_t nmaps, uintptr_t va,
		   uint64_t len, uint64_t iova)
{
	return len != 0 && try_at(ranges, nranges, maps, nmaps, va, len, iova);
}

int iop_iova_pick(const struct iop_iova_range *ranges, size_t nranges,
		  const struct iop_map *maps, size_t nmaps, uintptr_t va,
		  uint64_t len, uint64_t *iova)
{
	uint64_t delta;

	if (len == 0)
		return -EINVAL;
	/* keep a shared 2 MiB page whole in the table when possible */
	if (shared_page_delta(maps, nmaps, va, len, &delta) &&
	    try_at(ranges, nranges, maps, nmaps, va, len, va + delta)) {
		*iova = va + delta;
		return 0;
	}
	if (va != 0 && try_at(ranges, nranges, maps, nmaps, va, len, va)) {
		*iova = va;
		return 0;
	}
	for (size_t i = 0; i < nranges; i++)
		if (pack_in_range(&ranges[i], maps, nmaps, va, len, iova))
			return 0;
	return -ENOSPC;
}
