/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An out-of-tree PMD on iopath's driver SDK: the "ring" port type, a
 * loopback port whose one tx queue feeds its one rx queue through a DPDK
 * rte_ring. What a port sends comes back on its rx queue, in order.
 *
 *     ring[:size=N]      N: ring slots, a power of two (default 1024)
 *
 * It is built with nothing but `pkg-config --cflags iopath`; whatever links
 * this file gets the driver, as its constructor registers it
 * (IOP_PORT_DRIVER_REGISTER). doc/sdk.md, "Writing a PMD", walks through it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ring.h>

#define IOP_LOG_PREFIX "net/ring: "
#include <driver/iopath_driver.h>

#define RING_DEFAULT_SIZE 1024
#define RING_MAX_SIZE 65536

/* The port's state (lib/port allocates it zeroed: iop_port_priv()). */
struct ring_port {
	struct rte_ring *ring;
	uint32_t size;
};

/* Both queues of a port share its ring; each has its own counters, which
 * only the lcore polling the queue writes. */
struct ring_queue {
	struct rte_ring *ring;
	uint16_t port_id;
	struct iop_port_qcounters *cnt;
};

static uint16_t ring_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_queue *rxq = q;
	unsigned int got = rte_ring_sc_dequeue_burst(rxq->ring, (void **)pkts, n, NULL);

	for (unsigned int i = 0; i < got; i++) {
		pkts[i]->port = rxq->port_id;
		rxq->cnt->bytes += pkts[i]->pkt_len;
	}
	rxq->cnt->packets += got;
	return (uint16_t)got;
}

/* Takes what fits in the ring; the caller keeps (and frees) the rest, so
 * only frames that will come back are counted as sent. */
static uint16_t ring_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_queue *txq = q;
	unsigned int put = rte_ring_sp_enqueue_burst(txq->ring, (void **)pkts, n, NULL);

	for (unsigned int i = 0; i < put; i++)
		txq->cnt->bytes += pkts[i]->pkt_len;
	txq->cnt->packets += put;
	return (uint16_t)put;
}

static void ring_info(struct iop_port *port, struct iop_port_info *info)
{
	(void)port;
	info->driver = "ring";
	info->max_rx_queues = 1;
	info->max_tx_queues = 1;
	info->min_desc = 1;
	info->max_desc = 4096; /* descriptors mean nothing here: the ring is the queue */
	info->max_frame_len = UINT16_MAX;
	info->numa_node = -1;
}

static int queue_new(struct iop_port *port, uint16_t q, struct iop_port_qcounters *cnt,
		     void **out)
{
	struct ring_port *rp = iop_port_priv(port);
	struct ring_queue *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return IOP_ERR(ENOMEM, "port %u: out of memory for queue %u", iop_port_id(port), q);
	rq->ring = rp->ring;
	rq->port_id = iop_port_id(port);
	rq->cnt = cnt;
	*out = rq;
	return 0;
}

static int ring_rxq_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			  struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **rxq)
{
	(void)nb_desc;
	(void)mp; /* frames come from the tx side: no buffers to post */
	return queue_new(port, q, cnt, rxq);
}

static int ring_txq_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			  struct iop_port_qcounters *cnt, void **txq)
{
	(void)nb_desc;
	return queue_new(port, q, cnt, txq);
}

static int ring_start(struct iop_port *port)
{
	(void)port;
	return 0;
}

/* Frees the frames still in the ring: sent, never received. */
static void ring_stop(struct iop_port *port)
{
	struct ring_port *rp = iop_port_priv(port);
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(rp->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void ring_close(struct iop_port *port)
{
	struct ring_port *rp = iop_port_priv(port);

	ring_stop(port);
	rte_ring_free(rp->ring);
	rp->ring = NULL;
}

static int ring_link(struct iop_port *port, struct iop_port_link *link)
{
	(void)port;
	link->up = true;
	link->speed_mbps = 0;
	return 0;
}

static int ring_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	struct ring_port *rp = iop_port_priv(port);
	struct rte_ether_addr mac = {{0x02, 0x72, 0x69, 0x6e, 0x67, 0x00}};
	char name[RTE_RING_NAMESIZE];
	int rc;

	rc = iop_port_spec_get_u32(spec, "size", RING_DEFAULT_SIZE, 2, RING_MAX_SIZE, &rp->size);
	if (rc)
		return rc;
	if (!rte_is_power_of_2(rp->size))
		return IOP_ERR(EINVAL, "port %u (%s): size=%u is not a power of two",
			       iop_port_id(port), iop_port_spec_text(port), rp->size);
	snprintf(name, sizeof(name), "iop_ring_%u", iop_port_id(port));
	/* one producer (the tx lcore), one consumer (the rx lcore); a ring of
	 * size N holds N-1 frames */
	rp->ring = rte_ring_create(name, rp->size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!rp->ring)
		return IOP_ERR(ENOMEM, "port %u (%s): cannot create ring %s of %u slots: %s",
			       iop_port_id(port), iop_port_spec_text(port), name, rp->size,
			       rte_strerror(rte_errno));
	mac.addr_bytes[5] = (uint8_t)iop_port_id(port);
	iop_port_set_mac(port, &mac);
	return 0;
}

static const struct iop_port_ops ring_ops = {
	.info_get = ring_info,
	.rx_queue_setup = ring_rxq_setup,
	.tx_queue_setup = ring_txq_setup,
	.rx_queue_release = free,
	.tx_queue_release = free,
	.start = ring_start,
	.stop = ring_stop,
	.close = ring_close,
	.link_get = ring_link,
	.rx_burst = ring_rx_burst,
	.tx_burst = ring_tx_burst,
};

static const char *const ring_keys[] = {"size", NULL};

static struct iop_port_driver ring_driver = {
	.name = "ring",
	.keys = ring_keys,
	.priv_size = sizeof(struct ring_port),
	.probe = ring_probe,
	.ops = &ring_ops,
};

IOP_PORT_DRIVER_REGISTER(ring_driver)
