/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's memory in every attached IOAS.
 *
 * The unit of mapping is a "run": a VA range mapped with one map call into
 * every attached IOAS (the first IOAS pins it, the others get it by copy
 * where the backend can). Neither iommufd nor VFIO type1 can unmap part of
 * a mapping, so a run is as long as the memory that is freed together:
 *   - memory DPDK never frees (legacy mode, pages preallocated with -m or
 *     --socket-mem, external memory) forms one run per contiguous range;
 *   - memory DPDK may give back (dynamic hugepages) forms one run per page.
 *
 * Lock order: DPDK's memory hotplug lock, then mem.lock, then the IOMMU
 * context's lock (taken inside each iop_ioas_* call). The hotplug
 * callbacks run with the hotplug lock held, so everything else takes it
 * first and walks memory with the _thread_unsafe walkers.
 *
 * An attached IOAS is registered with its release hook: iop_ioas_destroy()
 * of an IOAS still attached here detaches it first, so mem.ioas[] never
 * holds a destroyed IOAS.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#define IOP_LOG_PREFIX "mem: "
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "iommu_internal.h"
#include "iova_table.h"
#include "mem_internal.h"

#define PROT_RW (IOP_PROT_READ | IOP_PROT_WRITE)
#define MAX_IOAS 64
#define CALLBACK_NAME "iopath-mem"

struct run {
	uintptr_t va;
	uint64_t len;
	bool mapped; /* in every attached IOAS (false only while being added) */
};

/* A mapping lib/mem asked an IOAS to drop and the unmap failed. The IOAS
 * keeps it as stale (translated nowhere, never a copy source); lib/mem
 * retries the unmap until it succeeds or the IOAS is detached. */
struct owed {
	struct iop_ioas *ioas;
	uintptr_t va;
	uint64_t len;
	int err;           /* negative errno of the latest attempt */
	uint64_t attempts;
};

/* DPDK memory handed out while an owed unmap overlaps it: mapped nowhere
 * (its buffers translate to IOP_IOVA_POISON) until that unmap succeeds. */
struct waiting {
	uintptr_t va;
	uint64_t len;
};

static struct {
	pthread_mutex_t lock;
	struct run *runs; /* sorted by va, disjoint */
	size_t nruns, cap;
	struct owed *owed;
	size_t nowed, owed_cap;
	struct waiting *waiting;
	size_t nwaiting, waiting_cap;
	struct iop_ioas *ioas[MAX_IOAS];
	size_t nioas;
	bool hotplug;        /* our memory event callback is registered */
	bool dynamic;        /* DPDK may free memory (callbacks supported) */
	struct iop_mem_stats st;
} mem = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Room for one more element in a growable array. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *a;

	if (n < *cap)
		return 0;
	a = realloc(*arr, c * elem);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

static size_t run_index(uintptr_t va)
{
	size_t lo = 0, hi = mem.nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mem.runs[mid].va + mem.runs[mid].len <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool run_known(uintptr_t va)
{
	size_t i = run_index(va);

	return i < mem.nruns && mem.runs[i].va <= va;
}

/* Records a run, not mapped yet; *index: where it went. */
static int run_add(uintptr_t va, uint64_t len, size_t *index)
{
	size_t i = run_index(va);

	if (grow((void **)&mem.runs, &mem.cap, mem.nruns, sizeof(*mem.runs)))
		return IOP_ERR(ENOMEM, "out of memory recording DPDK's memory");
	memmove(&mem.runs[i + 1], &mem.runs[i], (mem.nruns - i) * sizeof(*mem.runs));
	mem.runs[i] = (struct run){ va, len, false };
	mem.nruns++;
	if (index)
		*index = i;
	return 0;
}

static void run_del(size_t i)
{
	memmove(&mem.runs[i], &mem.runs[i + 1], (mem.nruns - i - 1) * sizeof(*mem.runs));
	mem.nruns--;
}

static uint64_t total_bytes(void)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < mem.nruns; i++)
		sum += mem.runs[i].len;
	return sum;
}

/* runs, bytes and stale follow every change: attach, detach, rescan,
 * hotplug, retries */
static void note_runs(void)
{
	mem.st.runs = mem.nruns;
	mem.st.bytes = total_bytes();
	mem.st.stale = mem.nowed;
}

static bool page_may_be_freed(const struct rte_memseg_list *msl,
			      const struct rte_memseg *ms)
{
	return mem.dynamic && !msl->external && !(ms->flags & RTE_MEMSEG_FLAG_DO_NOT_FREE);
}

