/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-queue IOVA cache against a bare translation table (no EAL, no
 * backend): exact translations at every boundary, poison for unmapped
 * addresses, flushes once per generation, and no stale IOVA after an
 * invalidation completes while another thread translates; the same for
 * a queue's run, which never serves a failed unmap inside it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "iop_iova_cache.h"
#include "iop_mem.h"
#include "iova_table.h"
#include "mem_internal.h"

#define KB4 0x1000ull
#define MB2 (2ull << 20)

struct mapping {
	uintptr_t va;
	uint64_t iova;
	uint64_t len;
};

/* A full-page run at IOVA != VA, a 4 KiB-aligned mapping inside one page,
 * a run whose IOVA is not 2 MiB-congruent to its VA, and a run that starts
 * mid-page: every kind of page the table knows. */
static const struct mapping layout[] = {
	{ 0x7f0000000000ull, 0x40000000ull, 3 * MB2 },
	{ 0x10001000ull, 0x5001000ull, 3 * KB4 },
	{ 0x20000000ull, 0x1000ull, 2 * MB2 },
	{ 0x30100000ull, 0x90100000ull, 2 * MB2 },
};

static struct iop_iova_table *table_with_layout(void)
{
	struct iop_iova_table *t = iop_iova_table_create();

	assert_non_null(t);
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
		assert_int_equal(iop_iova_table_insert(t, layout[i].va, layout[i].iova,
						       layout[i].len), 0);
	return t;
}

static void check_boundaries(struct iop_iova_cache *c, const struct mapping *m)
{
	uintptr_t last = m->va + m->len - 1;

	assert_int_equal(iop_iova_cache_lookup(c, (void *)m->va), m->iova);
	assert_int_equal(iop_iova_cache_lookup(c, (void *)last), m->iova + m->len - 1);
	assert_int_equal(iop_iova_cache_lookup(c, (void *)(last + 1)), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_cache_lookup(c, (void *)(m->va - 1)), IOP_IOVA_POISON);
	/* every 2 MiB boundary inside the mapping, both sides */
	for (uintptr_t p = (m->va + MB2) & ~(MB2 - 1); p <= last; p += MB2) {
		assert_int_equal(iop_iova_cache_lookup(c, (void *)(p - 1)), m->iova + (p - 1 - m->va));
		assert_int_equal(iop_iova_cache_lookup(c, (void *)p), m->iova + (p - m->va));
	}
}

static void cache_translation_is_exact_at_every_boundary_of_every_mapping(void **state)
{
	struct iop_iova_table *t = table_with_layout();
	struct iop_iova_cache c;

	(void)state;
	iop_iova_cache_bind(&c, t);
	/* twice: the first pass fills the cache, the second must hit the same */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
			check_boundaries(&c, &layout[i]);
	assert_true(c.misses > 0);
	iop_iova_table_destroy(t);
}

static void cache_unmapped_address_is_poison_counted_and_never_cached(void **state)
{
	struct iop_iova_table *t = table_with_layout();
	struct iop_iova_cache c;
	void *hole = (void *)0x50000000ull;

	(void)state;
	iop_iova_cache_bind(&c, t);
	assert_int_equal(iop_iova_cache_lookup(&c, hole), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_cache_lookup(&c, hole), IOP_IOVA_POISON);
	iop_iova_cache_count(&c, 2);
	assert_int_equal(c.poison, 2);
	assert_int_equal(iop_iova_cache_hits(&c), 0);
	/* mapped later without a remove (no new generation): found at once */
	assert_int_equal(iop_iova_table_insert(t, 0x50000000ull, 0x70000000ull, MB2), 0);
	assert_int_equal(iop_iova_cache_lookup(&c, hole), 0x70000000ull);
	iop_iova_table_destroy(t);
}

static void cache_fills_only_full_pages(void **state)
{
	struct iop_iova_table *t = table_with_layout();
	struct iop_iova_cache c;

	(void)state;
	iop_iova_cache_bind(&c, t);
	/* partial page (4 KiB mapping): every lookup asks the table */
	iop_iova_cache_lookup(&c, (void *)0x10001000ull);
	iop_iova_cache_lookup(&c, (void *)0x10001000ull);
	iop_iova_cache_count(&c, 2);
	assert_int_equal(c.misses, 2);
	assert_int_equal(iop_iova_cache_hits(&c), 0);
	/* full page: one miss, then hits */
	iop_iova_cache_lookup(&c, (void *)0x7f0000000010ull);
	iop_iova_cache_lookup(&c, (void *)0x7f0000000020ull);
	iop_iova_cache_lookup(&c, (void *)0x7f00001fffffull);
	iop_iova_cache_count(&c, 3);
	assert_int_equal(c.misses, 3);
	assert_int_equal(iop_iova_cache_hits(&c), 2);
	iop_iova_table_destroy(t);
}

