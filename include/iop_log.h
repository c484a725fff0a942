/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_LOG_H
#define IOP_LOG_H

/*
 * Logging and error reporting shared by every iopath module.
 *
 * Library calls report failure as a negative errno and leave a one-line,
 * user-facing explanation (what went wrong and what to do) in a per-thread
 * buffer that apps print with iop_err_msg(). Library code never exits.
 *
 * Each .c file may set its prefix before including this header:
 *   #define IOP_LOG_PREFIX "iommu/sim: "
 */

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

enum iop_log_level {
	IOP_LOG_ERR = 1,
	IOP_LOG_WARN = 2,
	IOP_LOG_INFO = 3,
	IOP_LOG_DEBUG = 4,
};

/* Messages above this level are dropped; IOP_LOG_LEVEL in the environment
 * (err|warn|info|debug) sets the initial value, warn by default. */
void iop_log_set_level(enum iop_log_level level);
enum iop_log_level iop_log_get_level(void);
/* Parses "err", "warn", "info", "debug"; returns -EINVAL otherwise. */
int iop_log_level_parse(const char *name, enum iop_log_level *level);

void iop_log(enum iop_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Records the message of the current failure and returns -err, so that
 * library code can write:  return iop_err(ENOENT, "no device %s", bdf);
 * The message is kept until the next iop_err() of the same thread.
 */
int iop_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message recorded by iop_err() on this thread ("" if none). */
const char *iop_err_msg(void);
/* Forgets the last message (tests use it between steps). */
void iop_err_clear(void);

#ifndef IOP_LOG_PREFIX
#define IOP_LOG_PREFIX ""
#endif

#define IOP_LOG(level, fmt, ...) \
	iop_log(IOP_LOG_##level, IOP_LOG_PREFIX fmt, ##__VA_ARGS__)
#define IOP_ERR(err, fmt, ...) iop_err(err, IOP_LOG_PREFIX fmt, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* IOP_LOG_H */
