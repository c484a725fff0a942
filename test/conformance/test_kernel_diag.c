/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real backends' diagnosis of a machine that cannot run them, on a fake
 * /sys and /dev (no root, no IOMMU): every root cause gets its message.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "iommu_backend.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "sysfs.h"

struct fake {
	char root[64];
	char sys[128];
	char dev[128];
};

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A PCI device in the fake sysfs: group, driver ("none": no link), cdev. */
static void add_device(struct fake *fk, const char *bdf, int group,
		       const char *driver, const char *cdev)
{
	char d[256], t[512], p[PATH_MAX];

	snprintf(d, sizeof(d), "%s/bus/pci/devices/%s", fk->sys, bdf);
	mkdirs(d);
	snprintf(p, sizeof(p), "%s/vendor", d);
	put(p, "0x8086\n");
	snprintf(p, sizeof(p), "%s/device", d);
	put(p, "0x10d3\n");
	snprintf(p, sizeof(p), "%s/numa_node", d);
	put(p, "-1\n");
	if (group >= 0) {
		snprintf(t, sizeof(t), "%s/kernel/iommu_groups/%d/devices", fk->sys, group);
		mkdirs(t);
		snprintf(p, sizeof(p), "%s/%s", t, bdf);
		assert_int_equal(symlink(d, p), 0);
		snprintf(t, sizeof(t), "../../../kernel/iommu_groups/%d", group);
		snprintf(p, sizeof(p), "%s/iommu_group", d);
		assert_int_equal(symlink(t, p), 0);
	}
	if (strcmp(driver, "none")) {
		snprintf(t, sizeof(t), "../../../bus/pci/drivers/%s", driver);
		snprintf(p, sizeof(p), "%s/driver", d);
		assert_int_equal(symlink(t, p), 0);
	}
	if (cdev) {
		snprintf(p, sizeof(p), "%s/vfio-dev/%s", d, cdev);
		mkdirs(p);
	}
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	snprintf(fk->root, sizeof(fk->root), "/tmp/iop-diag-XXXXXX");
	if (!mkdtemp(fk->root))
		return -1;
	snprintf(fk->sys, sizeof(fk->sys), "%s/sys", fk->root);
	snprintf(fk->dev, sizeof(fk->dev), "%s/dev", fk->root);
	mkdirs(fk->sys);
	mkdirs(fk->dev);
	/* the guest's bridged group: both NICs, one still on e1000e */
	add_device(fk, "0000:01:01.0", 5, "vfio-pci", NULL);
	add_device(fk, "0000:01:02.0", 5, "e1000e", NULL);
	add_device(fk, "0000:00:05.0", 5, "none", NULL);
	add_device(fk, "0000:00:02.0", 2, "vfio-pci", "vfio0");
	add_device(fk, "0000:03:00.0", -1, "igb", NULL);
	*state = fk;
	iop_err_clear();
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fk->root);
	if (system(cmd) != 0)
		return -1;
	free(fk);
	return 0;
}

static void no_dev_iommu_says_kernel_lacks_iommufd(void **state)
{
	struct fake *fk = *state;
	struct iop_ctx_params p = { .backend = IOP_BACKEND_IOMMUFD, .sysfs_root = fk->sys,
				    .dev_root = fk->dev };
	void *bctx = NULL;

	assert_int_equal(iop_backend_iommufd.open(&p, &bctx), -ENOENT);
	assert_null(bctx);
	assert_non_null(strstr(iop_err_msg(), "/dev/iommu: the kernel lacks CONFIG_IOMMUFD"));
}

static void no_dev_vfio_says_vfio_pci_not_loaded(void **state)
{
	struct fake *fk = *state;
	struct iop_ctx_params p = { .backend = IOP_BACKEND_VFIO, .sysfs_root = fk->sys,
				    .dev_root = fk->dev };
	void *bctx = NULL;

	assert_int_equal(iop_backend_vfio.open(&p, &bctx), -ENOENT);
	assert_null(bctx);
	assert_non_null(strstr(iop_err_msg(), "/dev/vfio/vfio: vfio-pci not loaded"));
}