static void cache_conflicting_pages_evict_and_stay_exact(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();
	uintptr_t a = 0x40000000ull, b = a + IOP_IOVA_CACHE_ENTRIES * MB2; /* same slot */
	struct iop_iova_cache c;

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, a, 0x200000ull, MB2), 0);
	assert_int_equal(iop_iova_table_insert(t, b, 0x400000ull, MB2), 0);
	iop_iova_cache_bind(&c, t);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(iop_iova_cache_lookup(&c, (void *)(a + 7)), 0x200007ull);
		assert_int_equal(iop_iova_cache_lookup(&c, (void *)(b + 9)), 0x400009ull);
	}
	assert_int_equal(c.misses, 6);
	iop_iova_table_destroy(t);
}

static void cache_flushes_once_at_sync_after_a_remove(void **state)
{
	struct iop_iova_table *t = table_with_layout();
	struct iop_iova_cache c;
	const struct mapping *m = &layout[0];

	(void)state;
	iop_iova_cache_bind(&c, t);
	iop_iova_cache_sync(&c);
	assert_int_equal(c.flushes, 0);
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)m->va), m->iova);
	iop_iova_table_remove(t, m->va, m->len);
	iop_iova_cache_sync(&c);
	iop_iova_cache_sync(&c);
	assert_int_equal(c.flushes, 1);
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)m->va), IOP_IOVA_POISON);
	/* the others are still exact */
	check_boundaries(&c, &layout[3]);
	iop_iova_table_destroy(t);
}

/* Two tables that map one page at different IOVAs. */
static void two_tables(struct iop_iova_table **t1, struct iop_iova_table **t2)
{
	*t1 = iop_iova_table_create();
	*t2 = iop_iova_table_create();
	assert_non_null(*t1);
	assert_non_null(*t2);
	assert_int_equal(iop_iova_table_insert(*t1, 0x40000000ull, 0x1000000ull, MB2), 0);
	assert_int_equal(iop_iova_table_insert(*t2, 0x40000000ull, 0x8000000ull, MB2), 0);
}

static void rebind_switches_tables_at_the_next_sync_only(void **state)
{
	struct iop_iova_table *t1, *t2;
	struct iop_iova_cache c;

	(void)state;
	two_tables(&t1, &t2);
	iop_iova_cache_bind(&c, t1);
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), 0x1000010ull);
	assert_int_equal(iop_iova_cache_rebind_table(&c, t2), 0);
	assert_true(iop_iova_cache_rebind_pending(&c));
	/* within the burst: the old table's answers */
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), 0x1000010ull);
	/* one rebind at a time */
	assert_int_equal(iop_iova_cache_rebind_table(&c, t1), -EBUSY);
	iop_iova_cache_sync(&c);
	assert_false(iop_iova_cache_rebind_pending(&c));
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), 0x8000010ull);
	assert_int_equal(c.flushes, 1);
	/* a remove in the new table now flushes it */
	iop_iova_table_remove(t2, 0x40000000ull, MB2);
	iop_iova_cache_sync(&c);
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), IOP_IOVA_POISON);
	iop_iova_table_destroy(t1);
	iop_iova_table_destroy(t2);
}

static void rebind_cancel_wins_before_the_sync_and_loses_after(void **state)
{
	struct iop_iova_table *t1, *t2;
	struct iop_iova_cache c;

	(void)state;
	two_tables(&t1, &t2);
	iop_iova_cache_bind(&c, t1);
	assert_int_equal(iop_iova_cache_rebind_table(&c, t2), 0);
	assert_true(iop_iova_cache_rebind_cancel(&c));
	assert_false(iop_iova_cache_rebind_pending(&c));
	iop_iova_cache_sync(&c);
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), 0x1000010ull);
	assert_int_equal(iop_iova_cache_rebind_table(&c, t2), 0);
	iop_iova_cache_sync(&c);
	assert_false(iop_iova_cache_rebind_cancel(&c));
	assert_int_equal(iop_iova_cache_lookup(&c, (void *)0x40000010ull), 0x8000010ull);
	iop_iova_table_destroy(t1);
	iop_iova_table_destroy(t2);
}

