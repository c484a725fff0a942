/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BRIDGE_H
#define IOP_BRIDGE_H

/*
 * iop-bridge's one interface between its files: the options, the
 * forwarding units and their counters, the bridge object (bridge.c owns
 * it) and what fwd.c, stats.c, mover.c and telemetry.c export.
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mempool.h>

#include "iop_port.h"
#include "l2_table.h"

#define BRIDGE_BURST_MAX 256
#define BRIDGE_MAX_UNITS (IOP_PORT_MAX * IOP_PORT_MAX_QUEUES)

enum bridge_mode { MODE_IO, MODE_MACSWAP, MODE_L2 };

/* Why the bridge dropped a frame it received (port-level reasons are in
 * enum iop_drop). */
enum bridge_drop {
	BDROP_TX_FULL = 0, /* no egress queue took it */
	BDROP_FILTERED,    /* l2: its destination is behind its ingress port */
	BDROP_HOLD_EXPIRED, /* held for an egress port that took nothing for --tx-hold-ms */
	BDROP_MAX
};

struct bridge_opts {
	const char *port[IOP_PORT_MAX];
	uint16_t nports;
	enum bridge_mode mode;
	double stats_period;   /* seconds, 0: no live line */
	double duration;       /* seconds, 0: until SIGINT/SIGTERM */
	const char *json_path;
	uint16_t queues;
	uint16_t rxd, txd;
	uint16_t burst;
	uint32_t mbufs;        /* 0: as many as the ports need, doubled */
	uint32_t age_s;        /* l2 aging time */
	uint32_t move_every_ms; /* live-move a port every so often (0: never) */
	uint16_t move_port;     /* the port --move-every moves */
	bool move_group;        /* take the ports of its IOMMU group along */
	bool move_pause;        /* hold the moved port's queues (IOP_PORT_MOVE_PAUSE) */
	uint32_t tx_hold_ms;    /* hold frames an egress port did not take (0: drop them) */
	uint32_t mtu;           /* 0: each port's largest */
	bool lro;               /* merged TCP segments in, TSO requests out */
	bool help;              /* --help: print the options, run nothing */
};

/* What one forwarding unit saw of one ingress port (single writer). */
struct port_fwd {
	uint64_t rx;
	uint64_t fwd;         /* left on at least one port */
	uint64_t drops[BDROP_MAX];
	uint64_t tx_accepted; /* frames (copies) this port's tx queue took */
	uint64_t held;        /* received, waiting in a hold: neither forwarded nor dropped yet */
	/* l2 floods, per copy, on the egress port: copies given to its tx,
	 * those it took, and those it did not, by reason (tx_full,
	 * tx_hold_expired): flood_copies = flood_taken + flood_not_taken
	 * once nothing is held */
	uint64_t flood_copies, flood_taken;
	uint64_t flood_not_taken[BDROP_MAX];
} __rte_cache_aligned;

/* Frames waiting for one egress port, with the ingress frame each came
 * from (a flooded frame has one copy per egress port). */
struct tx_buf {
	uint16_t n;
	struct rte_mbuf *m[BRIDGE_BURST_MAX];
	uint16_t from[BRIDGE_BURST_MAX];
};

/* Frames an egress port's tx queue did not take, kept in order until it
 * does (hold.c). They all came from one burst of ingress port `in`. */
struct tx_hold {
	uint16_t n;
	uint16_t in;
	uint64_t since; /* tsc of the hold's start or of its last progress */
	struct rte_mbuf *m[BRIDGE_BURST_MAX];
	uint16_t from[BRIDGE_BURST_MAX]; /* the frame's index in that burst */
};

/* The one ingress burst of a port whose frames wait in holds: per frame,
 * its copies still held, and whether it was counted as forwarded already
 * (a flooded frame that some port took). Every copies[] is 0 whenever the
 * port's rx is polled. */
struct hold_burst {
	uint8_t copies[BRIDGE_BURST_MAX];
	bool counted[BRIDGE_BURST_MAX];
	bool flooded[BRIDGE_BURST_MAX]; /* l2: the frame went to every other port */
};

/* A set of queues one lcore polls: a port pair (io, macswap) or every
 * port (l2), all on queue q. */
struct fwd_unit {
	uint16_t q;
	uint16_t nports;
	uint16_t port[IOP_PORT_MAX];
	struct l2_table l2;
	uint64_t next_age;    /* tsc of the next aging pass */
	struct port_fwd cnt[IOP_PORT_MAX];
	struct tx_buf tx[IOP_PORT_MAX]; /* l2: per egress port, one burst */
	uint32_t tx_polled;   /* ports whose tx queue this poll loop called */
	uint32_t holding;     /* ports with frames in hold[] */
	uint32_t stalled;     /* ports whose hold expired: none is held for them
			       * until they take a frame again */
	uint32_t feeds[IOP_PORT_MAX]; /* egress ports each ingress port's frames may go to */
	uint64_t hold_tsc;    /* --tx-hold-ms in tsc cycles (0: no hold) */
	struct tx_hold hold[IOP_PORT_MAX];
	struct hold_burst held_burst[IOP_PORT_MAX]; /* per ingress port */
};

static_assert(IOP_PORT_MAX <= 32, "fwd_unit.tx_polled and .holding have a bit per port");
static_assert(IOP_PORT_MAX - 1 <= UINT8_MAX, "hold_burst.copies counts a copy per egress port");

/*
 * The bridge object, owned by bridge.c: one per process (the EAL's lcores
 * and ports are), created from the options once iopath is up.
 */
/* Opens the ports, creates the pool, sets the ports up and plans the
 * units over the lcores; -1 with iop_err_msg() set. */
