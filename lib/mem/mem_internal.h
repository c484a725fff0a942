/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_MEM_INTERNAL_H
#define IOP_MEM_INTERNAL_H

#include <stdint.h>

#include "iova_table.h"

/* Removes [va, va+len) from t (new generation: queue caches flush at their
 * next burst), then waits until every forwarding thread passed a quiescent
 * state. After it returns, no queue holds an IOVA of the range. */
void mem_invalidate(struct iop_iova_table *t, uintptr_t va, uint64_t len);

/* Takes DPDK's memory out of every attached IOAS (iop_cleanup). */
void mem_detach_all(void);

#endif /* IOP_MEM_INTERNAL_H */
