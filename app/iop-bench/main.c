/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bench: benchmarks whose results are ratios against an anchor measured
 * in the same run (doc/performance.md).
 *
 *   iop-bench [EAL options] -- [iopath options] translate [--json] [--count-instructions] [--reps N]
 *   iop-bench [EAL options] -- [iopath options] map [--json] [--ioas K] [--reps N]
 *   iop-bench [EAL options] -- [iopath options] move [--json] [--reps N]
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "iop_init.h"
#include "iop_log.h"

#define HIT_CHILD "--hit-child" /* internal: what callgrind runs */

static void usage(FILE *f)
{
	fputs("usage: iop-bench [EAL options] -- [iopath options] translate|map|move [options]\n"
	      "every option is --opt=value or --opt value; iopath's come before the benchmark\n"
	      "  translate            ns per IOVA lookup: mbuf->buf_iova, rte_mem_virt2memseg,\n"
	      "                       iop_iova_cache hit and miss, the lookup from the mbuf with and\n"
	      "                       without the pool's run, on mbufs of one pktmbuf pool; P1 from\n"
	      "                       --reps alternating pairs (median, range)\n"
	      "    --count-instructions  also count instructions per lookup with valgrind (callgrind)\n"
	      "  map                  map DPDK's memory into K IOAS, one call per run against one per page\n"
	      "    --ioas K           IOAS to map into (default 4)\n"
	      "  move                 moving a forwarding sim port to another IOAS: live, live with\n"
	      "                       a pause, and stop/move/start, N rounds (--reps)\n"
	      "  common: --json (one JSON line), --reps N (best of N, default 5),\n"
	      "          --help, -h (this text), --version (the version),\n"
	      "          --dev BDF (repeatable: device i is attached to IOAS i; the vfio\n"
	      "          backend needs one per IOAS, sim and iommufd need none)\n"
	      "example: iop-bench -l 0 --in-memory -m 256 -- --iommu=sim --sim-topology=bench/bench.topology translate --json\n"
	      "more: man iop-bench; iopath's options: man iopath\n",
	      f);
}

/* The callgrind child (hits.c): COUNT calls, 1 to 10^9. Exit status. */
static int hit_child(const char *count)
{
	unsigned long long n;
	char *end;
	int rc;

	errno = 0;
	n = strtoull(count, &end, 10);
	if (!isdigit((unsigned char)count[0]) || errno || *end || n == 0 || n > 1000000000ull) {
		fprintf(stderr, "iop-bench: " HIT_CHILD " takes a number of calls from 1 to 1000000000, not '%s'\n",
			count);
		return 2;
	}
	rc = bench_hit_child(n);
	if (rc)
		fprintf(stderr, "iop-bench: " HIT_CHILD " %llu failed: %s\n", n, strerror(-rc));
	return rc ? 1 : 0;
}

/* iopath's options, before the benchmark's name */
static const struct option iopath_table[] = {
	IOP_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* the benchmark's options, after its name (--ioas K here is a count, not
 * iopath's --ioas=LAYOUT, which comes before the name) */
static const struct option bench_table[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count-instructions", no_argument, NULL, 'c' },
	{ "dev", required_argument, NULL, 'd' },
	{ "ioas", required_argument, NULL, 'i' },
	{ "reps", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int count(const char *opt, const char *v, unsigned int *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || errno || *end || n == 0 || n > 64)
		return iop_err(EINVAL, "--%s takes a number from 1 to 64, not '%s'", opt, v);
	*out = (unsigned int)n;
	return 0;
}

static int bench_option(struct bench_args *a, int c, const char *v)
{
	switch (c) {
	case 'j':
		a->json = true;
		return 0;
	case 'c':
		a->count_instructions = true;
		return 0;
	case 'd':
		if (a->ndevs == BENCH_MAX_IOAS)
			return iop_err(EINVAL, "at most %d --dev", BENCH_MAX_IOAS);
		a->devs[a->ndevs++] = v;
		return 0;
	case 'i':
		return count("ioas", v, &a->nioas);
	default:
		return count("reps", v, &a->reps);
	}
}

/*
 * The whole command line, before the EAL starts:
 *     iop-bench [EAL options] -- [iopath options] BENCH [options]
 * getopt_long in two parts (iopath's table, then the benchmark's), so that
 * every option is --opt=value or --opt value. *eal_argc: the program name
 * and the EAL options. -EINVAL with a message, or 0.
 */
static int parse_args(int argc, char **argv, struct bench_args *a, struct iop_options *iop,
		      int *eal_argc)
{
	int dd = argc, n, rc = 0;
	char **v;

	a->nioas = 4;
	a->reps = 5;
	for (int i = 1; i < argc && dd == argc; i++)
		if (strcmp(argv[i], "--") == 0)
			dd = i;
	*eal_argc = dd;
	v = argv + dd; /* the `--` stands for argv[0] */
	n = argc - dd;
	opterr = 0;
	optind = 0;
	while (rc == 0 && n > 1) {
		int at = optind ? optind : 1, c = getopt_long(n, v, "+:", iopath_table, NULL);

		if (c == -1)
			break;
		rc = c == '?' || c == ':' ? iop_options_error(iopath_table, v, at, c, "iop-bench")
					  : iop_options_apply(iop, c, optarg);
	}
	if (rc)
		return rc;
	if (dd == argc && argc > 1)
		return iop_err(EINVAL, "no '--': the benchmark comes after the EAL options and '--', e.g. iop-bench -l 0 --in-memory -m 256 -- translate");
	if (n < 2 || optind >= n)
		return iop_err(EINVAL, "no benchmark: name one of translate, map or move after the options (iop-bench --help)");
	a->name = v[optind];
	if (strcmp(a->name, "translate") && strcmp(a->name, "map") && strcmp(a->name, "move"))
		return iop_err(EINVAL, "unknown benchmark '%s': use translate, map or move (man iop-bench)", a->name);
	/* the benchmark's options: its name stands for argv[0] */
	v += optind;
	n -= optind;
	optind = 0;
	while (rc == 0) {
		int at = optind ? optind : 1, c = getopt_long(n, v, "+:", bench_table, NULL);

		if (c == -1)
			break;
		rc = c == '?' || c == ':' ? iop_options_error(bench_table, v, at, c, "iop-bench")
					  : bench_option(a, c, optarg);
	}
	if (rc == 0 && optind < n)
		rc = iop_err(EINVAL, "unexpected argument '%s' after %s: its options start with -- (man iop-bench)",
			     v[optind], a->name);
	optind = 0;
	return rc ? rc : iop_options_resolve(iop);
}

int main(int argc, char **argv)
{
	struct bench_args a = { 0 };
	struct iop_options iop = { 0 };
	int eal_argc, rc;

	/* the callgrind child needs no EAL and no context (see hits.c) */
	if (argc == 3 && strcmp(argv[1], HIT_CHILD) == 0)
		return hit_child(argv[2]);
	if (iop_init_version_asked(argc, argv, "iop-bench"))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			iop_init_usage(stdout);
			return 0;
		}
	}
	if (parse_args(argc, argv, &a, &iop, &eal_argc) < 0) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		return 2;
	}
	if (iop_init_opts(eal_argc, argv, &iop) < 0) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		return 1;
	}
	if (strcmp(a.name, "translate") == 0)
		rc = bench_translate(&a);
	else if (strcmp(a.name, "map") == 0)
		rc = bench_map(&a);
	else
		rc = bench_move(&a);
	iop_cleanup();
	return rc ? 1 : 0;
}
