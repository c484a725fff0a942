/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reads PCI devices from sysfs. Each attribute is read on its own, so a
 * device that goes away in the middle of a scan is left out rather than
 * failing the whole listing.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_sysfs.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int iop_sysfs_names(const char *path, char ***names, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[cnt] = strdup(e->d_name);
		if (!v[cnt])
			goto nomem;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_name);
	*names = v;
	*n = cnt;
	return 0;
nomem:
	closedir(d);
	iop_sysfs_names_free(v, cnt);
	return -ENOMEM;
}

void iop_sysfs_names_free(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

int iop_pci_sysfs_link(const char *root, const char *bdf, const char *attr,
		       char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root, bdf, attr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

/* The first line of <root>/bus/pci/devices/<bdf>/<attr>, without its
 * newline; -errno. */
static int read_attr(const char *root, const char *bdf, const char *attr,
		     char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root, bdf, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(out, (int)len, f))
		ret = -EIO;
	else
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
	return ret;
}

/* A hex attribute ("0x8086"), 0 when unreadable. */
static unsigned long hex_attr(const char *root, const char *bdf, const char *attr)
{
	char buf[64];

	return read_attr(root, bdf, attr, buf, sizeof(buf)) == 0 ? strtoul(buf, NULL, 16) : 0;
}

int iop_pci_sysfs_device(const char *root, const char *bdf, struct iop_bus_dev *dev)
{
	char path[PATH_MAX], buf[64];

	memset(dev, 0, sizeof(*dev));
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, bdf);
	if (strlen(bdf) >= sizeof(dev->addr) || access(path, F_OK) != 0)
		return -ENODEV;
	snprintf(dev->bus, sizeof(dev->bus), "pci");
	snprintf(dev->addr, sizeof(dev->addr), "%s", bdf);
	dev->vendor = (uint16_t)hex_attr(root, bdf, "vendor");
	dev->device = (uint16_t)hex_attr(root, bdf, "device");
	dev->class_code = (uint32_t)hex_attr(root, bdf, "class") & 0xffffff;
	if (iop_pci_sysfs_link(root, bdf, "driver", dev->driver, sizeof(dev->driver)) < 0)
		snprintf(dev->driver, sizeof(dev->driver), "none");
	dev->iommu_group = -1;
	if (iop_pci_sysfs_link(root, bdf, "iommu_group", buf, sizeof(buf)) == 0)
		dev->iommu_group = (int)strtol(buf, NULL, 10);
	dev->numa_node = -1;
	if (read_attr(root, bdf, "numa_node", buf, sizeof(buf)) == 0)
		dev->numa_node = (int)strtol(buf, NULL, 10);
	return 0;
}

int iop_pci_sysfs_scan(const char *root, struct iop_bus_dev **devs, size_t *count)
{
	char path[PATH_MAX], bdf[IOP_BDF_LEN];
	struct iop_bus_dev *list;
	char **names;
	size_t n, found = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", root);
	rc = iop_sysfs_names(path, &names, &n);
	if (rc < 0)
		return IOP_ERR(-rc, "cannot read %s: %s", path, strerror(-rc));
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		iop_sysfs_names_free(names, n);
		return IOP_ERR(ENOMEM, "out of memory listing %zu PCI devices", n);
	}
	for (size_t i = 0; i < n; i++) {
		/* sysfs names devices canonically: anything else is not one */
		if (iop_pci_addr_normalize(names[i], bdf) < 0 || strcmp(bdf, names[i]) != 0)
			continue;
		if (iop_pci_sysfs_device(root, bdf, &list[found]) == 0)
			found++;
	}
	iop_sysfs_names_free(names, n);
	iop_err_clear();
	*devs = list;
	*count = found;
	return 0;
}
