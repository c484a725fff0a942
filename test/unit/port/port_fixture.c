/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_port.h"
#include "port_fixture.h"

/* what the last init made, for port_fixture_group_fini */
static struct rte_mempool *fixture_pool;
static bool fixture_eal_only;

int port_fixture_init_opts(const char *name, const char *topology,
			   const char *const *iopath_opts, unsigned int mbufs,
			   struct rte_mempool **pool)
{
	char topo_arg[512], prefix[64];
	char *argv[24] = {(char *)name, "--no-huge", "--no-shconf", "-m", "256", "--no-pci",
			  "-l", "0", "--log-level=error", "--iova-mode=va", "--no-telemetry", prefix,
			  "--", "--iommu=sim", topo_arg};
	int argc = 15;

	for (; iopath_opts && *iopath_opts && argc < 23; iopath_opts++)
		argv[argc++] = (char *)*iopath_opts;
	snprintf(topo_arg, sizeof(topo_arg), "--sim-topology=%s", topology);
	/* its own prefix: other tests and builds may run EALs at the same time */
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	if (iop_init(argc, argv) < 0) {
		print_error("iop_init: %s\n", iop_err_msg());
		return -1;
	}
	*pool = rte_pktmbuf_pool_create(name, mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	fixture_pool = *pool;
	fixture_eal_only = false;
	return *pool ? 0 : -1;
}

int port_fixture_init(const char *name, const char *topology, const char *iopath_opt,
		      unsigned int mbufs, struct rte_mempool **pool)
{
	const char *opts[] = {iopath_opt, NULL};

	return port_fixture_init_opts(name, topology, opts, mbufs, pool);
}

void port_fixture_fini(struct rte_mempool *pool)
{
	iop_port_close_all();
	rte_mempool_free(pool);
	iop_cleanup();
}

int port_fixture_eal_init(const char *name, unsigned int mbufs, struct rte_mempool **pool)
{
	char prefix[64];
	char *argv[] = {(char *)name, "--no-huge", "--no-shconf", "-m", "128", "--no-pci",
			"-l", "0", "--log-level=error", "--no-telemetry", prefix, NULL};

	/* its own prefix: other tests and builds may run EALs at the same time */
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	if (rte_eal_init(11, argv) < 0) {
		print_error("rte_eal_init failed\n");
		return -1;
	}
	*pool = rte_pktmbuf_pool_create(name, mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	fixture_pool = *pool;
	fixture_eal_only = true;
	return *pool ? 0 : -1;
}

void port_fixture_eal_fini(struct rte_mempool *pool)
{
	iop_port_close_all();
	rte_mempool_free(pool);
	rte_eal_cleanup();
}

int port_fixture_group_fini(void **state)
{
	(void)state;
	if (fixture_eal_only)
		port_fixture_eal_fini(fixture_pool);
	else
		port_fixture_fini(fixture_pool);
	return 0;
}

int port_fixture_close_ports(void **state)
{
	(void)state;
	iop_port_close_all();
	return 0;
}
