/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL and pool set-up the port tests share: an EAL without hugepages
 * on its own file prefix, the sim IOMMU on a topology file (and optional
 * further iopath options) or no IOMMU at all, one pktmbuf pool.
 */
#ifndef PORT_FIXTURE_H
#define PORT_FIXTURE_H

#include <rte_mempool.h>

/* 0, or -1 with the reason printed. name: the program's and the pool's
 * name; iopath_opt: one more iopath option (--ioas=...) or NULL. */
int port_fixture_init(const char *name, const char *topology, const char *iopath_opt,
		      unsigned int mbufs, struct rte_mempool **pool);
/* The same with any number of iopath options (a NULL-terminated list). */
int port_fixture_init_opts(const char *name, const char *topology,
			   const char *const *iopath_opts, unsigned int mbufs,
			   struct rte_mempool **pool);
/* Closes every port, frees the pool and ends iopath and the EAL. */
void port_fixture_fini(struct rte_mempool *pool);
/* The EAL alone (no iopath context: null ports need none) and one pool. */
int port_fixture_eal_init(const char *name, unsigned int mbufs, struct rte_mempool **pool);
/* Closes every port, frees the pool and ends the EAL. */
void port_fixture_eal_fini(struct rte_mempool *pool);

/* cmocka fixtures. A group teardown: port_fixture_fini or _eal_fini,
 * whichever matches the init, on the pool the init made. */
int port_fixture_group_fini(void **state);
/* A test teardown: closes every port. */
int port_fixture_close_ports(void **state);

#endif
