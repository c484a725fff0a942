/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live stats line, the summary with packet conservation per port, and
 * the --json-stats file.
 *
 * Conservation, per port P, once every lcore has stopped:
 *   ingress:  rx(P) = forwarded(P) + bridge drops of frames from P
 *   egress:   frames P's tx queues took = tx(P) + P's tx drops
 *   l2 floods: copies given to P = copies P took + copies P did not take
 * where rx and tx are the port's own counters and the rest the bridge's
 * (a flooded frame counts once on its ingress port, each copy on its
 * egress port).
 * The same per queue Q of P, against the port's own counters of that
 * queue (rxq[Q], txq[Q]):
 *   ingress:  rx(P,Q) = forwarded(P,Q) + bridge drops(P,Q)
 *   egress:   taken(P,Q) = tx(P,Q) + drops of tx queue Q
 * and the bridge's counts summed over the queues equal the port's totals
 * (rx_packets; tx_packets and tx drops), which the port keeps apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "app_json.h"
#include "bridge.h"

static struct {
	uint64_t hz, next_tsc, last_tsc, end_tsc;
	volatile sig_atomic_t line_asked; /* SIGUSR1 */
	struct bridge_port_total last[IOP_PORT_MAX];
} s;

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

void stats_port_total(uint16_t p, struct bridge_port_total *t)
{
	memset(t, 0, sizeof(*t));
	bridge_port_stats(p, &t->st);
	for (uint16_t u = 0; u < bridge_nunits(); u++) {
		const struct port_fwd *c = &bridge_unit(u)->cnt[p];

		t->rx += load(&c->rx);
		t->fwd += load(&c->fwd);
		t->tx_accepted += load(&c->tx_accepted);
		t->held += load(&c->held);
		t->flood_copies += load(&c->flood_copies);
		t->flood_taken += load(&c->flood_taken);
		for (int r = 0; r < BDROP_MAX; r++) {
			t->drops[r] += load(&c->drops[r]);
			t->flood_not_taken[r] += load(&c->flood_not_taken[r]);
		}
	}
	for (int r = 0; r < BDROP_MAX; r++) {
		t->bridge_dropped += t->drops[r];
		t->flood_dropped += t->flood_not_taken[r];
	}
}

/* What the bridge and the port counted of queue q of port p (st: the
 * port's counters, from stats_port_total). */
struct bridge_queue_total {
	struct iop_port_qstats rxq, txq; /* the port's own, of that queue */
	uint64_t rx, fwd, tx_accepted;   /* the bridge's, units of queue q */
	uint64_t bridge_dropped;
};

static void stats_queue_total(uint16_t p, uint16_t q, const struct iop_port_stats *st,
			      struct bridge_queue_total *t)
{
	memset(t, 0, sizeof(*t));
	t->rxq = st->rxq[q];
	t->txq = st->txq[q];
	for (uint16_t u = 0; u < bridge_nunits(); u++) {
		const struct fwd_unit *unit = bridge_unit(u);
		const struct port_fwd *c = &unit->cnt[p];

		if (unit->q != q)
			continue;
		t->rx += load(&c->rx);
		t->fwd += load(&c->fwd);
		t->tx_accepted += load(&c->tx_accepted);
		for (int r = 0; r < BDROP_MAX; r++)
			t->bridge_dropped += load(&c->drops[r]);
	}
}

/* rx = forwarded + dropped against the port's rx queue; taken = tx +
 * dropped against its tx queue. */
static bool stats_queue_balanced(const struct bridge_queue_total *t)
{
	return t->rxq.packets == t->rx && t->rx == t->fwd + t->bridge_dropped &&
	       t->tx_accepted == t->txq.packets + t->txq.dropped;
}

/* Drops of frames that entered or left through p: the bridge's, the
 * port's (device and wire). */
static uint64_t dropped(const struct bridge_port_total *t)
{
	return t->bridge_dropped + t->st.dropped;
}

void stats_init(void)
{
	s.hz = rte_get_tsc_hz();
	s.last_tsc = bridge_start_tsc();
	s.next_tsc = bridge_opts()->stats_period > 0 ?
		     bridge_start_tsc() + (uint64_t)(bridge_opts()->stats_period * (double)s.hz) : UINT64_MAX;
	s.end_tsc = bridge_opts()->duration > 0 ?
		    bridge_start_tsc() + (uint64_t)(bridge_opts()->duration * (double)s.hz) : UINT64_MAX;
	link_watch_init();
}

