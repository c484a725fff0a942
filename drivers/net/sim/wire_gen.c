/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen wire: a generator that always has a frame ready (an IPv4/UDP frame of
 * size= bytes) and a sink that takes every frame. The sim NIC then runs as
 * fast as its DMA and the app allow: the P3 benchmark's wire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define IOP_LOG_PREFIX "net/sim: "
#include "iop_log.h"
#include "port_driver.h"
#include "sim_wire.h"

#define GEN_MAX_FRAME 9216
#define GEN_DEFAULT_SIZE 64
#define GEN_MAX_FLOWS 256

struct gen_wire {
	uint32_t size;
	uint32_t flows;
	/* one frame per flow (UDP source ports 1024 on), sent again and again,
	 * flow after flow on each queue */
	uint8_t *frames;
	/* each queue's next flow, written by its own polling thread on every
	 * frame: one cache line each, so queues on other lcores do not
	 * bounce a shared line */
	struct {
		uint32_t next_flow;
		uint8_t pad[RTE_CACHE_LINE_SIZE - sizeof(uint32_t)];
	} q[IOP_PORT_MAX_QUEUES];
	/* where the sink lets the device write what it sends */
	uint8_t sink[IOP_PORT_MAX_QUEUES][GEN_MAX_FRAME];
};

/* An IPv4/UDP frame between two locally administered MACs; one flow: from
 * UDP port 9, several: from port 1024 + flow, so RSS can spread them. */
static void gen_build_frame(struct gen_wire *g, uint16_t port, uint32_t flow)
{
	uint8_t *frame = g->frames + (size_t)flow * g->size;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ip_len = (uint16_t)(g->size - sizeof(*eth));

	eth->src_addr = (struct rte_ether_addr){{0x02, 0x00, 0x00, 0x00, 0x10, (uint8_t)port}};
	eth->dst_addr = (struct rte_ether_addr){{0x02, 0x00, 0x00, 0x00, 0x20, (uint8_t)port}};
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0xc6120001); /* 198.18.0.1, benchmark range */
	ip->dst_addr = rte_cpu_to_be_32(0xc6120002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(g->flows == 1 ? 9 : (uint16_t)(1024 + flow));
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
}

static int gen_open(struct sim_wire *w, const struct iop_port_spec *spec)
{
	struct gen_wire *g;
	uint32_t size, flows;
	int rc;

	rc = iop_port_spec_get_u32(spec, "size", GEN_DEFAULT_SIZE,
				   RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN, GEN_MAX_FRAME, &size);
	if (rc == 0)
		rc = iop_port_spec_get_u32(spec, "flows", 1, 1, GEN_MAX_FLOWS, &flows);
	if (rc)
		return rc;
	g = calloc(1, sizeof(*g));
	if (g)
		g->frames = calloc(flows, size);
	if (!g || !g->frames) {
		free(g);
		return IOP_ERR(ENOMEM, "gen wire: out of memory");
	}
	/* size= is the frame as it sits in the buffer (no CRC), as testpmd's */
	g->size = size;
	g->flows = flows;
	for (uint32_t f = 0; f < flows; f++)
		gen_build_frame(g, iop_port_id(w->port), f);
	w->priv = g;
	w->max_frame_len = GEN_MAX_FRAME;
	return 0;
}

static int gen_configure(struct sim_wire *w, uint16_t nb_rxq, uint16_t nb_txq)
{
	(void)w;
	(void)nb_rxq;
	(void)nb_txq;
	return 0;
}

static void gen_close(struct sim_wire *w)
{
	struct gen_wire *g = w->priv;

	if (g)
		free(g->frames);
	free(g);
	w->priv = NULL;
}

static int gen_link(struct sim_wire *w, struct iop_port_link *link)
{
	(void)w;
	link->up = true;
	link->speed_mbps = 0;
	return 0;
}

static bool gen_rx_peek(struct sim_wire *w, uint16_t q, struct sim_frame *f)
{
	struct gen_wire *g = w->priv;

	f->data = g->frames + (size_t)g->q[q].next_flow * g->size;
	f->len = g->size;
	f->has_vlan = false;
	f->truncated = false;
	return true;
}

static void gen_rx_consume(struct sim_wire *w, uint16_t q)
{
	struct gen_wire *g = w->priv;

	/* one flow: nothing to advance, no store */
	if (g->flows > 1 && ++g->q[q].next_flow == g->flows)
		g->q[q].next_flow = 0;
}

static uint64_t gen_rx_dropped(struct sim_wire *w, uint16_t q)
{
	(void)w;
	(void)q;
	return 0;
}

static uint16_t gen_tx_room(struct sim_wire *w, uint16_t q, uint16_t max)
{
	(void)w;
	(void)q;
	return max;
}

static uint8_t *gen_tx_slot(struct sim_wire *w, uint16_t q)
{
	struct gen_wire *g = w->priv;

	return g->sink[q];
}

static void gen_tx_commit(struct sim_wire *w, uint16_t q, uint32_t len)
{
	(void)w;
	(void)q;
	(void)len;
}

static void gen_tx_flush(struct sim_wire *w, uint16_t q)
{
	(void)w;
	(void)q;
}

static const char *const gen_keys[] = {"size", "flows", NULL};

const struct sim_wire_ops sim_wire_gen = {
	.name = "gen",
	.keys = gen_keys,
	.max_queues = 8,
	.open = gen_open,
	.configure = gen_configure,
	.close = gen_close,
	.link_get = gen_link,
	.rx_peek = gen_rx_peek,
	.rx_consume = gen_rx_consume,
	.rx_dropped = gen_rx_dropped,
	.tx_room = gen_tx_room,
	.tx_slot = gen_tx_slot,
	.tx_commit = gen_tx_commit,
	.tx_flush = gen_tx_flush,
};
