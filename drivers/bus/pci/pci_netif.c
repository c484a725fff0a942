/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel network interface of a PCI device, and whether taking the
 * device away would cut a live link: the interface is up or carries
 * routes, which is what dpdk-devbind calls *Active*. The interface name
 * comes from sysfs (a test may give a copy of it); up and routes come from
 * the kernel of the caller's network namespace, never from that copy.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"

/* The first entry of dir that is not "." or "..", into name. */
static bool first_entry(const char *dir, char *name, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, size, "%.*s", (int)size - 1, e->d_name);
		found = true;
		break;
	}
	closedir(d);
	return found;
}

void iop_pci_netif(const char *root, const char *bdf, char name[IFNAMSIZ])
{
	char path[PATH_MAX], sub[NAME_MAX + 1];
	DIR *d;
	struct dirent *e;

	name[0] = '\0';
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net", root ? root : "/sys", bdf);
	if (first_entry(path, name, IFNAMSIZ))
		return;
	/* virtio-net hangs its interface under the virtio device: <bdf>/virtioN/net */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root ? root : "/sys", bdf);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "virtio", 6) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s", e->d_name);
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s/net",
			 root ? root : "/sys", bdf, sub);
		if (first_entry(path, name, IFNAMSIZ))
			break;
	}
	closedir(d);
}

/* Whether a route of this namespace's table goes out through ifname. The
 * device name is the last column of both /proc/net/ipv6_route and the first
 * of /proc/net/route. */
static bool has_routes(const char *ifname)
{
	static const struct { const char *path; bool last; } tables[] = {
		{ "/proc/net/route", false },
		{ "/proc/net/ipv6_route", true },
	};
	char line[512], dev[IFNAMSIZ + 1];

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		FILE *f = fopen(tables[t].path, "re");
		bool found = false;

		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f)) {
			const char *word = line;

			if (tables[t].last) {
				char *end = line + strcspn(line, "\n");

				*end = '\0';
				while (end > line && end[-1] == ' ')
					*--end = '\0';
				word = strrchr(line, ' ');
				word = word ? word + 1 : line;
			}
			if (sscanf(word, "%16s", dev) == 1 && strcmp(dev, ifname) == 0)
				found = true;
		}
		fclose(f);
		if (found)
			return true;
	}
	return false;
}

bool iop_netif_active(const char *ifname, char *why, size_t size)
{
	struct ifreq ifr = { 0 };
	bool up = false, routes;
	int s;

	if (!ifname || !ifname[0])
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		/* ENODEV: no such interface in this namespace, so not in use here */
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
			up = ifr.ifr_flags & IFF_UP;
		close(s);
	}
	routes = has_routes(ifname);
	if (why && size)
		snprintf(why, size, "%s %s", ifname,
			 up && routes ? "is up and carries routes"
			 : up ? "is up" : routes ? "carries routes" : "is down");
	return up || routes;
}

/* Sets *active and fills why when device bdf has an active interface. */
static void device_active(const char *root, const char *bdf, bool *active,
			  char *why, size_t size)
{
	char ifname[IFNAMSIZ], state[IFNAMSIZ + 32];

	iop_pci_netif(root, bdf, ifname);
	if (iop_netif_active(ifname, state, sizeof(state))) {
		*active = true;
		snprintf(why, size, "%s", state);
	}
}

int iop_pci_active_check(const char *root, const char *in)
{
	char path[PATH_MAX], why[IFNAMSIZ + 64] = "", other[IOP_BDF_LEN] = "";
	char bdf[IOP_BDF_LEN];
	bool active = false;
	struct dirent *e;
	DIR *d;

	if (iop_pci_addr_normalize(in, bdf) < 0)
		return -EINVAL;
	root = root ? root : "/sys";
	device_active(root, bdf, &active, why, sizeof(why));
	if (active)
		return IOP_ERR(EBUSY, "%s is active (%s): binding it cuts that link; take it down first (ip link set %.*s down) or use --force",
			       bdf, why, (int)strcspn(why, " "), why);
	/* the other devices of its IOMMU group go to user DMA with it */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group/devices", root, bdf);
	d = opendir(path);
	if (!d)
		return 0;
	while (!active && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, bdf) == 0)
			continue;
		device_active(root, e->d_name, &active, why, sizeof(why));
		if (active)
			snprintf(other, sizeof(other), "%.12s", e->d_name);
	}
	closedir(d);
	if (active)
		return IOP_ERR(EBUSY, "%s shares its IOMMU group with %s, which is active (%s): binding the group cuts that link; take it down first (ip link set %.*s down) or use --force",
			       bdf, other, why, (int)strcspn(why, " "), why);
	return 0;
}