/* rte_memseg_contig_walk: records the runs of one VA-contiguous range that
 * are not known yet (a rescan finds only new memory). */
static int walk_contig(const struct rte_memseg_list *msl,
		       const struct rte_memseg *ms, size_t len, void *arg)
{
	size_t npages = len / msl->page_sz;
	size_t start = 0;

	(void)arg;
	while (start < npages) {
		size_t end = start + 1;

		if (!page_may_be_freed(msl, &ms[start]))
			while (end < npages && !page_may_be_freed(msl, &ms[end]))
				end++;
		if (!run_known(ms[start].addr_64)) {
			if (run_add(ms[start].addr_64, (end - start) * msl->page_sz, NULL))
				return -1;
		}
		start = end;
	}
	return 0;
}

static bool attached(const struct iop_ioas *ioas)
{
	for (size_t i = 0; i < mem.nioas; i++)
		if (mem.ioas[i] == ioas)
			return true;
	return false;
}

/* "N MiB", or the exact bytes when not whole MiB: a window of one byte
 * must not read as 1 MiB. */
static char *mib(uint64_t bytes, char *buf, size_t n)
{
	if (bytes % (1 << 20) == 0)
		snprintf(buf, n, "%" PRIu64 " MiB", bytes >> 20);
	else
		snprintf(buf, n, "%" PRIu64 " byte%s", bytes, bytes == 1 ? "" : "s");
	return buf;
}

/* --- unmaps that failed ----------------------------------------------------- */

/* The owed unmap of ioas that overlaps [va, va+len), or NULL. */
static const struct owed *owed_in(const struct iop_ioas *ioas, uintptr_t va, uint64_t len)
{
	for (size_t i = 0; i < mem.nowed; i++) {
		const struct owed *o = &mem.owed[i];

		if (o->ioas == ioas && o->va < va + len && va < o->va + o->len)
			return o;
	}
	return NULL;
}

/* Records an unmap that failed (its message is in iop_err_msg()) so that
 * it is retried, and reports it. */
static void owe(struct iop_ioas *ioas, uintptr_t va, uint64_t len, int err)
{
	mem.st.unmap_failures++;
	IOP_LOG(ERR, "%s; retried at the next memory event, iop_mem_rescan() and detach",
		iop_err_msg());
	if (grow((void **)&mem.owed, &mem.owed_cap, mem.nowed, sizeof(*mem.owed))) {
		IOP_LOG(ERR, "out of memory recording it: it stays stale in IOAS %u until the IOAS is destroyed",
			iop_ioas_id(ioas));
		return;
	}
	mem.owed[mem.nowed++] = (struct owed){ ioas, va, len, err, 1 };
	/* an IOAS lib/mem does not hold (a failed attach) must still tell us
	 * before it goes: the entry points at it */
	if (!attached(ioas))
		iop_ioas_set_release(ioas, iop_mem_detach_ioas);
}

/* Retries the owed unmaps (of one IOAS, or of all when only is NULL). The
 * translations were invalidated and quiesced before the first attempt and
 * have been stale since: no queue can hold their IOVAs. */
static void retry_owed(const struct iop_ioas *only)
{
	for (size_t i = 0; i < mem.nowed;) {
		struct owed *o = &mem.owed[i];

		if (only && o->ioas != only) {
			i++;
			continue;
		}
		o->attempts++;
		mem.st.unmap_calls++;
		o->err = iop_ioas_unmap(o->ioas, (void *)o->va, o->len);
		/* -ENOENT: the IOAS no longer holds it (unmapped by its owner) */
		if (o->err && o->err != -ENOENT) {
			i++;
			continue;
		}
		IOP_LOG(INFO, "unmapped [%p, +%" PRIu64 ") from IOAS %u at attempt %" PRIu64,
			(void *)o->va, o->len, iop_ioas_id(o->ioas), o->attempts);
		mem.st.unmap_retried++;
		*o = mem.owed[--mem.nowed];
	}
}

/* --- mapping and unmapping -------------------------------------------------- */

/* Takes runs [first, last) out of the given IOAS: tables first (every
 * queue cache flushes at its next burst), one wait for the forwarding
 * threads, then the unmaps. An unmap that fails leaves the mapping stale
 * in its IOAS (translated nowhere) and owed here. */
