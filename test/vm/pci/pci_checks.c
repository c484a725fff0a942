/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-pci-checks: drivers/bus/pci and the PMDs on real VFIO in a guest of
 * test/vm/run-guest, many checks per boot:
 *   - the VFIO helpers on one e1000e (regions, BARs, config space, bus
 *     mastering, MSI-X vectors, request interrupt, reset);
 *   - bad input: a NIC still on its kernel driver and a virtio-net without
 *     VIRTIO_F_ACCESS_PLATFORM are each refused with one clear error while
 *     the good ports open and run;
 *   - MAC, link and start/stop/start of an e1000e and a virtio-net port;
 *   - with IOP_PCI_LINK_FLAP=E1000E,VIRTIO (two more NICs whose QEMU links
 *     the host turns off and on every two seconds): each port sees its
 *     link go down, then come back up.
 *
 *   iop-pci-checks [EAL] -- --iommu=... -- E1000E MAC VIRTIO MAC KERNEL_NIC LEGACY_VIRTIO
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit 1 on any failure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_pci.h"
#include "iop_port.h"
#include "port_driver.h"
#include "../vm_check.h"


/* Descriptors carry IOVAs of the device's IOAS: inside its ranges, and
 * different from the VA where the VA lies outside them (a 39-bit vIOMMU). */
static void iova_in_aperture(struct iop_ioas *ioas)
{
	struct iop_iova_range r[IOP_MAX_RANGES];
	void *buf = rte_malloc(NULL, 4096, 4096);
	uint64_t iova = 0, va = (uintptr_t)buf;
	bool inside = false, va_fits = false;
	size_t n = 0;

	CHECK_RC(iop_ioas_va2iova(ioas, buf, &iova), 0, "DPDK memory is mapped in the IOAS");
	iop_ioas_ranges(ioas, r, IOP_MAX_RANGES, &n);
	for (size_t i = 0; i < n && i < IOP_MAX_RANGES; i++) {
		inside |= iova >= r[i].first && iova + 4095 <= r[i].last;
		va_fits |= va >= r[i].first && va + 4095 <= r[i].last;
	}
	printf("# VA 0x%llx -> IOVA 0x%llx, last IOVA 0x%llx\n", (unsigned long long)va,
	       (unsigned long long)iova, n ? (unsigned long long)r[n - 1].last : 0ull);
	check(inside, "the IOVA lies in the IOAS's ranges", "0x%llx", (unsigned long long)iova);
	check(va_fits || iova != va, "IOVA differs from VA when the VA is outside the aperture",
	      "IOVA = VA = 0x%llx", (unsigned long long)va);
	if (!va_fits)
		printf("# IOVA != VA: the VA lies outside the aperture\n");
	rte_free(buf);
}

