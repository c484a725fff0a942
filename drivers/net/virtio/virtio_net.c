/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net over the modern PCI transport (virtio 1.0, 5.1), polled, on
 * split rings or, when the device offers VIRTIO_F_RING_PACKED, packed rings
 * (virtio_split.c, virtio_packed.c). Several queue pairs with
 * VIRTIO_NET_F_MQ, spread by the device's RSS (VIRTIO_NET_F_RSS) or its own
 * steering, both set through the control queue (virtio_ctrl.c); checksum
 * and TSO offloads through the virtio-net header (virtio_offload.h).
 * Descriptors carry IOVAs of the device's IOAS from each queue's IOVA
 * cache; the device reaches them through the IOMMU because
 * VIRTIO_F_ACCESS_PLATFORM is negotiated. Live moves stop and restart
 * the queues in virtio_dma_stop.c.
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
#include "virtio_ctrl.h"
#include "vnet.h"

/* 5.1.3 feature bits */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
/* 5.1.4 device config */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_S_LINK_UP 1

/* 5.1.2: receiveqN is virtqueue 2(N-1), transmitqN 2(N-1)+1 */
#define VNET_RXQ(i) ((uint16_t)(2 * (i)))
#define VNET_TXQ(i) ((uint16_t)(2 * (i) + 1))
#define VNET_MIN_DESC 64
#define VNET_CTRL_DESC 64
/* the control queue's command buffer and ack byte, after its ring */
#define VNET_CTRL_ACK_OFF RTE_ALIGN(VIRTIO_CTRL_CMD_MAX, 16)
/* how long a control command may take: the device answers it when kicked */
#define VNET_CTRL_WAIT_MS 1000

static void vnet_queue_release(void *arg);

static int vnet_setup_features(struct vnet_priv *vn, const char *bdf)
{
	uint64_t offered = virtio_pci_device_features(&vn->vp);
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM) |
			BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |
			BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_F_RING_PACKED) |
			BIT(VIRTIO_NET_F_CTRL_VQ) | BIT(VIRTIO_NET_F_MQ) | BIT(VIRTIO_NET_F_RSS) |
			BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_F_RING_RESET);

	if (!(offered & BIT(VIRTIO_F_VERSION_1)))
		return IOP_ERR(ENOTSUP, "%s does not offer VIRTIO_F_VERSION_1: only virtio 1.0 devices are supported", bdf);
	/* Without ACCESS_PLATFORM the device bypasses the IOMMU and would take
	 * our IOVAs for physical addresses. */
	if (!(offered & BIT(VIRTIO_F_ACCESS_PLATFORM)))
		return IOP_ERR(ENOTSUP, "%s does not offer VIRTIO_F_ACCESS_PLATFORM, so its DMA bypasses the IOMMU: in QEMU use -device virtio-net-pci,disable-legacy=on,iommu_platform=on",
			       bdf);
	/* offloads only when configured: a device doing them for an app
	 * that did not ask would send what the app did not mean */
	want |= vn->offload_features;
	/* 5.1.3.1: MQ and RSS depend on the control queue */
	if (!(offered & BIT(VIRTIO_NET_F_CTRL_VQ)))
		want &= ~(BIT(VIRTIO_NET_F_MQ) | BIT(VIRTIO_NET_F_RSS));
	vn->offered = offered;
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

