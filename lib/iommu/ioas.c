/* SPDX-License-Identifier: BSD-3-Clause */
/* IOAS: IOVA ranges, mappings and the translation table kept in step. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"
#include "iova_table.h"

int iop_ioas_create(struct iop_ctx *ctx, struct iop_ioas **out)
{
	struct iop_ioas *ioas = calloc(1, sizeof(*ioas));
	int rc;

	if (!ioas)
		return IOP_ERR(ENOMEM, "out of memory creating an IOAS");
	ioas->table = iop_iova_table_create();
	if (!ioas->table) {
		free(ioas);
		return IOP_ERR(ENOMEM, "out of memory creating an IOAS translation table");
	}
	iop_ctx_lock(ctx);
	rc = ctx->ops->ioas_alloc(ctx->bctx, &ioas->bioas);
	if (rc) {
		iop_ctx_unlock(ctx);
		iop_iova_table_destroy(ioas->table);
		free(ioas);
		return IOP_ERR(-rc, "cannot create an IOAS: %s", strerror(-rc));
	}
	ioas->ctx = ctx;
	ioas->id = ctx->next_ioas_id++;
	ioas->next = ctx->ioas_list;
	ctx->ioas_list = ioas;
	iop_ctx_unlock(ctx);
	*out = ioas;
	return 0;
}

static int check_no_devices(const struct iop_ioas *ioas)
{
	if (ioas->ndevs)
		return IOP_ERR(EBUSY, "IOAS %u still has %u device(s) attached: detach them first",
			       ioas->id, ioas->ndevs);
	return 0;
}

int iop_ioas_destroy(struct iop_ioas *ioas)
{
	void (*release)(struct iop_ioas *ioas);
	struct iop_ioas **pp;
	struct iop_ctx *ctx;
	int rc;

	if (!ioas)
		return 0;
	ctx = ioas->ctx;
	iop_ctx_lock(ctx);
	rc = check_no_devices(ioas);
	/* A user that maps into the IOAS on its own (lib/mem, from DPDK's
	 * hotplug callback) lets go first, or it would map into freed memory
	 * at its next event. Its release quiesces forwarding threads and takes
	 * its own lock: never under ours (see the lock order). */
	while (rc == 0 && (release = ioas->release) != NULL) {
		iop_ctx_unlock(ctx);
		release(ioas);
		iop_ctx_lock(ctx);
		rc = check_no_devices(ioas);
	}
	if (rc) {
		iop_ctx_unlock(ctx);
		return rc;
	}
	/* freeing the backend IOAS unmaps what is left, as the kernel does */
	rc = ctx->ops->ioas_free(ioas->bioas);
	if (rc) {
		iop_ctx_unlock(ctx);
		return IOP_ERR(-rc, "cannot destroy IOAS %u: %s", ioas->id, strerror(-rc));
	}
	iop_iova_table_destroy(ioas->table);
	for (pp = &ctx->ioas_list; *pp != ioas; pp = &(*pp)->next)
		;
	*pp = ioas->next;
	iop_ctx_unlock(ctx);
	free(ioas->maps);
	free(ioas);
	return 0;
}

void iop_ioas_set_release(struct iop_ioas *ioas,
			  void (*release)(struct iop_ioas *ioas))
{
	iop_ctx_lock(ioas->ctx);
	ioas->release = release;
	iop_ctx_unlock(ioas->ctx);
}

unsigned int iop_ioas_id(const struct iop_ioas *ioas)
{
	return ioas->id;
}

struct iop_ctx *iop_ioas_ctx(const struct iop_ioas *ioas)
{
	return ioas->ctx;
}

struct iop_iova_table *iop_ioas_table(struct iop_ioas *ioas)
{
	return ioas->table;
}

static int ioas_ranges_get(struct iop_ioas *ioas, struct iop_iova_range *ranges,
			   size_t max, size_t *count)
{
	int rc = ioas->ctx->ops->iova_ranges(ioas->bioas, ranges, max, count);

	if (rc)
		return IOP_ERR(-rc, "cannot read the IOVA ranges of IOAS %u: %s",
			       ioas->id, strerror(-rc));
	return 0;
}

