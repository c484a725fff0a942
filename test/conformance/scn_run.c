/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-scn: runs the conformance scenarios of test/conformance (.scn files) on one IOMMU
 * backend and prints the errno of every step, so the same scenario run on
 * the sim (host) and on the kernel (guest) can be compared line by line.
 *
 *   iop-scn --iommu=iommufd|vfio|sim --aperture=39|48 --layout=FILE SCN...
 *
 * Steps (one a line; "=> ERR" sets the expected result, default 0; tokens
 * like "vfio:EBUSY" or "aw39:EADDRINUSE" override it for one backend or
 * aperture, the backend winning):
 *   bind BDF... [memlock=SIZE]
 *                         these devices on vfio-pci, the layout's others on
 *                         their own driver (guest: rebinds through sysfs;
 *                         sim: written into the generated topology);
 *                         memlock= limits pinned memory (kernel: sets
 *                         RLIMIT_MEMLOCK and drops CAP_IPC_LOCK until the
 *                         next bind; sim: the topology's memlock line)
 *   open D BDF [ctx=2]    claim / release a device (ctx=2: through a
 *   close D               second context of the backend, as another
 *                         process would: another iommufd or container set;
 *                         closing a device that is not open: EBADF; such a
 *                         device cannot attach: IOAS are the first
 *                         context's, whose IDs the sim does not model)
 *   ioas A | free A       allocate / destroy an IOAS
 *   attach D A | detach D
 *   hold D | unhold D     a second reference to the device's VFIO fd (a
 *                         dup), as a PMD's mapping of a BAR holds one, and
 *                         its release (sim: no fd, nothing to hold)
 *   buf B SIZE            anonymous, populated memory (at most 256M)
 *   map A B IOVA|va [prot=r|w|rw] [off=N] [len=N]
 *                         fixed-IOVA map of B (from byte off, len bytes;
 *                         default all of it)
 *   mapany A B            kernel-chosen IOVA (iommufd only)
 *   copy A2 IOVA2 A1 IOVA1 LEN [prot=r|w|rw]
 *   unmap A IOVA LEN      (IOVA 0 and LEN 0xffffffffffffffff: unmap-all)
 *   mock M A | unmock M   a second group with other IOVA ranges joins A /
 *                         leaves it (iommufd: the self-test's mock device,
 *                         IOVA 16 MiB..2 GiB-1; sim: a group with that
 *                         range; vfio: EOPNOTSUPP)
 *   ranges A              prints the IOAS's IOVA ranges
 *   allow A [FIRST-LAST...]  IOMMU_IOAS_ALLOW_IOVAS (no range: all again;
 *                         vfio: EOPNOTSUPP)
 *   granges G             prints the ranges group G will allow once attached
 *                         (G: a group of the layout, else the step is refused)
 *   fd D                  whether the device has a VFIO fd
 *   message TEXT          the last error message contains TEXT (real
 *                         backends only: sim messages belong to the core)
 *
 * Output lines starting "scn " are the comparable record ("ext " lines: steps
 * only some backends have: mapany, fd); "msg " lines carry
 * the backend's message; "FAIL " lines are expectation misses (exit 1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "iommu_backend.h"
#include "iop_log.h"
#include "kernel_backend.h"
#include "scn_layout.h"
#include "scn_mock.h"

#define MAX_OBJ 16
#define BUF_MAX (256 << 20) /* populated at once: scenarios use a few MiB */

struct obj {
	char name[16];
	void *h;
	size_t len; /* buffers */
	int held;   /* devices: the fd `hold` made, + 1 (0: none) */
	bool ctx2;  /* devices: opened through the second context */
};

static const struct iop_backend_ops *ops;
static const char *backend_name;
static unsigned int aperture = 39;
static struct layout_dev layout[SCN_LAYOUT_MAX];
static size_t nlayout;
static void *bctx, *bctx2;
static struct iop_ctx_params ctx_params;
static struct obj devs[MAX_OBJ], ioas[MAX_OBJ], bufs[MAX_OBJ];
/* mock devices: h is the sim device, or (iommufd) the IOAS it is on with
 * the self-test device's object id in len */
static struct obj mocks[MAX_OBJ];
static int failures;
static char topo_path[64];
static struct rlimit saved_memlock;
static bool memlock_limited;
static int fds_at_start;

/* Open fds of this process (one directory read: the fuzz harness counts
 * them for every input). */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* Without CAP_IPC_LOCK even root is held to RLIMIT_MEMLOCK by both kernel
 * backends; the capability stays permitted so it can be raised again. */
static int set_ipc_lock(bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	if (on)
		d[0].effective |= d[0].permitted & (1u << CAP_IPC_LOCK);
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int limit_memlock(uint64_t bytes)
{
	struct rlimit rl = { bytes, saved_memlock.rlim_max };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return -errno;
	memlock_limited = true;
	return set_ipc_lock(false);
}

static void unlimit_memlock(void)
{
	if (!memlock_limited)
		return;
	setrlimit(RLIMIT_MEMLOCK, &saved_memlock);
	set_ipc_lock(true);
	memlock_limited = false;
}

static const char *errname(int e)
{
	const char *n;

	if (e == 0)
		return "0";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

static int errnum(const char *s)
{
	int e;

	if (!strcmp(s, "0"))
		return 0;
	for (e = 1; e < 134; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, s))
			return e;
	}
	return -1;
}

/* Why the last step was malformed, for its error line. */
static char malformed_why[96];

/* The object called name; with create, a free slot for a new one, or
 * NULL when the name is in use (its object would be lost) or all slots
 * are. */
static struct obj *find(struct obj *tab, const char *name, bool create)
{
	int i;

	for (i = 0; i < MAX_OBJ; i++) {
		if (tab[i].h && !strcmp(tab[i].name, name)) {
			if (!create)
				return &tab[i];
			snprintf(malformed_why, sizeof(malformed_why),
				 ": %.15s is in use (close or free it first)", name);
			return NULL;
		}
	}
	if (!create)
		return NULL;
	for (i = 0; i < MAX_OBJ; i++) {
		if (!tab[i].h) {
			snprintf(tab[i].name, sizeof(tab[i].name), "%.15s", name);
			return &tab[i];
		}
	}
	snprintf(malformed_why, sizeof(malformed_why), ": more than %d objects of a kind", MAX_OBJ);
	return NULL;
}

static bool in_list(const char *bdf, char **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], bdf))
			return true;
	return false;
}

