/* SPDX-License-Identifier: BSD-3-Clause */
/* Scan and vfio-pci binding against a fake sysfs tree in a temp folder. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "iop_bus.h"
#include "iop_log.h"
#include "iop_pci.h"
#include "sysfs.h"

struct tree {
	char root[PATH_MAX];
	char state[PATH_MAX];
};

/* a/b into out; a path that does not fit fails the test */
static void join(char out[PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);

	assert_true(n > 0 && n < PATH_MAX);
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	join(path, root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void get(const char *root, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	join(path, root, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* the file root/rel holds exactly want */
static void expect_file(const char *root, const char *rel, const char *want)
{
	char buf[1024];

	get(root, rel, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void expect_absent(const char *root, const char *rel)
{
	char path[PATH_MAX];

	join(path, root, rel);
	assert_int_equal(access(path, F_OK), -1);
}

static void dir(const char *root, const char *rel)
{
	char path[PATH_MAX];

	join(path, root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void add_device(const char *root, const char *bdf, const char *vendor,
		       const char *device, const char *driver, const char *group,
		       const char *numa)
{
	char devs[PATH_MAX], dev[PATH_MAX], target[PATH_MAX], path[PATH_MAX];

	join(devs, root, "bus/pci/devices");
	join(dev, devs, bdf);
	assert_int_equal(mkdir(dev, 0755), 0);
	put(dev, "vendor", vendor);
	put(dev, "device", device);
	put(dev, "class", "0x020000\n");
	put(dev, "numa_node", numa);
	put(dev, "driver_override", "(null)\n");
	if (driver) {
		join(target, "../../drivers", driver);
		join(path, dev, "driver");
		assert_int_equal(symlink(target, path), 0);
	}
	if (group) {
		join(target, "../../../../kernel/iommu_groups", group);
		join(path, dev, "iommu_group");
		assert_int_equal(symlink(target, path), 0);
	}
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->root, sizeof(t->root), "/tmp/iop-pci-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	join(t->state, t->root, "state");
	dir(t->root, "bus");
	dir(t->root, "bus/pci");
	dir(t->root, "bus/pci/devices");
	dir(t->root, "bus/pci/drivers");
	put(t->root, "bus/pci/drivers_probe", "");
	dir(t->root, "kernel");
	dir(t->root, "kernel/iommu_groups");
	dir(t->root, "kernel/iommu_groups/7");
	dir(t->root, "kernel/iommu_groups/8");
	for (int i = 0; i < 2; i++) {
		const char *drv = i ? "vfio-pci" : "e1000e";
		char drivers[PATH_MAX], d[PATH_MAX];

		join(drivers, t->root, "bus/pci/drivers");
		join(d, drivers, drv);
		dir(drivers, drv);
		put(d, "bind", "");
		put(d, "unbind", "");
	}
	add_device(t->root, "0000:00:03.0", "0x1af4\n", "0x1041\n", "vfio-pci", "8", "-1\n");
	add_device(t->root, "0000:00:02.0", "0x8086\n", "0x10d3\n", "e1000e", "7", "0\n");
	add_device(t->root, "0000:01:01.0", "0x8086\n", "0x10d3\n", NULL, NULL, "-1\n");
	*state = t;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct tree *t = *state;

	nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* The device is back with its driver: override cleared, offered to
 * e1000e, and no record of it left in the state folder. */
static void expect_given_back_to_e1000e(const struct tree *t, const char *bdf)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	expect_file(t->root, rel, "\n");
	expect_file(t->root, "bus/pci/drivers/e1000e/bind", bdf);
	snprintf(rel, sizeof(rel), "%s.driver", bdf);
	expect_absent(t->state, rel);
}

static void scan_lists_every_device_sorted_with_driver_group_node_and_name(void **state)
{
	struct tree *t = *state;
	struct iop_bus_dev d[8];
	size_t n = 0;

	assert_int_equal(iop_pci_scan(t->root, d, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].addr, "0000:00:02.0");
	assert_string_equal(d[0].bus, "pci");
	assert_int_equal(d[0].vendor, 0x8086);
	assert_int_equal(d[0].device, 0x10d3);
	assert_int_equal(d[0].class_code, 0x020000);
	assert_string_equal(d[0].driver, "e1000e");
	assert_int_equal(d[0].iommu_group, 7);
	assert_int_equal(d[0].numa_node, 0);
	/* names come from pci.ids through libpci */
	assert_non_null(strstr(d[0].desc, "82574L"));
	assert_string_equal(d[1].addr, "0000:00:03.0");
	assert_string_equal(d[1].driver, "vfio-pci");
	assert_int_equal(d[1].iommu_group, 8);
	assert_int_equal(d[1].numa_node, -1);
	assert_string_equal(d[2].addr, "0000:01:01.0");
	assert_string_equal(d[2].driver, "none");
	assert_int_equal(d[2].iommu_group, -1);
}

/* One scanner (lib/bus) serves the PCI bus and the kernel IOMMU backends:
 * entries that are no device (a stray file, a non-canonical or dangling
 * name) are left out of both, and the backends list exactly the devices
 * that have an IOMMU group, with the bus's driver, group and node. */
static void scan_leaves_out_what_is_no_device_and_the_iommu_backends_list_the_same(void **state)
{
	struct tree *t = *state;
	struct iop_bus_dev d[8];
	struct iop_dev_info info[8];
	char devs[PATH_MAX], path[PATH_MAX];
	size_t n = 0, ni = 0, k = 0;

	join(devs, t->root, "bus/pci/devices");
	put(devs, "stray", "");
	dir(devs, "00:04.0");
	join(path, devs, "0000:00:05.0");
	assert_int_equal(symlink("../../../devices/gone", path), 0);
	assert_int_equal(iop_pci_scan(t->root, d, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(iop_sysfs_pci_scan(t->root, info, 8, &ni), 0);
	assert_int_equal(ni, 2);
	for (size_t i = 0; i < n; i++) {
		if (d[i].iommu_group < 0)
			continue;
		assert_string_equal(info[k].bdf, d[i].addr);
		assert_string_equal(info[k].driver, d[i].driver);
		assert_int_equal(info[k].group, d[i].iommu_group);
		assert_int_equal(info[k].numa_node, d[i].numa_node);
		assert_int_equal(info[k].vendor, d[i].vendor);
		k++;
	}
	assert_int_equal(k, ni);
}

static void scan_reports_the_count_beyond_max(void **state)
{
	struct tree *t = *state;
	struct iop_bus_dev d[1];
	size_t n = 0;

	assert_int_equal(iop_pci_scan(t->root, d, 1, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].addr, "0000:00:02.0");
}

static void scan_of_a_missing_tree_fails_naming_the_folder(void **state)
{
	struct iop_bus_dev d[1];
	size_t n = 0;

	(void)state;
	assert_int_equal(iop_pci_scan("/nonexistent-iop", d, 1, &n), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "cannot read /nonexistent-iop/bus/pci/devices"));
}

static void lookup_finds_short_forms_and_refuses_unknown_with_enodev(void **state)
{
	struct tree *t = *state;
	struct iop_bus_dev d;

	assert_int_equal(iop_pci_lookup(t->root, "00:03.0", &d), 0);
	assert_int_equal(d.device, 0x1041);
	assert_int_equal(iop_pci_lookup(t->root, "0000:00:09.0", &d), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "0000:00:09.0"));
}

static void bind_of_a_device_on_vfio_pci_changes_nothing(void **state)
{
	struct tree *t = *state;

	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "0000:00:03.0"), 0);
	expect_file(t->root, "bus/pci/devices/0000:00:03.0/driver_override", "(null)\n");
}

static void bind_that_fails_is_undone_and_leaves_no_record(void **state)
{
	struct tree *t = *state;
	struct stat st;
	int rc;

	/* a fake tree has no kernel to move the driver link: bind must notice
	 * that the device is still on e1000e, say so, and undo its steps */
	rc = iop_pci_bind_vfio(t->root, t->state, "0000:00:02.0");
	assert_int_equal(rc, -EIO);
	assert_non_null(strstr(iop_err_msg(), "it is on e1000e"));
	expect_file(t->root, "bus/pci/drivers/e1000e/unbind", "0000:00:02.0");
	expect_file(t->root, "bus/pci/drivers_probe", "0000:00:02.0");
	/* its steps undone */
	expect_given_back_to_e1000e(t, "0000:00:02.0");
	/* the state folder bind created is ours alone */
	assert_int_equal(stat(t->state, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void unbind_refuses_a_recorded_driver_that_is_a_path(void **state)
{
	struct tree *t = *state;

	mkdir(t->state, 0700);
	put(t->state, "0000:00:03.0.driver", "../../../e1000e\n");
	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:00:03.0"), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "does not hold a driver name"));
	/* refused before any change */
	expect_file(t->root, "bus/pci/drivers/vfio-pci/unbind", "");
	put(t->state, "0000:00:03.0.driver", "igb\n");
	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:00:03.0"), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "no such driver is loaded"));
}

static void bind_without_vfio_pci_loaded_is_enoent(void **state)
{
	struct tree *t = *state;
	char from[PATH_MAX], path[PATH_MAX];

	join(from, t->root, "bus/pci/drivers/vfio-pci");
	join(path, t->root, "bus/pci/drivers/vfio-pci.off");
	assert_int_equal(rename(from, path), 0);
	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "0000:00:02.0"), -ENOENT);
	assert_non_null(strstr(iop_err_msg(), "modprobe vfio-pci"));
}

static void bind_of_an_unknown_device_is_enodev(void **state)
{
	struct tree *t = *state;

	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "0000:00:1f.0"), -ENODEV);
	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "eth0"), -EINVAL);
}

/* An 82576 PF as the guest kernel shows it: 7 VFs possible, the first at
 * routing ID offset 0x80 (02:10.0), every second function on. */
static void add_sriov_pf(const char *root, const char *numvfs)
{
	add_device(root, "0000:02:00.0", "0x8086\n", "0x10c9\n", "e1000e", "7", "0\n");
	put(root, "bus/pci/devices/0000:02:00.0/sriov_totalvfs", "7\n");
	put(root, "bus/pci/devices/0000:02:00.0/sriov_offset", "128\n");
	put(root, "bus/pci/devices/0000:02:00.0/sriov_stride", "2\n");
	put(root, "bus/pci/devices/0000:02:00.0/sriov_numvfs", numvfs);
}

static void a_missing_vf_address_names_its_pf_and_how_to_create_it(void **state)
{
	struct tree *t = *state;
	struct iop_bus_dev d;

	add_sriov_pf(t->root, "0\n");
	assert_int_equal(iop_pci_lookup(t->root, "0000:02:10.2", &d), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "VF 1 of 0000:02:00.0, which has 0 enabled"));
	assert_non_null(strstr(iop_err_msg(), "echo 2 > "));
	assert_non_null(strstr(iop_err_msg(), "/bus/pci/devices/0000:02:00.0/sriov_numvfs"));
	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "0000:02:10.0"), -ENODEV);
	assert_non_null(strstr(iop_err_msg(), "VF 0 of 0000:02:00.0"));
	/* an odd function is no VF of it (stride 2), nor is one past the 7th */
	assert_int_equal(iop_pci_lookup(t->root, "0000:02:10.1", &d), -ENODEV);
	assert_null(strstr(iop_err_msg(), "VF"));
	assert_int_equal(iop_pci_lookup(t->root, "0000:02:11.6", &d), -ENODEV);
	assert_null(strstr(iop_err_msg(), "VF"));
}

