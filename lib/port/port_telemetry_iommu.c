/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOMMU side at run time, through DPDK telemetry:
 *   /iop/iommu      backend, pinned bytes; per IOAS (parallel arrays by
 *                   position in ioas_id): devices attached, mappings,
 *                   mapped bytes; open devices with group and IOAS; each
 *                   port's IOAS (0: none, as a null port)
 *   /iop/iommu,ID   the mappings of IOAS ID: va, iova, len, prot
 *   /iop/mem        what lib/mem mapped of DPDK's memory, and its calls
 * DPDK 22.11 puts only arrays of plain values inside a dict, hence
 * parallel arrays where a list of records would be natural.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_mem.h"
#include "iop_port.h"
#include "port_internal.h"

/* A new array of values of kind type, as entry name of dict d (NULL: out
 * of memory; the add_* helpers then skip it). */
static struct rte_tel_data *array(struct rte_tel_data *d, const char *name,
				  enum rte_tel_value_type type)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (!a)
		return NULL;
	rte_tel_data_start_array(a, type);
	if (rte_tel_data_add_dict_container(d, name, a, 0)) {
		rte_tel_data_free(a);
		return NULL;
	}
	return a;
}

static void add_u64(struct rte_tel_data *a, uint64_t v)
{
	if (a)
		rte_tel_data_add_array_u64(a, v);
}

static void add_int(struct rte_tel_data *a, int v)
{
	if (a)
		rte_tel_data_add_array_int(a, v);
}

static void add_str(struct rte_tel_data *a, const char *s)
{
	if (a)
		rte_tel_data_add_array_string(a, s);
}

/* A lib/iommu list behind one signature (list_alloc). */
typedef int (*ctx_list_fn)(struct iop_ctx *ctx, void *items, size_t max, size_t *n);

static int ioas_list(struct iop_ctx *ctx, void *items, size_t max, size_t *n)
{
	return iop_ctx_ioas_list(ctx, items, max, n);
}

static int open_dev_list(struct iop_ctx *ctx, void *items, size_t max, size_t *n)
{
	return iop_ctx_open_devices(ctx, items, max, n);
}

/* The *n entries of a list in a fresh array (free it), NULL if out of
 * memory. Ports may open while telemetry reads: a list that grew between
 * the count and the copy is asked for again. */
static void *list_alloc(struct iop_ctx *ctx, ctx_list_fn list, size_t size, size_t *n)
{
	void *items = NULL, *more;
	size_t max = 0;

	for (;;) {
		more = realloc(items, (max ? max : 1) * size);
		if (!more) {
			free(items);
			return NULL;
		}
		items = more;
		if (list(ctx, items, max, n) < 0)
			*n = 0;
		if (*n <= max)
			return items;
		max = *n;
	}
}

static int ioas_summary(struct iop_ctx *ctx, struct rte_tel_data *d)
{
	struct rte_tel_data *id, *devs, *maps, *bytes;
	struct iop_ioas_info *info;
	size_t n;

	info = list_alloc(ctx, ioas_list, sizeof(*info), &n);
	if (!info)
		return -ENOMEM;
	id = array(d, "ioas_id", RTE_TEL_INT_VAL);
	devs = array(d, "ioas_devices", RTE_TEL_INT_VAL);
	maps = array(d, "ioas_mappings", RTE_TEL_U64_VAL);
	bytes = array(d, "ioas_mapped_bytes", RTE_TEL_U64_VAL);
	for (size_t i = 0; i < n && i < RTE_TEL_MAX_ARRAY_ENTRIES; i++) {
		add_int(id, (int)info[i].id);
		add_int(devs, (int)info[i].ndevs);
		add_u64(maps, info[i].nmaps);
		add_u64(bytes, info[i].mapped_bytes);
	}
	free(info);
	return 0;
}

