/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --move-every=MS: a control thread (not an lcore: iop_port_move waits for
 * the lcores' bursts) moves one port live between two IOAS it creates,
 * while the lcores forward. What it did is printed at the end; a failed
 * move is printed once, with its reason, and the port keeps forwarding in
 * its IOAS.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "iop_init.h"
#include "iop_iommu.h"
#include "iop_log.h"

#define MOVER_PAUSES 4096

static struct {
	pthread_t thread;
	bool running;
	bool busy;
	struct iop_ioas *ioas[2];
	uint64_t done, failed;
	char first_error[512];
	double longest_ms;
	/* the pause of each move that paused, in ms (the first MOVER_PAUSES) */
	double pause_ms[MOVER_PAUSES];
	size_t npauses;
} mover;

bool mover_busy(void)
{
	/* pairs with the fence in move_thread: an lcore that saw the stop
	 * and then no move under way exits; a move that starts later sees
	 * the stop and is not made */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&mover.busy, __ATOMIC_RELAXED);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *move_thread(void *arg)
{
	const struct bridge_opts *o = bridge_opts();
	unsigned int flags = (o->move_group ? IOP_PORT_MOVE_GROUP : 0) |
			     (o->move_pause ? IOP_PORT_MOVE_PAUSE : 0);

	(void)arg;
	for (unsigned int next = 0;; next ^= 1) {
		double t0, due = now_ms() + o->move_every_ms;
		struct iop_port_move_stats before;
		int rc;

		/* in slices, so that a stop is seen within 10 ms */
		while (!bridge_stopping() && now_ms() < due) {
			double left = due - now_ms();
			struct timespec ts = {0, (long)((left < 10 ? left : 10) * 1e6)};

			nanosleep(&ts, NULL);
		}
		__atomic_store_n(&mover.busy, true, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (bridge_stopping())
			break;
		t0 = now_ms();
		iop_port_move_stats_get(o->move_port, &before);
		rc = iop_port_move(o->move_port, mover.ioas[next], flags);
		if (rc == 0) {
			struct iop_port_move_stats after;

			iop_port_move_stats_get(o->move_port, &after);
			if (after.pauses != before.pauses && mover.npauses < MOVER_PAUSES)
				mover.pause_ms[mover.npauses++] = (double)after.last_pause_ns / 1e6;
			mover.done++;
			if (now_ms() - t0 > mover.longest_ms)
				mover.longest_ms = now_ms() - t0;
		} else if (mover.failed++ == 0) {
			snprintf(mover.first_error, sizeof(mover.first_error), "%s%s", iop_err_msg(),
				 rc == -EBUSY && !o->move_group ? " (iop-bridge: --move-group)" : "");
			fprintf(stderr, "iop-bridge: --move-every: %s\n", mover.first_error);
		}
		__atomic_store_n(&mover.busy, false, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&mover.busy, false, __ATOMIC_RELEASE);
	return NULL;
}

int mover_start(void)
{
	struct iop_ctx *ctx = iop_ctx_get();
	int rc;

	if (!bridge_opts()->move_every_ms)
		return 0;
	if (!ctx || !iop_port_dev(bridge_opts()->move_port))
		return iop_err(EINVAL, "--move-every: port %u (%s) has no IOMMU device to move",
			       bridge_opts()->move_port, iop_port_name(bridge_opts()->move_port));
	for (int i = 0; i < 2; i++) {
		rc = iop_ioas_create(ctx, &mover.ioas[i]);
		if (rc)
			return rc;
	}
	rc = pthread_create(&mover.thread, NULL, move_thread, NULL);
	if (rc)
		return iop_err(rc, "--move-every: cannot start its thread: %s", strerror(rc));
	mover.running = true;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Each pause in the order of the moves, then their median and longest. */
static void print_pauses(void)
{
	double sorted[MOVER_PAUSES];
	size_t n = mover.npauses;

	if (!n)
		return;
	printf("move: pauses of port %u (ms):", bridge_opts()->move_port);
	for (size_t i = 0; i < n; i++)
		printf(" %.1f", mover.pause_ms[i]);
	memcpy(sorted, mover.pause_ms, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_value);
	printf("; median %.3f, longest %.3f\n",
	       n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2, sorted[n - 1]);
}

bool mover_stop(void)
{
	struct iop_dev *dev = iop_port_dev(bridge_opts()->move_port);
	struct iop_ioas *now = dev ? iop_dev_ioas(dev) : NULL;
	struct iop_port_move_stats st = {0};

	if (!mover.running)
		return true;
	pthread_join(mover.thread, NULL);
	mover.running = false;
	iop_port_move_stats_get(bridge_opts()->move_port, &st);
	printf("move: port %u moved %" PRIu64 " times between IOAS %u and %u (every %u ms, longest move %.3f ms), %" PRIu64 " with its queues paused (longest pause %.3f ms), now on IOAS %u; %" PRIu64 " failed%s%s\n",
	       bridge_opts()->move_port, mover.done, iop_ioas_id(mover.ioas[0]),
	       iop_ioas_id(mover.ioas[1]), bridge_opts()->move_every_ms, mover.longest_ms,
	       st.pauses, (double)st.max_pause_ns / 1e6,
	       now ? iop_ioas_id(now) : 0, mover.failed, mover.failed ? ", first: " : "",
	       mover.first_error);
	print_pauses();
	return mover.failed == 0;
}

void mover_cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		if (mover.ioas[i])
			iop_ioas_destroy(mover.ioas[i]);
		mover.ioas[i] = NULL;
	}
}
