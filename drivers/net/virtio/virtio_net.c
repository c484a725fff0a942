/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net over the modern PCI transport (virtio 1.0, 5.1), one queue
 * pair, split rings, polled. Descriptors carry IOVAs of the device's IOAS
 * from each queue's IOVA cache; the device reaches them through the IOMMU
 * because VIRTIO_F_ACCESS_PLATFORM is negotiated.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"
#include "virtio_pci.h"
#include "virtio_ring.h"

/* 5.1.3 feature bits */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
/* 5.1.4 device config */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_S_LINK_UP 1

/* 5.1.6: with VIRTIO_F_VERSION_1 the header is always 12 bytes (it has
 * num_buffers even without VIRTIO_NET_F_MRG_RXBUF). All zero: no offloads. */
#define VNET_HDR_LEN 12

#define VNET_RXQ 0 /* 5.1.2: receiveq1 */
#define VNET_TXQ 1 /* transmitq1 */
#define VNET_MAX_FRAME 1514
#define VNET_MIN_DESC 64

#define BIT(n) (1ull << (n))

struct vnet_queue {
	struct iop_pci_q q;  /* must stay first (pci_pmd.h) */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	volatile uint16_t *notify;
	uint16_t qidx, size, mask;
	uint16_t last_used, avail_idx;
	uint16_t nfree;       /* tx: free slots in free[] */
	uint16_t slots;       /* tx: frames in flight at most (vring_tx_layout) */
	uint16_t head_stride; /* tx: ring entries per slot */
	struct vring_desc *txd; /* tx: header+frame pairs, the ring or indirect tables */
	uint16_t port_id;
	uint32_t buf_len;     /* rx: bytes the device may write per buffer */
	struct rte_mempool *mp;
	struct iop_pci_rx_refill refill; /* rx */
	struct rte_mempool *tx_run_pool; /* tx: iop_pci_tx_run_follow */
	struct iop_port_qcounters *cnt;
	struct rte_mbuf **sw; /* rx: by descriptor; tx: by slot */
	uint16_t *free;       /* tx: free slots */
	void *ring;           /* one block: desc, avail, used (+ tx header) */
	uint64_t ring_iova;
	struct vnet_priv *vn;
	struct iop_iova_cache cache;
};

struct vnet_priv {
	struct virtio_pci vp;
	uint64_t features;
	uint16_t max_rx, max_tx; /* queue sizes the device offers */
	struct vnet_queue *rxq, *txq;
	int cfg_efd;             /* MSI-X vector 0: config (link) changes; -1 */
	bool link_up, link_known;
};

static void vnet_queue_release(void *arg);

static int vnet_setup_features(struct vnet_priv *vn, const char *bdf)
{
	uint64_t offered = virtio_pci_device_features(&vn->vp);
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM) |
			BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |
			BIT(VIRTIO_F_INDIRECT_DESC);

	if (!(offered & BIT(VIRTIO_F_VERSION_1)))
		return IOP_ERR(ENOTSUP, "%s does not offer VIRTIO_F_VERSION_1: only virtio 1.0 devices are supported", bdf);
	/* Without ACCESS_PLATFORM the device bypasses the IOMMU and would take
	 * our IOVAs for physical addresses. */
	if (!(offered & BIT(VIRTIO_F_ACCESS_PLATFORM)))
		return IOP_ERR(ENOTSUP, "%s does not offer VIRTIO_F_ACCESS_PLATFORM, so its DMA bypasses the IOMMU: in QEMU use -device virtio-net-pci,disable-legacy=on,iommu_platform=on",
			       bdf);
	vn->features = offered & want;
	return virtio_pci_set_features(&vn->vp, vn->features);
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
static int vnet_init_device(struct vnet_priv *vn, const char *bdf)
{
	int rc = virtio_pci_reset(&vn->vp);

	if (rc < 0)
		return rc;
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_DRIVER);
	rc = vnet_setup_features(vn, bdf);
	if (rc < 0)
		virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_FAILED);
	return rc;
}

