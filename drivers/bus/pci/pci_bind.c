/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binding to vfio-pci the way the kernel documents it (sysfs-bus-pci:
 * driver_override, then unbind, then drivers_probe), and giving the device
 * back to the driver it had, which we record at bind time because the
 * kernel forgets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"
#include "pci_state.h"
#include "pci_owner.h"

#define VFIO_PCI "vfio-pci"

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(val);
	int err;

	if (fd < 0)
		return -errno;
	err = write(fd, val, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return err;
}

/* The basename of <root>/bus/pci/devices/<bdf>/driver, or "none". */
static void current_driver(const char *root, const char *bdf, char *drv, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", root, bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		snprintf(drv, size, "none");
		return;
	}
	target[n] = '\0';
	snprintf(drv, size, "%s", basename(target));
}

static int canonical(const char *root, const char *in, char bdf[IOP_BDF_LEN])
{
	char path[PATH_MAX];
	int rc = iop_pci_addr_normalize(in, bdf);

	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, bdf);
	if (access(path, F_OK) != 0) {
		rc = iop_pci_sriov_missing(root, bdf);
		return rc ? rc : IOP_ERR(ENODEV, "no PCI device %s (see 'iop-devices list')", bdf);
	}
	return 0;
}

/*
 * Writes val to <root>/bus/pci/drivers/<drv>/<file>. drv comes from a record
 * or a link: it is used only as one entry name of the drivers folder, a
 * real folder there, never as a path.
 */