static void unmap_runs(struct iop_ioas *const *ioas, size_t nioas, size_t first, size_t last)
{
	if (first == last || nioas == 0)
		return;
	for (size_t k = 0; k < nioas; k++)
		for (size_t i = first; i < last; i++)
			iop_iova_table_remove(iop_ioas_table(ioas[k]), mem.runs[i].va, mem.runs[i].len);
	iop_mem_synchronize();
	for (size_t k = 0; k < nioas; k++) {
		for (size_t i = first; i < last; i++) {
			int rc = iop_ioas_unmap(ioas[k], (void *)mem.runs[i].va, mem.runs[i].len);

			mem.st.unmap_calls++;
			if (rc)
				owe(ioas[k], mem.runs[i].va, mem.runs[i].len, rc);
		}
	}
}

/*
 * The one way lib/mem maps: runs [first, last) into every one of ioas[],
 * or into none. A run that an owed unmap overlaps in one of them is
 * refused with -EBUSY (the old mapping there still points at the memory
 * that was freed). On failure what this call mapped is taken out like any
 * unmap, and the error is returned with the message of its cause;
 * *pin_refused_by is the IOAS whose backend refused to pin (else NULL).
 */
static int map_everywhere(size_t first, size_t last, struct iop_ioas *const *ioas,
			  size_t nioas, struct iop_ioas **pin_refused_by)
{
	char msg[512];
	size_t i, k = 0;
	int rc = 0;

	*pin_refused_by = NULL;
	for (i = first; i < last; i++) {
		const struct run *r = &mem.runs[i];

		for (k = 0; k < nioas; k++) {
			const struct owed *o = owed_in(ioas[k], r->va, r->len);
			bool refused = false;
			uint64_t iova;

			if (o) {
				rc = IOP_ERR(EBUSY, "IOAS %u still maps [%p, +%" PRIu64 ") of memory freed earlier (its unmap failed: %s): the memory now there is not mapped until a retry of that unmap succeeds",
					     iop_ioas_id(ioas[k]), (void *)o->va, o->len, strerror(-o->err));
				goto undo;
			}
			rc = iop_ioas_map_pinning(ioas[k], (void *)r->va, r->len, PROT_RW,
						  &iova, &refused);
			mem.st.map_calls++;
			if (rc) {
				if (refused)
					*pin_refused_by = ioas[k];
				goto undo;
			}
		}
	}
	for (i = first; i < last; i++)
		mem.runs[i].mapped = true;
	return 0;
undo:
	snprintf(msg, sizeof(msg), "%s", iop_err_msg());
	unmap_runs(ioas, k, i, i + 1);
	unmap_runs(ioas, nioas, first, i);
	iop_err(-rc, "%s", msg);
	return rc;
}

/* The message about all of DPDK's memory (the user sizes memory and
 * limits, not runs) for a failure to map it into ioas. An -ENOMEM that is
 * not a pin refusal (reading the IOVA ranges, bookkeeping) keeps the
 * core's message. */
static int map_error(struct iop_ioas *ioas, int rc, bool pin_refused)
{
	uint64_t need = total_bytes();
	char a[32], b[32];

	if (rc == -ENOMEM && pin_refused) {
		char cause[320];

		iop_memlock_cause(iop_ioas_ctx(ioas), need, cause, sizeof(cause));
		return IOP_ERR(ENOMEM, "cannot pin DPDK's memory for IOAS %u: %s must be locked and %s",
			       iop_ioas_id(ioas), mib(need, a, sizeof(a)), cause);
	}
	if (rc == -ENOSPC) {
		struct iop_iova_range r[IOP_MAX_RANGES];
		size_t n = 0;
		uint64_t room = 0;
		bool top = false;

		if (iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n) == 0) {
			for (size_t i = 0; i < n && i < IOP_MAX_RANGES; i++) {
				uint64_t last = RTE_MIN(r[i].last, (uint64_t)IOP_IOVA_LAST_USABLE);

				top |= r[i].last > IOP_IOVA_LAST_USABLE;
				room += last >= r[i].first ? last - r[i].first + 1 : 0;
			}
		}
		return IOP_ERR(ENOSPC, "IOAS %u is too small for DPDK's memory: %s in %zu run(s) to map, its IOVA ranges hold %s%s; give DPDK less memory (-m or --socket-mem) or use an IOMMU with a larger aperture",
			       iop_ioas_id(ioas), mib(need, a, sizeof(a)), mem.nruns,
			       mib(room, b, sizeof(b)),
			       top ? " (IOVA 0xffffffffffffffff is never mapped: it means 'no translation')" : "");
	}
	return rc;
}

