/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_E1000E_H
#define IOP_E1000E_H

/* The e1000e PMD's queue and port state and its register access
 * (e1000e.c); bench/pci_burst.c drives the same state. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "e1000e_offload.h"
#include "e1000e_regs.h"
#include "iop_iova_cache.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"

#define E1000_MIN_DESC 64
/* Most descriptors a frame sent takes (QEMU's model gathers at most 64
 * buffers a frame): with its context it always fits an empty ring. */
#define E1000_TX_MAX_SEGS 32
static_assert(E1000_TX_MAX_SEGS + 1 < E1000_MIN_DESC, "a frame fits the smallest ring");
/* Doorbells and write-backs cost a bus transaction each (and a VM exit
 * under emulation): the tail is moved back to the device once 32 rx
 * descriptors are free, and only every 32nd tx descriptor asks for its
 * status to be reported (RS), which then stands for the 32 before it. */
#define E1000_RX_FREE_THRESH 32
#define E1000_TX_RS_THRESH 32
#define E1000_MAX_DESC 4096

struct e1000_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	volatile uint8_t *regs;
	void *ring;          /* struct e1000_rx_desc[] or e1000_tx_desc[] */
	uint64_t ring_iova;
	uint16_t size, mask;
	uint16_t next;       /* rx: next to check; tx: next free (tail) */
	uint16_t clean;      /* tx: oldest not yet reclaimed */
	uint16_t hold;       /* rx: processed but not yet given back by RDT */
	uint16_t port_id;
	uint16_t buf_len;    /* rx: bytes of each buffer (RCTL.BSIZE) */
	uint32_t max_frame;  /* the MTU's untagged frame (iop_pci_frame_fits) */
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw;
	struct e1000_priv *ep;
	bool rx_csum;        /* rx: deliver the checksum verdicts */
	bool vlan;           /* rx: tags stripped (CTRL.VME) */
	bool scatter;        /* rx: frames over one buffer delivered chained */
	struct iop_pci_rx_chain chain; /* rx: the frame whose EOP is yet to come */
	uint64_t tx_ol;      /* tx: the mbuf flags whose offload is on */
	bool ctx_set;        /* tx: the device holds ctx (one per queue) */
	struct e1000_tx_ctx_desc ctx;
	struct iop_iova_cache cache;
};

struct e1000_priv {
	volatile uint8_t *regs; /* BAR0 */
	struct e1000_queue *rxq, *txq;
	bool promisc;
	uint32_t tctl;          /* TCTL while a move stops the DMA */
	uint64_t rx_offloads;   /* as configured */
	uint64_t tx_offloads;
	uint32_t max_frame;     /* the MTU's untagged frame: MTU and header */
};

static inline uint32_t rd(volatile uint8_t *regs, size_t reg)
{
	return iop_mmio_read32(regs, reg);
}

static inline void wr(volatile uint8_t *regs, size_t reg, uint32_t v)
{
	iop_mmio_write32(regs, reg, v);
}

#endif /* IOP_E1000E_H */
