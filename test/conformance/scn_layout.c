/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-scn's layout file (the guest's devices, their groups and drivers)
 * and the sysfs steps that put a guest device on vfio-pci or back on its
 * own driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scn_layout.h"

int scn_layout_load(const char *path, struct layout_dev *layout, size_t *nlayout)
{
	FILE *f = fopen(path, "re");
	char line[256];

	if (!f) {
		fprintf(stderr, "iop-scn: cannot open layout %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && *nlayout < SCN_LAYOUT_MAX) {
		struct layout_dev *d = &layout[*nlayout];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%15s %u %31s", d->bdf, &d->group, d->driver) == 3)
			(*nlayout)++;
	}
	fclose(f);
	return 0;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void current_driver(const char *bdf, char *out, size_t len)
{
	char path[128], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		snprintf(out, len, "none");
		return;
	}
	target[n] = '\0';
	snprintf(out, len, "%s", strrchr(target, '/') + 1);
}

bool scn_device_present(const char *bdf)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return access(path, F_OK) == 0;
}

int scn_rebind(const struct layout_dev *d, bool vfio)
{
	const char *want = vfio ? "vfio-pci" : d->driver;
	char path[128], cur[64];

	current_driver(d->bdf, cur, sizeof(cur));
	if (!strcmp(cur, want))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", d->bdf);
	sysfs_write(path, vfio ? "vfio-pci" : "\n");
	if (strcmp(cur, "none")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", d->bdf);
		sysfs_write(path, d->bdf);
	}
	sysfs_write("/sys/bus/pci/drivers_probe", d->bdf);
	current_driver(d->bdf, cur, sizeof(cur));
	if (strcmp(cur, want)) {
		fprintf(stderr, "iop-scn: %s is on %s, wanted %s\n", d->bdf, cur, want);
		return -1;
	}
	return 0;
}
