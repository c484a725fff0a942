/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-devices bind / unbind: hand PCI devices to vfio-pci and back. */
#include <limits.h>
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

/* Where --persist writes its udev rules (tests point it elsewhere). */
static const char *rules_dir(void)
{
	return getenv("IOP_UDEV_RULES_DIR");
}

struct bind_opts {
	bool force;   /* bind even an active device */
	bool persist; /* bind: keep across reboots; unbind: stop keeping */
};

enum { OPT_FORCE = 'f', OPT_PERSIST = 'p' };

static int bind_opt(void *ctx, int val, const char *arg)
{
	struct bind_opts *o = ctx;

	(void)arg;
	if (val == OPT_FORCE)
		o->force = true;
	else
		o->persist = true;
	return 0;
}

/* Binds one device: the active check, the binding, the rule. A PF with
 * VFs is refused first, --force or not (the binding would remove them). */
static int bind_one(const char *root, const char *bdf, const struct bind_opts *o,
		    bool *forced)
{
	int rc = iop_pci_sriov_refuse_pf(root, bdf, IOP_PCI_SRIOV_BIND_WHY);

	*forced = false;
	if (rc < 0)
		return rc;
	rc = iop_pci_active_check(root, bdf);
	if (rc == -EBUSY && o->force) {
		fprintf(stderr, "iop-devices: warning: binding anyway (--force): %s\n", iop_err_msg());
		*forced = true;
		rc = 0;
	}
	if (rc == 0)
		rc = iop_pci_bind_vfio(root, state_dir(), bdf);
	if (rc == 0 && o->persist)
		rc = iop_pci_persist_set(rules_dir(), bdf);
	return rc;
}

/* Unbinds one device; --persist removes its rule first so that a failed
 * unbind still leaves nothing for the next boot. */
static int unbind_one(const char *root, const char *bdf, const struct bind_opts *o)
{
	int rc = o->persist ? iop_pci_persist_clear(rules_dir(), bdf) : 0;

	return rc ? rc : iop_pci_unbind(root, state_dir(), bdf);
}

static int run_each(struct iopd_env *env, int argc, char **argv, bool bind)
{
	const char *root = env->params.sysfs_root;
	static const struct option bind_table[] = {
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		IOPD_OPTIONS_END
	};
	static const struct option unbind_table[] = {
		{ "persist", no_argument, NULL, OPT_PERSIST },
		IOPD_OPTIONS_END
	};
	struct bind_opts o = { 0 };
	int n = iopd_options(env, argc, argv, bind ? bind_table : unbind_table, bind_opt, &o);
	json_t *results = json_array();
	int failed = 0;

	if (n < 0) {
		json_decref(results);
		return IOPD_EXIT_USAGE;
	}
	if (n == 0) {
		json_decref(results);
		return iopd_fail(env, IOPD_EXIT_USAGE, "%s needs at least one PCI address (e.g. 0000:00:03.0): see 'iop-devices list'",
				 bind ? "bind" : "unbind");
	}
	for (int i = 0; i < n; i++) {
		struct iop_bus_dev before, after;
		char rule[PATH_MAX] = "";
		bool forced = false;
		int rc = iop_pci_lookup(root, argv[i], &before);

		if (rc == 0)
			rc = bind ? bind_one(root, before.addr, &o, &forced)
				  : unbind_one(root, before.addr, &o);
		if (rc == 0)
			rc = iop_pci_lookup(root, argv[i], &after);
		if (rc < 0) {
			/* one clear line per device; the others still go on */
			fprintf(stderr, "iop-devices: %s\n", iop_err_msg());
			json_array_append_new(results, json_pack("{s:o,s:o}", "bdf", app_json_str(argv[i]),
								 "error", app_json_str(iop_err_msg())));
			failed++;
			continue;
		}
		if (o.persist)
			iop_pci_persist_path(rules_dir(), after.addr, rule);
		json_array_append_new(results, json_pack("{s:o,s:o,s:o,s:b,s:o}",
			"bdf", app_json_str(after.addr), "driver", app_json_str(after.driver),
			"previous", app_json_str(before.driver), "forced", forced, "persist_rule",
			app_json_str(o.persist ? rule : NULL)));
		if (env->json)
			continue;
		printf("%s: %s (was %s)", after.addr, after.driver, before.driver);
		if (o.persist)
			printf(bind ? "; kept at boot by %s" : "; %s removed", rule);
		putchar('\n');
	}
	if (env->json)
		iopd_json_print(results);
	else
		json_decref(results);
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
	.args = "[--force] [--persist] BDF... [--json]",
	.help = "bind PCI devices to vfio-pci (their driver is remembered for unbind; root). Refuses a device whose interface, or one of its IOMMU group, is up or routed unless --force; --persist keeps the binding across reboots (a udev rule)",
	.run = run_bind,
};

static struct iopd_cmd unbind_cmd = {
	.name = "unbind",
	.args = "[--persist] BDF... [--json]",
	.help = "give PCI devices back from vfio-pci to the driver they had before bind (root); --persist also removes the boot-time rule of bind --persist",
	.run = run_unbind,
};

IOPD_COMMAND(bind_cmd)
IOPD_COMMAND(unbind_cmd)
