/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-igbvf-isolation: is a VF's DMA confined to its own IOAS? Two 82576
 * VFs A and B of one PF, opened in the layout of --ioas (per-device: an
 * IOAS each; shared: one for both). A buffer (filled with a marker) is
 * mapped only in B's IOAS, at an IOVA that nothing in A's IOAS covers
 * when the IOAS differ. A's rx ring, written here by hand, posts that IOVA
 * in every descriptor, and the PF's kernel interface sends a frame to A's
 * MAC (the PF's switch loops it to A). Then:
 *   - per-device: the vIOMMU must refuse A's write (a new DMAR fault
 *     naming A in the kernel log) and the buffer must still hold only the
 *     marker: the frame never reached B's memory;
 *   - shared: the buffer is A's too, and the frame must be in it.
 * The kernel log and the buffer's bytes are the independent truths.
 *
 *   iop-igbvf-isolation [EAL] -- --iommu=... --ioas=per-device|shared -- VF_A VF_B PF_IFNAME
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit 1 on any failure.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_malloc.h>

#include "iop_init.h"
#include "iop_log.h"
#include "iop_pci.h"
#include "port_driver.h"
#include "../../../drivers/net/igb/igb_regs.h"
#include "../../../drivers/net/igbvf/igbvf_mbx.h"
#include "../../../drivers/net/igbvf/igbvf_regs.h"
#include "../vm_check.h"

#define RING 16                       /* descriptors: a multiple of 8 */
#define BUF_LEN (2u << 20)            /* B's buffer, one 2 MiB region */
/* Below 2^39, so that its IOVA is its VA in every aperture the tests use,
 * and far above where lib/mem packs DPDK memory. */
#define BUF_VA 0x4000000000ull
#define MARKER 0xa5
#define FRAME_LEN 128
#define ETHERTYPE 0x88b5

static const char payload[] = "iopath isolation frame";

/* The kernel log's DMAR fault lines that name bdf's device ("[02:10.0]"). */
static int dmar_faults(const char *bdf)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log, *line, *save = NULL, needle[16];
	int n = 0, len;

	if (size <= 0 || !(log = malloc((size_t)size + 1)))
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, size);
	if (len < 0) {
		free(log);
		return -1;
	}
	log[len] = '\0';
	snprintf(needle, sizeof(needle), "[%s]", bdf + 5); /* without the domain */
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "DMAR") && strstr(line, "fault") && strstr(line, needle)) {
			printf("# %s\n", line);
			n++;
		}
	free(log);
	return n;
}

/* One frame to A's MAC from the PF's kernel interface. */
static int send_from_pf(const char *ifname, const struct rte_ether_addr *dst)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	uint8_t f[FRAME_LEN] = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	ssize_t sent;

	if (fd < 0)
		return -errno;
	to.sll_ifindex = (int)if_nametoindex(ifname);
	memcpy(to.sll_addr, dst->addr_bytes, ETH_ALEN);
	memcpy(f, dst->addr_bytes, 6);
	f[6] = 0x02;
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	memcpy(f + 14, payload, sizeof(payload));
	sent = sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
	return sent == (ssize_t)sizeof(f) ? 0 : -errno;
}

/* True when [iova, iova+len) meets a mapping of the IOAS. */
static bool ioas_covers(struct iop_ioas *ioas, uint64_t iova, uint64_t len)
{
	static struct iop_map_info maps[8192];
	size_t n = 0;

	if (iop_ctx_ioas_maps(iop_ioas_ctx(ioas), iop_ioas_id(ioas), maps, 8192, &n) < 0)
		return true;
	for (size_t i = 0; i < n && i < 8192; i++)
		if (maps[i].iova < iova + len && iova < maps[i].iova + maps[i].len)
			return true;
	return false;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A's rx queue 0 by hand: the mailbox reset (the PF then lets A receive and
 * names its MAC), a ring whose every descriptor posts buf_iova, enable,
 * tail. Returns the ring (NULL on failure) and A's MAC.
 */
