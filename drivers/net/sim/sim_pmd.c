/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "sim" PMD: the driver of the sim NIC. It posts buffers by IOVA, which it
 * takes from each queue's IOVA cache (the IOAS of the port's device), and
 * runs the device model (sim_dev.c) inside its bursts (sim_rxtx.c). This
 * file: the port spec, probe (device, IOAS, wire) and the ops table; the
 * control path is sim_conf.c, a move's hold sim_pause.c.
 *
 *   sim:wire=pair,peer=N | wire=af_packet,iface=NAME | wire=gen[,size=B]
 *       | wire=pcap,rx=FILE[,tx=FILE][,loop=N]
 *       [,dev=BDF]         the device of the sim topology (default: the
 *                          next unused device of type=sim)
 *       [,iova=cache|mbuf] where buffer IOVAs come from (mbuf: DPDK's
 *                          precomputed buf_iova, the P3 benchmark's anchor)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "port_driver.h"
#include "sim_pmd.h"
#include "sim_port.h"
#include "sim_wire.h"

static struct iop_port_driver sim_driver;

struct sim_wire *sim_port_wire(uint16_t port)
{
	struct iop_port *p = iop_port_get(port);

	if (!p || iop_port_driver_of(p) != &sim_driver)
		return NULL;
	return &((struct sim_port *)iop_port_priv(p))->wire;
}

/* --- probe: device, IOAS, wire --------------------------------------------- */

/* BDFs of the topology's sim devices taken by open sim ports. */
static char used_bdf[IOP_PORT_MAX][IOP_BDF_LEN];

static bool bdf_used(const char *bdf)
{
	for (int i = 0; i < IOP_PORT_MAX; i++)
		if (strcmp(used_bdf[i], bdf) == 0)
			return true;
	return false;
}

static int pick_device(struct iop_port *port, const struct iop_port_spec *spec, char *bdf)
{
	const char *want = iop_port_spec_get(spec, "dev");
	struct iop_ctx *ctx = iop_ctx_get();
	struct iop_dev_info info[64];
	size_t n = 0;
	int rc;

	if (!ctx || iop_ctx_backend(ctx) != IOP_BACKEND_SIM)
		return IOP_ERR(ENODEV, "port %u (%s): sim ports are devices of the sim IOMMU: run with --iommu=sim (and --sim-topology=FILE)",
			       iop_port_id(port), iop_port_spec_text(port));
	rc = iop_ctx_devices(ctx, info, RTE_DIM(info), &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && i < RTE_DIM(info); i++) {
		if (want && strcmp(info[i].bdf, want) != 0)
			continue;
		if (want && strcmp(info[i].type, "sim") != 0)
			return IOP_ERR(EINVAL, "port %u: device %s is of type=%s in the sim topology, not type=sim",
				       iop_port_id(port), want, info[i].type);
		if (bdf_used(info[i].bdf)) {
			if (want)
				return IOP_ERR(EBUSY, "port %u: device %s is already used by another sim port",
					       iop_port_id(port), want);
			continue;
		}
		if (strcmp(info[i].type, "sim") != 0)
			continue;
		snprintf(bdf, IOP_BDF_LEN, "%s", info[i].bdf);
		return 0;
	}
	if (want)
		return IOP_ERR(ENODEV, "port %u: no device %s in the sim topology", iop_port_id(port), want);
	return IOP_ERR(ENODEV, "port %u: every type=sim device of the sim topology is in use: add a line 'device <bdf> group=<id> driver=vfio-pci type=sim' per sim port",
		       iop_port_id(port));
}

static int check_wire_keys(struct iop_port *port, const struct iop_port_spec *spec,
			   const struct sim_wire_ops *ops)
{
	for (size_t i = 0; i < spec->nkeys; i++) {
		const char *k = spec->key[i];
		bool ok = !strcmp(k, "wire") || !strcmp(k, "dev") || !strcmp(k, "iova");

		for (const char *const *wk = ops->keys; !ok && *wk; wk++)
			ok = strcmp(*wk, k) == 0;
		if (!ok)
			return IOP_ERR(EINVAL, "port spec '%s': key '%s' does not apply to wire=%s",
				       iop_port_spec_text(port), k, ops->name);
	}
	return 0;
}

static int sim_probe(struct iop_port *port, const struct iop_port_spec *spec)
{
	struct sim_port *sp = iop_port_priv(port);
	const char *wire = iop_port_spec_get(spec, "wire");
	const char *iova = iop_port_spec_get(spec, "iova");
	struct rte_ether_addr mac = {{0x02, 0x00, 0x00, 0x00, 0x01, 0x00}};
	char bdf[IOP_BDF_LEN];
	int rc;

	if (!wire)
		return IOP_ERR(EINVAL, "port spec '%s': sim ports need wire=pair|af_packet|gen|pcap",
			       iop_port_spec_text(port));
	rc = sim_wire_find(wire, &sp->wire.ops);
	if (rc)
		return rc;
	rc = check_wire_keys(port, spec, sp->wire.ops);
	if (rc)
		return rc;
	if (!iova || !strcmp(iova, "cache"))
		sp->iova_mode = SIM_IOVA_CACHE;
	else if (!strcmp(iova, "mbuf"))
		sp->iova_mode = SIM_IOVA_MBUF;
	else
		return IOP_ERR(EINVAL, "port spec '%s': iova=%s: give iova=cache or iova=mbuf",
			       iop_port_spec_text(port), iova);
	rc = pick_device(port, spec, bdf);
	if (rc)
		return rc;
	rc = iop_port_dev_open(bdf, &sp->dev, &sp->ioas);
	if (rc)
		return rc;
	/* the device is the port's from here to its close, as a PCI PMD's
	 * mapping of a BAR holds a VFIO device (type1 sim semantics) */
	iop_sim_dev_ref(sp->dev, true);
	sp->wire.port = port;
	rc = sp->wire.ops->open(&sp->wire, spec);
	if (rc) {
		iop_sim_dev_ref(sp->dev, false);
		iop_port_dev_close(sp->dev);
		return rc;
	}
	snprintf(used_bdf[iop_port_id(port)], IOP_BDF_LEN, "%s", bdf);
	mac.addr_bytes[5] = (uint8_t)iop_port_id(port);
	if (sp->wire.ops->mac_get)
		sp->wire.ops->mac_get(&sp->wire, &mac);
	iop_port_set_mac(port, &mac);
	IOP_LOG(INFO, "port %u: device %s, IOAS %u, wire %s", iop_port_id(port), bdf,
		iop_ioas_id(sp->ioas), wire);
	return 0;
}

static void sim_close(struct iop_port *port)
{
	struct sim_port *sp = iop_port_priv(port);

	sp->wire.ops->close(&sp->wire);
	iop_sim_dev_ref(sp->dev, false);
	iop_port_dev_close(sp->dev);
	used_bdf[iop_port_id(port)][0] = '\0';
}

int sim_wire_find(const char *name, const struct sim_wire_ops **ops)
{
	static const struct sim_wire_ops *const wires[] = {
		&sim_wire_pair, &sim_wire_af_packet, &sim_wire_gen, &sim_wire_pcap,
	};

	for (size_t i = 0; i < RTE_DIM(wires); i++) {
		if (strcmp(wires[i]->name, name) == 0) {
			*ops = wires[i];
			return 0;
		}
	}
	return IOP_ERR(EINVAL, "sim: unknown wire '%s' (wires: pair, af_packet, gen, pcap)", name);
}

static const struct iop_port_ops sim_ops = {
	.info_get = sim_info,
	.configure = sim_configure,
	.rss_update = sim_rss_update,
	.rx_queue_setup = sim_rxq_setup,
	.tx_queue_setup = sim_txq_setup,
	.rx_queue_release = sim_rxq_release,
	.tx_queue_release = sim_txq_release,
	.start = sim_start,
	.stop = sim_stop,
	.close = sim_close,
	.link_get = sim_link,
	.promisc_set = sim_promisc,
	.dev_get = sim_dev_get,
	.ioas_changed = sim_ioas_changed,
	.hold = sim_hold,
	.held = sim_held,
	.rx_burst = sim_rx_burst,
	.tx_burst = sim_tx_burst,
};

static const char *const sim_keys[] = {"wire", "dev", "iova", "peer", "iface", "size",
				       "rx", "tx", "loop", "flows", NULL};

static struct iop_port_driver sim_driver = {
	.name = "sim",
	.keys = sim_keys,
	.priv_size = sizeof(struct sim_port),
	.probe = sim_probe,
	.ops = &sim_ops,
};

IOP_PORT_DRIVER_REGISTER(sim_driver)
