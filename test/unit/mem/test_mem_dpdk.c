/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/mem on real DPDK memory (EAL in memory, hugepages) and the sim IOMMU
 * backend: one map call per run, pinned once; exact translation at every
 * boundary; per-device IOVAs in IOAS of different layouts; bad input that
 * leaves nothing mapped (memory hotplug on a second lcore is in
 * test_mem_hotplug.c). Skips (77) when the EAL cannot get hugepages.
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
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "iommu_internal.h"
#include "iop_init.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_sim.h"
#include "mem_fixture.h"

#define MB2 (2ull << 20)
#define HOT_LEN (64ull << 20) /* beyond what -m preallocated: new pages */
#define BIT39 (1ull << 39)
#define WINDOW (1ull << 59) /* group 2's IOVA window starts here */

static const char topology[] =
	"group 1 range=0x0-0x7fffffffff\n"           /* a 39-bit vIOMMU */
	"group 2 range=0x800000000000000-0x80000ffffffffff\n" /* a window at 2^59 */
	"group 3 range=0x0-0xfffff\n"                /* 1 MiB: too small */
	"device 0000:00:01.0 group=1 driver=vfio-pci type=sim\n"
	"device 0000:00:02.0 group=2 driver=vfio-pci type=sim\n"
	"device 0000:00:03.0 group=3 driver=vfio-pci type=sim\n"
	"device 0000:00:04.0 group=4 driver=vfio-pci type=sim\n" /* no limits */
	"memlock unlimited\n";
static char topo_path[64], small_topo_path[80];
static char **app_argv; /* what iop_init left for the app */
static int app_argc;

static struct iop_ctx *ctx(void)
{
	return iop_ctx_get();
}

/* --- iop_init ------------------------------------------------------------- */

static void init_returns_the_index_of_the_apps_arguments(void **state)
{
	const struct iop_options *o = iop_options_get();

	(void)state;
	assert_int_equal(app_argc, 3);
	assert_string_equal(app_argv[0], "test_mem_dpdk");
	assert_string_equal(app_argv[1], "app-arg");
	assert_string_equal(app_argv[2], "--strict"); /* after the second --: the app's */
	assert_int_equal(o->backend, IOP_BACKEND_SIM);
	assert_int_equal(o->layout, IOP_LAYOUT_PER_GROUP);
	assert_true(o->strict);
	assert_string_equal(o->sim_topology, topo_path);
	assert_non_null(iop_ctx_get());
	assert_int_equal(iop_ctx_backend(iop_ctx_get()), IOP_BACKEND_SIM);
}

/* --- one map call per run, pinned once ------------------------------------ */

static void dpdk_memory_is_mapped_one_call_per_run_and_pinned_once(void **state)
{
	struct iop_ioas *a = new_ioas(), *b = new_ioas();
	struct iop_mem_stats s0, s1;
	struct iop_sim_counters c0;
	uint64_t pinned0 = iop_sim_pinned_pages(ctx());
	bool multi_page_run = false;
	/* pages are pinned only for an IOAS with a device (as in the kernel) */
	struct iop_dev *da = open_on("0000:00:04.0", a), *db = open_on("0000:00:01.0", b);

	(void)state;
	iop_sim_counters(&c0);
	iop_mem_get_stats(&s0);
	assert_int_equal(iop_mem_attach_ioas(a), 0);
	assert_int_equal(iop_mem_attach_ioas(b), 0);
	iop_mem_get_stats(&s1);
	assert_true(s1.runs > 0);
	assert_int_equal(s1.map_calls - s0.map_calls, 2 * s1.runs);
	/* -m preallocates memory DPDK never frees: it maps as whole runs */
	for (size_t i = 0; i < a->nmaps; i++)
		multi_page_run |= a->maps[i].len > MB2;
	assert_true(multi_page_run);
	/* the second IOAS got the pages by copy: pinned once */
	assert_int_equal(iop_sim_pinned_pages(ctx()) - pinned0, s1.bytes / 4096);
	iop_mem_detach_ioas(a);
	iop_mem_detach_ioas(b);
	iop_dev_close(da);
	iop_dev_close(db);
	assert_sim_counters_back(&c0);
	assert_int_equal(iop_ioas_destroy(a), 0);
	assert_int_equal(iop_ioas_destroy(b), 0);
}

