/* SPDX-License-Identifier: BSD-3-Clause */
/* bind's records of previous drivers, safe against whoever else can write
 * near them (pci_state.h). Every file is reached through the folder's fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOP_LOG_PREFIX "pci: "
#include "iop_log.h"
#include "pci_state.h"

#define RECORD_SUFFIX ".driver"
#define TEMP_SUFFIX ".driver.tmp"

bool pci_driver_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IOP_DRIVER_LEN || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-.:+") == n;
}

int pci_state_open(const char *state_dir, bool create)
{
	struct stat st;
	bool created = false;
	int fd;

	if (create) {
		created = mkdir(state_dir, 0700) == 0;
		if (!created && errno != EEXIST)
			return IOP_ERR(errno, "cannot create %s to remember previous drivers: %s",
				       state_dir, strerror(errno));
	}
	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !create)
		return -ENOENT;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return IOP_ERR(EPERM, "state folder %s is a symlink or not a folder: remove it and retry",
			       state_dir);
	if (fd < 0)
		return IOP_ERR(errno, "cannot open state folder %s: %s", state_dir, strerror(errno));
	/* mkdir's mode went through the umask */
	if (created && fchmod(fd, 0700) != 0) {
		int err = errno;

		close(fd);
		return IOP_ERR(err, "cannot set %s to mode 0700: %s", state_dir, strerror(err));
	}
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return IOP_ERR(err, "cannot stat %s: %s", state_dir, strerror(err));
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		unsigned int uid = (unsigned int)st.st_uid, mode = st.st_mode & 07777;

		close(fd);
		return IOP_ERR(EPERM, "state folder %s is owned by uid %u with mode %04o: it must be owned by uid %u with mode 0700; remove it and retry",
			       state_dir, uid, mode, (unsigned int)geteuid());
	}
	return fd;
}

static void record_name(const char *bdf, const char *suffix, char *name, size_t size)
{
	snprintf(name, size, "%s%s", bdf, suffix);
}

int pci_state_read(int dir_fd, const char *state_dir, const char *bdf, char drv[IOP_DRIVER_LEN])
{
	char name[64];
	struct stat st;
	ssize_t n;
	int fd;

	drv[0] = '\0';
	record_name(bdf, RECORD_SUFFIX, name, sizeof(name));
	/* O_NONBLOCK: a FIFO planted there must not hang us */
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno != ELOOP)
		return IOP_ERR(errno, "cannot read %s/%s: %s", state_dir, name, strerror(errno));
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		if (fd >= 0)
			close(fd);
		return IOP_ERR(EPERM, "%s/%s is not a regular file of ours: remove it, then unbind lets the kernel choose the driver",
			       state_dir, name);
	}
	n = read(fd, drv, IOP_DRIVER_LEN - 1);
	close(fd);
	drv[n > 0 ? n : 0] = '\0';
	drv[strcspn(drv, "\n")] = '\0';
	if (!pci_driver_name_ok(drv)) {
		drv[0] = '\0';
		return IOP_ERR(EINVAL, "%s/%s does not hold a driver name: remove it, then unbind lets the kernel choose the driver",
			       state_dir, name);
	}
	return 0;
}

int pci_state_write(int dir_fd, const char *state_dir, const char *bdf, const char *drv)
{
	char name[64], temp[64], text[IOP_DRIVER_LEN + 1];
	int fd, len = snprintf(text, sizeof(text), "%s\n", drv), err = 0;

	record_name(bdf, RECORD_SUFFIX, name, sizeof(name));
	record_name(bdf, TEMP_SUFFIX, temp, sizeof(temp));
	/* a temp file left by a crash, or planted: never opened, replaced */
	if (unlinkat(dir_fd, temp, 0) != 0 && errno != ENOENT)
		return IOP_ERR(errno, "cannot remove %s/%s: %s", state_dir, temp, strerror(errno));
	fd = openat(dir_fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return IOP_ERR(errno, "cannot write %s/%s: %s", state_dir, temp, strerror(errno));
	errno = 0;
	if (fchmod(fd, 0600) != 0 || write(fd, text, (size_t)len) != len || fsync(fd) != 0)
		err = errno ? errno : EIO;
	if (close(fd) != 0 && !err)
		err = errno;
	/* rename replaces whatever is at the record's name, a symlink too,
	 * without following it */
	if (!err && renameat(dir_fd, temp, dir_fd, name) != 0)
		err = errno;
	if (err) {
		unlinkat(dir_fd, temp, 0);
		return IOP_ERR(err, "cannot write %s/%s: %s", state_dir, name, strerror(err));
	}
	return 0;
}

void pci_state_remove(int dir_fd, const char *bdf)
{
	char name[64];

	record_name(bdf, RECORD_SUFFIX, name, sizeof(name));
	unlinkat(dir_fd, name, 0);
}