static int vnet_probe(struct iop_port *port, struct iop_pci_dev *pdev)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(pdev);
	struct rte_ether_addr mac;
	int efd, rc;

	vn->cfg_efd = -1;
	rc = virtio_pci_map(&vn->vp, pdev);
	if (rc < 0)
		return rc;
	rc = vnet_init_device(vn, bdf);
	if (rc < 0)
		return rc;
	vn->max_rx = virtio_pci_queue_max(&vn->vp, VNET_RXQ);
	vn->max_tx = virtio_pci_queue_max(&vn->vp, VNET_TXQ);
	if (vn->max_rx < VNET_MIN_DESC || vn->max_tx < VNET_MIN_DESC)
		return IOP_ERR(ENODEV, "%s: virtio queues of %u/%u entries, at least %u needed",
			       bdf, vn->max_rx, vn->max_tx, VNET_MIN_DESC);
	if (vn->features & BIT(VIRTIO_NET_F_MAC)) {
		virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_MAC, mac.addr_bytes,
					RTE_ETHER_ADDR_LEN);
	} else {
		rte_eth_random_addr(mac.addr_bytes);
	}
	iop_port_set_mac(port, &mac);
	/* link changes raise the config vector; polled in link_get */
	if (iop_pci_msix_enable(pdev, 1, &efd) == 0) {
		vn->cfg_efd = efd;
		iop_mmio_write16(vn->vp.common, VIRTIO_COMMON_MSIX, 0);
	} else {
		IOP_LOG(INFO, "%s: no MSI-X (%s); link state is read on every query", bdf,
			iop_err_msg());
	}
	return 0;
}

static void vnet_info_get(struct iop_port *port, struct iop_port_info *info)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);

	info->driver = "virtio";
	info->max_rx_queues = 1;
	info->max_tx_queues = 1;
	info->min_desc = VNET_MIN_DESC;
	info->max_desc = vn->max_rx < vn->max_tx ? vn->max_rx : vn->max_tx;
	info->max_frame_len = VNET_MAX_FRAME;
	info->numa_node = iop_pci_dev_numa_node(iop_pci_port_dev(port));
}

static void vnet_queue_free(struct vnet_queue *q)
{
	if (!q)
		return;
	rte_free(q->sw);
	rte_free(q->free);
	rte_free(q->ring);
	rte_free(q);
}

/* Ring memory comes from DPDK's hugepages, which lib/mem maps into every
 * IOAS; one translation must cover the whole block. */
static int vnet_queue_alloc(struct iop_port *port, uint16_t qidx, uint16_t size,
			    size_t extra, struct vnet_queue **out)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);
	struct iop_ioas *ioas = iop_dev_ioas(iop_pci_dev_iommu(pdev));
	int socket = iop_bus_socket_id(iop_pci_dev_numa_node(pdev));
	struct vring_layout l = vring_layout(size);
	struct vnet_queue *q;
	int rc;

	if (!ioas)
		return IOP_ERR(ENODEV, "%s is not attached to an IOAS", iop_pci_dev_bdf(pdev));
	q = rte_zmalloc_socket("iop_vnet_q", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (!q)
		return IOP_ERR(ENOMEM, "no hugepage memory for a virtio queue: reserve more hugepages");
	q->ring = rte_zmalloc_socket("iop_vnet_ring", l.total + extra, 4096, socket);
	q->sw = rte_zmalloc_socket("iop_vnet_sw", sizeof(*q->sw) * size, 0, socket);
	q->free = rte_zmalloc_socket("iop_vnet_free", sizeof(*q->free) * size, 0, socket);
	if (!q->ring || !q->sw || !q->free) {
		vnet_queue_free(q);
		return IOP_ERR(ENOMEM, "no hugepage memory for a virtio ring of %u entries: reserve more hugepages",
			       size);
	}
	rc = iop_pci_ring_iova(pdev, ioas, "virtio", q->ring, l.total + extra, &q->ring_iova);
	if (rc < 0) {
		vnet_queue_free(q);
		return rc;
	}
	q->desc = q->ring;
	q->avail = (struct vring_avail *)((uint8_t *)q->ring + l.avail);
	q->used = (struct vring_used *)((uint8_t *)q->ring + l.used);
	q->qidx = qidx;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->vn = vn;
	iop_iova_cache_init(&q->cache, ioas);
	*out = q;
	return 0;
}

static int vnet_queue_program(struct vnet_priv *vn, struct vnet_queue *q)
{
	struct vring_layout l = vring_layout(q->size);

	/* we poll: 2.4.7, ask the device not to interrupt */
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	q->notify = virtio_pci_queue_setup(&vn->vp, q->qidx, q->size, q->ring_iova,
					   q->ring_iova + l.avail, q->ring_iova + l.used);
	if (!q->notify)
		return IOP_ERR(ENODEV, "%s: the notify address of virtio queue %u lies outside the notify structure",
			       iop_pci_dev_bdf(vn->vp.pdev), q->qidx);
	return 0;
}

