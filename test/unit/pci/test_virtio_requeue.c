/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtio queue taken up again after its reset (VIRTIO_F_RING_RESET,
 * drivers/net/virtio/virtio_requeue.c), against a device that follows
 * virtio 1.2 2.7 and 2.8: it takes available buffers in ring order, uses
 * them (split: a used-ring entry; packed: a used descriptor at its used
 * position, advanced by the chain's length), and after a queue reset
 * starts again at entry 0 with wrap counters 1, remembering nothing. The
 * driver side does what the PMD's bursts do with the ring (rx: take a
 * used buffer, post it again; tx: post a frame in a free slot, reclaim a
 * used one). After the reset every rx buffer the device had not used is
 * used next, in the order it was posted, and every frame it had not sent
 * goes out next, in order, none twice; the buffers it used before the
 * reset reach the driver first, once. A packed ring the device used out
 * of order cannot be taken up again, and says so.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iop_log.h"
#include "../../../drivers/net/virtio/vnet.h"

#define N 8

/* ---- the queue, as the PMD lays it out ---- */

static struct vnet_queue *queue_new(bool packed, bool rx, uint16_t head_stride)
{
	struct vnet_queue *q = calloc(1, sizeof(*q));
	struct vring_layout l = packed ? vring_packed_layout(N) : vring_layout(N);

	q->ring = aligned_alloc(4096, l.total);
	memset(q->ring, 0, l.total);
	q->packed = packed;
	q->size = N;
	q->mask = N - 1;
	q->qidx = rx ? 0 : 1;
	q->desc = q->ring;
	if (packed) {
		q->driver_event = (struct vring_packed_event *)((uint8_t *)q->ring + l.avail);
		q->device_event = (struct vring_packed_event *)((uint8_t *)q->ring + l.used);
		q->used_wrap = q->avail_wrap = 1;
	} else {
		q->avail = (struct vring_avail *)((uint8_t *)q->ring + l.avail);
		q->used = (struct vring_used *)((uint8_t *)q->ring + l.used);
	}
	q->free = calloc(N, sizeof(*q->free));
	q->head_stride = head_stride;
	q->slots = (uint16_t)(N / head_stride);
	if (!rx)
		for (uint16_t s = 0; s < q->slots; s++)
			q->free[q->nfree++] = (uint16_t)(q->slots - 1 - s);
	return q;
}

static void queue_free(struct vnet_queue *q)
{
	free(q->free);
	free(q->ring);
	free(q);
}

/* ---- the device ---- */

struct dev {
	uint16_t avail, used;      /* split: free-running; packed: positions */
	uint8_t avail_wrap, used_wrap;
};

static void dev_reset(struct dev *d)
{
	*d = (struct dev){ .avail_wrap = 1, .used_wrap = 1 };
}

static void advance(uint16_t *pos, uint8_t *wrap, uint16_t by)
{
	*pos = (uint16_t)(*pos + by);
	if (*pos >= N) {
		*pos = (uint16_t)(*pos - N);
		*wrap ^= 1;
	}
}

/* The name of the next buffer available, skipping `skip` chains (a device
 * that takes buffers out of order), or -1; packed: its chain's length. */
static int dev_peek(struct dev *d, struct vnet_queue *q, unsigned int skip, uint16_t *len)
{
	if (!q->packed) {
		if ((uint16_t)(q->avail->idx - d->avail) <= skip)
			return -1;
		*len = 1;
		return q->avail->ring[(uint16_t)(d->avail + skip) & q->mask];
	}
	uint16_t pos = d->avail;
	uint8_t wrap = d->avail_wrap;

	for (unsigned int c = 0;; c++) {
		uint16_t start = pos, k = 1;

		if ((q->pdesc[pos].flags & (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED)) !=
		    vring_packed_avail_flags(wrap))
			return -1;
		while (q->pdesc[pos].flags & VRING_DESC_F_NEXT) {
			advance(&pos, &wrap, 1);
			k++;
		}
		advance(&pos, &wrap, 1);
		if (c == skip) {
			*len = k;
			return q->pdesc[(uint16_t)(start + k - 1) % N].id;
		}
	}
}

