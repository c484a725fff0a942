/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim PMD and its device model on the pair and gen wires, over the sim
 * IOMMU (topology: sim_window.topo, given as argv[1]). EAL without
 * hugepages.
 */
/* rte_pktmbuf_pool_create_extbuf() is experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "port_fixture.h"
#include "port_traffic.h"
#include "iop_init.h"
#include "iop_log.h"
#include "iop_port.h"
#include "iop_sim.h"

static const char *topology;
static struct rte_mempool *pool;

static int init(void **state)
{
	(void)state;
	return port_fixture_init("test_sim_pmd", topology, NULL, 2047, &pool);
}

/* Ports 0 and 1 back to back, one queue each way of 64 descriptors and
 * the largest MTU, started; extra0/extra1 add keys to their specs, port 1
 * takes its rx buffers from mp1. */
static void pair(const char *extra0, const char *extra1, struct rte_mempool *mp1)
{
	traffic_pair((const char *const[]){extra0, extra1},
		     (const struct iop_port_conf *const[]){NULL, NULL}, 64,
		     (struct rte_mempool *const[]){pool, mp1});
}

static struct rte_mbuf *frame(uint16_t len, uint32_t seq)
{
	return traffic_frame(pool, len, seq);
}

/* The value of the xstat called name on port p (fails the test if absent). */
static uint64_t xstat(uint16_t p, const char *name)
{
	struct iop_port_xstat_name names[256];
	uint64_t values[256];
	int n = iop_port_xstats_get_names(p, names, 256);

	assert_true(n > 0 && n <= 256);
	assert_int_equal(iop_port_xstats_get(p, values, 256), n);
	for (int i = 0; i < n; i++)
		if (strcmp(names[i].name, name) == 0)
			return values[i];
	fail_msg("port %u has no xstat %s", p, name);
	return 0;
}

static void pair_frames_arrive_byte_identical(void **state)
{
	static const uint16_t len[] = {60, 1000, 1514, 2048};
	struct rte_mbuf *tx[4], *rx[8];
	struct iop_port_stats st;

	(void)state;
	pair("", "", pool);
	for (int i = 0; i < 4; i++)
		tx[i] = frame(len[i], (uint32_t)i);
	assert_int_equal(iop_port_tx_burst(0, 0, tx, 4), 4);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 8), 4);
	for (int i = 0; i < 4; i++) {
		assert_true(traffic_frame_is(rx[i], len[i], (uint32_t)i));
		assert_int_equal(rx[i]->port, 1);
	}
	rte_pktmbuf_free_bulk(rx, 4);
	assert_int_equal(iop_port_stats_get(0, &st), 0);
	assert_int_equal(st.tx_packets, 4);
	assert_int_equal(st.tx_bytes, 60 + 1000 + 1514 + 2048);
	assert_int_equal(iop_port_stats_get(1, &st), 0);
	assert_int_equal(st.rx_packets, 4);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.dma_faults, 0);
}