/* granges: a group the sim cannot know is refused on every backend, so
 * that the kernel's and the sim's records stay comparable. */
static bool layout_has_group(unsigned int group)
{
	for (size_t i = 0; i < nlayout; i++)
		if (layout[i].group == group)
			return true;
	return false;
}

static const char *aperture_ranges(void)
{
	/* Intel vIOMMU: 0..2^aw-1 less the interrupt (MSI) window */
	return aperture == 39 ? "range=0x0-0xfedfffff range=0xfef00000-0x7fffffffff"
			      : "range=0x0-0xfedfffff range=0xfef00000-0xffffffffffff";
}

static int parse_u64(const char *s, uint64_t *v);

static int write_topology(char **bound, int nbound, const char *memlock)
{
	FILE *f;
	unsigned int groups[SCN_LAYOUT_MAX];
	size_t ng = 0, i, j;
	int fd;

	snprintf(topo_path, sizeof(topo_path), "/tmp/iop-scn-XXXXXX");
	fd = mkstemp(topo_path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	for (i = 0; i < nlayout; i++) {
		for (j = 0; j < ng && groups[j] != layout[i].group; j++)
			;
		if (j == ng) {
			groups[ng++] = layout[i].group;
			fprintf(f, "group %u %s\n", layout[i].group, aperture_ranges());
		}
	}
	for (i = 0; i < nlayout; i++)
		fprintf(f, "device %s group=%u driver=%s\n", layout[i].bdf, layout[i].group,
			in_list(layout[i].bdf, bound, nbound) ? "vfio-pci" : layout[i].driver);
	for (i = 0; i < SCN_MOCKS; i++) {
		fprintf(f, "group %zu %s\ndevice " SCN_MOCK_BDF " group=%zu driver=vfio-pci\n",
			SCN_MOCK_GROUP + i, SCN_MOCK_RANGE, (unsigned int)i, SCN_MOCK_GROUP + i);
	}
	if (memlock)
		fprintf(f, "memlock %s\n", memlock);
	fclose(f);
	return 0;
}

static int unmock(struct obj *m)
{
	int ret = 0;

	if (ops == &iop_backend_sim)
		ops->dev_close(m->h);
	else
		ret = scn_mock_detach(iop_iommufd_fd(m->h), (uint32_t)m->len);
	m->h = NULL;
	return ret;
}

static int mock(struct obj *m, struct obj *a)
{
	uint32_t stdev;
	int ret;

	if (ops == &iop_backend_sim) {
		char bdf[16];
		unsigned int i;

		/* the first mock device no mock holds */
		for (i = 0, ret = -EBUSY; ret == -EBUSY && i < SCN_MOCKS; i++) {
			snprintf(bdf, sizeof(bdf), SCN_MOCK_BDF, i);
			ret = ops->dev_open(bctx, bdf, &m->h);
			if (ret == -EINVAL) /* bound by another mock */
				ret = -EBUSY;
		}
		if (ret == 0 && (ret = ops->attach(m->h, a->h)) < 0)
			ops->dev_close(m->h);
		if (ret < 0)
			m->h = NULL;
		return ret;
	}
	if (ops != &iop_backend_iommufd)
		return -EOPNOTSUPP;
	ret = scn_mock_attach(iop_iommufd_fd(a->h), iop_iommufd_ioas_id(a->h), &stdev);
	if (ret == 0) {
		m->h = a->h;
		m->len = stdev;
	}
	return ret;
}

static void teardown(void)
{
	int i;

	for (i = 0; i < MAX_OBJ; i++)
		if (mocks[i].h)
			unmock(&mocks[i]);
	/* devices first: an IOAS with a device attached cannot be freed */
	for (i = 0; i < MAX_OBJ; i++) {
		if (devs[i].h)
			ops->dev_close(devs[i].h);
		devs[i].h = NULL;
	}
	for (i = 0; i < MAX_OBJ; i++) {
		if (ioas[i].h && ops->ioas_free(ioas[i].h) < 0)
			printf("FAIL teardown: IOAS %s cannot be freed with no device open\n", ioas[i].name);
		ioas[i].h = NULL;
	}
	for (i = 0; i < MAX_OBJ; i++) {
		if (bufs[i].h)
			munmap(bufs[i].h, bufs[i].len);
		bufs[i].h = NULL;
	}
	if (bctx)
		ops->close(bctx);
	if (bctx2)
		ops->close(bctx2);
	bctx = bctx2 = NULL;
	if (topo_path[0])
		unlink(topo_path);
	topo_path[0] = '\0';
	unlimit_memlock();
}

static int do_bind(char **arg, int n)
{
	struct iop_ctx_params p = { 0 };
	int rc;
	const char *memlock = NULL;
	uint64_t limit;
	size_t i;
	int ret;

	teardown();
	if (n > 0 && !strncmp(arg[n - 1], "memlock=", 8)) {
		memlock = arg[--n] + 8;
		if (parse_u64(memlock, &limit) < 0)
			return -1000;
	}
	if (ops == &iop_backend_sim) {
		if (write_topology(arg, n, memlock) < 0)
			return -EIO;
		p.backend = IOP_BACKEND_SIM;
		p.sim_topology = topo_path;
	} else {
		for (i = 0; i < nlayout; i++) {
			bool want_vfio = in_list(layout[i].bdf, arg, n);

			/* a layout device this guest lacks (vm-test adds the
			 * root port's) matters only when a step binds it */
			if (!want_vfio && !scn_device_present(layout[i].bdf))
				continue;
			if (strcmp(layout[i].driver, "none") && scn_rebind(&layout[i], want_vfio) < 0)
				return -EIO;
		}
		p.backend = ops == &iop_backend_vfio ? IOP_BACKEND_VFIO : IOP_BACKEND_IOMMUFD;
		if (memlock && (ret = limit_memlock(limit)) < 0)
			return ret;
	}
	rc = ops->open(&p, &bctx);
	ctx_params = p;
	return rc;
}

/* Prot tokens of map and copy steps. */
static bool parse_prot(const char *tok, unsigned int *prot)
{
	if (!strcmp(tok, "prot=r"))
		*prot = IOP_PROT_READ;
	else if (!strcmp(tok, "prot=w"))
		*prot = IOP_PROT_WRITE;
	else if (!strcmp(tok, "prot=rw"))
		*prot = IOP_PROT_READ | IOP_PROT_WRITE;
	else
		return false;
	return true;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);

	if (*end == 'K')
		x <<= 10, end++;
	else if (*end == 'M')
		x <<= 20, end++;
	else if (*end == 'G')
		x <<= 30, end++;
	*v = x;
	return *end ? -1 : 0;
}

