/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-access: iommufd access objects (seed 004), step by step, on the
 * kernel (in a guest whose kernel has CONFIG_IOMMUFD_TEST) or on the sim.
 *
 *   iop-vm-access kernel     /dev/iommu and the IOMMU_TEST_CMD accesses
 *   iop-vm-access sim        the sim backend's accesses (iop_sim.h)
 *
 * Both run the same steps on the same memory layout and print one line per
 * step, "acc <step>: <errno name>", with the kernel's answer as the
 * expectation ("FAIL ..." when it differs; exit 1). test/vm/seeds-test runs
 * the kernel in a guest and the sim on the host and compares the lines.
 *
 * The access's user is modelled on the kernel's selftest access: every pin
 * is an item with an id; its unmap call-back unpins every item that meets
 * the range; an item is destroyed (unpinned) by id, ENOENT when the
 * call-back already did it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "iommufd_test_abi.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_sim.h"

#define PAGE 4096u

/* One backend of the steps: 0 or a negative errno, as the kernel's. */
struct side {
	int (*open)(void);
	int (*map)(void *va, size_t len, bool write);
	int (*unmap)(void *va, size_t len);
	int (*access_create)(void);
	int (*pin)(uint64_t iova, uint64_t len, bool write, unsigned int *id);
	int (*unpin)(unsigned int id);
	int (*rw)(uint64_t iova, void *buf, size_t len, bool write);
	void (*access_destroy)(void);
	void (*close)(void);
};

/* --- the kernel: /dev/iommu and IOMMU_TEST_CMD ---------------------------- */

static int k_fd = -1, k_access = -1;
static unsigned int k_ioas;

static int k_test(struct iop_test_cmd *cmd, unsigned int op, unsigned int id)
{
	cmd->size = sizeof(*cmd);
	cmd->op = op;
	cmd->id = id;
	return ioctl(k_fd, IOP_TEST_CMD, cmd) ? -errno : 0;
}

static int k_open(void)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	k_fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (k_fd < 0)
		return -errno;
	if (ioctl(k_fd, IOMMU_IOAS_ALLOC, &a))
		return -errno;
	k_ioas = a.out_ioas_id;
	return 0;
}

static int k_map(void *va, size_t len, bool write)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = k_ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 (write ? IOMMU_IOAS_MAP_WRITEABLE : 0),
		.user_va = (uintptr_t)va, .length = len, .iova = (uintptr_t)va,
	};

	return ioctl(k_fd, IOMMU_IOAS_MAP, &m) ? -errno : 0;
}

static int k_unmap(void *va, size_t len)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = k_ioas,
				      .iova = (uintptr_t)va, .length = len };

	return ioctl(k_fd, IOMMU_IOAS_UNMAP, &u) ? -errno : 0;
}

static int k_access_create(void)
{
	struct iop_test_cmd c = { .create_access.flags = IOP_TEST_ACCESS_CREATE_NEEDS_PIN_PAGES };
	int rc = k_test(&c, IOP_TEST_OP_CREATE_ACCESS, k_ioas);

	if (rc == 0)
		k_access = (int)c.create_access.out_access_fd;
	return rc;
}

static int k_pin(uint64_t iova, uint64_t len, bool write, unsigned int *id)
{
	/* uptr: the kernel checks that it pinned the pages of this VA */
	struct iop_test_cmd c = { .access_pages = {
		.flags = write ? IOP_TEST_ACCESS_WRITE : 0,
		.iova = iova, .length = len, .uptr = iova } };
	int rc = k_test(&c, IOP_TEST_OP_ACCESS_PAGES, (unsigned int)k_access);

	*id = c.access_pages.out_access_pages_id;
	return rc;
}

static int k_unpin(unsigned int id)
{
	struct iop_test_cmd c = { .destroy_access_pages.access_pages_id = id };

	return k_test(&c, IOP_TEST_OP_DESTROY_ACCESS_PAGES, (unsigned int)k_access);
}

static int k_rw(uint64_t iova, void *buf, size_t len, bool write)
{
	struct iop_test_cmd c = { .access_rw = {
		.iova = iova, .length = len, .uptr = (uintptr_t)buf,
		.flags = write ? IOP_TEST_ACCESS_WRITE : 0 } };

	return k_test(&c, IOP_TEST_OP_ACCESS_RW, (unsigned int)k_access);
}

static void k_access_destroy(void)
{
	close(k_access); /* the kernel unpins what is left and destroys it */
	k_access = -1;
}

static void k_close(void)
{
	close(k_fd);
}

static const struct side kernel_side = {
	k_open, k_map, k_unmap, k_access_create, k_pin, k_unpin, k_rw,
	k_access_destroy, k_close,
};

/* --- the sim: lib/iommu's sim backend ----------------------------------- */

