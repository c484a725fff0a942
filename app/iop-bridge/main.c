/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bridge: a testpmd-style forwarder on iopath ports (doc/bridge.md).
 *
 *   iop-bridge [EAL options] -- --port SPEC --port SPEC ...
 *       --forward-mode=io|macswap|l2 [--ioas=...] [--stats-period=S]
 *       [--duration=S] [--json-stats=FILE]
 *
 * Exit status: 0 after a clean stop with every port balanced; 1 for bad
 * input or a setup failure (one line on stderr); 3 if some port's counters
 * do not balance.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "args.h"
#include "bridge.h"
#include "iop_init.h"
#include "iop_log.h"
#include "iop_mem.h"

#define POOL_CACHE 256

struct bridge bridge;
static volatile sig_atomic_t stop_flag;
static const char *stop_reason = "SIGINT";

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

const char *bridge_stop_reason(void)
{
	return stop_reason;
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
	for (uint16_t p = 0; p < bridge.opt.nports; p++) {
		if (bridge_port_closed(p) || !iop_port_is_removed(p))
			continue;
		__atomic_store_n(&bridge.port_closed[p], true, __ATOMIC_RELEASE);
		iop_mem_synchronize();
		iop_port_stats_get(p, &bridge.closed_stats[p]);
		iop_port_close(p);
		stats_port_closed(p);
	}
}

static void on_usr1(int sig)
{
	(void)sig;
	stats_ask_line();
}

static void on_signal(int sig)
{
	/* only async-signal-safe work: a flag and a static string */
	if (!stop_flag)
		stop_reason = sig == SIGTERM ? "SIGTERM" : "SIGINT";
	stop_flag = 1;
}

const char *bridge_mode_name(enum bridge_mode m)
{
	return m == MODE_IO ? "io" : m == MODE_MACSWAP ? "macswap" : "l2";
}

const char *bridge_drop_name(enum bridge_drop d)
{
	return d == BDROP_TX_FULL ? "tx_full" : "filtered";
}

static int fail(const char *what)
{
	fprintf(stderr, "iop-bridge: %s%s\n", what ? what : "", iop_err_msg());
	return -1;
}

static int open_ports(void)
{
	for (uint16_t i = 0; i < bridge.opt.nports; i++) {
		uint16_t id;

		if (iop_port_open(bridge.opt.port[i], &id) < 0)
			return fail(NULL);
		if (id != i)
			return fail("internal: port ids out of order: ");
	}
	return 0;
}

/* Mbufs the ports hold at most: every rx descriptor, every tx
 * descriptor, a burst per queue in flight and the per-lcore caches. */
static uint32_t mbufs_needed(void)
{
	const struct bridge_opts *o = &bridge.opt;

	return (uint32_t)o->nports * o->queues * ((uint32_t)o->rxd + o->txd + 2u * o->burst) +
	       rte_lcore_count() * (POOL_CACHE * 3 / 2);
}

static int create_pool(void)
{
	uint32_t need = mbufs_needed(), n = bridge.opt.mbufs;

	if (n && n < need) {
		iop_err(EINVAL, "--mbufs=%u is too few: %u ports x %u queues x (%u rx + %u tx descriptors + bursts) and the lcore caches need %u",
			n, bridge.opt.nports, bridge.opt.queues, bridge.opt.rxd, bridge.opt.txd, need);
		return fail(NULL);
	}
	if (!n)
		n = rte_align32pow2(need * 2) - 1;
	bridge.pool = rte_pktmbuf_pool_create("iop_bridge", n, POOL_CACHE, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!bridge.pool) {
		iop_err(ENOMEM, "cannot create a pool of %u mbufs (%zu MiB of hugepages): %s; reserve more hugepages (scripts/setup, or echo N > /proc/sys/vm/nr_hugepages) or lower --mbufs/--rxd/--txd",
			n, (size_t)n * (RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf)) >> 20,
			rte_strerror(rte_errno));
		return fail(NULL);
	}
	return 0;
}

static int setup_ports(void)
{
	const struct bridge_opts *o = &bridge.opt;

	for (uint16_t p = 0; p < o->nports; p++) {
		struct iop_port_conf conf = { .nb_rxq = o->queues, .nb_txq = o->queues };
		struct iop_port_info info;
		int rc = iop_port_info_get(p, &info);

		/* a bridge takes any frame a port can: the egress port drops
		 * what its own link does not allow, as tx_oversize */
		conf.mtu = info.max_mtu;
		/* several queues: spread flows over them as far as the port can */
		if (o->queues > 1)
			conf.rss.hash_types = info.rss_hash_types;
		if (rc == 0)
			rc = iop_port_configure(p, &conf);

		for (uint16_t q = 0; rc == 0 && q < o->queues; q++)
			rc = iop_port_rx_queue_setup(p, q, o->rxd, bridge.pool);
		for (uint16_t q = 0; rc == 0 && q < o->queues; q++)
			rc = iop_port_tx_queue_setup(p, q, o->txd);
		if (rc == 0)
			rc = iop_port_promisc_set(p, true);
		if (rc)
			return fail(NULL);
	}
	/* started only once all are set up: a pair port checks its peer */
	for (uint16_t p = 0; p < o->nports; p++)
		if (iop_port_start(p))
			return fail(NULL);
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
	bridge.unit[bridge.nunits++] = u;
	return u;
}

