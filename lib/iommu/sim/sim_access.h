/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_ACCESS_H
#define IOP_SIM_ACCESS_H

/*
 * Access objects of the sim (seed 004; the kernel's iommufd_access in
 * drivers/iommu/iommufd/device.c): a software user of an IOAS that pins
 * IOVA ranges, reads and writes through the IOAS without a domain, and is
 * called back when an unmap covers pages it has pinned. The unmap waits
 * until every pin in the area is gone; a user that never unpins fails the
 * unmap with EDEADLOCK and leaves the area closed to new pins and
 * reads/writes (EINVAL), as iopt_unmap_iova_range does.
 *
 * Every device's DMA is such an access's read/write too (sim_dma.c): it
 * copies under the IOAS rwlock's read side, as iommufd_access_rw holds the
 * iova_rwsem, so an unmap (write side) waits for the copy in flight, and
 * a DMA into an area whose unmap waits for pins faults.
 *
 * Locking: an IOAS's access list changes and is walked under the context
 * lock (unmaps run under it); pins are taken on any thread under the
 * context lock (they are charged to memlock, as in the kernel) and the
 * IOAS rwlock read side, and counted atomically per area.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_internal.h"

/* Called when an unmap covers [iova, iova+len) of the IOAS while the access
 * may hold pins there: it must unpin every pin it holds in the range (and
 * stop using those pages) before it returns. */
typedef void (*sim_access_unmap_fn)(void *data, uint64_t iova, uint64_t len);

struct sim_access {
	struct sim_ioas *ioas;
	sim_access_unmap_fn unmap;
	void *data;
	struct sim_access *next; /* the IOAS's accesses */
};

/* Rounds of call-backs an unmap gives a pinned area, as the kernel's
 * iopt_unmap_iova_range ("Something is not responding to unmap requests"). */
#define SIM_ACCESS_UNMAP_TRIES 100

int sim_access_create(struct sim_ioas *s, sim_access_unmap_fn unmap, void *data,
		      struct sim_access **out);
/* The caller has unpinned everything first. An IOAS with an access on
 * it cannot be destroyed (EBUSY, as the kernel's access holds the IOAS). */
void sim_access_destroy(struct sim_access *a);

/* iommufd_access_pin_pages: [iova, iova+len) covered by contiguous areas,
 * each with the needed protection. -EINVAL (len 0, an area being unmapped,
 * a start that is not page aligned, a piece that ends inside a page before
 * the range does), -EOVERFLOW, -EPERM (protection), -ENOENT (a hole). */
int sim_ioas_pin(struct sim_ioas *s, uint64_t iova, uint64_t len, bool write);
/* Undoes one sim_ioas_pin of exactly that range. */
void sim_ioas_unpin(struct sim_ioas *s, uint64_t iova, uint64_t len);
/* iommufd_access_rw: the same checks area by area, without the alignment
 * rule; pieces before a failing area are copied (as the kernel does). */
int sim_ioas_rw(struct sim_ioas *s, uint64_t iova, void *buf, uint64_t len,
		bool write);
/* A device's DMA (sim_dma.c): the checks of sim_ioas_rw over the whole
 * range first, then the copy, so a refused DMA touches no memory; *bad is
 * the first IOVA refused. len > 0, no wrap (the caller checks). */
int sim_ioas_dma(struct sim_ioas *s, uint64_t iova, void *buf, uint64_t len,
		 bool write, uint64_t *bad);

/* sim_unmap's removal of areas [first, end) of s, in IOVA order
 * (iopt_unmap_iova_range): calls back the accesses of area first until
 * its pins are gone. Returns 0 with s->lock held for writing and *nfree
 * (at least one when first < end) areas from first on free of pins, or
 * -EDEADLOCK (unlocked) when the accesses of area first did not let go. */
int sim_access_drain(struct sim_ioas *s, size_t first, size_t end, size_t *nfree);

#endif /* IOP_SIM_ACCESS_H */
