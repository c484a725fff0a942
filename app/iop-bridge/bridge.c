/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge object (bridge.h): its options, ports, pool, forwarding units
 * and their lcores, the stop, the ports closed while forwarding. This file
 * owns it; fwd.c, stats.c, telemetry.c, mover.c and main.c reach it only
 * through bridge.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bridge.h"
#include "iop_log.h"
#include "iop_mem.h"

#define POOL_CACHE 256

static struct {
	struct bridge_opts opt;
	struct rte_mempool *pool;
	uint16_t nunits;
	struct fwd_unit *unit[BRIDGE_MAX_UNITS];
	/* units of each lcore */
	uint16_t lcore_nunits[RTE_MAX_LCORE];
	struct fwd_unit *lcore_unit[RTE_MAX_LCORE][BRIDGE_MAX_UNITS];
	uint64_t start_tsc;
	/* CPU seconds each forwarding lcore spent polling (its thread's CPU
	 * clock): rates per CPU second do not depend on what else ran */
	double lcore_cpu_s[RTE_MAX_LCORE];
	/* ports closed while forwarding (device removed): lcores skip them,
	 * the summary uses the counters taken just before the close */
	bool port_closed[IOP_PORT_MAX];
	struct iop_port_stats closed_stats[IOP_PORT_MAX];
} b;

static volatile sig_atomic_t stop_flag;
static const char *volatile stop_reason = "SIGINT";

bool bridge_stopping(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED) != 0;
}

void bridge_stop(const char *why)
{
	if (!bridge_stopping())
		stop_reason = why;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

void bridge_stop_signal(int sig)
{
	/* only async-signal-safe work: a flag and a static string */
	if (!stop_flag)
		stop_reason = sig == SIGTERM ? "SIGTERM" : "SIGINT";
	stop_flag = 1;
}

const char *bridge_stop_reason(void)
{
	return stop_reason;
}

const struct bridge_opts *bridge_opts(void)
{
	return &b.opt;
}

uint64_t bridge_start_tsc(void)
{
	return b.start_tsc;
}

uint16_t bridge_nunits(void)
{
	return b.nunits;
}

const struct fwd_unit *bridge_unit(uint16_t i)
{
	return b.unit[i];
}

struct fwd_unit *const *bridge_lcore_units(unsigned int lcore, uint16_t *n)
{
	*n = b.lcore_nunits[lcore];
	return b.lcore_unit[lcore];
}

void bridge_lcore_cpu_s_set(unsigned int lcore, double s)
{
	b.lcore_cpu_s[lcore] = s;
}

double bridge_forward_cpu_s(void)
{
	unsigned int lcore;
	double cpu = 0;

	RTE_LCORE_FOREACH(lcore)
		cpu += b.lcore_cpu_s[lcore];
	return cpu;
}

bool bridge_port_closed(uint16_t p)
{
	return __atomic_load_n(&b.port_closed[p], __ATOMIC_ACQUIRE);
}

int bridge_port_stats(uint16_t p, struct iop_port_stats *st)
{
	if (bridge_port_closed(p)) {
		*st = b.closed_stats[p];
		return 0;
	}
	return iop_port_stats_get(p, st);
}

/*
 * A port whose PMD declared its device removed is closed at once, so the
 * kernel finishes the unplug while the others forward: the flag makes
 * every lcore skip the port from its next loop on, and iop_mem_synchronize()
 * waits until each lcore finished the loop it was in (it calls
 * iop_mem_quiescent() after its bursts). Then nothing touches the port.
 */
void bridge_close_removed(void)
{
	for (uint16_t p = 0; p < b.opt.nports; p++) {
		if (bridge_port_closed(p) || !iop_port_is_removed(p))
			continue;
		__atomic_store_n(&b.port_closed[p], true, __ATOMIC_RELEASE);
		iop_mem_synchronize();
		iop_port_stats_get(p, &b.closed_stats[p]);
		iop_port_close(p);
		stats_port_closed(p);
	}
}

const char *bridge_mode_name(enum bridge_mode m)
{
	return m == MODE_IO ? "io" : m == MODE_MACSWAP ? "macswap" : "l2";
}

const char *bridge_drop_name(enum bridge_drop d)
{
	static const char *const name[BDROP_MAX] = {
		[BDROP_TX_FULL] = "tx_full", [BDROP_FILTERED] = "filtered",
		[BDROP_HOLD_EXPIRED] = "tx_hold_expired",
	};

	return name[d];
}

static int open_ports(void)
{
	for (uint16_t i = 0; i < b.opt.nports; i++) {
		uint16_t id;

		if (iop_port_open(b.opt.port[i], &id) < 0)
			return -1;
		if (id != i)
			return iop_err(EPROTO, "internal: port ids out of order: %s is %u, not %u",
				       b.opt.port[i], id, i);
	}
	return 0;
}

/* Mbufs the ports hold at most: every rx descriptor, every tx
 * descriptor, a burst per queue in flight and the per-lcore caches. */
static uint32_t mbufs_needed(void)
{
	const struct bridge_opts *o = &b.opt;

	return (uint32_t)o->nports * o->queues * ((uint32_t)o->rxd + o->txd + 2u * o->burst) +
	       rte_lcore_count() * (POOL_CACHE * 3 / 2);
}

static int create_pool(void)
{
	uint32_t need = mbufs_needed(), n = b.opt.mbufs;

	if (n && n < need) {
		return iop_err(EINVAL, "--mbufs=%u is too few: %u ports x %u queues x (%u rx + %u tx descriptors + bursts) and the lcore caches need %u",
			       n, b.opt.nports, b.opt.queues, b.opt.rxd, b.opt.txd, need);
	}
	if (!n)
		n = rte_align32pow2(need * 2) - 1;
	b.pool = rte_pktmbuf_pool_create("iop_bridge", n, POOL_CACHE, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!b.pool) {
		return iop_err(ENOMEM, "cannot create a pool of %u mbufs (%zu MiB of hugepages): %s; reserve more hugepages (scripts/setup, or echo N > /proc/sys/vm/nr_hugepages) or lower --mbufs/--rxd/--txd",
			n, (size_t)n * (RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf)) >> 20,
			rte_strerror(rte_errno));
	}
	return 0;
}

