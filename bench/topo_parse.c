/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Topology parser benchmark (doc/performance.md, "Topology parsing"): the
 * sim topology parser on files of 10^4, 10^5 and 10^6 lines, each timed
 * against an anchor that only reads and tokenises the same file (the floor
 * any parser pays). Runs alternate anchor, parser, anchor, ...; the figure
 * is the median of the per-pair ratios with their range; times are CPU
 * time of this process, which other work on the machine changes less than
 * wall-clock time. A linear parser
 * keeps the ratio, and its ns per line, flat as the file grows.
 *
 *   topo_parse [PAIRS]        default 5; one JSON line per file size
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_json.h"
#include "iop_log.h"
#include "sim_topology.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* lines/2 group lines, then lines/2 devices, each in its own group. */
static void write_topology(const char *path, unsigned int lines)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	for (unsigned int i = 0; i < lines / 2; i++)
		fprintf(f, "group %u range=0x0-0xffffffffff\n", i + 1);
	for (unsigned int i = 0; i < lines / 2; i++)
		fprintf(f, "device %04x:%02x:%02x.%x group=%u driver=vfio-pci type=sim\n",
			i >> 16, (i >> 8) & 0xff, (i >> 3) & 0x1f, i & 7, i + 1);
	fclose(f);
}

/* The anchor: read every line and split it into words, as the parser does. */
static double anchor_s(const char *path)
{
	char buf[1024], *save, *tok;
	unsigned long words = 0;
	double t0 = now_s();
	FILE *f = fopen(path, "r");

	while (f && fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save))
			words++;
	if (f)
		fclose(f);
	if (words == 0)
		exit(1);
	return now_s() - t0;
}

static double parse_s(const char *path, unsigned int lines)
{
	struct sim_topo t;
	double t0 = now_s(), dt;

	if (sim_topo_load(path, &t) != 0) {
		fprintf(stderr, "topo_parse: %s\n", iop_err_msg());
		exit(1);
	}
	dt = now_s() - t0;
	if (t.ndevs + t.ngroups != lines) {
		fprintf(stderr, "topo_parse: parsed %zu entries of %u\n", t.ndevs + t.ngroups, lines);
		exit(1);
	}
	sim_topo_free(&t);
	return dt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 10000, 100000, 1000000 };
	int pairs = argc > 1 ? atoi(argv[1]) : 5;
	char path[] = "/tmp/iop-topo-bench-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || pairs < 1 || pairs > 100) {
		fprintf(stderr, "usage: topo_parse [PAIRS (1-100)]\n");
		return 2;
	}
	close(fd);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double ratio[100], parse[100];

		write_topology(path, sizes[s]);
		for (int p = 0; p < pairs; p++) {
			double a = anchor_s(path);

			parse[p] = parse_s(path, sizes[s]);
			ratio[p] = parse[p] / a;
		}
		qsort(ratio, (size_t)pairs, sizeof(double), cmp_double);
		qsort(parse, (size_t)pairs, sizeof(double), cmp_double);
		app_json_write(stdout, json_pack("{s:s,s:i,s:i,s:o,s:o,s:o,s:o,s:o}",
			"bench", "topo_parse", "lines", (int)sizes[s], "pairs", pairs,
			"parse_s", app_json_num(parse[pairs / 2], 3),
			"ns_per_line", app_json_num(parse[pairs / 2] * 1e9 / sizes[s], 1),
			"over_read_median", app_json_num(ratio[pairs / 2], 2),
			"over_read_min", app_json_num(ratio[0], 2),
			"over_read_max", app_json_num(ratio[pairs - 1], 2)), false);
	}
	unlink(path);
	return 0;
}
