/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port objects, their state machine and the fast-path table. Drivers only
 * see their own state (port_driver.h); every argument check is here so
 * each PMD does not repeat it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_log.h"
#include "port_driver.h"
#include "port_internal.h"

struct iop_port_fp iop_port_fp[IOP_PORT_MAX];

static struct iop_port ports[IOP_PORT_MAX];
static struct iop_port_driver *drivers;
/* Serialises the slow path: opens, closes, configuration, moves. */
pthread_mutex_t iop_port_lock = PTHREAD_MUTEX_INITIALIZER;
/* Serialises the readers any thread may call (stats, xstats, link) with
 * what frees or replaces what they read. Taken inside iop_port_lock; a move
 * never holds it while it waits (only a type1 restart, which closes and
 * probes the driver, takes it), so a reader never waits for a move's
 * waits (doc/move.md). Recursive: the IOAS release that a close and a move
 * share takes it, inside a close that holds it already. */
pthread_mutex_t iop_port_read_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static const char *const drop_names[IOP_DROP_MAX] = {
	[IOP_DROP_RX_OVERSIZE] = "rx_oversize",
	[IOP_DROP_RX_DMA_FAULT] = "rx_dma_fault",
	[IOP_DROP_RX_RING_FULL] = "rx_ring_full",
	[IOP_DROP_RX_MALFORMED] = "rx_malformed",
	[IOP_DROP_TX_UNMAPPED] = "tx_unmapped",
	[IOP_DROP_TX_DMA_FAULT] = "tx_dma_fault",
	[IOP_DROP_TX_OVERSIZE] = "tx_oversize",
	[IOP_DROP_TX_REFUSED] = "tx_refused",
	[IOP_DROP_TX_LINK_DROPPED] = "tx_link_dropped",
	[IOP_DROP_TX_UNSENT] = "tx_unsent",
};

const char *iop_drop_name(enum iop_drop reason)
{
	return (unsigned int)reason < IOP_DROP_MAX ? drop_names[reason] : NULL;
}

bool iop_drop_is_tx(enum iop_drop reason)
{
	return reason >= IOP_DROP_TX_UNMAPPED && reason < IOP_DROP_MAX;
}

/* What a port polls while it is not started. */
static uint16_t idle_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

/* Where a port that is not started counts the frames its idle tx burst
 * hands back: no queue owns them. */
static uint64_t idle_tx_full;

/* Stops a port's bursts at once; its queues stay (a tx burst hands the
 * frames back, counted in the queue's tx_full). A poller reads the
 * function once per burst, so the next burst is idle. */
static void fp_idle_bursts(uint16_t id)
{
	__atomic_store_n(&iop_port_fp[id].rx_burst, idle_burst, __ATOMIC_RELAXED);
	__atomic_store_n(&iop_port_fp[id].tx_burst, idle_burst, __ATOMIC_RELAXED);
}

static void fp_reset(uint16_t id)
{
	memset(&iop_port_fp[id], 0, sizeof(iop_port_fp[id]));
	iop_port_fp[id].rx_burst = idle_burst;
	iop_port_fp[id].tx_burst = idle_burst;
	for (uint16_t q = 0; q < IOP_PORT_MAX_QUEUES; q++)
		iop_port_fp[id].tx_full[q] = &idle_tx_full;
}

static void __attribute__((constructor)) fp_init(void)
{
	for (uint16_t i = 0; i < IOP_PORT_MAX; i++)
		fp_reset(i);
}

void iop_port_driver_register(struct iop_port_driver *drv)
{
	drv->next = drivers;
	drivers = drv;
}

const struct iop_port_driver *iop_port_driver_find(const char *name)
{
	for (const struct iop_port_driver *d = drivers; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* "null, sim" for messages */
static void driver_names(char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct iop_port_driver *d = drivers; d && off < size; d = d->next)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "", d->name);
}

static void key_names(const struct iop_port_driver *drv, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const char *const *k = drv->keys; k && *k && off < size; k++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "", *k);
	if (off == 0)
		snprintf(buf, size, "none");
}

