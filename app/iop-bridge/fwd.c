/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding: each lcore polls its units. A burst from one ingress queue
 * is sent before the next queue is read, so every frame's fate (sent on
 * some port, dropped with a reason, or held for an egress port that did
 * not take it yet: hold.c) is known and counted against its ingress port:
 * that is what makes the summary's conservation exact.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bridge.h"
#include "iop_mem.h"

static void macswap(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp = eth->dst_addr;

		eth->dst_addr = eth->src_addr;
		eth->src_addr = tmp;
	}
}

/* The frames of a pair burst tx did not take: held, or dropped. */
static void fwd_rest(struct fwd_unit *u, uint16_t in, uint16_t out, uint16_t sent,
		     struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t from[BRIDGE_BURST_MAX], left = (uint16_t)(n - sent);

	for (uint16_t j = 0; j < left; j++)
		from[j] = (uint16_t)(sent + j);
	if (hold_keep(u, in, out, &pkts[sent], from, left)) {
		u->cnt[in].held += left;
		return;
	}
	u->cnt[in].drops[BDROP_TX_FULL] += left;
	rte_pktmbuf_free_bulk(&pkts[sent], left);
}

/* io and macswap: everything from one port of the pair to the other. */
static void fwd_pair(const struct bridge_opts *o, struct fwd_unit *u, uint16_t in, uint16_t out,
		     struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;

	if (o->mode == MODE_MACSWAP)
		macswap(pkts, n);
	if (!bridge_port_closed(out)) {
		sent = iop_port_tx_burst(out, u->q, pkts, n);
		u->tx_polled |= 1u << out;
		if (sent)
			hold_took(u, out);
	}
	u->cnt[in].fwd += sent;
	u->cnt[out].tx_accepted += sent;
	if (sent < n)
		fwd_rest(u, in, out, sent, pkts, n);
}

static void l2_queue(struct tx_buf *b, struct rte_mbuf *m, uint16_t from)
{
	b->m[b->n] = m;
	b->from[b->n++] = from;
}

static void fwd_l2(struct fwd_unit *u, uint16_t in, struct rte_mbuf **pkts, uint16_t n)
{
	struct tx_buf *tx = u->tx;
	/* what became of each frame: 0 nothing yet, FILTERED, or SENT once
	 * some egress port took it (or a copy of it) */
	enum { FILTERED = 1, SENT = 2 };
	uint8_t fate[BRIDGE_BURST_MAX] = {0};
	/* nothing of in's burst is held (in was read): hold.c reads it for
	 * the copies this burst leaves in holds */
	bool *flooded = u->held_burst[in].flooded;
	uint64_t now = rte_rdtsc();
	uint16_t open = 0; /* egress ports a flood goes to */
	bool kept = false; /* some copy waits in a hold */

	for (uint16_t k = 0; k < u->nports; k++) {
		tx[u->port[k]].n = 0;
		open += u->port[k] != in && !bridge_port_closed(u->port[k]);
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		int out = l2_decide(&u->l2, in, l2_mac(eth->src_addr.addr_bytes),
				    l2_mac(eth->dst_addr.addr_bytes), now);

		flooded[i] = false;
		if (out == L2_FILTER) {
			fate[i] = FILTERED;
			rte_pktmbuf_free(pkts[i]);
		} else if (out >= 0 ? bridge_port_closed((uint16_t)out) : open == 0) {
			/* its egress port was removed: counted as tx_full */
			rte_pktmbuf_free(pkts[i]);
		} else if (out >= 0) {
			l2_queue(&tx[out], pkts[i], i);
		} else {
			/* one reference per egress port; each tx frees its own */
			rte_mbuf_refcnt_update(pkts[i], (int16_t)(open - 1));
			flooded[i] = true;
			for (uint16_t k = 0; k < u->nports; k++)
				if (u->port[k] != in && !bridge_port_closed(u->port[k])) {
					l2_queue(&tx[u->port[k]], pkts[i], i);
					u->cnt[u->port[k]].flood_copies++;
				}
		}
	}
	for (uint16_t k = 0; k < u->nports; k++) {
		uint16_t p = u->port[k], sent;
		struct tx_buf *b = &tx[p];

		if (p == in || b->n == 0)
			continue;
		sent = iop_port_tx_burst(p, u->q, b->m, b->n);
		u->tx_polled |= 1u << p;
		u->cnt[p].tx_accepted += sent;
		for (uint16_t j = 0; j < sent; j++) {
			fate[b->from[j]] = SENT;
			u->cnt[p].flood_taken += flooded[b->from[j]];
		}
		if (sent)
			hold_took(u, p);
		if (sent == b->n)
			continue;
		if (hold_keep(u, in, p, &b->m[sent], &b->from[sent], (uint16_t)(b->n - sent)))
			kept = true;
		else
			for (uint16_t j = sent; j < b->n; j++) {
				u->cnt[p].flood_not_taken[BDROP_TX_FULL] += flooded[b->from[j]];
				rte_pktmbuf_free(b->m[j]);
			}
	}
	for (uint16_t i = 0; i < n; i++) {
		if (fate[i] == SENT)
			u->cnt[in].fwd++;
		else if (fate[i] == FILTERED)
			u->cnt[in].drops[BDROP_FILTERED]++;
		else if (!kept || !u->held_burst[in].copies[i])
			u->cnt[in].drops[BDROP_TX_FULL]++;
		else
			u->cnt[in].held++;
		/* a copy still held of a frame some port took counts no more */
		if (kept)
			u->held_burst[in].counted[i] = fate[i] == SENT;
	}
	if (now >= u->next_age) {
		l2_age(&u->l2, now);
		u->next_age = now + rte_get_tsc_hz();
	}
}

