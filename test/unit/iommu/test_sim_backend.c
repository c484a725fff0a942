/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend against the kernel's iommufd semantics, with the exact
 * errno values the kernel gave in the guest (test/conformance, doc/backends.md):
 * fixed maps, unmaps in IOVA order, copies, pinning only with a domain and
 * memlock, alignment, ranges, attach, destroy and bind rules; simulated
 * DMA and its faults; the topology file's errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define MiB (UINT64_C(1) << 20)
#define RW (IOP_PROT_READ | IOP_PROT_WRITE)

static const char topo[] =
	"group 1 range=0-0x7fffffffff\n"
	"memlock 16M\n"
	"device 0000:00:03.0 group=1 driver=vfio-pci\n"
	"device 0000:00:04.0 group=2 driver=vfio-pci\n"
	"device 0000:00:05.0 group=3 driver=none\n"
	"device 0000:00:06.0 group=3 driver=vfio-pci\n";

struct fix {
	struct iop_ctx *ctx;
	const struct iop_backend_ops *ops;
	void *s;  /* a backend IOAS */
	void *d1; /* backend device of group 1 (39-bit) */
	void *d2; /* backend device of group 2 (default 48-bit) */
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ctx = sim_ctx_new(topo);
	f->ops = f->ctx->ops;
	assert_int_equal(f->ops->ioas_alloc(f->ctx->bctx, &f->s), 0);
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:03.0", &f->d1), 0);
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:04.0", &f->d2), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	f->ops->dev_close(f->d1);
	f->ops->dev_close(f->d2);
	assert_int_equal(f->ops->ioas_free(f->s), 0);
	iop_ctx_destroy(f->ctx);
	free(f);
	assert_sim_clean();
	return 0;
}

static void *va(uint64_t x)
{
	return (void *)(uintptr_t)x;
}

static void sim_map_overlap_is_eexist(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, 0x10000000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 2 * MiB, 0x10100000, RW), -EEXIST);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 2 * MiB, 0x0ff00000, RW), -EEXIST);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 2 * MiB, 0x10200000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 0, 0x20000000, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 8192, UINT64_MAX - 4095, RW), -EOVERFLOW);
}

/* Kernel (map_rules/unaligned.scn): iova_alignment is 1 until a domain. */
static void sim_alignment_applies_once_a_device_is_attached(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->map(f->s, va(0x7f0010000800), 4096, 0x20000100, RW), 0);
	assert_int_equal(f->ops->attach(f->d2, f->s), -EADDRINUSE);
	assert_int_equal(f->ops->unmap(f->s, 0, UINT64_MAX), 0);
	assert_int_equal(f->ops->attach(f->d2, f->s), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 4096, 0x20000100, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000800), 4096, 0x20000000, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 4095, 0x20000000, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 4096, 0x20000000, RW), 0);
	assert_int_equal(f->ops->detach(f->d2), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000800), 4096, 0x20001100, RW), 0);
}

/* Kernel (unmap_order.scn): whole areas in IOVA order, ENOENT at the first
 * cut with the areas before it gone; unmap-all works on an empty IOAS. */
static void sim_unmap_removes_whole_areas_in_order_until_a_cut(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, 0x10000000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000200000), 2 * MiB, 0x10200000, RW), 0);
	/* the first area would be cut: nothing goes */
	assert_int_equal(f->ops->unmap(f->s, 0x10000000, MiB), -ENOENT);
	assert_int_equal(f->ops->unmap(f->s, 0x10100000, 2 * MiB), -ENOENT);
	/* the second would be cut: the first is gone */
	assert_int_equal(f->ops->unmap(f->s, 0x10000000, 3 * MiB), -ENOENT);
	assert_int_equal(f->ops->unmap(f->s, 0x10000000, 2 * MiB), -ENOENT);
	/* nothing there */
	assert_int_equal(f->ops->unmap(f->s, 0x20000000, 2 * MiB), -ENOENT);
	assert_int_equal(f->ops->unmap(f->s, 0x20000000, 0), -EINVAL);
	assert_int_equal(f->ops->unmap(f->s, 0x1000, UINT64_MAX), -EOVERFLOW);
	/* whole mappings, with room around them */
	assert_int_equal(f->ops->unmap(f->s, 0x0f000000, 0x2000000), 0);
	assert_int_equal(f->ops->unmap(f->s, 0x10200000, 2 * MiB), -ENOENT);
	assert_int_equal(f->ops->unmap(f->s, 0, UINT64_MAX), 0);
}

