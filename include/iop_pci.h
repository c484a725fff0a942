/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_H
#define IOP_PCI_H

/*
 * drivers/bus/pci: PCI devices over VFIO.
 *
 * Scan (sysfs through lib/bus, names from pci.ids through libpci), binding
 * to vfio-pci, and,
 * for a device lib/iommu has opened and attached, everything a PMD needs:
 * region info, BAR mmap, config space, bus mastering, MSI-X and the request
 * (hot-unplug) interrupt as eventfds, reset. Every call returns 0 or a
 * negative errno with a one-line message in iop_err_msg().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_io.h>

#include "iop_bus.h"
#include "iop_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- scan and binding (no device opened) ------------------------------------ */

/* Every PCI device under root (default "/sys"), sorted by address. */
int iop_pci_scan(const char *root, struct iop_bus_dev *devs, size_t max,
		 size_t *count);
/* One device; -ENODEV with a message when it does not exist. */
int iop_pci_lookup(const char *root, const char *bdf, struct iop_bus_dev *dev);

/*
 * Binds a device to vfio-pci (driver_override, unbind from its driver,
 * drivers_probe) and records its previous driver in state_dir (default
 * "/run/iopath") so that unbind can give it back. Already on vfio-pci: 0.
 */
int iop_pci_bind_vfio(const char *root, const char *state_dir, const char *bdf);
/* Unbinds from vfio-pci, clears driver_override and binds the driver
 * recorded at bind time (or lets the kernel probe one). */
int iop_pci_unbind(const char *root, const char *state_dir, const char *bdf);

/*
 * SR-IOV (pci_sriov.c): the VFs a PF has enabled (0 for a device that is no
 * PF); -EBUSY with a message saying what would happen ("what", e.g.
 * "which moving the PF off its driver removes") and what to do when bdf
 * has VFs enabled, else 0; and for an address with no device, -ENODEV
 * with a message naming the PF it would be a VF of and how to create it,
 * or 0 when no PF claims it.
 */
int iop_pci_sriov_numvfs(const char *root, const char *bdf);
int iop_pci_sriov_refuse_pf(const char *root, const char *bdf, const char *what);
/* bind's "what" for iop_pci_sriov_refuse_pf() */
#define IOP_PCI_SRIOV_BIND_WHY "which moving the PF off its kernel driver removes"
int iop_pci_sriov_missing(const char *root, const char *bdf);

/*
 * The kernel network interface of a device ("" if none): the first entry
 * of <root>/bus/pci/devices/<bdf>/net (or virtioN/net for virtio-net).
 */
void iop_pci_netif(const char *root, const char *bdf, char name[16]);
/*
 * True when interface ifname of the caller's network namespace is up or
 * carries routes (dpdk-devbind's *Active*); why gets "eth0 is up", "eth0
 * carries routes", ... An interface that does not exist is not active.
 */
bool iop_netif_active(const char *ifname, char *why, size_t size);
/*
 * What bind checks before taking a device away from its kernel driver:
 * -EBUSY, with the interface and what to do, when the device or another
 * device of its IOMMU group is active; 0 otherwise.
 */
int iop_pci_active_check(const char *root, const char *bdf);

/*
 * Persistent bindings, as driverctl keeps them: a udev rule in dir
 * (default "/etc/udev/rules.d") that puts the device on vfio-pci when it
 * appears at boot. set writes it (atomically), clear removes it (no rule:
 * 0), is_set tells whether it is there; path gives its file name.
 */
int iop_pci_persist_set(const char *dir, const char *bdf);
int iop_pci_persist_clear(const char *dir, const char *bdf);
bool iop_pci_persist_is_set(const char *dir, const char *bdf);
int iop_pci_persist_path(const char *dir, const char *bdf, char path[4096]);

/* --- capability list (pure functions on a copy of config space) ------------- */

#define IOP_PCI_CFG_SIZE 256
#define IOP_PCI_CAP_ID_MSIX 0x11
#define IOP_PCI_CAP_ID_VNDR 0x09
#define IOP_PCI_CAP_ID_EXP 0x10

/*
 * Finds the next capability with id cap_id after position `after` (0: from
 * the start of the list). -ENOENT when there is none or the device has no
 * list; -EIO when the list is malformed (a pointer into the header, a loop).
 */
int iop_pci_cap_find(const uint8_t cfg[IOP_PCI_CFG_SIZE], uint8_t cap_id,
		     uint8_t after, uint8_t *pos);

/* --- an opened device ------------------------------------------------------- */

struct iop_pci_dev;

