/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed 004 on the sim, for what the kernel's test accesses cannot show (they
 * always unpin when called back; iop-vm-access compares the rest with the
 * kernel step by step): an access that never unpins fails the unmap with
 * EDEADLOCK, as iopt_unmap_iova_range in Linux 6.12 does, and the area
 * then refuses new pins and reads; once the user lets go the unmap works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "iommu_internal.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define LEN (2u << 20)

static const char topo[] = "device 0000:00:03.0 group=1 driver=vfio-pci\n";

struct stuck_user {
	unsigned int calls;
	uint64_t iova, len;
};

static void ignore_unmap(void *data, uint64_t iova, uint64_t len)
{
	struct stuck_user *u = data;

	u->calls++;
	u->iova = iova;
	u->len = len;
}

static void sim_access_that_never_unpins_fails_the_unmap_with_edeadlock(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *ioas;
	struct iop_sim_access *a;
	struct stuck_user u = { 0 };
	void *buf = hugebuf_alloc(LEN);
	uint64_t iova;
	char byte;

	(void)state;
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iop_sim_access_create(ioas, ignore_unmap, &u, &a), 0);
	assert_int_equal(iop_sim_access_pin(a, iova + 4096, 4096, true), 0);

	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), -EDEADLOCK);
	assert_non_null(strstr(iop_err_msg(), "did not release them; it stays mapped"));
	/* told about the whole area, and more than once */
	assert_true(u.calls > 1);
	assert_int_equal(u.iova, iova);
	assert_int_equal(u.len, LEN);
	/* the area is closed to accesses, but still mapped (and, as any
	 * failed unmap, no longer translated) */
	assert_int_equal(iop_sim_access_pin(a, iova, 4096, false), -EINVAL);
	assert_int_equal(iop_sim_access_rw(a, iova, &byte, 1, false), -EINVAL);
	assert_true(iop_ioas_maps_exactly(ioas, buf, LEN));
	assert_int_equal(iop_ioas_va2iova(ioas, buf, &iova), -ESTALE);

	iop_sim_access_unpin(a, iova + 4096, 4096);
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	iop_sim_access_destroy(a);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

/* iopt_unmap_iova_range drains and removes area by area in IOVA order: an
 * access that never lets go of the second area fails the unmap with
 * EDEADLOCK, the first area gone and the second still mapped (the sim's
 * backend, as iop-scn drives it). */
static void sim_unmap_removes_areas_before_the_one_an_access_holds(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	const struct iop_backend_ops *ops;
	struct stuck_user u = { 0 };
	struct iop_sim_access *a;
	struct iop_ioas *ioas;
	char *buf = hugebuf_alloc(LEN), byte;

	(void)state;
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	ops = ioas->ctx->ops;
	assert_int_equal(ops->map(ioas->bioas, buf, LEN / 2, 0x100000, IOP_PROT_READ), 0);
	assert_int_equal(ops->map(ioas->bioas, buf + LEN / 2, LEN / 2, 0x100000 + LEN / 2, IOP_PROT_READ), 0);
	assert_int_equal(iop_sim_access_create(ioas, ignore_unmap, &u, &a), 0);
	assert_int_equal(iop_sim_access_pin(a, 0x100000 + LEN / 2, 4096, false), 0);
	assert_int_equal(ops->unmap(ioas->bioas, 0x100000, LEN), -EDEADLOCK);
	assert_int_equal(u.iova, 0x100000 + LEN / 2);
	assert_int_equal(iop_sim_access_rw(a, 0x100000, &byte, 1, false), -ENOENT);
	assert_int_equal(iop_sim_access_rw(a, 0x100000 + LEN / 2, &byte, 1, false), -EINVAL);
	/* the kernel's access holds its IOAS: no destroy under it */
	assert_int_equal(ops->ioas_free(ioas->bioas), -EBUSY);
	iop_sim_access_unpin(a, 0x100000 + LEN / 2, 4096);
	assert_int_equal(ops->unmap(ioas->bioas, 0, UINT64_MAX), 0);
	iop_sim_access_destroy(a);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

/* The kernel charges an access's pins to RLIMIT_MEMLOCK, with or without
 * a domain (iopt_pages_fill_xarray; read in Linux 6.12, the test accesses
 * cannot show it under a limit): pinned pages count once, whoever pins
 * them, and a pin past the line is ENOMEM with nothing pinned. */
static void sim_access_pins_count_against_memlock_once_per_page(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new("memlock 8K\n"
					  "device 0000:00:03.0 group=1 driver=vfio-pci\n");
	struct stuck_user u = { 0 };
	struct iop_sim_access *a;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	char *buf = hugebuf_alloc(LEN);
	uint64_t iova;

	(void)state;
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	assert_int_equal(iop_sim_access_create(ioas, ignore_unmap, &u, &a), 0);
	assert_int_equal(iop_sim_access_pin(a, iova, 8192, false), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 2);
	/* the same pages again cost nothing; a third page is over the line */
	assert_int_equal(iop_sim_access_pin(a, iova + 4096, 4096, true), 0);
	assert_int_equal(iop_sim_pinned_pages(ctx), 2);
	assert_int_equal(iop_sim_access_pin(a, iova + 4096, 8192, false), -ENOMEM);
	assert_int_equal(iop_sim_pinned_pages(ctx), 2);
	/* a domain pinning the whole mapping needs its 512 pages */
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), -ENOMEM);
	iop_sim_access_unpin(a, iova + 4096, 4096);
	assert_int_equal(iop_sim_pinned_pages(ctx), 2);
	iop_sim_access_unpin(a, iova, 8192);
	assert_int_equal(iop_sim_pinned_pages(ctx), 0);
	iop_sim_access_destroy(a);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

