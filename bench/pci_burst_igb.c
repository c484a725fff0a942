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
#include <stdlib.h>
#include <string.h>

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

#include "pci_burst.h"

#define RING PCI_BURST_RING
#define BURST PCI_BURST_FRAMES

static volatile pci_burst_fn rx_fn = igb_rx_burst, tx_fn = igb_tx_burst;

/* What igb_queue_alloc and igb_rx_queue_setup do, without a port. */
static struct igb_queue *queue(struct igb_rings *r, struct iop_ioas *ioas,
			       struct rte_mempool *mp, struct iop_port_qcounters *cnt)
{
	void *ring;
	struct rte_mbuf **sw;
	struct igb_queue *q = pci_burst_queue(sizeof(*q), offsetof(struct igb_queue, cache),
					      sizeof(union igb_rx_desc), ioas, &ring, &sw);

	if (!q)
		return NULL;
	q->ring = ring;
	q->sw = sw;
	q->blk = r->regs + (mp ? r->rxq_base : r->txq_base);
	q->size = RING;
	q->mask = RING - 1;
	q->rings = r;
	q->cnt = cnt;
	q->mp = mp;
	q->max_frame = IGB_MAX_FRAME; /* MTU 1500, as configured by default */
	if (mp && pci_burst_rx_pool(&q->refill, &q->cache, mp, "igb") < 0)
		return NULL;
	return q;
}

/* the device: 32 frames of 60 bytes received, written back */
static void igb_written(void *arg)
{
	struct igb_queue *q = arg;
	volatile union igb_rx_desc *rd = q->ring;

	for (int i = 0; i < BURST; i++) {
		volatile union igb_rx_desc *d = &rd[(q->next + i) & q->mask];

		d->wb.pkt_info = 0;
		d->wb.length = PCI_BURST_LEN;
		d->wb.status_error = IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP;
	}
}

static uint16_t igb_next(const void *arg)
{
	return ((const struct igb_queue *)arg)->next;
}

/* the device: every frame posted is sent */
static void igb_sent(void *arg, uint16_t from)
{
	struct igb_queue *q = arg;
	volatile struct igb_tx_desc *td = q->ring;

	for (uint16_t i = from; i != q->next; i = (uint16_t)((i + 1) & q->mask))
		td[i].olinfo_status = IGB_TXD_STAT_DD;
}

static const struct pci_burst_device igb_device = {
	.rx_written = igb_written, .tx_next = igb_next, .tx_done = igb_sent,
};

int main(int argc, char **argv)
{
	struct iop_port_qcounters rxc = { 0 }, txc = { 0 };
	struct igb_rings r = { .rxq_base = IGB_PF_RXQ_BASE, .txq_base = IGB_PF_TXQ_BASE,
			       .q_stride = IGB_PF_Q_STRIDE, .max_queues = 1,
			       .nb_rxq = 1, .nb_txq = 1 };
	struct igb_queue *rxq, *txq;
	struct rte_mempool *mp;
	struct iop_ioas *ioas;
	long bursts;
	uint64_t fwd = 0;

	if (argc != 3 || (bursts = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pci_burst_igb TOPOLOGY BURSTS\n");
		return 2;
	}
	if (pci_burst_setup("pci_burst_igb", argv[0], argv[1], &ioas, &mp, &r.regs))
		return 1;
	if (!(rxq = queue(&r, ioas, mp, &rxc)) || !(txq = queue(&r, ioas, NULL, &txc))) {
		fprintf(stderr, "pci_burst_igb: set-up failed\n");
		return 1;
	}
	r.rxq[0] = rxq;
	r.txq[0] = txq;
	if (igb_rings_start_tx(&r) < 0 || igb_rings_start_rx(&r) < 0) {
		fprintf(stderr, "pci_burst_igb: %s\n", iop_err_msg());
		return 1;
	}
	if (pci_burst_run("pci_burst_igb", bursts, rx_fn, tx_fn, rxq, txq, &igb_device, &fwd))
		return 1;
	return pci_burst_counted("pci_burst_igb", &rxc, &txc, fwd, bursts);
}
