/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SR-IOV facts from sysfs, for the messages of bind, lookup and the PMDs:
 * how many VFs a PF has enabled, and which PF a missing address would be a
 * VF of. A VF's routing ID is its PF's plus sriov_offset plus i times
 * sriov_stride (PCIe SR-IOV, the First VF Offset and VF Stride fields).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"

/* An unsigned number from <root>/bus/pci/devices/<bdf>/<file>; -1 if none. */
static long sysfs_num(const char *root, const char *bdf, const char *file)
{
	char path[PATH_MAX], buf[32];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root ? root : "/sys", bdf, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 0);
	fclose(f);
	return v;
}

int iop_pci_sriov_numvfs(const char *root, const char *bdf)
{
	long n = sysfs_num(root, bdf, "sriov_numvfs");

	return n > 0 ? (int)n : 0;
}

int iop_pci_sriov_refuse_pf(const char *root, const char *bdf, const char *what)
{
	int n = iop_pci_sriov_numvfs(root, bdf);

	if (n == 0)
		return 0;
	return IOP_ERR(EBUSY, "%s has %d SR-IOV VF%s enabled, %s: bind its VFs instead, or remove them first: echo 0 > %s/bus/pci/devices/%s/sriov_numvfs",
		       bdf, n, n == 1 ? "" : "s", what, root ? root : "/sys", bdf);
}

static unsigned int routing_id(const struct iop_pci_addr *a)
{
	return (unsigned int)a->bus << 8 | (unsigned int)a->dev << 3 | a->func;
}

int iop_pci_sriov_missing(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	struct iop_pci_addr want, pf;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (iop_pci_addr_parse(bdf, &want) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci/devices", root ? root : "/sys");
	d = opendir(path);
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		long total, offset, stride, enabled;

		if (e->d_name[0] == '.' || iop_pci_addr_parse(e->d_name, &pf) < 0 ||
		    pf.domain != want.domain)
			continue;
		total = sysfs_num(root, e->d_name, "sriov_totalvfs");
		offset = sysfs_num(root, e->d_name, "sriov_offset");
		stride = sysfs_num(root, e->d_name, "sriov_stride");
		enabled = sysfs_num(root, e->d_name, "sriov_numvfs");
		if (total <= 0 || offset <= 0 || stride <= 0 || enabled < 0)
			continue;
		for (long i = enabled; i < total; i++) {
			if (routing_id(&pf) + (unsigned long)offset + (unsigned long)(i * stride) !=
			    routing_id(&want))
				continue;
			rc = IOP_ERR(ENODEV, "no PCI device %s: it would be VF %ld of %s, which has %ld enabled: create it with echo %ld > %s/bus/pci/devices/%s/sriov_numvfs (with the PF on its kernel driver)",
				     bdf, i, e->d_name, enabled, i + 1, root ? root : "/sys", e->d_name);
			break;
		}
	}
	closedir(d);
	return rc;
}
