/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A queue taken up again after its reset (VIRTIO_F_RING_RESET, virtio 1.2
 * 2.6.1), for live moves (doc/move.md). A reset device has forgotten the
 * ring: it starts again at entry 0 of each side, wrap counters 1, and
 * remembers no buffer. The driver keeps everything it had:
 *
 * - buffers the device used and the bursts have not taken yet stay used:
 *   they are moved to the entries just before 0, where the driver's next
 *   used index now points, so the bursts find them first and then go on
 *   into what the device uses from entry 0 (received frames are delivered,
 *   in order; sent ones are reclaimed once);
 * - buffers still posted that the device never used are posted again, in
 *   the order they were posted, from entry 0 on (rx buffers wait for
 *   frames; tx frames go out in their order, none twice).
 *
 * Nothing is allocated, freed or posted anew, and no IOVA changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IOP_LOG_PREFIX "virtio: "
#include "iop_log.h"
#include "vnet.h"

/* What the driver has given the device and not taken back, by the name
 * the device gives it back under: every rx buffer (the ring is kept
 * full), or the tx slots in flight, slot s named s * per_slot (split: the
 * head descriptor; packed: the buffer id, per_slot 1). */
static void vnet_posted(const struct vnet_queue *q, bool rx, uint16_t per_slot, uint8_t *posted)
{
	if (rx) {
		memset(posted, 1, q->size);
		return;
	}
	memset(posted, 0, q->size);
	for (uint16_t s = 0; s < q->slots; s++)
		posted[s * per_slot] = 1;
	for (uint16_t i = 0; i < q->nfree; i++)
		posted[q->free[i] * per_slot] = 0;
}

static int vnet_requeue_nomem(const struct vnet_queue *q)
{
	return IOP_ERR(ENOMEM, "no memory to take virtio queue %u up again after its reset", q->qidx);
}

int vnet_split_requeue(struct vnet_queue *q, bool rx)
{
	uint16_t n = q->size, used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t pend = (uint16_t)(used - q->last_used), k = 0;
	uint8_t *posted = malloc(n);
	uint16_t *heads = malloc(sizeof(*heads) * n);
	struct vring_used_elem *kept = malloc(sizeof(*kept) * n);
	int rc = 0;

	if (!posted || !heads || !kept) {
		rc = vnet_requeue_nomem(q);
		goto out;
	}
	if (pend > n) {
		rc = IOP_ERR(EIO, "virtio queue %u: the device's used index %u is %u ahead of the driver's, more than the ring's %u entries",
			     q->qidx, used, pend, n);
		goto out;
	}
	vnet_posted(q, rx, q->head_stride, posted);
	for (uint16_t j = 0; j < pend; j++) {
		kept[j] = q->used->ring[(uint16_t)(q->last_used + j) & q->mask];
		posted[kept[j].id & q->mask] = 0;
	}
	/* the latest entry naming a head still posted is its posting; older
	 * ones name it from before it was last used */
	for (uint16_t j = 1; j <= n; j++) {
		uint16_t id = q->avail->ring[(uint16_t)(q->avail_idx - j) & q->mask];

		if (id < n && posted[id]) {
			heads[n - 1 - k++] = id;
			posted[id] = 0;
		}
	}
	memmove(heads, heads + n - k, sizeof(*heads) * k);
	/* a head whose entry was written over (a device that took it and
	 * never used it): posted again after the others */
	for (uint16_t id = 0; id < n; id++)
		if (posted[id])
			heads[k++] = id;
	for (uint16_t j = 0; j < pend; j++)
		q->used->ring[(uint16_t)(j - pend) & q->mask] = kept[j];
	q->used->flags = 0;
	__atomic_store_n(&q->used->idx, 0, __ATOMIC_RELAXED);
	q->last_used = (uint16_t)(0 - pend);
	for (uint16_t j = 0; j < k; j++)
		q->avail->ring[j] = heads[j];
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	q->avail_idx = k;
	__atomic_store_n(&q->avail->idx, k, __ATOMIC_RELEASE);
out:
	free(posted);
	free(heads);
	free(kept);
	return rc;
}

/* Ring positions from (pos, wrap) on to (to, to_wrap). */
static uint16_t vnet_packed_span(uint16_t pos, uint8_t wrap, uint16_t to, uint8_t to_wrap,
				 uint16_t size)
{
	return (uint16_t)(wrap == to_wrap ? to - pos : to + size - pos);
}

/* Takes buffer id off the posted ones; false when it was not posted, or
 * was taken already. */
