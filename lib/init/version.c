/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's version, and the --version option every app shares. */
#include <stdio.h>
#include <string.h>

#include "iop_init.h"
#include "iop_version.h"

const char *iop_version(void)
{
	return IOP_VERSION;
}

bool iop_init_version_asked(int argc, char **argv, const char *app)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s (iopath) %s\n", app, iop_version());
			return true;
		}
	}
	return false;
}
