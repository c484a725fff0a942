/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_INTERNAL_H
#define IOP_SIM_INTERNAL_H

/*
 * State of the sim kernel model, shared by sim.c (the backend ops),
 * sim_dma.c (devices reading and writing through their group's IOAS) and
 * sim_counters.c (fault injection, leak counters).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim_topology.h"

#define SIM_PAGE_SIZE 4096u

struct sim_access;
struct sim_ioas;

/* Pinned user pages, shared by every area that maps them (IOAS_COPY). */
struct sim_pages {
	unsigned int refs;
	uint64_t npages;
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
	bool attached;
	uint64_t fault_count;    /* atomic */
	uint64_t fault_last;     /* atomic */
};

struct sim_ioas {
	struct sim_ctx *ctx;
	pthread_rwlock_t lock;   /* areas: DMA reads, map/unmap writes */
	struct sim_area *areas;  /* sorted by iova, disjoint */
	size_t nareas, cap;
	unsigned int ngroups;    /* groups attached */
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

/* sim_access.c: index of the area holding iova, or s->nareas. */
size_t sim_area_find(const struct sim_ioas *s, uint64_t iova);
/* sim_dma.c */
int sim_dma(struct sim_dev *dev, uint64_t iova, void *buf, size_t len,
	    bool write);

#endif /* IOP_SIM_INTERNAL_H */