#define NEED(cond) do { if (!(cond)) return -1000; } while (0)

/* Runs one step; returns 0 / -errno, or -1000 for a malformed step. */
static int step(char **t, int n, char *extra, size_t elen)
{
	struct obj *d, *a, *b, *a2;
	uint64_t iova, len, iova2;
	unsigned int prot = IOP_PROT_READ | IOP_PROT_WRITE;
	int ret;

	extra[0] = '\0';
	if (!strcmp(t[0], "bind"))
		return do_bind(t + 1, n - 1);
	if (!bctx && strcmp(t[0], "buf")) {
		snprintf(malformed_why, sizeof(malformed_why), ": no bind step before it");
		return -1000;
	}
	if (!strcmp(t[0], "open")) {
		void *ctx = bctx;

		NEED((n == 3 || (n == 4 && !strcmp(t[3], "ctx=2"))) && (d = find(devs, t[1], true)));
		if (n == 4) {
			if (!bctx2 && (ret = ops->open(&ctx_params, &bctx2)) < 0)
				return ret;
			ctx = bctx2;
		}
		ret = ops->dev_open(ctx, t[2], &d->h);
		if (ret < 0)
			d->h = NULL;
		d->ctx2 = n == 4;
		return ret;
	}
	if (!strcmp(t[0], "close")) {
		NEED(n == 2);
		/* a device whose open failed: nothing to close */
		if (!(d = find(devs, t[1], false)))
			return -EBADF;
		if (d->held)
			close(d->held - 1);
		d->held = 0;
		ops->dev_close(d->h);
		d->h = NULL;
		return 0;
	}
	if (!strcmp(t[0], "ioas")) {
		NEED(n == 2 && (a = find(ioas, t[1], true)));
		ret = ops->ioas_alloc(bctx, &a->h);
		if (ret < 0)
			a->h = NULL;
		return ret;
	}
	if (!strcmp(t[0], "free")) {
		NEED(n == 2 && (a = find(ioas, t[1], false)));
		ret = ops->ioas_free(a->h);
		if (ret == 0)
			a->h = NULL;
		return ret;
	}
	if (!strcmp(t[0], "attach")) {
		NEED(n == 3 && (d = find(devs, t[1], false)) && (a = find(ioas, t[2], false)));
		if (d->ctx2) {
			/* its iommufd would look the IOAS's ID up among its own
			 * objects, and which one it names, the sim cannot know */
			snprintf(malformed_why, sizeof(malformed_why),
				 ": %.15s is of the second context, the IOAS of the first", t[1]);
			return -1000;
		}
		return ops->attach(d->h, a->h);
	}
	if (!strcmp(t[0], "detach")) {
		NEED(n == 2 && (d = find(devs, t[1], false)));
		return ops->detach(d->h);
	}
	if (!strcmp(t[0], "hold")) {
		int fd;

		NEED(n == 2 && (d = find(devs, t[1], false)) && !d->held);
		fd = ops->dev_fd(d->h);
		if (fd < 0)
			return 0;
		fd = dup(fd);
		if (fd < 0)
			return -errno;
		d->held = fd + 1;
		return 0;
	}
	if (!strcmp(t[0], "unhold")) {
		NEED(n == 2 && (d = find(devs, t[1], false)));
		if (d->held)
			close(d->held - 1);
		d->held = 0;
		return 0;
	}
	if (!strcmp(t[0], "mock")) {
		NEED(n == 3 && (d = find(mocks, t[1], true)) && !d->h && (a = find(ioas, t[2], false)));
		return mock(d, a);
	}
	if (!strcmp(t[0], "unmock")) {
		NEED(n == 2);
		if (!(d = find(mocks, t[1], false)))
			return -EBADF;
		return unmock(d);
	}
	if (!strcmp(t[0], "fd")) {
		NEED(n == 2 && (d = find(devs, t[1], false)));
		snprintf(extra, elen, " fd=%s", ops->dev_fd(d->h) >= 0 ? "yes" : "no");
		return 0;
	}
	if (!strcmp(t[0], "buf")) {
		NEED(n == 3 && (b = find(bufs, t[1], true)) && !parse_u64(t[2], &len));
		if (len > BUF_MAX) {
			snprintf(malformed_why, sizeof(malformed_why), ": a buffer holds at most %dM",
				 BUF_MAX >> 20);
			return -1000;
		}
		b->h = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (b->h == MAP_FAILED) {
			b->h = NULL;
			return -errno;
		}
		b->len = len;
		return 0;
	}
	if (!strcmp(t[0], "map")) {
		uint64_t off = 0;
		int i;

		NEED(n >= 4 && (a = find(ioas, t[1], false)) && (b = find(bufs, t[2], false)));
		if (!strcmp(t[3], "va"))
			iova = (uintptr_t)b->h;
		else
			NEED(!parse_u64(t[3], &iova));
		len = 0;
		for (i = 4; i < n; i++) {
			if (!strncmp(t[i], "off=", 4))
				NEED(!parse_u64(t[i] + 4, &off));
			else if (!strncmp(t[i], "len=", 4))
				NEED(!parse_u64(t[i] + 4, &len));
			else
				NEED(parse_prot(t[i], &prot));
		}
		NEED(off < b->len && len <= b->len - off);
		if (!len)
			len = b->len - off;
		return ops->map(a->h, (char *)b->h + off, len, iova, prot);
	}
	if (!strcmp(t[0], "mapany")) {
		NEED(n == 3 && (a = find(ioas, t[1], false)) && (b = find(bufs, t[2], false)));
		if (ops != &iop_backend_iommufd)
			return -EOPNOTSUPP;
		ret = iop_iommufd_map_any(a->h, b->h, b->len, prot, &iova);
		/* where the kernel put it varies; that it is inside the
		 * aperture is what matters */
		if (!ret)
			snprintf(extra, elen, " in-aperture=%s",
				 iova + b->len - 1 < (1ull << aperture) ? "yes" : "no");
		return ret;
	}
	if (!strcmp(t[0], "copy")) {
		NEED((n == 6 || (n == 7 && parse_prot(t[6], &prot))) &&
		     (a2 = find(ioas, t[1], false)) && (a = find(ioas, t[3], false)));
		NEED(!parse_u64(t[2], &iova2) && !parse_u64(t[4], &iova) && !parse_u64(t[5], &len));
		if (!ops->copy)
			return -EOPNOTSUPP;
		return ops->copy(a2->h, iova2, a->h, iova, len, prot);
	}
	if (!strcmp(t[0], "unmap")) {
		NEED(n == 4 && (a = find(ioas, t[1], false)));
		NEED(!parse_u64(t[2], &iova) && !parse_u64(t[3], &len));
		return ops->unmap(a->h, iova, len);
	}
	if (!strcmp(t[0], "allow")) {
		struct iop_iova_range r[16];
		int i;

		NEED(n >= 2 && n - 2 <= 16 && (a = find(ioas, t[1], false)));
		for (i = 2; i < n; i++) {
			char *dash = strchr(t[i], '-');

			NEED(dash);
			*dash = '\0';
			NEED(!parse_u64(t[i], &r[i - 2].first) && !parse_u64(dash + 1, &r[i - 2].last));
			*dash = '-';
		}
		return ops->allow_iovas ? ops->allow_iovas(a->h, r, (size_t)(n - 2)) : -EOPNOTSUPP;
	}
	if (!strcmp(t[0], "ranges") || !strcmp(t[0], "granges")) {
		struct iop_iova_range r[8];
		size_t cnt = 0, i, used = 0;

		if (!strcmp(t[0], "granges")) {
			NEED(n == 2);
			if (!layout_has_group((unsigned int)atoi(t[1]))) {
				snprintf(malformed_why, sizeof(malformed_why),
					 ": group %.10s is not in the layout (the sim knows only its groups)", t[1]);
				return -1000;
			}
			ret = ops->group_ranges ? ops->group_ranges(bctx, (unsigned int)atoi(t[1]), r, 8, &cnt)
						: -EOPNOTSUPP;
		} else {
			NEED(n == 2 && (a = find(ioas, t[1], false)));
			ret = ops->iova_ranges(a->h, r, 8, &cnt);
		}
		for (i = 0; !ret && i < cnt && i < 8; i++)
			used += (size_t)snprintf(extra + used, elen - used, " [0x%" PRIx64 "-0x%" PRIx64 "]",
						 r[i].first, r[i].last);
		return ret;
	}
	return -1000;
}