/*
 * A rebind published while the polling thread is flushing for another
 * reason (a remove in its table) must still be taken at a later sync: the
 * flush reads the table's generation before it looks for a rebind, so a
 * rebind that lands in between leaves the generation ahead and the next
 * sync flushes again. Read the other way round, the rebind stays pending
 * until some other remove, and a move waiting for it times out. Each round
 * bumps the cache's table (as a remove does) and publishes a rebind right
 * after, so that the poller's flush for the bump and the rebind meet; no
 * other bump follows, so a lost rebind stays pending. Lost is judged by
 * the poller's syncs, not by time, so that a loaded host that preempts the
 * poller cannot fail the test: a rebind is taken at most at the second
 * sync that starts after it is published.
 */
#define REBIND_ROUNDS 20000
#define REBIND_SYNCS_LOST 100

struct rebind_race {
	struct iop_iova_cache c;
	struct iop_iova_table *t[2];
	unsigned long syncs; /* completed by the poller */
	bool stop;
};

static void *rebind_poller(void *arg)
{
	struct rebind_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		iop_iova_cache_sync(&r->c);
		__atomic_add_fetch(&r->syncs, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void rebind_published_during_a_flush_is_taken_at_a_later_sync(void **state)
{
	struct rebind_race r = { .stop = false };
	unsigned int lost = 0;
	pthread_t poller;

	(void)state;
	two_tables(&r.t[0], &r.t[1]);
	iop_iova_cache_bind(&r.c, r.t[0]);
	assert_int_equal(pthread_create(&poller, NULL, rebind_poller, &r), 0);
	for (unsigned int i = 0; i < REBIND_ROUNDS && !lost; i++) {
		unsigned long published;

		iop_iova_table_bump(r.t[i % 2]);
		assert_int_equal(iop_iova_cache_rebind_table(&r.c, r.t[(i + 1) % 2]), 0);
		published = __atomic_load_n(&r.syncs, __ATOMIC_ACQUIRE);
		while (iop_iova_cache_rebind_pending(&r.c)) {
			/* the count first: a sync that ends after it is read and
			 * takes the rebind clears the pending read after it */
			unsigned long syncs = __atomic_load_n(&r.syncs, __ATOMIC_ACQUIRE);

			if (syncs - published > REBIND_SYNCS_LOST &&
			    iop_iova_cache_rebind_pending(&r.c)) {
				lost = i + 1;
				break;
			}
			sched_yield();
		}
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(poller, NULL);
	if (lost)
		fail_msg("rebind %u still pending after %d syncs", lost, REBIND_SYNCS_LOST);
	iop_iova_table_destroy(r.t[0]);
	iop_iova_table_destroy(r.t[1]);
}

static void table_refuses_a_mapping_whose_iova_reaches_poison(void **state)
{
	struct iop_iova_table *t = iop_iova_table_create();

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, 0x40000000ull, UINT64_MAX - MB2 + 1, MB2),
			 -EINVAL);
	assert_int_equal(iop_iova_table_insert(t, 0x40000000ull, UINT64_MAX - 2 * MB2 + 1, MB2), 0);
	iop_iova_table_destroy(t);
}

/* --- the run: one compare and one add for a pool's memory ----------------- */

/* Four 2 MiB mappings that follow each other in VA and IOVA, as lib/mem
 * maps pages DPDK allocates one at a time. */
#define RUN_VA 0x7e4000000000ull
#define RUN_IOVA 0x200000000ull
#define RUN_PAGES 4

static struct iop_iova_table *table_with_run(void)
{
	struct iop_iova_table *t = iop_iova_table_create();

	assert_non_null(t);
	for (uint64_t i = 0; i < RUN_PAGES; i++)
		assert_int_equal(iop_iova_table_insert(t, RUN_VA + i * MB2, RUN_IOVA + i * MB2, MB2), 0);
	return t;
}

static uint64_t burst_lookup(struct iop_iova_cache *c, uintptr_t va)
{
	struct iop_iova_burst b = iop_iova_cache_burst(c);

	return iop_iova_burst_lookup(&b, (void *)va);
}

static void run_translates_its_range_exactly_and_leaves_the_rest_to_the_entries(void **state)
{
	struct iop_iova_table *t = table_with_run();
	struct iop_iova_cache c;
	uintptr_t first = RUN_VA + 100, end = RUN_VA + RUN_PAGES * MB2 - 100;

	(void)state;
	assert_int_equal(iop_iova_table_insert(t, RUN_VA - MB2, 0x9000000ull, MB2), 0);
	iop_iova_cache_bind(&c, t);
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)first, end - first), 0);
	for (uintptr_t va = first; va < end; va += MB2 / 2)
		assert_int_equal(burst_lookup(&c, va), RUN_IOVA + (va - RUN_VA));
	assert_int_equal(burst_lookup(&c, end - 1), RUN_IOVA + (end - 1 - RUN_VA));
	assert_int_equal(c.misses + c.poison, 0); /* all answered by the run */
	/* outside it: the entries and the table, exact too */
	assert_int_equal(burst_lookup(&c, first - 1), RUN_IOVA + 99);
	assert_int_equal(burst_lookup(&c, RUN_VA - 1), 0x9000000ull + MB2 - 1);
	assert_int_equal(burst_lookup(&c, RUN_VA + RUN_PAGES * MB2), IOP_IOVA_POISON);
	assert_int_equal(c.misses, 2);
	assert_int_equal(c.poison, 1);
	iop_iova_table_destroy(t);
}

