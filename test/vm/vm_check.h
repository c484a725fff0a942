/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_TEST_VM_CHECK_H
#define IOP_TEST_VM_CHECK_H

/*
 * The "ok - name" / "not ok - name: why" lines the guest check programs
 * print (iop-vm-core, iop-pci-checks), one per check; failures counts the
 * "not ok" for the program's exit code. One program, one includer.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "iop_log.h"

static int failures;

static inline void check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s", ok ? "ok" : "not ok", name);
	if (!ok) {
		failures++;
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
}

/* A call that returns 0 or a negative errno, and the errno expected. */
#define CHECK_RC(call, want, name) do { \
		int rc_ = (call); \
		check(rc_ == (want), name, "returned %d (%s), expected %d; message: %s", \
		      rc_, strerror(-rc_), (want), iop_err_msg()); \
	} while (0)
/* The last error message names what it should. */
#define CHECK_MSG(needle, name) \
	check(strstr(iop_err_msg(), needle) != NULL, name, "message \"%s\" lacks \"%s\"", \
	      iop_err_msg(), needle)

#endif /* IOP_TEST_VM_CHECK_H */
