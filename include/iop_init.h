/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_INIT_H
#define IOP_INIT_H

/*
 * Process start-up: DPDK's EAL, then iopath's own options, then the IOMMU
 * context (iopath(7) lists every option).
 *
 *     app [EAL options] -- [iopath options] [--] [app arguments]
 *
 * iopath options (all optional):
 *     --iommu=auto|iommufd|vfio|sim   IOMMU backend (default auto)
 *     --ioas=shared|per-device|per-group   IOAS layout (default shared)
 *     --strict                        per-device never merges a group
 *     --sim-topology=FILE             topology of the sim backend (default:
 *                                     built in, 32 singleton sim NICs)
 *     --log-level=[TYPE:]LEVEL        level of iopath's rte_log types
 *                                     (iop_log.h)
 *     --help                          prints these options (see below)
 *
 * iopath stops at the first argument it does not know or after a second
 * `--`; what follows belongs to the app. Typical use:
 *
 *     int n = iop_init(argc, argv);
 *     if (n < 0) { fprintf(stderr, "%s\n", iop_err_msg()); return 1; }
 *     argc -= n; argv += n;       // argv[0] is the program name again
 *     ...
 *     iop_cleanup();
 */

#include <stdbool.h>
#include <stdio.h>

#include "iop_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iop_options {
	enum iop_backend_kind backend;
	enum iop_layout layout;
	bool strict;
	const char *sim_topology; /* NULL if not given */
	bool help;                /* --help was given: no context was created */
};

/*
 * Runs rte_eal_init, parses iopath's options and creates the IOMMU context
 * (except with --help, which prints iopath's options to stdout and leaves
 * "--help" as the app's first argument, so that the app prints its own and
 * exits). Returns the number of arguments consumed, as rte_eal_init does,
 * or a negative errno with a one-line message in iop_err_msg(): -EINVAL
 * (bad option), -ENOMEM/-EACCES (no usable hugepages: how many to reserve
 * and how), or the context's error. On failure nothing stays initialised.
 */
int iop_init(int argc, char **argv);

/* The context iop_init created (NULL before, after iop_cleanup, or with
 * --help), and the options it parsed. */
struct iop_ctx *iop_ctx_get(void);
const struct iop_options *iop_options_get(void);

/* Prints iopath's options (the --help text) to f. */
void iop_init_usage(FILE *f);

/*
 * Every app's --version, checked before iop_init (it needs no EAL): true
 * when some argument is "--version", after printing "APP (iopath) VERSION"
 * to stdout; the app then exits 0.
 */
bool iop_init_version_asked(int argc, char **argv, const char *app);

/* Takes DPDK's memory out of every IOAS, destroys the context (closing its
 * devices) and cleans up the EAL. Safe to call twice. */
void iop_cleanup(void);

/*
 * For code loaded into an app whose EAL someone else started (the net_iop
 * ethdev PMD, doc/ethdev.md): takes the options as given (help is
 * ignored) and creates the IOMMU context, as iop_init() does after
 * rte_eal_init. -EALREADY if iopath is initialised either way; on failure
 * nothing stays initialised.
 */
int iop_init_in_eal(const struct iop_options *opts);
/* Undoes iop_init_in_eal(): DPDK's memory out of every IOAS, the context.
 * The EAL stays up. Does nothing after iop_init(). */
void iop_cleanup_in_eal(void);

#ifdef __cplusplus
}
#endif

#endif /* IOP_INIT_H */
