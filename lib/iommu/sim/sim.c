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

#include "iommu_backend.h"
#include "iova_ranges.h"
#include "sim_access.h"
#include "sim_internal.h"
#include "sim_owner.h"
#include "user_dma.h"

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

bool sim_has_domain(const struct sim_ioas *s)
{
	return s->ngroups > 0;
}

/* An area of s goes away. */
void sim_area_put(struct sim_ioas *s, const struct sim_area *a)
{
	struct sim_pages *p = a->pages;

	if (sim_has_domain(s))
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
	if (sim_has_domain(s) || s->accesses)
		return -EBUSY;
	for (size_t i = 0; i < s->nareas; i++)
		sim_area_put(s, &s->areas[i]);
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
size_t sim_ioas_ranges(const struct sim_ioas *s, struct iop_iova_range *out)
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

bool sim_inside(const struct iop_iova_range *r, size_t n, uint64_t first,
		   uint64_t last)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].first <= first && last <= r[i].last)
			return true;
	return false;
}

/* iommufd's iova_alignment: the largest smallest IOMMU page of the
 * groups attached (1: no domain, anything goes). */
uint64_t sim_ioas_alignment(const struct sim_ioas *s)
{
	uint64_t align = 1;

	for (size_t g = 0; g < s->ctx->topo.ngroups; g++)
		if (s->ctx->groups[g].ioas == s && s->ctx->groups[g].topo->io_page > align)
			align = s->ctx->groups[g].topo->io_page;
	return align;
}

/* The offset of a user address in its (CPU) page is what the kernel
 * holds to the alignment, with the IOVA and the length. */
bool sim_aligned(uint64_t iova_or_len, uint64_t align)
{
	return iova_or_len % align == 0;
}

bool sim_va_aligned(uintptr_t va, uint64_t align)
{
	return (va % SIM_PAGE_SIZE) % align == 0;
}

/* Every area of s lies in its windows. */
static bool areas_in_windows(const struct sim_ioas *s)
{
	struct iop_iova_range w[SIM_MAX_WINDOWS];
	size_t n = sim_windows_ranges(s, w);

	for (size_t i = 0; i < s->nareas; i++)
		if (!sim_inside(w, n, s->areas[i].iova, s->areas[i].iova + s->areas[i].len - 1))
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
	bool windowed = s->windowed, new_domain = !sim_has_domain(s);
	bool regions_last = replace && new_domain && !sim_group_windowed(g);
	uint64_t new_align = g->topo->io_page > sim_ioas_alignment(s) ? g->topo->io_page : sim_ioas_alignment(s);
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
	for (size_t i = 0; rc == 0 && new_align > sim_ioas_alignment(s) && i < s->nareas; i++)
		if (!sim_aligned(s->areas[i].iova | s->areas[i].len, new_align) ||
		    !sim_va_aligned(s->areas[i].va, new_align))
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


static int sim_iova_ranges(void *bioas, struct iop_iova_range *ranges,
			   size_t max, size_t *count)
{
	struct iop_iova_range r[RANGES_SCRATCH];
	size_t n;
	int rc = sim_call();

	if (rc)
		return rc;
	n = sim_ioas_ranges(bioas, r);
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