void fwd_unit_poll(const struct bridge_opts *o, struct fwd_unit *u)
{
	struct rte_mbuf *pkts[BRIDGE_BURST_MAX];

	if (u->holding)
		hold_flush(u);
	for (uint16_t k = 0; k < u->nports; k++) {
		uint16_t in = u->port[k], n;

		if (bridge_port_closed(in))
			continue;
		/* while a port it feeds holds frames, an empty burst: its
		 * frames wait in its ring, and a move still sees the burst */
		n = iop_port_rx_burst(in, u->q, pkts, u->holding & u->feeds[in] ? 0 : o->burst);
		if (n == 0)
			continue;
		u->cnt[in].rx += n;
		if (o->lro)
			offload_requests(pkts, n);
		if (o->mode == MODE_L2)
			fwd_l2(u, in, pkts, n);
		else
			fwd_pair(o, u, in, u->port[k ^ 1], pkts, n);
	}
	for (uint16_t k = 0; k < u->nports; k++) {
		uint16_t p = u->port[k];

		if (!(u->tx_polled & (1u << p)) && !bridge_port_closed(p))
			iop_port_tx_burst(p, u->q, pkts, 0);
	}
	u->tx_polled = 0;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fwd_lcore_main(void *arg)
{
	unsigned int lcore = rte_lcore_id();
	double cpu0 = thread_cpu_s();
	const struct bridge_opts *o = bridge_opts();
	uint16_t nunits;
	struct fwd_unit *const *units = bridge_lcore_units(lcore, &nunits);

	(void)arg;
	iop_mem_thread_register();
	/* a move under way waits for the lcores: poll until it ends */
	while (!bridge_stopping() || mover_busy()) {
		for (uint16_t i = 0; i < nunits; i++)
			fwd_unit_poll(o, units[i]);
		/* no burst of this lcore is under way past this point: a
		 * port closed from here on is skipped by the next loop */
		iop_mem_quiescent();
	}
	/* what the units hold leaves, or expires, before the ports stop */
	for (uint16_t i = 0; i < nunits; i++)
		while (units[i]->holding) {
			hold_flush(units[i]);
			iop_mem_quiescent();
		}
	iop_mem_thread_unregister();
	bridge_lcore_cpu_s_set(lcore, thread_cpu_s() - cpu0);
	return 0;
}
