/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live moves of sim ports between IOAS (iop_port_move) while a forwarding
 * thread keeps frames flowing both ways over a pair wire: every frame sent
 * arrives once, in order and byte-identical, and the device never faults.
 * argv: the topology (move.topo) and the --ioas layout.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "port_fixture.h"
#include "port_traffic.h"
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "iop_sim.h"
#include "port_driver.h"

#define FRAME_LEN 96

static const char *topology;
static const char *layout;
static struct rte_mempool *pool;

static int init(void **state)
{
	static char layout_arg[64];

	(void)state;
	snprintf(layout_arg, sizeof(layout_arg), "--ioas=%s", layout);
	return port_fixture_init("test_port_move", topology, layout_arg, 4095, &pool);
}

/* Ports 0 and 1, started, back to back on devices dev[0] and dev[1], each
 * configured as conf[i], queues of 256 descriptors. */
static void pair_on(const char *const dev[2], const struct iop_port_conf *const conf[2])
{
	traffic_pair_on(dev, conf, pool);
}

/* Ports 0 and 1 (*a and *b), one queue each way, as pair_on. */
static void pair(const char *da, const char *db, uint16_t *a, uint16_t *b)
{
	const struct iop_port_conf one = {.nb_rxq = 1, .nb_txq = 1};

	pair_on((const char *const[]){da, db}, (const struct iop_port_conf *const[]){&one, &one});
	*a = 0;
	*b = 1;
}

static void move_under_traffic_loses_no_frame_and_never_faults(void **state)
{
	struct iop_ioas *dst[2] = {traffic_new_ioas(), traffic_new_ioas()};
	struct iop_port_move_stats st;
	struct traffic t;
	uint16_t a, b;
	int moves = 40;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	traffic_start(&t, a, b, pool);
	for (int i = 0; i < moves; i++) {
		if (iop_port_move(a, dst[i & 1], 0) != 0)
			fail_msg("move %d: %s", i, iop_err_msg());
		traffic_assert_on(a, dst[i & 1]);
		traffic_sleep_ms(5);
	}
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_moves(a), moves);
	assert_int_equal(iop_port_move_stats_get(a, &st), 0);
	assert_int_equal(st.pauses, 0);
	assert_int_equal(iop_port_moves(b), 0);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst[0]), 0);
	assert_int_equal(iop_ioas_destroy(dst[1]), 0);
}

static void move_releases_a_source_no_port_uses_and_pins_nothing_twice(void **state)
{
	struct iop_sim_counters before, after;
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct traffic t;
	uint16_t a, b;
	size_t nioas_before, nioas_after;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	src = iop_dev_ioas(iop_port_dev(a));
	assert_int_equal(iop_ctx_ioas_list(iop_ctx_get(), NULL, 0, &nioas_before), 0);
	iop_sim_counters(&before);
	traffic_start(&t, a, b, pool);
	assert_int_equal(iop_port_move(a, dst, 0), 0);
	traffic_stop_and_check(&t);
	iop_sim_counters(&after);
	assert_int_equal(iop_ctx_ioas_list(iop_ctx_get(), NULL, 0, &nioas_after), 0);
	/* the copy pinned no page again */
	assert_int_equal(after.pinned_pages, before.pinned_pages);
	if (strcmp(layout, "shared") == 0) {
		/* port b still uses the source: it stays */
		traffic_assert_on(b, src);
		assert_int_equal(nioas_after, nioas_before);
	} else {
		/* per-device: nobody uses the source any more: it is gone */
		assert_int_equal(nioas_after, nioas_before - 1);
	}
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

static void move_that_would_split_a_group_is_refused_while_traffic_continues(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	pair("0000:00:03.0", "0000:00:03.1", &a, &b);
	src = iop_dev_ioas(iop_port_dev(a));
	traffic_start(&t, a, b, pool);
	assert_int_equal(iop_port_move(a, dst, 0), -EBUSY);
	assert_non_null(strstr(iop_err_msg(), "IOMMU group 3 also holds port"));
	assert_non_null(strstr(iop_err_msg(), "(0000:00:03.1)"));
	traffic_assert_on(a, src);
	traffic_sleep_ms(20);
	/* the whole group moves */
	assert_int_equal(iop_port_move(a, dst, IOP_PORT_MOVE_GROUP), 0);
	traffic_assert_on(a, dst);
	traffic_assert_on(b, dst);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_moves(a), 1);
	assert_int_equal(iop_port_moves(b), 1);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* Rule 3 (seed 000) after a move: a device of a group that moved joins
 * the IOAS its group went to, in every layout, and is attached there. */
static void device_opened_after_its_group_moved_joins_the_group_where_it_went(void **state)
{
	struct iop_ioas *fresh = traffic_new_ioas(), *dst;
	struct traffic t;
	uint16_t a, b, late;

	(void)state;
	pair("0000:00:03.0", "0000:00:01.0", &a, &b);
	/* into the IOAS of port b's group 1 where it has one of its own, a
	 * fresh one in the shared layout */
	dst = iop_dev_ioas(iop_port_dev(b));
	if (dst == iop_dev_ioas(iop_port_dev(a)))
		dst = fresh;
	traffic_start(&t, a, b, pool);
	assert_int_equal(iop_port_move(a, dst, IOP_PORT_MOVE_GROUP), 0);
	traffic_stop_and_check(&t);
	if (iop_port_open("sim:wire=gen,dev=0000:00:03.1", &late))
		fail_msg("open of 0000:00:03.1 after its group moved: %s", iop_err_msg());
	traffic_assert_on(late, dst);
	traffic_assert_on(a, dst);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(fresh), 0);
}

