/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Holding frames an egress port did not take (doc/bridge.md, "Holding
 * frames"). A tx queue that takes fewer frames than it was given is full
 * or paused (a live move stops a PCI port's DMA for milliseconds). The
 * frames it left are kept, in order, and sent first at every poll loop;
 * while they wait, the ports that feed that egress port get empty rx
 * bursts only, so their frames stay in their rx rings and, past those,
 * in whatever is upstream (the NIC, the host's netdev queue): that is the
 * backpressure. testpmd's tx retry and SPDK's pending queues do the
 * same.
 *
 * A frame in a hold is counted as held against its ingress port: neither
 * forwarded nor dropped until it is one or the other. An egress port that
 * takes nothing for --tx-hold-ms is given up: what it holds is dropped
 * (tx_hold_expired) and nothing more is held for it until it takes a
 * frame again, so a port that never comes back costs its feeders one
 * bound, not the run.
 *
 * Why the polling rule keeps order and bounds the state: ingress port I
 * is read only when every port it feeds holds nothing, so a hold has
 * frames of one burst of one ingress port, behind no earlier frame of
 * it, and each port has at most one burst waiting (hold_burst).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "bridge.h"

void hold_init(struct fwd_unit *u, enum bridge_mode mode, uint32_t hold_ms)
{
	u->hold_tsc = (uint64_t)hold_ms * rte_get_tsc_hz() / 1000;
	for (uint16_t k = 0; k < u->nports; k++) {
		uint16_t in = u->port[k];

		u->feeds[in] = 0;
		if (mode != MODE_L2) {
			u->feeds[in] = 1u << u->port[k ^ 1];
			continue;
		}
		for (uint16_t j = 0; j < u->nports; j++)
			if (u->port[j] != in)
				u->feeds[in] |= 1u << u->port[j];
	}
}

uint16_t hold_keep(struct fwd_unit *u, uint16_t in, uint16_t out, struct rte_mbuf **m,
		   const uint16_t *from, uint16_t n)
{
	struct tx_hold *h = &u->hold[out];
	struct hold_burst *b = &u->held_burst[in];

	if (!u->hold_tsc || (u->stalled & (1u << out)) || bridge_port_closed(out))
		return 0;
	/* empty: in was read only because nothing was held for out */
	h->in = in;
	h->since = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		h->m[i] = m[i];
		h->from[i] = from[i];
		b->copies[from[i]]++;
		b->counted[from[i]] = false;
	}
	h->n = n;
	u->holding |= 1u << out;
	return n;
}

/* One held copy of frame i of in's burst left on `out` (took) or was
 * dropped for reason; the frame is counted once its fate is known, a
 * flooded copy at once on `out`. */
static void settle(struct fwd_unit *u, uint16_t in, uint16_t out, uint16_t i, bool took,
		   enum bridge_drop reason)
{
	struct hold_burst *b = &u->held_burst[in];
	struct port_fwd *c = &u->cnt[in];

	if (b->flooded[i]) {
		if (took)
			u->cnt[out].flood_taken++;
		else
			u->cnt[out].flood_not_taken[reason]++;
	}
	b->copies[i]--;
	if (b->counted[i])
		return;
	if (took) {
		b->counted[i] = true;
		c->fwd++;
		c->held--;
	} else if (b->copies[i] == 0) {
		c->drops[reason]++;
		c->held--;
	}
}

static void drop_held(struct fwd_unit *u, uint16_t out, enum bridge_drop reason)
{
	struct tx_hold *h = &u->hold[out];

	for (uint16_t j = 0; j < h->n; j++) {
		rte_pktmbuf_free(h->m[j]);
		settle(u, h->in, out, h->from[j], false, reason);
	}
	h->n = 0;
}

static void flush_port(struct fwd_unit *u, uint16_t out, uint64_t now)
{
	struct tx_hold *h = &u->hold[out];
	uint16_t sent;

	if (bridge_port_closed(out)) {
		/* as for frames sent to a removed port */
		drop_held(u, out, BDROP_TX_FULL);
		return;
	}
	sent = iop_port_tx_burst(out, u->q, h->m, h->n);
	u->tx_polled |= 1u << out;
	u->cnt[out].tx_accepted += sent;
	for (uint16_t j = 0; j < sent; j++)
		settle(u, h->in, out, h->from[j], true, BDROP_TX_FULL);
	if (sent) {
		hold_took(u, out);
		h->n = (uint16_t)(h->n - sent);
		memmove(h->m, &h->m[sent], h->n * sizeof(h->m[0]));
		memmove(h->from, &h->from[sent], h->n * sizeof(h->from[0]));
		h->since = now;
	} else if (now - h->since >= u->hold_tsc) {
		drop_held(u, out, BDROP_HOLD_EXPIRED);
		u->stalled |= 1u << out;
	}
}

void hold_flush(struct fwd_unit *u)
{
	uint64_t now = rte_rdtsc();

	for (uint32_t left = u->holding; left; left &= left - 1) {
		uint16_t out = (uint16_t)__builtin_ctz(left);

		flush_port(u, out, now);
		if (u->hold[out].n == 0)
			u->holding &= ~(1u << out);
	}
}
