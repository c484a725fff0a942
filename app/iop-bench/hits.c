/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instructions per cache hit, counted by valgrind's callgrind: the child
 * runs hits inside bench_hit_once() (not inlined, so callgrind can collect
 * exactly its instructions, its `ret` included) and the parent divides the
 * collected count by the number of calls. The hit path does not depend on
 * the addresses, so the child needs no EAL: an IOAS of the sim backend
 * with one 2 MiB mapping is enough, made with the app API as any app would.
 */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "iop_iommu.h"
#include "iop_iova_cache.h"

#define CHILD_CALLS 100000

extern char **environ;

uint64_t bench_hit_once(struct iop_iova_cache *c, const void *va);
__attribute__((noinline)) uint64_t bench_hit_once(struct iop_iova_cache *c, const void *va)
{
	return iop_iova_cache_lookup(c, va);
}

int bench_hit_child(uint64_t n)
{
	static struct iop_iova_cache c;
	const size_t page = 2u << 20;
	struct iop_ctx_params params = { .backend = IOP_BACKEND_SIM };
	uint8_t *va = aligned_alloc(page, page);
	struct iop_ctx *ctx = NULL;
	struct iop_ioas *ioas;
	uint64_t iova, acc = 0;
	int rc = -ENOMEM;

	if (!va || iop_ctx_create(&params, &ctx) || iop_ioas_create(ctx, &ioas) ||
	    iop_ioas_map(ioas, va, page, IOP_PROT_READ | IOP_PROT_WRITE, &iova))
		goto out;
	iop_iova_cache_init(&c, ioas);
	iop_iova_cache_lookup(&c, va); /* the one miss */
	for (uint64_t i = 0; i < n; i++)
		acc += bench_hit_once(&c, va + (i & 0xfff) * 64);
	rc = acc == 0 ? -EIO : 0;
out:
	if (ctx)
		iop_ctx_destroy(ctx);
	free(va);
	return rc;
}

static int collected_ir(const char *path, uint64_t *ir)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int rc = -EIO;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "summary: %" SCNu64, ir) == 1)
			rc = 0;
	fclose(f);
	return rc;
}

int bench_hit_instructions(double *per_hit)
{
	char out[] = "/tmp/iop-bench-callgrind-XXXXXX", exe[4096], calls[32];
	char outarg[64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *argv[] = { "valgrind", "--tool=callgrind", "--toggle-collect=bench_hit_once",
			 outarg, "--quiet", exe, "--hit-child", calls, NULL };
	int fd = mkstemp(out), status, rc;
	uint64_t ir;
	pid_t pid;

	if (len < 0 || fd < 0) {
		fprintf(stderr, "iop-bench: cannot prepare the callgrind run: %s\n", strerror(errno));
		return -EIO;
	}
	close(fd);
	exe[len] = '\0';
	snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", out);
	snprintf(calls, sizeof(calls), "%d", CHILD_CALLS);
	rc = posix_spawnp(&pid, "valgrind", NULL, NULL, argv, environ);
	if (rc) {
		unlink(out);
		fprintf(stderr, "iop-bench: --count-instructions needs valgrind: %s (apt-get install valgrind)\n",
			strerror(rc));
		return -rc;
	}
	waitpid(pid, &status, 0);
	rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? collected_ir(out, &ir) : -EIO;
	unlink(out);
	if (rc) {
		fprintf(stderr, "iop-bench: the callgrind run failed (run it by hand: valgrind --tool=callgrind --toggle-collect=bench_hit_once %s --hit-child %d)\n",
			exe, CHILD_CALLS);
		return rc;
	}
	*per_hit = (double)ir / CHILD_CALLS;
	return 0;
}
