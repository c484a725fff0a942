/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bench move: the cost of moving a forwarding port to another IOAS.
 * One sim port on a gen wire, forwarded to itself by a worker lcore
 * polling at full rate (-l 0-1: the main lcore moves); rounds of three moves to the other of two IOAS, in turn:
 *   live    iop_port_move while the thread polls;
 *   pause   the same with IOP_PORT_MOVE_PAUSE (queues held across the
 *           switch: the path of type1 and of changed IOVAs);
 *   anchor  the thread stops polling, iop_port_stop, iop_port_move (of a
 *           stopped port: immediate), iop_port_start, polling resumes;
 *   none    no move: the longest gap of the same window, the noise floor
 *           (the scheduler and the machine's other load).
 * Each reports the time from the call to the first burst in the new IOAS
 * and the longest gap between two bursts around it; medians and ranges
 * over the rounds, and the live/anchor ratios.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"

#define MOVE_BURST 32
#define MOVE_MAX_ROUNDS 64
#define SETTLE_NS 20000000ull /* bursts around a move, before and after */

enum kind { LIVE, PAUSE, ANCHOR, NONE, NKINDS };
static const char *const kind_name[NKINDS] = {"live", "pause", "anchor", "none"};

/* The forwarding thread and what it measured (it writes, main reads). */
static struct {
	unsigned int lcore;
	uint16_t port;
	bool stop;
	bool park;             /* main asks: stop polling */
	bool parked;           /* the thread does not poll */
	uint64_t max_gap_ns;   /* longest time between two bursts */
	uint64_t resumed_ns;   /* first burst after a park */
	uint64_t last_ns;      /* the latest burst */
	uint64_t frames;
} fw;

static int fwd_main(void *arg)
{
	struct rte_mbuf *m[MOVE_BURST];
	uint64_t last = bench_now_ns();

	(void)arg;
	iop_mem_thread_register();
	while (!__atomic_load_n(&fw.stop, __ATOMIC_ACQUIRE)) {
		uint64_t now;
		uint16_t n, sent;

		if (__atomic_load_n(&fw.park, __ATOMIC_ACQUIRE)) {
			iop_mem_thread_offline();
			__atomic_store_n(&fw.parked, true, __ATOMIC_RELEASE);
			while (__atomic_load_n(&fw.park, __ATOMIC_ACQUIRE))
				;
			iop_mem_thread_online();
			__atomic_store_n(&fw.parked, false, __ATOMIC_RELEASE);
			__atomic_store_n(&fw.resumed_ns, bench_now_ns(), __ATOMIC_RELEASE);
		}
		now = bench_now_ns();
		/* the gap since the last burst, park included */
		if (now - last > __atomic_load_n(&fw.max_gap_ns, __ATOMIC_RELAXED))
			__atomic_store_n(&fw.max_gap_ns, now - last, __ATOMIC_RELAXED);
		last = now;
		__atomic_store_n(&fw.last_ns, now, __ATOMIC_RELAXED);
		n = iop_port_rx_burst(fw.port, 0, m, MOVE_BURST);
		sent = iop_port_tx_burst(fw.port, 0, m, n);
		if (sent < n)
			rte_pktmbuf_free_bulk(&m[sent], (unsigned int)(n - sent));
		fw.frames += n;
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();
	return 0;
}

static void wait_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};

	nanosleep(&ts, NULL);
}

/* One move of kind k to ioas: *switch_ns (call to first burst there) and
 * *gap_ns (the longest burst gap around it). */
static int one_move(enum kind k, struct iop_ioas *ioas, uint64_t *switch_ns, uint64_t *gap_ns)
{
	struct iop_port_move_stats st;
	uint64_t t0;
	int rc;

	wait_ns(SETTLE_NS);
	__atomic_store_n(&fw.max_gap_ns, 0, __ATOMIC_RELAXED);
	wait_ns(SETTLE_NS / 4);
	t0 = bench_now_ns();
	if (k == ANCHOR) {
		__atomic_store_n(&fw.park, true, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&fw.parked, __ATOMIC_ACQUIRE))
			;
		rc = iop_port_stop(fw.port);
		if (rc == 0)
			rc = iop_port_move(fw.port, ioas, 0);
		if (rc == 0)
			rc = iop_port_start(fw.port);
		__atomic_store_n(&fw.park, false, __ATOMIC_RELEASE);
		while (__atomic_load_n(&fw.parked, __ATOMIC_ACQUIRE) ||
		       __atomic_load_n(&fw.resumed_ns, __ATOMIC_ACQUIRE) < t0)
			;
		*switch_ns = __atomic_load_n(&fw.resumed_ns, __ATOMIC_ACQUIRE) - t0;
	} else if (k == NONE) {
		/* the noise floor: the same window with no move */
		*switch_ns = 0;
		rc = 0;
	} else {
		rc = iop_port_move(fw.port, ioas, k == PAUSE ? IOP_PORT_MOVE_PAUSE : 0);
		if (rc == 0 && iop_port_move_stats_get(fw.port, &st) == 0)
			*switch_ns = st.last_switch_ns;
	}
	if (rc) {
		fprintf(stderr, "iop-bench: move (%s): %s\n", kind_name[k], iop_err_msg());
		return rc;
	}
	wait_ns(SETTLE_NS);
	*gap_ns = __atomic_load_n(&fw.max_gap_ns, __ATOMIC_RELAXED);
	/* a gap still open counts too (the thread may not have run since) */
	t0 = bench_now_ns() - __atomic_load_n(&fw.last_ns, __ATOMIC_RELAXED);
	if (t0 > *gap_ns && t0 < (1ull << 62))
		*gap_ns = t0;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and returns its median, in microseconds. */
