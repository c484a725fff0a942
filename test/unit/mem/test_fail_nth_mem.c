/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 8 on DPDK's memory: for every N, failing the Nth sim backend call
 * while DPDK frees and re-allocates tens of MiB (hotplug events), or while
 * sim ports open, start, forward, stop and close, leaves after EVERY step:
 *   - every IOAS table saying exactly what the backend maps
 *     (assert_tables_match_backend);
 *   - no translation of memory through a mapping made before that memory
 *     was last freed: a spy on the backend's map/copy/unmap dates every
 *     mapping, independently of lib/iommu's and lib/mem's bookkeeping;
 *   - freed memory translating to IOP_IOVA_POISON in every queue cache;
 * and, once the failed unmaps are retried, nothing mapped or pinned.
 * EAL in memory with hugepages (skipped, 77, without them).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iommu_internal.h"
#include "iop_init.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "iop_sim.h"
#include "iova_table.h"
#include "../iommu/sim_fixture.h"
#include "mem_fixture.h"

#define MB2 (2ull << 20)
#define HOT_LEN (48ull << 20) /* beyond what -m preallocated: new pages */

static const char topology[] =
	"group 1 range=0x0-0x7fffffffff\n"                      /* 39-bit: IOVA = VA */
	"group 2 range=0x800000000000000-0x80000ffffffffff\n"   /* packed at 2^59 */
	"group 3 range=0x800000000000000-0x80000ffffffffff\n"
	"device 0000:00:01.0 group=1 driver=vfio-pci type=sim\n"
	"device 0000:00:02.0 group=2 driver=vfio-pci type=sim\n"
	"device 0000:00:03.0 group=3 driver=vfio-pci type=sim\n"
	"memlock unlimited\n";
static char topo_path[64];

/* --- the spy: when each backend mapping was made ------------------------- */

struct birth {
	void *bioas;
	uint64_t iova, len;
	uint64_t when;
};

#define MAX_BIRTHS 4096
static struct birth births[MAX_BIRTHS];
static size_t nbirths;
static uint64_t clock_now; /* ticks at every map, copy and free */
static struct iop_backend_ops spy;

static void born(void *bioas, uint64_t iova, uint64_t len)
{
	assert_true(nbirths < MAX_BIRTHS);
	births[nbirths++] = (struct birth){ bioas, iova, len, ++clock_now };
}

static void died(void *bioas, uint64_t iova, uint64_t len)
{
	for (size_t i = 0; i < nbirths;) {
		struct birth *b = &births[i];

		if (b->bioas == bioas && b->iova >= iova && b->iova + b->len <= iova + len)
			*b = births[--nbirths];
		else
			i++;
	}
}

/* Failures the sweep cannot make (it fails one call): every unmap while
 * unmaps_fail is set, and the map that map_fail_in counts down to. */
static bool unmaps_fail;
static unsigned int map_fail_in;

static int spy_map(void *bioas, void *va, uint64_t len, uint64_t iova, unsigned int prot)
{
	int rc;

	if (map_fail_in && --map_fail_in == 0)
		return -ENOMEM;
	rc = iop_backend_sim.map(bioas, va, len, iova, prot);

	if (rc == 0)
		born(bioas, iova, len);
	return rc;
}

static int spy_copy(void *dst, uint64_t dst_iova, void *src, uint64_t src_iova,
		    uint64_t len, unsigned int prot)
{
	int rc = iop_backend_sim.copy(dst, dst_iova, src, src_iova, len, prot);

	if (rc == 0)
		born(dst, dst_iova, len);
	return rc;
}

static int spy_unmap(void *bioas, uint64_t iova, uint64_t len)
{
	int rc = unmaps_fail ? -ENOMEM : iop_backend_sim.unmap(bioas, iova, len);

	if (rc == 0)
		died(bioas, iova, len);
	return rc;
}

static int spy_ioas_free(void *bioas)
{
	int rc = iop_backend_sim.ioas_free(bioas);

	/* the kernel refuses to free an IOAS a device is on: its maps live on */
	if (rc == 0)
		died(bioas, 0, UINT64_MAX);
	return rc;
}

static const struct birth *birth_of(void *bioas, uint64_t iova)
{
	for (size_t i = 0; i < nbirths; i++)
		if (births[i].bioas == bioas && births[i].iova == iova)
			return &births[i];
	return NULL;
}

/* Memory the test freed, and when. */
struct freed {
	uintptr_t va;
	uint64_t len;
	uint64_t when;
};