static void run_is_refused_over_a_hole_a_stale_mapping_or_a_second_delta(void **state)
{
	struct iop_iova_table *t = table_with_run();
	struct iop_iova_cache c;

	(void)state;
	iop_iova_cache_bind(&c, t);
	/* past the last mapping: a hole */
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)RUN_VA, (RUN_PAGES + 1) * MB2), -ENOENT);
	assert_int_equal(burst_lookup(&c, RUN_VA), RUN_IOVA);
	assert_int_equal(c.misses, 1); /* the entries answered, not a run */
	/* a page mapped at an IOVA that does not continue the others */
	assert_int_equal(iop_iova_table_insert(t, RUN_VA + RUN_PAGES * MB2, 0x1000000000ull, MB2), 0);
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)RUN_VA, (RUN_PAGES + 1) * MB2), -ENOENT);
	/* a stale page (its unmap failed) inside */
	iop_iova_table_remove(t, RUN_VA + MB2, MB2);
	assert_int_equal(iop_iova_table_insert_stale(t, RUN_VA + MB2, RUN_IOVA + MB2, MB2), 0);
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)RUN_VA, RUN_PAGES * MB2), -ENOENT);
	assert_int_equal(burst_lookup(&c, RUN_VA + MB2), IOP_IOVA_POISON);
	/* what is left of it is still a run */
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)(RUN_VA + 2 * MB2), 2 * MB2), 0);
	assert_int_equal(iop_iova_cache_set_run(&c, NULL, 0), 0);
	iop_iova_table_destroy(t);
}

static void run_never_serves_a_failed_unmap_inside_it(void **state)
{
	struct iop_iova_table *t = table_with_run();
	struct iop_iova_cache c;
	uintptr_t gone = RUN_VA + 2 * MB2;

	(void)state;
	iop_iova_cache_bind(&c, t);
	assert_int_equal(iop_iova_cache_set_run(&c, (void *)RUN_VA, RUN_PAGES * MB2), 0);
	assert_int_equal(burst_lookup(&c, gone + 64), RUN_IOVA + 2 * MB2 + 64);
	/* what iop_ioas_unmap does when the IOMMU refuses the unmap: out of
	 * the table (new generation), then back in as stale */
	iop_iova_table_remove(t, gone, MB2);
	assert_int_equal(iop_iova_table_insert_stale(t, gone, RUN_IOVA + 2 * MB2, MB2), 0);
	for (uintptr_t va = gone; va < gone + MB2; va += 4096)
		assert_int_equal(burst_lookup(&c, va), IOP_IOVA_POISON);
	assert_int_equal(burst_lookup(&c, gone + MB2 - 1), IOP_IOVA_POISON);
	assert_int_equal(c.flushes, 1);
	/* the rest of the range stays exact, through the entries */
	assert_int_equal(burst_lookup(&c, gone - 1), RUN_IOVA + 2 * MB2 - 1);
	assert_int_equal(burst_lookup(&c, gone + MB2), RUN_IOVA + 3 * MB2);
	/* the retry succeeds, the memory is mapped afresh elsewhere: the run
	 * does not come back over a different delta, the entries are exact */
	iop_iova_table_remove(t, gone, MB2);
	assert_int_equal(iop_iova_table_insert(t, gone, 0x3000000000ull, MB2), 0);
	assert_int_equal(burst_lookup(&c, gone + 5), 0x3000000000ull + 5);
	assert_int_equal(burst_lookup(&c, RUN_VA + 5), RUN_IOVA + 5);
	iop_iova_table_destroy(t);
}