static int setup_ports(void)
{
	const struct bridge_opts *o = &b.opt;

	for (uint16_t p = 0; p < o->nports; p++) {
		struct iop_port_conf conf = { .nb_rxq = o->queues, .nb_txq = o->queues };
		struct iop_port_info info;
		int rc = iop_port_info_get(p, &info);

		/* a bridge takes any frame a port can in one mbuf (chains only
		 * where --mtu asks for them): the egress port drops what its
		 * own link does not allow, as tx_oversize */
		conf.mtu = o->mtu ? o->mtu : RTE_MIN(info.max_mtu, iop_port_mtu_one_mbuf(p, b.pool));
		/* jumbo frames asked: chained over mbufs where the port can */
		if (o->mtu > IOP_PORT_MTU_DEFAULT || o->lro) {
			conf.rx_offloads |= info.rx_offload_capa & IOP_PORT_RX_OFFLOAD_SCATTER;
			conf.tx_offloads |= info.tx_offload_capa & IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
		}
		if (o->lro) {
			conf.rx_offloads |= info.rx_offload_capa & IOP_PORT_RX_OFFLOAD_TCP_LRO;
			conf.tx_offloads |= info.tx_offload_capa &
					    (IOP_PORT_TX_OFFLOAD_TCP_TSO | IOP_PORT_TX_OFFLOAD_TCP_CKSUM |
					     IOP_PORT_TX_OFFLOAD_UDP_CKSUM);
		}
		/* several queues: spread flows over them as far as the port can */
		if (o->queues > 1)
			conf.rss.hash_types = info.rss_hash_types;
		if (rc == 0)
			rc = iop_port_configure(p, &conf);

		for (uint16_t q = 0; rc == 0 && q < o->queues; q++)
			rc = iop_port_rx_queue_setup(p, q, o->rxd, b.pool);
		for (uint16_t q = 0; rc == 0 && q < o->queues; q++)
			rc = iop_port_tx_queue_setup(p, q, o->txd);
		if (rc == 0)
			rc = iop_port_promisc_set(p, true);
		if (rc)
			return -1;
	}
	/* started only once all are set up: a pair port checks its peer */
	for (uint16_t p = 0; p < o->nports; p++)
		if (iop_port_start(p))
			return -1;
	return 0;
}

static struct fwd_unit *unit_new(uint16_t q)
{
	struct fwd_unit *u = rte_zmalloc("iop_bridge_unit", sizeof(*u), RTE_CACHE_LINE_SIZE);

	if (!u) {
		iop_err(ENOMEM, "out of hugepage memory for the forwarding state");
		return NULL;
	}
	u->q = q;
	b.unit[b.nunits++] = u;
	return u;
}

/* Units: per queue, each port pair (io, macswap) or all ports (l2); then
 * round-robin over the worker lcores, or all on the main lcore alone. */
