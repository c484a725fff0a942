/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA ownership of a sim group (seed 002), across contexts and processes.
 *
 * The topology file is the machine: every context on that file, in any
 * process, shares its groups. A group owned for user DMA (the first
 * device bound, as iommu_device_claim_dma_owner() at VFIO_DEVICE_BIND_
 * IOMMUFD) is an exclusive flock(2) on a lock file of that group; another
 * iommufd (context) binding a device of it gets EPERM, and a kernel
 * driver's probe of a device in it fails with EINVAL, as in the kernel.
 * flock belongs to the open file, so it ends with the owner's close or
 * crash, and two contexts of one process exclude each other too.
 *
 * A bound device holds a lock of its own too: another context binding the
 * same device gets EINVAL, as from vfio_df_open (one open of a device on
 * the cdev path), before the group's ownership is asked for.
 *
 * Lock files: IOP_SIM_RUN_DIR, or /tmp/iopath-sim-<uid>, created 0700 and
 * refused unless it is a folder of ours that nobody else may write; one
 * file per topology file (device, inode, real path) and group or device,
 * removed by its owner when it lets go (one left by a crash owns nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "iommu/sim: "
#include "iop_log.h"
#include "iop_sim.h"
#include "iommu_internal.h"
#include "sim_owner.h"

void sim_machine_id(struct sim_ctx *c, const char *topology)
{
	char real[PATH_MAX];
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	struct stat st;

	char builtin[64];

	/* the built-in topology is a machine of this process's own: processes
	 * share a simulated machine only through a topology file */
	if (!topology) {
		snprintf(builtin, sizeof(builtin), "(built-in default of pid %d)", (int)getpid());
		topology = builtin;
	}
	if (stat(topology, &st) == 0) {
		c->topo_dev = st.st_dev;
		c->topo_ino = st.st_ino;
	}
	if (!realpath(topology, real))
		snprintf(real, sizeof(real), "%s", topology);
	for (const char *p = real; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	c->topo_path_hash = h;
}

static int run_dir(char *dir, size_t size)
{
	const char *env = getenv("IOP_SIM_RUN_DIR");
	struct stat st;

	if (env && *env)
		snprintf(dir, size, "%s", env);
	else
		snprintf(dir, size, "/tmp/iopath-sim-%u", (unsigned int)geteuid());
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return IOP_ERR(errno, "cannot create %s for the sim's group ownership: %s",
			       dir, strerror(errno));
	if (lstat(dir, &st) != 0)
		return IOP_ERR(errno, "cannot read %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return IOP_ERR(EACCES, "refusing %s for the sim's group ownership: it must be a folder owned by uid %u that only its owner may write (remove it, or set IOP_SIM_RUN_DIR)",
			       dir, (unsigned int)geteuid());
	return 0;
}

/* what: "group-<id>" or "dev-<bdf>" */
static int lock_path(const struct sim_ctx *c, const char *what, char *path,
		     size_t size)
{
	char dir[PATH_MAX - 80];
	int rc = run_dir(dir, sizeof(dir));

	if (rc)
		return rc;
	snprintf(path, size, "%s/topo-%llx-%llx-%016llx-%s.lock", dir,
		 (unsigned long long)c->topo_dev, (unsigned long long)c->topo_ino,
		 (unsigned long long)c->topo_path_hash, what);
	return 0;
}

static void group_lock_name(const struct sim_group *g, char *what, size_t size)
{
	snprintf(what, size, "group-%u", g->topo->id);
}

/* The lock what, held: its fd, -EWOULDBLOCK when another context holds
 * it, or another -errno. The owner removes the file when it lets go, so a
 * lock taken on a file that is no longer at its path is no lock: try
 * again. */
static int lock_take(const struct sim_ctx *c, const char *what)
{
	char path[PATH_MAX];
	struct stat held, now;
	int rc = lock_path(c, what, path, sizeof(path)), fd;

	if (rc)
		return rc;
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return IOP_ERR(errno, "cannot open %s: %s", path, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (fstat(fd, &held) == 0 && stat(path, &now) == 0 &&
		    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
			return fd;
		close(fd);
	}
}

static void lock_drop(const struct sim_ctx *c, const char *what, int fd)
{
	char path[PATH_MAX];

	/* removed while still held, so nobody locks the old file after us */
	if (lock_path(c, what, path, sizeof(path)) == 0)
		unlink(path);
	close(fd);
}

int sim_dev_claim(const struct sim_ctx *c, struct sim_dev *d)
{
	char what[64];
	int fd;

	snprintf(what, sizeof(what), "dev-%s", d->topo->bdf);
	fd = lock_take(c, what);
	/* bound by another iommufd: vfio_df_open */
	if (fd == -EWOULDBLOCK)
		return -EINVAL;
	if (fd < 0)
		return fd;
	d->owner_fd = fd;
	sim_count_fds(1);
	return 0;
}

void sim_dev_release(const struct sim_ctx *c, struct sim_dev *d)
{
	char what[64];

	snprintf(what, sizeof(what), "dev-%s", d->topo->bdf);
	lock_drop(c, what, d->owner_fd);
	d->owner_fd = -1;
	sim_count_fds(-1);
}

int sim_group_claim(const struct sim_ctx *c, struct sim_group *g)
{
	char what[32];
	int fd;

	group_lock_name(g, what, sizeof(what));
	fd = lock_take(c, what);
	/* owned by another iommufd: iommu_device_claim_dma_owner */
	if (fd == -EWOULDBLOCK)
		return -EPERM;
	if (fd < 0)
		return fd;
	g->owner_fd = fd;
	sim_count_fds(1);
	return 0;
}

void sim_group_release(const struct sim_ctx *c, struct sim_group *g)
{
	char what[32];

	group_lock_name(g, what, sizeof(what));
	lock_drop(c, what, g->owner_fd);
	g->owner_fd = -1;
	sim_count_fds(-1);
}

int sim_group_owned(const struct sim_ctx *c, const struct sim_group *g)
{
	char what[32];
	int fd;

	if (g->nbound)
		return 1;
	group_lock_name(g, what, sizeof(what));
	fd = lock_take(c, what);
	if (fd == -EWOULDBLOCK)
		return 1;
	if (fd < 0)
		return fd;
	lock_drop(c, what, fd);
	return 0;
}

/* --- iop_sim.h: a kernel driver's probe ----------------------------------- */

int iop_sim_driver_probe(struct iop_ctx *ctx, const char *bdf, const char *driver)
{
	struct sim_ctx *c;
	struct sim_dev *d = NULL;
	int rc = 0;

	if (!ctx || iop_ctx_backend(ctx) != IOP_BACKEND_SIM || !bdf || !driver ||
	    !*driver || strlen(driver) >= IOP_DRIVER_LEN || !strcmp(driver, "none"))
		return -EINVAL;
	iop_ctx_lock(ctx);
	c = ctx->bctx;
	for (size_t i = 0; i < c->topo.ndevs; i++)
		if (strcmp(c->topo.devs[i].bdf, bdf) == 0)
			d = &c->devs[i];
	if (!d)
		rc = -ENODEV;
	else if (strcmp(d->topo->driver, "none") != 0)
		rc = -EBUSY;
	/* vfio-pci manages DMA itself and may join an owned group */
	else if (strcmp(driver, "vfio-pci") != 0)
		rc = sim_group_owned(c, d->group);
	if (rc > 0)
		rc = -EINVAL;
	if (rc == 0)
		snprintf(c->topo.devs[d - c->devs].driver, IOP_DRIVER_LEN, "%s", driver);
	iop_ctx_unlock(ctx);
	return rc;
}
