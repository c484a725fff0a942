/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rx/tx buffer helpers every PCI PMD's burst uses (pci_pmd_ring.h), on
 * DPDK memory mapped by lib/mem into a sim IOAS whose window starts at
 * 2^59: bulk refill from a pool that runs dry, the rearm template, the
 * IOVAs posted (checked against the IOAS's own translation,
 * iop_ioas_va2iova), and the run, which serves only the pool it covers.
 */
/* rte_pktmbuf_pool_create_extbuf() is experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "iop_iommu.h"
#include "iop_iova_cache.h"
#include "iop_log.h"
#include "iop_mem.h"
#include "pci_pmd_ring.h"
#include "port_driver.h"
#include "port_fixture.h"

#define POOL_MBUFS 64
#define PORT_ID 7
#define OFF (RTE_PKTMBUF_HEADROOM - 12) /* virtio's: the header before the frame */

static const char *topology;
static struct rte_mempool *pool, *other;
static struct iop_ioas *ioas;

static uint64_t truth(const void *va)
{
	uint64_t iova;

	assert_int_equal(iop_ioas_va2iova(ioas, va, &iova), 0);
	return iova;
}

static void rearmed(const struct rte_mbuf *m)
{
	assert_int_equal(m->data_off, RTE_PKTMBUF_HEADROOM);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->port, PORT_ID);
	assert_int_equal(m->ol_flags, 0);
	assert_int_equal(m->packet_type, 0);
	assert_null(m->next);
}

static void bulk_refill_from_a_pool_that_runs_dry_posts_what_it_got_and_counts_the_rest(void **state)
{
	struct rte_mbuf *held[POOL_MBUFS], *m[IOP_PCI_RX_CHUNK];
	uint64_t iova[IOP_PCI_RX_CHUNK];
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0, got, left;
	struct iop_pci_rx_refill r;

	(void)state;
	assert_int_equal(iop_pci_rx_refill_init(&r, pool, PORT_ID, OFF, "test"), 0);
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	b = iop_iova_cache_burst(&c);
	/* leave 10 buffers in the pool */
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, held, POOL_MBUFS - 10), 0);
	/* a dirty buffer, as an app frees it: offload flags, a moved data_off */
	held[0]->ol_flags = RTE_MBUF_F_TX_IP_CKSUM;
	held[0]->data_off = 3;
	held[0]->packet_type = 1;
	rte_pktmbuf_free(held[0]);
	left = 11;

	got = iop_pci_rx_alloc(&r, &b, &cnt, 16, &looked, m, iova);
	assert_int_equal(got, left);
	assert_int_equal(cnt.rx_nombuf, 16 - left);
	assert_int_equal(cnt.rx_unmapped, 0);
	assert_int_equal(looked, left);
	/* the IOVA of buf_addr + OFF, though the refill never read buf_addr */
	for (unsigned int i = 0; i < got; i++) {
		rearmed(m[i]);
		assert_int_equal(iova[i], truth((uint8_t *)m[i]->buf_addr + OFF));
		assert_true(iova[i] >= (1ull << 59));
	}
	/* dry: nothing, every buffer asked for counted */
	assert_int_equal(iop_pci_rx_alloc(&r, &b, &cnt, 8, &looked, &m[got], iova), 0);
	assert_int_equal(cnt.rx_nombuf, 16 - left + 8);
	/* a full chunk when the pool has it, in one get */
	rte_pktmbuf_free_bulk(m, got);
	rte_pktmbuf_free_bulk(&held[1], POOL_MBUFS - 11);
	cnt.rx_nombuf = 0;
	assert_int_equal(iop_pci_rx_alloc(&r, &b, &cnt, IOP_PCI_RX_CHUNK, &looked, m, iova),
			 IOP_PCI_RX_CHUNK);
	assert_int_equal(cnt.rx_nombuf, 0);
	for (unsigned int i = 0; i < IOP_PCI_RX_CHUNK; i++) {
		rearmed(m[i]);
		assert_int_equal(iova[i], truth((uint8_t *)m[i]->buf_addr + OFF));
	}
	rte_pktmbuf_free_bulk(m, IOP_PCI_RX_CHUNK);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void the_run_serves_its_pool_and_refuses_a_buffer_outside_it(void **state)
{
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	struct rte_mbuf *in, *out;
	unsigned int looked = 0;
	uint64_t iova;

	(void)state;
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	assert_true(c.run_len > 0);
	b = iop_iova_cache_burst(&c);
	in = rte_pktmbuf_alloc(pool);
	out = rte_pktmbuf_alloc(other);
	assert_non_null(in);
	assert_non_null(out);
	rte_pktmbuf_append(in, 60);
	rte_pktmbuf_append(out, 60);
	/* inside: from the run, no table lookup */
	iova = iop_pci_tx_iova(&b, &cnt, in, 1514, &looked);
	assert_int_equal(iova, truth(rte_pktmbuf_mtod(in, void *)));
	assert_int_equal(c.misses, 0);
	/* another pool, outside the run: the run does not answer, the entries
	 * and the table do (one miss), with the right IOVA */
	assert_true((uintptr_t)out->buf_addr - b.run_va >= b.run_len);
	iova = iop_pci_tx_iova(&b, &cnt, out, 1514, &looked);
	assert_int_equal(iova, truth(rte_pktmbuf_mtod(out, void *)));
	assert_int_equal(c.misses, 1);
	assert_int_equal(looked, 2);
	assert_int_equal(cnt.drops[IOP_DROP_TX_UNMAPPED], 0);
	rte_pktmbuf_free(in);
	rte_pktmbuf_free(out);
}

