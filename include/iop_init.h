/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_INIT_H
#define IOP_INIT_H

/*
 * Process start-up: DPDK's EAL, then iopath's own options, then the IOMMU
 * context (iopath(7) lists every option).
 *
 *     app [EAL options] -- [iopath options] [--] [app arguments]
 *
 * iopath options (all optional; `--opt=value` or `--opt value`):
 *     --iommu=auto|iommufd|vfio|sim   IOMMU backend (default auto)
 *     --ioas=shared|per-device|per-group   IOAS layout (default shared)
 *     --strict                        per-device never merges a group
 *     --sim-topology=FILE             topology of the sim backend (default:
 *                                     built in, 32 singleton sim NICs); it
 *                                     selects the sim (iop_options_resolve)
 *     --log-level=[TYPE:]LEVEL        level of iopath's rte_log types
 *                                     (iop_log.h)
 *     --help                          prints these options (see below)
 *
 * iopath stops at the first argument it does not know (names are matched
 * whole: an app's --stat is never taken for --strict) or after a second
 * `--`; what follows belongs to the app. doc/cli.md has the rules every
 * iopath app follows. Typical use:
 *
 *     int n = iop_init(argc, argv);
 *     if (n < 0) { fprintf(stderr, "%s\n", iop_err_msg()); return 1; }
 *     argc -= n; argv += n;       // argv[0] is the program name again
 *     ...
 *     iop_cleanup();
 */

#include <getopt.h>
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
 * iopath's options as getopt_long(3) entries, for an app that parses them
 * among its own (as iopath's apps do, so that a bad option fails before the
 * EAL starts): put IOP_OPTIONS in the app's table and give what
 * getopt_long returns for them to iop_options_apply(). The values are
 * above any character, so they never clash with an app's short options.
 */
enum iop_option {
	IOP_OPT_IOMMU = 0x1000,
	IOP_OPT_IOAS,
	IOP_OPT_STRICT,
	IOP_OPT_SIM_TOPOLOGY,
	IOP_OPT_LOG_LEVEL,
};
#define IOP_OPTION_IOMMU { "iommu", required_argument, NULL, IOP_OPT_IOMMU }
#define IOP_OPTION_IOAS { "ioas", required_argument, NULL, IOP_OPT_IOAS }
#define IOP_OPTION_STRICT { "strict", no_argument, NULL, IOP_OPT_STRICT }
#define IOP_OPTION_SIM_TOPOLOGY { "sim-topology", required_argument, NULL, IOP_OPT_SIM_TOPOLOGY }
#define IOP_OPTION_LOG_LEVEL { "log-level", required_argument, NULL, IOP_OPT_LOG_LEVEL }
#define IOP_OPTIONS IOP_OPTION_IOMMU, IOP_OPTION_IOAS, IOP_OPTION_STRICT, \
	IOP_OPTION_SIM_TOPOLOGY, IOP_OPTION_LOG_LEVEL

/*
 * Applies one option getopt_long returned (its value and optarg) to o:
 * 0, -EINVAL with a message for a bad value (--log-level takes effect at
 * once), or 1 if val is not one of iopath's options.
 */
int iop_options_apply(struct iop_options *o, int val, const char *arg);

/*
 * The one rule for --sim-topology, which every app and iop_init apply
 * once the options are parsed: a topology file describes the sim's
 * machine, so it selects --iommu=sim (also over an explicit --iommu=auto);
 * with --iommu=iommufd or vfio it is -EINVAL with a message.
 */
int iop_options_resolve(struct iop_options *o);

/*
 * One line, in iop_err_msg(), for the argument argv[at] that getopt_long
 * (with opterr = 0) refused by returning ret ('?' or ':'): an unknown or
 * ambiguous option, a value missing or given to an option that takes
 * none. It names the option and ends with where the options are listed:
 * "APP --help or man APP". Returns -EINVAL.
 */
int iop_options_error(const struct option *table, char *const *argv, int at, int ret,
		      const char *app);

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

/*
 * As iop_init, for an app that parsed its own command line and iopath's
 * options before (with IOP_OPTIONS): argv holds the program name and the
 * EAL options only, opts the options (iop_options_resolve() is applied).
 * Returns 0 or a negative errno as iop_init does.
 */
int iop_init_opts(int argc, char **argv, const struct iop_options *opts);

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