static void rate(char *buf, size_t size, double v, const char *unit)
{
	if (v >= 1e9)
		snprintf(buf, size, "%.2fG%s", v / 1e9, unit);
	else if (v >= 1e6)
		snprintf(buf, size, "%.2fM%s", v / 1e6, unit);
	else if (v >= 1e3)
		snprintf(buf, size, "%.2fk%s", v / 1e3, unit);
	else
		snprintf(buf, size, "%.0f%s", v, unit);
}

static void live_line(uint64_t now)
{
	double dt = (double)(now - s.last_tsc) / (double)s.hz;
	char line[4096];
	size_t off;

	off = (size_t)snprintf(line, sizeof(line), "[%6.1fs]",
			       (double)(now - bridge_start_tsc()) / (double)s.hz);
	for (uint16_t p = 0; p < bridge_opts()->nports && off < sizeof(line); p++) {
		struct bridge_port_total t, *l = &s.last[p];
		char rx[16], tx[16], bps[16];

		stats_port_total(p, &t);
		rate(rx, sizeof(rx), (double)(t.st.rx_packets - l->st.rx_packets) / dt, "pps");
		rate(tx, sizeof(tx), (double)(t.st.tx_packets - l->st.tx_packets) / dt, "pps");
		rate(bps, sizeof(bps), (double)(t.st.rx_bytes - l->st.rx_bytes) * 8 / dt, "b/s");
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					" | p%u rx %s %s tx %s drop %" PRIu64 " dmaf %" PRIu64,
					p, rx, bps, tx, dropped(&t) - dropped(l),
					t.st.dma_faults - l->st.dma_faults);
		*l = t;
	}
	printf("%s\n", line);
	fflush(stdout);
	s.last_tsc = now;
}

void stats_ask_line(void)
{
	s.line_asked = 1;
}

void stats_tick(uint64_t now)
{
	if (now >= s.end_tsc)
		bridge_stop("duration");
	link_watch_tick(now);
	if (s.line_asked) {
		s.line_asked = 0;
		live_line(now);
	}
	if (now < s.next_tsc)
		return;
	live_line(now);
	do
		s.next_tsc += (uint64_t)(bridge_opts()->stats_period * (double)s.hz);
	while (s.next_tsc <= now);
}

void stats_port_closed(uint16_t p)
{
	struct bridge_port_total t;

	stats_port_total(p, &t);
	/* beside the PMD's line about the removal, on stderr */
	fprintf(stderr, "iop-bridge: port %u %s removed (hot-unplug or unbind): closed, the others go on; final rx %" PRIu64
	       " (forwarded %" PRIu64 ", dropped %" PRIu64 "), tx %" PRIu64 ", dropped %" PRIu64
	       ", dma faults %" PRIu64 "\n",
	       p, bridge_opts()->port[p], t.st.rx_packets, t.fwd, t.bridge_dropped, t.st.tx_packets,
	       dropped(&t), t.st.dma_faults);
}

static void print_reasons(const uint64_t drops[BDROP_MAX])
{
	bool any = false;

	for (int r = 0; r < BDROP_MAX; r++) {
		if (!drops[r])
			continue;
		printf("%s%s %" PRIu64, any ? ", " : " (", bridge_drop_name((enum bridge_drop)r),
		       drops[r]);
		any = true;
	}
	printf("%s", any ? ")" : "");
}

/* Every queue of p balances, and the bridge's per-queue counts add up to
 * the port's own totals. */
static bool queues_balance(uint16_t p, const struct bridge_port_total *t, uint64_t tx_drops)
{
	uint64_t rx = 0, taken = 0;
	bool ok = true;

	for (uint16_t q = 0; q < bridge_opts()->queues; q++) {
		struct bridge_queue_total qt;

		stats_queue_total(p, q, &t->st, &qt);
		ok = ok && stats_queue_balanced(&qt);
		rx += qt.rx;
		taken += qt.tx_accepted;
	}
	return ok && rx == t->st.rx_packets && taken == t->st.tx_packets + tx_drops;
}

