/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bridge's holds (app/iop-bridge/hold.c, doc/bridge.md "Holding
 * frames"), on sim ports over the sim IOMMU (topology: hold.topo, argv[1]).
 * The bridge's ports are 0..n-1; each is back to back on a pair wire with
 * port n+i, which the test sends from or reads, as the far side. A port
 * whose far side is not read fills its peer's inbox, and then its tx
 * queue takes nothing: to the bridge, an egress port that stopped (as a
 * port paused by a live move does). What the far side reads is the truth
 * the bridge's counters are checked against.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "bridge.h"
#include "iop_mem.h"
#include "port_fixture.h"
#include "port_traffic.h"

#define FRAME_LEN 100 /* the numbered part, after the Ethernet header */

static const char *topology;
static struct rte_mempool *pool;

/* --- the bridge object fwd.c and hold.c reach, for one unit ----------- */

static struct bridge_opts opts;
static struct fwd_unit *unit;
static bool stopping;

const struct bridge_opts *bridge_opts(void)
{
	return &opts;
}

bool bridge_port_closed(uint16_t p)
{
	(void)p;
	return false;
}

bool bridge_stopping(void)
{
	return stopping;
}

bool mover_busy(void)
{
	return false;
}

struct fwd_unit *const *bridge_lcore_units(unsigned int lcore, uint16_t *n)
{
	(void)lcore;
	*n = 1;
	return &unit;
}

void bridge_lcore_cpu_s_set(unsigned int lcore, double s)
{
	(void)lcore;
	(void)s;
}

/* --- set-up ------------------------------------------------------------ */

static int init(void **state)
{
	(void)state;
	return port_fixture_init("test_bridge_hold", topology, NULL, 4095, &pool);
}

/* n bridge ports, each on a pair wire with port n+i, all started, and one
 * unit over the bridge's ports in `mode` with a hold bound of hold_ms. */
static void bridge(uint16_t n, enum bridge_mode mode, uint32_t hold_ms)
{
	char spec[64];

	for (uint16_t i = 0; i < 2 * n; i++) {
		snprintf(spec, sizeof(spec), "sim:wire=pair,peer=%u", (i + n) % (2u * n));
		assert_int_equal(traffic_port(spec, NULL, 64, pool), i);
	}
	for (uint16_t i = 0; i < 2 * n; i++)
		assert_int_equal(iop_port_start(i), 0);
	opts = (struct bridge_opts){.mode = mode, .burst = 32, .nports = n};
	unit = calloc(1, sizeof(*unit));
	assert_non_null(unit);
	unit->nports = n;
	for (uint16_t i = 0; i < n; i++)
		unit->port[i] = i;
	assert_int_equal(l2_table_init(&unit->l2, 64, 300 * rte_get_tsc_hz()), 0);
	hold_init(unit, mode, hold_ms);
	stopping = false;
}

static int teardown(void **state)
{
	if (unit) {
		l2_table_free(&unit->l2);
		free(unit);
		unit = NULL;
	}
	return port_fixture_close_ports(state);
}

/* A broadcast frame from 02:00:00:00:00:aa whose payload is numbered seq. */
static struct rte_mbuf *frame(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;

	assert_non_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, 0xaa}};
	eth->ether_type = rte_cpu_to_be_16(0x88b5);
	traffic_frame_fill(m, FRAME_LEN, seq);
	return m;
}

/* Sends frames *next.. (up to end) from port `from`, as many as it takes. */
static void send_some(uint16_t from, uint32_t *next, uint32_t end)
{
	struct rte_mbuf *m[32];
	uint16_t n = 0, sent;

	while (n < 32 && *next + n < end) {
		m[n] = frame(*next + n);
		n++;
	}
	sent = iop_port_tx_burst(from, 0, m, n);
	rte_pktmbuf_free_bulk(&m[sent], (unsigned int)(n - sent));
	*next += sent;
}

/* Reads what port `at` received: each frame intact, numbered above the
 * last one (or, with no_gap, exactly the next). Returns how many. */
static uint32_t read_far(uint16_t at, uint32_t *last, bool no_gap)
{
	struct rte_mbuf *m[32];
	uint16_t n = iop_port_rx_burst(at, 0, m, 32);

	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq;

		assert_true(rte_pktmbuf_adj(m[i], RTE_ETHER_HDR_LEN) != NULL);
		seq = traffic_frame_seq(m[i]);
		/* *last is UINT32_MAX before the first: + 1 wraps to frame 0 */
		if (no_gap ? seq != *last + 1 : *last != UINT32_MAX && seq <= *last)
			fail_msg("port %u: frame %u after %u", at, seq, *last);
		assert_true(traffic_frame_is(m[i], FRAME_LEN, seq));
		*last = seq;
	}
	rte_pktmbuf_free_bulk(m, n);
	return n;
}

