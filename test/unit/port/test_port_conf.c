/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration rule of lib/port (port_conf.c) on null ports, a driver
 * that declares no offload, RSS or jumbo frames: anything beyond queues is
 * refused with one message naming the capability, and a refused
 * configuration leaves the port as it was. The flag values and names are
 * checked against ethdev's own (rte_ethdev.h, rte_eth_dev_*_offload_name).
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "iop_log.h"
#include "iop_port.h"
#include "port_driver.h"
#include "port_fixture.h"

static struct rte_mempool *pool;

static int eal_up(void **state)
{
	(void)state;
	return port_fixture_eal_init("test_port_conf", 1023, &pool);
}

static void expect_refused(uint16_t p, const struct iop_port_conf *c, int err, const char *msg)
{
	assert_int_equal(iop_port_configure(p, c), err);
	if (!strstr(iop_err_msg(), msg))
		fail_msg("message '%s' lacks '%s'", iop_err_msg(), msg);
}

static void driver_without_capabilities_refuses_all_but_queues_naming_the_capability(void **state)
{
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1 };
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, NULL), -EINVAL);
	c.rx_offloads = IOP_PORT_RX_OFFLOAD_IPV4_CKSUM;
	expect_refused(p, &c, -ENOTSUP, "rx offload ipv4_cksum: driver null does not do it (it does: none)");
	c.rx_offloads = IOP_PORT_RX_OFFLOAD_SCATTER;
	expect_refused(p, &c, -ENOTSUP, "rx offload scatter: driver null does not do it");
	c.rx_offloads = UINT64_C(1) << 40;
	expect_refused(p, &c, -ENOTSUP, "unknown rx offload flag 0x10000000000");
	c.rx_offloads = 0;
	c.tx_offloads = IOP_PORT_TX_OFFLOAD_TCP_TSO | IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
	expect_refused(p, &c, -ENOTSUP, "tx offload tcp_tso: driver null does not do it (it does: multi_segs)");
	c.tx_offloads = 0;
	c.rss.hash_types = IOP_PORT_RSS_IPV4;
	expect_refused(p, &c, -ENOTSUP, "RSS: driver null does not do it");
	c.rss.hash_types = 0;
	c.rss.reta_size = 128;
	expect_refused(p, &c, -ENOTSUP, "RSS: driver null does not do it");
	c.rss.reta_size = 0;
	c.mtu = 1501;
	expect_refused(p, &c, -ENOTSUP, "jumbo frames (MTU 1501): driver null does not do them");
	c.mtu = 1500;
	c.tx_offloads = IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
	assert_int_equal(iop_port_configure(p, &c), 0);
}

static void refused_configuration_leaves_a_new_port_unconfigured(void **state)
{
	struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1, .rx_offloads = IOP_PORT_RX_OFFLOAD_RSS_HASH };
	struct iop_port_conf cur;
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &c), -ENOTSUP);
	assert_int_equal(iop_port_conf_get(p, &cur), -EINVAL);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, pool), -EBUSY);
	assert_int_equal(iop_port_start(p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "configure it before starting it"));
}

static void refused_configuration_keeps_the_previous_one_and_its_queues(void **state)
{
	struct iop_port_conf good = { .nb_rxq = 2, .nb_txq = 2 };
	struct iop_port_conf bad = { .nb_rxq = 1, .nb_txq = 1, .mtu = 9000 };
	struct iop_port_conf cur;
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &good), 0);
	for (uint16_t q = 0; q < 2; q++) {
		assert_int_equal(iop_port_rx_queue_setup(p, q, 64, pool), 0);
		assert_int_equal(iop_port_tx_queue_setup(p, q, 64), 0);
	}
	assert_int_equal(iop_port_configure(p, &bad), -ENOTSUP);
	assert_int_equal(iop_port_conf_get(p, &cur), 0);
	assert_int_equal(cur.nb_rxq, 2);
	assert_int_equal(cur.mtu, 1500);
	assert_int_equal(iop_port_start(p), 0);
}

static void defaults_resolve_to_mtu_1500_and_rss_off(void **state)
{
	struct iop_port_conf cur;
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 3, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_conf_get(p, &cur), 0);
	assert_int_equal(cur.nb_rxq, 3);
	assert_int_equal(cur.mtu, IOP_PORT_MTU_DEFAULT);
	assert_int_equal(cur.rss.hash_types, 0);
	assert_int_equal(cur.rss.reta_size, 0);
	assert_int_equal(cur.rx_offloads, 0);
}

