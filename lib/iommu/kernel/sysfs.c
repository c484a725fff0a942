/* SPDX-License-Identifier: BSD-3-Clause */
#define IOP_LOG_PREFIX "iommu/sysfs: "

#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iop_log.h"
#include "pci_sysfs.h"
#include "user_dma.h"

/* What the IOMMU layer keeps of a device lib/bus read. */
static void to_info(const struct iop_bus_dev *d, struct iop_dev_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->bdf, sizeof(info->bdf), "%s", d->addr);
	snprintf(info->driver, sizeof(info->driver), "%s", d->driver);
	info->group = (unsigned int)d->iommu_group;
	info->vendor = d->vendor;
	info->device = d->device;
	info->numa_node = d->numa_node;
}

int iop_sysfs_pci_info(const char *sysfs_root, const char *bdf,
		       struct iop_dev_info *info)
{
	struct iop_bus_dev d;
	int ret = iop_pci_sysfs_device(sysfs_root, bdf, &d);

	memset(info, 0, sizeof(*info));
	if (ret < 0)
		return ret;
	if (d.iommu_group < 0)
		return -ENOENT;
	to_info(&d, info);
	return 0;
}

int iop_sysfs_pci_scan(const char *sysfs_root, struct iop_dev_info *info,
		       size_t max, size_t *count)
{
	struct iop_bus_dev *devs;
	size_t n, found = 0;
	int ret = iop_pci_sysfs_scan(sysfs_root, &devs, &n);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (devs[i].iommu_group < 0)
			continue;
		if (found < max)
			to_info(&devs[i], &info[found]);
		found++;
	}
	free(devs);
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
	ret = iop_sysfs_names(path, &names, &n);
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
	iop_sysfs_names_free(names, n);
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
	if (iop_sysfs_names(path, &names, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (iop_pci_sysfs_link(sysfs_root, names[i], "driver", drv, sizeof(drv)) < 0)
			continue;
		if (iop_driver_allows_user_dma(drv))
			continue;
		if (used < len)
			used += (size_t)snprintf(why + used, len - used,
				"%s%s bound to %s (run: iop-devices bind %s)",
				offenders ? "; " : "", names[i], drv, names[i]);
		offenders++;
	}
	iop_sysfs_names_free(names, n);
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

	if (iop_pci_sysfs_link(sysfs_root, bdf, "iommu", unit, sizeof(unit)) < 0)
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
	if (iop_sysfs_names(path, &names, &n) < 0)
		return -ENOENT;
	for (i = 0; i < n && !width; i++)
		width = intel_iommu_width(sysfs_root, names[i]);
	iop_sysfs_names_free(names, n);
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