static int vnet_rx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
			       struct rte_mempool *mp, struct iop_port_qcounters *cnt,
			       void **rxq)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	uint16_t room = rte_pktmbuf_data_room_size(mp);
	struct iop_pci_rx_refill refill;
	struct vnet_queue *q;
	int rc;

	(void)qi;
	if (room < RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME || RTE_PKTMBUF_HEADROOM < VNET_HDR_LEN)
		return IOP_ERR(EINVAL, "mbufs of %u bytes are too small for virtio: %u needed",
			       room, RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME);
	/* the 12-byte header goes in the headroom, right before the frame */
	rc = iop_pci_rx_refill_init(&refill, mp, iop_port_id(port),
				    RTE_PKTMBUF_HEADROOM - VNET_HDR_LEN, "virtio");
	if (rc < 0)
		return rc;
	rc = vnet_queue_alloc(port, VNET_RXQ, nb_desc, 0, &q);
	if (rc < 0)
		return rc;
	q->q.release = vnet_queue_release;
	q->mp = mp;
	q->refill = refill;
	iop_pci_cache_run_pool(&q->cache, mp);
	q->cnt = cnt;
	cnt->iova_cache = &q->cache;
	/* the 12-byte header goes in the headroom, right before the frame */
	q->buf_len = (uint32_t)(room - RTE_PKTMBUF_HEADROOM + VNET_HDR_LEN);
	vn->rxq = q;
	*rxq = q;
	return 0;
}

static int vnet_tx_queue_setup(struct iop_port *port, uint16_t qi, uint16_t nb_desc,
			       struct iop_port_qcounters *cnt, void **txq)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	struct vring_layout l = vring_layout(nb_desc);
	bool indirect = vn->features & BIT(VIRTIO_F_INDIRECT_DESC);
	struct vring_tx_layout t = vring_tx_layout(nb_desc, indirect);
	/* after the ring: one zeroed header all tx chains share (the device
	 * only reads it), then with indirect descriptors a two-entry table
	 * per slot */
	size_t tables = l.total + VRING_DESC_ALIGN;
	struct vnet_queue *q;
	int rc;

	(void)qi;
	rc = vnet_queue_alloc(port, VNET_TXQ, nb_desc,
			      VRING_DESC_ALIGN + (indirect ? 2u * nb_desc * sizeof(struct vring_desc) : 0),
			      &q);
	if (rc < 0)
		return rc;
	q->q.release = vnet_queue_release;
	q->cnt = cnt;
	cnt->iova_cache = &q->cache;
	q->slots = t.slots;
	q->head_stride = t.head_stride;
	q->txd = indirect ? (struct vring_desc *)((uint8_t *)q->ring + tables) : q->desc;
	for (uint16_t s = 0; s < t.slots; s++) {
		struct vring_desc *h = &q->txd[2 * s];

		if (indirect) {
			q->desc[s].addr = q->ring_iova + tables + 2u * s * sizeof(*h);
			q->desc[s].len = 2 * sizeof(*h);
			q->desc[s].flags = VRING_DESC_F_INDIRECT;
		}
		h->addr = q->ring_iova + l.total;
		h->len = VNET_HDR_LEN;
		h->flags = VRING_DESC_F_NEXT;
		h->next = (uint16_t)(indirect ? 1 : 2 * s + 1);
	}
	vn->txq = q;
	*txq = q;
	return 0;
}

static void vnet_queue_release(void *arg)
{
	struct vnet_queue *q = arg;

	if (q && q->vn->rxq == q)
		q->vn->rxq = NULL;
	if (q && q->vn->txq == q)
		q->vn->txq = NULL;
	vnet_queue_free(q);
}

static void vnet_drop_mbufs(struct vnet_queue *q)
{
	if (q)
		iop_pci_free_mbufs(q->sw, q->size);
}