int iop_ioas_ranges(struct iop_ioas *ioas, struct iop_iova_range *ranges,
		    size_t max, size_t *count)
{
	int rc;

	iop_ctx_lock(ioas->ctx);
	rc = ioas_ranges_get(ioas, ranges, max, count);
	iop_ctx_unlock(ioas->ctx);
	return rc;
}

int iop_ioas_window_create(struct iop_ioas *ioas, unsigned int page_shift,
			   uint64_t size, uint64_t *start)
{
	const struct iop_backend_ops *ops = ioas->ctx->ops;
	int rc;

	if (!ops->window_create)
		return IOP_ERR(EOPNOTSUPP, "the %s backend's IOMMUs have fixed apertures, not DMA windows",
			       ops->name);
	iop_ctx_lock(ioas->ctx);
	rc = ops->window_create(ioas->bioas, page_shift, size, start);
	iop_ctx_unlock(ioas->ctx);
	if (rc == -ENOSPC)
		return IOP_ERR(ENOSPC, "cannot create a DMA window in IOAS %u: both window slots are in use; remove one first",
			       ioas->id);
	if (rc == -ENXIO)
		return IOP_ERR(ENXIO, "cannot create a DMA window in IOAS %u: no device with a window-style IOMMU is attached to it",
			       ioas->id);
	if (rc)
		return IOP_ERR(-rc, "cannot create a DMA window of %" PRIu64 " bytes with 2^%u-byte pages in IOAS %u: %s",
			       size, page_shift, ioas->id, strerror(-rc));
	return 0;
}

int iop_ioas_window_remove(struct iop_ioas *ioas, uint64_t start)
{
	const struct iop_backend_ops *ops = ioas->ctx->ops;
	struct iop_iova_range r[IOP_MAX_RANGES];
	size_t n = 0;
	int rc;

	if (!ops->window_remove)
		return IOP_ERR(EOPNOTSUPP, "the %s backend's IOMMUs have fixed apertures, not DMA windows",
			       ops->name);
	iop_ctx_lock(ioas->ctx);
	/* the kernel drops a removed window's mappings; the translation
	 * table must never hold an IOVA the IOMMU no longer maps */
	rc = ioas_ranges_get(ioas, r, IOP_MAX_RANGES, &n);
	for (size_t i = 0; rc == 0 && i < n && i < IOP_MAX_RANGES; i++) {
		if (r[i].first > start || start > r[i].last)
			continue;
		for (size_t m = 0; rc == 0 && m < ioas->nmaps; m++)
			if (ioas->maps[m].iova >= r[i].first && ioas->maps[m].iova <= r[i].last)
				rc = IOP_ERR(EBUSY, "cannot remove the DMA window at 0x%" PRIx64 " of IOAS %u: it still maps [%p, +%" PRIu64 "); unmap it first",
					     r[i].first, ioas->id, (void *)ioas->maps[m].va, ioas->maps[m].len);
	}
	if (rc == 0) {
		rc = ops->window_remove(ioas->bioas, start);
		if (rc)
			rc = IOP_ERR(-rc, "cannot remove the DMA window at 0x%" PRIx64 " of IOAS %u: %s",
				     start, ioas->id, rc == -EINVAL ? "no window there" : strerror(-rc));
	}
	iop_ctx_unlock(ioas->ctx);
	return rc;
}

