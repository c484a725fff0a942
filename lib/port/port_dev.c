/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's device in its IOAS, by the layout of --ioas: drivers of DMA
 * devices (sim, pci) open their device here and get the IOAS whose IOVAs
 * they post. Ports open one at a time, so each device is placed with
 * lib/iommu's placement step (iop_layout_place), the rules iop_plan_build()
 * applies to a list.
 * A new IOAS gets all of DPDK's memory (iop_mem_attach_ioas) before any
 * queue translates into it; the last device to leave it destroys it.
 * A live move (port_move.c) holds its destination here before the devices
 * go and drops its source after the quiesce; an IOAS the mover created is
 * counted but never destroyed here. A move that reopens devices (type1)
 * parks them here while their drivers close and probe again: the device
 * stays open across the driver's close, so its IOAS counts do not change,
 * and the probe gets it back where the move put it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <rte_common.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "port_internal.h"

struct port_ioas {
	struct iop_ioas *ioas;
	unsigned int users;
	bool owned;               /* created here: the last user destroys it */
};

static struct port_ioas tab[IOP_PORT_MAX];

/* No port device is left on e's IOAS: destroy it if lib/port created it
 * (the caller of a move owns the others). */
static void release(struct port_ioas *e)
{
	/* a reader of a port's IOAS (port_ioas_id) never sees it destroyed */
	pthread_mutex_lock(&iop_port_read_lock);
	if (e->owned) {
		iop_mem_detach_ioas(e->ioas);
		iop_ioas_destroy(e->ioas);
	}
	memset(e, 0, sizeof(*e));
	pthread_mutex_unlock(&iop_port_read_lock);
}

static struct port_ioas *free_slot(void)
{
	for (size_t i = 0; i < IOP_PORT_MAX; i++)
		if (!tab[i].users)
			return &tab[i];
	return NULL;
}

static int join(struct port_ioas *e, struct iop_dev *dev, struct iop_ioas **ioas)
{
	int rc = iop_dev_attach(dev, e->ioas);

	if (rc)
		return rc;
	e->users++;
	*ioas = e->ioas;
	return 0;
}

/*
 * The IOAS of tab that dev joins by the layout, or NULL for a new one.
 * Each IOAS is represented by every open device on it, as the backend
 * has them now: after a live move a group is where it went, so the devices
 * of its group opened later follow it there (rule 3 of seed 000).
 */
static int place(struct iop_ctx *ctx, const struct iop_options *opt, const struct iop_dev *dev,
		 struct port_ioas **e)
{
	struct iop_open_dev open[4 * IOP_PORT_MAX];
	struct iop_placed_dev placed[4 * IOP_PORT_MAX];
	size_t nopen = 0, n = 0, k;
	int rc;

	rc = iop_ctx_open_devices(ctx, open, RTE_DIM(open), &nopen);
	if (rc)
		return rc;
	nopen = RTE_MIN(nopen, RTE_DIM(open));
	for (size_t i = 0; i < IOP_PORT_MAX; i++)
		for (size_t d = 0; tab[i].users && d < nopen; d++)
			if (open[d].ioas == iop_ioas_id(tab[i].ioas))
				placed[n++] = (struct iop_placed_dev){ open[d].bdf, open[d].group, i };
	rc = iop_layout_place(opt ? opt->layout : IOP_LAYOUT_SHARED, opt && opt->strict,
			      placed, n, iop_dev_bdf(dev), iop_dev_group(dev), &k);
	*e = rc || k == IOP_PLACE_NEW_IOAS ? NULL : &tab[k];
	return rc;
}

/* The devices a reopening move parked; taken: a driver holds it. */
static struct {
	struct iop_dev *dev[IOP_PORT_MAX];
	bool taken[IOP_PORT_MAX];
	size_t n;
	struct iop_ioas *into;
} parked;

void port_dev_park(struct iop_dev *const *devs, size_t n, struct iop_ioas *into)
{
	parked.n = RTE_MIN(n, (size_t)IOP_PORT_MAX);
	for (size_t i = 0; i < parked.n; i++) {
		parked.dev[i] = devs[i];
		parked.taken[i] = true;
	}
	parked.into = into;
}

void port_dev_park_into(struct iop_ioas *into)
{
	parked.into = into;
}

/* The parked device dev, or (dev NULL) the one at address bdf: its index,
 * or -1. */
static ssize_t parked_index(const char *bdf, const struct iop_dev *dev)
{
	for (size_t i = 0; i < parked.n; i++)
		if (dev ? parked.dev[i] == dev : bdf && strcmp(iop_dev_bdf(parked.dev[i]), bdf) == 0)
			return (ssize_t)i;
	return -1;
}

/* A driver probing a parked device again: it is attached to `into` (it is
 * already there after a move, or on no IOAS after a move back failed). */
