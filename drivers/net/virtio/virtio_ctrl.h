/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_CTRL_H
#define IOP_VIRTIO_CTRL_H

/*
 * virtio-net control queue commands (virtio 1.2 5.1.6.5): what the driver
 * writes (class, command, command-specific data) and the device answers
 * with one ack byte. The payloads are built here from lib/port's RSS
 * configuration; sending them is virtio_net.c's.
 */

#include <stddef.h>
#include <stdint.h>

#include "iop_port.h"

/* 5.1.3 feature bits of the control queue and what rides on it */
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_RSS 60

/* 5.1.4 device config: fields after mac (0) and status (6) */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 8          /* le16, with MQ or RSS */
#define VIRTIO_NET_CFG_RSS_MAX_KEY_SIZE 17     /* u8, with RSS */
#define VIRTIO_NET_CFG_RSS_MAX_RETA_LEN 18     /* le16, with RSS */
#define VIRTIO_NET_CFG_SUPPORTED_HASH_TYPES 20 /* le32, with RSS */

/* 5.1.6.5: ack values */
#define VIRTIO_NET_OK 0
#define VIRTIO_NET_ERR 1

/* 5.1.6.5.6 "Automatic receive steering in multiqueue mode" and 5.1.6.5.7
 * "Receive-side scaling (RSS)" */
#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_CTRL_MQ_RSS_CONFIG 1

/* 5.1.6.5.7.1: hash types (also the supported_hash_types config field) */
#define VIRTIO_NET_RSS_HASH_TYPE_IPv4 (1u << 0)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv4 (1u << 1)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv4 (1u << 2)
#define VIRTIO_NET_RSS_HASH_TYPE_IPv6 (1u << 3)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv6 (1u << 4)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv6 (1u << 5)

/* Longest command we send: RSS_CONFIG with the largest table and key. */
#define VIRTIO_CTRL_CMD_MAX (2 + 8 + 2u * IOP_PORT_RETA_MAX + 3 + IOP_PORT_RSS_KEY_MAX)

/* lib/port's hash types (IOP_PORT_RSS_*) a device with these virtio hash
 * types hashes on, and back. */
uint64_t virtio_rss_types_to_port(uint32_t virtio_types);
uint32_t virtio_rss_types_from_port(uint64_t port_types);

/* The largest redirection table a device of max_len entries takes that
 * lib/port can express: a power of two (5.1.6.5.7.1: the table's length is
 * indirection_table_mask + 1), at most IOP_PORT_RETA_MAX; 0 if none. */
uint16_t virtio_rss_reta_size(uint16_t max_len);

/* Writes the command into buf (VIRTIO_CTRL_CMD_MAX bytes) and returns its
 * length. */
size_t virtio_ctrl_vq_pairs_set(uint8_t *buf, uint16_t pairs);
/* RSS_CONFIG: rss complete (key and table as lib/port resolved them),
 * spreading over the rx queues of its table, with tx_pairs transmit
 * queues (max_tx_vq). */
size_t virtio_ctrl_rss_config(uint8_t *buf, const struct iop_port_rss_conf *rss,
			      uint16_t tx_pairs);

#endif /* IOP_VIRTIO_CTRL_H */
