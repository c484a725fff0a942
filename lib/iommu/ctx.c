/* SPDX-License-Identifier: BSD-3-Clause */
/* The context: one per process and backend; owns devices, groups, IOAS. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "iommu: "
#include "iop_log.h"
#include "iommu_internal.h"

static bool node_exists(const char *root, const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return access(full, F_OK) == 0;
}

/* --iommu=auto: iommufd when its nodes exist, else the type1 container. */
static int resolve_auto(const struct iop_ctx_params *p,
			enum iop_backend_kind *kind)
{
	const char *dev = p->dev_root ? p->dev_root : "/dev";

	bool iommufd = node_exists(dev, "/iommu");

	if (iommufd && node_exists(dev, "/vfio/devices")) {
		*kind = IOP_BACKEND_IOMMUFD;
		IOP_LOG(INFO, "--iommu=auto: using iommufd (%s/iommu and %s/vfio/devices exist)",
			dev, dev);
		return 0;
	}
	if (node_exists(dev, "/vfio/vfio")) {
		*kind = IOP_BACKEND_VFIO;
		/* a fallback is worth a warning: iommufd is the better backend */
		if (iommufd)
			IOP_LOG(WARN, "--iommu=auto: using the VFIO type1 container: no VFIO device cdevs in %s/vfio/devices (kernel without CONFIG_VFIO_DEVICE_CDEV)",
				dev);
		else
			IOP_LOG(WARN, "--iommu=auto: using the VFIO type1 container: no %s/iommu (kernel without CONFIG_IOMMUFD)",
				dev);
		return 0;
	}
	return IOP_ERR(ENODEV, "no IOMMU: neither %s/iommu with %s/vfio/devices nor %s/vfio/vfio exists; --iommu=sim --sim-topology=FILE runs without an IOMMU",
		       dev, dev, dev);
}

static int backend_ops(enum iop_backend_kind kind,
		       const struct iop_backend_ops **ops)
{
	switch (kind) {
	case IOP_BACKEND_SIM:
		*ops = &iop_backend_sim;
		return 0;
	case IOP_BACKEND_IOMMUFD:
		*ops = &iop_backend_iommufd;
		return 0;
	case IOP_BACKEND_VFIO:
		*ops = &iop_backend_vfio;
		return 0;
	default:
		return IOP_ERR(EINVAL, "unknown IOMMU backend %d", (int)kind);
	}
}

static int lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;
	int rc = pthread_mutexattr_init(&attr);

	if (rc)
		return rc;
	rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (rc == 0)
		rc = pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc;
}

void iop_ctx_lock(struct iop_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
}

void iop_ctx_unlock(struct iop_ctx *ctx)
{
	pthread_mutex_unlock(&ctx->lock);
}

int iop_ctx_create(const struct iop_ctx_params *params, struct iop_ctx **out)
{
	enum iop_backend_kind kind = params->backend;
	const struct iop_backend_ops *ops = NULL;
	struct iop_ctx *ctx;
	int rc;

	if (kind == IOP_BACKEND_AUTO) {
		rc = resolve_auto(params, &kind);
		if (rc)
			return rc;
	}
	rc = backend_ops(kind, &ops);
	if (rc)
		return rc;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return IOP_ERR(ENOMEM, "out of memory creating the IOMMU context");
	ctx->kind = kind;
	ctx->ops = ops;
	ctx->next_ioas_id = 1;
	rc = lock_init(&ctx->lock);
	if (rc) {
		free(ctx);
		return IOP_ERR(rc, "cannot create the lock of the IOMMU context: %s", strerror(rc));
	}
	iop_err_clear();
	rc = ops->open(params, &ctx->bctx);
	if (rc) {
		pthread_mutex_destroy(&ctx->lock);
		free(ctx);
		/* the backend leaves its own message for bad input */
		if (iop_err_msg()[0] == '\0')
			IOP_ERR(-rc, "cannot open the %s IOMMU backend: %s",
				ops->name, strerror(-rc));
		return rc;
	}
	if (ops->semantics)
		ctx->ops = ops->semantics(ctx->bctx);
	*out = ctx;
	return 0;
}

/* No other thread may use ctx once this starts; lib/mem may still hold
 * some of its IOAS: iop_ioas_destroy makes it let go (outside the lock). */