static int unpark_open(size_t i, struct iop_dev **devp, struct iop_ioas **ioasp)
{
	struct iop_dev *dev = parked.dev[i];
	struct iop_ioas *at = iop_dev_ioas(dev);

	if (parked.taken[i])
		return IOP_ERR(EBUSY, "device %s is already open", iop_dev_bdf(dev));
	if (!at) {
		int rc = iop_dev_attach(dev, parked.into);

		if (rc)
			return rc;
		at = parked.into;
	} else if (at != parked.into) {
		return IOP_ERR(EBUSY, "device %s is on IOAS %u, not on IOAS %u where it is to open",
			       iop_dev_bdf(dev), iop_ioas_id(at), iop_ioas_id(parked.into));
	}
	parked.taken[i] = true;
	*devp = dev;
	*ioasp = at;
	return 0;
}

void port_dev_unpark(void)
{
	size_t n = parked.n;

	parked.n = 0;
	for (size_t i = 0; i < n; i++)
		if (!parked.taken[i])
			iop_port_dev_close(parked.dev[i]);
}

int iop_port_dev_open(const char *bdf, struct iop_dev **devp, struct iop_ioas **ioasp)
{
	struct iop_ctx *ctx = iop_ctx_get();
	const struct iop_options *opt = iop_options_get();
	struct port_ioas *e;
	struct iop_dev *dev;
	int rc;

	if (!ctx)
		return IOP_ERR(ENODEV, "device %s: no IOMMU context: call iop_init() first", bdf);
	if (parked_index(bdf, NULL) >= 0)
		return unpark_open((size_t)parked_index(bdf, NULL), devp, ioasp);
	rc = iop_dev_open(ctx, bdf, &dev);
	if (rc)
		return rc;
	rc = place(ctx, opt, dev, &e);
	if (rc) {
		iop_dev_close(dev);
		return rc;
	}
	if (e) {
		rc = join(e, dev, ioasp);
		if (rc)
			iop_dev_close(dev);
		else
			*devp = dev;
		return rc;
	}

	e = free_slot();
	if (!e) {
		iop_dev_close(dev);
		return IOP_ERR(ENOSPC, "device %s: more than %d IOAS", bdf, IOP_PORT_MAX);
	}
	rc = iop_ioas_create(ctx, &e->ioas);
	if (rc) {
		iop_dev_close(dev);
		return rc;
	}
	rc = iop_dev_attach(dev, e->ioas);
	if (rc == 0) {
		rc = iop_mem_attach_ioas(e->ioas);
		if (rc)
			iop_dev_detach(dev);
	}
	if (rc) {
		iop_dev_close(dev);
		iop_ioas_destroy(e->ioas);
		e->ioas = NULL;
		return rc;
	}
	e->users = 1;
	e->owned = true;
	*devp = dev;
	*ioasp = e->ioas;
	return 0;
}

void iop_port_dev_close(struct iop_dev *dev)
{
	struct iop_ioas *ioas = iop_dev_ioas(dev);
	ssize_t k = parked_index(NULL, dev);

	if (k >= 0) {
		parked.taken[k] = false;
		return;
	}

	iop_dev_close(dev);
	for (size_t i = 0; i < IOP_PORT_MAX; i++) {
		struct port_ioas *e = &tab[i];

		if (!e->users || e->ioas != ioas)
			continue;
		if (--e->users == 0)
			release(e);
	}
}

static struct port_ioas *find_ioas(const struct iop_ioas *ioas)
{
	for (size_t i = 0; i < IOP_PORT_MAX; i++)
		if (tab[i].users && tab[i].ioas == ioas)
			return &tab[i];
	return NULL;
}

int port_dev_hold(struct iop_ioas *to, unsigned int n)
{
	struct port_ioas *e = find_ioas(to);

	if (!e) {
		e = free_slot();
		if (!e)
			return IOP_ERR(ENOSPC, "more than %d IOAS hold ports", IOP_PORT_MAX);
		e->ioas = to;
		e->owned = false;
	}
	e->users += n;
	return 0;
}

void port_dev_drop(struct iop_ioas *from, unsigned int n)
{
	struct port_ioas *e = find_ioas(from);

	if (!e)
		return;
	e->users = e->users > n ? e->users - n : 0;
	if (e->users == 0)
		release(e);
}

void port_dev_where(uint16_t id, struct port_dev_where *w)
{
	struct iop_dev *dev;

	pthread_mutex_lock(&iop_port_read_lock);
	dev = iop_port_dev(id);
	w->ioas = dev && iop_dev_ioas(dev) ? iop_ioas_id(iop_dev_ioas(dev)) : 0;
	w->group = dev ? (int)iop_dev_group(dev) : -1;
	snprintf(w->bdf, sizeof(w->bdf), "%s", dev ? iop_dev_bdf(dev) : "");
	pthread_mutex_unlock(&iop_port_read_lock);
}