/* --- translation at every boundary ------------------------------------------ */

static void expect_slow_path(struct iop_ioas *ioas, struct iop_iova_cache *c, uintptr_t va)
{
	uint64_t want;

	if (iop_ioas_va2iova(ioas, (void *)va, &want))
		want = IOP_IOVA_POISON;
	assert_int_equal(iop_iova_cache_lookup(c, (void *)va), want);
}

static void translation_is_exact_at_every_boundary_of_every_mapping(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_dev *dev = open_on("0000:00:02.0", ioas); /* packed IOVAs */
	struct iop_iova_cache c;

	(void)state;
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	iop_iova_cache_init(&c, ioas);
	iop_iova_cache_sync(&c);
	assert_true(ioas->nmaps > 0);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ioas->nmaps; i++) {
			const struct iop_map *m = &ioas->maps[i];

			assert_true(m->iova >= WINDOW);
			assert_int_equal(iop_iova_cache_lookup(&c, (void *)m->va), m->iova);
			assert_int_equal(iop_iova_cache_lookup(&c, (void *)(m->va + m->len - 1)),
					 m->iova + m->len - 1);
			expect_slow_path(ioas, &c, m->va + m->len); /* one past */
			expect_slow_path(ioas, &c, m->va - 1);      /* one before */
		}
	}
	iop_mem_detach_ioas(ioas);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
}

/* --- per-device IOVAs ---------------------------------------------------- */

static void two_ioas_with_different_layouts_give_each_device_its_own_iova(void **state)
{
	struct iop_ioas *a = new_ioas(), *b = new_ioas();
	struct iop_dev *d1 = open_on("0000:00:01.0", a), *d2 = open_on("0000:00:02.0", b);
	struct iop_iova_cache ca, cb;
	struct iop_sim_faults f1, f2;
	char *buf = rte_malloc(NULL, 4096, 64), back[64], pattern[64];
	uint64_t ia, ib;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(iop_mem_attach_ioas(a), 0);
	assert_int_equal(iop_mem_attach_ioas(b), 0);
	iop_iova_cache_init(&ca, a);
	iop_iova_cache_init(&cb, b);
	ia = iop_iova_cache_lookup(&ca, buf + 100);
	ib = iop_iova_cache_lookup(&cb, buf + 100);
	assert_true(ia < BIT39);
	assert_true(ib >= WINDOW && ib < WINDOW + (1ull << 40));
	assert_true(ia != ib);
	/* each device reaches the one buffer through its own IOVA */
	memset(pattern, 0x5a, sizeof(pattern));
	assert_int_equal(iop_sim_dma_write(d2, ib, pattern, sizeof(pattern)), 0);
	assert_int_equal(iop_sim_dma_read(d1, ia, back, sizeof(back)), 0);
	assert_memory_equal(back, pattern, sizeof(back));
	assert_memory_equal(buf + 100, pattern, sizeof(pattern));
	/* and not through the other's */
	assert_int_equal(iop_sim_dma_read(d1, ib, back, sizeof(back)), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(d1, &f1), 0);
	assert_int_equal(iop_sim_dev_faults(d2, &f2), 0);
	assert_int_equal(f1.count, 1);
	assert_int_equal(f2.count, 0);
	rte_free(buf);
	iop_mem_detach_ioas(a);
	iop_mem_detach_ioas(b);
	iop_dev_close(d1);
	iop_dev_close(d2);
	assert_int_equal(iop_ioas_destroy(a), 0);
	assert_int_equal(iop_ioas_destroy(b), 0);
}