static struct port_fwd *cnt(uint16_t p)
{
	return &unit->cnt[p];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- io ------------------------------------------------------------------ */

/*
 * Port 1 stops taking frames (its far side, port 3, is not read) while
 * port 2 sends into port 0: the bridge holds what port 1 left, reads
 * port 0 no more, and port 2's sends stop when port 0's inbox is full.
 * Once port 3 is read again, every frame arrives, in order, intact, and
 * the bridge counts each once, as forwarded.
 */
static void held_frames_arrive_in_order_and_none_is_dropped(void **state)
{
	const uint32_t total = 6000;
	uint32_t next = 0, got = 0, last = UINT32_MAX;
	int still = 0;

	(void)state;
	bridge(2, MODE_IO, 60000);
	/* until port 2 can send no more: everything between is full */
	while (still < 50 && next < total) {
		uint32_t before = next;

		send_some(2, &next, total);
		fwd_unit_poll(&opts, unit);
		still = next == before ? still + 1 : 0;
	}
	assert_true(next < total);
	assert_true(unit->holding & (1u << 1));
	assert_true(cnt(0)->held > 0);
	assert_int_equal(cnt(0)->rx, cnt(0)->fwd + cnt(0)->held);
	for (int r = 0; r < BDROP_MAX; r++)
		assert_int_equal(cnt(0)->drops[r], 0);
	/* the far side comes back */
	for (int spins = 0; got < total; spins++) {
		assert_true(spins < 1000000);
		send_some(2, &next, total);
		fwd_unit_poll(&opts, unit);
		got += read_far(3, &last, true);
	}
	assert_int_equal(last, total - 1);
	assert_int_equal(cnt(0)->rx, total);
	assert_int_equal(cnt(0)->fwd, total);
	assert_int_equal(cnt(0)->held, 0);
	assert_int_equal(cnt(1)->tx_accepted, total);
	for (int r = 0; r < BDROP_MAX; r++)
		assert_int_equal(cnt(0)->drops[r], 0);
	assert_int_equal(unit->holding, 0);
}

/*
 * Port 3 is never read: after the bound the bridge gives port 1 up, drops
 * what it held as tx_hold_expired, and from then on drops at once what
 * port 1 does not take (tx_full), so port 0 is read again and the run is
 * not wedged. What port 3 finally reads is exactly what the bridge
 * counted as forwarded. When port 1 takes frames again, it is held for
 * again, with no loss.
 */
static void egress_that_never_takes_is_given_up_after_the_bound(void **state)
{
	const uint32_t total = 6000, more = 2000;
	uint32_t next = 0, got = 0, last = UINT32_MAX;
	uint64_t fwd, dropped;
	double t0;

	(void)state;
	bridge(2, MODE_IO, 50);
	t0 = now_s();
	while (next < total) {
		assert_true(now_s() - t0 < 30); /* the bound frees port 0 */
		send_some(2, &next, total);
		fwd_unit_poll(&opts, unit);
	}
	/* what port 0 still has */
	for (int i = 0; i < 1000; i++)
		fwd_unit_poll(&opts, unit);
	assert_int_equal(cnt(0)->rx, total);
	assert_int_equal(cnt(0)->held, 0);
	assert_true(cnt(0)->drops[BDROP_HOLD_EXPIRED] > 0 &&
		    cnt(0)->drops[BDROP_HOLD_EXPIRED] <= opts.burst);
	assert_true(cnt(0)->drops[BDROP_TX_FULL] > 0);
	fwd = cnt(0)->fwd;
	dropped = cnt(0)->drops[BDROP_HOLD_EXPIRED] + cnt(0)->drops[BDROP_TX_FULL];
	assert_int_equal(cnt(0)->rx, fwd + dropped);
	assert_int_equal(unit->holding, 0);
	/* the far side read now gets exactly the frames counted forwarded */
	for (int idle = 0; idle < 100;) {
		uint32_t n = read_far(3, &last, false);

		fwd_unit_poll(&opts, unit); /* port 1 sends what its ring kept */
		got += n;
		idle = n ? 0 : idle + 1;
	}
	assert_int_equal(got, fwd);
	/* port 1 takes frames again: held for again, nothing lost */
	got = 0;
	last = total - 1;
	for (int spins = 0; got < more; spins++) {
		assert_true(spins < 1000000);
		send_some(2, &next, total + more);
		fwd_unit_poll(&opts, unit);
		if (spins % 4 == 0) /* slower than the bridge: holds come and go */
			got += read_far(3, &last, true);
	}
	assert_int_equal(cnt(0)->fwd - fwd, more);
	assert_int_equal(cnt(0)->drops[BDROP_HOLD_EXPIRED] + cnt(0)->drops[BDROP_TX_FULL], dropped);
}

/* A stop while frames are held: the lcore sends them or, past the bound,
 * drops them as expired; it returns with nothing held and every frame
 * counted. */
static void stop_with_frames_held_settles_them_within_the_bound(void **state)
{
	uint32_t next = 0;
	double t0;

	(void)state;
	bridge(2, MODE_IO, 50);
	while (!(unit->holding & (1u << 1))) {
		send_some(2, &next, UINT32_MAX);
		fwd_unit_poll(&opts, unit);
	}
	stopping = true;
	t0 = now_s();
	fwd_lcore_main(NULL);
	assert_true(now_s() - t0 < 10);
	assert_int_equal(unit->holding, 0);
	assert_int_equal(cnt(0)->held, 0);
	assert_true(cnt(0)->drops[BDROP_HOLD_EXPIRED] > 0);
	assert_int_equal(cnt(0)->rx, cnt(0)->fwd + cnt(0)->drops[BDROP_HOLD_EXPIRED] +
				     cnt(0)->drops[BDROP_TX_FULL]);
}

/* --- l2 ------------------------------------------------------------------ */

/*
 * Broadcast frames from port 3 into port 0 flood to ports 1 and 2. Port
 * 2's far side (5) is not read: port 2 holds, port 0 is read no more, and
 * each flooded frame is counted once, as forwarded, when its first copy
 * leaves; both far sides then read every frame in order. Then neither is
 * read past the bound: a frame both ports held is dropped once
 * (tx_hold_expired), not once per copy.
 */
static void flooded_frame_is_counted_once_whatever_its_copies_wait_for(void **state)
{
	const uint32_t total = 6000;
	uint32_t next = 0, got4 = 0, got5 = 0, last4 = UINT32_MAX, last5 = UINT32_MAX;
	uint64_t held;
	int still = 0;
	double t0;

	(void)state;
	bridge(3, MODE_L2, 60000);
	while (still < 50 && next < total) {
		uint32_t before = next;

		send_some(3, &next, total);
		fwd_unit_poll(&opts, unit);
		got4 += read_far(4, &last4, true);
		still = next == before ? still + 1 : 0;
	}
	assert_true(next < total);
	assert_int_equal(unit->holding, 1u << 2);
	assert_int_equal(cnt(0)->held, 0); /* each has a copy that left */
	assert_int_equal(cnt(0)->rx, cnt(0)->fwd);
	for (int spins = 0; got4 < total || got5 < total; spins++) {
		assert_true(spins < 1000000);
		send_some(3, &next, total);
		fwd_unit_poll(&opts, unit);
		got4 += read_far(4, &last4, true);
		got5 += read_far(5, &last5, true);
	}
	assert_int_equal(cnt(0)->rx, total);
	assert_int_equal(cnt(0)->fwd, total);
	assert_int_equal(cnt(0)->held, 0);
	for (int r = 0; r < BDROP_MAX; r++)
		assert_int_equal(cnt(0)->drops[r], 0);

	hold_init(unit, MODE_L2, 50);
	t0 = now_s();
	while (unit->holding != ((1u << 1) | (1u << 2))) {
		assert_true(now_s() - t0 < 10);
		send_some(3, &next, UINT32_MAX);
		fwd_unit_poll(&opts, unit);
	}
	held = cnt(0)->held;
	assert_true(held > 0);
	while (unit->holding) {
		assert_true(now_s() - t0 < 10);
		fwd_unit_poll(&opts, unit);
	}
	assert_int_equal(cnt(0)->drops[BDROP_HOLD_EXPIRED], held);
	assert_int_equal(cnt(0)->held, 0);
	assert_int_equal(cnt(0)->rx, cnt(0)->fwd + cnt(0)->drops[BDROP_HOLD_EXPIRED] +
				     cnt(0)->drops[BDROP_TX_FULL]);
}

/* Reads port `at` until it has had nothing for a while; how many. */
static uint32_t read_all(uint16_t at, uint32_t *last)
{
	uint32_t got = 0;

	for (int empty = 0; empty < 1000;) {
		uint32_t n = read_far(at, last, false);

		got += n;
		empty = n ? 0 : empty + 1;
	}
	return got;
}

/*
 * Broadcast frames from port 3 into port 0 flood to ports 1 and 2; port
 * 2's far side (5) is not read, so port 2 refuses tx: its copies are held,
 * expire after the bound, then are refused at once (tx_full) while port
 * 1's copies leave. Each copy port 2 did not take counts there, by reason,
 * though its frame counts as forwarded on port 0: on each egress port,
 * copies = taken + not taken, and what each far side read is exactly what
 * its port took.
 */
static void flood_copy_a_port_does_not_take_counts_as_its_drop(void **state)
{
	uint32_t next = 0, got4 = 0, got5, last4 = UINT32_MAX, last5 = UINT32_MAX;
	double t0 = now_s();

	(void)state;
	bridge(3, MODE_L2, 50);
	while (!cnt(2)->flood_not_taken[BDROP_HOLD_EXPIRED] ||
	       !cnt(2)->flood_not_taken[BDROP_TX_FULL] || unit->holding) {
		assert_true(now_s() - t0 < 10);
		if (!cnt(2)->flood_not_taken[BDROP_TX_FULL])
			send_some(3, &next, UINT32_MAX);
		fwd_unit_poll(&opts, unit);
		got4 += read_far(4, &last4, true);
	}
	/* what port 0 still has in its ring, with port 2 given up */
	for (int idle = 0; idle < 1000;) {
		uint64_t rx = cnt(0)->rx;

		fwd_unit_poll(&opts, unit);
		got4 += read_far(4, &last4, true);
		idle = cnt(0)->rx == rx && !unit->holding ? idle + 1 : 0;
	}
	got4 += read_all(4, &last4);
	got5 = read_all(5, &last5);
	print_message("port 2: %lu copies, %lu taken, %lu expired, %lu tx_full\n",
		      (unsigned long)cnt(2)->flood_copies, (unsigned long)cnt(2)->flood_taken,
		      (unsigned long)cnt(2)->flood_not_taken[BDROP_HOLD_EXPIRED],
		      (unsigned long)cnt(2)->flood_not_taken[BDROP_TX_FULL]);
	/* frames: every one left on port 1 at least */
	assert_int_equal(cnt(0)->rx, next);
	assert_int_equal(cnt(0)->fwd, next);
	assert_int_equal(cnt(0)->held, 0);
	/* copies, on the port each was for */
	for (uint16_t p = 1; p <= 2; p++) {
		uint64_t not_taken = 0;

		for (int r = 0; r < BDROP_MAX; r++)
			not_taken += cnt(p)->flood_not_taken[r];
		assert_int_equal(cnt(p)->flood_copies, next);
		assert_int_equal(cnt(p)->flood_copies, cnt(p)->flood_taken + not_taken);
		assert_int_equal(cnt(p)->flood_taken, cnt(p)->tx_accepted);
	}
	assert_int_equal(cnt(1)->flood_taken, next);
	assert_int_equal(got4, cnt(1)->flood_taken);
	assert_int_equal(got5, cnt(2)->flood_taken);
	assert_int_equal(cnt(2)->flood_not_taken[BDROP_FILTERED], 0);
}

/* --tx-hold-ms=0: what a port does not take is dropped at once, as before
 * holds existed. */
static void no_hold_drops_what_tx_leaves_as_tx_full(void **state)
{
	uint32_t next = 0;

	(void)state;
	bridge(2, MODE_IO, 0);
	for (int i = 0; i < 2000 && !cnt(0)->drops[BDROP_TX_FULL]; i++) {
		send_some(2, &next, UINT32_MAX);
		fwd_unit_poll(&opts, unit);
	}
	assert_true(cnt(0)->drops[BDROP_TX_FULL] > 0);
	assert_int_equal(unit->holding, 0);
	assert_int_equal(cnt(0)->rx, cnt(0)->fwd + cnt(0)->drops[BDROP_TX_FULL]);
}

int main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(held_frames_arrive_in_order_and_none_is_dropped),
		T(egress_that_never_takes_is_given_up_after_the_bound),
		T(stop_with_frames_held_settles_them_within_the_bound),
		T(flooded_frame_is_counted_once_whatever_its_copies_wait_for),
		T(flood_copy_a_port_does_not_take_counts_as_its_drop),
		T(no_hold_drops_what_tx_leaves_as_tx_full),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s TOPOLOGY\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