static void sim_copy_source_must_be_covered_by_maps(void **state)
{
	struct fix *f = *state;
	void *t;

	assert_int_equal(f->ops->ioas_alloc(f->ctx->bctx, &t), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 4 * MiB, 0x10000000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000400000), 2 * MiB, 0x10400000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000800000), 2 * MiB, 0x10800000, RW), 0);
	/* past the end of what is mapped, or across a hole */
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10600000, 4 * MiB, RW), -ENOENT);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x0ff00000, 2 * MiB, RW), -ENOENT);
	/* whole, part of one, or across two contiguous mappings */
	assert_int_equal(f->ops->attach(f->d2, f->s), 0);
	assert_int_equal(f->ops->attach(f->d1, t), 0);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10000000, 4 * MiB, RW), 0);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10000000, 4 * MiB, RW), -EEXIST);
	assert_int_equal(f->ops->copy(t, 0x50000000, f->s, 0x10200000, 2 * MiB, RW), 0);
	assert_int_equal(f->ops->copy(t, 0x60000000, f->s, 0x10200000, 4 * MiB, RW), 0);
	/* nothing pinned twice */
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 8 * MiB / 4096);
	/* the copies keep their pages after the source goes; the pages of
	 * the third mapping, never copied, are released */
	assert_int_equal(f->ops->unmap(f->s, 0, UINT64_MAX), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 6 * MiB / 4096);
	/* no IOAS with a domain maps them any more: unpinned */
	assert_int_equal(f->ops->ioas_free(t), -EBUSY);
	assert_int_equal(f->ops->detach(f->d1), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 0);
	assert_int_equal(f->ops->ioas_free(t), 0);
}

/* Kernel (copy_edges.scn): a writable copy of pages mapped read-only is
 * EPERM; into an IOAS with a domain, a source inside a page is EINVAL. */
static void sim_copy_keeps_protection_and_page_offsets(void **state)
{
	struct fix *f = *state;
	void *t;

	assert_int_equal(f->ops->ioas_alloc(f->ctx->bctx, &t), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, 0x10000000, IOP_PROT_READ), 0);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10000000, 2 * MiB, RW), -EPERM);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10000000, 2 * MiB, IOP_PROT_WRITE), -EPERM);
	assert_int_equal(f->ops->copy(t, 0x40000000, f->s, 0x10000000, 2 * MiB, IOP_PROT_READ), 0);
	/* no domain yet: a source inside a page is fine */
	assert_int_equal(f->ops->copy(t, 0x50000800, f->s, 0x10000800, 4096, IOP_PROT_READ), 0);
	assert_int_equal(f->ops->unmap(t, 0x50000800, 4096), 0);
	assert_int_equal(f->ops->attach(f->d2, t), 0);
	assert_int_equal(f->ops->copy(t, 0x50000000, f->s, 0x10000800, 4096, IOP_PROT_READ), -EINVAL);
	assert_int_equal(f->ops->copy(t, 0x50000800, f->s, 0x10001000, 4096, IOP_PROT_READ), -EINVAL);
	assert_int_equal(f->ops->copy(t, 0x50000000, f->s, 0x10001000, 4096, IOP_PROT_READ), 0);
	assert_int_equal(f->ops->detach(f->d2), 0);
	assert_int_equal(f->ops->ioas_free(t), 0);
}

