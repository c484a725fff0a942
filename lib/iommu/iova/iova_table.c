/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-IOAS VA -> IOVA table: a two-level radix table at 2 MiB granularity
 * (SPDK's mem_map is the model) over a sorted list of the exact mappings.
 *
 * A page whose whole 2 MiB lies in one mapping is "full": its entry holds
 * the IOVA of the page start, so a lookup is two loads and an add, and the
 * per-queue caches may keep it. Any other page touched by a mapping is
 * "partial" and is resolved from the exact list under a read lock (slow, and
 * never cached). Lookups run lock-free against concurrent inserts; removes
 * bump the generation so that queue caches flush at their next burst.
 *
 * A "stale" mapping is one the IOMMU still maps although its unmap was
 * asked for and failed: it stays in the list (the table says what the
 * IOMMU maps) but translates to IOP_IOVA_POISON, as its memory may belong
 * to someone else by now.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iova_table.h"

#define PAGE_SHIFT IOP_IOVA_TABLE_PAGE_SHIFT
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define L2_BITS 9 /* 512 x 2 MiB = 1 GiB per second-level block */
#define L1_BITS 18 /* 2^18 x 1 GiB = 256 TiB: all of user VA on x86-64 */
#define L2_SIZE (1u << L2_BITS)
#define L1_SIZE (1u << L1_BITS)

#define ENTRY_FULL IOP_IOVA_TABLE_ENTRY_FULL /* entry = IOVA of the page | FULL */
#define ENTRY_PARTIAL 2ull /* look the address up in the exact list */

struct mapping {
	uintptr_t va;
	uint64_t iova;
	uint64_t len;
	bool stale;
};

struct iop_iova_table {
	/* generation first: the queue caches read it once per burst */
	uint64_t generation;
	uint64_t *l1[L1_SIZE];
	pthread_rwlock_t lock; /* writers, and partial-page readers */
	struct mapping *maps;  /* sorted by va, never overlapping */
	size_t nmaps, cap;
};

struct iop_iova_table *iop_iova_table_create(void)
{
	struct iop_iova_table *t = calloc(1, sizeof(*t));

	if (t)
		pthread_rwlock_init(&t->lock, NULL);
	return t;
}

void iop_iova_table_destroy(struct iop_iova_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < L1_SIZE; i++)
		free(t->l1[i]);
	free(t->maps);
	pthread_rwlock_destroy(&t->lock);
	free(t);
}

void iop_iova_table_bump(const struct iop_iova_table *t)
{
	/* the generation is the one field a const table lets readers watch
	 * change; bumping it changes no translation */
	__atomic_fetch_add((uint64_t *)&t->generation, 1, __ATOMIC_RELEASE);
}

const uint64_t *iop_iova_table_generation(const struct iop_iova_table *t)
{
	return &t->generation;
}