static void bind_refuses_a_pf_with_vfs_enabled_and_changes_nothing(void **state)
{
	struct tree *t = *state;

	add_sriov_pf(t->root, "2\n");
	assert_int_equal(iop_pci_bind_vfio(t->root, t->state, "0000:02:00.0"), -EBUSY);
	assert_non_null(strstr(iop_err_msg(), "0000:02:00.0 has 2 SR-IOV VFs enabled"));
	assert_non_null(strstr(iop_err_msg(), "echo 0 > "));
	expect_file(t->root, "bus/pci/devices/0000:02:00.0/driver_override", "(null)\n");
	assert_int_equal(iop_pci_sriov_numvfs(t->root, "0000:02:00.0"), 2);
	assert_int_equal(iop_pci_sriov_numvfs(t->root, "0000:00:02.0"), 0);
}

static void unbind_gives_the_device_back_to_the_recorded_driver(void **state)
{
	struct tree *t = *state;

	mkdir(t->state, 0700);
	put(t->state, "0000:00:03.0.driver", "e1000e\n");
	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:00:03.0"), 0);
	expect_file(t->root, "bus/pci/drivers/vfio-pci/unbind", "0000:00:03.0");
	expect_given_back_to_e1000e(t, "0000:00:03.0");
}

static void unbind_without_a_record_lets_the_kernel_probe(void **state)
{
	struct tree *t = *state;

	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:00:03.0"), 0);
	expect_file(t->root, "bus/pci/drivers_probe", "0000:00:03.0");
}

