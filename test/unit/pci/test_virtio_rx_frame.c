/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net rx frame rules (drivers/net/virtio/virtio_rx_frame.h), as
 * a device following virtio 1.2 5.1.6.4 uses buffers: with MRG_RXBUF one
 * frame over num_buffers buffers becomes one chain whose bytes are the
 * frame's; a header the device got wrong (num_buffers 0 or over the ring,
 * a length over the buffer, a GSO type not negotiated) and a frame a stop
 * cuts short are dropped as rx_malformed with every buffer back in the
 * pool; frames over the MTU or chained without scatter are rx_oversize;
 * merged TCP segments (GUEST_TSO4/6) come as RTE_MBUF_F_RX_LRO with
 * tso_segsz.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "../../../drivers/net/virtio/virtio_rx_frame.h"
#include "../port/port_fixture.h"

#define POOL_SIZE 255
#define RING 256
/* what the PMD posts: the data room from the header's place on */
#define BUF_LEN (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM + VNET_HDR_LEN)

static struct rte_mempool *pool;
static struct iop_port_qcounters cnt;
static struct vnet_rx_rules rules;
static struct vnet_rx_frame frame;

static int setup(void **state)
{
	(void)state;
	memset(&cnt, 0, sizeof(cnt));
	memset(&frame, 0, sizeof(frame));
	rules = (struct vnet_rx_rules){ .buf_len = BUF_LEN, .max_frame = 9014, .max_bufs = RING,
					.mrg_rxbuf = true, .scatter = true, .csum = true };
	return 0;
}

/* A posted buffer as the device leaves it: the header (first buffer of a
 * frame only) and len bytes of the frame, byte i of the frame being
 * (i + seed) & 0xff. Returns the bytes the device reports as used. */
static struct rte_mbuf *device_buf(const struct vnet_hdr *h, uint32_t frame_off, uint32_t len,
				   uint32_t *used)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)m->buf_addr + VNET_RX_HDR_OFF;
	if (h) {
		memcpy(p, h, sizeof(*h));
		p += VNET_HDR_LEN;
	}
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(frame_off + i);
	*used = len + (h ? VNET_HDR_LEN : 0);
	return m;
}

/* Feeds a frame of len bytes spread over buffers as a device fills them
 * (each full but the last), with num_buffers set to nbufs_said; returns
 * what the last add returned. */
static struct rte_mbuf *feed(uint32_t len, const struct vnet_hdr *h_in, uint16_t nbufs_said,
			     unsigned int *nbufs_used)
{
	struct vnet_hdr h = h_in ? *h_in : (struct vnet_hdr){ 0 };
	uint32_t off = 0, used;
	struct rte_mbuf *got = NULL;
	unsigned int n = 0;

	h.num_buffers = nbufs_said;
	while (off < len || n == 0) {
		uint32_t room = BUF_LEN - (n == 0 ? VNET_HDR_LEN : 0);
		uint32_t k = RTE_MIN(room, len - off);
		struct rte_mbuf *m = device_buf(n == 0 ? &h : NULL, off, k, &used);

		assert_null(got); /* nothing completes before the last buffer */
		got = vnet_rx_frame_add(&frame, &rules, &cnt, m, used);
		off += k;
		n++;
	}
	*nbufs_used = n;
	return got;
}

static void assert_frame_bytes(const struct rte_mbuf *m, uint32_t len)
{
	static uint8_t copy[70000];
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, copy);

	assert_non_null(p);
	for (uint32_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)i)
			fail_msg("byte %u of the frame is 0x%02x, sent 0x%02x", i, p[i], (uint8_t)i);
}

