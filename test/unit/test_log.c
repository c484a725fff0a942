/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"

static void err_returns_negative_errno_and_keeps_message(void **state)
{
	(void)state;
	assert_int_equal(iop_err(ENOENT, "no device %s", "0000:00:01.0"), -ENOENT);
	assert_string_equal(iop_err_msg(), "no device 0000:00:01.0");
	iop_err_clear();
	assert_string_equal(iop_err_msg(), "");
}

static void err_message_is_per_thread_and_truncated_not_overflowed(void **state)
{
	char big[2048];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	iop_err(EINVAL, "%s", big);
	assert_true(strlen(iop_err_msg()) < sizeof(big) - 1);
	assert_true(strlen(iop_err_msg()) > 100);
}

static void log_level_parse_accepts_names_only(void **state)
{
	enum iop_log_level l;

	(void)state;
	assert_int_equal(iop_log_level_parse("debug", &l), 0);
	assert_int_equal(l, IOP_LOG_DEBUG);
	assert_int_equal(iop_log_level_parse("loud", &l), -EINVAL);
	assert_int_equal(iop_log_level_parse(NULL, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_returns_negative_errno_and_keeps_message),
		cmocka_unit_test(err_message_is_per_thread_and_truncated_not_overflowed),
		cmocka_unit_test(log_level_parse_accepts_names_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
