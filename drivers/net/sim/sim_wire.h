/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_SIM_WIRE_H
#define IOP_SIM_WIRE_H

/*
 * What is on the other side of a sim NIC's port: a wire. The device model
 * (sim_dev.c) takes frames from the wire into rx buffers and puts frames
 * from tx buffers on it; the wire owns the frame memory, so the device
 * moves bytes once, with a DMA straight between the wire and the buffer.
 *
 * Wires: pair (two sim ports back to back), af_packet (a kernel interface),
 * gen (a generator and sink), pcap (a capture file replayed, one recorded). Each queue of a port has its own wire queue;
 * one thread polls a wire queue at a time.
 */

#include <stdbool.h>
#include <stdint.h>

#include "port_spec.h"

struct iop_port;
struct iop_port_link;
struct rte_ether_addr;
struct sim_wire;

/* One received frame, valid until rx_consume. */
struct sim_frame {
	const uint8_t *data;
	uint32_t len;
	/* VLAN tag the kernel took out of the frame (af_packet), 0 if none:
	 * the device puts it back in front of the EtherType */
	uint16_t vlan_tci;
	uint16_t vlan_tpid;
	bool has_vlan;
	/* the wire kept only part of it (longer than any buffer) */
	bool truncated;
};

/* What became of frames a wire was given (tx_commit), learned in the
 * order they were given. */
struct sim_tx_fate {
	uint64_t sent, sent_bytes; /* the far side took them */
	uint64_t refused;          /* IOP_DROP_TX_REFUSED */
	uint64_t link_dropped;     /* IOP_DROP_TX_LINK_DROPPED */
	uint64_t unsent;           /* IOP_DROP_TX_UNSENT */
};

struct sim_wire_ops {
	const char *name;
	const char *const *keys;  /* spec keys besides wire= and dev= */
	uint16_t max_queues;
	/* Reads the spec, opens what the wire needs (socket, generator) and
	 * sets w->max_frame_len. */
	int (*open)(struct sim_wire *w, const struct iop_port_spec *spec);
	/* Makes nb_rxq/nb_txq wire queues; called again on reconfigure
	 * (always with counts up to max_queues). */
	int (*configure)(struct sim_wire *w, uint16_t nb_rxq, uint16_t nb_txq);
	/* Optional: checks at start that the far side is ready (pair peer). */
	int (*start)(struct sim_wire *w);
	void (*close)(struct sim_wire *w);
	int (*link_get)(struct sim_wire *w, struct iop_port_link *link);
	/* Optional. */
	int (*promisc_set)(struct sim_wire *w, bool on);
	/* Optional: the MAC the port takes (af_packet: the interface's). */
	int (*mac_get)(struct sim_wire *w, struct rte_ether_addr *mac);

	/* rx: the next frame for queue q (false: none now) */
	bool (*rx_peek)(struct sim_wire *w, uint16_t q, struct sim_frame *f);
	void (*rx_consume)(struct sim_wire *w, uint16_t q);
	/* frames the wire itself dropped for lack of room since the last call */
	uint64_t (*rx_dropped)(struct sim_wire *w, uint16_t q);
	/* tx: how many frames queue q can take now (at most max) */
	uint16_t (*tx_room)(struct sim_wire *w, uint16_t q, uint16_t max);
	/* a slot of max_frame_len bytes for the next frame (tx_room said so) */
	uint8_t *(*tx_slot)(struct sim_wire *w, uint16_t q);
	/* Optional: the longest the frame now in the slot may be (af_packet:
	 * the interface's MTU + 14, + 18 if 802.1Q-tagged, as the kernel
	 * rules); without it, max_frame_len. A longer frame is not committed. */
	uint32_t (*tx_max_len)(struct sim_wire *w, uint16_t q, const uint8_t *frame);
	void (*tx_commit)(struct sim_wire *w, uint16_t q, uint32_t len);
	/* sends what was committed (af_packet: one sendto per burst) */
	void (*tx_flush)(struct sim_wire *w, uint16_t q);
	/* Optional, with tx_in_flight: adds to *f the fates of committed
	 * frames learned since the last call. A wire without them took each
	 * frame at tx_commit (pair, gen), and the device counts it sent then. */
	void (*tx_reap)(struct sim_wire *w, uint16_t q, struct sim_tx_fate *f);
	/* committed frames whose fate is not known yet */
	uint32_t (*tx_in_flight)(struct sim_wire *w, uint16_t q);
	/* At stop, once waiting did not help: gives up the committed frames
	 * the far side has not taken (they will never be sent), as unsent. */
	void (*tx_discard)(struct sim_wire *w, uint16_t q, struct sim_tx_fate *f);
};

struct sim_wire {
	const struct sim_wire_ops *ops;
	struct iop_port *port;
	void *priv;  /* the wire's own state */
	uint32_t max_frame_len; /* longest frame a tx slot holds */
};

/* The wire named by the spec's wire= key; -EINVAL listing the wires. */
int sim_wire_find(const char *name, const struct sim_wire_ops **ops);

extern const struct sim_wire_ops sim_wire_pair;
extern const struct sim_wire_ops sim_wire_af_packet;
extern const struct sim_wire_ops sim_wire_gen;
extern const struct sim_wire_ops sim_wire_pcap;

#endif /* IOP_SIM_WIRE_H */
