/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend: a model of the kernel's iommufd over VFIO device cdevs,
 * with its rules and errno values (io_pagetable.c, device.c), each checked
 * against the kernel by the conformance scenarios (doc/backends.md):
 * - maps must not overlap (EEXIST) nor leave the allowed ranges (EINVAL);
 *   alignment (to the attached groups' IOMMU page) applies only once the
 *   IOAS has a domain: before, anything goes and the first attach fails
 *   with EADDRINUSE if an area is not aligned;
 * - unmaps remove whole areas in IOVA order and stop with ENOENT at the
 *   first one they would cut (the ones before it are gone); unmap-all
 *   (IOVA 0, length UINT64_MAX) succeeds even on an empty IOAS;
 * - copies share the source's pages (ENOENT unless covered by areas;
 *   EPERM writable from pages mapped read-only; EINVAL into an IOAS with a
 *   domain from a source inside a page);
 * - pages are pinned and charged to memlock (ENOMEM) only while an IOAS
 *   with a domain maps them: at map when attached, at the first attach for
 *   earlier maps; the last group to leave unpins them (the page counts and
 *   the memlock line are in sim_pages.c);
 * - groups' ranges narrow an IOAS while attached (EADDRINUSE if mappings,
 *   or ranges the IOAS was told to allow (sim_reserved.c), are in the
 *   way); an IOAS with a group attached cannot be destroyed
 *   (EBUSY);
 * - binding claims the device and its group for the context, across
 *   processes (sim_owner.c): a second bind of a device is EINVAL, a device
 *   of a group another context owns EPERM; a device of a group that is
 *   attached elsewhere is refused (EINVAL);
 * - accesses pin areas and read/write through them, as device DMA does
 *   (sim_access.c): an unmap drains each area of their pins before it
 *   removes it (EDEADLOCK when one never lets go), and an IOAS with an
 *   access cannot be destroyed (EBUSY).
 * A topology with `iommu type1` gets VFIO type1's semantics instead, as
 * lib/iommu/kernel/vfio.c has them from the kernel: no replace (attaching
 * an attached device elsewhere is EBUSY), no copy, and the group's last device does
 * not leave while a device of the group is referenced (iop_sim_dev_ref, a
 * driver's mapping of its regions): VFIO_GROUP_UNSET_CONTAINER is EBUSY
 * while a device fd of the group is still open (drivers/vfio/group.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "iommu/sim: "
#include "iop_log.h"
#include "iommu_backend.h"
#include "iova_ranges.h"
#include "sim_access.h"
#include "sim_internal.h"
#include "sim_owner.h"
#include "user_dma.h"

#define RANGES_SCRATCH (4 * IOP_MAX_RANGES)

static int sim_open(const struct iop_ctx_params *params, void **out)
{
	struct sim_ctx *c;
	int rc = sim_call();

	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rc = sim_topo_load(params->sim_topology, &c->topo);
	if (rc) {
		free(c);
		return rc;
	}
	sim_machine_id(c, params->sim_topology);
	c->groups = calloc(c->topo.ngroups, sizeof(*c->groups));
	c->devs = calloc(c->topo.ndevs, sizeof(*c->devs));
	if (!c->groups || !c->devs) {
		free(c->groups);
		free(c->devs);
		sim_topo_free(&c->topo);
		free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->topo.ngroups; i++) {
		c->groups[i].topo = &c->topo.groups[i];
		c->groups[i].owner_fd = -1;
	}
	for (size_t i = 0; i < c->topo.ndevs; i++) {
		struct sim_dev *d = &c->devs[i];

		d->topo = &c->topo.devs[i];
		d->ctx = c;
		d->owner_fd = -1;
		d->group = &c->groups[d->topo->group_index];
	}
	sim_count_fds(1);
	sim_count_allocs(1);
	*out = c;
	return 0;
}

static void sim_close(void *bctx)
{
	struct sim_ctx *c = bctx;

	free(c->groups);
	free(c->devs);
	sim_topo_free(&c->topo);
	free(c);
	sim_count_fds(-1);
	sim_count_allocs(-1);
}

static int sim_devices(void *bctx, struct iop_dev_info *info, size_t max,
		       size_t *count)
{
	struct sim_ctx *c = bctx;
	int rc = sim_call();

	if (rc)
		return rc;
	for (size_t i = 0; i < c->topo.ndevs && i < max; i++) {
		const struct sim_topo_dev *t = &c->topo.devs[i];

		memset(&info[i], 0, sizeof(info[i]));
		memcpy(info[i].bdf, t->bdf, sizeof(info[i].bdf));
		memcpy(info[i].driver, t->driver, sizeof(info[i].driver));
		memcpy(info[i].type, t->type, sizeof(info[i].type));
		info[i].group = t->group;
		info[i].vendor = t->vendor;
		info[i].device = t->device;
		info[i].numa_node = t->numa_node;
	}
	*count = c->topo.ndevs;
	return 0;
}

static int sim_group_ranges(void *bctx, unsigned int id,
			    struct iop_iova_range *ranges, size_t max,
			    size_t *count)
{
	struct sim_ctx *c = bctx;
	int rc = sim_call();

	if (rc)
		return rc;
	for (size_t g = 0; g < c->topo.ngroups; g++) {
		const struct sim_topo_group *t = &c->topo.groups[g];

		if (t->id != id)
			continue;
		memcpy(ranges, t->ranges, (t->nranges < max ? t->nranges : max) * sizeof(*ranges));
		*count = t->nranges;
		return 0;
	}
	return -ENOENT;
}

static int sim_dev_open(void *bctx, const char *bdf, void **out)
{
	struct sim_ctx *c = bctx;
	struct sim_dev *d = NULL;
	int rc = sim_call();

	if (rc)
		return rc;
	for (size_t i = 0; i < c->topo.ndevs; i++)
		if (strcmp(c->topo.devs[i].bdf, bdf) == 0)
			d = &c->devs[i];
	/* only a device on vfio-pci has a /dev/vfio/devices node */
	if (!d || strcmp(d->topo->driver, "vfio-pci") != 0)
		return -ENODEV;
	/* the cdev path allows one open of a device (vfio_df_open), in this
	 * context or any other */
	if (d->bound)
		return -EINVAL;
	/* BIND_IOMMUFD claims DMA ownership of the whole group: refused
	 * while a sibling is on a kernel driver */
	for (size_t i = 0; i < c->topo.ndevs; i++)
		if (c->devs[i].group == d->group && !iop_driver_allows_user_dma(c->topo.devs[i].driver))
			return -EPERM;
	rc = sim_dev_claim(c, d);
	if (rc)
		return rc;
	if (d->group->nbound == 0) {
		rc = sim_group_claim(c, d->group);
		if (rc) {
			sim_dev_release(c, d);
			return rc;
		}
	}
	d->bound = true;
	d->group->nbound++;
	d->refs = 0;
	__atomic_store_n(&d->fault_count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&d->fault_last, 0, __ATOMIC_RELAXED);
	sim_count_fds(1);
	*out = d;
	return 0;
}

static void ioas_group_leave(struct sim_ioas *s);

static void group_detach_dev(struct sim_dev *d)
{
	struct sim_group *g = d->group;

	d->attached = false;
	if (--g->nattached == 0) {
		ioas_group_leave(g->ioas);
		__atomic_store_n(&g->ioas, NULL, __ATOMIC_RELEASE);
	}
}

static void sim_dev_close(void *bdev)
{
	struct sim_dev *d = bdev;

	if (d->attached)
		group_detach_dev(d);
	d->bound = false;
	if (--d->group->nbound == 0)
		sim_group_release(d->ctx, d->group);
	sim_dev_release(d->ctx, d);
	sim_count_fds(-1);
}

static int sim_dev_fd(void *bdev)
{
	(void)bdev;
	return -1;
}

static int sim_ioas_alloc(void *bctx, void **out)
{
	struct sim_ioas *s;
	int rc = sim_call();

	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (pthread_rwlock_init(&s->lock, NULL)) {
		free(s);
		return -ENOMEM;
	}
	s->ctx = bctx;
	sim_count_allocs(1);
	*out = s;
	return 0;
}

static bool has_domain(const struct sim_ioas *s)
{
	return s->ngroups > 0;
}

/* An area of s goes away. */
static void area_put(struct sim_ioas *s, const struct sim_area *a)
{
	struct sim_pages *p = a->pages;

	if (has_domain(s))
		sim_unpin_areas(s->ctx, a, 1);
	if (--p->refs)
		return;
	sim_count_allocs(-1);
	free(p->domain_refs);
	free(p);
}

static int sim_ioas_free(void *bioas)
{
	struct sim_ioas *s = bioas;

	/* IOMMU_DESTROY of an IOAS a device is attached to, or an access is
	 * on (never an injected fault: teardown paths rely on it) */
	if (has_domain(s) || s->accesses)
		return -EBUSY;
	for (size_t i = 0; i < s->nareas; i++)
		area_put(s, &s->areas[i]);
	sim_count_mappings(-(int)s->nareas);
	pthread_rwlock_destroy(&s->lock);
	free(s->areas);
	free(s->allowed);
	free(s);
	sim_count_allocs(-1);
	return 0;
}

/* Allowed IOVA: everything, narrowed by each attached group's ranges; or
 * the windows of a window-style IOAS. */
static size_t ioas_ranges(const struct sim_ioas *s, struct iop_iova_range *out)
{
	struct iop_iova_range tmp[RANGES_SCRATCH];
	size_t n = 1;

	if (s->windowed)
		return sim_windows_ranges(s, out);
	out[0] = (struct iop_iova_range){ 0, UINT64_MAX };
	for (size_t g = 0; g < s->ctx->topo.ngroups; g++) {
		const struct sim_group *grp = &s->ctx->groups[g];

		if (grp->ioas != s)
			continue;
		n = iop_iova_ranges_intersect(out, n, grp->topo->ranges, grp->topo->nranges,
					      tmp, RANGES_SCRATCH);
		memcpy(out, tmp, n * sizeof(*out));
	}
	return n;
}

static bool inside(const struct iop_iova_range *r, size_t n, uint64_t first,
		   uint64_t last)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].first <= first && last <= r[i].last)
			return true;
	return false;
}

