/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include "l2_table.h"

int l2_table_init(struct l2_table *t, uint32_t entries, uint64_t max_age)
{
	if (entries < L2_PROBE || (entries & (entries - 1)))
		return -EINVAL;
	t->e = calloc(entries, sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	t->mask = entries - 1;
	t->max_age = max_age;
	return 0;
}

void l2_table_free(struct l2_table *t)
{
	free(t->e);
	t->e = NULL;
}

uint64_t l2_mac(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

/* the I/G bit: first octet's least significant bit */
static int is_group(uint64_t mac)
{
	return (mac >> 40) & 1;
}

static uint32_t slot_of(const struct l2_table *t, uint64_t mac)
{
	uint64_t h = mac * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & t->mask;
}

static int fresh(const struct l2_table *t, const struct l2_entry *e, uint64_t now)
{
	return now - e->seen <= t->max_age;
}

void l2_learn(struct l2_table *t, uint64_t src, uint16_t port, uint64_t now)
{
	uint32_t s = slot_of(t, src);
	struct l2_entry *victim = NULL;
	int victim_free = 0;

	if (src == 0 || is_group(src))
		return;
	/* the whole window: src may sit behind a slot aging emptied */
	for (uint32_t i = 0; i < L2_PROBE; i++) {
		struct l2_entry *e = &t->e[(s + i) & t->mask];

		if (e->mac == src) {
			e->port = port; /* a host that moved is learned again */
			e->seen = now;
			return;
		}
		if (e->mac == 0 || !fresh(t, e, now)) {
			if (!victim_free) {
				victim = e;
				victim_free = 1;
			}
		} else if (!victim_free && (!victim || e->seen < victim->seen)) {
			victim = e; /* the oldest, if the window is full */
		}
	}
	victim->mac = src;
	victim->port = port;
	victim->seen = now;
}

int l2_lookup(const struct l2_table *t, uint64_t dst, uint64_t now)
{
	uint32_t s = slot_of(t, dst);

	if (is_group(dst))
		return -1;
	for (uint32_t i = 0; i < L2_PROBE; i++) {
		const struct l2_entry *e = &t->e[(s + i) & t->mask];

		if (e->mac == dst)
			return fresh(t, e, now) ? e->port : -1;
	}
	return -1;
}

int l2_decide(struct l2_table *t, uint16_t in_port, uint64_t src, uint64_t dst, uint64_t now)
{
	int out;

	l2_learn(t, src, in_port, now);
	out = l2_lookup(t, dst, now);
	if (out < 0)
		return L2_FLOOD;
	return out == in_port ? L2_FILTER : out;
}

uint32_t l2_age(struct l2_table *t, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		if (t->e[i].mac && !fresh(t, &t->e[i], now)) {
			t->e[i].mac = 0;
			n++;
		}
	}
	return n;
}

uint32_t l2_count(const struct l2_table *t)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= t->mask; i++)
		n += t->e[i].mac != 0;
	return n;
}
