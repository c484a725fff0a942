/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev ops of net_iop, each mapped onto lib/port. The fast path is
 * not here: at start the iopath PMD's own burst functions and queues go
 * into the ethdev port (and from there into rte_eth_fp_ops), so
 * rte_eth_rx_burst() calls the iopath PMD directly.
 */
#include <errno.h>
#include <string.h>

#include "iop_log.h"
#include "net_iop.h"
#include "port_driver.h"

/* ethdev calls an iopath burst function through its own pointer type */
_Static_assert(__builtin_types_compatible_p(eth_rx_burst_t, iop_rx_burst_t),
	       "iopath's rx burst has ethdev's signature");
_Static_assert(__builtin_types_compatible_p(eth_tx_burst_t, iop_tx_burst_t),
	       "iopath's tx burst has ethdev's signature");

static uint16_t port_of(const struct rte_eth_dev *dev)
{
	return ((const struct net_iop_priv *)dev->data->dev_private)->port;
}

/* lib/port left a one-line message: the app sees ethdev's errno only */
static int failed(const struct rte_eth_dev *dev, int rc)
{
	NET_IOP_LOG(ERR, "port %u (%s): %s", dev->data->port_id, dev->data->name, iop_err_msg());
	return rc;
}

static int iop_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *di)
{
	const struct net_iop_priv *priv = dev->data->dev_private;
	const struct iop_port_info *in = &priv->info;
	uint16_t ring;

	di->max_rx_queues = RTE_MIN(in->max_rx_queues, (uint16_t)IOP_PORT_MAX_QUEUES);
	di->max_tx_queues = RTE_MIN(in->max_tx_queues, (uint16_t)IOP_PORT_MAX_QUEUES);
	di->max_mac_addrs = 1;
	di->max_rx_pktlen = in->max_frame_len;
	di->max_mtu = (uint16_t)RTE_MIN(in->max_frame_len - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN,
				       (uint32_t)UINT16_MAX);
	di->min_rx_bufsize = 0;
	di->rx_desc_lim.nb_min = in->min_desc;
	di->rx_desc_lim.nb_max = in->max_desc;
	di->rx_desc_lim.nb_align = 1;
	di->tx_desc_lim = di->rx_desc_lim;
	/* a power of two in range: ethdev uses it when the app asks for 0 */
	ring = RTE_MAX(in->min_desc, (uint16_t)512);
	di->default_rxportconf.ring_size = RTE_MIN(ring, in->max_desc);
	di->default_txportconf.ring_size = di->default_rxportconf.ring_size;
	di->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	di->flow_type_rss_offloads = 0;
	di->rx_offload_capa = 0;
	di->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return 0;
}

static int iop_dev_configure(struct rte_eth_dev *dev)
{
	int rc = iop_port_configure(port_of(dev), &(struct iop_port_conf){ .nb_rxq = dev->data->nb_rx_queues, .nb_txq = dev->data->nb_tx_queues });

	return rc ? failed(dev, rc) : 0;
}

static int iop_rx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			      unsigned int socket, const struct rte_eth_rxconf *conf,
			      struct rte_mempool *mp)
{
	struct iop_port_fp fp;
	int rc;

	(void)socket;
	(void)conf;
	rc = iop_port_rx_queue_setup(port_of(dev), q, nb_desc, mp);
	if (rc)
		return failed(dev, rc);
	iop_port_fp_get(port_of(dev), &fp);
	dev->data->rx_queues[q] = fp.rxq[q];
	return 0;
}

static int iop_tx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			      unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct iop_port_fp fp;
	int rc;

	(void)socket;
	(void)conf;
	rc = iop_port_tx_queue_setup(port_of(dev), q, nb_desc);
	if (rc)
		return failed(dev, rc);
	iop_port_fp_get(port_of(dev), &fp);
	dev->data->tx_queues[q] = fp.txq[q];
	return 0;
}

static int iop_dev_start(struct rte_eth_dev *dev)
{
	struct iop_port_fp fp;
	int rc = iop_port_start(port_of(dev));

	if (rc)
		return failed(dev, rc);
	/* what iop_port_start installed: ethdev copies it into rte_eth_fp_ops */
	iop_port_fp_get(port_of(dev), &fp);
	dev->rx_pkt_burst = fp.rx_burst;
	dev->tx_pkt_burst = fp.tx_burst;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		dev->data->rx_queues[q] = fp.rxq[q];
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		dev->data->tx_queues[q] = fp.txq[q];
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	net_iop_link_refresh(dev);
	return 0;
}