static void pair_ports_use_iovas_not_vas(void **state)
{
	struct iop_sim_faults f;
	struct rte_mbuf *m = NULL, *rx[2];

	(void)state;
	/* the window starts at 2^59: a VA posted as IOVA would fault */
	pair("", "", pool);
	m = frame(100, 9);
	assert_int_equal(iop_port_tx_burst(0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 2), 1);
	rte_pktmbuf_free(rx[0]);
	assert_int_equal(iop_sim_dev_faults(iop_port_dev(0), &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(iop_sim_dev_faults(iop_port_dev(1), &f), 0);
	assert_int_equal(f.count, 0);
}

/* Sends bursts of 32 frames on port 0 until one is short (the peer,
 * which never polls, is full); frees what the bursts hand back. Returns
 * how many frames port 0 took; *back gets how many it handed back. */
static uint32_t send_until_peer_full(uint64_t *back)
{
	struct rte_mbuf *m[32];
	uint32_t taken = 0;
	uint16_t n;

	*back = 0;
	do {
		for (int i = 0; i < 32; i++)
			m[i] = frame(64, 0);
		n = iop_port_tx_burst(0, 0, m, 32);
		taken += n;
		*back += 32u - n;
		rte_pktmbuf_free_bulk(&m[n], 32u - n);
	} while (n == 32);
	return taken;
}

static void pair_full_peer_inbox_takes_fewer_frames(void **state)
{
	struct rte_mbuf *m[1];
	uint64_t back;

	(void)state;
	pair("", "", pool);
	/* port 1 never polls: its inbox (1024 frames) fills, then port 0
	 * takes nothing more and the caller keeps the rest */
	assert_int_equal(send_until_peer_full(&back), 1024);
	assert_int_equal(iop_port_tx_burst(0, 0, m, 0), 0);
}

/* Port 1's MTU is the most its 128-byte buffers hold (110 and a tagged
 * header); a 200-byte frame from port 0 still reaches its rx and is
 * dropped there, a 124-byte one (the MTU's untagged frame) arrives. */
static void frame_longer_than_rx_buffer_is_counted_drop(void **state)
{
	struct rte_mempool *small = rte_pktmbuf_pool_create("test_small", 255, 0, 0,
							     RTE_PKTMBUF_HEADROOM + 128, 0);
	const struct iop_port_conf small_mtu = { .nb_rxq = 1, .nb_txq = 1, .mtu = 110 };
	struct rte_mbuf *tx[2], *rx[4];
	struct iop_port_stats st;

	(void)state;
	assert_non_null(small);
	traffic_pair((const char *const[]){"", ""},
		     (const struct iop_port_conf *const[]){NULL, &small_mtu}, 64,
		     (struct rte_mempool *const[]){pool, small});
	tx[0] = frame(200, 1);
	tx[1] = frame(124, 2);
	assert_int_equal(iop_port_tx_burst(0, 0, tx, 2), 2);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 4), 1);
	assert_true(traffic_frame_is(rx[0], 124, 2));
	rte_pktmbuf_free(rx[0]);
	assert_int_equal(iop_port_stats_get(1, &st), 0);
	assert_int_equal(st.drops[IOP_DROP_RX_OVERSIZE], 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.rx_packets, 1);
	iop_port_close_all();
	rte_mempool_free(small);
}

static void fill_canary(struct rte_mempool *mp, void *opaque, void *obj, unsigned int i)
{
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)opaque;
	(void)i;
	memset((uint8_t *)m->buf_addr, 0xa5, m->buf_len);
}

static void count_touched(struct rte_mempool *mp, void *opaque, void *obj, unsigned int i)
{
	struct rte_mbuf *m = obj;
	const uint8_t *d = m->buf_addr;

	(void)mp;
	(void)i;
	for (uint16_t k = RTE_PKTMBUF_HEADROOM; k < m->buf_len; k++) {
		if (d[k] != 0xa5) {
			(*(unsigned int *)opaque)++;
			return;
		}
	}
}

static void rx_buffer_with_bad_iova_faults_and_is_never_written(void **state)
{
	struct rte_mempool *rxpool = rte_pktmbuf_pool_create("test_rx_canary", 255, 0, 0,
							      RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct rte_mbuf *m, *rx[4];
	struct iop_port_stats st;
	struct iop_sim_faults f;
	unsigned int touched = 0;

	(void)state;
	assert_non_null(rxpool);
	rte_mempool_obj_iter(rxpool, fill_canary, NULL);
	/* iova=mbuf posts DPDK's buf_iova (= VA here): not an IOVA of the
	 * window, so the device's write is an IOMMU fault */
	pair("", ",iova=mbuf", rxpool);
	m = frame(300, 3);
	assert_int_equal(iop_port_tx_burst(0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 4), 0);
	assert_int_equal(iop_port_stats_get(1, &st), 0);
	assert_int_equal(st.drops[IOP_DROP_RX_DMA_FAULT], 1);
	assert_int_equal(st.dma_faults, 1);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(iop_sim_dev_faults(iop_port_dev(1), &f), 0);
	assert_int_equal(f.count, 1);
	assert_true(f.last_iova < 0x800000000000000ull);
	iop_port_close_all();
	rte_mempool_obj_iter(rxpool, count_touched, &touched);
	assert_int_equal(touched, 0);
	rte_mempool_free(rxpool);
}

static void tx_buffer_with_bad_iova_faults_and_is_counted(void **state)
{
	struct rte_mbuf *m, *rx[4];
	struct iop_port_stats st;
	struct iop_sim_faults f;

	(void)state;
	pair(",iova=mbuf", "", pool);
	m = frame(300, 4);
	assert_int_equal(iop_port_tx_burst(0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 4), 0);
	assert_int_equal(iop_port_stats_get(0, &st), 0);
	assert_int_equal(st.drops[IOP_DROP_TX_DMA_FAULT], 1);
	assert_int_equal(st.tx_packets, 0);
	assert_int_equal(st.dma_faults, 1);
	assert_int_equal(iop_sim_dev_faults(iop_port_dev(0), &f), 0);
	assert_int_equal(f.count, 1);
}

static void ext_free(void *addr, void *opaque)
{
	(void)opaque;
	free(addr);
}

static void tx_buffer_outside_every_ioas_is_counted_drop(void **state)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	uint16_t len = 512;
	uint8_t *ext = calloc(1, len + sizeof(*shinfo) + 64);
	struct rte_mbuf *m, *rx[4];
	struct iop_port_stats st;

	(void)state;
	/* a buffer from malloc: no IOAS maps it, the cache says POISON */
	assert_non_null(ext);
	pair("", "", pool);
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(ext, &len, ext_free, NULL);
	assert_non_null(shinfo);
	m = rte_pktmbuf_alloc(pool);
	rte_pktmbuf_attach_extbuf(m, ext, 0, len, shinfo);
	assert_non_null(rte_pktmbuf_append(m, 100));
	assert_int_equal(iop_port_tx_burst(0, 0, &m, 1), 1);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 4), 0);
	assert_int_equal(iop_port_stats_get(0, &st), 0);
	assert_int_equal(st.drops[IOP_DROP_TX_UNMAPPED], 1);
	assert_int_equal(st.dma_faults, 0);
	assert_int_equal(xstat(0, "iova_cache_poison"), 1);
	assert_int_equal(xstat(0, "tx_unmapped"), 1);
	assert_int_equal(xstat(0, "tx_errors"), 1);
}

