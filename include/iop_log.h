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
 * The log goes through DPDK's rte_log, one log type per area named after
 * the file's prefix: a file that sets
 *   #define IOP_LOG_PREFIX "iommu/sim: "
 * before including this header logs as iop.iommu.sim (no prefix: iop).
 * Each type starts at warning; EAL's --log-level=iop.*:debug (or
 * iop.port:info, ...) and --syslog apply as to DPDK's own types.
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

/* Sets the level of every iop.* log type, those registered later too
 * (iopath's own --log-level=LEVEL after `--` does this). */
void iop_log_set_level(enum iop_log_level level);
/* Parses "err", "warn", "info", "debug"; returns -EINVAL otherwise. */
int iop_log_level_parse(const char *name, enum iop_log_level *level);
/*
 * Applies a --log-level value as EAL's option reads it: "LEVEL" for every
 * iop.* type, or "PATTERN:LEVEL" for the types PATTERN matches (a glob:
 * iop.port, iop.iommu.*, iop.*). LEVEL: err, warn, info, debug, or DPDK's
 * error, warning, notice. -EINVAL with a message otherwise.
 */
int iop_log_level_option(const char *value);

/* Logs one line "iopath: LEVEL: PREFIXmessage" as log type iop.PREFIX
 * (IOP_LOG() passes the file's prefix); iop_log() as type iop. */
void iop_log_at(const char *prefix, enum iop_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void iop_log(enum iop_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Records the message of the current failure and returns -err, so that
 * library code can write:  return iop_err(ENOENT, "no device %s", bdf);
 * The message is kept until the next iop_err() of the same thread, and
 * logged at debug level. IOP_ERR() puts the file's prefix in front.
 */
int iop_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iop_err_at(const char *prefix, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The last message recorded by iop_err() on this thread ("" if none). */
const char *iop_err_msg(void);
/* Forgets the last message (tests use it between steps). */
void iop_err_clear(void);

/*
 * The log type of a prefix ("iommu/sim: " -> iop.iommu.sim), registered
 * with rte_log at its first use. A file that sets IOP_LOG_PREFIX before
 * including this header registers its type from a constructor, while the
 * process is still single-threaded (rte_log's table of types is not safe
 * to grow while other threads log).
 */
int iop_log_type_register(const char *prefix);

#ifdef IOP_LOG_PREFIX
static void __attribute__((constructor)) iop_log_type_register_file(void)
{
	iop_log_type_register(IOP_LOG_PREFIX);
}
#else
#define IOP_LOG_PREFIX ""
#endif

#define IOP_LOG(level, fmt, ...) \
	iop_log_at(IOP_LOG_PREFIX, IOP_LOG_##level, fmt, ##__VA_ARGS__)
#define IOP_ERR(err, fmt, ...) iop_err_at(IOP_LOG_PREFIX, err, fmt, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* IOP_LOG_H */