static int check_keys(const struct iop_port_driver *drv, const struct iop_port_spec *spec,
		      const char *text)
{
	for (size_t i = 0; i < spec->nkeys; i++) {
		bool known = false;
		char keys[256];

		for (const char *const *k = drv->keys; k && *k; k++)
			known = known || strcmp(*k, spec->key[i]) == 0;
		if (known)
			continue;
		key_names(drv, keys, sizeof(keys));
		return IOP_ERR(EINVAL, "port spec '%s': unknown key '%s' for type %s (keys: %s)",
			       text, spec->key[i], drv->name, keys);
	}
	return 0;
}

struct iop_port *iop_port_get(uint16_t id)
{
	if (id >= IOP_PORT_MAX || ports[id].state < PORT_OPENED)
		return NULL;
	return &ports[id];
}

static struct iop_port *port_lookup(uint16_t id, const char *what)
{
	struct iop_port *p = iop_port_get(id);

	if (!p)
		IOP_ERR(ENODEV, "%s: no open port %u", what, id);
	return p;
}

int iop_port_open(const char *spec_text, uint16_t *port_id)
{
	const struct iop_port_driver *drv;
	struct iop_port_spec spec;
	struct iop_port *p = NULL;
	char names[256];
	int rc;

	rc = iop_port_spec_parse(spec_text, &spec);
	if (rc)
		return rc;
	drv = iop_port_driver_find(spec.type);
	if (!drv) {
		driver_names(names, sizeof(names));
		return IOP_ERR(EINVAL, "port spec '%s': unknown port type '%s' (types: %s)",
			       spec_text, spec.type, names);
	}
	rc = check_keys(drv, &spec, spec_text);
	if (rc)
		return rc;

	pthread_mutex_lock(&iop_port_lock);
	for (uint16_t i = 0; i < IOP_PORT_MAX && !p; i++)
		if (ports[i].state == PORT_UNUSED)
			p = &ports[i];
	if (!p) {
		pthread_mutex_unlock(&iop_port_lock);
		return IOP_ERR(ENOSPC, "port spec '%s': already %d ports open", spec_text,
			       IOP_PORT_MAX);
	}
	memset(p, 0, sizeof(*p));
	p->id = (uint16_t)(p - ports);
	p->drv = drv;
	p->rx_burst = drv->ops->rx_burst;
	p->tx_burst = drv->ops->tx_burst;
	snprintf(p->spec, sizeof(p->spec), "%s", spec_text);
	p->priv = calloc(1, drv->priv_size ? drv->priv_size : 1);
	if (!p->priv) {
		pthread_mutex_unlock(&iop_port_lock);
		return IOP_ERR(ENOMEM, "port %s: out of memory", spec_text);
	}
	/* reserve the slot before probe: a sim pair peer may look at it */
	p->state = PORT_OPENING;
	pthread_mutex_unlock(&iop_port_lock);

	rc = drv->probe(p, &spec);
	pthread_mutex_lock(&iop_port_lock);
	pthread_mutex_lock(&iop_port_read_lock);
	if (rc) {
		free(p->priv);
		p->state = PORT_UNUSED;
	} else {
		p->state = PORT_OPENED;
		*port_id = p->id;
		IOP_LOG(INFO, "port %u: %s", p->id, p->spec);
	}
	pthread_mutex_unlock(&iop_port_read_lock);
	pthread_mutex_unlock(&iop_port_lock);
	return rc;
}

static void release_queues(struct iop_port *p)
{
	for (uint16_t q = 0; q < IOP_PORT_MAX_QUEUES; q++) {
		if (p->rxq[q])
			p->drv->ops->rx_queue_release(p->rxq[q]);
		if (p->txq[q])
			p->drv->ops->tx_queue_release(p->txq[q]);
		free(p->rxc[q]);
		free(p->txc[q]);
		p->rxq[q] = p->txq[q] = NULL;
		p->rxc[q] = p->txc[q] = NULL;
	}
	p->nb_rxq = p->nb_txq = 0;
	memset(&p->base, 0, sizeof(p->base));
}

