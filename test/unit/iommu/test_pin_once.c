/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule 7: N IOAS holding the same memory pin it once: later IOAS copy the
 * pages from the first (iommufd IOAS_COPY), checked on the sim's
 * pinned-page count and its memlock limit. As in the kernel (memlock.scn),
 * pages are pinned only while their IOAS has a device attached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define MiB (UINT64_C(1) << 20)
#define PAGES(len) ((len) / 4096)

static const char topo[] =
	"memlock 8M\n"
	"device 0000:00:03.0 group=1 driver=vfio-pci\n"
	"device 0000:00:04.0 group=2 driver=vfio-pci\n"
	"device 0000:00:05.0 group=3 driver=vfio-pci\n";
static const char *const bdfs[] = { "0000:00:03.0", "0000:00:04.0", "0000:00:05.0" };

static void rule7_same_memory_in_n_ioas_is_pinned_once(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_plan plan;
	struct iop_dev *devs[3];
	struct iop_ioas *ioas[3];
	size_t len = 6 * MiB;
	char *buf = hugebuf_alloc(len);
	uint64_t iova[3];
	char byte = 0x5a, got = 0;

	(void)state;
	assert_int_equal(iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, true, bdfs, 3, &plan), 0);
	assert_int_equal(plan.nioas, 3);
	assert_int_equal(iop_plan_apply(ctx, &plan, bdfs, 3, devs, ioas), 0);
	for (int i = 0; i < 3; i++) {
		/* 3 x 6 MiB would be far over the 8 MiB memlock */
		assert_int_equal(iop_ioas_map(ioas[i], buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova[i]), 0);
		assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(len));
	}
	/* every device reaches the same pages */
	assert_int_equal(iop_sim_dma_write(devs[2], iova[2] + 100, &byte, 1), 0);
	assert_int_equal(iop_sim_dma_read(devs[0], iova[0] + 100, &got, 1), 0);
	assert_int_equal(got, byte);
	/* the pages stay pinned until the last IOAS lets go */
	assert_int_equal(iop_ioas_unmap(ioas[0], buf, len), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(len));
	assert_int_equal(iop_ioas_unmap(ioas[2], buf, len), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(len));
	assert_int_equal(iop_ioas_unmap(ioas[1], buf, len), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, len);
	assert_sim_clean();
}

/* An IOAS with a device attached: its maps pin. */
static struct iop_ioas *attached_ioas(struct iop_ctx *ctx, const char *bdf)
{
	struct iop_ioas *ioas;
	struct iop_dev *d;

	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_dev_open(ctx, bdf, &d), 0);
	assert_int_equal(iop_dev_attach(d, ioas), 0);
	return ioas;
}

static void rule7_other_memory_is_pinned_again_up_to_memlock(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *a, *b;
	uint64_t iova;
	/* fake VAs: the sim counts pins without touching the pages */
	void *x = (void *)(uintptr_t)0x7f0000000000, *y = (void *)(uintptr_t)0x7f0010000000;

	(void)state;
	a = attached_ioas(ctx, bdfs[0]);
	b = attached_ioas(ctx, bdfs[1]);
	assert_int_equal(iop_ioas_map(a, x, 6 * MiB, IOP_PROT_READ, &iova), 0);
	/* a different range of the same size is not shared */
	iop_err_clear();
	assert_int_equal(iop_ioas_map(b, y, 6 * MiB, IOP_PROT_READ, &iova), -ENOMEM);
	assert_non_null(strstr(iop_err_msg(), "locked-memory limit"));
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(6 * MiB));
	/* a sub-range is not an exact earlier mapping: pinned again */
	assert_int_equal(iop_ioas_map(b, x, 2 * MiB, IOP_PROT_READ, &iova), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(8 * MiB));
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

