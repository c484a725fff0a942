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
 * counts, RSS, offloads, MTU: struct iop_port_conf), given queues (descriptor counts, rx mempool), started, polled
 * with iop_port_rx_burst()/iop_port_tx_burst(), stopped and closed.
 *
 * Slow-path calls return 0 or a negative errno and leave a one-line
 * explanation in iop_err_msg() (iop_log.h). The burst calls are inline and
 * go through the port's ops table with no check: a port that is not
 * started polls a function that returns 0.
 *
 * Stats are kept per queue by the PMD (single writer: the lcore polling
 * the queue) and summed on read, so reading them from another thread is
 * safe. They are also served by DPDK telemetry as /iop/stats,N and
 * /iop/xstats,N (doc/bridge.md).
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

struct iop_iova_cache;
struct iop_dev;
struct iop_ioas;

#define IOP_PORT_MAX 32
#define IOP_PORT_MAX_QUEUES 16
#define IOP_PORT_NAME_LEN 128

/* Why a frame was dropped below the app (by the PMD, its device or wire).
 * The rx reasons come first, then the tx reasons (iop_drop_is_tx). */
enum iop_drop {
	IOP_DROP_RX_OVERSIZE = 0, /* frame longer than the rx buffer */
	IOP_DROP_RX_DMA_FAULT,    /* the device's write into the buffer faulted */
	IOP_DROP_RX_RING_FULL,    /* the wire dropped it: no free rx descriptor */
	IOP_DROP_RX_MALFORMED,    /* the device described it wrongly (a virtio
				   * num_buffers of 0 or over the ring, a GSO type
				   * not negotiated, a frame cut by a stop) */
	IOP_DROP_TX_UNMAPPED,     /* tx buffer not mapped in the port's IOAS */
	IOP_DROP_TX_DMA_FAULT,    /* the device's read of the buffer faulted */
	IOP_DROP_TX_OVERSIZE,     /* frame longer than the wire takes now */
	IOP_DROP_TX_REFUSED,      /* the far side refused the frame (af_packet:
				   * the kernel marked it wrong format) */
	IOP_DROP_TX_LINK_DROPPED, /* the far side took it and dropped it (af_packet:
				   * the interface counts it in tx_dropped) */
	IOP_DROP_TX_UNSENT,       /* the port stopped before the far side took it
				   * (af_packet: the interface was down) */
	IOP_DROP_MAX
};

/* "rx_oversize", "rx_dma_fault", ... (NULL for an unknown value) */
const char *iop_drop_name(enum iop_drop reason);
/* true for the reasons that lose a frame a tx queue had accepted */
bool iop_drop_is_tx(enum iop_drop reason);
/* ethdev's ierrors: the rx frames a device or PMD found bad (not those
 * the ring had no room for, which are imissed) */
static inline uint64_t iop_drop_rx_errors(const uint64_t *drops)
{
	return drops[IOP_DROP_RX_OVERSIZE] + drops[IOP_DROP_RX_DMA_FAULT] +
	       drops[IOP_DROP_RX_MALFORMED];
}

struct iop_port_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t dropped; /* frames this queue lost, every reason together */
};

struct iop_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t drops[IOP_DROP_MAX]; /* by reason, rx and tx queues together */
	uint64_t dropped;             /* sum of drops[] */
	uint64_t dma_faults;          /* DMA faults the device hit */
	uint64_t rx_nombuf;           /* events, not frames: see qcounters */
	uint64_t rx_unmapped;
	uint64_t tx_full;             /* frames tx bursts handed back */
	uint16_t nb_rxq, nb_txq;
	struct iop_port_qstats rxq[IOP_PORT_MAX_QUEUES];
	struct iop_port_qstats txq[IOP_PORT_MAX_QUEUES];
};

