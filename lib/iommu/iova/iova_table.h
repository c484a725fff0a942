/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOVA_TABLE_H
#define IOP_IOVA_TABLE_H

/*
 * Per-IOAS VA -> IOVA translation table (the slow half of the IOVA cache,
 * see iop_iova_cache.h). lib/iommu's IOAS code keeps it in step with every
 * map and unmap; PMD queues fill their caches from it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The highest IOVA a mapped byte may have: all ones is IOP_IOVA_POISON,
 * "no translation", so the table refuses a mapping that reaches it and
 * the IOVA allocator never picks one. */
#define IOP_IOVA_LAST_USABLE (UINT64_MAX - 1)

/* The IOVA of an address that no mapping covers: a PMD counts and drops the
 * buffer, it never hands this to a device. */
#ifndef IOP_IOVA_POISON
#define IOP_IOVA_POISON UINT64_MAX
#endif

/* Page-level entries, for the per-queue caches (iop_iova_cache.h). */
#define IOP_IOVA_TABLE_PAGE_SHIFT 21
#define IOP_IOVA_TABLE_ENTRY_FULL 1ull /* entry & ~(2 MiB - 1) = IOVA of the page */

struct iop_iova_table;

struct iop_iova_table *iop_iova_table_create(void);
void iop_iova_table_destroy(struct iop_iova_table *t);
/* Records that [va, va+len) is mapped at iova. -ENOMEM if a level cannot be
 * allocated (the table is then unchanged); -EINVAL for an empty range, one
 * outside user VA, or one whose IOVA would reach IOP_IOVA_POISON. */
int iop_iova_table_insert(struct iop_iova_table *t, uintptr_t va, uint64_t iova,
			  uint64_t len);
/* Records that the IOMMU still maps [va, va+len) at iova although its unmap
 * failed: the table keeps it (it says what the IOMMU maps) but lookups give
 * IOP_IOVA_POISON, as the memory may be someone else's now. Right after
 * iop_iova_table_remove() of the same range it cannot fail (no level or
 * list growth is needed). */
int iop_iova_table_insert_stale(struct iop_iova_table *t, uintptr_t va,
				uint64_t iova, uint64_t len);
/* Forgets [va, va+len) and bumps the generation, so that every queue cache
 * flushes at its next burst. */
void iop_iova_table_remove(struct iop_iova_table *t, uintptr_t va, uint64_t len);
/* Bumps the generation with no change: every cache bound to t runs its
 * slow path (iop_iova_cache_flush) at its next burst. */
void iop_iova_table_bump(const struct iop_iova_table *t);
/* The generation, bumped by every remove; caches compare it once per burst. */
const uint64_t *iop_iova_table_generation(const struct iop_iova_table *t);
/* The raw entry of the 2 MiB page holding va: 0 (unmapped), FULL (cacheable)
 * or partial (ask iop_iova_table_lookup). */
uint64_t iop_iova_table_page(const struct iop_iova_table *t, uintptr_t va);
/* Exact translation, or IOP_IOVA_POISON when va is not mapped. */
uint64_t iop_iova_table_lookup(const struct iop_iova_table *t, uintptr_t va);

/* True when every byte of [va, va+len) is translated by live (not stale)
 * mappings that follow each other in VA and in IOVA, so that one delta
 * (stored in *delta) translates the whole range: a queue cache's run. */
bool iop_iova_table_run(const struct iop_iova_table *t, uintptr_t va, uint64_t len,
			uint64_t *delta);

/* One mapping of the table, as iop_iova_table_list() reports it. */
struct iop_iova_table_mapping {
	uintptr_t va;
	uint64_t iova;
	uint64_t len;
	bool stale; /* still mapped by the IOMMU, translated nowhere */
};
/* Copies up to max mappings, sorted by va, into out; returns how many the
 * table holds (checks that the table says what the IOMMU maps). */
size_t iop_iova_table_list(const struct iop_iova_table *t,
			   struct iop_iova_table_mapping *out, size_t max);

/* Binds an empty queue cache to a table (iop_iova_cache_init does this for
 * an IOAS; tests bind to a bare table). */
struct iop_iova_cache;
void iop_iova_cache_bind(struct iop_iova_cache *c, const struct iop_iova_table *t);
/* iop_iova_cache_rebind() to a bare table (tests). */
int iop_iova_cache_rebind_table(struct iop_iova_cache *c, const struct iop_iova_table *t);

#endif /* IOP_IOVA_TABLE_H */
