/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_TEST_MEM_FIXTURE_H
#define IOP_TEST_MEM_FIXTURE_H

/*
 * Shared by the lib/mem unit tests that run DPDK on the sim backend:
 * topology files, IOAS and device set-up, the leak check on the sim's
 * counters and the exit code of a failed iop_init.
 */

#include "iop_iommu.h"
#include "iop_sim.h"

/* Writes text to path; exits 1 with the reason if it cannot. */
void write_file(const char *path, const char *text);

/* An IOAS of iopath's context (asserts success). */
struct iop_ioas *new_ioas(void);
/* Device bdf opened and attached to ioas (asserts success). */
struct iop_dev *open_on(const char *bdf, struct iop_ioas *ioas);

/* Asserts that the sim holds as many mappings and pinned pages as c0. */
void assert_sim_counters_back(const struct iop_sim_counters *c0);

/* What main returns when iop_init gave rc < 0, after saying why: 77
 * (skipped) when the EAL cannot get hugepages here, 1 otherwise. */
int init_failure_exit(int rc);

#endif /* IOP_TEST_MEM_FIXTURE_H */
