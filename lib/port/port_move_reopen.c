/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A move without replace (VFIO type1; doc/move.md, "On type1: a restart").
 * The kernel keeps a group in its container while a device fd of it is
 * open (VFIO_GROUP_UNSET_CONTAINER is EBUSY), and a PMD's mapping of a BAR
 * keeps the fd open, so a device cannot change domain under its driver.
 * The ports of the group restart through their devices instead, in this
 * order:
 *  1. hold and quiesce: a driver with a hold op posts nothing new and takes
 *     back what the device has not used; then the bursts of every started
 *     port go idle and every forwarding thread passes a quiescent state, so
 *     no burst runs on what is freed next (seed 004: nothing a user may
 *     still touch goes away before it lets go);
 *  2. drain: a driver with dma_stop lets the device finish what it was
 *     given (virtio sends what its tx queues hold) and stops its DMA; one
 *     that cannot refuses the move, with nothing changed;
 *  3. stop and close: the driver frees its mbufs and its queues (their
 *     counters stay with lib/port), unmaps its BARs and lets go of the
 *     device, which lib/port keeps open (port_dev.c parks it);
 *  4. move the group: iop_dev_move closes each device's fd (vfio-pci
 *     resets the function) and takes the group out of its container, then
 *     puts it in the destination's (seed 000: the whole group, every
 *     device detached before any is attached);
 *  5. probe again, on the same port object with the same spec, the device
 *     opening where the group went, then replay what the port was given:
 *     its configuration, every queue's descriptors and pool, promiscuous
 *     mode, and its start; the bursts come back.
 * Whatever fails, the ports go back to the source the same way; a port
 * that does not come back even there is declared removed. Frames the
 * devices had received that no burst took, and frames that reach them
 * while closed, are lost and not counted by the ports (the far side sees
 * them missing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "port_internal.h"
#include "port_spec.h"

/* As long as a move waits for a queue to be polled (port_move.c). */
#define REOPEN_HOLD_TIMEOUT_NS 5000000000ull

/* What a port was before its device closed. */
struct saved {
	enum port_state state;
	bool promisc;
	bool held;   /* its driver's hold is on */
	bool probed; /* its driver holds the device again */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Holds the started ports whose driver can; false if a queue was not
 * polled in time (then every hold is let go). */
static bool hold_all(struct iop_port *const *ports, struct saved *sv, size_t n)
{
	uint64_t deadline = now_ns() + REOPEN_HOLD_TIMEOUT_NS;
	struct timespec pause = {0, 20000};

	for (size_t i = 0; i < n; i++) {
		if (ports[i]->state != PORT_STARTED || !ports[i]->drv->ops->hold)
			continue;
		ports[i]->drv->ops->hold(ports[i], true);
		sv[i].held = true;
	}
	for (;;) {
		bool all = true;

		for (size_t i = 0; i < n && all; i++)
			all = !sv[i].held || ports[i]->drv->ops->held(ports[i]);
		if (all)
			return true;
		if (now_ns() > deadline)
			break;
		nanosleep(&pause, NULL);
	}
	for (size_t i = 0; i < n; i++)
		if (sv[i].held)
			ports[i]->drv->ops->hold(ports[i], false);
	return false;
}

/* The queue objects go, their counters stay; the counters' IOVA cache
 * totals are kept in the reset base, as the new caches start from 0. */
static void release_queue_objects(struct iop_port *p)
{
	struct iop_port_iova_stats t;

	iop_port_cache_totals(p, &t);
	p->cache_base.lookups -= t.lookups;
	p->cache_base.hits -= t.hits;
	p->cache_base.misses -= t.misses;
	p->cache_base.poison -= t.poison;
	p->cache_base.flushes -= t.flushes;
	for (uint16_t q = 0; q < IOP_PORT_MAX_QUEUES; q++) {
		if (p->rxq[q])
			p->drv->ops->rx_queue_release(p->rxq[q]);
		if (p->txq[q])
			p->drv->ops->tx_queue_release(p->txq[q]);
		p->rxq[q] = p->txq[q] = NULL;
		if (p->rxc[q])
			p->rxc[q]->iova_cache = NULL;
		if (p->txc[q])
			p->txc[q]->iova_cache = NULL;
	}
}

/* Step 3 for one port, whose bursts are idle and not running and whose
 * device's DMA is stopped (drain). */
static void shut(struct iop_port *p, struct saved *s)
{
	const struct iop_port_ops *ops = p->drv->ops;

	if (p->state == PORT_STARTED)
		ops->stop(p);
	release_queue_objects(p);
	ops->close(p);
	memset(p->priv, 0, p->drv->priv_size ? p->drv->priv_size : 1);
	p->rx_burst = ops->rx_burst;
	p->tx_burst = ops->tx_burst;
	s->probed = false;
}

/* Step 2: each started port's device finishes what it was given and stops
 * its DMA, where its driver can (dma_stop: virtio sends what its tx queues
 * hold first), so that no frame the port counted as sent is freed unsent.
 * A driver that refuses refuses the move: the devices already stopped go
 * on, and the caller gives the bursts back. */
static int drain(struct iop_port *const *ports, const struct saved *sv, size_t n)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < n && rc == 0; i++)
		if (sv[i].state == PORT_STARTED && ports[i]->drv->ops->dma_stop)
			rc = ports[i]->drv->ops->dma_stop(ports[i], true);
	if (rc == 0)
		return 0;
	/* ports[i - 1] refused */
	for (size_t k = 0; k + 1 < i; k++)
		if (sv[k].state == PORT_STARTED && ports[k]->drv->ops->dma_stop &&
		    ports[k]->drv->ops->dma_stop(ports[k], false) != 0)
			IOP_LOG(ERR, "port %u (%s): its device's DMA did not start again: stop the port and start it again",
				ports[k]->id, ports[k]->spec);
	return rc;
}