#define MAX_FREED 64
static struct freed freed[MAX_FREED];
static size_t nfreed;

static void note_free(void *p, uint64_t len)
{
	/* rte_free gives back whole pages only: the pages inside */
	uintptr_t lo = ((uintptr_t)p + MB2 - 1) & ~(MB2 - 1);
	uintptr_t hi = ((uintptr_t)p + len) & ~(MB2 - 1);

	if (nfreed == MAX_FREED)
		memmove(freed, freed + 1, --nfreed * sizeof(*freed));
	if (hi > lo)
		freed[nfreed++] = (struct freed){ lo, hi - lo, ++clock_now };
}

/* --- the checks after every step ------------------------------------------ */

/* No live translation goes through a mapping made before the memory at
 * its VA was last freed: that mapping's pages are the old ones. */
static void assert_no_translation_older_than_its_memory(struct iop_ctx *ctx)
{
	for (struct iop_ioas *s = ctx->ioas_list; s; s = s->next) {
		for (size_t i = 0; i < s->nmaps; i++) {
			const struct iop_map *m = &s->maps[i];
			const struct birth *b = birth_of(s->bioas, m->iova);

			assert_non_null(b);
			if (iop_iova_table_lookup(s->table, m->va) == IOP_IOVA_POISON &&
			    iop_iova_table_lookup(s->table, m->va + m->len - 1) == IOP_IOVA_POISON)
				continue;
			for (size_t f = 0; f < nfreed; f++) {
				if (freed[f].va >= m->va + m->len || m->va >= freed[f].va + freed[f].len)
					continue;
				if (b->when < freed[f].when)
					fail_msg("IOAS %u translates [%p, +%" PRIu64 ") through a mapping made before that memory was freed",
						 s->id, (void *)m->va, m->len);
			}
		}
	}
}

/* Memory just freed translates to IOP_IOVA_POISON in every queue cache
 * (caches filled while it was live, then synced as at a burst). */
static void assert_freed_is_poison(struct iop_iova_cache *caches, size_t n, const struct freed *f)
{
	for (size_t k = 0; k < n; k++) {
		iop_iova_cache_sync(&caches[k]);
		for (uint64_t off = 0; off < f->len; off += MB2)
			assert_int_equal(iop_iova_cache_lookup(&caches[k], (void *)(f->va + off + 64)),
					 IOP_IOVA_POISON);
	}
}

static void check_step(void)
{
	assert_tables_match_backend(iop_ctx_get());
	assert_no_translation_older_than_its_memory(iop_ctx_get());
}

/* --- memory free and re-allocation ----------------------------------------- */

static struct iop_ioas *ioas_on(const char *bdf, struct iop_dev **dev)
{
	struct iop_ioas *ioas = new_ioas();

	*dev = open_on(bdf, ioas);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	return ioas;
}

static void fail_nth_during_free_and_realloc_never_translates_through_a_stale_mapping(void **state)
{
	struct iop_dev *d1, *d2;
	struct iop_ioas *a = ioas_on("0000:00:01.0", &d1), *b = ioas_on("0000:00:02.0", &d2);
	struct iop_sim_counters c0, c1;
	struct iop_mem_stats st;
	uint64_t n, failures0;

	(void)state;
	iop_sim_counters(&c0);
	iop_mem_get_stats(&st);
	failures0 = st.unmap_failures;
	check_step();
	for (n = 1;; n++) {
		struct iop_iova_cache caches[2];
		uint64_t calls;
		char *p, *q;

		p = rte_malloc(NULL, HOT_LEN, MB2);
		assert_non_null(p);
		check_step();
		iop_iova_cache_init(&caches[0], a);
		iop_iova_cache_init(&caches[1], b);
		for (size_t k = 0; k < 2; k++)
			assert_true(iop_iova_cache_lookup(&caches[k], p) != IOP_IOVA_POISON);

		iop_sim_fail_nth(n);
		note_free(p, HOT_LEN);
		rte_free(p); /* hotplug free: unmaps */
		check_step();
		assert_freed_is_poison(caches, 2, &freed[nfreed - 1]);

		q = rte_malloc(NULL, HOT_LEN, MB2); /* hotplug alloc, at p again */
		assert_non_null(q);
		check_step();
		note_free(q, HOT_LEN);
		rte_free(q);
		check_step();
		calls = iop_sim_calls();
		iop_sim_fail_nth(0);
		/* a retry point: every failed unmap is done after it */
		assert_int_equal(iop_mem_rescan(), 0);
		check_step();
		iop_mem_get_stats(&st);
		assert_int_equal(st.stale, 0);
		iop_sim_counters(&c1);
		assert_int_equal(c1.mappings, c0.mappings);
		assert_int_equal(c1.pinned_pages, c0.pinned_pages);
		if (calls < n)
			break;
		assert_true(n < 2000);
	}
	iop_mem_get_stats(&st);
	print_message("free and re-allocation of %llu MiB: %llu backend calls, each failed once; %llu unmaps failed and were retried\n",
		      (unsigned long long)(HOT_LEN >> 20), (unsigned long long)n - 1,
		      (unsigned long long)st.unmap_retried);
	/* the sweep did fail unmaps during the frees, and all were retried */
	assert_true(st.unmap_failures > failures0);
	assert_int_equal(st.unmap_retried, st.unmap_failures);
	iop_mem_detach_ioas(a);
	iop_mem_detach_ioas(b);
	iop_dev_close(d1);
	iop_dev_close(d2);
	assert_int_equal(iop_ioas_destroy(a), 0);
	assert_int_equal(iop_ioas_destroy(b), 0);
}