/* --- memory that waits for an owed unmap ---------------------------------- */

static void wait_add(uintptr_t va, uint64_t len)
{
	if (grow((void **)&mem.waiting, &mem.waiting_cap, mem.nwaiting, sizeof(*mem.waiting))) {
		IOP_LOG(ERR, "out of memory: [%p, +%" PRIu64 ") is mapped only by iop_mem_rescan()",
			(void *)va, len);
		return;
	}
	mem.waiting[mem.nwaiting++] = (struct waiting){ va, len };
}

/* DPDK frees [va, va+len): what waited there is no longer to be mapped. */
static void wait_forget(uintptr_t va, uint64_t len)
{
	for (size_t i = 0; i < mem.nwaiting;) {
		if (mem.waiting[i].va >= va && mem.waiting[i].va < va + len)
			mem.waiting[i] = mem.waiting[--mem.nwaiting];
		else
			i++;
	}
}

static bool owed_anywhere(uintptr_t va, uint64_t len)
{
	for (size_t k = 0; k < mem.nioas; k++)
		if (owed_in(mem.ioas[k], va, len))
			return true;
	return false;
}

/* Maps, into every attached IOAS, the memory whose owed unmaps are done. */
static void map_waiting(void)
{
	for (size_t i = 0; i < mem.nwaiting;) {
		struct waiting w = mem.waiting[i];
		struct iop_ioas *by;
		size_t r;

		if (owed_anywhere(w.va, w.len)) {
			i++;
			continue;
		}
		mem.waiting[i] = mem.waiting[--mem.nwaiting];
		if (run_known(w.va) || run_add(w.va, w.len, &r))
			continue;
		if (map_everywhere(r, r + 1, mem.ioas, mem.nioas, &by)) {
			IOP_LOG(ERR, "[%p, +%" PRIu64 ") is still not mapped for DMA: %s",
				(void *)w.va, w.len, iop_err_msg());
			run_del(r);
			continue;
		}
		IOP_LOG(INFO, "[%p, +%" PRIu64 ") is mapped for DMA now that the unmap it waited for is done",
			(void *)w.va, w.len);
	}
}

/* --- memory events ------------------------------------------------------------ */

static void on_alloc(const void *addr, size_t len)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	uintptr_t va = (uintptr_t)addr;
	/* DPDK frees dynamic memory page by page, so it maps page by page;
	 * external memory added to a heap leaves it whole */
	uint64_t step = msl && !msl->external ? msl->page_sz : len;
	size_t failed = 0;
	struct iop_ioas *refused_by = NULL;
	char why[512] = "";

	for (uintptr_t p = va; p < va + len; p += step) {
		struct iop_ioas *by;
		size_t i;
		int err;

		if (run_known(p))
			continue;
		err = run_add(p, step, &i);
		if (!err) {
			err = map_everywhere(i, i + 1, mem.ioas, mem.nioas, &by);
			if (err) {
				run_del(i);
				if (by)
					refused_by = by;
				if (err == -EBUSY)
					wait_add(p, step);
			}
		}
		if (err) {
			failed++;
			snprintf(why, sizeof(why), "%s", iop_err_msg());
		}
	}
	/* devices cannot reach these pages: their buffers translate to
	 * IOP_IOVA_POISON and PMDs drop them (one line per event) */
	if (failed && refused_by) {
		uint64_t need = total_bytes() + failed * step;
		char a[32], cause[320];

		iop_memlock_cause(iop_ioas_ctx(refused_by), need, cause, sizeof(cause));
		IOP_LOG(ERR, "%zu of %" PRIu64 " hotplugged page(s) at %p are not mapped for DMA: %s; DPDK now holds %s",
			failed, (uint64_t)((len + step - 1) / step), addr, cause,
			mib(need, a, sizeof(a)));
	} else if (failed) {
		IOP_LOG(ERR, "%zu of %" PRIu64 " hotplugged page(s) at %p are not mapped for DMA: %s",
			failed, (uint64_t)((len + step - 1) / step), addr, why);
	}
}

static void on_free(const void *addr, size_t len)
{
	uintptr_t va = (uintptr_t)addr;
	size_t first = run_index(va), last = first;

	while (last < mem.nruns && mem.runs[last].va + mem.runs[last].len <= va + len &&
	       mem.runs[last].va >= va)
		last++;
	if (last < mem.nruns && mem.runs[last].va < va + len)
		IOP_LOG(ERR, "DPDK freed part of a mapped run at %p: it stays mapped until iop_mem_detach_ioas",
			(void *)mem.runs[last].va);
	if (first == last)
		return;
	unmap_runs(mem.ioas, mem.nioas, first, last);
	for (size_t i = last; i-- > first;)
		run_del(i);
}

