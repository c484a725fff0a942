/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pair wire: two sim ports back to back (sim:wire=pair,peer=N on each).
 * Each port owns one inbox per rx queue, a single-producer single-consumer
 * ring of frame slots: the peer's device writes frames into it from its
 * tx queue q, ours reads them (so one port's tx queue count must be the
 * other's rx queue count).
 * A full inbox is backpressure: the peer's tx_burst takes fewer frames.
 *
 * Both ports must be open, configured and their queues set up before
 * either starts; stop both before closing or reconfiguring either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_log.h"
#include "port_driver.h"
#include "sim_pmd.h"
#include "sim_wire.h"

#define PAIR_FRAME_MAX 2048
#define PAIR_SLOTS 1024 /* power of two */

struct pair_slot {
	uint32_t len;
	uint8_t pad[RTE_CACHE_LINE_SIZE - sizeof(uint32_t)];
	uint8_t data[PAIR_FRAME_MAX];
};

struct pair_inbox {
	uint32_t head __rte_cache_aligned; /* written by the peer's tx */
	uint32_t tail __rte_cache_aligned; /* written by our rx */
	uint32_t prod __rte_cache_aligned; /* producer's committed, unpublished head */
	struct pair_slot slot[PAIR_SLOTS];
};

struct pair_wire {
	uint16_t peer_id;
	struct pair_wire *peer;   /* NULL until both ends are open */
	uint16_t nb_rxq, nb_txq;
	struct pair_inbox *inbox[IOP_PORT_MAX_QUEUES];
};

static struct pair_wire *pair_of(uint16_t port)
{
	struct sim_wire *w = sim_port_wire(port);

	return w && w->ops == &sim_wire_pair ? w->priv : NULL;
}

static int pair_open(struct sim_wire *w, const struct iop_port_spec *spec)
{
	uint16_t self = iop_port_id(w->port);
	struct pair_wire *p, *other;
	uint32_t peer;
	int rc;

	if (!iop_port_spec_get(spec, "peer"))
		return IOP_ERR(EINVAL, "port %u: sim:wire=pair needs peer=<port index> (the other end)",
			       self);
	rc = iop_port_spec_get_u32(spec, "peer", 0, 0, IOP_PORT_MAX - 1, &peer);
	if (rc)
		return rc;
	if (peer == self)
		return IOP_ERR(EINVAL, "port %u: sim:wire=pair,peer=%u names the port itself: give the other end's index",
			       self, peer);
	if (iop_port_is_valid((uint16_t)peer)) {
		other = pair_of((uint16_t)peer);
		if (!other || other->peer_id != self)
			return IOP_ERR(EINVAL, "port %u: peer port %u is not sim:wire=pair,peer=%u",
				       self, peer, self);
	} else {
		other = NULL; /* linked when the peer opens */
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return IOP_ERR(ENOMEM, "pair wire: out of memory");
	p->peer_id = (uint16_t)peer;
	if (other) {
		p->peer = other;
		other->peer = p;
	}
	w->priv = p;
	w->max_frame_len = PAIR_FRAME_MAX;
	return 0;
}

static void pair_free_inboxes(struct pair_wire *p)
{
	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		free(p->inbox[q]);
		p->inbox[q] = NULL;
	}
	p->nb_rxq = 0;
}

static int pair_configure(struct sim_wire *w, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct pair_wire *p = w->priv;

	pair_free_inboxes(p);
	p->nb_txq = nb_txq;
	for (uint16_t q = 0; q < nb_rxq; q++) {
		p->inbox[q] = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(struct pair_inbox));
		if (!p->inbox[q]) {
			pair_free_inboxes(p);
			return IOP_ERR(ENOMEM, "pair wire: out of memory for %u inboxes", nb_rxq);
		}
		memset(p->inbox[q], 0, offsetof(struct pair_inbox, slot));
		p->nb_rxq = (uint16_t)(q + 1);
	}
	return 0;
}

