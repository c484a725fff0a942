/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VNET_H
#define IOP_VNET_H

/*
 * The virtio-net PMD's queue and device state, shared by the port ops
 * (virtio_net.c) and the burst functions of the two ring formats
 * (virtio_split.c, virtio_packed.c).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "iop_iova_cache.h"
#include "iop_port.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"
#include "virtio_offload.h"
#include "virtio_pci.h"
#include "virtio_ring.h"
#include "virtio_rx_frame.h"

#define BIT(n) (1ull << (n))

/* tx: each slot's header, 16 bytes apart */
struct vnet_tx_hdr {
	struct vnet_hdr h;
	uint32_t pad;
};

/*
 * tx with indirect descriptors: each slot's table holds the header and up
 * to VNET_TX_MAX_SEGS segments of a chain, enough for a 64 KiB TSO frame
 * in 2 KiB mbufs (33). Without indirect descriptors a frame is one
 * segment (two ring entries: header and frame).
 */
#define VNET_TX_TABLE_LEN 40
#define VNET_TX_MAX_SEGS (VNET_TX_TABLE_LEN - 1)

/* The longest frame without MRG_RXBUF, and with it (as net_virtio's
 * VIRTIO_MAX_RX_PKTLEN): the MTU a port may ask is that less the Ethernet
 * header and a VLAN tag. */
#define VNET_MAX_FRAME 1514
#define VNET_MAX_JUMBO_FRAME 9728

struct vnet_priv;

struct vnet_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	union {
		struct vring_desc *desc;          /* split */
		struct vring_packed_desc *pdesc;  /* packed */
	};
	struct vring_avail *avail;                /* split */
	struct vring_used *used;                  /* split */
	struct vring_packed_event *driver_event;  /* packed: what we ask of the device */
	struct vring_packed_event *device_event;  /* packed: what the device asks of us */
	volatile uint16_t *notify;
	uint16_t qidx, size, mask;
	/* split: free-running avail and used indexes; packed: ring positions
	 * of the next descriptor to make available and to poll for use */
	uint16_t last_used, avail_idx;
	uint8_t used_wrap, avail_wrap; /* packed: the driver's wrap counters */
	uint16_t nfree;       /* tx: free slots in free[] */
	uint16_t slots;       /* tx: frames in flight at most (vring_tx_layout) */
	uint16_t head_stride; /* tx: ring entries per slot */
	void *txd;            /* tx: header+frame pairs, the ring or indirect tables */
	struct vnet_tx_hdr *hdrs; /* tx: by slot; zero unless offloads are on */
	uint64_t hdr_iova;    /* tx: IOVA of hdrs */
	uint64_t txd_iova;    /* tx: IOVA of txd */
	bool tx_offload;      /* tx: checksum or TSO negotiated: fill hdrs */
	uint32_t tso_max;     /* tx: longest TSO frame taken, 0 without TSO */
	uint32_t tx_max_frame; /* tx: longest frame without TSO: MTU + 14 */
	uint16_t tx_table_len; /* tx: descriptors of a slot's table (txd) */
	uint16_t tx_max_segs; /* tx: segments of a chain at most */
	uint16_t port_id;
	struct vnet_rx_rules rx; /* rx: what the burst delivers */
	struct vnet_rx_frame rx_frame; /* rx: the frame being put together */
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	bool packed;          /* the ring format, fixed at queue setup */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw; /* rx: by descriptor (split) or buffer id (packed); tx: by slot */
	uint16_t *free;       /* tx: free slots */
	void *ring;           /* one block: the ring's parts, then the tx header and tables */
	uint64_t ring_iova;
	struct vnet_priv *vn;
	struct iop_iova_cache cache;
};

