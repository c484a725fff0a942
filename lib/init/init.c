/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop_init: the EAL, iopath's options, the IOMMU context; and the
 * messages that tell a user how to fix the machine when DPDK cannot start.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#define IOP_LOG_PREFIX "init: "
#include "iop_init.h"
#include "iop_log.h"
#include "init_options.h"
#include "mem_internal.h"

/* EAL options iopath puts first (the user's own come after and win):
 * iopath drives PCI devices itself, so DPDK's PCI bus must not probe them,
 * and EAL's and telemetry's start-up chatter stays quiet in every app
 * (EAL warns of absent 1 GiB pages, telemetry of its unused legacy
 * socket); EAL errors still show. */
static const char *const eal_defaults[] = { "--no-pci", "--log-level=lib.eal:error",
					    "--log-level=lib.telemetry:error" };
#define NDEFAULTS ((int)(sizeof(eal_defaults) / sizeof(eal_defaults[0])))

#define HUGEPAGE_MIB 2
#define DEFAULT_HUGEPAGES 512 /* what scripts/setup reserves: 1 GiB */

static struct iop_options opts;
static struct iop_ctx *ctx;
static bool eal_up;

struct iop_ctx *iop_ctx_get(void)
{
	return ctx;
}

const struct iop_options *iop_options_get(void)
{
	return &opts;
}

void iop_init_usage(FILE *f)
{
	fputs("iopath options (after the EAL options and --; --opt=value or --opt value):\n"
	      "  --iommu=auto|iommufd|vfio|sim  IOMMU backend (default auto: iommufd if /dev/iommu\n"
	      "                                 and /dev/vfio/devices exist, else vfio)\n"
	      "  --ioas=shared|per-device|per-group\n"
	      "                                 IOAS layout (default shared)\n"
	      "  --strict                       per-device: refuse to merge devices of one IOMMU group\n"
	      "  --sim-topology=FILE            topology of the sim backend (default: a built-in one\n"
	      "                                 of 32 sim NICs, each alone in its IOMMU group; iopath(7))\n"
	      "  --log-level=[TYPE:]err|warn|info|debug\n"
	      "                                 level of iopath's log types (default warn), all or\n"
	      "                                 those TYPE matches: iop.port, iop.iommu.*, ...\n"
	      "  --help                         this text, then the app's own options\n"
	      "  --version                      the version, then exit\n"
	      "  --                             ends iopath's options\n", f);
}

/* The size asked for with -m or --socket-mem, in MiB (0 if neither). */
static uint64_t eal_memory_mib(int argc, char **argv)
{
	uint64_t mib = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "-m") == 0 || strcmp(argv[i], "--socket-mem") == 0)
			v = i + 1 < argc ? argv[i + 1] : NULL;
		else if (strncmp(argv[i], "-m", 2) == 0)
			v = argv[i] + 2;
		else if (strncmp(argv[i], "--socket-mem=", 13) == 0)
			v = argv[i] + 13;
		/* --socket-mem=a,b,c: the sum over sockets */
		for (char *end; v && *v; v = *end == ',' ? end + 1 : NULL) {
			mib += strtoull(v, &end, 10);
			if (end == v)
				break;
		}
	}
	return mib;
}

static int eal_error(int argc, char **argv)
{
	uint64_t need = eal_memory_mib(argc, argv);
	uint64_t pages = need ? (need + HUGEPAGE_MIB - 1) / HUGEPAGE_MIB + 16 : DEFAULT_HUGEPAGES;
	int err = rte_errno ? rte_errno : EINVAL;

	if (pages < 64)
		pages = 64;
	switch (err) {
	case EACCES: /* hugepage_info_init: none reserved, not mounted, no access */
		return IOP_ERR(EACCES, "DPDK found no usable hugepages: reserve %" PRIu64 " x 2 MiB as root "
			       "(echo %" PRIu64 " > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages; "
			       "mount -t hugetlbfs nodev /dev/hugepages), or run without them (--no-huge)",
			       pages, pages);
	case ENOMEM: /* rte_eal_memory_init: fewer free hugepages than asked */
		return IOP_ERR(ENOMEM, "DPDK could not get the hugepage memory it needs%s: reserve at least %" PRIu64 " x 2 MiB "
			       "(echo %" PRIu64 " > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages), free some, or ask for less (-m)",
			       need ? " for -m/--socket-mem" : "", pages, pages);
	case EALREADY:
		return IOP_ERR(EALREADY, "DPDK's EAL is already initialised: call iop_init() once per process");
	default:
		return IOP_ERR(err, "DPDK's EAL did not start (%s): check the EAL options before '--' (see the EAL lines above)",
			       rte_strerror(err));
	}
}

/* Whether the user's EAL arguments set the log level of a default's type
 * (or every type's): theirs then wins. DPDK applies the first matching
 * --log-level to a type it registers after parsing, so a default put first
 * would win instead. */
