/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance scenario parser and runner (test/conformance/scn_run.c)
 * on the sim backend, on any bytes: every step runs or is refused, and a
 * scenario leaves nothing behind (no sim fd, allocation, mapping or pin,
 * no process fd; LeakSanitizer checks memory).
 */
#include <stdbool.h>

#include "fuzz.h"
#include "iop_sim.h"

/* scn_run.c is a program: its main is renamed and its statics reused */
int scn_main(int argc, char **argv);
#define main scn_main
#include "../conformance/scn_run.c"
#undef main

/* test/conformance/guest.layout */
static const struct layout_dev guest_layout[] = {
	{ "0000:00:02.0", 2, "e1000e" },
	{ "0000:00:03.0", 3, "e1000e" },
	{ "0000:00:05.0", 5, "none" },
	{ "0000:01:01.0", 5, "e1000e" },
	{ "0000:01:02.0", 5, "e1000e" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *path = fuzz_input_path(data, size);
	struct iop_sim_counters c;
	int fds;

	if (!ready) {
		ops = &iop_backend_sim;
		backend_name = "sim";
		aperture = 48;
		memcpy(layout, guest_layout, sizeof(guest_layout));
		nlayout = sizeof(guest_layout) / sizeof(guest_layout[0]);
		getrlimit(RLIMIT_MEMLOCK, &saved_memlock);
		/* the runner's record of every step is not needed here */
		if (!freopen("/dev/null", "w", stdout))
			abort();
		ready = true;
	}
	fds = count_fds();
	fds_at_start = fds;
	run_file(path);
	iop_sim_counters(&c);
	if (count_fds() != fds || c.open_fds || c.allocations || c.mappings || c.pinned_pages)
		abort();
	return 0;
}
