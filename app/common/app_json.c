/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app_json.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_t *app_json_str(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	char *clean, *o;
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* each byte may become three */
	clean = malloc(strlen(s) * 3 + 1);
	if (!clean)
		return NULL;
	for (o = clean; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, replacement, 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	j = json_string(clean);
	free(clean);
	return j;
}

json_t *app_json_num(double v, int decimals)
{
	double scale = pow(10, decimals);

	if (!isfinite(v) || !isfinite(v * scale))
		return json_null();
	return json_real(round(v * scale) / scale);
}

int app_json_write(FILE *f, json_t *doc, bool indent)
{
	/* 15 significant digits: what a double holds exactly, so a rate
	 * such as 1234.5 is written as 1234.5 */
	size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) |
		       (indent ? JSON_INDENT(2) : JSON_COMPACT);
	int rc = doc && json_dumpf(doc, f, flags) == 0 && fputc('\n', f) != EOF ? 0 : -EIO;

	json_decref(doc);
	if (fflush(f) != 0)
		rc = -EIO;
	return rc;
}
