/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port stats: the sum of the queue counters the PMD writes, read with
 * atomic loads so any thread may ask while lcores forward, under
 * iop_port_read_lock, which a move never takes: a reader never waits for it.
 */
#include <errno.h>
#include <string.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_log.h"
#include "port_internal.h"

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void add_counters(const struct iop_port_qcounters *c, struct iop_port_qstats *q,
			 struct iop_port_stats *st)
{
	q->packets = load(&c->packets);
	q->bytes = load(&c->bytes);
	q->dropped = 0;
	for (int r = 0; r < IOP_DROP_MAX; r++) {
		uint64_t d = load(&c->drops[r]);

		st->drops[r] += d;
		q->dropped += d;
	}
	st->dma_faults += load(&c->dma_faults);
	st->rx_nombuf += load(&c->rx_nombuf);
	st->rx_unmapped += load(&c->rx_unmapped);
	st->tx_full += load(&c->tx_full);
}

static void raw_stats(const struct iop_port *p, struct iop_port_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nb_rxq = p->nb_rxq;
	st->nb_txq = p->nb_txq;
	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		if (!p->rxc[q])
			continue;
		add_counters(p->rxc[q], &st->rxq[q], st);
		st->rx_packets += st->rxq[q].packets;
		st->rx_bytes += st->rxq[q].bytes;
	}
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		if (!p->txc[q])
			continue;
		add_counters(p->txc[q], &st->txq[q], st);
		st->tx_packets += st->txq[q].packets;
		st->tx_bytes += st->txq[q].bytes;
	}
}

static void subtract(struct iop_port_stats *st, const struct iop_port_stats *b)
{
	st->rx_packets -= b->rx_packets;
	st->rx_bytes -= b->rx_bytes;
	st->tx_packets -= b->tx_packets;
	st->tx_bytes -= b->tx_bytes;
	st->dma_faults -= b->dma_faults;
	st->rx_nombuf -= b->rx_nombuf;
	st->rx_unmapped -= b->rx_unmapped;
	st->tx_full -= b->tx_full;
	st->dropped = 0;
	for (int r = 0; r < IOP_DROP_MAX; r++) {
		st->drops[r] -= b->drops[r];
		st->dropped += st->drops[r];
	}
	for (int q = 0; q < IOP_PORT_MAX_QUEUES; q++) {
		st->rxq[q].packets -= b->rxq[q].packets;
		st->rxq[q].bytes -= b->rxq[q].bytes;
		st->rxq[q].dropped -= b->rxq[q].dropped;
		st->txq[q].packets -= b->txq[q].packets;
		st->txq[q].bytes -= b->txq[q].bytes;
		st->txq[q].dropped -= b->txq[q].dropped;
	}
}

void iop_port_stats_locked(const struct iop_port *p, struct iop_port_stats *st)
{
	raw_stats(p, st);
	subtract(st, &p->base);
}

int iop_port_stats_get(uint16_t id, struct iop_port_stats *st)
{
	struct iop_port *p;

	pthread_mutex_lock(&iop_port_read_lock);
	p = iop_port_get(id);
	if (!p) {
		pthread_mutex_unlock(&iop_port_read_lock);
		return IOP_ERR(ENODEV, "stats: no open port %u", id);
	}
	iop_port_stats_locked(p, st);
	pthread_mutex_unlock(&iop_port_read_lock);
	return 0;
}

int iop_port_stats_reset(uint16_t id)
{
	struct iop_port *p;

	pthread_mutex_lock(&iop_port_read_lock);
	p = iop_port_get(id);
	if (!p) {
		pthread_mutex_unlock(&iop_port_read_lock);
		return IOP_ERR(ENODEV, "stats reset: no open port %u", id);
	}
	raw_stats(p, &p->base);
	iop_port_cache_totals(p, &p->cache_base);
	pthread_mutex_unlock(&iop_port_read_lock);
	return 0;
}

int iop_port_iova_stats_get(uint16_t id, struct iop_port_iova_stats *st)
{
	struct iop_port *p;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&iop_port_read_lock);
	p = iop_port_get(id);
	if (!p) {
		pthread_mutex_unlock(&iop_port_read_lock);
		return IOP_ERR(ENODEV, "IOVA cache stats: no open port %u", id);
	}
	iop_port_iova_stats_locked(p, st);
	pthread_mutex_unlock(&iop_port_read_lock);
	return 0;
}