/* The expected result of a step for this backend and aperture. */
static int expected(char **t, int n, int *nstep)
{
	char key[16];
	int i, def = 0, ap = -2, be = -2;

	*nstep = n;
	for (i = 0; i < n; i++) {
		if (!strcmp(t[i], "=>")) {
			*nstep = i;
			break;
		}
	}
	snprintf(key, sizeof(key), "aw%u:", aperture);
	for (i = *nstep + 1; i < n; i++) {
		char *colon = strchr(t[i], ':');

		if (!colon) {
			def = errnum(t[i]);
		} else if (!strncmp(t[i], backend_name, (size_t)(colon - t[i])) &&
			   strlen(backend_name) == (size_t)(colon - t[i])) {
			be = errnum(colon + 1);
		} else if (!strncmp(t[i], key, strlen(key))) {
			ap = errnum(colon + 1);
		}
	}
	return be != -2 ? be : ap != -2 ? ap : def;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "re");
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char line[512], text[512], extra[256];
	char *tok[24];
	int lineno = 0, n, nstep, want, got, i;

	if (!f) {
		fprintf(stderr, "iop-scn: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *save = NULL;

		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		for (n = 0, s = strtok_r(line, " \t", &save); s && n < 24; s = strtok_r(NULL, " \t", &save))
			tok[n++] = s;
		if (!n)
			continue;
		want = expected(tok, n, &nstep);
		text[0] = '\0';
		for (i = 0; i < nstep; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i ? " " : "", tok[i]);
		if (!strcmp(tok[0], "message")) {
			const char *msg = iop_err_msg();
			const char *needle = strstr(text, " ") ? strstr(text, " ") + 1 : "";

			if (ops == &iop_backend_sim)
				continue;
			printf("msg %s:%d checks \"%s\"\n", base, lineno, needle);
			if (!strstr(msg, needle)) {
				printf("FAIL %s:%d [%s] message \"%s\" lacks \"%s\"\n", base, lineno,
				       backend_name, msg, needle);
				failures++;
			}
			continue;
		}
		iop_err_clear();
		malformed_why[0] = '\0';
		got = step(tok, nstep, extra, sizeof(extra));
		if (got == -1000) {
			fprintf(stderr, "iop-scn: %s:%d: malformed step '%s'%s\n", path, lineno, text,
				malformed_why);
			fclose(f);
			teardown();
			return -1;
		}
		/* steps that only some backends have are shown, not compared */
		printf("%s %s:%d %s -> %s%s\n",
		       !strcmp(tok[0], "mapany") || !strcmp(tok[0], "fd") ? "ext" : "scn",
		       base, lineno, text, errname(-got), extra);
		if (got < 0 && iop_err_msg()[0])
			printf("msg %s:%d %s\n", base, lineno, iop_err_msg());
		if (want < 0 || -got != want) {
			printf("FAIL %s:%d [%s aw%u] %s: got %s, expected %s\n", base, lineno, backend_name,
			       aperture, text, errname(-got), want < 0 ? "?" : errname(want));
			failures++;
		}
	}
	fclose(f);
	teardown();
	if (count_fds() != fds_at_start) {
		printf("FAIL %s [%s] %d file descriptor(s) left open after the scenario\n", base,
		       backend_name, count_fds() - fds_at_start);
		failures++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *layout_path = NULL;
	int i, files = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--iommu=", 8)) {
			backend_name = argv[i] + 8;
			if (!strcmp(backend_name, "iommufd"))
				ops = &iop_backend_iommufd;
			else if (!strcmp(backend_name, "vfio"))
				ops = &iop_backend_vfio;
			else if (!strcmp(backend_name, "sim"))
				ops = &iop_backend_sim;
		} else if (!strncmp(argv[i], "--aperture=", 11)) {
			aperture = (unsigned int)atoi(argv[i] + 11);
		} else if (!strncmp(argv[i], "--layout=", 9)) {
			layout_path = argv[i] + 9;
		} else {
			break;
		}
	}
	if (!backend_name || (aperture != 39 && aperture != 48) || !layout_path || i == argc) {
		fprintf(stderr, "usage: iop-scn --iommu=iommufd|vfio|sim --aperture=39|48 --layout=FILE SCENARIO...\n");
		return 2;
	}
	if (!ops) {
		fprintf(stderr, "iop-scn: unknown backend '%s': use --iommu=iommufd, vfio or sim\n", backend_name);
		return 2;
	}
	if (scn_layout_load(layout_path, layout, &nlayout) < 0)
		return 2;
	printf("iop-scn: backend %s, aperture %u bits\n", backend_name, aperture);
	getrlimit(RLIMIT_MEMLOCK, &saved_memlock);
	fds_at_start = count_fds();
	for (; i < argc; i++, files++)
		if (run_file(argv[i]) < 0)
			return 2;
	printf("iop-scn: %s: %d scenario(s), %d failure(s)\n", backend_name, files, failures);
	return failures ? 1 : 0;
}
