/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOAS a benchmark maps into, with the devices of --dev attached one per
 * IOAS. The sim and iommufd backends map into an IOAS with no device; the
 * VFIO type1 backend needs a group in each container first.
 */
#include <stdio.h>

#include "bench.h"
#include "iop_init.h"
#include "iop_log.h"

void bench_ioas_destroy(struct bench_ioas *s)
{
	for (unsigned int i = 0; i < s->n; i++) {
		if (s->dev[i])
			iop_dev_close(s->dev[i]);
		iop_ioas_destroy(s->ioas[i]);
	}
	s->n = 0;
}

int bench_ioas_create(const struct bench_args *a, unsigned int k, struct bench_ioas *s)
{
	int rc = 0;

	s->n = 0;
	for (unsigned int i = 0; i < k && !rc; i++) {
		s->dev[i] = NULL;
		rc = iop_ioas_create(iop_ctx_get(), &s->ioas[i]);
		if (rc)
			break;
		s->n++;
		if (i < a->ndevs) {
			rc = iop_dev_open(iop_ctx_get(), a->devs[i], &s->dev[i]);
			if (rc == 0) {
				rc = iop_dev_attach(s->dev[i], s->ioas[i]);
				if (rc) {
					iop_dev_close(s->dev[i]);
					s->dev[i] = NULL;
				}
			}
		}
	}
	if (rc) {
		fprintf(stderr, "iop-bench: %s\n", iop_err_msg());
		bench_ioas_destroy(s);
	}
	return rc;
}