static void assert_all_buffers_back(void)
{
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

static void mrg_rxbuf_frame_over_five_buffers_is_one_chain_of_its_bytes(void **state)
{
	unsigned int n;
	struct rte_mbuf *m, *s;
	uint32_t sum = 0;

	(void)state;
	m = feed(9014, NULL, 5, &n);
	assert_int_equal(n, 5);
	assert_non_null(m);
	assert_int_equal(m->nb_segs, 5);
	assert_int_equal(m->pkt_len, 9014);
	assert_int_equal(m->data_len, BUF_LEN - VNET_HDR_LEN);
	for (s = m->next; s; s = s->next) {
		/* a continuing buffer carries frame bytes where a header would be */
		assert_int_equal(s->data_off, RTE_PKTMBUF_HEADROOM - VNET_HDR_LEN);
		sum += s->data_len;
	}
	assert_int_equal(sum + m->data_len, 9014);
	assert_int_equal(rte_mbuf_check(m, 1, NULL), 0);
	assert_frame_bytes(m, 9014);
	assert_int_equal(cnt.packets, 1);
	assert_int_equal(cnt.bytes, 9014);
	rte_pktmbuf_free(m);
	assert_all_buffers_back();
}

static void one_buffer_frame_is_one_segment(void **state)
{
	unsigned int n;
	struct rte_mbuf *m;

	(void)state;
	m = feed(60, NULL, 1, &n);
	assert_non_null(m);
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->pkt_len, 60);
	assert_frame_bytes(m, 60);
	rte_pktmbuf_free(m);
	/* without MRG_RXBUF num_buffers means nothing: one buffer, one frame */
	rules.mrg_rxbuf = false;
	m = feed(60, NULL, 0, &n);
	assert_non_null(m);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 0);
	assert_all_buffers_back();
}

static void num_buffers_zero_is_a_malformed_drop(void **state)
{
	unsigned int n;

	(void)state;
	assert_null(feed(60, NULL, 0, &n));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	assert_int_equal(cnt.packets, 0);
	assert_all_buffers_back();
}

static void num_buffers_over_the_ring_is_a_malformed_drop(void **state)
{
	unsigned int n;

	(void)state;
	assert_null(feed(60, NULL, RING + 1, &n));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	assert_int_equal(frame.left, 0);
	assert_all_buffers_back();
}

static void length_over_the_posted_buffer_is_a_malformed_drop(void **state)
{
	struct vnet_hdr h = { .num_buffers = 1 };
	uint32_t used;
	struct rte_mbuf *m = device_buf(&h, 0, 60, &used);

	(void)state;
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, BUF_LEN + 1));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	/* and too short for the header and an Ethernet header */
	m = device_buf(&h, 0, 60, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, VNET_HDR_LEN + 13));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 2);
	assert_all_buffers_back();
}

/* A continuing buffer over its length drops the frame; the buffers the
 * header still announced are skipped, not read as frames. */
static void bad_continuation_drops_the_frame_and_skips_its_buffers(void **state)
{
	struct vnet_hdr h = { .num_buffers = 3 };
	uint32_t used;
	struct rte_mbuf *m;

	(void)state;
	m = device_buf(&h, 0, BUF_LEN - VNET_HDR_LEN, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, used));
	m = device_buf(NULL, 0, 100, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, BUF_LEN + 1));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	/* the third buffer, full of frame bytes, is not a frame */
	m = device_buf(NULL, 0, 100, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, used));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	assert_int_equal(cnt.packets, 0);
	assert_int_equal(frame.left, 0);
	assert_all_buffers_back();
}

static void frame_cut_by_a_stop_is_freed_and_counted(void **state)
{
	struct vnet_hdr h = { .num_buffers = 3 };
	uint32_t used;
	struct rte_mbuf *m;

	(void)state;
	m = device_buf(&h, 0, BUF_LEN - VNET_HDR_LEN, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, used));
	m = device_buf(NULL, 0, BUF_LEN, &used);
	assert_null(vnet_rx_frame_add(&frame, &rules, &cnt, m, used));
	vnet_rx_frame_abandon(&frame, &cnt);
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 1);
	assert_int_equal(cnt.packets, 0);
	assert_null(frame.head);
	assert_int_equal(frame.left, 0);
	assert_all_buffers_back();
	/* the next frame after the start is whole again */
	unsigned int n;

	m = feed(3000, NULL, 2, &n);
	assert_non_null(m);
	assert_frame_bytes(m, 3000);
	rte_pktmbuf_free(m);
	assert_all_buffers_back();
}

