/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "iop_log.h"

enum {
	OPT_PORT = 'p', OPT_HELP = 'h', OPT_MODE = 0x100, OPT_STATS_PERIOD, OPT_DURATION,
	OPT_JSON_STATS, OPT_QUEUES, OPT_RXD, OPT_TXD, OPT_BURST, OPT_MBUFS, OPT_AGING,
	OPT_MOVE_EVERY, OPT_MOVE_PORT, OPT_MOVE_GROUP, OPT_MOVE_PAUSE, OPT_TX_HOLD, OPT_MTU,
	OPT_LRO,
};

static const struct option table[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "forward-mode", required_argument, NULL, OPT_MODE },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "json-stats", required_argument, NULL, OPT_JSON_STATS },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "aging", required_argument, NULL, OPT_AGING },
	{ "move-every", required_argument, NULL, OPT_MOVE_EVERY },
	{ "move-port", required_argument, NULL, OPT_MOVE_PORT },
	{ "move-group", no_argument, NULL, OPT_MOVE_GROUP },
	{ "move-pause", no_argument, NULL, OPT_MOVE_PAUSE },
	{ "tx-hold-ms", required_argument, NULL, OPT_TX_HOLD },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "lro", no_argument, NULL, OPT_LRO },
	{ "help", no_argument, NULL, OPT_HELP },
	IOP_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

void args_usage(FILE *f)
{
	fprintf(f,
		"usage: iop-bridge [EAL options] -- --port SPEC --port SPEC ... [options]\n"
		"every option is --opt=value or --opt value; EAL options are DPDK's, before --\n"
		"  --port SPEC              a port: null[:size=B] | sim:wire=pair,peer=N |\n"
		"                           sim:wire=af_packet,iface=NAME | sim:wire=gen[,size=B] |\n"
		"                           pci:BDF (man iop-bridge lists every key)\n"
		"  --forward-mode=MODE      io (port 2k <-> 2k+1, default), macswap (io, MACs swapped),\n"
		"                           l2 (learning bridge across all ports)\n"
		"  --stats-period=S         live stats line every S seconds (default 1, 0: none)\n"
		"  --duration=S             stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  --json-stats=FILE        write the run's counters and rates as JSON (FILE is opened\n"
		"                           at start: a path that cannot be written fails at once)\n"
		"  --queues=N               rx and tx queues per port (default 1)\n"
		"  --rxd=N --txd=N          descriptors per rx/tx queue (default 512)\n"
		"  --burst=N                frames per burst (default 32, at most %d)\n"
		"  --mbufs=N                mbufs in the pool (default: twice what the ports need)\n"
		"  --aging=S                l2: forget a MAC after S seconds (default 300)\n"
		"  --move-every=MS          every MS ms, move a port live to the other of two IOAS\n"
		"                           the bridge creates (tests; doc/move.md)\n"
		"  --move-port=N            the port --move-every moves (default 0)\n"
		"  --move-group             move the ports of its IOMMU group with it\n"
		"  --move-pause             hold the moved port's queues across each switch\n"
		"  --tx-hold-ms=MS          keep frames an egress port did not take, and stop reading\n"
		"                           the ports that feed it, for up to MS ms without progress\n"
		"                           (default 5000; 0: drop them at once as tx_full)\n"
		"  --mtu=N                  the MTU of every port (default: the largest each takes);\n"
		"                           over 1500, frames over one mbuf come and go as chains\n"
		"                           where the port can (rx scatter, tx multi_segs)\n"
		"  --lro                    ports that merge TCP segments (rx tcp_lro) do, ports\n"
		"                           that segment (tx tcp_tso) cut them again; a checksum\n"
		"                           the sender left to the device goes out as a request\n"
		"  --help, -h               this text;  --version  the version\n"
		"iopath options (--iommu, --ioas, --strict, --sim-topology, --log-level) may be\n"
		"given among these (man iop-bridge, man iopath):\n", BRIDGE_BURST_MAX);
}

static int num(const char *opt, const char *v, double min, double max, double *out)
{
	char *end;
	double d;

	/* a digit first: strtod also reads " 1", "+1", "nan" and "inf" */
	if (!isdigit((unsigned char)v[0]) && !(v[0] == '.' && isdigit((unsigned char)v[1])))
		return iop_err(EINVAL, "%s=%s: give a number from %.10g to %.10g", opt, v, min, max);
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d < min || d > max)
		return iop_err(EINVAL, "%s=%s: give a number from %.10g to %.10g", opt, v, min, max);
	*out = d;
	return 0;
}

static int unum(const char *opt, const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	double d;
	int rc = num(opt, v, min, max, &d);

	if (rc == 0 && d != (double)(uint32_t)d)
		rc = iop_err(EINVAL, "%s=%s: give a whole number", opt, v);
	if (rc == 0)
		*out = (uint32_t)d;
	return rc;
}

static int mode_parse(const char *v, enum bridge_mode *m)
{
	if (!strcmp(v, "io"))
		*m = MODE_IO;
	else if (!strcmp(v, "macswap"))
		*m = MODE_MACSWAP;
	else if (!strcmp(v, "l2"))
		*m = MODE_L2;
	else
		return iop_err(EINVAL, "unknown --forward-mode=%s: use io, macswap or l2", v);
	return 0;
}

