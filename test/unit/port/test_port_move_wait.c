/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Moves that wait for a queue nobody polls (doc/move.md, "Threads and
 * time"): a reader of the port's stats never waits with them, and a move
 * that times out and cannot go back leaves no port held: its ports are
 * declared removed, with one error saying what to do.
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

#include <cmocka.h>
#include <rte_mbuf.h>

#include "port_fixture.h"
#include "port_traffic.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "iop_sim.h"
#include "port_driver.h"

static const char *topology;
static const char *layout;
static struct rte_mempool *pool;

static int init(void **state)
{
	static char layout_arg[64];

	(void)state;
	snprintf(layout_arg, sizeof(layout_arg), "--ioas=%s", layout);
	return port_fixture_init("test_port_move_wait", topology, layout_arg, 4095, &pool);
}

/* Ports 0 and 1 back to back, started, one queue each way. */
static void pair(uint16_t *a, uint16_t *b)
{
	const struct iop_port_conf one = {.nb_rxq = 1, .nb_txq = 1};

	traffic_pair_on((const char *const[]){"0000:00:01.0", "0000:00:02.0"},
			(const struct iop_port_conf *const[]){&one, &one}, pool);
	*a = 0;
	*b = 1;
}

/* iop_port_move from a thread of its own. */
struct mover {
	pthread_t thread;
	uint16_t port;
	struct iop_ioas *to;
	unsigned int flags;
	int rc;
	bool done;
	char msg[768];
};

static void *mover_main(void *arg)
{
	struct mover *mv = arg;

	mv->rc = iop_port_move(mv->port, mv->to, mv->flags);
	snprintf(mv->msg, sizeof(mv->msg), "%s", mv->rc ? iop_err_msg() : "");
	__atomic_store_n(&mv->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void mover_start(struct mover *mv, uint16_t port, struct iop_ioas *to, unsigned int flags)
{
	*mv = (struct mover){.port = port, .to = to, .flags = flags};
	assert_int_equal(pthread_create(&mv->thread, NULL, mover_main, mv), 0);
}

/* Until port p's device is on ioas: the move has replaced the domain and
 * waits for the queues' caches, which only a burst switches. */
static void wait_device_on(uint16_t p, const struct iop_ioas *ioas, const struct mover *mv)
{
	while (iop_dev_ioas(iop_port_dev(p)) != ioas) {
		if (__atomic_load_n(&mv->done, __ATOMIC_ACQUIRE))
			fail_msg("the move ended before the device moved: %s", mv->msg);
		sched_yield();
	}
}

/* Counters are atomics the polling thread writes: a reader of stats,
 * xstats, IOVA cache stats or the link takes none of the move's locks, so
 * it returns while a move waits for a queue nobody polls yet. The queues
 * are polled only once the reads have returned: had a read waited for the
 * move, the move would have timed out (-ETIMEDOUT) first. */
static void stats_reader_never_waits_for_a_move(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas();
	struct iop_port_stats before, during;
	struct iop_port_iova_stats cache;
	struct iop_port_link link;
	struct idle_poller ip;
	struct traffic t;
	struct mover mv;
	uint64_t values[128];
	int n;
	uint16_t a, b;

	(void)state;
	pair(&a, &b);
	traffic_start(&t, a, b, pool);
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_stats_get(a, &before), 0);
	assert_true(before.rx_packets > 0);

	mover_start(&mv, a, dst, 0);
	wait_device_on(a, dst, &mv);
	assert_int_equal(iop_port_stats_get(a, &during), 0);
	n = iop_port_xstats_get(a, values, 128);
	assert_true(n > 0 && n <= 128);
	assert_int_equal(iop_port_iova_stats_get(a, &cache), 0);
	assert_int_equal(iop_port_link_get(a, &link), 0);
	/* the reads returned with the move still waiting for a burst */
	assert_false(__atomic_load_n(&mv.done, __ATOMIC_ACQUIRE));
	assert_int_equal(during.rx_packets, before.rx_packets);
	assert_int_equal(during.tx_packets, before.tx_packets);
	assert_int_equal(values[0], before.rx_packets); /* rx_good_packets */

	traffic_idle_poll_start(&ip, a);
	pthread_join(mv.thread, NULL);
	traffic_idle_poll_stop(&ip);
	if (mv.rc)
		fail_msg("the move failed: %s", mv.msg);
	traffic_assert_on(a, dst);
	traffic_assert_port_clean(a);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* The sim driver's `held` op, wrapped: the first time every queue of the
 * port is held, the poller stops before the move goes on, so the move
 * holds the port and then waits for a rebind no burst takes. */
static struct {
	const struct iop_port_ops *sim_ops;
	struct iop_port_ops ops;
	struct idle_poller *poller;
} unpoll;

static bool held_then_unpolled(struct iop_port *port)
{
	bool held = unpoll.sim_ops->held(port);

	if (held && unpoll.poller) {
		__atomic_store_n(&unpoll.poller->stop, true, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&unpoll.poller->stopped, __ATOMIC_ACQUIRE))
			sched_yield();
	}
	return held;
}

static void sim_held_stops_poller(struct idle_poller *ip)
{
	struct iop_port_driver *sim = (struct iop_port_driver *)iop_port_driver_find("sim");

	if (ip) {
		unpoll.sim_ops = sim->ops;
		unpoll.ops = *sim->ops;
		unpoll.ops.held = held_then_unpolled;
		unpoll.poller = ip;
		sim->ops = &unpoll.ops;
	} else if (unpoll.sim_ops) {
		sim->ops = unpoll.sim_ops;
		unpoll.sim_ops = NULL;
		unpoll.poller = NULL;
	}
}

static unsigned int removals;

static void count_removal(uint16_t port, void *arg)
{
	(void)port;
	(void)arg;
	__atomic_fetch_add(&removals, 1, __ATOMIC_RELAXED);
}

/* One move that times out waiting for the rebind and whose move back
 * fails (the sim fails the first backend call after the replace: the
 * replace back). flags 0: the queues were never held; IOP_PORT_MOVE_PAUSE:
 * they were held before the switch. */
static void timeout_then_failed_move_back(unsigned int flags)
{
	struct iop_sim_counters c0, c1;
	struct iop_ioas *dst;
	char back[64];
	struct idle_poller ip;
	struct rte_mbuf *m;
	struct traffic t;
	struct mover mv;
	uint16_t a, b;

	iop_sim_counters(&c0);
	dst = traffic_new_ioas();
	pair(&a, &b);
	traffic_start(&t, a, b, pool);
	traffic_stop_and_check(&t);
	snprintf(back, sizeof(back), "moving back to IOAS %u failed",
		 iop_ioas_id(iop_dev_ioas(iop_port_dev(a))));
	removals = 0;
	assert_int_equal(iop_port_on_removal(a, count_removal, NULL), 0);
	if (flags & IOP_PORT_MOVE_PAUSE) {
		/* polled until held, then no more */
		traffic_idle_poll_start(&ip, a);
		sim_held_stops_poller(&ip);
	}
	mover_start(&mv, a, dst, flags);
	wait_device_on(a, dst, &mv);
	iop_sim_fail_nth(1);
	pthread_join(mv.thread, NULL);
	iop_sim_fail_nth(0);
	if (flags & IOP_PORT_MOVE_PAUSE) {
		sim_held_stops_poller(NULL);
		traffic_idle_poll_stop(&ip);
	}
	print_message("%s\n", mv.msg);
	assert_int_equal(mv.rc, -EIO);
	assert_non_null(strstr(mv.msg, "was not polled"));
	assert_non_null(strstr(mv.msg, back));
	assert_non_null(strstr(mv.msg, "declared removed: close it and open it again"));
	assert_null(strchr(mv.msg, '\n'));
	/* removed, not held: the application was told, bursts are idle */
	assert_true(iop_port_is_removed(a));
	assert_int_equal(removals, 1);
	traffic_assert_on(a, dst);
	assert_int_equal(iop_port_rx_burst(a, 0, &m, 1), 0);
	m = traffic_frame(pool, 96, 1);
	assert_int_equal(iop_port_tx_burst(a, 0, &m, 1), 0);
	rte_pktmbuf_free(m);
	assert_int_equal(iop_port_moves(a), 0);
	/* closing the ports leaves nothing behind: the source was dropped as
	 * after a move, the destination keeps only what the caller owns */
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
	iop_sim_counters(&c1);
	assert_int_equal(c1.mappings, c0.mappings);
	assert_int_equal(c1.pinned_pages, c0.pinned_pages);
	assert_int_equal(c1.allocations, c0.allocations);
	assert_int_equal(c1.open_fds, c0.open_fds);
}

static void failed_move_back_declares_its_ports_removed(void **state)
{
	(void)state;
	timeout_then_failed_move_back(0);
}

static void failed_move_back_of_held_ports_declares_them_removed_not_held(void **state)
{
	(void)state;
	timeout_then_failed_move_back(IOP_PORT_MOVE_PAUSE);
}

#define T(f) cmocka_unit_test_teardown(f, port_fixture_close_ports)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(stats_reader_never_waits_for_a_move),
		T(failed_move_back_declares_its_ports_removed),
		T(failed_move_back_of_held_ports_declares_them_removed_not_held),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s TOPOLOGY shared|per-device|per-group\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	layout = argv[2];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
