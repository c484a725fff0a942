/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live moves on type1 semantics (the sim on a topology with `iommu type1`,
 * move_type1.topo): no replace, and a group stays in its container while
 * one of its devices is referenced by a driver. The kernel's answer is in
 * the conformance scenario move.scn, run on vfio in the vm tier (aw39,
 * aw48): its `hold` step (a second reference to a device's fd, as a PMD's
 * BAR mapping is) makes VFIO_GROUP_UNSET_CONTAINER fail with EBUSY, the
 * device still attached. A move then restarts the ports through their
 * devices (port_move_reopen.c): these tests check that the port forwards
 * again on the destination, configured as before, with each move counted
 * as a pause, and that a failure at any step leaves it forwarding on its
 * source, or declared removed, with nothing leaked.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "iop_sim.h"
#include "port_driver.h"
#include "port_fixture.h"
#include "port_traffic.h"

static const char *topology;
static struct rte_mempool *pool;

static int init(void **state)
{
	(void)state;
	return port_fixture_init("test_port_move_type1", topology, "--ioas=per-device", 4095,
				 &pool);
}

/* --- a forwarding thread: what a gen wire gives, sent back out ---------- */

struct poller {
	pthread_t thread;
	bool stop;
	uint16_t ports[2];
	size_t nports;
	uint64_t rx[2]; /* atomic */
};

static void *poll_main(void *arg)
{
	struct poller *pl = arg;
	struct rte_mbuf *pkts[32];

	iop_mem_thread_register();
	while (!__atomic_load_n(&pl->stop, __ATOMIC_ACQUIRE)) {
		for (size_t i = 0; i < pl->nports; i++) {
			uint16_t n = iop_port_rx_burst(pl->ports[i], 0, pkts, 32);
			uint16_t sent = iop_port_tx_burst(pl->ports[i], 0, pkts, n);

			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
			__atomic_fetch_add(&pl->rx[i], n, __ATOMIC_RELAXED);
		}
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();
	return NULL;
}

static void poll_start(struct poller *pl, const uint16_t *ports, size_t n)
{
	memset(pl, 0, sizeof(*pl));
	memcpy(pl->ports, ports, n * sizeof(*ports));
	pl->nports = n;
	assert_int_equal(pthread_create(&pl->thread, NULL, poll_main, pl), 0);
}

static void poll_stop(struct poller *pl)
{
	__atomic_store_n(&pl->stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(pl->thread, NULL), 0);
}

/* The poller's i-th port receives frames again (within 10 s: a loaded
 * machine). */
static void assert_forwards(struct poller *pl, size_t i)
{
	uint64_t before = __atomic_load_n(&pl->rx[i], __ATOMIC_RELAXED);

	for (int ms = 0; ms < 10000; ms++) {
		if (__atomic_load_n(&pl->rx[i], __ATOMIC_RELAXED) >= before + 64)
			return;
		traffic_sleep_ms(1);
	}
	fail_msg("port %u receives nothing", pl->ports[i]);
}

/* A started gen-wire port on device bdf, promiscuous, 512 descriptors. */
static uint16_t gen_port(const char *bdf)
{
	char spec[64];
	uint16_t p;

	snprintf(spec, sizeof(spec), "sim:wire=gen,dev=%s", bdf);
	p = traffic_port(spec, NULL, 512, pool);
	assert_int_equal(iop_port_promisc_set(p, true), 0);
	assert_int_equal(iop_port_start(p), 0);
	return p;
}

/* --- driver faults ------------------------------------------------------ */

/* The sim driver with each step a restart replays counted, the Nth failing
 * (fail_from: that one and every later one). */
static struct {
	int (*probe)(struct iop_port *, const struct iop_port_spec *);
	const struct iop_port_ops *sim_ops;
	struct iop_port_ops ops;
	unsigned int calls, fail_nth;
	bool fail_from;
} drv;

static int drv_step(void)
{
	drv.calls++;
	if (drv.fail_nth && (drv.calls == drv.fail_nth || (drv.fail_from && drv.calls > drv.fail_nth)))
		return iop_err(EIO, "driver step %u fails (test)", drv.calls);
	return 0;
}

static int drv_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	int rc = drv_step();

	return rc ? rc : drv.probe(port, spec);
}

static int drv_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	int rc = drv_step();

	return rc ? rc : drv.sim_ops->configure(port, conf);
}

static int drv_rxq(struct iop_port *port, uint16_t q, uint16_t nb_desc, struct rte_mempool *mp,
		   struct iop_port_qcounters *cnt, void **rxq)
{
	int rc = drv_step();

	return rc ? rc : drv.sim_ops->rx_queue_setup(port, q, nb_desc, mp, cnt, rxq);
}