/* One option getopt_long returned, with its value. */
static int apply(struct bridge_opts *o, int c, const char *v)
{
	uint32_t u;
	int rc;

	switch (c) {
	case OPT_PORT:
		if (o->nports == IOP_PORT_MAX)
			return iop_err(EINVAL, "more than %d --port", IOP_PORT_MAX);
		o->port[o->nports++] = v;
		return 0;
	case OPT_MODE:
		return mode_parse(v, &o->mode);
	case OPT_STATS_PERIOD:
		return num("--stats-period", v, 0, 3600, &o->stats_period);
	case OPT_DURATION:
		return num("--duration", v, 0, 1e9, &o->duration);
	case OPT_JSON_STATS:
		if (!*v)
			return iop_err(EINVAL, "--json-stats needs a file name: --json-stats=FILE");
		o->json_path = v;
		return 0;
	case OPT_QUEUES:
		rc = unum("--queues", v, 1, IOP_PORT_MAX_QUEUES, &u);
		o->queues = (uint16_t)u;
		return rc;
	case OPT_RXD:
	case OPT_TXD:
		rc = unum(c == OPT_RXD ? "--rxd" : "--txd", v, 1, 32768, &u);
		*(c == OPT_RXD ? &o->rxd : &o->txd) = (uint16_t)u;
		return rc;
	case OPT_BURST:
		rc = unum("--burst", v, 1, BRIDGE_BURST_MAX, &u);
		o->burst = (uint16_t)u;
		return rc;
	case OPT_MBUFS:
		return unum("--mbufs", v, 1, 1u << 26, &o->mbufs);
	case OPT_AGING:
		return unum("--aging", v, 1, 86400, &o->age_s);
	case OPT_MOVE_EVERY:
		return unum("--move-every", v, 1, 3600000, &o->move_every_ms);
	case OPT_MOVE_PORT:
		rc = unum("--move-port", v, 0, IOP_PORT_MAX - 1, &u);
		o->move_port = (uint16_t)u;
		return rc;
	case OPT_MOVE_GROUP:
		o->move_group = true;
		return 0;
	case OPT_MOVE_PAUSE:
		o->move_pause = true;
		return 0;
	case OPT_TX_HOLD:
		return unum("--tx-hold-ms", v, 0, 60000, &o->tx_hold_ms);
	case OPT_MTU:
		return unum("--mtu", v, 68, 65535, &o->mtu);
	case OPT_LRO:
		o->lro = true;
		return 0;
	default:
		return iop_err(EINVAL, "internal: option %d has no handler", c);
	}
}

static void defaults(struct bridge_opts *o, struct iop_options *iop)
{
	memset(o, 0, sizeof(*o));
	memset(iop, 0, sizeof(*iop));
	o->mode = MODE_IO;
	o->stats_period = 1;
	o->queues = 1;
	o->rxd = o->txd = 512;
	o->burst = 32;
	o->age_s = 300;
	o->tx_hold_ms = 5000; /* the longest a live move waits for a burst */
}

/* What the options say together. */
static int check(const struct bridge_opts *o)
{
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

int args_parse(int argc, char **argv, struct bridge_opts *o, struct iop_options *iop,
	       int *eal_argc)
{
	bool iommu_given = false, pci_port = false;
	int dd = argc, n, rc = 0;
	char **v;

	defaults(o, iop);
	for (int i = 1; i < argc && dd == argc; i++)
		if (strcmp(argv[i], "--") == 0)
			dd = i;
	*eal_argc = dd;
	if (dd == argc && argc > 1)
		return iop_err(EINVAL, "no '--': the bridge's options come after the EAL options and '--', e.g. iop-bridge -l 0-1 -- --port sim:wire=gen --port sim:wire=gen");
	/* getopt_long on the words after `--`; the `--` stands for argv[0] */
	v = argv + dd;
	n = argc - dd;
	optind = 0; /* glibc: start afresh (the fuzzer calls this again and again) */
	opterr = 0;
	while (rc == 0 && n > 1) {
		int at = optind ? optind : 1;
		int c = getopt_long(n, v, "+:h", table, NULL);

		if (c == -1)
			break;
		if (c == '?' || c == ':')
			rc = iop_options_error(table, v, at, c, "iop-bridge");
		else if (c == OPT_HELP)
			o->help = true;
		else if ((rc = iop_options_apply(iop, c, optarg)) == 1)
			rc = apply(o, c, optarg);
		iommu_given |= c == IOP_OPT_IOMMU;
	}
	if (rc == 0 && n > 1 && optind < n)
		rc = iop_err(EINVAL, "unexpected argument '%s': every iop-bridge option starts with -- (man iop-bridge)",
			     v[optind]);
	optind = 0;
	if (rc || o->help)
		return rc;
	for (uint16_t p = 0; p < o->nports; p++)
		pci_port |= strncmp(o->port[p], "pci:", 4) == 0;
	/* no pci port and no choice made: the sim IOMMU with its built-in
	 * topology (one singleton group per sim NIC) */
	if (!iommu_given && !pci_port)
		iop->backend = IOP_BACKEND_SIM;
	rc = iop_options_resolve(iop);
	return rc ? rc : check(o);
}