static void scan_lists_devices_with_a_group(void **state)
{
	struct fake *fk = *state;
	struct iop_dev_info info[8];
	size_t n = 0;

	assert_int_equal(iop_sysfs_pci_scan(fk->sys, info, 8, &n), 0);
	/* 0000:03:00.0 has no IOMMU group: not usable, not listed */
	assert_int_equal(n, 4);
	assert_string_equal(info[0].bdf, "0000:00:02.0");
	assert_int_equal(info[0].group, 2);
	assert_string_equal(info[0].driver, "vfio-pci");
	assert_int_equal(info[0].vendor, 0x8086);
	assert_int_equal(info[0].device, 0x10d3);
	assert_int_equal(info[0].numa_node, -1);
	assert_string_equal(info[1].bdf, "0000:00:05.0");
	assert_string_equal(info[1].driver, "none");
	assert_string_equal(info[3].driver, "e1000e");
}

static void device_not_on_vfio_pci_names_its_driver_and_fix(void **state)
{
	struct fake *fk = *state;
	struct iop_dev_info info;

	assert_int_equal(iop_diag_check_device(fk->sys, "0000:01:02.0", &info), -ENODEV);
	assert_string_equal(iop_err_msg(), "iommu: 0000:01:02.0 is bound to e1000e, not to vfio-pci: "
			    "run iop-devices bind 0000:01:02.0");
	assert_int_equal(iop_diag_check_device(fk->sys, "0000:01:01.0", &info), 0);
	assert_int_equal(info.group, 5);
}

static void unknown_device_is_enodev(void **state)
{
	struct fake *fk = *state;
	struct iop_dev_info info;

	assert_int_equal(iop_diag_check_device(fk->sys, "0000:09:00.0", &info), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "no PCI device 0000:09:00.0"));
}

static void device_without_group_says_iommu_is_off(void **state)
{
	struct fake *fk = *state;
	struct iop_dev_info info;

	assert_int_equal(iop_diag_check_device(fk->sys, "0000:03:00.0", &info), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "has no IOMMU group: the IOMMU is off"));
}

static void not_viable_group_lists_offenders_not_the_bridge(void **state)
{
	struct fake *fk = *state;

	assert_int_equal(iop_diag_not_viable(fk->sys, "0000:01:01.0", 5), -EPERM);
	assert_string_equal(iop_err_msg(), "iommu: group 5 is not viable: 0000:01:02.0 bound to e1000e "
			    "(run: iop-devices bind 0000:01:02.0)");
}

static void vfio_pci_device_without_cdev_says_kernel_lacks_cdev(void **state)
{
	struct fake *fk = *state;
	struct iop_ctx_params p = { .backend = IOP_BACKEND_IOMMUFD, .sysfs_root = fk->sys,
				    .dev_root = fk->dev };
	char path[PATH_MAX];
	void *bctx = NULL, *bdev = NULL;

	/* a plain file stands in for /dev/iommu: opening it is all open does */
	snprintf(path, sizeof(path), "%s/iommu", fk->dev);
	put(path, "");
	assert_int_equal(iop_backend_iommufd.open(&p, &bctx), 0);
	assert_int_equal(iop_backend_iommufd.dev_open(bctx, "0000:01:01.0", &bdev), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "lacks CONFIG_VFIO_DEVICE_CDEV"));
	/* 0000:00:02.0 has a cdev in sysfs but no node in this /dev */
	assert_int_equal(iop_backend_iommufd.dev_open(bctx, "0000:00:02.0", &bdev), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "/vfio/devices/vfio0"));
	assert_null(bdev);
	iop_backend_iommufd.close(bctx);
}

/* Through the public API: the backend that found the cause writes what the
 * user reads, not a generic errno string of the core. */