void iop_port_close(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	if (!p)
		return;
	iop_port_stop(id);
	pthread_mutex_lock(&iop_port_lock);
	pthread_mutex_lock(&iop_port_read_lock);
	release_queues(p);
	p->drv->ops->close(p);
	free(p->priv);
	p->priv = NULL;
	p->state = PORT_UNUSED;
	pthread_mutex_unlock(&iop_port_read_lock);
	pthread_mutex_unlock(&iop_port_lock);
}

void iop_port_close_all(void)
{
	for (int i = IOP_PORT_MAX - 1; i >= 0; i--)
		iop_port_close((uint16_t)i);
}

uint16_t iop_port_count(void)
{
	uint16_t n = 0;

	for (uint16_t i = 0; i < IOP_PORT_MAX; i++)
		if (ports[i].state >= PORT_OPENED)
			n = (uint16_t)(i + 1);
	return n;
}

bool iop_port_is_valid(uint16_t id)
{
	return iop_port_get(id) != NULL;
}

const char *iop_port_name(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	return p ? p->spec : "";
}

int iop_port_info_get(uint16_t id, struct iop_port_info *info)
{
	struct iop_port *p = port_lookup(id, "info");

	if (!p)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	info->numa_node = -1;
	p->drv->ops->info_get(p, info);
	return 0;
}

int iop_port_configure(uint16_t id, const struct iop_port_conf *conf)
{
	struct iop_port *p = port_lookup(id, "configure");
	struct iop_port_conf resolved;
	struct iop_port_info info;
	int rc = 0;

	if (!p)
		return -ENODEV;
	if (!conf)
		return IOP_ERR(EINVAL, "port %u (%s): configure needs a configuration", id, p->spec);
	if (p->state == PORT_STARTED)
		return IOP_ERR(EBUSY, "port %u (%s): stop it before configuring it", id, p->spec);
	iop_port_info_get(id, &info);
	rc = port_conf_resolve(p, &info, conf, &resolved);
	if (rc)
		return rc;
	pthread_mutex_lock(&iop_port_lock);
	pthread_mutex_lock(&iop_port_read_lock);
	release_queues(p);
	if (p->drv->ops->configure)
		rc = p->drv->ops->configure(p, &resolved);
	if (rc == 0) {
		p->conf = resolved;
		p->nb_rxq = resolved.nb_rxq;
		p->nb_txq = resolved.nb_txq;
		p->state = PORT_CONFIGURED;
	} else {
		p->state = PORT_OPENED;
	}
	pthread_mutex_unlock(&iop_port_read_lock);
	pthread_mutex_unlock(&iop_port_lock);
	return rc;
}

int iop_port_conf_get(uint16_t id, struct iop_port_conf *conf)
{
	struct iop_port *p = port_lookup(id, "configuration");

	if (!p)
		return -ENODEV;
	if (p->state < PORT_CONFIGURED)
		return IOP_ERR(EINVAL, "port %u (%s): not configured", id, p->spec);
	*conf = p->conf;
	return 0;
}

int iop_port_rss_update(uint16_t id, const struct iop_port_rss_conf *rss)
{
	struct iop_port *p = port_lookup(id, "RSS update");
	struct iop_port_rss_conf resolved;
	struct iop_port_info info;
	int rc;

	if (!p)
		return -ENODEV;
	if (!rss)
		return IOP_ERR(EINVAL, "port %u (%s): RSS update needs the settings", id, p->spec);
	if (p->state < PORT_CONFIGURED)
		return IOP_ERR(EINVAL, "port %u (%s): configure it before changing RSS", id, p->spec);
	iop_port_info_get(id, &info);
	rc = port_rss_resolve(p, &info, p->nb_rxq, rss, &p->conf.rss, &resolved);
	if (rc)
		return rc;
	if (!p->drv->ops->rss_update)
		return iop_port_rss_update_refused(p, info.driver);
	pthread_mutex_lock(&iop_port_lock);
	rc = p->drv->ops->rss_update(p, &resolved);
	if (rc == 0)
		p->conf.rss = resolved;
	pthread_mutex_unlock(&iop_port_lock);
	return rc;
}

