/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BRIDGE_ARGS_H
#define IOP_BRIDGE_ARGS_H

#include <stdio.h>

#include "bridge.h"

/*
 * Before iop_init: the command line is rearranged so that iopath's options
 * (--iommu, --ioas, --strict, --sim-topology, --log-level), which users
 * may write anywhere after `--`, come first; and when no topology was
 * given and no port is a pci port, a default sim topology with one
 * singleton IOMMU group per sim port is written in memory and used. Returns
 * the new argc (argv_out is static storage) or -errno with iop_err_msg()
 * set. *topo_fd is the generated topology's fd, to close after iop_init,
 * or -1.
 */
int args_prepare(int argc, char **argv, char ***argv_out, int *topo_fd);

/* The app's own arguments (after iop_init). -EINVAL with a message. */
int args_parse(int argc, char **argv, struct bridge_opts *opt);
/* The app options, for --help. */
void args_usage(FILE *f);

#endif /* IOP_BRIDGE_ARGS_H */