static volatile union igb_rx_desc *ring_on_a(struct iop_pci_dev *p, struct iop_ioas *ioas_a,
					      uint64_t buf_iova, struct rte_ether_addr *mac,
					      volatile uint8_t **bar_out)
{
	uint32_t req = IGBVF_MSG_RESET, reply[3] = { 0 };
	struct igbvf_mbx mbx = { .timeout_ms = 5000 };
	volatile union igb_rx_desc *ring;
	volatile uint8_t *q;
	uint64_t ring_iova;
	void *bar = NULL;
	int rc;

	CHECK_RC(iop_pci_bar_map(p, 0, &bar, NULL), 0, "A's BAR0 maps");
	if (!bar)
		return NULL;
	*bar_out = bar;
	mbx.regs = bar;
	iop_mmio_write32(bar, IGBVF_EIMC, IGBVF_EIMC_ALL);
	iop_mmio_write32(bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	usleep(1000);
	rc = igbvf_mbx_wait_pf_ready(&mbx);
	if (rc == 0)
		rc = igbvf_mbx_call(&mbx, &req, 1, reply, 3);
	CHECK_RC(rc, 0, "the PF answers A's reset with A's MAC");
	if (rc < 0)
		return NULL;
	for (int i = 0; i < 4; i++)
		mac->addr_bytes[i] = (uint8_t)(reply[1] >> (8 * i));
	mac->addr_bytes[4] = (uint8_t)reply[2];
	mac->addr_bytes[5] = (uint8_t)(reply[2] >> 8);

	ring = rte_zmalloc("isolation_ring", RING * sizeof(*ring), 4096);
	if (!ring || iop_ioas_va2iova(ioas_a, (const void *)ring, &ring_iova) < 0) {
		check(false, "A's ring is in A's IOAS", "%s", iop_err_msg());
		return NULL;
	}
	for (int i = 0; i < RING; i++) {
		ring[i].read.pkt_addr = buf_iova;
		ring[i].read.hdr_addr = 0;
	}
	q = (volatile uint8_t *)bar + IGBVF_RXQ_BASE;
	iop_mmio_write32(q, IGB_Q_DBAL, (uint32_t)ring_iova);
	iop_mmio_write32(q, IGB_Q_DBAH, (uint32_t)(ring_iova >> 32));
	iop_mmio_write32(q, IGB_Q_DLEN, RING * (uint32_t)sizeof(*ring));
	iop_mmio_write32(q, IGB_Q_SRRCTL, (IGB_RX_BUF_SIZE / 1024) * IGB_SRRCTL_BSIZEPKT_1K |
			 IGB_SRRCTL_DESCTYPE_ADV_ONEBUF | IGB_SRRCTL_DROP_EN);
	iop_mmio_write32(q, IGB_Q_DH, 0);
	iop_pci_set_bus_master(p, true);
	iop_mmio_write32(q, IGB_Q_DCTL, iop_mmio_read32(q, IGB_Q_DCTL) | IGB_XDCTL_ENABLE);
	iop_mmio_write32(q, IGB_Q_DT, RING - 1);
	return ring;
}

int main(int argc, char **argv)
{
	struct iop_ioas *ioas_a = NULL, *ioas_b = NULL;
	struct iop_dev *dev_a = NULL, *dev_b = NULL;
	volatile union igb_rx_desc *ring = NULL;
	volatile uint8_t *bar = NULL;
	struct iop_pci_dev *p = NULL;
	struct rte_ether_addr mac;
	bool per_device, landed = false, marker_only = true;
	uint64_t buf_iova = 0;
	uint8_t *buf;
	int n = iop_init(argc, argv), before, after;

	if (n < 0) {
		fprintf(stderr, "iop-igbvf-isolation: %s\n", iop_err_msg());
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 4) {
		fprintf(stderr, "usage: iop-igbvf-isolation [EAL] -- [iopath] -- VF_A VF_B PF_IFNAME\n");
		iop_cleanup();
		return 2;
	}
	per_device = iop_options_get()->layout == IOP_LAYOUT_PER_DEVICE;
	printf("# backend %s, layout %s, A %s, B %s\n", iop_backend_name(iop_ctx_backend(iop_ctx_get())),
	       iop_layout_name(iop_options_get()->layout), argv[1], argv[2]);
	CHECK_RC(iop_port_dev_open(argv[1], &dev_a, &ioas_a), 0, "VF A opens in an IOAS");
	CHECK_RC(iop_port_dev_open(argv[2], &dev_b, &ioas_b), 0, "VF B opens in an IOAS");
	if (!dev_a || !dev_b)
		goto out;
	if (per_device)
		check(ioas_a != ioas_b, "per-device: A and B are in two IOAS", "one IOAS %u",
		      iop_ioas_id(ioas_a));
	else
		check(ioas_a == ioas_b, "shared: A and B are in one IOAS", "IOAS %u and %u",
		      iop_ioas_id(ioas_a), iop_ioas_id(ioas_b));

	buf = mmap((void *)BUF_VA, BUF_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (buf == MAP_FAILED) {
		check(false, "B's buffer", "mmap at 0x%llx: %s", BUF_VA, strerror(errno));
		goto out;
	}
	memset(buf, MARKER, BUF_LEN);
	CHECK_RC(iop_ioas_map(ioas_b, buf, BUF_LEN, IOP_PROT_READ | IOP_PROT_WRITE, &buf_iova), 0,
		 "B's buffer maps in B's IOAS");
	printf("# B's buffer: VA %p IOVA 0x%llx in IOAS %u\n", (void *)buf,
	       (unsigned long long)buf_iova, iop_ioas_id(ioas_b));
	if (per_device)
		check(!ioas_covers(ioas_a, buf_iova, BUF_LEN),
		      "nothing in A's IOAS covers the IOVA of B's buffer", "IOAS %u maps it",
		      iop_ioas_id(ioas_a));
	CHECK_RC(iop_pci_dev_open(dev_a, &p), 0, "A's VFIO device");
	if (!p)
		goto unmap;
	ring = ring_on_a(p, ioas_a, buf_iova, &mac, &bar);
	if (!ring)
		goto close;
	before = dmar_faults(argv[1]);
	CHECK_RC(send_from_pf(argv[3], &mac), 0, "the PF sends a frame to A's MAC");
	/* the device writes the descriptor back whether or not the IOMMU let
	 * the frame's bytes through */
	for (double end = now_s() + 20; now_s() < end;) {
		if (ring[0].wb.status_error & IGB_RXD_STAT_DD)
			break;
		usleep(10000);
	}
	usleep(200000); /* the fault's interrupt and log line */
	after = dmar_faults(argv[1]);
	check(ring[0].wb.status_error & IGB_RXD_STAT_DD, "A's device took the frame (descriptor written back)",
	      "no write-back in 20 s (status 0x%x)", ring[0].wb.status_error);
	for (size_t i = 0; i < BUF_LEN; i++)
		if (buf[i] != MARKER) {
			marker_only = false;
			break;
		}
	landed = memcmp(buf, mac.addr_bytes, 6) == 0 &&
		 memcmp(buf + 14, payload, sizeof(payload)) == 0;
	printf("# DMAR fault lines naming %s: %d before, %d after\n", argv[1], before, after);
	if (per_device) {
		check(after > before, "per-device: the vIOMMU refused A's write (a DMAR fault in the kernel log)",
		      "%d fault lines before, %d after", before, after);
		check(marker_only, "per-device: B's buffer holds only its marker (the frame never landed)",
		      "the buffer changed%s", landed ? ": the frame is in it" : "");
	} else {
		check(landed, "shared: the frame arrived in the buffer A and B share",
		      "the buffer holds %02x %02x %02x ...", buf[0], buf[1], buf[2]);
		check(after == before, "shared: no DMAR fault", "%d fault lines before, %d after",
		      before, after);
	}
	/* quiet: queue off, no bus mastering, the PF forgets A's state */
	iop_mmio_write32(bar + IGBVF_RXQ_BASE, IGB_Q_DCTL,
			 iop_mmio_read32(bar + IGBVF_RXQ_BASE, IGB_Q_DCTL) & ~IGB_XDCTL_ENABLE);
	iop_pci_set_bus_master(p, false);
	iop_mmio_write32(bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	rte_free((void *)ring);
close:
	iop_pci_dev_close(p);
unmap:
	CHECK_RC(iop_ioas_unmap(ioas_b, buf, BUF_LEN), 0, "B's buffer unmaps");
	munmap(buf, BUF_LEN);
out:
	if (dev_a)
		iop_port_dev_close(dev_a);
	if (dev_b)
		iop_port_dev_close(dev_b);
	iop_cleanup();
	printf("# %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
