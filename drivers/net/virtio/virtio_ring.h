/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_VIRTIO_RING_H
#define IOP_VIRTIO_RING_H

/*
 * The two virtqueue formats. Split (virtio 1.0 2.4; 1.2 2.7): a descriptor
 * table, the available ring the driver fills and the used ring the device
 * fills. Packed (VIRTIO_F_RING_PACKED, virtio 1.2 2.8): one ring of
 * descriptors both sides write, whose ownership a pair of flag bits and a
 * wrap counter per side tell. Every field is little-endian; this code runs
 * on x86 only, like the rest of the PMDs.
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

/* virtio 1.2 6: the packed format is a reserved feature bit */
#define VIRTIO_F_RING_PACKED 34

/* 1.2 2.8.1 "Driver and Device Ring Wrap Counters": available when AVAIL
 * equals the driver's wrap counter and USED does not; used when both equal
 * the device's wrap counter. */
#define VRING_PACKED_DESC_F_AVAIL (1u << 7)
#define VRING_PACKED_DESC_F_USED (1u << 15)

/* 1.2 2.8.10 "Driver and Device Event Suppression": flags values */
#define VRING_PACKED_EVENT_ENABLE 0
#define VRING_PACKED_EVENT_DISABLE 1

/* 1.2 2.8.13 "The Virtqueue Descriptor Format": struct pvirtq_desc. The
 * same layout fills indirect tables (2.8.7), where only WRITE counts. */
struct vring_packed_desc {
	uint64_t addr;  /* IOVA, in the device's IOAS; unused in a used descriptor */
	uint32_t len;
	uint16_t id;    /* buffer id; in a chain, of its last descriptor */
	uint16_t flags;
};
static_assert(sizeof(struct vring_packed_desc) == 16, "virtio 1.2 2.8.13: 16-byte descriptors");
static_assert(offsetof(struct vring_packed_desc, id) == 12, "virtio 1.2 2.8.13: id at byte 12");
static_assert(offsetof(struct vring_packed_desc, flags) == 14, "virtio 1.2 2.8.13: flags at byte 14");

/* 1.2 2.8.14 "Event Suppression Structure Format": struct
 * pvirtq_event_suppress, in the driver and the device areas */
struct vring_packed_event {
	uint16_t off_wrap; /* with VIRTIO_F_RING_EVENT_IDX only, which we do not use */
	uint16_t flags;
};
static_assert(sizeof(struct vring_packed_event) == 4, "virtio 1.2 2.8.14: 4-byte event suppression");

/* 1.2 2.8.10.1 "Structure Size and Alignment" */
#define VRING_PACKED_DESC_ALIGN 16
#define VRING_PACKED_EVENT_ALIGN 4

/* The flag bits that make a descriptor available at the driver's current
 * wrap counter (2.8.1: AVAIL = counter, USED = its inverse). */
static inline uint16_t vring_packed_avail_flags(int wrap)
{
	return (uint16_t)(wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED);
}

/* Whether the device has used a descriptor with these flags, for the
 * driver's used-side wrap counter (2.8.1: both bits equal to it). */
static inline int vring_packed_is_used(uint16_t flags, int wrap)
{
	uint16_t both = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;

	return (flags & both) == (wrap ? both : 0);
}

/* Byte offsets of a packed ring of n entries in one block: descriptors,
 * the driver area, and the device area (the one the device writes) on a
 * cache line of its own; the block is 4 KiB-aligned like the split one. */
static inline struct vring_layout vring_packed_layout(uint16_t n)
{
	struct vring_layout l;

	l.avail = sizeof(struct vring_packed_desc) * n;
	l.used = vring_align(l.avail + sizeof(struct vring_packed_event), 64);
	l.total = vring_align(l.used + sizeof(struct vring_packed_event), 4096);
	return l;
}

#endif /* IOP_VIRTIO_RING_H */
