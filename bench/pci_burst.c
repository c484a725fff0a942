/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pci_burst: instructions per forwarded packet of a PCI PMD's own burst
 * code (e1000e's rx and tx bursts, with the calls they make: pool gets and
 * puts, IOVA lookups, frees), under valgrind's callgrind, with no device:
 * the PMD's source is compiled in, its BAR is plain memory, and this
 * program plays the device (it marks 32 rx descriptors done, then the tx
 * descriptors the PMD posted). The queues are started by the PMD's own
 * start code for the configuration asked, and the bursts are those the
 * PMD picks for it. Counted by bench/pci_burst.sh, which also builds it
 * against the e1000e and ring-helper sources of other revisions.
 *
 *   pci_burst TOPOLOGY BURSTS [offloads] [jumbo]
 *
 * offloads: rx checksum and VLAN strip, tx checksum and VLAN insert (the
 * frames ask for none); jumbo: MTU 9000 with scatter (the frames are 60
 * bytes either way).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e1000e.c"

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_mem.h"
#include "port_driver.h"

#define RING 512
#define BURST 32

typedef uint16_t (*burst_fn)(void *q, struct rte_mbuf **pkts, uint16_t n);

/* called through volatile pointers so that the bursts stay functions of
 * their own, which callgrind collects by name */
static volatile burst_fn rx_fn, tx_fn;

static struct e1000_queue *queue(struct e1000_priv *ep, struct iop_ioas *ioas,
				 struct rte_mempool *mp, struct iop_port_qcounters *cnt)
{
	struct e1000_queue *q = rte_zmalloc(NULL, sizeof(*q), RTE_CACHE_LINE_SIZE);

	if (!q)
		return NULL;
	q->ring = rte_zmalloc(NULL, RING * sizeof(struct e1000_rx_desc), 4096);
	q->sw = rte_zmalloc(NULL, RING * sizeof(*q->sw), 0);
	if (!q->ring || !q->sw)
		return NULL;
	q->regs = ep->regs;
	q->size = RING;
	q->mask = RING - 1;
	q->cnt = cnt;
	q->ep = ep;
	iop_iova_cache_init(&q->cache, ioas);
	q->mp = mp;
	/* what e1000_rx_queue_setup does */
	if (mp) {
		if (iop_pci_rx_refill_init(&q->refill, mp, 0, RTE_PKTMBUF_HEADROOM, "e1000e") < 0)
			return NULL;
		q->buf_len = E1000_RX_BUF_MIN;
		iop_pci_cache_run_pool(&q->cache, mp);
	}
	return q;
}

/* The bursts the PMD picks for the configuration; a revision from before
 * it had a choice has one pair. */
static void pick_bursts(const struct e1000_priv *ep)
{
#ifndef IOP_BENCH_ONE_PAIR
	iop_rx_burst_t rx;
	iop_tx_burst_t tx;

	e1000_bursts(ep, &rx, &tx);
	rx_fn = rx;
	tx_fn = tx;
#else
	(void)ep;
	rx_fn = e1000_rx_burst;
	tx_fn = e1000_tx_burst;
#endif
}

int main(int argc, char **argv)
{
	char topo[512], prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "64", "--no-telemetry",
			"--log-level=error", prefix, "--", "--iommu=sim", topo, NULL };
	struct iop_port_qcounters rxc = { 0 }, txc = { 0 };
	struct e1000_priv ep = { .max_frame = RTE_ETHER_MTU + RTE_ETHER_HDR_LEN };
	struct e1000_queue *rxq, *txq;
	struct rte_mbuf *pkts[BURST];
	struct rte_mempool *mp;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	long bursts;
	uint64_t fwd = 0;

	if (argc < 3 || (bursts = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pci_burst TOPOLOGY BURSTS [offloads] [jumbo]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "offloads") == 0) {
			ep.rx_offloads |= IOP_PORT_RX_OFFLOAD_CHECKSUM | IOP_PORT_RX_OFFLOAD_VLAN_STRIP;
			ep.tx_offloads |= IOP_PORT_TX_OFFLOAD_CHECKSUM | IOP_PORT_TX_OFFLOAD_VLAN_INSERT;
		} else if (strcmp(argv[i], "jumbo") == 0) {
			ep.rx_offloads |= IOP_PORT_RX_OFFLOAD_SCATTER;
			ep.tx_offloads |= IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
			ep.max_frame = 9000 + RTE_ETHER_HDR_LEN;
		} else {
			fprintf(stderr, "pci_burst: unknown option '%s': offloads or jumbo\n", argv[i]);
			return 2;
		}
	}
	snprintf(topo, sizeof(topo), "--sim-topology=%s", argv[1]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=pci_burst_%d", (int)getpid());
	if (iop_init(12, eal) < 0 || iop_port_dev_open("0000:00:01.0", &dev, &ioas) < 0) {
		fprintf(stderr, "pci_burst: %s\n", iop_err_msg());
		return 1;
	}
	mp = rte_pktmbuf_pool_create("pci_burst", 2047, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ep.regs = rte_zmalloc(NULL, 128 << 10, 4096); /* the BAR: writes land here */
	if (!mp || !ep.regs || !(rxq = queue(&ep, ioas, mp, &rxc)) ||
	    !(txq = queue(&ep, ioas, NULL, &txc))) {
		fprintf(stderr, "pci_burst: set-up failed\n");
		return 1;
	}
	ep.rxq = rxq;
	ep.txq = txq;
	e1000_tx_start(txq);
	if (e1000_rx_start(rxq) < 0) {
		fprintf(stderr, "pci_burst: %s\n", iop_err_msg());
		return 1;
	}
	pick_bursts(&ep);
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
	/* what the queues counted is what happened: a count is only given
	 * for bursts that kept every frame's count */
	if (rxc.packets != fwd || txc.packets != fwd || rxc.bytes != fwd * 60 ||
	    txc.bytes != fwd * 60) {
		fprintf(stderr, "pci_burst: %" PRIu64 " forwarded, but the queues counted %" PRIu64
			" in (%" PRIu64 " bytes) and %" PRIu64 " out (%" PRIu64 " bytes)\n",
			fwd, rxc.packets, rxc.bytes, txc.packets, txc.bytes);
		return 1;
	}
	printf("pci_burst: %" PRIu64 " packets forwarded in %ld bursts\n", fwd, bursts);
	return 0;
}