/* iommufd's iova_alignment: the largest smallest IOMMU page of the
 * groups attached (1: no domain, anything goes). */
static uint64_t ioas_alignment(const struct sim_ioas *s)
{
	uint64_t align = 1;

	for (size_t g = 0; g < s->ctx->topo.ngroups; g++)
		if (s->ctx->groups[g].ioas == s && s->ctx->groups[g].topo->io_page > align)
			align = s->ctx->groups[g].topo->io_page;
	return align;
}

/* The offset of a user address in its (CPU) page is what the kernel
 * holds to the alignment, with the IOVA and the length. */
static bool aligned(uint64_t iova_or_len, uint64_t align)
{
	return iova_or_len % align == 0;
}

static bool va_aligned(uintptr_t va, uint64_t align)
{
	return (va % SIM_PAGE_SIZE) % align == 0;
}

/* Every area of s lies in its windows. */
static bool areas_in_windows(const struct sim_ioas *s)
{
	struct iop_iova_range w[SIM_MAX_WINDOWS];
	size_t n = sim_windows_ranges(s, w);

	for (size_t i = 0; i < s->nareas; i++)
		if (!inside(w, n, s->areas[i].iova, s->areas[i].iova + s->areas[i].len - 1))
			return false;
	return true;
}

/* Group g joins s: its IOMMU must be of the style of the groups there
 * (EPERM), what g reserves must be clear of the areas of s and of the
 * ranges s allows, or the areas must fit the windows (EADDRINUSE). The
 * first group gives s its domain: every area must be aligned to the
 * group's IOMMU page then (iova, length and offset in the page:
 * EADDRINUSE) and its pages get pinned (ENOMEM). As in iommufd, an attach checks the regions the
 * devices reserve before the new domain pins, a replace (a group leaving
 * another IOAS) after: over memlock with both, an attach is EADDRINUSE
 * and a replace ENOMEM. Nothing changes on failure. */
