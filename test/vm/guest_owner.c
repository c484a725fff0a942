/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-owner: opens one device through lib/iommu on iommufd, which owns
 * its IOMMU group for user DMA, prints "owned" and holds it until its
 * standard input ends (test/vm/guest-seeds.sh, seed 002).
 *
 *   iop-vm-owner BDF
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iop_iommu.h"
#include "iop_log.h"

int main(int argc, char **argv)
{
	struct iop_ctx_params p = { .backend = IOP_BACKEND_IOMMUFD };
	struct iop_ctx *ctx;
	struct iop_dev *dev;
	char c;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: iop-vm-owner BDF\n");
		return 2;
	}
	rc = iop_ctx_create(&p, &ctx);
	if (rc == 0)
		rc = iop_dev_open(ctx, argv[1], &dev);
	if (rc) {
		/* the errno too: the message is the backend's diagnosis */
		fprintf(stderr, "iop-vm-owner: %s (%s)\n", iop_err_msg(), strerror(-rc));
		return 1;
	}
	printf("owned\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	iop_dev_close(dev);
	iop_ctx_destroy(ctx);
	return 0;
}
