/* SPDX-License-Identifier: BSD-3-Clause */
/* The apps' JSON emitter (app/common/app_json.c): any C string becomes a
 * JSON string jansson accepts, valid UTF-8 kept as it is and each byte of
 * an invalid sequence written as U+FFFD (RFC 3629's rules: no overlong
 * forms, no surrogates, nothing above U+10FFFF); control characters,
 * quotes and backslashes escaped; non-finite figures become null. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app_json.h"

#define FFFD "\xef\xbf\xbd"

/* The dumped JSON text of app_json_str(in). */
static char *dumped(const char *in)
{
	json_t *j = app_json_str(in);
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void expect(const char *in, const char *want)
{
	char *s = dumped(in);

	assert_string_equal(s, want);
	free(s);
}

static void valid_utf8_is_kept_as_it_is(void **state)
{
	(void)state;
	expect("eth0", "\"eth0\"");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"");
	expect("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF, the last */
}

static void quotes_backslashes_and_control_characters_are_escaped(void **state)
{
	(void)state;
	expect("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect("\x01\x1f\t\n\x7f", "\"\\u0001\\u001F\\t\\n\x7f\"");
}

static void each_byte_of_an_invalid_sequence_is_fffd(void **state)
{
	(void)state;
	expect("a\xff" "b", "\"a" FFFD "b\"");
	expect("\xc3(", "\"" FFFD "(\"");              /* lead byte without its continuation */
	expect("\xc0\xaf", "\"" FFFD FFFD "\"");        /* overlong '/' */
	expect("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\""); /* overlong, 3 bytes */
	expect("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\""); /* a surrogate, U+D800 */
	expect("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* above U+10FFFF */
	expect("\xe2\x82", "\"" FFFD FFFD "\"");        /* cut short at the end */
	expect("\x80", "\"" FFFD "\"");                 /* a lone continuation */
}

static void null_is_json_null_and_non_finite_numbers_are_null(void **state)
{
	json_t *n = app_json_str(NULL);

	(void)state;
	assert_true(json_is_null(n));
	json_decref(n);
	assert_true(json_is_null(app_json_num(INFINITY, 3)));
	assert_true(json_is_null(app_json_num(NAN, 1)));
	n = app_json_num(1234.56789, 1);
	assert_true(json_real_value(n) == 1234.6);
	json_decref(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_utf8_is_kept_as_it_is),
		cmocka_unit_test(quotes_backslashes_and_control_characters_are_escaped),
		cmocka_unit_test(each_byte_of_an_invalid_sequence_is_fffd),
		cmocka_unit_test(null_is_json_null_and_non_finite_numbers_are_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