static void vfio_helpers(const char *bdf)
{
	struct iop_pci_region r = { 0 };
	struct iop_pci_dev *p = NULL;
	struct iop_ioas *ioas;
	struct iop_dev *dev = NULL;
	uint16_t vendor = 0, cmd = 0;
	uint8_t pos = 0;
	int efd[5], req = -1, rc;
	void *bar = NULL;
	size_t len = 0;

	CHECK_RC(iop_port_dev_open(bdf, &dev, &ioas), 0, "device opens in an IOAS");
	if (!dev)
		return;
	iova_in_aperture(ioas);
	CHECK_RC(iop_pci_dev_open(dev, &p), 0, "VFIO device info and config region");
	if (!p) {
		iop_port_dev_close(dev);
		return;
	}
	check(iop_pci_dev_vendor(p) == 0x8086 && iop_pci_dev_device(p) == 0x10d3,
	      "config space reads 8086:10d3", "read %04x:%04x", iop_pci_dev_vendor(p),
	      iop_pci_dev_device(p));
	CHECK_RC(iop_pci_region_info(p, 0, &r), 0, "BAR0 region info");
	check(r.size == 128 * 1024 && r.mmappable, "BAR0 is 128 KiB and mmappable",
	      "size %llu mmap %d", (unsigned long long)r.size, r.mmappable);
	CHECK_RC(iop_pci_bar_map(p, 0, &bar, &len), 0, "BAR0 maps");
	check(bar && iop_mmio_read32(bar, 0x8) != 0xffffffff, "STATUS register reads through the mapping",
	      "read 0x%x", bar ? iop_mmio_read32(bar, 0x8) : 0);
	CHECK_RC(iop_pci_bar_map(p, 5, &bar, &len), -ENODEV, "absent BAR5 is ENODEV");
	CHECK_RC(iop_pci_bar_map(p, 6, &bar, &len), -EINVAL, "BAR6 is EINVAL");
	CHECK_RC(iop_pci_cfg_read(p, 0, &vendor, 2), 0, "config read");
	check(vendor == 0x8086, "config read gives the vendor", "0x%x", vendor);
	CHECK_RC(iop_pci_set_bus_master(p, true), 0, "bus master on");
	iop_pci_cfg_read(p, 4, &cmd, 2);
	check(cmd & 4, "command register shows bus mastering", "command 0x%x", cmd);
	CHECK_RC(iop_pci_set_bus_master(p, false), 0, "bus master off");
	iop_pci_cfg_read(p, 4, &cmd, 2);
	check(!(cmd & 4), "command register shows no bus mastering", "command 0x%x", cmd);
	CHECK_RC(iop_pci_cap_find(iop_pci_dev_cfg(p), IOP_PCI_CAP_ID_MSIX, 0, &pos), 0,
		 "MSI-X capability found");
	CHECK_RC(iop_pci_msix_enable(p, 5, efd), 0, "5 MSI-X vectors as eventfds");
	CHECK_RC(iop_pci_msix_enable(p, 6, efd), -ENOTSUP, "a 6th vector is ENOTSUP");
	CHECK_MSG("MSI-X", "the message names MSI-X");
	CHECK_RC(iop_pci_msix_disable(p), 0, "MSI-X off");
	CHECK_RC(iop_pci_req_irq_enable(p, &req), 0, "request interrupt as an eventfd");
	rc = iop_pci_reset(p);
	check(rc == 0 || rc == -ENOTSUP, "reset works or says the device has none",
	      "%d: %s", rc, iop_err_msg());
	printf("# %s: reset %s\n", bdf, rc == 0 ? "done (VFIO_DEVICE_RESET)" : "not offered");
	check(!iop_pci_dev_gone(p), "device answers after reset", "vendor reads all-ones");
	iop_pci_dev_close(p);
	iop_port_dev_close(dev);
}

static void good_port(const char *bdf, const char *mac, const char *driver,
		      struct rte_mempool *mp, uint16_t *id)
{
	char spec[64], name[128], got[RTE_ETHER_ADDR_FMT_SIZE];
	struct iop_port_link link = { 0 };
	struct iop_port_info info;
	struct rte_ether_addr ea;

	snprintf(spec, sizeof(spec), "pci:%s", bdf);
	*id = UINT16_MAX;
	snprintf(name, sizeof(name), "%s opens as a %s port", bdf, driver);
	CHECK_RC(iop_port_open(spec, id), 0, name);
	if (*id == UINT16_MAX)
		return;
	iop_port_info_get(*id, &info);
	check(strcmp(info.driver, driver) == 0, "driver name", "%s", info.driver);
	iop_port_mac_get(*id, &ea);
	rte_ether_format_addr(got, sizeof(got), &ea);
	check(strcasecmp(got, mac) == 0, "MAC read from the device", "%s, QEMU has %s", got, mac);
	CHECK_RC(iop_port_configure(*id, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }), 0, "configure 1+1 queues");
	CHECK_RC(iop_port_rx_queue_setup(*id, 0, 256, mp), 0, "rx queue of 256");
	CHECK_RC(iop_port_tx_queue_setup(*id, 0, 256), 0, "tx queue of 256");
	CHECK_RC(iop_port_start(*id), 0, "start");
	for (int i = 0; i < 30 && iop_port_link_get(*id, &link) == 0 && !link.up; i++)
		usleep(100000);
	check(link.up, "link up", "link down after 3 s");
	CHECK_RC(iop_port_stop(*id), 0, "stop");
	CHECK_RC(iop_port_start(*id), 0, "start again");
}

