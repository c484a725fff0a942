/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_TEST_SIM_FIXTURE_H
#define IOP_TEST_SIM_FIXTURE_H

/*
 * Shared by the lib/iommu unit tests: topologies written to temporary
 * files, sim contexts built on them, and leak checks on the sim counters.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iop_iommu.h"

/* One topology variant, as the kernel selftests' FIXTURE_VARIANT. */
struct topo_variant {
	const char *name;
	const char *text; /* topology file contents */
	const char *a, *b; /* two devices the tests use */
	bool same_group;  /* a and b share an IOMMU group */
	bool b_blocked;   /* b's group has a sibling on a kernel driver */
};

extern const struct topo_variant variant_singletons;
extern const struct topo_variant variant_group2;
extern const struct topo_variant variant_kernel_sibling;

/* Writes text to a fresh temporary file; returns its path (free it with
 * topo_file_remove). */
char *topo_file_write(const char *text);
void topo_file_remove(char *path);

/* A sim context on the given topology text (asserts success). */
struct iop_ctx *sim_ctx_new(const char *text);

/* Asserts that no sim fd, pin, mapping or backend object is left. */
void assert_sim_clean(void);

/* The invariant of every IOAS of ctx: its translation table holds exactly
 * the mappings the sim backend holds (same VA, IOVA, length), which are the
 * IOAS's own list; each translates to its IOVA, or, if its unmap failed
 * (stale), to IOP_IOVA_POISON. */
void assert_tables_match_backend(struct iop_ctx *ctx);

/* 2 MiB-aligned anonymous memory the tests map and DMA into. */
void *hugebuf_alloc(size_t len);
void hugebuf_free(void *p, size_t len);

#endif /* IOP_TEST_SIM_FIXTURE_H */