static void mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mem.lock);
	/* memory being freed is no longer to be mapped; then every event is
	 * a retry point for the unmaps that failed and what waits on them */
	if (type == RTE_MEM_EVENT_FREE)
		wait_forget((uintptr_t)addr, len);
	retry_owed(NULL);
	map_waiting();
	if (type == RTE_MEM_EVENT_ALLOC) {
		mem.st.hotplug_alloc++;
		on_alloc(addr, len);
	} else {
		mem.st.hotplug_free++;
		on_free(addr, len);
	}
	note_runs();
	pthread_mutex_unlock(&mem.lock);
}

/* Runs whose memory DPDK no longer knows (external memory unregistered
 * with rte_extmem_unregister, which sends no memory event) leave every
 * IOAS, quiesced. */
static void drop_gone_runs(void)
{
	for (size_t i = mem.nruns; i-- > 0;) {
		if (rte_mem_virt2memseg_list((void *)mem.runs[i].va))
			continue;
		unmap_runs(mem.ioas, mem.nioas, i, i + 1);
		run_del(i);
	}
}

static int rescan_locked(void)
{
	char why[512] = "";
	int rc = 0;

	retry_owed(NULL);
	map_waiting();
	drop_gone_runs();
	/* a walk that runs out of memory still leaves the runs it recorded,
	 * and they must be mapped like the others */
	if (rte_memseg_contig_walk_thread_unsafe(walk_contig, NULL)) {
		rc = -ENOMEM;
		snprintf(why, sizeof(why), "%s", iop_err_msg());
	}
	/* a new run that cannot be mapped everywhere is mapped nowhere and
	 * forgotten (the first error is returned), so that every known run
	 * is in every attached IOAS */
	for (size_t i = 0; i < mem.nruns;) {
		struct iop_ioas *by;
		int err;

		if (mem.runs[i].mapped || mem.nioas == 0) {
			i++;
			continue;
		}
		err = map_everywhere(i, i + 1, mem.ioas, mem.nioas, &by);
		if (!err) {
			i++;
			continue;
		}
		run_del(i);
		if (!rc) {
			rc = err;
			snprintf(why, sizeof(why), "%s", iop_err_msg());
		}
	}
	if (rc)
		iop_err(-rc, "%s", why);
	return rc;
}

bool iop_mem_is_attached(const struct iop_ioas *ioas)
{
	bool yes;

	pthread_mutex_lock(&mem.lock);
	yes = attached(ioas);
	pthread_mutex_unlock(&mem.lock);
	return yes;
}

int iop_mem_attach_ioas(struct iop_ioas *ioas)
{
	struct iop_ioas *refused_by;
	int rc = 0;

	if (rte_lcore_count() == 0)
		return IOP_ERR(EINVAL, "DPDK is not initialised: call iop_init() (or rte_eal_init()) before iop_mem_attach_ioas()");
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&mem.lock);
	if (attached(ioas))
		goto out;
	if (mem.nioas == MAX_IOAS) {
		rc = IOP_ERR(ENOSPC, "more than %d IOAS hold DPDK's memory: detach unused ones with iop_mem_detach_ioas()",
			     MAX_IOAS);
		goto out;
	}
	if (!mem.hotplug) {
		if (rte_mem_event_callback_register(CALLBACK_NAME, mem_event, NULL) == 0) {
			mem.hotplug = true;
			mem.dynamic = true;
		} else if (rte_errno != ENOTSUP) {
			rc = IOP_ERR(rte_errno, "cannot watch DPDK memory hotplug: %s", rte_strerror(rte_errno));
			goto out;
		}
	}
	rc = rescan_locked();
	if (rc)
		goto out;
	if (mem.nruns == 0) {
		rc = IOP_ERR(ENODEV, "DPDK has no memory to map: reserve hugepages (echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) or run with --no-huge");
		goto out;
	}
	rc = map_everywhere(0, mem.nruns, &ioas, 1, &refused_by);
	if (rc) {
		rc = map_error(ioas, rc, refused_by != NULL);
		goto out;
	}
	mem.ioas[mem.nioas++] = ioas;
	/* destroying it now detaches it from here first */
	iop_ioas_set_release(ioas, iop_mem_detach_ioas);
