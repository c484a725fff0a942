/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend's mappings of an IOAS: map, copy and unmap, with
 * iommufd's rules and errno values (io_pagetable.c), as sim.c's header
 * lists them; the IOAS, its groups and the devices are sim.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_backend.h"
#include "sim_access.h"
#include "sim_internal.h"

static size_t area_lower_bound(const struct sim_ioas *s, uint64_t iova)
{
	size_t lo = 0, hi = s->nareas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->areas[mid].iova < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The checks of iopt_check_iova: alignment (to the domain's page; none
 * before the IOAS has a domain), overflow, allowed, free. */
static int check_iova(struct sim_ioas *s, uint64_t iova, uint64_t len)
{
	struct iop_iova_range r[RANGES_SCRATCH];
	uint64_t last;
	size_t n, i;

	if (len == 0 || !sim_aligned(iova | len, sim_ioas_alignment(s)))
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	n = sim_ioas_ranges(s, r);
	/* outside every window, sPAPR finds no table: ENXIO */
	if (!sim_inside(r, n, iova, last))
		return s->windowed ? -ENXIO : -EINVAL;
	i = area_lower_bound(s, iova);
	if (i < s->nareas && s->areas[i].iova <= last)
		return -EEXIST;
	if (i > 0 && s->areas[i - 1].iova + s->areas[i - 1].len > iova)
		return -EEXIST;
	return 0;
}

/* Makes room for n more areas (so that a copy inserts all or none). */
static int reserve_areas(struct sim_ioas *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 16;
	struct sim_area *na;

	while (cap < s->nareas + n)
		cap *= 2;
	if (cap == s->cap)
		return 0;
	/* DMAs in flight read the array: it moves under the write lock */
	pthread_rwlock_wrlock(&s->lock);
	na = realloc(s->areas, cap * sizeof(*na));
	if (na) {
		s->areas = na;
		s->cap = cap;
	}
	pthread_rwlock_unlock(&s->lock);
	return na ? 0 : -ENOMEM;
}

static int insert_area(struct sim_ioas *s, const struct sim_area *a)
{
	size_t i;
	int rc = reserve_areas(s, 1);

	if (rc)
		return rc;
	i = area_lower_bound(s, a->iova);
	pthread_rwlock_wrlock(&s->lock);
	memmove(&s->areas[i + 1], &s->areas[i], (s->nareas - i) * sizeof(*a));
	s->areas[i] = *a;
	/* a new area (a copy too) has no access pins */
	s->areas[i].access_pins = 0;
	s->areas[i].prevent_access = false;
	s->nareas++;
	pthread_rwlock_unlock(&s->lock);
	sim_count_mappings(1);
	return 0;
}

int sim_map(void *bioas, void *va, uint64_t len, uint64_t iova, unsigned int prot)
{
	struct sim_ioas *s = bioas;
	struct sim_pages *p;
	struct sim_area a;
	int rc = sim_call();

	if (rc)
		return rc;
	/* iommufd_ioas_map refuses these before anything else */
	if (iova == UINT64_MAX || len == UINT64_MAX)
		return -EOVERFLOW;
	if (prot == 0 || len == 0)
		return -EINVAL;
	/* iopt_alloc_pages: the user range must not wrap */
	if ((uintptr_t)va + len - 1 < (uintptr_t)va)
		return -EOVERFLOW;
	rc = check_iova(s, iova, len);
	if (rc)
		return rc;
	/* the user address must sit at the same offset in its page */
	if (!sim_va_aligned((uintptr_t)va, sim_ioas_alignment(s)))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->refs = 1;
	p->first_page = (uintptr_t)va / SIM_PAGE_SIZE;
	p->npages = sim_pages_spanned((uintptr_t)va, len);
	p->writable = prot & IOP_PROT_WRITE;
	a = (struct sim_area){ .iova = iova, .len = len, .va = (uintptr_t)va,
			       .prot = prot, .pages = p };
	rc = sim_has_domain(s) ? sim_pin_areas(s->ctx, &a, 1) : 0;
	if (rc == 0) {
		rc = insert_area(s, &a);
		if (rc && sim_has_domain(s))
			sim_unpin_areas(s->ctx, &a, 1);
	}
	if (rc) {
		free(p->domain_refs);
		free(p);
		return rc;
	}
	sim_count_allocs(1);
	return 0;
}

/* The area of s that holds iova, or NULL. */
static const struct sim_area *area_at(const struct sim_ioas *s, uint64_t iova)
{
	size_t i = area_lower_bound(s, iova);

	if (i < s->nareas && s->areas[i].iova == iova)
		return &s->areas[i];
	if (i == 0 || iova - s->areas[i - 1].iova >= s->areas[i - 1].len)
		return NULL;
	return &s->areas[i - 1];
}

/* IOAS_COPY (iommufd_ioas_copy): IOVAs and a length of 2^64-1 are
 * EOVERFLOW before anything is looked up; the source range must be
 * covered by contiguous areas (as iopt_get_pages: it may end on the last
 * byte of the IOVA space); the copy shares their pages. */
int sim_copy(void *dst_bioas, uint64_t dst_iova, void *src_bioas,
	     uint64_t src_iova, uint64_t len, unsigned int prot)
{
	struct sim_ioas *dst = dst_bioas, *src = src_bioas;
	const struct sim_area *a;
	struct sim_area *na;
	uint64_t last;
	size_t first, n;
	int rc = sim_call();

	if (rc)
		return rc;
	if (len == UINT64_MAX || src_iova == UINT64_MAX || dst_iova == UINT64_MAX)
		return -EOVERFLOW;
	if (prot == 0 || len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(src_iova, len - 1, &last))
		return -EOVERFLOW;
	a = area_at(src, src_iova);
	if (!a)
		return -ENOENT;
	first = (size_t)(a - src->areas);
	/* each next area must start right where the one before ends (which
	 * is below 2^64: the one before ends before last) */
	for (n = 1; a->iova + (a->len - 1) < last; n++, a++)
		if (first + n == src->nareas || a[1].iova != a->iova + a->len)
			return -ENOENT;
	rc = check_iova(dst, dst_iova, len);
	if (rc)
		return rc;
	/* the new areas, built first: inserting may move dst's array, which
	 * is src's when both are one IOAS */
	na = calloc(n, sizeof(*na));
	if (!na)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct sim_area c = src->areas[first + k];
		uint64_t lo = c.iova > src_iova ? c.iova : src_iova;
		/* last bytes, not ends: a range may end at 2^64 */
		uint64_t hi = c.iova + (c.len - 1) < last ? c.iova + (c.len - 1) : last;

		c.va += lo - c.iova;
		c.iova = dst_iova + (lo - src_iova);
		c.len = hi - lo + 1;
		c.prot = prot;
		na[k] = c;
		/* iopt_insert_area: writable only from pages mapped writable;
		 * into a domain only from a page boundary */
		if ((prot & IOP_PROT_WRITE) && !c.pages->writable)
			rc = -EPERM;
		else if (!sim_va_aligned(c.va, sim_ioas_alignment(dst)))
			rc = -EINVAL;
		if (rc)
			break;
	}
	if (rc == 0)
		rc = reserve_areas(dst, n);
	if (rc == 0 && sim_has_domain(dst))
		rc = sim_pin_areas(dst->ctx, na, n);
	if (rc == 0) {
		for (size_t k = 0; k < n; k++) {
			na[k].pages->refs++;
			insert_area(dst, &na[k]);
		}
	}
	free(na);
	return rc;
}

