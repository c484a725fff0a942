/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * translate: what one buffer-address translation costs, on the same
 * shuffled buffers of one rte_pktmbuf pool in one run:
 *   (a) reading mbuf->buf_iova (DPDK's precomputed IOVA: the anchor),
 *   (b) rte_mem_virt2memseg() + offset, from the buffer address,
 *   (c) an iop_iova_cache hit from the buffer address (the PMD fast path,
 *       one sync per burst of 32),
 *   (d) the miss path from the buffer address (table lookup, cache fill),
 *   (e) (c) starting from the mbuf pointer: it loads mbuf->buf_addr first,
 *       so it pays the same mbuf cache-line load as (a).
 * (b)-(d) translate a precomputed array of buffer addresses (what a PMD
 * holds once it has read the mbuf); (a) and (e) dereference the mbufs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>
#include <rte_memory.h>

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

static TIMED uint64_t run_miss(struct iop_iova_cache *c)
{
	uint64_t acc = 0;

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NB_MBUF; i++)
			acc += iop_iova_cache_miss(c, va[i]);
	return acc;
}

enum variant { BUF_IOVA, VIRT2MEMSEG, HIT, MISS, HIT_FROM_MBUF, NVARIANTS };

static double best_ns(enum variant v, struct iop_iova_cache *c, struct rte_mbuf **m,
		      unsigned int reps)
{
	double best = 1e30;

	for (unsigned int r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns(), acc;

		switch (v) {
		case BUF_IOVA: acc = run_buf_iova(m); break;
		case VIRT2MEMSEG: acc = run_virt2memseg(); break;
		case HIT: acc = run_hit(c); break;
		case MISS: acc = run_miss(c); break;
		default: acc = run_hit_from_mbuf(c, m); break;
		}
		sink += acc;
		double ns = (double)(bench_now_ns() - t0) / ((double)PASSES * NB_MBUF);
		if (ns < best)
			best = ns;
	}
	return best;
}

/* The cache must agree with the IOAS's own slow path on every buffer. */
static int check_exact(struct iop_ioas *ioas, struct iop_iova_cache *c, struct rte_mbuf **m)
{
	for (int i = 0; i < NB_MBUF; i++) {
		uint64_t want, got = iop_iova_cache_lookup(c, m[i]->buf_addr);

		if (iop_ioas_va2iova(ioas, m[i]->buf_addr, &want) || got != want) {
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
	struct rte_mempool *mp = NULL;
	struct iop_ioas *ioas = NULL;
	double ns[NVARIANTS], instr = -1;
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
	for (int i = 0; i < NB_MBUF; i++)
		va[i] = m[i]->buf_addr;
	iop_iova_cache_init(&cache, ioas);
	iop_iova_cache_sync(&cache);
	rc = check_exact(ioas, &cache, m);
	if (rc)
		goto out;
	for (int v = 0; v < NVARIANTS; v++)
		ns[v] = best_ns((enum variant)v, &cache, m, a->reps);
	if (a->count_instructions) {
		rc = bench_hit_instructions(&instr);
		if (rc)
			goto out;
	}
	if (a->json) {
		printf("{\"bench\":\"translate\",\"mbufs\":%d,\"buf_iova_ns\":%.3f,\"virt2memseg_ns\":%.3f,"
		       "\"cache_hit_ns\":%.3f,\"cache_miss_ns\":%.3f,\"hit_over_buf_iova\":%.3f,"
		       "\"virt2memseg_over_hit\":%.3f,\"cache_hit_from_mbuf_ns\":%.3f",
		       NB_MBUF, ns[BUF_IOVA], ns[VIRT2MEMSEG], ns[HIT], ns[MISS],
		       ns[HIT] / ns[BUF_IOVA], ns[VIRT2MEMSEG] / ns[HIT], ns[HIT_FROM_MBUF]);
		if (instr >= 0)
			printf(",\"hit_instructions\":%.2f", instr);
		printf("}\n");
	} else {
		printf("translate: %d mbufs, best of %u x %d lookups\n", NB_MBUF, a->reps, PASSES * NB_MBUF);
		printf("  (a) mbuf->buf_iova          %7.3f ns\n", ns[BUF_IOVA]);
		printf("  (b) rte_mem_virt2memseg     %7.3f ns\n", ns[VIRT2MEMSEG]);
		printf("  (c) iop_iova_cache hit      %7.3f ns\n", ns[HIT]);
		printf("  (d) iop_iova_cache miss     %7.3f ns\n", ns[MISS]);
		printf("  (e) hit from the mbuf       %7.3f ns (loads buf_addr first, as (a) loads buf_iova)\n",
		       ns[HIT_FROM_MBUF]);
		printf("  c/a = %.2f (target <= 1.2)   b/c = %.2f (target >= 5)\n",
		       ns[HIT] / ns[BUF_IOVA], ns[VIRT2MEMSEG] / ns[HIT]);
		if (instr >= 0)
			printf("  instructions per hit: %.2f (target <= 10)\n", instr);
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
