/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-soak: the forwarding process of the soak (test/system/soak.sh).
 *
 *   iop-soak [EAL options] -- --port SPEC --port SPEC --duration=S
 *       [--cycle=S] --json=FILE [iopath options]
 *
 * A worker lcore forwards port 0 <-> port 1 as iop-bridge's io mode does
 * (same port API, same quiescent state per poll loop). Meanwhile the main
 * lcore allocates and frees DPDK memory in a loop, so lib/mem maps hot-
 * plugged memory into the IOAS and unmaps it under live queues, and every
 * --cycle seconds it stops and starts both ports. It prints a checkpoint
 * of its resources after the first cycle and another at the end, then the
 * port counters as JSON in iop-bridge's --json-stats shape (what
 * conservation.py reads). Exit 0 after SIGINT/SIGTERM or --duration, 1 on
 * a setup error, 3 if a frame is unaccounted for (rx = forwarded + tx_full
 * per port, and every frame a tx queue took sent or dropped).
 *
 * A test program rather than an iop-bridge option: churning memory and
 * cycling ports are not things a user of the bridge asks for, and the
 * soak needs them in the forwarding process itself (doc/testing.md).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "iop_sim.h"

#define BURST 32
#define NPORTS 2
#define CHURN_BYTES (24u << 20) /* more than a hugepage: a hotplug each time */

static volatile sig_atomic_t stop;
/* main -> worker: pause before the ports stop; worker -> main: paused */
static bool pause_req, paused;