static void gen_wire_delivers_ipv4_frames_of_its_size(void **state)
{
	struct rte_mbuf *rx[32];
	uint16_t p;

	(void)state;
	p = traffic_port("sim:wire=gen,size=128", NULL, 64, pool);
	assert_int_equal(iop_port_start(p), 0);
	assert_int_equal(iop_port_rx_burst(p, 0, rx, 32), 32);
	for (int i = 0; i < 32; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(rx[i], const struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

		assert_int_equal(rx[i]->pkt_len, 128);
		assert_int_equal(eth->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
		assert_int_equal(rte_ipv4_cksum(ip), 0); /* checksum over a valid header */
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), 128 - RTE_ETHER_HDR_LEN);
	}
	/* and the sink takes all of them back */
	assert_int_equal(iop_port_tx_burst(p, 0, rx, 32), 32);
}

static void sim_spec_errors_are_einval_or_enodev(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("sim", &p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "sim ports need wire=pair|af_packet|gen"));
	assert_int_equal(iop_port_open("sim:wire=coax", &p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "unknown wire 'coax'"));
	assert_int_equal(iop_port_open("sim:wire=gen,iface=eth0", &p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "key 'iface' does not apply to wire=gen"));
	assert_int_equal(iop_port_open("sim:wire=gen,iova=virt", &p), -EINVAL);
	assert_int_equal(iop_port_open("sim:wire=gen,size=20", &p), -EINVAL);
	assert_int_equal(iop_port_open("sim:wire=pair", &p), -EINVAL);
	assert_int_equal(iop_port_open("sim:wire=af_packet", &p), -EINVAL);
	assert_int_equal(iop_port_open("sim:wire=af_packet,iface=iopnosuch0", &p), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "no interface 'iopnosuch0'"));
	assert_int_equal(iop_port_open("sim:wire=gen,dev=0000:09:00.0", &p), -ENODEV);
	assert_int_equal(iop_port_count(), 0);
}

static void failed_open_releases_the_device(void **state)
{
	struct iop_sim_counters before, after;
	uint16_t p;

	(void)state;
	iop_sim_counters(&before);
	assert_int_equal(iop_port_open("sim:wire=gen,dev=0000:00:01.0,size=20", &p), -EINVAL);
	assert_int_equal(iop_port_open("sim:wire=af_packet,iface=iopnosuch0,dev=0000:00:01.0", &p), -ENODEV);
	iop_sim_counters(&after);
	assert_int_equal(after.open_fds, before.open_fds);
	assert_int_equal(after.mappings, before.mappings);
	/* and the device is free for the next port */
	assert_int_equal(iop_port_open("sim:wire=gen,dev=0000:00:01.0", &p), 0);
}

