/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-devices: global options and subcommand dispatch. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iop_devices.h"
#include "iop_init.h"
#include "iop_log.h"

static struct iopd_cmd *commands;

void iopd_register(struct iopd_cmd *cmd)
{
	struct iopd_cmd **pp = &commands;

	/* kept sorted by name for --help */
	while (*pp && strcmp((*pp)->name, cmd->name) < 0)
		pp = &(*pp)->next;
	cmd->next = *pp;
	*pp = cmd;
}

void iopd_json_print(json_t *doc)
{
	app_json_write(stdout, doc, true);
}

json_t *iopd_json_ranges(const struct iop_iova_range *ranges, size_t n)
{
	json_t *a = json_array();

	for (size_t r = 0; r < n; r++) {
		char first[24], last[24];

		snprintf(first, sizeof(first), "0x%" PRIx64, ranges[r].first);
		snprintf(last, sizeof(last), "0x%" PRIx64, ranges[r].last);
		json_array_append_new(a, json_pack("{s:s,s:s}", "first", first, "last", last));
	}
	return a;
}

int iopd_fail(struct iopd_env *env, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "iop-devices: %s\n", msg);
	if (env && env->json)
		iopd_json_print(json_pack("{s:o}", "error", app_json_str(msg)));
	return code;
}

struct iop_ctx *iopd_ctx(struct iopd_env *env)
{
	if (!env->ctx && iop_ctx_create(&env->params, &env->ctx)) {
		iopd_fail(env, IOPD_EXIT_FAIL, "%s", iop_err_msg());
		env->ctx = NULL;
	}
	return env->ctx;
}

int iopd_options(struct iopd_env *env, int argc, char **argv, const struct option *table,
		 int (*opt)(void *ctx, int val, const char *arg), void *ctx)
{
	const char *name = argv[0];
	int n = 0, rc = 0;

	optind = 0;
	opterr = 0;
	/* '-': every other word comes back as option 1, in order */
	while (rc == 0) {
		int at = optind ? optind : 1, c = getopt_long(argc, argv, "-:", table, NULL);

		if (c == -1)
			break;
		if (c == 1)
			argv[n++] = optarg; /* behind what getopt_long still reads */
		else if (c == '?' || c == ':')
			rc = iop_options_error(table, argv, at, c, "iop-devices");
		else if (c == IOPD_OPT_JSON)
			env->json = true;
		else
			rc = opt(ctx, c, optarg);
	}
	/* after a `--`, the rest are words */
	for (int i = optind; rc == 0 && i < argc; i++)
		argv[n++] = argv[i];
	optind = 0;
	if (rc) {
		iopd_fail(env, -1, "%s: %s", name, iop_err_msg());
		return -1;
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iop-devices [--iommu=auto|iommufd|vfio|sim] [--sim-topology=FILE] [--sysfs=DIR] [--json]\n"
		   "                   [--log-level=[TYPE:]LEVEL] COMMAND [ARGS]\n"
		   "       every option is --opt=value or --opt value\n"
		   "       iop-devices --help | --version\n"
		   "\ncommands:\n");
	for (const struct iopd_cmd *c = commands; c; c = c->next)
		fprintf(f, "  %s %s\n      %s\n", c->name, c->args, c->help);
	fprintf(f, "\n--iommu=auto picks iommufd, else vfio; --sim-topology=FILE selects the sim (not with\n"
		   "--iommu=iommufd or vfio); --iommu=sim alone: 32 singleton sim NICs;\n"
		   "--sysfs=DIR reads a copy of /sys (tests).\n"
		   "Exit: 0 ok, 1 refused (the message says why), 2 bad usage.\n"
		   "More: man iop-devices; the topology format: man iopath.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		IOP_OPTION_IOMMU,
		IOP_OPTION_SIM_TOPOLOGY,
		IOP_OPTION_LOG_LEVEL,
		{ "sysfs", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct iopd_env env = { .params = { .backend = IOP_BACKEND_AUTO } };
	struct iop_options iop = { 0 };
	const struct iopd_cmd *cmd;
	int c, rc;

	if (iop_init_version_asked(argc, argv, "iop-devices"))
		return IOPD_EXIT_OK;
	opterr = 0;
	/* '+': global options end at the command name */
	for (int at = 1; (c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1; at = optind) {
		switch (c) {
		case 'S':
			env.params.sysfs_root = optarg;
			break;
		case 'j':
			env.json = true;
			break;
		case 'h':
			usage(stdout);
			return IOPD_EXIT_OK;
		case '?':
		case ':':
			iop_options_error(opts, argv, at, c, "iop-devices");
			return iopd_fail(&env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
		default:
			if (iop_options_apply(&iop, c, optarg))
				return iopd_fail(&env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
		}
	}
	/* lib/init's rule, as in every app: a topology selects the sim */
	if (iop_options_resolve(&iop))
		return iopd_fail(&env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
	env.params.backend = iop.backend;
	env.params.sim_topology = iop.sim_topology;
	if (optind == argc) {
		usage(stderr);
		return iopd_fail(&env, IOPD_EXIT_USAGE, "no command given");
	}
	for (cmd = commands; cmd; cmd = cmd->next)
		if (strcmp(cmd->name, argv[optind]) == 0)
			break;
	if (!cmd) {
		char names[256] = "";
		size_t len = 0;

		for (const struct iopd_cmd *k = commands; k; k = k->next)
			len += (size_t)snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0,
						"%s%s", len ? ", " : "", k->name);
		return iopd_fail(&env, IOPD_EXIT_USAGE, "unknown command '%s': commands are %s",
				 argv[optind], names);
	}
	rc = cmd->run(&env, argc - optind, argv + optind);
	iop_ctx_destroy(env.ctx);
	return rc;
}