/* 5.1.4: queue pairs and RSS limits, from the device config. */
static void vnet_read_steering_caps(struct vnet_priv *vn)
{
	uint16_t pairs = 1, reta = 0;

	if (vnet_has(vn, VIRTIO_NET_F_MQ) || vnet_has(vn, VIRTIO_NET_F_RSS))
		virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_MAX_VQ_PAIRS, &pairs, sizeof(pairs));
	/* 5.1.2: the control queue follows all the device's pairs, even
	 * those beyond what a port uses */
	vn->ctrl_qidx = (uint16_t)(2 * (pairs ? pairs : 1));
	if (pairs > IOP_PORT_MAX_QUEUES)
		pairs = IOP_PORT_MAX_QUEUES;
	vn->max_pairs = pairs ? pairs : 1;
	vn->rss_types = 0;
	vn->rss_key_size = 0;
	vn->reta_size = 0;
	if (!vnet_has(vn, VIRTIO_NET_F_RSS))
		return;
	virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_SUPPORTED_HASH_TYPES, &vn->rss_types,
				sizeof(vn->rss_types));
	virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_RSS_MAX_KEY_SIZE, &vn->rss_key_size,
				sizeof(vn->rss_key_size));
	virtio_pci_read_dev_cfg(&vn->vp, VIRTIO_NET_CFG_RSS_MAX_RETA_LEN, &reta, sizeof(reta));
	vn->reta_size = virtio_rss_reta_size(reta);
	if (vn->rss_key_size > IOP_PORT_RSS_KEY_MAX)
		vn->rss_key_size = IOP_PORT_RSS_KEY_MAX;
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
	vn->max_rx = virtio_pci_queue_max(&vn->vp, VNET_RXQ(0));
	vn->max_tx = virtio_pci_queue_max(&vn->vp, VNET_TXQ(0));
	vnet_read_steering_caps(vn);
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
	info->max_rx_queues = vn->max_pairs;
	info->max_tx_queues = vn->max_pairs;
	if (vn->offered & BIT(VIRTIO_NET_F_GUEST_CSUM))
		info->rx_offload_capa = IOP_PORT_RX_OFFLOAD_UDP_CKSUM | IOP_PORT_RX_OFFLOAD_TCP_CKSUM;
	/* frames over one buffer: MRG_RXBUF; merged TCP segments (LRO) need
	 * it (5.1.6.3.1: else 64 KiB buffers) and the checksum word */
	if (vn->offered & BIT(VIRTIO_NET_F_MRG_RXBUF)) {
		info->rx_offload_capa |= IOP_PORT_RX_OFFLOAD_SCATTER;
		info->max_mtu = VNET_MAX_JUMBO_FRAME - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN;
		if ((vn->offered & BIT(VIRTIO_NET_F_GUEST_CSUM)) &&
		    (vn->offered & BIT(VIRTIO_NET_F_GUEST_TSO4)) &&
		    (vn->offered & BIT(VIRTIO_NET_F_GUEST_TSO6)))
			info->rx_offload_capa |= IOP_PORT_RX_OFFLOAD_TCP_LRO;
	}
	/* chains go out through a slot's indirect table */
	if (vn->offered & BIT(VIRTIO_F_INDIRECT_DESC))
		info->tx_offload_capa |= IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
	/* 5.1.3.1: TSO needs the device's checksum */
	if (vn->offered & BIT(VIRTIO_NET_F_CSUM)) {
		info->tx_offload_capa |= IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM;
		if ((vn->offered & BIT(VIRTIO_NET_F_HOST_TSO4)) &&
		    (vn->offered & BIT(VIRTIO_NET_F_HOST_TSO6)))
			info->tx_offload_capa |= IOP_PORT_TX_OFFLOAD_TCP_TSO;
	}
	/* RSS as negotiated: the hash types the device supports that lib/port
	 * names, its key size and table */
	if (vn->rss_key_size && vn->reta_size) {
		info->rss_hash_types = virtio_rss_types_to_port(vn->rss_types);
		info->rss_key_size = vn->rss_key_size;
		info->reta_size = vn->reta_size;
	} else if (!(vn->offered & BIT(VIRTIO_NET_F_RSS))) {
		info->no_rss_why = "the device does not offer VIRTIO_NET_F_RSS: in QEMU give -device virtio-net-pci,mq=on,rss=on,vectors=2N+2 on a netdev with queues=N, or configure without RSS hash types";
	} else if (!(vn->offered & BIT(VIRTIO_NET_F_CTRL_VQ))) {
		info->no_rss_why = "the device offers VIRTIO_NET_F_RSS without VIRTIO_NET_F_CTRL_VQ, through which RSS is set: configure without RSS hash types";
	} else {
		info->no_rss_why = "the device offers VIRTIO_NET_F_RSS with no key or redirection table in its config (rss_max_key_size, rss_max_indirection_table_length): configure without RSS hash types";
	}
	info->min_desc = VNET_MIN_DESC;
	info->max_desc = vn->max_rx < vn->max_tx ? vn->max_rx : vn->max_tx;
	info->max_frame_len = info->max_mtu ? VNET_MAX_JUMBO_FRAME : VNET_MAX_FRAME;
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
	*out = q;
	return 0;
}