static int drv_txq(struct iop_port *port, uint16_t q, uint16_t nb_desc,
		   struct iop_port_qcounters *cnt, void **txq)
{
	int rc = drv_step();

	return rc ? rc : drv.sim_ops->tx_queue_setup(port, q, nb_desc, cnt, txq);
}

static int drv_start(struct iop_port *port)
{
	int rc = drv_step();

	return rc ? rc : drv.sim_ops->start(port);
}

/* A driver whose device refuses to stop its DMA (a virtio tx queue the
 * device has not emptied) */
static int drv_dma_stop(struct iop_port *port, bool stop)
{
	(void)port;
	return stop ? iop_err(EAGAIN, "this device still sends (test)") : 0;
}

static void sim_with_faults(bool on)
{
	struct iop_port_driver *sim = (struct iop_port_driver *)iop_port_driver_find("sim");

	if (on) {
		memset(&drv, 0, sizeof(drv));
		drv.probe = sim->probe;
		drv.sim_ops = sim->ops;
		drv.ops = *sim->ops;
		drv.ops.configure = drv_configure;
		drv.ops.rx_queue_setup = drv_rxq;
		drv.ops.tx_queue_setup = drv_txq;
		drv.ops.start = drv_start;
		sim->probe = drv_probe;
		sim->ops = &drv.ops;
	} else if (drv.sim_ops) {
		sim->probe = drv.probe;
		sim->ops = drv.sim_ops;
		drv.sim_ops = NULL;
	}
}

static int close_ports(void **state)
{
	sim_with_faults(false);
	return port_fixture_close_ports(state);
}

/* --- the tests ---------------------------------------------------------- */

/* The sim's type1 answers, which move.scn's hold step shows the kernel
 * gives on vfio: no replace, and the group does not leave its IOAS while a
 * driver holds a device of it (EBUSY, still attached). */
static void type1_sim_keeps_a_group_its_driver_holds_in_its_ioas(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_dev *dev;
	uint16_t p;

	(void)state;
	assert_false(iop_ctx_can_replace(iop_ctx_get()));
	p = traffic_port("sim:wire=gen,dev=0000:00:01.0", NULL, 256, pool);
	dev = iop_port_dev(p);
	src = iop_dev_ioas(dev);
	assert_int_equal(iop_dev_detach(dev), -EBUSY);
	assert_ptr_equal(iop_dev_ioas(dev), src);
	assert_int_equal(iop_dev_move(&dev, 1, dst), -EBUSY);
	assert_ptr_equal(iop_dev_ioas(dev), src);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* A started port moves back and forth: each move closes its device and
 * opens it on the other IOAS, the port comes back configured as it was
 * (queues, promiscuous mode), forwards there, and each move is a pause;
 * its counters go on from where they were. Once closed, nothing is left. */
static void type1_move_restarts_the_port_where_it_goes_configured_as_before(void **state)
{
	struct iop_ioas *ioas[2] = {traffic_new_ioas(), traffic_new_ioas()};
	struct iop_sim_counters before, after;
	struct iop_port_move_stats ms;
	struct iop_port_conf conf, conf_after;
	struct iop_port_stats st0, st1;
	struct poller pl;
	uint16_t p;

	(void)state;
	iop_sim_counters(&before);
	p = gen_port("0000:00:01.0");
	assert_int_equal(iop_port_conf_get(p, &conf), 0);
	poll_start(&pl, &p, 1);
	assert_forwards(&pl, 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(iop_port_stats_get(p, &st0), 0);
		if (iop_port_move(p, ioas[i % 2], 0))
			fail_msg("move %d: %s", i, iop_err_msg());
		traffic_assert_on(p, ioas[i % 2]);
		assert_forwards(&pl, 0);
		assert_int_equal(iop_port_stats_get(p, &st1), 0);
		assert_true(st1.rx_packets >= st0.rx_packets);
		assert_true(iop_port_is_started(p));
		assert_false(iop_port_is_removed(p));
	}
	assert_int_equal(iop_port_conf_get(p, &conf_after), 0);
	assert_memory_equal(&conf, &conf_after, sizeof(conf));
	assert_true(iop_port_promisc_get(p));
	assert_int_equal(iop_port_move_stats_get(p, &ms), 0);
	assert_int_equal(ms.moves, 10);
	assert_int_equal(ms.pauses, 10);
	assert_true(ms.max_pause_ns > 0 && ms.last_pause_ns <= ms.max_pause_ns);
	poll_stop(&pl);
	traffic_assert_port_clean(p);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(ioas[0]), 0);
	assert_int_equal(iop_ioas_destroy(ioas[1]), 0);
	iop_sim_counters(&after);
	assert_int_equal(after.open_fds, before.open_fds);
	assert_int_equal(after.mappings, before.mappings);
	assert_int_equal(after.pinned_pages, before.pinned_pages);
}

