/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PORT_DRIVER_H
#define IOP_PORT_DRIVER_H

/*
 * What a PMD implements (see doc/ports.md). A driver fills a struct
 * iop_port_driver and registers it from a constructor with
 * IOP_PORT_DRIVER_REGISTER(); iop_port_open() finds it by the spec's TYPE.
 *
 * lib/port owns the port object, its state machine (opened, configured,
 * started), the argument checks, the queue counters and the fast-path
 * table; a driver only does what is specific to its device.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "iop_port.h"
#include "port_spec.h"

/*
 * Counters of one queue. The PMD writes them from the polling lcore only;
 * lib/port allocates them (cache aligned) and reads them with atomic loads.
 */
struct iop_port_qcounters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops[IOP_DROP_MAX];
	uint64_t dma_faults;
	uint64_t rx_nombuf;   /* rx: mbuf allocations that failed (no frame lost) */
	uint64_t rx_unmapped; /* rx: buffers not posted, not mapped in the IOAS */
	/* tx: frames a tx burst handed back (no room in the queue); counted
	 * by iop_port_tx_burst() once per burst, not by the PMD */
	uint64_t tx_full;
	/* the queue's IOVA cache, whose counters the xstats and
	 * iop_port_iova_stats_get() read, and which a live move of a driver
	 * using iop_port_queue_caches() rebinds; set by the PMD at queue
	 * setup (NULL: it has none) */
	struct iop_iova_cache *iova_cache;
} __rte_cache_aligned;

struct iop_port;
struct iop_dev;
struct iop_ioas;

struct iop_port_ops {
	/* Fills max queues, descriptor bounds, frame length, driver name, and
	 * the capabilities (offloads, RSS hash types, key and table sizes,
	 * max_mtu): lib/port refuses any request beyond them, so a driver
	 * that declares none is only ever given queue counts. */
	void (*info_get)(struct iop_port *port, struct iop_port_info *info);
	/* Optional: the configuration, already checked against info_get and
	 * complete (an RSS key of rss_key_size bytes and a table of
	 * reta_size entries whenever reta_size is not 0, the MTU). On failure
	 * the port stays unconfigured. */
	int (*configure)(struct iop_port *port, const struct iop_port_conf *conf);
	/* Optional: new RSS settings for a configured port, checked and
	 * complete as for configure, possibly while its queues are polled
	 * (frames in flight may be spread by the old or the new settings).
	 * Without it, RSS changes only with a new configure. */
	int (*rss_update)(struct iop_port *port, const struct iop_port_rss_conf *rss);
	/* Allocates a queue; cnt is where the queue counts (lib/port reads it). */
	int (*rx_queue_setup)(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			      struct rte_mempool *mp, struct iop_port_qcounters *cnt,
			      void **rxq);
	int (*tx_queue_setup)(struct iop_port *port, uint16_t q, uint16_t nb_desc,
			      struct iop_port_qcounters *cnt, void **txq);
	/* Optional: the bytes of frame one mbuf of data_room bytes (a
	 * pool's rte_pktmbuf_data_room_size) takes on rx, for a device with a
	 * few buffer sizes that takes the largest fitting one (0, or no op:
	 * the data room less RTE_PKTMBUF_HEADROOM). lib/port checks the MTU
	 * against it at rx queue setup. */
	uint32_t (*rx_buf_len)(struct iop_port *port, uint16_t data_room);
	void (*rx_queue_release)(void *rxq);
	void (*tx_queue_release)(void *txq);
	/* start fills the rx rings; stop frees every mbuf the queues hold. */
	int (*start)(struct iop_port *port);
	void (*stop)(struct iop_port *port);
	/* Releases what probe took. */
	void (*close)(struct iop_port *port);
	int (*link_get)(struct iop_port *port, struct iop_port_link *link);
	/* Optional: the IOMMU device the port does DMA with. */
	struct iop_dev *(*dev_get)(struct iop_port *port);
	/* Optional (live moves, iop_port_move): the device is now on ioas.
	 * The driver takes its IOVAs from ioas from now on (queues set up
	 * later, rings filled at start), and lists the IOVA caches of its
	 * queues in caches (at most max), which lib/port rebinds; returns how
	 * many. A driver without it cannot move live. */
	size_t (*ioas_changed)(struct iop_port *port, struct iop_ioas *ioas,
			       struct iop_iova_cache **caches, size_t max);
	/* Optional (moves that change IOVAs or detach the device): hold on
	 * makes the queues of the started port post nothing new (rx is not
	 * refilled, tx takes no frame) and give back, at their next burst,
	 * the buffers posted that the device has not used; held is true once
	 * every queue has. Hold off lets them post again, with the IOVAs of
	 * the IOAS their caches are bound to then. */
	void (*hold)(struct iop_port *port, bool on);
	bool (*held)(struct iop_port *port);
	/* Optional (moves of a real device): stop true makes the device do
	 * no more DMA, its rings and the buffers its queues posted kept as
	 * they are; stop false lets it take up where it was. A move calls it
	 * around every switch of a started port, with the port's bursts idle
	 * and none under way: an IOMMU driver may block the device's
	 * translation during a replace (VT-d in Linux 6.12), and type1
	 * detaches it. A driver with it keeps its rings at the IOVAs of their
	 * setup: a move that would change IOVAs is refused for its ports,
	 * started or not. An error refuses the move, with the message saying
	 * what to do. */
	int (*dma_stop)(struct iop_port *port, bool stop);
	/* Optional: NULL when promiscuous mode means nothing to the device. */
	int (*promisc_set)(struct iop_port *port, bool on);
	iop_rx_burst_t rx_burst;
	iop_tx_burst_t tx_burst;
};

