/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_OWNER_H
#define IOP_SIM_OWNER_H

/* DMA ownership of sim groups across processes (sim_owner.c). */

#include "sim_internal.h"

/* Names c's machine: its topology file's device, inode and real path (an
 * inode number alone is reused once a file is deleted). */
void sim_machine_id(struct sim_ctx *c, const char *topology);
/* Binds d for c's iommufd: 0, -EINVAL when another context (this process
 * or another) has it bound, or the error of the lock file (with a
 * message). */
int sim_dev_claim(const struct sim_ctx *c, struct sim_dev *d);
void sim_dev_release(const struct sim_ctx *c, struct sim_dev *d);
/* Owns g for c's iommufd: 0, -EPERM when another context (this process or
 * another) owns it, or the error of the lock file (with a message). */
int sim_group_claim(const struct sim_ctx *c, struct sim_group *g);
void sim_group_release(const struct sim_ctx *c, struct sim_group *g);
/* 1 when some context owns g for user DMA, 0 when none, or -errno. */
int sim_group_owned(const struct sim_ctx *c, const struct sim_group *g);

#endif /* IOP_SIM_OWNER_H */