static void free_ext(void *addr, void *opaque)
{
	(void)opaque;
	free(addr);
}

/* An app's 60-byte frame in plain malloc memory, which lib/mem never maps. */
static struct rte_mbuf *frame_in_unmapped_memory(void)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	uint16_t len = 2048;
	struct rte_mbuf *m;
	void *buf = malloc(len);

	assert_non_null(buf);
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(buf, &len, free_ext, NULL);
	assert_non_null(shinfo);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	rte_pktmbuf_attach_extbuf(m, buf, 0, len, shinfo);
	rte_pktmbuf_append(m, 60);
	return m;
}

static void tx_of_a_frame_in_unmapped_memory_is_dropped_and_counted(void **state)
{
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0;
	struct rte_mbuf *m;

	(void)state;
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	b = iop_iova_cache_burst(&c);
	m = frame_in_unmapped_memory();
	assert_int_equal(iop_pci_tx_iova(&b, &cnt, m, 1514, &looked), IOP_IOVA_POISON);
	assert_int_equal(cnt.drops[IOP_DROP_TX_UNMAPPED], 1);
	assert_int_equal(c.poison, 1);
	/* freed by the helper: the pool has all its buffers again */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void tx_run_follows_the_pool_of_the_first_frame_once(void **state)
{
	struct iop_iova_cache c;
	struct rte_mempool *run_pool = NULL;
	struct rte_mbuf *a = rte_pktmbuf_alloc(pool), *o = rte_pktmbuf_alloc(other);
	void *va;
	size_t len;

	(void)state;
	iop_iova_cache_init(&c, ioas);
	assert_int_equal(c.run_len, 0);
	iop_pci_tx_run_follow(&c, &run_pool, a);
	assert_ptr_equal(run_pool, pool);
	assert_int_equal(iop_mem_pool_span(pool, &va, &len), 0);
	assert_int_equal(c.run_va, (uintptr_t)va);
	assert_int_equal(c.run_len, len);
	/* a frame of another pool later does not move the run */
	iop_pci_tx_run_follow(&c, &run_pool, o);
	assert_ptr_equal(run_pool, pool);
	assert_int_equal(c.run_va, (uintptr_t)va);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(o);
}

static void refill_finds_the_buffer_after_a_private_area(void **state)
{
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m[8];
	uint64_t iova[8];
	struct iop_pci_rx_refill r;
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0;

	(void)state;
	assert_int_equal(rte_pktmbuf_priv_size(other), 64);
	assert_int_equal(iop_pci_rx_refill_init(&r, other, PORT_ID, OFF, "test"), 0);
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, other);
	b = iop_iova_cache_burst(&c);
	assert_int_equal(iop_pci_rx_alloc(&r, &b, &cnt, 8, &looked, m, iova), 8);
	for (unsigned int i = 0; i < 8; i++) {
		rearmed(m[i]);
		assert_int_equal(iova[i], truth((uint8_t *)m[i]->buf_addr + OFF));
	}
	rte_pktmbuf_free_bulk(m, 8);
}

