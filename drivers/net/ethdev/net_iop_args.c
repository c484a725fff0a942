/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_iop devargs: "spec=[...]" and iopath's options, and the rule that
 * every net_iop device of a process gives the same options.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iop_log.h"
#include "net_iop_args.h"

#define USAGE "spec=[TYPE:key=value,...], iommu=, ioas=, strict, sim-topology="

/* Copies [s, e) into dst of size n; -EINVAL if it does not fit. */
static int copy_value(const char *name, const char *key, const char *s, const char *e,
		      char *dst, size_t n)
{
	size_t len = (size_t)(e - s);

	if (len == 0)
		return IOP_ERR(EINVAL, "%s: %s= has no value: write %s=VALUE", name, key, key);
	if (len >= n)
		return IOP_ERR(EINVAL, "%s: the value of %s= is longer than %zu characters", name, key, n - 1);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int one_pair(const char *name, const char *k, size_t klen, const char *v, const char *e,
		    struct net_iop_args *a)
{
	char val[NET_IOP_PATH_LEN];
	int rc;

#define IS(key) (klen == strlen(key) && strncmp(k, key, klen) == 0)
	if (IS("strict")) {
		if (v)
			return IOP_ERR(EINVAL, "%s: strict takes no value: write strict", name);
		if (a->has_strict)
			return IOP_ERR(EINVAL, "%s: strict is given twice", name);
		a->opts.strict = a->has_strict = true;
		return 0;
	}
	if (!IS("spec") && !IS("iommu") && !IS("ioas") && !IS("sim-topology"))
		return IOP_ERR(EINVAL, "%s: unknown devarg '%.*s' (devargs: " USAGE ")", name, (int)klen, k);
	if (!v)
		return IOP_ERR(EINVAL, "%s: %.*s needs a value: write %.*s=VALUE", name,
			       (int)klen, k, (int)klen, k);
	if (IS("spec")) {
		if (a->spec[0])
			return IOP_ERR(EINVAL, "%s: spec= is given twice", name);
		if (*v == '[') {
			if (e[-1] != ']' || e - v < 2)
				return IOP_ERR(EINVAL, "%s: spec=[... has no closing ']'", name);
			v++;
			e--;
		}
		return copy_value(name, "spec", v, e, a->spec, sizeof(a->spec));
	}
	if (IS("sim-topology")) {
		if (a->has_topo)
			return IOP_ERR(EINVAL, "%s: sim-topology= is given twice", name);
		a->has_topo = true;
		rc = copy_value(name, "sim-topology", v, e, a->topo, sizeof(a->topo));
		a->opts.sim_topology = a->topo;
		return rc;
	}
	rc = copy_value(name, IS("iommu") ? "iommu" : "ioas", v, e, val, sizeof(val));
	if (rc)
		return rc;
	if (IS("iommu")) {
		if (a->has_iommu)
			return IOP_ERR(EINVAL, "%s: iommu= is given twice", name);
		a->has_iommu = true;
		rc = iop_backend_parse(val, &a->opts.backend);
		return rc ? IOP_ERR(EINVAL, "%s: unknown iommu=%s: use iommu=auto, iommufd, vfio or sim", name, val) : 0;
	}
	if (a->has_ioas)
		return IOP_ERR(EINVAL, "%s: ioas= is given twice", name);
	a->has_ioas = true;
	rc = iop_layout_parse(val, &a->opts.layout);
	return rc ? IOP_ERR(EINVAL, "%s: unknown ioas=%s: use ioas=shared, per-device or per-group", name, val) : 0;
#undef IS
}

int net_iop_args_parse(const char *name, const char *text, struct net_iop_args *a)
{
	const char *p = text ? text : "";

	memset(a, 0, sizeof(*a));
	while (*p) {
		const char *k = p, *eq = NULL, *e;
		int depth = 0, rc;

		/* a pair ends at a ',' outside brackets */
		for (e = p; *e && (*e != ',' || depth > 0); e++) {
			if (*e == '[')
				depth++;
			else if (*e == ']' && depth > 0)
				depth--;
			else if (*e == '=' && !eq && depth == 0)
				eq = e;
		}
		if (depth > 0)
			return IOP_ERR(EINVAL, "%s: a '[' in the devargs has no closing ']'", name);
		if (e > k) {
			size_t klen = (size_t)((eq ? eq : e) - k);

			rc = one_pair(name, k, klen, eq ? eq + 1 : NULL, e, a);
			if (rc)
				return rc;
		}
		p = *e ? e + 1 : e;
	}
	if (!a->spec[0])
		return IOP_ERR(EINVAL, "%s: no iopath port given: add spec=[TYPE:key=value,...], e.g. %s,spec=[sim:wire=af_packet,iface=veth0]",
			       name, name);
	return 0;
}

int net_iop_args_agree(const char *name, const struct net_iop_args *a,
		       const char *first_name, const struct net_iop_args *first)
{
	const struct iop_options *o = &a->opts, *f = &first->opts;
	const char *fix = "give every net_iop device the same iommu=, ioas=, strict and sim-topology=, or give them on the first only";

	if (a->has_iommu && o->backend != f->backend)
		return IOP_ERR(EINVAL, "%s: iommu=%s, but %s set iommu=%s for the process: %s", name,
			       iop_backend_name(o->backend), first_name, iop_backend_name(f->backend), fix);
	if (a->has_ioas && o->layout != f->layout)
		return IOP_ERR(EINVAL, "%s: ioas=%s, but %s set ioas=%s for the process: %s", name,
			       iop_layout_name(o->layout), first_name, iop_layout_name(f->layout), fix);
	if (a->has_strict && !f->strict)
		return IOP_ERR(EINVAL, "%s: strict, but %s set no strict for the process: %s", name,
			       first_name, fix);
	if (a->has_topo && strcmp(a->topo, first->topo) != 0)
		return IOP_ERR(EINVAL, "%s: sim-topology=%s, but %s set %s%s for the process: %s", name,
			       a->topo, first_name, first->has_topo ? "sim-topology=" : "no sim-topology",
			       first->topo, fix);
	return 0;
}