/* Uses the next available buffer (the one after `skip` others), writing
 * `bytes` as its length; returns its name, or -1 when none is available. */
static int dev_use(struct dev *d, struct vnet_queue *q, unsigned int skip, uint32_t bytes)
{
	uint16_t len;
	int id = dev_peek(d, q, skip, &len);

	if (id < 0)
		return -1;
	if (!q->packed) {
		assert_int_equal(skip, 0);
		d->avail++;
		q->used->ring[d->used & q->mask] = (struct vring_used_elem){ (uint32_t)id, bytes };
		d->used++;
		__atomic_store_n(&q->used->idx, d->used, __ATOMIC_RELEASE);
		return id;
	}
	/* in order the avail and used positions move together; skipping,
	 * the used descriptor lands where the first chain still lies */
	advance(&d->avail, &d->avail_wrap, len);
	q->pdesc[d->used].id = (uint16_t)id;
	q->pdesc[d->used].len = bytes;
	__atomic_store_n(&q->pdesc[d->used].flags,
			 (uint16_t)(d->used_wrap ? VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED : 0),
			 __ATOMIC_RELEASE);
	advance(&d->used, &d->used_wrap, len);
	return id;
}

/* ---- the driver, as the bursts use the ring ---- */

/* rx: the next used buffer taken (its name and length), or -1 */
static int drv_rx_take(struct vnet_queue *q, uint32_t *bytes)
{
	int id;

	if (!q->packed) {
		if (q->used->idx == q->last_used)
			return -1;
		id = (int)q->used->ring[q->last_used & q->mask].id;
		*bytes = q->used->ring[q->last_used & q->mask].len;
		q->last_used++;
		return id;
	}
	if (!vring_packed_is_used(q->pdesc[q->last_used].flags, q->used_wrap))
		return -1;
	id = q->pdesc[q->last_used].id;
	*bytes = q->pdesc[q->last_used].len;
	advance(&q->last_used, &q->used_wrap, 1);
	return id;
}

/* rx: buffer id posted (again) */
static void drv_rx_post(struct vnet_queue *q, uint16_t id)
{
	if (!q->packed) {
		q->desc[id] = (struct vring_desc){ .addr = 0x1000u * (id + 1), .len = 2048,
						   .flags = VRING_DESC_F_WRITE };
		q->avail->ring[q->avail_idx & q->mask] = id;
		__atomic_store_n(&q->avail->idx, ++q->avail_idx, __ATOMIC_RELEASE);
		return;
	}
	q->pdesc[q->avail_idx] = (struct vring_packed_desc){ .addr = 0x1000u * (id + 1),
		.len = 2048, .id = id,
		.flags = (uint16_t)(VRING_DESC_F_WRITE | vring_packed_avail_flags(q->avail_wrap)) };
	advance(&q->avail_idx, &q->avail_wrap, 1);
}

/* tx: frame f in a free slot (head and, without indirect tables, the
 * frame's descriptor); returns the slot */
static uint16_t drv_tx_post(struct vnet_queue *q, uint32_t f)
{
	uint16_t s = q->free[--q->nfree];

	if (!q->packed) {
		uint16_t head = (uint16_t)(s * q->head_stride);

		q->desc[head] = (struct vring_desc){ .addr = f, .len = 12,
			.flags = q->head_stride == 2 ? VRING_DESC_F_NEXT : VRING_DESC_F_INDIRECT,
			.next = (uint16_t)(head + 1) };
		q->avail->ring[q->avail_idx & q->mask] = head;
		__atomic_store_n(&q->avail->idx, ++q->avail_idx, __ATOMIC_RELEASE);
		return s;
	}
	if (q->head_stride == 2) {
		uint16_t head = q->avail_idx;
		uint8_t head_wrap = q->avail_wrap;

		advance(&q->avail_idx, &q->avail_wrap, 1);
		q->pdesc[q->avail_idx] = (struct vring_packed_desc){ .addr = f, .len = 60, .id = s,
			.flags = vring_packed_avail_flags(q->avail_wrap) };
		advance(&q->avail_idx, &q->avail_wrap, 1);
		q->pdesc[head] = (struct vring_packed_desc){ .addr = f, .len = 12, .id = s,
			.flags = (uint16_t)(VRING_DESC_F_NEXT | vring_packed_avail_flags(head_wrap)) };
	} else {
		q->pdesc[q->avail_idx] = (struct vring_packed_desc){ .addr = f, .len = 32, .id = s,
			.flags = (uint16_t)(VRING_DESC_F_INDIRECT | vring_packed_avail_flags(q->avail_wrap)) };
		advance(&q->avail_idx, &q->avail_wrap, 1);
	}
	return s;
}

