/* SPDX-License-Identifier: BSD-3-Clause */
#define IOP_LOG_PREFIX "iommu: "

#include "diag.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "iop_log.h"
#include "sysfs.h"

int iop_diag_check_device(const char *sysfs_root, const char *bdf,
			  struct iop_dev_info *info)
{
	int ret = iop_sysfs_pci_info(sysfs_root, bdf, info);

	if (ret == -ENODEV)
		return IOP_ERR(ENODEV, "no PCI device %s (see iop-devices list)", bdf);
	if (ret == -ENOENT)
		return IOP_ERR(ENOENT, "%s has no IOMMU group: the IOMMU is off "
			       "(boot with intel_iommu=on or amd_iommu=on, and enable VT-d/AMD-Vi in the firmware)",
			       bdf);
	if (ret < 0)
		return IOP_ERR(-ret, "cannot read %s in sysfs: %s", bdf, strerror(-ret));
	if (strcmp(info->driver, "vfio-pci") != 0)
		return IOP_ERR(ENODEV, "%s is %s%s, not to vfio-pci: run iop-devices bind %s",
			       bdf, strcmp(info->driver, "none") ? "bound to " : "bound to no driver",
			       strcmp(info->driver, "none") ? info->driver : "", bdf);
	return 0;
}

int iop_diag_not_viable(const char *sysfs_root, const char *bdf,
			unsigned int group)
{
	char why[400];

	if (iop_sysfs_group_offenders(sysfs_root, group, why, sizeof(why)) > 0)
		return IOP_ERR(EPERM, "group %u is not viable: %s", group, why);
	return IOP_ERR(EPERM, "group %u of %s is not viable: a device in it is in use by "
		       "a kernel driver or another process (see iop-devices list)", group, bdf);
}

/* VmPin/VmLck of this process, in bytes: what is already charged. */
static uint64_t pinned_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned long long kb, total = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmPin: %llu kB", &kb) == 1 ||
		    sscanf(line, "VmLck: %llu kB", &kb) == 1)
			total += kb;
	}
	fclose(f);
	return total * 1024;
}

int iop_diag_map_nomem(const char *backend, uint64_t len)
{
	struct rlimit rl;
	uint64_t need;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return IOP_ERR(ENOMEM, "%s: out of memory pinning %" PRIu64 " bytes for DMA",
			       backend, len);
	need = pinned_bytes() + len;
	return IOP_ERR(ENOMEM, "%s: cannot pin %" PRIu64 " KiB for DMA: RLIMIT_MEMLOCK is %llu KiB, "
		       "at least %" PRIu64 " KiB are needed (raise it: ulimit -l %" PRIu64
		       ", or LimitMEMLOCK= in a systemd unit, or run as root)",
		       backend, len >> 10, (unsigned long long)rl.rlim_cur >> 10, need >> 10,
		       need >> 10);
}

int iop_diag_attach_nomem(const char *backend, const char *bdf)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return IOP_ERR(ENOMEM, "%s: out of memory pinning the mappings of the IOAS %s attaches to",
			       backend, bdf);
	return IOP_ERR(ENOMEM, "%s: cannot attach %s: the first device of an IOAS pins all that is mapped "
		       "in it, and RLIMIT_MEMLOCK is %llu KiB with %" PRIu64 " KiB pinned already "
		       "(raise it: ulimit -l, or LimitMEMLOCK= in a systemd unit, or run as root)",
		       backend, bdf, (unsigned long long)rl.rlim_cur >> 10, pinned_bytes() >> 10);
}
