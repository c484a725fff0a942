/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "virtio_ctrl.h"

static const struct {
	uint32_t virtio;
	uint64_t port;
} hash_types[] = {
	{ VIRTIO_NET_RSS_HASH_TYPE_IPv4, IOP_PORT_RSS_IPV4 },
	{ VIRTIO_NET_RSS_HASH_TYPE_TCPv4, IOP_PORT_RSS_NONFRAG_IPV4_TCP },
	{ VIRTIO_NET_RSS_HASH_TYPE_UDPv4, IOP_PORT_RSS_NONFRAG_IPV4_UDP },
	{ VIRTIO_NET_RSS_HASH_TYPE_IPv6, IOP_PORT_RSS_IPV6 },
	{ VIRTIO_NET_RSS_HASH_TYPE_TCPv6, IOP_PORT_RSS_NONFRAG_IPV6_TCP },
	{ VIRTIO_NET_RSS_HASH_TYPE_UDPv6, IOP_PORT_RSS_NONFRAG_IPV6_UDP },
};

uint64_t virtio_rss_types_to_port(uint32_t virtio_types)
{
	uint64_t t = 0;

	for (size_t i = 0; i < sizeof(hash_types) / sizeof(hash_types[0]); i++)
		if (virtio_types & hash_types[i].virtio)
			t |= hash_types[i].port;
	return t;
}

uint32_t virtio_rss_types_from_port(uint64_t port_types)
{
	uint32_t t = 0;

	for (size_t i = 0; i < sizeof(hash_types) / sizeof(hash_types[0]); i++)
		if (port_types & hash_types[i].port)
			t |= hash_types[i].virtio;
	return t;
}

uint16_t virtio_rss_reta_size(uint16_t max_len)
{
	uint16_t n = IOP_PORT_RETA_MAX;

	while (n > max_len)
		n >>= 1;
	return n;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

size_t virtio_ctrl_vq_pairs_set(uint8_t *buf, uint16_t pairs)
{
	buf[0] = VIRTIO_NET_CTRL_MQ;
	buf[1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
	return (size_t)(put16(buf + 2, pairs) - buf);
}

/* 5.1.6.5.7.1: struct virtio_net_rss_config, little-endian: hash_types,
 * indirection_table_mask, unclassified_queue, the table (receive queue
 * numbers), max_tx_vq, hash_key_length, the key. */
size_t virtio_ctrl_rss_config(uint8_t *buf, const struct iop_port_rss_conf *rss,
			      uint16_t tx_pairs)
{
	uint32_t types = virtio_rss_types_from_port(rss->hash_types);
	uint8_t *p = buf;

	*p++ = VIRTIO_NET_CTRL_MQ;
	*p++ = VIRTIO_NET_CTRL_MQ_RSS_CONFIG;
	p = put16(p, (uint16_t)types);
	p = put16(p, (uint16_t)(types >> 16));
	p = put16(p, (uint16_t)(rss->reta_size - 1));
	p = put16(p, 0); /* unclassified frames: the first queue */
	for (uint16_t i = 0; i < rss->reta_size; i++)
		p = put16(p, rss->reta[i]);
	p = put16(p, tx_pairs);
	*p++ = rss->key_len;
	memcpy(p, rss->key, rss->key_len);
	return (size_t)(p + rss->key_len - buf);
}
