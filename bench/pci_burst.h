/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BENCH_PCI_BURST_H
#define IOP_BENCH_PCI_BURST_H

/*
 * What the device-less burst programs share (pci_burst.c for e1000e,
 * pci_burst_igb.c for igb's rings): the set-up of EAL on the sim IOMMU
 * with the device whose IOAS the queues translate in, a pool and a BAR of
 * plain memory, and the checks that the bursts forwarded every frame and
 * the queues counted exactly that, with the line pci_burst.sh reads.
 * Static inline: pci_burst.sh compiles pci_burst.c alone against other
 * revisions' sources.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_iova_cache.h"
#include "iop_mem.h"
#include "pci_pmd_ring.h"
#include "port_driver.h"

#define PCI_BURST_RING 512     /* descriptors a queue */
#define PCI_BURST_FRAMES 32    /* frames a burst */
#define PCI_BURST_LEN 60       /* bytes a frame */

/* Called through volatile pointers of this type, so that the bursts stay
 * functions of their own, which callgrind collects by name. */
typedef uint16_t (*pci_burst_fn)(void *q, struct rte_mbuf **pkts, uint16_t n);

/* A zeroed queue struct of qsize bytes, its ring of PCI_BURST_RING
 * descriptors of desc_size bytes (*ring) and its mbuf slots (*sw), its
 * IOVA cache (at cache_off in it) on ioas; NULL when memory runs out. */
static inline void *pci_burst_queue(size_t qsize, size_t cache_off, size_t desc_size,
				    struct iop_ioas *ioas, void **ring, struct rte_mbuf ***sw)
{
	void *q = rte_zmalloc(NULL, qsize, RTE_CACHE_LINE_SIZE);

	*ring = rte_zmalloc(NULL, PCI_BURST_RING * desc_size, 4096);
	*sw = rte_zmalloc(NULL, PCI_BURST_RING * sizeof(**sw), 0);
	if (!q || !*ring || !*sw)
		return NULL;
	iop_iova_cache_init((struct iop_iova_cache *)((uint8_t *)q + cache_off), ioas);
	return q;
}

/* What an rx queue setup of the PMDs does with its pool: the refill from
 * mp, and mp's memory as the cache's IOVA run; 0, or -1. */
static inline int pci_burst_rx_pool(struct iop_pci_rx_refill *refill, struct iop_iova_cache *cache,
				    struct rte_mempool *mp, const char *pmd)
{
	if (iop_pci_rx_refill_init(refill, mp, 0, RTE_PKTMBUF_HEADROOM, pmd) < 0)
		return -1;
	iop_pci_cache_run_pool(cache, mp);
	return 0;
}

/* EAL without hugepages, the sim IOMMU on TOPOLOGY, its device
 * 0000:00:01.0 opened (*ioas: its IOAS), a pool (*mp) and a BAR of 128
 * KiB of plain memory (*bar); 0, or 1 with the reason printed. */
static inline int pci_burst_setup(const char *name, char *argv0, const char *topology,
				  struct iop_ioas **ioas, struct rte_mempool **mp,
				  volatile uint8_t **bar)
{
	char topo[512], prefix[64];
	char *eal[] = { argv0, "-l", "0", "--no-huge", "-m", "64", "--no-telemetry",
			"--log-level=error", prefix, "--", "--iommu=sim", topo, NULL };
	struct iop_dev *dev;

	snprintf(topo, sizeof(topo), "--sim-topology=%s", topology);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	if (iop_init(12, eal) < 0 || iop_port_dev_open("0000:00:01.0", &dev, ioas) < 0) {
		fprintf(stderr, "%s: %s\n", name, iop_err_msg());
		return 1;
	}
	*mp = rte_pktmbuf_pool_create(name, 2047, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	*bar = rte_zmalloc(NULL, 128 << 10, 4096); /* the BAR: writes land here */
	if (!*mp || !*bar) {
		fprintf(stderr, "%s: no memory for the pool or the BAR\n", name);
		return 1;
	}
	return 0;
}

/* The device's side of a PMD's rings: rx_written writes back the 32 rx
 * descriptors from the queue's next as done (60-byte frames); tx_next is
 * the tx queue's next free slot; tx_done marks the tx descriptors from
 * `from` up to that slot as sent. */
struct pci_burst_device {
	void (*rx_written)(void *rxq);
	uint16_t (*tx_next)(const void *txq);
	void (*tx_done)(void *txq, uint16_t from);
};

/* bursts rounds: the device receives 32 frames, rx takes them, tx sends
 * them, the device sends what was posted. *fwd: the frames forwarded; 0
 * when every round took and sent all 32, else 1 with the round printed. */
static inline int pci_burst_run(const char *name, long bursts, pci_burst_fn rx, pci_burst_fn tx,
				void *rxq, void *txq, const struct pci_burst_device *dev,
				uint64_t *fwd)
{
	struct rte_mbuf *pkts[PCI_BURST_FRAMES];

	for (long b = 0; b < bursts; b++) {
		uint16_t from = dev->tx_next(txq), got, sent;

		dev->rx_written(rxq);
		got = rx(rxq, pkts, PCI_BURST_FRAMES);
		sent = tx(txq, pkts, got);
		if (got != PCI_BURST_FRAMES || sent != got) {
			fprintf(stderr, "%s: burst %ld: %u received, %u sent\n", name, b, got, sent);
			return 1;
		}
		*fwd += sent;
		dev->tx_done(txq, from);
	}
	return 0;
}

/* What the queues counted is what happened: a count is only given for
 * bursts that kept every frame's count. 0 and the line pci_burst.sh
 * reads, or 1. */
static inline int pci_burst_counted(const char *name, const struct iop_port_qcounters *rxc,
				    const struct iop_port_qcounters *txc, uint64_t fwd, long bursts)
{
	if (rxc->packets != fwd || txc->packets != fwd || rxc->bytes != fwd * PCI_BURST_LEN ||
	    txc->bytes != fwd * PCI_BURST_LEN) {
		fprintf(stderr, "%s: %" PRIu64 " forwarded, but the queues counted %" PRIu64
			" in (%" PRIu64 " bytes) and %" PRIu64 " out (%" PRIu64 " bytes)\n",
			name, fwd, rxc->packets, rxc->bytes, txc->packets, txc->bytes);
		return 1;
	}
	printf("%s: %" PRIu64 " packets forwarded in %ld bursts\n", name, fwd, bursts);
	return 0;
}

#endif /* IOP_BENCH_PCI_BURST_H */
