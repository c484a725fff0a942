/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * translate: what one buffer-address translation costs, on the same
 * shuffled buffers of one rte_pktmbuf pool in one run:
 *   (a) reading mbuf->buf_iova (DPDK's precomputed IOVA: the anchor),
 *   (b) rte_mem_virt2memseg() + offset, from the buffer address,
 *   (c) an iop_iova_cache hit from the buffer address (the PMD fast path,
 *       one sync per burst of 32),
 *   (d) the miss path from the buffer address (table lookup, cache fill),
 *   (e) the lookup starting from the mbuf pointer, as a PMD pays it: it
 *       loads mbuf->buf_addr, as (a) loads buf_iova, then
 *       iop_iova_burst_lookup() on a cache whose run is the pool's memory
 *       (iop_iova_cache_set_run),
 *   (f) iop_iova_cache_lookup() from the mbuf: the entries answer,
 *   (g) an rx refill's lookup, as the PCI PMDs pay it: the buffer of a
 *       direct mbuf of the run's pool lies at the mbuf's address plus the
 *       pool's fixed header (rte_mbuf_buf_addr()), so nothing is loaded
 *       from the mbuf; then iop_iova_burst_lookup() on the run,
 *   (h) what a PCI PMD's tx pays per frame (iop_pci_tx_iova()):
 *       iop_iova_burst_lookup() of the frame's data (buf_addr + data_off) on
 *       the run, against (a') DPDK's rte_mbuf_data_iova() (buf_iova +
 *       data_off), which DPDK's PMDs post.
 * (b)-(d) translate a precomputed array of buffer addresses (what a PMD
 * holds once it has read the mbuf); (a), (e), (f) dereference the mbufs.
 * P1 is (e)/(a), from pairs of runs that alternate (a) and (e): the median
 * of the per-pair ratios and their range; the same for (g)/(a), what the
 * rx side pays, and (h)/(a'), what the tx side pays.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>
#include <rte_memory.h>

#include "app_json.h"
#include "bench.h"
#include "iop_init.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "iop_mem.h"

#define NB_MBUF 4096
#define PASSES 32 /* over the mbufs, per repetition */
#define BURST 32

static volatile uint64_t sink; /* keeps the loops from being optimised away */

static void *va[NB_MBUF]; /* m[i]->buf_addr */
static uint32_t buf_off;  /* buf_addr - m, the same for every mbuf of the pool */

/* Each timed loop is a function of its own at a 64-byte boundary, so its
 * code sits the same way in every build: at this scale the placement of a
 * loop alone moves a figure by 2x (doc/performance.md). */
#define TIMED __attribute__((noinline, aligned(64)))

static TIMED uint64_t run_buf_iova(struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NB_MBUF; i++)
			acc += m[i]->buf_iova;
	return acc;
}

static TIMED uint64_t run_virt2memseg(void)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i++) {
			const struct rte_memseg *ms = rte_mem_virt2memseg(va[i], NULL);

			acc += ms->iova + ((uintptr_t)va[i] - ms->addr_64);
		}
	}
	return acc;
}

static TIMED uint64_t run_hit(struct iop_iova_cache *c)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i += BURST) {
			iop_iova_cache_sync(c);
			for (int j = i; j < i + BURST; j++)
				acc += iop_iova_cache_lookup(c, va[j]);
			iop_iova_cache_count(c, BURST);
		}
	}
	return acc;
}

static TIMED uint64_t run_hit_from_mbuf(struct iop_iova_cache *c, struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i += BURST) {
			iop_iova_cache_sync(c);
			for (int j = i; j < i + BURST; j++)
				acc += iop_iova_cache_lookup(c, m[j]->buf_addr);
			iop_iova_cache_count(c, BURST);
		}
	}
	return acc;
}

static TIMED uint64_t run_run_from_mbuf(struct iop_iova_cache *c, struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i += BURST) {
			struct iop_iova_burst b = iop_iova_cache_burst(c);

			for (int j = i; j < i + BURST; j++)
				acc += iop_iova_burst_lookup(&b, m[j]->buf_addr);
			iop_iova_cache_count(c, BURST);
		}
	}
	return acc;
}

static TIMED uint64_t run_refill(struct iop_iova_cache *c, struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i += BURST) {
			struct iop_iova_burst b = iop_iova_cache_burst(c);

			for (int j = i; j < i + BURST; j++)
				acc += iop_iova_burst_lookup(&b, (const uint8_t *)m[j] + buf_off);
			iop_iova_cache_count(c, BURST);
		}
	}
	return acc;
}

