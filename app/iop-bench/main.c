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

static int parse_args(int argc, char **argv, struct bench_args *a)
{
	a->nioas = 4;
	a->reps = 5;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
		} else if (strcmp(argv[i], "--count-instructions") == 0) {
			a->count_instructions = true;
		} else if (strcmp(argv[i], "--dev") == 0 && i + 1 < argc) {
			if (a->ndevs == BENCH_MAX_IOAS) {
				fprintf(stderr, "iop-bench: at most %d --dev\n", BENCH_MAX_IOAS);
				return -EINVAL;
			}
			a->devs[a->ndevs++] = argv[++i];
		} else if ((strcmp(argv[i], "--ioas") == 0 || strcmp(argv[i], "--reps") == 0) && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[i + 1], &end, 10);

			if (!isdigit((unsigned char)argv[i + 1][0]) || *end || v == 0 || v > 64) {
				fprintf(stderr, "iop-bench: %s takes a number from 1 to 64, not '%s'\n",
					argv[i], argv[i + 1]);
				return -EINVAL;
			}
			*(argv[i][2] == 'i' ? &a->nioas : &a->reps) = (unsigned int)v;
			i++;
		} else {
			fprintf(stderr, "iop-bench: unknown option '%s' (see --help or man iop-bench)\n", argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_args a = { 0 };
	int n, rc;

	/* the callgrind child needs no EAL and no context (see hits.c) */
	if (argc == 3 && strcmp(argv[1], HIT_CHILD) == 0)
		return hit_child(argv[2]);
	if (iop_init_version_asked(argc, argv, "iop-bench"))
		return 0;
	n = iop_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		iop_cleanup();
		return argc < 2 ? 2 : 0;
	}
	rc = parse_args(argc, argv, &a);
	if (rc == 0) {
		if (strcmp(argv[1], "translate") == 0) {
			rc = bench_translate(&a);
		} else if (strcmp(argv[1], "map") == 0) {
			rc = bench_map(&a);
		} else if (strcmp(argv[1], "move") == 0) {
			rc = bench_move(&a);
		} else {
			fprintf(stderr, "iop-bench: unknown benchmark '%s': use translate, map or move (man iop-bench)\n", argv[1]);
			rc = -EINVAL;
		}
	}
	iop_cleanup();
	return rc ? 1 : 0;
}
