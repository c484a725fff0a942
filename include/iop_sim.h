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
 * control thread maps and unmaps; an unmap waits for DMAs in flight in
 * that IOAS (as iommufd's access unmap callback). Detach and close only
 * after the device's thread has stopped.
 */

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
