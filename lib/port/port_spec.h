/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_PORT_SPEC_H
#define IOP_PORT_SPEC_H

/*
 * Port specs: "TYPE[:key=value,...]". Parsing checks the shape only; the
 * driver of TYPE declares which keys it takes (port_driver.h).
 */

#include <stddef.h>
#include <stdint.h>

#define IOP_SPEC_MAX_KEYS 8
#define IOP_SPEC_TYPE_LEN 16
#define IOP_SPEC_KEY_LEN 16
#define IOP_SPEC_VALUE_LEN 64

struct iop_port_spec {
	char type[IOP_SPEC_TYPE_LEN];
	size_t nkeys;
	char key[IOP_SPEC_MAX_KEYS][IOP_SPEC_KEY_LEN];
	char value[IOP_SPEC_MAX_KEYS][IOP_SPEC_VALUE_LEN];
};

/* -EINVAL with a message for: empty type, a pair without '=', an empty key
 * or value, a repeated key, too many keys, a name or value too long.
 * A "pci:<BDF>" spec (no '=', and a ':' in the address) is kept as key
 * "bdf". */
int iop_port_spec_parse(const char *text, struct iop_port_spec *spec);

/* The value of key, or NULL. */
const char *iop_port_spec_get(const struct iop_port_spec *spec, const char *key);

/* Parses key's decimal value into [min, max]; def when the key is absent.
 * -EINVAL naming the key and the range otherwise. */
int iop_port_spec_get_u32(const struct iop_port_spec *spec, const char *key,
			  uint32_t def, uint32_t min, uint32_t max, uint32_t *val);

#endif /* IOP_PORT_SPEC_H */