/* Step 5 for one port: 0, or the error with whatever it opened let go. */
static int bring_up(struct iop_port *p, struct saved *s)
{
	const struct iop_port_ops *ops = p->drv->ops;
	struct iop_port_spec spec;
	int rc;

	rc = iop_port_spec_parse(p->spec, &spec);
	if (rc == 0)
		rc = p->drv->probe(p, &spec);
	if (rc)
		return rc;
	s->probed = true;
	if (s->state >= PORT_CONFIGURED && ops->configure)
		rc = ops->configure(p, &p->conf);
	for (uint16_t q = 0; rc == 0 && s->state >= PORT_CONFIGURED && q < p->nb_rxq; q++)
		if (p->rxc[q])
			rc = ops->rx_queue_setup(p, q, p->rx_desc[q], p->rx_pool[q], p->rxc[q],
						 &p->rxq[q]);
	for (uint16_t q = 0; rc == 0 && s->state >= PORT_CONFIGURED && q < p->nb_txq; q++)
		if (p->txc[q])
			rc = ops->tx_queue_setup(p, q, p->tx_desc[q], p->txc[q], &p->txq[q]);
	if (rc == 0 && s->promisc && ops->promisc_set)
		rc = ops->promisc_set(p, true);
	if (rc == 0 && s->state == PORT_STARTED)
		rc = ops->start(p);
	if (rc) {
		release_queue_objects(p);
		ops->close(p);
		memset(p->priv, 0, p->drv->priv_size ? p->drv->priv_size : 1);
		s->probed = false;
	}
	return rc;
}

/* Brings every port up; on a failure, the ones already up are shut again
 * and the error of the one that failed is returned. */
static int bring_all_up(struct iop_port *const *ports, struct saved *sv, size_t n,
			size_t *failed)
{
	for (size_t i = 0; i < n; i++) {
		int rc = bring_up(ports[i], &sv[i]);

		if (rc == 0)
			continue;
		*failed = i;
		while (i-- > 0)
			shut(ports[i], &sv[i]);
		return rc;
	}
	return 0;
}

/* --- a port that cannot come back ----------------------------------------- */

static void gone_info(struct iop_port *port, struct iop_port_info *info)
{
	(void)port;
	info->driver = "removed";
}

