/* SPDX-License-Identifier: BSD-3-Clause */
/* The port API (lib/port) on null ports: state machine, argument checks,
 * bursts, stats. Needs the EAL for mempools: runs it without hugepages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "iop_log.h"
#include "iop_port.h"
#include "port_fixture.h"
#include "port_driver.h"

static struct rte_mempool *pool;

static int eal_up(void **state)
{
	(void)state;
	return port_fixture_eal_init("test_port_api", 4095, &pool);
}

/* A started null port with nq queues of 64 descriptors. */
static uint16_t null_port(const char *spec, uint16_t nq)
{
	uint16_t p;

	assert_int_equal(iop_port_open(spec, &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = nq, .nb_txq = nq }), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(iop_port_rx_queue_setup(p, q, 64, pool), 0);
		assert_int_equal(iop_port_tx_queue_setup(p, q, 64), 0);
	}
	assert_int_equal(iop_port_start(p), 0);
	return p;
}

static void open_unknown_type_is_einval_listing_types(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("bogus:x=1", &p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "unknown port type 'bogus' (types: "));
	assert_non_null(strstr(iop_err_msg(), "null"));
	assert_non_null(strstr(iop_err_msg(), "sim"));
}

static void open_unknown_key_is_einval_listing_keys(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null:speed=10", &p), -EINVAL);
	assert_string_equal(iop_err_msg(),
			    "port: port spec 'null:speed=10': unknown key 'speed' for type null (keys: size)");
	assert_int_equal(iop_port_count(), 0);
}

static void configure_more_queues_than_driver_supports_is_einval(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = IOP_PORT_MAX_QUEUES + 1, .nb_txq = 1 }), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "driver null supports at most 16 rx/16 tx"));
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 0, .nb_txq = 1 }), -EINVAL);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 2, .nb_txq = 2 }), 0);
}

static void queue_setup_needs_power_of_two_descriptors_in_range(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 1000, pool), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "1000 rx descriptors: give a power of two from 1 to 4096"));
	assert_int_equal(iop_port_tx_queue_setup(p, 0, 8192), -EINVAL);
	assert_int_equal(iop_port_rx_queue_setup(p, 1, 64, pool), -EINVAL);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, NULL), -EINVAL);
}

static void start_before_every_queue_is_set_up_is_einval(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_start(p), -EINVAL);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, pool), 0);
	assert_int_equal(iop_port_start(p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "tx queue 0 is not set up"));
}

static void configure_while_started_is_ebusy(void **state)
{
	uint16_t p = null_port("null", 1);

	(void)state;
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), -EBUSY);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, pool), -EBUSY);
	assert_int_equal(iop_port_stop(p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
}

static void burst_on_stopped_port_returns_zero(void **state)
{
	uint16_t p = null_port("null", 1);
	struct rte_mbuf *m[8];

	(void)state;
	assert_int_equal(iop_port_stop(p), 0);
	assert_false(iop_port_is_started(p));
	assert_int_equal(iop_port_rx_burst(p, 0, m, 8), 0);
	assert_int_equal(iop_port_tx_burst(p, 0, m, 8), 0);
}

static void null_rx_gives_frames_of_size_and_counts_them_per_queue(void **state)
{
	uint16_t p = null_port("null:size=128", 2);
	struct iop_port_stats st;
	struct rte_mbuf *m[32];

	(void)state;
	assert_int_equal(iop_port_rx_burst(p, 1, m, 32), 32);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(m[i]->pkt_len, 128);
		assert_int_equal(m[i]->port, p);
	}
	assert_int_equal(iop_port_tx_burst(p, 0, m, 32), 32);
	assert_int_equal(iop_port_stats_get(p, &st), 0);
	assert_int_equal(st.rx_packets, 32);
	assert_int_equal(st.rx_bytes, 32 * 128);
	assert_int_equal(st.rxq[0].packets, 0);
	assert_int_equal(st.rxq[1].packets, 32);
	assert_int_equal(st.tx_packets, 32);
	assert_int_equal(st.txq[0].bytes, 32 * 128);
	assert_int_equal(st.dropped, 0);
}

static void null_tx_frees_every_frame(void **state)
{
	uint16_t p = null_port("null", 1);
	unsigned int before = rte_mempool_avail_count(pool);
	struct rte_mbuf *m[16];

	(void)state;
	assert_int_equal(iop_port_rx_burst(p, 0, m, 16), 16);
	assert_int_equal(rte_mempool_avail_count(pool), before - 16);
	assert_int_equal(iop_port_tx_burst(p, 0, m, 16), 16);
	assert_int_equal(rte_mempool_avail_count(pool), before);
}

