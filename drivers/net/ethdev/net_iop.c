/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The net_iop vdev: probe and remove, the one iopath context of the process
 * (created by the first device, destroyed with the last), the conflict
 * with DPDK's own PCI bus, link and removal events, and the counters a
 * secondary process asks the primary for.
 *
 *   --vdev 'net_iop0,spec=[sim:wire=af_packet,iface=veth0],iommu=sim,sim-topology=FILE'
 *   --vdev 'net_iop1,spec=[pci:0000:00:02.0],ioas=per-device'
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <bus_driver.h>
#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_malloc.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_pci.h"
#include "net_iop.h"
#include "net_iop_args.h"
#include "port_driver.h"
#include "port_spec.h"

RTE_LOG_REGISTER_DEFAULT(net_iop_logtype, NOTICE);

#define LINK_POLL_US 100000 /* link and removal are read every 100 ms */
#define MP_ACTION "net_iop_counters"
#define MP_TIMEOUT_S 5

/* Process-wide state of the primary: the devices, the options in force.
 * The lock is recursive: an app's event callback may close a port from
 * inside link_poll. */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static unsigned int ndev;
static bool dev_open[RTE_MAX_ETHPORTS]; /* ethdev port ids of open net_iop ports */
static char first_name[RTE_DEV_NAME_MAX_LEN];
static struct net_iop_args first_args;

/* --- counters, and a secondary's request for them ---------------------------- */

struct mp_req {
	uint16_t port_id;
	uint8_t reset;
};

static int counters_read(struct rte_eth_dev *dev, struct iop_port_stats *st,
			 struct iop_port_iova_stats *iova)
{
	struct net_iop_priv *priv = dev->data->dev_private;
	int rc = iop_port_stats_get(priv->port, st);

	return rc ? rc : iop_port_iova_stats_get(priv->port, iova);
}

static int counters_reset(struct rte_eth_dev *dev)
{
	struct net_iop_priv *priv = dev->data->dev_private;

	return iop_port_stats_reset(priv->port);
}

/* In the primary: one request of a secondary, answered with 0 or -errno;
 * the counters go into dev_private's snapshot. */
static int mp_counters(const struct rte_mp_msg *msg, const void *peer)
{
	const struct mp_req *req = (const void *)msg->param;
	struct rte_mp_msg reply;
	struct rte_eth_dev *dev;
	int rc = -ENODEV;

	memset(&reply, 0, sizeof(reply));
	pthread_mutex_lock(&lock);
	dev = req->port_id < RTE_MAX_ETHPORTS ? &rte_eth_devices[req->port_id] : NULL;
	if (msg->len_param == sizeof(*req) && dev && dev_open[req->port_id]) {
		struct net_iop_priv *priv = dev->data->dev_private;

		if (req->reset) {
			rc = counters_reset(dev);
		} else {
			rte_spinlock_lock(&priv->snap_lock);
			rc = counters_read(dev, &priv->snap, &priv->snap_iova);
			rte_spinlock_unlock(&priv->snap_lock);
		}
	}
	pthread_mutex_unlock(&lock);
	snprintf(reply.name, sizeof(reply.name), "%s", MP_ACTION);
	reply.len_param = sizeof(rc);
	memcpy(reply.param, &rc, sizeof(rc));
	return rte_mp_reply(&reply, peer);
}

/* In a secondary: asks the primary, which owns the iopath port. */
static int mp_ask(struct rte_eth_dev *dev, bool reset)
{
	struct mp_req req = { .port_id = dev->data->port_id, .reset = reset };
	struct timespec ts = { .tv_sec = MP_TIMEOUT_S };
	struct rte_mp_msg msg;
	struct rte_mp_reply reply;
	int rc = -EIO;

	memset(&msg, 0, sizeof(msg));
	snprintf(msg.name, sizeof(msg.name), "%s", MP_ACTION);
	msg.len_param = sizeof(req);
	memcpy(msg.param, &req, sizeof(req));
	if (rte_mp_request_sync(&msg, &reply, &ts) == 0 && reply.nb_received == 1 &&
	    reply.msgs[0].len_param == sizeof(rc))
		memcpy(&rc, reply.msgs[0].param, sizeof(rc));
	else
		NET_IOP_LOG(ERR, "port %u: the primary process did not answer for its counters",
			    dev->data->port_id);
	free(reply.msgs);
	return rc;
}

int net_iop_counters(struct rte_eth_dev *dev, struct iop_port_stats *st,
		     struct iop_port_iova_stats *iova)
{
	struct net_iop_priv *priv = dev->data->dev_private;
	int rc;

	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return counters_read(dev, st, iova);
	rc = mp_ask(dev, false);
	if (rc)
		return rc;
	rte_spinlock_lock(&priv->snap_lock);
	*st = priv->snap;
	*iova = priv->snap_iova;
	rte_spinlock_unlock(&priv->snap_lock);
	return 0;
}

