/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOVA_CACHE_H
#define IOP_IOVA_CACHE_H

/*
 * The per-queue IOVA cache: the fast path that turns a packet buffer's
 * virtual address into the IOVA of the queue's device (its IOAS), per packet.
 *
 * One cache per (queue, IOAS), owned by the one thread that polls the queue.
 * It is a direct-mapped array of 2 MiB entries in front of the IOAS's
 * translation table. Usage, once per burst (doc/iova-cache.md):
 *
 *     iop_iova_cache_sync(&q->cache);             // generation check
 *     for (i = 0; i < n; i++) {
 *             uint64_t iova = iop_iova_cache_lookup(&q->cache, buf_va[i]);
 *             if (iova == IOP_IOVA_POISON) { drop buffer i; continue; }
 *             desc[i].addr = iova;
 *     }
 *     iop_iova_cache_count(&q->cache, n);         // for the hit counter
 *     iop_mem_quiescent();                        // end of the poll loop
 *
 * A hit is inline: no lock, no call, no atomic, no store. A miss calls into
 * the table and fills the entry when the whole 2 MiB page has one
 * translation. Hits are not counted one by one (a counter in memory would
 * make every hit wait for the previous one's store: 4x slower); the PMD
 * adds its lookups once per burst and hits = lookups - misses - poison.
 *
 * A queue whose buffers come from one mempool can also give the cache that
 * pool's memory as a run (iop_iova_cache_set_run): iop_iova_cache_burst()
 * then replaces the sync, and iop_iova_burst_lookup() translates the run's
 * addresses with a compare and an add before looking at the entries.
 */

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iop_ioas;
struct iop_iova_table;

/* The IOVA of an address that no mapping of the IOAS covers. Never a valid
 * IOVA (the table refuses to translate to it): the PMD counts the buffer
 * (the cache already counted it in .poison) and drops it. */
#ifndef IOP_IOVA_POISON
#define IOP_IOVA_POISON UINT64_MAX
#endif

#define IOP_IOVA_CACHE_PAGE_SHIFT 21 /* entries cover 2 MiB hugepages */
#define IOP_IOVA_CACHE_ENTRIES 256   /* power of two: 512 MiB of buffers */
/* Tag of an empty entry: no user address shifted right by 21 reaches it. */
#define IOP_IOVA_CACHE_EMPTY UINTPTR_MAX

struct iop_iova_cache {
	/* The run: [run_va, run_va + run_len) translates as va + run_delta,
	 * checked before the entries (run_len 0: no run). Valid under
	 * .generation only: every flush checks it against the table again. */
	uintptr_t run_va;
	uintptr_t run_len;
	uint64_t run_delta;
	/* the table generation the entries and the run were filled under */
	uint64_t generation;
	const uint64_t *table_generation;
	const struct iop_iova_table *table;
	/* the run the PMD asked for (iop_iova_cache_set_run) */
	uintptr_t run_want_va;
	uintptr_t run_want_len;
	/* counters, read by PMD stats; the queue's thread writes them */
	uint64_t lookups; /* added per burst by iop_iova_cache_count() */
	uint64_t misses;  /* lookups that went to the table (and were mapped) */
	uint64_t poison;  /* lookups of unmapped addresses (IOP_IOVA_POISON) */
	uint64_t flushes; /* generation changes seen by iop_iova_cache_sync */
	/* a table to switch to, published by iop_iova_cache_rebind() and
	 * taken by the polling thread at its next sync (NULL: none) */
	const struct iop_iova_table *rebind_to;
	uint64_t reserved[3]; /* keeps the entries on a cache line boundary */
	/* Entry i: the 2 MiB page page[i] (va >> IOP_IOVA_CACHE_PAGE_SHIFT, or
	 * EMPTY) translates as iova = va + delta[i]. Two arrays rather than an
	 * array of pairs: an index scaled by 8 fits x86 addressing, which
	 * saves an instruction per hit. */
	uintptr_t page[IOP_IOVA_CACHE_ENTRIES];
	uint64_t delta[IOP_IOVA_CACHE_ENTRIES];
};

/* Binds an empty cache to the translation table of an IOAS. The IOAS must
 * outlive the cache; the cache needs no teardown. */
void iop_iova_cache_init(struct iop_iova_cache *c, struct iop_ioas *ioas);

/*
 * Declares [va, va+len) (typically the memory of the queue's mempool, see
 * iop_mem_pool_span()) as the queue's run: while the IOAS maps all of it
 * IOVA-contiguously through live mappings, its addresses are translated by
 * one compare and one add before the entries are looked at. Checked against
 * the table now and at every flush, so a run that is unmapped, even in part,
 * or whose unmap failed, is never served (its addresses then go through the
 * entries and the table). Call it at queue setup or from the polling
 * thread. 0, or -ENOENT when the IOAS does not map the range that way now
 * (not an error: lookups stay exact, only slower). len 0 clears the run.
 */