static int gone_refuse(const struct iop_port *port)
{
	return IOP_ERR(ENODEV, "port %u (%s): its device could not be opened again after a move: close the port",
		       port->id, port->spec);
}

static int gone_configure(struct iop_port *port, const struct iop_port_conf *conf)
{
	(void)conf;
	return gone_refuse(port);
}

static int gone_rxq(struct iop_port *port, uint16_t q, uint16_t nb_desc, struct rte_mempool *mp,
		    struct iop_port_qcounters *cnt, void **rxq)
{
	(void)q, (void)nb_desc, (void)mp, (void)cnt, (void)rxq;
	return gone_refuse(port);
}

static int gone_txq(struct iop_port *port, uint16_t q, uint16_t nb_desc,
		    struct iop_port_qcounters *cnt, void **txq)
{
	(void)q, (void)nb_desc, (void)cnt, (void)txq;
	return gone_refuse(port);
}

static int gone_start(struct iop_port *port)
{
	return gone_refuse(port);
}

static void gone_nothing(struct iop_port *port)
{
	(void)port;
}

static int gone_link(struct iop_port *port, struct iop_port_link *link)
{
	(void)port;
	link->up = false;
	return 0;
}

static uint16_t gone_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)q, (void)pkts, (void)n;
	return 0;
}

static const struct iop_port_ops gone_ops = {
	.info_get = gone_info,
	.configure = gone_configure,
	.rx_queue_setup = gone_rxq,
	.tx_queue_setup = gone_txq,
	.start = gone_start,
	.stop = gone_nothing,
	.close = gone_nothing,
	.link_get = gone_link,
	.rx_burst = gone_burst,
	.tx_burst = gone_burst,
};

/* What a port whose device could not be opened again becomes: every
 * control call but close refuses, its bursts idle, its counters kept. */
static const struct iop_port_driver gone_driver = {
	.name = "removed",
	.ops = &gone_ops,
};

static void declare_removed(struct iop_port *p)
{
	port_fp_reset(p);
	free(p->priv);
	p->priv = calloc(1, 1);
	p->drv = &gone_driver;
	p->rx_burst = p->tx_burst = gone_burst;
	if (p->state > PORT_CONFIGURED)
		p->state = PORT_CONFIGURED;
	iop_port_set_removed(p);
}

/* --- the move ------------------------------------------------------------- */

/* The ports back on `from` after a failure on the way to `to` (why: its
 * message). Each port that does not come back is removed. */
static int back_to_source(struct iop_port *const *ports, struct iop_dev *const *devs,
			  struct saved *sv, size_t n, struct iop_ioas *from, struct iop_ioas *to,
			  const char *why)
{
	char removed[256] = "", reason[512] = "";
	size_t len = 0;
	bool moved = false;

	for (size_t i = 0; i < n; i++)
		moved = moved || iop_dev_ioas(devs[i]) == to;
	/* a device left on no IOAS is attached to `from` by its probe */
	if (moved && iop_dev_move(devs, n, from) != 0)
		snprintf(reason, sizeof(reason), "%s", iop_err_msg());
	port_dev_park_into(from);
	for (size_t i = 0; i < n; i++) {
		struct iop_port *p = ports[i];

		if (!reason[0] || iop_dev_ioas(devs[i]) == from || !iop_dev_ioas(devs[i])) {
			if (bring_up(p, &sv[i]) == 0) {
				port_fp_install(p);
				continue;
			}
			snprintf(reason, sizeof(reason), "%s", iop_err_msg());
		}
		declare_removed(p);
		if (len < sizeof(removed))
			len += (size_t)snprintf(removed + len, sizeof(removed) - len, "%sport %u (%s)",
						len ? ", " : "", p->id, p->spec);
	}
	if (len)
		return IOP_ERR(EIO, "cannot move port %u (%s) to IOAS %u: %s; and %s could not be opened again on IOAS %u (%s): declared removed; close it and open it again",
			       ports[0]->id, ports[0]->spec, iop_ioas_id(to), why, removed,
			       iop_ioas_id(from), reason);
	return IOP_ERR(EAGAIN, "cannot move port %u (%s) to IOAS %u: %s; its device was closed and opened again on IOAS %u, where it forwards again (frames that reached it meanwhile are lost); move it again",
		       ports[0]->id, ports[0]->spec, iop_ioas_id(to), why, iop_ioas_id(from));
}

