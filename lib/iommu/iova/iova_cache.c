/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slow paths of the per-queue IOVA cache (the hit path is inline in
 * iop_iova_cache.h): binding to a table, flushing on a new generation,
 * and filling an entry on a miss.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include "iommu_internal.h"
#include "iop_iova_cache.h"
#include "iova_table.h"

_Static_assert(IOP_IOVA_CACHE_PAGE_SHIFT == IOP_IOVA_TABLE_PAGE_SHIFT,
	       "cache entries and table pages must have one size");
_Static_assert((IOP_IOVA_CACHE_ENTRIES & (IOP_IOVA_CACHE_ENTRIES - 1)) == 0,
	       "the direct-mapped index is a mask");
_Static_assert(offsetof(struct iop_iova_cache, page) % 64 == 0,
	       "entries start on a cache line");

#define PAGE_MASK ((1ull << IOP_IOVA_CACHE_PAGE_SHIFT) - 1)

static void empty_entries(struct iop_iova_cache *c)
{
	for (size_t i = 0; i < IOP_IOVA_CACHE_ENTRIES; i++)
		c->page[i] = IOP_IOVA_CACHE_EMPTY;
}

void iop_iova_cache_bind(struct iop_iova_cache *c, const struct iop_iova_table *t)
{
	memset(c, 0, sizeof(*c));
	c->table = t;
	c->table_generation = iop_iova_table_generation(t);
	c->generation = __atomic_load_n(c->table_generation, __ATOMIC_ACQUIRE);
	empty_entries(c);
}

void iop_iova_cache_init(struct iop_iova_cache *c, struct iop_ioas *ioas)
{
	iop_iova_cache_bind(c, iop_ioas_table(ioas));
}

/* Serves the run the PMD asked for only while the table translates all of
 * it through live mappings with one delta; otherwise its addresses go
 * through the entries and the table like any other. */
static void check_run(struct iop_iova_cache *c)
{
	uint64_t delta;

	c->run_len = 0;
	if (c->run_want_len &&
	    iop_iova_table_run(c->table, c->run_want_va, c->run_want_len, &delta)) {
		c->run_va = c->run_want_va;
		c->run_delta = delta;
		c->run_len = c->run_want_len;
	}
}

/* rebind_to while the polling thread switches tables: still pending, and
 * no longer cancellable */
#define REBIND_TAKING ((const struct iop_iova_table *)1)

int iop_iova_cache_rebind(struct iop_iova_cache *c, struct iop_ioas *ioas)
{
	return iop_iova_cache_rebind_table(c, iop_ioas_table(ioas));
}

int iop_iova_cache_rebind_table(struct iop_iova_cache *c, const struct iop_iova_table *to)
{
	for (;;) {
		const struct iop_iova_table *none = NULL;

		if (__atomic_compare_exchange_n(&c->rebind_to, &none, to, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
		if (none != REBIND_TAKING)
			return -EBUSY;
		sched_yield(); /* the polling thread is a few stores from done */
	}
	/* c->table is the table whose generation the polling thread checks,
	 * or, if a flush of its took this rebind already, the new one, whose
	 * bump then costs one more flush and nothing else */
	iop_iova_table_bump(c->table);
	return 0;
}

bool iop_iova_cache_rebind_pending(const struct iop_iova_cache *c)
{
	return __atomic_load_n(&c->rebind_to, __ATOMIC_ACQUIRE) != NULL;
}

bool iop_iova_cache_rebind_cancel(struct iop_iova_cache *c)
{
	const struct iop_iova_table *to = __atomic_load_n(&c->rebind_to, __ATOMIC_ACQUIRE);

	return to && to != REBIND_TAKING &&
	       __atomic_compare_exchange_n(&c->rebind_to, &to, NULL, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* Takes a published rebind, and then *generation is the new table's. The
 * claim is a compare-exchange, so that exactly one of this and
 * iop_iova_cache_rebind_cancel() wins; the switch is published (rebind_to
 * back to NULL) only once c->table is the new table, so whoever sees no
 * rebind pending sees the table it is on; and the new table's generation
 * is read before that, so that a next rebind, which can be published from
 * then on and bumps the generation, finds the cache behind it. */
static bool take_rebind(struct iop_iova_cache *c, uint64_t *generation)
{
	const struct iop_iova_table *to = __atomic_load_n(&c->rebind_to, __ATOMIC_ACQUIRE);

	if (!to || to == REBIND_TAKING ||
	    !__atomic_compare_exchange_n(&c->rebind_to, &to, REBIND_TAKING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	c->table = to;
	c->table_generation = iop_iova_table_generation(to);
	*generation = __atomic_load_n(c->table_generation, __ATOMIC_ACQUIRE);
	__atomic_store_n(&c->rebind_to, NULL, __ATOMIC_RELEASE);
	return true;
}

void iop_iova_cache_flush(struct iop_iova_cache *c)
{
	/* the generation is read before emptying (a remove that lands while
	 * we empty bumps it again, and the next sync flushes once more) and
	 * before looking for a rebind: a rebind published after this read
	 * bumps it too, so the next sync takes it; read after the look, such
	 * a rebind would wait for some other remove */
	uint64_t generation = __atomic_load_n(c->table_generation, __ATOMIC_ACQUIRE);

	take_rebind(c, &generation);
	c->generation = generation;
	empty_entries(c);
	check_run(c);
	c->flushes++;
}

int iop_iova_cache_set_run(struct iop_iova_cache *c, const void *va, size_t len)
{
	c->run_want_va = (uintptr_t)va;
	c->run_want_len = len;
	/* under the generation of the entries: a remove since then is seen by
	 * the next sync, which flushes and checks the run again */
	check_run(c);
	return len && !c->run_len ? -ENOENT : 0;
}

uint64_t iop_iova_cache_miss(struct iop_iova_cache *c, const void *va)
{
	uintptr_t v = (uintptr_t)va;
	uint64_t e = iop_iova_table_page(c->table, v);
	uint64_t iova;

	if (e & IOP_IOVA_TABLE_ENTRY_FULL) {
		unsigned int i = (v >> IOP_IOVA_CACHE_PAGE_SHIFT) & (IOP_IOVA_CACHE_ENTRIES - 1);

		c->delta[i] = (e & ~PAGE_MASK) - (v & ~PAGE_MASK);
		c->page[i] = v >> IOP_IOVA_CACHE_PAGE_SHIFT;
		c->misses++;
		return v + c->delta[i];
	}
	/* partial pages are exact only in the table's list: never cached */
	iova = e ? iop_iova_table_lookup(c->table, v) : IOP_IOVA_POISON;
	if (iova == IOP_IOVA_POISON)
		c->poison++;
	else
		c->misses++;
	return iova;
}
