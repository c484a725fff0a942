/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quiescent states of the threads that translate buffer addresses
 * (rte_rcu_qsbr). Before memory leaves an IOAS, lib/mem invalidates the
 * queue caches and then waits here until every registered thread has
 * finished the burst it was in: only then is no IOVA of that memory held
 * by a queue, and the unmap may proceed (the userspace form of the iommufd
 * access unmap callback).
 *
 * Needs no EAL: the QS variable lives in ordinary memory, so threads may
 * register before or without rte_eal_init.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <rte_rcu_qsbr.h>

#define IOP_LOG_PREFIX "mem: "
#include "iop_log.h"
#include "iop_mem.h"
#include "mem_internal.h"

static struct rte_rcu_qsbr *qsv;
static pthread_once_t qsv_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char id_used[IOP_MEM_MAX_THREADS];
static __thread int thread_id = -1;

static void qsv_alloc(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(IOP_MEM_MAX_THREADS);
	struct rte_rcu_qsbr *v = aligned_alloc(RTE_CACHE_LINE_SIZE,
		(sz + RTE_CACHE_LINE_SIZE - 1) & ~(size_t)(RTE_CACHE_LINE_SIZE - 1));

	if (v && rte_rcu_qsbr_init(v, IOP_MEM_MAX_THREADS) == 0)
		qsv = v;
	else
		free(v);
}

static struct rte_rcu_qsbr *qs_var(void)
{
	pthread_once(&qsv_once, qsv_alloc);
	return qsv;
}

int iop_mem_thread_register(void)
{
	struct rte_rcu_qsbr *v = qs_var();
	int id = -1;

	if (thread_id >= 0)
		return 0;
	if (!v)
		return IOP_ERR(ENOMEM, "cannot allocate the quiescent-state variable: out of memory");
	pthread_mutex_lock(&ids_lock);
	for (int i = 0; i < IOP_MEM_MAX_THREADS && id < 0; i++) {
		if (!id_used[i]) {
			id_used[i] = 1;
			id = i;
		}
	}
	pthread_mutex_unlock(&ids_lock);
	if (id < 0)
		return IOP_ERR(ENOSPC, "more than %d forwarding threads registered with iop_mem_thread_register(): "
			       "unregister threads that no longer poll", IOP_MEM_MAX_THREADS);
	rte_rcu_qsbr_thread_register(v, (unsigned int)id);
	rte_rcu_qsbr_thread_online(v, (unsigned int)id);
	thread_id = id;
	return 0;
}

void iop_mem_thread_unregister(void)
{
	if (thread_id < 0)
		return;
	rte_rcu_qsbr_thread_offline(qsv, (unsigned int)thread_id);
	rte_rcu_qsbr_thread_unregister(qsv, (unsigned int)thread_id);
	pthread_mutex_lock(&ids_lock);
	id_used[thread_id] = 0;
	pthread_mutex_unlock(&ids_lock);
	thread_id = -1;
}

void iop_mem_quiescent(void)
{
	if (thread_id >= 0)
		rte_rcu_qsbr_quiescent(qsv, (unsigned int)thread_id);
}

void iop_mem_thread_offline(void)
{
	if (thread_id >= 0)
		rte_rcu_qsbr_thread_offline(qsv, (unsigned int)thread_id);
}

void iop_mem_thread_online(void)
{
	if (thread_id >= 0)
		rte_rcu_qsbr_thread_online(qsv, (unsigned int)thread_id);
}

void iop_mem_synchronize(void)
{
	struct rte_rcu_qsbr *v = qs_var();
	uint64_t token;

	/* no variable: no thread could register, none to wait for */
	if (!v)
		return;
	token = rte_rcu_qsbr_start(v);
	/* the caller may itself be a registered thread: it is quiescent here */
	if (thread_id >= 0)
		rte_rcu_qsbr_quiescent(v, (unsigned int)thread_id);
	rte_rcu_qsbr_check(v, token, true);
}

void mem_invalidate(struct iop_iova_table *t, uintptr_t va, uint64_t len)
{
	/* new generation first, then wait: every burst that began before it
	 * has ended, and every later burst starts with an empty cache */
	iop_iova_table_remove(t, va, len);
	iop_mem_synchronize();
}