/* per-device: port a's IOAS (group 4) maps DPDK's memory at 2^58, port
 * b's (group 5) at 2^59.
 * Moving a into b's IOAS changes its IOVAs: the queues pause (post
 * nothing, give back what the device has not used), switch, post again. */
static void move_to_an_ioas_with_other_iovas_pauses_and_loses_no_frame(void **state)
{
	struct iop_port_move_stats st;
	struct iop_ioas *src, *dst;
	uint64_t iova_before, iova_after;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	if (strcmp(layout, "per-device") != 0) {
		print_message("skip: in the %s layout the two windowed ports share one IOAS\n", layout);
		skip();
	}
	pair("0000:00:05.0", "0000:00:04.0", &b, &a);
	src = iop_dev_ioas(iop_port_dev(a));
	dst = iop_dev_ioas(iop_port_dev(b));
	assert_ptr_not_equal(src, dst);
	assert_int_equal(iop_ioas_va2iova(src, pool, &iova_before), 0);
	traffic_start(&t, a, b, pool);
	traffic_sleep_ms(20);
	if (iop_port_move(a, dst, 0) != 0)
		fail_msg("move: %s", iop_err_msg());
	traffic_assert_on(a, dst);
	assert_int_equal(iop_ioas_va2iova(dst, pool, &iova_after), 0);
	assert_true(iova_after != iova_before);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_move_stats_get(a, &st), 0);
	assert_int_equal(st.moves, 1);
	assert_int_equal(st.pauses, 1);
	assert_true(st.max_pause_ns > 0);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
}

/* A fresh destination takes the source's IOVAs (2^58 for group 4's
 * windows) where its ranges allow: the port moves with no pause, and
 * every buffer keeps its IOVA. */
static void move_to_a_fresh_ioas_keeps_the_source_s_iovas_without_a_pause(void **state)
{
	struct iop_port_move_stats st;
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	uint64_t iova_before, iova_after;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	pair("0000:00:05.0", "0000:00:04.0", &b, &a);
	src = iop_dev_ioas(iop_port_dev(a));
	assert_int_equal(iop_ioas_va2iova(src, pool, &iova_before), 0);
	assert_true(iova_before != (uint64_t)(uintptr_t)pool);
	traffic_start(&t, a, b, pool);
	traffic_sleep_ms(20);
	if (iop_port_move(a, dst, IOP_PORT_MOVE_GROUP) != 0)
		fail_msg("move: %s", iop_err_msg());
	traffic_assert_on(a, dst);
	assert_int_equal(iop_ioas_va2iova(dst, pool, &iova_after), 0);
	assert_true(iova_after == iova_before);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_move_stats_get(a, &st), 0);
	assert_int_equal(st.moves, 1);
	assert_int_equal(st.pauses, 0);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* A destination that already maps DPDK's memory at IOVA = VA (it got it
 * before any device), which the windows of group 4 do not hold: the attach
 * is refused and a stays where it was, with nothing new mapped or pinned. */
