/* SPDX-License-Identifier: BSD-3-Clause */
/* iop-bridge's command line (app/iop-bridge/args.c): the input is split
 * into arguments at each newline; args_prepare and args_parse accept or
 * refuse with a message, never write out of bounds, and leave no fd. */
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
	char *text = malloc(size + 1), **out;
	struct bridge_opts o;
	int argc = 1, n;

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
	n = args_prepare(argc, argv, &out);
	if (n < 0) {
		if (!iop_err_msg()[0])
			abort();
	} else if (out[n] != NULL) {
		abort();
	}
	iop_err_clear();
	if (args_parse(argc, argv, &o) != 0 && !iop_err_msg()[0])
		abort();
	free(text);
	return 0;
}