/*
 * Offloads and RSS hash types, with ethdev's names and bit values
 * (RTE_ETH_RX_OFFLOAD_*, RTE_ETH_TX_OFFLOAD_*, RTE_ETH_RSS_*), so an ethdev
 * configuration maps onto them as is. What a device does shows in the mbuf
 * with DPDK's own flags: rx RTE_MBUF_F_RX_IP_CKSUM_GOOD/BAD,
 * RTE_MBUF_F_RX_L4_CKSUM_GOOD/BAD, RTE_MBUF_F_RX_RSS_HASH (hash.rss),
 * RTE_MBUF_F_RX_VLAN(_STRIPPED) (vlan_tci), chained mbufs for scatter,
 * RTE_MBUF_F_RX_LRO (tso_segsz: the merged segments' payload size);
 * tx RTE_MBUF_F_TX_IP_CKSUM, RTE_MBUF_F_TX_TCP/UDP_CKSUM,
 * RTE_MBUF_F_TX_TCP_SEG (tso_segsz), RTE_MBUF_F_TX_VLAN (vlan_tci), with
 * l2_len/l3_len/l4_len set as for any DPDK PMD.
 */
#define IOP_PORT_RX_OFFLOAD_VLAN_STRIP (UINT64_C(1) << 0)
#define IOP_PORT_RX_OFFLOAD_IPV4_CKSUM (UINT64_C(1) << 1)
#define IOP_PORT_RX_OFFLOAD_UDP_CKSUM  (UINT64_C(1) << 2)
#define IOP_PORT_RX_OFFLOAD_TCP_CKSUM  (UINT64_C(1) << 3)
#define IOP_PORT_RX_OFFLOAD_TCP_LRO    (UINT64_C(1) << 4) /* merged TCP segments */
#define IOP_PORT_RX_OFFLOAD_SCATTER    (UINT64_C(1) << 13) /* frames over one mbuf, chained */
#define IOP_PORT_RX_OFFLOAD_RSS_HASH   (UINT64_C(1) << 19) /* hash.rss delivered */
#define IOP_PORT_RX_OFFLOAD_CHECKSUM \
	(IOP_PORT_RX_OFFLOAD_IPV4_CKSUM | IOP_PORT_RX_OFFLOAD_UDP_CKSUM | IOP_PORT_RX_OFFLOAD_TCP_CKSUM)

#define IOP_PORT_TX_OFFLOAD_VLAN_INSERT (UINT64_C(1) << 0)
#define IOP_PORT_TX_OFFLOAD_IPV4_CKSUM  (UINT64_C(1) << 1)
#define IOP_PORT_TX_OFFLOAD_UDP_CKSUM   (UINT64_C(1) << 2)
#define IOP_PORT_TX_OFFLOAD_TCP_CKSUM   (UINT64_C(1) << 3)
#define IOP_PORT_TX_OFFLOAD_TCP_TSO     (UINT64_C(1) << 5)
#define IOP_PORT_TX_OFFLOAD_MULTI_SEGS  (UINT64_C(1) << 15) /* chained mbufs sent */
#define IOP_PORT_TX_OFFLOAD_CHECKSUM \
	(IOP_PORT_TX_OFFLOAD_IPV4_CKSUM | IOP_PORT_TX_OFFLOAD_UDP_CKSUM | IOP_PORT_TX_OFFLOAD_TCP_CKSUM)

#define IOP_PORT_RSS_IPV4             (UINT64_C(1) << 2)
#define IOP_PORT_RSS_FRAG_IPV4        (UINT64_C(1) << 3)
#define IOP_PORT_RSS_NONFRAG_IPV4_TCP (UINT64_C(1) << 4)
#define IOP_PORT_RSS_NONFRAG_IPV4_UDP (UINT64_C(1) << 5)
#define IOP_PORT_RSS_NONFRAG_IPV4_OTHER (UINT64_C(1) << 7)
#define IOP_PORT_RSS_IPV6             (UINT64_C(1) << 8)
#define IOP_PORT_RSS_FRAG_IPV6        (UINT64_C(1) << 9)
#define IOP_PORT_RSS_NONFRAG_IPV6_TCP (UINT64_C(1) << 10)
#define IOP_PORT_RSS_NONFRAG_IPV6_UDP (UINT64_C(1) << 11)
#define IOP_PORT_RSS_NONFRAG_IPV6_OTHER (UINT64_C(1) << 13)

