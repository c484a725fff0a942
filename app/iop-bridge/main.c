/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iop-bridge: a testpmd-style forwarder on iopath ports (doc/bridge.md).
 *
 *   iop-bridge [EAL options] -- --port SPEC --port SPEC ...
 *       [--forward-mode=io|macswap|l2] [--ioas=...] [--stats-period=S]
 *       [--duration=S] [--json-stats=FILE] ...   (man iop-bridge)
 *
 * main reads the command line, opens the --json-stats file, starts iopath
 * and runs the bridge object (bridge.c).
 *
 * Exit status: 0 after a clean stop with every port balanced; 1 for bad
 * input or a setup failure (one line on stderr); 3 if some port's counters
 * do not balance.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bridge.h"
#include "iop_init.h"
#include "iop_log.h"

static struct {
	const char *path;
	FILE *f;
	bool created;
} json_out;

static void on_usr1(int sig)
{
	(void)sig;
	stats_ask_line();
}

static int fail(void)
{
	fprintf(stderr, "iop-bridge: %s\n", iop_err_msg());
	return 1;
}

/* --json-stats: opened before anything runs, so that a path that cannot
 * be written fails at once; removed again if nothing was written to it
 * and the bridge created it. */
static int json_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	json_out.path = path;
	json_out.created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		json_out.f = fdopen(fd, "w");
	if (!json_out.f) {
		iop_err(errno, "--json-stats=%s: cannot open it for writing: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (json_out.created)
			unlink(path);
		return -1;
	}
	return 0;
}

static void json_close(bool written)
{
	if (!json_out.f)
		return;
	fclose(json_out.f);
	if (!written && json_out.created)
		unlink(json_out.path);
	json_out.f = NULL;
}

int main(int argc, char **argv)
{
	struct bridge_opts opt;
	struct iop_options iop;
	int eal_argc, rc;

	if (iop_init_version_asked(argc, argv, "iop-bridge"))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(stdout);
			iop_init_usage(stdout);
			return 0;
		}
	}
	if (args_parse(argc, argv, &opt, &iop, &eal_argc) < 0 ||
	    (opt.json_path && json_open(opt.json_path) < 0))
		return fail();
	if (iop_init_opts(eal_argc, argv, &iop) < 0) {
		json_close(false);
		return fail();
	}
	if (bridge_create(&opt) < 0) {
		rc = fail();
		bridge_destroy();
		iop_cleanup();
		json_close(false);
		return rc;
	}
	signal(SIGINT, bridge_stop_signal);
	signal(SIGTERM, bridge_stop_signal);
	signal(SIGUSR1, on_usr1);
	bridge_telemetry_register();
	bridge_print_ports();
	rc = bridge_run(json_out.f);
	bridge_destroy();
	iop_cleanup();
	json_close(rc != 1);
	return rc;
}
