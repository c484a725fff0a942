/* SPDX-License-Identifier: BSD-3-Clause */
/* The sim topology parser (lib/iommu/sim/sim_topology.c) on any bytes:
 * it loads or refuses with a message, and a loaded topology is sound. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iop_log.h"
#include "sim_topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_topo t;

	if (sim_topo_load(fuzz_input_path(data, size), &t) != 0) {
		if (!iop_err_msg()[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	if (t.ndevs == 0)
		abort();
	for (size_t i = 0; i < t.ndevs; i++) {
		const char *bdf = t.devs[i].bdf;

		if (t.devs[i].group_index >= t.ngroups ||
		    t.groups[t.devs[i].group_index].id != t.devs[i].group)
			abort();
		/* a PCI function: device 0..1f, function 0..7 */
		if (strtoul(bdf + 8, NULL, 16) > 0x1f || bdf[11] > '7')
			abort();
	}
	for (size_t g = 0; g < t.ngroups; g++) {
		if (t.groups[g].nranges == 0)
			abort();
		for (size_t r = 0; r < t.groups[g].nranges; r++)
			if (t.groups[g].ranges[r].first > t.groups[g].ranges[r].last ||
			    (r && t.groups[g].ranges[r].first <= t.groups[g].ranges[r - 1].last))
				abort();
	}
	sim_topo_free(&t);
	return 0;
}
