/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bindings that survive a reboot, as driverctl keeps them: one udev rule
 * per device that, when the device appears at boot, sets its
 * driver_override to vfio-pci and has the kernel probe it again (the
 * driver built into the kernel or loaded first may have taken it already).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"

static const char *rules_dir_or_default(const char *dir)
{
	return dir && *dir ? dir : "/etc/udev/rules.d";
}

/* The rule file of a device; bdf is canonical, so it holds no '/'. */
static int rule_path(const char *dir, const char *in, char bdf[IOP_BDF_LEN],
		     char path[PATH_MAX])
{
	int rc = iop_pci_addr_normalize(in, bdf);

	if (rc < 0)
		return rc;
	snprintf(path, PATH_MAX, "%s/70-iopath-%s.rules", rules_dir_or_default(dir), bdf);
	return 0;
}

int iop_pci_persist_path(const char *dir, const char *bdf, char path[PATH_MAX])
{
	char canon[IOP_BDF_LEN];

	return rule_path(dir, bdf, canon, path);
}

int iop_pci_persist_set(const char *dir, const char *in)
{
	char bdf[IOP_BDF_LEN], path[PATH_MAX], tmp[PATH_MAX + 8];
	int rc = rule_path(dir, in, bdf, path), fd;
	FILE *f;

	if (rc < 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return IOP_ERR(errno, "cannot write %s to keep %s on vfio-pci: %s (are you root? does %s exist?)",
			       tmp, bdf, strerror(errno), rules_dir_or_default(dir));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return IOP_ERR(ENOMEM, "out of memory writing %s", tmp);
	}
	fprintf(f,
		"# %s stays on vfio-pci across reboots: written by 'iop-devices bind --persist',\n"
		"# removed by 'iop-devices unbind --persist %s'.\n"
		"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", ATTR{driver_override}=\"vfio-pci\", "
		"RUN+=\"/bin/sh -c 'modprobe -q vfio-pci; d=/sys/bus/pci/devices/%s; "
		"[ -e $$d/driver ] && echo %s > $$d/driver/unbind; echo %s > /sys/bus/pci/drivers_probe'\"\n",
		bdf, bdf, bdf, bdf, bdf, bdf);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		rc = IOP_ERR(errno, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return rc;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		rc = IOP_ERR(errno, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	IOP_LOG(INFO, "%s: %s stays on vfio-pci at boot", path, bdf);
	return 0;
}

int iop_pci_persist_clear(const char *dir, const char *in)
{
	char bdf[IOP_BDF_LEN], path[PATH_MAX];
	int rc = rule_path(dir, in, bdf, path);

	if (rc < 0)
		return rc;
	if (unlink(path) != 0 && errno != ENOENT)
		return IOP_ERR(errno, "cannot remove %s: %s (are you root?)", path, strerror(errno));
	return 0;
}

bool iop_pci_persist_is_set(const char *dir, const char *in)
{
	char bdf[IOP_BDF_LEN], path[PATH_MAX];
	struct stat st;

	return rule_path(dir, in, bdf, path) == 0 && lstat(path, &st) == 0 &&
	       S_ISREG(st.st_mode);
}
