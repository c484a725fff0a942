/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_INTERNAL_H
#define IOP_SIM_INTERNAL_H

/*
 * State of the sim kernel model, shared by sim.c (the backend ops),
 * sim_pages.c (pinned pages and memlock), sim_dma.c (devices reading and
 * writing through their group's IOAS) and sim_counters.c (fault injection,
 * leak counters).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim_topology.h"

#define SIM_PAGE_SIZE 4096u

struct sim_access;
struct sim_ioas;

/* User pages, shared by every area that maps them (IOAS_COPY). As in
 * iommufd, a page is pinned (and charged to memlock) only while an area of
 * an IOAS with a domain (a group attached) covers it or an access pins it:
 * domain_refs counts those areas and pins page by page (under the context
 * lock), so a copy of part of a mapping pins that part. */
struct sim_pages {
	unsigned int refs;
	uint64_t first_page;     /* user address / 4 KiB of the first page */
	uint64_t npages;
	uint32_t *domain_refs;   /* npages counters; NULL until first pinned */
	bool writable;           /* mapped with write: copies may be writable */
};

struct sim_area {
	uint64_t iova;
	uint64_t len;
	uintptr_t va;
	unsigned int prot;
	struct sim_pages *pages;
	unsigned int access_pins; /* atomic: pins of accesses (sim_access.c) */
	bool prevent_access;      /* an unmap is waiting for those pins */
};

struct sim_group {
	const struct sim_topo_group *topo;
	unsigned int nbound;     /* devices claimed for user DMA */
	int owner_fd;            /* while nbound: the group's lock (sim_owner.c) */
	unsigned int nattached;
	struct sim_ioas *ioas;   /* read by DMA threads: atomic accesses */
};

struct sim_dev {
	const struct sim_topo_dev *topo;
	struct sim_ctx *ctx;
	struct sim_group *group;
	bool bound;
	int owner_fd;            /* while bound: the device's lock (sim_owner.c) */
	bool attached;
	/* other references to the device (iop_sim_dev_ref: a driver's
	 * mapping of its regions), which keep a type1 group in its container */
	unsigned int refs;
	uint64_t fault_count;    /* atomic */
	uint64_t fault_last;     /* atomic */
};

/* Window slots of a window-style IOAS (the kernel's
 * IOMMU_TABLE_GROUP_MAX_TABLES). */
#define SIM_MAX_WINDOWS 2

struct sim_ioas {
	struct sim_ctx *ctx;
	pthread_rwlock_t lock;   /* areas: DMA reads, map/unmap writes */
	struct sim_area *areas;  /* sorted by iova, disjoint */
	size_t nareas, cap;
	unsigned int ngroups;    /* groups attached */
	/* sim_windows.c: DMA windows, once a window-style group has joined
	 * (they stay with the IOAS, as with the container's tables) */
	bool windowed;
	struct iop_iova_range windows[SIM_MAX_WINDOWS]; /* unused: first > last */
	/* sim_reserved.c: IOMMU_IOAS_ALLOW_IOVAS's ranges (none: all) */
	struct iop_iova_range *allowed;
	size_t nallowed;
	struct sim_access *accesses; /* under the context lock */
};

struct sim_ctx {
	struct sim_topo topo;
	dev_t topo_dev;           /* the topology file is the machine: */
	ino_t topo_ino;           /* contexts on one file share its groups */
	uint64_t topo_path_hash;  /* (sim_owner.c) */
	struct sim_group *groups; /* topo.ngroups */
	struct sim_dev *devs;     /* topo.ndevs */
	uint64_t pinned_pages;    /* atomic: iop_sim_pinned_pages reads it */
};

/* sim_counters.c: every failable op starts with sim_call(); non-zero is
 * the injected error. */
int sim_call(void);
void sim_count_fds(int delta);
void sim_count_allocs(int delta);
void sim_count_mappings(int delta);
void sim_count_pinned(int64_t delta);

