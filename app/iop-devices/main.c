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
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
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
		iopd_json_print(json_pack("{s:s}", "error", msg));
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

int iopd_common_opts(struct iopd_env *env, int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			env->json = true;
		else
			argv[n++] = argv[i];
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iop-devices [--iommu=auto|iommufd|vfio|sim] [--sim-topology=FILE] [--sysfs=DIR] [--json]\n"
		   "                   [--log-level=[TYPE:]LEVEL] COMMAND [ARGS]\n"
		   "       iop-devices --help | --version\n"
		   "\ncommands:\n");
	for (const struct iopd_cmd *c = commands; c; c = c->next)
		fprintf(f, "  %s %s\n      %s\n", c->name, c->args, c->help);
	fprintf(f, "\n--iommu=auto picks iommufd, else vfio; --sim-topology=FILE implies --iommu=sim\n"
		   "(--iommu=sim alone: 32 singleton sim NICs); --sysfs=DIR reads a copy of /sys (tests).\n"
		   "Exit: 0 ok, 1 refused (the message says why), 2 bad usage.\n"
		   "More: man iop-devices; the topology format: man iopath.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iommu", required_argument, NULL, 'i' },
		{ "sim-topology", required_argument, NULL, 's' },
		{ "sysfs", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct iopd_env env = { .params = { .backend = IOP_BACKEND_AUTO } };
	bool iommu_given = false;
	const struct iopd_cmd *cmd;
	int c, rc;

	if (iop_init_version_asked(argc, argv, "iop-devices"))
		return IOPD_EXIT_OK;
	opterr = 0;
	/* '+': global options end at the command name */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (iop_backend_parse(optarg, &env.params.backend))
				return iopd_fail(&env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
			iommu_given = true;
			break;
		case 's':
			env.params.sim_topology = optarg;
			break;
		case 'S':
			env.params.sysfs_root = optarg;
			break;
		case 'j':
			env.json = true;
			break;
		case 'l':
			if (iop_log_level_option(optarg))
				return iopd_fail(&env, IOPD_EXIT_USAGE, "%s", iop_err_msg());
			break;
		case 'h':
			usage(stdout);
			return IOPD_EXIT_OK;
		default:
			return iopd_fail(&env, IOPD_EXIT_USAGE, "unknown or incomplete option '%s': iop-devices --help or man iop-devices lists them",
					 argv[optind - 1]);
		}
	}
	if (env.params.sim_topology) {
		if (iommu_given && env.params.backend != IOP_BACKEND_SIM)
			return iopd_fail(&env, IOPD_EXIT_USAGE, "--sim-topology needs --iommu=sim, not --iommu=%s",
					 iop_backend_name(env.params.backend));
		env.params.backend = IOP_BACKEND_SIM;
	}
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