static void move_to_an_ioas_outside_the_group_s_windows_is_refused(void **state)
{
	struct iop_sim_counters before, after;
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_ioas_info info[64];
	size_t n, dst_maps = SIZE_MAX;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	pair("0000:00:05.0", "0000:00:04.0", &b, &a);
	src = iop_dev_ioas(iop_port_dev(a));
	assert_int_equal(iop_mem_attach_ioas(dst), 0);
	assert_int_equal(iop_ctx_ioas_list(iop_ctx_get(), info, 64, &n), 0);
	for (size_t i = 0; i < n && i < 64; i++)
		if (info[i].id == iop_ioas_id(dst))
			dst_maps = info[i].nmaps;
	iop_sim_counters(&before);
	traffic_start(&t, a, b, pool);
	assert_true(iop_port_move(a, dst, IOP_PORT_MOVE_GROUP) < 0);
	assert_non_null(strstr(iop_err_msg(), "Address already in use; every device is back where it was"));
	traffic_assert_on(a, src);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	iop_sim_counters(&after);
	assert_int_equal(after.mappings, before.mappings);
	assert_int_equal(after.pinned_pages, before.pinned_pages);
	assert_true(iop_mem_is_attached(dst));
	assert_int_equal(iop_ctx_ioas_list(iop_ctx_get(), info, 64, &n), 0);
	for (size_t i = 0; i < n && i < 64; i++)
		if (info[i].id == iop_ioas_id(dst))
			assert_int_equal(info[i].nmaps, dst_maps);
	assert_int_equal(iop_port_moves(a), 0);
	traffic_assert_port_clean(a);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

static void moves_with_a_pause_lose_no_frame(void **state)
{
	struct iop_ioas *dst[2] = {traffic_new_ioas(), traffic_new_ioas()};
	struct iop_port_move_stats st;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	traffic_start(&t, a, b, pool);
	for (int i = 0; i < 10; i++) {
		if (iop_port_move(a, dst[i & 1], IOP_PORT_MOVE_PAUSE) != 0)
			fail_msg("move %d: %s", i, iop_err_msg());
		traffic_sleep_ms(5);
	}
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_move_stats_get(a, &st), 0);
	assert_int_equal(st.moves, 10);
	assert_int_equal(st.pauses, 10);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst[0]), 0);
	assert_int_equal(iop_ioas_destroy(dst[1]), 0);
}

static void move_bad_input_is_one_clear_error(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas();
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_move(7, dst, 0), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "no such port is open"));
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_move(p, dst, 0), -EOPNOTSUPP);
	assert_non_null(strstr(iop_err_msg(), "has no IOMMU device"));
	iop_port_close_all();
	assert_int_equal(iop_port_open("sim:wire=gen,dev=0000:00:01.0", &p), 0);
	assert_int_equal(iop_port_move(p, NULL, 0), -EINVAL);
	/* a move to where it is does nothing */
	assert_int_equal(iop_port_move(p, iop_dev_ioas(iop_port_dev(p)), 0), 0);
	assert_int_equal(iop_port_moves(p), 0);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* A started port whose queues nobody polls: the move gives up and puts it
 * back (the caches could not switch at a burst boundary). */