static void unbind_of_a_device_not_on_vfio_pci_is_einval(void **state)
{
	struct tree *t = *state;

	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:00:02.0"), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "it is on e1000e"));
	assert_int_equal(iop_pci_unbind(t->root, t->state, "0000:01:01.0"), -EINVAL);
}

static void pci_bus_is_registered_and_unknown_nodes_mean_any_socket(void **state)
{
	(void)state;
	assert_non_null(iop_bus_find("pci"));
	assert_ptr_equal(iop_bus_find("pci")->scan, iop_pci_scan);
	assert_null(iop_bus_find("usb"));
	assert_int_equal(iop_bus_socket_id(-1), -1);
	assert_int_equal(iop_bus_socket_id(4096), -1);
}

static void netif_is_found_under_net_and_under_virtio(void **state)
{
	struct tree *t = *state;
	char name[16];

	dir(t->root, "bus/pci/devices/0000:00:02.0/net");
	dir(t->root, "bus/pci/devices/0000:00:02.0/net/enp0s2");
	iop_pci_netif(t->root, "0000:00:02.0", name);
	assert_string_equal(name, "enp0s2");
	/* virtio-net: <bdf>/virtioN/net/<if> */
	dir(t->root, "bus/pci/devices/0000:00:03.0/virtio4");
	dir(t->root, "bus/pci/devices/0000:00:03.0/virtio4/net");
	dir(t->root, "bus/pci/devices/0000:00:03.0/virtio4/net/eth7");
	iop_pci_netif(t->root, "0000:00:03.0", name);
	assert_string_equal(name, "eth7");
	iop_pci_netif(t->root, "0000:01:01.0", name);
	assert_string_equal(name, "");
}

