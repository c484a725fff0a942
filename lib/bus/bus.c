/* SPDX-License-Identifier: BSD-3-Clause */
#include <numa.h>
#include <string.h>

#include "iop_bus.h"

static const struct iop_bus *buses[IOP_BUS_MAX];
static size_t nbuses;

void iop_bus_register(const struct iop_bus *bus)
{
	if (nbuses < IOP_BUS_MAX && !iop_bus_find(bus->name))
		buses[nbuses++] = bus;
}

const struct iop_bus *iop_bus_find(const char *name)
{
	for (size_t i = 0; i < nbuses; i++)
		if (strcmp(buses[i]->name, name) == 0)
			return buses[i];
	return NULL;
}

int iop_bus_socket_id(int numa_node)
{
	/* sysfs says -1 on machines without NUMA; a node libnuma does not
	 * know (offline, or a sysfs from another machine in tests) would make
	 * rte_mempool_create fail, so both fall back to "any socket". */
	if (numa_node < 0 || numa_available() < 0 || numa_node > numa_max_node())
		return -1;
	return numa_node;
}
