/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instructions per lookup, counted by valgrind's callgrind: the child runs
 * each kind of lookup inside a function of its own (not inlined, so
 * callgrind can collect exactly its instructions, its `ret` included) and
 * the parent, once per function, divides the collected count by the number
 * of calls. The hit paths do not depend on the addresses, so the child needs
 * no EAL: an IOAS of the sim backend with one 2 MiB mapping, made with the
 * app API as any app would, and mbuf headers on the heap are enough.
 */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_mbuf_core.h>

#include "bench.h"
#include "iop_iommu.h"
#include "iop_iova_cache.h"

#define CHILD_CALLS 100000
#define CHILD_MBUFS 32 /* one burst */

extern char **environ;

#define COUNTED __attribute__((noinline, used))

/* (c): a hit in the entries, from the buffer address */
COUNTED uint64_t bench_hit_once(struct iop_iova_cache *c, const void *va);
COUNTED uint64_t bench_hit_once(struct iop_iova_cache *c, const void *va)
{
	return iop_iova_cache_lookup(c, va);
}

/* Per burst of CHILD_MBUFS lookups from the mbufs, loop included:
 * (a) DPDK's precomputed IOVA */
COUNTED uint64_t bench_buf_iova_burst(struct rte_mbuf *const *m);
COUNTED uint64_t bench_buf_iova_burst(struct rte_mbuf *const *m)
{
	uint64_t acc = 0;

	for (int i = 0; i < CHILD_MBUFS; i++)
		acc += m[i]->buf_iova;
	return acc;
}

/* (f) iop_iova_cache_lookup, the entries */
COUNTED uint64_t bench_entries_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m);
COUNTED uint64_t bench_entries_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m)
{
	uint64_t acc = 0;

	iop_iova_cache_sync(c);
	for (int i = 0; i < CHILD_MBUFS; i++)
		acc += iop_iova_cache_lookup(c, m[i]->buf_addr);
	iop_iova_cache_count(c, CHILD_MBUFS);
	return acc;
}

/* (e) iop_iova_burst_lookup, the run */
COUNTED uint64_t bench_run_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m);
COUNTED uint64_t bench_run_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m)
{
	struct iop_iova_burst b = iop_iova_cache_burst(c);
	uint64_t acc = 0;

	for (int i = 0; i < CHILD_MBUFS; i++)
		acc += iop_iova_burst_lookup(&b, m[i]->buf_addr);
	iop_iova_cache_count(c, CHILD_MBUFS);
	return acc;
}

/* (g) an rx refill's lookup: the buffer's address from the mbuf's own (a
 * direct mbuf of the run's pool), nothing loaded from the mbuf */
COUNTED uint64_t bench_refill_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m,
				    uint32_t buf_off);
COUNTED uint64_t bench_refill_burst(struct iop_iova_cache *c, struct rte_mbuf *const *m,
				    uint32_t buf_off)
{
	struct iop_iova_burst b = iop_iova_cache_burst(c);
	uint64_t acc = 0;

	for (int i = 0; i < CHILD_MBUFS; i++)
		acc += iop_iova_burst_lookup(&b, (const uint8_t *)m[i] + buf_off);
	iop_iova_cache_count(c, CHILD_MBUFS);
	return acc;
}

