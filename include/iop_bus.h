/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BUS_H
#define IOP_BUS_H

/*
 * lib/bus: the device model buses share, so apps such as iop-devices list
 * devices the same way and mempools land on the device's NUMA node, and
 * PCI addresses, parsed and normalised in one place for all of iopath.
 */

#include <stddef.h>
#include <stdint.h>

#include "iop_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IOP_BUS_NAME_LEN 8
#define IOP_BUS_DESC_LEN 128

/* --- PCI addresses ---------------------------------------------------------- */

struct iop_pci_addr {
	uint32_t domain;
	uint8_t bus, dev, func;
};

/* Accepts "DDDD:BB:DD.F" and "BB:DD.F" (domain 0), hex in either case,
 * device <= 1f, function <= 7; otherwise -EINVAL with a one-line message. */
int iop_pci_addr_parse(const char *s, struct iop_pci_addr *addr);
/* Writes the canonical "dddd:bb:dd.f" form (IOP_BDF_LEN bytes). */
void iop_pci_addr_format(const struct iop_pci_addr *addr, char bdf[IOP_BDF_LEN]);
/* The canonical form of any address iop_pci_addr_parse accepts; -EINVAL. */
int iop_pci_addr_normalize(const char *in, char bdf[IOP_BDF_LEN]);

/* --- devices of a bus --------------------------------------------------------- */

/* One device as its bus found it. */
struct iop_bus_dev {
	char bus[IOP_BUS_NAME_LEN];   /* "pci" */
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