static int ioas_group_join(struct sim_ioas *s, const struct sim_group *g, bool replace)
{
	struct iop_iova_range windows[SIM_MAX_WINDOWS];
	bool windowed = s->windowed, new_domain = !has_domain(s);
	bool regions_last = replace && new_domain && !sim_group_windowed(g);
	uint64_t new_align = g->topo->io_page > ioas_alignment(s) ? g->topo->io_page : ioas_alignment(s);
	int rc;

	memcpy(windows, s->windows, sizeof(windows));
	rc = sim_windows_join(s, g);

	if (rc)
		return rc;
	if (sim_group_windowed(g) ? !areas_in_windows(s) : !sim_group_clear_of_aperture(g, s))
		rc = -EADDRINUSE;
	if (rc == 0 && !sim_group_windowed(g) && !regions_last &&
	    !sim_group_clear_of_regions(g, s))
		rc = -EADDRINUSE;
	/* a larger IOMMU page than the IOAS had: every area must fit it */
	for (size_t i = 0; rc == 0 && new_align > ioas_alignment(s) && i < s->nareas; i++)
		if (!aligned(s->areas[i].iova | s->areas[i].len, new_align) ||
		    !va_aligned(s->areas[i].va, new_align))
			rc = -EADDRINUSE;
	if (rc == 0 && new_domain)
		rc = sim_pin_areas(s->ctx, s->areas, s->nareas);
	if (rc == 0 && regions_last && !sim_group_clear_of_regions(g, s)) {
		sim_unpin_areas(s->ctx, s->areas, s->nareas);
		rc = -EADDRINUSE;
	}
	if (rc) {
		/* a default window made for g goes with it */
		s->windowed = windowed;
		memcpy(s->windows, windows, sizeof(windows));
		return rc;
	}
	s->ngroups++;
	return 0;
}

