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
#include <stdlib.h>
#include <string.h>

#include "e1000e.c"

#include "pci_burst.h"

#define RING PCI_BURST_RING
#define BURST PCI_BURST_FRAMES

static volatile pci_burst_fn rx_fn, tx_fn;

static struct e1000_queue *queue(struct e1000_priv *ep, struct iop_ioas *ioas,
				 struct rte_mempool *mp, struct iop_port_qcounters *cnt)
{
	void *ring;
	struct rte_mbuf **sw;
	struct e1000_queue *q = pci_burst_queue(sizeof(*q), offsetof(struct e1000_queue, cache),
						sizeof(struct e1000_rx_desc), ioas, &ring, &sw);

	if (!q)
		return NULL;
	q->ring = ring;
	q->sw = sw;
	q->regs = ep->regs;
	q->size = RING;
	q->mask = RING - 1;
	q->cnt = cnt;
	q->ep = ep;
	q->mp = mp;
	q->buf_len = E1000_RX_BUF_MIN;
	if (mp && pci_burst_rx_pool(&q->refill, &q->cache, mp, "e1000e") < 0)
		return NULL;
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

/* the device: 32 frames of 60 bytes received */
static void e1000_written(void *arg)
{
	struct e1000_queue *q = arg;
	volatile struct e1000_rx_desc *rd = q->ring;

	for (int i = 0; i < BURST; i++) {
		volatile struct e1000_rx_desc *d = &rd[(q->next + i) & q->mask];

		d->length = PCI_BURST_LEN;
		d->errors = 0;
		d->status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	}
}

static uint16_t e1000_next(const void *arg)
{
	return ((const struct e1000_queue *)arg)->next;
}

/* the device: every frame posted is sent */
static void e1000_sent(void *arg, uint16_t from)
{
	struct e1000_queue *q = arg;
	volatile struct e1000_tx_desc *td = q->ring;

	for (uint16_t i = from; i != q->next; i = (uint16_t)((i + 1) & q->mask))
		td[i].status = E1000_TXD_STAT_DD;
}

static const struct pci_burst_device e1000_device = {
	.rx_written = e1000_written, .tx_next = e1000_next, .tx_done = e1000_sent,
};

int main(int argc, char **argv)
{
	struct iop_port_qcounters rxc = { 0 }, txc = { 0 };
	struct e1000_priv ep = { .max_frame = RTE_ETHER_MTU + RTE_ETHER_HDR_LEN };
	struct e1000_queue *rxq, *txq;
	struct rte_mempool *mp;
	struct iop_ioas *ioas;
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
	if (pci_burst_setup("pci_burst", argv[0], argv[1], &ioas, &mp, &ep.regs))
		return 1;
	if (!(rxq = queue(&ep, ioas, mp, &rxc)) || !(txq = queue(&ep, ioas, NULL, &txc))) {
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
	if (pci_burst_run("pci_burst", bursts, rx_fn, tx_fn, rxq, txq, &e1000_device, &fwd))
		return 1;
	return pci_burst_counted("pci_burst", &rxc, &txc, fwd, bursts);
}