/* --- ports: open, start, forward, stop, close ------------------------------ */

static int port_with(const char *spec, struct rte_mempool *mp, uint16_t *id)
{
	int rc = iop_port_open(spec, id);

	if (!rc)
		rc = iop_port_configure(*id, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 });
	if (!rc)
		rc = iop_port_rx_queue_setup(*id, 0, 64, mp);
	if (!rc)
		rc = iop_port_tx_queue_setup(*id, 0, 64);
	return rc;
}

static void note_chunk(struct rte_mempool *mp, void *arg, struct rte_mempool_memhdr *hdr,
		       unsigned int idx)
{
	(void)mp;
	(void)arg;
	(void)idx;
	note_free(hdr->addr, hdr->len);
}

/* One port lifecycle; every step checked. Returns the first error. */
static int port_lifecycle(void)
{
	struct rte_mempool *mp;
	struct rte_mbuf *m[8];
	uint16_t p0 = UINT16_MAX, p1 = UINT16_MAX;
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "fail_nth_%llu", (unsigned long long)clock_now);
	mp = rte_pktmbuf_pool_create(name, 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	check_step();
	if (!mp)
		return -ENOMEM;
	rc = port_with("sim:wire=pair,peer=1", mp, &p0);
	check_step();
	if (!rc)
		rc = port_with("sim:wire=pair,peer=0", mp, &p1);
	check_step();
	for (int round = 0; round < 2 && !rc; round++) {
		char *big;

		rc = iop_port_start(p0);
		check_step();
		/* hotplug alloc and free into the ports' IOAS while one runs */
		if (round == 0) {
			big = rte_malloc(NULL, HOT_LEN, MB2);
			check_step();
			note_free(big, HOT_LEN);
			rte_free(big);
			check_step();
		}
		if (!rc)
			rc = iop_port_start(p1);
		check_step();
		if (!rc) {
			uint16_t k = 0;

			while (k < 8 && (m[k] = rte_pktmbuf_alloc(mp)) != NULL)
				rte_pktmbuf_append(m[k++], 60);
			k = iop_port_tx_burst(p0, 0, m, k);
			rte_pktmbuf_free_bulk(m, iop_port_rx_burst(p1, 0, m, 8));
			check_step();
		}
		iop_port_stop(p0);
		iop_port_stop(p1);
		check_step();
	}
	iop_port_close_all();
	check_step();
	rte_mempool_mem_iter(mp, note_chunk, NULL);
	rte_mempool_free(mp);
	check_step();
	return rc;
}

