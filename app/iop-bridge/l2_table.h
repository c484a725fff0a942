/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BRIDGE_L2_TABLE_H
#define IOP_BRIDGE_L2_TABLE_H

/*
 * The learning bridge's MAC table, as pure functions of their inputs
 * (time is a parameter), so its rules are tested without ports:
 *   - a frame teaches the table that its source MAC is behind its ingress
 *     port (unicast sources only);
 *   - a frame to a broadcast/multicast MAC, or to a MAC the table does not
 *     know (or forgot: older than the aging time), is flooded to every
 *     other port;
 *   - a frame to a MAC behind its own ingress port is filtered (dropped);
 *   - otherwise it goes to the port the table names.
 * Open addressing over a power-of-two array; when a probe window is full
 * the oldest entry of it is replaced.
 */

#include <stdint.h>

#define L2_PROBE 8

struct l2_entry {
	uint64_t mac;   /* 48-bit MAC, 0: empty */
	uint64_t seen;  /* time it was last learned */
	uint16_t port;
};

struct l2_table {
	struct l2_entry *e;
	uint32_t mask;
	uint64_t max_age;  /* in the same unit as the times given */
};

enum {
	L2_FLOOD = -1,  /* send to every port but the ingress one */
	L2_FILTER = -2, /* destination is behind the ingress port: drop */
};

/* entries: a power of two >= L2_PROBE. -EINVAL / -ENOMEM. */
int l2_table_init(struct l2_table *t, uint32_t entries, uint64_t max_age);
void l2_table_free(struct l2_table *t);

uint64_t l2_mac(const uint8_t mac[6]);

void l2_learn(struct l2_table *t, uint64_t src, uint16_t port, uint64_t now);
/* The port behind dst, or -1 (unknown, aged out, or a group address). */
int l2_lookup(const struct l2_table *t, uint64_t dst, uint64_t now);
/* Learns src on in_port and returns where the frame goes: a port,
 * L2_FLOOD or L2_FILTER. */
int l2_decide(struct l2_table *t, uint16_t in_port, uint64_t src, uint64_t dst, uint64_t now);
/* Empties entries older than max_age; returns how many. */
uint32_t l2_age(struct l2_table *t, uint64_t now);
/* Entries in use (tests and the summary). */
uint32_t l2_count(const struct l2_table *t);

#endif /* IOP_BRIDGE_L2_TABLE_H */
