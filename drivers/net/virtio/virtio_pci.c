/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_log.h"
#include "virtio_pci.h"

static uint32_t cfg32(const uint8_t *cfg, unsigned int off)
{
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

int virtio_caps_parse(const uint8_t cfg[IOP_PCI_CFG_SIZE], const char *bdf,
		      struct virtio_caps *caps)
{
	uint8_t pos = 0;
	bool have[5] = { false };

	memset(caps, 0, sizeof(*caps));
	while (iop_pci_cap_find(cfg, IOP_PCI_CAP_ID_VNDR, pos, &pos) == 0) {
		uint8_t type = cfg[pos + VIRTIO_CAP_CFG_TYPE];
		struct virtio_cap_loc loc;
		struct virtio_cap_loc *dst = NULL;

		if (pos > IOP_PCI_CFG_SIZE - 20)
			break;
		loc.bar = cfg[pos + VIRTIO_CAP_BAR];
		loc.offset = cfg32(cfg, pos + VIRTIO_CAP_OFFSET);
		loc.length = cfg32(cfg, pos + VIRTIO_CAP_LENGTH);
		if (loc.bar > 5)
			continue; /* 4.1.4.1: the driver must ignore other BAR values */
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG: dst = &caps->common; break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG: dst = &caps->notify; break;
		case VIRTIO_PCI_CAP_ISR_CFG: dst = &caps->isr; break;
		case VIRTIO_PCI_CAP_DEVICE_CFG: dst = &caps->device; break;
		default: continue;
		}
		/* 4.1.4: the first capability of a type is the preferred one */
		if (have[type])
			continue;
		have[type] = true;
		*dst = loc;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			caps->notify_mult = cfg32(cfg, pos + VIRTIO_CAP_NOTIFY_MULT);
	}
	if (!have[VIRTIO_PCI_CAP_COMMON_CFG] || !have[VIRTIO_PCI_CAP_NOTIFY_CFG] ||
	    !have[VIRTIO_PCI_CAP_DEVICE_CFG])
		return IOP_ERR(ENODEV, "%s is a legacy-only virtio device (no virtio 1.0 capabilities): start QEMU with disable-modern=off",
			       bdf);
	if (caps->common.length < VIRTIO_COMMON_SIZE)
		return IOP_ERR(ENODEV, "%s: virtio common config is %u bytes, 0x%x needed",
			       bdf, caps->common.length, VIRTIO_COMMON_SIZE);
	return 0;
}

static int map_loc(struct virtio_pci *vp, const struct virtio_cap_loc *loc,
		   volatile uint8_t **out)
{
	void *bar;
	size_t len;
	int rc = iop_pci_bar_map(vp->pdev, loc->bar, &bar, &len);

	if (rc < 0)
		return rc;
	if ((uint64_t)loc->offset + loc->length > len)
		return IOP_ERR(ENODEV, "%s: virtio structure at BAR%u+0x%x (0x%x bytes) lies outside the BAR (0x%zx)",
			       iop_pci_dev_bdf(vp->pdev), loc->bar, loc->offset,
			       loc->length, len);
	*out = (volatile uint8_t *)bar + loc->offset;
	return 0;
}

int virtio_pci_map(struct virtio_pci *vp, struct iop_pci_dev *pdev)
{
	int rc;

	vp->pdev = pdev;
	rc = virtio_caps_parse(iop_pci_dev_cfg(pdev), iop_pci_dev_bdf(pdev), &vp->caps);
	if (rc == 0)
		rc = map_loc(vp, &vp->caps.common, &vp->common);
	if (rc == 0)
		rc = map_loc(vp, &vp->caps.notify, &vp->notify);
	if (rc == 0)
		rc = map_loc(vp, &vp->caps.device, &vp->device);
	return rc;
}

uint8_t virtio_pci_status(struct virtio_pci *vp)
{
	return iop_mmio_read8(vp->common, VIRTIO_COMMON_STATUS);
}

void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits)
{
	iop_mmio_write8(vp->common, VIRTIO_COMMON_STATUS,
			(uint8_t)(virtio_pci_status(vp) | bits));
}

