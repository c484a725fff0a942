/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOPATH_H
#define IOPATH_H

/*
 * iopath's app API in one include: start-up (iop_init.h), ports
 * (iop_port.h), IOMMU contexts, devices and IOAS (iop_iommu.h), DPDK memory
 * in IOAS and the forwarding threads' quiescent states (iop_mem.h), the
 * per-queue IOVA cache (iop_iova_cache.h), errors and log (iop_log.h) and
 * the version (iop_version.h). Guide: doc/sdk.md and iopath(7).
 *
 * Writing a driver instead: driver/iopath_driver.h.
 */

#include "iop_version.h"
#include "iop_log.h"
#include "iop_iommu.h"
#include "iop_init.h"
#include "iop_mem.h"
#include "iop_iova_cache.h"
#include "iop_port.h"

#endif /* IOPATH_H */
