/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live moves of a port whose driver stops its device's DMA around the
 * switch, as a PCI PMD does (doc/move.md, "PCI ports: the device's DMA
 * stops around the switch"): the sim driver given a dma_stop op, under
 * traffic both ways over a pair wire (port_traffic.h).
 * argv: the topology (move.topo) and the --ioas layout.
 */
#include <errno.h>
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
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_port.h"
#include "port_driver.h"

static const char *topology;
static const char *layout;
static struct rte_mempool *pool;

static int init(void **state)
{
	static char layout_arg[64];

	(void)state;
	snprintf(layout_arg, sizeof(layout_arg), "--ioas=%s", layout);
	return port_fixture_init("test_port_move_dma_stop", topology, layout_arg, 4095, &pool);
}

/* Ports 0 and 1 (*a and *b), one queue each way, on devices da and db. */
static void pair(const char *da, const char *db, uint16_t *a, uint16_t *b)
{
	const struct iop_port_conf one = {.nb_rxq = 1, .nb_txq = 1};

	traffic_pair_on((const char *const[]){da, db},
			(const struct iop_port_conf *const[]){&one, &one}, pool);
	*a = 0;
	*b = 1;
}

/*
 * The sim driver with a dma_stop op, as a PCI PMD has: it records the
 * calls, and counts the bursts that run while the device's DMA is stopped
 * and its domain changes (from the dma_stop that stops it, through
 * ioas_changed, which the move calls once the device is on the
 * destination, to the dma_stop that lets it go on): there must be none,
 * as a PMD stops its queues only with no burst posting to them, and the
 * move switches the caches itself.
 */
static struct {
	const struct iop_port_ops *sim_ops;
	struct iop_port_ops ops;
	bool refuse;
	bool restart_fails; /* dma_stop(false) fails: the device stays dead */
	unsigned int stops, starts;
	bool switching;
	void *rxq, *txq; /* the queues of the port that moves */
	unsigned int bursts_while_switching;
} dstop;

static uint16_t dstop_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	if (q == dstop.rxq && __atomic_load_n(&dstop.switching, __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&dstop.bursts_while_switching, 1, __ATOMIC_RELAXED);
	return dstop.sim_ops->rx_burst(q, pkts, n);
}

static uint16_t dstop_tx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	if (q == dstop.txq && __atomic_load_n(&dstop.switching, __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&dstop.bursts_while_switching, 1, __ATOMIC_RELAXED);
	return dstop.sim_ops->tx_burst(q, pkts, n);
}

static size_t dstop_ioas_changed(struct iop_port *port, struct iop_ioas *ioas,
				 struct iop_iova_cache **caches, size_t max)
{
	__atomic_store_n(&dstop.switching, true, __ATOMIC_RELEASE);
	/* a switch takes a while (a replace ioctl): wide enough that a
	 * burst that still ran would show */
	traffic_sleep_ms(2);
	return dstop.sim_ops->ioas_changed(port, ioas, caches, max);
}

static int dstop_dma_stop(struct iop_port *port, bool stop)
{
	(void)port;
	if (stop && dstop.refuse)
		return iop_err(EOPNOTSUPP, "this device cannot stop its DMA");
	if (stop) {
		dstop.stops++;
		__atomic_store_n(&dstop.switching, true, __ATOMIC_RELEASE);
		/* wide enough that a burst still running would show */
		traffic_sleep_ms(2);
	} else {
		dstop.starts++;
		__atomic_store_n(&dstop.switching, false, __ATOMIC_RELEASE);
		if (dstop.restart_fails)
			return iop_err(EIO, "this device did not start again");
	}
	return 0;
}

/* Gives the sim driver dma_stop (on) or its own ops back (off); the
 * ports are opened after and closed before. */
static void sim_with_dma_stop(bool on)
{
	struct iop_port_driver *sim = (struct iop_port_driver *)iop_port_driver_find("sim");

	if (on) {
		memset(&dstop, 0, sizeof(dstop));
		dstop.sim_ops = sim->ops;
		dstop.ops = *sim->ops;
		dstop.ops.rx_burst = dstop_rx;
		dstop.ops.tx_burst = dstop_tx;
		dstop.ops.ioas_changed = dstop_ioas_changed;
		dstop.ops.hold = NULL;
		dstop.ops.held = NULL;
		dstop.ops.dma_stop = dstop_dma_stop;
		sim->ops = &dstop.ops;
	} else if (dstop.sim_ops) {
		sim->ops = dstop.sim_ops;
		dstop.sim_ops = NULL;
	}
}

/* A port whose driver stops its device's DMA (a PCI PMD) moves with the
 * DMA stopped around each switch and its bursts idle while the caches
 * switch: no burst runs then, no frame is lost, each move is a pause. A
 * driver that cannot stop refuses the move with nothing changed. */
static void move_of_a_port_that_stops_its_dma_idles_its_bursts_around_the_switch(void **state)
{
	struct iop_ioas *dst[2] = {traffic_new_ioas(), traffic_new_ioas()};
	struct iop_port_move_stats st;
	struct traffic t;
	uint16_t a, b;
	int moves = 20;

	(void)state;
	sim_with_dma_stop(true);
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	/* the queues its bursts go to (not iop_port_fp_get: a port whose
	 * bursts were handed out is not moved while started) */
	dstop.rxq = iop_port_fp[a].rxq[0];
	dstop.txq = iop_port_fp[a].txq[0];
	traffic_start(&t, a, b, pool);
	for (int i = 0; i < moves; i++) {
		if (iop_port_move(a, dst[i % 2], 0) != 0)
			fail_msg("move %d: %s", i, iop_err_msg());
		traffic_assert_on(a, dst[i % 2]);
		traffic_sleep_ms(5);
	}
	assert_int_equal(dstop.stops, moves);
	assert_int_equal(dstop.starts, moves);
	assert_int_equal(dstop.bursts_while_switching, 0);
	/* a device that cannot stop: refused, the port forwards where it was */
	dstop.refuse = true;
	assert_true(iop_port_move(a, dst[moves % 2], 0) < 0);
	assert_non_null(strstr(iop_err_msg(), "this device cannot stop its DMA"));
	traffic_assert_on(a, dst[(moves - 1) % 2]);
	traffic_sleep_ms(20);
	traffic_stop_and_check(&t);
	assert_int_equal(iop_port_move_stats_get(a, &st), 0);
	assert_int_equal(st.moves, moves);
	assert_int_equal(st.pauses, moves);
	assert_int_equal(dstop.starts, moves);
	traffic_assert_port_clean(a);
	traffic_assert_port_clean(b);
	iop_port_close_all();
	sim_with_dma_stop(false);
	assert_int_equal(iop_ioas_destroy(dst[0]), 0);
	assert_int_equal(iop_ioas_destroy(dst[1]), 0);
}

/* Such a port keeps its rings at the IOVAs of their setup: a destination
 * at other IOVAs is refused even while the port is stopped. */
static void move_of_a_port_that_stops_its_dma_never_changes_its_iovas(void **state)
{
	struct iop_ioas *src, *dst;
	uint16_t a, b;

	(void)state;
	if (strcmp(layout, "per-device") != 0) {
		print_message("skip: in the %s layout the two windowed ports share one IOAS\n", layout);
		skip();
	}
	sim_with_dma_stop(true);
	pair("0000:00:05.0", "0000:00:04.0", &b, &a);
	src = iop_dev_ioas(iop_port_dev(a));
	dst = iop_dev_ioas(iop_port_dev(b));
	assert_int_equal(iop_port_stop(a), 0);
	assert_int_equal(iop_port_move(a, dst, 0), -EXDEV);
	assert_non_null(strstr(iop_err_msg(), "keeps its rings at their IOVAs"));
	traffic_assert_on(a, src);
	assert_int_equal(dstop.stops, 0);
	iop_port_close_all();
	sim_with_dma_stop(false);
}

/* A device whose DMA does not start again after the switch: the move is
 * made (the device is on the destination) but reported as -EIO with what
 * to do, and the port's bursts stay idle (a burst on a queue its device
 * no longer serves would post buffers nothing fills) until a stop and a
 * start give the port its bursts back. */
static void move_whose_dma_does_not_start_again_leaves_the_port_idle_and_says_so(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas();
	iop_rx_burst_t rx;
	uint16_t a, b;

	(void)state;
	sim_with_dma_stop(true);
	pair("0000:00:01.0", "0000:00:02.0", &a, &b);
	rx = iop_port_fp[a].rx_burst;
	dstop.restart_fails = true;
	assert_int_equal(iop_port_move(a, dst, 0), -EIO);
	assert_non_null(strstr(iop_err_msg(), "a device's DMA did not start again: stop the port and start it again"));
	traffic_assert_on(a, dst);
	assert_ptr_not_equal(iop_port_fp[a].rx_burst, rx);
	dstop.restart_fails = false;
	assert_int_equal(iop_port_stop(a), 0);
	assert_int_equal(iop_port_start(a), 0);
	assert_ptr_equal(iop_port_fp[a].rx_burst, rx);
	iop_port_close_all();
	sim_with_dma_stop(false);
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

static int close_ports(void **state)
{
	port_fixture_close_ports(state);
	sim_with_dma_stop(false);
	return 0;
}

#define T(f) cmocka_unit_test_teardown(f, close_ports)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(move_of_a_port_that_stops_its_dma_idles_its_bursts_around_the_switch),
		T(move_of_a_port_that_stops_its_dma_never_changes_its_iovas),
		T(move_whose_dma_does_not_start_again_leaves_the_port_idle_and_says_so),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s TOPOLOGY shared|per-device|per-group\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	layout = argv[2];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
