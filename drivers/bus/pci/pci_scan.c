/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scan through libpci's sysfs method, pointed at <root>/bus/pci so tests can
 * give it a fake tree. libpci reports errors through a callback that must
 * not return; we jump back out of the scan and turn it into an errno.
 */
#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"

static __thread jmp_buf *scan_escape;
static __thread char scan_error[256];

static void PCI_NONRET scan_fail(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(scan_error, sizeof(scan_error), msg, ap);
	va_end(ap);
	longjmp(*scan_escape, 1);
}

static void scan_warn(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	IOP_LOG(DEBUG, "libpci: %s", buf);
}

static void fill_dev(struct pci_access *pacc, struct pci_dev *d,
		     struct iop_bus_dev *out)
{
	const char *s;
	char *name;

	memset(out, 0, sizeof(*out));
	pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
			 PCI_FILL_NUMA_NODE | PCI_FILL_IOMMU_GROUP | PCI_FILL_DRIVER);
	snprintf(out->bus, sizeof(out->bus), "pci");
	iop_pci_addr_format(&(struct iop_pci_addr){ (uint32_t)d->domain, d->bus,
						    d->dev, d->func }, out->addr);
	out->vendor = d->vendor_id;
	out->device = d->device_id;
	out->class_code = (uint32_t)d->device_class << 8 | d->prog_if;
	s = pci_get_string_property(d, PCI_FILL_DRIVER);
	snprintf(out->driver, sizeof(out->driver), "%s", s ? s : "none");
	s = pci_get_string_property(d, PCI_FILL_IOMMU_GROUP);
	out->iommu_group = s ? atoi(s) : -1;
	out->numa_node = d->numa_node;
	name = pci_lookup_name(pacc, out->desc, sizeof(out->desc),
			       PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
			       d->vendor_id, d->device_id);
	if (name != out->desc)
		snprintf(out->desc, sizeof(out->desc), "%s", name ? name : "");
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(((const struct iop_bus_dev *)a)->addr,
		      ((const struct iop_bus_dev *)b)->addr);
}

/* Runs the scan with libpci's error callback armed; all results in *all. */
static int scan_all(const char *root, struct iop_bus_dev **all, size_t *n)
{
	char path[4096];
	jmp_buf escape;
	struct pci_access *pacc;
	/* volatile: read after longjmp */
	struct iop_bus_dev *volatile list = NULL;
	volatile size_t count = 0;

	snprintf(path, sizeof(path), "%s/bus/pci", root ? root : "/sys");
	pacc = pci_alloc();
	if (!pacc)
		return IOP_ERR(ENOMEM, "out of memory starting libpci");
	pacc->error = scan_fail;
	pacc->warning = scan_warn;
	pacc->debug = scan_warn;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	scan_escape = &escape;
	if (setjmp(escape)) {
		free(list);
		pci_cleanup(pacc);
		return IOP_ERR(EIO, "cannot scan PCI devices in %s: %s", path, scan_error);
	}
	pci_set_param(pacc, "sysfs.path", path);
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		count++;
	list = calloc(count ? count : 1, sizeof(*list));
	if (!list) {
		pci_cleanup(pacc);
		return IOP_ERR(ENOMEM, "out of memory listing %zu PCI devices", (size_t)count);
	}
	count = 0;
	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		fill_dev(pacc, d, &list[count++]);
	pci_cleanup(pacc);
	qsort(list, count, sizeof(*list), cmp_addr);
	*all = list;
	*n = count;
	return 0;
}

int iop_pci_scan(const char *root, struct iop_bus_dev *devs, size_t max,
		 size_t *count)
{
	struct iop_bus_dev *all;
	size_t n;
	int rc = scan_all(root, &all, &n);

	if (rc < 0)
		return rc;
	memcpy(devs, all, (n < max ? n : max) * sizeof(*all));
	*count = n;
	free(all);
	return 0;
}

int iop_pci_lookup(const char *root, const char *bdf, struct iop_bus_dev *dev)
{
	struct iop_pci_addr addr;
	char want[IOP_BDF_LEN];
	struct iop_bus_dev *all;
	size_t n;
	int rc = iop_pci_addr_parse(bdf, &addr);

	if (rc < 0)
		return rc;
	iop_pci_addr_format(&addr, want);
	rc = scan_all(root, &all, &n);
	if (rc < 0)
		return rc;
	rc = IOP_ERR(ENODEV, "no PCI device %s (see 'iop-devices list')", want);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(all[i].addr, want) == 0) {
			*dev = all[i];
			iop_err_clear();
			rc = 0;
			break;
		}
	}
	free(all);
	if (rc == -ENODEV) {
		int vf = iop_pci_sriov_missing(root, want);

		rc = vf ? vf : rc;
	}
	return rc;
}

static const struct iop_bus pci_bus = {
	.name = "pci",
	.scan = iop_pci_scan,
};

static void __attribute__((constructor)) pci_bus_register(void)
{
	iop_bus_register(&pci_bus);
}
