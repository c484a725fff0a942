/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `pci` port type: "pci:<BDF>" opens the device in the IOAS of the
 * process's layout (iop_port_dev_open), wraps it for VFIO access, picks
 * the PMD whose ids match and forwards every port op to it. The PMD's
 * burst functions go into the fast-path table themselves: a burst is one
 * call, as with an ethdev PMD.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_pmd.h"
#include "pci_request.h"

struct pci_port {
	const struct iop_pci_pmd *pmd;
	struct iop_dev *dev;
	struct iop_pci_dev *pdev;
	void *pmd_priv;
	struct iop_port *port;
	struct iop_pci_request *request; /* NULL if the kernel has no request irq */
	bool removed;  /* the kernel asked for the device back */
};

void *iop_pci_port_priv(struct iop_port *port)
{
	return ((struct pci_port *)iop_port_priv(port))->pmd_priv;
}

struct iop_pci_dev *iop_pci_port_dev(struct iop_port *port)
{
	return ((struct pci_port *)iop_port_priv(port))->pdev;
}

static const struct iop_port_ops *pmd_ops(struct iop_port *port)
{
	return ((struct pci_port *)iop_port_priv(port))->pmd->ops;
}

static void pci_port_release(struct pci_port *pp)
{
	/* before the device goes: the handler uses it */
	iop_pci_request_unwatch(pp->request);
	pp->request = NULL;
	iop_pci_dev_close(pp->pdev);
	pp->pdev = NULL;
	if (pp->dev)
		iop_port_dev_close(pp->dev);
	pp->dev = NULL;
	free(pp->pmd_priv);
	pp->pmd_priv = NULL;
}

/*
 * On DPDK's interrupt thread, when the kernel signals the request eventfd
 * (hot-unplug, unbind from vfio-pci): bus mastering goes off, so the device
 * does no more DMA, and the port's bursts become idle (a tx burst leaves
 * the frames to the caller); the other ports go on. The app learns it from
 * iop_port_is_removed() and closes the port, which releases the device.
 */
static void pci_request(void *arg)
{
	struct pci_port *pp = arg;

	if (pp->removed)
		return;
	pp->removed = true;
	iop_pci_set_bus_master(pp->pdev, false);
	iop_port_set_removed(pp->port);
	IOP_LOG(ERR, "port %u (pci:%s): the kernel asks for the device back (hot-unplug or unbind): port stopped, the others go on; close it to release the device",
		iop_port_id(pp->port), iop_pci_dev_bdf(pp->pdev));
}

static int pci_port_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	struct pci_port *pp = iop_port_priv(port);
	const char *in = iop_port_spec_get(spec, "bdf");
	struct iop_pci_addr addr;
	struct iop_ioas *ioas;
	char bdf[IOP_BDF_LEN];
	int req_fd, rc;

	if (!in)
		return IOP_ERR(EINVAL, "port spec 'pci' needs a device address: pci:<BDF>, e.g. pci:0000:00:03.0");
	rc = iop_pci_addr_parse(in, &addr);
	if (rc < 0)
		return rc;
	iop_pci_addr_format(&addr, bdf);
	rc = iop_port_dev_open(bdf, &pp->dev, &ioas);
	if (rc < 0) {
		pp->dev = NULL;
		/* a VF not created (or gone with its PF's driver): the error
		 * message names its PF and how to create it */
		if (rc == -ENODEV)
			iop_pci_sriov_missing(NULL, bdf);
		return rc;
	}
	rc = iop_pci_dev_open(pp->dev, &pp->pdev);
	if (rc < 0)
		goto fail;
	pp->pmd = iop_pci_pmd_match(iop_pci_dev_vendor(pp->pdev), iop_pci_dev_device(pp->pdev));
	if (!pp->pmd) {
		rc = IOP_ERR(ENOTSUP, "pci:%s: no driver for device %04x:%04x (supported: virtio-net 1af4:1041/1000, 82574L 8086:10d3, 82576 8086:10c9, 82576 VF 8086:10ca)",
			     bdf, iop_pci_dev_vendor(pp->pdev), iop_pci_dev_device(pp->pdev));
		goto fail;
	}
	pp->pmd_priv = calloc(1, pp->pmd->priv_size ? pp->pmd->priv_size : 1);
	if (!pp->pmd_priv) {
		rc = IOP_ERR(ENOMEM, "out of memory opening pci:%s", bdf);
		goto fail;
	}
	rc = pp->pmd->probe(port, pp->pdev);
	if (rc < 0)
		goto fail;
	pp->port = port;
	iop_port_set_burst(port, pp->pmd->rx_burst, pp->pmd->tx_burst);
	if (iop_pci_req_irq_enable(pp->pdev, &req_fd) < 0 ||
	    iop_pci_request_watch(req_fd, pci_request, pp, &pp->request) < 0)
		IOP_LOG(INFO, "pci:%s: %s; a hot-unplug will wait for the port to close", bdf,
			iop_err_msg());
	IOP_LOG(INFO, "pci:%s: %s port %u", bdf, pp->pmd->name, iop_port_id(port));
	return 0;
fail:
	pci_port_release(pp);
	return rc;
}

static void pci_info_get(struct iop_port *port, struct iop_port_info *info)
{
	pmd_ops(port)->info_get(port, info);
}

static int pci_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	const struct iop_port_ops *ops = pmd_ops(port);

	return ops->configure ? ops->configure(port, conf) : 0;
}