/* sim_pages.c: the pages [va, va + len) touches. */
uint64_t sim_pages_spanned(uintptr_t va, uint64_t len);
/* sim_pages.c: pins the pages of n areas (pieces of areas too), charged to
 * memlock once per page: 0 or -ENOMEM, nothing pinned then. Under the
 * context lock. */
int sim_pin_areas(struct sim_ctx *c, const struct sim_area *a, size_t n);
void sim_unpin_areas(struct sim_ctx *c, const struct sim_area *a, size_t n);
/* sim_access.c: index of the area holding iova, or s->nareas. */
size_t sim_area_find(const struct sim_ioas *s, uint64_t iova);
/* sim_windows.c: window-style IOMMUs (sPAPR TCE, seed 001). */
bool sim_group_windowed(const struct sim_group *g);
/* sim_reserved.c: the mappings of s and the ranges it allows are clear
 * of what g reserves outside its aperture / of the regions its devices
 * reserve inside it (the MSI window); IOMMU_IOAS_ALLOW_IOVAS. */
bool sim_group_clear_of_aperture(const struct sim_group *g, const struct sim_ioas *s);
bool sim_group_clear_of_regions(const struct sim_group *g, const struct sim_ioas *s);
int sim_allow_iovas(void *bioas, const struct iop_iova_range *ranges, size_t n);
/* Group g joins s: -EPERM when s holds groups of the other IOMMU style;
 * the first window-style group gives s its default window. */
int sim_windows_join(struct sim_ioas *s, const struct sim_group *g);
/* The last group left s: its windows go, as a container's IOMMU does
 * when its last group leaves. */
void sim_windows_leave(struct sim_ioas *s);
/* The windows of a windowed IOAS, sorted; their count. */
size_t sim_windows_ranges(const struct sim_ioas *s, struct iop_iova_range *out);
int sim_window_create(void *bioas, unsigned int page_shift, uint64_t size,
		      uint64_t *start);
int sim_window_remove(void *bioas, uint64_t start);
/* sim_map.c: removes the areas of s inside [first, last] (a window goes):
 * 0, or -EDEADLOCK when an access does not let go (sim_unmap's rule). */
int sim_unmap_inside(struct sim_ioas *s, uint64_t first, uint64_t last);
/* sim_map.c: the backend's map, copy and unmap ops. */
int sim_map(void *bioas, void *va, uint64_t len, uint64_t iova, unsigned int prot);
int sim_copy(void *dst_bioas, uint64_t dst_iova, void *src_bioas, uint64_t src_iova,
	     uint64_t len, unsigned int prot);
int sim_unmap(void *bioas, uint64_t iova, uint64_t len);

/* sim.c, for sim_map.c: the rules an IOAS's state sets for its mappings. */
#define RANGES_SCRATCH (4 * IOP_MAX_RANGES)
/* s has a domain: a group is attached. */
bool sim_has_domain(const struct sim_ioas *s);
/* An area of s goes away (its pages unpinned, freed with their last area). */
void sim_area_put(struct sim_ioas *s, const struct sim_area *a);
/* The IOVA s allows now, in out (RANGES_SCRATCH entries); how many. */
size_t sim_ioas_ranges(const struct sim_ioas *s, struct iop_iova_range *out);
/* [first, last] lies within one of the n ranges r. */
bool sim_inside(const struct iop_iova_range *r, size_t n, uint64_t first, uint64_t last);
/* iommufd's iova_alignment of s (1 without a domain). */
uint64_t sim_ioas_alignment(const struct sim_ioas *s);
bool sim_aligned(uint64_t iova_or_len, uint64_t align);
/* The offset of va in its CPU page is a multiple of align. */
bool sim_va_aligned(uintptr_t va, uint64_t align);

/* sim_dma.c */
int sim_dma(struct sim_dev *dev, uint64_t iova, void *buf, size_t len,
	    bool write);

#endif /* IOP_SIM_INTERNAL_H */