static int vnet_rx_fill(struct vnet_queue *q)
{
	unsigned int looked = 0;
	struct iop_iova_burst b = iop_iova_cache_burst(&q->cache);

	for (uint16_t i = 0; i < q->size; i++) {
		struct rte_mbuf *m;
		uint64_t iova;
		int rc = iop_pci_rx_buf_alloc(&q->refill, &b, "virtio", q->size, &looked, &m,
					      &iova);

		if (rc < 0)
			return rc;
		q->sw[i] = m;
		q->desc[i].addr = iova;
		q->desc[i].len = q->buf_len;
		q->desc[i].flags = VRING_DESC_F_WRITE;
		q->avail->ring[i] = i;
	}
	iop_iova_cache_count(&q->cache, looked);
	q->avail_idx = q->size;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	return 0;
}

static void vnet_tx_reset(struct vnet_queue *q)
{
	q->nfree = 0;
	for (uint16_t s = 0; s < q->slots; s++)
		q->free[q->nfree++] = s;
}

static int vnet_start(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(iop_pci_port_dev(port));
	int rc;

	/* stop resets the device, so every start negotiates again */
	rc = vnet_init_device(vn, bdf);
	if (rc < 0)
		return rc;
	if (vn->cfg_efd >= 0)
		iop_mmio_write16(vn->vp.common, VIRTIO_COMMON_MSIX, 0);
	for (struct vnet_queue *q = vn->rxq; q; q = NULL) {
		q->last_used = 0;
		memset(q->used, 0, 4);
		rc = vnet_queue_program(vn, q);
		if (rc < 0)
			return rc;
		rc = vnet_rx_fill(q);
		if (rc < 0) {
			vnet_drop_mbufs(q);
			return rc;
		}
	}
	for (struct vnet_queue *q = vn->txq; q; q = NULL) {
		q->last_used = q->avail_idx = 0;
		q->avail->idx = 0;
		memset(q->used, 0, 4);
		vnet_tx_reset(q);
		rc = vnet_queue_program(vn, q);
		if (rc < 0) {
			vnet_drop_mbufs(vn->rxq);
			return rc;
		}
	}
	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_DRIVER_OK);
	if (vn->rxq)
		iop_mmio_write16(vn->rxq->notify, 0, VNET_RXQ);
	return 0;
}

static void vnet_stop(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);

	/* a reset stops all DMA before the buffers go back to the pool */
	if (!iop_pci_dev_gone(iop_pci_port_dev(port)))
		virtio_pci_reset(&vn->vp);
	vnet_drop_mbufs(vn->rxq);
	vnet_drop_mbufs(vn->txq);
}

static void vnet_close(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev))
		virtio_pci_reset(&vn->vp);
	iop_pci_msix_disable(pdev);
}

static int vnet_link_get(struct iop_port *port, struct iop_port_link *link)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	uint64_t events;
	uint16_t status;

	if (iop_pci_dev_gone(iop_pci_port_dev(port)))
		return IOP_ERR(ENODEV, "%s stopped answering (reads all-ones)",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)));
	if (!(vn->features & BIT(VIRTIO_NET_F_STATUS))) {
		link->up = true;
	} else {
		/* with MSI-X, re-read only after the device signalled a change */
		if (vn->cfg_efd < 0 || !vn->link_known ||
		    read(vn->cfg_efd, &events, sizeof(events)) == sizeof(events)) {
			virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_STATUS, &status,
						sizeof(status));
			vn->link_up = status & VIRTIO_NET_S_LINK_UP;
			vn->link_known = true;
		}
		link->up = vn->link_up;
	}
	link->speed_mbps = 0;
	return 0;
}

static inline void vnet_publish(struct vnet_queue *q, uint16_t avail)
{
	__atomic_store_n(&q->avail->idx, avail, __ATOMIC_RELEASE);
	q->avail_idx = avail;
	/* 2.4.7.2: the flags read must not pass the idx write */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY))
		iop_mmio_write16(q->notify, 0, q->qidx);
}

/* Frames of a bad length (the device took them, a wire would not carry
 * them) are dropped; their buffer is replaced like any other. */
static inline bool vnet_rx_len_ok(uint32_t len)
{
	return len > VNET_HDR_LEN && len - VNET_HDR_LEN <= VNET_MAX_FRAME;
}

