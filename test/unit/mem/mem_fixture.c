/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "iop_init.h"
#include "iop_log.h"
#include "mem_fixture.h"

void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

struct iop_ioas *new_ioas(void)
{
	struct iop_ioas *ioas;

	assert_int_equal(iop_ioas_create(iop_ctx_get(), &ioas), 0);
	return ioas;
}

struct iop_dev *open_on(const char *bdf, struct iop_ioas *ioas)
{
	struct iop_dev *dev;

	assert_int_equal(iop_dev_open(iop_ctx_get(), bdf, &dev), 0);
	assert_int_equal(iop_dev_attach(dev, ioas), 0);
	return dev;
}

void assert_sim_counters_back(const struct iop_sim_counters *c0)
{
	struct iop_sim_counters c1;

	iop_sim_counters(&c1);
	assert_int_equal(c1.mappings, c0->mappings);
	assert_int_equal(c1.pinned_pages, c0->pinned_pages);
}

int init_failure_exit(int rc)
{
	if (rc == -EACCES || rc == -ENOMEM) {
		printf("SKIP: the EAL cannot get hugepages here (%s)\n", iop_err_msg());
		return 77;
	}
	printf("iop_init: %s\n", iop_err_msg());
	return 1;
}

int mem_fixture_main(const struct mem_main *m, char topo_path[64])
{
	char prefix[96], topo_arg[96];
	char *argv[40];
	int argc = 0, rc;

	snprintf(topo_path, 64, "/tmp/%s-%d.topology", m->name, (int)getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", m->name, (int)getpid());
	snprintf(topo_arg, sizeof(topo_arg), "--sim-topology=%s", topo_path);
	write_file(topo_path, m->topology);
	argv[argc++] = (char *)m->name;
	for (const char *const *a = m->eal; a && *a && argc < 20; a++)
		argv[argc++] = (char *)*a;
	argv[argc++] = "--in-memory";
	argv[argc++] = "-m";
	argv[argc++] = "32";
	argv[argc++] = prefix;
	argv[argc++] = "--";
	argv[argc++] = "--iommu=sim";
	argv[argc++] = topo_arg;
	argv[argc++] = "--ioas=per-group";
	for (const char *const *a = m->iopath; a && *a && argc < 39; a++)
		argv[argc++] = (char *)*a;
	argv[argc] = NULL;
	rc = iop_init(argc, argv);
	if (rc < 0) {
		rc = init_failure_exit(rc);
	} else {
		rc = m->run(rc, argv);
		iop_cleanup();
	}
	unlink(topo_path);
	return rc;
}
