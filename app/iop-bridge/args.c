/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "iop_log.h"

static const char *const iopath_opts[] = {
	"--iommu=", "--ioas=", "--strict", "--sim-topology=", "--log-level=",
};

static bool is_iopath_opt(const char *a)
{
	for (size_t i = 0; i < RTE_DIM(iopath_opts); i++) {
		size_t n = strlen(iopath_opts[i]);

		if (strncmp(a, iopath_opts[i], n) == 0 &&
		    (iopath_opts[i][n - 1] == '=' || a[n] == '\0'))
			return true;
	}
	return false;
}

/* The spec of a --port argument at argv[i] (and i+1), or NULL. */
static const char *port_spec_at(int argc, char **argv, int i)
{
	if (strncmp(argv[i], "--port=", 7) == 0)
		return argv[i] + 7;
	if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
		return argv[i + 1];
	return NULL;
}

/* Added to the user's arguments: two `--`, --iommu=sim and the closing
 * NULL. */
#define ARGS_ADDED 4

int args_prepare(int argc, char **argv, char ***argv_out)
{
	static char *out[512];
	int dd = -1, n = 0;
	bool has_topo = false, has_iommu = false, pci_port = false;

	if (argc > (int)RTE_DIM(out) - ARGS_ADDED)
		return iop_err(E2BIG, "too many arguments (%d): iop-bridge takes at most %d",
			       argc - 1, (int)RTE_DIM(out) - ARGS_ADDED - 1);
	for (int i = 1; i < argc && dd < 0; i++)
		if (strcmp(argv[i], "--") == 0)
			dd = i;
	for (int i = dd < 0 ? argc : dd + 1; i < argc; i++) {
		const char *spec = port_spec_at(argc, argv, i);

		has_topo |= strncmp(argv[i], "--sim-topology=", 15) == 0;
		has_iommu |= strncmp(argv[i], "--iommu=", 8) == 0;
		if (spec && strncmp(spec, "pci:", 4) == 0)
			pci_port = true;
	}
	/* EAL arguments, then `--`, then iopath's, then `--`, then the app's */
	for (int i = 0; i < (dd < 0 ? argc : dd); i++)
		out[n++] = argv[i];
	out[n++] = "--";
	for (int i = dd < 0 ? argc : dd + 1; i < argc; i++)
		if (is_iopath_opt(argv[i]))
			out[n++] = argv[i];
	/* no pci port and no choice made: the sim IOMMU with its built-in
	 * topology (one singleton group per sim NIC); a topology is the sim's:
	 * it implies --iommu=sim, as in iop-devices */
	if (!has_iommu && (has_topo || !pci_port))
		out[n++] = "--iommu=sim";
	out[n++] = "--";
	for (int i = dd < 0 ? argc : dd + 1; i < argc; i++)
		if (!is_iopath_opt(argv[i]))
			out[n++] = argv[i];
	out[n] = NULL;
	*argv_out = out;
	assert(n < (int)RTE_DIM(out));
	return n;
}

void args_usage(FILE *f)
{
	fprintf(f,
		"usage: iop-bridge [EAL options] -- --port SPEC --port SPEC ... [options]\n"
		"  --port SPEC              a port: null[:size=B] | sim:wire=pair,peer=N |\n"
		"                           sim:wire=af_packet,iface=NAME | sim:wire=gen[,size=B] |\n"
		"                           pci:BDF (man iop-bridge lists every key)\n"
		"  --forward-mode=MODE      io (port 2k <-> 2k+1, default), macswap (io, MACs swapped),\n"
		"                           l2 (learning bridge across all ports)\n"
		"  --stats-period=S         live stats line every S seconds (default 1, 0: none)\n"
		"  --duration=S             stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  --json-stats=FILE        write the run's counters and rates as JSON\n"
		"  --queues=N               rx and tx queues per port (default 1)\n"
		"  --rxd=N --txd=N          descriptors per rx/tx queue (default 512)\n"
		"  --burst=N                frames per burst (default 32, at most %d)\n"
		"  --mbufs=N                mbufs in the pool (default: twice what the ports need)\n"
		"  --aging=S                l2: forget a MAC after S seconds (default 300)\n"
		"  --move-every=MS          every MS ms, move a port live to the other of two IOAS\n"
		"                           the bridge creates (tests; doc/move.md)\n"
		"  --move-port=N            the port --move-every moves (default 0)\n"
		"  --move-group             move the ports of its IOMMU group with it\n"
		"iopath options (--iommu, --ioas, --strict, --sim-topology, --log-level) may be\n"
		"given among these:\n", BRIDGE_BURST_MAX);
}