static int driver_write(const char *root, const char *drv, const char *file, const char *val)
{
	char path[PATH_MAX];
	int drivers_fd, drv_fd, fd, err;
	ssize_t len = (ssize_t)strlen(val);

	if (!pci_driver_name_ok(drv))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers", root);
	drivers_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (drivers_fd < 0)
		return -errno;
	drv_fd = openat(drivers_fd, drv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	err = drv_fd < 0 ? -errno : 0;
	close(drivers_fd);
	if (err)
		return err == -ENOTDIR || err == -ELOOP ? -ENOENT : err;
	fd = openat(drv_fd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	close(drv_fd);
	if (err)
		return err;
	err = write(fd, val, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return err;
}

/* Undoes a bind that failed half-way, so that a failed bind changes
 * nothing: the override cleared, the device offered back to drv, and its
 * record removed. */
static void bind_undo(const char *root, int state_fd, const char *bdf, const char *drv)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", root, bdf);
	if (sysfs_write(path, "\n") < 0)
		IOP_LOG(WARN, "%s: cannot clear driver_override after the failed bind", bdf);
	if (strcmp(drv, "none") != 0 && driver_write(root, drv, "bind", bdf) < 0)
		IOP_LOG(WARN, "%s: %s did not take it back after the failed bind", bdf, drv);
	pci_state_remove(state_fd, bdf);
}

/* What bind and unbind start from: root and state_dir with their defaults,
 * the canonical BDF of in and the driver it is on now. */
static int bind_target(const char **root, const char **state_dir, const char *in,
		       char bdf[IOP_BDF_LEN], char drv[IOP_DRIVER_LEN])
{
	int rc;

	*root = *root ? *root : "/sys";
	*state_dir = *state_dir ? *state_dir : "/run/iopath";
	rc = canonical(*root, in, bdf);
	if (rc < 0)
		return rc;
	current_driver(*root, bdf, drv, IOP_DRIVER_LEN);
	return 0;
}

static int bind_steps(const char *root, int state_fd, const char *state_dir,
		      const char *bdf, const char *drv)
{
	char path[PATH_MAX], now[IOP_DRIVER_LEN];
	int rc;

	rc = pci_state_write(state_fd, state_dir, bdf, drv);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", root, bdf);
	rc = sysfs_write(path, VFIO_PCI);
	if (rc < 0) {
		pci_state_remove(state_fd, bdf);
		return IOP_ERR(-rc, "cannot set driver_override of %s: %s (are you root?)",
			       bdf, strerror(-rc));
	}
	if (strcmp(drv, "none") != 0) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", root, bdf);
		rc = sysfs_write(path, bdf);
		if (rc < 0) {
			bind_undo(root, state_fd, bdf, "none");
			return IOP_ERR(-rc, "cannot unbind %s from %s: %s", bdf, drv, strerror(-rc));
		}
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", root);
	rc = sysfs_write(path, bdf);
	current_driver(root, bdf, now, sizeof(now));
	if (strcmp(now, VFIO_PCI) != 0) {
		bind_undo(root, state_fd, bdf, drv);
		return IOP_ERR(rc < 0 ? -rc : EIO,
			       "vfio-pci did not take %s (it is on %s): check dmesg; vfio-pci needs an IOMMU (intel_iommu=on) or enable_unsafe_noiommu_mode",
			       bdf, now);
	}
	return 0;
}

int iop_pci_bind_vfio(const char *root, const char *state_dir, const char *in)
{
	char bdf[IOP_BDF_LEN], drv[IOP_DRIVER_LEN], path[PATH_MAX];
	int rc, state_fd;

	rc = bind_target(&root, &state_dir, in, bdf, drv);
	if (rc < 0)
		return rc;
	if (strcmp(drv, VFIO_PCI) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/" VFIO_PCI, root);
	if (access(path, F_OK) != 0)
		return IOP_ERR(ENOENT, "vfio-pci is not loaded: run 'modprobe vfio-pci' and retry");
	rc = iop_pci_sriov_refuse_pf(root, bdf, IOP_PCI_SRIOV_BIND_WHY);
	if (rc < 0)
		return rc;
	if (strcmp(drv, "none") != 0 && !pci_driver_name_ok(drv))
		return IOP_ERR(EINVAL, "%s is on a driver whose name iopath cannot record: unbind it by hand first",
			       bdf);
	state_fd = pci_state_open(state_dir, true);
	if (state_fd < 0)
		return state_fd;
	rc = bind_steps(root, state_fd, state_dir, bdf, drv);
	close(state_fd);
	if (rc == 0)
		IOP_LOG(INFO, "%s bound to vfio-pci", bdf);
	return rc;
}

/* The driver recorded for bdf ("" without a record), refused before
 * anything changes when the record is not safe or names no driver. */
static int recorded_driver(const char *root, const char *state_dir, const char *bdf,
			   int *state_fd, char prev[IOP_DRIVER_LEN])
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	prev[0] = '\0';
	*state_fd = pci_state_open(state_dir, false);
	if (*state_fd == -ENOENT)
		return 0;
	if (*state_fd < 0)
		return *state_fd;
	rc = pci_state_read(*state_fd, state_dir, bdf, prev);
	if (rc < 0 || !prev[0] || !strcmp(prev, "none") || !strcmp(prev, VFIO_PCI))
		return rc;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", root, prev);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return IOP_ERR(ENOENT, "%s was on %s before bind, but no such driver is loaded: load it (modprobe %s), or remove %s/%s.driver to let the kernel choose",
			       bdf, prev, prev, state_dir, bdf);
	return 0;
}

/* Unbinding a device that a program holds open waits until it closes it
 * (vfio-pci's remove): say who holds it instead of hanging. */
static int refuse_if_held(const char *root, const char *bdf)
{
	struct pci_holder h;

	if (!pci_device_holder(root, bdf, &h))
		return 0;
	return IOP_ERR(EBUSY, "%s is in use by pid %d (%s) through VFIO: stop that program first (unbinding would wait for it)",
		       bdf, (int)h.pid, h.comm);
}

/* A kernel driver that did not take bdf back: when its IOMMU group is owned
 * for user DMA the kernel refuses every kernel driver there (seed 002). */
static int driver_refused(const char *root, const char *bdf, const char *drv, int rc)
{
	struct pci_holder h;

	if (pci_group_holder(root, bdf, &h))
		return IOP_ERR(-rc, "%s is unbound but %s cannot take it (%s) while its IOMMU group is owned for user DMA by pid %d (%s, through %s); it stays on no driver: when that program has exited, run: echo %s > /sys/bus/pci/drivers/%s/bind",
			       bdf, drv, strerror(-rc), (int)h.pid, h.comm, h.bdf, bdf, drv);
	return IOP_ERR(-rc, "%s is unbound but %s did not take it back: %s", bdf, drv,
		       strerror(-rc));
}

int iop_pci_unbind(const char *root, const char *state_dir, const char *in)
{
	char bdf[IOP_BDF_LEN], drv[IOP_DRIVER_LEN], prev[IOP_DRIVER_LEN];
	char path[PATH_MAX];
	int rc, state_fd;

	rc = bind_target(&root, &state_dir, in, bdf, drv);
	if (rc < 0)
		return rc;
	if (strcmp(drv, VFIO_PCI) != 0)
		return IOP_ERR(EINVAL, "%s is not bound to vfio-pci (it is on %s): nothing to unbind",
			       bdf, drv);
	rc = refuse_if_held(root, bdf);
	if (rc < 0)
		return rc;
	rc = recorded_driver(root, state_dir, bdf, &state_fd, prev);
	if (rc < 0)
		goto out;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", root, bdf);
	rc = sysfs_write(path, bdf);
	if (rc < 0) {
		rc = IOP_ERR(-rc, "cannot unbind %s from vfio-pci: %s (are you root? is it in use?)",
			     bdf, strerror(-rc));
		goto out;
	}
	/* a newline clears driver_override (sysfs-bus-pci) */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", root, bdf);
	rc = sysfs_write(path, "\n");
	if (rc < 0) {
		rc = IOP_ERR(-rc, "cannot clear driver_override of %s: %s", bdf, strerror(-rc));
		goto out;
	}
	if (prev[0] && strcmp(prev, "none") != 0 && strcmp(prev, VFIO_PCI) != 0) {
		rc = driver_write(root, prev, "bind", bdf);
		if (rc < 0) {
			rc = driver_refused(root, bdf, prev, rc);
			goto out;
		}
	} else if (!prev[0]) {
		/* no record: let the kernel choose, as at boot */
		snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", root);
		rc = sysfs_write(path, bdf);
		if (rc < 0)
			IOP_LOG(WARN, "%s is unbound; no driver took it (%s)", bdf, strerror(-rc));
		rc = 0;
	}
	if (state_fd >= 0)
		pci_state_remove(state_fd, bdf);
	IOP_LOG(INFO, "%s unbound from vfio-pci%s%s", bdf, prev[0] ? ", back to " : "",
		prev);
out:
	if (state_fd >= 0)
		close(state_fd);
	return rc;
}