/* Kernel (destroy.scn): IOMMU_DESTROY of an IOAS with a device attached is
 * EBUSY and the device stays on it. */
static void sim_ioas_with_a_device_attached_cannot_be_freed(void **state)
{
	struct fix *f = *state;
	void *t, *u;

	assert_int_equal(f->ops->ioas_alloc(f->ctx->bctx, &t), 0);
	assert_int_equal(f->ops->attach(f->d2, t), 0);
	assert_int_equal(f->ops->ioas_free(t), -EBUSY);
	/* still on t: its group's 48-bit range narrows t */
	assert_int_equal(f->ops->map(t, va(0x7f0000000000), 2 * MiB, UINT64_C(1) << 48, RW), -EINVAL);
	assert_int_equal(f->ops->map(t, va(0x7f0000000000), 2 * MiB, 0x10000000, RW), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 2 * MiB / 4096);
	/* a new IOAS does not inherit the group */
	assert_int_equal(f->ops->ioas_alloc(f->ctx->bctx, &u), 0);
	assert_int_equal(f->ops->map(u, va(0x7f0000000000), 2 * MiB, UINT64_C(1) << 48, RW), 0);
	assert_int_equal(f->ops->detach(f->d2), 0);
	assert_int_equal(f->ops->ioas_free(t), 0);
	assert_int_equal(f->ops->ioas_free(u), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 0);
}

static void sim_pinned_pages_count_against_memlock(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->attach(f->d2, f->s), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 12 * MiB, 0x10000000, RW), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 8 * MiB, 0x20000000, RW), -ENOMEM);
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 4 * MiB, 0x20000000, RW), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 16 * MiB / 4096);
	assert_int_equal(f->ops->unmap(f->s, 0x10000000, 12 * MiB), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 4 * MiB / 4096);
}

/* Kernel (memlock.scn): pins only while the IOAS has a domain; the first
 * attach pins (or is refused with ENOMEM), the last detach unpins. */
static void sim_pages_are_pinned_only_while_a_device_is_attached(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 20 * MiB, 0x10000000, RW), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 0);
	assert_int_equal(f->ops->attach(f->d2, f->s), -ENOMEM);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 0);
	assert_int_equal(f->ops->unmap(f->s, 0x10000000, 20 * MiB), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 10 * MiB, 0x10000000, RW), 0);
	assert_int_equal(f->ops->attach(f->d2, f->s), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 10 * MiB / 4096);
	/* a second group on the IOAS shares its domain: nothing more */
	assert_int_equal(f->ops->attach(f->d1, f->s), 0);
	assert_int_equal(f->ops->detach(f->d2), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 10 * MiB / 4096);
	assert_int_equal(f->ops->detach(f->d1), 0);
	assert_int_equal(iop_sim_pinned_pages(f->ctx), 0);
}

static void sim_map_outside_ranges_is_einval(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->attach(f->d1, f->s), 0);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, UINT64_C(1) << 39, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, (UINT64_C(1) << 39) - MiB, RW), -EINVAL);
	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, (UINT64_C(1) << 39) - 2 * MiB, RW), 0);
	assert_int_equal(f->ops->detach(f->d1), 0);
	/* the range widened: now it fits */
	assert_int_equal(f->ops->map(f->s, va(0x7f0010000000), 2 * MiB, UINT64_C(1) << 39, RW), 0);
}

static void sim_attach_over_mappings_outside_ranges_is_eaddrinuse(void **state)
{
	struct fix *f = *state;

	assert_int_equal(f->ops->map(f->s, va(0x7f0000000000), 2 * MiB, UINT64_C(1) << 40, RW), 0);
	assert_int_equal(f->ops->attach(f->d1, f->s), -EADDRINUSE);
	assert_int_equal(f->ops->attach(f->d2, f->s), 0);
	assert_int_equal(f->ops->detach(f->d2), 0);
	/* as the kernel: detaching a detached device does nothing */
	assert_int_equal(f->ops->detach(f->d2), 0);
}

