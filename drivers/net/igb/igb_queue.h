/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IGB_QUEUE_H
#define IOP_IGB_QUEUE_H

/*
 * The rx and tx rings of advanced descriptors that the 82576 PF (igb.c)
 * and its VFs (drivers/net/igbvf) share: queue set-up, start, stop and the
 * bursts. A PF and a VF differ only in where their queues' register blocks
 * lie and in what else start and stop must touch, which each PMD does
 * around these.
 */

#include <stddef.h>
#include <stdint.h>

#include "pci_pmd.h"

#define IGB_MAX_FRAME 1514
#define IGB_MIN_DESC 64
#define IGB_MAX_DESC 4096
/* 82576: 16 queues, of which RSS without VMDq spreads over 8 (as Linux's
 * igb uses them); a VF has 2 */
#define IGB_MAX_QUEUES 8

struct igb_queue;

/* A device's queues: the first member of the igb and igbvf port state, so
 * that the queue ops below find it through iop_pci_port_priv(). Queue n's
 * registers are at rxq_base (txq_base) + q_stride * n of BAR0. */
struct igb_rings {
	volatile uint8_t *regs; /* BAR0 */
	size_t rxq_base, txq_base, q_stride;
	uint16_t max_queues;
	uint16_t nb_rxq, nb_txq;
	/* the configured MTU's untagged frame: an 802.1Q tag may add 4
	 * (iop_pci_frame_fits), on rx and tx alike */
	uint32_t max_frame;
	struct igb_queue *rxq[IGB_MAX_QUEUES], *txq[IGB_MAX_QUEUES];
};

static inline uint32_t igb_rd(volatile uint8_t *regs, size_t reg)
{
	return iop_mmio_read32(regs, reg);
}

static inline void igb_wr(volatile uint8_t *regs, size_t reg, uint32_t v)
{
	iop_mmio_write32(regs, reg, v);
}

/* iop_port_ops for both PMDs */
int igb_rings_configure(struct iop_port *port, const struct iop_port_conf *conf);
int igb_rx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
		       struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **rxq);
int igb_tx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
		       struct iop_port_qcounters *cnt, void **txq);

/* The fast path (struct iop_pci_pmd's rx_burst and tx_burst). */
uint16_t igb_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n);
uint16_t igb_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n);

/* Starts every tx (rx) queue set up: ring registers, enable, tail. The tx
 * queues each keep two checksum contexts from their start. */
int igb_rings_start_tx(struct igb_rings *r);
int igb_rings_start_rx(struct igb_rings *r);
/* Disables every queue of the device (unless it is gone), turns bus
 * mastering off so that no DMA lands in buffers given back, and frees the
 * mbufs the rings hold. */
void igb_rings_stop(struct iop_pci_dev *pdev, struct igb_rings *r);
/* iop_port_ops.dma_stop for both PMDs (live moves, doc/move.md), called
 * with the port's bursts idle: stop disables every queue set up (its own
 * RXDCTL/TXDCTL enable, which a VF has too, so no PF-wide register is
 * touched) and keeps its head and tail, so the device reaches no memory;
 * restart enables each again where it was. The rings, the buffers posted
 * and the frames waiting to be sent stay. A queue that does not stop
 * fails the stop with every queue going on. */
int igb_dma_stop(struct iop_port *port, bool stop);

#endif /* IOP_IGB_QUEUE_H */