struct fwd_count {
	uint64_t rx, fwd, tx_full;
} __rte_cache_aligned;
static struct fwd_count cnt[NPORTS];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool flag(bool *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

static void set_flag(bool *f, bool v)
{
	__atomic_store_n(f, v, __ATOMIC_RELEASE);
}

static int worker(void *arg)
{
	struct rte_mbuf *pkts[BURST];

	(void)arg;
	iop_mem_thread_register();
	while (!stop) {
		if (flag(&pause_req)) {
			/* offline: frees on the main lcore need not wait for us */
			iop_mem_thread_offline();
			set_flag(&paused, true);
			while (flag(&pause_req) && !stop)
				rte_pause();
			set_flag(&paused, false);
			iop_mem_thread_online();
			continue;
		}
		for (uint16_t in = 0; in < NPORTS; in++) {
			uint16_t n = iop_port_rx_burst(in, 0, pkts, BURST), sent;

			/* an empty tx burst still sends and reaps what the wire holds */
			sent = iop_port_tx_burst(in ^ 1, 0, pkts, n);
			cnt[in].rx += n;
			cnt[in].fwd += sent;
			cnt[in].tx_full += (uint64_t)(n - sent);
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		}
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();
	return 0;
}

/* Stops and starts both ports while the worker waits. */
static int cycle_ports(void)
{
	int rc = 0;

	set_flag(&pause_req, true);
	while (!flag(&paused) && !stop)
		rte_pause();
	for (uint16_t p = 0; p < NPORTS; p++)
		iop_port_stop(p);
	usleep(50000);
	for (uint16_t p = 0; rc == 0 && p < NPORTS; p++)
		rc = iop_port_start(p);
	set_flag(&pause_req, false);
	if (rc)
		fprintf(stderr, "iop-soak: restart: %s\n", iop_err_msg());
	return rc;
}

/* One allocation that needs fresh hugepages, touched, then freed: lib/mem
 * maps it into the IOAS before rte_malloc returns and unmaps it after
 * the worker's next quiescent state. */
static int churn_once(void)
{
	void *p = rte_malloc("iop_soak_churn", CHURN_BYTES, 0);

	if (!p) {
		fprintf(stderr, "iop-soak: rte_malloc of %u MiB failed: reserve more hugepages\n",
			CHURN_BYTES >> 20);
		return -ENOMEM;
	}
	memset(p, 0xa5, CHURN_BYTES);
	rte_free(p);
	return 0;
}

static long status_kib(const char *field)
{
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 3; /* ".", ".." and the directory's own fd */
}

static void checkpoint(const char *name)
{
	struct iop_sim_counters c;

	iop_sim_counters(&c);
	printf("soak: checkpoint %s rss_kib=%ld hugetlb_kib=%ld pinned_pages=%" PRIu64
	       " mappings=%" PRIu64 " fds=%d\n", name, status_kib("VmRSS"),
	       status_kib("HugetlbPages"), c.pinned_pages, c.mappings, open_fds());
	fflush(stdout);
}

static int write_json(const char *path, double secs, bool *balanced)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	*balanced = true;
	fprintf(f, "{\"duration_s\":%.3f,\"ports\":[", secs);
	for (uint16_t p = 0; p < NPORTS; p++) {
		struct iop_port_stats st;
		uint64_t tx_drops = 0;

		iop_port_stats_get(p, &st);
		for (int r = 0; r < IOP_DROP_MAX; r++)
			if (iop_drop_is_tx((enum iop_drop)r))
				tx_drops += st.drops[r];
		if (st.rx_packets != cnt[p].rx || cnt[p].rx != cnt[p].fwd + cnt[p].tx_full ||
		    cnt[p ^ 1].fwd != st.tx_packets + tx_drops)
			*balanced = false;
		fprintf(f, "%s{\"name\":\"%s\",\"rx_packets\":%" PRIu64 ",\"tx_packets\":%" PRIu64
			",\"dma_faults\":%" PRIu64 ",\"forwarded\":%" PRIu64 ",\"drops\":{\"tx_full\":%" PRIu64,
			p ? "," : "", iop_port_name(p), st.rx_packets, st.tx_packets, st.dma_faults,
			cnt[p].fwd, cnt[p].tx_full);
		for (int r = 0; r < IOP_DROP_MAX; r++)
			fprintf(f, ",\"%s\":%" PRIu64, iop_drop_name((enum iop_drop)r), st.drops[r]);
		fprintf(f, "}}");
		printf("soak: port %u: rx %" PRIu64 " = forwarded %" PRIu64 " + tx_full %" PRIu64
		       "; tx %" PRIu64 " + tx drops %" PRIu64 " = taken %" PRIu64 "; dma faults %" PRIu64 "\n",
		       p, st.rx_packets, cnt[p].fwd, cnt[p].tx_full, st.tx_packets, tx_drops,
		       cnt[p ^ 1].fwd, st.dma_faults);
	}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

static int setup(const char *spec[NPORTS], struct rte_mempool **pool)
{
	*pool = rte_pktmbuf_pool_create("iop_soak", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (!*pool) {
		iop_err(ENOMEM, "no hugepages for 8191 mbufs");
		return -1;
	}
	for (uint16_t i = 0; i < NPORTS; i++) {
		uint16_t id;

		if (iop_port_open(spec[i], &id) < 0 || iop_port_configure(id, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }) < 0 ||
		    iop_port_rx_queue_setup(id, 0, 512, *pool) < 0 ||
		    iop_port_tx_queue_setup(id, 0, 512) < 0 || iop_port_promisc_set(id, true) < 0)
			return -1;
	}
	for (uint16_t i = 0; i < NPORTS; i++)
		if (iop_port_start(i) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *spec[NPORTS] = {NULL}, *json = NULL;
	double duration = 0, cycle = 5;
	struct rte_mempool *pool = NULL;
	struct iop_mem_stats ms;
	uint64_t start, next_cycle, hz;
	unsigned int nspec = 0, cycles = 0, churns = 0, lcore;
	bool balanced = false;
	int n, rc = 0;

	n = iop_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "iop-soak: %s\n", iop_err_msg());
		return 1;
	}
	for (int i = n + 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc && nspec < NPORTS)
			spec[nspec++] = argv[++i];
		else if (!strncmp(argv[i], "--duration=", 11))
			duration = strtod(argv[i] + 11, NULL);
		else if (!strncmp(argv[i], "--cycle=", 8))
			cycle = strtod(argv[i] + 8, NULL);
		else if (!strncmp(argv[i], "--json=", 7))
			json = argv[i] + 7;
		else
			rc = -1;
	}
	lcore = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (rc || nspec != NPORTS || !json || !(duration > 0) || !(cycle > 0)) {
		fprintf(stderr, "iop-soak: usage: iop-soak [EAL] -- --port SPEC --port SPEC --duration=S [--cycle=S] --json=FILE\n");
		iop_cleanup();
		return 1;
	}
	if (lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "iop-soak: needs two lcores (-l 0-1): one forwards, one churns memory\n");
		iop_cleanup();
		return 1;
	}
	if (setup(spec, &pool) < 0) {
		fprintf(stderr, "iop-soak: %s\n", iop_err_msg());
		iop_port_close_all();
		rte_mempool_free(pool);
		iop_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("soak: forwarding on lcore %u, memory churn and port cycles every %.1f s on the main lcore\n",
	       lcore, cycle);
	fflush(stdout);
	rte_eal_remote_launch(worker, NULL, lcore);
	hz = rte_get_tsc_hz();
	start = rte_rdtsc();
	next_cycle = start + (uint64_t)(cycle * (double)hz);
	while (!stop && rc == 0) {
		uint64_t now = rte_rdtsc();

		if ((double)(now - start) >= duration * (double)hz)
			break;
		rc = churn_once();
		churns++;
		if (rc == 0 && now >= next_cycle) {
			rc = cycle_ports();
			if (++cycles == 1)
				checkpoint("start"); /* after one full cycle: steady state */
			next_cycle = now + (uint64_t)(cycle * (double)hz);
		}
		usleep(20000);
	}
	stop = 1;
	rte_eal_mp_wait_lcore();
	/* the same state as at the first checkpoint: ports just restarted */
	if (rc == 0 && cycles && (rc = cycle_ports()) == 0)
		checkpoint("end");
	for (uint16_t p = 0; p < NPORTS; p++)
		iop_port_stop(p);
	iop_mem_get_stats(&ms);
	printf("soak: %u memory churns (hotplug: %" PRIu64 " allocations, %" PRIu64
	       " frees seen), %u port stop/start cycles\n", churns, ms.hotplug_alloc,
	       ms.hotplug_free, cycles);
	if (rc == 0 && write_json(json, (double)(rte_rdtsc() - start) / (double)hz, &balanced) < 0) {
		fprintf(stderr, "iop-soak: cannot write %s: %s\n", json, strerror(errno));
		rc = -1;
	}
	iop_port_close_all();
	rte_mempool_free(pool);
	iop_cleanup();
	if (rc)
		return 1;
	printf("soak: %s\n", balanced ? "every frame accounted for" : "NOT BALANCED");
	return balanced ? 0 : 3;
}