/* The IOVA cache of an rx or tx queue, bound to the device's IOAS (a move
 * rebinds it). The control queue has none: its command buffer lies in its
 * ring's block, whose IOVA it keeps, and a cache nobody polls would stay
 * bound to an IOAS a move may destroy. */
static void vnet_queue_cache_init(struct iop_port *port, struct vnet_queue *q,
				  struct iop_port_qcounters *cnt)
{
	iop_iova_cache_init(&q->cache, iop_dev_ioas(iop_pci_dev_iommu(iop_pci_port_dev(port))));
	q->cnt = cnt;
	cnt->iova_cache = &q->cache;
}

int vnet_queue_program(struct vnet_priv *vn, struct vnet_queue *q)
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
	struct iop_pci_rx_refill refill;
	struct vnet_queue *q;
	int rc;

	if (room < RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME || RTE_PKTMBUF_HEADROOM < VNET_HDR_LEN)
		return IOP_ERR(EINVAL, "mbufs of %u bytes are too small for virtio: %u needed",
			       room, RTE_PKTMBUF_HEADROOM + VNET_MAX_FRAME);
	/* the 12-byte header goes in the headroom, right before the frame */
	rc = iop_pci_rx_refill_init(&refill, mp, iop_port_id(port), VNET_RX_HDR_OFF, "virtio");
	if (rc < 0)
		return rc;
	rc = vnet_queue_alloc(port, VNET_RXQ(qi), nb_desc, 0, &q);
	if (rc < 0)
		return rc;
	q->q.release = vnet_queue_release;
	q->mp = mp;
	q->refill = refill;
	vnet_queue_cache_init(port, q, cnt);
	iop_pci_cache_run_pool(&q->cache, mp);
	/* the 12-byte header goes in the headroom, right before the frame */
	q->rx.buf_len = (uint32_t)(room - RTE_PKTMBUF_HEADROOM + VNET_HDR_LEN);
	vn->rxq[qi] = q;
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
	/* after the ring: a header per slot (the device only reads it; zero
	 * unless an offload is asked), then with indirect descriptors a
	 * table per slot for the header and a chain's segments (both formats'
	 * descriptors are 16 bytes) */
	size_t hdrs = sizeof(struct vnet_tx_hdr) * t.slots;
	size_t tables = l.total + hdrs;
	struct vnet_queue *q;
	int rc;

	rc = vnet_queue_alloc(port, VNET_TXQ(qi), nb_desc,
			      hdrs + (indirect ? (size_t)VNET_TX_TABLE_LEN * nb_desc *
						 sizeof(struct vring_desc) : 0), &q);
	if (rc < 0)
		return rc;
	q->q.release = vnet_queue_release;
	vnet_queue_cache_init(port, q, cnt);
	q->slots = t.slots;
	q->head_stride = t.head_stride;
	q->tx_table_len = indirect ? VNET_TX_TABLE_LEN : 2;
	q->tx_max_segs = indirect ? VNET_TX_MAX_SEGS : 1;
	q->hdrs = (struct vnet_tx_hdr *)((uint8_t *)q->ring + l.total);
	q->hdr_iova = q->ring_iova + l.total;
	q->txd = indirect ? (uint8_t *)q->ring + tables : q->ring;
	q->txd_iova = indirect ? q->ring_iova + tables : q->ring_iova;
	if (vnet_packed(vn))
		vnet_packed_tx_init(q, indirect);
	else
		vnet_split_tx_init(q, indirect);
	vn->txq[qi] = q;
	*txq = q;
	return 0;
}

static void vnet_queue_release(void *arg)
{
	struct vnet_queue *q = arg;

	if (!q)
		return;
	if (q->qidx % 2 == 0)
		q->vn->rxq[q->qidx / 2] = NULL;
	else
		q->vn->txq[q->qidx / 2] = NULL;
	vnet_queue_free(q);
}

