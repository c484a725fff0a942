/* SPDX-License-Identifier: BSD-3-Clause */
/* Interrupts as eventfds: VFIO_DEVICE_SET_IRQS with DATA_EVENTFD|ACTION_TRIGGER
 * (linux/vfio.h); a count of 0 with DATA_NONE disables an index. */
#include <errno.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_dev.h"

int pci_irq_set_eventfds(struct iop_pci_dev *p, unsigned int index, unsigned int n,
			 const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + n * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int rc = 0;

	if (!set)
		return IOP_ERR(ENOMEM, "out of memory setting interrupts of %s", p->bdf);
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (n ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	set->index = index;
	set->start = 0;
	set->count = n;
	if (n)
		memcpy(set->data, fds, n * sizeof(int));
	if (ioctl(p->fd, VFIO_DEVICE_SET_IRQS, set) < 0)
		rc = IOP_ERR(errno, "%s: VFIO_DEVICE_SET_IRQS (index %u, %u vectors) failed: %s",
			     p->bdf, index, n, strerror(errno));
	free(set);
	return rc;
}

static int irq_count(struct iop_pci_dev *p, unsigned int index)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = index };

	if (ioctl(p->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0)
		return 0;
	return (int)ii.count;
}

int iop_pci_msix_enable(struct iop_pci_dev *p, unsigned int n, int *efds)
{
	int have = irq_count(p, VFIO_PCI_MSIX_IRQ_INDEX);
	int rc;

	if (n == 0 || n > PCI_MSIX_MAX || (int)n > have)
		return IOP_ERR(ENOTSUP, "%s has %d MSI-X vectors, %u asked", p->bdf, have, n);
	if (p->nmsix)
		iop_pci_msix_disable(p);
	for (unsigned int i = 0; i < n; i++) {
		efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efds[i] < 0) {
			rc = IOP_ERR(errno, "eventfd for %s: %s", p->bdf, strerror(errno));
			while (i--)
				close(efds[i]);
			return rc;
		}
	}
	rc = pci_irq_set_eventfds(p, VFIO_PCI_MSIX_IRQ_INDEX, n, efds);
	if (rc < 0) {
		for (unsigned int i = 0; i < n; i++)
			close(efds[i]);
		return rc;
	}
	memcpy(p->msix_fd, efds, n * sizeof(int));
	p->nmsix = n;
	return 0;
}

int iop_pci_msix_disable(struct iop_pci_dev *p)
{
	int rc;

	if (!p->nmsix)
		return 0;
	rc = pci_irq_set_eventfds(p, VFIO_PCI_MSIX_IRQ_INDEX, 0, NULL);
	for (unsigned int i = 0; i < p->nmsix; i++)
		close(p->msix_fd[i]);
	p->nmsix = 0;
	return rc;
}

int iop_pci_req_irq_enable(struct iop_pci_dev *p, int *efd)
{
	int fd, rc;

	if (p->req_fd >= 0) {
		*efd = p->req_fd;
		return 0;
	}
	if (irq_count(p, VFIO_PCI_REQ_IRQ_INDEX) < 1)
		return IOP_ERR(ENOTSUP, "%s: the kernel offers no VFIO request interrupt", p->bdf);
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return IOP_ERR(errno, "eventfd for %s: %s", p->bdf, strerror(errno));
	rc = pci_irq_set_eventfds(p, VFIO_PCI_REQ_IRQ_INDEX, 1, &fd);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	p->req_fd = fd;
	*efd = fd;
	return 0;
}

void pci_irq_release(struct iop_pci_dev *p)
{
	iop_pci_msix_disable(p);
	if (p->req_fd >= 0) {
		pci_irq_set_eventfds(p, VFIO_PCI_REQ_IRQ_INDEX, 0, NULL);
		close(p->req_fd);
		p->req_fd = -1;
	}
}
