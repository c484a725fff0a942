/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-mem: DPDK's hugepages mapped for DMA through a real IOMMU backend,
 * for devices on vfio-pci: by default those of a guest of
 * test/vm/run-guest, nic0 (0000:00:02.0) and the bridged pair
 * (0000:01:01.0, 0000:01:02.0); on a host (the hw tier), the NICs given.
 *
 *   iop-vm-mem EAL-ARGS -- --iommu=iommufd|vfio -- [--aperture=BITS] [BDF...]
 *
 * One IOAS per IOMMU group of the devices (per-device layout, a group's
 * devices merged) receives all of DPDK's memory, one map call per
 * contiguous run and IOAS; an rte_malloc buffer must then translate, in
 * every IOAS, to an IOVA inside the ranges the kernel reports for it, and
 * inside the IOMMU's aperture when --aperture gives it (the guests'
 * vIOMMU). Exit 1 on any failure.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_malloc.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"

#define MAX_DEVS 16

static int failures;

/* The IOMMU groups among the devices, from sysfs: what the per-device
 * layout must give one IOAS each. */
static size_t count_groups(const char *const *bdfs, size_t n)
{
	char seen[MAX_DEVS][PATH_MAX];
	size_t groups = 0;

	for (size_t i = 0; i < n; i++) {
		char link[PATH_MAX], target[PATH_MAX];
		ssize_t len;
		size_t j;

		snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdfs[i]);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			return 0;
		target[len] = '\0';
		for (j = 0; j < groups && strcmp(seen[j], target); j++)
			;
		if (j == groups)
			strcpy(seen[groups++], target);
	}
	return groups;
}

static bool in_ranges(struct iop_ioas *ioas, uint64_t first, uint64_t last)
{
	struct iop_iova_range r[16];
	size_t n = 0;

	if (iop_ioas_ranges(ioas, r, 16, &n))
		return false;
	for (size_t i = 0; i < n && i < 16; i++)
		if (first >= r[i].first && last <= r[i].last)
			return true;
	return false;
}

static void check(bool ok, const char *name, const char *detail)
{
	printf("%s - %s%s%s\n", ok ? "ok" : "not ok", name, ok ? "" : ": ", ok ? "" : detail);
	if (!ok)
		failures++;
}

int main(int argc, char **argv)
{
	const char *bdfs[MAX_DEVS] = { "0000:00:02.0", "0000:01:01.0", "0000:01:02.0" };
	struct iop_dev *devs[MAX_DEVS] = { 0 };
	struct iop_ioas *ioas[MAX_DEVS] = { 0 };
	struct iop_mem_stats st;
	struct iop_plan plan;
	struct iop_ctx *ctx;
	unsigned int aperture = 0; /* 0: not known, only the kernel's ranges */
	size_t ndevs = 3, groups;
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
	argc--;
	argv++;
	if (argc > 0 && !strncmp(argv[0], "--aperture=", 11)) {
		aperture = (unsigned int)atoi(argv[0] + 11);
		argc--;
		argv++;
	}
	if (argc > MAX_DEVS) {
		printf("not ok - at most %d devices\n", MAX_DEVS);
		iop_cleanup();
		return 2;
	}
	if (argc > 0) {
		ndevs = (size_t)argc;
		for (i = 0; i < ndevs; i++)
			bdfs[i] = argv[i];
	}
	ctx = iop_ctx_get();
	printf("iop-vm-mem: backend %s, %zu device(s), aperture %u bits%s\n",
	       iop_backend_name(iop_ctx_backend(ctx)), ndevs, aperture,
	       aperture ? "" : " (not given: the kernel's ranges only)");

	groups = count_groups(bdfs, ndevs);
	rc = iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, false, bdfs, ndevs, &plan);
	if (rc == 0)
		rc = iop_plan_apply(ctx, &plan, bdfs, ndevs, devs, ioas);
	snprintf(detail, sizeof(detail), "rc %d, %zu IOAS for %zu IOMMU group(s): %s", rc,
		 rc ? 0 : (size_t)plan.nioas, groups, iop_err_msg());
	check(rc == 0 && groups > 0 && plan.nioas == groups,
	      "per-device layout: one IOAS per IOMMU group of the devices", detail);
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
		check(rc == 0 && in_ranges(ioas[i], iova, iova + 4095),
		      "an rte_malloc buffer translates inside the IOAS's IOVA ranges", detail);
		if (aperture)
			check(rc == 0 && iova + 4095 < (1ull << aperture),
			      "an rte_malloc buffer translates inside the aperture", detail);
		if (aperture && (uintptr_t)buf + 4095 >= (1ull << aperture))
			check(rc == 0 && iova != (uintptr_t)buf, "IOVA != VA where VA is beyond the aperture",
			      detail);
	}
	rte_free(buf);
	for (i = 0; i < plan.nioas; i++)
		iop_mem_detach_ioas(ioas[i]);
	for (i = 0; i < ndevs; i++)
		iop_dev_close(devs[i]);
	for (i = 0; i < plan.nioas; i++)
		iop_ioas_destroy(ioas[i]);
out:
	iop_cleanup();
	printf("iop-vm-mem: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
