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
	di->min_mtu = IOP_PORT_MTU_MIN;
	di->max_mtu = (uint16_t)RTE_MIN(in->max_mtu ? in->max_mtu : IOP_PORT_MTU_DEFAULT,
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
	/* the port's capabilities, whose bits are ethdev's */
	di->flow_type_rss_offloads = in->rss_hash_types;
	di->hash_key_size = in->rss_key_size;
	di->reta_size = in->reta_size;
	di->rx_offload_capa = in->rx_offload_capa;
	di->tx_offload_capa = in->tx_offload_capa;
	return 0;
}

/* ethdev's RSS settings as the port's: hash types as they are (same bits),
 * the app's key if it gave one */
static int rss_from_ethdev(struct rte_eth_dev *dev, const struct rte_eth_rss_conf *in,
			   struct iop_port_rss_conf *out)
{
	out->hash_types = in->rss_hf;
	out->key_len = 0;
	if (!in->rss_key)
		return 0;
	if (in->rss_key_len == 0 || in->rss_key_len > sizeof(out->key)) {
		NET_IOP_LOG(ERR, "port %u (%s): RSS key of %u bytes: the device takes %u",
			    dev->data->port_id, dev->data->name, in->rss_key_len,
			    ((const struct net_iop_priv *)dev->data->dev_private)->info.rss_key_size);
		return -EINVAL;
	}
	out->key_len = in->rss_key_len;
	memcpy(out->key, in->rss_key, in->rss_key_len);
	return 0;
}

/* rte_eth_conf as the port's configuration: the flag bits are the same
 * (lib/port checks them against the port's capabilities, as ethdev did) */
static int iop_dev_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *ec = &dev->data->dev_conf;
	struct iop_port_conf c = {
		.nb_rxq = dev->data->nb_rx_queues,
		.nb_txq = dev->data->nb_tx_queues,
		.rx_offloads = ec->rxmode.offloads,
		.tx_offloads = ec->txmode.offloads,
		.mtu = dev->data->mtu,
	};
	int rc = 0;

	if (ec->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		rc = rss_from_ethdev(dev, &ec->rx_adv_conf.rss_conf, &c.rss);
	if (rc == 0)
		rc = iop_port_configure(port_of(dev), &c);
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
	/* a removal after iop_port_start() idled the bursts before they were
	 * set above: idle them again (iop_port_set_removed() stores `removed`
	 * before it calls the hook) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (iop_port_is_removed(port_of(dev)))
		net_iop_idle_bursts(port_of(dev), dev);
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
	es->ierrors = iop_drop_rx_errors(st.drops);
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

/* iopath's own counters, after ethdev's generic ones: lib/port's list */
static int iop_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
				unsigned int size)
{
	struct iop_port_xstat_name own[64];
	unsigned int n = iop_port_xstats_own(NULL, NULL, own, NULL, RTE_DIM(own));

	(void)dev;
	_Static_assert(sizeof(own[0].name) == sizeof(names[0].name), "xstat names are ethdev's size");
	if (!names || size < n)
		return (int)n;
	for (unsigned int i = 0; i < n; i++)
		memcpy(names[i].name, own[i].name, sizeof(names[i].name));
	return (int)n;
}

static int iop_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct iop_port_iova_stats iova;
	struct iop_port_stats st;
	uint64_t v[64];
	unsigned int n = iop_port_xstats_own(NULL, NULL, NULL, NULL, 0);
	int rc;

	if (!xs || size < n)
		return (int)n;
	rc = net_iop_counters(dev, &st, &iova);
	if (rc)
		return rc;
	n = iop_port_xstats_own(&st, &iova, NULL, v, RTE_DIM(v));
	for (unsigned int i = 0; i < n; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return (int)n;
}

/* --- RSS ------------------------------------------------------------------------- */

/* The port's configuration, whose table must have the size ethdev gives. */
static int reta_conf(struct rte_eth_dev *dev, uint16_t size, struct iop_port_conf *cur)
{
	int rc = iop_port_conf_get(port_of(dev), cur);

	if (rc)
		return failed(dev, rc);
	if (size != cur->rss.reta_size) {
		NET_IOP_LOG(ERR, "port %u (%s): redirection table of %u entries: the device has %u",
			    dev->data->port_id, dev->data->name, size, cur->rss.reta_size);
		return -EINVAL;
	}
	return 0;
}

static bool reta_masked(const struct rte_eth_rss_reta_entry64 *reta, uint16_t i)
{
	return reta[i / RTE_ETH_RETA_GROUP_SIZE].mask & (UINT64_C(1) << (i % RTE_ETH_RETA_GROUP_SIZE));
}

static int iop_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
			   uint16_t size)
{
	struct iop_port_conf cur;
	int rc = reta_conf(dev, size, &cur);

	if (rc)
		return rc;
	for (uint16_t i = 0; i < size; i++)
		if (reta_masked(reta, i))
			cur.rss.reta[i] = reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	cur.rss.key_len = 0; /* keep the key */
	rc = iop_port_rss_update(port_of(dev), &cur.rss);
	return rc ? failed(dev, rc) : 0;
}

static int iop_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
			  uint16_t size)
{
	struct iop_port_conf cur;
	int rc = reta_conf(dev, size, &cur);

	if (rc)
		return rc;
	for (uint16_t i = 0; i < size; i++)
		if (reta_masked(reta, i))
			reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = cur.rss.reta[i];
	return 0;
}

static int iop_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	struct iop_port_rss_conf upd = { 0 };
	int rc = rss_from_ethdev(dev, rss, &upd);

	if (rc)
		return rc;
	rc = iop_port_rss_update(port_of(dev), &upd); /* reta_size 0: the table stays */
	return rc ? failed(dev, rc) : 0;
}

static int iop_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	struct iop_port_conf cur;
	int rc = iop_port_conf_get(port_of(dev), &cur);

	if (rc)
		return failed(dev, rc);
	rss->rss_hf = cur.rss.hash_types;
	if (rss->rss_key) {
		if (rss->rss_key_len < cur.rss.key_len)
			return -EINVAL;
		memcpy(rss->rss_key, cur.rss.key, cur.rss.key_len);
	}
	rss->rss_key_len = cur.rss.key_len;
	return 0;
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
	.reta_update = iop_reta_update,
	.reta_query = iop_reta_query,
	.rss_hash_update = iop_rss_hash_update,
	.rss_hash_conf_get = iop_rss_hash_conf_get,
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
