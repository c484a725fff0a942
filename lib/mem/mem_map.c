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
};

static struct {
	pthread_mutex_t lock;
	struct run *runs; /* sorted by va, disjoint */
	size_t nruns, cap;
	struct iop_ioas *ioas[MAX_IOAS];
	size_t nioas;
	bool hotplug;        /* our memory event callback is registered */
	bool dynamic;        /* DPDK may free memory (callbacks supported) */
	struct iop_mem_stats st;
} mem = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

static int run_add(uintptr_t va, uint64_t len)
{
	size_t i = run_index(va);

	if (mem.nruns == mem.cap) {
		size_t cap = mem.cap ? 2 * mem.cap : 64;
		struct run *r = realloc(mem.runs, cap * sizeof(*r));

		if (!r)
			return IOP_ERR(ENOMEM, "out of memory recording DPDK's memory");
		mem.runs = r;
		mem.cap = cap;
	}
	memmove(&mem.runs[i + 1], &mem.runs[i], (mem.nruns - i) * sizeof(*mem.runs));
	mem.runs[i] = (struct run){ va, len };
	mem.nruns++;
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

/* runs and bytes follow every change: attach, detach, rescan, hotplug */
static void note_runs(void)
{
	mem.st.runs = mem.nruns;
	mem.st.bytes = total_bytes();
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
			if (run_add(ms[start].addr_64, (end - start) * msl->page_sz))
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

/* The limit that refused a pin into ioas (the process's RLIMIT_MEMLOCK,
 * or the sim topology's memlock line): "<name> is <size>", and how to
 * raise it to need bytes. */
static void memlock_words(struct iop_ioas *ioas, uint64_t need, char *limit,
			  size_t lsize, char *hint, size_t hsize)
{
	struct iop_memlock ml;
	char b[32];

	iop_ctx_memlock(iop_ioas_ctx(ioas), &ml);
	if (ml.bytes == UINT64_MAX)
		snprintf(b, sizeof(b), "unlimited");
	else
		mib(ml.bytes, b, sizeof(b));
	snprintf(limit, lsize, "%s is %s", ml.name, b);
	iop_memlock_hint(&ml, need, hint, hsize);
}

/* Turns the core's error for one run into the message about all of
 * DPDK's memory (the user sizes memory and limits, not runs). An -ENOMEM
 * that is not a pin refusal (reading the IOVA ranges, bookkeeping) keeps
 * the core's message. */
static int map_error(struct iop_ioas *ioas, int rc, bool pin_refused)
{
	uint64_t need = total_bytes();
	char a[32], b[32];

	if (rc == -ENOMEM && pin_refused) {
		char limit[96], hint[160];

		memlock_words(ioas, need, limit, sizeof(limit), hint, sizeof(hint));
		return IOP_ERR(ENOMEM, "cannot pin DPDK's memory for IOAS %u: %s must be locked and the locked-memory limit refused it (%s); %s",
			       iop_ioas_id(ioas), mib(need, a, sizeof(a)), limit, hint);
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

/* Maps runs [first, last) into ioas; on failure unmaps what it mapped.
 * *pin_refused (may be NULL): the failure was the limit refusing a pin. */
static int map_runs(struct iop_ioas *ioas, size_t first, size_t last,
		    bool *pin_refused)
{
	bool refused = false;
	uint64_t iova;

	if (pin_refused)
		*pin_refused = false;
	for (size_t i = first; i < last; i++) {
		int rc = iop_ioas_map_pinning(ioas, (void *)mem.runs[i].va, mem.runs[i].len,
					      PROT_RW, &iova, &refused);

		mem.st.map_calls++;
		if (rc) {
			char msg[512];

			/* keep the core's message if ours does not apply */
			snprintf(msg, sizeof(msg), "%s", iop_err_msg());
			while (i-- > first) {
				/* never handed to a queue: no quiescence needed */
				iop_ioas_unmap(ioas, (void *)mem.runs[i].va, mem.runs[i].len);
				mem.st.unmap_calls++;
			}
			if (pin_refused)
				*pin_refused = refused;
			if ((rc == -ENOMEM && refused) || rc == -ENOSPC)
				return map_error(ioas, rc, refused);
			return iop_err(-rc, "%s", msg);
		}
	}
	return 0;
}

/* Takes runs [first, last) out of every attached IOAS: caches first, one
 * wait for the forwarding threads, then the unmaps. */
static void unmap_runs(struct iop_ioas *const *ioas, size_t nioas, size_t first, size_t last)
{
	for (size_t k = 0; k < nioas; k++)
		for (size_t i = first; i < last; i++)
			iop_iova_table_remove(iop_ioas_table(ioas[k]), mem.runs[i].va, mem.runs[i].len);
	iop_mem_synchronize();
	for (size_t k = 0; k < nioas; k++) {
		for (size_t i = first; i < last; i++) {
			if (iop_ioas_unmap(ioas[k], (void *)mem.runs[i].va, mem.runs[i].len))
				IOP_LOG(ERR, "%s", iop_err_msg());
			mem.st.unmap_calls++;
		}
	}
}

static void on_alloc(const void *addr, size_t len)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	uintptr_t va = (uintptr_t)addr;
	/* DPDK frees dynamic memory page by page, so it maps page by page;
	 * external memory added to a heap leaves it whole */
	uint64_t step = msl && !msl->external ? msl->page_sz : len;
	size_t failed = 0;
	int err = 0;
	bool refused = false;
	struct iop_ioas *refused_by = NULL;
	char why[512] = "";

	for (uintptr_t p = va; p < va + len; p += step) {
		size_t i;

		if (run_known(p))
			continue;
		if ((err = run_add(p, step))) {
			failed++;
			snprintf(why, sizeof(why), "%s", iop_err_msg());
			continue;
		}
		i = run_index(p);
		for (size_t k = 0; k < mem.nioas; k++) {
			if ((err = map_runs(mem.ioas[k], i, i + 1, &refused))) {
				failed++;
				if (refused)
					refused_by = mem.ioas[k];
				snprintf(why, sizeof(why), "%s", iop_err_msg());
				for (size_t j = 0; j < k; j++) {
					iop_ioas_unmap(mem.ioas[j], (void *)p, step);
					mem.st.unmap_calls++;
				}
				run_del(i);
				break;
			}
		}
	}
	/* devices cannot reach these pages: their buffers translate to
	 * IOP_IOVA_POISON and PMDs drop them (one line per event) */
	if (failed && refused_by) {
		uint64_t need = total_bytes() + failed * step;
		char a[32], limit[96], hint[160];

		memlock_words(refused_by, need, limit, sizeof(limit), hint, sizeof(hint));
		IOP_LOG(ERR, "%zu of %" PRIu64 " hotplugged page(s) at %p are not mapped for DMA: the locked-memory limit refused them (%s); DPDK now holds %s: %s",
			failed, (uint64_t)((len + step - 1) / step), addr, limit,
			mib(need, a, sizeof(a)), hint);
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
	size_t before;
	int rc = 0;

	drop_gone_runs();
	before = mem.nruns;
	/* a walk that runs out of memory still leaves the runs it recorded,
	 * and they must be mapped like the others */
	if (rte_memseg_contig_walk_thread_unsafe(walk_contig, NULL)) {
		rc = -ENOMEM;
		snprintf(why, sizeof(why), "%s", iop_err_msg());
	}
	/* new runs are interleaved with known ones: map every run that the
	 * first attached IOAS does not hold yet; a run that cannot be mapped
	 * everywhere is mapped nowhere and forgotten (the first error is
	 * returned), so that every known run is in every attached IOAS */
	if (mem.nruns == before || mem.nioas == 0)
		return rc;
	for (size_t i = 0; i < mem.nruns;) {
		uint64_t iova;
		int err = 0;
		size_t k;

		if (iop_ioas_va2iova(mem.ioas[0], (void *)mem.runs[i].va, &iova) == 0) {
			i++;
			continue;
		}
		for (k = 0; k < mem.nioas && !err; k++)
			err = map_runs(mem.ioas[k], i, i + 1, NULL);
		if (!err) {
			i++;
			continue;
		}
		for (size_t j = 0; j + 1 < k; j++) {
			iop_ioas_unmap(mem.ioas[j], (void *)mem.runs[i].va, mem.runs[i].len);
			mem.st.unmap_calls++;
		}
		run_del(i);
		if (!rc) {
			rc = err;
			snprintf(why, sizeof(why), "%s", iop_err_msg());
		}
	}
	if (rc)
		iop_err(-rc, "%s", why);
	else
		iop_err_clear(); /* the va2iova probes of new runs */
	return rc;
}

int iop_mem_attach_ioas(struct iop_ioas *ioas)
{
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
	rc = map_runs(ioas, 0, mem.nruns, NULL);
	if (rc)
		goto out;
	mem.ioas[mem.nioas++] = ioas;
	/* destroying it now detaches it from here first */
	iop_ioas_set_release(ioas, iop_mem_detach_ioas);
out:
	if (rc && mem.nioas == 0 && mem.hotplug) {
		rte_mem_event_callback_unregister(CALLBACK_NAME, NULL);
		mem.hotplug = false;
		mem.nruns = 0;
	}
	note_runs();
	pthread_mutex_unlock(&mem.lock);
	rte_mcfg_mem_read_unlock();
	return rc;
}

void iop_mem_detach_ioas(struct iop_ioas *ioas)
{
	size_t k;

	if (rte_lcore_count() == 0)
		return; /* no EAL: nothing can have been attached */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&mem.lock);
	for (k = 0; k < mem.nioas && mem.ioas[k] != ioas; k++)
		;
	if (k < mem.nioas) {
		mem.ioas[k] = mem.ioas[--mem.nioas];
		unmap_runs(&ioas, 1, 0, mem.nruns);
		iop_ioas_set_release(ioas, NULL);
	}
	if (mem.nioas == 0) {
		if (mem.hotplug)
			rte_mem_event_callback_unregister(CALLBACK_NAME, NULL);
		mem.hotplug = false;
		free(mem.runs);
		mem.runs = NULL;
		mem.nruns = mem.cap = 0;
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