static void null_rx_with_empty_pool_counts_nombuf(void **state)
{
	struct rte_mempool *tiny = rte_pktmbuf_pool_create("tiny", 7, 0, 0,
							    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct iop_port_stats st;
	struct rte_mbuf *m[8];
	uint16_t p;

	(void)state;
	assert_non_null(tiny);
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 4, tiny), 0);
	assert_int_equal(iop_port_tx_queue_setup(p, 0, 4), 0);
	assert_int_equal(iop_port_start(p), 0);
	assert_int_equal(iop_port_rx_burst(p, 0, m, 8), 0);
	assert_int_equal(iop_port_stats_get(p, &st), 0);
	assert_int_equal(st.rx_nombuf, 1);
	assert_int_equal(st.rx_packets, 0);
	iop_port_close(p);
	rte_mempool_free(tiny);
}

static void null_size_beyond_mbuf_room_is_einval(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null:size=9000", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, pool), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "size=9000 does not fit the 2048-byte mbufs"));
}

static void stats_reset_starts_counting_from_zero(void **state)
{
	uint16_t p = null_port("null", 1);
	struct iop_port_stats st;
	struct rte_mbuf *m[8];

	(void)state;
	assert_int_equal(iop_port_rx_burst(p, 0, m, 8), 8);
	assert_int_equal(iop_port_stats_reset(p), 0);
	assert_int_equal(iop_port_stats_get(p, &st), 0);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(iop_port_tx_burst(p, 0, m, 8), 8);
	assert_int_equal(iop_port_stats_get(p, &st), 0);
	assert_int_equal(st.tx_packets, 8);
	assert_int_equal(st.rx_packets, 0);
}

static void closed_port_id_is_invalid_then_reused(void **state)
{
	struct iop_port_stats st;
	uint16_t a, b;

	(void)state;
	assert_int_equal(iop_port_open("null", &a), 0);
	iop_port_close(a);
	assert_false(iop_port_is_valid(a));
	assert_int_equal(iop_port_stats_get(a, &st), -ENODEV);
	assert_int_equal(iop_port_open("null", &b), 0);
	assert_int_equal(a, b);
}

/* What a PMD does when its device goes (pci: the VFIO request interrupt). */
static void removed_port_keeps_its_counters_refuses_start_until_closed(void **state)
{
	struct rte_mbuf *m[8];
	struct iop_port_stats st;
	uint16_t gone, other, again;

	(void)state;
	gone = null_port("null:size=64", 1);
	other = null_port("null:size=64", 1);
	assert_int_equal(iop_port_rx_burst(gone, 0, m, 8), 8);
	rte_pktmbuf_free_bulk(m, 8);
	assert_false(iop_port_is_removed(gone));
	iop_port_set_removed(iop_port_get(gone));
	assert_true(iop_port_is_removed(gone));
	assert_false(iop_port_is_removed(other));
	/* its bursts stop at once, with no check in the driver's burst: rx
	 * gives nothing, tx hands every frame back (tx_full) */
	assert_int_equal(iop_port_rx_burst(gone, 0, m, 8), 0);
	assert_int_equal(iop_port_rx_burst(other, 0, m, 8), 8);
	assert_int_equal(iop_port_tx_burst(gone, 0, m, 8), 0);
	rte_pktmbuf_free_bulk(m, 8);
	/* the final counters stay readable until the port is closed */
	assert_int_equal(iop_port_stats_get(gone, &st), 0);
	assert_int_equal(st.rx_packets, 8);
	assert_int_equal(st.tx_full, 8);
	assert_int_equal(iop_port_stop(gone), 0);
	assert_int_equal(iop_port_start(gone), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "removed"));
	assert_true(iop_port_is_started(other));
	iop_port_close(gone);
	assert_false(iop_port_is_removed(gone));
	assert_false(iop_port_is_valid(gone));
	assert_false(iop_port_is_removed(IOP_PORT_MAX));
	/* the id is reused for a port whose device is there */
	assert_int_equal(iop_port_open("null", &again), 0);
	assert_int_equal(again, gone);
	assert_false(iop_port_is_removed(again));
}

struct removal_seen {
	unsigned int calls;
	uint16_t port;
	bool removed_then, bursts_idle_then;
};

static void note_removal(uint16_t port, void *arg)
{
	struct removal_seen *seen = arg;
	struct rte_mbuf *m[4];

	seen->calls++;
	seen->port = port;
	seen->removed_then = iop_port_is_removed(port);
	seen->bursts_idle_then = iop_port_rx_burst(port, 0, m, 4) == 0;
}

