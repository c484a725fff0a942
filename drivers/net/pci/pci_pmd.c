/* SPDX-License-Identifier: BSD-3-Clause */
#include "pci_pmd.h"

static struct iop_pci_pmd *pmds;

void iop_pci_pmd_register(struct iop_pci_pmd *pmd)
{
	pmd->next = pmds;
	pmds = pmd;
}

const struct iop_pci_pmd *iop_pci_pmd_match(uint16_t vendor, uint16_t device)
{
	for (const struct iop_pci_pmd *p = pmds; p; p = p->next)
		for (const struct iop_pci_id *id = p->ids; id->vendor; id++)
			if (id->vendor == vendor && id->device == device)
				return p;
	return NULL;
}
