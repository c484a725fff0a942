/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_PCI_H
#define IOP_VIRTIO_PCI_H

/*
 * The virtio 1.0 modern PCI transport (4.1): structures found through
 * vendor capabilities in config space, each in a BAR we mmap.
 */

#include <stdbool.h>
#include <stdint.h>

#include "iop_pci.h"

/* 4.1.4: cfg_type of struct virtio_pci_cap */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* 4.1.4: layout of a virtio vendor capability in config space */
#define VIRTIO_CAP_CFG_TYPE 3
#define VIRTIO_CAP_BAR 4
#define VIRTIO_CAP_OFFSET 8
#define VIRTIO_CAP_LENGTH 12
#define VIRTIO_CAP_NOTIFY_MULT 16 /* notify cap only */

/* 4.1.4.3: struct virtio_pci_common_cfg */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF 0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF 0x0c
#define VIRTIO_COMMON_MSIX 0x10
#define VIRTIO_COMMON_NUMQ 0x12
#define VIRTIO_COMMON_STATUS 0x14
#define VIRTIO_COMMON_CFGGEN 0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE 0x18
#define VIRTIO_COMMON_Q_MSIX 0x1a
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF 0x1e
#define VIRTIO_COMMON_Q_DESCLO 0x20
#define VIRTIO_COMMON_Q_DESCHI 0x24
#define VIRTIO_COMMON_Q_AVAILLO 0x28
#define VIRTIO_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_COMMON_Q_USEDLO 0x30
#define VIRTIO_COMMON_Q_USEDHI 0x34
#define VIRTIO_COMMON_SIZE 0x38
/* virtio 1.2 4.1.4.3: after queue_notify_data, with VIRTIO_F_RING_RESET */
#define VIRTIO_COMMON_Q_RESET 0x3a
#define VIRTIO_COMMON_SIZE_RESET 0x3c

/* 2.1: device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* 6: reserved feature bits */
/* 2.4.5.3: a descriptor may point to a table of descriptors */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1 32
/* The device's DMA goes through the platform IOMMU: without it a device
 * behind a vIOMMU would use guest-physical addresses, not our IOVAs. */
#define VIRTIO_F_ACCESS_PLATFORM 33
/* virtio 1.2 2.6.1: one queue can be reset and enabled again (queue_reset) */
#define VIRTIO_F_RING_RESET 40

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Where a structure lives, as read from its capability. */
struct virtio_cap_loc {
	uint8_t bar;
	uint32_t offset, length;
};

struct virtio_caps {
	struct virtio_cap_loc common, notify, isr, device;
	uint32_t notify_mult;
};

/*
 * Reads the virtio capabilities from a config-space copy. -ENODEV with a
 * message when a required one (common, notify, device) is missing: a
 * legacy-only device.
 */
int virtio_caps_parse(const uint8_t cfg[IOP_PCI_CFG_SIZE], const char *bdf,
		      struct virtio_caps *caps);

struct virtio_pci {
	struct iop_pci_dev *pdev;
	struct virtio_caps caps;
	volatile uint8_t *common;
	volatile uint8_t *notify;
	volatile uint8_t *device;
};

/* Maps the BARs holding the structures. */
int virtio_pci_map(struct virtio_pci *vp, struct iop_pci_dev *pdev);
/* 4.1.4.3.2: writing 0 resets; the device is reset when status reads 0. */
int virtio_pci_reset(struct virtio_pci *vp);
uint8_t virtio_pci_status(struct virtio_pci *vp);
void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits);
uint64_t virtio_pci_device_features(struct virtio_pci *vp);
/* Writes the driver features and sets FEATURES_OK; -ENOTSUP when the
 * device does not keep FEATURES_OK (it refused the subset). */
int virtio_pci_set_features(struct virtio_pci *vp, uint64_t features);
uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t q);
/* Programs queue q with n entries at the given IOVAs and enables it;
 * returns the notify address of the queue, or NULL (queue left disabled)
 * when the device puts it outside its notify structure. */
volatile uint16_t *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t n,
					  uint64_t desc, uint64_t avail, uint64_t used);
/* virtio 1.2 2.6.1 and 4.1.4.3.2 (VIRTIO_F_RING_RESET negotiated): resets
 * queue q alone, and waits until queue_reset and queue_enable read 0 (the
 * polarity the spec settled on, oasis-tcs/virtio-spec#139, and QEMU's):
 * the device then uses none of the queue's memory and has forgotten its
 * ring indexes; virtio_pci_queue_setup enables it again. -EIO when the
 * device does not finish within a second. */
int virtio_pci_queue_reset(struct virtio_pci *vp, uint16_t q);
/* Reads len bytes of device config at off, consistent per config_generation
 * (4.1.4.3.1: re-read if it changed while reading). */
void virtio_pci_read_dev_cfg(struct virtio_pci *vp, unsigned int off, void *buf,
			     unsigned int len);

#endif /* IOP_VIRTIO_PCI_H */
