/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NET_IOP_ARGS_H
#define NET_IOP_ARGS_H

/*
 * The devargs of a net_iop device:
 *
 *   spec=[TYPE:key=value,...]   the iopath port (brackets: a spec has commas)
 *   iommu=auto|iommufd|vfio|sim, ioas=shared|per-device|per-group, strict,
 *   sim-topology=FILE           iopath's options (doc/startup.md); every
 *                               net_iop device of a process must agree
 *
 * Parsed by hand: rte_kvargs splits "spec=[sim:wire=x,iface=y]" at the
 * '=' inside the brackets.
 */

#include <stdbool.h>

#include "iop_init.h"
#include "iop_port.h"

#define NET_IOP_PATH_LEN 256

struct net_iop_args {
	char spec[IOP_PORT_NAME_LEN];
	struct iop_options opts;           /* sim_topology points at topo */
	char topo[NET_IOP_PATH_LEN];
	bool has_iommu, has_ioas, has_strict, has_topo; /* given, not defaulted */
};

/* Fills a from the devargs text of device name; -EINVAL with a one-line
 * message (iop_err_msg) naming the key and what to write instead. */
int net_iop_args_parse(const char *name, const char *text, struct net_iop_args *a);

/*
 * Whether the options a later device gives agree with those in force (the
 * first device's, which created the iopath context): an option it leaves
 * out agrees. -EINVAL naming the option, both values and first_name.
 */
int net_iop_args_agree(const char *name, const struct net_iop_args *a,
		       const char *first_name, const struct net_iop_args *first);

#endif /* NET_IOP_ARGS_H */
