/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pci_burst_igb: instructions per forwarded packet of the igb PMD's own
 * burst code (igb_rx_burst and igb_tx_burst, the 82576's rings, which the
 * igbvf PMD runs too, with the calls they make), under valgrind's
 * callgrind, with no device: bench/pci_burst.c's model for e1000e, on
 * igb's advanced descriptors. The ring source is compiled in, the BAR is
 * plain memory, the queues are started by the PMD's own start code, and
 * this program plays the device (it writes back 32 rx descriptors done,
 * then marks the tx descriptors the PMD posted done). Counted by
 * bench/pci_burst.sh.
 *
 *   pci_burst_igb TOPOLOGY BURSTS
 *
 * 60-byte frames, no offload asked (igb's bursts have one version).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The library this program links whole has igb_queue.c's functions too:
 * the copy compiled in here takes its own names (callgrind counts it as
 * bench_igb_rx_burst and bench_igb_tx_burst). */
#define igb_rings_configure bench_igb_rings_configure
#define igb_rx_queue_setup bench_igb_rx_queue_setup
#define igb_tx_queue_setup bench_igb_tx_queue_setup
#define igb_rx_burst bench_igb_rx_burst
#define igb_tx_burst bench_igb_tx_burst
#define igb_rings_start_tx bench_igb_rings_start_tx
#define igb_rings_start_rx bench_igb_rings_start_rx
#define igb_rings_stop bench_igb_rings_stop
#define igb_dma_stop bench_igb_dma_stop
#include "igb_queue.c"

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_mem.h"
#include "port_driver.h"

#define RING 512
#define BURST 32

typedef uint16_t (*burst_fn)(void *q, struct rte_mbuf **pkts, uint16_t n);

/* called through volatile pointers so that the bursts stay functions of
 * their own, which callgrind collects by name */
static volatile burst_fn rx_fn = igb_rx_burst, tx_fn = igb_tx_burst;

/* What igb_queue_alloc and igb_rx_queue_setup do, without a port. */
static struct igb_queue *queue(struct igb_rings *r, struct iop_ioas *ioas,
			       struct rte_mempool *mp, struct iop_port_qcounters *cnt)
{
	struct igb_queue *q = rte_zmalloc(NULL, sizeof(*q), RTE_CACHE_LINE_SIZE);

	if (!q)
		return NULL;
	q->ring = rte_zmalloc(NULL, RING * sizeof(union igb_rx_desc), 4096);
	q->sw = rte_zmalloc(NULL, RING * sizeof(*q->sw), 0);
	if (!q->ring || !q->sw)
		return NULL;
	q->blk = r->regs + (mp ? r->rxq_base : r->txq_base);
	q->size = RING;
	q->mask = RING - 1;
	q->rings = r;
	q->cnt = cnt;
	iop_iova_cache_init(&q->cache, ioas);
	if (mp) {
		if (iop_pci_rx_refill_init(&q->refill, mp, 0, RTE_PKTMBUF_HEADROOM, "igb") < 0)
			return NULL;
		q->mp = mp;
		iop_pci_cache_run_pool(&q->cache, mp);
	}
	return q;
}

int main(int argc, char **argv)
{
	char topo[512], prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "64", "--no-telemetry",
			"--log-level=error", prefix, "--", "--iommu=sim", topo, NULL };
	struct iop_port_qcounters rxc = { 0 }, txc = { 0 };
	struct igb_rings r = { .rxq_base = IGB_PF_RXQ_BASE, .txq_base = IGB_PF_TXQ_BASE,
			       .q_stride = IGB_PF_Q_STRIDE, .max_queues = 1,
			       .nb_rxq = 1, .nb_txq = 1 };
	struct igb_queue *rxq, *txq;
	struct rte_mbuf *pkts[BURST];
	struct rte_mempool *mp;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	long bursts;
	uint64_t fwd = 0;

	if (argc != 3 || (bursts = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pci_burst_igb TOPOLOGY BURSTS\n");
		return 2;
	}
	snprintf(topo, sizeof(topo), "--sim-topology=%s", argv[1]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=pci_burst_igb_%d", (int)getpid());
	if (iop_init(12, eal) < 0 || iop_port_dev_open("0000:00:01.0", &dev, &ioas) < 0) {
		fprintf(stderr, "pci_burst_igb: %s\n", iop_err_msg());
		return 1;
	}
	mp = rte_pktmbuf_pool_create("pci_burst_igb", 2047, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	r.regs = rte_zmalloc(NULL, 128 << 10, 4096); /* the BAR: writes land here */
	if (!mp || !r.regs || !(rxq = queue(&r, ioas, mp, &rxc)) ||
	    !(txq = queue(&r, ioas, NULL, &txc))) {
		fprintf(stderr, "pci_burst_igb: set-up failed\n");
		return 1;
	}
	r.rxq[0] = rxq;
	r.txq[0] = txq;
	if (igb_rings_start_tx(&r) < 0 || igb_rings_start_rx(&r) < 0) {
		fprintf(stderr, "pci_burst_igb: %s\n", iop_err_msg());
		return 1;
	}
	for (long b = 0; b < bursts; b++) {
		volatile union igb_rx_desc *rd = rxq->ring;
		volatile struct igb_tx_desc *td = txq->ring;
		uint16_t tail = txq->next, got, sent;

		/* the device: 32 frames of 60 bytes received, written back */
		for (int i = 0; i < BURST; i++) {
			volatile union igb_rx_desc *d = &rd[(rxq->next + i) & rxq->mask];

			d->wb.pkt_info = 0;
			d->wb.length = 60;
			d->wb.status_error = IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP;
		}
		got = rx_fn(rxq, pkts, BURST);
		sent = tx_fn(txq, pkts, got);
		if (got != BURST || sent != got) {
			fprintf(stderr, "pci_burst_igb: burst %ld: %u received, %u sent\n", b, got, sent);
			return 1;
		}
		fwd += sent;
		/* the device: every frame posted is sent */
		for (uint16_t i = tail; i != txq->next; i = (uint16_t)((i + 1) & txq->mask))
			td[i].olinfo_status = IGB_TXD_STAT_DD;
	}
	/* what the queues counted is what happened */
	if (rxc.packets != fwd || txc.packets != fwd || rxc.bytes != fwd * 60 ||
	    txc.bytes != fwd * 60) {
		fprintf(stderr, "pci_burst_igb: %" PRIu64 " forwarded, but the queues counted %" PRIu64
			" in (%" PRIu64 " bytes) and %" PRIu64 " out (%" PRIu64 " bytes)\n",
			fwd, rxc.packets, rxc.bytes, txc.packets, txc.bytes);
		return 1;
	}
	printf("pci_burst_igb: %" PRIu64 " packets forwarded in %ld bursts\n", fwd, bursts);
	return 0;
}
