/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "port_traffic.h"

#define TRAFFIC_FRAME_LEN 96
#define TRAFFIC_BURST 16

uint16_t traffic_port(const char *spec, const struct iop_port_conf *conf, uint16_t nb_desc,
		      struct rte_mempool *mp)
{
	struct iop_port_conf one = {.nb_rxq = 1, .nb_txq = 1};
	struct iop_port_info info;
	uint16_t p;

	if (iop_port_open(spec, &p))
		fail_msg("open %s: %s", spec, iop_err_msg());
	if (!conf) {
		/* the largest MTU the port takes, chained over mp's mbufs
		 * where one does not hold its frames */
		assert_int_equal(iop_port_info_get(p, &info), 0);
		one.mtu = info.max_mtu;
		if (one.mtu > iop_port_mtu_one_mbuf(p, mp)) {
			one.rx_offloads = info.rx_offload_capa & IOP_PORT_RX_OFFLOAD_SCATTER;
			if (!one.rx_offloads)
				one.mtu = iop_port_mtu_one_mbuf(p, mp);
		}
		conf = &one;
	}
	if (iop_port_configure(p, conf))
		fail_msg("configure %s: %s", spec, iop_err_msg());
	for (uint16_t q = 0; q < conf->nb_rxq; q++)
		assert_int_equal(iop_port_rx_queue_setup(p, q, nb_desc, mp), 0);
	for (uint16_t q = 0; q < conf->nb_txq; q++)
		assert_int_equal(iop_port_tx_queue_setup(p, q, nb_desc), 0);
	return p;
}

void traffic_pair_on(const char *const dev[2], const struct iop_port_conf *const conf[2],
		     struct rte_mempool *mp)
{
	char extra[2][64];

	for (int i = 0; i < 2; i++)
		snprintf(extra[i], sizeof(extra[i]), ",dev=%s", dev[i]);
	traffic_pair((const char *const[]){extra[0], extra[1]}, conf, 256,
		     (struct rte_mempool *const[]){mp, mp});
}

void traffic_pair(const char *const extra[2], const struct iop_port_conf *const conf[2],
		  uint16_t nb_desc, struct rte_mempool *const mp[2])
{
	char spec[256];

	for (uint16_t i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "sim:wire=pair,peer=%u%s", 1u - i, extra[i]);
		assert_int_equal(traffic_port(spec, conf[i], nb_desc, mp[i]), i);
	}
	assert_int_equal(iop_port_start(0), 0);
	assert_int_equal(iop_port_start(1), 0);
}

static uint8_t pattern(uint32_t seq, uint16_t i)
{
	return (uint8_t)(seq * 13u + i);
}

void traffic_frame_fill(struct rte_mbuf *m, uint16_t len, uint32_t seq)
{
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, len);

	assert_non_null(d);
	assert_true(len >= sizeof(seq));
	memcpy(d, &seq, sizeof(seq));
	for (uint16_t i = sizeof(seq); i < len; i++)
		d[i] = pattern(seq, i);
}

struct rte_mbuf *traffic_frame(struct rte_mempool *mp, uint16_t len, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	assert_non_null(m);
	traffic_frame_fill(m, len, seq);
	return m;
}

bool traffic_frame_is(const struct rte_mbuf *m, uint16_t len, uint32_t seq)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->pkt_len != len || m->data_len != len || traffic_frame_seq(m) != seq)
		return false;
	for (uint16_t i = sizeof(seq); i < len; i++)
		if (d[i] != pattern(seq, i))
			return false;
	return true;
}

uint32_t traffic_frame_seq(const struct rte_mbuf *m)
{
	uint32_t seq;

	memcpy(&seq, rte_pktmbuf_mtod(m, const void *), sizeof(seq));
	return seq;
}

/* --- frames both ways from a thread of their own ------------------------ */