static void print_queues(uint16_t p, const struct bridge_port_total *t, uint64_t tx_drops, bool ok)
{
	uint64_t rx = 0, taken = 0;

	for (uint16_t q = 0; q < bridge_opts()->queues; q++) {
		struct bridge_queue_total qt;

		stats_queue_total(p, q, &t->st, &qt);
		rx += qt.rx;
		taken += qt.tx_accepted;
		printf("  queue %u: rx %" PRIu64 " = forwarded %" PRIu64 " + dropped %" PRIu64
		       "; taken %" PRIu64 " = tx %" PRIu64 " + dropped %" PRIu64 "  %s\n",
		       q, qt.rxq.packets, qt.fwd, qt.bridge_dropped, qt.tx_accepted, qt.txq.packets,
		       qt.txq.dropped, stats_queue_balanced(&qt) ? "balanced" : "NOT BALANCED");
	}
	printf("  queues: rx %" PRIu64 " (port rx %" PRIu64 "), taken %" PRIu64 " (port tx + tx drops %" PRIu64 ")  %s\n",
	       rx, t->st.rx_packets, taken, t->st.tx_packets + tx_drops, ok ? "balanced" : "NOT BALANCED");
}

bool stats_summary(double secs)
{
	bool all = true;

	printf("iop-bridge: %s mode, stopped by %s after %.2f s\n",
	       bridge_mode_name(bridge_opts()->mode), bridge_stop_reason(), secs);
	for (uint16_t p = 0; p < bridge_opts()->nports; p++) {
		struct bridge_port_total t;
		uint64_t tx_drops = 0;
		bool in_ok, out_ok, queues_ok, flood_ok;

		stats_port_total(p, &t);
		for (int r = 0; r < IOP_DROP_MAX; r++)
			if (iop_drop_is_tx((enum iop_drop)r))
				tx_drops += t.st.drops[r];
		in_ok = t.st.rx_packets == t.fwd + t.bridge_dropped && t.rx == t.st.rx_packets;
		out_ok = t.tx_accepted == t.st.tx_packets + tx_drops;
		queues_ok = queues_balance(p, &t, tx_drops);
		flood_ok = t.flood_copies == t.flood_taken + t.flood_dropped;
		all = all && in_ok && out_ok && queues_ok && flood_ok;
		printf("port %u %s: rx %" PRIu64 " (%.0f pps), tx %" PRIu64 " (%.0f pps), dropped %" PRIu64
		       ", dma faults %" PRIu64 "%s\n", p, bridge_opts()->port[p], t.st.rx_packets,
		       (double)t.st.rx_packets / secs, t.st.tx_packets, (double)t.st.tx_packets / secs,
		       dropped(&t), t.st.dma_faults,
		       bridge_port_closed(p) ? " (removed, closed while forwarding)" : "");
		printf("  in:  rx %" PRIu64 " = forwarded %" PRIu64 " + dropped %" PRIu64,
		       t.st.rx_packets, t.fwd, t.bridge_dropped);
		print_reasons(t.drops);
		printf("  %s\n", in_ok ? "balanced" : "NOT BALANCED");
		printf("  out: taken %" PRIu64 " = tx %" PRIu64 " + dropped %" PRIu64 "  %s\n",
		       t.tx_accepted, t.st.tx_packets, tx_drops, out_ok ? "balanced" : "NOT BALANCED");
		if (bridge_opts()->mode == MODE_L2) {
			printf("  flood: copies %" PRIu64 " = taken %" PRIu64 " + not taken %" PRIu64,
			       t.flood_copies, t.flood_taken, t.flood_dropped);
			print_reasons(t.flood_not_taken);
			printf("  %s\n", flood_ok ? "balanced" : "NOT BALANCED");
		}
		if (bridge_opts()->queues > 1 || !queues_ok)
			print_queues(p, &t, tx_drops, queues_ok);
		if (t.st.dropped || t.st.rx_nombuf || t.st.rx_unmapped) {
			printf("  port:");
			for (int r = 0; r < IOP_DROP_MAX; r++)
				if (t.st.drops[r])
					printf(" %s %" PRIu64, iop_drop_name((enum iop_drop)r), t.st.drops[r]);
			if (t.st.rx_nombuf)
				printf(" rx_nombuf %" PRIu64 " (events)", t.st.rx_nombuf);
			if (t.st.rx_unmapped)
				printf(" rx_unmapped %" PRIu64 " (buffers)", t.st.rx_unmapped);
			printf("\n");
		}
	}
	fflush(stdout);
	return all;
}

