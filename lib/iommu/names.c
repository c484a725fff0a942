/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line names of backends and layouts. */
#include <errno.h>
#include <string.h>

#include "iop_iommu.h"
#include "iop_log.h"

static const char *const backend_names[] = {
	[IOP_BACKEND_AUTO] = "auto",
	[IOP_BACKEND_IOMMUFD] = "iommufd",
	[IOP_BACKEND_VFIO] = "vfio",
	[IOP_BACKEND_SIM] = "sim",
};

static const char *const layout_names[] = {
	[IOP_LAYOUT_SHARED] = "shared",
	[IOP_LAYOUT_PER_DEVICE] = "per-device",
	[IOP_LAYOUT_PER_GROUP] = "per-group",
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

int iop_backend_parse(const char *name, enum iop_backend_kind *kind)
{
	for (size_t i = 0; i < NELEMS(backend_names); i++) {
		if (name && strcmp(name, backend_names[i]) == 0) {
			*kind = (enum iop_backend_kind)i;
			return 0;
		}
	}
	return iop_err(EINVAL, "unknown IOMMU backend '%s': use --iommu=auto, iommufd, vfio or sim",
		       name ? name : "");
}

const char *iop_backend_name(enum iop_backend_kind kind)
{
	if ((size_t)kind >= NELEMS(backend_names))
		return "?";
	return backend_names[kind];
}

int iop_layout_parse(const char *name, enum iop_layout *layout)
{
	for (size_t i = 0; i < NELEMS(layout_names); i++) {
		if (name && strcmp(name, layout_names[i]) == 0) {
			*layout = (enum iop_layout)i;
			return 0;
		}
	}
	return iop_err(EINVAL, "unknown IOAS layout '%s': use --ioas=shared, per-device or per-group",
		       name ? name : "");
}

const char *iop_layout_name(enum iop_layout layout)
{
	if ((size_t)layout >= NELEMS(layout_names))
		return "?";
	return layout_names[layout];
}