/* "vlan_strip", "ipv4_cksum", ... as ethdev names them (NULL: not one
 * flag lib/port knows); "ipv4", "ipv4-tcp", ... for hash types. */
const char *iop_port_rx_offload_name(uint64_t flag);
const char *iop_port_tx_offload_name(uint64_t flag);
const char *iop_port_rss_type_name(uint64_t flag);

#define IOP_PORT_RSS_KEY_MAX 52   /* bytes, the longest key of any device */
#define IOP_PORT_RETA_MAX 512     /* redirection table entries */
#define IOP_PORT_MTU_DEFAULT 1500 /* RTE_ETHER_MTU; more is jumbo */
#define IOP_PORT_MTU_MIN 68       /* RTE_ETHER_MIN_MTU */

struct iop_port_info {
	const char *driver;      /* "null", "sim", ... */
	uint16_t max_rx_queues, max_tx_queues;
	uint16_t min_desc, max_desc;
	uint32_t max_frame_len;  /* longest frame the port sends or receives */
	int numa_node;           /* -1 if any */
	/* Capabilities: a configuration asking for more fails (-ENOTSUP). */
	uint64_t rx_offload_capa;   /* IOP_PORT_RX_OFFLOAD_* it does */
	uint64_t tx_offload_capa;   /* IOP_PORT_TX_OFFLOAD_* it does */
	uint64_t rss_hash_types;    /* IOP_PORT_RSS_* it hashes on; 0: no RSS */
	uint8_t rss_key_size;       /* bytes of its Toeplitz key */
	uint16_t reta_size;         /* entries of its redirection table */
	/* largest MTU (frame less the Ethernet header); a driver that says
	 * 0 gets IOP_PORT_MTU_DEFAULT: no jumbo frames */
	uint32_t max_mtu;
	/* with reta_size 0, optionally: why this device has no RSS and what
	 * to do, for the refusal of an RSS request */
	const char *no_rss_why;
};

/* RSS: the device hashes (Toeplitz) the fields of hash_types of each frame
 * with key and delivers it on queue reta[hash % reta_size]. */
struct iop_port_rss_conf {
	uint64_t hash_types;                /* IOP_PORT_RSS_*; 0: RSS off */
	/* 4-byte aligned after hash_types: rte_softrss reads it by words */
	uint8_t key[IOP_PORT_RSS_KEY_MAX];
	uint8_t key_len;                    /* 0: the default key */
	uint16_t reta_size;                 /* 0: round-robin over the rx queues */
	uint16_t reta[IOP_PORT_RETA_MAX];   /* rx queue of each entry */
};

/*
 * What iop_port_configure() asks of a port. A zeroed struct with the queue
 * counts set is a port with no offload, RSS off and MTU 1500:
 *   iop_port_configure(p, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 })
 */
struct iop_port_conf {
	uint16_t nb_rxq, nb_txq;
	uint64_t rx_offloads;    /* IOP_PORT_RX_OFFLOAD_* */
	uint64_t tx_offloads;    /* IOP_PORT_TX_OFFLOAD_* */
	uint32_t mtu;            /* 0: IOP_PORT_MTU_DEFAULT */
	struct iop_port_rss_conf rss;
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
	uint64_t *tx_full[IOP_PORT_MAX_QUEUES]; /* the tx queues' tx_full counters */
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
 * frees them). The caller still owns pkts[ret..n-1], counted as tx_full. */
static inline uint16_t iop_port_tx_burst(uint16_t port, uint16_t q,
					 struct rte_mbuf **pkts, uint16_t n)
{
	const struct iop_port_fp *fp = &iop_port_fp[port];
	uint16_t sent = fp->tx_burst(fp->txq[q], pkts, n);

