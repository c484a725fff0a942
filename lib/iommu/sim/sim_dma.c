/* SPDX-License-Identifier: BSD-3-Clause */
/* Simulated DMA: a device reads and writes through its group's IOAS. */
#include <errno.h>

#include "iop_sim.h"
#include "iommu_internal.h"
#include "sim_access.h"
#include "sim_internal.h"

/* An IOMMU fault: counted with its address; no memory is touched. */
static int fault(struct sim_dev *d, uint64_t iova)
{
	__atomic_store_n(&d->fault_last, iova, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->fault_count, 1, __ATOMIC_RELEASE);
	return -EFAULT;
}

/*
 * A device's DMA is an access user's read/write (seed 004): checked and
 * copied under the IOAS's read lock, so an unmap waits for the copy in
 * flight, and refused (a fault) in an area an unmap is waiting to remove.
 */
int sim_dma(struct sim_dev *d, uint64_t iova, void *buf, size_t len, bool write)
{
	/* a device's DMA is translated by its group's domain */
	struct sim_ioas *s = __atomic_load_n(&d->group->ioas, __ATOMIC_ACQUIRE);
	uint64_t last, bad;

	if (len == 0)
		return 0;
	if (!s || __builtin_add_overflow(iova, (uint64_t)len - 1, &last))
		return fault(d, iova);
	if (sim_ioas_dma(s, iova, buf, len, write, &bad))
		return fault(d, bad);
	return 0;
}

static struct sim_dev *sim_dev_of(const struct iop_dev *dev)
{
	if (!dev || iop_ctx_backend(iop_dev_ctx(dev)) != IOP_BACKEND_SIM)
		return NULL;
	return iop_dev_backend(dev);
}

int iop_sim_dma_read(struct iop_dev *dev, uint64_t iova, void *buf, size_t len)
{
	struct sim_dev *d = sim_dev_of(dev);

	return d ? sim_dma(d, iova, buf, len, false) : -EINVAL;
}

int iop_sim_dma_write(struct iop_dev *dev, uint64_t iova, const void *buf,
		      size_t len)
{
	struct sim_dev *d = sim_dev_of(dev);

	return d ? sim_dma(d, iova, (void *)buf, len, true) : -EINVAL;
}

int iop_sim_dev_ref(struct iop_dev *dev, bool take)
{
	struct sim_dev *d = sim_dev_of(dev);

	if (!d)
		return -EINVAL;
	if (take)
		__atomic_fetch_add(&d->refs, 1, __ATOMIC_RELEASE);
	else if (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE))
		__atomic_fetch_sub(&d->refs, 1, __ATOMIC_RELEASE);
	return 0;
}

int iop_sim_dev_faults(const struct iop_dev *dev, struct iop_sim_faults *f)
{
	struct sim_dev *d = sim_dev_of(dev);

	if (!d)
		return -EINVAL;
	f->count = __atomic_load_n(&d->fault_count, __ATOMIC_ACQUIRE);
	f->last_iova = __atomic_load_n(&d->fault_last, __ATOMIC_RELAXED);
	return 0;
}

uint64_t iop_sim_pinned_pages(const struct iop_ctx *ctx)
{
	const struct sim_ctx *c;

	if (!ctx || iop_ctx_backend(ctx) != IOP_BACKEND_SIM)
		return 0;
	c = ctx->bctx;
	/* other threads' maps change it (under the context lock) */
	return __atomic_load_n(&c->pinned_pages, __ATOMIC_RELAXED);
}