static void sim_bind_rules(void **state)
{
	struct fix *f = *state;
	void *d;

	/* a device on no driver has no VFIO node; a second bind of a bound
	 * one is EINVAL (kernel: group_rules.scn) */
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:05.0", &d), -ENODEV);
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:09.0", &d), -ENODEV);
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:03.0", &d), -EINVAL);
	/* a sibling on no driver keeps the group viable */
	assert_int_equal(f->ops->dev_open(f->ctx->bctx, "0000:00:06.0", &d), 0);
	f->ops->dev_close(d);
}

static void sim_core_names_the_fix_for_a_device_on_no_driver(void **state)
{
	struct fix *f = *state;
	struct iop_dev *d;

	assert_int_equal(iop_dev_open(f->ctx, "0000:00:05.0", &d), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "iop-devices bind 0000:00:05.0"));
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:0a.0", &d), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "unknown device 0000:00:0a.0"));
	/* the lspci short form names domain 0 */
	assert_int_equal(iop_dev_open(f->ctx, "00:06.0", &d), 0);
	assert_string_equal(iop_dev_bdf(d), "0000:00:06.0");
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:06.0", &d), -EBUSY);
	assert_int_equal(iop_dev_fd(d), -1);
}

static void sim_dma_faults_are_counted_and_touch_nothing(void **state)
{
	struct fix *f = *state;
	struct iop_dev *d;
	struct iop_ioas *ioas;
	struct iop_sim_faults flt;
	size_t len = 4 * MiB;
	char *buf = hugebuf_alloc(len);
	char *ro = buf + 2 * MiB;
	uint64_t iova, iova_ro;
	char data[64], back[64];

	memset(data, 0xab, sizeof(data));
	memset(buf, 0, len);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:06.0", &d), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &ioas), 0);
	/* attached nowhere: the group's DMA is blocked */
	assert_int_equal(iop_sim_dma_write(d, 0x1000, data, 8), -EFAULT);
	assert_int_equal(iop_dev_attach(d, ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, 2 * MiB, RW, &iova), 0);
	assert_int_equal(iop_ioas_map(ioas, ro, 2 * MiB, IOP_PROT_READ, &iova_ro), 0);
	assert_int_equal(iova_ro, iova + 2 * MiB);
	/* reads may span the two mappings */
	assert_int_equal(iop_sim_dma_write(d, iova + 2 * MiB - 32, data, 32), 0);
	assert_int_equal(iop_sim_dma_read(d, iova + 2 * MiB - 32, back, 64), 0);
	assert_memory_equal(back, data, 32);
	/* a write that reaches into the read-only mapping faults at its start */
	memset(data, 0xcd, sizeof(data));
	assert_int_equal(iop_sim_dma_write(d, iova + 2 * MiB - 16, data, 32), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(d, &flt), 0);
	assert_int_equal(flt.count, 2);
	assert_int_equal(flt.last_iova, iova + 2 * MiB);
	/* untouched, even the part that was writable */
	assert_int_equal((unsigned char)buf[2 * MiB - 16], 0xab);
	assert_int_equal(ro[0], 0);
	/* past the end */
	assert_int_equal(iop_sim_dma_read(d, iova + 4 * MiB - 8, back, 16), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(d, &flt), 0);
	assert_int_equal(flt.count, 3);
	assert_int_equal(flt.last_iova, iova + 4 * MiB);
	/* after unmap the IOVA faults */
	assert_int_equal(iop_ioas_unmap(ioas, buf, 2 * MiB), 0);
	assert_int_equal(iop_sim_dma_read(d, iova, back, 1), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(d, &flt), 0);
	assert_int_equal(flt.count, 4);
	assert_int_equal(flt.last_iova, iova);
	assert_int_equal(iop_sim_dma_read(d, iova, back, 0), 0);
	iop_dev_close(d);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	hugebuf_free(buf, len);
}