static int check_queue(struct iop_port *p, uint16_t q, uint16_t nb_q, uint16_t nb_desc,
		       const char *dir)
{
	struct iop_port_info info;

	if (p->state != PORT_CONFIGURED)
		return IOP_ERR(EBUSY, "port %u (%s): %s queue setup needs a configured, stopped port",
			       p->id, p->spec, dir);
	if (q >= nb_q)
		return IOP_ERR(EINVAL, "port %u (%s): %s queue %u, but %u configured",
			       p->id, p->spec, dir, q, nb_q);
	iop_port_info_get(p->id, &info);
	if (nb_desc < info.min_desc || nb_desc > info.max_desc || !rte_is_power_of_2(nb_desc))
		return IOP_ERR(EINVAL, "port %u (%s): %u %s descriptors: give a power of two from %u to %u",
			       p->id, p->spec, nb_desc, dir, info.min_desc, info.max_desc);
	return 0;
}

static struct iop_port_qcounters *counters_alloc(void)
{
	struct iop_port_qcounters *c = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*c));

	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

int iop_port_rx_queue_setup(uint16_t id, uint16_t q, uint16_t nb_desc, struct rte_mempool *mp)
{
	struct iop_port *p = port_lookup(id, "rx queue setup");
	struct iop_port_qcounters *c;
	void *rxq = NULL;
	int rc;

	if (!p)
		return -ENODEV;
	rc = check_queue(p, q, p->nb_rxq, nb_desc, "rx");
	if (rc)
		return rc;
	if (!mp)
		return IOP_ERR(EINVAL, "port %u (%s): rx queue %u needs a mempool", id, p->spec, q);
	rc = port_rx_pool_check(p, q, mp);
	if (rc)
		return rc;
	c = counters_alloc();
	if (!c)
		return IOP_ERR(ENOMEM, "port %u (%s): out of memory", id, p->spec);
	rc = p->drv->ops->rx_queue_setup(p, q, nb_desc, mp, c, &rxq);
	if (rc) {
		free(c);
		return rc;
	}
	pthread_mutex_lock(&iop_port_lock);
	pthread_mutex_lock(&iop_port_read_lock);
	if (p->rxq[q])
		p->drv->ops->rx_queue_release(p->rxq[q]);
	free(p->rxc[q]);
	p->rxq[q] = rxq;
	p->rxc[q] = c;
	p->rx_desc[q] = nb_desc;
	p->rx_pool[q] = mp;
	pthread_mutex_unlock(&iop_port_read_lock);
	pthread_mutex_unlock(&iop_port_lock);
	return 0;
}

int iop_port_tx_queue_setup(uint16_t id, uint16_t q, uint16_t nb_desc)
{
	struct iop_port *p = port_lookup(id, "tx queue setup");
	struct iop_port_qcounters *c;
	void *txq = NULL;
	int rc;

	if (!p)
		return -ENODEV;
	rc = check_queue(p, q, p->nb_txq, nb_desc, "tx");
	if (rc)
		return rc;
	c = counters_alloc();
	if (!c)
		return IOP_ERR(ENOMEM, "port %u (%s): out of memory", id, p->spec);
	rc = p->drv->ops->tx_queue_setup(p, q, nb_desc, c, &txq);
	if (rc) {
		free(c);
		return rc;
	}
	pthread_mutex_lock(&iop_port_lock);
	pthread_mutex_lock(&iop_port_read_lock);
	if (p->txq[q])
		p->drv->ops->tx_queue_release(p->txq[q]);
	free(p->txc[q]);
	p->txq[q] = txq;
	p->txc[q] = c;
	p->tx_desc[q] = nb_desc;
	pthread_mutex_unlock(&iop_port_read_lock);
	pthread_mutex_unlock(&iop_port_lock);
	return 0;
}

