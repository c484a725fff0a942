/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_REQUEST_H
#define IOP_PCI_REQUEST_H

/*
 * The kernel asks for a device back (hot-unplug, unbind from vfio-pci) by
 * signalling its VFIO request eventfd (iop_pci_req_irq_enable). This
 * watches such an eventfd off the fast path, on DPDK's interrupt thread:
 * on_request(arg) runs there once per signal (the kernel may repeat it).
 */

struct iop_pci_request;

/* 0, or -errno with the message set (no EAL, out of memory). */
int iop_pci_request_watch(int efd, void (*on_request)(void *arg), void *arg,
			  struct iop_pci_request **out);
/* Stops watching; returns once no on_request call is running. Not from
 * on_request itself. NULL is ignored. */
void iop_pci_request_unwatch(struct iop_pci_request *w);

#endif /* IOP_PCI_REQUEST_H */
