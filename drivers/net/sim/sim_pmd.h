/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_PMD_H
#define IOP_SIM_PMD_H

#include <stdint.h>

struct sim_wire;

/* The wire of sim port `port`, or NULL if it is not an open sim port
 * (the pair wire finds its peer with it). */
struct sim_wire *sim_port_wire(uint16_t port);

#endif /* IOP_SIM_PMD_H */
