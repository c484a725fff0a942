/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * map: DPDK's memory into K IOAS, two ways in one run:
 *   runs      iop_mem_attach_ioas: one map call per contiguous run, later
 *             IOAS by copy (pinned once);
 *   per-page  one iop_ioas_map per memseg into every IOAS (what DPDK's
 *             VFIO code does, capped by VFIO's dma_entry_limit).
 * Reported: map calls, pinned pages (sim), wall time to map and to unmap.
 * The memory DPDK holds is set with EAL options: -m N preallocates it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_memory.h>

#include "app_json.h"
#include "bench.h"
#include "iop_init.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_sim.h"

struct result {
	uint64_t map_calls;
	uint64_t pinned; /* 4 KiB pages, sim only */
	double map_ms, unmap_ms;
};

struct page_walk {
	struct iop_ioas *ioas;
	uint64_t calls, bytes;
	bool unmap;
	int rc;
};

static uint64_t pinned_pages(void)
{
	struct iop_ctx *ctx = iop_ctx_get();

	return iop_ctx_backend(ctx) == IOP_BACKEND_SIM ? iop_sim_pinned_pages(ctx) : 0;
}

static int page_cb(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct page_walk *w = arg;
	uint64_t iova;

	(void)msl;
	if (w->unmap) {
		iop_ioas_unmap(w->ioas, ms->addr, ms->len);
		return 0;
	}
	w->rc = iop_ioas_map(w->ioas, ms->addr, ms->len, IOP_PROT_READ | IOP_PROT_WRITE, &iova);
	w->calls++;
	w->bytes += ms->len;
	return w->rc ? 1 : 0;
}

static int by_runs(const struct bench_args *a, struct result *r, struct iop_mem_stats *st)
{
	struct bench_ioas s;
	struct iop_ioas **ioas = s.ioas;
	struct iop_mem_stats before;
	unsigned int k = a->nioas;
	uint64_t t0;
	int rc = bench_ioas_create(a, k, &s);

	if (rc)
		return rc;
	iop_mem_get_stats(&before);
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < k && !rc; i++)
		rc = iop_mem_attach_ioas(ioas[i]);
	r->map_ms = (double)(bench_now_ns() - t0) / 1e6;
	iop_mem_get_stats(st);
	r->map_calls = st->map_calls - before.map_calls;
	r->pinned = pinned_pages();
	if (rc)
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < k; i++)
		iop_mem_detach_ioas(ioas[i]);
	r->unmap_ms = (double)(bench_now_ns() - t0) / 1e6;
	bench_ioas_destroy(&s);
	return rc;
}

static int by_pages(const struct bench_args *a, struct result *r, uint64_t *bytes)
{
	struct bench_ioas s;
	struct iop_ioas **ioas = s.ioas;
	struct page_walk w = { 0 };
	unsigned int k = a->nioas;
	uint64_t t0;
	int rc = bench_ioas_create(a, k, &s);

	if (rc)
		return rc;
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < k && !w.rc; i++) {
		w.ioas = ioas[i];
		w.bytes = 0;
		rte_memseg_walk(page_cb, &w);
	}
	r->map_ms = (double)(bench_now_ns() - t0) / 1e6;
	r->map_calls = w.calls;
	r->pinned = pinned_pages();
	*bytes = w.bytes;
	rc = w.rc;
	if (rc)
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
	t0 = bench_now_ns();
	w.unmap = true;
	for (unsigned int i = 0; i < k; i++) {
		w.ioas = ioas[i];
		rte_memseg_walk(page_cb, &w);
	}
	r->unmap_ms = (double)(bench_now_ns() - t0) / 1e6;
	bench_ioas_destroy(&s);
	return rc;
}

int bench_map(const struct bench_args *a)
{
	struct result run = { 0 }, page = { 0 }, best_run = { 0 }, best_page = { 0 };
	struct iop_mem_stats st;
	uint64_t bytes = 0;
	int rc = 0;

	for (unsigned int rep = 0; rep < a->reps && !rc; rep++) {
		rc = by_runs(a, &run, &st);
		if (!rc)
			rc = by_pages(a, &page, &bytes);
		if (rep == 0 || run.map_ms < best_run.map_ms)
			best_run = run;
		if (rep == 0 || page.map_ms < best_page.map_ms)
			best_page = page;
	}
	if (rc)
		return rc;
	if (a->json) {
		json_t *j = json_pack("{s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:I,s:o,s:o}",
				      "bench", "map",
				      "backend", app_json_str(iop_backend_name(iop_ctx_backend(iop_ctx_get()))),
				      "gib", app_json_num((double)bytes / (1 << 30), 3),
				      "ioas", (json_int_t)a->nioas, "runs", (json_int_t)st.runs,
				      "run_map_calls", (json_int_t)best_run.map_calls,
				      "run_pinned_pages", (json_int_t)best_run.pinned,
				      "run_map_ms", app_json_num(best_run.map_ms, 3),
				      "run_unmap_ms", app_json_num(best_run.unmap_ms, 3),
				      "page_map_calls", (json_int_t)best_page.map_calls,
				      "page_pinned_pages", (json_int_t)best_page.pinned,
				      "page_map_ms", app_json_num(best_page.map_ms, 3),
				      "page_unmap_ms", app_json_num(best_page.unmap_ms, 3));

		if (app_json_write(stdout, j, false))
			return -EIO;
	} else {
		printf("map: %.3f GiB of DPDK memory in %" PRIu64 " run(s) into %u IOAS (%s backend), best of %u\n",
		       (double)bytes / (1 << 30), st.runs, a->nioas,
		       iop_backend_name(iop_ctx_backend(iop_ctx_get())), a->reps);
		printf("  %-9s %10s %14s %10s %10s\n", "", "map calls", "pinned 4K pg", "map ms", "unmap ms");
		printf("  %-9s %10" PRIu64 " %14" PRIu64 " %10.3f %10.3f\n", "runs", best_run.map_calls,
		       best_run.pinned, best_run.map_ms, best_run.unmap_ms);
		printf("  %-9s %10" PRIu64 " %14" PRIu64 " %10.3f %10.3f\n", "per-page", best_page.map_calls,
		       best_page.pinned, best_page.map_ms, best_page.unmap_ms);
	}
	return 0;
}
