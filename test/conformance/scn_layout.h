/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SCN_LAYOUT_H
#define IOP_SCN_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#define SCN_LAYOUT_MAX 16

/* One line of a layout file: "BDF GROUP DRIVER" (DRIVER "none": leave it). */
struct layout_dev {
	char bdf[16];
	unsigned int group;
	char driver[32];
};

/* Reads up to SCN_LAYOUT_MAX devices; -1 with a message if path cannot be
 * opened. */
int scn_layout_load(const char *path, struct layout_dev *layout, size_t *nlayout);
bool scn_device_present(const char *bdf);
/* Puts a guest device on vfio-pci (vfio) or back on its own driver. */
int scn_rebind(const struct layout_dev *d, bool vfio);

#endif