	if (__builtin_expect(sent < n, 0))
		*fp->tx_full[q] += (uint16_t)(n - sent);
	return sent;
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

/*
 * Configures a stopped port (doc/ports.md, "Configuration"). Everything
 * is checked against iop_port_info before the driver sees it, and a
 * failure leaves the port as it was (a port never configured stays
 * unconfigured) with one message naming what is wrong:
 * -ENOTSUP for an offload, hash type, jumbo MTU or RSS the device does not
 * do (named); -EINVAL for queue counts out of range, a key not of the
 * device's key size, a table not of its size or naming a queue beyond
 * nb_rxq, an MTU under IOP_PORT_MTU_MIN or over the device's max_mtu;
 * -EBUSY for a started port.
 */
int iop_port_configure(uint16_t port, const struct iop_port_conf *conf);
/* The configuration in force, with the defaults resolved (the key and
 * table the device uses, the MTU). -EINVAL for a port never configured. */
int iop_port_conf_get(uint16_t port, struct iop_port_conf *conf);
/*
 * Changes RSS of a configured port, started or not (ethdev's
 * rss_hash_update and reta_update): hash_types always; key_len 0 keeps
 * the key, reta_size 0 keeps the table. Checked as by configure; -ENOTSUP
 * when the driver cannot change RSS without a new configure.
 */
int iop_port_rss_update(uint16_t port, const struct iop_port_rss_conf *rss);
/* Rx buffers come from mp. Without rx scatter a frame of the MTU (with
 * an 802.1Q tag) must fit one mbuf (iop_port_mtu_one_mbuf): -EINVAL, with
 * a message naming the MTU, the buffer and the fix (scatter or a pool of
 * larger mbufs), when it does not; a longer frame that still arrives is
 * dropped (IOP_DROP_RX_OVERSIZE). -EINVAL for a descriptor count out of
 * range or not a power of two. */
int iop_port_rx_queue_setup(uint16_t port, uint16_t q, uint16_t nb_desc,
			    struct rte_mempool *mp);
/* The largest MTU whose frames, with an 802.1Q tag, fit one mbuf of mp on
 * the port's rx: the most a port without rx scatter takes with mp (0: mp's
 * mbufs are too small for any, or no such port). */
uint32_t iop_port_mtu_one_mbuf(uint16_t port, struct rte_mempool *mp);
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
/* Resets the stats and the xstats (the counters themselves are never
 * written: later reads subtract what they were at the reset). */
int iop_port_stats_reset(uint16_t port);

/*
 * Extended stats, in ethdev's shape (rte_eth_xstats_get_names /
 * rte_eth_xstats_get_by_id): xstat `id` has names[id] and values[id].
 * First ethdev's basic names: rx_good_packets, tx_good_packets,
 * rx_good_bytes, tx_good_bytes, rx_missed_errors, rx_errors, tx_errors,
 * rx_mbuf_allocation_errors, rx_qN_packets, rx_qN_bytes, tx_qN_packets,
 * tx_qN_bytes; then iopath's: one per enum iop_drop (rx_oversize, ...),
 * dma_faults, rx_unmapped, tx_full, iova_cache_lookups, iova_cache_hits,
 * iova_cache_misses, iova_cache_poison, iova_cache_flushes (doc/ports.md).
 * Both return how many xstats the port has; when that is more than n only
 * the first n were written (call with NULL, 0 to size the arrays).
 * -ENODEV for a port that is not open.
 */
#define IOP_PORT_XSTAT_NAME_LEN 64
struct iop_port_xstat_name {
	char name[IOP_PORT_XSTAT_NAME_LEN];
};
int iop_port_xstats_get_names(uint16_t port, struct iop_port_xstat_name *names,
			      unsigned int n);
int iop_port_xstats_get(uint16_t port, uint64_t *values, unsigned int n);

/* The IOVA caches of a port's queues, summed (doc/iova-cache.md), since
 * the last iop_port_stats_reset(); the values of the iova_cache_* xstats.
 * All 0 for a driver that translates nothing. */
struct iop_port_iova_stats {
	uint64_t lookups, hits, misses, poison, flushes;
};
int iop_port_iova_stats_get(uint16_t port, struct iop_port_iova_stats *stats);

/*
 * iopath's own xstats alone (from rx_oversize to iova_cache_flushes, the
 * part after ethdev's basic names), from stats already read: for an
 * ethdev PMD (net_iop), whose basic xstats ethdev makes itself. Writes up
 * to n names and/or values (either may be NULL; st and cache may be NULL
 * when only names are asked for) and returns how many there are.
 */
unsigned int iop_port_xstats_own(const struct iop_port_stats *st,
				 const struct iop_port_iova_stats *cache,
				 struct iop_port_xstat_name *names, uint64_t *values,
				 unsigned int n);

struct iop_dev;
/* The IOMMU device behind the port (sim, pci), or NULL (null ports). */
struct iop_dev *iop_port_dev(uint16_t port);

/*
 * Live move (doc/move.md): puts the port's device (with its whole IOMMU
 * group) on IOAS `to` while lcores keep polling the port, with no frame
 * lost: `to` first gets every mapping of the port's IOAS at the same IOVAs
 * (DPDK's memory by copy, pinned once), then the device's domain is
 * replaced, then each queue's IOVA cache switches to `to` at its next
 * burst, and after a quiescent state of every forwarding thread
 * (iop_mem_quiescent) an IOAS lib/port created that no port uses any more
 * is unmapped and destroyed. `to` is created by the caller
 * (iop_ioas_create) and must outlive the port's use of it.
 *
 * Where `to` cannot hold the same IOVAs, or the backend cannot replace a
 * domain (vfio type1: detach, then attach), the move pauses the queues
 * instead: they post nothing new, give back what the device has not used,
 * switch, and post again; frames the wire drops meanwhile are counted as
 * the port's rx drops, and the pause in iop_port_move_stats_get().
 *
 * Call it from a thread that does not poll the port's queues: it waits for
 * the polling threads. On any failure the port is left forwarding in its
 * IOAS, nothing new stays mapped, and the message says why: -EBUSY (the
 * group holds other ports: name them, or pass IOP_PORT_MOVE_GROUP),
 * -EXDEV (`to` cannot hold the same IOVAs and the driver cannot pause),
 * -EOPNOTSUPP (the driver cannot rebind its queues, or must pause and
 * cannot), -ETIMEDOUT (a queue of the started port was not polled for 5
 * seconds), -EIO (the port moved, but its device's DMA did not start
 * again: its bursts stay idle until the port is stopped and started), or
 * what mapping and attaching returned.
 */
#define IOP_PORT_MOVE_GROUP 1u /* move the ports sharing the IOMMU group too */
#define IOP_PORT_MOVE_PAUSE 2u /* hold the queues even where not needed */
int iop_port_move(uint16_t port, struct iop_ioas *to, unsigned int flags);
/* Live moves the port completed since it was opened (0: not open). */
uint64_t iop_port_moves(uint16_t port);

struct iop_port_move_stats {
	uint64_t moves;         /* live moves completed */
	uint64_t pauses;        /* of those, with the queues held */
	uint64_t last_pause_ns; /* from holding the queues to letting them go */
	uint64_t max_pause_ns;
	/* of the last move: from the call until every queue of a started
	 * port had burst in the new IOAS (all of them rebound) */
	uint64_t last_switch_ns;
};
int iop_port_move_stats_get(uint16_t port, struct iop_port_move_stats *st);

int iop_port_link_get(uint16_t port, struct iop_port_link *link);
int iop_port_mac_get(uint16_t port, struct rte_ether_addr *mac);
int iop_port_promisc_set(uint16_t port, bool on);
bool iop_port_promisc_get(uint16_t port);

#ifdef __cplusplus
}
#endif

#endif /* IOP_PORT_H */
