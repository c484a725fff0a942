/* SPDX-License-Identifier: BSD-3-Clause */
/* Simulated DMA: a device reads and writes through its group's IOAS. */
#include <errno.h>
#include <string.h>

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

size_t sim_area_find(const struct sim_ioas *s, uint64_t iova)
{
	size_t lo = 0, hi = s->nareas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->areas[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && iova - s->areas[lo - 1].iova < s->areas[lo - 1].len)
		return lo - 1;
	return s->nareas;
}

/* The first IOVA of [iova, iova+len) that the device may not access, or
 * iova+len when every byte is mapped with the needed permission. */
static uint64_t first_denied(const struct sim_ioas *s, uint64_t iova,
			     uint64_t len, unsigned int need)
{
	uint64_t cur = iova, end = iova + len;
	size_t i = sim_area_find(s, iova);

	while (cur != end) {
		const struct sim_area *a;

		if (i >= s->nareas || cur - s->areas[i].iova >= s->areas[i].len)
			return cur;
		a = &s->areas[i];
		if ((a->prot & need) != need)
			return cur;
		cur = (end - a->iova <= a->len) ? end : a->iova + a->len;
		i++;
	}
	return end;
}

static void copy_areas(const struct sim_ioas *s, uint64_t iova, char *buf,
		       uint64_t len, bool write)
{
	size_t i = sim_area_find(s, iova);

	while (len) {
		const struct sim_area *a = &s->areas[i++];
		uint64_t off = iova - a->iova;
		uint64_t n = a->len - off < len ? a->len - off : len;
		char *mem = (char *)(a->va + off);

		if (write)
			memcpy(mem, buf, n);
		else
			memcpy(buf, mem, n);
		buf += n;
		iova += n;
		len -= n;
	}
}

/*
 * A device's DMA is an access user (seed 004): it pins the pages it touches,
 * copies, and unpins. An unmap of those pages meanwhile waits until the
 * copy is over (sim_access.c); a DMA that starts once the unmap has begun
 * finds the area closed and faults.
 */
int sim_dma(struct sim_dev *d, uint64_t iova, void *buf, size_t len, bool write)
{
	/* a device's DMA is translated by its group's domain */
	struct sim_ioas *s = __atomic_load_n(&d->group->ioas, __ATOMIC_ACQUIRE);
	unsigned int need = write ? IOP_PROT_WRITE : IOP_PROT_READ;
	uint64_t last, page, denied;
	int rc;

	if (len == 0)
		return 0;
	if (!s || __builtin_add_overflow(iova, (uint64_t)len - 1, &last))
		return fault(d, iova);
	page = iova & ~(uint64_t)(SIM_PAGE_SIZE - 1);
	__atomic_add_fetch(&d->dma_inflight, 1, __ATOMIC_SEQ_CST);
	rc = sim_ioas_pin(s, page, last - page + 1, write);
	if (rc == 0) {
		pthread_rwlock_rdlock(&s->lock);
		copy_areas(s, iova, buf, len, write);
		pthread_rwlock_unlock(&s->lock);
		sim_ioas_unpin(s, page, last - page + 1);
	}
	__atomic_sub_fetch(&d->dma_inflight, 1, __ATOMIC_RELEASE);
	if (rc == 0)
		return 0;
	pthread_rwlock_rdlock(&s->lock);
	denied = first_denied(s, iova, len, need);
	pthread_rwlock_unlock(&s->lock);
	/* everything mapped: the area was being unmapped */
	return fault(d, denied == iova + len ? iova : denied);
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
