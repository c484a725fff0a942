/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BRIDGE_ARGS_H
#define IOP_BRIDGE_ARGS_H

#include <stdio.h>

#include "bridge.h"

/*
 * Before iop_init: the command line is rearranged so that iopath's options
 * (--iommu, --ioas, --strict, --sim-topology, --log-level), which users
 * may write anywhere after `--`, come first; and when neither --iommu nor
 * --sim-topology was given and no port is a pci port, --iommu=sim is
 * added (the sim's built-in topology has a singleton group per sim NIC).
 * Returns the new argc (argv_out is static storage) or -errno with
 * iop_err_msg() set.
 */
int args_prepare(int argc, char **argv, char ***argv_out);

/* The app's own arguments (after iop_init). -EINVAL with a message. */
int args_parse(int argc, char **argv, struct bridge_opts *opt);
/* The app options, for --help. */
void args_usage(FILE *f);

#endif /* IOP_BRIDGE_ARGS_H */
