/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/mem's memory hotplug on a second lcore, on real DPDK memory (EAL in
 * memory, hugepages) and the sim IOMMU backend: hotplug while the app's
 * thread makes control calls, and hotplug while a queue translates and
 * DMAs. Set up as test_mem_dpdk.c is. Skips (77) when the EAL cannot get
 * hugepages.
 */
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "iommu_internal.h"
#include "iop_init.h"
#include "iop_iova_cache.h"
#include "iop_mem.h"
#include "iop_sim.h"
#include "mem_fixture.h"

#define MB2 (2ull << 20)
#define HOT_LEN (64ull << 20) /* beyond what -m preallocated: new pages */

/* the groups of test_mem_dpdk.c's topology these tests use */
static const char topology[] =
	"group 2 range=0x800000000000000-0x80000ffffffffff\n" /* a window at 2^59 */
	"device 0000:00:02.0 group=2 driver=vfio-pci type=sim\n"
	"device 0000:00:04.0 group=4 driver=vfio-pci type=sim\n" /* no limits */
	"memlock unlimited\n";
static char topo_path[64];

static struct iop_ctx *ctx(void)
{
	return iop_ctx_get();
}

/* --- hotplug on another thread while the app's thread makes control calls -- */

#define RACE_ROUNDS 40
#define RACE_CHUNK (64 * 1024)
#define RACE_CHUNKS 24

struct allocator {
	unsigned int rounds; /* atomic: done when RACE_ROUNDS */
	int failures;
};

/* Each rte_malloc/rte_free of new pages runs lib/mem's hotplug callback,
 * which maps and unmaps, on this thread. */
static int allocator(void *arg)
{
	struct allocator *a = arg;

	for (int r = 0; r < RACE_ROUNDS; r++) {
		char *p = rte_malloc(NULL, HOT_LEN, MB2);

		if (!p)
			a->failures++;
		rte_free(p);
		__atomic_add_fetch(&a->rounds, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static void hotplug_on_another_thread_and_the_apps_control_calls_are_serialized(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_dev *dev;
	struct allocator a = { 0 };
	struct iop_mem_stats s0, s1;
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	size_t len = RACE_CHUNK * RACE_CHUNKS;
	char *mine = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long calls = 0;

	(void)state;
	if (worker >= RTE_MAX_LCORE)
		skip(); /* needs a second lcore (-l 0-1) */
	assert_true(mine != MAP_FAILED);
	/* a group without IOVA limits: it attaches over any mapping */
	assert_int_equal(iop_dev_open(ctx(), "0000:00:04.0", &dev), 0);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	iop_mem_get_stats(&s0);
	assert_int_equal(rte_eal_remote_launch(allocator, &a, worker), 0);
	while (__atomic_load_n(&a.rounds, __ATOMIC_ACQUIRE) < RACE_ROUNDS) {
		uint64_t iova, back;

		for (int c = 0; c < RACE_CHUNKS; c++) {
			char *va = mine + (size_t)c * RACE_CHUNK;

			assert_int_equal(iop_ioas_map(ioas, va, RACE_CHUNK, IOP_PROT_READ, &iova), 0);
			assert_int_equal(iop_ioas_va2iova(ioas, va + RACE_CHUNK - 1, &back), 0);
			assert_int_equal(back, iova + RACE_CHUNK - 1);
		}
		assert_int_equal(iop_dev_attach(dev, ioas), 0);
		for (int c = 0; c < RACE_CHUNKS; c++)
			assert_int_equal(iop_ioas_unmap(ioas, mine + (size_t)c * RACE_CHUNK, RACE_CHUNK), 0);
		assert_int_equal(iop_dev_detach(dev), 0);
		calls++;
	}
	rte_eal_wait_lcore(worker);
	iop_mem_get_stats(&s1);
	assert_int_equal(a.failures, 0);
	assert_true(calls > 0);
	assert_true(s1.hotplug_alloc > s0.hotplug_alloc);
	assert_true(s1.hotplug_free > s0.hotplug_free);
	/* what is left is exactly lib/mem's runs */
	assert_int_equal(ioas->nmaps, s1.runs);
	iop_mem_detach_ioas(ioas);
	assert_int_equal(ioas->nmaps, 0);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	munmap(mine, len);
}

/* --- hotplug while a queue translates -------------------------------------- */

#define ROUNDS 6
#define DMA_STRIDE 4096
#define LOOKUPS_PER_BURST (HOT_LEN / DMA_STRIDE)

struct queue {
	struct iop_dev *dev;
	struct iop_ioas *ioas;
	char *cur;       /* buffer the queue may use (NULL: none) */
	char *retired;   /* freed, its free completed: must be poison */
	unsigned int bursts, checked;
	bool stop;
	uint64_t lookups; /* atomic: the main thread watches it */
	uint64_t dma_errors, stale;
};

static int translator(void *arg)
{
	struct queue *q = arg;
	struct iop_iova_cache c;
	char payload[64] = "iopath";

	iop_mem_thread_register();
	iop_iova_cache_init(&c, q->ioas);
	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		char *buf = __atomic_load_n(&q->cur, __ATOMIC_ACQUIRE);
		char *old = __atomic_load_n(&q->retired, __ATOMIC_ACQUIRE);

		iop_iova_cache_sync(&c);
		if (buf) {
			for (uint64_t off = 0; off < HOT_LEN; off += DMA_STRIDE) {
				uint64_t iova = iop_iova_cache_lookup(&c, buf + off);

				__atomic_fetch_add(&q->lookups, 1, __ATOMIC_RELEASE);
				if (iova == IOP_IOVA_POISON ||
				    iop_sim_dma_write(q->dev, iova, payload, sizeof(payload)))
					q->dma_errors++;
			}
		}
		if (old) {
			if (iop_iova_cache_lookup(&c, old) != IOP_IOVA_POISON ||
			    iop_iova_cache_lookup(&c, old + HOT_LEN - 1) != IOP_IOVA_POISON)
				q->stale++;
			__atomic_fetch_add(&q->checked, 1, __ATOMIC_RELEASE);
		}
		iop_mem_quiescent();
		__atomic_fetch_add(&q->bursts, 1, __ATOMIC_RELEASE);
	}
	iop_mem_thread_unregister();
	return 0;
}

static void wait_until(unsigned int *counter, unsigned int target)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < target)
		rte_pause();
}

