/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context lock: control calls of one context may come from several
 * threads at once (DPDK runs lib/mem's hotplug callback, which maps and
 * unmaps, on whichever thread allocates memory). Two threads map and unmap
 * distinct ranges of one IOAS while a third attaches, detaches, opens,
 * closes, creates and destroys around them; every call must succeed with
 * the result it would have alone, and nothing may be left behind. Run
 * under ASan and ThreadSanitizer too (doc/testing.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "iommu_internal.h"
#include "iop_log.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define MiB (UINT64_C(1) << 20)
#define CHUNK (64 * 1024)
#define CHUNKS 24 /* per mapper: more than the core's first array of maps */
#define ROUNDS 5000
#define RW (IOP_PROT_READ | IOP_PROT_WRITE)

static const char topo[] =
	"memlock unlimited\n"
	"device 0000:00:03.0 group=1 driver=vfio-pci type=sim\n"
	"device 0000:00:04.0 group=2 driver=vfio-pci type=sim\n";

struct race {
	struct iop_ctx *ctx;
	struct iop_ioas *shared;
	struct iop_dev *a;      /* attached and detached to `shared` */
	char *buf;              /* mapper i uses [buf + i * CHUNKS * CHUNK, ...) */
	char *other;            /* the third thread maps it into its own IOAS */
	unsigned int started;   /* atomic: every thread waits for all three */
	unsigned int stop;      /* atomic: the mappers are done */
	/* first failure of each thread (cmocka asserts only on the main one) */
	char failure[3][256];
	unsigned long rounds[3];
};

static void start_together(struct race *r)
{
	__atomic_add_fetch(&r->started, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->started, __ATOMIC_ACQUIRE) < 3)
		;
}

static void note(struct race *r, int who, const char *what, int rc)
{
	if (r->failure[who][0] == '\0')
		snprintf(r->failure[who], sizeof(r->failure[who]), "%s: %d (%s)", what, rc,
			 iop_err_msg());
}

struct mapper {
	struct race *r;
	int id;
};

/* Maps CHUNKS separate ranges, checks each translation, unmaps them. */
static void *mapper(void *arg)
{
	struct mapper *m = arg;
	struct race *r = m->r;
	char *base = r->buf + (size_t)m->id * CHUNKS * CHUNK;

	start_together(r);
	for (int round = 0; round < ROUNDS && !r->failure[m->id][0]; round++) {
		for (int c = 0; c < CHUNKS; c++) {
			char *va = base + (size_t)c * CHUNK;
			uint64_t iova = 0, back = 0;
			int rc = iop_ioas_map(r->shared, va, CHUNK, RW, &iova);

			if (rc) {
				note(r, m->id, "map", rc);
				break;
			}
			rc = iop_ioas_va2iova(r->shared, va + CHUNK - 1, &back);
			if (rc || back != iova + CHUNK - 1)
				note(r, m->id, "va2iova", rc ? rc : -EIO);
		}
		for (int c = 0; c < CHUNKS; c++) {
			int rc = iop_ioas_unmap(r->shared, base + (size_t)c * CHUNK, CHUNK);

			if (rc && !r->failure[m->id][0])
				note(r, m->id, "unmap", rc);
		}
		r->rounds[m->id]++;
	}
	return NULL;
}

/* Attach/detach on the shared IOAS; a device opened, attached to a fresh
 * IOAS that maps memory (its map looks at every IOAS of the context for
 * pages to copy), then torn down. */
static void *attacher(void *arg)
{
	struct race *r = arg;
	struct iop_iova_range ranges[IOP_MAX_RANGES];

	start_together(r);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) && !r->failure[2][0]) {
		struct iop_ioas *own;
		struct iop_dev *b;
		uint64_t iova;
		size_t n;
		int rc;

		if ((rc = iop_dev_attach(r->a, r->shared)))
			note(r, 2, "attach a", rc);
		if ((rc = iop_ioas_ranges(r->shared, ranges, IOP_MAX_RANGES, &n)))
			note(r, 2, "ranges", rc);
		if ((rc = iop_dev_detach(r->a)))
			note(r, 2, "detach a", rc);
		if ((rc = iop_ioas_create(r->ctx, &own))) {
			note(r, 2, "ioas create", rc);
			break;
		}
		if ((rc = iop_dev_open(r->ctx, "0000:00:04.0", &b))) {
			note(r, 2, "open b", rc);
			iop_ioas_destroy(own);
			break;
		}
		if ((rc = iop_dev_attach(b, own)))
			note(r, 2, "attach b", rc);
		if ((rc = iop_ioas_map(own, r->other, 2 * MiB, RW, &iova)))
			note(r, 2, "map own", rc);
		else if ((rc = iop_ioas_unmap(own, r->other, 2 * MiB)))
			note(r, 2, "unmap own", rc);
		iop_dev_close(b);
		if ((rc = iop_ioas_destroy(own)))
			note(r, 2, "ioas destroy", rc);
		r->rounds[2]++;
	}
	return NULL;
}

static void control_calls_of_one_context_from_three_threads_are_serialized(void **state)
{
	struct race r = { 0 };
	struct mapper m[2] = { { &r, 0 }, { &r, 1 } };
	size_t buf_len = 2 * CHUNKS * CHUNK;
	pthread_t t[3];

	(void)state;
	r.ctx = sim_ctx_new(topo);
	r.buf = hugebuf_alloc(buf_len);
	r.other = hugebuf_alloc(2 * MiB);
	assert_int_equal(iop_ioas_create(r.ctx, &r.shared), 0);
	assert_int_equal(iop_dev_open(r.ctx, "0000:00:03.0", &r.a), 0);
	assert_int_equal(pthread_create(&t[0], NULL, mapper, &m[0]), 0);
	assert_int_equal(pthread_create(&t[1], NULL, mapper, &m[1]), 0);
	assert_int_equal(pthread_create(&t[2], NULL, attacher, &r), 0);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t[2], NULL);
	for (int i = 0; i < 3; i++)
		if (r.failure[i][0])
			fail_msg("thread %d, round %lu: %s", i, r.rounds[i], r.failure[i]);
	assert_int_equal(r.rounds[0], ROUNDS);
	assert_int_equal(r.rounds[1], ROUNDS);
	assert_true(r.rounds[2] > 0);
	/* nothing left: no mapping, no device on the IOAS */
	assert_int_equal(r.shared->nmaps, 0);
	assert_int_equal(r.shared->ndevs, 0);
	assert_null(iop_dev_ioas(r.a));
	iop_dev_close(r.a);
	assert_int_equal(iop_ioas_destroy(r.shared), 0);
	iop_ctx_destroy(r.ctx);
	hugebuf_free(r.buf, buf_len);
	hugebuf_free(r.other, 2 * MiB);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_calls_of_one_context_from_three_threads_are_serialized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
