/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "null" PMD: rx hands out fresh mbufs of `size` bytes without touching
 * their data, tx frees what it is given. It measures the framework's own
 * overhead, like DPDK's net_null (the P2 benchmark compares the two).
 */
#include <errno.h>
#include <stdlib.h>

#define IOP_LOG_PREFIX "net/null: "
#include "iop_log.h"
#include "port_driver.h"

#define NULL_MAX_QUEUES IOP_PORT_MAX_QUEUES
#define NULL_DEFAULT_SIZE 64

struct null_port {
	uint32_t size;
};

struct null_rxq {
	struct rte_mempool *mp;
	uint32_t size;
	uint16_t port;
	struct iop_port_qcounters *cnt;
};

struct null_txq {
	struct iop_port_qcounters *cnt;
};

static uint16_t null_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct null_rxq *rxq = q;

	if (rte_pktmbuf_alloc_bulk(rxq->mp, pkts, n) != 0) {
		rxq->cnt->rx_nombuf++;
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		pkts[i]->data_len = (uint16_t)rxq->size;
		pkts[i]->pkt_len = rxq->size;
		pkts[i]->port = rxq->port;
	}
	rxq->cnt->packets += n;
	rxq->cnt->bytes += (uint64_t)n * rxq->size;
	return n;
}

static uint16_t null_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct null_txq *txq = q;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	rte_pktmbuf_free_bulk(pkts, n);
	txq->cnt->packets += n;
	txq->cnt->bytes += bytes;
	return n;
}

static void null_info(struct iop_port *port, struct iop_port_info *info)
{
	(void)port;
	info->driver = "null";
	info->max_rx_queues = NULL_MAX_QUEUES;
	info->max_tx_queues = NULL_MAX_QUEUES;
	info->min_desc = 1;
	info->max_desc = 4096;
	info->max_frame_len = UINT16_MAX;
	/* tx frees chains whole; no frame it makes has headers to hash or
	 * check, so it offers nothing else */
	info->tx_offload_capa = IOP_PORT_TX_OFFLOAD_MULTI_SEGS;
}

static int null_rxq_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			  struct rte_mempool *mp, struct iop_port_qcounters *cnt, void **out)
{
	struct null_port *np = iop_port_priv(port);
	struct null_rxq *rxq;

	(void)nb_desc;
	if (np->size + RTE_PKTMBUF_HEADROOM > rte_pktmbuf_data_room_size(mp))
		return IOP_ERR(EINVAL, "port %u (%s): size=%u does not fit the %u-byte mbufs of pool %s",
			       iop_port_id(port), iop_port_spec_text(port), np->size,
			       rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM, mp->name);
	rxq = calloc(1, sizeof(*rxq));
	if (!rxq)
		return IOP_ERR(ENOMEM, "port %u: out of memory for rx queue %u", iop_port_id(port), q);
	rxq->mp = mp;
	rxq->size = np->size;
	rxq->port = iop_port_id(port);
	rxq->cnt = cnt;
	*out = rxq;
	return 0;
}

static int null_txq_setup(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			  struct iop_port_qcounters *cnt, void **out)
{
	struct null_txq *txq = calloc(1, sizeof(*txq));

	(void)nb_desc;
	if (!txq)
		return IOP_ERR(ENOMEM, "port %u: out of memory for tx queue %u", iop_port_id(port), q);
	txq->cnt = cnt;
	*out = txq;
	return 0;
}

static int null_start(struct iop_port *port)
{
	(void)port;
	return 0;
}

static void null_stop(struct iop_port *port)
{
	(void)port;
}

static void null_close(struct iop_port *port)
{
	(void)port;
}

static int null_link(struct iop_port *port, struct iop_port_link *link)
{
	(void)port;
	link->up = true;
	link->speed_mbps = 100000;
	return 0;
}

static int null_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	struct null_port *np = iop_port_priv(port);
	struct rte_ether_addr mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x00}};
	int rc;

	rc = iop_port_spec_get_u32(spec, "size", NULL_DEFAULT_SIZE, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN,
				   UINT16_MAX, &np->size);
	if (rc)
		return rc;
	mac.addr_bytes[5] = (uint8_t)iop_port_id(port);
	iop_port_set_mac(port, &mac);
	return 0;
}

static const struct iop_port_ops null_ops = {
	.info_get = null_info,
	.rx_queue_setup = null_rxq_setup,
	.tx_queue_setup = null_txq_setup,
	.rx_queue_release = free,
	.tx_queue_release = free,
	.start = null_start,
	.stop = null_stop,
	.close = null_close,
	.link_get = null_link,
	.rx_burst = null_rx_burst,
	.tx_burst = null_tx_burst,
};

static const char *const null_keys[] = {"size", NULL};

static struct iop_port_driver null_driver = {
	.name = "null",
	.keys = null_keys,
	.priv_size = sizeof(struct null_port),
	.probe = null_probe,
	.ops = &null_ops,
};

IOP_PORT_DRIVER_REGISTER(null_driver)