/* Polls the link of ports a and b for up to 60 s until both are `up`. */
static void wait_link(uint16_t a, uint16_t b, bool up)
{
	struct iop_port_link la = { .up = !up }, lb = { .up = !up };

	for (int i = 0; i < 600 && (la.up != up || lb.up != up); i++) {
		usleep(100000);
		iop_port_link_get(a, &la);
		iop_port_link_get(b, &lb);
	}
	check(la.up == up, up ? "e1000e link comes back up" : "e1000e sees its link go down",
	      "link still %s after 60 s", la.up ? "up" : "down");
	check(lb.up == up, up ? "virtio link comes back up (config interrupt)" :
				"virtio sees its link go down (config interrupt)",
	      "link still %s after 60 s", lb.up ? "up" : "down");
}

static uint16_t flap_port(const char *bdf, struct rte_mempool *mp)
{
	char spec[64];
	uint16_t id = UINT16_MAX;

	snprintf(spec, sizeof(spec), "pci:%s", bdf);
	if (iop_port_open(spec, &id) || iop_port_configure(id, &(struct iop_port_conf){ .nb_rxq = 1, .nb_txq = 1 }) ||
	    iop_port_rx_queue_setup(id, 0, 64, mp) || iop_port_tx_queue_setup(id, 0, 64) ||
	    iop_port_start(id)) {
		check(false, "link test port", "%s: %s", bdf, iop_err_msg());
		return UINT16_MAX;
	}
	return id;
}

static void link_flap(const char *list, struct rte_mempool *mp)
{
	char e1000e[IOP_BDF_LEN], virtio[IOP_BDF_LEN];
	uint16_t e, v;

	if (!list || sscanf(list, "%12[^,],%12s", e1000e, virtio) != 2)
		return;
	e = flap_port(e1000e, mp);
	v = flap_port(virtio, mp);
	if (e == UINT16_MAX || v == UINT16_MAX)
		return;
	wait_link(e, v, false);
	wait_link(e, v, true);
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	uint16_t e, v, bad = UINT16_MAX;
	int n = iop_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "iop-pci-checks: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 7) {
		fprintf(stderr, "usage: iop-pci-checks [EAL] -- [iopath] -- E1000E MAC VIRTIO MAC KERNEL_NIC LEGACY_VIRTIO\n");
		iop_cleanup();
		return 2;
	}
	printf("# backend %s, layout %s\n", iop_backend_name(iop_ctx_backend(iop_ctx_get())),
	       iop_layout_name(iop_options_get()->layout));
	vfio_helpers(argv[1]);

	CHECK_RC(iop_port_open("pci", &bad), -EINVAL, "pci without an address is refused");
	CHECK_MSG("pci:<BDF>", "the message shows the spec form");
	{
		char spec[64];

		snprintf(spec, sizeof(spec), "pci:%s", argv[5]);
		check(iop_port_open(spec, &bad) < 0, "a NIC on its kernel driver is refused",
		      "it opened");
		CHECK_MSG("iop-devices bind", "the message says how to bind it");
		printf("# %s\n", iop_err_msg());
		snprintf(spec, sizeof(spec), "pci:%s", argv[6]);
		CHECK_RC(iop_port_open(spec, &bad), -ENOTSUP,
			 "a virtio-net without ACCESS_PLATFORM is refused");
		CHECK_MSG("iommu_platform=on", "the message gives the QEMU fix");
		printf("# %s\n", iop_err_msg());
	}
	mp = rte_pktmbuf_pool_create("checks", 2048, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	check(mp != NULL, "mempool", "%s", rte_strerror(rte_errno));
	if (mp) {
		good_port(argv[1], argv[2], "e1000e", mp, &e);
		good_port(argv[3], argv[4], "virtio", mp, &v);
		link_flap(getenv("IOP_PCI_LINK_FLAP"), mp);
	}
	iop_port_close_all();
	iop_cleanup();
	printf("# %d failed\n", failures);
	return failures ? 1 : 0;
}
