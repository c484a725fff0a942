/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOPATH_TEST_H
#define IOPATH_TEST_H

/*
 * iopath's test hooks, for test programs and software device models
 * (installed as <test/iopath_test.h>): the sim backend's device DMA, its
 * fault injection (fail the Nth backend call) and the counters that leak
 * checks read (iop_sim.h). Not for production apps: the app API is
 * <iopath.h>.
 */

#include "iop_sim.h"

#endif /* IOPATH_TEST_H */