/* Seed 000 on type1: a port of a two-device group is not moved alone,
 * while both forward; moved with its group, both restart on the
 * destination. */
static void type1_move_takes_the_whole_group_or_refuses(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	uint16_t p[2];
	struct poller pl;

	(void)state;
	p[0] = gen_port("0000:00:03.0");
	p[1] = gen_port("0000:00:03.1");
	src = iop_dev_ioas(iop_port_dev(p[0]));
	poll_start(&pl, p, 2);
	assert_int_equal(iop_port_move(p[0], dst, 0), -EBUSY);
	assert_non_null(strstr(iop_err_msg(), "a group is never split"));
	traffic_assert_on(p[0], src);
	assert_forwards(&pl, 0);
	assert_forwards(&pl, 1);
	if (iop_port_move(p[0], dst, IOP_PORT_MOVE_GROUP))
		fail_msg("group move: %s", iop_err_msg());
	traffic_assert_on(p[0], dst);
	traffic_assert_on(p[1], dst);
	assert_forwards(&pl, 0);
	assert_forwards(&pl, 1);
	assert_int_equal(iop_port_moves(p[1]), 1);
	poll_stop(&pl);
	iop_port_close_all();
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* One failure at a time, for every backend call of the move and then for
 * every step of the driver's restart, until the move goes through: each
 * failed move says so, leaves the port forwarding on its source with
 * nothing mapped, pinned or open that was not before, and counts no move. */
static void type1_move_failing_at_every_step_leaves_the_port_forwarding_on_its_source(void **state)
{
	struct iop_ioas *ioas[2] = {traffic_new_ioas(), traffic_new_ioas()};
	struct iop_sim_counters before, after;
	unsigned int failed = 0;
	struct poller pl;
	uint16_t p;
	int rc;

	(void)state;
	sim_with_faults(true);
	p = gen_port("0000:00:01.0");
	poll_start(&pl, &p, 1);
	assert_int_equal(iop_port_move(p, ioas[0], 0), 0);
	for (int driver = 0; driver < 2; driver++) {
		uint64_t moves = iop_port_moves(p);

		rc = -1;
		for (uint64_t n = 1; n < 1000 && rc != 0; n++) {
			iop_sim_counters(&before);
			if (driver) {
				drv.calls = 0;
				drv.fail_nth = (unsigned int)n;
			} else {
				iop_sim_fail_nth(n);
			}
			rc = iop_port_move(p, ioas[1], 0);
			iop_sim_fail_nth(0);
			drv.fail_nth = 0;
			print_message("%s step %lu fails: %s\n", driver ? "driver" : "backend",
				      (unsigned long)n, rc ? iop_err_msg() : "none, the move is done");
			assert_false(iop_port_is_removed(p));
			assert_true(iop_port_is_started(p));
			assert_forwards(&pl, 0);
			if (rc == 0)
				break;
			failed++;
			traffic_assert_on(p, ioas[0]);
			iop_sim_counters(&after);
			assert_int_equal(after.open_fds, before.open_fds);
			assert_int_equal(after.mappings, before.mappings);
			assert_int_equal(after.pinned_pages, before.pinned_pages);
			assert_int_equal(iop_port_moves(p), moves);
		}
		assert_int_equal(rc, 0);
		traffic_assert_on(p, ioas[1]);
		/* back for the next round */
		assert_int_equal(iop_port_move(p, ioas[0], 0), 0);
	}
	/* backend: maps and the detach and attach; driver: probe, configure,
	 * two queue setups and the start */
	assert_true(failed >= 8);
	poll_stop(&pl);
	traffic_assert_port_clean(p);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(ioas[0]), 0);
	assert_int_equal(iop_ioas_destroy(ioas[1]), 0);
}

/* A device that opens nowhere any more (every probe fails from the move
 * on): the port cannot come back on its source either, so it is declared
 * removed, the error says so and what to do; a start is refused, and once
 * closed nothing of it is left. */
static void type1_move_whose_device_never_opens_again_declares_the_port_removed(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas();
	struct iop_sim_counters before, after;
	struct poller pl;
	uint16_t p;

	(void)state;
	iop_sim_counters(&before);
	sim_with_faults(true);
	p = gen_port("0000:00:02.0");
	poll_start(&pl, &p, 1);
	assert_forwards(&pl, 0);
	drv.calls = 0;
	drv.fail_nth = 1;
	drv.fail_from = true;
	assert_int_equal(iop_port_move(p, dst, 0), -EIO);
	assert_non_null(strstr(iop_err_msg(), "declared removed; close it and open it again"));
	assert_true(iop_port_is_removed(p));
	assert_null(iop_port_dev(p));
	assert_int_equal(iop_port_moves(p), 0);
	poll_stop(&pl);
	assert_int_equal(iop_port_stop(p), 0);
	assert_int_equal(iop_port_start(p), -ENODEV);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(dst), 0);
	iop_sim_counters(&after);
	assert_int_equal(after.open_fds, before.open_fds);
	assert_int_equal(after.mappings, before.mappings);
	assert_int_equal(after.pinned_pages, before.pinned_pages);
}

