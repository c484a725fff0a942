/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-devices list: network devices with their name, interface, driver,
 * IOMMU group, NUMA node and *Active* mark, under their IOMMU groups with
 * whether each group is viable for user DMA and why not.
 *
 * Devices come from the PCI scan (or, with --iommu=sim, from the sim
 * topology); the IOMMU context only adds the group verdicts, so a host
 * with no IOMMU still gets its list, with one line saying what is missing.
 */
#include <dirent.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "iop_bus.h"
#include "iop_devices.h"
#include "iop_log.h"
#include "iop_pci.h"

/* PCI class 0x02: network controllers (dpdk-devbind's "Network devices") */
#define PCI_CLASS_NETWORK 0x02

struct row {
	char bdf[IOP_BDF_LEN];
	char name[IOP_BUS_DESC_LEN];
	char netif[IFNAMSIZ];
	char driver[IOP_DRIVER_LEN];
	char type[16];          /* sim devices: the topology's type= */
	int group;              /* -1: none (no IOMMU) */
	int numa_node;
	uint16_t vendor, device; /* PCI ids */
	bool active;
	char why_active[IFNAMSIZ + 32];
	bool persist;
};

struct listing {
	struct row *rows;
	size_t n;
	struct iop_group_info *groups; /* NULL when there is no IOMMU context */
	size_t ngroups;
	char no_iommu[512];            /* why there are no group verdicts */
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->bdf, y->bdf);
}

static const char *rules_dir(void)
{
	return getenv("IOP_UDEV_RULES_DIR");
}

/* A device lister (iop_pci_scan, iop_ctx_devices) behind one signature. */
typedef int (*list_fn)(const void *from, void *items, size_t max, size_t *n);

/*
 * The devices as *n size-byte items (free them), with room made for one
 * row per device in l; NULL after an error. The device count may change
 * between calls: asks until it fits.
 */
static void *list_devices(list_fn list, const void *from, size_t size, size_t *n,
			  struct listing *l)
{
	void *buf = NULL;
	size_t max = 0;

	for (;;) {
		void *nb = realloc(buf, (max ? max : 1) * size);

		if (!nb) {
			free(buf);
			iop_err(ENOMEM, "out of memory");
			return NULL;
		}
		buf = nb;
		if (list(from, buf, max, n)) {
			free(buf);
			return NULL;
		}
		if (*n <= max)
			break;
		max = *n + 8;
	}
	l->rows = calloc(*n ? *n : 1, sizeof(*l->rows));
	if (!l->rows) {
		free(buf);
		iop_err(ENOMEM, "out of memory");
		return NULL;
	}
	return buf;
}

static int pci_list(const void *root, void *items, size_t max, size_t *n)
{
	return iop_pci_scan(root, items, max, n);
}

static int ctx_list(const void *ctx, void *items, size_t max, size_t *n)
{
	return iop_ctx_devices((struct iop_ctx *)ctx, items, max, n);
}

/* PCI network devices of the sysfs tree. */
static int rows_from_pci(const char *root, struct listing *l)
{
	struct iop_bus_dev *devs;
	size_t n;

	devs = list_devices(pci_list, root, sizeof(*devs), &n, l);
	if (!devs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct iop_bus_dev *d = &devs[i];
		struct row *r = &l->rows[l->n];

		if (d->class_code >> 16 != PCI_CLASS_NETWORK)
			continue;
		snprintf(r->bdf, sizeof(r->bdf), "%s", d->addr);
		snprintf(r->name, sizeof(r->name), "%s", d->desc);
		snprintf(r->driver, sizeof(r->driver), "%s", d->driver);
		r->group = d->iommu_group;
		r->numa_node = d->numa_node;
		r->vendor = d->vendor;
		r->device = d->device;
		iop_pci_netif(root, d->addr, r->netif);
		r->active = iop_netif_active(r->netif, r->why_active, sizeof(r->why_active));
		r->persist = iop_pci_persist_is_set(rules_dir(), d->addr);
		l->n++;
	}
	free(devs);
	return 0;
}

