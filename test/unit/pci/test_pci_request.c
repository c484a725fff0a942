/* SPDX-License-Identifier: BSD-3-Clause */
/* The VFIO request eventfd is watched by DPDK's interrupt thread, not by
 * the bursts: a signal reaches the handler on that thread with no burst
 * running, and unwatching waits for a running handler. A plain eventfd
 * stands in for the kernel's (the guest tests signal the real one by
 * unbinding the device: test/vm/pci/pci-guest.sh). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>

#include "pci_request.h"

struct seen {
	unsigned int calls;
	pthread_t thread;
	bool slow;     /* the handler sleeps, to be caught running */
	bool running;
};

static void on_request(void *arg)
{
	struct seen *s = arg;

	s->thread = pthread_self();
	__atomic_store_n(&s->running, true, __ATOMIC_RELEASE);
	if (s->slow)
		usleep(200 * 1000);
	__atomic_add_fetch(&s->calls, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&s->running, false, __ATOMIC_RELEASE);
}

/* Waits up to 10 s (a loaded host) for the handler to have run n times. */
static bool wait_calls(struct seen *s, unsigned int n)
{
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&s->calls, __ATOMIC_ACQUIRE) >= n)
			return true;
		usleep(1000);
	}
	return false;
}

static void signal_efd(int efd)
{
	uint64_t one = 1;

	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
}

static void request_runs_the_handler_on_the_interrupt_thread_and_drains_the_eventfd(void **state)
{
	struct iop_pci_request *w;
	struct seen s = { 0 };
	uint64_t left;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)state;
	assert_true(efd >= 0);
	assert_int_equal(iop_pci_request_watch(efd, on_request, &s, &w), 0);
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&s.calls, __ATOMIC_ACQUIRE), 0); /* nothing signalled */
	signal_efd(efd);
	assert_true(wait_calls(&s, 1));
	assert_false(pthread_equal(s.thread, pthread_self()));
	/* drained: no second call for one signal, and nothing left to read */
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&s.calls, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(read(efd, &left, sizeof(left)), -1);
	assert_int_equal(errno, EAGAIN);
	/* the kernel repeats its request: each signal is seen */
	signal_efd(efd);
	assert_true(wait_calls(&s, 2));
	iop_pci_request_unwatch(w);
	/* unwatched: a signal calls nothing */
	signal_efd(efd);
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&s.calls, __ATOMIC_ACQUIRE), 2);
	close(efd);
}

static void unwatch_returns_only_after_a_running_handler_finished(void **state)
{
	struct iop_pci_request *w;
	struct seen s = { .slow = true };
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)state;
	assert_true(efd >= 0);
	assert_int_equal(iop_pci_request_watch(efd, on_request, &s, &w), 0);
	signal_efd(efd);
	for (int i = 0; i < 10000 && !__atomic_load_n(&s.running, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	assert_true(__atomic_load_n(&s.running, __ATOMIC_ACQUIRE));
	iop_pci_request_unwatch(w);
	/* the port (the handler's argument) may be freed now */
	assert_false(__atomic_load_n(&s.running, __ATOMIC_ACQUIRE));
	assert_int_equal(s.calls, 1);
	close(efd);
}

static void watching_a_closed_fd_fails_with_a_message(void **state)
{
	struct iop_pci_request *w = NULL;
	struct seen s = { 0 };

	(void)state;
	assert_true(iop_pci_request_watch(-1, on_request, &s, &w) < 0);
	assert_null(w);
	iop_pci_request_unwatch(NULL);
}

int main(void)
{
	char prefix[64];
	char *argv[] = {"test_pci_request", "--no-huge", "--no-shconf", "-m", "64", "--no-pci",
			"-l", "0", "--log-level=error", "--no-telemetry", prefix, NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_runs_the_handler_on_the_interrupt_thread_and_drains_the_eventfd),
		cmocka_unit_test(unwatch_returns_only_after_a_running_handler_finished),
		cmocka_unit_test(watching_a_closed_fd_fails_with_a_message),
	};
	int rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=test_pci_request_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "SKIP: DPDK's EAL does not start here\n");
		return 77;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