static TIMED uint64_t run_data_iova(struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NB_MBUF; i++)
			acc += rte_mbuf_data_iova(m[i]);
	return acc;
}

static TIMED uint64_t run_tx(struct iop_iova_cache *c, struct rte_mbuf **m)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < NB_MBUF; i += BURST) {
			struct iop_iova_burst b = iop_iova_cache_burst(c);

			for (int j = i; j < i + BURST; j++)
				acc += iop_iova_burst_lookup(&b, rte_pktmbuf_mtod(m[j], const void *));
			iop_iova_cache_count(c, BURST);
		}
	}
	return acc;
}

static TIMED uint64_t run_miss(struct iop_iova_cache *c)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NB_MBUF; i++)
			acc += iop_iova_cache_miss(c, va[i]);
	return acc;
}

enum variant {
	BUF_IOVA, VIRT2MEMSEG, HIT, MISS, RUN_FROM_MBUF, HIT_FROM_MBUF, REFILL, DATA_IOVA, TX,
	NVARIANTS
};

/* c: the cache with no run; rc: the one whose run is the pool */
static double once_ns(enum variant v, struct iop_iova_cache *c, struct iop_iova_cache *rc,
		      struct rte_mbuf **m)
{
	uint64_t t0 = bench_now_ns(), acc;

	switch (v) {
	case BUF_IOVA: acc = run_buf_iova(m); break;
	case VIRT2MEMSEG: acc = run_virt2memseg(); break;
	case HIT: acc = run_hit(c); break;
	case MISS: acc = run_miss(c); break;
	case RUN_FROM_MBUF: acc = run_run_from_mbuf(rc, m); break;
	case REFILL: acc = run_refill(rc, m); break;
	case DATA_IOVA: acc = run_data_iova(m); break;
	case TX: acc = run_tx(rc, m); break;
	default: acc = run_hit_from_mbuf(c, m); break;
	}
	sink += acc;
	return (double)(bench_now_ns() - t0) / ((double)PASSES * NB_MBUF);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct p1 {
	double median, min, max;
};

/* reps pairs, each the anchor then v: the best of each and the per-pair
 * ratios */
static struct p1 p1_pairs(enum variant anchor, enum variant v, struct iop_iova_cache *c,
			  struct iop_iova_cache *rc, struct rte_mbuf **m, unsigned int reps,
			  double *best_a, double *best_e)
{
	double ratio[64];
	struct p1 r;

	*best_a = *best_e = 1e30;
	for (unsigned int i = 0; i < reps; i++) {
		double a = once_ns(anchor, c, rc, m), e = once_ns(v, c, rc, m);

		*best_a = a < *best_a ? a : *best_a;
		*best_e = e < *best_e ? e : *best_e;
		ratio[i] = e / a;
	}
	qsort(ratio, reps, sizeof(ratio[0]), cmp_double);
	r.min = ratio[0];
	r.max = ratio[reps - 1];
	r.median = reps % 2 ? ratio[reps / 2] : (ratio[reps / 2 - 1] + ratio[reps / 2]) / 2;
	return r;
}

static double best_ns(enum variant v, struct iop_iova_cache *c, struct iop_iova_cache *rc,
		      struct rte_mbuf **m, unsigned int reps)
{
	double best = 1e30;

	for (unsigned int r = 0; r < reps; r++) {
		double ns = once_ns(v, c, rc, m);

		if (ns < best)
			best = ns;
	}
	return best;
}

/* The cache must agree with the IOAS's own slow path on every buffer. */
static int check_exact(struct iop_ioas *ioas, struct iop_iova_cache *c, struct rte_mbuf **m)
{
	struct iop_iova_burst b = iop_iova_cache_burst(c);

	for (int i = 0; i < NB_MBUF; i++) {
		uint64_t want, got = iop_iova_burst_lookup(&b, m[i]->buf_addr);
		uint64_t data = iop_iova_burst_lookup(&b, rte_pktmbuf_mtod(m[i], void *));

		/* (g) translates m + buf_off: it must be buf_addr */
		if ((uint8_t *)m[i] + buf_off != m[i]->buf_addr) {
			fprintf(stderr, "iop-bench: mbuf %p's buffer is not at its address + %u\n",
				(void *)m[i], buf_off);
			return -EIO;
		}
		if (iop_ioas_va2iova(ioas, m[i]->buf_addr, &want) || got != want ||
		    data != want + m[i]->data_off) {
			fprintf(stderr, "iop-bench: cache gave 0x%" PRIx64 " for %p: not the IOAS's translation\n",
				got, m[i]->buf_addr);
			return -EIO;
		}
	}
	return 0;
}

static void shuffle(struct rte_mbuf **m, int n)
{
	unsigned int seed = 12345;

	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(&seed) % (i + 1);
		struct rte_mbuf *t = m[i];

		m[i] = m[j];
		m[j] = t;
	}
}