struct dma_thread {
	struct iop_dev *dev;
	uint64_t iova;
	int stop;
	unsigned long ok, bad;
};

static void *dma_loop(void *arg)
{
	struct dma_thread *t = arg;
	char b[256];

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		if (iop_sim_dma_read(t->dev, t->iova, b, sizeof(b)) == 0 && b[0] == 0x11)
			__atomic_add_fetch(&t->ok, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&t->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* A device-model thread keeps DMAing through a stable mapping while the
 * control thread maps and unmaps others (the area array grows, moves and
 * shrinks under it). */
static void sim_dma_runs_beside_map_and_unmap(void **state)
{
	struct fix *f = *state;
	struct dma_thread t = { 0 };
	struct iop_ioas *ioas;
	size_t len = 2 * MiB;
	char *buf = hugebuf_alloc(len);
	pthread_t th;
	uint64_t iova;

	memset(buf, 0x11, len);
	assert_int_equal(iop_dev_open(f->ctx, "0000:00:06.0", &t.dev), 0);
	assert_int_equal(iop_ioas_create(f->ctx, &ioas), 0);
	assert_int_equal(iop_dev_attach(t.dev, ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, len, IOP_PROT_READ, &t.iova), 0);
	assert_int_equal(pthread_create(&th, NULL, dma_loop, &t), 0);
	/* at least 20 rounds, and until the thread has done some DMA */
	for (int round = 0; round < 20 || __atomic_load_n(&t.ok, __ATOMIC_RELAXED) < 100; round++) {
		for (uint64_t i = 0; i < 64; i++)
			assert_int_equal(iop_ioas_map(ioas, va(0x100000000000 + i * 2 * MiB), 4096,
						      IOP_PROT_READ, &iova), 0);
		for (uint64_t i = 0; i < 64; i++)
			assert_int_equal(iop_ioas_unmap(ioas, va(0x100000000000 + i * 2 * MiB), 4096), 0);
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_int_equal(t.bad, 0);
	assert_true(t.ok > 0);
	iop_dev_close(t.dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	hugebuf_free(buf, len);
}

/* Two contexts on one topology file are two users of one machine: the
 * first to bind a device of a group owns the group; the other gets EPERM
 * (kernel: ownership.scn). */
static void sim_group_is_owned_by_one_context(void **state)
{
	char *path = topo_file_write(
		"device 0000:00:03.0 group=1 driver=vfio-pci\n"
		"device 0000:00:05.0 group=3 driver=vfio-pci\n"
		"device 0000:00:06.0 group=3 driver=vfio-pci\n");
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_ctx *c1, *c2;
	struct iop_dev *a, *b, *other;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &c1), 0);
	assert_int_equal(iop_ctx_create(&p, &c2), 0);
	assert_int_equal(iop_dev_open(c1, "0000:00:06.0", &a), 0);
	/* the device itself is bound elsewhere: EINVAL, as vfio_df_open */
	assert_int_equal(iop_dev_open(c2, "0000:00:06.0", &b), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "already bound"));
	/* its sibling: the group is owned elsewhere, EPERM */
	assert_int_equal(iop_dev_open(c2, "0000:00:05.0", &b), -EPERM);
	assert_non_null(strstr(iop_err_msg(), "in use by a kernel driver or another process"));
	assert_int_equal(iop_dev_open(c2, "0000:00:03.0", &other), 0);
	iop_dev_close(a);
	assert_int_equal(iop_dev_open(c2, "0000:00:05.0", &b), 0);
	iop_ctx_destroy(c1);
	iop_ctx_destroy(c2);
	topo_file_remove(path);
	assert_sim_clean();
}

/* Rule 4, one predicate for core, kernel backends and sim: drivers that do
 * no DMA of their own (pcieport, pci-stub) leave a NIC's group viable. */
static void rule4_root_port_on_pcieport_and_pci_stub_keep_the_group_viable(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(
		"device 0000:00:1c.0 group=7 driver=pcieport\n"
		"device 0000:01:00.0 group=7 driver=vfio-pci\n"
		"device 0000:01:00.1 group=7 driver=pci-stub\n"
		"device 0000:02:00.0 group=8 driver=vfio-pci\n"
		"device 0000:02:00.1 group=8 driver=ixgbe\n");
	struct iop_group_info gi;
	struct iop_dev *d;

	(void)state;
	assert_int_equal(iop_ctx_group_info(ctx, 7, &gi), 0);
	assert_true(gi.viable);
	assert_int_equal(iop_dev_open(ctx, "0000:01:00.0", &d), 0);
	iop_dev_close(d);
	/* a driver that does DMA still blocks, and the fix names only it */
	assert_int_equal(iop_dev_open(ctx, "0000:02:00.0", &d), -EPERM);
	assert_non_null(strstr(iop_err_msg(), "fix: iop-devices bind 0000:02:00.1"));
	assert_int_equal(iop_ctx_group_info(ctx, 8, &gi), 0);
	assert_false(gi.viable);
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

struct bad_topo {
	const char *text;
	const char *msg; /* expected after "topology FILE:" */
};

static void sim_topology_errors_name_file_and_line(void **state)
{
	static const struct bad_topo bad[] = {
		{ "# c\nfoo 1\n", ":2: unknown keyword 'foo'" },
		{ "device 0000:00:03 group=1 driver=vfio-pci\n", ":1: expected 'device <dddd:bb:dd.f>" },
		{ "\n\ndevice 0000:00:03.0 driver=vfio-pci\n", ":3: device 0000:00:03.0 needs group=<id>" },
		{ "device 0000:00:03.0 group=1 driver=vfio-pci color=red\n", ":1: unknown device attribute 'color'" },
		{ "device 0000:00:03.0 group=1 driver=vfio-pci\ndevice 0000:00:03.0 group=1 driver=none\n", ":2: device 0000:00:03.0 is declared twice" },
		{ "group 1 range=5-4\n", ":1: bad range '5-4'" },
		{ "group 1 range=0-9 range=5-20\n", ":1: ranges of group 1 overlap" },
		{ "group 1 iopage=3000\n", ":1: bad 'iopage=3000'" },
		{ "group 1 iopage=8K\n", ":1: bad 'iopage=8K'" },
		{ "group x\n", ":1: expected 'group <id>" },
		{ "group 1\ngroup 1\n", ":2: group 1 is declared twice" },
		{ "memlock lots\n", ":1: expected 'memlock <size>'" },
		{ "group 1 dma-window=0\n", ":1: bad 'dma-window=0' (expected dma-window=<size>, a multiple of 4K)" },
		{ "group 1 dma-window=1000\n", ":1: bad 'dma-window=1000'" },
		{ "group 1 dma-window=1G range=0-0xfff\n", ":1: group 1 has both dma-window= and range=" },
		{ "# nothing\n", ": no device lines" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = topo_file_write(bad[i].text);
		struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
		struct iop_ctx *ctx = NULL;
		char want[256];

		iop_err_clear();
		assert_int_equal(iop_ctx_create(&p, &ctx), -EINVAL);
		assert_null(ctx);
		snprintf(want, sizeof(want), "topology %s%s", path, bad[i].msg);
		if (!strstr(iop_err_msg(), want))
			fail_msg("case %zu: got '%s', want '%s'", i, iop_err_msg(), want);
		topo_file_remove(path);
	}
	assert_sim_clean();
}

static void sim_missing_topology_is_one_clear_error(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = "/nonexistent/x.topo" };
	struct iop_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &ctx), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "cannot open sim topology /nonexistent/x.topo"));
	/* no file at all is the built-in topology (test_sim_default_topology) */
	assert_sim_clean();
}

