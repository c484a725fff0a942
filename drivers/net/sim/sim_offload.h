/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_OFFLOAD_H
#define IOP_SIM_OFFLOAD_H

/*
 * What the sim NIC computes on frame bytes, as a NIC's offload engines do:
 * the header parse, the RSS hash (Toeplitz, DPDK's rte_softrss), checksum
 * verdicts on rx and checksum insertion on tx (DPDK's rte_ipv4_cksum and
 * rte_ipv4/6_udptcp_cksum). Every function bounds its reads by the frame
 * length: a frame too short for the headers it claims is parsed no further.
 */

#include <stdbool.h>
#include <stdint.h>

#define SIM_RSS_KEY_LEN 40
#define SIM_RETA_SIZE 128

/* Where the headers of a frame are. */
struct sim_parse {
	uint32_t l3_off;    /* after the Ethernet header and a VLAN tag */
	uint32_t l4_off;    /* 0: no L4 header found */
	uint16_t vlan_tci;
	bool has_vlan;      /* an 802.1Q/802.1ad tag in the frame */
	bool ipv4, ipv6;
	bool frag;          /* an IPv4 fragment: no L4 header to look at */
	uint8_t l4_proto;   /* IPPROTO_TCP, IPPROTO_UDP, other */
};

void sim_parse(const uint8_t *frame, uint32_t len, struct sim_parse *p);

/* The RSS hash of the frame for hash_types (IOP_PORT_RSS_*); false when
 * no enabled type covers the frame (it goes to queue 0, unhashed). */
bool sim_rss_hash(const uint8_t *frame, const struct sim_parse *p, uint64_t hash_types,
		  const uint8_t *key, uint32_t *hash);

/* Rx checksum verdicts, as SIM_DESC_RX_* bits (checked, and bad), for the
 * checks asked for in rx_offloads (IOP_PORT_RX_OFFLOAD_*). */
uint16_t sim_rx_cksum(const uint8_t *frame, uint32_t len, const struct sim_parse *p,
		      uint64_t rx_offloads);

/* Tx: writes the checksums a descriptor asked for (SIM_DESC_TX_* flags)
 * into the frame, whose L3 header starts at l2_len, L4 at l2_len + l3_len.
 * Frames too short for those headers are left as they are. */
void sim_tx_cksum(uint8_t *frame, uint32_t len, uint16_t flags, uint32_t l2_len,
		  uint32_t l3_len);

#endif /* IOP_SIM_OFFLOAD_H */
