/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI addresses: the one parser and normaliser every part of iopath uses
 * (lib/iommu's device names, the sim topology, drivers/bus/pci).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_bus.h"
#include "iop_log.h"

/* Reads up to max hex digits (at least one) and the separator after them. */
static const char *hex_field(const char *s, unsigned int max, char sep, unsigned int *val)
{
	unsigned int n = 0, v = 0;

	for (; isxdigit((unsigned char)s[n]); n++) {
		if (n == max)
			return NULL;
		v = v << 4 | (unsigned int)(isdigit((unsigned char)s[n]) ? s[n] - '0' :
					    (tolower((unsigned char)s[n]) - 'a' + 10));
	}
	if (n == 0 || s[n] != sep)
		return NULL;
	*val = v;
	return s + n + (sep ? 1 : 0);
}

/* s as a message may show it: on one line, non-printable bytes as \xNN,
 * cut after 40 bytes. */
static const char *shown(const char *s, char out[200])
{
	size_t o = 0, i;

	for (i = 0; s[i] && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		o += (size_t)snprintf(out + o, 200 - o, isprint(c) ? "%c" : "\\x%02x", c);
	}
	snprintf(out + o, 200 - o, "%s", s[i] ? "..." : "");
	return out;
}

int iop_pci_addr_parse(const char *s, struct iop_pci_addr *addr)
{
	unsigned int domain = 0, bus, dev, func;
	char buf[200];
	const char *p;

	if (!s)
		return IOP_ERR(EINVAL, "no PCI address given (expected DDDD:BB:DD.F)");
	/* DDDD:BB:DD.F, or BB:DD.F with domain 0 */
	p = hex_field(s, 4, ':', &domain);
	if (p && strchr(p, ':'))
		p = hex_field(p, 2, ':', &bus);
	else
		p = (domain = 0, hex_field(s, 2, ':', &bus));
	if (p)
		p = hex_field(p, 2, '.', &dev);
	if (p)
		p = hex_field(p, 1, '\0', &func);
	if (!p)
		return IOP_ERR(EINVAL, "'%s' is not a PCI address (expected DDDD:BB:DD.F, e.g. 0000:00:03.0)", shown(s, buf));
	if (dev > 0x1f || func > 7)
		return IOP_ERR(EINVAL, "'%s' is out of range for a PCI address (device <= 1f, function <= 7)", shown(s, buf));
	addr->domain = domain;
	addr->bus = (uint8_t)bus;
	addr->dev = (uint8_t)dev;
	addr->func = (uint8_t)func;
	return 0;
}

void iop_pci_addr_format(const struct iop_pci_addr *addr, char bdf[IOP_BDF_LEN])
{
	snprintf(bdf, IOP_BDF_LEN, "%04x:%02x:%02x.%x", addr->domain & 0xffff,
		 addr->bus, addr->dev, addr->func & 7);
}

int iop_pci_addr_normalize(const char *in, char bdf[IOP_BDF_LEN])
{
	struct iop_pci_addr addr;
	int rc = iop_pci_addr_parse(in, &addr);

	if (rc == 0)
		iop_pci_addr_format(&addr, bdf);
	return rc;
}