/* --- external memory ------------------------------------------------------ */

static void external_memory_is_mapped_by_rescan_and_unmapped_after_unregister(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_dev *dev = open_on("0000:00:02.0", ioas);
	size_t len = 4 * MB2;
	char *raw = mmap(NULL, len + MB2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ext = (char *)(((uintptr_t)raw + MB2 - 1) & ~(MB2 - 1));
	struct iop_iova_cache c;
	struct iop_sim_faults f;
	uint64_t iova;
	char back[8];

	(void)state;
	assert_true(raw != MAP_FAILED);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	iop_iova_cache_init(&c, ioas);
	assert_int_equal(iop_iova_cache_lookup(&c, ext), IOP_IOVA_POISON);
	/* registered after the attach: mapped by the rescan */
	assert_int_equal(rte_extmem_register(ext, len, NULL, 0, 4096), 0);
	assert_int_equal(iop_mem_rescan(), 0);
	iop_iova_cache_sync(&c);
	iova = iop_iova_cache_lookup(&c, ext + len - 1);
	assert_true(iova >= WINDOW);
	memcpy(ext + len - 8, "extmem!", 8);
	assert_int_equal(iop_sim_dma_read(dev, iova - 7, back, 8), 0);
	assert_memory_equal(back, "extmem!", 8);
	/* unregistered: the rescan takes it out, caches included */
	assert_int_equal(rte_extmem_unregister(ext, len), 0);
	assert_int_equal(iop_mem_rescan(), 0);
	iop_iova_cache_sync(&c);
	assert_int_equal(iop_iova_cache_lookup(&c, ext), IOP_IOVA_POISON);
	assert_int_equal(iop_sim_dma_read(dev, iova - 7, back, 8), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(dev, &f), 0);
	assert_int_equal(f.count, 1);
	iop_mem_detach_ioas(ioas);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	munmap(raw, len + MB2);
}

/* --- bad input: nothing left mapped or pinned ------------------------------ */

static void ioas_too_small_fails_with_sizes_and_leaves_nothing_mapped(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_dev *dev = open_on("0000:00:03.0", ioas);
	struct iop_sim_counters c0;

	(void)state;
	iop_sim_counters(&c0);
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOSPC);
	assert_non_null(strstr(iop_err_msg(), "too small for DPDK's memory"));
	assert_non_null(strstr(iop_err_msg(), "its IOVA ranges hold 1 MiB"));
	assert_sim_counters_back(&c0);
	assert_int_equal(ioas->nmaps, 0);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
}

static void attach_failing_at_any_backend_call_leaves_nothing_mapped(void **state)
{
	struct iop_ioas *a = new_ioas(), *b = new_ioas();
	struct iop_sim_counters c0, c1;
	bool both = false;

	(void)state;
	iop_sim_counters(&c0);
	for (uint64_t n = 1; !both; n++) {
		int ra, rb = -1;

		iop_sim_fail_nth(n);
		ra = iop_mem_attach_ioas(a);
		if (ra == 0)
			rb = iop_mem_attach_ioas(b);
		iop_sim_fail_nth(0);
		both = ra == 0 && rb == 0;
		if (!both) {
			/* the injected failure */
			assert_int_equal(ra ? ra : rb, -ENOMEM);
			assert_int_equal((ra ? a : b)->nmaps, 0);
		}
		iop_mem_detach_ioas(a);
		iop_mem_detach_ioas(b);
		iop_sim_counters(&c1);
		assert_int_equal(c1.mappings, c0.mappings);
		assert_int_equal(c1.pinned_pages, c0.pinned_pages);
		assert_true(n < 1000);
	}
	assert_int_equal(iop_ioas_destroy(a), 0);
	assert_int_equal(iop_ioas_destroy(b), 0);
}

