/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PORT_INTERNAL_H
#define IOP_PORT_INTERNAL_H

/* The port object, shared by lib/port's files only (drivers see it opaque). */

#include <pthread.h>

#include "iop_port.h"
#include "port_driver.h"

enum port_state {
	PORT_UNUSED = 0,
	PORT_OPENING,    /* slot reserved, driver probing */
	PORT_OPENED,
	PORT_CONFIGURED,
	PORT_STARTED,
};

struct iop_port {
	uint16_t id;
	enum port_state state;
	char spec[IOP_PORT_NAME_LEN];
	const struct iop_port_driver *drv;
	/* what iop_port_start() installs: the driver's ops unless the driver
	 * chose per port (iop_port_set_burst) */
	iop_rx_burst_t rx_burst;
	iop_tx_burst_t tx_burst;
	void *priv;
	uint16_t nb_rxq, nb_txq;
	/* the configuration in force, defaults resolved (port_conf.c) */
	struct iop_port_conf conf;
	void *rxq[IOP_PORT_MAX_QUEUES];
	void *txq[IOP_PORT_MAX_QUEUES];
	struct iop_port_qcounters *rxc[IOP_PORT_MAX_QUEUES];
	struct iop_port_qcounters *txc[IOP_PORT_MAX_QUEUES];
	/* what each queue was set up with, replayed when a move reopens the
	 * device (port_move_reopen.c) */
	uint16_t rx_desc[IOP_PORT_MAX_QUEUES], tx_desc[IOP_PORT_MAX_QUEUES];
	struct rte_mempool *rx_pool[IOP_PORT_MAX_QUEUES];
	/* counters at the last reset: stats are the difference, so a reset
	 * never writes a counter the polling lcore owns */
	struct iop_port_stats base;
	struct iop_port_iova_stats cache_base;
	struct rte_ether_addr mac;
	bool promisc;
	bool removed;    /* set by the PMD, possibly from a polling lcore */
	/* iop_port_on_removal(): written before fn, read after it */
	iop_port_removal_fn removal_fn;
	void *removal_arg;
	uint64_t moves;  /* live moves done (iop_port_move) */
	uint64_t pauses; /* of those, with the queues held */
	uint64_t last_pause_ns, max_pause_ns;
	uint64_t last_switch_ns; /* call to every queue on the new IOAS */
	/* iop_port_fp_get() handed its bursts to another fast path (net_iop's
	 * ethdev), which a move cannot idle */
	bool fp_handed_out;
};

extern pthread_mutex_t iop_port_lock;
extern pthread_mutex_t iop_port_read_lock;

/* port_conf.c: checks `in` against the device's capabilities and fills
 * `out` with its defaults resolved; one message on failure. */
int port_conf_resolve(const struct iop_port *p, const struct iop_port_info *info,
		      const struct iop_port_conf *in, struct iop_port_conf *out);
/* The same for RSS over nb_rxq queues; where `in` leaves out the key or
 * the table, `keep`'s are taken (NULL: the defaults). */
int port_rss_resolve(const struct iop_port *p, const struct iop_port_info *info,
		     uint16_t nb_rxq, const struct iop_port_rss_conf *in,
		     const struct iop_port_rss_conf *keep, struct iop_port_rss_conf *out);

/* The largest MTU whose frames fit one mbuf of mp on p's rx (0: none). */
uint32_t port_mtu_one_mbuf(struct iop_port *p, struct rte_mempool *mp);
/* Rx queue q of a configured p takes its buffers from mp: without rx
 * scatter a frame of the MTU must fit one mbuf; -EINVAL and one message
 * naming the MTU, the buffer and the fix when it does not. */
int port_rx_pool_check(struct iop_port *p, uint16_t q, struct rte_mempool *mp);

/* port_stats.c: the stats since the last reset; iop_port_read_lock held. */
void iop_port_stats_locked(const struct iop_port *p, struct iop_port_stats *st);
/* port_xstats.c: the raw cache counters of every queue (no reset base),
 * read from the iova_cache each queue's counters point at. */
void iop_port_cache_totals(const struct iop_port *p, struct iop_port_iova_stats *t);
/* The same since the last reset; iop_port_read_lock held. The one reader behind
 * both the xstats and iop_port_iova_stats_get(). */
void iop_port_iova_stats_locked(const struct iop_port *p, struct iop_port_iova_stats *st);

/* port_dev.c: where the port's device is, for a reader on any thread (a move
 * may destroy the IOAS it was on, or close the device). */
struct port_dev_where {
	char bdf[64];      /* "" without a device */
	int group;         /* -1 without a device */
	unsigned int ioas; /* 0: on none */
};
void port_dev_where(uint16_t id, struct port_dev_where *w);

/* port.c, for live moves: the port's bursts become idle (a poller takes
 * the change at its next burst), and its own bursts come back. */
void port_fp_idle(struct iop_port *p);
void port_fp_restore(struct iop_port *p);
/* port.c: installs the started port's queues and bursts in the fast-path
 * table (the queues first), or puts the not-started bursts back. */
void port_fp_install(struct iop_port *p);
void port_fp_reset(struct iop_port *p);

/* port_dev.c, for live moves: n more port devices are on `to` (-ENOSPC
 * when no entry is free). */
int port_dev_hold(struct iop_ioas *to, unsigned int n);
/* n port devices left `from` (or a hold is undone); with none left, an
 * IOAS lib/port created is unmapped and destroyed. */
void port_dev_drop(struct iop_ioas *from, unsigned int n);
/* port_dev.c, for a move that reopens devices (type1): while parked, a
 * driver's iop_port_dev_close of one of devs leaves it open, attached
 * where it is (the driver has let go of it), and its iop_port_dev_open of
 * the same address gets it back, attached to `into` first if it is on no
 * IOAS. unpark closes, for real, each one no driver took back. */
void port_dev_park(struct iop_dev *const *devs, size_t n, struct iop_ioas *into);
void port_dev_park_into(struct iop_ioas *into);
void port_dev_unpark(void);

/* port_move_reopen.c: moves ports[0..n-1], the ports of devs' IOMMU
 * groups, from `from` to `to` by closing each device and opening it again
 * there (VFIO type1 has no replace), the configuration replayed; `to` has
 * every mapping the ports need (and port_dev_hold'ed for them). On success
 * *pause_ns is how long the ports forwarded nothing. On failure the ports
 * are back on `from`, or, where even that failed, declared removed (said
 * in the error); the IOAS counts of port_dev.c are settled either way. */
int port_move_reopen(struct iop_port *const *ports, struct iop_dev *const *devs, size_t n,
		     struct iop_ioas *from, struct iop_ioas *to, uint64_t *pause_ns);

#endif /* IOP_PORT_INTERNAL_H */
