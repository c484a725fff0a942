/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_TOPOLOGY_H
#define IOP_SIM_TOPOLOGY_H

/* The sim backend's topology file (format: doc/sim-topology.md). */

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "iop_iommu.h"

struct sim_topo_group {
	unsigned int id;
	size_t nranges;
	struct iop_iova_range ranges[IOP_MAX_RANGES]; /* sorted, disjoint */
	/* a window-style IOMMU (sPAPR TCE, seed 001): the size of its default
	 * DMA window at IOVA 0; 0 for an aperture-style one (ranges) */
	uint64_t dma_window;
	/* the smallest page its IOMMU maps (iopage=, default 4096): IOVAs,
	 * lengths and offsets in the page of an IOAS with its domain must be
	 * aligned to it (iommufd's self-test mock IOMMU: 2048) */
	uint64_t io_page;
};

struct sim_topo_dev {
	char bdf[IOP_BDF_LEN];
	char driver[IOP_DRIVER_LEN];
	char type[16];
	unsigned int group;
	size_t group_index; /* its group in sim_topo.groups */
	uint16_t vendor, device;
	int numa_node;
};

struct sim_topo {
	struct sim_topo_group *groups;
	size_t ngroups;
	struct sim_topo_dev *devs;
	size_t ndevs;
	uint64_t memlock; /* bytes; UINT64_MAX: unlimited */
	bool type1;       /* `iommu type1`: VFIO type1's semantics */
};

/* -ENOENT/-EINVAL with a message naming the file and line. Without a
 * path: the built-in default, 32 sim NICs each alone in its group. */
int sim_topo_load(const char *path, struct sim_topo *topo);
void sim_topo_free(struct sim_topo *topo);

#endif /* IOP_SIM_TOPOLOGY_H */