static void closed_ports_leave_nothing_mapped(void **state)
{
	struct iop_sim_counters before, after;
	struct rte_mbuf *rx[8];

	(void)state;
	iop_sim_counters(&before);
	pair("", "", pool);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 8), 0);
	iop_port_close_all();
	iop_sim_counters(&after);
	assert_int_equal(after.mappings, before.mappings);
	assert_int_equal(after.pinned_pages, before.pinned_pages);
	assert_int_equal(after.open_fds, before.open_fds);
}

static void pair_peer_must_be_a_pair_port_pointing_back(void **state)
{
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("sim:wire=pair,peer=1", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, pool), 0);
	assert_int_equal(iop_port_tx_queue_setup(p, 0, 64), 0);
	assert_int_equal(iop_port_start(p), -ENOTCONN);
	assert_non_null(strstr(iop_err_msg(), "its pair peer port 1 is not open"));
	assert_int_equal(iop_port_open("sim:wire=gen", &p), 0);
	assert_int_equal(iop_port_open("sim:wire=pair,peer=1", &p), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "peer port 1 is not sim:wire=pair,peer=2"));
	assert_int_equal(iop_port_open("sim:wire=pair,peer=2", &p), -EINVAL);
}

static void more_sim_ports_than_devices_is_enodev(void **state)
{
	uint16_t p;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(iop_port_open("sim:wire=gen", &p), 0);
	assert_int_equal(iop_port_open("sim:wire=gen", &p), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "every type=sim device of the sim topology is in use"));
}

static void sim_rx_pool_smaller_than_ring_is_einval(void **state)
{
	struct rte_mempool *tiny = rte_pktmbuf_pool_create("test_tiny", 31, 0, 0,
							    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	uint16_t p;

	(void)state;
	assert_int_equal(iop_port_open("sim:wire=gen", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, tiny), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "has 31 mbufs, fewer than the 64 rx descriptors"));
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 9, .nb_txq = 9 }), -EINVAL);
	iop_port_close(p);
	rte_mempool_free(tiny);
}

/* The rx refill takes a buffer's address from its mbuf's (and the pool's
 * header): a pool whose buffers are elsewhere is refused by name. */
static void sim_rx_pool_of_pinned_external_buffers_is_einval(void **state)
{
	struct rte_pktmbuf_extmem ext = { .elt_size = RTE_MBUF_DEFAULT_BUF_SIZE };
	struct rte_mempool *xp;
	uint16_t p;

	(void)state;
	ext.buf_len = 128 * RTE_MBUF_DEFAULT_BUF_SIZE;
	ext.buf_ptr = rte_malloc(NULL, ext.buf_len, 4096);
	assert_non_null(ext.buf_ptr);
	ext.buf_iova = rte_malloc_virt2iova(ext.buf_ptr);
	xp = rte_pktmbuf_pool_create_extbuf("test_sim_ext", 127, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY, &ext, 1);
	assert_non_null(xp);
	assert_int_equal(iop_port_open("sim:wire=gen", &p), 0);
	assert_int_equal(iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0);
	assert_int_equal(iop_port_rx_queue_setup(p, 0, 64, xp), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "pinned external buffers"));
	iop_port_close(p);
	rte_mempool_free(xp);
	rte_free(ext.buf_ptr);
}

/* rx rearms a buffer with a template of stores, not a reset: whatever the
 * frame's last user left in the fields the template does not write must
 * not show in the next frame. A pool of 96 for a ring of 64, ten rounds
 * of 32 frames: every buffer comes back several times. */