/* Every device of the sim topology. */
static int rows_from_ctx(struct iop_ctx *ctx, struct listing *l)
{
	struct iop_dev_info *d;
	size_t n;

	d = list_devices(ctx_list, ctx, sizeof(*d), &n, l);
	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct row *r = &l->rows[i];

		snprintf(r->bdf, sizeof(r->bdf), "%s", d[i].bdf);
		snprintf(r->driver, sizeof(r->driver), "%s", d[i].driver);
		snprintf(r->type, sizeof(r->type), "%s", d[i].type);
		r->group = (int)d[i].group;
		r->numa_node = d[i].numa_node;
		r->vendor = d[i].vendor;
		r->device = d[i].device;
	}
	l->n = n;
	free(d);
	return 0;
}

/* The verdict of every group that holds a listed device. */
static int group_verdicts(struct iop_ctx *ctx, struct listing *l)
{
	l->groups = calloc(l->n ? l->n : 1, sizeof(*l->groups));
	if (!l->groups)
		return iop_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		if (l->rows[i].group < 0 || (i && l->rows[i].group == l->rows[i - 1].group))
			continue;
		if (iop_ctx_group_info(ctx, (unsigned int)l->rows[i].group,
				       &l->groups[l->ngroups++]))
			return -1;
	}
	return 0;
}

static const struct iop_group_info *group_of(const struct listing *l, int id)
{
	for (size_t g = 0; g < l->ngroups; g++)
		if ((int)l->groups[g].id == id)
			return &l->groups[g];
	return NULL;
}

static json_t *json_group(const struct iop_group_info *g)
{
	return json_pack("{s:i,s:b,s:o,s:o}", "id", g->id, "viable", g->viable,
			 "why", app_json_str(g->why), "ranges", iopd_json_ranges(g->ranges, g->nranges));
}

static void print_json(struct iopd_env *env, const struct listing *l)
{
	json_t *doc = json_object(), *devs = json_array(), *groups = json_array();

	if (l->groups)
		json_object_set_new(doc, "backend",
				    json_string(iop_backend_name(iop_ctx_backend(env->ctx))));
	else
		json_object_set_new(doc, "iommu_error", app_json_str(l->no_iommu));
	for (size_t g = 0; g < l->ngroups; g++)
		json_array_append_new(groups, json_group(&l->groups[g]));
	for (size_t i = 0; i < l->n; i++) {
		const struct row *r = &l->rows[i];
		char vendor[8], device[8];

		snprintf(vendor, sizeof(vendor), "0x%04x", r->vendor);
		snprintf(device, sizeof(device), "0x%04x", r->device);
		/* the strings come from sysfs, pci.ids, a topology file or an
		 * interface name: any bytes but NUL */
		json_array_append_new(devs, json_pack(
			"{s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:i,s:b,s:o,s:b,s:o}",
			"bdf", app_json_str(r->bdf), "name", app_json_str(r->name),
			"vendor", vendor, "device", device,
			"interface", app_json_str(r->netif), "driver", app_json_str(r->driver),
			"group", r->group < 0 ? json_null() : json_integer(r->group),
			"numa_node", r->numa_node, "active", r->active,
			"why_active", app_json_str(r->active ? r->why_active : ""),
			"persist", r->persist, "type", app_json_str(r->type)));
	}
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "devices", devs);
	iopd_json_print(doc);
}

static void print_row(const struct row *r, bool with_group)
{
	printf("  %s", r->bdf);
	if (r->name[0])
		printf(" '%s'", r->name);
	if (r->netif[0])
		printf(" if=%s", r->netif);
	printf(" drv=%s", r->driver);
	if (with_group)
		r->group < 0 ? printf(" group=none") : printf(" group=%d", r->group);
	printf(" numa=%d", r->numa_node);
	if (r->type[0])
		printf(" type=%s", r->type);
	if (r->persist)
		printf(" persist");
	if (r->active)
		printf(" *Active*");
	putchar('\n');
}

