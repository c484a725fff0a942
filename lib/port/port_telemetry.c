/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports through DPDK telemetry (dpdk-telemetry.py), shaped like ethdev's:
 *   /iop/list       the ids of the open ports
 *   /iop/info,N     what port N is: spec, driver, state, link, queues,
 *                   limits, device, IOMMU group and IOAS
 *   /iop/stats,N    ethdev's basic stats, under /ethdev/stats's names
 *   /iop/xstats,N   every xstat of iop_port_xstats_get_names(), by name
 * DPDK 22.11 nests only arrays of plain values inside a dict, hence the
 * per-queue arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "iop_iommu.h"
#include "port_internal.h"

/* The port id of a command's parameter; -EINVAL if it names no open port. */
static int port_param(const char *params, uint16_t *id)
{
	char *end;
	unsigned long v;

	if (!params || !*params)
		return -EINVAL;
	v = strtoul(params, &end, 10);
	if (*end || v >= IOP_PORT_MAX || !iop_port_is_valid((uint16_t)v))
		return -EINVAL;
	*id = (uint16_t)v;
	return 0;
}

static int handle_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (uint16_t id = 0; id < iop_port_count(); id++)
		if (iop_port_is_valid(id))
			rte_tel_data_add_array_int(d, id);
	return 0;
}

static int handle_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char mac_text[RTE_ETHER_ADDR_FMT_SIZE];
	struct iop_port_info info;
	struct iop_port_link link;
	struct rte_ether_addr mac;
	struct iop_port_move_stats mv;
	struct iop_port_stats st;
	struct port_dev_where where;
	uint16_t id;

	(void)cmd;
	if (port_param(params, &id) || iop_port_info_get(id, &info) ||
	    iop_port_link_get(id, &link) || iop_port_mac_get(id, &mac) ||
	    iop_port_stats_get(id, &st))
		return -EINVAL;
	rte_ether_format_addr(mac_text, sizeof(mac_text), &mac);
	port_dev_where(id, &where);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port_id", id);
	rte_tel_data_add_dict_string(d, "name", iop_port_name(id));
	rte_tel_data_add_dict_string(d, "driver", info.driver);
	rte_tel_data_add_dict_int(d, "started", iop_port_is_started(id));
	rte_tel_data_add_dict_int(d, "removed", iop_port_is_removed(id));
	rte_tel_data_add_dict_int(d, "link_status", link.up);
	rte_tel_data_add_dict_u64(d, "link_speed", link.speed_mbps);
	rte_tel_data_add_dict_string(d, "mac_addr", mac_text);
	rte_tel_data_add_dict_int(d, "promiscuous", iop_port_promisc_get(id));
	rte_tel_data_add_dict_int(d, "nb_rx_queues", st.nb_rxq);
	rte_tel_data_add_dict_int(d, "nb_tx_queues", st.nb_txq);
	rte_tel_data_add_dict_int(d, "max_rx_queues", info.max_rx_queues);
	rte_tel_data_add_dict_int(d, "max_tx_queues", info.max_tx_queues);
	rte_tel_data_add_dict_int(d, "min_desc", info.min_desc);
	rte_tel_data_add_dict_int(d, "max_desc", info.max_desc);
	rte_tel_data_add_dict_u64(d, "max_frame_len", info.max_frame_len);
	rte_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	rte_tel_data_add_dict_string(d, "device", where.bdf);
	rte_tel_data_add_dict_int(d, "iommu_group", where.group);
	rte_tel_data_add_dict_int(d, "ioas", (int)where.ioas);
	if (iop_port_move_stats_get(id, &mv) == 0) {
		rte_tel_data_add_dict_u64(d, "moves", mv.moves);
		rte_tel_data_add_dict_u64(d, "move_pauses", mv.pauses);
		rte_tel_data_add_dict_u64(d, "move_max_pause_us", mv.max_pause_ns / 1000);
	}
	return 0;
}

/* One per-queue array of /iop/stats. */
static void queue_array(struct rte_tel_data *d, const char *name,
			const struct iop_port_qstats *q, uint16_t n, bool bytes)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (!a)
		return;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (uint16_t i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, bytes ? q[i].bytes : q[i].packets);
	rte_tel_data_add_dict_container(d, name, a, 0);
}

static int handle_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct iop_port_stats st;
	const uint64_t *r;
	uint64_t tx_drops = 0;
	uint16_t id;

	(void)cmd;
	if (port_param(params, &id) || iop_port_stats_get(id, &st))
		return -EINVAL;
	r = st.drops;
	for (int k = 0; k < IOP_DROP_MAX; k++)
		if (iop_drop_is_tx((enum iop_drop)k))
			tx_drops += r[k];
	/* struct rte_eth_stats, as /ethdev/stats names it */
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ipackets", st.rx_packets);
	rte_tel_data_add_dict_u64(d, "opackets", st.tx_packets);
	rte_tel_data_add_dict_u64(d, "ibytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "obytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "imissed", r[IOP_DROP_RX_RING_FULL]);
	rte_tel_data_add_dict_u64(d, "ierrors", iop_drop_rx_errors(r));
	rte_tel_data_add_dict_u64(d, "oerrors", tx_drops);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", st.rx_nombuf);
	queue_array(d, "q_ipackets", st.rxq, st.nb_rxq, false);
	queue_array(d, "q_opackets", st.txq, st.nb_txq, false);
	queue_array(d, "q_ibytes", st.rxq, st.nb_rxq, true);
	queue_array(d, "q_obytes", st.txq, st.nb_txq, true);
	return 0;
}

static int handle_xstats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct iop_port_xstat_name *names;
	uint64_t *values;
	uint16_t id;
	int n, rc = -ENOMEM;

	(void)cmd;
	if (port_param(params, &id))
		return -EINVAL;
	n = iop_port_xstats_get_names(id, NULL, 0);
	if (n < 0)
		return -EINVAL;
	names = calloc((size_t)n + 1, sizeof(*names));
	values = calloc((size_t)n + 1, sizeof(*values));
	/* the count may only change if the port is reconfigured meanwhile */
	if (names && values && iop_port_xstats_get_names(id, names, (unsigned int)n) == n &&
	    iop_port_xstats_get(id, values, (unsigned int)n) == n) {
		rte_tel_data_start_dict(d);
		for (int i = 0; i < n; i++)
			rte_tel_data_add_dict_u64(d, names[i].name, values[i]);
		rc = 0;
	}
	free(names);
	free(values);
	return rc;
}

/* DPDK 22.11 refuses a help text of 128 characters or more, and with it the
 * command. */
static void __attribute__((constructor)) port_telemetry_init(void)
{
	rte_telemetry_register_cmd("/iop/list", handle_list,
		"Returns the ids of the open iopath ports. Takes no parameters");
	rte_telemetry_register_cmd("/iop/info", handle_info,
		"Returns what a port is: spec, driver, link, queues, device, IOMMU group, IOAS. Parameters: int port_id");
	rte_telemetry_register_cmd("/iop/stats", handle_stats,
		"Returns the basic stats of a port, under ethdev's names. Parameters: int port_id");
	rte_telemetry_register_cmd("/iop/xstats", handle_xstats,
		"Returns the extended stats of a port. Parameters: int port_id");
}
