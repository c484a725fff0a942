/* SPDX-License-Identifier: BSD-3-Clause */
#define IOP_LOG_PREFIX "iommu/sysfs: "

#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iop_log.h"
#include "user_dma.h"

/* Base name of the symlink <sysfs>/bus/pci/devices/<bdf>/<attr>. */
static int read_link_name(const char *sysfs_root, const char *bdf,
			  const char *attr, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", sysfs_root, bdf, attr);
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

static int read_attr(const char *sysfs_root, const char *bdf, const char *attr,
		     char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", sysfs_root, bdf, attr);
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

int iop_sysfs_pci_info(const char *sysfs_root, const char *bdf,
		       struct iop_dev_info *info)
{
	char path[PATH_MAX], buf[64];
	int ret;

	memset(info, 0, sizeof(*info));
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs_root, bdf);
	if (strlen(bdf) >= sizeof(info->bdf) || access(path, F_OK) != 0)
		return -ENODEV;
	snprintf(info->bdf, sizeof(info->bdf), "%s", bdf);
	ret = read_link_name(sysfs_root, bdf, "iommu_group", buf, sizeof(buf));
	if (ret < 0)
		return -ENOENT;
	info->group = (unsigned int)strtoul(buf, NULL, 10);
	if (read_link_name(sysfs_root, bdf, "driver", info->driver,
			   sizeof(info->driver)) < 0)
		snprintf(info->driver, sizeof(info->driver), "none");
	if (read_attr(sysfs_root, bdf, "vendor", buf, sizeof(buf)) == 0)
		info->vendor = (uint16_t)strtoul(buf, NULL, 16);
	if (read_attr(sysfs_root, bdf, "device", buf, sizeof(buf)) == 0)
		info->device = (uint16_t)strtoul(buf, NULL, 16);
	info->numa_node = -1;
	if (read_attr(sysfs_root, bdf, "numa_node", buf, sizeof(buf)) == 0)
		info->numa_node = (int)strtol(buf, NULL, 10);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a sysfs folder's entries (without . and ..). */
static int list_dir(const char *path, char ***names, size_t *n)
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
	while (cnt)
		free(v[--cnt]);
	free(v);
	return -ENOMEM;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

int iop_sysfs_pci_scan(const char *sysfs_root, struct iop_dev_info *info,
		       size_t max, size_t *count)
{
	char path[PATH_MAX];
	char **names;
	size_t n, i, found = 0;
	struct iop_dev_info one;
	int ret;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs_root);
	ret = list_dir(path, &names, &n);
	if (ret < 0)
		return IOP_ERR(-ret, "cannot read %s: %s", path, strerror(-ret));
	for (i = 0; i < n; i++) {
		if (iop_sysfs_pci_info(sysfs_root, names[i], &one) < 0)
			continue;
		if (found < max)
			info[found] = one;
		found++;
	}
	free_names(names, n);
	*count = found;
	return 0;
}

int iop_sysfs_vfio_cdev(const char *sysfs_root, const char *bdf, char *name,
			size_t len)
{
	char path[PATH_MAX];
	char **names;
	size_t n, i;
	int ret;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", sysfs_root, bdf);
	ret = list_dir(path, &names, &n);
	if (ret < 0)
		return -ENOENT;
	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "vfio", 4) == 0 && strlen(names[i]) < len) {
			memcpy(name, names[i], strlen(names[i]) + 1);
			ret = 0;
			break;
		}
	}
	free_names(names, n);
	return ret;
}

int iop_sysfs_group_offenders(const char *sysfs_root, unsigned int group,
			      char *why, size_t len)
{
	char path[PATH_MAX], drv[IOP_DRIVER_LEN];
	char **names;
	size_t n, i, used = 0;
	int offenders = 0;

	if (len)
		why[0] = '\0';
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices", sysfs_root, group);
	if (list_dir(path, &names, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (read_link_name(sysfs_root, names[i], "driver", drv, sizeof(drv)) < 0)
			continue;
		if (iop_driver_allows_user_dma(drv))
			continue;
		if (used < len)
			used += (size_t)snprintf(why + used, len - used,
				"%s%s bound to %s (run: iop-devices bind %s)",
				offenders ? "; " : "", names[i], drv, names[i]);
		offenders++;
	}
	free_names(names, n);
	return offenders;
}

/* Address width of the Intel IOMMU serving a device: MGAW, bits 21:16 of
 * its capability register plus one (VT-d spec, section 11.4.2). 0 if the
 * device's IOMMU is not a VT-d unit. */
static unsigned int intel_iommu_width(const char *sysfs_root, const char *bdf)
{
	char unit[64], path[PATH_MAX], buf[64];
	unsigned long long cap;
	FILE *f;
	int ok;

	if (read_link_name(sysfs_root, bdf, "iommu", unit, sizeof(unit)) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/class/iommu/%s/intel-iommu/cap", sysfs_root, unit);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return 0;
	cap = strtoull(buf, NULL, 16);
	return (unsigned int)((cap >> 16) & 0x3f) + 1;
}

/* Removes [first, last] from the sorted, disjoint ranges r[0..*n). */
static void cut(struct iop_iova_range *r, size_t *n, size_t max,
		uint64_t first, uint64_t last)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		struct iop_iova_range cur = r[i];

		if (last < cur.first || first > cur.last)
			continue;
		if (first > cur.first && last < cur.last) {
			if (*n == max)
				return;
			memmove(&r[i + 2], &r[i + 1], (*n - i - 1) * sizeof(*r));
			r[i].last = first - 1;
			r[i + 1] = (struct iop_iova_range){ last + 1, cur.last };
			(*n)++;
			return;
		}
		if (first <= cur.first && last >= cur.last) {
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
			i--;
		} else if (first <= cur.first) {
			r[i].first = last + 1;
		} else {
			r[i].last = first - 1;
		}
	}
}

int iop_sysfs_group_ranges(const char *sysfs_root, unsigned int group,
			   struct iop_iova_range *ranges, size_t max,
			   size_t *count)
{
	char path[PATH_MAX], line[128], type[32];
	struct iop_iova_range r[32];
	unsigned long long first, last;
	unsigned int width = 0;
	char **names;
	size_t n, i;
	FILE *f;

	*count = 0;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices", sysfs_root, group);
	if (list_dir(path, &names, &n) < 0)
		return -ENOENT;
	for (i = 0; i < n && !width; i++)
		width = intel_iommu_width(sysfs_root, names[i]);
	free_names(names, n);
	if (width < 12 || width > 64)
		return 0;
	r[0] = (struct iop_iova_range){ 0, width == 64 ? UINT64_MAX : (1ull << width) - 1 };
	n = 1;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/reserved_regions", sysfs_root, group);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			/* relaxable direct maps may be overridden: both kernel
			 * backends leave them usable */
			if (sscanf(line, "%llx %llx %31s", &first, &last, type) == 3 &&
			    strcmp(type, "direct-relaxable") != 0)
				cut(r, &n, 32, first, last);
		}
		fclose(f);
	}
	for (i = 0; i < n && i < max; i++)
		ranges[i] = r[i];
	*count = n;
	return 0;
}