static void rule7_memlock_refusal_names_the_limit_that_applied(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *a;
	uint64_t iova;
	void *x = (void *)(uintptr_t)0x7f0000000000;

	(void)state;
	a = attached_ioas(ctx, bdfs[0]);
	assert_int_equal(iop_ioas_map(a, x, 10 * MiB, IOP_PROT_READ, &iova), -ENOMEM);
	/* the sim's limit is the topology's, not the process's ulimit -l */
	assert_string_equal(iop_err_msg(),
		"iommu: cannot map 10485760 bytes into IOAS 1: the locked-memory limit refused it (the sim topology's memlock is 8 MiB); raise it to at least 10 MiB: the line 'memlock 10M' in the topology file");
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

/* What telemetry shows of a context: the IOAS, their mappings, the open
 * devices and the pinned bytes, which must be the backend's own count. */
static void rule7_pinned_bytes_shown_are_the_backend_s_pinned_pages(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas_info info[4];
	struct iop_map_info maps[2];
	struct iop_open_dev open[4];
	struct iop_plan plan;
	struct iop_dev *devs[3];
	struct iop_ioas *ioas[3];
	size_t len = 2 * MiB, n;
	char *buf = hugebuf_alloc(len);
	void *other = (void *)(uintptr_t)0x7f0000000000;
	uint64_t iova;
	int k;

	(void)state;
	assert_int_equal(iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, true, bdfs, 3, &plan), 0);
	assert_int_equal(iop_plan_apply(ctx, &plan, bdfs, 3, devs, ioas), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(iop_ioas_map(ioas[i], buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iop_ctx_pinned_bytes(ctx), iop_sim_pinned_pages(ctx) * 4096);
	assert_int_equal(iop_ctx_pinned_bytes(ctx), len);
	/* other memory in one IOAS is pinned again */
	assert_int_equal(iop_ioas_map(ioas[1], other, len, IOP_PROT_READ, &iova), 0);
	assert_int_equal(iop_ctx_pinned_bytes(ctx), iop_sim_pinned_pages(ctx) * 4096);
	assert_int_equal(iop_ctx_pinned_bytes(ctx), 2 * len);

	assert_int_equal(iop_ctx_ioas_list(ctx, NULL, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(iop_ctx_ioas_list(ctx, info, 4, &n), 0);
	for (unsigned int i = 0; i < 3; i++) {
		/* creation order */
		assert_int_equal(info[i].id, iop_ioas_id(ioas[i]));
		assert_int_equal(info[i].ndevs, 1);
		assert_int_equal(info[i].nmaps, i == 1 ? 2 : 1);
		assert_int_equal(info[i].mapped_bytes, i == 1 ? 2 * len : len);
	}
	assert_int_equal(iop_ctx_ioas_maps(ctx, iop_ioas_id(ioas[1]), maps, 2, &n), 0);
	assert_int_equal(n, 2);
	/* by VA */
	assert_true(maps[0].va < maps[1].va);
	k = maps[0].va == (uintptr_t)other ? 0 : 1;
	assert_int_equal(maps[k].va, (uintptr_t)other);
	assert_int_equal(maps[k].iova, iova);
	assert_int_equal(maps[k].len, len);
	assert_int_equal(maps[k].prot, IOP_PROT_READ);
	assert_int_equal(maps[1 - k].va, (uintptr_t)buf);
	assert_int_equal(iop_ctx_ioas_maps(ctx, 99, maps, 2, &n), -ENOENT);
	assert_int_equal(iop_ctx_open_devices(ctx, open, 4, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		for (k = 0; k < 3; k++)
			if (strcmp(open[i].bdf, bdfs[k]) == 0)
				assert_int_equal(open[i].ioas, iop_ioas_id(ioas[k]));
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, len);
	assert_sim_clean();
}

/* The kernel pins what was mapped before at the first attach (memlock.scn):
 * that attach is what the limit refuses, and its message says how much. */
static void rule7_first_attach_pins_earlier_maps_and_names_the_size(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *a;
	struct iop_dev *d;
	uint64_t iova;
	void *x = (void *)(uintptr_t)0x7f0000000000;

	(void)state;
	assert_int_equal(iop_ioas_create(ctx, &a), 0);
	assert_int_equal(iop_dev_open(ctx, bdfs[0], &d), 0);
	assert_int_equal(iop_ioas_map(a, x, 10 * MiB, IOP_PROT_READ, &iova), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	assert_int_equal(iop_dev_attach(d, a), -ENOMEM);
	assert_string_equal(iop_err_msg(),
		"iommu: cannot attach 0000:00:03.0 to IOAS 1: attaching pins the 10 MiB mapped in it: the locked-memory limit refused it (the sim topology's memlock is 8 MiB); raise it to at least 10 MiB: the line 'memlock 10M' in the topology file");
	assert_null(iop_dev_ioas(d));
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	/* within the limit the attach pins, and the last detach unpins */
	assert_int_equal(iop_ioas_unmap(a, x, 10 * MiB), 0);
	assert_int_equal(iop_ioas_map(a, x, 6 * MiB, IOP_PROT_READ, &iova), 0);
	assert_int_equal(iop_dev_attach(d, a), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(6 * MiB));
	assert_int_equal(iop_dev_detach(d), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

/* Item 1 of the kernel's copy rule (copy_edges.scn: a writable IOAS_COPY of
 * pages mapped read-only is EPERM): a copy stands in for a map only when
 * the source's protection covers the request. */
static void rule7_copy_only_when_the_source_protection_covers_the_map(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *a, *b, *c;
	struct iop_dev *db;
	size_t len = 2 * MiB;
	char *buf = hugebuf_alloc(len);
	uint64_t ia, ib, ic;
	char byte = 0x3c;

	(void)state;
	a = attached_ioas(ctx, bdfs[0]);
	assert_int_equal(iop_ioas_create(ctx, &b), 0);
	assert_int_equal(iop_dev_open(ctx, bdfs[1], &db), 0);
	assert_int_equal(iop_dev_attach(db, b), 0);
	c = attached_ioas(ctx, bdfs[2]);
	assert_int_equal(iop_ioas_map(a, buf, len, IOP_PROT_READ, &ia), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(len));
	/* read-write over read-only pages: a map of its own, pinned again */
	assert_int_equal(iop_ioas_map(b, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &ib), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(2 * len));
	assert_int_equal(iop_sim_dma_write(db, ib + 7, &byte, 1), 0);
	assert_int_equal(buf[7], byte);
	/* read-only over either: a copy, nothing pinned again */
	assert_int_equal(iop_ioas_map(c, buf, len, IOP_PROT_READ, &ic), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), PAGES(2 * len));
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, len);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule7_same_memory_in_n_ioas_is_pinned_once),
		cmocka_unit_test(rule7_other_memory_is_pinned_again_up_to_memlock),
		cmocka_unit_test(rule7_memlock_refusal_names_the_limit_that_applied),
		cmocka_unit_test(rule7_pinned_bytes_shown_are_the_backend_s_pinned_pages),
		cmocka_unit_test(rule7_first_attach_pins_earlier_maps_and_names_the_size),
		cmocka_unit_test(rule7_copy_only_when_the_source_protection_covers_the_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
