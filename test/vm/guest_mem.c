/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-mem: DPDK's hugepages mapped for DMA through a real IOMMU backend,
 * in a guest of test/vm/run-guest with nic0 (0000:00:02.0) and the bridged
 * pair (0000:01:01.0, 0000:01:02.0) on vfio-pci.
 *
 *   iop-vm-mem EAL-ARGS -- --iommu=iommufd|vfio --aperture=39|48
 *
 * Two IOAS (nic0 alone, the pair together: per-device with the group
 * merged) receive all of DPDK's memory; an rte_malloc buffer must then
 * translate to an IOVA inside the vIOMMU's aperture in both, one map call
 * per contiguous run and IOAS. Exit 1 on any failure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"

static int failures;

static void check(bool ok, const char *name, const char *detail)
{
	printf("%s - %s%s%s\n", ok ? "ok" : "not ok", name, ok ? "" : ": ", ok ? "" : detail);
	if (!ok)
		failures++;
}

int main(int argc, char **argv)
{
	const char *bdfs[3] = { "0000:00:02.0", "0000:01:01.0", "0000:01:02.0" };
	struct iop_dev *devs[3] = { 0 };
	struct iop_ioas *ioas[3] = { 0 };
	struct iop_mem_stats st;
	struct iop_plan plan;
	struct iop_ctx *ctx;
	unsigned int aperture = 39;
	char detail[256];
	uint64_t iova;
	void *buf;
	size_t i;
	int n, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = iop_init(argc, argv);
	if (n < 0) {
		printf("not ok - iop_init: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc > 1 && !strncmp(argv[1], "--aperture=", 11))
		aperture = (unsigned int)atoi(argv[1] + 11);
	ctx = iop_ctx_get();
	printf("iop-vm-mem: backend %s, aperture %u bits\n",
	       iop_backend_name(iop_ctx_backend(ctx)), aperture);

	rc = iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, false, bdfs, 3, &plan);
	if (rc == 0)
		rc = iop_plan_apply(ctx, &plan, bdfs, 3, devs, ioas);
	snprintf(detail, sizeof(detail), "%s", iop_err_msg());
	check(rc == 0 && plan.nioas == 2, "per-device layout over nic0 and group 5", detail);
	if (rc)
		goto out;
	for (i = 0; i < plan.nioas; i++) {
		rc = iop_mem_attach_ioas(ioas[i]);
		snprintf(detail, sizeof(detail), "rc %d: %s", rc, iop_err_msg());
		check(rc == 0, "DPDK memory mapped into the IOAS", detail);
	}
	iop_mem_get_stats(&st);
	snprintf(detail, sizeof(detail), "runs %llu bytes %llu map calls %llu",
		 (unsigned long long)st.runs, (unsigned long long)st.bytes,
		 (unsigned long long)st.map_calls);
	printf("iop-vm-mem: %s\n", detail);
	check(st.runs > 0 && st.bytes >= (2u << 20), "hugepage memory was mapped", detail);
	check(st.map_calls == st.runs * plan.nioas, "one map call per contiguous run and IOAS", detail);

	buf = rte_malloc(NULL, 4096, 4096);
	check(buf != NULL, "rte_malloc", "no memory");
	for (i = 0; buf && i < plan.nioas; i++) {
		rc = iop_ioas_va2iova(ioas[i], buf, &iova);
		snprintf(detail, sizeof(detail), "rc %d va %p iova 0x%llx", rc, buf,
			 (unsigned long long)iova);
		check(rc == 0 && iova + 4095 < (1ull << aperture),
		      "an rte_malloc buffer translates inside the aperture", detail);
		if ((uintptr_t)buf + 4095 >= (1ull << aperture))
			check(rc == 0 && iova != (uintptr_t)buf, "IOVA != VA where VA is beyond the aperture",
			      detail);
	}
	rte_free(buf);
	for (i = 0; i < plan.nioas; i++)
		iop_mem_detach_ioas(ioas[i]);
	for (i = 0; i < 3; i++)
		iop_dev_close(devs[i]);
	for (i = 0; i < plan.nioas; i++)
		iop_ioas_destroy(ioas[i]);
out:
	iop_cleanup();
	printf("iop-vm-mem: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
