/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOMMU_INTERNAL_H
#define IOP_IOMMU_INTERNAL_H

/*
 * State of the lib/iommu core, shared by its files (ctx.c, group.c,
 * device.c, ioas.c, move.c, layout.c) and by code inside lib/ that needs
 * more than the public API (the per-queue IOVA cache, the sim backend's
 * DMA calls).
 *
 * Locking: every public control call (device open/close/attach/detach/
 * move, IOAS create/destroy/map/unmap/ranges/va2iova, device lists, plans)
 * holds its context's lock, a recursive mutex, for its whole run: DPDK
 * calls lib/mem's hotplug callback, which maps and unmaps, on whichever
 * thread allocates memory, concurrently with the app's control thread.
 * The fast path never takes it: queue caches read the IOVA table (its own
 * rwlock and generation), sim DMA reads the sim IOAS (its own rwlock).
 * Lock order: DPDK's memory hotplug lock, then lib/mem's lock, then the
 * context lock. With the context lock held, nothing waits for forwarding
 * threads (iop_mem_synchronize) nor takes the other two: a forwarding
 * thread may itself be waiting for the context lock.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iop_iommu.h"
#include "iommu_backend.h"

struct iop_iova_table;

#define IOP_HUGEPAGE_SIZE (UINT64_C(2) << 20)
#define IOP_IOMMU_PAGE_SIZE 4096u
#define IOP_RANGES_MAX IOP_MAX_RANGES

/* One successful iop_ioas_map. */
struct iop_map {
	uintptr_t va;
	uint64_t len;
	uint64_t iova;
	unsigned int prot;
	/* its unmap failed: the IOMMU still maps it, nothing translates
	 * through it, and it is never a copy source (its pages may no longer
	 * be the memory at va) until an unmap succeeds */
	bool stale;
};

struct iop_ioas {
	struct iop_ctx *ctx;
	unsigned int id;
	void *bioas;
	struct iop_iova_table *table;
	struct iop_map *maps; /* sorted by va */
	size_t nmaps, maps_cap;
	unsigned int ndevs;   /* attached devices */
	/* set by a user that maps into the IOAS on its own (lib/mem):
	 * iop_ioas_destroy calls it first so that user lets go */
	void (*release)(struct iop_ioas *ioas);
	/* iop_ioas_set_iova_model(): new mappings take its IOVAs */
	const struct iop_ioas *iova_model;
	struct iop_ioas *next;
};

struct iop_group {
	struct iop_ctx *ctx;
	unsigned int id;
	unsigned int nopen;     /* open devices of the group */
	unsigned int nattached; /* of those, attached (all to `ioas`) */
	struct iop_ioas *ioas;
	struct iop_group *next;
};

struct iop_dev {
	struct iop_ctx *ctx;
	struct iop_group *group;
	char bdf[IOP_BDF_LEN];
	void *bdev;
	struct iop_ioas *ioas;
	struct iop_dev *next;
};

struct iop_ctx {
	enum iop_backend_kind kind;
	const struct iop_backend_ops *ops;
	void *bctx;
	struct iop_dev *devs;
	struct iop_group *groups;
	struct iop_ioas *ioas_list;
	unsigned int next_ioas_id;
	pthread_mutex_t lock; /* recursive: see "Locking" above */
};

/* ctx.c: the context lock (recursive; never on the fast path). */
void iop_ctx_lock(struct iop_ctx *ctx);
void iop_ctx_unlock(struct iop_ctx *ctx);

/* Why pinning failed with -ENOMEM, as a message clause ("the
 * locked-memory limit refused it (...); raise it ..." only when the limit
 * can be the cause, never when it is unlimited); need: the bytes the
 * context would have pinned (0: unknown). */
void iop_memlock_cause(struct iop_ctx *ctx, uint64_t need, char *buf, size_t size);

/* The translation table of an IOAS, for the per-queue IOVA cache. */
struct iop_iova_table *iop_ioas_table(struct iop_ioas *ioas);

