/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOPATH_DRIVER_H
#define IOPATH_DRIVER_H

/*
 * iopath's driver SDK in one include, for poll-mode drivers built out of
 * the tree (installed as <driver/iopath_driver.h>):
 *
 *   port_driver.h   the port ops a PMD implements, IOP_PORT_DRIVER_REGISTER,
 *                   the port object accessors, iop_port_dev_open() for DMA
 *                   devices
 *   port_spec.h     the "TYPE:key=value,..." spec a PMD's probe receives
 *   iop_bus.h       the device model of buses, NUMA placement
 *   iop_pci.h       PCI over VFIO: BARs, config space, MSI-X, reset, and
 *                   the MMIO accessors
 *   pci_pmd.h       the NIC-facing half of PCI (drivers/net/pci, as DPDK's
 *                   ethdev_pci.h): PCI PMDs behind the `pci` port type,
 *                   ids, registration, their burst functions
 *   pci_pmd_ring.h  descriptor-ring bookkeeping: ring IOVAs, rx refill in
 *                   bulk with the rearm template, IOVAs through the run, tx
 *                   IOVAs, counters
 *
 * It includes the app API (iopath.h) too. Guide: doc/sdk.md, "Writing a PMD".
 */

#include "iopath.h"
#include "port_spec.h"
#include "port_driver.h"
#include "iop_bus.h"
#include "iop_pci.h"
#include "pci_pmd.h"
#include "pci_pmd_ring.h"

#endif /* IOPATH_DRIVER_H */
