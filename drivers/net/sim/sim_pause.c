/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim PMD's side of a live move (lib/port/port_move.c, doc/move.md):
 * the queues' IOVA caches, for the move to rebind to the new IOAS, and the
 * pause of a move whose IOVAs change or whose device is detached: a held
 * queue posts nothing new and gives back what it posted, so that no
 * descriptor holds an IOVA of the old IOAS once every queue is idle.
 */
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "sim_port.h"
#include "sim_ring.h"

/* Held by a move: takes back the buffers posted that the device has not
 * filled (as a NIC whose queue is disabled), so none holds an IOVA. Not
 * while a frame the device wrote waits to be harvested (more than the
 * caller's burst took, or written by another queue's thread running the
 * RSS engine): those are frames, not buffers, and a later burst takes
 * them first. */
static void rx_reclaim(struct sim_rxq *q)
{
	if (sim_desc_flags(&q->ring[q->next]) & SIM_DESC_DONE)
		return;
	for (uint16_t i = q->next; q->sw[i]; i = (uint16_t)((i + 1) & q->mask)) {
		rte_pktmbuf_free(q->sw[i]);
		q->sw[i] = NULL;
		q->ring[i].flags = 0;
	}
	q->rearm = q->dev_next = q->next;
	__atomic_store_n(&q->idle, true, __ATOMIC_RELEASE);
}

void sim_rxq_reclaim(struct sim_rxq *q)
{
	if (!q->model->spread) {
		rx_reclaim(q);
		return;
	}
	/* the device's rx engine may be writing into this ring */
	rte_spinlock_lock(&q->model->lock);
	rx_reclaim(q);
	rte_spinlock_unlock(&q->model->lock);
}

/* Held tx: finishes what is in flight and takes nothing new. */
void sim_txq_finish(struct sim_txq *q)
{
	if (q->wire_lock)
		rte_spinlock_lock(q->wire_lock);
	sim_dev_tx_poll(q);
	if (q->wire_lock)
		rte_spinlock_unlock(q->wire_lock);
	sim_txq_clean(q);
	if (q->clean == q->next)
		__atomic_store_n(&q->idle, true, __ATOMIC_RELEASE);
}

size_t sim_ioas_changed(struct iop_port *port, struct iop_ioas *ioas,
			struct iop_iova_cache **caches, size_t max)
{
	struct sim_port *sp = iop_port_priv(port);
	size_t n = 0;

	sp->ioas = ioas;
	if (sp->iova_mode != SIM_IOVA_CACHE)
		return 0;
	for (uint16_t i = 0; i < sp->nb_rxq && n < max; i++)
		if (sp->rxq[i])
			caches[n++] = &sp->rxq[i]->cache;
	for (uint16_t i = 0; i < sp->nb_txq && n < max; i++)
		if (sp->txq[i])
			caches[n++] = &sp->txq[i]->cache;
	return n;
}

void sim_hold(struct iop_port *port, bool on)
{
	struct sim_port *sp = iop_port_priv(port);

	for (uint16_t i = 0; i < sp->nb_rxq; i++) {
		__atomic_store_n(&sp->rxq[i]->idle, false, __ATOMIC_RELAXED);
		__atomic_store_n(&sp->rxq[i]->hold, on, __ATOMIC_RELEASE);
	}
	for (uint16_t i = 0; i < sp->nb_txq; i++) {
		__atomic_store_n(&sp->txq[i]->idle, false, __ATOMIC_RELAXED);
		__atomic_store_n(&sp->txq[i]->hold, on, __ATOMIC_RELEASE);
	}
}

bool sim_held(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);

	for (uint16_t i = 0; i < sp->nb_rxq; i++)
		if (!__atomic_load_n(&sp->rxq[i]->idle, __ATOMIC_ACQUIRE))
			return false;
	for (uint16_t i = 0; i < sp->nb_txq; i++)
		if (!__atomic_load_n(&sp->txq[i]->idle, __ATOMIC_ACQUIRE))
			return false;
	return true;
}