static void fail_nth_during_port_start_and_stop_keeps_every_table_true(void **state)
{
	struct iop_sim_counters c0, c1;
	struct iop_mem_stats st;
	uint64_t n, events0;

	(void)state;
	iop_sim_counters(&c0);
	iop_mem_get_stats(&st);
	events0 = st.hotplug_alloc + st.hotplug_free;
	for (n = 1;; n++) {
		uint64_t calls;
		int rc;

		iop_sim_fail_nth(n);
		rc = port_lifecycle();
		calls = iop_sim_calls();
		iop_sim_fail_nth(0);
		if (rc)
			assert_true(iop_err_msg()[0] != '\0');
		assert_int_equal(iop_mem_rescan(), 0);
		iop_mem_get_stats(&st);
		assert_int_equal(st.stale, 0);
		iop_sim_counters(&c1);
		assert_int_equal(c1.mappings, c0.mappings);
		assert_int_equal(c1.pinned_pages, c0.pinned_pages);
		assert_int_equal(c1.open_fds, c0.open_fds);
		if (calls < n) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_true(n < 2000);
	}
	iop_mem_get_stats(&st);
	/* the lifecycles that got ports running allocated and freed pages */
	assert_true(st.hotplug_alloc + st.hotplug_free >= events0 + 2);
	print_message("sim ports open/start/stop/close: %llu backend calls, each failed once\n",
		      (unsigned long long)n - 1);
}

/* --- unmaps that keep failing -------------------------------------------- */

static size_t stale_maps(const struct iop_ioas *ioas)
{
	size_t n = 0;

	for (size_t i = 0; i < ioas->nmaps; i++)
		n += ioas->maps[i].stale;
	return n;
}

static void unmaps_failing_at_detach_stay_stale_until_the_ioas_is_destroyed(void **state)
{
	struct iop_sim_counters c0;
	struct iop_mem_stats st;
	struct iop_ioas *ioas;
	struct iop_dev *dev;

	(void)state;
	iop_sim_counters(&c0);
	ioas = ioas_on("0000:00:03.0", &dev);
	unmaps_fail = true;
	iop_mem_detach_ioas(ioas); /* every unmap and its retry fail */
	unmaps_fail = false;
	check_step();
	/* lib/mem let go; the IOAS still maps it all, translated nowhere */
	iop_mem_get_stats(&st);
	assert_int_equal(st.stale, 0);
	assert_true(ioas->nmaps > 0);
	assert_int_equal(stale_maps(ioas), ioas->nmaps);
	iop_dev_close(dev);
	/* the destroy frees what is left, as the kernel's IOAS destroy does */
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	assert_sim_counters_back(&c0);
}

static void attach_whose_rollback_cannot_unmap_is_retried_when_the_ioas_goes(void **state)
{
	struct iop_sim_counters c0;
	struct iop_mem_stale stale[4];
	struct iop_mem_stats st;
	struct iop_ioas *ioas;
	char *hot;

	(void)state;
	/* hotplugged pages: DPDK's memory is many runs */
	hot = rte_malloc(NULL, HOT_LEN, MB2);
	assert_non_null(hot);
	iop_sim_counters(&c0);
	assert_int_equal(iop_ioas_create(iop_ctx_get(), &ioas), 0);
	/* the second map fails, and the rollback of the first cannot unmap */
	map_fail_in = 2;
	unmaps_fail = true;
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOMEM);
	unmaps_fail = false;
	map_fail_in = 0;
	check_step();
	assert_int_equal(stale_maps(ioas), 1);
	assert_int_equal(iop_mem_stale_list(stale, 4), 1);
	assert_int_equal(stale[0].ioas_id, iop_ioas_id(ioas));
	/* not attached, yet lib/mem hears of its destroy and retries first */
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_mem_get_stats(&st);
	assert_int_equal(st.stale, 0);
	assert_sim_counters_back(&c0);
	note_free(hot, HOT_LEN);
	rte_free(hot);
	check_step();
}

/* --- what a PMD does with memory over a failed unmap -------------------- */

static void no_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

/* A one-segment frame whose data is at va (memory the test owns). */
static struct rte_mbuf *frame_at(struct rte_mempool *mp, char *va, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_mbuf_ext_shared_info *shinfo;
	uint16_t buf_len = 4096;

	assert_non_null(m);
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(va, &buf_len, no_free, NULL);
	assert_non_null(shinfo);
	rte_pktmbuf_attach_extbuf(m, va, 0, buf_len, shinfo);
	m->data_off = 0;
	for (uint16_t i = 0; i < len; i++)
		va[i] = (char)(i * 3 + 1);
	assert_non_null(rte_pktmbuf_append(m, len));
	return m;
}