int bench_hit_child(uint64_t n)
{
	static struct iop_iova_cache c, rc;
	static struct rte_mbuf mb[CHILD_MBUFS];
	struct rte_mbuf *m[CHILD_MBUFS], *gm[CHILD_MBUFS];
	const uint32_t buf_off = sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM;
	const size_t page = 2u << 20;
	struct iop_ctx_params params = { .backend = IOP_BACKEND_SIM };
	uint8_t *va = aligned_alloc(page, page);
	struct iop_ctx *ctx = NULL;
	struct iop_ioas *ioas;
	uint64_t iova, acc = 0;
	int ret = -ENOMEM;

	if (!va || iop_ctx_create(&params, &ctx) || iop_ioas_create(ctx, &ioas) ||
	    iop_ioas_map(ioas, va, page, IOP_PROT_READ | IOP_PROT_WRITE, &iova))
		goto out;
	iop_iova_cache_init(&c, ioas);
	iop_iova_cache_init(&rc, ioas);
	ret = -EIO;
	if (iop_iova_cache_set_run(&rc, va, page))
		goto out;
	for (int i = 0; i < CHILD_MBUFS; i++) {
		mb[i].buf_addr = va + (size_t)i * 4096;
		mb[i].buf_iova = iova + (uint64_t)i * 4096;
		m[i] = &mb[i];
		/* (g) reads no mbuf: addresses in the run are enough */
		gm[i] = (struct rte_mbuf *)(va + (size_t)i * 4096);
	}
	iop_iova_cache_lookup(&c, va); /* the one miss */
	for (uint64_t i = 0; i < n; i++) {
		acc += bench_hit_once(&c, va + (i & 0xfff) * 64);
		acc += bench_buf_iova_burst(m);
		acc += bench_entries_burst(&c, m);
		acc += bench_run_burst(&rc, m);
		acc += bench_refill_burst(&rc, gm, buf_off);
	}
	ret = acc == 0 ? -EIO : 0;
out:
	if (ctx)
		iop_ctx_destroy(ctx);
	free(va);
	return ret;
}

static int collected_ir(const char *path, uint64_t *ir)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int rc = -EIO;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "summary: %" SCNu64, ir) == 1)
			rc = 0;
	fclose(f);
	return rc;
}

static int per_call(const char *fn, unsigned int per_call_lookups, double *per)
{
	char out[] = "/tmp/iop-bench-callgrind-XXXXXX", exe[4096], calls[32];
	char outarg[64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char toggle[96];
	char *argv[] = { "valgrind", "--tool=callgrind", toggle,
			 outarg, "--quiet", exe, "--hit-child", calls, NULL };
	int fd = mkstemp(out), status, rc;
	uint64_t ir;
	pid_t pid;

	if (len < 0 || fd < 0) {
		fprintf(stderr, "iop-bench: cannot prepare the callgrind run: %s\n", strerror(errno));
		return -EIO;
	}
	close(fd);
	exe[len] = '\0';
	snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", out);
	snprintf(toggle, sizeof(toggle), "--toggle-collect=%s", fn);
	snprintf(calls, sizeof(calls), "%d", CHILD_CALLS);
	rc = posix_spawnp(&pid, "valgrind", NULL, NULL, argv, environ);
	if (rc) {
		unlink(out);
		fprintf(stderr, "iop-bench: --count-instructions needs valgrind: %s (apt-get install valgrind)\n",
			strerror(rc));
		return -rc;
	}
	waitpid(pid, &status, 0);
	rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? collected_ir(out, &ir) : -EIO;
	unlink(out);
	if (rc) {
		fprintf(stderr, "iop-bench: the callgrind run failed (run it by hand: valgrind --tool=callgrind --toggle-collect=%s %s --hit-child %d)\n",
			fn, exe, CHILD_CALLS);
		return rc;
	}
	*per = (double)ir / CHILD_CALLS / per_call_lookups;
	return 0;
}

int bench_count_instructions(struct bench_instructions *in)
{
	int rc = per_call("bench_hit_once", 1, &in->hit);

	if (rc == 0)
		rc = per_call("bench_buf_iova_burst", CHILD_MBUFS, &in->buf_iova);
	if (rc == 0)
		rc = per_call("bench_entries_burst", CHILD_MBUFS, &in->entries_from_mbuf);
	if (rc == 0)
		rc = per_call("bench_run_burst", CHILD_MBUFS, &in->run_from_mbuf);
	if (rc == 0)
		rc = per_call("bench_refill_burst", CHILD_MBUFS, &in->refill);
	return rc;
}
