/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "iova_table.h"
#include "sim_fixture.h"
#include "sim_internal.h"

const struct topo_variant variant_singletons = {
	.name = "singletons",
	.text = "group 1\ngroup 2\n"
		"device 0000:00:03.0 group=1 driver=vfio-pci type=sim\n"
		"device 0000:00:04.0 group=2 driver=vfio-pci type=sim\n",
	.a = "0000:00:03.0", .b = "0000:00:04.0",
};

const struct topo_variant variant_group2 = {
	.name = "group2",
	.text = "group 7\n"
		"device 0000:01:00.0 group=7 driver=vfio-pci type=sim\n"
		"device 0000:01:00.1 group=7 driver=vfio-pci type=sim\n",
	.a = "0000:01:00.0", .b = "0000:01:00.1", .same_group = true,
};

/* a is alone in its group; b shares group 9 with a NIC on e1000e */
const struct topo_variant variant_kernel_sibling = {
	.name = "kernel-sibling",
	.text = "group 8\ngroup 9\n"
		"device 0000:00:03.0 group=8 driver=vfio-pci type=sim\n"
		"device 0000:02:00.0 group=9 driver=vfio-pci type=sim\n"
		"device 0000:02:00.1 group=9 driver=e1000e\n",
	.a = "0000:00:03.0", .b = "0000:02:00.0", .b_blocked = true,
};

char *topo_file_write(const char *text)
{
	char *path = strdup("/tmp/iop-topo-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

void topo_file_remove(char *path)
{
	unlink(path);
	free(path);
}

struct iop_ctx *sim_ctx_new(const char *text)
{
	char *path = topo_file_write(text);
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_ctx *ctx = NULL;
	int rc = iop_ctx_create(&p, &ctx);

	topo_file_remove(path);
	if (rc)
		fail_msg("iop_ctx_create: %s", iop_err_msg());
	return ctx;
}

void assert_sim_clean(void)
{
	struct iop_sim_counters c;

	iop_sim_counters(&c);
	assert_int_equal(c.open_fds, 0);
	assert_int_equal(c.allocations, 0);
	assert_int_equal(c.mappings, 0);
	assert_int_equal(c.pinned_pages, 0);
}

static const struct sim_area *sim_area_at(const struct sim_ioas *s, uint64_t iova)
{
	for (size_t i = 0; i < s->nareas; i++)
		if (s->areas[i].iova == iova)
			return &s->areas[i];
	return NULL;
}

void assert_tables_match_backend(struct iop_ctx *ctx)
{
	for (struct iop_ioas *s = ctx->ioas_list; s; s = s->next) {
		const struct sim_ioas *ss = s->bioas;
		size_t n = iop_iova_table_list(s->table, NULL, 0);
		struct iop_iova_table_mapping *t = calloc(n + 1, sizeof(*t));

		assert_non_null(t);
		assert_int_equal(iop_iova_table_list(s->table, t, n), n);
		/* one list: the backend's areas, the IOAS's maps, the table */
		assert_int_equal(n, ss->nareas);
		assert_int_equal(n, s->nmaps);
		for (size_t i = 0; i < n; i++) {
			const struct sim_area *a = sim_area_at(ss, t[i].iova);
			uint64_t want = t[i].stale ? IOP_IOVA_POISON : t[i].iova;
			uint64_t last = t[i].stale ? IOP_IOVA_POISON : t[i].iova + t[i].len - 1;

			assert_non_null(a);
			assert_int_equal(a->va, t[i].va);
			assert_int_equal(a->len, t[i].len);
			assert_int_equal(s->maps[i].va, t[i].va);
			assert_int_equal(s->maps[i].iova, t[i].iova);
			assert_int_equal(s->maps[i].len, t[i].len);
			assert_int_equal(s->maps[i].stale, t[i].stale);
			/* and it translates as it must: a stale one nowhere */
			assert_int_equal(iop_iova_table_lookup(s->table, t[i].va), want);
			assert_int_equal(iop_iova_table_lookup(s->table, t[i].va + t[i].len - 1), last);
		}
		free(t);
	}
}

void *hugebuf_alloc(size_t len)
{
	size_t hp = 2u << 20;
	char *p = mmap(NULL, len + hp, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	assert_true(p != MAP_FAILED);
	a = (char *)(((uintptr_t)p + hp - 1) & ~(uintptr_t)(hp - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + hp)
		munmap(a + len, (size_t)(p + len + hp - (a + len)));
	return a;
}

void hugebuf_free(void *p, size_t len)
{
	munmap(p, len);
}