/* Completed tx frames go back as rte_pktmbuf_free() would give them back. */
static void tx_free_gives_each_mbuf_back_to_its_pool_as_rte_pktmbuf_free_does(void **state)
{
	/* sized as a PMD's: gcc 12 warns inside rte_memcpy about the copy of
	 * an 8-entry array that rte_mempool_put_bulk() never makes */
	struct rte_mbuf *done[IOP_PCI_RX_CHUNK], *shared, *ind, *head, *seg;
	unsigned int pool_before = rte_mempool_avail_count(pool);
	unsigned int other_before = rte_mempool_avail_count(other);

	(void)state;
	/* pools interleaved: a, b, a, a, b */
	for (int i = 0; i < 5; i++) {
		done[i] = rte_pktmbuf_alloc(i == 1 || i == 4 ? other : pool);
		assert_non_null(done[i]);
	}
	/* a frame the app still holds a reference to */
	shared = rte_pktmbuf_alloc(pool);
	assert_non_null(shared);
	rte_mbuf_refcnt_update(shared, 1);
	done[5] = shared;
	/* an indirect mbuf of `other` attached to a buffer of `pool` */
	head = rte_pktmbuf_alloc(pool);
	ind = rte_pktmbuf_alloc(other);
	assert_non_null(head);
	assert_non_null(ind);
	rte_pktmbuf_attach(ind, head);
	done[6] = ind;
	/* a chain of two segments */
	done[7] = rte_pktmbuf_alloc(pool);
	seg = rte_pktmbuf_alloc(other);
	assert_non_null(done[7]);
	assert_non_null(seg);
	assert_int_equal(rte_pktmbuf_chain(done[7], seg), 0);
	iop_pci_tx_free(done, 8);
	/* shared: one reference gone, still ours to free */
	assert_int_equal(rte_mbuf_refcnt_read(shared), 1);
	/* the indirect one went back detached: head's reference is released */
	assert_int_equal(rte_mbuf_refcnt_read(head), 1);
	rte_pktmbuf_free(shared);
	rte_pktmbuf_free(head);
	assert_int_equal(rte_mempool_avail_count(pool), pool_before);
	assert_int_equal(rte_mempool_avail_count(other), other_before);
}

/* Buffers of such a pool are not at the mbuf's address plus its header. */
static void a_pool_of_pinned_external_buffers_is_refused_by_name(void **state)
{
	struct rte_pktmbuf_extmem ext = { .elt_size = RTE_MBUF_DEFAULT_BUF_SIZE };
	struct iop_pci_rx_refill r;
	struct rte_mempool *xp;

	(void)state;
	ext.buf_len = 64 * RTE_MBUF_DEFAULT_BUF_SIZE;
	ext.buf_ptr = rte_malloc(NULL, ext.buf_len, 4096);
	assert_non_null(ext.buf_ptr);
	ext.buf_iova = rte_malloc_virt2iova(ext.buf_ptr);
	xp = rte_pktmbuf_pool_create_extbuf("pmd_ring_ext", 32, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY, &ext, 1);
	assert_non_null(xp);
	assert_int_equal(iop_pci_rx_refill_init(&r, xp, PORT_ID, OFF, "virtio"), -EINVAL);
	assert_non_null(strstr(iop_err_msg(), "pinned external buffers"));
	assert_non_null(strstr(iop_err_msg(), "rte_pktmbuf_pool_create()"));
	rte_mempool_free(xp);
	rte_free(ext.buf_ptr);
}

