/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_BACKEND_H
#define IOP_IOMMU_BACKEND_H

/*
 * The ops table every IOMMU backend fills (sim.c, iommufd.c, vfio.c).
 * Internal to lib/iommu: drivers never call a backend, they ask lib/iommu.
 *
 * A backend speaks the kernel's language: every op returns 0 or the
 * kernel's raw negative errno (-EPERM, -EINVAL, -EEXIST...), and has the
 * kernel's semantics, so the core can check rules first and still rely on
 * the backend to refuse what the kernel refuses. The core turns errnos into
 * user messages; a backend only logs at debug level.
 *
 * Handles are opaque to the core: a backend allocates its own state for the
 * context, each device and each IOAS.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iop_iommu.h"

struct iop_backend_ops {
	const char *name;
	/* True when attach on an attached device atomically replaces its
	 * domain (iommufd's second ATTACH_IOMMUFD_PT). */
	bool can_replace;

	int (*open)(const struct iop_ctx_params *params, void **bctx);
	/* Optional (NULL: this table): the table whose semantics the context
	 * open made has (the sim's topology may ask for type1's: no replace,
	 * a detach refused while a device is referenced). */
	const struct iop_backend_ops *(*semantics)(void *bctx);
	void (*close)(void *bctx);

	/* Devices visible to this backend, with driver and group. */
	int (*devices)(void *bctx, struct iop_dev_info *info, size_t max,
		       size_t *count);

	/* Claims the device for user DMA (iommufd: open cdev + BIND_IOMMUFD,
	 * -EPERM if its group is not viable; vfio: open the group fd, check
	 * VFIO_GROUP_FLAGS_VIABLE). */
	int (*dev_open)(void *bctx, const char *bdf, void **bdev);
	/* Releases the device; an attached device is detached first (as
	 * closing a VFIO device fd does), so teardown cannot fail. */
	void (*dev_close)(void *bdev);
	/* VFIO device fd, or -1 (sim; vfio before the first attach). */
	int (*dev_fd)(void *bdev);

	int (*ioas_alloc)(void *bctx, void **bioas);
	/* Unmaps what is left (as destroying an IOAS does); -EBUSY (and the
	 * IOAS stays) while a device is attached to it. */
	int (*ioas_free)(void *bioas);

	/* Kernel semantics: a device of a group that is attached elsewhere
	 * gets -EINVAL; attaching an attached device replaces (can_replace)
	 * or fails with -EBUSY. */
	int (*attach)(void *bdev, void *bioas);
	int (*detach)(void *bdev);

	/* Fixed-IOVA map; -EEXIST on overlap, -ENOMEM over memlock (pages
	 * are pinned only while the IOAS has a device attached: the first
	 * attach pins earlier maps and may fail with -ENOMEM too). */
	int (*map)(void *bioas, void *va, uint64_t len, uint64_t iova,
		   unsigned int prot);
	/* Optional (NULL if absent): maps the pages of earlier mappings of
	 * src at dst_iova of dst without pinning them again; -EPERM writable
	 * from pages mapped read-only. */
	int (*copy)(void *dst_bioas, uint64_t dst_iova, void *src_bioas,
		    uint64_t src_iova, uint64_t len, unsigned int prot);
	/* Removes whole mappings in IOVA order; -ENOENT at the first one
	 * the range would cut (those before it are gone) or if there is
	 * none; iova 0 and len UINT64_MAX unmaps everything, even nothing. */
	int (*unmap)(void *bioas, uint64_t iova, uint64_t len);
	int (*iova_ranges)(void *bioas, struct iop_iova_range *ranges,
			   size_t max, size_t *count);

	/* Optional (NULL if absent): IOMMU_IOAS_ALLOW_IOVAS, the only ranges
	 * an IOAS may use (n = 0: all); -EINVAL for an empty or overlapping
	 * range, -EADDRINUSE (nothing changes) if an attached group reserves
	 * part of one. Used by the conformance scenarios. */
	int (*allow_iovas)(void *bioas, const struct iop_iova_range *ranges, size_t n);

	/* Optional (NULL if unknown): the IOVA ranges a group's IOMMU allows,
	 * before anything is attached (plans show them). */
	int (*group_ranges)(void *bctx, unsigned int group,
			    struct iop_iova_range *ranges, size_t max,
			    size_t *count);

	/* Optional (NULL: the process's RLIMIT_MEMLOCK applies, as in the
	 * kernel): the limit in bytes of a backend that keeps its own (the
	 * sim: the topology's memlock line; UINT64_MAX: none), so that
	 * messages name the limit that refused a pin. */
	uint64_t (*memlock_limit)(void *bctx);

	/* Optional (NULL: the backend's IOMMUs have fixed apertures): DMA
	 * windows of a window-style IOMMU (sPAPR TCE, seed 001). create puts
	 * a window of size bytes with 2^page_shift pages where the platform
	 * wants it (*start); remove takes the window holding start away with
	 * the mappings in it. -ENXIO without a window-style group attached. */
	int (*window_create)(void *bioas, unsigned int page_shift, uint64_t size,
			     uint64_t *start);
	int (*window_remove)(void *bioas, uint64_t start);
};

extern const struct iop_backend_ops iop_backend_sim;
extern const struct iop_backend_ops iop_backend_sim_type1;
extern const struct iop_backend_ops iop_backend_iommufd;
extern const struct iop_backend_ops iop_backend_vfio;

#endif /* IOP_IOMMU_BACKEND_H */