struct vnet_priv {
	struct virtio_pci vp;
	uint64_t offered;        /* what the device offers */
	uint64_t features;       /* negotiated */
	uint64_t offload_features; /* the offloads configured, as feature bits */
	uint16_t max_rx, max_tx; /* queue sizes the device offers */
	uint16_t max_pairs;      /* queue pairs a port may use (MQ, RSS), else 1 */
	uint16_t ctrl_qidx;      /* the control queue's index */
	uint32_t rss_types;      /* virtio hash types it supports (RSS) */
	uint8_t rss_key_size;    /* its key length (RSS) */
	uint16_t reta_size;      /* its table, as lib/port takes it (RSS) */
	uint16_t nb_rxq, nb_txq; /* configured */
	uint32_t mtu;            /* configured */
	uint64_t rx_offloads;    /* configured, IOP_PORT_RX_OFFLOAD_* */
	struct iop_port_rss_conf rss; /* configured; hash_types 0: no RSS */
	bool started;
	struct vnet_queue *rxq[IOP_PORT_MAX_QUEUES], *txq[IOP_PORT_MAX_QUEUES];
	struct vnet_queue *ctrlq;
	uint8_t *ctrl_buf;       /* after ctrlq's ring: a command, then its ack */
	uint64_t ctrl_buf_iova;
	int cfg_efd;             /* MSI-X vector 0: config (link) changes; -1 */
	bool link_up, link_known;
};

static inline bool vnet_has(const struct vnet_priv *vn, unsigned int feature)
{
	return vn->features & BIT(feature);
}

/* rx: buffer m, in which the device wrote len bytes, replaced in the
 * ring: adds to pkts the frame it completes. */
static inline void vnet_rx_take(struct vnet_queue *q, struct rte_mbuf *m, uint32_t len,
				struct rte_mbuf **pkts, uint16_t *got)
{
	struct rte_mbuf *frame = vnet_rx_frame_add(&q->rx_frame, &q->rx, q->cnt, m, len);

	if (likely(frame != NULL))
		pkts[(*got)++] = frame;
}

/* tx completion, on either ring: slot's frame went out; its mbuf joins
 * done[] (k of them), which goes back to the pools a chunk at a time. */
static inline void vnet_tx_slot_done(struct vnet_queue *q, uint16_t slot, struct rte_mbuf **done,
				     unsigned int *k)
{
	done[(*k)++] = q->sw[slot];
	q->sw[slot] = NULL;
	q->free[q->nfree++] = slot;
	if (*k == IOP_PCI_RX_CHUNK) {
		iop_pci_tx_free(done, *k);
		*k = 0;
	}
}

/* tx: the IOVA of slot s's header */
static inline uint64_t vnet_tx_hdr_iova(const struct vnet_queue *q, uint16_t s)
{
	return q->hdr_iova + (uint64_t)s * sizeof(struct vnet_tx_hdr);
}

/* tx: the longest m may be (a TSO request without TSO on is dropped). */
static inline uint32_t vnet_tx_max_frame(const struct vnet_queue *q, const struct rte_mbuf *m)
{
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)
		return q->tso_max;
	return iop_pci_tx_frame_limit(m, q->tx_max_frame);
}

/*
 * tx: the IOVA of each segment of m in iova[], or false when m cannot go
 * out: longer than the MTU without a TSO request (or than TSO takes), a
 * chain of more segments than a slot's table holds (one without indirect
 * descriptors), or not mapped. Then m is freed and counted as a drop
 * (tx_oversize, tx_unmapped).
 */
static inline bool vnet_tx_iovas(struct vnet_queue *q, const struct iop_iova_burst *b,
				 struct rte_mbuf *m, uint64_t *iova, unsigned int *looked)
{
	uint16_t k = 0;

