/* SPDX-License-Identifier: BSD-3-Clause */
/* PCI Local Bus 3.0, 6.7: the capability list starts at 0x34 when bit 4 of
 * the status register (0x06) is set; each entry is {id, next}. */
#include <errno.h>

#include "iop_pci.h"

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
/* (256 - 64) / 4: more entries than that means the list loops */
#define PCI_CAP_MAX 48

int iop_pci_cap_find(const uint8_t cfg[IOP_PCI_CFG_SIZE], uint8_t cap_id,
		     uint8_t after, uint8_t *pos)
{
	unsigned int p;

	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return -ENOENT;
	if (after) {
		if (after < 0x40 || after > IOP_PCI_CFG_SIZE - 2)
			return -EINVAL;
		p = cfg[after + 1];
	} else {
		p = cfg[PCI_CAP_PTR];
	}
	for (int i = 0; i < PCI_CAP_MAX; i++) {
		/* the low two bits are reserved and must be ignored */
		p &= 0xfc;
		if (p == 0)
			return -ENOENT;
		if (p < 0x40)
			return -EIO;
		if (cfg[p] == cap_id) {
			*pos = (uint8_t)p;
			return 0;
		}
		p = cfg[p + 1];
	}
	return -EIO;
}