static bool user_sets_log_level(int argc, char **argv, const char *dflt)
{
	const char *prefix = "--log-level=";
	size_t plen = strlen(prefix);
	const char *type, *colon;

	/* only a default of the form --log-level=TYPE:LEVEL has a type */
	if (strncmp(dflt, prefix, plen) != 0)
		return false;
	type = dflt + plen;
	colon = strchr(type, ':');
	if (!colon)
		return false;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *v = NULL;

		if (strncmp(argv[i], prefix, plen) == 0)
			v = argv[i] + plen;
		else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc)
			v = argv[i + 1];
		if (v && (!strchr(v, ':') || strncmp(v, type, (size_t)(colon - type)) == 0))
			return true;
	}
	return false;
}

/* rte_eal_init on [argv[0], defaults..., argv[1]...]; then copies the
 * arguments back, as getopt may have permuted them. Returns the index of
 * the program name in argv, as rte_eal_init does. */
static int eal_init(int argc, char **argv)
{
	char **v = calloc((size_t)(argc + NDEFAULTS + 1), sizeof(*v));
	int n, nd = 0;

	if (!v) {
		rte_errno = ENOMEM;
		return -1;
	}
	v[0] = argv[0];
	for (int i = 0; i < NDEFAULTS; i++)
		if (!user_sets_log_level(argc, argv, eal_defaults[i]))
			v[1 + nd++] = (char *)eal_defaults[i];
	for (int i = 1; i < argc; i++)
		v[i + nd] = argv[i];
	rte_errno = 0;
	n = rte_eal_init(argc + nd, v);
	if (n >= 0) {
		for (int i = 1; i < argc; i++)
			argv[i] = v[i + nd];
		n -= nd;
		argv[n] = argv[0];
	}
	free(v);
	return n;
}

/* The IOMMU context of the options in opts. */
static int ctx_create(void)
{
	struct iop_ctx_params params = { 0 };
	int rc = iop_options_resolve(&opts);

	if (rc)
		return rc;
	params.backend = opts.backend;
	params.sim_topology = opts.sim_topology;
	rc = iop_ctx_create(&params, &ctx);
	if (rc)
		ctx = NULL;
	return rc;
}

int iop_init(int argc, char **argv)
{
	int n, k, rc;

	if (eal_up)
		return IOP_ERR(EALREADY, "iopath is already initialised: call iop_init() once per process");
	memset(&opts, 0, sizeof(opts));
	if (argc < 1)
		return IOP_ERR(EINVAL, "iop_init needs argv[0], the program name");
	n = eal_init(argc, argv);
	if (n < 0)
		return eal_error(argc, argv);
	eal_up = true;
	/* getopt_long's argv[0]: the program name rte_eal_init left at argv[n] */
	k = init_options_parse(argc - n, argv + n, &opts);
	if (k < 0) {
		iop_cleanup();
		return k;
	}
	argv[n + k] = argv[n];
	if (opts.help) {
		iop_init_usage(stdout);
		return n + k;
	}
	rc = ctx_create();
	if (rc) {
		iop_cleanup();
		return rc;
	}
	return n + k;
}

int iop_init_opts(int argc, char **argv, const struct iop_options *o)
{
	int n, rc;

	if (eal_up)
		return IOP_ERR(EALREADY, "iopath is already initialised: call iop_init() once per process");
	if (argc < 1)
		return IOP_ERR(EINVAL, "iop_init_opts needs argv[0], the program name");
	opts = *o;
	opts.help = false;
	/* the rule first: a contradiction fails before DPDK takes hugepages */
	rc = iop_options_resolve(&opts);
	if (rc)
		return rc;
	n = eal_init(argc, argv);
	if (n < 0)
		return eal_error(argc, argv);
	eal_up = true;
	if (n + 1 < argc) {
		iop_cleanup();
		return IOP_ERR(EINVAL, "'%s' is not an EAL option: the app's options come after '--'",
			       argv[n + 1]);
	}
	rc = ctx_create();
	if (rc) {
		iop_cleanup();
		return rc;
	}
	return 0;
}

static void ctx_destroy(void)
{
	mem_detach_all();
	if (ctx)
		iop_ctx_destroy(ctx);
	ctx = NULL;
}

void iop_cleanup(void)
{
	if (!eal_up)
		return;
	ctx_destroy();
	rte_eal_cleanup();
	eal_up = false;
}

int iop_init_in_eal(const struct iop_options *o)
{
	int rc;

	if (eal_up || ctx)
		return IOP_ERR(EALREADY, "iopath is already initialised: call iop_init() or iop_init_in_eal() once per process");
	opts = *o;
	opts.help = false;
	rc = ctx_create();
	if (rc)
		memset(&opts, 0, sizeof(opts));
	return rc;
}

void iop_cleanup_in_eal(void)
{
	if (eal_up)
		return;
	ctx_destroy();
	memset(&opts, 0, sizeof(opts));
}