/* The last group to leave takes the domain, and the pins, with it. */
static void ioas_group_leave(struct sim_ioas *s)
{
	if (--s->ngroups == 0) {
		sim_unpin_areas(s->ctx, s->areas, s->nareas);
		sim_windows_leave(s);
	}
}

static int sim_attach(void *bdev, void *bioas)
{
	struct sim_dev *d = bdev;
	struct sim_group *g = d->group;
	struct sim_ioas *s = bioas;
	int rc = sim_call();

	if (rc)
		return rc;
	if (!d->bound)
		return -EINVAL;
	/* an IOAS of another context: its ID names nothing in the device's
	 * iommufd (ENOENT), or another object (EINVAL; the sim has no object
	 * IDs), never this IOAS */
	if (s->ctx != d->ctx)
		return -ENOENT;
	if (d->attached) {
		/* a second attach replaces the domain of the whole group */
		if (g->ioas == s)
			return 0;
		rc = ioas_group_join(s, g, true);
		if (rc)
			return rc;
		ioas_group_leave(g->ioas);
		__atomic_store_n(&g->ioas, s, __ATOMIC_RELEASE);
		return 0;
	}
	if (g->ioas && g->ioas != s)
		return -EINVAL;
	if (!g->ioas) {
		rc = ioas_group_join(s, g, false);
		if (rc)
			return rc;
		__atomic_store_n(&g->ioas, s, __ATOMIC_RELEASE);
	}
	g->nattached++;
	d->attached = true;
	return 0;
}

static int sim_detach(void *bdev)
{
	struct sim_dev *d = bdev;
	int rc = sim_call();

	if (rc)
		return rc;
	/* the kernel's DETACH_IOMMUFD_PT does nothing and succeeds then */
	if (d->attached)
		group_detach_dev(d);
	return 0;
}

/* type1: an attached device is not moved by a second attach (no
 * replace: the vfio backend's EBUSY) */
static int sim_type1_attach(void *bdev, void *bioas)
{
	struct sim_dev *d = bdev;

	if (d->attached && d->group->ioas != bioas) {
		int rc = sim_call();

		return rc ? rc : -EBUSY;
	}
	return sim_attach(bdev, bioas);
}