int iop_iova_cache_set_run(struct iop_iova_cache *c, const void *va, size_t len);

/*
 * Live moves (iop_port_move): rebinding a cache that a thread polls.
 * iop_iova_cache_rebind() publishes the IOAS to switch to and bumps the
 * current table's generation, so the polling thread's next
 * iop_iova_cache_sync() flushes and switches tables at that burst
 * boundary; the fast path gains no lock and no test. A cache no thread
 * polls (its port stopped) is switched with iop_iova_cache_flush() by the
 * caller. iop_iova_cache_rebind_pending() is true until the switch
 * happened; iop_iova_cache_rebind_cancel() withdraws a pending switch and
 * returns false when the polling thread took it first. One rebind at a
 * time per cache: -EBUSY while one is pending.
 */
int iop_iova_cache_rebind(struct iop_iova_cache *c, struct iop_ioas *ioas);
bool iop_iova_cache_rebind_pending(const struct iop_iova_cache *c);
bool iop_iova_cache_rebind_cancel(struct iop_iova_cache *c);

/* Slow paths (not inline on purpose: they are rare and keep the inline
 * code small). */
void iop_iova_cache_flush(struct iop_iova_cache *c);
uint64_t iop_iova_cache_miss(struct iop_iova_cache *c, const void *va);

/*
 * Call once at the top of every burst, before the first lookup. If any
 * mapping of the IOAS was removed since the last burst (or a rebind was
 * published), empties the cache. With iop_mem_quiescent() at the end of the poll loop, this is what
 * guarantees that no IOVA is used after its unmap completed.
 */
static inline void iop_iova_cache_sync(struct iop_iova_cache *c)
{
	if (__builtin_expect(__atomic_load_n(c->table_generation, __ATOMIC_ACQUIRE) !=
			     c->generation, 0))
		iop_iova_cache_flush(c);
}

/* The IOVA of va in the cache's IOAS, or IOP_IOVA_POISON. */
static inline uint64_t iop_iova_cache_lookup(struct iop_iova_cache *c, const void *va)
{
	uintptr_t v = (uintptr_t)va;
	uintptr_t page = v >> IOP_IOVA_CACHE_PAGE_SHIFT;
	unsigned int i = (unsigned int)page & (IOP_IOVA_CACHE_ENTRIES - 1);

	if (__builtin_expect(c->page[i] == page, 1))
		return v + c->delta[i];
	return iop_iova_cache_miss(c, va);
}

/*
 * The run, for one burst: iop_iova_cache_burst() syncs the cache and copies
 * its run into a local of the burst, so that the compiler keeps it in
 * registers (the miss call cannot change a local whose address stays in
 * the burst). Valid until the end of the burst, like the entries: never
 * keep it across iop_mem_quiescent().
 *
 *     struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);
 *     for (i = 0; i < n; i++)
 *             iova = iop_iova_burst_lookup(&b, va[i]);
 */
struct iop_iova_burst {
	uintptr_t run_va;
	uintptr_t run_len;
	uint64_t run_iova; /* IOVA of run_va */
	struct iop_iova_cache *cache;
};

static inline struct iop_iova_burst iop_iova_cache_burst(struct iop_iova_cache *c)
{
	iop_iova_cache_sync(c);
	return (struct iop_iova_burst){ .run_va = c->run_va, .run_len = c->run_len,
					.run_iova = c->run_va + c->run_delta, .cache = c };
}

/* The IOVA of va, or IOP_IOVA_POISON: the run first (a subtraction, a
 * compare, an add, all in registers), then the entries and the table. */
static inline uint64_t iop_iova_burst_lookup(const struct iop_iova_burst *b, const void *va)
{
	uintptr_t off = (uintptr_t)va - b->run_va;

	if (__builtin_expect(off < b->run_len, 1))
		return b->run_iova + off;
	return iop_iova_cache_lookup(b->cache, va);
}

/* Adds the n lookups of a burst to the counters (once per burst). */
static inline void iop_iova_cache_count(struct iop_iova_cache *c, unsigned int n)
{
	c->lookups += n;
}

/* Lookups answered by the cache itself, given that every lookup was
 * counted with iop_iova_cache_count(). */
static inline uint64_t iop_iova_cache_hits(const struct iop_iova_cache *c)
{
	uint64_t slow = c->misses + c->poison;

	return c->lookups > slow ? c->lookups - slow : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* IOP_IOVA_CACHE_H */
