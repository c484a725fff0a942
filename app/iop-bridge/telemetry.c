/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /iop/bridge through DPDK telemetry: what the bridge did with the frames
 * of each port, beside the ports' own counters (/iop/stats,N):
 *   mode, uptime_s, port[], rx[], forwarded[], filtered[], tx_full[],
 *   tx_hold_expired[], held[] (received, waiting for an egress port),
 *   tx_taken[] (frames each port's tx queues took), port_dropped[],
 *   flood_copies[], flood_taken[], flood_tx_full[],
 *   flood_tx_hold_expired[] (l2: flooded copies for each port, per copy)
 * as arrays by position in port[] (DPDK 22.11 nests only arrays of
 * plain values in a dict).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "bridge.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool stopped;

enum col { COL_PORT, COL_RX, COL_FWD, COL_FILTERED, COL_TX_FULL, COL_HOLD_EXPIRED, COL_HELD,
	   COL_TX_TAKEN, COL_PORT_DROPPED, COL_FLOOD_COPIES, COL_FLOOD_TAKEN, COL_FLOOD_TX_FULL,
	   COL_FLOOD_HOLD_EXPIRED, COL_MAX };

static const char *const col_name[COL_MAX] = {
	[COL_PORT] = "port", [COL_RX] = "rx", [COL_FWD] = "forwarded",
	[COL_FILTERED] = "filtered", [COL_TX_FULL] = "tx_full",
	[COL_HOLD_EXPIRED] = "tx_hold_expired", [COL_HELD] = "held", [COL_TX_TAKEN] = "tx_taken",
	[COL_PORT_DROPPED] = "port_dropped", [COL_FLOOD_COPIES] = "flood_copies",
	[COL_FLOOD_TAKEN] = "flood_taken", [COL_FLOOD_TX_FULL] = "flood_tx_full",
	[COL_FLOOD_HOLD_EXPIRED] = "flood_tx_hold_expired",
};

static uint64_t cell(enum col c, uint16_t p, const struct bridge_port_total *t)
{
	switch (c) {
	case COL_PORT: return p;
	case COL_RX: return t->rx;
	case COL_FWD: return t->fwd;
	case COL_FILTERED: return t->drops[BDROP_FILTERED];
	case COL_TX_FULL: return t->drops[BDROP_TX_FULL];
	case COL_HOLD_EXPIRED: return t->drops[BDROP_HOLD_EXPIRED];
	case COL_HELD: return t->held;
	case COL_TX_TAKEN: return t->tx_accepted;
	case COL_PORT_DROPPED: return t->st.dropped;
	case COL_FLOOD_COPIES: return t->flood_copies;
	case COL_FLOOD_TAKEN: return t->flood_taken;
	case COL_FLOOD_TX_FULL: return t->flood_not_taken[BDROP_TX_FULL];
	case COL_FLOOD_HOLD_EXPIRED: return t->flood_not_taken[BDROP_HOLD_EXPIRED];
	default: return 0;
	}
}

static int handle_bridge(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct bridge_port_total t[IOP_PORT_MAX];
	struct rte_tel_data *a[COL_MAX];
	uint16_t n = bridge_opts()->nports;

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&lock);
	if (stopped) {
		pthread_mutex_unlock(&lock);
		return -ENODEV;
	}
	for (uint16_t p = 0; p < n; p++)
		stats_port_total(p, &t[p]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode", bridge_mode_name(bridge_opts()->mode));
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - bridge_start_tsc()) / rte_get_tsc_hz());
	for (int c = 0; c < COL_MAX; c++) {
		a[c] = rte_tel_data_alloc();
		if (!a[c])
			continue;
		rte_tel_data_start_array(a[c], RTE_TEL_U64_VAL);
		for (uint16_t p = 0; p < n; p++)
			rte_tel_data_add_array_u64(a[c], cell((enum col)c, p, &t[p]));
		rte_tel_data_add_dict_container(d, col_name[c], a[c], 0);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

void bridge_telemetry_register(void)
{
	rte_telemetry_register_cmd("/iop/bridge", handle_bridge,
		"Returns what iop-bridge did with each port's frames: forwarded, dropped by reason, held. Takes no parameters");
}

void bridge_telemetry_stop(void)
{
	pthread_mutex_lock(&lock);
	stopped = true;
	pthread_mutex_unlock(&lock);
}