static int pair_start(struct sim_wire *w)
{
	struct pair_wire *p = w->priv;
	uint16_t self = iop_port_id(w->port);

	if (!p->peer)
		return IOP_ERR(ENOTCONN, "port %u: its pair peer port %u is not open: open it as sim:wire=pair,peer=%u",
			       self, p->peer_id, self);
	if (p->peer->nb_rxq == 0)
		return IOP_ERR(ENOTCONN, "port %u: configure its pair peer port %u before starting it",
			       self, p->peer_id);
	/* tx queue q feeds the peer's rx queue q: one producer per inbox */
	if (p->peer->nb_rxq != p->nb_txq)
		return IOP_ERR(EINVAL, "port %u has %u tx queues but its pair peer port %u has %u rx queues: give both the same count",
			       self, p->nb_txq, p->peer_id, p->peer->nb_rxq);
	return 0;
}

static void pair_close(struct sim_wire *w)
{
	struct pair_wire *p = w->priv;

	if (p->peer)
		p->peer->peer = NULL;
	pair_free_inboxes(p);
	free(p);
	w->priv = NULL;
}

static int pair_link(struct sim_wire *w, struct iop_port_link *link)
{
	struct pair_wire *p = w->priv;

	link->up = p->peer != NULL;
	link->speed_mbps = 0;
	return 0;
}

static bool pair_rx_peek(struct sim_wire *w, uint16_t q, struct sim_frame *f)
{
	struct pair_wire *p = w->priv;
	struct pair_inbox *in = p->inbox[q];
	uint32_t head = __atomic_load_n(&in->head, __ATOMIC_ACQUIRE);
	const struct pair_slot *s;

	if (head == in->tail)
		return false;
	s = &in->slot[in->tail & (PAIR_SLOTS - 1)];
	f->data = s->data;
	f->len = s->len;
	f->has_vlan = false;
	f->truncated = false;
	return true;
}

static void pair_rx_consume(struct sim_wire *w, uint16_t q)
{
	struct pair_wire *p = w->priv;
	struct pair_inbox *in = p->inbox[q];

	__atomic_store_n(&in->tail, in->tail + 1, __ATOMIC_RELEASE);
}

static uint64_t pair_rx_dropped(struct sim_wire *w, uint16_t q)
{
	(void)w;
	(void)q;
	return 0; /* a full inbox holds the sender back, it never drops */
}

static struct pair_inbox *peer_inbox(struct sim_wire *w, uint16_t q)
{
	struct pair_wire *peer = ((struct pair_wire *)w->priv)->peer;

	return peer && q < peer->nb_rxq ? peer->inbox[q] : NULL;
}

static uint16_t pair_tx_room(struct sim_wire *w, uint16_t q, uint16_t max)
{
	struct pair_inbox *in = peer_inbox(w, q);
	uint32_t used;

	if (!in)
		return 0;
	used = in->prod - __atomic_load_n(&in->tail, __ATOMIC_ACQUIRE);
	return (uint16_t)RTE_MIN((uint32_t)max, PAIR_SLOTS - used);
}

static uint8_t *pair_tx_slot(struct sim_wire *w, uint16_t q)
{
	struct pair_inbox *in = peer_inbox(w, q);

	return in->slot[in->prod & (PAIR_SLOTS - 1)].data;
}

static void pair_tx_commit(struct sim_wire *w, uint16_t q, uint32_t len)
{
	struct pair_inbox *in = peer_inbox(w, q);

	in->slot[in->prod & (PAIR_SLOTS - 1)].len = len;
	in->prod++;
}

static void pair_tx_flush(struct sim_wire *w, uint16_t q)
{
	struct pair_inbox *in = peer_inbox(w, q);

	if (in)
		__atomic_store_n(&in->head, in->prod, __ATOMIC_RELEASE);
}

static const char *const pair_keys[] = {"peer", NULL};

const struct sim_wire_ops sim_wire_pair = {
	.name = "pair",
	.keys = pair_keys,
	.max_queues = 8,
	.open = pair_open,
	.configure = pair_configure,
	.start = pair_start,
	.close = pair_close,
	.link_get = pair_link,
	.rx_peek = pair_rx_peek,
	.rx_consume = pair_rx_consume,
	.rx_dropped = pair_rx_dropped,
	.tx_room = pair_tx_room,
	.tx_slot = pair_tx_slot,
	.tx_commit = pair_tx_commit,
	.tx_flush = pair_tx_flush,
};