static void print_text(const struct listing *l)
{
	if (!l->groups) {
		printf("network devices (no IOMMU context, so no group verdicts):\n");
		for (size_t i = 0; i < l->n; i++)
			print_row(&l->rows[i], true);
		return;
	}
	for (size_t i = 0; i < l->n;) {
		const struct iop_group_info *gi = group_of(l, l->rows[i].group);

		if (!gi) {
			printf("no IOMMU group\n");
		} else {
			printf("group %u", gi->id);
			for (size_t r = 0; r < gi->nranges; r++)
				printf("%s0x%" PRIx64 "-0x%" PRIx64, r ? " " : " (IOVA ",
				       gi->ranges[r].first, gi->ranges[r].last);
			printf("%s: %s%s\n", gi->nranges ? ")" : "",
			       gi->viable ? "viable" : "NOT viable: ", gi->viable ? "" : gi->why);
		}
		for (int g = l->rows[i].group; i < l->n && l->rows[i].group == g; i++)
			print_row(&l->rows[i], false);
	}
	if (l->n == 0)
		printf("no network devices\n");
}

/* True when the kernel made no IOMMU group at all: no IOMMU enabled. */
static bool no_iommu_groups(const char *root)
{
	char path[4096];
	struct dirent *e;
	DIR *d;
	bool none = true;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root ? root : "/sys");
	d = opendir(path);
	if (!d)
		return true;
	while (none && (e = readdir(d)) != NULL)
		none = e->d_name[0] == '.';
	closedir(d);
	return none;
}

static int list_run(struct iopd_env *env, int argc, char **argv)
{
	struct listing l = { 0 };
	bool sim = env->params.backend == IOP_BACKEND_SIM;
	int rc;

	static const struct option table[] = { IOPD_OPTIONS_END };
	int n = iopd_options(env, argc, argv, table, NULL, NULL);

	if (n < 0)
		return IOPD_EXIT_USAGE;
	if (n > 0)
		return iopd_fail(env, IOPD_EXIT_USAGE, "list takes no arguments but --json, not '%s'", argv[0]);
	if (sim && !iopd_ctx(env))
		return IOPD_EXIT_FAIL;
	rc = sim ? rows_from_ctx(env->ctx, &l) : rows_from_pci(env->params.sysfs_root, &l);
	if (rc)
		goto fail;
	qsort(l.rows, l.n, sizeof(*l.rows), cmp_row);
	/* without an IOMMU there are no verdicts, but the list stands */
	if (!sim && iop_ctx_create(&env->params, &env->ctx)) {
		env->ctx = NULL;
		if (no_iommu_groups(env->params.sysfs_root))
			snprintf(l.no_iommu, sizeof(l.no_iommu),
				 "no IOMMU: the kernel made no IOMMU groups, so no device can be bound for user DMA; fix: boot with intel_iommu=on (AMD: amd_iommu=on) on the kernel command line, then modprobe vfio-pci");
		else
			snprintf(l.no_iommu, sizeof(l.no_iommu), "%s", iop_err_msg());
		if (!env->json)
			fprintf(stderr, "iop-devices: %s\n", l.no_iommu);
	} else if (group_verdicts(env->ctx, &l)) {
		goto fail;
	}
	if (env->json)
		print_json(env, &l);
	else
		print_text(&l);
	free(l.groups);
	free(l.rows);
	return IOPD_EXIT_OK;
fail:
	free(l.groups);
	free(l.rows);
	return iopd_fail(env, IOPD_EXIT_FAIL, "%s", iop_err_msg());
}

static struct iopd_cmd list_cmd = {
	.name = "list",
	.args = "[--json]",
	.help = "network devices (name, if=, drv=, IOMMU group, NUMA node, *Active*) under their IOMMU groups; whether each group is viable for user DMA and why not",
	.run = list_run,
};
IOPD_COMMAND(list_cmd)