int bench_translate(const struct bench_args *a)
{
	static struct rte_mbuf *m[NB_MBUF];
	static struct iop_iova_cache cache __attribute__((aligned(64)));
	static struct iop_iova_cache run_cache __attribute__((aligned(64)));
	struct rte_mempool *mp = NULL;
	struct iop_ioas *ioas = NULL;
	double ns[NVARIANTS];
	struct bench_instructions instr;
	struct p1 p1, p1g, p1h;
	void *pool_va;
	size_t pool_len;
	struct bench_ioas s = { .n = 0 };
	int rc;

	rc = bench_ioas_create(a, 1, &s);
	if (rc)
		return rc;
	ioas = s.ioas[0];
	rc = iop_mem_attach_ioas(ioas);
	if (rc) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		goto out;
	}
	mp = rte_pktmbuf_pool_create("iop_bench", NB_MBUF + 1, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (!mp || rte_pktmbuf_alloc_bulk(mp, m, NB_MBUF)) {
		fprintf(stderr, "iop-bench: cannot get %d mbufs: give DPDK more memory (-m)\n", NB_MBUF);
		rc = -ENOMEM;
		goto out;
	}
	shuffle(m, NB_MBUF);
	buf_off = (uint32_t)((uint8_t *)m[0]->buf_addr - (uint8_t *)m[0]);
	for (int i = 0; i < NB_MBUF; i++)
		va[i] = m[i]->buf_addr;
	iop_iova_cache_init(&cache, ioas);
	iop_iova_cache_init(&run_cache, ioas);
	if (iop_mem_pool_span(mp, &pool_va, &pool_len) ||
	    iop_iova_cache_set_run(&run_cache, pool_va, pool_len)) {
		fprintf(stderr, "iop-bench: the pool's memory is not one IOVA-contiguous run of the IOAS: give DPDK its memory up front (-m with --in-memory)\n");
		rc = -ENOENT;
		goto out;
	}
	rc = check_exact(ioas, &cache, m);
	if (rc == 0)
		rc = check_exact(ioas, &run_cache, m);
	if (rc)
		goto out;
	for (int v = 0; v < NVARIANTS; v++)
		ns[v] = best_ns((enum variant)v, &cache, &run_cache, m, a->reps);
	p1 = p1_pairs(BUF_IOVA, RUN_FROM_MBUF, &cache, &run_cache, m, a->reps, &ns[BUF_IOVA],
		      &ns[RUN_FROM_MBUF]);
	p1g = p1_pairs(BUF_IOVA, REFILL, &cache, &run_cache, m, a->reps, &ns[BUF_IOVA],
		       &ns[REFILL]);
	p1h = p1_pairs(DATA_IOVA, TX, &cache, &run_cache, m, a->reps, &ns[DATA_IOVA], &ns[TX]);
	if (a->count_instructions) {
		rc = bench_count_instructions(&instr);
		if (rc)
			goto out;
	}
	if (a->json) {
		json_t *j = json_pack("{s:s,s:i}", "bench", "translate", "mbufs", NB_MBUF);

		json_object_set_new(j, "buf_iova_ns", app_json_num(ns[BUF_IOVA], 3));
		json_object_set_new(j, "virt2memseg_ns", app_json_num(ns[VIRT2MEMSEG], 3));
		json_object_set_new(j, "cache_hit_ns", app_json_num(ns[HIT], 3));
		json_object_set_new(j, "cache_miss_ns", app_json_num(ns[MISS], 3));
		json_object_set_new(j, "hit_over_buf_iova", app_json_num(ns[HIT] / ns[BUF_IOVA], 3));
		json_object_set_new(j, "virt2memseg_over_hit", app_json_num(ns[VIRT2MEMSEG] / ns[HIT], 3));
		json_object_set_new(j, "run_from_mbuf_ns", app_json_num(ns[RUN_FROM_MBUF], 3));
		json_object_set_new(j, "entries_from_mbuf_ns", app_json_num(ns[HIT_FROM_MBUF], 3));
		json_object_set_new(j, "p1_pairs", json_integer(a->reps));
		json_object_set_new(j, "p1_median", app_json_num(p1.median, 3));
		json_object_set_new(j, "p1_min", app_json_num(p1.min, 3));
		json_object_set_new(j, "p1_max", app_json_num(p1.max, 3));
		json_object_set_new(j, "refill_ns", app_json_num(ns[REFILL], 3));
		json_object_set_new(j, "p1_refill_median", app_json_num(p1g.median, 3));
		json_object_set_new(j, "p1_refill_min", app_json_num(p1g.min, 3));
		json_object_set_new(j, "p1_refill_max", app_json_num(p1g.max, 3));
		json_object_set_new(j, "data_iova_ns", app_json_num(ns[DATA_IOVA], 3));
		json_object_set_new(j, "tx_ns", app_json_num(ns[TX], 3));
		json_object_set_new(j, "tx_median", app_json_num(p1h.median, 3));
		json_object_set_new(j, "tx_min", app_json_num(p1h.min, 3));
		json_object_set_new(j, "tx_max", app_json_num(p1h.max, 3));
		if (a->count_instructions) {
			json_object_set_new(j, "hit_instructions", app_json_num(instr.hit, 2));
			json_object_set_new(j, "instr_buf_iova", app_json_num(instr.buf_iova, 2));
			json_object_set_new(j, "instr_run_from_mbuf", app_json_num(instr.run_from_mbuf, 2));
			json_object_set_new(j, "instr_entries_from_mbuf", app_json_num(instr.entries_from_mbuf, 2));
			json_object_set_new(j, "instr_refill", app_json_num(instr.refill, 2));
			json_object_set_new(j, "instr_p1", app_json_num(instr.run_from_mbuf / instr.buf_iova, 2));
		}
		if (app_json_write(stdout, j, false))
			rc = -EIO;
	} else {
		printf("translate: %d mbufs, best of %u x %d lookups\n", NB_MBUF, a->reps, PASSES * NB_MBUF);
		printf("  (a) mbuf->buf_iova          %7.3f ns\n", ns[BUF_IOVA]);
		printf("  (b) rte_mem_virt2memseg     %7.3f ns\n", ns[VIRT2MEMSEG]);
		printf("  (c) iop_iova_cache hit      %7.3f ns\n", ns[HIT]);
		printf("  (d) iop_iova_cache miss     %7.3f ns\n", ns[MISS]);
		printf("  (e) from the mbuf, run      %7.3f ns (loads buf_addr, as (a) loads buf_iova)\n",
		       ns[RUN_FROM_MBUF]);
		printf("  (f) from the mbuf, entries  %7.3f ns (as (e), cache without a run)\n",
		       ns[HIT_FROM_MBUF]);
		printf("  (g) rx refill, run          %7.3f ns (the buffer from the mbuf's address: no load)\n",
		       ns[REFILL]);
		printf("  (a') rte_mbuf_data_iova     %7.3f ns (buf_iova + data_off)\n", ns[DATA_IOVA]);
		printf("  (h) tx, run                 %7.3f ns (buf_addr + data_off, as the PCI PMDs' tx)\n",
		       ns[TX]);
		printf("  c/a = %.2f (target <= 1.2)   b/c = %.2f (target >= 5)\n",
		       ns[HIT] / ns[BUF_IOVA], ns[VIRT2MEMSEG] / ns[HIT]);
		printf("  P1 = e/a: median %.2f of %u pairs, range %.2f-%.2f (target <= 1.2)\n",
		       p1.median, a->reps, p1.min, p1.max);
		printf("  g/a (rx refill): median %.2f of %u pairs, range %.2f-%.2f\n",
		       p1g.median, a->reps, p1g.min, p1g.max);
		printf("  h/a' (tx): median %.2f of %u pairs, range %.2f-%.2f\n",
		       p1h.median, a->reps, p1h.min, p1h.max);
		if (a->count_instructions)
			printf("  instructions per lookup: (a) %.2f  (c) %.2f  (e) %.2f  (f) %.2f  (g) %.2f  e/a %.2f\n",
			       instr.buf_iova, instr.hit, instr.run_from_mbuf, instr.entries_from_mbuf,
			       instr.refill, instr.run_from_mbuf / instr.buf_iova);
	}
out:
	if (mp) {
		rte_pktmbuf_free_bulk(m, m[0] ? NB_MBUF : 0);
		rte_mempool_free(mp);
	}
	iop_mem_detach_ioas(ioas);
	bench_ioas_destroy(&s);
	return rc;
}
