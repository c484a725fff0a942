/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-devices bind / unbind: hand PCI devices to vfio-pci and back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iop_devices.h"
#include "iop_log.h"
#include "iop_pci.h"

/* Where bind remembers each device's previous driver for unbind. */
static const char *state_dir(void)
{
	const char *d = getenv("IOP_STATE_DIR");

	return d && *d ? d : "/run/iopath";
}

static int run_each(struct iopd_env *env, int argc, char **argv, bool bind)
{
	const char *root = env->params.sysfs_root;
	int n = iopd_common_opts(env, argc, argv);
	int failed = 0;

	if (n < 0)
		return IOPD_EXIT_USAGE;
	if (n == 0)
		return iopd_fail(env, IOPD_EXIT_USAGE, "%s needs at least one PCI address (e.g. 0000:00:03.0): see 'iop-devices list'",
				 bind ? "bind" : "unbind");
	if (env->json)
		fputs("[", stdout);
	for (int i = 0; i < n; i++) {
		struct iop_bus_dev before, after;
		int rc = iop_pci_lookup(root, argv[i], &before);

		if (rc == 0)
			rc = bind ? iop_pci_bind_vfio(root, state_dir(), argv[i])
				  : iop_pci_unbind(root, state_dir(), argv[i]);
		if (rc == 0)
			rc = iop_pci_lookup(root, argv[i], &after);
		if (rc < 0) {
			/* one clear line per device; the others still go on */
			fprintf(stderr, "iop-devices: %s\n", iop_err_msg());
			failed++;
			continue;
		}
		if (env->json) {
			printf("%s{\"bdf\": ", i ? ", " : "");
			iopd_json_str(stdout, after.addr);
			fputs(", \"driver\": ", stdout);
			iopd_json_str(stdout, after.driver);
			fputs(", \"previous\": ", stdout);
			iopd_json_str(stdout, before.driver);
			fputs("}", stdout);
		} else {
			printf("%s: %s (was %s)\n", after.addr, after.driver, before.driver);
		}
	}
	if (env->json)
		fputs("]\n", stdout);
	return failed ? IOPD_EXIT_FAIL : IOPD_EXIT_OK;
}

static int run_bind(struct iopd_env *env, int argc, char **argv)
{
	return run_each(env, argc, argv, true);
}

static int run_unbind(struct iopd_env *env, int argc, char **argv)
{
	return run_each(env, argc, argv, false);
}

static struct iopd_cmd bind_cmd = {
	.name = "bind",
	.args = "BDF... [--json]",
	.help = "bind PCI devices to vfio-pci (their driver is remembered for unbind; root)",
	.run = run_bind,
};

static struct iopd_cmd unbind_cmd = {
	.name = "unbind",
	.args = "BDF... [--json]",
	.help = "give PCI devices back from vfio-pci to the driver they had before bind (root)",
	.run = run_unbind,
};

IOPD_COMMAND(bind_cmd)
IOPD_COMMAND(unbind_cmd)