/* Index of the first mapping whose end is above va. */
static size_t first_ending_after(const struct iop_iova_table *t, uintptr_t va)
{
	size_t lo = 0, hi = t->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->maps[mid].va + t->maps[mid].len <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t *entry_slot(struct iop_iova_table *t, uintptr_t page, bool alloc)
{
	size_t i1 = (page >> (PAGE_SHIFT + L2_BITS)) & (L1_SIZE - 1);
	uint64_t *l2 = __atomic_load_n(&t->l1[i1], __ATOMIC_ACQUIRE);

	if (!l2 && alloc) {
		l2 = calloc(L2_SIZE, sizeof(*l2));
		if (l2)
			__atomic_store_n(&t->l1[i1], l2, __ATOMIC_RELEASE);
	}
	return l2 ? &l2[(page >> PAGE_SHIFT) & (L2_SIZE - 1)] : NULL;
}

/* What the entry of one page must say, given the exact list. */
static uint64_t page_entry(const struct iop_iova_table *t, uintptr_t page)
{
	size_t i = first_ending_after(t, page);
	const struct mapping *m = &t->maps[i];

	if (i == t->nmaps || m->va >= page + PAGE_SIZE)
		return 0;
	/* a page wholly in a stale mapping translates nowhere */
	if (m->stale && m->va <= page && m->va + m->len >= page + PAGE_SIZE)
		return 0;
	/* full only if the IOVA of the page start is itself page aligned,
	 * so the entry can carry flags in its low bits */
	if (!m->stale && m->va <= page && m->va + m->len >= page + PAGE_SIZE &&
	    !((m->iova + (page - m->va)) & (PAGE_SIZE - 1)))
		return (m->iova + (page - m->va)) | ENTRY_FULL;
	return ENTRY_PARTIAL;
}

static bool in_user_va(uintptr_t va, uint64_t len)
{
	return len && va + len > va &&
	       va + len <= ((uint64_t)L1_SIZE << (PAGE_SHIFT + L2_BITS));
}

/* Rewrites the entries of every page that [va, va+len) touches. Fails only
 * when a second level cannot be allocated and it was needed. */
static int refresh_pages(struct iop_iova_table *t, uintptr_t va, uint64_t len)
{
	uintptr_t first = va & ~(PAGE_SIZE - 1);

	for (uintptr_t page = first; page < va + len; page += PAGE_SIZE) {
		uint64_t e = page_entry(t, page);
		uint64_t *slot = entry_slot(t, page, e != 0);

		if (!slot) {
			if (e)
				return -ENOMEM;
			continue;
		}
		__atomic_store_n(slot, e, __ATOMIC_RELEASE);
	}
	return 0;
}

static int insert(struct iop_iova_table *t, uintptr_t va, uint64_t iova,
		  uint64_t len, bool stale)
{
	size_t i;
	int rc;

	if (!in_user_va(va, len) || len - 1 > IOP_IOVA_LAST_USABLE - iova)
		return -EINVAL;
	pthread_rwlock_wrlock(&t->lock);
	i = first_ending_after(t, va);
	if (i < t->nmaps && t->maps[i].va < va + len) {
		pthread_rwlock_unlock(&t->lock);
		return -EEXIST;
	}
	if (t->nmaps == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct mapping *m = realloc(t->maps, cap * sizeof(*m));

		if (!m) {
			pthread_rwlock_unlock(&t->lock);
			return -ENOMEM;
		}
		t->maps = m;
		t->cap = cap;
	}
	memmove(&t->maps[i + 1], &t->maps[i], (t->nmaps - i) * sizeof(*t->maps));
	t->maps[i] = (struct mapping){ .va = va, .iova = iova, .len = len, .stale = stale };
	t->nmaps++;
	rc = refresh_pages(t, va, len);
	if (rc) {
		/* undo: drop the mapping and restore what the pages said */
		memmove(&t->maps[i], &t->maps[i + 1], (t->nmaps - i - 1) * sizeof(*t->maps));
		t->nmaps--;
		refresh_pages(t, va, len);
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

int iop_iova_table_insert(struct iop_iova_table *t, uintptr_t va, uint64_t iova,
			  uint64_t len)
{
	return insert(t, va, iova, len, false);
}

int iop_iova_table_insert_stale(struct iop_iova_table *t, uintptr_t va,
				uint64_t iova, uint64_t len)
{
	return insert(t, va, iova, len, true);
}

void iop_iova_table_remove(struct iop_iova_table *t, uintptr_t va, uint64_t len)
{
	if (!in_user_va(va, len))
		return;
	pthread_rwlock_wrlock(&t->lock);
	for (size_t i = first_ending_after(t, va); i < t->nmaps && t->maps[i].va < va + len;) {
		if (t->maps[i].va >= va && t->maps[i].va + t->maps[i].len <= va + len) {
			memmove(&t->maps[i], &t->maps[i + 1],
				(t->nmaps - i - 1) * sizeof(*t->maps));
			t->nmaps--;
		} else {
			i++;
		}
	}
	/* entries shrink only (clearing needs no allocation) */
	refresh_pages(t, va, len);
	__atomic_fetch_add(&t->generation, 1, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&t->lock);
}

uint64_t iop_iova_table_page(const struct iop_iova_table *t, uintptr_t va)
{
	size_t i1 = (va >> (PAGE_SHIFT + L2_BITS)) & (L1_SIZE - 1);
	const uint64_t *l2;

	if (va >> (PAGE_SHIFT + L2_BITS + L1_BITS))
		return 0;
	l2 = __atomic_load_n(&t->l1[i1], __ATOMIC_ACQUIRE);
	return l2 ? __atomic_load_n(&l2[(va >> PAGE_SHIFT) & (L2_SIZE - 1)], __ATOMIC_ACQUIRE) : 0;
}

uint64_t iop_iova_table_lookup(const struct iop_iova_table *t, uintptr_t va)
{
	uint64_t e = iop_iova_table_page(t, va);
	uint64_t iova = IOP_IOVA_POISON;

	if (e & ENTRY_FULL)
		return (e & ~(PAGE_SIZE - 1)) + (va & (PAGE_SIZE - 1));
	if (!(e & ENTRY_PARTIAL))
		return IOP_IOVA_POISON;
	pthread_rwlock_rdlock((pthread_rwlock_t *)&t->lock);
	size_t i = first_ending_after(t, va);
	if (i < t->nmaps && t->maps[i].va <= va && !t->maps[i].stale)
		iova = t->maps[i].iova + (va - t->maps[i].va);
	pthread_rwlock_unlock((pthread_rwlock_t *)&t->lock);
	return iova;
}

bool iop_iova_table_run(const struct iop_iova_table *t, uintptr_t va, uint64_t len,
			uint64_t *delta)
{
	bool whole = false;

	if (!in_user_va(va, len))
		return false;
	pthread_rwlock_rdlock((pthread_rwlock_t *)&t->lock);
	size_t i = first_ending_after(t, va);
	if (i < t->nmaps && t->maps[i].va <= va && !t->maps[i].stale) {
		*delta = t->maps[i].iova - t->maps[i].va;
		/* extend through the mappings that continue the first one */
		while (t->maps[i].va + t->maps[i].len < va + len && i + 1 < t->nmaps &&
		       !t->maps[i + 1].stale &&
		       t->maps[i + 1].va == t->maps[i].va + t->maps[i].len &&
		       t->maps[i + 1].iova - t->maps[i + 1].va == *delta)
			i++;
		whole = t->maps[i].va + t->maps[i].len >= va + len;
	}
	pthread_rwlock_unlock((pthread_rwlock_t *)&t->lock);
	return whole;
}

size_t iop_iova_table_list(const struct iop_iova_table *t,
			   struct iop_iova_table_mapping *out, size_t max)
{
	size_t n;

	pthread_rwlock_rdlock((pthread_rwlock_t *)&t->lock);
	n = t->nmaps;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct iop_iova_table_mapping){ .va = t->maps[i].va,
			.iova = t->maps[i].iova, .len = t->maps[i].len,
			.stale = t->maps[i].stale };
	pthread_rwlock_unlock((pthread_rwlock_t *)&t->lock);
	return n;
}