static void vnet_drop_mbufs(struct vnet_queue *q)
{
	if (!q)
		return;
	iop_pci_free_mbufs(q->sw, q->size);
	if (q->qidx % 2 == 0)
		vnet_rx_frame_abandon(&q->rx_frame, q->cnt);
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

/* One control command in the buffer after the control queue's ring, of
 * len bytes: posted, then polled until the device answers. */
static int vnet_ctrl_cmd(struct vnet_priv *vn, size_t len, const char *what)
{
	struct vnet_queue *q = vn->ctrlq;
	volatile uint8_t *ack = vn->ctrl_buf + VNET_CTRL_ACK_OFF;
	uint64_t cmd_iova = vn->ctrl_buf_iova;
	const char *bdf = iop_pci_dev_bdf(vn->vp.pdev);
	bool done = false;

	*ack = VIRTIO_NET_ERR;
	if (q->packed)
		vnet_packed_ctrl_post(q, cmd_iova, (uint32_t)len, cmd_iova + VNET_CTRL_ACK_OFF);
	else
		vnet_split_ctrl_post(q, cmd_iova, (uint32_t)len, cmd_iova + VNET_CTRL_ACK_OFF);
	for (int ms = 0; ms < VNET_CTRL_WAIT_MS && !done; ms++) {
		done = q->packed ? vnet_packed_ctrl_done(q) : vnet_split_ctrl_done(q);
		if (!done)
			usleep(1000);
	}
	if (!done)
		return IOP_ERR(ETIMEDOUT, "%s: the virtio device did not answer %s within %d ms",
			       bdf, what, VNET_CTRL_WAIT_MS);
	if (*ack != VIRTIO_NET_OK)
		return IOP_ERR(EIO, "%s: the virtio device refused %s (ack %u)", bdf, what, *ack);
	return 0;
}

/* How frames spread over the rx queues: RSS with the configured hash
 * types, key and table; else, with several queue pairs, the device's own
 * steering over that many (5.1.6.5.6); else nothing to say. */
static int vnet_steer(struct vnet_priv *vn)
{
	uint8_t *buf = vn->ctrl_buf;
	uint16_t pairs = RTE_MAX(vn->nb_rxq, vn->nb_txq);

	if (vn->rss.hash_types)
		return vnet_ctrl_cmd(vn, virtio_ctrl_rss_config(buf, &vn->rss, pairs),
				     "VIRTIO_NET_CTRL_MQ_RSS_CONFIG");
	return vnet_ctrl_cmd(vn, virtio_ctrl_vq_pairs_set(buf, pairs),
			     "VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET");
}

static bool vnet_needs_ctrl(const struct vnet_priv *vn)
{
	return vn->rss.hash_types || RTE_MAX(vn->nb_rxq, vn->nb_txq) > 1;
}

static int vnet_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(iop_pci_port_dev(port));
	uint16_t pairs = RTE_MAX(conf->nb_rxq, conf->nb_txq);

	/* automatic steering spreads over as many rx queues as pairs */
	if (!conf->rss.hash_types && pairs > 1 && !vnet_has(vn, VIRTIO_NET_F_MQ))
		return IOP_ERR(ENOTSUP, "%s: this virtio device spreads frames over several queues only with RSS (it offers VIRTIO_NET_F_RSS, not VIRTIO_NET_F_MQ): give RSS hash types",
			       bdf);
	if (!conf->rss.hash_types && conf->nb_rxq != conf->nb_txq)
		return IOP_ERR(EINVAL, "%s: without RSS a virtio device steers frames over as many rx queues as queue pairs: configure %u rx and %u tx queues alike, or give RSS hash types",
			       bdf, conf->nb_rxq, conf->nb_txq);
	vn->nb_rxq = conf->nb_rxq;
	vn->nb_txq = conf->nb_txq;
	vn->rss = conf->rss;
	vn->mtu = conf->mtu;
	vn->rx_offloads = conf->rx_offloads;
	vn->offload_features = 0;
	if (conf->tx_offloads & (IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM |
				 IOP_PORT_TX_OFFLOAD_TCP_TSO))
		vn->offload_features |= BIT(VIRTIO_NET_F_CSUM);
	if (conf->tx_offloads & IOP_PORT_TX_OFFLOAD_TCP_TSO)
		vn->offload_features |= BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6);
	if (conf->rx_offloads & (IOP_PORT_RX_OFFLOAD_UDP_CKSUM | IOP_PORT_RX_OFFLOAD_TCP_CKSUM))
		vn->offload_features |= BIT(VIRTIO_NET_F_GUEST_CSUM);
	/* 5.1.3.1: GUEST_TSO4/6 need GUEST_CSUM; MRG_RXBUF is always asked */
	if (conf->rx_offloads & IOP_PORT_RX_OFFLOAD_TCP_LRO)
		vn->offload_features |= BIT(VIRTIO_NET_F_GUEST_CSUM) |
					BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6);
	return 0;
}