static void rss_update_on_a_driver_without_rss_is_enotsup(void **state)
{
	struct iop_port_rss_conf rss = { .hash_types = IOP_PORT_RSS_IPV4 };
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_rss_update(p, &rss), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "configure it before changing RSS"));
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rss_update(p, &rss), -ENOTSUP);
	assert_non_null(strstr(iop_err_msg(), "RSS: driver null does not do it"));
}

/* A driver with a redirection table set only at configure (no rss_update). */
static void fixedrss_info(struct iop_port *port, struct iop_port_info *info)
{
	(void)port;
	info->driver = "fixedrss";
	info->max_rx_queues = info->max_tx_queues = 2;
	info->rss_hash_types = IOP_PORT_RSS_IPV4;
	info->rss_key_size = 40;
	info->reta_size = 128;
}

static int fixedrss_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	(void)port;
	(void)spec;
	return 0;
}

static void fixedrss_close(struct iop_port *port)
{
	(void)port;
}

static const struct iop_port_ops fixedrss_ops = {
	.info_get = fixedrss_info,
	.close = fixedrss_close,
};

static struct iop_port_driver fixedrss_driver = {
	.name = "fixedrss",
	.probe = fixedrss_probe,
	.ops = &fixedrss_ops,
};

IOP_PORT_DRIVER_REGISTER(fixedrss_driver)

/* The one refusal (iop_port_rss_update_refused), which the pci port type
 * also gives for a PMD without rss_update: valid settings, -ENOTSUP, and
 * the message says to configure the port again. */
static void rss_update_on_a_driver_that_sets_rss_only_at_configure_says_configure_again(void **state)
{
	struct iop_port_rss_conf rss = { .hash_types = IOP_PORT_RSS_IPV4 };
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("fixedrss", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){
		.nb_rxq = 2, .nb_txq = 2, .rss = rss }), 0);
	assert_int_equal(iop_port_rss_update(p, &rss), -ENOTSUP);
	assert_non_null(strstr(iop_err_msg(), "driver fixedrss cannot change RSS of a configured port: configure it again"));
}

/* ethdev's values and names, so an rte_eth_conf maps onto the port's as is */
static void flags_have_ethdev_values_and_names(void **state)
{
	static const struct { uint64_t iop, eth; } rx[] = {
		{ IOP_PORT_RX_OFFLOAD_VLAN_STRIP, RTE_ETH_RX_OFFLOAD_VLAN_STRIP },
		{ IOP_PORT_RX_OFFLOAD_IPV4_CKSUM, RTE_ETH_RX_OFFLOAD_IPV4_CKSUM },
		{ IOP_PORT_RX_OFFLOAD_UDP_CKSUM, RTE_ETH_RX_OFFLOAD_UDP_CKSUM },
		{ IOP_PORT_RX_OFFLOAD_TCP_CKSUM, RTE_ETH_RX_OFFLOAD_TCP_CKSUM },
		{ IOP_PORT_RX_OFFLOAD_SCATTER, RTE_ETH_RX_OFFLOAD_SCATTER },
		{ IOP_PORT_RX_OFFLOAD_RSS_HASH, RTE_ETH_RX_OFFLOAD_RSS_HASH },
	}, tx[] = {
		{ IOP_PORT_TX_OFFLOAD_VLAN_INSERT, RTE_ETH_TX_OFFLOAD_VLAN_INSERT },
		{ IOP_PORT_TX_OFFLOAD_IPV4_CKSUM, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM },
		{ IOP_PORT_TX_OFFLOAD_UDP_CKSUM, RTE_ETH_TX_OFFLOAD_UDP_CKSUM },
		{ IOP_PORT_TX_OFFLOAD_TCP_CKSUM, RTE_ETH_TX_OFFLOAD_TCP_CKSUM },
		{ IOP_PORT_TX_OFFLOAD_TCP_TSO, RTE_ETH_TX_OFFLOAD_TCP_TSO },
		{ IOP_PORT_TX_OFFLOAD_MULTI_SEGS, RTE_ETH_TX_OFFLOAD_MULTI_SEGS },
	}, rss[] = {
		{ IOP_PORT_RSS_IPV4, RTE_ETH_RSS_IPV4 },
		{ IOP_PORT_RSS_FRAG_IPV4, RTE_ETH_RSS_FRAG_IPV4 },
		{ IOP_PORT_RSS_NONFRAG_IPV4_TCP, RTE_ETH_RSS_NONFRAG_IPV4_TCP },
		{ IOP_PORT_RSS_NONFRAG_IPV4_UDP, RTE_ETH_RSS_NONFRAG_IPV4_UDP },
		{ IOP_PORT_RSS_NONFRAG_IPV4_OTHER, RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
		{ IOP_PORT_RSS_IPV6, RTE_ETH_RSS_IPV6 },
		{ IOP_PORT_RSS_FRAG_IPV6, RTE_ETH_RSS_FRAG_IPV6 },
		{ IOP_PORT_RSS_NONFRAG_IPV6_TCP, RTE_ETH_RSS_NONFRAG_IPV6_TCP },
		{ IOP_PORT_RSS_NONFRAG_IPV6_UDP, RTE_ETH_RSS_NONFRAG_IPV6_UDP },
		{ IOP_PORT_RSS_NONFRAG_IPV6_OTHER, RTE_ETH_RSS_NONFRAG_IPV6_OTHER },
	};
	char lower[64];

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(rx); i++) {
		assert_int_equal(rx[i].iop, rx[i].eth);
		snprintf(lower, sizeof(lower), "%s", rte_eth_dev_rx_offload_name(rx[i].eth));
		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		assert_string_equal(iop_port_rx_offload_name(rx[i].iop), lower);
	}
	for (unsigned int i = 0; i < RTE_DIM(tx); i++) {
		assert_int_equal(tx[i].iop, tx[i].eth);
		snprintf(lower, sizeof(lower), "%s", rte_eth_dev_tx_offload_name(tx[i].eth));
		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		assert_string_equal(iop_port_tx_offload_name(tx[i].iop), lower);
	}
	for (unsigned int i = 0; i < RTE_DIM(rss); i++) {
		assert_int_equal(rss[i].iop, rss[i].eth);
		assert_non_null(iop_port_rss_type_name(rss[i].iop));
	}
	assert_null(iop_port_rx_offload_name(UINT64_C(1) << 40));
}

