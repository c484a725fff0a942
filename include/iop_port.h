/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PORT_H
#define IOP_PORT_H

/*
 * lib/port: the port API apps use, in DPDK's ethdev shape on rte_mbuf and
 * rte_mempool.
 *
 * A port is opened from a spec string "TYPE[:key=value,...]" ("null",
 * "sim:wire=pair,peer=1", "sim:wire=af_packet,iface=veth0",
 * "sim:wire=gen,size=64", "pci:0000:01:00.0"), then configured (queue
 * counts), given queues (descriptor counts, rx mempool), started, polled
 * with iop_port_rx_burst()/iop_port_tx_burst(), stopped and closed.
 *
 * Slow-path calls return 0 or a negative errno and leave a one-line
 * explanation in iop_err_msg() (iop_log.h). The burst calls are inline and
 * go through the port's ops table with no check: a port that is not
 * started polls a function that returns 0.
 *
 * Stats are kept per queue by the PMD (single writer: the lcore polling
 * the queue) and summed on read, so reading them from another thread is
 * safe. They are also served by DPDK telemetry as /iop/ports.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOP_PORT_MAX 32
#define IOP_PORT_MAX_QUEUES 16
#define IOP_PORT_NAME_LEN 128

/* Why a frame was dropped below the app (by the PMD, its device or wire). */
enum iop_drop {
	IOP_DROP_RX_OVERSIZE = 0, /* frame longer than the rx buffer */
	IOP_DROP_RX_DMA_FAULT,    /* the device's write into the buffer faulted */
	IOP_DROP_RX_RING_FULL,    /* the wire dropped it: no free rx descriptor */
	IOP_DROP_TX_UNMAPPED,     /* tx buffer not mapped in the port's IOAS */
	IOP_DROP_TX_DMA_FAULT,    /* the device's read of the buffer faulted */
	IOP_DROP_TX_OVERSIZE,     /* frame longer than the wire takes */
	IOP_DROP_MAX
};

/* "rx_oversize", "rx_dma_fault", ... (NULL for an unknown value) */
const char *iop_drop_name(enum iop_drop reason);

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
} __rte_cache_aligned;

struct iop_port_qstats {
	uint64_t packets;
	uint64_t bytes;
};

struct iop_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t drops[IOP_DROP_MAX]; /* by reason, rx and tx queues together */
	uint64_t dropped;             /* sum of drops[] */
	uint64_t dma_faults;          /* DMA faults the device hit */
	uint64_t rx_nombuf;           /* events, not frames: see qcounters */
	uint64_t rx_unmapped;
	uint16_t nb_rxq, nb_txq;
	struct iop_port_qstats rxq[IOP_PORT_MAX_QUEUES];
	struct iop_port_qstats txq[IOP_PORT_MAX_QUEUES];
};

struct iop_port_info {
	const char *driver;      /* "null", "sim", ... */
	uint16_t max_rx_queues, max_tx_queues;
	uint16_t min_desc, max_desc;
	uint32_t max_frame_len;  /* longest frame the port sends or receives */
	int numa_node;           /* -1 if any */
};

struct iop_port_link {
	bool up;
	uint32_t speed_mbps;     /* 0 if unknown */
};

/* --- fast path --------------------------------------------------------- */

typedef uint16_t (*iop_rx_burst_t)(void *rxq, struct rte_mbuf **pkts, uint16_t n);
typedef uint16_t (*iop_tx_burst_t)(void *txq, struct rte_mbuf **pkts, uint16_t n);

/* What a burst needs, one cache-aligned entry per port (like DPDK's
 * rte_eth_fp_ops): filled at start, reset to no-op functions at stop. */
struct iop_port_fp {
	iop_rx_burst_t rx_burst;
	iop_tx_burst_t tx_burst;
	void *rxq[IOP_PORT_MAX_QUEUES];
	void *txq[IOP_PORT_MAX_QUEUES];
} __rte_cache_aligned;

