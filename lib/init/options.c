/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iopath's options: what each one sets, the --sim-topology rule, and the
 * one-line message for whatever getopt_long refused (doc/cli.md). iop_init
 * and every app parse with getopt_long through these, so the options read
 * the same everywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define IOP_LOG_PREFIX "init: "
#include "iop_init.h"
#include "iop_log.h"
#include "init_options.h"

int iop_options_apply(struct iop_options *o, int val, const char *arg)
{
	switch (val) {
	case IOP_OPT_IOMMU:
		return iop_backend_parse(arg, &o->backend);
	case IOP_OPT_IOAS:
		return iop_layout_parse(arg, &o->layout);
	case IOP_OPT_STRICT:
		o->strict = true;
		return 0;
	case IOP_OPT_SIM_TOPOLOGY:
		if (!arg || !*arg)
			return iop_err(EINVAL, "--sim-topology needs a file name: --sim-topology=FILE (format: man iopath)");
		o->sim_topology = arg;
		return 0;
	case IOP_OPT_LOG_LEVEL:
		return iop_log_level_option(arg);
	default:
		return 1;
	}
}

int iop_options_resolve(struct iop_options *o)
{
	if (!o->sim_topology)
		return 0;
	if (o->backend != IOP_BACKEND_AUTO && o->backend != IOP_BACKEND_SIM)
		return iop_err(EINVAL, "--sim-topology=%s describes the sim's machine, but --iommu=%s: drop one of them (man iopath)",
			       o->sim_topology, iop_backend_name(o->backend));
	o->backend = IOP_BACKEND_SIM;
	return 0;
}

/* The entry whose name is the text name[0..len) exactly, or NULL. */
static const struct option *entry_named(const struct option *t, const char *name, size_t len)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

int iop_options_error(const struct option *table, char *const *argv, int at, int ret,
		      const char *app)
{
	const char *word = argv[at], *name, *eq;
	const struct option *e = NULL;
	char also[256] = "";
	size_t len, n = 0, matches = 0;

	if (strncmp(word, "--", 2) != 0)
		return iop_err(EINVAL, "unknown option '%.2s': %s --help or man %s lists the options",
			       word, app, app);
	name = word + 2;
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	if (ret == ':')
		return iop_err(EINVAL, "option '--%.*s' needs a value: --%.*s=VALUE or --%.*s VALUE (man %s)",
			       (int)len, name, (int)len, name, (int)len, name, app);
	e = entry_named(table, name, len);
	for (const struct option *t = table; !e && len && t->name; t++) {
		if (strncmp(t->name, name, len) != 0)
			continue;
		matches++;
		n += (size_t)snprintf(also + n, n < sizeof(also) ? sizeof(also) - n : 0, "%s--%s",
				      n ? ", " : "", t->name);
	}
	if (matches > 1)
		return iop_err(EINVAL, "option '--%.*s' is ambiguous: %s? (man %s)", (int)len, name, also, app);
	for (const struct option *t = table; !e && len && t->name; t++)
		if (strncmp(t->name, name, len) == 0)
			e = t; /* the one option an abbreviation names */
	if (e && eq && e->has_arg == no_argument)
		return iop_err(EINVAL, "option '--%s' takes no value: write --%s alone (man %s)",
			       e->name, e->name, app);
	return iop_err(EINVAL, "unknown option '--%.*s': %s --help or man %s lists the options",
		       (int)len, name, app, app);
}

/* The entry argv word names in full (--name or --name=...), or NULL.
 * iop_init shares the command line with the app, so whatever is not one
 * of its options by its whole name is the app's: an abbreviation
 * getopt_long would accept may be an app's option (--stat for --strict). */
static const struct option *named(const struct option *t, const char *word)
{
	for (; t->name && strncmp(word, "--", 2) == 0; t++) {
		size_t n = strlen(t->name);

		if (strncmp(word + 2, t->name, n) == 0 && (word[2 + n] == '\0' || word[2 + n] == '='))
			return t;
	}
	return NULL;
}

int init_options_parse(int argc, char **argv, struct iop_options *opts)
{
	static const struct option table[] = { IOP_OPTIONS, { "help", no_argument, NULL, 'h' },
					       { NULL, 0, NULL, 0 } };
	int used = 0, rc = 0;

	optind = 0; /* glibc: start afresh, whatever parsed before */
	opterr = 0;
	for (;;) {
		int at = optind ? optind : 1;
		int c = getopt_long(argc, argv, "+:", table, NULL);
		const struct option *e;

		if (c == -1) {
			used = optind - 1; /* a second `--` is consumed */
			break;
		}
		e = named(table, argv[at]);
		if (!e || e->val == 'h') {
			used = at - 1; /* the app's first argument, or --help */
			opts->help = e != NULL;
			break;
		}
		if (c == '?' || c == ':') {
			rc = iop_options_error(table, argv, at, c, "iopath");
			break;
		}
		rc = iop_options_apply(opts, c, optarg);
		if (rc)
			break;
	}
	optind = 0; /* the app may use getopt in turn */
	return rc ? rc : used;
}