static void interface_absent_from_the_namespace_is_not_active(void **state)
{
	char why[64];

	(void)state;
	assert_false(iop_netif_active("iopnone0", why, sizeof(why)));
	assert_string_equal(why, "iopnone0 is down");
	assert_false(iop_netif_active("", why, sizeof(why)));
	assert_int_equal(iop_pci_active_check(NULL, "not-a-bdf"), -EINVAL);
}

static void persist_rule_sets_driver_override_for_that_device_only(void **state)
{
	struct tree *t = *state;
	char buf[1024];

	assert_int_equal(iop_pci_persist_set(t->root, "01:01.0"), 0);
	get(t->root, "70-iopath-0000:01:01.0.rules", buf, sizeof(buf));
	assert_non_null(strstr(buf, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:01:01.0\", ATTR{driver_override}=\"vfio-pci\""));
	assert_non_null(strstr(buf, "echo 0000:01:01.0 > /sys/bus/pci/drivers_probe"));
	assert_true(iop_pci_persist_is_set(t->root, "0000:01:01.0"));
	assert_false(iop_pci_persist_is_set(t->root, "0000:00:02.0"));
	/* no temporary file left behind */
	expect_absent(t->root, "70-iopath-0000:01:01.0.rules.tmp");
	assert_int_equal(iop_pci_persist_clear(t->root, "0000:01:01.0"), 0);
	assert_false(iop_pci_persist_is_set(t->root, "0000:01:01.0"));
	/* clearing what is not there is not an error */
	assert_int_equal(iop_pci_persist_clear(t->root, "0000:01:01.0"), 0);
	assert_int_equal(iop_pci_persist_set(t->root, "../etc"), -EINVAL);
}

static void persist_refuses_a_symlink_planted_at_its_temporary_file(void **state)
{
	struct tree *t = *state;
	char path[PATH_MAX], target[PATH_MAX];

	join(target, t->root, "victim");
	put(t->root, "victim", "keep");
	join(path, t->root, "70-iopath-0000:01:01.0.rules.tmp");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(iop_pci_persist_set(t->root, "0000:01:01.0"), -ELOOP);
	assert_non_null(strstr(iop_err_msg(), "cannot write"));
	expect_file(t->root, "victim", "keep");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(scan_lists_every_device_sorted_with_driver_group_node_and_name),
		T(scan_leaves_out_what_is_no_device_and_the_iommu_backends_list_the_same),
		T(scan_reports_the_count_beyond_max),
		T(scan_of_a_missing_tree_fails_naming_the_folder),
		T(lookup_finds_short_forms_and_refuses_unknown_with_enodev),
		T(bind_of_a_device_on_vfio_pci_changes_nothing),
		T(bind_that_fails_is_undone_and_leaves_no_record),
		T(unbind_refuses_a_recorded_driver_that_is_a_path),
		T(bind_without_vfio_pci_loaded_is_enoent),
		T(bind_of_an_unknown_device_is_enodev),
		T(a_missing_vf_address_names_its_pf_and_how_to_create_it),
		T(bind_refuses_a_pf_with_vfs_enabled_and_changes_nothing),
		T(unbind_gives_the_device_back_to_the_recorded_driver),
		T(unbind_without_a_record_lets_the_kernel_probe),
		T(unbind_of_a_device_not_on_vfio_pci_is_einval),
		T(pci_bus_is_registered_and_unknown_nodes_mean_any_socket),
		T(netif_is_found_under_net_and_under_virtio),
		T(interface_absent_from_the_namespace_is_not_active),
		T(persist_rule_sets_driver_override_for_that_device_only),
		T(persist_refuses_a_symlink_planted_at_its_temporary_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