/* lib/port has checked the settings against the PMD's capabilities */
static int pci_rss_update(struct iop_port *port, const struct iop_port_rss_conf *rss)
{
	const struct iop_pci_pmd *pmd = ((struct pci_port *)iop_port_priv(port))->pmd;

	return pmd->ops->rss_update ? pmd->ops->rss_update(port, rss) :
	       iop_port_rss_update_refused(port, pmd->name);
}

static int pci_rx_queue_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			      struct rte_mempool *mp, struct iop_port_qcounters *cnt,
			      void **rxq)
{
	return pmd_ops(port)->rx_queue_setup(port, q, nb_desc, mp, cnt, rxq);
}

static int pci_tx_queue_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			      struct iop_port_qcounters *cnt, void **txq)
{
	return pmd_ops(port)->tx_queue_setup(port, q, nb_desc, cnt, txq);
}

static uint32_t pci_rx_buf_len(struct iop_port *port, uint16_t data_room)
{
	const struct iop_port_ops *ops = pmd_ops(port);

	return ops->rx_buf_len ? ops->rx_buf_len(port, data_room) : 0;
}

/* Queue release has no port: the queue carries its PMD's release. */
static void pci_queue_release(void *q)
{
	struct iop_pci_q *pq = q;

	if (pq)
		pq->release(q);
}

/* iop_port_start() refuses a removed port before it gets here */
static int pci_start(struct iop_port *port)
{
	return pmd_ops(port)->start(port);
}

static void pci_stop(struct iop_port *port)
{
	pmd_ops(port)->stop(port);
}

static void pci_close(struct iop_port *port)
{
	struct pci_port *pp = iop_port_priv(port);

	pp->pmd->ops->close(port);
	pci_port_release(pp);
}

static int pci_link_get(struct iop_port *port, struct iop_port_link *link)
{
	return pmd_ops(port)->link_get(port, link);
}

static struct iop_dev *pci_dev_get(struct iop_port *port)
{
	return ((struct pci_port *)iop_port_priv(port))->dev;
}

/*
 * Live moves (doc/move.md). Everything the device reaches by address lies
 * in DPDK's memory, which lib/mem maps into every IOAS the device may be
 * on: the rings, and in them virtio's headers, indirect tables and control
 * buffer, and the rx and tx buffers of the mempools. The move copies those
 * mappings at the same IOVAs before the domain is replaced (it refuses a
 * destination that would place them elsewhere, as these PMDs cannot pause),
 * so the ring bases programmed into the device and every posted descriptor
 * stay valid. The device does no DMA across the switch itself (dma_stop).
 * What remains are the queue caches: each PMD's queue
 * translates through the cache its counters name. Queues set up later
 * take the device's new IOAS themselves (iop_dev_ioas()).
 */
static size_t pci_ioas_changed(struct iop_port *port, struct iop_ioas *ioas,
			       struct iop_iova_cache **caches, size_t max)
{
	(void)ioas;
	return iop_port_queue_caches(port, caches, max);
}

/* A device whose PMD cannot stop its DMA cannot move started: a replace
 * may block its translation for a moment (VT-d in Linux 6.12 does), and a
 * DMA then faults (doc/move.md). Every PMD here has the op; a PMD may
 * still refuse (virtio without VIRTIO_F_RING_RESET). */
static int pci_dma_stop(struct iop_port *port, bool stop)
{
	struct pci_port *pp = iop_port_priv(port);

	if (pp->pmd->ops->dma_stop)
		return pp->pmd->ops->dma_stop(port, stop);
	return IOP_ERR(EOPNOTSUPP, "port %u (pci:%s): the %s PMD cannot stop the device's DMA while its domain changes, so it cannot move started: stop the port, move it, start it again",
		       iop_port_id(port), iop_pci_dev_bdf(pp->pdev), pp->pmd->name);
}

static int pci_promisc_set(struct iop_port *port, bool on)
{
	const struct iop_port_ops *ops = pmd_ops(port);

	if (!ops->promisc_set)
		return on ? 0 : IOP_ERR(ENOTSUP, "%s: this device always receives every frame",
					iop_pci_dev_bdf(iop_pci_port_dev(port)));
	return ops->promisc_set(port, on);
}

static const struct iop_port_ops pci_port_ops = {
	.info_get = pci_info_get,
	.configure = pci_configure,
	.rss_update = pci_rss_update,
	.rx_queue_setup = pci_rx_queue_setup,
	.tx_queue_setup = pci_tx_queue_setup,
	.rx_buf_len = pci_rx_buf_len,
	.rx_queue_release = pci_queue_release,
	.tx_queue_release = pci_queue_release,
	.start = pci_start,
	.stop = pci_stop,
	.close = pci_close,
	.link_get = pci_link_get,
	.promisc_set = pci_promisc_set,
	.dev_get = pci_dev_get,
	.ioas_changed = pci_ioas_changed,
	.dma_stop = pci_dma_stop,
	/* rx_burst/tx_burst: the PMD's, set per port at probe */
};

static const char *const pci_keys[] = { "bdf", NULL };

static struct iop_port_driver pci_port_driver = {
	.name = "pci",
	.keys = pci_keys,
	.priv_size = sizeof(struct pci_port),
	.probe = pci_port_probe,
	.ops = &pci_port_ops,
};

IOP_PORT_DRIVER_REGISTER(pci_port_driver)
