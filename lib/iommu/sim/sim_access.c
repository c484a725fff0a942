/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access objects (seed 004), as iommufd_access_pin_pages / _unpin_pages /
 * _rw and the unmap loop of iopt_unmap_iova_range in Linux 6.12
 * (drivers/iommu/iommufd/device.c, io_pagetable.c). The rules are in
 * sim_access.h; test/vm/guest_access.c checks them against the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iop_sim.h"
#include "iommu_internal.h"
#include "sim_access.h"

int sim_access_create(struct sim_ioas *s, sim_access_unmap_fn unmap, void *data,
		      struct sim_access **out)
{
	struct sim_access *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	*a = (struct sim_access){ .ioas = s, .unmap = unmap, .data = data,
				  .next = s->accesses };
	s->accesses = a;
	sim_count_allocs(1);
	*out = a;
	return 0;
}

void sim_access_destroy(struct sim_access *a)
{
	struct sim_access **pp;

	for (pp = &a->ioas->accesses; *pp != a; pp = &(*pp)->next)
		;
	*pp = a->next;
	free(a);
	sim_count_allocs(-1);
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

static bool prot_allows(const struct sim_area *a, bool write)
{
	return a->prot & (write ? IOP_PROT_WRITE : IOP_PROT_READ);
}

static uint64_t area_last(const struct sim_area *a)
{
	return a->iova + a->len - 1;
}

/* The k-th area of a walk from the area holding iova (index i), if it
 * continues the walk at cur without a hole; NULL otherwise. */
static struct sim_area *walk_next(struct sim_ioas *s, size_t i, size_t k, uint64_t cur)
{
	if (k >= s->nareas || (k > i && s->areas[k].iova != cur))
		return NULL;
	return &s->areas[k];
}

/* The part of area a inside [iova, last]: an access's pin there. */
static struct sim_area piece_of(const struct sim_area *a, uint64_t iova, uint64_t last)
{
	struct sim_area p = *a;
	uint64_t first = a->iova > iova ? a->iova : iova;
	uint64_t end = area_last(a) < last ? area_last(a) : last;

	p.va = a->va + (first - a->iova);
	p.iova = first;
	p.len = end - first + 1;
	return p;
}

/* Undoes the pins of areas [from, to) over [iova, last]. */
static void unpin_pieces(struct sim_ioas *s, size_t from, size_t to,
			 uint64_t iova, uint64_t last)
{
	for (size_t k = from; k < to; k++) {
		struct sim_area piece;

		if (!__atomic_load_n(&s->areas[k].access_pins, __ATOMIC_RELAXED))
			continue;
		piece = piece_of(&s->areas[k], iova, last);
		sim_unpin_areas(s->ctx, &piece, 1);
		__atomic_sub_fetch(&s->areas[k].access_pins, 1, __ATOMIC_RELEASE);
	}
}

int sim_ioas_pin(struct sim_ioas *s, uint64_t iova, uint64_t len, bool write)
{
	uint64_t last, cur = iova;
	size_t i, k;
	int rc = 0;

	if (len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	pthread_rwlock_rdlock(&s->lock);
	i = sim_area_find(s, iova);
	for (k = i;; k++) {
		struct sim_area *a = walk_next(s, i, k, cur), piece;

		if (!a) {
			rc = -ENOENT;
			break;
		}
		/* pins are whole pages: the range starts on a page boundary
		 * and only its last piece may end inside a page */
		if (a->prevent_access || (a->va + (cur - a->iova)) % SIM_PAGE_SIZE ||
		    (area_last(a) < last && (a->va + a->len) % SIM_PAGE_SIZE)) {
			rc = -EINVAL;
			break;
		}
		if (!prot_allows(a, write)) {
			rc = -EPERM;
			break;
		}
		/* the kernel charges an access's pins to memlock too */
		piece = piece_of(a, iova, last);
		rc = sim_pin_areas(s->ctx, &piece, 1);
		if (rc)
			break;
		__atomic_add_fetch(&a->access_pins, 1, __ATOMIC_ACQUIRE);
		if (area_last(a) >= last) {
			k++;
			break;
		}
		cur = area_last(a) + 1;
	}
	if (rc)
		unpin_pieces(s, i, k, iova, last);
	pthread_rwlock_unlock(&s->lock);
	return rc;
}

void sim_ioas_unpin(struct sim_ioas *s, uint64_t iova, uint64_t len)
{
	uint64_t last, cur = iova;
	size_t i, k;

	if (len == 0 || __builtin_add_overflow(iova, len - 1, &last))
		return;
	pthread_rwlock_rdlock(&s->lock);
	i = sim_area_find(s, iova);
	for (k = i;; k++) {
		struct sim_area *a = walk_next(s, i, k, cur);

		if (!a || area_last(a) >= last) {
			unpin_pieces(s, i, a ? k + 1 : k, iova, last);
			break;
		}
		cur = area_last(a) + 1;
	}
	pthread_rwlock_unlock(&s->lock);
}

/* The walk of iommufd_access_rw over [iova, last], under s->lock: piece
 * by piece, copied between buf and the memory (buf NULL: checks only).
 * 0, or the errno of the first piece refused with its first IOVA in *bad. */
static int rw_walk(struct sim_ioas *s, uint64_t iova, uint64_t last, char *buf,
		   bool write, uint64_t *bad)
{
	uint64_t cur = iova;
	size_t i = sim_area_find(s, iova);

	for (size_t k = i;; k++) {
		struct sim_area *a = walk_next(s, i, k, cur);
		uint64_t end, n;
		char *mem;
		int rc = 0;

		if (!a)
			rc = -ENOENT;
		else if (a->prevent_access)
			rc = -EINVAL;
		else if (!prot_allows(a, write))
			rc = -EPERM;
		if (rc) {
			*bad = cur;
			return rc;
		}
		end = area_last(a) < last ? area_last(a) : last;
		n = end - cur + 1;
		mem = (char *)(a->va + (cur - a->iova));
		if (buf && write)
			memcpy(mem, buf, n);
		else if (buf)
			memcpy(buf, mem, n);
		if (end == last)
			return 0;
		if (buf)
			buf += n;
		cur = end + 1;
	}
}

int sim_ioas_rw(struct sim_ioas *s, uint64_t iova, void *buf, uint64_t len,
		bool write)
{
	uint64_t last, bad;
	int rc;

	if (len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	pthread_rwlock_rdlock(&s->lock);
	rc = rw_walk(s, iova, last, buf, write, &bad);
	pthread_rwlock_unlock(&s->lock);
	return rc;
}

int sim_ioas_dma(struct sim_ioas *s, uint64_t iova, void *buf, uint64_t len,
		 bool write, uint64_t *bad)
{
	uint64_t last = iova + len - 1;
	const struct sim_area *a;
	size_t i;
	int rc;

	pthread_rwlock_rdlock(&s->lock);
	/* most DMAs stay inside one area: one look-up, one copy */
	i = sim_area_find(s, iova);
	a = i < s->nareas ? &s->areas[i] : NULL;
	if (a && last <= area_last(a) && !a->prevent_access && prot_allows(a, write)) {
		char *mem = (char *)(a->va + (iova - a->iova));

		memcpy(write ? mem : buf, write ? buf : mem, len);
		rc = 0;
	} else {
		rc = rw_walk(s, iova, last, NULL, write, bad);
		if (rc == 0)
			rw_walk(s, iova, last, buf, write, bad);
	}
	pthread_rwlock_unlock(&s->lock);
	return rc;
}

/* iommufd_access_notify_unmap for area i: every access of the IOAS is
 * told. (The area array stays put: unmaps, maps and copies all run under
 * the context lock.) */
static void notify_unmap(struct sim_ioas *s, size_t i)
{
	for (struct sim_access *a = s->accesses; a; a = a->next)
		a->unmap(a->data, s->areas[i].iova, s->areas[i].len);
}

int sim_access_drain(struct sim_ioas *s, size_t first, size_t end, size_t *nfree)
{
	unsigned int tries = 0;

	for (;;) {
		size_t i = first;

		pthread_rwlock_wrlock(&s->lock);
		while (i < end && !__atomic_load_n(&s->areas[i].access_pins, __ATOMIC_ACQUIRE))
			i++;
		if (i > first || first == end) {
			*nfree = i - first;
			return 0;
		}
		/* no new pin nor read/write in the area from now on */
		s->areas[first].prevent_access = true;
		pthread_rwlock_unlock(&s->lock);
		notify_unmap(s, first);
		if (++tries > SIM_ACCESS_UNMAP_TRIES)
			return -EDEADLOCK;
	}
}

/* --- iop_sim.h: accesses for tests and software devices --------------- */

struct iop_sim_access {
	struct iop_ctx *ctx;
	struct sim_access *access;
};

int iop_sim_access_create(struct iop_ioas *ioas, iop_sim_access_unmap_fn unmap,
			  void *data, struct iop_sim_access **out)
{
	struct iop_sim_access *a;
	int rc;

	if (!ioas || !unmap || !out || iop_ctx_backend(ioas->ctx) != IOP_BACKEND_SIM)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ctx = ioas->ctx;
	iop_ctx_lock(a->ctx);
	rc = sim_access_create(ioas->bioas, unmap, data, &a->access);
	iop_ctx_unlock(a->ctx);
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void iop_sim_access_destroy(struct iop_sim_access *a)
{
	if (!a)
		return;
	iop_ctx_lock(a->ctx);
	sim_access_destroy(a->access);
	iop_ctx_unlock(a->ctx);
	free(a);
}

/* Pins are charged to the context's memlock count, which maps, copies and
 * attaches change under the context lock (recursive: a call-back unpins on
 * the unmapping thread, which holds it). */
int iop_sim_access_pin(struct iop_sim_access *a, uint64_t iova, uint64_t len,
		       bool write)
{
	int rc;

	if (!a)
		return -EINVAL;
	iop_ctx_lock(a->ctx);
	rc = sim_ioas_pin(a->access->ioas, iova, len, write);
	iop_ctx_unlock(a->ctx);
	return rc;
}

void iop_sim_access_unpin(struct iop_sim_access *a, uint64_t iova, uint64_t len)
{
	if (!a)
		return;
	iop_ctx_lock(a->ctx);
	sim_ioas_unpin(a->access->ioas, iova, len);
	iop_ctx_unlock(a->ctx);
}

int iop_sim_access_rw(struct iop_sim_access *a, uint64_t iova, void *buf,
		      size_t len, bool write)
{
	if (!a || !buf)
		return -EINVAL;
	return sim_ioas_rw(a->access->ioas, iova, buf, len, write);
}
