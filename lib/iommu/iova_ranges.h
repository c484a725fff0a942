/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_IOVA_RANGES_H
#define IOP_IOVA_RANGES_H

#include <stddef.h>

#include "iop_iommu.h"

/*
 * The IOVA an IOAS allows is what every attached group allows: the
 * intersection of their ranges. One place for it: the sim computes an
 * IOAS's ranges with it, and the core predicts a planned IOAS's ranges
 * with it before any group is attached.
 *
 * Intersects the sorted disjoint lists a and b into out (at most max
 * ranges, sorted and disjoint); returns how many it wrote.
 */
size_t iop_iova_ranges_intersect(const struct iop_iova_range *a, size_t na,
				 const struct iop_iova_range *b, size_t nb,
				 struct iop_iova_range *out, size_t max);

#endif /* IOP_IOVA_RANGES_H */