/* Index of the first mapping with va >= key (maps are sorted by va). */
static size_t map_lower_bound(const struct iop_ioas *ioas, uintptr_t key)
{
	size_t lo = 0, hi = ioas->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ioas->maps[mid].va < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool va_overlaps(const struct iop_ioas *ioas, uintptr_t va, uint64_t len)
{
	size_t i = map_lower_bound(ioas, va);

	if (i < ioas->nmaps && ioas->maps[i].va < va + len)
		return true;
	return i > 0 && ioas->maps[i - 1].va + ioas->maps[i - 1].len > va;
}

/* Rule 7 (seed 004: pinned pages are one object shared by their users):
 * an IOAS of the context that already maps exactly this VA range with at
 * least the protection asked for, so IOAS_COPY shares its pages instead of
 * pinning them again. The kernel refuses a writable copy of pages mapped
 * read-only (EPERM): such a request is a map of its own. */
static const struct iop_ioas *copy_source(const struct iop_ioas *dst,
					  uintptr_t va, uint64_t len,
					  unsigned int prot, uint64_t *src_iova)
{
	for (const struct iop_ioas *s = dst->ctx->ioas_list; s; s = s->next) {
		size_t i;

		if (s == dst)
			continue;
		i = map_lower_bound(s, va);
		if (i < s->nmaps && s->maps[i].va == va && s->maps[i].len == len &&
		    !s->maps[i].stale && (prot & ~s->maps[i].prot) == 0) {
			*src_iova = s->maps[i].iova;
			return s;
		}
	}
	return NULL;
}

static int no_room(struct iop_ioas *ioas, uint64_t len,
		   const struct iop_iova_range *r, size_t nr)
{
	uint64_t total = 0, used = 0;

	for (size_t i = 0; i < nr; i++)
		total += r[i].last - r[i].first + 1;
	for (size_t i = 0; i < ioas->nmaps; i++)
		used += ioas->maps[i].len;
	return IOP_ERR(ENOSPC, "no room for %" PRIu64 " bytes in IOAS %u: its IOVA ranges hold %" PRIu64 " bytes in %zu range(s), %" PRIu64 " bytes of them mapped; map less memory or use an IOMMU with a larger aperture",
		       len, ioas->id, total, nr, used);
}

static int backend_map(struct iop_ioas *ioas, uintptr_t va, uint64_t len,
		       uint64_t iova, unsigned int prot)
{
	const struct iop_backend_ops *ops = ioas->ctx->ops;
	const struct iop_ioas *src;
	uint64_t src_iova;

	if (ops->copy) {
		src = copy_source(ioas, va, len, prot, &src_iova);
		if (src)
			return ops->copy(ioas->bioas, iova, src->bioas,
					 src_iova, len, prot);
	}
	return ops->map(ioas->bioas, (void *)va, len, iova, prot);
}

/* Rule 7's message: names the limit that applied (the process's, or the
 * sim topology's) only when it can have refused the pin, what was being
 * pinned and how to raise the limit. */
int iop_pin_refused_error(struct iop_ioas *ioas, const char *what, uint64_t need)
{
	char cause[320];

	iop_memlock_cause(ioas->ctx, need, cause, sizeof(cause));
	return IOP_ERR(ENOMEM, "%s: %s", what, cause);
}

uint64_t iop_ioas_mapped_bytes(const struct iop_ioas *ioas)
{
	uint64_t total = 0;

	for (size_t i = 0; i < ioas->nmaps; i++)
		total += ioas->maps[i].len;
	return total;
}

static int pin_refused_error(struct iop_ioas *ioas, size_t len)
{
	char what[96];

	snprintf(what, sizeof(what), "cannot map %zu bytes into IOAS %u", len, ioas->id);
	/* what this IOAS pins once the map is in: a lower bound of the need */
	return iop_pin_refused_error(ioas, what, iop_ioas_mapped_bytes(ioas) + len);
}

/* The IOVA the model of ioas gives [va, va+len), if it maps it whole. */
static bool model_iova(const struct iop_ioas *ioas, uintptr_t va, uint64_t len, uint64_t *iova)
{
	const struct iop_ioas *model = ioas->iova_model;
	const struct iop_map *m;
	size_t i;

	if (!model)
		return false;
	/* the last mapping of the model that starts at or below va */
	i = map_lower_bound(model, va + 1);
	if (i == 0)
		return false;
	m = &model->maps[i - 1];
	if (va < m->va || va - m->va + len > m->len)
		return false;
	*iova = m->iova + (va - m->va);
	return true;
}

int iop_ioas_set_iova_model(struct iop_ioas *ioas, struct iop_ioas *model)
{
	if (model && model->ctx != ioas->ctx)
		return IOP_ERR(EINVAL, "IOAS %u cannot take its IOVAs from IOAS %u of another IOMMU context",
			       ioas->id, model->id);
	iop_ctx_lock(ioas->ctx);
	ioas->iova_model = model;
	iop_ctx_unlock(ioas->ctx);
	return 0;
}

static int ioas_map(struct iop_ioas *ioas, void *vaddr, size_t len,
		    unsigned int prot, uint64_t *iova_out, bool *pin_refused)
{
	struct iop_iova_range ranges[IOP_MAX_RANGES];
	uintptr_t va = (uintptr_t)vaddr;
	size_t nranges, i;
	uint64_t iova;
	int rc;

	if (len == 0 || va + len < va || (prot & (IOP_PROT_READ | IOP_PROT_WRITE)) == 0 ||
	    (prot & ~(IOP_PROT_READ | IOP_PROT_WRITE)))
		return IOP_ERR(EINVAL, "bad mapping request for IOAS %u: %zu bytes at %p, prot %#x",
			       ioas->id, len, vaddr, prot);
	/* the IOMMU maps whole pages; the kernel refuses the rest (EINVAL) */
	if ((va | len) % IOP_IOMMU_PAGE_SIZE)
		return IOP_ERR(EINVAL, "cannot map [%p, +%zu) into IOAS %u: address and length must be multiples of 4 KiB (DPDK hugepage memory is)",
			       vaddr, len, ioas->id);
	if (va_overlaps(ioas, va, len))
		return IOP_ERR(EEXIST, "IOAS %u already maps part of [%p, +%zu): unmap it first",
			       ioas->id, vaddr, len);
	if (ioas->nmaps == ioas->maps_cap) {
		size_t cap = ioas->maps_cap ? 2 * ioas->maps_cap : 16;
		struct iop_map *m = realloc(ioas->maps, cap * sizeof(*m));

		if (!m)
			return IOP_ERR(ENOMEM, "out of memory mapping into IOAS %u", ioas->id);
		ioas->maps = m;
		ioas->maps_cap = cap;
	}
	rc = ioas_ranges_get(ioas, ranges, IOP_MAX_RANGES, &nranges);
	if (rc)
		return rc;
	if (nranges > IOP_MAX_RANGES)
		nranges = IOP_MAX_RANGES;
	if (!(model_iova(ioas, va, len, &iova) &&
	      iop_iova_fits(ranges, nranges, ioas->maps, ioas->nmaps, va, len, iova)) &&
	    iop_iova_pick(ranges, nranges, ioas->maps, ioas->nmaps, va, len, &iova))
		return no_room(ioas, len, ranges, nranges);
	rc = backend_map(ioas, va, len, iova, prot);
	if (rc == -ENOMEM) {
		*pin_refused = true;
		return pin_refused_error(ioas, len);
	}
	if (rc)
		return IOP_ERR(-rc, "cannot map %zu bytes at IOVA 0x%" PRIx64 " into IOAS %u: %s",
			       len, iova, ioas->id, strerror(-rc));
	rc = iop_iova_table_insert(ioas->table, va, iova, len);
	if (rc) {
		ioas->ctx->ops->unmap(ioas->bioas, iova, len);
		return IOP_ERR(-rc, "cannot record the mapping of IOAS %u: %s",
			       ioas->id, strerror(-rc));
	}
	i = map_lower_bound(ioas, va);
	memmove(&ioas->maps[i + 1], &ioas->maps[i], (ioas->nmaps - i) * sizeof(*ioas->maps));
	ioas->maps[i] = (struct iop_map){ .va = va, .len = len, .iova = iova, .prot = prot };
	ioas->nmaps++;
	*iova_out = iova;
	return 0;
}

int iop_ioas_map_pinning(struct iop_ioas *ioas, void *va, size_t len,
			 unsigned int prot, uint64_t *iova, bool *pin_refused)
{
	int rc;

	*pin_refused = false;
	iop_ctx_lock(ioas->ctx);
	rc = ioas_map(ioas, va, len, prot, iova, pin_refused);
	iop_ctx_unlock(ioas->ctx);
	return rc;
}

int iop_ioas_map(struct iop_ioas *ioas, void *va, size_t len, unsigned int prot,
		 uint64_t *iova)
{
	bool pin_refused;

	return iop_ioas_map_pinning(ioas, va, len, prot, iova, &pin_refused);
}

static int ioas_unmap(struct iop_ioas *ioas, void *vaddr, size_t len)
{
	uintptr_t va = (uintptr_t)vaddr;
	size_t i = map_lower_bound(ioas, va);
	struct iop_map m;
	int rc;

	if (i == ioas->nmaps || ioas->maps[i].va != va || ioas->maps[i].len != len)
		return IOP_ERR(ENOENT, "IOAS %u has no mapping of exactly [%p, +%zu): unmap whole ranges given to iop_ioas_map",
			       ioas->id, vaddr, len);
	m = ioas->maps[i];
	/* forget the translation first so no queue hands out this IOVA again */
	iop_iova_table_remove(ioas->table, va, len);
	rc = ioas->ctx->ops->unmap(ioas->bioas, m.iova, m.len);
	if (rc) {
		/* still mapped, so the table keeps it, but stale: the caller is
		 * done with the memory, which may be freed and reused at this
		 * VA, so nothing may translate through it again */
		iop_iova_table_insert_stale(ioas->table, va, m.iova, m.len);
		ioas->maps[i].stale = true;
		if (rc == -EDEADLOCK) /* an access's unmap call-back (seed 004) */
			return IOP_ERR(EDEADLOCK, "cannot unmap [%p, +%zu) from IOAS %u: a software user of those pages (an iommufd access) did not release them; it stays mapped and is no longer translated until an unmap succeeds",
				       vaddr, len, ioas->id);
		return IOP_ERR(-rc, "cannot unmap [%p, +%zu) from IOAS %u: %s; it stays mapped and is no longer translated until an unmap succeeds",
			       vaddr, len, ioas->id, strerror(-rc));
	}
	memmove(&ioas->maps[i], &ioas->maps[i + 1], (ioas->nmaps - i - 1) * sizeof(*ioas->maps));
	ioas->nmaps--;
	return 0;
}

int iop_ioas_unmap(struct iop_ioas *ioas, void *va, size_t len)
{
	int rc;

	iop_ctx_lock(ioas->ctx);
	rc = ioas_unmap(ioas, va, len);
	iop_ctx_unlock(ioas->ctx);
	return rc;
}

static int ioas_va2iova(struct iop_ioas *ioas, const void *vaddr, uint64_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr;
	size_t i = map_lower_bound(ioas, va + 1);

	/* the mapping holding va is the last one starting at or below it */
	if (i > 0) {
		const struct iop_map *m = &ioas->maps[i - 1];

		if (va >= m->va && va - m->va < m->len && m->stale)
			return IOP_ERR(ESTALE, "address %p is in [%p, +%" PRIu64 ") of IOAS %u, whose unmap failed: it is not translated until an unmap succeeds",
				       vaddr, (void *)m->va, m->len, ioas->id);
		if (va >= m->va && va - m->va < m->len) {
			*iova = m->iova + (va - m->va);
			return 0;
		}
	}
	return IOP_ERR(ENOENT, "address %p is not mapped in IOAS %u", vaddr, ioas->id);
}

int iop_ioas_va2iova(struct iop_ioas *ioas, const void *va, uint64_t *iova)
{
	int rc;

	iop_ctx_lock(ioas->ctx);
	rc = ioas_va2iova(ioas, va, iova);
	iop_ctx_unlock(ioas->ctx);
	return rc;
}

bool iop_ioas_maps_exactly(struct iop_ioas *ioas, const void *vaddr, size_t len)
{
	uintptr_t va = (uintptr_t)vaddr;
	size_t i;
	bool found;

	iop_ctx_lock(ioas->ctx);
	i = map_lower_bound(ioas, va);
	found = i < ioas->nmaps && ioas->maps[i].va == va && ioas->maps[i].len == len;
	iop_ctx_unlock(ioas->ctx);
	return found;
}