static void sim_auto_without_iommu_nodes_says_what_to_do(void **state)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_AUTO, .dev_root = "/nonexistent" };
	struct iop_ctx *ctx = NULL;
	enum iop_backend_kind k;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &ctx), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "neither /nonexistent/iommu with /nonexistent/vfio/devices nor /nonexistent/vfio/vfio exists"));
	assert_non_null(strstr(iop_err_msg(), "--iommu=sim --sim-topology=FILE"));
	assert_int_equal(iop_backend_parse("sim", &k), 0);
	assert_int_equal(k, IOP_BACKEND_SIM);
	assert_int_equal(iop_backend_parse("vfio2", &k), -EINVAL);
	assert_string_equal(iop_backend_name(IOP_BACKEND_IOMMUFD), "iommufd");
}

/* Runs iop_ctx_create(auto) on a fake /dev and returns what it logged. */
static void auto_on_fake_dev(const char *const *nodes, char *log, size_t len)
{
	char dev[] = "/tmp/iop-auto-XXXXXX", path[256], logpath[300];
	struct iop_ctx_params p = { .backend = IOP_BACKEND_AUTO, .dev_root = dev };
	struct iop_ctx *ctx = NULL;
	int saved, fd;
	ssize_t n;

	assert_non_null(mkdtemp(dev));
	snprintf(path, sizeof(path), "%s/vfio", dev);
	assert_int_equal(mkdir(path, 0755), 0);
	for (; *nodes; nodes++) {
		snprintf(path, sizeof(path), "%s/%s", dev, *nodes);
		fd = open(path, O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(logpath, sizeof(logpath), "%s.log", dev);
	fd = open(logpath, O_CREAT | O_RDWR | O_TRUNC, 0600);
	saved = dup(2);
	dup2(fd, 2);
	/* the type1 backend opens its container only with the first IOAS */
	if (iop_ctx_create(&p, &ctx) == 0)
		iop_ctx_destroy(ctx);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, log, len - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(logpath);
	snprintf(path, sizeof(path), "rm -rf %s", dev);
	assert_int_equal(system(path), 0);
}

static void auto_falls_back_to_vfio_and_says_why(void **state)
{
	const char *const vfio_only[] = { "vfio/vfio", NULL };
	char log[1024];

	(void)state;
	iop_log_set_level(IOP_LOG_WARN);
	auto_on_fake_dev(vfio_only, log, sizeof(log));
	assert_non_null(strstr(log, "--iommu=auto: using the VFIO type1 container: no /tmp/iop-auto-"));
	assert_non_null(strstr(log, "/iommu (kernel without CONFIG_IOMMUFD)"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(sim_map_overlap_is_eexist),
		T(sim_alignment_applies_once_a_device_is_attached),
		T(sim_unmap_removes_whole_areas_in_order_until_a_cut),
		T(sim_copy_source_must_be_covered_by_maps),
		T(sim_copy_keeps_protection_and_page_offsets),
		T(sim_ioas_with_a_device_attached_cannot_be_freed),
		T(sim_pinned_pages_count_against_memlock),
		T(sim_pages_are_pinned_only_while_a_device_is_attached),
		T(sim_map_outside_ranges_is_einval),
		T(sim_attach_over_mappings_outside_ranges_is_eaddrinuse),
		T(sim_bind_rules),
		T(sim_core_names_the_fix_for_a_device_on_no_driver),
		T(sim_dma_faults_are_counted_and_touch_nothing),
		T(sim_dma_runs_beside_map_and_unmap),
		cmocka_unit_test(sim_group_is_owned_by_one_context),
		cmocka_unit_test(rule4_root_port_on_pcieport_and_pci_stub_keep_the_group_viable),
		cmocka_unit_test(sim_topology_errors_name_file_and_line),
		cmocka_unit_test(sim_missing_topology_is_one_clear_error),
		cmocka_unit_test(sim_auto_without_iommu_nodes_says_what_to_do),
		cmocka_unit_test(auto_falls_back_to_vfio_and_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