static void memlock_too_low_fails_with_the_size_needed_and_pins_nothing(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = small_topo_path };
	struct iop_ctx *small;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	struct iop_sim_counters c0, c1;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &small), 0);
	assert_int_equal(iop_ioas_create(small, &ioas), 0);
	/* pins happen only for an IOAS with a device attached */
	assert_int_equal(iop_dev_open(small, "0000:00:01.0", &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	iop_sim_counters(&c0);
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOMEM);
	assert_non_null(strstr(iop_err_msg(), "must be locked"));
	assert_non_null(strstr(iop_err_msg(), "raise it to at least"));
	iop_sim_counters(&c1);
	assert_int_equal(iop_sim_pinned_pages(small), 0);
	assert_int_equal(c1.mappings, c0.mappings);
	assert_int_equal(c1.pinned_pages, c0.pinned_pages);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(small);
}

static void hotplug_over_the_memlock_limit_gives_poison_never_a_wrong_iova(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = small_topo_path };
	struct iop_ioas *probe = new_ioas(), *ioas;
	struct iop_sim_counters c0;
	struct iop_mem_stats st;
	struct iop_iova_cache c;
	struct iop_ctx *small;
	struct iop_dev *dev;
	size_t len = 64ull << 20, poison = 0;
	char topo[128], *buf;

	(void)state;
	/* a limit 8 MiB above what DPDK holds now */
	assert_int_equal(iop_mem_attach_ioas(probe), 0);
	iop_mem_get_stats(&st);
	iop_mem_detach_ioas(probe);
	assert_int_equal(iop_ioas_destroy(probe), 0);
	snprintf(topo, sizeof(topo), "device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock %" PRIu64 "M\n",
		 (st.bytes >> 20) + 8);
	write_file(small_topo_path, topo);
	iop_sim_counters(&c0);
	assert_int_equal(iop_ctx_create(&p, &small), 0);
	assert_int_equal(iop_ioas_create(small, &ioas), 0);
	assert_int_equal(iop_dev_open(small, "0000:00:01.0", &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	iop_iova_cache_init(&c, ioas);
	buf = rte_malloc(NULL, len, MB2); /* hotplug: part of it cannot be pinned */
	assert_non_null(buf);
	for (size_t off = 0; off < len; off += MB2) {
		uint64_t want, got = iop_iova_cache_lookup(&c, buf + off + 123);

		if (got == IOP_IOVA_POISON) {
			poison++;
			continue;
		}
		assert_int_equal(iop_ioas_va2iova(ioas, buf + off + 123, &want), 0);
		assert_int_equal(got, want);
	}
	assert_true(poison > 0);
	assert_true(poison < len / MB2);
	rte_free(buf);
	iop_mem_detach_ioas(ioas);
	assert_int_equal(iop_sim_pinned_pages(small), 0);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(small);
	assert_sim_counters_back(&c0);
}

static void memlock_refusal_names_the_limit_that_applied_not_rlimit_memlock(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = small_topo_path };
	struct iop_ctx *small;
	struct iop_ioas *ioas;
	struct iop_dev *dev;

	(void)state;
	write_file(small_topo_path, "device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock 4M\n");
	assert_int_equal(iop_ctx_create(&p, &small), 0);
	assert_int_equal(iop_ioas_create(small, &ioas), 0);
	assert_int_equal(iop_dev_open(small, "0000:00:01.0", &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOMEM);
	/* the sim counts pins against the topology, whatever ulimit -l says */
	assert_non_null(strstr(iop_err_msg(), "(the sim topology's memlock is 4 MiB)"));
	assert_null(strstr(iop_err_msg(), "RLIMIT_MEMLOCK"));
	assert_non_null(strstr(iop_err_msg(), "in the topology file"));
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(small);
}

static void enomem_reading_iova_ranges_is_not_reported_as_a_memlock_refusal(void **state)
{
	struct iop_ioas *ioas = new_ioas();

	(void)state;
	/* the first backend call of an attach reads the IOAS's IOVA ranges
	 * (before the first map): fail it as a kernel out of memory would */
	iop_sim_fail_nth(1);
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOMEM);
	iop_sim_fail_nth(0);
	assert_non_null(strstr(iop_err_msg(), "cannot read the IOVA ranges of IOAS"));
	assert_null(strstr(iop_err_msg(), "locked-memory"));
	assert_int_equal(ioas->nmaps, 0);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
}

