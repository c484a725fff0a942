/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_RING_H
#define IOP_VIRTIO_RING_H

/*
 * Split virtqueues (virtio 1.0, 2.4): a descriptor table, the available
 * ring the driver fills and the used ring the device fills. Every field is
 * little-endian; this code runs on x86 only, like the rest of the PMDs.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
/* 2.4.5.3: addr/len is a table of descriptors (VIRTIO_F_INDIRECT_DESC) */
#define VRING_DESC_F_INDIRECT 4
/* 2.4.7: we poll, so the device need not interrupt */
#define VRING_AVAIL_F_NO_INTERRUPT 1
/* 2.4.8: set by the device when it does not want kicks */
#define VRING_USED_F_NO_NOTIFY 1

/* 2.4.5 */
struct vring_desc {
	uint64_t addr;  /* IOVA, in the device's IOAS */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
static_assert(sizeof(struct vring_desc) == 16, "virtio 1.0 2.4.5: 16-byte descriptors");

/* 2.4.6 */
struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
static_assert(offsetof(struct vring_avail, ring) == 4, "virtio 1.0 2.4.6");

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};
static_assert(sizeof(struct vring_used_elem) == 8, "virtio 1.0 2.4.8");

/* 2.4.8 */
struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};
static_assert(offsetof(struct vring_used, ring) == 4, "virtio 1.0 2.4.8");

/* Alignments of the three parts (2.4, table "Virtqueue Part Alignment"). */
#define VRING_DESC_ALIGN 16
#define VRING_AVAIL_ALIGN 2
#define VRING_USED_ALIGN 4

static inline size_t vring_align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Byte offsets of the parts of a ring of n entries laid out in one block:
 * descriptors, then avail (with used_event), then used (with avail_event)
 * on a 4 KiB boundary so it never shares a cache line with the avail ring. */
struct vring_layout {
	size_t avail, used, total;
};

static inline struct vring_layout vring_layout(uint16_t n)
{
	struct vring_layout l;

	l.avail = sizeof(struct vring_desc) * n;
	l.used = vring_align(l.avail + 4 + 2u * n + 2, 4096);
	l.total = vring_align(l.used + 4 + sizeof(struct vring_used_elem) * n + 2, 4096);
	return l;
}

/*
 * tx: each frame goes out as two descriptors, the shared virtio-net header
 * and the frame. Directly in the ring that takes two of its n entries, so
 * only n/2 frames fit; with indirect descriptors (2.4.5.3) the ring entry
 * points to a two-entry table of the frame's own, so all n fit. Slot s
 * (one frame in flight) has its head at ring entry s * head_stride and its
 * two descriptors at entries 2s and 2s+1 of the table they live in (the
 * ring itself, or the array of per-slot indirect tables).
 */
struct vring_tx_layout {
	uint16_t slots;       /* frames in flight at most */
	uint16_t head_stride; /* ring entries per slot */
};

static inline struct vring_tx_layout vring_tx_layout(uint16_t n, int indirect)
{
	struct vring_tx_layout t;

	t.head_stride = indirect ? 1 : 2;
	t.slots = (uint16_t)(n / t.head_stride);
	return t;
}

/* Free-running 16-bit indexes (2.4.6, 2.4.8): entries between a and b,
 * correct across the wrap at 65536. */
static inline uint16_t vring_pending(uint16_t from, uint16_t to)
{
	return (uint16_t)(to - from);
}

#endif /* IOP_VIRTIO_RING_H */