int net_iop_counters_reset(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return counters_reset(dev);
	return mp_ask(dev, true);
}

/* --- link and removal ----------------------------------------------------------- */

void net_iop_link_refresh(struct rte_eth_dev *dev)
{
	struct net_iop_priv *priv = dev->data->dev_private;
	struct iop_port_link l = { 0 };
	struct rte_eth_link nl = {
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};
	bool removed = iop_port_is_removed(priv->port);

	if (!removed && iop_port_link_get(priv->port, &l) == 0 && l.up) {
		nl.link_status = RTE_ETH_LINK_UP;
		nl.link_speed = l.speed_mbps ? l.speed_mbps : RTE_ETH_SPEED_NUM_UNKNOWN;
	}
	/* rte_eth_linkstatus_set returns 0 when the status changed */
	if (rte_eth_linkstatus_set(dev, &nl) == 0 && dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	if (removed && !priv->rmv_sent) {
		priv->rmv_sent = true;
		NET_IOP_LOG(ERR, "port %u (%s): its device was removed (hot-unplug or unbind): the port stopped; close it to release the device",
			    dev->data->port_id, dev->data->name);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
	}
}

/*
 * iopath idles its own table when the device goes; the PMD's bursts also
 * sit in ethdev's, so idle those in the same moment (iop_port_on_removal),
 * before another burst posts frames the device will never send. The
 * device does no more DMA already (bus mastering is off).
 */
void net_iop_idle_bursts(uint16_t port, void *arg)
{
	struct rte_eth_dev *dev = arg;

	(void)port;
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
	__atomic_store_n(&rte_eth_fp_ops[dev->data->port_id].rx_pkt_burst,
			 rte_eth_pkt_burst_dummy, __ATOMIC_RELAXED);
	__atomic_store_n(&rte_eth_fp_ops[dev->data->port_id].tx_pkt_burst,
			 rte_eth_pkt_burst_dummy, __ATOMIC_RELAXED);
}

static void link_poll(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (uint16_t i = 0; i < RTE_MAX_ETHPORTS; i++)
		if (dev_open[i])
			net_iop_link_refresh(&rte_eth_devices[i]);
	if (ndev > 0)
		rte_eal_alarm_set(LINK_POLL_US, link_poll, NULL);
	pthread_mutex_unlock(&lock);
}

/* --- the iopath context: first device in, last device out ------------------------ */

static int context_join(const char *name, const struct net_iop_args *a)
{
	int rc;

	if (ndev > 0)
		return net_iop_args_agree(name, a, first_name, &first_args);
	first_args = *a;
	first_args.opts.sim_topology = first_args.has_topo ? first_args.topo : NULL;
	rc = iop_init_in_eal(&first_args.opts);
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", iop_err_msg());
		return iop_err(-rc, "%s: %s (net_iop takes iopath's options as devargs: iommu=, ioas=, strict, sim-topology=)",
			       name, msg);
	}
	rc = rte_mp_action_register(MP_ACTION, mp_counters);
	if (rc && rte_errno != ENOTSUP) {
		iop_cleanup_in_eal();
		return iop_err(rte_errno, "net_iop: cannot register the counters request for secondary processes: %s",
			       rte_strerror(rte_errno));
	}
	snprintf(first_name, sizeof(first_name), "%s", name);
	return 0;
}

static void context_leave(void)
{
	if (ndev > 0)
		return;
	rte_mp_action_unregister(MP_ACTION);
	iop_cleanup_in_eal();
	first_name[0] = '\0';
}

void net_iop_port_close(struct rte_eth_dev *dev)
{
	struct net_iop_priv *priv = dev->data->dev_private;
	bool last;

	pthread_mutex_lock(&lock);
	iop_port_close(priv->port);
	dev_open[dev->data->port_id] = false; /* the link poll passes it by */
	last = --ndev == 0;
	if (last)
		context_leave();
	pthread_mutex_unlock(&lock);
	/* outside the lock: cancel waits for a running link_poll */
	if (last)
		rte_eal_alarm_cancel(link_poll, NULL);
}

/* --- DPDK's PCI bus ------------------------------------------------------------------ */

static int cmp_name(const struct rte_device *dev, const void *name)
{
	return strcmp(rte_dev_name(dev), name);
}

/*
 * The EAL probes the PCI bus before vdevs: a device DPDK's own PMD already
 * drives is refused before net_iop opens anything, so it is never owned
 * by both (their IOMMU setups, type1 container and iommufd, would clash).
 */