static void injected_enomem_with_memlock_unlimited_is_not_blamed_on_the_limit(void **state)
{
	struct iop_ioas *ioas = new_ioas();

	(void)state;
	/* an attach reads the IOVA ranges (call 1), then maps (call 2): the
	 * topology's memlock is unlimited, so the limit refused nothing */
	iop_sim_fail_nth(2);
	assert_int_equal(iop_mem_attach_ioas(ioas), -ENOMEM);
	iop_sim_fail_nth(0);
	assert_non_null(strstr(iop_err_msg(), "ran out of memory"));
	assert_non_null(strstr(iop_err_msg(), "not the locked-memory limit: the sim topology's memlock is unlimited"));
	assert_null(strstr(iop_err_msg(), "refused"));
	assert_null(strstr(iop_err_msg(), "raise it"));
	assert_int_equal(ioas->nmaps, 0);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
}

/* --- an unmap that fails --------------------------------------------------- */

static void memory_reallocated_over_a_failed_unmap_waits_until_the_retry_succeeds(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_dev *dev = open_on("0000:00:02.0", ioas);
	struct iop_sim_counters c0, ca, c1;
	struct iop_mem_stats s0, s1;
	struct iop_mem_stale stale[4];
	struct iop_iova_cache c, rc; /* rc: with a run over the memory */
	struct iop_iova_burst b;
	struct iop_sim_faults f;
	uint64_t iova, poison0;
	char *p, *q, *va;

	(void)state;
	iop_sim_counters(&c0);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	iop_mem_get_stats(&s0);
	iop_sim_counters(&ca);
	iop_iova_cache_init(&c, ioas);
	iop_iova_cache_init(&rc, ioas);
	p = rte_malloc(NULL, HOT_LEN, MB2);
	assert_non_null(p);
	/* a queue whose run is that memory (as a pool's would be) */
	assert_int_equal(iop_iova_cache_set_run(&rc, p, HOT_LEN), 0);
	b = iop_iova_cache_burst(&rc);
	assert_int_equal(iop_iova_burst_lookup(&b, p), iop_iova_cache_lookup(&c, p));
	assert_int_equal(rc.misses, 0);
	/* the first backend call of the free is the unmap of its first page */
	iop_sim_fail_nth(1);
	rte_free(p);
	iop_sim_fail_nth(0);
	iop_mem_get_stats(&s1);
	assert_int_equal(s1.unmap_failures, s0.unmap_failures + 1);
	assert_int_equal(s1.stale, 1);
	assert_int_equal(iop_mem_stale_list(stale, 4), 1);
	assert_int_equal(stale[0].ioas_id, iop_ioas_id(ioas));
	assert_int_equal(stale[0].err, -ENOMEM);
	va = stale[0].va;
	assert_true(va >= p - MB2 && va < p + HOT_LEN);
	/* the memory is gone: nothing translates it, the IOMMU still maps it */
	iop_iova_cache_sync(&c);
	assert_int_equal(iop_iova_cache_lookup(&c, va), IOP_IOVA_POISON);
	assert_int_equal(iop_ioas_va2iova(ioas, va, &iova), -ESTALE);
	b = iop_iova_cache_burst(&rc);
	assert_int_equal(iop_iova_burst_lookup(&b, va), IOP_IOVA_POISON);
	assert_int_equal(iop_iova_burst_lookup(&b, va + MB2 - 1), IOP_IOVA_POISON);
	iop_sim_counters(&c1);
	assert_int_equal(c1.mappings, ca.mappings + 1);

	/* the retry at the next event fails too: DPDK hands the address out
	 * again and lib/mem refuses to map it (poison, never the old pages) */
	iop_sim_fail_nth(1);
	q = rte_malloc(NULL, HOT_LEN, MB2);
	iop_sim_fail_nth(0);
	assert_ptr_equal(q, p);
	iop_mem_get_stats(&s1);
	assert_int_equal(s1.stale, 1);
	poison0 = c.poison;
	iop_iova_cache_sync(&c);
	assert_int_equal(iop_iova_cache_lookup(&c, va + 100), IOP_IOVA_POISON);
	assert_int_equal(c.poison, poison0 + 1); /* what a PMD counts and drops */
	b = iop_iova_cache_burst(&rc);
	assert_int_equal(iop_iova_burst_lookup(&b, va + 100), IOP_IOVA_POISON);
	assert_true(iop_iova_cache_lookup(&c, q + HOT_LEN - 1) != IOP_IOVA_POISON);

	/* a retry point (iop_mem_rescan) that succeeds maps it afresh */
	assert_int_equal(iop_mem_rescan(), 0);
	iop_mem_get_stats(&s1);
	assert_int_equal(s1.stale, 0);
	assert_int_equal(s1.unmap_retried, s0.unmap_retried + 1);
	iop_iova_cache_sync(&c);
	iova = iop_iova_cache_lookup(&c, va + 100);
	assert_true(iova != IOP_IOVA_POISON);
	b = iop_iova_cache_burst(&rc);
	assert_int_equal(iop_iova_burst_lookup(&b, va + 100), iova);
	memcpy(va + 100, "fresh", 6);
	{
		char back[6];

		assert_int_equal(iop_sim_dma_read(dev, iova, back, sizeof(back)), 0);
		assert_memory_equal(back, "fresh", 6);
	}
	assert_int_equal(iop_sim_dev_faults(dev, &f), 0);
	assert_int_equal(f.count, 0);
	rte_free(q);
	iop_mem_detach_ioas(ioas);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	assert_sim_counters_back(&c0);
}