/* Backend handles, for code that extends a backend (sim DMA). */
void *iop_dev_backend(const struct iop_dev *dev);

/* ctx.c: every device the backend sees (caller frees *info). */
int iop_ctx_devices_alloc(struct iop_ctx *ctx, struct iop_dev_info **info,
			  size_t *count);

/* group.c */
struct iop_group *iop_group_get(struct iop_ctx *ctx, unsigned int id);
void iop_group_put(struct iop_group *group);
/* The IOAS a group of this context is attached to (NULL if none). */
struct iop_ioas *iop_ctx_group_ioas(struct iop_ctx *ctx, unsigned int id);
/* Rule 4: -EPERM with the offenders and the fix unless every device of the
 * group is on a driver that does no DMA of its own, or none (user_dma.h;
 * bdf: the device asked for). */
int iop_group_check_viable(const char *bdf, unsigned int id,
			   const struct iop_dev_info *info, size_t count);
/* The entry of bdf (any form iop_pci_addr_parse accepts) in info: -EINVAL
 * for what is not a PCI address, -ENODEV for an unknown one, each with a
 * one-line message. */
int iop_dev_info_find(const struct iop_dev_info *info, size_t count,
		      const char *bdf, const struct iop_dev_info **found);

/* device.c: bookkeeping after the backend attached or detached a device. */
void iop_dev_note_attached(struct iop_dev *dev, struct iop_ioas *ioas);
void iop_dev_note_detached(struct iop_dev *dev);
/* After an atomic replace: every attached device of g is now on `to`. */
void iop_group_note_replaced(struct iop_group *g, struct iop_ioas *to);

/* iova_alloc.c: rule 6. Picks the IOVA of a new mapping of [va, va+len):
 * va itself when it fits the ranges, else packed, hugepage-aligned, with
 * iova = va modulo 2 MiB. -ENOSPC when nothing fits (no message). */
int iop_iova_pick(const struct iop_iova_range *ranges, size_t nranges,
		  const struct iop_map *maps, size_t nmaps, uintptr_t va,
		  uint64_t len, uint64_t *iova);

/* Whether [va, va+len) may go at iova under the same rules (ranges, one
 * IOVA offset per 2 MiB page). */
bool iop_iova_fits(const struct iop_iova_range *ranges, size_t nranges,
		   const struct iop_map *maps, size_t nmaps, uintptr_t va,
		   uint64_t len, uint64_t iova);

/* ioas.c */
/* iop_ioas_map that tells a pin refusal apart: *pin_refused is true only
 * when the backend's map or copy gave -ENOMEM (the locked-memory limit, or
 * the kernel out of memory), not for the core's own -ENOMEMs (reading the
 * IOVA ranges, its bookkeeping). */
int iop_ioas_map_pinning(struct iop_ioas *ioas, void *va, size_t len,
			 unsigned int prot, uint64_t *iova, bool *pin_refused);
/* -ENOMEM with rule 7's message: "<what>: over the locked-memory limit
 * (<limit>); raise it to at least <need>" (need in bytes, 0: unknown). */
int iop_pin_refused_error(struct iop_ioas *ioas, const char *what, uint64_t need);
/* Bytes mapped in ioas: what its first attach pins (at most). */
uint64_t iop_ioas_mapped_bytes(const struct iop_ioas *ioas);
/* True when [va, va+len) is exactly one mapping of ioas. */
bool iop_ioas_maps_exactly(struct iop_ioas *ioas, const void *va, size_t len);
/* Registers (NULL: clears) the release hook of ioas. The hook runs in
 * iop_ioas_destroy without the context lock held, and must end with
 * iop_ioas_set_release(ioas, NULL). */
void iop_ioas_set_release(struct iop_ioas *ioas,
			  void (*release)(struct iop_ioas *ioas));

#endif /* IOP_IOMMU_INTERNAL_H */
