/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_MEM_H
#define IOP_MEM_H

/*
 * lib/mem: DPDK's memory in every IOAS, and the quiescent states that make
 * taking memory out of an IOAS safe while queues translate (doc/memory.md).
 *
 * Memory: iop_mem_attach_ioas() maps every DPDK memseg (hugepages and
 * memory registered with rte_extmem_register) into an IOAS, one map call
 * per contiguous run; the first IOAS pins the pages, later IOAS get them by
 * copy where the backend can. Memory DPDK allocates later (hotplug) is
 * mapped into every attached IOAS before DPDK hands it out; memory DPDK
 * frees is unmapped only after every forwarding thread passed a quiescent
 * state.
 *
 * Forwarding threads: every thread that polls queues (and so holds IOVAs in
 * an iop_iova_cache) calls iop_mem_thread_register() once, then
 * iop_mem_quiescent() once per poll loop, after its bursts:
 *
 *     iop_mem_thread_register();
 *     while (running) {
 *             for each queue: iop_iova_cache_sync(); rx/tx burst;
 *             iop_mem_quiescent();
 *     }
 *     iop_mem_thread_unregister();
 *
 * A registered thread that stops polling for a while (sleeps, blocks, or
 * calls rte_malloc/rte_free, which may wait on DPDK's memory lock) must call
 * iop_mem_thread_offline() first and iop_mem_thread_online() after:
 * otherwise freeing memory waits for it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iop_ioas;
struct rte_mempool;

#define IOP_MEM_MAX_THREADS 128

/* --- forwarding threads -------------------------------------------------- */

/* Registers the calling thread (online). 0 if already registered; -ENOSPC
 * beyond IOP_MEM_MAX_THREADS. */
int iop_mem_thread_register(void);
void iop_mem_thread_unregister(void);
/* "This thread holds no IOVA from before this point": once per poll loop. */
void iop_mem_quiescent(void);
void iop_mem_thread_offline(void);
void iop_mem_thread_online(void);
/* Waits until every registered, online thread has called
 * iop_mem_quiescent() (the caller counts as quiescent). */
void iop_mem_synchronize(void);

/* --- DPDK memory in IOAS (needs rte_eal_init, e.g. through iop_init) ----- */

/*
 * Maps all of DPDK's memory into ioas (read and write) and keeps it mapped
 * through hotplug until iop_mem_detach_ioas(). On failure nothing new stays
 * mapped and the message says what to change: -ENOMEM (RLIMIT_MEMLOCK too
 * low: the size needed), -ENOSPC (the IOAS's IOVA ranges are too small: the
 * sizes), -ENODEV (no DPDK memory: how to reserve hugepages).
 */
int iop_mem_attach_ioas(struct iop_ioas *ioas);
/* True between iop_mem_attach_ioas() and iop_mem_detach_ioas(). */
bool iop_mem_is_attached(const struct iop_ioas *ioas);
/* Quiesces and unmaps everything iop_mem mapped into ioas; after it, no
 * hotplug event touches ioas. iop_ioas_destroy() calls it for an IOAS
 * that is still attached. */
void iop_mem_detach_ioas(struct iop_ioas *ioas);
/* Brings every attached IOAS up to date with external memory: maps what
 * was registered with rte_extmem_register() since, and (quiesced) unmaps
 * what was unregistered with rte_extmem_unregister(), which DPDK announces
 * to nobody. Call it after either; after unregistering, before freeing
 * the memory. It is also a retry point for unmaps that failed (see
 * iop_mem_stale_list) and maps the memory that waited for them. */
int iop_mem_rescan(void);

/*
 * Takes [va, va+len), an exact earlier iop_ioas_map() range, out of ioas
 * safely: invalidates the queue caches, waits for every forwarding thread
 * to pass a quiescent state, then unmaps. After it returns no queue
 * translates into the range (lookups give IOP_IOVA_POISON).
 */
int iop_mem_unmap(struct iop_ioas *ioas, void *va, size_t len);

struct iop_mem_stats {
	/* now: what every attached IOAS holds (0 when none is attached) */
	uint64_t runs;       /* contiguous runs mapped (one map call per IOAS each) */
	uint64_t bytes;      /* bytes of DPDK memory mapped */
	/* since the start of the process */
	uint64_t map_calls;  /* iop_ioas_map calls made, all IOAS */
	uint64_t unmap_calls;
	uint64_t hotplug_alloc; /* memory events seen */
	uint64_t hotplug_free;
	/* unmaps that failed: the IOMMU still maps memory that was freed */
	uint64_t unmap_failures; /* since the start of the process */
	uint64_t unmap_retried;  /* of those, done later by a retry */
	uint64_t stale;          /* now: failed unmaps still being retried */
};
void iop_mem_get_stats(struct iop_mem_stats *st);

/* --- mempools ------------------------------------------------------------ */

/* The virtual address range from the first to the last byte of a mempool's
 * memory chunks, for iop_iova_cache_set_run(): 0, or -ENOENT for a pool
 * with no memory yet (populate it first). */
int iop_mem_pool_span(struct rte_mempool *mp, void **va, size_t *len);

/*
 * An unmap that failed. Its mapping stays in the IOAS (the IOMMU still
 * maps it) but is stale: nothing translates through it (buffers there
 * give IOP_IOVA_POISON and PMDs drop them), memory DPDK hands out again at
 * its address is mapped only once the unmap succeeds. lib/mem retries it
 * at every memory event, iop_mem_rescan() and iop_mem_detach_ioas().
 */
struct iop_mem_stale {
	unsigned int ioas_id;
	void *va;
	uint64_t len;
	int err;           /* negative errno of the latest attempt */
	uint64_t attempts;
};
/* Copies up to max failed unmaps into out; returns how many there are. */
size_t iop_mem_stale_list(struct iop_mem_stale *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* IOP_MEM_H */