uint32_t iop_port_mtu_one_mbuf(uint16_t id, struct rte_mempool *mp)
{
	struct iop_port *p = port_lookup(id, "MTU for a pool");

	return p && mp ? port_mtu_one_mbuf(p, mp) : 0;
}

int iop_port_start(uint16_t id)
{
	struct iop_port *p = port_lookup(id, "start");
	int rc;

	if (!p)
		return -ENODEV;
	if (p->state == PORT_STARTED)
		return 0;
	if (iop_port_is_removed(id))
		return IOP_ERR(ENODEV, "port %u (%s): its device was removed (hot-unplug or unbind): close the port",
			       id, p->spec);
	if (p->state != PORT_CONFIGURED)
		return IOP_ERR(EINVAL, "port %u (%s): configure it before starting it", id, p->spec);
	for (uint16_t q = 0; q < p->nb_rxq; q++)
		if (!p->rxq[q])
			return IOP_ERR(EINVAL, "port %u (%s): rx queue %u is not set up", id, p->spec, q);
	for (uint16_t q = 0; q < p->nb_txq; q++)
		if (!p->txq[q])
			return IOP_ERR(EINVAL, "port %u (%s): tx queue %u is not set up", id, p->spec, q);
	rc = p->drv->ops->start(p);
	if (rc)
		return rc;
	port_fp_install(p);
	p->state = PORT_STARTED;
	/* a removal seen after the check above: see iop_port_set_removed() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (iop_port_is_removed(id))
		fp_idle_bursts(id);
	return 0;
}

int iop_port_fp_get(uint16_t id, struct iop_port_fp *fp)
{
	struct iop_port *p = port_lookup(id, "fast path");

	if (!p)
		return -ENODEV;
	memset(fp, 0, sizeof(*fp));
	p->fp_handed_out = true;
	fp->rx_burst = p->rx_burst;
	fp->tx_burst = p->tx_burst;
	memcpy(fp->rxq, p->rxq, sizeof(fp->rxq));
	memcpy(fp->txq, p->txq, sizeof(fp->txq));
	return 0;
}

int iop_port_stop(uint16_t id)
{
	struct iop_port *p = port_lookup(id, "stop");

	if (!p)
		return -ENODEV;
	if (p->state != PORT_STARTED)
		return 0;
	fp_reset(id);
	p->drv->ops->stop(p);
	p->state = PORT_CONFIGURED;
	return 0;
}

bool iop_port_is_started(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	return p && p->state == PORT_STARTED;
}

bool iop_port_is_removed(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	return p && __atomic_load_n(&p->removed, __ATOMIC_ACQUIRE);
}

int iop_port_link_get(uint16_t id, struct iop_port_link *link)
{
	struct iop_port *p;
	int rc;

	/* telemetry asks from its own thread: the port must not close meanwhile */
	pthread_mutex_lock(&iop_port_read_lock);
	p = port_lookup(id, "link");
	memset(link, 0, sizeof(*link));
	rc = p ? p->drv->ops->link_get(p, link) : -ENODEV;
	pthread_mutex_unlock(&iop_port_read_lock);
	return rc;
}

size_t iop_port_queue_caches(struct iop_port *p, struct iop_iova_cache **caches, size_t max)
{
	size_t n = 0;

	for (uint16_t q = 0; q < p->nb_rxq && n < max; q++)
		if (p->rxc[q] && p->rxc[q]->iova_cache)
			caches[n++] = p->rxc[q]->iova_cache;
	for (uint16_t q = 0; q < p->nb_txq && n < max; q++)
		if (p->txc[q] && p->txc[q]->iova_cache)
			caches[n++] = p->txc[q]->iova_cache;
	return n;
}

struct iop_dev *iop_port_dev(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	return p && p->drv->ops->dev_get ? p->drv->ops->dev_get(p) : NULL;
}

