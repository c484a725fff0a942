/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_PMD_RING_H
#define IOP_PCI_PMD_RING_H

/*
 * The descriptor-ring bookkeeping every PCI PMD repeats around its own
 * descriptor format: ring memory that the device reaches by one IOVA,
 * buffers posted by the IOVA of the queue's cache, and the queue counters.
 * The burst helpers are static inline so that the PMD's hot loop stays one
 * function; each takes the PMD's `looked` counter, which it adds to the
 * cache once per burst with iop_iova_cache_count().
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "iop_iova_cache.h"
#include "iop_pci.h"
#include "iop_port.h"

struct iop_ioas;

/* The IOVA of a ring of `bytes` at va, which one translation of the IOAS
 * must cover whole (the device walks it by address). -EFAULT (or the
 * lookup's error) with the message naming pmd when it does not. */
int iop_pci_ring_iova(struct iop_pci_dev *pdev, struct iop_ioas *ioas, const char *pmd,
		      const void *va, size_t bytes, uint64_t *iova);

/* Frees the mbufs a queue holds by descriptor (or slot) and clears them. */
void iop_pci_free_mbufs(struct rte_mbuf **sw, uint16_t n);

/* For filling an rx ring at start: a fresh mbuf and the IOVA of its byte
 * `off` from buf_addr. -ENOMEM (pool empty) or -EFAULT (not mapped), with
 * the message naming pmd and the ring's size. */
int iop_pci_rx_buf_alloc(struct rte_mempool *mp, struct iop_iova_cache *cache,
			 const char *pmd, uint16_t ring_size, uint16_t off,
			 unsigned int *looked, struct rte_mbuf **m, uint64_t *iova);

/* A frame sent or received: the queue's packet and byte counters. */
static inline void iop_pci_count_packet(struct iop_port_qcounters *cnt, uint32_t len)
{
	cnt->packets++;
	cnt->bytes += len;
}

/*
 * rx: the buffer that replaces a received one, reset, with *iova the IOVA
 * of its byte `off` from buf_addr. NULL, counted in rx_nombuf or
 * rx_unmapped, when the pool is empty or the buffer is not mapped: the PMD
 * then leaves the frame in the ring for the next burst.
 */
static inline struct rte_mbuf *iop_pci_rx_refill(struct rte_mempool *mp,
						 struct iop_iova_cache *cache,
						 struct iop_port_qcounters *cnt, uint16_t off,
						 unsigned int *looked, uint64_t *iova)
{
	struct rte_mbuf *fresh = rte_mbuf_raw_alloc(mp);

	if (!fresh) {
		cnt->rx_nombuf++;
		return NULL;
	}
	(*looked)++;
	*iova = iop_iova_cache_lookup(cache, (uint8_t *)fresh->buf_addr + off);
	if (*iova == IOP_IOVA_POISON) {
		rte_mbuf_raw_free(fresh);
		cnt->rx_unmapped++;
		return NULL;
	}
	rte_pktmbuf_reset(fresh);
	return fresh;
}

/* rx: hands a received frame of len bytes (data at data_off) to the caller. */
static inline void iop_pci_rx_deliver(struct rte_mbuf *m, uint16_t len, uint16_t port_id,
				      struct iop_port_qcounters *cnt)
{
	m->data_len = len;
	m->pkt_len = len;
	m->port = port_id;
	iop_pci_count_packet(cnt, len);
}

/*
 * tx: the IOVA of m's data, or IOP_IOVA_POISON when m cannot go out (more
 * than one segment or longer than max_frame, or not mapped): then m is
 * freed and counted as a drop, and the PMD goes on with the next packet.
 */
static inline uint64_t iop_pci_tx_iova(struct iop_iova_cache *cache,
				       struct iop_port_qcounters *cnt, struct rte_mbuf *m,
				       uint32_t max_frame, unsigned int *looked)
{
	uint64_t iova;

	if (m->nb_segs != 1 || m->pkt_len > max_frame) {
		cnt->drops[IOP_DROP_TX_OVERSIZE]++;
		rte_pktmbuf_free(m);
		return IOP_IOVA_POISON;
	}
	(*looked)++;
	iova = iop_iova_cache_lookup(cache, rte_pktmbuf_mtod(m, void *));
	if (iova == IOP_IOVA_POISON) {
		cnt->drops[IOP_DROP_TX_UNMAPPED]++;
		rte_pktmbuf_free(m);
	}
	return iova;
}

#endif /* IOP_PCI_PMD_RING_H */