extern struct iop_port_fp iop_port_fp[IOP_PORT_MAX];

/* Receives up to n frames from queue q. The caller owns the returned mbufs. */
static inline uint16_t iop_port_rx_burst(uint16_t port, uint16_t q,
					 struct rte_mbuf **pkts, uint16_t n)
{
	const struct iop_port_fp *fp = &iop_port_fp[port];

	return fp->rx_burst(fp->rxq[q], pkts, n);
}

/* Queues up to n frames on queue q; returns how many the port took (it
 * frees them). The caller still owns pkts[ret..n-1]. */
static inline uint16_t iop_port_tx_burst(uint16_t port, uint16_t q,
					 struct rte_mbuf **pkts, uint16_t n)
{
	const struct iop_port_fp *fp = &iop_port_fp[port];

	return fp->tx_burst(fp->txq[q], pkts, n);
}

/* --- slow path --------------------------------------------------------- */

/*
 * Opens a port from its spec. Errors: -EINVAL (malformed spec, unknown
 * type or key, bad value), -ENOSPC (IOP_PORT_MAX ports open), or what the
 * driver returns (-ENODEV: missing interface or device; -ENETDOWN: the
 * interface is down).
 */
int iop_port_open(const char *spec, uint16_t *port_id);
/* Stops the port if started, releases its queues and the driver's state. */
void iop_port_close(uint16_t port);
/* Closes every open port. */
void iop_port_close_all(void);

/* Number of port ids in use (open ports are 0..count-1 unless closed). */
uint16_t iop_port_count(void);
bool iop_port_is_valid(uint16_t port);
/* The spec the port was opened with. */
const char *iop_port_name(uint16_t port);

int iop_port_info_get(uint16_t port, struct iop_port_info *info);

/* -EINVAL with the port's maximum in the message for too many queues. */
int iop_port_configure(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq);
/* Rx buffers come from mp; frames longer than its data room are dropped
 * (IOP_DROP_RX_OVERSIZE). -EINVAL for a descriptor count out of range or
 * not a power of two. */
int iop_port_rx_queue_setup(uint16_t port, uint16_t q, uint16_t nb_desc,
			    struct rte_mempool *mp);
int iop_port_tx_queue_setup(uint16_t port, uint16_t q, uint16_t nb_desc);

int iop_port_start(uint16_t port);
/* Stops polling (bursts return 0) and frees every mbuf the port holds.
 * Must not race with a burst on the port. */
int iop_port_stop(uint16_t port);
bool iop_port_is_started(uint16_t port);

/*
 * True once the port's PMD declared its device gone (hot-unplug, or the
 * kernel asking for it back, like DPDK's RTE_ETH_EVENT_INTR_RMV). From
 * then on its bursts return 0 and iop_port_start() fails with -ENODEV;
 * the device is released only by iop_port_close(), which the app calls
 * once no lcore polls the port any more. Safe from any thread; false for a
 * port that is not open.
 */
bool iop_port_is_removed(uint16_t port);

int iop_port_stats_get(uint16_t port, struct iop_port_stats *stats);
int iop_port_stats_reset(uint16_t port);

/* The IOVA caches of a port's queues, summed (doc/iova-cache.md), since
 * the queues were set up; all 0 for a driver that translates nothing. */
struct iop_port_iova_stats {
	uint64_t lookups, hits, misses, poison, flushes;
};
int iop_port_iova_stats_get(uint16_t port, struct iop_port_iova_stats *stats);

struct iop_dev;
/* The IOMMU device behind the port (sim, pci), or NULL (null ports). */
struct iop_dev *iop_port_dev(uint16_t port);

int iop_port_link_get(uint16_t port, struct iop_port_link *link);
int iop_port_mac_get(uint16_t port, struct rte_ether_addr *mac);
int iop_port_promisc_set(uint16_t port, bool on);
bool iop_port_promisc_get(uint16_t port);

#ifdef __cplusplus
}
#endif

#endif /* IOP_PORT_H */