out:
	if (rc && mem.nioas == 0 && mem.hotplug) {
		rte_mem_event_callback_unregister(CALLBACK_NAME, NULL);
		mem.hotplug = false;
		mem.nruns = 0;
		mem.nwaiting = 0;
	}
	note_runs();
	pthread_mutex_unlock(&mem.lock);
	rte_mcfg_mem_read_unlock();
	return rc;
}

void iop_mem_detach_ioas(struct iop_ioas *ioas)
{
	size_t k, kept = 0;
	bool was_attached, had_owed = false;

	if (rte_lcore_count() == 0)
		return; /* no EAL: nothing can have been attached */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&mem.lock);
	for (k = 0; k < mem.nioas && mem.ioas[k] != ioas; k++)
		;
	was_attached = k < mem.nioas;
	if (was_attached) {
		mem.ioas[k] = mem.ioas[--mem.nioas];
		unmap_runs(&ioas, 1, 0, mem.nruns);
	}
	/* the last retry lib/mem makes for this IOAS: what still fails stays
	 * stale in it (translated nowhere) and goes when it is destroyed */
	for (size_t i = 0; i < mem.nowed; i++)
		had_owed |= mem.owed[i].ioas == ioas;
	retry_owed(ioas);
	for (size_t i = 0; i < mem.nowed;) {
		if (mem.owed[i].ioas == ioas) {
			mem.owed[i] = mem.owed[--mem.nowed];
			kept++;
		} else {
			i++;
		}
	}
	if (kept)
		IOP_LOG(ERR, "IOAS %u keeps %zu stale mapping(s) whose unmap failed: translated nowhere, they go when the IOAS is destroyed",
			iop_ioas_id(ioas), kept);
	/* our release hook is set while it is attached or owed an unmap */
	if (was_attached || had_owed)
		iop_ioas_set_release(ioas, NULL);
	if (mem.nioas == 0) {
		if (mem.hotplug)
			rte_mem_event_callback_unregister(CALLBACK_NAME, NULL);
		mem.hotplug = false;
		free(mem.runs);
		mem.runs = NULL;
		mem.nruns = mem.cap = 0;
		mem.nwaiting = 0;
	}
	note_runs();
	pthread_mutex_unlock(&mem.lock);
	rte_mcfg_mem_read_unlock();
}

int iop_mem_rescan(void)
{
	int rc;

	if (rte_lcore_count() == 0)
		return IOP_ERR(EINVAL, "DPDK is not initialised: call iop_init() (or rte_eal_init()) first");
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&mem.lock);
	rc = mem.nioas ? rescan_locked() : 0;
	note_runs();
	pthread_mutex_unlock(&mem.lock);
	rte_mcfg_mem_read_unlock();
	return rc;
}

int iop_mem_unmap(struct iop_ioas *ioas, void *va, size_t len)
{
	/* checked first: invalidating a range that is not one mapping would
	 * drop translations of mappings that stay */
	if (!iop_ioas_maps_exactly(ioas, va, len))
		return IOP_ERR(ENOENT, "IOAS %u has no mapping of exactly [%p, +%zu): unmap whole ranges given to iop_ioas_map",
			       iop_ioas_id(ioas), va, len);
	mem_invalidate(iop_ioas_table(ioas), (uintptr_t)va, len);
	return iop_ioas_unmap(ioas, va, len);
}

void iop_mem_get_stats(struct iop_mem_stats *st)
{
	pthread_mutex_lock(&mem.lock);
	*st = mem.st;
	pthread_mutex_unlock(&mem.lock);
}

size_t iop_mem_stale_list(struct iop_mem_stale *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&mem.lock);
	n = mem.nowed;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct iop_mem_stale){
			.ioas_id = iop_ioas_id(mem.owed[i].ioas),
			.va = (void *)mem.owed[i].va,
			.len = mem.owed[i].len,
			.err = mem.owed[i].err,
			.attempts = mem.owed[i].attempts,
		};
	pthread_mutex_unlock(&mem.lock);
	return n;
}

void mem_detach_all(void)
{
	for (;;) {
		struct iop_ioas *ioas;

		pthread_mutex_lock(&mem.lock);
		ioas = mem.nioas ? mem.ioas[0] : NULL;
		pthread_mutex_unlock(&mem.lock);
		if (!ioas)
			return;
		iop_mem_detach_ioas(ioas);
	}
}
