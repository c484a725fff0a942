/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iop_log.h"

static enum iop_log_level log_level;
static __thread char err_msg[512];

static const char *const level_names[] = {
	[IOP_LOG_ERR] = "err", [IOP_LOG_WARN] = "warn",
	[IOP_LOG_INFO] = "info", [IOP_LOG_DEBUG] = "debug",
};

int iop_log_level_parse(const char *name, enum iop_log_level *level)
{
	for (int l = IOP_LOG_ERR; l <= IOP_LOG_DEBUG; l++) {
		if (name && strcmp(name, level_names[l]) == 0) {
			*level = (enum iop_log_level)l;
			return 0;
		}
	}
	return -EINVAL;
}

enum iop_log_level iop_log_get_level(void)
{
	if (log_level == 0) {
		enum iop_log_level l = IOP_LOG_WARN;

		iop_log_level_parse(getenv("IOP_LOG_LEVEL"), &l);
		log_level = l;
	}
	return log_level;
}

void iop_log_set_level(enum iop_log_level level)
{
	log_level = level;
}

void iop_log(enum iop_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > iop_log_get_level())
		return;
	fprintf(stderr, "iopath: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int iop_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	iop_log(IOP_LOG_DEBUG, "error %d (%s): %s", err, strerror(err), err_msg);
	return -err;
}

const char *iop_err_msg(void)
{
	return err_msg;
}

void iop_err_clear(void)
{
	err_msg[0] = '\0';
}
