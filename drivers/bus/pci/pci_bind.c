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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"
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
	struct iop_pci_addr addr;
	char path[PATH_MAX];
	int rc = iop_pci_addr_parse(in, &addr);

	if (rc < 0)
		return rc;
	iop_pci_addr_format(&addr, bdf);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, bdf);
	if (access(path, F_OK) != 0)
		return IOP_ERR(ENODEV, "no PCI device %s (see 'iop-devices list')", bdf);
	return 0;
}

static void state_path(const char *state_dir, const char *bdf, char *path, size_t size)
{
	snprintf(path, size, "%s/%s.driver", state_dir, bdf);
}

static int record_driver(const char *state_dir, const char *bdf, const char *drv)
{
	char path[PATH_MAX];
	FILE *f;

	if (mkdir(state_dir, 0755) != 0 && errno != EEXIST)
		return IOP_ERR(errno, "cannot create %s to remember the driver of %s: %s",
			       state_dir, bdf, strerror(errno));
	state_path(state_dir, bdf, path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return IOP_ERR(errno, "cannot write %s: %s", path, strerror(errno));
	fprintf(f, "%s\n", drv);
	return fclose(f) == 0 ? 0 : IOP_ERR(EIO, "cannot write %s", path);
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

int iop_pci_bind_vfio(const char *root, const char *state_dir, const char *in)
{
	char bdf[IOP_BDF_LEN], drv[IOP_DRIVER_LEN], path[PATH_MAX];
	int rc;

	rc = bind_target(&root, &state_dir, in, bdf, drv);
	if (rc < 0)
		return rc;
	if (strcmp(drv, VFIO_PCI) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/" VFIO_PCI, root);
	if (access(path, F_OK) != 0)
		return IOP_ERR(ENOENT, "vfio-pci is not loaded: run 'modprobe vfio-pci' and retry");

	rc = record_driver(state_dir, bdf, drv);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", root, bdf);
	rc = sysfs_write(path, VFIO_PCI);
	if (rc < 0)
		return IOP_ERR(-rc, "cannot set driver_override of %s: %s (are you root?)",
			       bdf, strerror(-rc));
	if (strcmp(drv, "none") != 0) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", root, bdf);
		rc = sysfs_write(path, bdf);
		if (rc < 0)
			return IOP_ERR(-rc, "cannot unbind %s from %s: %s", bdf, drv, strerror(-rc));
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", root);
	rc = sysfs_write(path, bdf);
	current_driver(root, bdf, drv, sizeof(drv));
	if (strcmp(drv, VFIO_PCI) != 0)
		return IOP_ERR(rc < 0 ? -rc : EIO,
			       "vfio-pci did not take %s (it is on %s): check dmesg; vfio-pci needs an IOMMU (intel_iommu=on) or enable_unsafe_noiommu_mode",
			       bdf, drv);
	IOP_LOG(INFO, "%s bound to vfio-pci", bdf);
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
	char bdf[IOP_BDF_LEN], drv[IOP_DRIVER_LEN], prev[IOP_DRIVER_LEN] = "";
	char path[PATH_MAX];
	FILE *f;
	int rc;

	rc = bind_target(&root, &state_dir, in, bdf, drv);
	if (rc < 0)
		return rc;
	if (strcmp(drv, VFIO_PCI) != 0)
		return IOP_ERR(EINVAL, "%s is not bound to vfio-pci (it is on %s): nothing to unbind",
			       bdf, drv);
	rc = refuse_if_held(root, bdf);
	if (rc < 0)
		return rc;
	state_path(state_dir, bdf, path, sizeof(path));
	f = fopen(path, "re");
	if (f) {
		if (!fgets(prev, sizeof(prev), f))
			prev[0] = '\0';
		prev[strcspn(prev, "\n")] = '\0';
		fclose(f);
	}

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", root, bdf);
	rc = sysfs_write(path, bdf);
	if (rc < 0)
		return IOP_ERR(-rc, "cannot unbind %s from vfio-pci: %s (are you root? is it in use?)",
			       bdf, strerror(-rc));
	/* a newline clears driver_override (sysfs-bus-pci) */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", root, bdf);
	rc = sysfs_write(path, "\n");
	if (rc < 0)
		return IOP_ERR(-rc, "cannot clear driver_override of %s: %s", bdf, strerror(-rc));
	if (prev[0] && strcmp(prev, "none") != 0 && strcmp(prev, VFIO_PCI) != 0) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", root, prev);
		rc = sysfs_write(path, bdf);
		if (rc < 0)
			return driver_refused(root, bdf, prev, rc);
	} else if (!prev[0]) {
		/* no record: let the kernel choose, as at boot */
		snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", root);
		rc = sysfs_write(path, bdf);
		if (rc < 0)
			IOP_LOG(WARN, "%s is unbound; no driver took it (%s)", bdf, strerror(-rc));
	}
	state_path(state_dir, bdf, path, sizeof(path));
	unlink(path);
	IOP_LOG(INFO, "%s unbound from vfio-pci%s%s", bdf, prev[0] ? ", back to " : "",
		prev);
	return 0;
}