static double median_us(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2) / 1e3;
}

static int setup_port(struct rte_mempool **pool)
{
	int rc = iop_port_open("sim:wire=gen", &fw.port);

	if (rc)
		return rc;
	*pool = rte_pktmbuf_pool_create("bench_move", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (!*pool)
		return iop_err(ENOMEM, "no hugepage memory for the mbuf pool: reserve more or give -m");
	rc = iop_port_configure(fw.port, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 });
	if (rc == 0)
		rc = iop_port_rx_queue_setup(fw.port, 0, 512, *pool);
	if (rc == 0)
		rc = iop_port_tx_queue_setup(fw.port, 0, 512);
	if (rc == 0)
		rc = iop_port_start(fw.port);
	return rc;
}

int bench_move(const struct bench_args *a)
{
	uint64_t sw[NKINDS][MOVE_MAX_ROUNDS], gap[NKINDS][MOVE_MAX_ROUNDS];
	double sw_med[NKINDS], gap_med[NKINDS], sw_lo[NKINDS], sw_hi[NKINDS];
	double gap_lo[NKINDS], gap_hi[NKINDS];
	struct iop_ioas *ioas[2] = {NULL, NULL};
	struct rte_mempool *pool = NULL;
	unsigned int rounds = a->reps;
	int rc;

	rc = setup_port(&pool);
	for (int i = 0; rc == 0 && i < 2; i++)
		rc = iop_ioas_create(iop_ctx_get(), &ioas[i]);
	fw.lcore = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (rc == 0 && fw.lcore >= RTE_MAX_LCORE)
		rc = iop_err(EINVAL, "move needs a worker lcore to forward on: give -l 0-1");
	if (rc == 0)
		rc = rte_eal_remote_launch(fwd_main, NULL, fw.lcore);
	if (rc) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		goto out;
	}
	/* a first move to each IOAS maps DPDK's memory into it: not timed */
	for (int i = 0; rc == 0 && i < 2; i++)
		rc = iop_port_move(fw.port, ioas[i], 0);
	/* on ioas[1] now; every move goes to the other one */
	for (unsigned int r = 0, at = 1; rc == 0 && r < rounds; r++) {
		for (int k = 0; rc == 0 && k < NKINDS; k++) {
			rc = one_move((enum kind)k, ioas[at ^ (k != NONE)], &sw[k][r], &gap[k][r]);
			at ^= k != NONE;
		}
	}
	__atomic_store_n(&fw.stop, true, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(fw.lcore);
	if (rc)
		goto out;
	for (int k = 0; k < NKINDS; k++) {
		sw_med[k] = median_us(sw[k], rounds);
		gap_med[k] = median_us(gap[k], rounds);
		sw_lo[k] = (double)sw[k][0] / 1e3;
		sw_hi[k] = (double)sw[k][rounds - 1] / 1e3;
		gap_lo[k] = (double)gap[k][0] / 1e3;
		gap_hi[k] = (double)gap[k][rounds - 1] / 1e3;
	}
	if (a->json) {
		printf("{\"bench\":\"move\",\"rounds\":%u,\"frames\":%" PRIu64, rounds, fw.frames);
		for (int k = 0; k < NKINDS; k++)
			printf(",\"%s_switch_us\":%.1f,\"%s_switch_us_range\":[%.1f,%.1f],\"%s_gap_us\":%.1f,\"%s_gap_us_range\":[%.1f,%.1f]",
			       kind_name[k], sw_med[k], kind_name[k], sw_lo[k], sw_hi[k],
			       kind_name[k], gap_med[k], kind_name[k], gap_lo[k], gap_hi[k]);
		printf(",\"live_over_anchor_switch\":%.3f,\"live_over_anchor_gap\":%.3f,\"pause_over_anchor_gap\":%.3f}\n",
		       sw_med[LIVE] / sw_med[ANCHOR], gap_med[LIVE] / gap_med[ANCHOR],
		       gap_med[PAUSE] / gap_med[ANCHOR]);
	} else {
		printf("move: %u rounds (live, pause, anchor, none in turn), %" PRIu64 " frames forwarded\n",
		       rounds, fw.frames);
		for (int k = 0; k < NKINDS; k++)
			printf("  %-6s call to first burst in the new IOAS: median %.1f us (%.1f-%.1f); longest burst gap: median %.1f us (%.1f-%.1f)\n",
			       kind_name[k], sw_med[k], sw_lo[k], sw_hi[k], gap_med[k], gap_lo[k], gap_hi[k]);
		printf("  live/anchor: switch %.3f, gap %.3f; pause/anchor gap %.3f\n",
		       sw_med[LIVE] / sw_med[ANCHOR], gap_med[LIVE] / gap_med[ANCHOR],
		       gap_med[PAUSE] / gap_med[ANCHOR]);
	}
out:
	iop_port_close_all();
	for (int i = 0; i < 2; i++)
		if (ioas[i])
			iop_ioas_destroy(ioas[i]);
	rte_mempool_free(pool);
	return rc;
}