static int num(const char *opt, const char *v, double min, double max, double *out)
{
	char *end;
	double d;

	/* a digit first: strtod also reads " 1", "+1", "nan" and "inf" */
	if (!isdigit((unsigned char)v[0]) && !(v[0] == '.' && isdigit((unsigned char)v[1])))
		return iop_err(EINVAL, "%s%s: give a number from %.10g to %.10g", opt, v, min, max);
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d < min || d > max)
		return iop_err(EINVAL, "%s%s: give a number from %.10g to %.10g", opt, v, min, max);
	*out = d;
	return 0;
}

static int unum(const char *opt, const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	double d;
	int rc = num(opt, v, min, max, &d);

	if (rc == 0 && d != (double)(uint32_t)d)
		rc = iop_err(EINVAL, "%s%s: give a whole number", opt, v);
	if (rc == 0)
		*out = (uint32_t)d;
	return rc;
}

static const char *value(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(a, opt, n) == 0 ? a + n : NULL;
}

int args_parse(int argc, char **argv, struct bridge_opts *o)
{
	uint32_t u;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->mode = MODE_IO;
	o->stats_period = 1;
	o->queues = 1;
	o->rxd = o->txd = 512;
	o->burst = 32;
	o->age_s = 300;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i], *v;

		if ((v = port_spec_at(argc, argv, i))) {
			if (o->nports == IOP_PORT_MAX)
				return iop_err(EINVAL, "more than %d --port", IOP_PORT_MAX);
			o->port[o->nports++] = v;
			i += strcmp(a, "--port") == 0;
		} else if (strcmp(a, "--port") == 0) {
			rc = iop_err(EINVAL, "--port needs a spec: --port sim:wire=gen");
		} else if ((v = value(a, "--forward-mode="))) {
			if (!strcmp(v, "io"))
				o->mode = MODE_IO;
			else if (!strcmp(v, "macswap"))
				o->mode = MODE_MACSWAP;
			else if (!strcmp(v, "l2"))
				o->mode = MODE_L2;
			else
				rc = iop_err(EINVAL, "unknown --forward-mode=%s: use io, macswap or l2", v);
		} else if ((v = value(a, "--stats-period="))) {
			rc = num("--stats-period=", v, 0, 3600, &o->stats_period);
		} else if ((v = value(a, "--duration="))) {
			rc = num("--duration=", v, 0, 1e9, &o->duration);
		} else if ((v = value(a, "--json-stats="))) {
			o->json_path = v;
		} else if ((v = value(a, "--queues="))) {
			rc = unum("--queues=", v, 1, IOP_PORT_MAX_QUEUES, &u);
			o->queues = (uint16_t)u;
		} else if ((v = value(a, "--rxd="))) {
			rc = unum("--rxd=", v, 1, 32768, &u);
			o->rxd = (uint16_t)u;
		} else if ((v = value(a, "--txd="))) {
			rc = unum("--txd=", v, 1, 32768, &u);
			o->txd = (uint16_t)u;
		} else if ((v = value(a, "--burst="))) {
			rc = unum("--burst=", v, 1, BRIDGE_BURST_MAX, &u);
			o->burst = (uint16_t)u;
		} else if ((v = value(a, "--mbufs="))) {
			rc = unum("--mbufs=", v, 1, 1u << 26, &o->mbufs);
		} else if ((v = value(a, "--aging="))) {
			rc = unum("--aging=", v, 1, 86400, &o->age_s);
		} else if ((v = value(a, "--move-every="))) {
			rc = unum("--move-every=", v, 1, 3600000, &o->move_every_ms);
		} else if ((v = value(a, "--move-port="))) {
			rc = unum("--move-port=", v, 0, IOP_PORT_MAX - 1, &u);
			o->move_port = (uint16_t)u;
		} else if (strcmp(a, "--move-group") == 0) {
			o->move_group = true;
		} else {
			rc = iop_err(EINVAL, "unknown argument '%s' (iop-bridge -- --help lists them)", a);
		}
	}
	if (rc)
		return rc;
	if (o->nports == 0)
		return iop_err(EINVAL, "no port: give at least two, e.g. --port sim:wire=gen --port sim:wire=gen");
	if (o->mode != MODE_L2 && o->nports % 2)
		return iop_err(EINVAL, "%s mode forwards port 2k to 2k+1: give an even number of ports (got %u)",
			       o->mode == MODE_IO ? "io" : "macswap", o->nports);
	if (o->move_port >= o->nports)
		return iop_err(EINVAL, "--move-port=%u: there are only %u ports (0 to %u)",
			       o->move_port, o->nports, o->nports - 1);
	if (o->mode == MODE_L2 && o->nports < 2)
		return iop_err(EINVAL, "l2 mode bridges ports: give at least two (got 1)");
	return 0;
}
