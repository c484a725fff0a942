/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Each port's link while forwarding: polled every 100 ms from the lcore
 * that prints the stats (a link read is a register read, or a mailbox
 * poll on a VF, too slow for every loop), and each change reported on
 * stderr when it is seen: "iop-bridge: port 0 pci:... link down".
 */
#include <stdbool.h>
#include <stdio.h>

#include <rte_cycles.h>

#include "bridge.h"

#define LINK_POLL_MS 100

static struct {
	uint64_t next_tsc;
	bool up[IOP_PORT_MAX];
} lw;

void link_watch_init(void)
{
	for (uint16_t p = 0; p < bridge_opts()->nports; p++) {
		struct iop_port_link link;

		lw.up[p] = iop_port_link_get(p, &link) == 0 && link.up;
	}
	lw.next_tsc = rte_rdtsc();
}

void link_watch_tick(uint64_t now)
{
	if (now < lw.next_tsc)
		return;
	lw.next_tsc = now + rte_get_tsc_hz() / 1000 * LINK_POLL_MS;
	for (uint16_t p = 0; p < bridge_opts()->nports; p++) {
		struct iop_port_link link;

		if (bridge_port_closed(p) || iop_port_link_get(p, &link) < 0 || link.up == lw.up[p])
			continue;
		lw.up[p] = link.up;
		if (link.up)
			fprintf(stderr, "iop-bridge: port %u %s link up, %u Mbps\n", p,
				bridge_opts()->port[p], link.speed_mbps);
		else
			fprintf(stderr, "iop-bridge: port %u %s link down\n", p, bridge_opts()->port[p]);
	}
}