static void hotplug_alloc_and_free_while_a_queue_translates_has_no_fault_and_no_stale_hit(void **state)
{
	struct queue q = { 0 };
	struct iop_mem_stats s0, s1;
	struct iop_sim_faults f;
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);

	(void)state;
	if (worker >= RTE_MAX_LCORE)
		skip(); /* needs a second lcore (-l 0-1) */
	q.ioas = new_ioas();
	q.dev = open_on("0000:00:02.0", q.ioas);
	assert_int_equal(iop_mem_attach_ioas(q.ioas), 0);
	iop_mem_get_stats(&s0);
	assert_int_equal(rte_eal_remote_launch(translator, &q, worker), 0);
	for (int r = 0; r < ROUNDS; r++) {
		char *p = rte_malloc(NULL, HOT_LEN, MB2);
		uint64_t l;
		unsigned int b;

		assert_non_null(p);
		__atomic_store_n(&q.cur, p, __ATOMIC_RELEASE);
		/* free while the queue is in the middle of a burst on p: a
		 * burst must end before the unmap, or its DMAs fault */
		l = __atomic_load_n(&q.lookups, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&q.lookups, __ATOMIC_ACQUIRE) < l + 2 * LOOKUPS_PER_BURST + LOOKUPS_PER_BURST / 4)
			rte_pause();
		__atomic_store_n(&q.cur, NULL, __ATOMIC_RELEASE);
		rte_free(p); /* free event: invalidate, quiesce, unmap */
		__atomic_store_n(&q.retired, p, __ATOMIC_RELEASE);
		b = __atomic_load_n(&q.checked, __ATOMIC_ACQUIRE);
		wait_until(&q.checked, b + 3);
		__atomic_store_n(&q.retired, NULL, __ATOMIC_RELEASE);
		/* the next round may get the same VA back: let every burst
		 * that saw `retired` end first */
		b = __atomic_load_n(&q.bursts, __ATOMIC_ACQUIRE);
		wait_until(&q.bursts, b + 2);
	}
	__atomic_store_n(&q.stop, true, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	iop_mem_get_stats(&s1);
	assert_true(s1.hotplug_alloc > s0.hotplug_alloc);
	assert_true(s1.hotplug_free > s0.hotplug_free);
	assert_true(q.lookups > 0);
	assert_int_equal(q.dma_errors, 0);
	assert_int_equal(q.stale, 0);
	assert_int_equal(iop_sim_dev_faults(q.dev, &f), 0);
	assert_int_equal(f.count, 0);
	iop_mem_detach_ioas(q.ioas);
	iop_dev_close(q.dev);
	assert_int_equal(iop_ioas_destroy(q.ioas), 0);
}
static int run(int rc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hotplug_on_another_thread_and_the_apps_control_calls_are_serialized),
		cmocka_unit_test(hotplug_alloc_and_free_while_a_queue_translates_has_no_fault_and_no_stale_hit),
	};

	(void)rc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", NULL };
	static const char *const iopath[] = { "--strict", NULL };
	const struct mem_main m = { "test_mem_hotplug", topology, eal, iopath, run };

	return mem_fixture_main(&m, topo_path);
}