void iop_ctx_destroy(struct iop_ctx *ctx)
{
	if (!ctx)
		return;
	while (ctx->devs)
		iop_dev_close(ctx->devs);
	while (ctx->ioas_list) {
		struct iop_ioas *ioas = ctx->ioas_list;

		/* every device is closed, so the backend cannot refuse; if it
		 * does anyway, leak the rest rather than loop forever */
		if (iop_ioas_destroy(ioas)) {
			IOP_LOG(WARN, "IOAS %u not destroyed: %s", ioas->id, iop_err_msg());
			break;
		}
	}
	ctx->ops->close(ctx->bctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

enum iop_backend_kind iop_ctx_backend(const struct iop_ctx *ctx)
{
	return ctx->kind;
}

bool iop_ctx_can_replace(const struct iop_ctx *ctx)
{
	return ctx->ops->can_replace;
}

int iop_ctx_devices(struct iop_ctx *ctx, struct iop_dev_info *info, size_t max,
		    size_t *count)
{
	int rc;

	iop_ctx_lock(ctx);
	rc = ctx->ops->devices(ctx->bctx, info, max, count);
	iop_ctx_unlock(ctx);
	if (rc)
		return IOP_ERR(-rc, "cannot list the devices of the %s backend: %s",
			       ctx->ops->name, strerror(-rc));
	return 0;
}

int iop_ctx_devices_alloc(struct iop_ctx *ctx, struct iop_dev_info **info,
			  size_t *count)
{
	size_t n = 0, max = 0;
	struct iop_dev_info *buf = NULL;
	int rc;

	/* ask for the count, then for the list (it may grow in between) */
	for (;;) {
		rc = iop_ctx_devices(ctx, buf, max, &n);
		if (rc) {
			free(buf);
			return rc;
		}
		if (n <= max && buf)
			break;
		free(buf);
		max = n + 4;
		buf = calloc(max, sizeof(*buf));
		if (!buf)
			return IOP_ERR(ENOMEM, "out of memory listing devices");
	}
	*info = buf;
	*count = n;
	return 0;
}

/* The locked-memory limit the pins of a context count against, as the
 * messages about it must name it. */
struct iop_memlock {
	uint64_t bytes;     /* UINT64_MAX: unlimited */
	const char *name;   /* "RLIMIT_MEMLOCK" or "the sim topology's memlock" */
	bool from_topology; /* sim: raised in the topology file, not ulimit -l */
};

static void ctx_memlock(struct iop_ctx *ctx, struct iop_memlock *ml)
{
	struct rlimit rl;

	if (ctx->ops->memlock_limit) {
		iop_ctx_lock(ctx);
		ml->bytes = ctx->ops->memlock_limit(ctx->bctx);
		iop_ctx_unlock(ctx);
		ml->name = "the sim topology's memlock";
		ml->from_topology = true;
		return;
	}
	ml->bytes = UINT64_MAX;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		ml->bytes = rl.rlim_cur;
	ml->name = "RLIMIT_MEMLOCK";
	ml->from_topology = false;
}

/* "raise it to at least N MiB: ulimit -l K (systemd: LimitMEMLOCK=)", or
 * the topology line for the sim; need in bytes (0: unknown, no size). */
static void memlock_hint(const struct iop_memlock *ml, uint64_t need, char *buf,
			 size_t size)
{
	uint64_t mib = (need + (1 << 20) - 1) >> 20;

	if (need == 0)
		snprintf(buf, size, ml->from_topology ?
			 "raise it: the memlock line of the topology file" :
			 "raise it: ulimit -l (systemd: LimitMEMLOCK=)");
	else if (ml->from_topology)
		snprintf(buf, size, "raise it to at least %" PRIu64 " MiB: the line 'memlock %" PRIu64 "M' in the topology file",
			 mib, mib);
	else
		snprintf(buf, size, "raise it to at least %" PRIu64 " MiB: ulimit -l %" PRIu64 " (systemd: LimitMEMLOCK=)",
			 mib, mib * 1024);
}

/* An -ENOMEM from pinning is the limit's doing only if the limit is
 * finite: with no limit, or one the request stays under, saying "raise
 * the limit" sends the user the wrong way. */
void iop_memlock_cause(struct iop_ctx *ctx, uint64_t need, char *buf, size_t size)
{
	struct iop_memlock ml;
	char hint[160];
	uint64_t lim_mib, need_mib = (need + (1 << 20) - 1) >> 20;

	ctx_memlock(ctx, &ml);
	lim_mib = (ml.bytes + (1 << 20) - 1) >> 20;
	if (ml.bytes == UINT64_MAX) {
		snprintf(buf, size, "%s ran out of memory (not the locked-memory limit: %s is unlimited)",
			 ml.from_topology ? "the sim IOMMU backend" : "the kernel", ml.name);
		return;
	}
	memlock_hint(&ml, need, hint, sizeof(hint));
	if (need == 0)
		snprintf(buf, size, "over the locked-memory limit (%s is %" PRIu64 " MiB) or out of memory; %s",
			 ml.name, lim_mib, hint);
	else if (need > ml.bytes)
		snprintf(buf, size, "the locked-memory limit refused it (%s is %" PRIu64 " MiB); %s",
			 ml.name, lim_mib, hint);
	else
		snprintf(buf, size, "%s ran out of memory, or memory pinned elsewhere counts against the locked-memory limit (%s is %" PRIu64 " MiB, %" PRIu64 " MiB of it needed here)",
			 ml.from_topology ? "the sim IOMMU backend" : "the kernel",
			 ml.name, lim_mib, need_mib);
}