/* The rule of lib/port's rx queue setup: without rx scatter, a frame of
 * the MTU (its header and a tag, MTU + 18) must fit one mbuf after its
 * headroom. A null port (MTU 1500, no scatter) with mbufs of 1517 bytes
 * is refused in one line naming the MTU, the buffer and the fix, and sets
 * no queue up; 1518 bytes are enough. */
static void mtu_over_one_mbuf_without_scatter_is_refused_at_rx_queue_setup_naming_the_fix(void **state)
{
	struct rte_mempool *short_by_one = rte_pktmbuf_pool_create("conf_short", 63, 0, 0,
								   RTE_PKTMBUF_HEADROOM + 1517, 0);
	struct rte_mempool *just = rte_pktmbuf_pool_create("conf_just", 63, 0, 0,
							   RTE_PKTMBUF_HEADROOM + 1518, 0);
	const struct iop_port_conf c = { .nb_rxq = 1, .nb_txq = 1 };
	uint16_t p;

	(void)state;
	assert_non_null(short_by_one);
	assert_non_null(just);
	assert_int_equal(iop_port_open("null", &p), 0);
	assert_int_equal(iop_port_configure(p, &c), 0);
	assert_int_equal(iop_port_mtu_one_mbuf(p, short_by_one), 1499);
	assert_int_equal(iop_port_mtu_one_mbuf(p, just), 1500);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, short_by_one), -EINVAL);
	if (!strstr(iop_err_msg(), "rx queue 0: MTU 1500 makes frames of up to 1518 bytes, but one mbuf of pool conf_short takes 1517 here") ||
	    !strstr(iop_err_msg(), "rx scatter is off: configure rx offload scatter, or give a pool whose data room is at least 1646") ||
	    strchr(iop_err_msg(), '\n'))
		fail_msg("message: %s", iop_err_msg());
	assert_int_equal(iop_port_tx_queue_setup(p, 0, 64), 0);
	assert_int_equal(iop_port_start(p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "rx queue 0 is not set up"));
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, just), 0);
	assert_int_equal(iop_port_start(p), 0);
	iop_port_close(p);
	rte_mempool_free(short_by_one);
	rte_mempool_free(just);
}

#define T(f) cmocka_unit_test_teardown(f, port_fixture_close_ports)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(driver_without_capabilities_refuses_all_but_queues_naming_the_capability),
		T(refused_configuration_leaves_a_new_port_unconfigured),
		T(refused_configuration_keeps_the_previous_one_and_its_queues),
		T(defaults_resolve_to_mtu_1500_and_rss_off),
		T(rss_update_on_a_driver_that_sets_rss_only_at_configure_says_configure_again),
		T(rss_update_on_a_driver_without_rss_is_enotsup),
		T(flags_have_ethdev_values_and_names),
		T(mtu_over_one_mbuf_without_scatter_is_refused_at_rx_queue_setup_naming_the_fix),
	};

	return cmocka_run_group_tests(tests, eal_up, port_fixture_group_fini);
}