/* n fresh buffers of the pool, each holding len bytes of a frame whose
 * byte i is (uint8_t)(i * 7 + 3), starting at byte `from`, as a device
 * fills the buffers of its descriptors in turn */
static void device_fills(struct rte_mbuf **m, unsigned int n, uint16_t len, uint32_t from)
{
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, m, n), 0);
	for (unsigned int k = 0; k < n; k++) {
		uint8_t *p = rte_pktmbuf_mtod(m[k], uint8_t *);

		for (uint16_t i = 0; i < len; i++)
			p[i] = (uint8_t)((from + k * len + i) * 7 + 3);
	}
}

static void frame_bytes_are(const struct rte_mbuf *f, uint32_t len)
{
	uint8_t *copy = malloc(len);
	const uint8_t *p;

	assert_non_null(copy);
	p = rte_pktmbuf_read(f, 0, len, copy);
	assert_non_null(p);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(p[i], (uint8_t)(i * 7 + 3));
	free(copy);
}

static void rx_chain_puts_a_frame_over_five_descriptors_together_in_order(void **state)
{
	struct iop_pci_rx_chain c = { 0 };
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m[5], *f, *s;

	(void)state;
	/* 9014 bytes in 2048-byte buffers: 4 full ones and 822 with EOP */
	device_fills(m, 4, 2048, 0);
	device_fills(&m[4], 1, 822, 4 * 2048);
	for (int k = 0; k < 4; k++)
		iop_pci_rx_chain_add(&c, m[k], 2048, 9022);
	assert_int_equal(cnt.packets, 0);
	f = iop_pci_rx_chain_end(&c, m[4], 822, false, true, 9022, &cnt);
	assert_ptr_equal(f, m[0]);
	assert_null(c.head);
	assert_int_equal(f->nb_segs, 5);
	assert_int_equal(f->pkt_len, 9014);
	s = f;
	for (int k = 0; k < 5; k++, s = s->next) {
		assert_ptr_equal(s, m[k]);
		assert_int_equal(s->data_len, k < 4 ? 2048 : 822);
	}
	assert_null(s);
	frame_bytes_are(f, 9014);
	assert_int_equal(cnt.packets, 1);
	assert_int_equal(cnt.bytes, 9014);
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 0);
	assert_int_equal(rte_mbuf_check(f, 1, NULL), 0);
	rte_pktmbuf_free(f);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void rx_chain_cut_by_an_error_is_one_counted_drop_and_every_buffer_goes_back(void **state)
{
	struct iop_pci_rx_chain c = { 0 };
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m[3], *f;

	(void)state;
	device_fills(m, 3, 2048, 0);
	iop_pci_rx_chain_add(&c, m[0], 2048, 9022);
	iop_pci_rx_chain_add(&c, m[1], 2048, 9022);
	assert_null(iop_pci_rx_chain_end(&c, m[2], 100, true, true, 9022, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	assert_int_equal(cnt.packets, 0);
	assert_null(c.head);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
	/* the next frame, in one buffer, is whole and alone */
	device_fills(m, 1, 60, 0);
	f = iop_pci_rx_chain_end(&c, m[0], 60, false, true, 9022, &cnt);
	assert_ptr_equal(f, m[0]);
	assert_int_equal(f->nb_segs, 1);
	assert_int_equal(f->pkt_len, 60);
	assert_null(f->next);
	assert_int_equal(cnt.packets, 1);
	rte_pktmbuf_free(f);
}

static void rx_chain_over_the_mtu_is_cut_as_it_grows_and_counts_once_at_its_end(void **state)
{
	struct iop_pci_rx_chain c = { 0 };
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m[5];

	(void)state;
	/* a 9014-byte frame on a queue whose MTU frame is 5018 bytes: the
	 * third buffer passes it, and from then on buffers go straight back */
	device_fills(m, 5, 2048, 0);
	iop_pci_rx_chain_add(&c, m[0], 2048, 5018);
	iop_pci_rx_chain_add(&c, m[1], 2048, 5018);
	assert_false(c.cut);
	iop_pci_rx_chain_add(&c, m[2], 2048, 5018);
	assert_true(c.cut);
	assert_null(c.head);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS - 2);
	iop_pci_rx_chain_add(&c, m[3], 2048, 5018);
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 0);
	assert_null(iop_pci_rx_chain_end(&c, m[4], 822, false, true, 5018, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	assert_int_equal(cnt.packets, 0);
	assert_false(c.cut);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
	/* a single buffer over the MTU frame is dropped the same way */
	device_fills(m, 1, 1600, 0);
	assert_null(iop_pci_rx_chain_end(&c, m[0], 1600, false, true, 1518, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 2);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void rx_chain_is_dropped_where_the_queue_takes_no_scatter(void **state)
{
	struct iop_pci_rx_chain c = { 0 };
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m[2];

	(void)state;
	device_fills(m, 2, 2048, 0);
	iop_pci_rx_chain_add(&c, m[0], 2048, 9022);
	assert_null(iop_pci_rx_chain_end(&c, m[1], 952, false, false, 9022, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	assert_int_equal(cnt.packets, 0);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void rx_chain_of_a_stopping_port_goes_back_to_the_pool(void **state)
{
	struct iop_pci_rx_chain c = { 0 };
	struct rte_mbuf *m[2];

	(void)state;
	device_fills(m, 2, 2048, 0);
	iop_pci_rx_chain_add(&c, m[0], 2048, 9022);
	iop_pci_rx_chain_add(&c, m[1], 2048, 9022);
	iop_pci_rx_chain_reset(&c);
	assert_null(c.head);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

/* a chain of the given segment lengths, bytes numbered across segments */
static struct rte_mbuf *chain_of(const uint16_t *len, unsigned int n)
{
	struct rte_mbuf *head = NULL;

	for (unsigned int k = 0; k < n; k++) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(pool);

		assert_non_null(s);
		assert_non_null(rte_pktmbuf_append(s, len[k]) || len[k] == 0);
		if (head)
			assert_int_equal(rte_pktmbuf_chain(head, s), 0);
		else
			head = s;
	}
	return head;
}

static void tx_segs_gives_each_segment_with_data_its_iova_and_length(void **state)
{
	static const uint16_t lens[4] = { 1000, 0, 2048, 14 };
	struct iop_port_qcounters cnt = { 0 };
	struct rte_mbuf *m = chain_of(lens, 4), *s;
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0;
	uint64_t iova[8];
	uint16_t len[8];

	(void)state;
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	b = iop_iova_cache_burst(&c);
	/* the empty second segment gets no descriptor */
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, m, 9230, 8, &looked, iova, len), 3);
	assert_int_equal(looked, 3);
	assert_int_equal(len[0], 1000);
	assert_int_equal(len[1], 2048);
	assert_int_equal(len[2], 14);
	s = m;
	assert_int_equal(iova[0], truth(rte_pktmbuf_mtod(s, void *)));
	s = s->next->next;
	assert_int_equal(iova[1], truth(rte_pktmbuf_mtod(s, void *)));
	assert_int_equal(iova[2], truth(rte_pktmbuf_mtod(s->next, void *)));
	assert_int_equal(cnt.drops[IOP_DROP_TX_OVERSIZE] + cnt.drops[IOP_DROP_TX_UNMAPPED], 0);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void tx_segs_drops_a_chain_over_the_mtu_or_of_too_many_segments(void **state)
{
	static const uint16_t lens[5] = { 2048, 2048, 2048, 2048, 1000 };
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0;
	uint64_t iova[8];
	uint16_t len[8];

	(void)state;
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	b = iop_iova_cache_burst(&c);
	/* 9192 bytes: one over a 9191-byte frame, fits 9192 */
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, chain_of(lens, 5), 9191, 8, &looked, iova, len),
			 0);
	assert_int_equal(cnt.drops[IOP_DROP_TX_OVERSIZE], 1);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
	/* five segments where four may go */
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, chain_of(lens, 5), 9230, 4, &looked, iova, len),
			 0);
	assert_int_equal(cnt.drops[IOP_DROP_TX_OVERSIZE], 2);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
	assert_int_equal(cnt.packets, 0);
}

static void tx_segs_drops_a_chain_with_one_segment_in_unmapped_memory(void **state)
{
	static const uint16_t lens[2] = { 100, 100 };
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache c;
	struct iop_iova_burst b;
	unsigned int looked = 0;
	struct rte_mbuf *m = chain_of(lens, 2);
	uint64_t iova[8];
	uint16_t len[8];

	(void)state;
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	b = iop_iova_cache_burst(&c);
	assert_int_equal(rte_pktmbuf_chain(m, frame_in_unmapped_memory()), 0);
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, m, 9230, 8, &looked, iova, len), 0);
	assert_int_equal(cnt.drops[IOP_DROP_TX_UNMAPPED], 1);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

static void the_mtu_lets_four_bytes_more_through_for_a_tag_in_the_frame(void **state)
{
	static const uint16_t lens[2] = { 1000, 518 };
	struct iop_pci_rx_chain c = { 0 };
	struct iop_port_qcounters cnt = { 0 };
	struct iop_iova_cache ic;
	struct iop_iova_burst b;
	unsigned int looked = 0;
	struct rte_mbuf *m[1], *f;
	uint64_t iova[8];
	uint16_t len[8];
	uint8_t *p;

	(void)state;
	iop_iova_cache_init(&ic, ioas);
	iop_pci_cache_run_pool(&ic, pool);
	b = iop_iova_cache_burst(&ic);
	/* MTU 1500: 1514 bytes untagged, 1518 tagged (802.1Q in its bytes) */
	device_fills(m, 1, 1515, 0);
	assert_null(iop_pci_rx_chain_end(&c, m[0], 1515, false, true, 1514, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 1);
	device_fills(m, 1, 1518, 0);
	p = rte_pktmbuf_mtod(m[0], uint8_t *);
	p[12] = 0x81;
	p[13] = 0x00;
	f = iop_pci_rx_chain_end(&c, m[0], 1518, false, true, 1514, &cnt);
	assert_ptr_equal(f, m[0]);
	rte_pktmbuf_free(f);
	device_fills(m, 1, 1519, 0);
	p = rte_pktmbuf_mtod(m[0], uint8_t *);
	p[12] = 0x81;
	p[13] = 0x00;
	assert_null(iop_pci_rx_chain_end(&c, m[0], 1519, false, true, 1514, &cnt));
	assert_int_equal(cnt.drops[IOP_DROP_RX_OVERSIZE], 2);
	/* tx: the same rule on a chain of 1518 bytes */
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, chain_of(lens, 2), 1514, 8, &looked, iova, len),
			 0);
	assert_int_equal(cnt.drops[IOP_DROP_TX_OVERSIZE], 1);
	f = chain_of(lens, 2);
	p = rte_pktmbuf_mtod(f, uint8_t *);
	p[12] = 0x81;
	p[13] = 0x00;
	assert_int_equal(iop_pci_tx_segs(&b, &cnt, f, 1514, 8, &looked, iova, len), 2);
	rte_pktmbuf_free(f);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

/* A device's write-back, for the ring helpers: one status byte a slot. */
struct test_desc {
	uint64_t addr;
	uint8_t dd;
};

static bool test_done(const volatile void *ring, uint16_t slot)
{
	return ((const volatile struct test_desc *)ring)[slot].dd;
}

static void tx_reclaim_frees_the_groups_the_device_finished_and_a_stop_frees_the_rest(void **state)
{
	struct test_desc ring[64] = { 0 };
	struct rte_mbuf *sw[64] = { NULL };
	unsigned int before = rte_mempool_avail_count(pool);
	uint16_t clean = 0, next = 40;

	(void)state;
	/* 40 slots posted; slot 5 is a context descriptor (no mbuf) */
	for (uint16_t i = 0; i < next; i++)
		if (i != 5)
			assert_non_null(sw[i] = rte_pktmbuf_alloc(pool));
	assert_int_equal(rte_mempool_avail_count(pool), before - 39);
	/* nothing reported: nothing freed */
	iop_pci_tx_reclaim(sw, &clean, next, 63, 32, test_done, ring);
	assert_int_equal(clean, 0);
	assert_int_equal(rte_mempool_avail_count(pool), before - 39);
	/* the device reports the first group's last slot: its 31 mbufs go back */
	ring[31].dd = 1;
	iop_pci_tx_reclaim(sw, &clean, next, 63, 32, test_done, ring);
	assert_int_equal(clean, 32);
	assert_int_equal(rte_mempool_avail_count(pool), before - 8);
	/* the second group is not all posted: it stays, even reported */
	ring[39].dd = 1;
	ring[63].dd = 1;
	iop_pci_tx_reclaim(sw, &clean, next, 63, 32, test_done, ring);
	assert_int_equal(clean, 32);
	assert_int_equal(rte_mempool_avail_count(pool), before - 8);
	/* a stop frees what is posted and not reclaimed, and only that */
	iop_pci_tx_drop(sw, clean, next, 63);
	assert_int_equal(rte_mempool_avail_count(pool), before);
}

/* The PMD's step for the test ring: keeps each buffer received. */
struct test_rx {
	struct rte_mbuf *got[64];
	uint16_t slot[64];
	unsigned int n;
};

static void test_step(void *arg, volatile void *ring, uint16_t slot, struct rte_mbuf *m)
{
	struct test_rx *st = arg;

	(void)ring;
	st->slot[st->n] = slot;
	st->got[st->n++] = m;
}

static void test_post(volatile void *ring, uint16_t slot, uint64_t iova)
{
	volatile struct test_desc *d = (volatile struct test_desc *)ring + slot;

	d->addr = iova;
	d->dd = 0;
}

static void rx_walk_takes_what_the_device_wrote_back_and_leaves_slots_it_has_no_buffer_for(void **state)
{
	struct test_desc ring[16] = { 0 };
	struct rte_mbuf *sw[16], *posted[16], *held[POOL_MBUFS];
	struct iop_port_qcounters cnt = { 0 };
	struct iop_pci_rx_refill r;
	struct iop_iova_cache c;
	struct test_rx st = { .n = 0 };
	uint16_t next = 0;
	unsigned int nheld;

	(void)state;
	assert_int_equal(iop_pci_rx_refill_init(&r, pool, PORT_ID, OFF, "test"), 0);
	iop_iova_cache_init(&c, ioas);
	iop_pci_cache_run_pool(&c, pool);
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, sw, 16), 0);
	memcpy(posted, sw, sizeof(sw));
	/* nothing written back: no step, nothing taken */
	assert_int_equal(iop_pci_rx_walk(ring, sw, 15, &next, 32, &r, &c, &cnt, test_done,
					 test_step, test_post, &st), 0);
	assert_int_equal(st.n, 0);
	/* 10 written back (slots 0-9), 2 more after a gap the device has
	 * not reached: the walk stops at the gap */
	for (int i = 0; i < 10; i++)
		ring[i].dd = 1;
	ring[11].dd = ring[12].dd = 1;
	assert_int_equal(iop_pci_rx_walk(ring, sw, 15, &next, 32, &r, &c, &cnt, test_done,
					 test_step, test_post, &st), 10);
	assert_int_equal(next, 10);
	assert_int_equal(st.n, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(st.slot[i], i);
		assert_ptr_equal(st.got[i], posted[i]);
		/* the slot's fresh buffer, posted by its IOVA in the IOAS */
		assert_ptr_not_equal(sw[i], posted[i]);
		assert_int_equal(ring[i].addr, truth((uint8_t *)sw[i]->buf_addr + OFF));
		assert_int_equal(ring[i].dd, 0);
		rearmed(sw[i]);
	}
	/* the pool has 2 buffers left for 3 written back (slots 10-12): 2
	 * are taken, the third stays as the device wrote it */
	ring[10].dd = 1;
	nheld = rte_mempool_avail_count(pool) - 2;
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, held, nheld), 0);
	assert_int_equal(iop_pci_rx_walk(ring, sw, 15, &next, 32, &r, &c, &cnt, test_done,
					 test_step, test_post, &st), 2);
	assert_int_equal(next, 12);
	assert_int_equal(cnt.rx_nombuf, 1);
	assert_int_equal(ring[12].dd, 1);
	assert_ptr_equal(sw[12], posted[12]);
	for (unsigned int i = 0; i < nheld; i++)
		rte_pktmbuf_free(held[i]);
	for (unsigned int i = 0; i < st.n; i++)
		rte_pktmbuf_free(st.got[i]);
	iop_pci_free_mbufs(sw, 16);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_MBUFS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bulk_refill_from_a_pool_that_runs_dry_posts_what_it_got_and_counts_the_rest),
		cmocka_unit_test(the_run_serves_its_pool_and_refuses_a_buffer_outside_it),
		cmocka_unit_test(tx_of_a_frame_in_unmapped_memory_is_dropped_and_counted),
		cmocka_unit_test(tx_run_follows_the_pool_of_the_first_frame_once),
		cmocka_unit_test(refill_finds_the_buffer_after_a_private_area),
		cmocka_unit_test(tx_free_gives_each_mbuf_back_to_its_pool_as_rte_pktmbuf_free_does),
		cmocka_unit_test(a_pool_of_pinned_external_buffers_is_refused_by_name),
		cmocka_unit_test(rx_chain_puts_a_frame_over_five_descriptors_together_in_order),
		cmocka_unit_test(rx_chain_cut_by_an_error_is_one_counted_drop_and_every_buffer_goes_back),
		cmocka_unit_test(rx_chain_over_the_mtu_is_cut_as_it_grows_and_counts_once_at_its_end),
		cmocka_unit_test(rx_chain_is_dropped_where_the_queue_takes_no_scatter),
		cmocka_unit_test(rx_chain_of_a_stopping_port_goes_back_to_the_pool),
		cmocka_unit_test(tx_segs_gives_each_segment_with_data_its_iova_and_length),
		cmocka_unit_test(tx_segs_drops_a_chain_over_the_mtu_or_of_too_many_segments),
		cmocka_unit_test(tx_segs_drops_a_chain_with_one_segment_in_unmapped_memory),
		cmocka_unit_test(the_mtu_lets_four_bytes_more_through_for_a_tag_in_the_frame),
		cmocka_unit_test(tx_reclaim_frees_the_groups_the_device_finished_and_a_stop_frees_the_rest),
		cmocka_unit_test(rx_walk_takes_what_the_device_wrote_back_and_leaves_slots_it_has_no_buffer_for),
	};
	struct iop_dev *dev;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TOPOLOGY\n", argv[0]);
		return 1;
	}
	topology = argv[1];
	if (port_fixture_init("test_pci_pmd_ring", topology, NULL, POOL_MBUFS, &pool) < 0)
		return 1;
	/* with an application private area between mbuf and buffer */
	other = rte_pktmbuf_pool_create("pmd_ring_other", 32, 0, 64, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!other || iop_port_dev_open("0000:00:01.0", &dev, &ioas) < 0) {
		fprintf(stderr, "set-up: %s\n", iop_err_msg());
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	iop_port_dev_close(dev);
	rte_mempool_free(other);
	port_fixture_fini(pool);
	return rc;
}