static void move_of_an_unpolled_started_port_times_out_and_rolls_back(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct traffic t;
	uint16_t a, b;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	src = iop_dev_ioas(iop_port_dev(a));
	assert_int_equal(iop_port_move(a, dst, 0), -ETIMEDOUT);
	assert_non_null(strstr(iop_err_msg(), "was not polled"));
	traffic_assert_on(a, src);
	assert_false(iop_mem_is_attached(dst));
	traffic_start(&t, a, b, pool);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	traffic_assert_port_clean(a);
	/* stopped, it moves at once */
	assert_int_equal(iop_port_stop(a), 0);
	assert_int_equal(iop_port_move(a, dst, 0), 0);
	assert_int_equal(iop_port_start(a), 0);
	traffic_start(&t, a, b, pool);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	traffic_assert_port_clean(a);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* An empty burst is a burst boundary: a started port whose queues get
 * nothing but empty bursts moves (no -ETIMEDOUT). */
static void move_of_a_port_whose_queues_get_only_empty_bursts_completes(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas();
	struct idle_poller ip;
	uint16_t a, b;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	traffic_idle_poll_start(&ip, a);
	assert_int_equal(iop_port_move(a, dst, 0), 0);
	traffic_idle_poll_stop(&ip);
	traffic_assert_on(a, dst);
	assert_int_equal(iop_port_moves(a), 1);
	traffic_assert_port_clean(a);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

struct pause_move {
	pthread_t thread;
	uint16_t port;
	struct iop_ioas *to;
	int rc;
	bool done;
	char msg[512];
};

static void *pause_move_main(void *arg)
{
	struct pause_move *pm = arg;

	pm->rc = iop_port_move(pm->port, pm->to, IOP_PORT_MOVE_PAUSE);
	snprintf(pm->msg, sizeof(pm->msg), "%s", pm->rc ? iop_err_msg() : "");
	__atomic_store_n(&pm->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Takes up to n frames from port p's rx queue q, checking that they are
 * intact and in order (a counted drop may leave a gap). */
static uint16_t take_frames(uint16_t p, uint16_t q, uint16_t n, uint32_t *want, uint64_t *bad)
{
	struct rte_mbuf *m[32];
	uint16_t got = iop_port_rx_burst(p, q, m, n);

	for (uint16_t i = 0; i < got; i++) {
		uint32_t seq = traffic_frame_seq(m[i]);

		*bad += seq < *want || !traffic_frame_is(m[i], FRAME_LEN, seq);
		*want = seq + 1;
	}
	rte_pktmbuf_free_bulk(m, got);
	return got;
}

/*
 * A pause takes back the rx buffers the device has not filled, never the
 * frames it wrote that no burst has taken yet: here the RSS engine, run by
 * another queue's burst, writes frames into queue 0 faster than queue 0's
 * bursts take them (one at a time) while the move holds the port. Every
 * frame arrives, in order, or is counted (a frame for a held queue with no
 * buffer left is dropped as rx_ring_full).
 */
static void pause_keeps_frames_the_device_wrote_that_no_burst_took(void **state)
{
	const char *const dev[2] = {"0000:00:01.0", "0000:00:02.0"};
	/* port 0: two rx queues, RSS over them; port 1 sends on two */
	const struct iop_port_conf conf[2] = {
		{.nb_rxq = 2, .nb_txq = 1, .rss.hash_types = IOP_PORT_RSS_IPV4},
		{.nb_rxq = 1, .nb_txq = 2},
	};
	struct pause_move pm = {.to = traffic_new_ioas()};
	struct rte_mbuf *m[64];
	struct iop_port_stats st;
	uint32_t want = 0;
	uint64_t bad = 0, recv = 0, sent = 0;
	unsigned int idle = 0;

	(void)state;
	pair_on(dev, (const struct iop_port_conf *const[]){&conf[0], &conf[1]});
	pm.port = 0;
	assert_int_equal(pthread_create(&pm.thread, NULL, pause_move_main, &pm), 0);
	/* port 1 sends 16 frames a round (not IP: RSS puts them on queue
	 * 0), queue 1's burst runs the engine that writes up to 32 into queue
	 * 0, which takes one: written frames pile up in queue 0's ring */
	while (!__atomic_load_n(&pm.done, __ATOMIC_ACQUIRE)) {
		/* at most 128 in flight: fewer than queue 0's descriptors (no
		 * stats read here: the move holds the port lock) */
		if (sent - recv < 128 && rte_pktmbuf_alloc_bulk(pool, m, 16) == 0) {
			uint16_t n;

			for (uint32_t i = 0; i < 16; i++)
				traffic_frame_fill(m[i], FRAME_LEN, (uint32_t)sent + i);
			n = iop_port_tx_burst(1, 0, m, 16);
			rte_pktmbuf_free_bulk(&m[n], 16u - n);
			sent += n;
		}
		take_frames(0, 1, 32, &want, &bad);
		recv += take_frames(0, 0, 1, &want, &bad);
		iop_port_tx_burst(0, 0, m, 0);
	}
	pthread_join(pm.thread, NULL);
	if (pm.rc)
		print_message("the move failed: %s\n", pm.msg);
	assert_int_equal(pm.rc, 0);
	while (idle++ < 1000) {
		uint16_t got = take_frames(0, 0, 32, &want, &bad);

		take_frames(0, 1, 32, &want, &bad);
		recv += got;
		idle = got ? 0 : idle;
	}
	/* a frame the held queue had no buffer for is the wire's to drop,
	 * counted (rx_ring_full); every other one arrives */
	assert_int_equal(iop_port_stats_get(0, &st), 0);
	assert_true(sent > 0);
	assert_int_equal(recv + st.dropped, sent);
	assert_int_equal(st.dropped, st.drops[IOP_DROP_RX_RING_FULL]);
	assert_int_equal(bad, 0);
	assert_int_equal(st.dma_faults, 0);
	traffic_assert_on(0, pm.to);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(pm.to), 0);
}

/* A port whose bursts another fast path runs (net_iop's ethdev copies
 * them with iop_port_fp_get) is not moved while started: the move could
 * not idle them there. It is refused before anything changes (nobody
 * polls these ports: a move that went further would time out). Stopped,
 * it moves. */
static void move_of_a_started_port_whose_bursts_were_handed_out_is_refused(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_port_fp fp;
	uint16_t a, b;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	src = iop_dev_ioas(iop_port_dev(a));
	assert_int_equal(iop_port_fp_get(a, &fp), 0);
	assert_int_equal(iop_port_move(a, dst, 0), -EOPNOTSUPP);
	assert_non_null(strstr(iop_err_msg(), "port 0 (sim:wire=pair,peer=1,dev=0000:00:01.0) is started and its bursts run outside lib/port (net_iop's ethdev fast path), where a move cannot idle them: stop the ethdev port, move it, start it again"));
	traffic_assert_on(a, src);
	assert_int_equal(iop_port_moves(a), 0);
	assert_int_equal(iop_port_stop(a), 0);
	assert_int_equal(iop_port_move(a, dst, 0), 0);
	traffic_assert_on(a, dst);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* Fail the Nth backend call of a move, for every N until the move no
 * longer reaches a failure: each failed move leaves the port forwarding in
 * its IOAS with nothing new mapped or pinned. */
static void move_failing_at_every_step_leaves_the_port_in_its_ioas(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_sim_counters before, after;
	struct traffic t;
	uint16_t a, b;
	uint64_t n;
	int rc = -1;

	(void)state;
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	src = iop_dev_ioas(iop_port_dev(a));
	for (n = 1; n < 1000 && rc != 0; n++) {
		iop_sim_counters(&before);
		traffic_start(&t, a, b, pool);
		iop_sim_fail_nth(n);
		rc = iop_port_move(a, dst, 0);
		iop_sim_fail_nth(0);
		traffic_sleep_ms(2);
		/* which failure a lost frame follows, should one be lost */
		print_message("failing backend call %lu of the move: %s\n", (unsigned long)n,
			      rc ? iop_err_msg() : "none failed, the move is done");
		traffic_stop_and_check(&t);
		traffic_assert_port_clean(a);
		traffic_assert_port_clean(b);
		if (rc == 0)
			break;
		iop_sim_counters(&after);
		traffic_assert_on(a, src);
		assert_int_equal(after.mappings, before.mappings);
		assert_int_equal(after.pinned_pages, before.pinned_pages);
		assert_int_equal(iop_port_moves(a), 0);
	}
	assert_int_equal(rc, 0);
	/* some step could fail: a map, a copy or the replace */
	assert_true(n > 2);
	traffic_assert_on(a, dst);
	assert_int_equal(iop_port_moves(a), 1);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

#define T(f) cmocka_unit_test_teardown(f, port_fixture_close_ports)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(move_under_traffic_loses_no_frame_and_never_faults),
		T(move_releases_a_source_no_port_uses_and_pins_nothing_twice),
		T(move_that_would_split_a_group_is_refused_while_traffic_continues),
		T(device_opened_after_its_group_moved_joins_the_group_where_it_went),
		T(move_to_an_ioas_with_other_iovas_pauses_and_loses_no_frame),
		T(move_to_a_fresh_ioas_keeps_the_source_s_iovas_without_a_pause),
		T(move_to_an_ioas_outside_the_group_s_windows_is_refused),
		T(moves_with_a_pause_lose_no_frame),
		T(move_bad_input_is_one_clear_error),
		T(move_of_an_unpolled_started_port_times_out_and_rolls_back),
		T(move_of_a_port_whose_queues_get_only_empty_bursts_completes),
		T(pause_keeps_frames_the_device_wrote_that_no_burst_took),
		T(move_of_a_started_port_whose_bursts_were_handed_out_is_refused),
		T(move_failing_at_every_step_leaves_the_port_in_its_ioas),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s TOPOLOGY shared|per-device|per-group\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	layout = argv[2];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