/* Each device's count leaves the IOAS it is not on (port_move.c held one
 * on `to` for each; a device closed has left both). */
static void settle_counts(struct iop_dev *const *devs, size_t n, struct iop_ioas *from,
			  struct iop_ioas *to)
{
	struct iop_ioas *at[IOP_PORT_MAX];

	for (size_t i = 0; i < n; i++)
		at[i] = iop_dev_ioas(devs[i]);
	/* a device no port took back closes here, leaving the IOAS it was on */
	port_dev_unpark();
	for (size_t i = 0; i < n; i++) {
		if (at[i] != to)
			port_dev_drop(to, 1);
		if (at[i] != from)
			port_dev_drop(from, 1);
	}
}

int port_move_reopen(struct iop_port *const *ports, struct iop_dev *const *devs, size_t n,
		     struct iop_ioas *from, struct iop_ioas *to, uint64_t *pause_ns)
{
	struct saved sv[IOP_PORT_MAX] = {0};
	uint64_t start = now_ns();
	size_t failed = 0;
	char why[512];
	int rc;

	rc = iop_dev_move_check(devs, n, to);
	/* net_iop keeps the queues it was handed (ethdev's queue table),
	 * started or not, and a restart replaces them */
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (ports[i]->fp_handed_out)
			rc = IOP_ERR(EOPNOTSUPP, "port %u (%s) handed its queues to another fast path (net_iop's ethdev), which keeps them, and a move without replace (VFIO type1) sets them up anew: close the ethdev port and open it again in the other IOAS, or use --iommu=iommufd",
				     ports[i]->id, ports[i]->spec);
	if (rc == 0 && !hold_all(ports, sv, n))
		rc = IOP_ERR(ETIMEDOUT, "cannot move port %u to IOAS %u: a queue of a started port was not polled for %llu ms while it was to pause; poll every queue while moving, or stop the port first",
			     ports[0]->id, iop_ioas_id(to), REOPEN_HOLD_TIMEOUT_NS / 1000000ull);
	if (rc) {
		port_dev_drop(to, (unsigned int)n);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		sv[i].state = ports[i]->state;
		sv[i].promisc = ports[i]->promisc;
		if (sv[i].state == PORT_STARTED)
			port_fp_idle(ports[i]);
	}
	iop_mem_synchronize();
	rc = drain(ports, sv, n);
	if (rc) {
		for (size_t i = 0; i < n; i++) {
			if (sv[i].held)
				ports[i]->drv->ops->hold(ports[i], false);
			if (sv[i].state == PORT_STARTED)
				port_fp_restore(ports[i]);
		}
		port_dev_drop(to, (unsigned int)n);
		return rc;
	}
	/* readers (stats, xstats, link) wait for the restart only: it frees
	 * the queue objects and the driver state they read */
	pthread_mutex_lock(&iop_port_read_lock);
	port_dev_park(devs, n, to);
	for (size_t i = 0; i < n; i++)
		shut(ports[i], &sv[i]);
	rc = iop_dev_move(devs, n, to);
	if (rc == 0)
		rc = bring_all_up(ports, sv, n, &failed);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			if (sv[i].state == PORT_STARTED)
				port_fp_install(ports[i]);
	} else {
		snprintf(why, sizeof(why), "%s", iop_err_msg());
		IOP_LOG(ERR, "port %u (%s): %s; putting the ports back on IOAS %u", ports[failed]->id,
			ports[failed]->spec, why, iop_ioas_id(from));
		rc = back_to_source(ports, devs, sv, n, from, to, why);
	}
	settle_counts(devs, n, from, to);
	pthread_mutex_unlock(&iop_port_read_lock);
	*pause_ns = now_ns() - start;
	return rc;
}
