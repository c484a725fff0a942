/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