static int plan_units(void)
{
	const struct bridge_opts *o = &b.opt;
	unsigned int lcore, nworkers = rte_lcore_count() - 1;

	for (uint16_t q = 0; q < o->queues; q++) {
		if (o->mode == MODE_L2) {
			struct fwd_unit *u = unit_new(q);

			if (!u)
				return -1;
			for (uint16_t p = 0; p < o->nports; p++)
				u->port[u->nports++] = p;
			if (l2_table_init(&u->l2, 4096, (uint64_t)o->age_s * rte_get_tsc_hz()))
				return iop_err(ENOMEM, "out of memory for the MAC table");
			continue;
		}
		for (uint16_t p = 0; p < o->nports; p += 2) {
			struct fwd_unit *u = unit_new(q);

			if (!u)
				return -1;
			u->port[0] = p;
			u->port[1] = (uint16_t)(p + 1);
			u->nports = 2;
		}
	}
	for (uint16_t i = 0; i < b.nunits; i++)
		hold_init(b.unit[i], o->mode, o->tx_hold_ms);
	lcore = rte_get_main_lcore();
	for (uint16_t i = 0; i < b.nunits; i++) {
		if (nworkers)
			lcore = rte_get_next_lcore(lcore, 1, 1);
		b.lcore_unit[lcore][b.lcore_nunits[lcore]++] = b.unit[i];
	}
	return 0;
}

int bridge_create(const struct bridge_opts *opt)
{
	b.opt = *opt;
	if (open_ports() < 0 || create_pool() < 0 || setup_ports() < 0 || plan_units() < 0)
		return -1;
	return 0;
}

void bridge_print_ports(void)
{
	printf("iop-bridge: %s mode, %u ports, %u lcore%s (%s)\n", bridge_mode_name(b.opt.mode),
	       b.opt.nports, rte_lcore_count(), rte_lcore_count() == 1 ? "" : "s",
	       rte_lcore_count() == 1 ? "the main lcore forwards" : "the main lcore prints stats");
	for (uint16_t p = 0; p < b.opt.nports; p++) {
		struct rte_ether_addr mac;
		struct iop_port_link link;
		char buf[RTE_ETHER_ADDR_FMT_SIZE];

		iop_port_mac_get(p, &mac);
		iop_port_link_get(p, &link);
		rte_ether_format_addr(buf, sizeof(buf), &mac);
		printf("  port %u: %s mac %s link %s\n", p, iop_port_name(p), buf,
		       link.up ? "up" : "down");
	}
	fflush(stdout);
}

/*
 * Closes the ports whose device went, prints the stats and ends the run at
 * --duration, until the run stops. Never on a forwarding lcore (with one
 * lcore, on a control thread of its own): what it reads takes lib/port's
 * lock, which a live move holds while it waits for every forwarding lcore
 * to pass a burst.
 */
static void *control_main(void *arg)
{
	(void)arg;
	while (!bridge_stopping()) {
		usleep(10000);
		bridge_close_removed();
		stats_tick(rte_rdtsc());
	}
	return NULL;
}

int bridge_run(FILE *json)
{
	unsigned int lcore;
	bool alone = rte_lcore_count() == 1;
	uint64_t end;
	double secs;
	bool balanced, moves_ok, mover_ok = true;

	b.start_tsc = rte_rdtsc();
	stats_init();
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (b.lcore_nunits[lcore])
			rte_eal_remote_launch(fwd_lcore_main, NULL, lcore);
	if (mover_start() < 0) {
		fprintf(stderr, "iop-bridge: %s\n", iop_err_msg());
		mover_ok = false;
		bridge_stop("error");
	}
	if (alone) {
		pthread_t ctl;

		bool ctl_ok = rte_ctrl_thread_create(&ctl, "iop-bridge-ctl", NULL,
						     control_main, NULL) == 0;

		if (!ctl_ok) {
			fprintf(stderr, "iop-bridge: cannot start its control thread (out of memory or threads)\n");
			mover_ok = false;
			bridge_stop("error");
		}
		fwd_lcore_main(NULL);
		if (ctl_ok)
			pthread_join(ctl, NULL);
	} else {
		control_main(NULL);
	}
	rte_eal_mp_wait_lcore();
	end = rte_rdtsc();
	moves_ok = mover_stop();
	for (uint16_t p = 0; p < b.opt.nports; p++)
		if (!bridge_port_closed(p))
			iop_port_stop(p);
	secs = (double)(end - b.start_tsc) / (double)rte_get_tsc_hz();
	if (!mover_ok)
		return 1;
	balanced = stats_summary(secs);
	if (json && stats_json(json, secs) < 0) {
		fprintf(stderr, "iop-bridge: cannot write --json-stats=%s: the disk is full or the file went away\n",
			b.opt.json_path);
		return 1;
	}
	return balanced && moves_ok ? 0 : 3;
}

void bridge_destroy(void)
{
	bridge_telemetry_stop();
	iop_port_close_all();
	mover_cleanup();
	for (uint16_t i = 0; i < b.nunits; i++) {
		l2_table_free(&b.unit[i]->l2);
		rte_free(b.unit[i]);
	}
	b.nunits = 0;
	rte_mempool_free(b.pool);
	b.pool = NULL;
}
