/* SPDX-License-Identifier: BSD-3-Clause */
/* The sim topology parser's strictness: numbers, PCI addresses, and the
 * messages a user reads (through iop_ctx_create, the public API). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iop_iommu.h"
#include "iop_log.h"
#include "sim_fixture.h"
#include "sim_topology.h"

static void load(const char *text, struct sim_topo *t)
{
	char *path = topo_file_write(text);
	int rc = sim_topo_load(path, t);

	topo_file_remove(path);
	if (rc)
		fail_msg("'%s' refused: %s", text, iop_err_msg());
}

/* The error iop_ctx_create gives for text, after "topology FILE". */
static void assert_refused(const char *text, const char *msg)
{
	char *path = topo_file_write(text);
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_ctx *ctx = NULL;
	char want[512];

	iop_err_clear();
	assert_int_equal(iop_ctx_create(&p, &ctx), -EINVAL);
	snprintf(want, sizeof(want), "topology %s%s", path, msg);
	if (!strstr(iop_err_msg(), want))
		fail_msg("'%s': got '%s', want '%s'", text, iop_err_msg(), want);
	topo_file_remove(path);
}

/* Linux writes group ids in decimal: "010" is group 10, never octal 8. */
static void sim_topology_group_ids_are_decimal(void **state)
{
	struct sim_topo t;

	(void)state;
	load("group 010\ndevice 0000:00:03.0 group=010 driver=vfio-pci numa=08\n", &t);
	assert_int_equal(t.ngroups, 1);
	assert_int_equal(t.groups[0].id, 10);
	assert_int_equal(t.devs[0].group, 10);
	assert_int_equal(t.devs[0].numa_node, 8);
	sim_topo_free(&t);
	assert_refused("group 0x10\ndevice 0000:00:03.0 group=1 driver=vfio-pci\n",
		       ":1: expected 'group <id> [range=<first>-<last>]...' (id in decimal)");
	assert_refused("device 0000:00:03.0 group=0x1 driver=vfio-pci\n",
		       ":1: bad group id '0x1' (a decimal number)");
}

/* Other numbers are decimal or 0x hex; a leading zero is not octal. */
static void sim_topology_numbers_are_decimal_or_hex(void **state)
{
	struct sim_topo t;

	(void)state;
	load("group 1 range=0x1000-0x1fff range=010000-020000\n"
	     "device 0000:00:03.0 group=1 driver=vfio-pci vendor=0x8086 device=4096\n", &t);
	assert_int_equal(t.groups[0].ranges[0].first, 0x1000);
	assert_int_equal(t.groups[0].ranges[1].first, 10000);
	assert_int_equal(t.groups[0].ranges[1].last, 20000);
	assert_int_equal(t.devs[0].vendor, 0x8086);
	assert_int_equal(t.devs[0].device, 4096);
	sim_topo_free(&t);
	assert_refused("group 1 range=0x-5\ndevice 0000:00:03.0 group=1 driver=vfio-pci\n",
		       ":1: bad range '0x-5'");
	assert_refused("group 1 range= 1-5\n", ":1: bad range");
}

/* A PCI function is device 0..0x1f, function 0..7. */
static void sim_topology_refuses_impossible_pci_addresses(void **state)
{
	static const char *const bad[] = {
		"device 0000:00:00.8 group=1 driver=vfio-pci\n",
		"device 0000:00:ff.f group=1 driver=vfio-pci\n",
		"device 0000:00:20.0 group=1 driver=vfio-pci\n",
	};
	struct sim_topo t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i], ":1: expected 'device <dddd:bb:dd.f> group=<id> driver=<name> [type=<pmd>]' (hex; device at most 1f, function at most 7)");
	load("device ffff:ff:1F.7 group=1 driver=vfio-pci\n", &t);
	assert_string_equal(t.devs[0].bdf, "ffff:ff:1f.7");
	sim_topo_free(&t);
}

/* Duplicates are found through the indexes, also among many entries, and
 * each device points at its group, implicit ones included. */
static void sim_topology_finds_duplicates_and_groups_among_many(void **state)
{
	enum { N = 5000 };
	static char text[N * 96 + 64];
	struct sim_topo t;
	size_t len = 0;

	(void)state;
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "group %d\n", 2 * i);
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"device 0000:%02x:%02x.%x group=%d driver=vfio-pci\n",
					(i >> 8) & 0xff, (i >> 3) & 0x1f, i & 7, i);
	load(text, &t);
	assert_int_equal(t.ndevs, N);
	assert_int_equal(t.ngroups, N + N / 2); /* odd ids are implicit */
	for (size_t i = 0; i < t.ndevs; i++)
		assert_int_equal(t.groups[t.devs[i].group_index].id, t.devs[i].group);
	sim_topo_free(&t);
	snprintf(text + len, sizeof(text) - len, "device 0000:00:00.0 group=1 driver=none\n");
	assert_refused(text, ":10001: device 0000:00:00.0 is declared twice");
	snprintf(text + len, sizeof(text) - len, "group 9998\n");
	assert_refused(text, ":10001: group 9998 is declared twice");
}

/* A window at the top of the 64-bit space: the allocator neither wraps
 * past 2^64 (a 4 KiB window once gave IOVA 0x200000) nor reaches the last
 * IOVA, IOP_IOVA_POISON (a 2 MiB window once failed as "Invalid
 * argument" when the table refused it): too small is ENOSPC. */
static void sim_window_at_the_top_of_the_iova_space_is_enospc_not_einval(void **state)
{
	static const char *const windows[] = {
		"group 1 range=0xfffffffffffff000-0xffffffffffffffff\n",
		"group 1 range=0xffffffffffe00000-0xffffffffffffffff\n",
	};
	const size_t len = 2u << 20;
	char *buf = hugebuf_alloc(len);

	(void)state;
	for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		char text[256];
		struct iop_ctx *ctx;
		struct iop_dev *dev;
		struct iop_ioas *ioas;
		uint64_t iova;

		snprintf(text, sizeof(text), "%sdevice 0000:00:03.0 group=1 driver=vfio-pci\n", windows[i]);
		ctx = sim_ctx_new(text);
		assert_int_equal(iop_dev_open(ctx, "0000:00:03.0", &dev), 0);
		assert_int_equal(iop_ioas_create(ctx, &ioas), 0);
		assert_int_equal(iop_dev_attach(dev, ioas), 0);
		iop_err_clear();
		assert_int_equal(iop_ioas_map(ioas, buf, len, IOP_PROT_READ | IOP_PROT_WRITE, &iova), -ENOSPC);
		assert_non_null(strstr(iop_err_msg(), "no room for"));
		iop_dev_close(dev);
		assert_int_equal(iop_ioas_destroy(ioas), 0);
		iop_ctx_destroy(ctx);
	}
	hugebuf_free(buf, len);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_topology_group_ids_are_decimal),
		cmocka_unit_test(sim_topology_numbers_are_decimal_or_hex),
		cmocka_unit_test(sim_topology_refuses_impossible_pci_addresses),
		cmocka_unit_test(sim_topology_finds_duplicates_and_groups_among_many),
		cmocka_unit_test(sim_window_at_the_top_of_the_iova_space_is_enospc_not_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