static void frame_over_the_mtu_or_chained_without_scatter_is_rx_oversize(void **state)
{
	unsigned int n;

	(void)state;
	/* MTU 1500: 1514 bytes, 1518 with an 802.1Q tag (byte 12 of the
	 * frame here is 12, not 0x81: untagged) */
	rules.max_frame = 1514;
	assert_null(feed(1515, NULL, 1, &n));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	rules.max_frame = 9014;
	rules.scatter = false;
	assert_null(feed(3000, NULL, 2, &n));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 2);
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 0);
	assert_int_equal(cnt.packets, 0);
	assert_all_buffers_back();
}

/* The kernel's rule: MTU + 18 bytes for an 802.1Q-tagged frame. */
static void tagged_frame_may_be_four_bytes_longer(void **state)
{
	struct vnet_hdr h = { .num_buffers = 1 };
	uint32_t used;
	struct rte_mbuf *m;
	uint8_t *eth;

	(void)state;
	rules.max_frame = 1514;
	for (uint32_t len = 1518; len <= 1519; len++) {
		m = device_buf(&h, 0, len, &used);
		eth = (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM;
		eth[12] = 0x81;
		eth[13] = 0x00;
		m = vnet_rx_frame_add(&frame, &rules, &cnt, m, used);
		if (len == 1518) {
			assert_non_null(m);
			rte_pktmbuf_free(m);
		} else {
			assert_null(m);
		}
	}
	assert_int_equal(cnt.packets, 1);
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	assert_all_buffers_back();
}

static void gso_tcpv4_frame_is_lro_with_its_segment_size(void **state)
{
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448 };
	unsigned int n;
	struct rte_mbuf *m;

	(void)state;
	rules.lro = true;
	m = feed(60000, &h, 30, &n);
	assert_int_equal(n, 30);
	assert_non_null(m);
	assert_int_equal(m->pkt_len, 60000);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_int_equal(m->tso_segsz, 1448);
	assert_frame_bytes(m, 60000);
	rte_pktmbuf_free(m);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	m = feed(3000, &h, 2, &n);
	assert_non_null(m);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
	rte_pktmbuf_free(m);
	assert_all_buffers_back();
}

static void gso_frame_the_port_did_not_negotiate_is_malformed(void **state)
{
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448 };
	unsigned int n;

	(void)state;
	assert_null(feed(3000, &h, 2, &n)); /* no GUEST_TSO */
	rules.lro = true;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN; /* no GUEST_ECN */
	assert_null(feed(3000, &h, 2, &n));
	h.gso_type = 3; /* UDP: no GUEST_UFO */
	assert_null(feed(3000, &h, 2, &n));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 0;
	assert_null(feed(3000, &h, 2, &n));
	assert_int_equal(cnt.drops[IOP_DROP_RX_MALFORMED], 4);
	assert_int_equal(cnt.packets, 0);
	assert_all_buffers_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(mrg_rxbuf_frame_over_five_buffers_is_one_chain_of_its_bytes, setup),
		cmocka_unit_test_setup(one_buffer_frame_is_one_segment, setup),
		cmocka_unit_test_setup(num_buffers_zero_is_a_malformed_drop, setup),
		cmocka_unit_test_setup(num_buffers_over_the_ring_is_a_malformed_drop, setup),
		cmocka_unit_test_setup(length_over_the_posted_buffer_is_a_malformed_drop, setup),
		cmocka_unit_test_setup(bad_continuation_drops_the_frame_and_skips_its_buffers, setup),
		cmocka_unit_test_setup(frame_cut_by_a_stop_is_freed_and_counted, setup),
		cmocka_unit_test_setup(frame_over_the_mtu_or_chained_without_scatter_is_rx_oversize, setup),
		cmocka_unit_test_setup(tagged_frame_may_be_four_bytes_longer, setup),
		cmocka_unit_test_setup(gso_tcpv4_frame_is_lro_with_its_segment_size, setup),
		cmocka_unit_test_setup(gso_frame_the_port_did_not_negotiate_is_malformed, setup),
	};
	int rc;

	if (port_fixture_eal_init("test_virtio_rx_frame", POOL_SIZE, &pool) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	port_fixture_eal_fini(pool);
	return rc;
}
