/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live moves (doc/move.md), with the port's bursts idle. Stop: every tx
 * queue first lets the device send what it was given (so that a reset
 * never throws away a frame QEMU holds for its backend), then every rx
 * and tx queue is reset (VIRTIO_F_RING_RESET), which stops its DMA.
 * Restart: each ring is rewritten where it stood (virtio_requeue.c: the
 * buffers the device used and the bursts have not taken stay used, the
 * ones it did not use are posted again in their order), the queue is set
 * up and enabled at the IOVAs it had, and kicked. The control queue is
 * idle (commands run under lib/port's lock, which the move holds) and
 * stays as it is.
 */
#include <errno.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_log.h"
#include "vnet.h"

#define VNET_TX_DRAIN_MS 200

static struct vnet_queue *vnet_queue_at(const struct vnet_priv *vn, uint16_t i, bool *rx)
{
	*rx = i < vn->nb_rxq;
	return *rx ? vn->rxq[i] : vn->txq[i - vn->nb_rxq];
}

/* Queues 0..count-1 (rx, then tx) again where they were. */
static int vnet_queues_restart(struct vnet_priv *vn, uint16_t count)
{
	int rc = 0;

	for (uint16_t i = 0; i < count; i++) {
		bool rx;
		struct vnet_queue *q = vnet_queue_at(vn, i, &rx);
		int qrc = q->packed ? vnet_packed_requeue(q, rx) : vnet_split_requeue(q, rx);

		if (qrc == 0)
			qrc = vnet_queue_program(vn, q);
		if (qrc == 0)
			iop_mmio_write16(q->notify, 0, q->qidx);
		else
			IOP_LOG(ERR, "%s: %s", iop_pci_dev_bdf(vn->vp.pdev), iop_err_msg());
		rc = rc ? rc : qrc;
	}
	return rc;
}

static int vnet_tx_drain(struct vnet_priv *vn, struct iop_port *port)
{
	for (uint16_t i = 0; i < vn->nb_txq; i++) {
		struct vnet_queue *q = vn->txq[i];
		int ms = 0;

		iop_mmio_write16(q->notify, 0, q->qidx);
		while (!vnet_ring_drained(q)) {
			if (ms++ == VNET_TX_DRAIN_MS)
				return IOP_ERR(EAGAIN, "port %u (pci:%s): virtio tx queue %u still holds frames the device has not sent after %d ms, so it is not reset: the move is refused and the port forwards on; move it again",
					       iop_port_id(port), iop_pci_dev_bdf(vn->vp.pdev), i,
					       VNET_TX_DRAIN_MS);
			usleep(1000);
		}
	}
	return 0;
}

int vnet_dma_stop(struct iop_port *port, bool stop)
{
	struct vnet_priv *vn = iop_pci_port_priv(port);
	uint16_t count = (uint16_t)(vn->nb_rxq + vn->nb_txq);
	int rc;

	if (!stop)
		return vnet_queues_restart(vn, count);
	if (!vnet_has(vn, VIRTIO_F_RING_RESET))
		return IOP_ERR(EOPNOTSUPP, "port %u (pci:%s): the virtio device does not offer VIRTIO_F_RING_RESET, so the PMD cannot stop its queues' DMA while its domain changes and keep them: stop the port, move it, start it again (QEMU offers it unless queue_reset=off)",
			       iop_port_id(port), iop_pci_dev_bdf(vn->vp.pdev));
	rc = vnet_tx_drain(vn, port);
	for (uint16_t i = 0; rc == 0 && i < count; i++) {
		bool rx;

		rc = virtio_pci_queue_reset(&vn->vp, vnet_queue_at(vn, i, &rx)->qidx);
		if (rc < 0) /* the queues reset so far go on: the move is refused */
			(void)vnet_queues_restart(vn, i);
	}
	return rc;
}
