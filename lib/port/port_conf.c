/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port configuration rule: what a device may be asked for (its
 * iop_port_info capabilities) and the defaults a request leaves out (the
 * RSS key, the redirection table, the MTU). Every driver receives a
 * configuration this file checked and completed, so none repeats a check.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define IOP_LOG_PREFIX "port: "
#include "iop_log.h"
#include "port_internal.h"

struct flag_name {
	uint64_t flag;
	const char *name;
};

/* ethdev's names (rte_eth_dev_rx_offload_name and friends) */
static const struct flag_name rx_offloads[] = {
	{ IOP_PORT_RX_OFFLOAD_VLAN_STRIP, "vlan_strip" },
	{ IOP_PORT_RX_OFFLOAD_IPV4_CKSUM, "ipv4_cksum" },
	{ IOP_PORT_RX_OFFLOAD_UDP_CKSUM, "udp_cksum" },
	{ IOP_PORT_RX_OFFLOAD_TCP_CKSUM, "tcp_cksum" },
	{ IOP_PORT_RX_OFFLOAD_TCP_LRO, "tcp_lro" },
	{ IOP_PORT_RX_OFFLOAD_SCATTER, "scatter" },
	{ IOP_PORT_RX_OFFLOAD_RSS_HASH, "rss_hash" },
	{ 0, NULL },
};

static const struct flag_name tx_offloads[] = {
	{ IOP_PORT_TX_OFFLOAD_VLAN_INSERT, "vlan_insert" },
	{ IOP_PORT_TX_OFFLOAD_IPV4_CKSUM, "ipv4_cksum" },
	{ IOP_PORT_TX_OFFLOAD_UDP_CKSUM, "udp_cksum" },
	{ IOP_PORT_TX_OFFLOAD_TCP_CKSUM, "tcp_cksum" },
	{ IOP_PORT_TX_OFFLOAD_TCP_TSO, "tcp_tso" },
	{ IOP_PORT_TX_OFFLOAD_MULTI_SEGS, "multi_segs" },
	{ 0, NULL },
};

/* testpmd's names (`port config all rss ...`) */
static const struct flag_name rss_types[] = {
	{ IOP_PORT_RSS_IPV4, "ipv4" },
	{ IOP_PORT_RSS_FRAG_IPV4, "ipv4-frag" },
	{ IOP_PORT_RSS_NONFRAG_IPV4_TCP, "ipv4-tcp" },
	{ IOP_PORT_RSS_NONFRAG_IPV4_UDP, "ipv4-udp" },
	{ IOP_PORT_RSS_NONFRAG_IPV4_OTHER, "ipv4-other" },
	{ IOP_PORT_RSS_IPV6, "ipv6" },
	{ IOP_PORT_RSS_FRAG_IPV6, "ipv6-frag" },
	{ IOP_PORT_RSS_NONFRAG_IPV6_TCP, "ipv6-tcp" },
	{ IOP_PORT_RSS_NONFRAG_IPV6_UDP, "ipv6-udp" },
	{ IOP_PORT_RSS_NONFRAG_IPV6_OTHER, "ipv6-other" },
	{ 0, NULL },
};

static const char *flag_name(const struct flag_name *t, uint64_t flag)
{
	for (; t->name; t++)
		if (t->flag == flag)
			return t->name;
	return NULL;
}

const char *iop_port_rx_offload_name(uint64_t flag)
{
	return flag_name(rx_offloads, flag);
}

const char *iop_port_tx_offload_name(uint64_t flag)
{
	return flag_name(tx_offloads, flag);
}

const char *iop_port_rss_type_name(uint64_t flag)
{
	return flag_name(rss_types, flag);
}

/* "ipv4_cksum, udp_cksum" or "none" */
static void flag_list(const struct flag_name *t, uint64_t flags, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; t->name && off < size; t++)
		if (flags & t->flag)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
						t->name);
	if (off == 0)
		snprintf(buf, size, "none");
}

/* -ENOTSUP naming the first flag of `asked` the device lacks. */
static int check_flags(const struct iop_port *p, const char *driver, const char *what,
		       const struct flag_name *t, uint64_t asked, uint64_t capa)
{
	uint64_t missing = asked & ~capa;
	uint64_t first = missing & -missing;
	const char *name = flag_name(t, first);
	char has[256];

	if (!missing)
		return 0;
	flag_list(t, capa, has, sizeof(has));
	if (!name)
		return IOP_ERR(ENOTSUP, "port %u (%s): unknown %s flag 0x%llx (known: %s)",
			       p->id, p->spec, what, (unsigned long long)first, has);
	return IOP_ERR(ENOTSUP, "port %u (%s): %s %s: driver %s does not do it (it does: %s)",
		       p->id, p->spec, what, name, driver, has);
}