/* ethdev has already pointed rte_eth_fp_ops at its dummy bursts */
static int iop_dev_stop(struct rte_eth_dev *dev)
{
	iop_port_stop(port_of(dev));
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int iop_dev_close(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		net_iop_port_close(dev);
	return 0;
}

static int iop_link_update(struct rte_eth_dev *dev, int wait)
{
	(void)wait;
	net_iop_link_refresh(dev);
	return 0;
}

/* a secondary reads the link the primary keeps in the shared port data */
static int iop_link_update_secondary(struct rte_eth_dev *dev, int wait)
{
	(void)dev;
	(void)wait;
	return 0;
}

static int iop_promisc(struct rte_eth_dev *dev, bool on)
{
	int rc = iop_port_promisc_set(port_of(dev), on);

	/* -ENOTSUP (a device that always receives every frame) is ethdev's
	 * answer to pass on, not an error: ethdev's start tolerates it */
	return rc && rc != -ENOTSUP ? failed(dev, rc) : rc;
}

static int iop_promisc_on(struct rte_eth_dev *dev)
{
	return iop_promisc(dev, true);
}

static int iop_promisc_off(struct rte_eth_dev *dev)
{
	return iop_promisc(dev, false);
}

/* --- stats and xstats ------------------------------------------------------------ */

static int iop_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *es)
{
	struct iop_port_iova_stats iova;
	struct iop_port_stats st;
	int rc = net_iop_counters(dev, &st, &iova);

	if (rc)
		return rc;
	es->ipackets = st.rx_packets;
	es->ibytes = st.rx_bytes;
	es->opackets = st.tx_packets;
	es->obytes = st.tx_bytes;
	/* the wire had no free rx descriptor: what ethdev calls missed */
	es->imissed = st.drops[IOP_DROP_RX_RING_FULL];
	es->ierrors = st.drops[IOP_DROP_RX_OVERSIZE] + st.drops[IOP_DROP_RX_DMA_FAULT];
	es->oerrors = st.drops[IOP_DROP_TX_UNMAPPED] + st.drops[IOP_DROP_TX_DMA_FAULT] +
		      st.drops[IOP_DROP_TX_OVERSIZE];
	es->rx_nombuf = st.rx_nombuf;
	for (uint16_t q = 0; q < st.nb_rxq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
		es->q_ipackets[q] = st.rxq[q].packets;
		es->q_ibytes[q] = st.rxq[q].bytes;
	}
	for (uint16_t q = 0; q < st.nb_txq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
		es->q_opackets[q] = st.txq[q].packets;
		es->q_obytes[q] = st.txq[q].bytes;
	}
	return 0;
}

static int iop_stats_reset(struct rte_eth_dev *dev)
{
	return net_iop_counters_reset(dev);
}

/* iopath's own counters, after ethdev's generic ones */
enum { X_DMA_FAULTS = IOP_DROP_MAX, X_RX_UNMAPPED, X_IOVA_LOOKUPS, X_IOVA_HITS,
       X_IOVA_MISSES, X_IOVA_POISON, X_IOVA_FLUSHES, X_COUNT };

static const char *const xstat_names[X_COUNT - IOP_DROP_MAX] = {
	"dma_faults", "rx_unmapped", "iova_cache_lookups", "iova_cache_hits",
	"iova_cache_misses", "iova_cache_poison", "iova_cache_flushes",
};

static int iop_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
				unsigned int size)
{
	(void)dev;
	if (!names || size < X_COUNT)
		return X_COUNT;
	for (unsigned int i = 0; i < X_COUNT; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s",
			 i < IOP_DROP_MAX ? iop_drop_name((enum iop_drop)i) : xstat_names[i - IOP_DROP_MAX]);
	return X_COUNT;
}

static int iop_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct iop_port_iova_stats iova;
	struct iop_port_stats st;
	uint64_t v[X_COUNT];
	int rc;

	if (!xs || n < X_COUNT)
		return X_COUNT;
	rc = net_iop_counters(dev, &st, &iova);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < IOP_DROP_MAX; i++)
		v[i] = st.drops[i];
	v[X_DMA_FAULTS] = st.dma_faults;
	v[X_RX_UNMAPPED] = st.rx_unmapped;
	v[X_IOVA_LOOKUPS] = iova.lookups;
	v[X_IOVA_HITS] = iova.hits;
	v[X_IOVA_MISSES] = iova.misses;
	v[X_IOVA_POISON] = iova.poison;
	v[X_IOVA_FLUSHES] = iova.flushes;
	for (unsigned int i = 0; i < X_COUNT; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return X_COUNT;
}

const struct eth_dev_ops net_iop_ops = {
	.dev_infos_get = iop_dev_infos_get,
	.dev_configure = iop_dev_configure,
	.rx_queue_setup = iop_rx_queue_setup,
	.tx_queue_setup = iop_tx_queue_setup,
	.dev_start = iop_dev_start,
	.dev_stop = iop_dev_stop,
	.dev_close = iop_dev_close,
	.link_update = iop_link_update,
	.promiscuous_enable = iop_promisc_on,
	.promiscuous_disable = iop_promisc_off,
	.stats_get = iop_stats_get,
	.stats_reset = iop_stats_reset,
	.xstats_get = iop_xstats_get,
	.xstats_get_names = iop_xstats_get_names,
	.xstats_reset = iop_stats_reset,
};

/* What a secondary process can do: read, and ask the primary for
 * counters. Anything else is the primary's (-ENOTSUP from ethdev). */
const struct eth_dev_ops net_iop_secondary_ops = {
	.dev_infos_get = iop_dev_infos_get,
	.dev_close = iop_dev_close,
	.link_update = iop_link_update_secondary,
	.stats_get = iop_stats_get,
	.stats_reset = iop_stats_reset,
	.xstats_get = iop_xstats_get,
	.xstats_get_names = iop_xstats_get_names,
	.xstats_reset = iop_stats_reset,
};
