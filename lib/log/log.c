/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iopath's log goes through DPDK's rte_log, one log type per area, named
 * after the file's IOP_LOG_PREFIX: "iommu/sim: " logs as iop.iommu.sim,
 * "port: " as iop.port, no prefix as iop. So EAL's --log-level=iop.*:debug,
 * --log-level=iop.pci:info and --syslog work on it as on DPDK's own.
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "iop_log.h"

#define MAX_TYPES 64
#define MAX_PATTERNS 16
#define TYPE_NAME_LEN 32
#define ALL_TYPES "iop*"

static __thread char err_msg[512];

static const char *const level_names[] = {
	[IOP_LOG_ERR] = "err", [IOP_LOG_WARN] = "warn",
	[IOP_LOG_INFO] = "info", [IOP_LOG_DEBUG] = "debug",
};

static const uint32_t rte_levels[] = {
	[IOP_LOG_ERR] = RTE_LOG_ERR, [IOP_LOG_WARN] = RTE_LOG_WARNING,
	[IOP_LOG_INFO] = RTE_LOG_INFO, [IOP_LOG_DEBUG] = RTE_LOG_DEBUG,
};

/* prefix text -> rte_log type, registered at the first message */
static struct {
	char prefix[TYPE_NAME_LEN];
	int type;
} types[MAX_TYPES];
static unsigned int ntypes;
/* levels set by pattern, in order, for the types registered later: DPDK
 * keeps the patterns of EAL's --log-level only, not those of
 * rte_log_set_level_pattern() */
static struct {
	char pattern[TYPE_NAME_LEN * 2];
	uint32_t level;
} patterns[MAX_PATTERNS];
static unsigned int npatterns;
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;

static int set_level_pattern(const char *pattern, uint32_t level)
{
	int rc = 0;

	pthread_mutex_lock(&types_lock);
	/* a pattern set again moves to the end: the latest setting wins */
	for (unsigned int i = 0; i < npatterns; i++) {
		if (strcmp(patterns[i].pattern, pattern) == 0) {
			memmove(&patterns[i], &patterns[i + 1], (npatterns - i - 1) * sizeof(patterns[0]));
			npatterns--;
			break;
		}
	}
	if (npatterns == MAX_PATTERNS) {
		rc = iop_err(ENOSPC, "more than %d log level settings: give fewer --log-level options",
			     MAX_PATTERNS);
	} else {
		snprintf(patterns[npatterns].pattern, sizeof(patterns[0].pattern), "%s", pattern);
		patterns[npatterns++].level = level;
		rte_log_set_level_pattern(pattern, level);
	}
	pthread_mutex_unlock(&types_lock);
	return rc;
}

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

int iop_log_level_option(const char *value)
{
	static const struct { const char *name; uint32_t level; } names[] = {
		{"err", RTE_LOG_ERR}, {"error", RTE_LOG_ERR}, {"warn", RTE_LOG_WARNING},
		{"warning", RTE_LOG_WARNING}, {"notice", RTE_LOG_NOTICE},
		{"info", RTE_LOG_INFO}, {"debug", RTE_LOG_DEBUG},
	};
	const char *colon = strrchr(value, ':');
	const char *level = colon ? colon + 1 : value;
	char pattern[TYPE_NAME_LEN * 2];

	if (colon && (colon == value || (size_t)(colon - value) >= sizeof(pattern)))
		return iop_err(EINVAL, "--log-level=%s: write --log-level=LEVEL or --log-level=TYPE:LEVEL (TYPE such as iop.port or iop.*)",
			       value);
	snprintf(pattern, sizeof(pattern), "%.*s", colon ? (int)(colon - value) : 0, value);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(level, names[i].name) == 0)
			return set_level_pattern(colon ? pattern : ALL_TYPES, names[i].level);
	return iop_err(EINVAL, "unknown log level '%s': use --log-level=err, warn, info or debug (or TYPE:LEVEL, such as iop.port:debug)",
		       level);
}

void iop_log_set_level(enum iop_log_level level)
{
	set_level_pattern(ALL_TYPES, rte_levels[level]);
}

/* "iommu/sim: " -> "iop.iommu.sim"; "" -> "iop" */
static void type_name(const char *prefix, char *name, size_t len)
{
	size_t n = strcspn(prefix, ":");

	snprintf(name, len, "iop%s%.*s", n ? "." : "", (int)n, prefix);
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '.';
}

/* The registered type of prefix, or -1. Without a lock: entries are only
 * appended, each complete before ntypes counts it. */
static int find_type(const char *prefix)
{
	unsigned int n = __atomic_load_n(&ntypes, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (strcmp(types[i].prefix, prefix) == 0)
			return types[i].type;
	return -1;
}

int iop_log_type_register(const char *prefix)
{
	char name[TYPE_NAME_LEN + 4];
	int type = find_type(prefix);

	if (type >= 0)
		return type;
	pthread_mutex_lock(&types_lock);
	type = find_type(prefix);
	if (type < 0) {
		type_name(prefix, name, sizeof(name));
		/* the level of a matching --log-level, else warnings and errors */
		type = rte_log_register_type_and_pick_level(name, RTE_LOG_WARNING);
		for (unsigned int i = 0; type >= 0 && i < npatterns; i++)
			if (fnmatch(patterns[i].pattern, name, 0) == 0)
				rte_log_set_level((uint32_t)type, patterns[i].level);
		if (type >= 0 && ntypes < MAX_TYPES && strlen(prefix) < TYPE_NAME_LEN) {
			snprintf(types[ntypes].prefix, TYPE_NAME_LEN, "%s", prefix);
			types[ntypes].type = type;
			__atomic_store_n(&ntypes, ntypes + 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&types_lock);
	return type < 0 ? RTE_LOGTYPE_USER1 : type;
}

/* the type of iop_log() and iop_err(), which have no prefix */
static void __attribute__((constructor)) register_root_type(void)
{
	iop_log_type_register("");
}

static void vlog(const char *prefix, enum iop_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	int type = iop_log_type_register(prefix);

	if (!rte_log_can_log((uint32_t)type, rte_levels[level]))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	rte_log(rte_levels[level], (uint32_t)type, "iopath: %s: %s%s\n", level_names[level],
		prefix, msg);
}

void iop_log_at(const char *prefix, enum iop_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prefix, level, fmt, ap);
	va_end(ap);
}

void iop_log(enum iop_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", level, fmt, ap);
	va_end(ap);
}

static int verr(const char *prefix, int err, const char *fmt, va_list ap)
{
	size_t n = (size_t)snprintf(err_msg, sizeof(err_msg), "%s", prefix);

	if (n < sizeof(err_msg))
		vsnprintf(err_msg + n, sizeof(err_msg) - n, fmt, ap);
	iop_log_at(prefix, IOP_LOG_DEBUG, "error %d (%s): %s", err, strerror(err), err_msg + n);
	return -err;
}

int iop_err_at(const char *prefix, int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(prefix, err, fmt, ap);
	va_end(ap);
	return rc;
}

int iop_err(int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr("", err, fmt, ap);
	va_end(ap);
	return rc;
}

const char *iop_err_msg(void)
{
	return err_msg;
}

void iop_err_clear(void)
{
	err_msg[0] = '\0';
}
