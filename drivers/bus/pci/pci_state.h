/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PCI_STATE_H
#define IOP_PCI_STATE_H

#include <stdbool.h>

#include "iop_iommu.h"

/*
 * The records bind keeps for unbind (<state_dir>/<BDF>.driver: the driver
 * a device had), kept as a careful daemon keeps its state: the folder is
 * ours alone (0700, owned by the user running us, not a symlink), a
 * record is a regular file opened without following links, written whole
 * (temp file, then rename) with mode 0600 whatever the umask.
 */

/* Opens the state folder (created if create and missing): an fd, -ENOENT
 * when it is missing and !create, or -errno with a message when it is not
 * safe to use. */
int pci_state_open(const char *state_dir, bool create);
/* The driver recorded for bdf into drv ("" when there is no record);
 * -errno with a message for a record that is not a regular file of ours
 * or does not hold a driver name. */
int pci_state_read(int dir_fd, const char *state_dir, const char *bdf,
		   char drv[IOP_DRIVER_LEN]);
/* Records drv for bdf, atomically. 0 or -errno with a message. */
int pci_state_write(int dir_fd, const char *state_dir, const char *bdf, const char *drv);
/* Removes bdf's record; no record is not an error. */
void pci_state_remove(int dir_fd, const char *bdf);

/* Whether name can be a kernel driver's name: the characters Linux driver
 * names use, and never a path (no '/', not "." or ".."). */
bool pci_driver_name_ok(const char *name);

#endif /* IOP_PCI_STATE_H */