static bool group_referenced(const struct sim_ctx *c, const struct sim_group *g)
{
	for (size_t i = 0; i < c->topo.ndevs; i++)
		if (c->devs[i].group == g && __atomic_load_n(&c->devs[i].refs, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* type1: the group's last device takes it out of its container, which the
 * kernel refuses while a device of the group is referenced */
static int sim_type1_detach(void *bdev)
{
	struct sim_dev *d = bdev;
	int rc = sim_call();

	if (rc)
		return rc;
	if (!d->attached)
		return 0;
	if (d->group->nattached == 1 && group_referenced(d->ctx, d->group))
		return -EBUSY;
	group_detach_dev(d);
	return 0;
}

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

	if (len == 0 || !aligned(iova | len, ioas_alignment(s)))
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	n = ioas_ranges(s, r);
	/* outside every window, sPAPR finds no table: ENXIO */
	if (!inside(r, n, iova, last))
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

static int sim_map(void *bioas, void *va, uint64_t len, uint64_t iova,
		   unsigned int prot)
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
	if (!va_aligned((uintptr_t)va, ioas_alignment(s)))
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
	rc = has_domain(s) ? sim_pin_areas(s->ctx, &a, 1) : 0;
	if (rc == 0) {
		rc = insert_area(s, &a);
		if (rc && has_domain(s))
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
static int sim_copy(void *dst_bioas, uint64_t dst_iova, void *src_bioas,
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
		else if (!va_aligned(c.va, ioas_alignment(dst)))
			rc = -EINVAL;
		if (rc)
			break;
	}
	if (rc == 0)
		rc = reserve_areas(dst, n);
	if (rc == 0 && has_domain(dst))
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
			area_put(s, &s->areas[i]);
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
static int sim_unmap(void *bioas, uint64_t iova, uint64_t len)
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

static int sim_iova_ranges(void *bioas, struct iop_iova_range *ranges,
			   size_t max, size_t *count)
{
	struct iop_iova_range r[RANGES_SCRATCH];
	size_t n;
	int rc = sim_call();

	if (rc)
		return rc;
	n = ioas_ranges(bioas, r);
	memcpy(ranges, r, (n < max ? n : max) * sizeof(*r));
	*count = n;
	return 0;
}

/* Pins count against the topology's memlock line, not the process's
 * RLIMIT_MEMLOCK: messages must name that one. */
static uint64_t sim_memlock_limit(void *bctx)
{
	const struct sim_ctx *c = bctx;

	return c->topo.memlock;
}

static const struct iop_backend_ops *sim_semantics(void *bctx)
{
	const struct sim_ctx *c = bctx;

	return c->topo.type1 ? &iop_backend_sim_type1 : &iop_backend_sim;
}

#define SIM_OPS_COMMON \
	.open = sim_open, \
	.semantics = sim_semantics, \
	.close = sim_close, \
	.devices = sim_devices, \
	.dev_open = sim_dev_open, \
	.dev_close = sim_dev_close, \
	.dev_fd = sim_dev_fd, \
	.ioas_alloc = sim_ioas_alloc, \
	.ioas_free = sim_ioas_free, \
	.map = sim_map, \
	.unmap = sim_unmap, \
	.iova_ranges = sim_iova_ranges, \
	.group_ranges = sim_group_ranges, \
	.memlock_limit = sim_memlock_limit, \
	.window_create = sim_window_create, \
	.window_remove = sim_window_remove

const struct iop_backend_ops iop_backend_sim = {
	.name = "sim",
	.can_replace = true,
	.attach = sim_attach,
	.detach = sim_detach,
	.copy = sim_copy,
	.allow_iovas = sim_allow_iovas,
	SIM_OPS_COMMON,
};

const struct iop_backend_ops iop_backend_sim_type1 = {
	.name = "sim",
	.can_replace = false,
	.attach = sim_type1_attach,
	.detach = sim_type1_detach,
	/* a container has no IOAS_COPY (move.scn: copy is EOPNOTSUPP on vfio)
	 * and no IOAS_ALLOW_IOVAS */
	SIM_OPS_COMMON,
};