/* Each queue's counters, the port's and the bridge's, and its balance. */
static json_t *json_queues(uint16_t p, const struct iop_port_stats *st)
{
	json_t *a = json_array();

	for (uint16_t q = 0; q < bridge_opts()->queues; q++) {
		struct bridge_queue_total qt;

		stats_queue_total(p, q, st, &qt);
		json_array_append_new(a, json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:b}",
			"queue", q, "rx_packets", (json_int_t)qt.rxq.packets,
			"forwarded", (json_int_t)qt.fwd, "dropped", (json_int_t)qt.bridge_dropped,
			"tx_taken", (json_int_t)qt.tx_accepted, "tx_packets", (json_int_t)qt.txq.packets,
			"tx_dropped", (json_int_t)qt.txq.dropped, "balanced", stats_queue_balanced(&qt)));
	}
	return a;
}

/* l2: the flooded copies given to the port, taken and not taken. */
static json_t *json_flood(const struct bridge_port_total *t)
{
	json_t *not_taken = json_object();

	for (int r = 0; r < BDROP_MAX; r++)
		if (r != BDROP_FILTERED)
			json_object_set_new(not_taken, bridge_drop_name((enum bridge_drop)r),
					    json_integer((json_int_t)t->flood_not_taken[r]));
	return json_pack("{s:I,s:I,s:o}", "copies", (json_int_t)t->flood_copies,
			 "taken", (json_int_t)t->flood_taken, "not_taken", not_taken);
}

/* The run's counters and rates (doc/bridge.md, "--json-stats"). */
int stats_json(FILE *f, double secs)
{
	json_t *doc = json_object(), *ports = json_array();
	double cpu = bridge_forward_cpu_s();
	json_object_set_new(doc, "duration_s", json_real(round(secs * 1e3) / 1e3));
	json_object_set_new(doc, "forward_mode", json_string(bridge_mode_name(bridge_opts()->mode)));
	json_object_set_new(doc, "forward_cpu_s", json_real(round(cpu * 1e3) / 1e3));
	for (uint16_t p = 0; p < bridge_opts()->nports; p++) {
		struct bridge_port_total t;
		json_t *port = json_object(), *drops = json_object();

		stats_port_total(p, &t);
		json_object_set_new(port, "name", app_json_str(bridge_opts()->port[p]));
		json_object_set_new(port, "removed", json_boolean(bridge_port_closed(p)));
		json_object_set_new(port, "rx_packets", json_integer((json_int_t)t.st.rx_packets));
		json_object_set_new(port, "tx_packets", json_integer((json_int_t)t.st.tx_packets));
		json_object_set_new(port, "dropped", json_integer((json_int_t)dropped(&t)));
		json_object_set_new(port, "rx_pps", json_real(round((double)t.st.rx_packets / secs * 10) / 10));
		json_object_set_new(port, "tx_pps", json_real(round((double)t.st.tx_packets / secs * 10) / 10));
		json_object_set_new(port, "dma_faults", json_integer((json_int_t)t.st.dma_faults));
		json_object_set_new(port, "rx_bytes", json_integer((json_int_t)t.st.rx_bytes));
		json_object_set_new(port, "tx_bytes", json_integer((json_int_t)t.st.tx_bytes));
		json_object_set_new(port, "forwarded", json_integer((json_int_t)t.fwd));
		for (int r = 0; r < BDROP_MAX; r++)
			json_object_set_new(drops, bridge_drop_name((enum bridge_drop)r),
					    json_integer((json_int_t)t.drops[r]));
		for (int r = 0; r < IOP_DROP_MAX; r++)
			json_object_set_new(drops, iop_drop_name((enum iop_drop)r),
					    json_integer((json_int_t)t.st.drops[r]));
		json_object_set_new(port, "drops", drops);
		if (bridge_opts()->mode == MODE_L2)
			json_object_set_new(port, "flood", json_flood(&t));
		json_object_set_new(port, "queues", json_queues(p, &t.st));
		json_array_append_new(ports, port);
	}
	json_object_set_new(doc, "ports", ports);
	return app_json_write(f, doc, false);
}