static bool vnet_take_id(uint8_t *posted, uint16_t n, uint16_t id)
{
	if (id >= n || !posted[id])
		return false;
	posted[id] = 0;
	return true;
}

int vnet_packed_requeue(struct vnet_queue *q, bool rx)
{
	uint16_t n = q->size, stride = rx ? 1 : q->head_stride, pend = 0, k = 0, span;
	struct vring_packed_desc *kept = malloc(sizeof(*kept) * n);
	struct vring_packed_desc *chains = malloc(sizeof(*chains) * n);
	uint16_t owner = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;
	uint16_t pos = q->last_used;
	uint8_t wrap = q->used_wrap, *posted = malloc(n);
	bool whole = true;
	int rc = 0;

	if (!kept || !chains || !posted) {
		rc = vnet_requeue_nomem(q);
		goto out;
	}
	vnet_posted(q, rx, 1, posted);
	/* the used descriptors not taken yet: one per chain, at its start */
	while ((uint32_t)(pend + 1) * stride <= n &&
	       vring_packed_is_used(__atomic_load_n(&q->pdesc[pos].flags, __ATOMIC_ACQUIRE), wrap)) {
		kept[pend] = q->pdesc[pos];
		whole = whole && vnet_take_id(posted, n, kept[pend++].id);
		vnet_packed_advance(&pos, &wrap, stride, n);
	}
	/* then the chains still available, in the order they were made so */
	span = vnet_packed_span(pos, wrap, q->avail_idx, q->avail_wrap, n);
	if (pend * stride + span > n || span % stride) {
		rc = IOP_ERR(EIO, "virtio queue %u: %u used and %u available positions do not fit the ring's %u",
			     q->qidx, pend * stride, span, n);
		goto out;
	}
	for (uint16_t c = 0; c < span / stride; c++) {
		if ((q->pdesc[pos].flags & owner) != vring_packed_avail_flags(wrap))
			break;
		whole = whole && vnet_take_id(posted, n, q->pdesc[pos].id);
		for (uint16_t d = 0; d < stride; d++) {
			chains[k * stride + d] = q->pdesc[pos];
			chains[k * stride + d].flags &= (uint16_t)~owner;
			vnet_packed_advance(&pos, &wrap, 1, n);
		}
		k++;
	}
	/* every buffer posted found once: a device that used buffers out of
	 * order wrote its used descriptors over chains still posted, and
	 * those cannot be found again */
	for (uint16_t i = 0; i < n; i++)
		whole = whole && !posted[i];
	if (!whole) {
		rc = IOP_ERR(EIO, "virtio queue %u: the ring no longer holds every buffer posted once (the device used them out of order): the queue cannot be taken up again; stop the port and start it",
			     q->qidx);
		goto out;
	}
	/* the chains from 0 at wrap 1, the used ones at the end of the lap
	 * before (both bits 0: used at wrap 0), nothing in between */
	memset(q->pdesc, 0, sizeof(*q->pdesc) * n);
	for (uint16_t i = 0; i < k * stride; i++) {
		q->pdesc[i] = chains[i];
		q->pdesc[i].flags |= vring_packed_avail_flags(1);
	}
	for (uint16_t j = 0; j < pend; j++) {
		struct vring_packed_desc *d = &q->pdesc[n - (pend - j) * stride];

		*d = kept[j];
		d->flags = (uint16_t)(kept[j].flags & ~owner);
	}
	q->last_used = pend ? (uint16_t)(n - pend * stride) : 0;
	q->used_wrap = pend ? 0 : 1;
	q->avail_idx = (uint16_t)(k * stride % n);
	q->avail_wrap = k * stride == n ? 0 : 1;
	q->driver_event->off_wrap = 0;
	q->driver_event->flags = VRING_PACKED_EVENT_DISABLE;
	memset(q->device_event, 0, sizeof(*q->device_event));
out:
	free(kept);
	free(chains);
	free(posted);
	return rc;
}

bool vnet_ring_drained(const struct vnet_queue *q)
{
	uint16_t pos = q->last_used;
	uint8_t wrap = q->used_wrap;

	if (!q->packed)
		return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) == q->avail_idx;
	while (pos != q->avail_idx || wrap != q->avail_wrap) {
		if (!vring_packed_is_used(__atomic_load_n(&q->pdesc[pos].flags, __ATOMIC_ACQUIRE),
					  wrap))
			return false;
		vnet_packed_advance(&pos, &wrap, q->head_stride, q->size);
	}
	return true;
}