static void unmap_failing_at_detach_is_retried_there_and_leaves_nothing(void **state)
{
	struct iop_ioas *ioas = new_ioas();
	struct iop_sim_counters c0;
	struct iop_mem_stats st;
	size_t stale = 0;

	(void)state;
	iop_sim_counters(&c0);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	/* the detach unmaps each run (call 1 fails), then retries it */
	iop_sim_fail_nth(1);
	iop_mem_detach_ioas(ioas);
	iop_sim_fail_nth(0);
	for (size_t i = 0; i < ioas->nmaps; i++)
		stale += ioas->maps[i].stale;
	iop_mem_get_stats(&st);
	assert_true(st.unmap_failures > 0);
	/* the retry at detach succeeded: nothing stale is left anywhere */
	assert_int_equal(stale, 0);
	assert_int_equal(ioas->nmaps, 0);
	assert_int_equal(st.stale, 0);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	assert_sim_counters_back(&c0);
}

/* --- the IOAS lib/mem maps into --------------------------------------------- */

static void ioas_destroy_takes_dpdk_memory_out_of_lib_mem_first(void **state)
{
	struct iop_ioas *gone = new_ioas(), *kept;
	struct iop_sim_counters c0;
	struct iop_mem_stats st;
	char *hot;
	uint64_t iova;

	(void)state;
	iop_sim_counters(&c0);
	assert_int_equal(iop_mem_attach_ioas(gone), 0);
	/* no iop_mem_detach_ioas(): destroy must not leave lib/mem a pointer */
	assert_int_equal(iop_ioas_destroy(gone), 0);
	iop_mem_get_stats(&st);
	assert_int_equal(st.runs, 0);
	assert_int_equal(st.bytes, 0);
	assert_sim_counters_back(&c0);
	/* the next attach and hotplug events see only live IOAS */
	kept = new_ioas();
	assert_int_equal(iop_mem_attach_ioas(kept), 0);
	hot = rte_malloc(NULL, HOT_LEN, MB2);
	assert_non_null(hot);
	assert_int_equal(iop_ioas_va2iova(kept, hot + HOT_LEN - 1, &iova), 0);
	rte_free(hot);
	iop_mem_detach_ioas(kept);
	assert_int_equal(iop_ioas_destroy(kept), 0);
	assert_sim_counters_back(&c0);
}