/* Unmap-all: IOVA 0 and length UINT64_MAX (IOMMU_IOAS_UNMAP's special
 * case), which succeeds on an empty IOAS too. */
static bool is_unmap_all(uint64_t iova, uint64_t len)
{
	return iova == 0 && len == UINT64_MAX;
}

/* iopt_unmap_iova_range's removal: the areas [first, end) of s go in
 * IOVA order, each once no access pins it (the write lock also waits for
 * DMAs in flight); an area whose accesses do not let go stops it with
 * -EDEADLOCK, the areas before it gone. */
static int remove_areas(struct sim_ioas *s, size_t first, size_t end)
{
	while (first < end) {
		size_t n;
		int rc = sim_access_drain(s, first, end, &n);

		if (rc)
			return rc;
		for (size_t i = first; i < first + n; i++)
			sim_area_put(s, &s->areas[i]);
		memmove(&s->areas[first], &s->areas[first + n],
			(s->nareas - first - n) * sizeof(*s->areas));
		s->nareas -= n;
		end -= n;
		pthread_rwlock_unlock(&s->lock);
		sim_count_mappings(-(int)n);
	}
	return 0;
}

int sim_unmap_inside(struct sim_ioas *s, uint64_t first, uint64_t last)
{
	size_t lo = area_lower_bound(s, first), hi = lo;

	while (hi < s->nareas && s->areas[hi].iova + s->areas[hi].len - 1 <= last)
		hi++;
	return remove_areas(s, lo, hi);
}

/* iopt_unmap_iova_range: whole areas in IOVA order; the first area that
 * reaches outside [iova, last] stops it with ENOENT, those before it are
 * gone; nothing there at all is ENOENT too. */
int sim_unmap(void *bioas, uint64_t iova, uint64_t len)
{
	struct sim_ioas *s = bioas;
	uint64_t last;
	size_t first, end;
	bool cut;
	int rc = sim_call();

	if (rc)
		return rc;
	if (is_unmap_all(iova, len))
		return remove_areas(s, 0, s->nareas);
	if (iova == UINT64_MAX || len == UINT64_MAX)
		return -EOVERFLOW;
	if (len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	first = area_lower_bound(s, iova);
	/* an area that starts below iova and reaches into it comes first */
	if (first > 0 && s->areas[first - 1].iova + s->areas[first - 1].len > iova)
		first--;
	for (end = first; end < s->nareas && s->areas[end].iova <= last; end++)
		if (s->areas[end].iova < iova ||
		    s->areas[end].iova + s->areas[end].len - 1 > last)
			break;
	if (end == first)
		return -ENOENT;
	cut = end < s->nareas && s->areas[end].iova <= last;
	/* an access that does not let go stops it before the cut does */
	rc = remove_areas(s, first, end);
	return rc == 0 && cut ? -ENOENT : rc;
}
