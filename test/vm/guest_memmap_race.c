/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-vm-memmap-race: in a guest of two vCPUs, vCPU 1 reads a device's MMIO
 * BAR in a loop while vCPU 0 turns other devices' memory decoding off and on
 * through their config space, so QEMU's memory map changes under an MMIO
 * reader. With QEMU 10.0's multi-threaded TCG this aborts QEMU in
 * iotlb_to_section within seconds; the runner self-test checks that the
 * runner's configuration survives it (test/vm/runner-selftest).
 *
 *   iop-vm-memmap-race SECONDS BAR_RESOURCE CONFIG...
 *   (e.g. /sys/bus/pci/devices/0000:00:04.0/resource4 and the config files
 *   of devices bound to no driver or to vfio-pci)
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PCI_COMMAND 4
#define PCI_COMMAND_MEMORY 0x2
#define MAX_TOGGLED 8

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "iop-vm-memmap-race: cannot run on CPU %d: %s (the guest needs 2 vCPUs)\n",
			cpu, strerror(errno));
		return -1;
	}
	return 0;
}

static int read_bar_until(const char *resource, time_t end)
{
	volatile uint32_t *regs;
	unsigned long reads = 0;
	uint32_t sum = 0;
	int fd;

	if (pin_to_cpu(1) != 0)
		return 1;
	fd = open(resource, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "iop-vm-memmap-race: %s: %s\n", resource, strerror(errno));
		return 1;
	}
	regs = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (regs == MAP_FAILED) {
		fprintf(stderr, "iop-vm-memmap-race: mmap %s: %s\n", resource, strerror(errno));
		return 1;
	}
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++)
			sum += regs[i & 7];
		reads += 1000;
	}
	printf("iop-vm-memmap-race: %lu MMIO reads (sum %08x)\n", reads, sum);
	return 0;
}

static int write_command(int fd, uint16_t cmd)
{
	return pwrite(fd, &cmd, sizeof(cmd), PCI_COMMAND) == sizeof(cmd) ? 0 : -1;
}

int main(int argc, char **argv)
{
	int fds[MAX_TOGGLED], n = argc - 3, status;
	uint16_t cmds[MAX_TOGGLED];
	unsigned long toggles = 0;
	time_t end;
	pid_t reader;

	if (argc < 4 || n > MAX_TOGGLED || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: iop-vm-memmap-race SECONDS BAR_RESOURCE CONFIG... (at most %d)\n",
			MAX_TOGGLED);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		fds[i] = open(argv[3 + i], O_RDWR);
		if (fds[i] < 0 || pread(fds[i], &cmds[i], sizeof(cmds[i]), PCI_COMMAND) != sizeof(cmds[i])) {
			fprintf(stderr, "iop-vm-memmap-race: %s: %s\n", argv[3 + i], strerror(errno));
			return 1;
		}
	}
	end = time(NULL) + atoi(argv[1]);
	reader = fork();
	if (reader < 0) {
		perror("iop-vm-memmap-race: fork");
		return 1;
	}
	if (reader == 0)
		_exit(read_bar_until(argv[2], end));
	if (pin_to_cpu(0) != 0)
		return 1;
	while (time(NULL) < end) {
		for (int i = 0; i < n; i++)
			if (write_command(fds[i], cmds[i] & ~PCI_COMMAND_MEMORY) != 0)
				goto write_failed;
		for (int i = 0; i < n; i++)
			if (write_command(fds[i], cmds[i] | PCI_COMMAND_MEMORY) != 0)
				goto write_failed;
		toggles++;
	}
	printf("iop-vm-memmap-race: %lu rounds of %d memory-map changes\n", toggles, 2 * n);
	if (waitpid(reader, &status, 0) != reader || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
write_failed:
	fprintf(stderr, "iop-vm-memmap-race: writing the command register: %s\n", strerror(errno));
	return 1;
}