/* --- invalidation while a second thread translates ------------------------ */

#define ROUNDS 300
#define RANGE_VA 0x7e0000000000ull
#define RANGE_LEN (4 * MB2)
#define IOVA_BASE 0x100000000ull
#define IOVA_STRIDE (16 * MB2) /* mapping j sits at IOVA_BASE + j * stride */

struct race {
	struct iop_iova_table *t;
	bool run; /* translate through a run over the range */
	unsigned int completed; /* invalidations finished */
	bool started, stop;
	uint64_t lookups, stale, poison;
};

static void *translator(void *arg)
{
	struct race *r = arg;
	struct iop_iova_cache c;

	iop_mem_thread_register();
	iop_iova_cache_bind(&c, r->t);
	if (r->run)
		iop_iova_cache_set_run(&c, (void *)RANGE_VA, RANGE_LEN);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct iop_iova_burst b = iop_iova_cache_burst(&c);
		uint64_t got[32];
		unsigned int done;

		for (int i = 0; i < 32; i++) {
			void *va = (void *)(RANGE_VA + (uint64_t)i * (RANGE_LEN / 32));

			got[i] = r->run ? iop_iova_burst_lookup(&b, va) : iop_iova_cache_lookup(&c, va);
		}
		/* still inside the burst: mapping j is stale if its
		 * invalidation has already completed */
		done = __atomic_load_n(&r->completed, __ATOMIC_ACQUIRE);
		for (int i = 0; i < 32; i++) {
			r->lookups++;
			if (got[i] == IOP_IOVA_POISON) {
				r->poison++;
				continue;
			}
			if ((got[i] - IOVA_BASE) / IOVA_STRIDE < done)
				r->stale++;
		}
		iop_mem_quiescent();
		__atomic_store_n(&r->started, true, __ATOMIC_RELEASE);
	}
	iop_mem_thread_unregister();
	return NULL;
}

static void race(bool run)
{
	struct race r = { .t = iop_iova_table_create(), .run = run };
	pthread_t th;

	assert_int_equal(iop_iova_table_insert(r.t, RANGE_VA, IOVA_BASE, RANGE_LEN), 0);
	assert_int_equal(pthread_create(&th, NULL, translator, &r), 0);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		sched_yield();
	for (unsigned int j = 0; j < ROUNDS; j++) {
		mem_invalidate(r.t, RANGE_VA, RANGE_LEN);
		/* here the real code unmaps: the range is gone for devices */
		__atomic_store_n(&r.completed, j + 1, __ATOMIC_RELEASE);
		assert_int_equal(iop_iova_table_insert(r.t, RANGE_VA,
			IOVA_BASE + (j + 1) * IOVA_STRIDE, RANGE_LEN), 0);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_true(r.lookups > 0);
	assert_int_equal(r.stale, 0);
	iop_iova_table_destroy(r.t);
}

static void invalidation_under_concurrent_lookups_never_returns_a_stale_iova(void **state)
{
	(void)state;
	race(false);
}

static void run_invalidation_under_concurrent_lookups_never_returns_a_stale_iova(void **state)
{
	(void)state;
	race(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_translation_is_exact_at_every_boundary_of_every_mapping),
		cmocka_unit_test(cache_unmapped_address_is_poison_counted_and_never_cached),
		cmocka_unit_test(cache_fills_only_full_pages),
		cmocka_unit_test(cache_conflicting_pages_evict_and_stay_exact),
		cmocka_unit_test(cache_flushes_once_at_sync_after_a_remove),
		cmocka_unit_test(rebind_switches_tables_at_the_next_sync_only),
		cmocka_unit_test(rebind_cancel_wins_before_the_sync_and_loses_after),
		cmocka_unit_test(rebind_published_during_a_flush_is_taken_at_a_later_sync),
		cmocka_unit_test(table_refuses_a_mapping_whose_iova_reaches_poison),
		cmocka_unit_test(run_translates_its_range_exactly_and_leaves_the_rest_to_the_entries),
		cmocka_unit_test(run_is_refused_over_a_hole_a_stale_mapping_or_a_second_delta),
		cmocka_unit_test(run_never_serves_a_failed_unmap_inside_it),
		cmocka_unit_test(invalidation_under_concurrent_lookups_never_returns_a_stale_iova),
		cmocka_unit_test(run_invalidation_under_concurrent_lookups_never_returns_a_stale_iova),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