static int vnet_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	struct iop_port_rss_conf old = vn->rss;
	int rc = 0;

	if (!rss->hash_types && vn->nb_rxq != vn->nb_txq)
		return IOP_ERR(EINVAL, "%s: without RSS a virtio device steers frames over as many rx queues as queue pairs, and %u rx and %u tx queues are configured",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)), vn->nb_rxq, vn->nb_txq);
	vn->rss = *rss;
	if (vn->started && vn->ctrlq)
		rc = vnet_steer(vn);
	if (rc < 0)
		vn->rss = old;
	return rc;
}

/* The control queue, at the index after every queue pair's (5.1.2), made
 * at the first start that needs it and kept until close. */
static int vnet_ctrl_setup(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	uint16_t idx = vn->ctrl_qidx;
	uint16_t max = virtio_pci_queue_max(&vn->vp, idx), n = VNET_CTRL_DESC;
	struct vring_layout l;
	int rc;

	if (vn->ctrlq)
		return 0;
	if (!vnet_has(vn, VIRTIO_NET_F_CTRL_VQ))
		return IOP_ERR(ENOTSUP, "%s: this virtio device has no control queue (VIRTIO_NET_F_CTRL_VQ), so it runs one queue pair without RSS",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)));
	while (n > max)
		n >>= 1;
	if (n < 2)
		return IOP_ERR(ENODEV, "%s: the virtio control queue has %u entries, 2 needed",
			       iop_pci_dev_bdf(iop_pci_port_dev(port)), max);
	l = vnet_layout(vn, n);
	rc = vnet_queue_alloc(port, idx, n, VNET_CTRL_ACK_OFF + 16, &vn->ctrlq);
	if (rc < 0)
		return rc;
	vn->ctrl_buf = (uint8_t *)vn->ctrlq->ring + l.total;
	vn->ctrl_buf_iova = vn->ctrlq->ring_iova + l.total;
	return 0;
}

static void vnet_drop_all_mbufs(struct vnet_priv *vn)
{
	for (uint16_t i = 0; i < IOP_PORT_MAX_QUEUES; i++) {
		vnet_drop_mbufs(vn->rxq[i]);
		vnet_drop_mbufs(vn->txq[i]);
	}
}

/* A start that fails stops the device before the buffers it holds go back. */
static int vnet_start_failed(struct vnet_priv *vn, int rc)
{
	if (!iop_pci_dev_gone(vn->vp.pdev))
		virtio_pci_reset(&vn->vp);
	vnet_drop_all_mbufs(vn);
	return rc;
}

/* The longest untagged frame of the configured MTU (vnet_frame_fits). */
static uint32_t vnet_max_frame(const struct vnet_priv *vn)
{
	return vn->mtu + RTE_ETHER_HDR_LEN;
}