int iop_port_mac_get(uint16_t id, struct rte_ether_addr *mac)
{
	struct iop_port *p = port_lookup(id, "mac");

	if (!p)
		return -ENODEV;
	*mac = p->mac;
	return 0;
}

int iop_port_promisc_set(uint16_t id, bool on)
{
	struct iop_port *p = port_lookup(id, "promiscuous");
	int rc = 0;

	if (!p)
		return -ENODEV;
	if (p->drv->ops->promisc_set)
		rc = p->drv->ops->promisc_set(p, on);
	if (rc == 0)
		p->promisc = on;
	return rc;
}

bool iop_port_promisc_get(uint16_t id)
{
	struct iop_port *p = iop_port_get(id);

	return p && p->promisc;
}

/* --- what drivers see -------------------------------------------------- */

void *iop_port_priv(struct iop_port *port)
{
	return port->priv;
}

uint16_t iop_port_id(const struct iop_port *port)
{
	return port->id;
}

const char *iop_port_spec_text(const struct iop_port *port)
{
	return port->spec;
}

void iop_port_set_mac(struct iop_port *port, const struct rte_ether_addr *mac)
{
	port->mac = *mac;
}

int iop_port_rss_update_refused(const struct iop_port *port, const char *driver)
{
	return IOP_ERR(ENOTSUP, "port %u (%s): driver %s cannot change RSS of a configured port: configure it again",
		       port->id, port->spec, driver);
}

void iop_port_set_burst(struct iop_port *port, iop_rx_burst_t rx, iop_tx_burst_t tx)
{
	port->rx_burst = rx;
	port->tx_burst = tx;
}

void port_fp_install(struct iop_port *p)
{
	struct iop_port_fp *fp = &iop_port_fp[p->id];

	for (uint16_t q = 0; q < p->nb_rxq; q++)
		fp->rxq[q] = p->rxq[q];
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		fp->txq[q] = p->txq[q];
		fp->tx_full[q] = &p->txc[q]->tx_full;
	}
	__atomic_store_n(&fp->rx_burst, p->rx_burst, __ATOMIC_RELEASE);
	__atomic_store_n(&fp->tx_burst, p->tx_burst, __ATOMIC_RELEASE);
}

void port_fp_reset(struct iop_port *p)
{
	fp_reset(p->id);
}

void port_fp_idle(struct iop_port *p)
{
	fp_idle_bursts(p->id);
}

/* What was done while the bursts were idle (a cache flushed by the
 * control thread) is seen by the burst that follows. */
void port_fp_restore(struct iop_port *p)
{
	if (iop_port_is_removed(p->id))
		return;
	__atomic_store_n(&iop_port_fp[p->id].rx_burst, p->rx_burst, __ATOMIC_RELEASE);
	__atomic_store_n(&iop_port_fp[p->id].tx_burst, p->tx_burst, __ATOMIC_RELEASE);
}

/* A port that is not started has idle bursts already; a start running at
 * the same time sees the flag after installing its bursts and idles them
 * itself. */
void iop_port_set_removed(struct iop_port *port)
{
	iop_port_removal_fn fn;

	__atomic_store_n(&port->removed, true, __ATOMIC_SEQ_CST);
	fp_idle_bursts(port->id);
	fn = __atomic_load_n(&port->removal_fn, __ATOMIC_ACQUIRE);
	if (fn)
		fn(port->id, port->removal_arg);
}

int iop_port_on_removal(uint16_t id, iop_port_removal_fn fn, void *arg)
{
	struct iop_port *p = port_lookup(id, "removal hook");

	if (!p)
		return -ENODEV;
	__atomic_store_n(&p->removal_fn, NULL, __ATOMIC_RELEASE);
	p->removal_arg = arg;
	__atomic_store_n(&p->removal_fn, fn, __ATOMIC_RELEASE);
	return 0;
}

const struct iop_port_driver *iop_port_driver_of(const struct iop_port *port)
{
	return port->drv;
}