#define MAX_ITEMS 16

static struct iop_ctx *s_ctx;
static struct iop_ioas *s_ioas;
static struct iop_sim_access *s_access;
static char s_topo[] = "/tmp/iop-vm-access-XXXXXX";
static struct {
	bool used;
	uint64_t iova, len;
} s_items[MAX_ITEMS];
static unsigned int s_next_id;

static void s_unmap_cb(void *data, uint64_t iova, uint64_t len)
{
	(void)data;
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		if (!s_items[i].used || iova > s_items[i].iova + s_items[i].len - 1 ||
		    iova + len - 1 < s_items[i].iova)
			continue;
		iop_sim_access_unpin(s_access, s_items[i].iova, s_items[i].len);
		s_items[i].used = false;
	}
}

static int s_open(void)
{
	static const char text[] = "device 0000:00:01.0 group=1 driver=vfio-pci\n";
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = s_topo };
	int fd = mkstemp(s_topo), rc;

	if (fd < 0)
		return -errno;
	rc = write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1) ? 0 : -EIO;
	close(fd);
	if (rc == 0)
		rc = iop_ctx_create(&p, &s_ctx);
	if (rc == 0)
		rc = iop_ioas_create(s_ctx, &s_ioas);
	return rc;
}

static int s_map(void *va, size_t len, bool write)
{
	uint64_t iova = 0;
	int rc = iop_ioas_map(s_ioas, va, len,
			      IOP_PROT_READ | (write ? IOP_PROT_WRITE : 0), &iova);

	/* the steps name IOVAs as on the kernel side: IOVA = VA */
	if (rc == 0 && iova != (uintptr_t)va) {
		fprintf(stderr, "iop-vm-access: the sim mapped %p at IOVA 0x%llx\n", va,
			(unsigned long long)iova);
		return -EFAULT;
	}
	return rc;
}

static int s_unmap(void *va, size_t len)
{
	return iop_ioas_unmap(s_ioas, va, len);
}

static int s_access_create(void)
{
	return iop_sim_access_create(s_ioas, s_unmap_cb, NULL, &s_access);
}

static int s_pin(uint64_t iova, uint64_t len, bool write, unsigned int *id)
{
	int rc;

	if (s_next_id >= MAX_ITEMS)
		return -ENOSPC;
	rc = iop_sim_access_pin(s_access, iova, len, write);
	if (rc == 0) {
		s_items[s_next_id].used = true;
		s_items[s_next_id].iova = iova;
		s_items[s_next_id].len = len;
		*id = s_next_id++;
	}
	return rc;
}

static int s_unpin(unsigned int id)
{
	if (id >= MAX_ITEMS || !s_items[id].used)
		return -ENOENT;
	iop_sim_access_unpin(s_access, s_items[id].iova, s_items[id].len);
	s_items[id].used = false;
	return 0;
}

static int s_rw(uint64_t iova, void *buf, size_t len, bool write)
{
	return iop_sim_access_rw(s_access, iova, buf, len, write);
}

static void s_access_destroy(void)
{
	s_unmap_cb(NULL, 0, UINT64_MAX);
	iop_sim_access_destroy(s_access);
	s_access = NULL;
}

static void s_close(void)
{
	iop_ioas_destroy(s_ioas);
	iop_ctx_destroy(s_ctx);
	unlink(s_topo);
}

static const struct side sim_side = {
	s_open, s_map, s_unmap, s_access_create, s_pin, s_unpin, s_rw,
	s_access_destroy, s_close,
};

/* --- the steps ------------------------------------------------------------ */

static int failures;

static const char *errno_name(int rc)
{
	switch (-rc) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EOVERFLOW: return "EOVERFLOW";
	case EBUSY: return "EBUSY";
	case EDEADLK: return "EDEADLOCK";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	default: return strerror(-rc);
	}
}

static void step(const char *name, int rc, int want)
{
	printf("acc %s: %s\n", name, errno_name(rc));
	if (rc != want) {
		printf("FAIL %s: %s, the kernel answers %s\n", name, errno_name(rc),
		       errno_name(want));
		failures++;
	}
}

static void fact(const char *name, bool ok)
{
	printf("acc %s: %s\n", name, ok ? "yes" : "no");
	if (!ok) {
		printf("FAIL %s: no\n", name);
		failures++;
	}
}

/*
 * Memory (pages of buf): [0,2) mapping A read-write; [2] mapping R
 * read-only, right after A; [3] not mapped; [4,6) mapping C read-write.
 */
