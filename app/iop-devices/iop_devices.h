/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_DEVICES_H
#define IOP_DEVICES_H

/*
 * iop-devices: subcommands and what they share.
 *
 * Extension point: a subcommand is one file that defines a struct
 * iopd_cmd and registers it with IOPD_COMMAND(); app/iop-devices/meson.build
 * picks the file up. main.c parses the global options (--iommu,
 * --sim-topology, --log-level, --sysfs, --json) and runs the command named on the command line
 * with the arguments after its name (argv[0] is the command name).
 */

#include <stdbool.h>
#include <stdio.h>

#include <getopt.h>

#include "app_json.h"

#include "iop_init.h"
#include "iop_iommu.h"

struct iopd_env {
	struct iop_ctx_params params;
	bool json;
	struct iop_ctx *ctx; /* opened by iopd_ctx() on first use */
};

struct iopd_cmd {
	const char *name;
	const char *args; /* usage after the name */
	const char *help; /* one line */
	/* Returns the exit code; prints its own errors with iopd_fail(). */
	int (*run)(struct iopd_env *env, int argc, char **argv);
	struct iopd_cmd *next;
};

void iopd_register(struct iopd_cmd *cmd);
#define IOPD_COMMAND(cmd) \
	static void __attribute__((constructor)) iopd_register_##cmd(void) \
	{ iopd_register(&cmd); }

/* Exit codes */
#define IOPD_EXIT_OK 0
#define IOPD_EXIT_FAIL 1  /* the request cannot be done (message says why) */
#define IOPD_EXIT_USAGE 2 /* bad command line */

/* The IOMMU context of the global options; prints the error and returns
 * NULL on failure. */
struct iop_ctx *iopd_ctx(struct iopd_env *env);

/* Prints "iop-devices: <msg>" on stderr (and {"error": msg} on stdout
 * with --json); returns code. */
int iopd_fail(struct iopd_env *env, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every subcommand takes --json: its table ends with these two entries. */
#define IOPD_OPT_JSON 0x2000
#define IOPD_OPTIONS_END { "json", no_argument, NULL, IOPD_OPT_JSON }, { NULL, 0, NULL, 0 }

/*
 * A subcommand's words (argv[0] is its name), with getopt_long on table:
 * --opt=value or --opt value, options and other words in any order.
 * --json sets env->json; every other option goes to opt(ctx, val, optarg),
 * which returns 0 or -EINVAL with iop_err_msg() set. The other words (the
 * BDFs) are moved to argv[0..] in order and counted. Returns the count, or
 * -1 after printing the usage error (the command exits IOPD_EXIT_USAGE).
 */
int iopd_options(struct iopd_env *env, int argc, char **argv, const struct option *table,
		 int (*opt)(void *ctx, int val, const char *arg), void *ctx);

/* Prints a JSON document (jansson: escapes, nesting and numbers are
 * its job) on stdout and releases it. */
void iopd_json_print(json_t *doc);

/* IOVA ranges as a JSON array of {"first": "0x..", "last": "0x.."}. */
json_t *iopd_json_ranges(const struct iop_iova_range *ranges, size_t n);

#endif /* IOP_DEVICES_H */
