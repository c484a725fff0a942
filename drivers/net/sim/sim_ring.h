/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_RING_H
#define IOP_SIM_RING_H

/*
 * The sim NIC's descriptor rings, shared by the PMD (sim_pmd.c) and the
 * device model (sim_dev.c). They live in hugepage memory, like a real
 * NIC's rings. Ownership moves with the flags: the driver sets AVAIL to
 * hand a descriptor to the device; the device sets DONE (and maybe an
 * error bit) to hand it back.
 */

#include <assert.h>
#include <stdint.h>

#include "iop_iova_cache.h"
#include "iop_port.h"

#define SIM_DESC_AVAIL  0x1u /* driver -> device: buffer posted */
#define SIM_DESC_DONE   0x2u /* device -> driver: finished */
#define SIM_DESC_MORE   0x4u /* tx: the frame continues in the next descriptor */
#define SIM_DESC_ERROR  0x8u /* device: the frame was dropped (counted) */

struct sim_desc {
	uint64_t iova;    /* buffer in the port's IOAS */
	uint16_t buf_len; /* rx: room in the buffer; tx: bytes of this segment */
	uint16_t len;     /* rx: frame length written by the device */
	uint16_t flags;
	uint16_t reserved;
};

static_assert(sizeof(struct sim_desc) == 16, "descriptors are 16 bytes, 4 per cache line");

struct sim_wire;
struct iop_dev;

/* Where a queue's buffers get their IOVA. */
enum sim_iova_mode {
	SIM_IOVA_CACHE = 0, /* the queue's IOVA cache: right in any IOAS layout */
	SIM_IOVA_MBUF,      /* mbuf->buf_iova: DPDK's own, right only if the IOAS maps IOVA = DPDK's IOVA */
};

struct sim_rxq {
	struct iop_iova_cache cache; /* first: it is cache-line sized */
	struct sim_desc *ring;
	struct rte_mbuf **sw;     /* the mbuf behind each descriptor */
	uint16_t nb_desc, mask;
	uint16_t next;            /* driver: next descriptor to harvest */
	uint16_t rearm;           /* driver: next empty descriptor to refill */
	uint16_t dev_next;        /* device: next descriptor to fill */
	uint16_t q, port;
	enum sim_iova_mode iova_mode;
	uint16_t buf_len;
	struct rte_mempool *mp;
	struct iop_dev *dev;
	struct sim_wire *wire;
	struct iop_port_qcounters *cnt;
	bool hold;                /* set by a move: post nothing */
	bool idle;                /* held, and nothing is posted */
};

struct sim_txq {
	struct iop_iova_cache cache;
	struct sim_desc *ring;
	struct rte_mbuf **sw;
	uint16_t nb_desc, mask;
	uint16_t next;            /* driver: next descriptor to post */
	uint16_t clean;           /* driver: next descriptor to free */
	uint16_t dev_next;        /* device: next descriptor to send */
	uint16_t q, port;
	enum sim_iova_mode iova_mode;
	struct iop_dev *dev;
	struct sim_wire *wire;
	struct iop_port_qcounters *cnt;
	bool hold;                /* set by a move: take no frame */
	bool idle;                /* held, and nothing is in flight */
};

/* The device model, run by the PMD from the polling thread (sim_dev.c):
 * rx fills up to budget posted descriptors with frames from the wire;
 * tx sends every posted descriptor. */
void sim_dev_rx_poll(struct sim_rxq *q, uint16_t budget);
void sim_dev_tx_poll(struct sim_txq *q);
/* At stop: sends what the wire still holds and waits, up to timeout_ms,
 * until the fate of every frame is known and counted; then gives up the
 * frames the far side has not taken (tx_unsent). false: the far side is
 * still sending some frame (counted if its fate becomes known later). */
bool sim_dev_tx_drain(struct sim_txq *q, unsigned int timeout_ms);

#endif /* IOP_SIM_RING_H */