/* A device's DMA is an access's read/write: into an area whose unmap is
 * waiting for an access's pins it faults (iommufd_access_rw: EINVAL), and
 * works again once the area is unmapped and mapped afresh. */
static void sim_device_dma_faults_in_an_area_an_unmap_waits_for(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct stuck_user u = { 0 };
	struct iop_sim_access *a;
	struct iop_sim_faults f;
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	char *buf = hugebuf_alloc(LEN), data[64] = "frame";
	uint64_t iova, again;

	(void)state;
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &dev), 0);
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iop_sim_dma_write(dev, iova + 100, data, sizeof(data)), 0);
	assert_memory_equal(buf + 100, data, sizeof(data));
	assert_int_equal(iop_sim_access_create(ioas, ignore_unmap, &u, &a), 0);
	assert_int_equal(iop_sim_access_pin(a, iova, 4096, false), 0);
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), -EDEADLOCK);
	memset(buf + 100, 0, sizeof(data));
	assert_int_equal(iop_sim_dma_write(dev, iova + 100, data, sizeof(data)), -EFAULT);
	assert_int_equal(buf[100], 0);
	assert_int_equal(iop_sim_dev_faults(dev, &f), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.last_iova, iova + 100);
	iop_sim_access_unpin(a, iova, 4096);
	iop_sim_access_destroy(a);
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &again), 0);
	assert_int_equal(iop_sim_dma_write(dev, again + 100, data, sizeof(data)), 0);
	assert_memory_equal(buf + 100, data, sizeof(data));
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

struct writer {
	struct iop_dev *dev;
	uint64_t iova;
	int stop;
	unsigned long ok, faults;
};

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	char frame[256];

	memset(frame, 0xaa, sizeof(frame));
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		if (iop_sim_dma_write(w->dev, w->iova, frame, sizeof(frame)) == 0)
			__atomic_add_fetch(&w->ok, 1, __ATOMIC_RELEASE);
		else
			__atomic_add_fetch(&w->faults, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void wait_above(unsigned long *counter, unsigned long floor)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < floor)
		sched_yield();
}

/* Unmap while a device still uses the pages: the unmap waits for the DMA
 * in flight (the device is an access user) and succeeds, and no DMA lands
 * in the memory once it has returned. */
static void sim_unmap_waits_for_device_dma_and_none_lands_after(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct writer w = { 0 };
	struct iop_ioas *ioas;
	char *buf = hugebuf_alloc(LEN), zero[256] = { 0 };
	pthread_t th;

	(void)state;
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &w.dev), 0);
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_dev_attach(w.dev, ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &w.iova), 0);
	assert_int_equal(pthread_create(&th, NULL, write_loop, &w), 0);
	for (int round = 0; round < 50; round++) {
		uint64_t iova;

		wait_above(&w.ok, __atomic_load_n(&w.ok, __ATOMIC_ACQUIRE) + 10);
		assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
		memset(buf, 0, sizeof(zero));
		wait_above(&w.faults, __atomic_load_n(&w.faults, __ATOMIC_ACQUIRE) + 10);
		assert_memory_equal(buf, zero, sizeof(zero));
		/* the same IOVA again: iova = va while nothing narrows it */
		assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
		assert_int_equal(iova, w.iova);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	iop_dev_close(w.dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_access_that_never_unpins_fails_the_unmap_with_edeadlock),
		cmocka_unit_test(sim_unmap_removes_areas_before_the_one_an_access_holds),
		cmocka_unit_test(sim_access_pins_count_against_memlock_once_per_page),
		cmocka_unit_test(sim_device_dma_faults_in_an_area_an_unmap_waits_for),
		cmocka_unit_test(sim_unmap_waits_for_device_dma_and_none_lands_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