static void rx_buffers_come_back_clean_whatever_their_last_user_left(void **state)
{
	struct rte_mempool *mp1 = rte_pktmbuf_pool_create("test_rearm", 96, 0, 0,
							   RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct rte_mbuf *tx[32], *rx[32];
	uint32_t seq = 0;

	(void)state;
	assert_non_null(mp1);
	pair("", "", mp1);
	for (int round = 0; round < 10; round++) {
		uint16_t got = 0;

		for (int i = 0; i < 32; i++)
			tx[i] = frame(100, seq + (uint32_t)i);
		assert_int_equal(iop_port_tx_burst(0, 0, tx, 32), 32);
		for (int tries = 0; got < 32 && tries < 8; tries++)
			got = (uint16_t)(got + iop_port_rx_burst(1, 0, &rx[got], (uint16_t)(32 - got)));
		assert_int_equal(got, 32);
		for (int i = 0; i < 32; i++) {
			struct rte_mbuf *m = rx[i];

			assert_ptr_equal(m->pool, mp1);
			assert_true(traffic_frame_is(m, 100, seq + (uint32_t)i));
			assert_int_equal(m->data_off, RTE_PKTMBUF_HEADROOM);
			assert_int_equal(m->ol_flags, 0);
			assert_int_equal(m->packet_type, 0);
			assert_int_equal(m->port, 1);
			assert_int_equal(m->nb_segs, 1);
			assert_null(m->next);
			assert_int_equal(rte_mbuf_refcnt_read(m), 1);
			/* what an application may leave behind */
			rte_pktmbuf_adj(m, 14);
			m->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_RX_RSS_HASH;
			m->packet_type = RTE_PTYPE_L2_ETHER;
			m->port = 7;
		}
		rte_pktmbuf_free_bulk(rx, 32);
		seq += 32;
	}
	iop_port_close_all();
	rte_mempool_free(mp1);
}

/* Frames of one segment take a descriptor each: a burst longer than the
 * ring takes what fits (one descriptor stays empty) and hands back the
 * rest; every frame taken arrives. */
static void tx_burst_takes_no_more_frames_than_free_descriptors(void **state)
{
	struct rte_mbuf *tx[100], *rx[64];
	uint16_t got = 0;

	(void)state;
	pair("", "", pool);
	for (int i = 0; i < 100; i++)
		tx[i] = frame(64, (uint32_t)i);
	assert_int_equal(iop_port_tx_burst(0, 0, tx, 100), 63);
	rte_pktmbuf_free_bulk(&tx[63], 37);
	for (int tries = 0; got < 63 && tries < 8; tries++)
		got = (uint16_t)(got + iop_port_rx_burst(1, 0, &rx[got], (uint16_t)(64 - got)));
	assert_int_equal(got, 63);
	for (int i = 0; i < 63; i++)
		assert_true(traffic_frame_is(rx[i], 64, (uint32_t)i));
	rte_pktmbuf_free_bulk(rx, 63);
}

static void xstats_names_are_ethdev_s_and_a_short_array_gets_the_count(void **state)
{
	static const char *const first[] = {
		"rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes",
		"rx_missed_errors", "rx_errors", "tx_errors", "rx_mbuf_allocation_errors",
		"rx_q0_packets", "rx_q0_bytes", "tx_q0_packets", "tx_q0_bytes",
	};
	struct iop_port_xstat_name names[64] = { 0 };
	uint64_t values[2];
	int n;

	(void)state;
	pair("", "", pool);
	n = iop_port_xstats_get_names(0, NULL, 0);
	assert_true(n > 12 && n <= 64);
	/* too short: the count, and only what fits is written */
	assert_int_equal(iop_port_xstats_get_names(0, names, 2), n);
	assert_string_equal(names[1].name, "tx_good_packets");
	assert_string_equal(names[2].name, "");
	assert_int_equal(iop_port_xstats_get(0, values, 2), n);
	assert_int_equal(iop_port_xstats_get_names(0, names, 64), n);
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		assert_string_equal(names[i].name, first[i]);
	assert_int_equal(iop_port_xstats_get_names(31, names, 64), -ENODEV);
	assert_int_equal(iop_port_xstats_get_names(0, NULL, 5), -EINVAL);
}

static void xstats_count_frames_bytes_and_every_iova_cache_lookup(void **state)
{
	struct rte_mempool *other = rte_pktmbuf_pool_create("test_other", 63, 0, 0,
							     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct rte_mbuf *tx[4], *rx[8];
	uint64_t lookups;

	(void)state;
	assert_non_null(other);
	pair("", "", pool);
	/* start posted 64 rx buffers per port: 64 lookups each */
	assert_int_equal(xstat(1, "iova_cache_lookups"), 64);
	/* the run is the first frame's pool: the last frame, of another
	 * pool, goes to the entries, empty until then (a miss) */
	for (int i = 0; i < 4; i++)
		tx[i] = traffic_frame(i < 3 ? pool : other, 100, (uint32_t)i);
	assert_int_equal(iop_port_tx_burst(0, 0, tx, 4), 4);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 8), 4);
	rte_pktmbuf_free_bulk(rx, 4);
	assert_int_equal(xstat(0, "tx_good_packets"), 4);
	assert_int_equal(xstat(0, "tx_q0_packets"), 4);
	assert_int_equal(xstat(0, "tx_good_bytes"), 400);
	assert_int_equal(xstat(1, "rx_good_packets"), 4);
	assert_int_equal(xstat(1, "rx_q0_bytes"), 400);
	/* port 0: 64 rx buffers and 4 tx frames */
	lookups = xstat(0, "iova_cache_lookups");
	assert_int_equal(lookups, 64 + 4);
	assert_int_equal(xstat(0, "iova_cache_hits") + xstat(0, "iova_cache_misses") +
			 xstat(0, "iova_cache_poison"), lookups);
	assert_true(xstat(0, "iova_cache_misses") >= 1);
	/* port 1 refills its 4 empty descriptors in batches: maybe not yet */
	assert_in_range(xstat(1, "iova_cache_lookups"), 64, 64 + 4);
	assert_int_equal(iop_port_stats_reset(0), 0);
	assert_int_equal(xstat(0, "tx_good_packets"), 0);
	assert_int_equal(xstat(0, "iova_cache_lookups"), 0);
	iop_port_close_all();
	rte_mempool_free(other);
}

