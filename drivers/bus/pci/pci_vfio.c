/* SPDX-License-Identifier: BSD-3-Clause */
/* Regions, BARs, config space and reset of a device through its VFIO fd
 * (linux/vfio.h: VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO). */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_dev.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4

static int device_numa_node(struct iop_dev *dev)
{
	struct iop_dev_info info[64];
	size_t n = 0;

	if (iop_ctx_devices(iop_dev_ctx(dev), info, 64, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && i < 64; i++)
		if (strcmp(info[i].bdf, iop_dev_bdf(dev)) == 0)
			return info[i].numa_node;
	return -1;
}

int iop_pci_region_info(struct iop_pci_dev *p, unsigned int index,
			struct iop_pci_region *region)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(p->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return IOP_ERR(errno, "%s: cannot read VFIO region %u: %s", p->bdf,
			       index, strerror(errno));
	region->size = ri.size;
	region->offset = ri.offset;
	region->readable = ri.flags & VFIO_REGION_INFO_FLAG_READ;
	region->writable = ri.flags & VFIO_REGION_INFO_FLAG_WRITE;
	region->mmappable = ri.flags & VFIO_REGION_INFO_FLAG_MMAP;
	return 0;
}

int iop_pci_cfg_read(struct iop_pci_dev *p, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(p->fd, buf, len, (off_t)(p->cfg_offset + off));

	if (n != (ssize_t)len)
		return IOP_ERR(EIO, "%s: config space read of %zu bytes at 0x%x failed",
			       p->bdf, len, off);
	return 0;
}

int iop_pci_cfg_write(struct iop_pci_dev *p, unsigned int off, const void *buf,
		      size_t len)
{
	ssize_t n = pwrite(p->fd, buf, len, (off_t)(p->cfg_offset + off));

	if (n != (ssize_t)len)
		return IOP_ERR(EIO, "%s: config space write of %zu bytes at 0x%x failed",
			       p->bdf, len, off);
	return 0;
}

int iop_pci_dev_open(struct iop_dev *dev, struct iop_pci_dev **out)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct iop_pci_region cfg;
	struct iop_pci_dev *p;
	int fd = iop_dev_fd(dev);
	int rc;

	if (fd < 0)
		return IOP_ERR(ENOTSUP, "%s has no VFIO device fd: PCI devices need --iommu=iommufd or vfio and an attached device",
			       iop_dev_bdf(dev));
	p = calloc(1, sizeof(*p));
	if (!p)
		return IOP_ERR(ENOMEM, "out of memory opening %s", iop_dev_bdf(dev));
	p->dev = dev;
	p->fd = fd;
	p->req_fd = -1;
	snprintf(p->bdf, sizeof(p->bdf), "%s", iop_dev_bdf(dev));
	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &di) < 0) {
		rc = IOP_ERR(errno, "%s: VFIO_DEVICE_GET_INFO failed: %s", p->bdf, strerror(errno));
		goto fail;
	}
	if (!(di.flags & VFIO_DEVICE_FLAGS_PCI)) {
		rc = IOP_ERR(ENODEV, "%s is not a PCI device for VFIO", p->bdf);
		goto fail;
	}
	p->vfio_flags = di.flags;
	rc = iop_pci_region_info(p, IOP_PCI_REGION_CONFIG, &cfg);
	if (rc < 0)
		goto fail;
	p->cfg_offset = cfg.offset;
	rc = iop_pci_cfg_read(p, 0, p->cfg, sizeof(p->cfg));
	if (rc < 0)
		goto fail;
	if (iop_pci_dev_vendor(p) == 0xffff) {
		rc = IOP_ERR(ENODEV, "%s reads all-ones: the device stopped answering; check it is still present (lspci) and rebind it",
			     p->bdf);
		goto fail;
	}
	p->numa_node = device_numa_node(dev);
	*out = p;
	return 0;
fail:
	free(p);
	return rc;
}

void iop_pci_dev_close(struct iop_pci_dev *p)
{
	if (!p)
		return;
	pci_irq_release(p);
	if (!iop_pci_dev_gone(p))
		iop_pci_set_bus_master(p, false);
	for (int i = 0; i < PCI_BARS; i++)
		if (p->bar[i])
			munmap(p->bar[i], p->bar_len[i]);
	free(p);
}

const char *iop_pci_dev_bdf(const struct iop_pci_dev *p) { return p->bdf; }
struct iop_dev *iop_pci_dev_iommu(const struct iop_pci_dev *p) { return p->dev; }
const uint8_t *iop_pci_dev_cfg(const struct iop_pci_dev *p) { return p->cfg; }
int iop_pci_dev_numa_node(const struct iop_pci_dev *p) { return p->numa_node; }

uint16_t iop_pci_dev_vendor(const struct iop_pci_dev *p)
{
	return (uint16_t)(p->cfg[0] | p->cfg[1] << 8);
}

uint16_t iop_pci_dev_device(const struct iop_pci_dev *p)
{
	return (uint16_t)(p->cfg[2] | p->cfg[3] << 8);
}

int iop_pci_bar_map(struct iop_pci_dev *p, unsigned int bar, void **addr, size_t *len)
{
	struct iop_pci_region r;
	void *va;
	int rc;

	if (bar >= PCI_BARS)
		return IOP_ERR(EINVAL, "%s: BAR%u does not exist (0-5)", p->bdf, bar);
	if (!p->bar[bar]) {
		rc = iop_pci_region_info(p, bar, &r);
		if (rc < 0)
			return rc;
		if (r.size == 0)
			return IOP_ERR(ENODEV, "%s has no BAR%u", p->bdf, bar);
		if (!r.mmappable)
			return IOP_ERR(ENOTSUP, "%s: BAR%u cannot be mapped (an I/O port BAR, or VFIO refuses mmap)",
				       p->bdf, bar);
		va = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd,
			  (off_t)r.offset);
		if (va == MAP_FAILED)
			return IOP_ERR(errno, "%s: cannot map BAR%u (%llu bytes): %s", p->bdf,
				       bar, (unsigned long long)r.size, strerror(errno));
		p->bar[bar] = va;
		p->bar_len[bar] = r.size;
	}
	*addr = p->bar[bar];
	if (len)
		*len = p->bar_len[bar];
	return 0;
}

int iop_pci_set_bus_master(struct iop_pci_dev *p, bool on)
{
	uint16_t cmd;
	int rc = iop_pci_cfg_read(p, PCI_COMMAND, &cmd, sizeof(cmd));

	if (rc < 0)
		return rc;
	cmd = on ? (uint16_t)(cmd | PCI_COMMAND_MASTER) : (uint16_t)(cmd & ~PCI_COMMAND_MASTER);
	return iop_pci_cfg_write(p, PCI_COMMAND, &cmd, sizeof(cmd));
}

bool iop_pci_dev_gone(struct iop_pci_dev *p)
{
	uint16_t vendor;

	return iop_pci_cfg_read(p, 0, &vendor, sizeof(vendor)) < 0 || vendor == 0xffff;
}

int iop_pci_reset(struct iop_pci_dev *p)
{
	if (!(p->vfio_flags & VFIO_DEVICE_FLAGS_RESET))
		return IOP_ERR(ENOTSUP, "%s offers no reset (no FLR, PM or bus reset)", p->bdf);
	if (ioctl(p->fd, VFIO_DEVICE_RESET) < 0)
		return IOP_ERR(errno, "%s: reset failed: %s", p->bdf, strerror(errno));
	return 0;
}
