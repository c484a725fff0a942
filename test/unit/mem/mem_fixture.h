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

/* A lib/mem test program's start and end, for its main(). */
struct mem_main {
	const char *name;            /* the program: argv[0], file prefix */
	const char *topology;        /* the sim topology's text */
	const char *const *eal;      /* EAL options (-l ...), NULL-terminated */
	const char *const *iopath;   /* iopath options after --ioas=per-group
				      * (a "--" then the app's), NULL-terminated */
	/* after iop_init succeeded: rc its return, argv the whole command
	 * line; returns main's exit code (the tests' result) */
	int (*run)(int rc, char **argv);
};

/*
 * Writes m->topology to its own file (path in topo_path, 64 bytes), runs
 *   NAME EAL... --in-memory -m 32 --file-prefix=NAME_PID --
 *   --iommu=sim --sim-topology=FILE --ioas=per-group IOPATH...
 * through iop_init, then m->run, iop_cleanup, and removes the file.
 * Returns main's exit code (init_failure_exit's if iop_init fails).
 */
int mem_fixture_main(const struct mem_main *m, char topo_path[64]);

#endif /* IOP_TEST_MEM_FIXTURE_H */