static void frame_over_a_failed_unmap_is_dropped_as_unmapped_then_sent_after_the_retry(void **state)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("over_stale", 1023, 0, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct iop_port_stats s0, s1;
	struct iop_mem_stale stale;
	struct rte_mbuf *m, *rx[4];
	uint16_t p0, p1;
	char *p, *q, *va;

	(void)state;
	assert_non_null(mp);
	assert_int_equal(port_with("sim:wire=pair,peer=1", mp, &p0), 0);
	assert_int_equal(port_with("sim:wire=pair,peer=0", mp, &p1), 0);
	assert_int_equal(iop_port_start(p0), 0);
	assert_int_equal(iop_port_start(p1), 0);
	p = rte_malloc(NULL, HOT_LEN, MB2);
	assert_non_null(p);
	/* the free's second backend call, the unmap of its second page (the
	 * first one holds the heap's element header), fails; so does its
	 * retry, the first call of the re-allocation, which hands the same
	 * memory out again */
	iop_sim_fail_nth(2);
	rte_free(p);
	iop_sim_fail_nth(1);
	q = rte_malloc(NULL, HOT_LEN, MB2);
	iop_sim_fail_nth(0);
	check_step();
	assert_int_equal(iop_mem_stale_list(&stale, 1), 1);
	va = stale.va;
	assert_true(va >= q && va + MB2 <= q + HOT_LEN);

	/* the frame is dropped with its reason, never DMAed */
	assert_int_equal(iop_port_stats_get(p0, &s0), 0);
	m = frame_at(mp, va, 60);
	assert_int_equal(iop_port_tx_burst(p0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(p1, 0, rx, 4), 0);
	assert_int_equal(iop_port_stats_get(p0, &s1), 0);
	assert_int_equal(s1.drops[IOP_DROP_TX_UNMAPPED], s0.drops[IOP_DROP_TX_UNMAPPED] + 1);
	assert_int_equal(s1.tx_packets, s0.tx_packets);
	assert_int_equal(s1.dma_faults, 0);

	/* a retry point that succeeds maps the memory afresh: it is sent */
	assert_int_equal(iop_mem_rescan(), 0);
	check_step();
	m = frame_at(mp, va, 60);
	assert_int_equal(iop_port_tx_burst(p0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(p1, 0, rx, 4), 1);
	assert_int_equal(rx[0]->pkt_len, 60);
	for (int i = 0; i < 60; i++)
		assert_int_equal(rte_pktmbuf_mtod(rx[0], char *)[i], (char)(i * 3 + 1));
	rte_pktmbuf_free(rx[0]);
	assert_int_equal(iop_port_stats_get(p0, &s1), 0);
	assert_int_equal(s1.tx_packets, s0.tx_packets + 1);
	assert_int_equal(s1.dma_faults, 0);
	iop_port_close_all();
	note_free(q, HOT_LEN);
	rte_free(q);
	check_step();
	rte_mempool_free(mp);
}

int main(void)
{
	char prefix[64], topo_arg[96];
	char *argv[] = { "test_fail_nth_mem", "-l", "0", "--in-memory", "-m", "32",
			 "--no-telemetry", prefix, "--", "--iommu=sim", topo_arg,
			 "--ioas=per-group", NULL };
	const int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fail_nth_during_free_and_realloc_never_translates_through_a_stale_mapping),
		cmocka_unit_test(fail_nth_during_port_start_and_stop_keeps_every_table_true),
		cmocka_unit_test(frame_over_a_failed_unmap_is_dropped_as_unmapped_then_sent_after_the_retry),
		cmocka_unit_test(unmaps_failing_at_detach_stay_stale_until_the_ioas_is_destroyed),
		cmocka_unit_test(attach_whose_rollback_cannot_unmap_is_retried_when_the_ioas_goes),
	};
	int rc;

	snprintf(topo_path, sizeof(topo_path), "/tmp/iop-test-failnth-%d.topology", getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=iop_test_failnth_%d", getpid());
	snprintf(topo_arg, sizeof(topo_arg), "--sim-topology=%s", topo_path);
	write_file(topo_path, topology);
	rc = iop_init(argc, argv);
	if (rc < 0) {
		rc = init_failure_exit(rc);
	} else {
		/* date every mapping the backend makes from now on */
		spy = *iop_ctx_get()->ops;
		spy.map = spy_map;
		spy.copy = spy_copy;
		spy.unmap = spy_unmap;
		spy.ioas_free = spy_ioas_free;
		iop_ctx_get()->ops = &spy;
		/* every injected failure logs; the checks are what matters */
		iop_log_set_level(IOP_LOG_ERR);
		rc = cmocka_run_group_tests(tests, NULL, NULL);
		iop_cleanup();
	}
	unlink(topo_path);
	return rc;
}