struct iop_port_driver {
	const char *name;             /* the spec's TYPE */
	const char *const *keys;      /* keys it accepts, NULL-terminated */
	size_t priv_size;             /* zeroed driver state, iop_port_priv() */
	/* Opens the device named by spec; sets the MAC with iop_port_set_mac(). */
	int (*probe)(struct iop_port *port, const struct iop_port_spec *spec);
	const struct iop_port_ops *ops;
	struct iop_port_driver *next; /* registry link, set by lib/port */
};

void iop_port_driver_register(struct iop_port_driver *drv);
/* The driver registered as name, or NULL. */
const struct iop_port_driver *iop_port_driver_find(const char *name);

#define IOP_PORT_DRIVER_REGISTER(drv) \
	static void __attribute__((constructor)) iop_port_driver_reg_##drv(void) \
	{ iop_port_driver_register(&(drv)); }

void *iop_port_priv(struct iop_port *port);
uint16_t iop_port_id(const struct iop_port *port);
const char *iop_port_spec_text(const struct iop_port *port);
void iop_port_set_mac(struct iop_port *port, const struct rte_ether_addr *mac);
/* The refusal of an RSS update (-ENOTSUP, with the message) by driver, which
 * cannot change RSS of a configured port: lib/port's for a driver without
 * rss_update, and a driver's that forwards the op to another (the pci port
 * type to a PMD without it). */
int iop_port_rss_update_refused(const struct iop_port *port, const char *driver);
/*
 * For a driver whose burst functions depend on the device behind the port
 * (the pci port type: one PMD per device), called from probe, or from
 * start to pick bursts for the configuration: they replace
 * ops->rx_burst/tx_burst in the fast-path table, as an ethdev PMD sets
 * rx_pkt_burst, so a burst is one call.
 */
void iop_port_set_burst(struct iop_port *port, iop_rx_burst_t rx, iop_tx_burst_t tx);
/*
 * Declares the port's device gone (see iop_port_is_removed()) and makes its
 * bursts idle from the next one on: rx returns 0, tx hands every frame back
 * (tx_full). Called off the fast path (a control thread such as DPDK's
 * interrupt thread), once the device can do no more DMA.
 */
void iop_port_set_removed(struct iop_port *port);
/*
 * For a driver's ioas_changed whose queues each translate through the one
 * cache their counters name (iop_port_qcounters.iova_cache): lists those
 * caches, rx queues first, in caches (at most max); returns how many.
 */
size_t iop_port_queue_caches(struct iop_port *port, struct iop_iova_cache **caches, size_t max);
/* The port object of an open port id, or NULL (drivers use it for peers). */
struct iop_port *iop_port_get(uint16_t port);
/* The driver of an open port (to check a peer is of the same kind). */
const struct iop_port_driver *iop_port_driver_of(const struct iop_port *port);

/*
 * For a driver that hands a port to another framework's fast path (the
 * net_iop ethdev PMD): the driver's burst functions and the queues set up
 * so far (NULL where none), exactly what iop_port_start() installs in
 * iop_port_fp[port], so the framework calls them with no call in between.
 * From then on, until it is closed, the port is not moved while started
 * (iop_port_move: a move idles bursts through iop_port_fp only).
 */
int iop_port_fp_get(uint16_t port, struct iop_port_fp *fp);
/*
 * For the same framework: fn(port, arg) is called once, on the thread that
 * declares the device gone, right after iopath's own table went idle
 * (iop_port_set_removed()), so the framework idles its copy of the bursts
 * at once rather than at its next poll. One per port: a later call
 * replaces it; fn NULL removes it. A framework that (re)installs the
 * bursts afterwards checks iop_port_is_removed() after doing so.
 */
typedef void (*iop_port_removal_fn)(uint16_t port, void *arg);
int iop_port_on_removal(uint16_t port, iop_port_removal_fn fn, void *arg);

/*
 * For drivers of DMA devices: opens device bdf of the IOMMU context of
 * iop_init() and attaches it to the IOAS the --ioas layout gives it (a new
 * IOAS gets all of DPDK's memory first). Errors are those of
 * iop_dev_open/attach and iop_mem_attach_ioas; -EINVAL for --strict
 * per-device with two devices of one group. Nothing stays open on failure.
 */
int iop_port_dev_open(const char *bdf, struct iop_dev **dev, struct iop_ioas **ioas);
/* Closes the device; the last device of an IOAS unmaps and destroys it. */
void iop_port_dev_close(struct iop_dev *dev);

#endif /* IOP_PORT_DRIVER_H */
