/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-core: lib/iommu's API on a real backend, run in a guest of
 * test/vm/run-guest (layout there: nic0 0000:00:02.0 alone in its group, br0
 * 0000:01:01.0 and br1 0000:01:02.0 in group 5 with the bridge).
 *
 *   iop-vm-core --iommu=iommufd|vfio --aperture=39|48 viable
 *       nic0, br0, br1 on vfio-pci: rules 1, 2, 5 on group 5, shared and
 *       per-device layouts, IOVA placement in the aperture
 *   iop-vm-core --iommu=iommufd|vfio --aperture=39|48 not-viable
 *       br0 on vfio-pci, br1 on e1000e: rule 4 and its message
 *
 * Prints one line per check ("ok - ..." / "not ok - ..."); exit 1 on any
 * failure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "iop_iommu.h"
#include "iop_log.h"
#include "vm_check.h"

#define NIC0 "0000:00:02.0"
#define BR0 "0000:01:01.0"
#define BR1 "0000:01:02.0"
#define BR_GROUP 5u

static unsigned int aperture = 39;

/* Rules 1 and 2 (seed 000) on the bridged group through the core. */
static void rule1_rule2(struct iop_ctx *ctx)
{
	struct iop_dev *a = NULL, *b = NULL;
	struct iop_ioas *A = NULL, *B = NULL;
	int rc;

	CHECK_RC(iop_dev_open(ctx, BR0, &a), 0, "open br0");
	CHECK_RC(iop_dev_open(ctx, BR1, &b), 0, "open br1");
	if (!a || !b)
		goto out;
	CHECK_RC(iop_ioas_create(ctx, &A), 0, "create IOAS A");
	CHECK_RC(iop_ioas_create(ctx, &B), 0, "create IOAS B");
	if (!A || !B)
		goto out;
	CHECK_RC(iop_dev_attach(a, A), 0, "rule1: first device attaches the group to A");
	rc = iop_dev_attach(b, B);
	CHECK_RC(rc, -EINVAL, "rule2: sibling cannot join B");
	CHECK_MSG(BR1, "rule2: message names the device");
	CHECK_MSG(BR0, "rule2: message names the sibling");
	CHECK_MSG("group 5", "rule2: message names the group");
	CHECK_RC(iop_dev_attach(b, A), 0, "rule2: sibling joins A");
	CHECK_RC(iop_dev_detach(a), 0, "rule1: detach one device");
	check(iop_dev_ioas(b) == A, "rule1: group stays on A with the sibling attached", "br1 not on A");
	CHECK_RC(iop_dev_attach(a, B), -EINVAL, "rule1: detached device still cannot go to B");
	CHECK_RC(iop_dev_detach(b), 0, "rule1: last device detaches the group");
	CHECK_RC(iop_dev_attach(a, B), 0, "rule1: group free again, br0 attaches to B");
	CHECK_RC(iop_dev_attach(b, B), 0, "rule1: br1 joins B");
	{
		struct iop_dev *both[2] = { a, b };
		struct iop_dev *one[1] = { a };

		/* rule 5: a group moves whole (detach all, attach all, or the
		 * kernel's group-wide replace) */
		CHECK_RC(iop_dev_move(one, 1, A), -EINVAL, "rule5: moving one device of a group is refused");
		check(iop_dev_ioas(a) == B && iop_dev_ioas(b) == B, "rule5: refused move leaves both on B",
		      "br0 on %u, br1 on %u", iop_dev_ioas(a) ? iop_ioas_id(iop_dev_ioas(a)) : 0,
		      iop_dev_ioas(b) ? iop_ioas_id(iop_dev_ioas(b)) : 0);
		CHECK_RC(iop_dev_move(both, 2, A), 0, "rule5: the whole group moves to A");
		check(iop_dev_ioas(a) == A && iop_dev_ioas(b) == A, "rule5: both devices on A", "not both on A");
	}
	CHECK_RC(iop_ioas_destroy(B), 0, "destroy the empty IOAS B");
	B = NULL;
	CHECK_RC(iop_ioas_destroy(A), -EBUSY, "IOAS with devices attached is not destroyed");
out:
	iop_dev_close(a);
	iop_dev_close(b);
	if (A)
		iop_ioas_destroy(A);
	if (B)
		iop_ioas_destroy(B);
}

/* Maps a buffer and checks where its IOVA lands: IOVA = VA when VA fits
 * the aperture (48 bits), packed inside it otherwise (39 bits). */
