/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO request eventfd, watched by DPDK's interrupt thread (rte_intr)
 * rather than by the bursts: the fast path never reads it.
 */
/* rte_intr's handle accessors are experimental in DPDK 22.11 (the handle
 * became opaque in 21.11; they are the only way to build one) */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_interrupts.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_request.h"

struct iop_pci_request {
	struct rte_intr_handle *intr;
	void (*on_request)(void *arg);
	void *arg;
};

/* On the interrupt thread. EAL reads nothing from an external fd: the
 * eventfd is drained here, or epoll would report it again at once. */
static void request_event(void *arg)
{
	struct iop_pci_request *w = arg;
	uint64_t events;

	if (read(rte_intr_fd_get(w->intr), &events, sizeof(events)) != sizeof(events))
		return;
	w->on_request(w->arg);
}

int iop_pci_request_watch(int efd, void (*on_request)(void *arg), void *arg,
			  struct iop_pci_request **out)
{
	struct iop_pci_request *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return IOP_ERR(ENOMEM, "out of memory watching a request interrupt");
	w->on_request = on_request;
	w->arg = arg;
	w->intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (!w->intr) {
		free(w);
		return IOP_ERR(ENOMEM, "out of memory watching a request interrupt");
	}
	rc = rte_intr_fd_set(w->intr, efd);
	if (rc == 0)
		rc = rte_intr_type_set(w->intr, RTE_INTR_HANDLE_EXT);
	if (rc == 0)
		rc = rte_intr_callback_register(w->intr, request_event, w);
	if (rc < 0) {
		rte_intr_instance_free(w->intr);
		free(w);
		return IOP_ERR(-rc, "cannot watch the request interrupt on DPDK's interrupt thread (error %d): was the EAL initialised?",
			       rc);
	}
	*out = w;
	return 0;
}

void iop_pci_request_unwatch(struct iop_pci_request *w)
{
	if (!w)
		return;
	/* waits while the handler runs, so its argument may go afterwards */
	rte_intr_callback_unregister_sync(w->intr, request_event, w);
	rte_intr_instance_free(w->intr);
	free(w);
}
