/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports open their devices one at a time (iop_port_dev_open), plans place a
 * list (iop_plan_build): both use lib/iommu's one placement step, so for
 * every layout they give the same IOAS to the same devices, and the same
 * warning and refusal.
 * argv: the topology (placement.topo), the --ioas layout, and "strict" or
 * "lax".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>
#include <rte_mbuf.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_port.h"
#include "port_fixture.h"

static const char *topology, *layout_name;
static bool strict;
static struct rte_mempool *pool;

/* In the topology's order: group 1, group 3 twice, group 2. */
static const char *const devs[] = {
	"0000:00:01.0", "0000:00:03.0", "0000:00:03.1", "0000:00:02.0",
};
#define NDEVS (sizeof(devs) / sizeof(devs[0]))

static int init(void **state)
{
	static char layout_arg[64];
	const char *opts[] = {layout_arg, strict ? "--strict" : NULL, NULL};

	(void)state;
	snprintf(layout_arg, sizeof(layout_arg), "--ioas=%s", layout_name);
	return port_fixture_init_opts("test_port_placement", topology, opts, 511, &pool);
}

/* The plan's IOAS index of bdf. */
static size_t plan_ioas_of(const struct iop_plan *plan, const char *bdf)
{
	for (size_t k = 0; k < plan->nioas; k++)
		for (size_t j = 0; j < plan->ioas[k].ndevs; j++)
			if (strcmp(plan->ioas[k].bdf[j], bdf) == 0)
				return k;
	fail_msg("%s is in no IOAS of the plan", bdf);
	return 0;
}

/* Opens a sim port on each device in turn, with the log captured in log. */
static int open_ports(uint16_t *port, char *log, size_t len, char *refusal, size_t rlen)
{
	FILE *cap = tmpfile();
	int refused = -1;
	size_t got;

	assert_non_null(cap);
	assert_int_equal(rte_openlog_stream(cap), 0);
	rte_log_set_global_level(RTE_LOG_WARNING);
	rte_log_set_level_pattern("iop.*", RTE_LOG_WARNING);
	for (size_t i = 0; i < NDEVS; i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "sim:wire=gen,dev=%s", devs[i]);
		if (iop_port_open(spec, &port[i]) == 0)
			continue;
		assert_int_equal(refused, -1);
		refused = (int)i;
		snprintf(refusal, rlen, "%s", iop_err_msg());
	}
	rte_openlog_stream(NULL);
	rewind(cap);
	got = fread(log, 1, len - 1, cap);
	log[got] = '\0';
	fclose(cap);
	return refused;
}

/* What iop_plan_build says of the whole list; its message in msg. */
static int plan(struct iop_plan *p, char *msg, size_t len)
{
	int rc = iop_plan_build(iop_ctx_get(), iop_options_get()->layout, strict,
				(const char *const *)devs, NDEVS, p);

	snprintf(msg, len, "%s", iop_err_msg());
	return rc;
}

static void port_open_places_devices_as_the_plan_does(void **state)
{
	char log[4096], refusal[512] = "", plan_msg[512];
	uint16_t port[NDEVS];
	struct iop_plan p;
	int refused, rc;

	(void)state;
	/* the plan first: it opens nothing, so the ports start from nothing */
	rc = plan(&p, plan_msg, sizeof(plan_msg));
	refused = open_ports(port, log, sizeof(log), refusal, sizeof(refusal));
	if (strict && iop_options_get()->layout == IOP_LAYOUT_PER_DEVICE) {
		/* the second device of group 3 is refused, with the plan's words */
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(refused, 2);
		assert_string_equal(refusal, plan_msg);
		assert_non_null(strstr(refusal, "0000:00:03.0 and 0000:00:03.1"));
		assert_non_null(strstr(refusal, "use --ioas=per-group"));
		/* the devices after it still open, each in an IOAS of its own */
		assert_ptr_not_equal(iop_dev_ioas(iop_port_dev(port[3])),
				     iop_dev_ioas(iop_port_dev(port[1])));
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(refused, -1);
	for (size_t i = 0; i < NDEVS; i++)
		for (size_t j = 0; j < i; j++) {
			bool same_port_ioas = iop_dev_ioas(iop_port_dev(port[i])) ==
					      iop_dev_ioas(iop_port_dev(port[j]));
			bool same_plan_ioas = plan_ioas_of(&p, devs[i]) == plan_ioas_of(&p, devs[j]);

			if (same_port_ioas != same_plan_ioas)
				fail_msg("%s and %s: %s IOAS for the ports, %s for the plan",
					 devs[j], devs[i], same_port_ioas ? "one" : "two",
					 same_plan_ioas ? "one" : "two");
		}
	if (iop_options_get()->layout == IOP_LAYOUT_PER_DEVICE) {
		/* group 3 merged, said once by the port path */
		const char *w = "--ioas=per-device: IOMMU group 3 merged: 0000:00:03.0 and 0000:00:03.1 share one IOAS";
		const char *at = strstr(log, w);

		assert_non_null(at);
		assert_null(strstr(at + 1, w));
		assert_int_equal(p.nmerged, 1);
		assert_int_equal(p.merged_group[0], 3);
	} else {
		assert_null(strstr(log, "merged"));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_open_places_devices_as_the_plan_does),
	};

	if (argc < 4 || (strcmp(argv[3], "strict") != 0 && strcmp(argv[3], "lax") != 0)) {
		fprintf(stderr, "usage: %s TOPOLOGY shared|per-device|per-group strict|lax\n", argv[0]);
		return 2;
	}
	topology = argv[1];
	layout_name = argv[2];
	strict = strcmp(argv[3], "strict") == 0;
	return cmocka_run_group_tests(tests, init, port_fixture_group_fini);
}
