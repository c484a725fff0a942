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
#include <string.h>

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
	assert_non_null(strstr(iop_err_msg(), "did not release them; the mapping stays"));
	/* told about the whole area, and more than once */
	assert_true(u.calls > 1);
	assert_int_equal(u.iova, iova);
	assert_int_equal(u.len, LEN);
	/* the area is closed to accesses, but still mapped */
	assert_int_equal(iop_sim_access_pin(a, iova, 4096, false), -EINVAL);
	assert_int_equal(iop_sim_access_rw(a, iova, &byte, 1, false), -EINVAL);
	assert_int_equal(iop_ioas_va2iova(ioas, buf, &iova), 0);

	iop_sim_access_unpin(a, iova + 4096, 4096);
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	iop_sim_access_destroy(a);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

/* A device's DMA pins what it touches only for the copy: an unmap after it
 * needs no call-back and works, and a later DMA there faults. */
static void sim_device_dma_holds_no_pin_after_the_copy(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_ioas *ioas;
	struct iop_dev *dev;
	struct iop_sim_faults f;
	void *buf = hugebuf_alloc(LEN);
	uint64_t iova;
	char data[64] = "frame";

	(void)state;
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &dev), 0);
	assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	assert_int_equal(iop_ioas_map(ioas, buf, LEN, IOP_PROT_READ | IOP_PROT_WRITE, &iova), 0);
	assert_int_equal(iop_sim_dma_write(dev, iova + 100, data, sizeof(data)), 0);
	assert_memory_equal((char *)buf + 100, data, sizeof(data));
	assert_int_equal(iop_ioas_unmap(ioas, buf, LEN), 0);
	assert_int_equal(iop_sim_dma_write(dev, iova + 100, data, sizeof(data)), -EFAULT);
	assert_int_equal(iop_sim_dev_faults(dev, &f), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.last_iova, iova + 100);
	iop_dev_close(dev);
	assert_int_equal(iop_ioas_destroy(ioas), 0);
	iop_ctx_destroy(ctx);
	hugebuf_free(buf, LEN);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_access_that_never_unpins_fails_the_unmap_with_edeadlock),
		cmocka_unit_test(sim_device_dma_holds_no_pin_after_the_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
