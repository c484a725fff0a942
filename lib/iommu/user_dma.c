/* SPDX-License-Identifier: BSD-3-Clause */
/* Rule 4: which drivers leave a group safe for user DMA (user_dma.h). */
#include <string.h>

#include "user_dma.h"

bool iop_driver_allows_user_dma(const char *driver)
{
	static const char *const harmless[] = { "vfio-pci", "pci-stub", "pcieport", "none" };

	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		if (strcmp(driver, harmless[i]) == 0)
			return true;
	return false;
}
