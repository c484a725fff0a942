/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"
#include "port_traffic.h"

uint16_t traffic_port(const char *spec, const struct iop_port_conf *conf, uint16_t nb_desc,
		      struct rte_mempool *mp)
{
	struct iop_port_conf one = {.nb_rxq = 1, .nb_txq = 1};
	struct iop_port_info info;
	uint16_t p;

	if (iop_port_open(spec, &p))
		fail_msg("open %s: %s", spec, iop_err_msg());
	if (!conf) {
		assert_int_equal(iop_port_info_get(p, &info), 0);
		one.mtu = info.max_mtu;
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
