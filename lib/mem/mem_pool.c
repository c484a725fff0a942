/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a mempool's memory lies: the range a PMD gives its queue's IOVA
 * cache as a run (iop_iova_cache_set_run), so that buffers of the pool
 * translate with one compare and one add.
 */
#include <errno.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "iop_mem.h"

struct span {
	uintptr_t lo, hi;
};

static void widen(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *chunk,
		  unsigned int idx)
{
	struct span *s = opaque;
	uintptr_t lo = (uintptr_t)chunk->addr;

	(void)mp;
	(void)idx;
	if (!chunk->len)
		return;
	if (lo < s->lo)
		s->lo = lo;
	if (lo + chunk->len > s->hi)
		s->hi = lo + chunk->len;
}

int iop_mem_pool_span(struct rte_mempool *mp, void **va, size_t *len)
{
	struct span s = { .lo = UINTPTR_MAX, .hi = 0 };

	rte_mempool_mem_iter(mp, widen, &s);
	if (s.hi <= s.lo)
		return -ENOENT;
	*va = (void *)s.lo;
	*len = s.hi - s.lo;
	return 0;
}
