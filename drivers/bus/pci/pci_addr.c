/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "iop_pci.h"

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

int iop_pci_addr_parse(const char *s, struct iop_pci_addr *addr)
{
	unsigned int domain = 0, bus, dev, func;
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
		return IOP_ERR(EINVAL, "'%s' is not a PCI address (expected DDDD:BB:DD.F, e.g. 0000:00:03.0)", s);
	if (dev > 0x1f || func > 7)
		return IOP_ERR(EINVAL, "'%s' is out of range for a PCI address (device <= 1f, function <= 7)", s);
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