/*
 * Wraps a device lib/iommu has opened (and, on the vfio backend, attached:
 * its device fd exists only then). Reads config space and refuses a device
 * that reads all-ones (-ENODEV: it stopped answering). Does not take
 * ownership of dev.
 */
int iop_pci_dev_open(struct iop_dev *dev, struct iop_pci_dev **pdev);
/* Unmaps BARs, disables interrupts and bus mastering, closes eventfds. */
void iop_pci_dev_close(struct iop_pci_dev *pdev);

const char *iop_pci_dev_bdf(const struct iop_pci_dev *pdev);
struct iop_dev *iop_pci_dev_iommu(const struct iop_pci_dev *pdev);
uint16_t iop_pci_dev_vendor(const struct iop_pci_dev *pdev);
uint16_t iop_pci_dev_device(const struct iop_pci_dev *pdev);
/* NUMA node from sysfs (-1 unknown); see iop_bus_socket_id(). */
int iop_pci_dev_numa_node(const struct iop_pci_dev *pdev);

/* VFIO region indexes 0..5 are BAR0..BAR5, 7 is config space. */
#define IOP_PCI_REGION_CONFIG 7

struct iop_pci_region {
	uint64_t size;
	uint64_t offset; /* in the device fd */
	bool readable, writable, mmappable;
};

int iop_pci_region_info(struct iop_pci_dev *pdev, unsigned int index,
			struct iop_pci_region *region);
/* Maps a BAR (once; later calls return the same mapping). -ENODEV for an
 * absent BAR, -ENOTSUP for a BAR VFIO does not let us mmap. */
int iop_pci_bar_map(struct iop_pci_dev *pdev, unsigned int bar, void **addr,
		    size_t *len);

/* Config space through the VFIO config region; -EIO on short access. */
int iop_pci_cfg_read(struct iop_pci_dev *pdev, unsigned int off, void *buf,
		     size_t len);
int iop_pci_cfg_write(struct iop_pci_dev *pdev, unsigned int off,
		      const void *buf, size_t len);
/* The first 256 bytes of config space as read at open (for cap walks). */
const uint8_t *iop_pci_dev_cfg(const struct iop_pci_dev *pdev);

int iop_pci_set_bus_master(struct iop_pci_dev *pdev, bool on);

/*
 * True when the device no longer answers: its vendor id reads 0xffff (a
 * surprise removal, or a reset that did not come back).
 */
bool iop_pci_dev_gone(struct iop_pci_dev *pdev);

/* Function-level reset through VFIO_DEVICE_RESET; -ENOTSUP when the device
 * offers no reset. */
int iop_pci_reset(struct iop_pci_dev *pdev);

/*
 * Enables n MSI-X vectors, each signalling its own eventfd (non-blocking),
 * written to efds[0..n-1]. -ENOTSUP when the device has fewer vectors.
 */
int iop_pci_msix_enable(struct iop_pci_dev *pdev, unsigned int n, int *efds);
int iop_pci_msix_disable(struct iop_pci_dev *pdev);

/*
 * The VFIO request interrupt: the kernel signals this eventfd when it wants
 * the device back (hot-unplug, unbind). The owner must stop the port and
 * close the device. -ENOTSUP when the kernel does not offer it.
 */
int iop_pci_req_irq_enable(struct iop_pci_dev *pdev, int *efd);

/* --- MMIO accessors for PMDs --------------------------------------------------- */

/* DPDK's rte_read/rte_write carry the barriers a doorbell needs (descriptor
 * writes in memory visible before the register write; a register read
 * ordered before later memory reads); these only add the BAR offset. */
static inline uint32_t iop_mmio_read32(const volatile void *base, size_t off)
{
	return rte_read32((const volatile uint8_t *)base + off);
}

static inline void iop_mmio_write32(volatile void *base, size_t off, uint32_t v)
{
	rte_write32(v, (volatile uint8_t *)base + off);
}

static inline uint16_t iop_mmio_read16(const volatile void *base, size_t off)
{
	return rte_read16((const volatile uint8_t *)base + off);
}

static inline void iop_mmio_write16(volatile void *base, size_t off, uint16_t v)
{
	rte_write16(v, (volatile uint8_t *)base + off);
}

static inline uint8_t iop_mmio_read8(const volatile void *base, size_t off)
{
	return rte_read8((const volatile uint8_t *)base + off);
}

static inline void iop_mmio_write8(volatile void *base, size_t off, uint8_t v)
{
	rte_write8(v, (volatile uint8_t *)base + off);
}

#ifdef __cplusplus
}
#endif

#endif /* IOP_PCI_H */
