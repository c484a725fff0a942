/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-bridge's command line (app/iop-bridge/args.c): the input is split
 * into arguments at each newline; args_parse (getopt_long) accepts or
 * refuses with a message, never reads or writes out of bounds, splits the
 * EAL arguments inside argv, and opens nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "fuzz.h"
#include "iop_log.h"

#define MAX_ARGS 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[MAX_ARGS + 2];
	char *text = malloc(size + 1);
	struct bridge_opts o;
	struct iop_options iop;
	int argc = 1, eal_argc = -1, rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "iop-bridge";
	for (char *s = text, *nl; argc < MAX_ARGS; s = nl + 1) {
		nl = strchr(s, '\n');
		argv[argc++] = s;
		if (!nl)
			break;
		*nl = '\0';
	}
	argv[argc] = NULL;
	iop_err_clear();
	rc = args_parse(argc, argv, &o, &iop, &eal_argc);
	if (rc != 0 && !iop_err_msg()[0])
		abort();
	if (eal_argc < 1 || eal_argc > argc)
		abort();
	if (rc == 0 && !o.help && (o.nports < 1 || o.nports > IOP_PORT_MAX))
		abort();
	free(text);
	return 0;
}
