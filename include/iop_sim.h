/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_H
#define IOP_SIM_H

/*
 * The sim IOMMU backend (--iommu=sim): an in-process model of the kernel's
 * iommufd with the same rules and errno values, for drivers of software
 * devices and for tests.
 *
 * DMA: a device reads and writes memory through the IOAS its IOMMU group
 * is attached to, as hardware translates per group. A DMA that touches an
 * unmapped IOVA, or writes a read-only one, or comes from a device whose
 * group is attached nowhere, is an IOMMU fault: it is counted on the
 * device with its address, it touches no memory, and the call returns
 * -EFAULT. One device-model thread per device may call these while the
 * control thread maps and unmaps: a DMA is an access's read/write (below),
 * so an unmap of its pages waits until the copy in flight is over, and a
 * DMA into an area whose unmap waits for an access's pins faults. Detach
 * and close only after the device's thread has stopped.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iop_ctx;
struct iop_dev;

/* Device reads [iova, iova+len) of its IOAS into buf. 0 or -EFAULT
 * (fault recorded); -EINVAL if dev is not a sim device. */
int iop_sim_dma_read(struct iop_dev *dev, uint64_t iova, void *buf, size_t len);
/* Device writes buf to [iova, iova+len) of its IOAS. 0 or -EFAULT. */
int iop_sim_dma_write(struct iop_dev *dev, uint64_t iova, const void *buf,
		      size_t len);

/*
 * Access objects (the kernel's iommufd access, seed 004): a software user
 * of an IOAS, with no device and no domain, that pins IOVA ranges, reads
 * and writes through the IOAS, and is called back when an unmap covers
 * pages it may have pinned. The call-back must unpin everything it holds
 * in [iova, iova+len) before it returns: the unmap waits for that, and
 * fails with -EDEADLOCK (the area then refuses new pins and reads/writes
 * with -EINVAL) when the pins are still there after 100 rounds of
 * call-backs. The call-back runs on the unmapping thread, which holds
 * the context lock that pins and unpins take: it unpins itself (another
 * thread it waits for would wait for the lock) and must not create or
 * destroy accesses. Pins count against the topology's memlock, as the
 * kernel charges them to RLIMIT_MEMLOCK. Errors are the kernel's: -EINVAL
 * (length 0, a pin whose start is not page aligned, an area being
 * unmapped), -EPERM (a write to a read-only mapping), -ENOENT (a hole),
 * -EOVERFLOW, -ENOMEM (a pin over the memlock line).
 * Destroy an access (after unpinning) before its IOAS and its context:
 * an IOAS with an access on it cannot be destroyed (-EBUSY), as in the
 * kernel.
 */
struct iop_ioas;
struct iop_sim_access;
typedef void (*iop_sim_access_unmap_fn)(void *data, uint64_t iova, uint64_t len);

/* -EINVAL if ioas is not of the sim backend. */
int iop_sim_access_create(struct iop_ioas *ioas, iop_sim_access_unmap_fn unmap,
			  void *data, struct iop_sim_access **access);
void iop_sim_access_destroy(struct iop_sim_access *access);
/* Pins the pages of [iova, iova+len); write asks for write permission. */
int iop_sim_access_pin(struct iop_sim_access *access, uint64_t iova,
		       uint64_t len, bool write);
/* Undoes one pin of exactly [iova, iova+len). */
void iop_sim_access_unpin(struct iop_sim_access *access, uint64_t iova,
			  uint64_t len);
/* Copies between buf and [iova, iova+len) of the IOAS (write: into it).
 * Pieces before a failing mapping are copied, as in the kernel. */
int iop_sim_access_rw(struct iop_sim_access *access, uint64_t iova, void *buf,
		      size_t len, bool write);

/*
 * A kernel driver's probe of a device that is on no driver (sysfs
 * drivers_probe after driver_override; seed 002): while any context, in
 * this process or another on the same topology file, owns the device's
 * IOMMU group for user DMA, a driver other than vfio-pci is refused with
 * -EINVAL and the device stays on no driver, as in the kernel. The new
 * driver holds in this context only. -ENODEV: no such device; -EBUSY: the
 * device is on a driver.
 */
int iop_sim_driver_probe(struct iop_ctx *ctx, const char *bdf, const char *driver);

/* A reference to the device besides lib/iommu's own (take true) or its
 * release: what a PMD's mapping of a BAR is on VFIO. On a topology with
 * `iommu type1` a group does not leave its IOAS while a device of it is
 * referenced (-EBUSY), as VFIO_GROUP_UNSET_CONTAINER is refused while a
 * device fd of the group is open; iommufd semantics ignore it. -EINVAL if
 * dev is not a sim device. */
int iop_sim_dev_ref(struct iop_dev *dev, bool take);

struct iop_sim_faults {
	uint64_t count;     /* IOMMU faults of this device since it opened */
	uint64_t last_iova; /* first faulting IOVA of the latest fault */
};

/* -EINVAL if dev is not a sim device. */
int iop_sim_dev_faults(const struct iop_dev *dev, struct iop_sim_faults *f);

/* 4 KiB pages this sim context has pinned (counted against memlock). */
uint64_t iop_sim_pinned_pages(const struct iop_ctx *ctx);

/*
 * Fault injection: the Nth sim backend call from now fails with -ENOMEM
 * (0 turns it off; only calls that can fail count: open, dev_open,
 * ioas_alloc, attach, detach, map, copy, unmap, iova_ranges, devices).
 */
void iop_sim_fail_nth(uint64_t n);
/* Backend calls counted since the last iop_sim_fail_nth(). */
uint64_t iop_sim_calls(void);

/* What every sim context of the process holds now, for leak checks. */
struct iop_sim_counters {
	uint64_t open_fds;     /* modelled /dev/iommu and device fds */
	uint64_t allocations;  /* live backend objects */
	uint64_t mappings;     /* live IOVA mappings, every IOAS */
	uint64_t pinned_pages; /* 4 KiB pages pinned, every context */
};

void iop_sim_counters(struct iop_sim_counters *c);

#ifdef __cplusplus
}
#endif

#endif /* IOP_SIM_H */