/* Drain first: a port whose device cannot stop its DMA is not closed (a
 * frame the port counted as sent would be freed unsent): the move is
 * refused with the driver's reason and the port forwards on its source. */
static void type1_move_of_a_port_whose_device_does_not_stop_is_refused_with_nothing_changed(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_sim_counters before, after;
	struct poller pl;
	uint16_t p;

	(void)state;
	sim_with_faults(true);
	drv.ops.dma_stop = drv_dma_stop;
	p = gen_port("0000:00:01.0");
	src = iop_dev_ioas(iop_port_dev(p));
	poll_start(&pl, &p, 1);
	assert_forwards(&pl, 0);
	iop_sim_counters(&before);
	drv.calls = 0;
	assert_int_equal(iop_port_move(p, dst, 0), -EAGAIN);
	assert_non_null(strstr(iop_err_msg(), "this device still sends (test)"));
	assert_int_equal(drv.calls, 0);
	traffic_assert_on(p, src);
	assert_forwards(&pl, 0);
	iop_sim_counters(&after);
	assert_int_equal(after.mappings, before.mappings);
	assert_int_equal(after.pinned_pages, before.pinned_pages);
	assert_int_equal(iop_port_moves(p), 0);
	poll_stop(&pl);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* A port whose queues net_iop was handed keeps them in ethdev's tables,
 * started or not: a restart would replace them under it, so the move is
 * refused, the port where it was. */
static void type1_move_of_a_port_handed_to_net_iop_is_refused_even_stopped(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_port_fp fp, fp_after;
	uint16_t p;

	(void)state;
	p = gen_port("0000:00:01.0");
	src = iop_dev_ioas(iop_port_dev(p));
	assert_int_equal(iop_port_fp_get(p, &fp), 0);
	assert_int_equal(iop_port_stop(p), 0);
	assert_int_equal(iop_port_move(p, dst, 0), -EOPNOTSUPP);
	assert_non_null(strstr(iop_err_msg(), "handed its queues to another fast path (net_iop's ethdev)"));
	traffic_assert_on(p, src);
	assert_int_equal(iop_port_fp_get(p, &fp_after), 0);
	assert_ptr_equal(fp_after.rxq[0], fp.rxq[0]);
	assert_ptr_equal(fp_after.txq[0], fp.txq[0]);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

/* A group that also holds an open device which is not a port cannot move
 * whole: refused before anything stops (iop_dev_move_check), the port
 * forwarding on where it was. */
static void type1_move_of_a_group_with_another_open_device_is_refused_before_anything_stops(void **state)
{
	struct iop_ioas *dst = traffic_new_ioas(), *src;
	struct iop_dev *other;
	struct poller pl;
	uint16_t p;

	(void)state;
	p = gen_port("0000:00:03.0");
	src = iop_dev_ioas(iop_port_dev(p));
	assert_int_equal(iop_dev_open(iop_ctx_get(), "0000:00:03.1", &other), 0);
	assert_int_equal(iop_dev_attach(other, src), 0);
	poll_start(&pl, &p, 1);
	assert_forwards(&pl, 0);
	assert_int_equal(iop_port_move(p, dst, 0), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "without 0000:00:03.1"));
	assert_int_equal(iop_port_moves(p), 0);
	traffic_assert_on(p, src);
	assert_forwards(&pl, 0);
	poll_stop(&pl);
	iop_dev_close(other);
	iop_port_close(p);
	assert_int_equal(iop_ioas_destroy(dst), 0);
}

#define T(f) cmocka_unit_test_teardown(f, close_ports)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(type1_sim_keeps_a_group_its_driver_holds_in_its_ioas),
		T(type1_move_restarts_the_port_where_it_goes_configured_as_before),
		T(type1_move_takes_the_whole_group_or_refuses),
		T(type1_move_failing_at_every_step_leaves_the_port_forwarding_on_its_source),
		T(type1_move_whose_device_never_opens_again_declares_the_port_removed),
		T(type1_move_of_a_port_whose_device_does_not_stop_is_refused_with_nothing_changed),
		T(type1_move_of_a_port_handed_to_net_iop_is_refused_even_stopped),
		T(type1_move_of_a_group_with_another_open_device_is_refused_before_anything_stops),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s TOPOLOGY\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