/* tx: the next used slot reclaimed, or -1 */
static int drv_tx_reclaim(struct vnet_queue *q)
{
	int s;

	if (!q->packed) {
		if (q->used->idx == q->last_used)
			return -1;
		s = (int)(q->used->ring[q->last_used++ & q->mask].id / q->head_stride);
	} else {
		if (!vring_packed_is_used(q->pdesc[q->last_used].flags, q->used_wrap))
			return -1;
		s = q->pdesc[q->last_used].id;
		advance(&q->last_used, &q->used_wrap, q->head_stride);
	}
	q->free[q->nfree++] = (uint16_t)s;
	return s;
}

static int requeue(struct vnet_queue *q, bool rx)
{
	return q->packed ? vnet_packed_requeue(q, rx) : vnet_split_requeue(q, rx);
}

/* ---- the rules ---- */

/* rx: all N buffers posted (split: from free-running index `start`, near
 * the 16-bit wrap); the device uses 5, the driver takes 2 and posts them
 * again; reset. Then the driver takes the 3 the device used, in order
 * with their lengths, and the device uses the 5 it had not, in the order
 * they were posted: 5 6 7 0 1. */
static void rx_case(bool packed, uint16_t start)
{
	struct vnet_queue *q = queue_new(packed, true, 1);
	static const int after[] = { 5, 6, 7, 0, 1 };
	struct dev d;
	uint32_t bytes;

	dev_reset(&d);
	if (!packed) {
		q->last_used = q->avail_idx = start;
		q->avail->idx = start;
		d.avail = d.used = start;
		q->used->idx = start;
	}
	for (uint16_t i = 0; i < N; i++)
		drv_rx_post(q, i);
	for (int i = 0; i < 5; i++)
		assert_int_equal(dev_use(&d, q, 0, 100u + (uint32_t)i), i);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(drv_rx_take(q, &bytes), i);
		drv_rx_post(q, (uint16_t)i);
	}
	dev_reset(&d); /* the queue reset */
	assert_int_equal(requeue(q, true), 0);
	for (int i = 2; i < 5; i++) {
		assert_int_equal(drv_rx_take(q, &bytes), i);
		assert_int_equal(bytes, 100u + (uint32_t)i);
	}
	assert_int_equal(drv_rx_take(q, &bytes), -1);
	/* the driver posts the three again, after the five */
	for (uint16_t i = 2; i < 5; i++)
		drv_rx_post(q, i);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(dev_use(&d, q, 0, 200), after[i]);
		assert_int_equal(drv_rx_take(q, &bytes), after[i]);
		assert_int_equal(bytes, 200);
	}
	for (int i = 2; i < 5; i++)
		assert_int_equal(dev_use(&d, q, 0, 300), i);
	assert_int_equal(dev_use(&d, q, 0, 300), -1);
	queue_free(q);
}

static void split_rx_reposts_unused_buffers_in_order_and_keeps_used_ones(void **state)
{
	(void)state;
	rx_case(false, 0);
	rx_case(false, 65533);
}

static void packed_rx_reposts_unused_buffers_in_order_and_keeps_used_ones(void **state)
{
	(void)state;
	rx_case(true, 0);
}

/* tx: frames 1..4 posted, the device sends 2, the driver reclaims 1 and
 * posts frame 5; reset. Then every frame it had not sent goes out next,
 * in order (3 4 5), none twice; every slot is reclaimed once. */