int virtio_pci_reset(struct virtio_pci *vp)
{
	iop_mmio_write8(vp->common, VIRTIO_COMMON_STATUS, 0);
	for (int i = 0; i < 1000; i++) {
		uint8_t s = virtio_pci_status(vp);

		if (s == 0)
			return 0;
		if (s == 0xff)
			break;
		usleep(1000);
	}
	return IOP_ERR(EIO, "%s: virtio reset did not complete (status reads 0x%x): the device stopped answering",
		       iop_pci_dev_bdf(vp->pdev), virtio_pci_status(vp));
}

uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	uint64_t f;

	iop_mmio_write32(vp->common, VIRTIO_COMMON_DFSELECT, 0);
	f = iop_mmio_read32(vp->common, VIRTIO_COMMON_DF);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_DFSELECT, 1);
	return f | (uint64_t)iop_mmio_read32(vp->common, VIRTIO_COMMON_DF) << 32;
}

int virtio_pci_set_features(struct virtio_pci *vp, uint64_t features)
{
	iop_mmio_write32(vp->common, VIRTIO_COMMON_GFSELECT, 0);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_GF, (uint32_t)features);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_GFSELECT, 1);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_GF, (uint32_t)(features >> 32));
	/* 3.1.1 step 5-6: set FEATURES_OK, then check the device kept it */
	virtio_pci_set_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return IOP_ERR(ENOTSUP, "%s: the virtio device refused features 0x%llx",
			       iop_pci_dev_bdf(vp->pdev), (unsigned long long)features);
	return 0;
}

uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t q)
{
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_SELECT, q);
	return iop_mmio_read16(vp->common, VIRTIO_COMMON_Q_SIZE);
}

volatile uint16_t *virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t n,
					  uint64_t desc, uint64_t avail, uint64_t used)
{
	uint16_t noff;

	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_SELECT, q);
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_SIZE, n);
	/* we poll: no interrupt for this queue */
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_DESCLO, (uint32_t)desc);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_DESCHI, (uint32_t)(desc >> 32));
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_AVAILLO, (uint32_t)avail);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_AVAILHI, (uint32_t)(avail >> 32));
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_USEDLO, (uint32_t)used);
	iop_mmio_write32(vp->common, VIRTIO_COMMON_Q_USEDHI, (uint32_t)(used >> 32));
	noff = iop_mmio_read16(vp->common, VIRTIO_COMMON_Q_NOFF);
	if ((uint64_t)noff * vp->caps.notify_mult + 2 > vp->caps.notify.length)
		return NULL;
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_ENABLE, 1);
	/* 4.1.4.4: cap.offset + queue_notify_off * notify_off_multiplier */
	return (volatile uint16_t *)(vp->notify + (size_t)noff * vp->caps.notify_mult);
}

int virtio_pci_queue_reset(struct virtio_pci *vp, uint16_t q)
{
	if (vp->caps.common.length < VIRTIO_COMMON_SIZE_RESET)
		return IOP_ERR(ENODEV, "%s: the virtio common configuration (%u bytes) has no queue_reset field: the device cannot reset one queue",
			       iop_pci_dev_bdf(vp->pdev), vp->caps.common.length);
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_SELECT, q);
	iop_mmio_write16(vp->common, VIRTIO_COMMON_Q_RESET, 1);
	for (int i = 0; i < 1000; i++) {
		if (iop_mmio_read16(vp->common, VIRTIO_COMMON_Q_RESET) == 0 &&
		    iop_mmio_read16(vp->common, VIRTIO_COMMON_Q_ENABLE) == 0)
			return 0;
		usleep(1000);
	}
	return IOP_ERR(EIO, "%s: the reset of virtio queue %u did not complete within a second: the device stopped answering",
		       iop_pci_dev_bdf(vp->pdev), q);
}

void virtio_pci_read_dev_cfg(struct virtio_pci *vp, unsigned int off, void *buf,
			     unsigned int len)
{
	uint8_t *out = buf;
	uint8_t gen;

	do {
		gen = iop_mmio_read8(vp->common, VIRTIO_COMMON_CFGGEN);
		for (unsigned int i = 0; i < len; i++)
			out[i] = iop_mmio_read8(vp->device, off + i);
	} while (gen != iop_mmio_read8(vp->common, VIRTIO_COMMON_CFGGEN));
}
