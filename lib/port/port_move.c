/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live move of a port to another IOAS (iop_port_move, doc/move.md).
 *
 * The steps, in this order, and why:
 *  1. populate: the destination gets every mapping of the source at the
 *     same IOVA (DPDK's memory through lib/mem, by copy: pinned once).
 *     Descriptors already posted, and the IOVAs cached by the queues, are
 *     then valid in both IOAS, so nothing has to be drained.
 *  2. replace: the device's domain, and with it its whole IOMMU group,
 *     goes to the destination in one step (iop_dev_move; seed 000: the
 *     group is never split, a group holding ports not being moved is
 *     refused).
 *  3. rebind: every queue's IOVA cache switches to the destination's table
 *     at its next burst boundary (iop_iova_cache_rebind); this waits until
 *     each has.
 *  4. quiesce: every forwarding thread passes a quiescent state, so no
 *     burst that began before the switch still runs (seed 004: the source
 *     is released only once nobody can use it).
 *  5. release: a source IOAS lib/port created that no port uses any more is
 *     unmapped and destroyed.
 * Where the destination cannot hold the same IOVAs, the queues of started
 * ports are held between 1 and 3: rx is not refilled, tx takes no frame, and what
 * they posted that the device has not used is taken back, so no posted
 * IOVA outlives its domain; after 3 they post again with the new IOVAs.
 * That is a pause, counted, and the frames the wire had to drop meanwhile
 * are counted as the port's rx drops. A real device (driver op dma_stop)
 * stops its DMA around the switch instead, keeping what it posted: an
 * IOMMU driver may block its translation during a replace. type1 cannot
 * move an open device (its group cannot leave the container): there the
 * ports restart through their devices (port_move_reopen.c).
 * Until step 4 everything is undone on a failure, last step first.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_iommu.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "port_internal.h"

#define MOVE_MAX_CACHES (IOP_PORT_MAX * 2 * IOP_PORT_MAX_QUEUES)
/* How long a started port's queues may go unpolled before a move gives up:
 * generous, as a loaded machine may preempt a polling thread for long. */
#define MOVE_REBIND_TIMEOUT_NS 5000000000ull

struct move {
	struct iop_ioas *from, *to;
	struct iop_port *ports[IOP_PORT_MAX];
	struct iop_dev *devs[IOP_PORT_MAX];
	size_t nports;
	bool mem_attached;          /* step 1 attached lib/mem to `to` */
	struct iop_map_info moved_iova; /* a mapping `to` holds elsewhere (len 0: none) */
	bool pause;                 /* hold the queues across the switch */
	bool held[IOP_PORT_MAX];    /* ports[i] is held */
	bool idled[IOP_PORT_MAX];   /* ports[i]'s bursts are idle (dma_stop) */
	bool dma_off[IOP_PORT_MAX]; /* ports[i]'s device does no DMA */
	struct iop_map_info *added; /* step 1's other mappings */
	size_t nadded;
	struct iop_iova_cache *caches[MOVE_MAX_CACHES];
	bool polled[MOVE_MAX_CACHES]; /* its port is started */
	size_t ncaches;
};

static struct iop_dev *port_device(struct iop_port *p)
{
	return p->drv->ops->dev_get ? p->drv->ops->dev_get(p) : NULL;
}

/* The ports that move: p, and the ports sharing its group (with
 * IOP_PORT_MOVE_GROUP; otherwise they make the move fail, named). */
static int collect(struct move *m, struct iop_port *p, unsigned int flags)
{
	unsigned int group = iop_dev_group(m->devs[0]);
	char others[256] = "";
	size_t len = 0;

	m->ports[0] = p;
	m->nports = 1;
	for (uint16_t id = 0; id < IOP_PORT_MAX; id++) {
		struct iop_port *q = iop_port_get(id);
		struct iop_dev *d = q && q != p ? port_device(q) : NULL;

		if (!d || iop_dev_group(d) != group)
			continue;
		if (flags & IOP_PORT_MOVE_GROUP) {
			m->ports[m->nports] = q;
			m->devs[m->nports++] = d;
		} else if (len < sizeof(others)) {
			len += (size_t)snprintf(others + len, sizeof(others) - len, "%sport %u (%s)",
						len ? ", " : "", id, iop_dev_bdf(d));
		}
	}
	if (len)
		return IOP_ERR(EBUSY, "cannot move port %u (%s) alone: IOMMU group %u also holds %s, and a group is never split; move them together (IOP_PORT_MOVE_GROUP)",
			       p->id, iop_dev_bdf(m->devs[0]), group, others);
	for (size_t i = 0; i < m->nports; i++)
		if (m->ports[i]->fp_handed_out && m->ports[i]->state == PORT_STARTED)
			return IOP_ERR(EOPNOTSUPP, "port %u (%s) is started and its bursts run outside lib/port (net_iop's ethdev fast path), where a move cannot idle them: stop the ethdev port, move it, start it again",
				       m->ports[i]->id, m->ports[i]->spec);
	for (size_t i = 0; i < m->nports; i++)
		if (!m->ports[i]->drv->ops->ioas_changed)
			return IOP_ERR(EOPNOTSUPP, "port %u (%s): its driver cannot rebind its queues to another IOAS: stop the port, close it and open it again instead",
				       m->ports[i]->id, m->ports[i]->spec);
	return 0;
}

/* The same IOVA for the first and the last byte of the mapping in `to`. */
static bool same_iova(struct iop_ioas *to, const struct iop_map_info *mi)
{
	uint64_t first, last;

	return iop_ioas_va2iova(to, (void *)(uintptr_t)mi->va, &first) == 0 &&
	       iop_ioas_va2iova(to, (void *)(uintptr_t)(mi->va + mi->len - 1), &last) == 0 &&
	       first == mi->iova && last == mi->iova + mi->len - 1;
}

static void unpopulate(struct move *m)
{
	for (size_t i = m->nadded; i-- > 0;)
		iop_ioas_unmap(m->to, (void *)(uintptr_t)m->added[i].va, m->added[i].len);
	m->nadded = 0;
	if (m->mem_attached)
		iop_mem_detach_ioas(m->to);
	m->mem_attached = false;
}

/* Step 1. */
static int populate(struct move *m)
{
	struct iop_ctx *ctx = iop_ioas_ctx(m->from);
	unsigned int from_id = iop_ioas_id(m->from);
	struct iop_map_info *maps = NULL;
	size_t n = 0, got;
	int rc;

	/* a fresh destination takes the source's IOVAs where its ranges
	 * allow: what the queues posted then stays valid without a pause
	 * (one context: checked by the caller) */
	iop_ioas_set_iova_model(m->to, m->from);
	if (!iop_mem_is_attached(m->to)) {
		rc = iop_mem_attach_ioas(m->to);
		if (rc) {
			iop_ioas_set_iova_model(m->to, NULL);
			return rc;
		}
		m->mem_attached = true;
	}
	rc = iop_ctx_ioas_maps(ctx, from_id, NULL, 0, &n);
	if (rc == 0 && n) {
		maps = calloc(n, sizeof(*maps));
		m->added = calloc(n, sizeof(*m->added));
		if (!maps || !m->added)
			rc = IOP_ERR(ENOMEM, "out of memory moving to IOAS %u", iop_ioas_id(m->to));
		else
			rc = iop_ctx_ioas_maps(ctx, from_id, maps, n, &got);
		n = rc == 0 && got < n ? got : n;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct iop_map_info *mi = &maps[i];
		uint64_t iova;

		/* a stale mapping (its unmap failed) translates nowhere: the
		 * destination does not need it */
		if (iop_ioas_va2iova(m->from, (void *)(uintptr_t)mi->va, &iova) != 0)
			continue;
		if (iop_ioas_va2iova(m->to, (void *)(uintptr_t)mi->va, &iova) != 0) {
			rc = iop_ioas_map(m->to, (void *)(uintptr_t)mi->va, mi->len, mi->prot, &iova);
			if (rc)
				break;
			m->added[m->nadded++] = *mi;
		}
		if (!same_iova(m->to, mi) && !m->moved_iova.len)
			m->moved_iova = *mi;
	}
	free(maps);
	iop_ioas_set_iova_model(m->to, NULL);
	if (rc)
		unpopulate(m);
	return rc;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Waits until no cache of m has a rebind pending; false on the timeout. */
static bool wait_rebound(const struct move *m)
{
	uint64_t deadline = now_ns() + MOVE_REBIND_TIMEOUT_NS;
	struct timespec pause = {0, 20000};

	for (;;) {
		bool pending = false;

		for (size_t i = 0; i < m->ncaches && !pending; i++)
			pending = iop_iova_cache_rebind_pending(m->caches[i]);
		if (!pending)
			return true;
		if (now_ns() > deadline)
			return false;
		nanosleep(&pause, NULL);
	}
}

/* Tells the drivers their IOAS and lists their queue caches in m. */
static void drivers_to(struct move *m, struct iop_ioas *ioas)
{
	m->ncaches = 0;
	for (size_t i = 0; i < m->nports; i++) {
		struct iop_port *p = m->ports[i];

		size_t first = m->ncaches;

		m->ncaches += p->drv->ops->ioas_changed(p, ioas, m->caches + first,
							MOVE_MAX_CACHES - first);
		for (size_t k = first; k < m->ncaches; k++)
			m->polled[k] = p->state == PORT_STARTED && !m->idled[i];
	}
}

/* Points cache k at ioas: at its next burst if a thread polls it, now
 * otherwise. Nothing is pending on it (the previous wait saw to it). */
static void rebind(struct move *m, size_t k, struct iop_ioas *ioas)
{
	iop_iova_cache_rebind(m->caches[k], ioas);
	if (!m->polled[k])
		iop_iova_cache_flush(m->caches[k]);
}

/* Puts the caches back on `from` after a rebind to `to` timed out: those
 * that had not switched yet just drop the switch. */
static void rebind_back(struct move *m)
{
	bool switched[MOVE_MAX_CACHES];

	for (size_t k = 0; k < m->ncaches; k++)
		switched[k] = !iop_iova_cache_rebind_cancel(m->caches[k]);
	drivers_to(m, m->from);
	for (size_t k = 0; k < m->ncaches; k++)
		if (switched[k])
			rebind(m, k, m->from);
	if (!wait_rebound(m))
		IOP_LOG(ERR, "a queue of the ports moved back to IOAS %u still has not switched back: keep polling it, and keep IOAS %u until it has",
			iop_ioas_id(m->from), iop_ioas_id(m->to));
}

/* Ends the hold of every held port. */
static void unhold(struct move *m)
{
	for (size_t i = 0; i < m->nports; i++)
		if (m->held[i])
			m->ports[i]->drv->ops->hold(m->ports[i], false);
	memset(m->held, 0, sizeof(m->held));
}

/* Holds the started ports until nothing they posted is left (the buffers
 * the device has not used are taken back); false on the timeout. */
static bool hold(struct move *m)
{
	uint64_t deadline = now_ns() + MOVE_REBIND_TIMEOUT_NS;
	struct timespec pause = {0, 20000};

	for (size_t i = 0; i < m->nports; i++) {
		if (m->ports[i]->state != PORT_STARTED || !m->ports[i]->drv->ops->hold)
			continue;
		m->ports[i]->drv->ops->hold(m->ports[i], true);
		m->held[i] = true;
	}
	for (;;) {
		bool all = true;

		for (size_t i = 0; i < m->nports && all; i++)
			all = !m->held[i] || m->ports[i]->drv->ops->held(m->ports[i]);
		if (all)
			return true;
		if (now_ns() > deadline)
			return false;
		nanosleep(&pause, NULL);
	}
}

/* A move that timed out and whose devices could not go back: they stay on
 * `to`, which maps every IOVA they hold. Their ports are declared removed
 * (idle bursts from now on, the application's removal hook called), so
 * none is left held or half bound; their caches go to `to` once no burst
 * runs, and the source is dropped as after a move. One error, saying what
 * to do; the devices' DMA stays stopped where a driver stopped it. */
static int give_up(struct move *m, uint16_t id)
{
	unsigned int from_id = iop_ioas_id(m->from), to_id = iop_ioas_id(m->to);
	char why[256], names[256] = "";
	size_t len = 0;

	snprintf(why, sizeof(why), "%s", iop_err_msg());
	for (size_t i = 0; i < m->nports; i++) {
		iop_port_set_removed(m->ports[i]);
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%sport %u (%s)",
						len ? ", " : "", m->ports[i]->id, m->ports[i]->spec);
	}
	iop_mem_synchronize();
	for (size_t k = 0; k < m->ncaches; k++)
		iop_iova_cache_flush(m->caches[k]);
	unhold(m);
	memset(m->idled, 0, sizeof(m->idled));
	memset(m->dma_off, 0, sizeof(m->dma_off));
	free(m->added);
	m->added = NULL;
	port_dev_drop(m->from, (unsigned int)m->nports); /* may destroy it */
	return IOP_ERR(EIO, "cannot move port %u to IOAS %u: a queue of a started port was not polled for %llu ms, and moving back to IOAS %u failed (%s): %s left on IOAS %u and declared removed: close it and open it again",
		       id, to_id, MOVE_REBIND_TIMEOUT_NS / 1000000ull, from_id, why, names, to_id);
}

static bool stops_dma(const struct iop_port *p)
{
	return p->state == PORT_STARTED && p->drv->ops->dma_stop;
}

/* Lets the devices stopped by stop_dma DMA again, then their bursts run.
 * A device whose DMA does not start again keeps idle bursts: a burst on a
 * queue its device no longer serves would post buffers nothing fills, so
 * the port forwards nothing, says so once, and waits for a stop and a
 * start. -EIO then (the driver logged why), 0 otherwise. */
static int start_dma(struct move *m)
{
	int rc = 0;

	for (size_t i = 0; i < m->nports; i++) {
		struct iop_port *p = m->ports[i];
		bool dead = m->dma_off[i] && p->drv->ops->dma_stop(p, false) != 0;

		if (dead) {
			IOP_LOG(ERR, "port %u (%s): its device's DMA did not start again after the move: the port forwards nothing until it is stopped and started again",
				p->id, p->spec);
			rc = -EIO;
		} else if (m->idled[i]) {
			port_fp_restore(p);
		}
		m->dma_off[i] = m->idled[i] = false;
	}
	return rc;
}

/* The started ports whose driver has dma_stop: their bursts go idle and
 * every burst under way ends (a quiescent state), so that this thread owns
 * their queues; then each device stops its DMA (a driver that cannot
 * refuses here, and the bursts run again with nothing changed), so no DMA
 * meets the switch. The driver thus never stops a queue a burst is
 * posting to (a virtio queue reset, an igb queue disable). */
static int stop_dma(struct move *m)
{
	bool any = false;
	int rc = 0;

	for (size_t i = 0; i < m->nports; i++)
		if (stops_dma(m->ports[i])) {
			port_fp_idle(m->ports[i]);
			m->idled[i] = any = true;
		}
	if (!any)
		return 0;
	iop_mem_synchronize();
	for (size_t i = 0; i < m->nports && rc == 0; i++) {
		if (!m->idled[i])
			continue;
		rc = m->ports[i]->drv->ops->dma_stop(m->ports[i], true);
		m->dma_off[i] = rc == 0;
	}
	if (rc)
		start_dma(m);
	return rc;
}

/* Whether the move holds the queues, or why it cannot be made. */
static int choose_pause(struct move *m, unsigned int flags)
{
	m->pause = (flags & IOP_PORT_MOVE_PAUSE) || m->moved_iova.len;
	for (size_t i = 0; i < m->nports; i++)
		m->pause = m->pause || stops_dma(m->ports[i]);
	for (size_t i = 0; m->pause && i < m->nports; i++) {
		const struct iop_port *p = m->ports[i];

		/* its rings stay at the IOVAs of their setup, started or not */
		if (m->moved_iova.len && p->drv->ops->dma_stop)
			return IOP_ERR(EXDEV, "IOAS %u maps VA 0x%" PRIx64 " (%" PRIu64 " bytes) at IOVA 0x%" PRIx64 " and IOAS %u cannot hold it at the same IOVA (its IOVA ranges differ), and port %u (%s) keeps its rings at their IOVAs: close the port and open it again in IOAS %u",
				       iop_ioas_id(m->from), m->moved_iova.va, m->moved_iova.len,
				       m->moved_iova.iova, iop_ioas_id(m->to), p->id, p->spec,
				       iop_ioas_id(m->to));
		if (p->state != PORT_STARTED || p->drv->ops->hold || p->drv->ops->dma_stop)
			continue;
		if (m->moved_iova.len)
			return IOP_ERR(EXDEV, "IOAS %u maps VA 0x%" PRIx64 " (%" PRIu64 " bytes) at IOVA 0x%" PRIx64 " and IOAS %u cannot hold it at the same IOVA (its IOVA ranges differ), and port %u (%s) cannot pause its queues: stop the port, move it and start it again",
				       iop_ioas_id(m->from), m->moved_iova.va, m->moved_iova.len,
				       m->moved_iova.iova, iop_ioas_id(m->to), p->id, p->spec);
		return IOP_ERR(EOPNOTSUPP, "port %u (%s) is started, its driver cannot pause its queues, and a pause was asked for: stop the port, move it, start it again",
			       p->id, p->spec);
	}
	return 0;
}

/* The started ports of m paused for ns. */
static void count_pause(struct move *m, uint64_t ns)
{
	for (size_t i = 0; i < m->nports; i++) {
		struct iop_port *q = m->ports[i];

		if (q->state != PORT_STARTED)
			continue;
		__atomic_fetch_add(&q->pauses, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&q->last_pause_ns, ns, __ATOMIC_RELAXED);
		if (ns > q->max_pause_ns)
			__atomic_store_n(&q->max_pause_ns, ns, __ATOMIC_RELAXED);
	}
}

/* Without replace (VFIO type1) the ports restart through their devices
 * (port_move_reopen.c): a pause for every started port, its length the
 * whole restart. The destination gets what the ports map first, as for a
 * replace, since their queues are set up again there. */
static int move_by_reopening(struct move *m)
{
	uint64_t start_ns = now_ns(), pause_ns = 0;
	int rc = populate(m);

	if (rc)
		return rc;
	rc = port_dev_hold(m->to, (unsigned int)m->nports);
	if (rc == 0)
		rc = port_move_reopen(m->ports, m->devs, m->nports, m->from, m->to, &pause_ns);
	if (rc) {
		unpopulate(m);
		return rc;
	}
	count_pause(m, pause_ns);
	for (size_t i = 0; i < m->nports; i++) {
		__atomic_store_n(&m->ports[i]->last_switch_ns, now_ns() - start_ns, __ATOMIC_RELAXED);
		__atomic_fetch_add(&m->ports[i]->moves, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static int move_locked(struct move *m, uint16_t id, struct iop_ioas *to, unsigned int flags)
{
	struct iop_port *p = iop_port_get(id);
	uint64_t pause_start = 0, start_ns = now_ns(), switched_ns;
	int rc, restart_rc = 0;

	if (!p)
		return IOP_ERR(ENODEV, "cannot move port %u: no such port is open", id);
	if (!to)
		return IOP_ERR(EINVAL, "cannot move port %u: no destination IOAS given", id);
	m->devs[0] = port_device(p);
	if (!m->devs[0])
		return IOP_ERR(EOPNOTSUPP, "port %u (%s) has no IOMMU device: there is no IOAS to move it from",
			       id, p->spec);
	m->from = iop_dev_ioas(m->devs[0]);
	m->to = to;
	if (m->from == to)
		return 0;
	if (!m->from)
		return IOP_ERR(EINVAL, "cannot move port %u (%s): its device %s is on no IOAS", id,
			       p->spec, iop_dev_bdf(m->devs[0]));
	if (iop_ioas_ctx(to) != iop_dev_ctx(m->devs[0]))
		return IOP_ERR(EINVAL, "cannot move port %u to IOAS %u of another IOMMU context", id,
			       iop_ioas_id(to));
	rc = collect(m, p, flags);
	if (rc)
		return rc;
	/* kernel truth: VFIO_GROUP_UNSET_CONTAINER is EBUSY while a device
	 * of the group is open, and an open port holds its device open */
	if (!iop_ctx_can_replace(iop_ioas_ctx(to)))
		return move_by_reopening(m);

	rc = populate(m);
	if (rc)
		return rc;
	rc = choose_pause(m, flags);
	if (rc == 0 && m->pause) {
		pause_start = now_ns();
		if (!hold(m))
			rc = IOP_ERR(ETIMEDOUT, "cannot move port %u to IOAS %u: a queue of a started port was not polled for %llu ms while it was to pause; poll every queue while moving, or stop the port first",
				     id, iop_ioas_id(to), MOVE_REBIND_TIMEOUT_NS / 1000000ull);
	}
	if (rc == 0)
		rc = stop_dma(m);
	if (rc == 0)
		rc = port_dev_hold(to, (unsigned int)m->nports);
	if (rc == 0) {
		rc = iop_dev_move(m->devs, m->nports, to);
		if (rc)
			port_dev_drop(to, (unsigned int)m->nports);
	}
	if (rc) {
		start_dma(m);
		unhold(m);
		unpopulate(m);
		return rc;
	}
	drivers_to(m, to);
	for (size_t k = 0; k < m->ncaches; k++)
		rebind(m, k, to);
	if (!wait_rebound(m)) {
		rc = IOP_ERR(ETIMEDOUT, "cannot move port %u to IOAS %u: a queue of a started port was not polled for %llu ms; poll every queue while moving, or stop the port first",
			     id, iop_ioas_id(to), MOVE_REBIND_TIMEOUT_NS / 1000000ull);
		/* the devices go back first: the caches follow where they are
		 * (until the caches are back every IOVA they give is mapped in
		 * both IOAS, or the queues are held or their DMA stopped) */
		if (iop_dev_move(m->devs, m->nports, m->from) != 0)
			return give_up(m, id);
		rebind_back(m);
		port_dev_drop(to, (unsigned int)m->nports);
		unhold(m);
		unpopulate(m);
		start_dma(m);
		return rc;
	}
	if (m->pause) {
		if (start_dma(m))
			restart_rc = IOP_ERR(EIO, "port %u (%s) moved to IOAS %u, but a device's DMA did not start again: stop the port and start it again",
					     id, p->spec, iop_ioas_id(to));
		unhold(m);
		count_pause(m, now_ns() - pause_start);
	}
	switched_ns = now_ns() - start_ns;
	/* every burst that began before the switch has ended */
	iop_mem_synchronize();
	free(m->added);
	m->added = NULL;
	for (size_t i = 0; i < m->nports; i++) {
		__atomic_store_n(&m->ports[i]->last_switch_ns, switched_ns, __ATOMIC_RELAXED);
		__atomic_fetch_add(&m->ports[i]->moves, 1, __ATOMIC_RELAXED);
	}
	port_dev_drop(m->from, (unsigned int)m->nports);
	return restart_rc;
}

int iop_port_move(uint16_t id, struct iop_ioas *to, unsigned int flags)
{
	struct move *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return IOP_ERR(ENOMEM, "out of memory moving port %u", id);
	pthread_mutex_lock(&iop_port_lock);
	rc = move_locked(m, id, to, flags);
	pthread_mutex_unlock(&iop_port_lock);
	free(m->added);
	free(m);
	return rc;
}

uint64_t iop_port_moves(uint16_t id)
{
	struct iop_port_move_stats st;

	return iop_port_move_stats_get(id, &st) == 0 ? st.moves : 0;
}

int iop_port_move_stats_get(uint16_t id, struct iop_port_move_stats *st)
{
	struct iop_port *p = iop_port_get(id);

	if (!p)
		return -ENODEV;
	st->moves = __atomic_load_n(&p->moves, __ATOMIC_RELAXED);
	st->pauses = __atomic_load_n(&p->pauses, __ATOMIC_RELAXED);
	st->last_pause_ns = __atomic_load_n(&p->last_pause_ns, __ATOMIC_RELAXED);
	st->max_pause_ns = __atomic_load_n(&p->max_pause_ns, __ATOMIC_RELAXED);
	st->last_switch_ns = __atomic_load_n(&p->last_switch_ns, __ATOMIC_RELAXED);
	return 0;
}
