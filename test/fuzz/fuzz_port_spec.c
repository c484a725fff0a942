/* SPDX-License-Identifier: BSD-3-Clause */
/* Port spec strings (lib/port/port_spec.c): parsed or refused with a
 * message; a parsed spec holds no blank and its numbers are in range. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iop_log.h"
#include "port_spec.h"

static void no_blank(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct iop_port_spec spec;
	uint32_t v;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	iop_err_clear();
	if (iop_port_spec_parse(text, &spec) == 0) {
		no_blank(spec.type);
		for (size_t i = 0; i < spec.nkeys; i++) {
			no_blank(spec.key[i]);
			no_blank(spec.value[i]);
			if (iop_port_spec_get(&spec, spec.key[i]) != spec.value[i])
				abort(); /* keys are unique */
		}
		if (iop_port_spec_get_u32(&spec, "size", 64, 60, 9216, &v) == 0 && (v < 60 || v > 9216))
			abort();
	} else if (!iop_err_msg()[0]) {
		abort();
	}
	free(text);
	return 0;
}