static void check_placement(struct iop_ioas *ioas, const char *what)
{
	size_t len = 2u << 20;
	void *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uint64_t iova = 0, back = 0, va = (uintptr_t)buf;
	char name[96];
	int rc;

	if (buf == MAP_FAILED) {
		check(false, what, "mmap failed");
		return;
	}
	snprintf(name, sizeof(name), "%s: map 2 MiB", what);
	rc = iop_ioas_map(ioas, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova);
	CHECK_RC(rc, 0, name);
	if (rc == 0) {
		snprintf(name, sizeof(name), "%s: IOVA inside the %u-bit aperture", what, aperture);
		check(iova + len - 1 < (1ull << aperture), name, "iova 0x%llx", (unsigned long long)iova);
		snprintf(name, sizeof(name), "%s: IOVA %s VA", what,
			 va + len - 1 < (1ull << aperture) ? "=" : "!=");
		check((va + len - 1 < (1ull << aperture)) == (iova == va), name,
		      "va 0x%llx iova 0x%llx", (unsigned long long)va, (unsigned long long)iova);
		snprintf(name, sizeof(name), "%s: va2iova agrees", what);
		rc = iop_ioas_va2iova(ioas, (char *)buf + 4096, &back);
		check(rc == 0 && back == iova + 4096, name, "rc %d iova 0x%llx", rc, (unsigned long long)back);
		snprintf(name, sizeof(name), "%s: unmap", what);
		CHECK_RC(iop_ioas_unmap(ioas, buf, len), 0, name);
	}
	munmap(buf, len);
}

static void layouts(struct iop_ctx *ctx)
{
	const char *bdfs[3] = { NIC0, BR0, BR1 };
	struct iop_plan plan;
	struct iop_dev *devs[3] = { 0 };
	struct iop_ioas *ioas[3] = { 0 };
	size_t i;
	int rc;

	rc = iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, true, bdfs, 3, &plan);
	CHECK_RC(rc, -EINVAL, "per-device --strict refuses to split group 5");
	CHECK_MSG("per-group", "per-device --strict suggests per-group");

	rc = iop_plan_build(ctx, IOP_LAYOUT_PER_DEVICE, false, bdfs, 3, &plan);
	CHECK_RC(rc, 0, "per-device plan");
	check(rc == 0 && plan.nioas == 2 && plan.nmerged == 1 && plan.merged_group[0] == BR_GROUP,
	      "per-device: two IOAS, group 5 merged", "nioas %zu nmerged %zu", plan.nioas, plan.nmerged);
	if (rc == 0) {
		rc = iop_plan_apply(ctx, &plan, bdfs, 3, devs, ioas);
		CHECK_RC(rc, 0, "per-device apply");
		if (rc == 0) {
			struct iop_iova_range r[IOP_MAX_RANGES];
			size_t nr = 0, k;

			/* the plan's ranges come from sysfs; the kernel's
			 * after attach must be the same */
			for (k = 0; k < plan.nioas; k++) {
				rc = iop_ioas_ranges(ioas[k], r, IOP_MAX_RANGES, &nr);
				check(rc == 0 && plan.ioas[k].nranges == nr && nr > 0 &&
				      !memcmp(r, plan.ioas[k].ranges, nr * sizeof(*r)),
				      "plan's IOVA ranges are the kernel's after attach",
				      "plan %zu ranges (first ends 0x%llx), kernel %zu (first ends 0x%llx)",
				      plan.ioas[k].nranges, (unsigned long long)plan.ioas[k].ranges[0].last,
				      nr, (unsigned long long)r[0].last);
			}
			check(iop_dev_ioas(devs[0]) != iop_dev_ioas(devs[1]) &&
			      iop_dev_ioas(devs[1]) == iop_dev_ioas(devs[2]),
			      "per-device: nic0 alone, br0 and br1 together", "wrong IOAS assignment");
			check_placement(iop_dev_ioas(devs[0]), "per-device nic0 IOAS");
			check_placement(iop_dev_ioas(devs[1]), "per-device group 5 IOAS");
			for (i = 0; i < 3; i++)
				iop_dev_close(devs[i]);
			for (i = 0; i < plan.nioas; i++)
				iop_ioas_destroy(ioas[i]);
		}
	}

	rc = iop_plan_build(ctx, IOP_LAYOUT_SHARED, false, bdfs, 3, &plan);
	CHECK_RC(rc, 0, "shared plan");
	check(rc == 0 && plan.nioas == 1, "shared: one IOAS", "nioas %zu", plan.nioas);
	if (rc == 0) {
		memset(devs, 0, sizeof(devs));
		memset(ioas, 0, sizeof(ioas));
		rc = iop_plan_apply(ctx, &plan, bdfs, 3, devs, ioas);
		CHECK_RC(rc, 0, "shared apply");
		if (rc == 0) {
			check(iop_dev_ioas(devs[0]) == iop_dev_ioas(devs[1]) &&
			      iop_dev_ioas(devs[1]) == iop_dev_ioas(devs[2]),
			      "shared: every device on one IOAS", "not one IOAS");
			check_placement(ioas[0], "shared IOAS");
			for (i = 0; i < 3; i++)
				iop_dev_close(devs[i]);
			iop_ioas_destroy(ioas[0]);
		}
	}
}