static void ctx_destroy_takes_dpdk_memory_out_of_lib_mem_first(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = small_topo_path };
	struct iop_sim_counters c0, c1;
	struct iop_mem_stats st;
	struct iop_ctx *other;
	struct iop_ioas *ioas;
	struct iop_dev *dev;

	(void)state;
	write_file(small_topo_path, "device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock unlimited\n");
	iop_sim_counters(&c0);
	assert_int_equal(iop_ctx_create(&p, &other), 0);
	assert_int_equal(iop_ioas_create(other, &ioas), 0);
	assert_int_equal(iop_dev_open(other, "0000:00:01.0", &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	assert_int_equal(iop_mem_attach_ioas(ioas), 0);
	/* closes the device, then destroys the IOAS: lib/mem lets go first */
	iop_ctx_destroy(other);
	iop_mem_get_stats(&st);
	assert_int_equal(st.runs, 0);
	iop_sim_counters(&c1);
	assert_int_equal(c1.mappings, c0.mappings);
	assert_int_equal(c1.pinned_pages, c0.pinned_pages);
	assert_int_equal(c1.open_fds, c0.open_fds);
}

static int run(int rc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_returns_the_index_of_the_apps_arguments),
		cmocka_unit_test(dpdk_memory_is_mapped_one_call_per_run_and_pinned_once),
		cmocka_unit_test(translation_is_exact_at_every_boundary_of_every_mapping),
		cmocka_unit_test(two_ioas_with_different_layouts_give_each_device_its_own_iova),
		cmocka_unit_test(external_memory_is_mapped_by_rescan_and_unmapped_after_unregister),
		cmocka_unit_test(ioas_too_small_fails_with_sizes_and_leaves_nothing_mapped),
		cmocka_unit_test(attach_failing_at_any_backend_call_leaves_nothing_mapped),
		cmocka_unit_test(memlock_too_low_fails_with_the_size_needed_and_pins_nothing),
		cmocka_unit_test(hotplug_over_the_memlock_limit_gives_poison_never_a_wrong_iova),
		cmocka_unit_test(memlock_refusal_names_the_limit_that_applied_not_rlimit_memlock),
		cmocka_unit_test(enomem_reading_iova_ranges_is_not_reported_as_a_memlock_refusal),
		cmocka_unit_test(injected_enomem_with_memlock_unlimited_is_not_blamed_on_the_limit),
		cmocka_unit_test(memory_reallocated_over_a_failed_unmap_waits_until_the_retry_succeeds),
		cmocka_unit_test(unmap_failing_at_detach_is_retried_there_and_leaves_nothing),
		cmocka_unit_test(ioas_destroy_takes_dpdk_memory_out_of_lib_mem_first),
		cmocka_unit_test(ctx_destroy_takes_dpdk_memory_out_of_lib_mem_first),
	};

	app_argv = argv + rc;
	for (app_argc = 0; app_argv[app_argc]; app_argc++)
		;
	snprintf(small_topo_path, sizeof(small_topo_path), "%s-4m", topo_path);
	write_file(small_topo_path, "device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock 4M\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(small_topo_path);
	return rc;
}

int main(void)
{
	static const char *const eal[] = { "-l", "0-1", NULL };
	static const char *const iopath[] = { "--strict", "--", "app-arg", "--strict", NULL };
	const struct mem_main m = { "test_mem_dpdk", topology, eal, iopath, run };

	return mem_fixture_main(&m, topo_path);
}
