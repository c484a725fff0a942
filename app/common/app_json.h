/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_APP_JSON_H
#define IOP_APP_JSON_H

/*
 * The apps' one JSON emitter: jansson builds and escapes every document
 * (doc/cli.md says why jansson). What jansson cannot take is a string that
 * is not UTF-8, which an interface name, a path or a sysfs field may be;
 * app_json_str() makes any C string a JSON string.
 */

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* A JSON string of s: UTF-8 as it is, each byte of an invalid sequence as
 * U+FFFD; control characters, quotes and backslashes are escaped by
 * jansson when dumped. NULL s gives JSON null. */
json_t *app_json_str(const char *s);

/* v rounded to that many decimals (a figure, not noise); JSON null if v
 * is not finite (a ratio over a zero anchor), which JSON cannot hold. */
json_t *app_json_num(double v, int decimals);

/* Writes doc (compact, one line; or indented by 2) and a newline to f and
 * releases doc. 0, or -EIO if it could not be written. */
int app_json_write(FILE *f, json_t *doc, bool indent);

#endif /* IOP_APP_JSON_H */
