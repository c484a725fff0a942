/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BUS_H
#define IOP_BUS_H

/*
 * lib/bus: the device model every bus (drivers/bus/pci, drivers/bus/sim)
 * shares, so apps such as iop-devices list devices of any bus the same way
 * and mempools land on the device's NUMA node.
 */

#include <stddef.h>
#include <stdint.h>

#include "iop_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IOP_BUS_NAME_LEN 8
#define IOP_BUS_DESC_LEN 128

/* One device as its bus found it. */
struct iop_bus_dev {
	char bus[IOP_BUS_NAME_LEN];   /* "pci", "sim" */
	char addr[IOP_BDF_LEN];       /* the address users name */
	uint16_t vendor, device;
	uint32_t class_code;          /* 24-bit class/subclass/prog-if */
	char driver[IOP_DRIVER_LEN];  /* kernel driver, "vfio-pci" or "none" */
	int iommu_group;              /* -1: no IOMMU group (no IOMMU) */
	int numa_node;                /* -1: unknown */
	char desc[IOP_BUS_DESC_LEN];  /* vendor and device names */
};

struct iop_bus {
	const char *name;
	/* Fills up to max entries and sets *count to the number present.
	 * root: the sysfs root ("/sys" when NULL). */
	int (*scan)(const char *root, struct iop_bus_dev *devs, size_t max,
		    size_t *count);
};

/* Buses register themselves from constructors; at most IOP_BUS_MAX. */
#define IOP_BUS_MAX 8
void iop_bus_register(const struct iop_bus *bus);
/* NULL if no bus of that name is registered. */
const struct iop_bus *iop_bus_find(const char *name);
/* The i-th registered bus, NULL past the end. */
const struct iop_bus *iop_bus_at(size_t i);

/*
 * The DPDK socket id to allocate a device's rings and mempools on: its NUMA
 * node when the machine has NUMA (libnuma) and the node exists, otherwise
 * SOCKET_ID_ANY (-1).
 */
int iop_bus_socket_id(int numa_node);

#ifdef __cplusplus
}
#endif

#endif /* IOP_BUS_H */