/* The Toeplitz key of Microsoft's RSS specification, which most NICs and
 * DPDK PMDs start with; repeated for a longer key. */
static const uint8_t default_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

int port_rss_resolve(const struct iop_port *p, const struct iop_port_info *info,
		     uint16_t nb_rxq, const struct iop_port_rss_conf *in,
		     const struct iop_port_rss_conf *keep, struct iop_port_rss_conf *out)
{
	bool asks = in->hash_types || in->key_len || in->reta_size;
	int rc;

	if (info->rss_key_size > IOP_PORT_RSS_KEY_MAX || info->reta_size > IOP_PORT_RETA_MAX)
		return IOP_ERR(EINVAL, "port %u (%s): driver %s declares a %u-byte RSS key and a %u-entry table, over lib/port's %u and %u",
			       p->id, p->spec, info->driver, info->rss_key_size, info->reta_size,
			       IOP_PORT_RSS_KEY_MAX, IOP_PORT_RETA_MAX);
	if (asks && info->reta_size == 0)
		return IOP_ERR(ENOTSUP, "port %u (%s): RSS: driver %s does not do it (%s)",
			       p->id, p->spec, info->driver,
			       info->no_rss_why ? info->no_rss_why : "no redirection table");
	rc = check_flags(p, info->driver, "RSS hash type", rss_types, in->hash_types,
			 info->rss_hash_types);
	if (rc)
		return rc;
	if (in->key_len && in->key_len != info->rss_key_size)
		return IOP_ERR(EINVAL, "port %u (%s): RSS key of %u bytes: driver %s takes a key of exactly %u bytes",
			       p->id, p->spec, in->key_len, info->driver, info->rss_key_size);
	if (in->reta_size && in->reta_size != info->reta_size)
		return IOP_ERR(EINVAL, "port %u (%s): RSS redirection table of %u entries: driver %s has exactly %u",
			       p->id, p->spec, in->reta_size, info->driver, info->reta_size);
	for (uint16_t i = 0; i < in->reta_size; i++)
		if (in->reta[i] >= nb_rxq)
			return IOP_ERR(EINVAL, "port %u (%s): RSS redirection table entry %u names rx queue %u, but %u rx queues are configured",
				       p->id, p->spec, i, in->reta[i], nb_rxq);

	memset(out, 0, sizeof(*out));
	out->hash_types = in->hash_types;
	if (info->reta_size == 0)
		return 0;
	out->key_len = info->rss_key_size;
	out->reta_size = info->reta_size;
	if (in->key_len)
		memcpy(out->key, in->key, in->key_len);
	else if (keep)
		memcpy(out->key, keep->key, info->rss_key_size);
	else
		for (uint8_t i = 0; i < info->rss_key_size; i++)
			out->key[i] = default_rss_key[i % sizeof(default_rss_key)];
	if (in->reta_size)
		memcpy(out->reta, in->reta, in->reta_size * sizeof(in->reta[0]));
	else if (keep)
		memcpy(out->reta, keep->reta, info->reta_size * sizeof(keep->reta[0]));
	else
		for (uint16_t i = 0; i < info->reta_size; i++)
			out->reta[i] = (uint16_t)(i % nb_rxq);
	return 0;
}