static void not_viable(struct iop_ctx *ctx)
{
	struct iop_group_info gi;
	struct iop_dev *a = NULL;
	int rc;

	rc = iop_ctx_group_info(ctx, BR_GROUP, &gi);
	CHECK_RC(rc, 0, "group info of group 5");
	check(rc == 0 && !gi.viable, "rule4: group 5 is not viable", "reported viable");
	check(rc == 0 && strstr(gi.why, BR1) && strstr(gi.why, "e1000e"),
	      "rule4: why names br1 and its driver", "why: \"%s\"", gi.why);
	rc = iop_dev_open(ctx, BR0, &a);
	CHECK_RC(rc, -EPERM, "rule4: br0 cannot be opened");
	CHECK_MSG(BR1, "rule4: message names the offending sibling");
	CHECK_MSG("e1000e", "rule4: message names its driver");
	CHECK_MSG("iop-devices bind " BR1, "rule4: message gives the fix");
	if (rc == 0)
		iop_dev_close(a);
}

/* A read-write map of memory another IOAS maps read-only is a map of its
 * own: the kernel refuses a writable IOAS_COPY of read-only pages (EPERM),
 * so the core must not turn it into one. */
static void copy_keeps_protection(struct iop_ctx *ctx)
{
	const size_t len = 2u << 20;
	const unsigned int rw = IOP_PROT_READ | IOP_PROT_WRITE;
	struct iop_ioas *A = NULL, *B = NULL, *C = NULL;
	struct iop_dev *n = NULL;
	uint64_t ia, ib, ic, got;
	void *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		check(false, "copy: buffer", "mmap failed");
		return;
	}
	CHECK_RC(iop_dev_open(ctx, NIC0, &n), 0, "copy: open nic0");
	CHECK_RC(iop_ioas_create(ctx, &A), 0, "copy: create IOAS A");
	CHECK_RC(iop_ioas_create(ctx, &B), 0, "copy: create IOAS B");
	CHECK_RC(iop_ioas_create(ctx, &C), 0, "copy: create IOAS C");
	if (!n || !A || !B || !C)
		goto out;
	CHECK_RC(iop_dev_attach(n, B), 0, "copy: nic0 on B");
	CHECK_RC(iop_ioas_map(A, buf, len, IOP_PROT_READ, &ia), 0, "copy: map read-only into A");
	CHECK_RC(iop_ioas_map(B, buf, len, rw, &ib), 0,
		 "item1: read-write into B over A's read-only pages is a map, not a refused copy");
	CHECK_RC(iop_ioas_va2iova(B, (char *)buf + 4096, &got), 0, "copy: B translates the buffer");
	check(got == ib + 4096, "copy: B's translation is its own mapping", "0x%llx", (unsigned long long)got);
	CHECK_RC(iop_ioas_map(C, buf, len, IOP_PROT_READ, &ic), 0, "copy: read-only into C (a copy on iommufd)");
	CHECK_RC(iop_ioas_unmap(B, buf, len), 0, "copy: unmap B");
	CHECK_RC(iop_dev_detach(n), 0, "copy: detach nic0");
out:
	iop_dev_close(n);
	iop_ioas_destroy(C);
	iop_ioas_destroy(B);
	iop_ioas_destroy(A);
	munmap(buf, len);
}

int main(int argc, char **argv)
{
	struct iop_ctx_params p = { 0 };
	struct iop_ctx *ctx = NULL, *autoctx = NULL;
	const char *mode = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--iommu=", 8)) {
			if (iop_backend_parse(argv[i] + 8, &p.backend) < 0) {
				fprintf(stderr, "iop-vm-core: %s\n", iop_err_msg());
				return 2;
			}
		} else if (!strncmp(argv[i], "--aperture=", 11)) {
			aperture = (unsigned int)atoi(argv[i] + 11);
		} else {
			mode = argv[i];
		}
	}
	if (!mode || (strcmp(mode, "viable") && strcmp(mode, "not-viable")) ||
	    (p.backend != IOP_BACKEND_IOMMUFD && p.backend != IOP_BACKEND_VFIO) ||
	    (aperture != 39 && aperture != 48)) {
		fprintf(stderr, "usage: iop-vm-core --iommu=iommufd|vfio --aperture=39|48 viable|not-viable\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("iop-vm-core: backend %s, aperture %u bits, %s\n", iop_backend_name(p.backend),
	       aperture, mode);
	rc = iop_ctx_create(&p, &ctx);
	CHECK_RC(rc, 0, "context");
	if (rc)
		return 1;
	if (!strcmp(mode, "viable")) {
		struct iop_ctx_params ap = { .backend = IOP_BACKEND_AUTO };

		rc = iop_ctx_create(&ap, &autoctx);
		check(rc == 0 && iop_ctx_backend(autoctx) == IOP_BACKEND_IOMMUFD,
		      "auto picks iommufd when /dev/iommu and /dev/vfio/devices exist", "rc %d", rc);
		iop_ctx_destroy(autoctx);
		rule1_rule2(ctx);
		layouts(ctx);
		copy_keeps_protection(ctx);
	} else {
		not_viable(ctx);
	}
	iop_ctx_destroy(ctx);
	printf("iop-vm-core: %s: %d failure(s)\n", iop_backend_name(p.backend), failures);
	return failures ? 1 : 0;
}
