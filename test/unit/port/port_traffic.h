/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the port tests send through sim ports: ports opened and set up in
 * one call, a pair of them back to back, and numbered frames that show
 * any damage or reordering when they arrive.
 */
#ifndef PORT_TRAFFIC_H
#define PORT_TRAFFIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "iop_port.h"

/* Opens spec and configures it as conf (NULL: one queue each way and the
 * largest MTU the port takes, with rx scatter where one mbuf of mp does
 * not hold its frames, else capped at what one holds), every queue with nb_desc descriptors, rx
 * buffers from mp. Returns the port id; any error fails the test. */
uint16_t traffic_port(const char *spec, const struct iop_port_conf *conf, uint16_t nb_desc,
		      struct rte_mempool *mp);

/* Ports 0 and 1 back to back on a pair wire, set up as traffic_port does
 * and started: port i's spec is "sim:wire=pair,peer=<1-i>" then extra[i]
 * ("" for none), configured as conf[i], rx from mp[i]. */
void traffic_pair(const char *const extra[2], const struct iop_port_conf *const conf[2],
		  uint16_t nb_desc, struct rte_mempool *const mp[2]);

/* Ports 0 and 1 as traffic_pair makes them, on devices dev[0] and dev[1]
 * (",dev=BDF"), queues of 256 descriptors, rx buffers from mp. */
void traffic_pair_on(const char *const dev[2], const struct iop_port_conf *const conf[2],
		     struct rte_mempool *mp);

/* Appends len bytes (len >= 4) to m: the number seq, then a pattern of
 * seq. */
void traffic_frame_fill(struct rte_mbuf *m, uint16_t len, uint32_t seq);
/* A new frame from mp, filled as traffic_frame_fill does. */
struct rte_mbuf *traffic_frame(struct rte_mempool *mp, uint16_t len, uint32_t seq);
/* m is, byte for byte, the frame traffic_frame_fill(len, seq) wrote. */
bool traffic_frame_is(const struct rte_mbuf *m, uint16_t len, uint32_t seq);
/* The number a frame carries. */
uint32_t traffic_frame_seq(const struct rte_mbuf *m);

/* Frames both ways between ports a and b from a thread of their own, as
 * a forwarding lcore sends them (registered with iop_mem, quiescent once
 * a loop), checked on arrival. */
struct traffic {
	pthread_t thread;
	bool stop;
	uint16_t port[2];
	struct rte_mempool *pool;
	uint64_t sent[2], recv[2], bad[2];
	uint32_t next_seq[2], want_seq[2];
};
/* Starts the thread; returns once frames flow both ways. */
void traffic_start(struct traffic *t, uint16_t a, uint16_t b, struct rte_mempool *mp);
/* Stops, then checks: frames flowed both ways, none lost, none damaged
 * (should one be missing, it prints what each port counted). */
void traffic_stop_and_check(struct traffic *t);
/* The port counted no DMA fault, no drop, no unmapped rx buffer. */
void traffic_assert_port_clean(uint16_t p);
void traffic_sleep_ms(long ms);
/* Empty bursts on queue 0 of a port, each way, from a thread of its own
 * (registered with iop_mem, quiescent once a loop), as doc/move.md asks of
 * an app for the queues it does not otherwise poll, until stop is set;
 * then it unregisters and sets stopped. */
struct idle_poller {
	pthread_t thread;
	uint16_t port;
	bool stop, stopped;
};
void traffic_idle_poll_start(struct idle_poller *ip, uint16_t port);
/* Sets stop and joins the thread. */
void traffic_idle_poll_stop(struct idle_poller *ip);

/* A new IOAS of the port context (asserts it was made). */
struct iop_ioas *traffic_new_ioas(void);
/* Asserts that port p's device is on ioas. */
void traffic_assert_on(uint16_t p, const struct iop_ioas *ioas);

#endif
