/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-l2fwd: a minimal forwarder on iopath's app API. Every frame port 0
 * receives goes out of port 1 and back, on the main lcore, for a number
 * of seconds; then it prints each port's counters.
 *
 *     iop-l2fwd [EAL options] -- [iopath options] -- PORT0 PORT1 [SECONDS]
 *
 * PORT is a port spec: "sim:wire=gen" (a sim NIC whose wire generates
 * frames), "pci:0000:01:00.0", or "ring" (the loopback PMD of
 * examples/ring_pmd, compiled into this program). For instance
 *
 *     iop-l2fwd -l 0 --no-huge -m 256 -- --iommu=sim -- sim:wire=gen ring 2
 *
 * It is built with nothing but `pkg-config --cflags --libs iopath`;
 * doc/sdk.md, "Writing an app", walks through it.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <iopath.h>

#define BURST 32
#define RING_DESC 512
#define NB_MBUFS 8191

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int fail(const char *what)
{
	fprintf(stderr, "iop-l2fwd: %s%s\n", what, iop_err_msg());
	return -1;
}

/* One rx and one tx queue, started. */
static int port_setup(const char *spec, struct rte_mempool *pool, uint16_t *id)
{
	if (iop_port_open(spec, id) || iop_port_configure(*id, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }) ||
	    iop_port_rx_queue_setup(*id, 0, RING_DESC, pool) ||
	    iop_port_tx_queue_setup(*id, 0, RING_DESC) || iop_port_start(*id))
		return fail("");
	return 0;
}

/* rx on `from`, tx on `to`; frames `to` does not take are freed. */
static uint64_t forward(uint16_t from, uint16_t to)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = iop_port_rx_burst(from, 0, pkts, BURST);
	uint16_t sent = n ? iop_port_tx_burst(to, 0, pkts, n) : 0;

	if (sent < n)
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	return sent;
}

static void print_stats(uint16_t port)
{
	struct iop_port_stats st;

	if (iop_port_stats_get(port, &st) == 0)
		printf("port %u (%s): rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 "\n",
		       port, iop_port_name(port), st.rx_packets, st.tx_packets, st.dropped);
}

int main(int argc, char **argv)
{
	struct rte_mempool *pool = NULL;
	uint16_t port[2];
	uint64_t forwarded = 0, end;
	double seconds = 2;
	int n, rc = 1;

	if (iop_init_version_asked(argc, argv, "iop-l2fwd"))
		return 0;
	n = iop_init(argc, argv);
	if (n < 0) {
		fail("");
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: iop-l2fwd [EAL options] -- [iopath options] -- PORT0 PORT1 [SECONDS]\n");
		goto out;
	}
	if (argc == 4)
		seconds = atof(argv[3]);
	pool = rte_pktmbuf_pool_create("l2fwd", NB_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "iop-l2fwd: cannot create the mbuf pool: give EAL more memory (-m)\n");
		goto out;
	}
	if (port_setup(argv[1], pool, &port[0]) || port_setup(argv[2], pool, &port[1]))
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("iop-l2fwd: iopath %s, %s <-> %s for %.1f s\n", iop_version(),
	       iop_port_name(port[0]), iop_port_name(port[1]), seconds);

	/* a thread that translates IOVAs (through the ports' queues) marks
	 * its quiescent states, so that memory can leave the IOAS safely */
	iop_mem_thread_register();
	end = rte_get_timer_cycles() + (uint64_t)(seconds * (double)rte_get_timer_hz());
	while (!stop && rte_get_timer_cycles() < end) {
		forwarded += forward(port[0], port[1]);
		forwarded += forward(port[1], port[0]);
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();

	iop_port_stop(port[0]);
	iop_port_stop(port[1]);
	print_stats(port[0]);
	print_stats(port[1]);
	printf("forwarded %" PRIu64 "\n", forwarded);
	rc = 0;
out:
	iop_port_close_all();
	rte_mempool_free(pool);
	iop_cleanup();
	return rc;
}