static int open_devices(struct iop_ctx *ctx, struct rte_tel_data *d)
{
	struct rte_tel_data *bdf, *group, *ioas;
	struct iop_open_dev *dev;
	size_t n;

	dev = list_alloc(ctx, open_dev_list, sizeof(*dev), &n);
	if (!dev)
		return -ENOMEM;
	bdf = array(d, "device", RTE_TEL_STRING_VAL);
	group = array(d, "device_group", RTE_TEL_INT_VAL);
	ioas = array(d, "device_ioas", RTE_TEL_INT_VAL);
	for (size_t i = 0; i < n && i < RTE_TEL_MAX_ARRAY_ENTRIES; i++) {
		add_str(bdf, dev[i].bdf);
		add_int(group, (int)dev[i].group);
		add_int(ioas, (int)dev[i].ioas);
	}
	free(dev);
	return 0;
}

static void port_ioas(struct rte_tel_data *d)
{
	struct rte_tel_data *port = array(d, "port", RTE_TEL_INT_VAL);
	struct rte_tel_data *ioas = array(d, "port_ioas", RTE_TEL_INT_VAL);

	for (uint16_t p = 0; p < iop_port_count(); p++) {
		struct port_dev_where w;

		if (!iop_port_is_valid(p))
			continue;
		port_dev_where(p, &w);
		add_int(port, p);
		add_int(ioas, (int)w.ioas);
	}
}

static int ioas_maps(struct iop_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *va, *iova, *len, *prot;
	struct iop_map_info *m;
	unsigned long id;
	size_t n = 0;
	char *end;

	id = strtoul(params, &end, 10);
	if (*end || id == 0 || id > UINT32_MAX ||
	    iop_ctx_ioas_maps(ctx, (unsigned int)id, NULL, 0, &n))
		return -EINVAL;
	m = calloc(n ? n : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (iop_ctx_ioas_maps(ctx, (unsigned int)id, m, n, &n)) {
		free(m);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ioas", (int)id);
	va = array(d, "va", RTE_TEL_U64_VAL);
	iova = array(d, "iova", RTE_TEL_U64_VAL);
	len = array(d, "len", RTE_TEL_U64_VAL);
	prot = array(d, "prot", RTE_TEL_STRING_VAL);
	for (size_t i = 0; i < n && i < RTE_TEL_MAX_ARRAY_ENTRIES; i++) {
		add_u64(va, m[i].va);
		add_u64(iova, m[i].iova);
		add_u64(len, m[i].len);
		add_str(prot, (m[i].prot & IOP_PROT_READ) && (m[i].prot & IOP_PROT_WRITE) ? "rw"
			      : m[i].prot & IOP_PROT_WRITE ? "w" : "r");
	}
	free(m);
	return 0;
}

static int handle_iommu(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct iop_ctx *ctx = iop_ctx_get();
	int rc;

	(void)cmd;
	if (!ctx)
		return -ENODEV;
	if (params && *params)
		return ioas_maps(ctx, params, d);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "backend", iop_backend_name(iop_ctx_backend(ctx)));
	rte_tel_data_add_dict_u64(d, "pinned_bytes", iop_ctx_pinned_bytes(ctx));
	rc = ioas_summary(ctx, d);
	if (rc == 0)
		rc = open_devices(ctx, d);
	if (rc == 0)
		port_ioas(d);
	return rc;
}

static int handle_mem(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct iop_mem_stats st;

	(void)cmd;
	(void)params;
	iop_mem_get_stats(&st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "runs", st.runs);
	rte_tel_data_add_dict_u64(d, "bytes", st.bytes);
	rte_tel_data_add_dict_u64(d, "map_calls", st.map_calls);
	rte_tel_data_add_dict_u64(d, "unmap_calls", st.unmap_calls);
	rte_tel_data_add_dict_u64(d, "hotplug_alloc", st.hotplug_alloc);
	rte_tel_data_add_dict_u64(d, "hotplug_free", st.hotplug_free);
	return 0;
}

static void __attribute__((constructor)) iommu_telemetry_init(void)
{
	rte_telemetry_register_cmd("/iop/iommu", handle_iommu,
		"Returns the IOMMU backend, IOAS, devices and ports' IOAS. Parameters: int ioas_id for its mappings (optional)");
	rte_telemetry_register_cmd("/iop/mem", handle_mem,
		"Returns what lib/mem mapped of DPDK's memory into the IOAS, and its map/unmap calls. Takes no parameters");
}