	if (likely(m->nb_segs == 1)) {
		iova[0] = iop_pci_tx_iova(b, q->cnt, m, vnet_tx_max_frame(q, m), looked);
		return iova[0] != IOP_IOVA_POISON;
	}
	if (m->nb_segs > q->tx_max_segs || m->pkt_len > vnet_tx_max_frame(q, m)) {
		q->cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		rte_pktmbuf_free(m);
		return false;
	}
	for (const struct rte_mbuf *s = m; s; s = s->next) {
		iova[k] = iop_iova_burst_lookup(b, rte_pktmbuf_mtod(s, void *));
		(*looked)++;
		if (unlikely(iova[k++] == IOP_IOVA_POISON)) {
			q->cnt->drops[IOP_DROP_TX_UNMAPPED]++;
			rte_pktmbuf_free(m);
			return false;
		}
	}
	return true;
}

/* tx: the header of the frame m in slot s (zero as set up, without offloads). */
static inline void vnet_tx_hdr_fill(struct vnet_queue *q, uint16_t s, struct rte_mbuf *m)
{
	if (q->tx_offload)
		vnet_tx_hdr(&q->hdrs[s].h, m);
}

/* tx, on either ring: a free slot for m (the caller checked there is
 * one), its header filled and the mbuf kept by slot; false when m cannot
 * go out (freed and counted by vnet_tx_iovas). */
static inline bool vnet_tx_slot_take(struct vnet_queue *q, const struct iop_iova_burst *b,
				     struct rte_mbuf *m, uint64_t *iova, unsigned int *looked,
				     uint16_t *slot)
{
	if (!vnet_tx_iovas(q, b, m, iova, looked))
		return false;
	*slot = q->free[--q->nfree];
	vnet_tx_hdr_fill(q, *slot, m);
	q->sw[*slot] = m;
	return true;
}

/* packed: one position further, flipping the wrap counter at the end of
 * the ring. */
static inline void vnet_packed_advance(uint16_t *pos, uint8_t *wrap, uint16_t by, uint16_t size)
{
	*pos = (uint16_t)(*pos + by);
	if (*pos >= size) {
		*pos = (uint16_t)(*pos - size);
		*wrap ^= 1;
	}
}

/*
 * tx with the header in the frame's own headroom: one descriptor for header
 * and frame (VIRTIO_F_VERSION_1 lets a buffer hold both, 5.1.6.6), as
 * net_virtio does when it can. For a single-segment mbuf this port alone
 * holds (direct, one reference) with room before its data, and only where
 * every frame takes one ring entry (indirect descriptors), so that a slot
 * is one entry whichever way its frame goes. QEMU with iommu_platform
 * reaches a table's descriptors through the vIOMMU: per forwarded frame
 * the table cost it 3 IOMMU lookups and a map more than this on split
 * rings, 9 and a map on packed rings, whose descriptors it reads field by
 * field (doc/performance.md, P5).
 */
static inline bool vnet_tx_push_ok(const struct vnet_queue *q, const struct rte_mbuf *m)
{
	return q->head_stride == 1 && m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
	       rte_mbuf_refcnt_read(m) == 1 && rte_pktmbuf_headroom(m) >= VNET_HDR_LEN &&
	       !(rte_pktmbuf_mtod(m, uintptr_t) & 1);
}

/* tx, on either ring, for a frame vnet_tx_push_ok() took: a free slot (the
 * caller checked there is one) keeps m, the header goes before its data,
 * and *iova is the IOVA of both; false when m cannot go out (freed and
 * counted by vnet_tx_iovas). */
static inline bool vnet_tx_push_take(struct vnet_queue *q, const struct iop_iova_burst *b,
				     struct rte_mbuf *m, unsigned int *looked, uint16_t *slot,
				     uint64_t *iova)
{
	struct vnet_hdr *h;

	if (!vnet_tx_iovas(q, b, m, iova, looked))
		return false;
	*slot = q->free[--q->nfree];
	q->sw[*slot] = m;
	h = rte_pktmbuf_mtod_offset(m, struct vnet_hdr *, -(int)VNET_HDR_LEN);
	if (q->tx_offload)
		vnet_tx_hdr(h, m);
	else
		*h = (struct vnet_hdr){ 0 };
	*iova -= VNET_HDR_LEN;
	return true;
}

