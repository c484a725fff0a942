/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net over the modern PCI transport (virtio 1.0, 5.1), one queue
 * pair, polled, on split rings or, when the device offers
 * VIRTIO_F_RING_PACKED, packed rings (virtio_split.c, virtio_packed.c). Descriptors carry IOVAs of the device's IOAS
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
#include "pci_pmd_ring.h"
#include "vnet.h"

/* 5.1.3 feature bits */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
/* 5.1.4 device config */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_S_LINK_UP 1

#define VNET_RXQ 0 /* 5.1.2: receiveq1 */
#define VNET_TXQ 1 /* transmitq1 */
#define VNET_MIN_DESC 64

static void vnet_queue_release(void *arg);

static int vnet_setup_features(struct vnet_priv *vn, const char *bdf)
{
	uint64_t offered = virtio_pci_device_features(&vn->vp);
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM) |
			BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |
			BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_F_RING_PACKED);

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

static struct vring_layout vnet_layout(const struct vnet_priv *vn, uint16_t n)
{
	return vnet_packed(vn) ? vring_packed_layout(n) : vring_layout(n);
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
	struct vring_layout l = vnet_layout(vn, size);
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
	if (vnet_packed(vn)) {
		q->driver_event = (struct vring_packed_event *)((uint8_t *)q->ring + l.avail);
		q->device_event = (struct vring_packed_event *)((uint8_t *)q->ring + l.used);
	} else {
		q->avail = (struct vring_avail *)((uint8_t *)q->ring + l.avail);
		q->used = (struct vring_used *)((uint8_t *)q->ring + l.used);
	}
	q->qidx = qidx;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->port_id = iop_port_id(port);
	q->packed = vnet_packed(vn);
	q->vn = vn;
	iop_iova_cache_init(&q->cache, ioas);
	*out = q;
	return 0;
}

static int vnet_queue_program(struct vnet_priv *vn, struct vnet_queue *q)
{
	struct vring_layout l = vnet_layout(vn, q->size);

	/* split: desc, avail, used; packed: desc, driver area, device area */
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
	struct vnet_queue *q;
	int rc;

	(void)qi;
	if (room < RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME || RTE_PKTMBUF_HEADROOM < VNET_HDR_LEN)
		return IOP_ERR(EINVAL, "mbufs of %u bytes are too small for virtio: %u needed",
			       room, RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME);
	rc = vnet_queue_alloc(port, VNET_RXQ, nb_desc, 0, &q);
	if (rc < 0)
		return rc;
	q->q.release = vnet_queue_release;
	q->mp = mp;
	q->rearm = iop_pci_rx_rearm_template(q->port_id);
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
	struct vring_layout l = vnet_layout(vn, nb_desc);
	bool indirect = vn->features & BIT(VIRTIO_F_INDIRECT_DESC);
	struct vring_tx_layout t = vring_tx_layout(nb_desc, indirect);
	/* after the ring: one zeroed header all tx chains share (the device
	 * only reads it), then with indirect descriptors a two-entry table
	 * per slot (both formats' descriptors are 16 bytes) */
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
	q->hdr_iova = q->ring_iova + l.total;
	q->txd = indirect ? (uint8_t *)q->ring + tables : q->ring;
	q->txd_iova = indirect ? q->ring_iova + tables : q->ring_iova;
	if (vnet_packed(vn))
		vnet_packed_tx_init(q, indirect);
	else
		vnet_split_tx_init(q, indirect);
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

static void vnet_tx_slots_reset(struct vnet_queue *q)
{
	q->nfree = 0;
	for (uint16_t s = 0; s < q->slots; s++)
		q->free[q->nfree++] = s;
}

static void vnet_ring_reset(struct vnet_priv *vn, struct vnet_queue *q)
{
	if (vnet_packed(vn))
		vnet_packed_reset(q);
	else
		vnet_split_reset(q);
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
		vnet_ring_reset(vn, q);
		rc = vnet_queue_program(vn, q);
		if (rc < 0)
			return rc;
		rc = vnet_packed(vn) ? vnet_packed_rx_fill(q) : vnet_split_rx_fill(q);
		if (rc < 0) {
			vnet_drop_mbufs(q);
			return rc;
		}
	}
	for (struct vnet_queue *q = vn->txq; q; q = NULL) {
		vnet_ring_reset(vn, q);
		vnet_tx_slots_reset(q);
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

/* The ring format is the device's, fixed for the life of the queue: a
 * branch that always goes the same way, then a tail call. */
static uint16_t vnet_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;

	return q->packed ? vnet_packed_rx_burst(q, pkts, n) : vnet_split_rx_burst(q, pkts, n);
}

static uint16_t vnet_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct vnet_queue *q = arg;

	return q->packed ? vnet_packed_tx_burst(q, pkts, n) : vnet_split_tx_burst(q, pkts, n);
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