static void dev_open_shows_the_backends_diagnosis(void **state)
{
	struct fake *fk = *state;
	struct iop_ctx_params p = { .backend = IOP_BACKEND_IOMMUFD, .sysfs_root = fk->sys,
				    .dev_root = fk->dev };
	char path[PATH_MAX];
	struct iop_ctx *ctx;
	struct iop_dev *d = NULL;

	snprintf(path, sizeof(path), "%s/iommu", fk->dev);
	put(path, "");
	add_device(fk, "0000:00:03.0", 3, "vfio-pci", NULL);
	/* rule 4: a root port on pcieport in the NIC's group does not block it */
	add_device(fk, "0000:00:1c.0", 7, "pcieport", NULL);
	add_device(fk, "0000:04:00.0", 7, "vfio-pci", NULL);
	assert_int_equal(iop_ctx_create(&p, &ctx), 0);
	assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &d), -ENOENT);
	assert_string_equal(iop_err_msg(), "iommu/iommufd: 0000:00:03.0 is on vfio-pci but has no VFIO device node: "
			    "the kernel lacks CONFIG_VFIO_DEVICE_CDEV (use --iommu=vfio)");
	assert_int_equal(iop_dev_open(ctx, "0000:00:02.0", &d), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "/vfio/devices/vfio0 for 0000:00:02.0: vfio-pci not loaded"));
	assert_int_equal(iop_dev_open(ctx, "0000:04:00.0", &d), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "lacks CONFIG_VFIO_DEVICE_CDEV"));
	assert_null(d);
	iop_ctx_destroy(ctx);
}

static void group_ranges_are_vtd_width_less_reserved_regions(void **state)
{
	struct fake *fk = *state;
	struct iop_iova_range r[4];
	char p[PATH_MAX];
	size_t n = 99;

	/* QEMU's intel-iommu at aw-bits=39: MGAW field 38 */
	snprintf(p, sizeof(p), "%s/class/iommu/dmar0/intel-iommu", fk->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/class/iommu/dmar0/intel-iommu/cap", fk->sys);
	put(p, "d2008c22260286\n");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:01:01.0/iommu", fk->sys);
	assert_int_equal(symlink("../../../virtual/iommu/dmar0", p), 0);
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/5/reserved_regions", fk->sys);
	put(p, "0x00000000fee00000 0x00000000feefffff msi\n"
	       "0x0000000000100000 0x00000000001fffff direct-relaxable\n");
	assert_int_equal(iop_sysfs_group_ranges(fk->sys, 5, r, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(r[0].first == 0 && r[0].last == 0xfedfffffull);
	assert_true(r[1].first == 0xfef00000ull && r[1].last == 0x7fffffffffull);
	/* group 2's IOMMU shows no width: the backend cannot tell */
	assert_int_equal(iop_sysfs_group_ranges(fk->sys, 2, r, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(iop_sysfs_group_ranges(fk->sys, 77, r, 4, &n), -ENOENT);
}

static void map_enomem_names_memlock_and_size_needed(void **state)
{
	struct rlimit old, low = { 64 << 10, 0 };

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &old), 0);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &low), 0);
	assert_int_equal(iop_diag_map_nomem("iommufd", 2u << 20), -ENOMEM);
	assert_non_null(strstr(iop_err_msg(), "iommufd: cannot pin 2048 KiB for DMA: RLIMIT_MEMLOCK is 64 KiB"));
	assert_non_null(strstr(iop_err_msg(), "ulimit -l"));
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &old), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(no_dev_iommu_says_kernel_lacks_iommufd, setup, teardown),
		cmocka_unit_test_setup_teardown(no_dev_vfio_says_vfio_pci_not_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(scan_lists_devices_with_a_group, setup, teardown),
		cmocka_unit_test_setup_teardown(device_not_on_vfio_pci_names_its_driver_and_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_device_is_enodev, setup, teardown),
		cmocka_unit_test_setup_teardown(device_without_group_says_iommu_is_off, setup, teardown),
		cmocka_unit_test_setup_teardown(not_viable_group_lists_offenders_not_the_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(vfio_pci_device_without_cdev_says_kernel_lacks_cdev, setup, teardown),
		cmocka_unit_test_setup_teardown(dev_open_shows_the_backends_diagnosis, setup, teardown),
		cmocka_unit_test_setup_teardown(group_ranges_are_vtd_width_less_reserved_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(map_enomem_names_memlock_and_size_needed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