int port_conf_resolve(const struct iop_port *p, const struct iop_port_info *info,
		      const struct iop_port_conf *in, struct iop_port_conf *out)
{
	uint32_t max_mtu = info->max_mtu ? info->max_mtu : IOP_PORT_MTU_DEFAULT;
	int rc;

	if (in->nb_rxq == 0 || in->nb_txq == 0)
		return IOP_ERR(EINVAL, "port %u (%s): needs at least one rx and one tx queue",
			       p->id, p->spec);
	if (in->nb_rxq > info->max_rx_queues || in->nb_txq > info->max_tx_queues)
		return IOP_ERR(EINVAL, "port %u (%s): %u rx/%u tx queues asked, driver %s supports at most %u rx/%u tx",
			       p->id, p->spec, in->nb_rxq, in->nb_txq, info->driver,
			       info->max_rx_queues, info->max_tx_queues);
	rc = check_flags(p, info->driver, "rx offload", rx_offloads, in->rx_offloads,
			 info->rx_offload_capa);
	if (rc == 0)
		rc = check_flags(p, info->driver, "tx offload", tx_offloads, in->tx_offloads,
				 info->tx_offload_capa);
	if (rc)
		return rc;
	if (in->mtu && in->mtu < IOP_PORT_MTU_MIN)
		return IOP_ERR(EINVAL, "port %u (%s): MTU %u is under the minimum %u",
			       p->id, p->spec, in->mtu, IOP_PORT_MTU_MIN);
	if (in->mtu > IOP_PORT_MTU_DEFAULT && !info->max_mtu)
		return IOP_ERR(ENOTSUP, "port %u (%s): jumbo frames (MTU %u): driver %s does not do them (its MTU is %u)",
			       p->id, p->spec, in->mtu, info->driver, IOP_PORT_MTU_DEFAULT);
	if (in->mtu > max_mtu)
		return IOP_ERR(EINVAL, "port %u (%s): MTU %u is over driver %s's maximum %u",
			       p->id, p->spec, in->mtu, info->driver, max_mtu);

	*out = *in;
	out->mtu = in->mtu ? in->mtu : RTE_MIN(max_mtu, (uint32_t)IOP_PORT_MTU_DEFAULT);
	rc = port_rss_resolve(p, info, in->nb_rxq, &in->rss, NULL, &out->rss);
	if (rc)
		return rc;
	/* as ethdev does: with RSS on, a device that can deliver the hash does */
	if (out->rss.hash_types && (info->rx_offload_capa & IOP_PORT_RX_OFFLOAD_RSS_HASH))
		out->rx_offloads |= IOP_PORT_RX_OFFLOAD_RSS_HASH;
	return 0;
}

/* The bytes of frame one mbuf of `room` bytes of data room takes on p's
 * rx: the driver's buffer where it has one of a few sizes, else the data
 * room less the headroom the PMDs leave before the frame. */
static uint32_t rx_buf_len(struct iop_port *p, uint16_t room)
{
	uint32_t len = p->drv->ops->rx_buf_len ? p->drv->ops->rx_buf_len(p, room) : 0;

	if (len)
		return len;
	return room > RTE_PKTMBUF_HEADROOM ? (uint32_t)room - RTE_PKTMBUF_HEADROOM : 0;
}

/* The longest frame of an MTU: its Ethernet header and an 802.1Q tag (the
 * PMDs' and the sim's frame rule, iop_pci_frame_fits). */
#define MTU_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

/* The largest MTU one mbuf of `room` bytes of data room holds on p. */
static uint32_t mtu_in(struct iop_port *p, uint16_t room)
{
	uint32_t len = rx_buf_len(p, room);

	return len > MTU_OVERHEAD ? len - MTU_OVERHEAD : 0;
}

uint32_t port_mtu_one_mbuf(struct iop_port *p, struct rte_mempool *mp)
{
	return mtu_in(p, rte_pktmbuf_data_room_size(mp));
}

int port_rx_pool_check(struct iop_port *p, uint16_t q, struct rte_mempool *mp)
{
	uint16_t room = rte_pktmbuf_data_room_size(mp);
	uint32_t mtu = p->conf.mtu, fits = mtu_in(p, room), need = room;

	if ((p->conf.rx_offloads & IOP_PORT_RX_OFFLOAD_SCATTER) || mtu <= fits)
		return 0;
	/* the smallest data room that does (the driver's buffer sizes may
	 * step) */
	while (need < UINT16_MAX && mtu_in(p, (uint16_t)need) < mtu)
		need++;
	if (mtu_in(p, (uint16_t)need) < mtu)
		return IOP_ERR(EINVAL, "port %u (%s): rx queue %u: MTU %u makes frames of up to %u bytes, but one mbuf of pool %s takes %u here (data room %u), no mbuf takes more, and rx scatter is off: configure rx offload scatter, or a smaller MTU",
			       p->id, p->spec, q, mtu, mtu + MTU_OVERHEAD, mp->name, fits + MTU_OVERHEAD,
			       room);
	return IOP_ERR(EINVAL, "port %u (%s): rx queue %u: MTU %u makes frames of up to %u bytes, but one mbuf of pool %s takes %u here (data room %u) and rx scatter is off: configure rx offload scatter, or give a pool whose data room is at least %u",
		       p->id, p->spec, q, mtu, mtu + MTU_OVERHEAD, mp->name, fits + MTU_OVERHEAD,
		       room, need);
}
