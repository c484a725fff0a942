/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_USER_DMA_H
#define IOP_USER_DMA_H

#include <stdbool.h>

/*
 * Rule 4 (seed 002), the one place it lives: a group may be claimed for
 * user DMA only while every device in it is on a driver that does no DMA
 * of its own (the kernel's driver_managed_dma: vfio-pci, pci-stub,
 * pcieport) or on no driver ("none"). The core, both kernel backends and
 * the sim all ask this.
 */
bool iop_driver_allows_user_dma(const char *driver);

#endif /* IOP_USER_DMA_H */