static uint16_t vnet_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t ready = (uint16_t)(used - q->last_used);
	uint16_t avail = q->avail_idx, got = 0;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	if (ready == 0)
		return 0;
	if (ready > n)
		ready = n;
	b = iop_iova_cache_burst(&q->cache);
	while (ready) {
		struct rte_mbuf *fresh[IOP_PCI_RX_CHUNK];
		uint64_t iova[IOP_PCI_RX_CHUNK];
		unsigned int want = RTE_MIN(ready, (uint16_t)IOP_PCI_RX_CHUNK);
		/* frames with no replacement buffer stay in the ring for the
		 * next burst (the device drops at the wire once it is full) */
		unsigned int k = iop_pci_rx_alloc(&q->refill, &b, q->cnt, want, &looked, fresh,
						  iova);

		for (unsigned int i = 0; i < k; i++) {
			const struct vring_used_elem *e = &q->used->ring[q->last_used & q->mask];
			uint16_t id = (uint16_t)(e->id & q->mask);
			uint32_t len = e->len;
			struct rte_mbuf *m = q->sw[id];

			q->sw[id] = fresh[i];
			q->desc[id].addr = iova[i];
			if (likely(vnet_rx_len_ok(len))) {
				iop_pci_rx_deliver(m, (uint16_t)(len - VNET_HDR_LEN), q->cnt);
				pkts[got++] = m;
			} else {
				q->cnt->drops[IOP_DROP_RX_OVERSIZE]++;
				iop_pci_rx_recycle(m);
			}
			q->last_used++;
			q->avail->ring[avail & q->mask] = id;
			avail++;
		}
		if (k < want)
			break;
		ready = (uint16_t)(ready - want);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_publish(q, avail);
	return got;
}

static void vnet_tx_reclaim(struct vnet_queue *q)
{
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	struct rte_mbuf *done[IOP_PCI_RX_CHUNK];
	unsigned int k = 0;

	while (q->last_used != used) {
		uint16_t id = (uint16_t)(q->used->ring[q->last_used & q->mask].id & q->mask);
		uint16_t slot = (uint16_t)(id / q->head_stride);

		q->last_used++;
		done[k++] = q->sw[slot];
		q->sw[slot] = NULL;
		q->free[q->nfree++] = slot;
		if (k == IOP_PCI_RX_CHUNK) {
			iop_pci_tx_free(done, k);
			k = 0;
		}
	}
	if (k)
		iop_pci_tx_free(done, k);
}

static uint16_t vnet_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;
	uint16_t avail = q->avail_idx, i;
	unsigned int looked = 0;
	struct iop_iova_burst b;

	vnet_tx_reclaim(q);
	if (n)
		iop_pci_tx_run_follow(&q->cache, &q->tx_run_pool, pkts[0]);
	b = iop_iova_cache_burst(&q->cache);
	for (i = 0; i < n && q->nfree; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vring_desc *d;
		uint16_t slot;
		uint64_t iova;

		iova = iop_pci_tx_iova(&b, q->cnt, m, VNET_MAX_FRAME, &looked);
		if (iova == IOP_IOVA_POISON)
			continue;
		slot = q->free[--q->nfree];
		d = &q->txd[2 * slot + 1];
		d->addr = iova;
		d->len = m->data_len;
		d->flags = 0;
		q->sw[slot] = m;
		q->avail->ring[avail & q->mask] = (uint16_t)(slot * q->head_stride);
		avail++;
		iop_pci_count_packet(q->cnt, m->pkt_len);
	}
	iop_iova_cache_count(&q->cache, looked);
	if (avail != q->avail_idx)
		vnet_publish(q, avail);
	return i;
}

static const struct iop_port_ops vnet_ops = {
	.info_get = vnet_info_get,
	.rx_queue_setup = vnet_rx_queue_setup,
	.tx_queue_setup = vnet_tx_queue_setup,
	.start = vnet_start,
	.stop = vnet_stop,
	.close = vnet_close,
	.link_get = vnet_link_get,
};

/* 4.1.2.1: 0x1041 is a modern virtio-net; 0x1000 the transitional one,
 * which also carries the modern capabilities. */
static const struct iop_pci_id vnet_ids[] = {
	{ 0x1af4, 0x1041 },
	{ 0x1af4, 0x1000 },
	{ 0, 0 },
};

static struct iop_pci_pmd vnet_pmd = {
	.name = "virtio",
	.ids = vnet_ids,
	.priv_size = sizeof(struct vnet_priv),
	.probe = vnet_probe,
	.ops = &vnet_ops,
	.rx_burst = vnet_rx_burst,
	.tx_burst = vnet_tx_burst,
};

IOP_PCI_PMD_REGISTER(vnet_pmd)
