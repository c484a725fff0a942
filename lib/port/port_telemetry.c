/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /iop/ports through DPDK telemetry (dpdk-telemetry.py):
 *   /iop/ports      {"<id>": [rx_packets, tx_packets, dropped, dma_faults], ...}
 *   /iop/ports,N    every counter of port N with its name, per-queue
 *                   packets as arrays
 * DPDK 22.11 only nests arrays inside a dict, and takes only plain names
 * as keys (no ':' or '='), hence ids and an array in the summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "port_internal.h"

static int port_summary(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (uint16_t id = 0; id < iop_port_count(); id++) {
		struct iop_port_stats st;
		struct rte_tel_data *a;
		char key[8];

		if (iop_port_stats_get(id, &st))
			continue;
		a = rte_tel_data_alloc();
		if (!a)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		rte_tel_data_add_array_u64(a, st.rx_packets);
		rte_tel_data_add_array_u64(a, st.tx_packets);
		rte_tel_data_add_array_u64(a, st.dropped);
		rte_tel_data_add_array_u64(a, st.dma_faults);
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(d, key, a, 0);
	}
	return 0;
}

static int queue_array(struct rte_tel_data *d, const char *name,
		       const struct iop_port_qstats *q, uint16_t n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (!a)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (uint16_t i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, q[i].packets);
	return rte_tel_data_add_dict_container(d, name, a, 0);
}

static int port_detail(uint16_t id, struct rte_tel_data *d)
{
	struct iop_port_stats st;
	struct iop_port_link link;

	if (iop_port_stats_get(id, &st) || iop_port_link_get(id, &link))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", iop_port_name(id));
	rte_tel_data_add_dict_int(d, "link_up", link.up);
	rte_tel_data_add_dict_u64(d, "rx_packets", st.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", st.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "dropped", st.dropped);
	rte_tel_data_add_dict_u64(d, "dma_faults", st.dma_faults);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", st.rx_nombuf);
	rte_tel_data_add_dict_u64(d, "rx_unmapped", st.rx_unmapped);
	for (int r = 0; r < IOP_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, iop_drop_name((enum iop_drop)r), st.drops[r]);
	queue_array(d, "rxq_packets", st.rxq, st.nb_rxq);
	queue_array(d, "txq_packets", st.txq, st.nb_txq);
	return 0;
}

static int handle_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char *end;
	unsigned long id;

	(void)cmd;
	if (!params || !*params)
		return port_summary(d);
	id = strtoul(params, &end, 10);
	if (*end || id >= IOP_PORT_MAX)
		return -EINVAL;
	return port_detail((uint16_t)id, d);
}

static void __attribute__((constructor)) port_telemetry_init(void)
{
	rte_telemetry_register_cmd("/iop/ports", handle_ports,
		"Port counters. Without parameter: {id: [rx_packets, tx_packets, dropped, dma_faults]}. Parameter: port id, for all its counters");
}
