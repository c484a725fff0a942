/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_RING_H
#define IOP_SIM_RING_H

/*
 * The sim NIC's descriptor rings, shared by the PMD (sim_rxtx.c) and the
 * device model (sim_dev.c). They live in hugepage memory, like a real
 * NIC's rings. Ownership moves with the flags: the driver sets AVAIL to
 * hand a descriptor to the device; the device sets DONE (and maybe an
 * error bit) to hand it back.
 */

#include <assert.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "iop_iova_cache.h"
#include "iop_port.h"
#include "pci_pmd_ring.h"
#include "sim_offload.h"

#define SIM_DESC_AVAIL  0x1u /* driver -> device: buffer posted */
#define SIM_DESC_DONE   0x2u /* device -> driver: finished */
#define SIM_DESC_MORE   0x4u /* the frame continues in the next descriptor
			      * (tx: segments; rx: scatter) */
#define SIM_DESC_ERROR  0x8u /* device: the frame was dropped (counted) */
/* rx, set by the device with DONE on a frame's first descriptor */
#define SIM_DESC_RX_RSS    0x010u /* wb.rss_hash holds the frame's hash */
#define SIM_DESC_RX_VLAN   0x020u /* tag stripped, wb.vlan_tci holds it */
#define SIM_DESC_RX_IP_CK  0x040u /* IPv4 header checksum checked */
#define SIM_DESC_RX_IP_BAD 0x080u /* ... and wrong */
#define SIM_DESC_RX_L4_CK  0x100u /* TCP/UDP checksum checked */
#define SIM_DESC_RX_L4_BAD 0x200u /* ... and wrong */
/* tx, set by the driver on a frame's first descriptor */
#define SIM_DESC_TX_IP_CK  0x010u /* insert the IPv4 header checksum */
#define SIM_DESC_TX_TCP_CK 0x020u /* insert the TCP checksum */
#define SIM_DESC_TX_UDP_CK 0x040u /* insert the UDP checksum */
#define SIM_DESC_TX_IPV6   0x080u /* the L3 header is IPv6 */
#define SIM_DESC_TX_VLAN   0x100u /* insert an 802.1Q tag, tx_vlan_tci */

struct sim_desc {
	union {
		uint64_t iova; /* posted: buffer in the port's IOAS */
		struct {       /* rx, DONE: what the device found (write-back) */
			uint32_t rss_hash;
			uint16_t vlan_tci;
			uint16_t pad;
		} wb;
	};
	uint16_t buf_len; /* rx: room in the buffer; tx: bytes of this segment */
	union {
		uint16_t len;         /* rx: bytes the device wrote in this buffer */
		uint16_t tx_vlan_tci; /* tx, first descriptor: tag to insert */
	};
	uint16_t flags;
	/* tx, first descriptor: l2_len << 9 | l3_len, where the checksums go */
	uint16_t tx_hdr_lens;
};

static_assert(sizeof(struct sim_desc) == 16, "descriptors are 16 bytes, 4 per cache line");

/* Descriptor ownership crosses threads when RSS spreads frames over the
 * queues of other lcores: flags are stored with release and loaded with
 * acquire, so the rest of a descriptor is seen before its flags. */
static inline uint16_t sim_desc_flags(const struct sim_desc *d)
{
	return __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
}

static inline void sim_desc_set_flags(struct sim_desc *d, uint16_t flags)
{
	__atomic_store_n(&d->flags, flags, __ATOMIC_RELEASE);
}

struct sim_wire;
struct iop_dev;

/* Where a queue's buffers get their IOVA. */
enum sim_iova_mode {
	SIM_IOVA_CACHE = 0, /* the queue's IOVA cache: right in any IOAS layout */
	SIM_IOVA_MBUF,      /* mbuf->buf_iova: DPDK's own, right only if the IOAS maps IOVA = DPDK's IOVA */
};

struct sim_rxq;

/*
 * The rx side of the device, shared by the port's rx queues: what the
 * configuration asked for, and with RSS over several queues, where each
 * frame goes. Spread: frames of every wire queue are hashed and written
 * into the ring of the queue the table names, by whichever polling thread
 * holds the lock (the device's one rx engine); its counters of those
 * queues are written under the lock only.
 */
struct sim_rx_model {
	rte_spinlock_t lock;
	bool spread;                 /* RSS over more than one queue */
	uint16_t nb_rxq;
	uint16_t wire_nb_rxq;        /* the wire's queues: fewer where it has fewer */
	uint16_t next_wire_q;        /* spread: the wire queue to start from */
	uint64_t rx_offloads;        /* IOP_PORT_RX_OFFLOAD_* */
	uint32_t max_len;            /* MTU + Ethernet header (+4 if tagged) */
	uint64_t hash_types;         /* IOP_PORT_RSS_*; 0: no hashing */
	uint8_t key[SIM_RSS_KEY_LEN];
	uint16_t reta[SIM_RETA_SIZE];
	struct sim_rxq *rxq[IOP_PORT_MAX_QUEUES];
};

/* The tx side: what the configuration asked for. */
struct sim_tx_model {
	uint64_t tx_offloads;        /* IOP_PORT_TX_OFFLOAD_* */
	uint32_t max_len;            /* MTU + Ethernet header (+4 if tagged) */
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
	/* the pool, the rearm template and where a buffer's first byte lies
	 * from its mbuf (the PCI PMDs' refill, pci_pmd_ring.h) */
	struct iop_pci_rx_refill refill;
	struct iop_dev *dev;
	struct sim_wire *wire;
	struct iop_port_qcounters *cnt;
	struct sim_rx_model *model;
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
	uint16_t wq;              /* its wire queue (q, or shared: q % the wire's) */
	enum sim_iova_mode iova_mode;
	/* the pool whose memory is the cache's run: the first frame's
	 * (iop_pci_tx_run_follow) */
	struct rte_mempool *run_pool;
	struct iop_dev *dev;
	struct sim_wire *wire;
	struct iop_port_qcounters *cnt;
	const struct sim_tx_model *model;
	rte_spinlock_t *wire_lock; /* the wire queue is shared: held per burst */
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
