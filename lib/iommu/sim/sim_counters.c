/* SPDX-License-Identifier: BSD-3-Clause */
/* Fault injection (fail the Nth backend call) and leak counters. */
#include <errno.h>

#include "iop_sim.h"
#include "sim_internal.h"

static uint64_t calls;
static uint64_t fail_at;
static struct iop_sim_counters live;

/* Rule 8 (the iommufd_fail_nth selftest, see seeds/README): every failable
 * backend call passes here, so a test can fail each one in turn. */
int sim_call(void)
{
	uint64_t n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);

	return n == __atomic_load_n(&fail_at, __ATOMIC_RELAXED) ? -ENOMEM : 0;
}

void iop_sim_fail_nth(uint64_t n)
{
	__atomic_store_n(&calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_at, n, __ATOMIC_RELAXED);
}

uint64_t iop_sim_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

void sim_count_fds(int delta)
{
	__atomic_add_fetch(&live.open_fds, (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
}

void sim_count_allocs(int delta)
{
	__atomic_add_fetch(&live.allocations, (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
}

void sim_count_mappings(int delta)
{
	__atomic_add_fetch(&live.mappings, (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
}

void sim_count_pinned(int64_t delta)
{
	__atomic_add_fetch(&live.pinned_pages, (uint64_t)delta, __ATOMIC_RELAXED);
}

void iop_sim_counters(struct iop_sim_counters *c)
{
	c->open_fds = __atomic_load_n(&live.open_fds, __ATOMIC_RELAXED);
	c->allocations = __atomic_load_n(&live.allocations, __ATOMIC_RELAXED);
	c->mappings = __atomic_load_n(&live.mappings, __ATOMIC_RELAXED);
	c->pinned_pages = __atomic_load_n(&live.pinned_pages, __ATOMIC_RELAXED);
}
