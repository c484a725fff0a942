/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_log.h>

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

/* IOP_ERR's prefix is in the message and names the log type: "xtest/sub: "
 * logs as iop.xtest.sub, and a level set by pattern before the type
 * exists applies when it is registered (its first message). */
static void log_type_is_named_after_the_prefix_and_takes_earlier_levels(void **state)
{
	int type;

	(void)state;
	assert_int_equal(iop_log_level_option("iop.xtest.*:debug"), 0);
	assert_int_equal(iop_err_at("xtest/sub: ", EIO, "disk %d", 3), -EIO);
	assert_string_equal(iop_err_msg(), "xtest/sub: disk 3");
	type = rte_log_register("iop.xtest.sub"); /* the existing type's id */
	assert_true(type >= 0);
	assert_int_equal(rte_log_get_level((uint32_t)type), RTE_LOG_DEBUG);
	assert_int_equal(iop_log_level_option("iop.xtest.sub:err"), 0);
	assert_int_equal(rte_log_get_level((uint32_t)type), RTE_LOG_ERR);
	iop_log_set_level(IOP_LOG_WARN);
	assert_int_equal(rte_log_get_level((uint32_t)type), RTE_LOG_WARNING);
}

static void log_level_option_refuses_what_eal_would_not_read(void **state)
{
	(void)state;
	assert_int_equal(iop_log_level_option("loud"), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "unknown log level 'loud'"));
	assert_int_equal(iop_log_level_option(":debug"), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "--log-level=TYPE:LEVEL"));
	assert_int_equal(iop_log_level_option("iop.port:"), -EINVAL);
	assert_int_equal(iop_log_level_option("iop.port:warning"), 0);
	assert_int_equal(iop_log_level_option("info"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_returns_negative_errno_and_keeps_message),
		cmocka_unit_test(err_message_is_per_thread_and_truncated_not_overflowed),
		cmocka_unit_test(log_level_parse_accepts_names_only),
		cmocka_unit_test(log_type_is_named_after_the_prefix_and_takes_earlier_levels),
		cmocka_unit_test(log_level_option_refuses_what_eal_would_not_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
