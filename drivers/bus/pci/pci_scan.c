/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PCI bus's device list: lib/bus's sysfs scanner (the one the kernel
 * IOMMU backends use too) plus vendor and device names from pci.ids
 * through libpci. libpci reports errors through a callback that must not
 * return; we jump back out of the lookup and leave the names empty.
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
#include "pci_sysfs.h"

static __thread jmp_buf *names_escape;

static void PCI_NONRET names_fail(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	IOP_LOG(DEBUG, "libpci: %s: devices listed without names", buf);
	longjmp(*names_escape, 1);
}

static void names_warn(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	IOP_LOG(DEBUG, "libpci: %s", buf);
}

/* Fills desc of devs[0..n) from pci.ids (left empty if it cannot be read). */
static void add_names(struct iop_bus_dev *devs, size_t n)
{
	struct pci_access *pacc = pci_alloc();
	jmp_buf escape;

	if (!pacc)
		return;
	pacc->error = names_fail;
	pacc->warning = names_warn;
	pacc->debug = names_warn;
	names_escape = &escape;
	if (setjmp(escape) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct iop_bus_dev *d = &devs[i];
			char *name = pci_lookup_name(pacc, d->desc, sizeof(d->desc),
						     PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
						     d->vendor, d->device);

			if (name != d->desc)
				snprintf(d->desc, sizeof(d->desc), "%s", name ? name : "");
		}
	}
	pci_cleanup(pacc);
}

int iop_pci_scan(const char *root, struct iop_bus_dev *devs, size_t max,
		 size_t *count)
{
	struct iop_bus_dev *all;
	size_t n;
	int rc = iop_pci_sysfs_scan(root ? root : "/sys", &all, &n);

	if (rc < 0)
		return rc;
	add_names(all, n);
	memcpy(devs, all, (n < max ? n : max) * sizeof(*all));
	*count = n;
	free(all);
	return 0;
}

int iop_pci_lookup(const char *root, const char *in, struct iop_bus_dev *dev)
{
	char bdf[IOP_BDF_LEN];
	int rc = iop_pci_addr_normalize(in, bdf);

	if (rc < 0)
		return rc;
	if (iop_pci_sysfs_device(root ? root : "/sys", bdf, dev) < 0) {
		/* an address a PF's VFs would take says how to create it */
		int vf = iop_pci_sriov_missing(root, bdf);

		return vf ? vf : IOP_ERR(ENODEV, "no PCI device %s (see 'iop-devices list')", bdf);
	}
	add_names(dev, 1);
	return 0;
}

static const struct iop_bus pci_bus = {
	.name = "pci",
	.scan = iop_pci_scan,
};

static void __attribute__((constructor)) pci_bus_register(void)
{
	iop_bus_register(&pci_bus);
}
