/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BRIDGE_ARGS_H
#define IOP_BRIDGE_ARGS_H

#include <stdio.h>

#include "bridge.h"
#include "iop_init.h"

/*
 * The whole command line, before the EAL starts, so that a bad option
 * fails before DPDK takes hugepages:
 *     iop-bridge [EAL options] -- [options and iopath options, any order]
 * getopt_long, so every option is --opt=value or --opt value (doc/cli.md).
 * Fills the bridge's options and iopath's (with the bridge's rule: no
 * --iommu and no pci port is the sim IOMMU, iop_options_resolve() applied)
 * and *eal_argc, the number of arguments before `--` (the program name and
 * the EAL options, what iop_init_opts takes). -EINVAL with iop_err_msg()
 * set otherwise. Opens nothing: the --json-stats file is main's.
 */
int args_parse(int argc, char **argv, struct bridge_opts *opt, struct iop_options *iop,
	       int *eal_argc);
/* The app options, for --help. */
void args_usage(FILE *f);

#endif /* IOP_BRIDGE_ARGS_H */