/* tx, on either ring, after the format's reclaim: the start of a burst,
 * whose IOVA run follows the pool of its first frame. */
static inline struct iop_iova_burst vnet_tx_burst_begin(struct vnet_queue *q,
							 struct rte_mbuf *const *pkts, uint16_t n)
{
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	return iop_iova_cache_burst(&q->cache);
}

/* How vnet_tx_take took a frame. */
enum vnet_tx_took {
	VNET_TX_DROPPED, /* m cannot go out: freed and counted (vnet_tx_iovas) */
	VNET_TX_PUSHED,  /* header in its headroom: iova[0] is the one entry's */
	VNET_TX_IN_SLOT, /* header in the slot's: iova[] are the segments' */
};

/* tx, on either ring: a free slot (the caller checked there is one) for
 * frame m, with its header where the frame may carry it (vnet_tx_push_ok),
 * else in the slot's; the format then posts what this took. */
static __rte_always_inline enum vnet_tx_took
vnet_tx_take(struct vnet_queue *q, const struct iop_iova_burst *b, struct rte_mbuf *m,
	     unsigned int *looked, uint16_t *slot, uint64_t *iova)
{
	if (vnet_tx_push_ok(q, m))
		return vnet_tx_push_take(q, b, m, looked, slot, iova) ? VNET_TX_PUSHED :
									 VNET_TX_DROPPED;
	return vnet_tx_slot_take(q, b, m, iova, looked, slot) ? VNET_TX_IN_SLOT : VNET_TX_DROPPED;
}

static inline bool vnet_packed(const struct vnet_priv *vn)
{
	return vn->features & BIT(VIRTIO_F_RING_PACKED);
}

/* Each ring format: tx descriptors set up once at queue setup, the ring
 * reset and (rx) filled at start, the bursts, and for the control queue
 * one command at a time: posted (a device-readable command and the
 * device-writable ack byte), then polled until the device has used it. */
void vnet_split_tx_init(struct vnet_queue *q, bool indirect);
void vnet_split_reset(struct vnet_queue *q);
int vnet_split_rx_fill(struct vnet_queue *q);
uint16_t vnet_split_rx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n);
uint16_t vnet_split_tx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n);
void vnet_split_ctrl_post(struct vnet_queue *q, uint64_t cmd, uint32_t len, uint64_t ack);
bool vnet_split_ctrl_done(struct vnet_queue *q);

void vnet_packed_tx_init(struct vnet_queue *q, bool indirect);
void vnet_packed_reset(struct vnet_queue *q);
int vnet_packed_rx_fill(struct vnet_queue *q);
uint16_t vnet_packed_rx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n);
uint16_t vnet_packed_tx_burst(struct vnet_queue *q, struct rte_mbuf **pkts, uint16_t n);
void vnet_packed_ctrl_post(struct vnet_queue *q, uint64_t cmd, uint32_t len, uint64_t ack);
bool vnet_packed_ctrl_done(struct vnet_queue *q);

/* Live moves (virtio_requeue.c): after a reset of queue q (rx or tx),
 * its ring rewritten so that the device, which starts again at entry 0,
 * finds the buffers still posted there in their order, and the bursts
 * find first the ones it used that they have not taken. -EIO when the
 * ring does not hold every buffer posted (a packed ring used out of
 * order), -ENOMEM. */
int vnet_split_requeue(struct vnet_queue *q, bool rx);
int vnet_packed_requeue(struct vnet_queue *q, bool rx);
/* Whether the device has used everything posted in q. */
bool vnet_ring_drained(const struct vnet_queue *q);

/* virtio_net.c: sets queue q up in the device at its ring's IOVAs. */
int vnet_queue_program(struct vnet_priv *vn, struct vnet_queue *q);
/* virtio_dma_stop.c: the dma_stop op (lib/port's port_driver.h). */
int vnet_dma_stop(struct iop_port *port, bool stop);

#endif /* IOP_VNET_H */