static int pci_conflict(const char *name, const char *spec_text)
{
	struct iop_port_spec spec;
	struct iop_pci_addr addr;
	const struct rte_device *dev;
	struct rte_bus *bus;
	const char *bdf;
	char canon[IOP_BDF_LEN];

	if (iop_port_spec_parse(spec_text, &spec) || strcmp(spec.type, "pci") != 0)
		return 0; /* iop_port_open reports a bad spec */
	bdf = iop_port_spec_get(&spec, "bdf");
	bus = rte_bus_find_by_name("pci");
	if (!bdf || iop_pci_addr_parse(bdf, &addr) < 0 || !bus || !bus->find_device)
		return 0;
	iop_pci_addr_format(&addr, canon);
	dev = bus->find_device(NULL, cmp_name, canon);
	if (!dev || !rte_dev_is_probed(dev))
		return 0;
	return iop_err(EBUSY, "%s: PCI device %s is already driven by DPDK's %s (the EAL probes its PCI bus first): start the app with -b %s so that only net_iop drives it (or -a naming only DPDK's own devices, or --no-pci)",
		       name, canon, rte_driver_name(rte_dev_driver(dev)), canon);
}

/* --- probe and remove ---------------------------------------------------------------- */

/* A secondary process sees the port but not its queues (they live in the
 * primary's heap): its bursts move nothing. */
static uint16_t secondary_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

static int probe_secondary(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(rte_vdev_device_name(vdev));

	if (!dev) {
		NET_IOP_LOG(ERR, "%s: the primary process has no such port", rte_vdev_device_name(vdev));
		return -ENODEV;
	}
	dev->dev_ops = &net_iop_secondary_ops;
	dev->device = &vdev->device;
	dev->rx_pkt_burst = secondary_burst;
	dev->tx_pkt_burst = secondary_burst;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int dev_create(struct rte_vdev_device *vdev, uint16_t port)
{
	struct rte_eth_dev *dev = rte_eth_vdev_allocate(vdev, sizeof(struct net_iop_priv));
	struct net_iop_priv *priv;
	struct rte_ether_addr *mac;

	if (!dev)
		return iop_err(ENOMEM, "%s: cannot allocate an ethdev port (%d at most)",
			       rte_vdev_device_name(vdev), RTE_MAX_ETHPORTS);
	mac = rte_zmalloc_socket("net_iop mac", sizeof(*mac), 0, rte_socket_id());
	if (!mac) {
		rte_eth_dev_release_port(dev);
		return iop_err(ENOMEM, "%s: out of DPDK memory", rte_vdev_device_name(vdev));
	}
	priv = dev->data->dev_private;
	priv->port = port;
	rte_spinlock_init(&priv->snap_lock);
	iop_port_info_get(port, &priv->info);
	snprintf(priv->driver, sizeof(priv->driver), "%s", priv->info.driver);
	priv->info.driver = NULL;
	iop_port_mac_get(port, mac);
	dev->data->mac_addrs = mac;
	dev->data->promiscuous = iop_port_promisc_get(port);
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV |
				RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &net_iop_ops;
	dev_open[dev->data->port_id] = true;
	iop_port_on_removal(port, net_iop_idle_bursts, dev);
	net_iop_link_refresh(dev);
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int net_iop_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct net_iop_args a;
	uint16_t port;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return probe_secondary(vdev);
	rc = net_iop_args_parse(name, rte_vdev_device_args(vdev), &a);
	if (rc)
		goto out;
	pthread_mutex_lock(&lock);
	rc = context_join(name, &a);
	if (rc == 0)
		rc = pci_conflict(name, a.spec);
	if (rc == 0)
		rc = iop_port_open(a.spec, &port);
	if (rc == 0) {
		rc = dev_create(vdev, port);
		if (rc)
			iop_port_close(port);
	}
	if (rc == 0 && ndev++ == 0)
		rte_eal_alarm_set(LINK_POLL_US, link_poll, NULL);
	if (rc)
		context_leave();
	pthread_mutex_unlock(&lock);
out:
	if (rc) {
		const char *msg = iop_err_msg();
		bool named = strncmp(msg, name, strlen(name)) == 0;

		NET_IOP_LOG(ERR, "%s%s%s", named ? "" : name, named ? "" : ": ", msg);
		return rc;
	}
	NET_IOP_LOG(INFO, "%s: iopath port %u (%s)", name, port, a.spec);
	return 0;
}

static int net_iop_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (!dev)
		return 0; /* closed by the app already */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return rte_eth_dev_release_port(dev);
	/* the EAL's cleanup of a port the app left running */
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}

static struct rte_vdev_driver net_iop_driver = {
	.probe = net_iop_probe,
	.remove = net_iop_remove,
};

RTE_PMD_REGISTER_VDEV(net_iop, net_iop_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_iop,
	"spec=[TYPE:key=value,...] iommu=auto|iommufd|vfio|sim "
	"ioas=shared|per-device|per-group strict sim-topology=FILE");