/* Units: per queue, each port pair (io, macswap) or all ports (l2); then
 * round-robin over the worker lcores, or all on the main lcore alone. */
static int plan_units(void)
{
	const struct bridge_opts *o = &bridge.opt;
	unsigned int lcore, nworkers = rte_lcore_count() - 1;

	for (uint16_t q = 0; q < o->queues; q++) {
		if (o->mode == MODE_L2) {
			struct fwd_unit *u = unit_new(q);

			if (!u)
				return fail(NULL);
			for (uint16_t p = 0; p < o->nports; p++)
				u->port[u->nports++] = p;
			if (l2_table_init(&u->l2, 4096, (uint64_t)o->age_s * rte_get_tsc_hz())) {
				iop_err(ENOMEM, "out of memory for the MAC table");
				return fail(NULL);
			}
			continue;
		}
		for (uint16_t p = 0; p < o->nports; p += 2) {
			struct fwd_unit *u = unit_new(q);

			if (!u)
				return fail(NULL);
			u->port[0] = p;
			u->port[1] = (uint16_t)(p + 1);
			u->nports = 2;
		}
	}
	lcore = rte_get_main_lcore();
	for (uint16_t i = 0; i < bridge.nunits; i++) {
		if (nworkers)
			lcore = rte_get_next_lcore(lcore, 1, 1);
		bridge.lcore_unit[lcore][bridge.lcore_nunits[lcore]++] = bridge.unit[i];
	}
	return 0;
}

static void teardown(void)
{
	bridge_telemetry_stop();
	iop_port_close_all();
	mover_cleanup();
	for (uint16_t i = 0; i < bridge.nunits; i++) {
		l2_table_free(&bridge.unit[i]->l2);
		rte_free(bridge.unit[i]);
	}
	rte_mempool_free(bridge.pool);
	iop_cleanup();
}

static int run(void)
{
	unsigned int lcore;
	bool alone = rte_lcore_count() == 1;
	uint64_t end;
	double secs;
	bool balanced, moves_ok, mover_ok = true;

	bridge.start_tsc = rte_rdtsc();
	stats_init();
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (bridge.lcore_nunits[lcore])
			rte_eal_remote_launch(fwd_lcore_main, NULL, lcore);
	if (mover_start() < 0) {
		fail(NULL);
		mover_ok = false;
		bridge_stop("error");
	}
	if (alone) {
		fwd_lcore_main(&bridge); /* forwards and prints */
	} else {
		while (!bridge_stopping()) {
			usleep(10000);
			bridge_close_removed();
			stats_tick(rte_rdtsc());
		}
	}
	rte_eal_mp_wait_lcore();
	end = rte_rdtsc();
	moves_ok = mover_stop();
	for (uint16_t p = 0; p < bridge.opt.nports; p++)
		if (!bridge_port_closed(p))
			iop_port_stop(p);
	secs = (double)(end - bridge.start_tsc) / (double)rte_get_tsc_hz();
	if (!mover_ok)
		return 1;
	balanced = stats_summary(secs);
	if (bridge.opt.json_path && stats_json(bridge.opt.json_path, secs) < 0) {
		fprintf(stderr, "iop-bridge: cannot write --json-stats=%s: %s\n",
			bridge.opt.json_path, strerror(errno));
		return 1;
	}
	return balanced && moves_ok ? 0 : 3;
}

int main(int argc, char **argv)
{
	char **args;
	int n, rc;

	if (iop_init_version_asked(argc, argv, "iop-bridge"))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(stdout);
			iop_init_usage(stdout);
			return 0;
		}
	}
	n = args_prepare(argc, argv, &args);
	if (n < 0) {
		fail(NULL);
		return 1;
	}
	argc = n;
	n = iop_init(argc, args);
	if (n < 0) {
		fail(NULL);
		return 1;
	}
	argc -= n;
	args += n;
	if (args_parse(argc, args, &bridge.opt) < 0) {
		fail(NULL);
		teardown();
		return 1;
	}
	if (open_ports() < 0 ||
	    create_pool() < 0 || setup_ports() < 0 || plan_units() < 0) {
		teardown();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_usr1);
	bridge_telemetry_register();
	printf("iop-bridge: %s mode, %u ports, %u lcore%s (%s)\n", bridge_mode_name(bridge.opt.mode),
	       bridge.opt.nports, rte_lcore_count(), rte_lcore_count() == 1 ? "" : "s",
	       rte_lcore_count() == 1 ? "the main lcore forwards" : "the main lcore prints stats");
	for (uint16_t p = 0; p < bridge.opt.nports; p++) {
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
	rc = run();
	teardown();
	return rc;
}
