/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NET_IOP_H
#define NET_IOP_H

/*
 * net_iop: a DPDK ethdev vdev whose device is an iopath port. Shared by
 * net_iop.c (vdev probe and remove, the iopath context, link and removal
 * events, the PCI bus conflict) and net_iop_ops.c (the ethdev ops).
 */

#include <ethdev_driver.h>
#include <rte_spinlock.h>

#include "iop_port.h"

extern int net_iop_logtype;
#define NET_IOP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, net_iop_logtype, "net_iop: " fmt "\n", ##__VA_ARGS__)

/*
 * dev_private: in DPDK's shared memory, so a secondary process (dpdk-proc-
 * info, dpdk-dumpcap) reads it too. Only the primary process has the
 * iopath port; a secondary asks it for fresh counters (net_iop_mp_*),
 * which it writes into snap under snap_lock.
 */
struct net_iop_priv {
	uint16_t port;                   /* the iopath port id (primary) */
	char driver[16];                 /* the iopath driver: "sim", "pci", ... */
	struct iop_port_info info;       /* info.driver is NULL: process-local */
	bool rmv_sent;                   /* RTE_ETH_EVENT_INTR_RMV delivered */
	rte_spinlock_t snap_lock;
	struct iop_port_stats snap;
	struct iop_port_iova_stats snap_iova;
};

extern const struct eth_dev_ops net_iop_ops;
extern const struct eth_dev_ops net_iop_secondary_ops;

/* The iopath and IOVA cache counters of dev's port: read directly in the
 * primary, asked of the primary in a secondary. */
int net_iop_counters(struct rte_eth_dev *dev, struct iop_port_stats *st,
		     struct iop_port_iova_stats *iova);
/* Resets them (in the primary, or asks it to). */
int net_iop_counters_reset(struct rte_eth_dev *dev);
/* Reads the link and the removal of every net_iop port, and delivers
 * RTE_ETH_EVENT_INTR_LSC and _RMV on a change. */
void net_iop_link_refresh(struct rte_eth_dev *dev);
/* Points dev's (arg's) bursts, and ethdev's copy of them, at ethdev's
 * dummy bursts: at once when iopath declares the device gone. */
void net_iop_idle_bursts(uint16_t port, void *arg);
/* Closes the iopath port of dev and, with the last one, the context. */
void net_iop_port_close(struct rte_eth_dev *dev);

#endif /* NET_IOP_H */
