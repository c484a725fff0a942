/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended stats, as ethdev's rte_eth_xstats_get_names/get give them: one
 * list of names and one of values, indexed by the same id. ethdev's basic
 * names come first (rx_good_packets, ..., rx_q0_packets, tx_q0_bytes),
 * then what iopath counts on top: drops by reason, DMA faults, tx_full and
 * the per-queue IOVA caches, summed over the queues.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "port_internal.h"

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void add_cache(const struct iop_port_qcounters *c, struct iop_port_iova_stats *t)
{
	const struct iop_iova_cache *ic = c ? c->iova_cache : NULL;
	uint64_t lookups, misses, poison;

	if (!ic)
		return;
	lookups = load(&ic->lookups);
	misses = load(&ic->misses);
	poison = load(&ic->poison);
	t->lookups += lookups;
	t->misses += misses;
	t->poison += poison;
	/* as iop_iova_cache_hits(), from the values loaded here */
	t->hits += lookups > misses + poison ? lookups - misses - poison : 0;
	t->flushes += load(&ic->flushes);
}

void iop_port_cache_totals(const struct iop_port *p, struct iop_port_iova_stats *t)
{
	*t = (struct iop_port_iova_stats){ 0 };
	for (uint16_t q = 0; q < p->nb_rxq; q++)
		add_cache(p->rxc[q], t);
	for (uint16_t q = 0; q < p->nb_txq; q++)
		add_cache(p->txc[q], t);
}

void iop_port_iova_stats_locked(const struct iop_port *p, struct iop_port_iova_stats *st)
{
	iop_port_cache_totals(p, st);
	st->lookups -= p->cache_base.lookups;
	st->hits -= p->cache_base.hits;
	st->misses -= p->cache_base.misses;
	st->poison -= p->cache_base.poison;
	st->flushes -= p->cache_base.flushes;
}

/* Receives the xstats one by one; keeps the first max. */
struct sink {
	struct iop_port_xstat_name *names;
	uint64_t *values;
	unsigned int n, max;
};

static void __attribute__((format(printf, 3, 4)))
put(struct sink *s, uint64_t value, const char *fmt, ...)
{
	va_list ap;

	if (s->n < s->max) {
		if (s->names) {
			va_start(ap, fmt);
			vsnprintf(s->names[s->n].name, sizeof(s->names[s->n].name), fmt, ap);
			va_end(ap);
		}
		if (s->values)
			s->values[s->n] = value;
	}
	s->n++;
}

/* iopath's own xstats, after ethdev's basic ones */
static void own(const struct iop_port_stats *st, const struct iop_port_iova_stats *c,
		struct sink *s)
{
	for (int r = 0; r < IOP_DROP_MAX; r++)
		put(s, st->drops[r], "%s", iop_drop_name((enum iop_drop)r));
	put(s, st->dma_faults, "dma_faults");
	put(s, st->rx_unmapped, "rx_unmapped");
	put(s, st->tx_full, "tx_full");
	put(s, c->lookups, "iova_cache_lookups");
	put(s, c->hits, "iova_cache_hits");
	put(s, c->misses, "iova_cache_misses");
	put(s, c->poison, "iova_cache_poison");
	put(s, c->flushes, "iova_cache_flushes");
}

unsigned int iop_port_xstats_own(const struct iop_port_stats *st,
				 const struct iop_port_iova_stats *cache,
				 struct iop_port_xstat_name *names, uint64_t *values,
				 unsigned int n)
{
	static const struct iop_port_stats no_stats;
	static const struct iop_port_iova_stats no_cache;
	struct sink s = { .names = names, .values = values, .max = n };

	own(st ? st : &no_stats, cache ? cache : &no_cache, &s);
	return s.n;
}

static void collect(const struct iop_port *p, struct sink *s)
{
	const uint64_t *d;
	struct iop_port_stats st;
	struct iop_port_iova_stats c;

	iop_port_stats_locked(p, &st);
	iop_port_iova_stats_locked(p, &c);
	d = st.drops;
	/* ethdev's basic stats, under the names rte_eth_xstats_get_names gives them */
	put(s, st.rx_packets, "rx_good_packets");
	put(s, st.tx_packets, "tx_good_packets");
	put(s, st.rx_bytes, "rx_good_bytes");
	put(s, st.tx_bytes, "tx_good_bytes");
	put(s, d[IOP_DROP_RX_RING_FULL], "rx_missed_errors");
	put(s, iop_drop_rx_errors(d), "rx_errors");
	put(s, d[IOP_DROP_TX_UNMAPPED] + d[IOP_DROP_TX_DMA_FAULT] + d[IOP_DROP_TX_OVERSIZE],
	    "tx_errors");
	put(s, st.rx_nombuf, "rx_mbuf_allocation_errors");
	for (uint16_t q = 0; q < st.nb_rxq; q++) {
		put(s, st.rxq[q].packets, "rx_q%u_packets", q);
		put(s, st.rxq[q].bytes, "rx_q%u_bytes", q);
	}
	for (uint16_t q = 0; q < st.nb_txq; q++) {
		put(s, st.txq[q].packets, "tx_q%u_packets", q);
		put(s, st.txq[q].bytes, "tx_q%u_bytes", q);
	}
	own(&st, &c, s);
}

static int xstats(uint16_t id, struct iop_port_xstat_name *names, uint64_t *values,
		  unsigned int n)
{
	struct sink s = { .names = names, .values = values, .max = n };
	struct iop_port *p;

	if ((names || values) == false && n)
		return IOP_ERR(EINVAL, "xstats of port %u: no array for %u entries", id, n);
	pthread_mutex_lock(&iop_port_read_lock);
	p = iop_port_get(id);
	if (!p) {
		pthread_mutex_unlock(&iop_port_read_lock);
		return IOP_ERR(ENODEV, "xstats: no open port %u", id);
	}
	collect(p, &s);
	pthread_mutex_unlock(&iop_port_read_lock);
	return (int)s.n;
}

int iop_port_xstats_get_names(uint16_t port, struct iop_port_xstat_name *names,
			      unsigned int n)
{
	return xstats(port, names, NULL, n);
}

int iop_port_xstats_get(uint16_t port, uint64_t *values, unsigned int n)
{
	return xstats(port, NULL, values, n);
}