static void run(const struct side *sd, char *buf)
{
	uint64_t a = (uintptr_t)buf, r = a + 2 * PAGE;
	unsigned int p_a = 0, p_ar = 0, p_r = 0, dummy;
	char in[32], out[32];

	step("map A read-write", sd->map(buf, 2 * PAGE, true), 0);
	step("map R read-only after A", sd->map(buf + 2 * PAGE, PAGE, false), 0);
	step("map C read-write after a hole", sd->map(buf + 4 * PAGE, 2 * PAGE, true), 0);
	step("create an access on the IOAS", sd->access_create(), 0);

	step("pin a page of A for write", sd->pin(a, PAGE, true, &p_a), 0);
	step("pin from inside a page", sd->pin(a + 100, PAGE, false, &dummy), -EINVAL);
	step("pin 0 bytes", sd->pin(a, 0, false, &dummy), -EINVAL);
	step("pin for write across A into read-only R",
	     sd->pin(a, 3 * PAGE, true, &dummy), -EPERM);
	step("pin for read across A and R", sd->pin(a, 3 * PAGE, false, &p_ar), 0);
	step("pin across R into the hole", sd->pin(r, 2 * PAGE, false, &dummy), -ENOENT);
	step("pin in the hole", sd->pin(r + PAGE, PAGE, false, &dummy), -ENOENT);
	step("pin a range that wraps", sd->pin(UINT64_MAX - PAGE + 1, 2 * PAGE, false, &dummy),
	     -EOVERFLOW);
	step("pin less than a page", sd->pin(r, 100, false, &p_r), 0);

	memcpy(in, "written through the access", 27);
	step("write 27 bytes into A", sd->rw(a + 10, in, 27, true), 0);
	fact("the bytes are in A's memory", memcmp(buf + 10, in, 27) == 0);
	memcpy(buf + 2 * PAGE + 5, "read-only", 9);
	step("read R", sd->rw(r + 5, out, 9, false), 0);
	fact("the bytes read are R's", memcmp(out, "read-only", 9) == 0);
	step("write into read-only R", sd->rw(r, in, 8, true), -EPERM);
	memset(buf + 2 * PAGE - 8, 0, 8);
	step("write across the end of A into R", sd->rw(r - 8, in, 16, true), -EPERM);
	fact("the part in A was written", memcmp(buf + 2 * PAGE - 8, in, 8) == 0);
	step("read across R into the hole", sd->rw(r + PAGE - 4, out, 8, false), -ENOENT);
	step("read 0 bytes", sd->rw(a, out, 0, false), -EINVAL);
	step("read across A and R", sd->rw(a + PAGE, out, sizeof(out), false), 0);

	step("unmap C, which nobody pinned", sd->unmap(buf + 4 * PAGE, 2 * PAGE), 0);
	step("unmap A: the access unpins A's pins and the unmap goes on",
	     sd->unmap(buf, 2 * PAGE), 0);
	step("unpin the pin of A the call-back removed", sd->unpin(p_a), -ENOENT);
	step("unpin the pin across A and R the call-back removed", sd->unpin(p_ar), -ENOENT);
	step("read from the unmapped A", sd->rw(a, out, 8, false), -ENOENT);
	step("unpin the pin in R", sd->unpin(p_r), 0);
	step("unpin it again", sd->unpin(p_r), -ENOENT);
	step("pin R again", sd->pin(r, PAGE, false, &p_r), 0);
	sd->access_destroy();
	step("unmap R after the access is gone", sd->unmap(buf + 2 * PAGE, PAGE), 0);
}

/* Kernel only (the sim's IOAS destroy does not know its accesses yet):
 * an IOAS with an access on it is not destroyed. */
static void kernel_destroy_with_access(void)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = k_ioas };
	int rc;

	rc = k_access_create();
	if (rc == 0)
		rc = ioctl(k_fd, IOMMU_DESTROY, &d) ? -errno : 0;
	printf("kernel-only destroy the IOAS while an access is on it: %s\n", errno_name(rc));
	if (rc != -EBUSY) {
		printf("FAIL destroy with an access: %s, expected EBUSY\n", errno_name(rc));
		failures++;
	}
	if (k_access >= 0)
		k_access_destroy();
}

int main(int argc, char **argv)
{
	const struct side *sd;
	char *buf;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "kernel") && strcmp(argv[1], "sim"))) {
		fprintf(stderr, "usage: iop-vm-access kernel|sim\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sd = strcmp(argv[1], "kernel") ? &sim_side : &kernel_side;
	buf = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		perror("iop-vm-access: mmap");
		return 1;
	}
	rc = sd->open();
	if (rc) {
		fprintf(stderr, "iop-vm-access: cannot open the %s side: %s (%s)\n", argv[1],
			strerror(-rc), iop_err_msg());
		return 1;
	}
	run(sd, buf);
	if (sd == &kernel_side)
		kernel_destroy_with_access();
	sd->close();
	munmap(buf, 8 * PAGE);
	printf("iop-vm-access: %s: %d failure(s)\n", argv[1], failures);
	return failures ? 1 : 0;
}