static void tx_case(bool packed, uint16_t head_stride)
{
	struct vnet_queue *q = queue_new(packed, false, head_stride);
	uint16_t slot_of[6];
	struct dev d;

	dev_reset(&d);
	for (uint32_t f = 1; f <= 4; f++)
		slot_of[f] = drv_tx_post(q, f);
	assert_int_equal(dev_use(&d, q, 0, 0), packed ? slot_of[1] : slot_of[1] * head_stride);
	assert_int_equal(dev_use(&d, q, 0, 0), packed ? slot_of[2] : slot_of[2] * head_stride);
	assert_int_equal(drv_tx_reclaim(q), slot_of[1]);
	slot_of[5] = drv_tx_post(q, 5);
	dev_reset(&d);
	assert_int_equal(requeue(q, false), 0);
	for (uint32_t f = 3; f <= 5; f++) {
		uint16_t len;
		int id = dev_peek(&d, q, 0, &len);

		assert_int_equal(id, packed ? slot_of[f] : slot_of[f] * head_stride);
		/* the frame's own descriptors came along */
		if (packed)
			assert_int_equal(q->pdesc[d.avail].addr, f);
		else
			assert_int_equal(q->desc[id].addr, f);
		dev_use(&d, q, 0, 0);
	}
	assert_int_equal(dev_use(&d, q, 0, 0), -1);
	/* frame 2, sent before the reset, then 3 4 5: each slot once */
	for (uint32_t f = 2; f <= 5; f++)
		assert_int_equal(drv_tx_reclaim(q), slot_of[f]);
	assert_int_equal(drv_tx_reclaim(q), -1);
	assert_int_equal(q->nfree, q->slots);
	queue_free(q);
}

static void split_tx_sends_unsent_frames_in_order_once(void **state)
{
	(void)state;
	tx_case(false, 2);
	tx_case(false, 1);
}

static void packed_tx_sends_unsent_frames_in_order_once(void **state)
{
	(void)state;
	tx_case(true, 2);
	tx_case(true, 1);
}

/* A packed ring's used descriptor lands where the first chain still
 * available lay: a device that used a later buffer first wrote over one
 * still posted. The queue cannot be taken up again, and says why. */
static void packed_ring_used_out_of_order_is_refused(void **state)
{
	struct vnet_queue *q = queue_new(true, true, 1);
	struct dev d;

	(void)state;
	dev_reset(&d);
	for (uint16_t i = 0; i < N; i++)
		drv_rx_post(q, i);
	assert_int_equal(dev_use(&d, q, 2, 64), 2);
	dev_reset(&d);
	assert_int_equal(requeue(q, true), -EIO);
	assert_non_null(strstr(iop_err_msg(), "out of order"));
	queue_free(q);
}

/* tx waits for the device before a reset: drained once it used all. */
static void ring_is_drained_once_the_device_used_everything_posted(void **state)
{
	(void)state;
	for (int packed = 0; packed <= 1; packed++) {
		struct vnet_queue *q = queue_new(packed, false, 2);
		struct dev d;

		dev_reset(&d);
		assert_true(vnet_ring_drained(q));
		drv_tx_post(q, 1);
		drv_tx_post(q, 2);
		assert_false(vnet_ring_drained(q));
		dev_use(&d, q, 0, 0);
		assert_false(vnet_ring_drained(q));
		dev_use(&d, q, 0, 0);
		assert_true(vnet_ring_drained(q));
		queue_free(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_rx_reposts_unused_buffers_in_order_and_keeps_used_ones),
		cmocka_unit_test(packed_rx_reposts_unused_buffers_in_order_and_keeps_used_ones),
		cmocka_unit_test(split_tx_sends_unsent_frames_in_order_once),
		cmocka_unit_test(packed_tx_sends_unsent_frames_in_order_once),
		cmocka_unit_test(packed_ring_used_out_of_order_is_refused),
		cmocka_unit_test(ring_is_drained_once_the_device_used_everything_posted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
