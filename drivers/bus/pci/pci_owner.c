/* SPDX-License-Identifier: BSD-3-Clause */
/* Which process holds a PCI device, or its IOMMU group, open through VFIO. */
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_owner.h"

/* The device nodes through which bdf can be open: its VFIO cdev and its
 * group's node ("" when it has none). */
static void vfio_nodes(const char *root, const char *bdf, char cdev[64], char group[64])
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	ssize_t n;
	DIR *d;

	cdev[0] = group[0] = '\0';
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", root, bdf);
	d = opendir(path);
	if (d) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "vfio", 4))
				snprintf(cdev, 64, "/dev/vfio/devices/%.40s", e->d_name);
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", root, bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		snprintf(group, 64, "/dev/vfio/%.40s", basename(target));
	}
}

/* The first process with one of the nodes open. */
static bool node_holder(const char *a, const char *b, struct pci_holder *h)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	bool found = false;

	if (!proc)
		return false;
	while (!found && (p = readdir(proc))) {
		char path[PATH_MAX], target[PATH_MAX];
		struct dirent *f;
		DIR *fds;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds))) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			found = (a[0] && !strcmp(target, a)) || (b[0] && !strcmp(target, b));
		}
		closedir(fds);
		if (found) {
			FILE *c;

			h->pid = (pid_t)atoi(p->d_name);
			snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
			c = fopen(path, "re");
			if (!c || !fgets(h->comm, sizeof(h->comm), c))
				snprintf(h->comm, sizeof(h->comm), "?");
			h->comm[strcspn(h->comm, "\n")] = '\0';
			if (c)
				fclose(c);
		}
	}
	closedir(proc);
	return found;
}

bool pci_device_holder(const char *root, const char *bdf, struct pci_holder *h)
{
	char cdev[64], group[64];

	vfio_nodes(root, bdf, cdev, group);
	snprintf(h->bdf, sizeof(h->bdf), "%s", bdf);
	/* the group node holds every device of the group */
	return node_holder(cdev, group, h);
}

bool pci_group_holder(const char *root, const char *bdf, struct pci_holder *h)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group/devices", root, bdf);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		if (e->d_name[0] != '.')
			found = pci_device_holder(root, e->d_name, h);
	closedir(d);
	return found;
}