/* One burst from side dir to the other, and what arrived there. */
static void traffic_step(struct traffic *t, int dir)
{
	struct rte_mbuf *m[TRAFFIC_BURST];
	uint16_t src = t->port[dir], dst = t->port[!dir];
	uint16_t n = 0, sent, got;

	if (!t->stop && rte_pktmbuf_alloc_bulk(t->pool, m, TRAFFIC_BURST) == 0) {
		for (n = 0; n < TRAFFIC_BURST; n++)
			traffic_frame_fill(m[n], TRAFFIC_FRAME_LEN, t->next_seq[dir] + n);
		sent = iop_port_tx_burst(src, 0, m, n);
		if (sent < n)
			rte_pktmbuf_free_bulk(&m[sent], (unsigned int)(n - sent));
		t->next_seq[dir] += sent;
		__atomic_fetch_add(&t->sent[dir], sent, __ATOMIC_RELEASE);
	}
	got = iop_port_rx_burst(dst, 0, m, TRAFFIC_BURST);
	for (uint16_t i = 0; i < got; i++) {
		if (!traffic_frame_is(m[i], TRAFFIC_FRAME_LEN, t->want_seq[dir]))
			t->bad[dir]++;
		t->want_seq[dir]++;
		t->recv[dir]++;
	}
	rte_pktmbuf_free_bulk(m, got);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How long, and over how many polls of both ports, the drain after the
 * stop sees no frame arrive before it takes what is missing as lost. The
 * polling thread (the sim's device model runs in its bursts) may be
 * preempted for long on a loaded machine: a time alone would expire
 * during one preemption with no poll after it, a count alone would run
 * out on a thread that polls fast; both must. */
#define DRAIN_IDLE_NS 10000000000ull
#define DRAIN_IDLE_POLLS 1000u

static void *traffic_main(void *arg)
{
	struct traffic *t = arg;
	uint64_t last_progress = 0, recv_before;
	unsigned int idle_polls = 0;

	iop_mem_thread_register();
	/* after the stop, until every frame sent has arrived (or plainly
	 * will not: the test then sees recv < sent) */
	for (;;) {
		bool stopped = __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
		bool missing = t->recv[0] < t->sent[0] || t->recv[1] < t->sent[1];

		if (stopped && !missing)
			break;
		if (stopped && !last_progress) {
			last_progress = mono_ns();
			idle_polls = 0;
		}
		if (stopped && mono_ns() - last_progress > DRAIN_IDLE_NS &&
		    idle_polls > DRAIN_IDLE_POLLS)
			break;
		recv_before = t->recv[0] + t->recv[1];
		traffic_step(t, 0);
		traffic_step(t, 1);
		idle_polls++;
		if (stopped && t->recv[0] + t->recv[1] != recv_before) {
			last_progress = mono_ns();
			idle_polls = 0;
		}
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();
	return NULL;
}

void traffic_start(struct traffic *t, uint16_t a, uint16_t b, struct rte_mempool *mp)
{
	memset(t, 0, sizeof(*t));
	t->pool = mp;
	t->port[0] = a;
	t->port[1] = b;
	assert_int_equal(pthread_create(&t->thread, NULL, traffic_main, t), 0);
	/* under traffic means frames already flow both ways: on a loaded
	 * machine the thread may not have run yet */
	uint64_t give_up = mono_ns() + DRAIN_IDLE_NS;

	while ((!__atomic_load_n(&t->sent[0], __ATOMIC_ACQUIRE) ||
		!__atomic_load_n(&t->sent[1], __ATOMIC_ACQUIRE)) && mono_ns() < give_up)
		sched_yield();
}

void traffic_stop_and_check(struct traffic *t)
{
	__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
	pthread_join(t->thread, NULL);
	for (int dir = 0; dir < 2; dir++) {
		struct iop_port_stats st[2];

		/* should a frame be missing: what each port counted for it */
		if (t->recv[dir] != t->sent[dir] &&
		    iop_port_stats_get(t->port[dir], &st[0]) == 0 &&
		    iop_port_stats_get(t->port[!dir], &st[1]) == 0)
			print_message("port %u -> %u: %lu of %lu frames arrived; sender: %lu dropped, %lu DMA faults; receiver: %lu dropped, %lu DMA faults, %lu rx_unmapped\n",
				      t->port[dir], t->port[!dir], (unsigned long)t->recv[dir],
				      (unsigned long)t->sent[dir], (unsigned long)st[0].dropped,
				      (unsigned long)st[0].dma_faults, (unsigned long)st[1].dropped,
				      (unsigned long)st[1].dma_faults, (unsigned long)st[1].rx_unmapped);
		assert_true(t->sent[dir] > 0);
		assert_int_equal(t->recv[dir], t->sent[dir]);
		assert_int_equal(t->bad[dir], 0);
	}
}

void traffic_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

void traffic_assert_port_clean(uint16_t p)
{
	struct iop_port_stats st;

	assert_int_equal(iop_port_stats_get(p, &st), 0);
	assert_int_equal(st.dma_faults, 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.rx_unmapped, 0);
}

static void *idle_poll_main(void *arg)
{
	struct idle_poller *ip = arg;
	struct rte_mbuf *none[1];

	iop_mem_thread_register();
	while (!__atomic_load_n(&ip->stop, __ATOMIC_ACQUIRE)) {
		iop_port_rx_burst(ip->port, 0, none, 0);
		iop_port_tx_burst(ip->port, 0, none, 0);
		iop_mem_quiescent();
	}
	iop_mem_thread_unregister();
	__atomic_store_n(&ip->stopped, true, __ATOMIC_RELEASE);
	return NULL;
}

void traffic_idle_poll_start(struct idle_poller *ip, uint16_t port)
{
	*ip = (struct idle_poller){.port = port};
	assert_int_equal(pthread_create(&ip->thread, NULL, idle_poll_main, ip), 0);
}

void traffic_idle_poll_stop(struct idle_poller *ip)
{
	__atomic_store_n(&ip->stop, true, __ATOMIC_RELEASE);
	pthread_join(ip->thread, NULL);
}

struct iop_ioas *traffic_new_ioas(void)
{
	struct iop_ioas *ioas;

	assert_int_equal(iop_ioas_create(iop_ctx_get(), &ioas), 0);
	return ioas;
}

void traffic_assert_on(uint16_t p, const struct iop_ioas *ioas)
{
	assert_ptr_equal(iop_dev_ioas(iop_port_dev(p)), ioas);
}
