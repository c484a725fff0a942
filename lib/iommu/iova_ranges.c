/* SPDX-License-Identifier: BSD-3-Clause */
#include "iova_ranges.h"

size_t iop_iova_ranges_intersect(const struct iop_iova_range *a, size_t na,
				 const struct iop_iova_range *b, size_t nb,
				 struct iop_iova_range *out, size_t max)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb && n < max) {
		uint64_t first = a[i].first > b[j].first ? a[i].first : b[j].first;
		uint64_t last = a[i].last < b[j].last ? a[i].last : b[j].last;

		if (first <= last)
			out[n++] = (struct iop_iova_range){ first, last };
		if (a[i].last < b[j].last)
			i++;
		else
			j++;
	}
	return n;
}