/* A framework holding copies of the bursts (net_iop) learns of a removal
 * in the same moment, once iopath's own table is idle; a replaced or
 * cleared hook is not called, and a new port on the same id has none. */
static void removal_hook_runs_once_after_the_bursts_went_idle(void **state)
{
	struct removal_seen first = { 0 }, second = { 0 };
	uint16_t gone, cleared, again;

	(void)state;
	gone = null_port("null:size=64", 1);
	cleared = null_port("null:size=64", 1);
	assert_int_equal(iop_port_on_removal(IOP_PORT_MAX, note_removal, &first), -ENODEV);
	assert_int_equal(iop_port_on_removal(gone, note_removal, &first), 0);
	assert_int_equal(iop_port_on_removal(gone, note_removal, &second), 0);
	assert_int_equal(iop_port_on_removal(cleared, note_removal, &first), 0);
	assert_int_equal(iop_port_on_removal(cleared, NULL, NULL), 0);
	iop_port_set_removed(iop_port_get(cleared));
	assert_int_equal(first.calls, 0);
	iop_port_set_removed(iop_port_get(gone));
	assert_int_equal(first.calls, 0);
	assert_int_equal(second.calls, 1);
	assert_int_equal(second.port, gone);
	assert_true(second.removed_then);
	assert_true(second.bursts_idle_then);
	iop_port_close(gone);
	assert_int_equal(iop_port_open("null", &again), 0);
	assert_int_equal(again, gone);
	iop_port_set_removed(iop_port_get(again));
	assert_int_equal(second.calls, 1);
}

static void link_mac_and_promiscuous_mode(void **state)
{
	struct rte_ether_addr mac;
	struct iop_port_link link;
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_link_get(p, &link), 0);
	assert_true(link.up);
	assert_int_equal(iop_port_mac_get(p, &mac), 0);
	assert_true(rte_is_unicast_ether_addr(&mac) && rte_is_local_admin_ether_addr(&mac));
	assert_false(iop_port_promisc_get(p));
	assert_int_equal(iop_port_promisc_set(p, true), 0);
	assert_true(iop_port_promisc_get(p));
	assert_null(iop_port_dev(p));
}

static void drop_reasons_have_names(void **state)
{
	(void)state;
	for (int r = 0; r < IOP_DROP_MAX; r++)
		assert_non_null(iop_drop_name((enum iop_drop)r));
	assert_null(iop_drop_name(IOP_DROP_MAX));
	assert_string_equal(iop_drop_name(IOP_DROP_RX_DMA_FAULT), "rx_dma_fault");
}

/* The bridge's "out" equation sums exactly the reasons iop_drop_is_tx
 * names: each reason is rx or tx by its name. */
static void drop_reasons_are_rx_or_tx_by_name(void **state)
{
	(void)state;
	for (int r = 0; r < IOP_DROP_MAX; r++) {
		const char *n = iop_drop_name((enum iop_drop)r);

		assert_int_equal(iop_drop_is_tx((enum iop_drop)r), strncmp(n, "tx_", 3) == 0);
		assert_true(strncmp(n, "tx_", 3) == 0 || strncmp(n, "rx_", 3) == 0);
	}
	assert_string_equal(iop_drop_name(IOP_DROP_TX_REFUSED), "tx_refused");
	assert_string_equal(iop_drop_name(IOP_DROP_TX_LINK_DROPPED), "tx_link_dropped");
	assert_false(iop_drop_is_tx(IOP_DROP_MAX));
}

#define T(f) cmocka_unit_test_teardown(f, port_fixture_close_ports)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_unknown_type_is_einval_listing_types),
		T(open_unknown_key_is_einval_listing_keys),
		T(configure_more_queues_than_driver_supports_is_einval),
		T(queue_setup_needs_power_of_two_descriptors_in_range),
		T(start_before_every_queue_is_set_up_is_einval),
		T(configure_while_started_is_ebusy),
		T(burst_on_stopped_port_returns_zero),
		T(null_rx_gives_frames_of_size_and_counts_them_per_queue),
		T(null_tx_frees_every_frame),
		T(null_rx_with_empty_pool_counts_nombuf),
		T(null_size_beyond_mbuf_room_is_einval),
		T(stats_reset_starts_counting_from_zero),
		T(closed_port_id_is_invalid_then_reused),
		T(removed_port_keeps_its_counters_refuses_start_until_closed),
	T(removal_hook_runs_once_after_the_bursts_went_idle),
		T(link_mac_and_promiscuous_mode),
		T(drop_reasons_have_names),
		T(drop_reasons_are_rx_or_tx_by_name),
	};

	return cmocka_run_group_tests(tests, eal_up, port_fixture_group_fini);
}
