/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_log.h"
#include "port_spec.h"

static int copy_part(char *dst, size_t size, const char *src, size_t len,
		     const char *what, const char *text)
{
	if (len == 0)
		return IOP_ERR(EINVAL, "port spec '%s': empty %s: write TYPE[:key=value,...]",
			       text, what);
	if (len >= size)
		return IOP_ERR(EINVAL, "port spec '%s': %s longer than %zu characters",
			       text, what, size - 1);
	/* no name, number or address holds blanks: " 64" is a typo, not 64 */
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)src[i]) || iscntrl((unsigned char)src[i]))
			return IOP_ERR(EINVAL, "port spec '%s': %s '%.*s' holds a space or control character: remove it",
				       text, what, (int)len, src);
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int add_pair(struct iop_port_spec *spec, const char *pair, size_t len,
		    const char *text)
{
	const char *eq = memchr(pair, '=', len);
	size_t i = spec->nkeys;
	int rc;

	if (i == IOP_SPEC_MAX_KEYS)
		return IOP_ERR(EINVAL, "port spec '%s': more than %d keys",
			       text, IOP_SPEC_MAX_KEYS);
	if (!eq)
		return IOP_ERR(EINVAL, "port spec '%s': '%.*s' is not key=value",
			       text, (int)len, pair);
	rc = copy_part(spec->key[i], IOP_SPEC_KEY_LEN, pair, (size_t)(eq - pair), "key", text);
	if (rc)
		return rc;
	rc = copy_part(spec->value[i], IOP_SPEC_VALUE_LEN, eq + 1,
		       len - (size_t)(eq - pair) - 1, "value", text);
	if (rc)
		return rc;
	if (iop_port_spec_get(spec, spec->key[i]))
		return IOP_ERR(EINVAL, "port spec '%s': key '%s' given twice",
			       text, spec->key[i]);
	spec->nkeys++;
	return 0;
}

int iop_port_spec_parse(const char *text, struct iop_port_spec *spec)
{
	const char *colon, *p;
	int rc;

	memset(spec, 0, sizeof(*spec));
	if (!text)
		text = "";
	colon = strchr(text, ':');
	rc = copy_part(spec->type, IOP_SPEC_TYPE_LEN, text,
		       colon ? (size_t)(colon - text) : strlen(text), "port type", text);
	if (rc || !colon)
		return rc;
	p = colon + 1;
	/* "pci:0000:01:00.0": a bare address, the PCI bus's own notation */
	if (!strchr(p, '=') && strchr(p, ':')) {
		strcpy(spec->key[0], "bdf");
		spec->nkeys = 1;
		return copy_part(spec->value[0], IOP_SPEC_VALUE_LEN, p, strlen(p),
				 "address", text);
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		rc = add_pair(spec, p, len, text);
		if (rc)
			return rc;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

const char *iop_port_spec_get(const struct iop_port_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->nkeys; i++)
		if (strcmp(spec->key[i], key) == 0)
			return spec->value[i];
	return NULL;
}

int iop_port_spec_get_u32(const struct iop_port_spec *spec, const char *key,
			  uint32_t def, uint32_t min, uint32_t max, uint32_t *val)
{
	const char *s = iop_port_spec_get(spec, key);
	unsigned long v;
	char *end;

	if (!s) {
		*val = def;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || errno || *end || v < min || v > max)
		return IOP_ERR(EINVAL, "port spec: %s=%s: give a number from %u to %u",
			       key, s, min, max);
	*val = (uint32_t)v;
	return 0;
}