int bridge_create(const struct bridge_opts *opt);
/* The mode, the lcores and each port's name, MAC and link. */
void bridge_print_ports(void);
/* Forwards until stopped, then prints the summary and writes the
 * --json-stats document to json (if not NULL): the exit status (0, 1 for
 * a failure, 3 if some counter does not balance). */
int bridge_run(FILE *json);
/* Closes the ports and frees what bridge_create made (also after a
 * failed create). */
void bridge_destroy(void);

const struct bridge_opts *bridge_opts(void);
uint64_t bridge_start_tsc(void);          /* tsc when forwarding started */
uint16_t bridge_nunits(void);
const struct fwd_unit *bridge_unit(uint16_t i);
/* The units the lcore polls, and their count in *n. */
struct fwd_unit *const *bridge_lcore_units(unsigned int lcore, uint16_t *n);
/* Each forwarding lcore's CPU seconds (its thread's clock), and their sum. */
void bridge_lcore_cpu_s_set(unsigned int lcore, double s);
double bridge_forward_cpu_s(void);

/* set by signals and --duration; polled by every lcore */
bool bridge_stopping(void);
void bridge_stop(const char *why);
/* A SIGINT/SIGTERM handler: async-signal-safe. */
void bridge_stop_signal(int sig);
const char *bridge_stop_reason(void);

/* Whether the port was closed while forwarding (its device removed):
 * read by the forwarding lcores once per poll of a port. */
bool bridge_port_closed(uint16_t p);
/* The port's counters: live, or as they were when it was closed. */
int bridge_port_stats(uint16_t p, struct iop_port_stats *st);

/* Closes every port whose device was removed, once no lcore polls it;
 * called by the main lcore between its polls. */
void bridge_close_removed(void);

const char *bridge_mode_name(enum bridge_mode m);
const char *bridge_drop_name(enum bridge_drop d);

/* fwd.c: polls every unit of the calling lcore until the bridge stops
 * (and no move is under way), then sends or drops what its units hold;
 * it never prints nor reads the stats. */
int fwd_lcore_main(void *arg);
/* One poll of every port of the unit: what fwd_lcore_main loops on. */
void fwd_unit_poll(const struct bridge_opts *o, struct fwd_unit *u);

/* hold.c: frames an egress port did not take wait for it, in order, while
 * the ports that feed it are not read (doc/bridge.md, "Holding frames"). */
/* Sets which egress ports each port of the unit feeds, and the bound. */
void hold_init(struct fwd_unit *u, enum bridge_mode mode, uint32_t hold_ms);
/* After a tx burst on out that took some frame: out is not stalled. */
static inline void hold_took(struct fwd_unit *u, uint16_t out)
{
	if (__builtin_expect(u->stalled != 0, 0))
		u->stalled &= ~(1u << out);
}
/* Keeps the n frames tx queue `out` did not take (m[i] is frame from[i]
 * of in's burst, which must be the burst polled last); returns n, or 0
 * when the caller is to drop them as tx_full (no hold, the port stalled
 * or removed). Each kept frame's copies[] is counted and its counted[]
 * cleared: the caller sets counted[] for a frame it counted as
 * forwarded, and adds the others to its held. */
uint16_t hold_keep(struct fwd_unit *u, uint16_t in, uint16_t out, struct rte_mbuf **m,
		   const uint16_t *from, uint16_t n);
/* Sends what the unit holds, gives up on a port that took nothing for
 * the bound, and counts every frame whose fate that settled. */
void hold_flush(struct fwd_unit *u);

/* stats.c */
/* What the bridge and the port counted of one port, all units summed. */
struct bridge_port_total {
	struct iop_port_stats st;       /* the port's own (live, or at close) */
	uint64_t rx, fwd, tx_accepted, held; /* the bridge's, as in struct port_fwd */
	uint64_t drops[BDROP_MAX];
	uint64_t bridge_dropped;        /* sum of drops[] */
	uint64_t flood_copies, flood_taken, flood_not_taken[BDROP_MAX];
	uint64_t flood_dropped;         /* sum of flood_not_taken[] */
};
void stats_port_total(uint16_t p, struct bridge_port_total *t);
void stats_init(void);
/* From a signal handler: print the live line at the next tick (SIGUSR1). */
void stats_ask_line(void);
/* Prints the line about a port closed while forwarding. */
void stats_port_closed(uint16_t p);
/* Prints the live line if a period elapsed; sets the stop at --duration. */
void stats_tick(uint64_t now_tsc);
/* Summary per port; false if some port does not balance. */
bool stats_summary(double seconds);
/* Writes the --json-stats document to f (opened at start); 0 or -EIO. */
int stats_json(FILE *f, double seconds);

/* link_watch.c: each port's link polled while forwarding, each change
 * reported on stderr (called from stats_tick) */
void link_watch_init(void);
void link_watch_tick(uint64_t now_tsc);

/* mover.c: --move-every, a control thread that moves a port between two
 * IOAS of its own while the lcores forward (iop_port_move). */
int mover_start(void);
/* True while a move is under way: the lcores keep polling until it ends. */
bool mover_busy(void);
/* Joins the thread and prints what it did; false if a move failed. */
bool mover_stop(void);
/* After the ports are closed: destroys the mover's IOAS. */
void mover_cleanup(void);

/* telemetry.c: /iop/bridge through DPDK telemetry; after stop it
 * answers nothing, so the units and ports may go. */
void bridge_telemetry_register(void);
void bridge_telemetry_stop(void);

/* offload.c (--lro): the egress requests received frames' flags ask for */
void offload_requests(struct rte_mbuf **pkts, uint16_t n);

#endif /* IOP_BRIDGE_H */