static void iova_stats_are_the_iova_cache_xstats_and_reset_with_the_stats(void **state)
{
	struct iop_port_iova_stats st;
	struct rte_mbuf *tx[4], *rx[8];

	(void)state;
	pair("", "", pool);
	for (int i = 0; i < 4; i++)
		tx[i] = frame(100, (uint32_t)i);
	assert_int_equal(iop_port_tx_burst(0, 0, tx, 4), 4);
	assert_int_equal(iop_port_rx_burst(1, 0, rx, 8), 4);
	rte_pktmbuf_free_bulk(rx, 4);
	for (uint16_t p = 0; p < 2; p++) {
		assert_int_equal(iop_port_iova_stats_get(p, &st), 0);
		assert_true(st.lookups > 0);
		assert_int_equal(st.lookups, xstat(p, "iova_cache_lookups"));
		assert_int_equal(st.hits, xstat(p, "iova_cache_hits"));
		assert_int_equal(st.misses, xstat(p, "iova_cache_misses"));
		assert_int_equal(st.poison, xstat(p, "iova_cache_poison"));
		assert_int_equal(st.flushes, xstat(p, "iova_cache_flushes"));
	}
	assert_int_equal(iop_port_stats_reset(0), 0);
	assert_int_equal(iop_port_iova_stats_get(0, &st), 0);
	assert_int_equal(st.lookups + st.hits + st.misses + st.poison + st.flushes, 0);
	assert_int_equal(iop_port_iova_stats_get(31, &st), -ENODEV);
}

static void xstats_tx_full_counts_the_frames_a_burst_hands_back(void **state)
{
	uint64_t back;

	(void)state;
	pair("", "", pool);
	send_until_peer_full(&back);
	assert_true(back > 0);
	assert_int_equal(xstat(0, "tx_full"), back);
	assert_int_equal(xstat(0, "tx_good_packets"), 1024);
}

#define T(f) cmocka_unit_test_teardown(f, port_fixture_close_ports)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(pair_frames_arrive_byte_identical),
		T(pair_ports_use_iovas_not_vas),
		T(pair_full_peer_inbox_takes_fewer_frames),
		T(frame_longer_than_rx_buffer_is_counted_drop),
		T(rx_buffer_with_bad_iova_faults_and_is_never_written),
		T(tx_buffer_with_bad_iova_faults_and_is_counted),
		T(tx_buffer_outside_every_ioas_is_counted_drop),
		T(gen_wire_delivers_ipv4_frames_of_its_size),
		T(sim_spec_errors_are_einval_or_enodev),
		T(failed_open_releases_the_device),
		T(closed_ports_leave_nothing_mapped),
		T(pair_peer_must_be_a_pair_port_pointing_back),
		T(more_sim_ports_than_devices_is_enodev),
		T(sim_rx_pool_smaller_than_ring_is_einval),
		T(sim_rx_pool_of_pinned_external_buffers_is_einval),
		T(rx_buffers_come_back_clean_whatever_their_last_user_left),
		T(tx_burst_takes_no_more_frames_than_free_descriptors),
		T(xstats_names_are_ethdev_s_and_a_short_array_gets_the_count),
		T(xstats_count_frames_bytes_and_every_iova_cache_lookup),
		T(iova_stats_are_the_iova_cache_xstats_and_reset_with_the_stats),
		T(xstats_tx_full_counts_the_frames_a_burst_hands_back),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s TOPOLOGY\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