static void vnet_rx_rules_set(const struct vnet_priv *vn, struct vnet_queue *q)
{
	q->rx.max_frame = vnet_max_frame(vn);
	q->rx.max_bufs = q->size;
	q->rx.mrg_rxbuf = vnet_has(vn, VIRTIO_NET_F_MRG_RXBUF);
	/* a merged TCP frame is a chain: LRO implies scatter, as in net_virtio */
	q->rx.scatter = vn->rx_offloads & (IOP_PORT_RX_OFFLOAD_SCATTER | IOP_PORT_RX_OFFLOAD_TCP_LRO);
	q->rx.csum = vnet_has(vn, VIRTIO_NET_F_GUEST_CSUM);
	q->rx.lro = vnet_has(vn, VIRTIO_NET_F_GUEST_TSO4) || vnet_has(vn, VIRTIO_NET_F_GUEST_TSO6);
	q->rx_frame = (struct vnet_rx_frame){ 0 };
}

static int vnet_start(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	const char *bdf = iop_pci_dev_bdf(iop_pci_port_dev(port));
	int rc;

	if (vnet_needs_ctrl(vn)) {
		rc = vnet_ctrl_setup(port);
		if (rc < 0)
			return rc;
	}
	/* stop resets the device, so every start negotiates again */
	rc = vnet_init_device(vn, bdf);
	if (rc < 0)
		return rc;
	if (vn->cfg_efd >= 0)
		iop_mmio_write16(vn->vp.common, VIRTIO_COMMON_MSIX, 0);
	for (uint16_t i = 0; i < vn->nb_rxq; i++) {
		struct vnet_queue *q = vn->rxq[i];

		vnet_ring_reset(vn, q);
		vnet_rx_rules_set(vn, q);
		rc = vnet_queue_program(vn, q);
		if (rc == 0)
			rc = q->packed ? vnet_packed_rx_fill(q) : vnet_split_rx_fill(q);
		if (rc < 0)
			return vnet_start_failed(vn, rc);
	}
	for (uint16_t i = 0; i < vn->nb_txq; i++) {
		struct vnet_queue *q = vn->txq[i];

		vnet_ring_reset(vn, q);
		vnet_tx_slots_reset(q);
		q->tx_offload = vnet_has(vn, VIRTIO_NET_F_CSUM);
		q->tso_max = vnet_has(vn, VIRTIO_NET_F_HOST_TSO4) ? VNET_MAX_TSO_FRAME : 0;
		q->tx_max_frame = vnet_max_frame(vn);
		memset(q->hdrs, 0, sizeof(*q->hdrs) * q->slots);
		rc = vnet_queue_program(vn, q);
		if (rc < 0)
			return vnet_start_failed(vn, rc);
	}
	if (vn->ctrlq) {
		vnet_ring_reset(vn, vn->ctrlq);
		rc = vnet_queue_program(vn, vn->ctrlq);
		if (rc < 0)
			return vnet_start_failed(vn, rc);
	}
	iop_pci_set_bus_master(iop_pci_port_dev(port), true);
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_DRIVER_OK);
	/* 5.1.6.5.6.1: the device starts with one pair; the commands come
	 * once it runs */
	if (vnet_needs_ctrl(vn)) {
		rc = vnet_steer(vn);
		if (rc < 0)
			return vnet_start_failed(vn, rc);
	}
	for (uint16_t i = 0; i < vn->nb_rxq; i++)
		iop_mmio_write16(vn->rxq[i]->notify, 0, VNET_RXQ(i));
	vn->started = true;
	return 0;
}

static void vnet_stop(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);

	/* a reset stops all DMA before the buffers go back to the pool */
	if (!iop_pci_dev_gone(iop_pci_port_dev(port)))
		virtio_pci_reset(&vn->vp);
	vnet_drop_all_mbufs(vn);
	vn->started = false;
}

static void vnet_close(struct iop_port *port)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	struct iop_pci_dev *pdev = iop_pci_port_dev(port);

	if (!iop_pci_dev_gone(pdev))
		virtio_pci_reset(&vn->vp);
	vnet_queue_free(vn->ctrlq);
	vn->ctrlq = NULL;
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
	.configure = vnet_configure,
	.rss_update = vnet_rss_update,
	.rx_queue_setup = vnet_rx_queue_setup,
	.tx_queue_setup = vnet_tx_queue_setup,
	.start = vnet_start,
	.stop = vnet_stop,
	.close = vnet_close,
	.link_get = vnet_link_get,
	.dma_stop = vnet_dma_stop,
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
