/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pci_burst: instructions per forwarded packet of a PCI PMD's own burst
 * code (e1000e's rx and tx bursts, with the calls they make: pool gets and
 * puts, IOVA lookups, frees), under valgrind's callgrind, with no device:
 * the PMD's source is compiled in, its BAR is plain memory, and this
 * program plays the device (it marks 32 rx descriptors done, then the tx
 * descriptors the PMD posted). Counted by bench/pci_burst.sh, which builds
 * it twice: from this tree, and with -DIOP_BENCH_BEFORE from the e1000e and
 * ring-helper sources of an earlier commit, whose bursts were reached
 * through pci_port.c's wrapper (the second indirect call), copied below.
 *
 *   pci_burst TOPOLOGY BURSTS   (EAL and iopath options are fixed here)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "e1000e.c"

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_mem.h"
#include "port_driver.h"

#define RING 512
#define BURST 32

typedef uint16_t (*burst_fn)(void *q, struct rte_mbuf **pkts, uint16_t n);

#ifdef IOP_BENCH_BEFORE
/* pci_port.c's burst wrapper as it was at that commit: the request
 * eventfd read every 4096 bursts, the removal check, the PMD's burst */
struct pci_port {
	int req_fd;
	bool removed;
};

static void __attribute__((noinline)) pci_check_request(struct pci_port *pp)
{
	uint64_t events;

	if (pp->req_fd < 0 || read(pp->req_fd, &events, sizeof(events)) != sizeof(events))
		return;
	__atomic_store_n(&pp->removed, true, __ATOMIC_RELAXED);
}

static uint16_t pci_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct iop_pci_q *pq = q;

	if (unlikely((++pq->polls & 4095u) == 0))
		pci_check_request(pq->port);
	if (unlikely(__atomic_load_n(&pq->port->removed, __ATOMIC_RELAXED)))
		return 0;
	return pq->burst(q, pkts, n);
}
#endif

/* called through volatile pointers so that the bursts stay functions of
 * their own, which callgrind collects by name */
#ifdef IOP_BENCH_BEFORE
static volatile burst_fn rx_fn = pci_burst, tx_fn = pci_burst;
#else
static volatile burst_fn rx_fn = e1000_rx_burst, tx_fn = e1000_tx_burst;
#endif

static struct e1000_queue *queue(struct iop_ioas *ioas, volatile uint8_t *regs,
				 struct rte_mempool *mp, struct iop_port_qcounters *cnt)
{
	struct e1000_queue *q = rte_zmalloc(NULL, sizeof(*q), RTE_CACHE_LINE_SIZE);

	if (!q)
		return NULL;
	q->ring = rte_zmalloc(NULL, RING * sizeof(struct e1000_rx_desc), 4096);
	q->sw = rte_zmalloc(NULL, RING * sizeof(*q->sw), 0);
	if (!q->ring || !q->sw)
		return NULL;
	q->regs = regs;
	q->size = RING;
	q->mask = RING - 1;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, ioas);
	q->mp = mp;
#ifdef IOP_BENCH_BEFORE
	/* what pci_port.c's queue_bind did */
	q->q.burst = mp ? e1000_rx_burst : e1000_tx_burst;
	q->q.port = calloc(1, sizeof(struct pci_port));
	if (!q->q.port)
		return NULL;
	q->q.port->req_fd = -1;
#else
	if (mp && iop_pci_rx_refill_init(&q->refill, mp, 0, RTE_PKTMBUF_HEADROOM, "e1000e") < 0)
		return NULL;
	q->max_frame = RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN; /* MTU 1500, as e1000_start sets */
	if (mp)
		iop_pci_cache_run_pool(&q->cache, mp);
#endif
	return q;
}

/* The rx ring as e1000_rx_start leaves it: a buffer in every descriptor. */
static int fill(struct e1000_queue *q)
{
	struct e1000_rx_desc *ring = q->ring;

	iop_iova_cache_sync(&q->cache);
	for (int i = 0; i < RING; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(q->mp);

		if (!m)
			return -ENOMEM;
		q->sw[i] = m;
		ring[i] = (struct e1000_rx_desc){
			.addr = iop_iova_cache_lookup(&q->cache, (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM),
		};
	}
	return 0;
}

int main(int argc, char **argv)
{
	char topo[512], prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "64", "--no-telemetry",
			"--log-level=error", prefix, "--", "--iommu=sim", topo, NULL };
	struct iop_port_qcounters rxc = { 0 }, txc = { 0 };
	struct e1000_queue *rxq, *txq;
	struct rte_mbuf *pkts[BURST];
	struct rte_mempool *mp;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	uint8_t *regs;
	long bursts;
	uint64_t fwd = 0;

	if (argc != 3 || (bursts = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pci_burst TOPOLOGY BURSTS\n");
		return 2;
	}
	snprintf(topo, sizeof(topo), "--sim-topology=%s", argv[1]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=pci_burst_%d", (int)getpid());
	if (iop_init(12, eal) < 0 || iop_port_dev_open("0000:00:01.0", &dev, &ioas) < 0) {
		fprintf(stderr, "pci_burst: %s\n", iop_err_msg());
		return 1;
	}
	mp = rte_pktmbuf_pool_create("pci_burst", 2047, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	regs = rte_zmalloc(NULL, 128 << 10, 4096); /* the BAR: writes land here */
	if (!mp || !regs || !(rxq = queue(ioas, regs, mp, &rxc)) ||
	    !(txq = queue(ioas, regs, NULL, &txc)) || fill(rxq) < 0) {
		fprintf(stderr, "pci_burst: set-up failed (hugepages?)\n");
		return 1;
	}
	for (long b = 0; b < bursts; b++) {
		volatile struct e1000_rx_desc *rd = rxq->ring;
		volatile struct e1000_tx_desc *td = txq->ring;
		uint16_t tail = txq->next, got, sent;

		/* the device: 32 frames of 60 bytes received */
		for (int i = 0; i < BURST; i++) {
			volatile struct e1000_rx_desc *d = &rd[(rxq->next + i) & rxq->mask];

			d->length = 60;
			d->errors = 0;
			d->status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
		}
		got = rx_fn(rxq, pkts, BURST);
		sent = tx_fn(txq, pkts, got);
		if (got != BURST || sent != got) {
			fprintf(stderr, "pci_burst: burst %ld: %u received, %u sent\n", b, got, sent);
			return 1;
		}
		fwd += sent;
		/* the device: every frame posted is sent */
		for (uint16_t i = tail; i != txq->next; i = (uint16_t)((i + 1) & txq->mask))
			td[i].status = E1000_TXD_STAT_DD;
	}
	printf("pci_burst: %" PRIu64 " packets forwarded in %ld bursts\n", fwd, bursts);
	return 0;
}
