/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed 002 on the sim: DMA ownership of a group holds across processes
 * (another program binding a device of an owned group gets EPERM, the
 * very device it bound EINVAL, as from the kernel), ends when the owner
 * exits or crashes, and a kernel driver's
 * probe of a device in an owned group fails with EINVAL, leaving the
 * device on no driver (both measured in the guest: test/vm/guest-seeds.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iop_iommu.h"
#include "iop_sim.h"
#include "sim_fixture.h"

#define BR0 "0000:01:01.0"
#define BR1 "0000:01:02.0"
#define BR2 "0000:01:03.0"
#define NIC "0000:00:02.0"

static const char topo[] =
	"device 0000:00:02.0 group=2 driver=vfio-pci\n"
	"device 0000:01:01.0 group=5 driver=vfio-pci\n"
	"device 0000:01:02.0 group=5 driver=none\n"
	"device 0000:01:03.0 group=5 driver=vfio-pci\n";

struct owner {
	pid_t pid;
	int done; /* write end: closing it ends the owner */
};

/* Another process that opens bdf (owning its group) and holds it until
 * its pipe closes. */
static struct owner owner_start(const char *path, const char *bdf)
{
	int ready[2], done[2];
	struct owner o;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	o.pid = fork();
	assert_true(o.pid >= 0);
	if (o.pid == 0) {
		struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
		struct iop_ctx *ctx;
		struct iop_dev *dev;

		close(ready[0]);
		close(done[1]);
		if (iop_ctx_create(&p, &ctx) || iop_dev_open(ctx, bdf, &dev))
			_exit(1);
		if (write(ready[1], "k", 1) != 1)
			_exit(1);
		while (read(done[0], &c, 1) > 0)
			;
		iop_dev_close(dev);
		iop_ctx_destroy(ctx);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	o.done = done[1];
	return o;
}

static void owner_stop(struct owner *o, bool crash)
{
	int st;

	if (crash)
		kill(o->pid, SIGKILL);
	close(o->done);
	assert_int_equal(waitpid(o->pid, &st, 0), o->pid);
	if (!crash)
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static const char *driver_of(struct iop_ctx *ctx, const char *bdf)
{
	static struct iop_dev_info info[8];
	size_t n = 0;

	assert_int_equal(iop_ctx_devices(ctx, info, 8, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(info[i].bdf, bdf))
			return info[i].driver;
	return "?";
}

static void sim_bind_in_another_process_is_eperm_for_a_sibling_einval_for_the_device(void **state)
{
	char *path = topo_file_write(topo);
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_ctx *ctx;
	struct iop_dev *dev, *nic;
	struct owner o;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &ctx), 0);
	o = owner_start(path, BR0);
	/* its sibling: the group is owned by another iommufd */
	assert_int_equal(iop_dev_open(ctx, BR2, &dev), -EPERM);
	/* the device itself: bound elsewhere (vfio_df_open) */
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), -EINVAL);
	assert_int_equal(iop_dev_open(ctx, NIC, &nic), 0);
	/* a crash ends the ownership as a close does */
	owner_stop(&o, true);
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), 0);
	iop_dev_close(dev);
	iop_dev_close(nic);
	iop_ctx_destroy(ctx);
	topo_file_remove(path);
	assert_sim_clean();
}

static void sim_probe_of_a_sibling_fails_while_the_group_is_owned(void **state)
{
	char *path = topo_file_write(topo);
	struct iop_ctx_params p = { .backend = IOP_BACKEND_SIM, .sim_topology = path };
	struct iop_ctx *ctx;
	struct iop_dev *dev;
	struct owner o;

	(void)state;
	assert_int_equal(iop_ctx_create(&p, &ctx), 0);
	o = owner_start(path, BR0);
	assert_int_equal(iop_sim_driver_probe(ctx, BR1, "e1000e"), -EINVAL);
	assert_string_equal(driver_of(ctx, BR1), "none");
	owner_stop(&o, false);
	assert_int_equal(iop_sim_driver_probe(ctx, BR1, "e1000e"), 0);
	assert_string_equal(driver_of(ctx, BR1), "e1000e");
	/* and now the group is not viable for user DMA */
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), -EPERM);
	iop_ctx_destroy(ctx);
	topo_file_remove(path);
	assert_sim_clean();
}

static void sim_probe_fails_while_this_context_owns_the_group(void **state)
{
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_dev *dev;

	(void)state;
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), 0);
	assert_int_equal(iop_sim_driver_probe(ctx, BR1, "e1000e"), -EINVAL);
	/* vfio-pci does no DMA of its own: it may join an owned group */
	assert_int_equal(iop_sim_driver_probe(ctx, BR1, "vfio-pci"), 0);
	assert_int_equal(iop_sim_driver_probe(ctx, BR1, "e1000e"), -EBUSY);
	assert_int_equal(iop_sim_driver_probe(ctx, "0000:09:00.0", "e1000e"), -ENODEV);
	iop_dev_close(dev);
	iop_ctx_destroy(ctx);
	assert_sim_clean();
}

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The lock folder is refused unless it is ours and only we may write it:
 * no claim, and no lock file made in it. */
static void sim_ownership_refuses_a_lock_folder_others_may_write(void **state)
{
	char dir[] = "/tmp/iop-sim-run-XXXXXX";
	struct iop_ctx *ctx = sim_ctx_new(topo);
	struct iop_dev *dev;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(setenv("IOP_SIM_RUN_DIR", dir, 1), 0);
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), -EACCES);
	assert_int_equal(files_in(dir), 0);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(iop_dev_open(ctx, BR0, &dev), 0);
	/* the device's lock and its group's */
	assert_int_equal(files_in(dir), 2);
	/* the owner removes its lock files when it lets go */
	iop_dev_close(dev);
	assert_int_equal(files_in(dir), 0);
	unsetenv("IOP_SIM_RUN_DIR");
	iop_ctx_destroy(ctx);
	assert_int_equal(rmdir(dir), 0);
	assert_sim_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_bind_in_another_process_is_eperm_for_a_sibling_einval_for_the_device),
		cmocka_unit_test(sim_probe_of_a_sibling_fails_while_the_group_is_owned),
		cmocka_unit_test(sim_probe_fails_while_this_context_owns_the_group),
		cmocka_unit_test(sim_ownership_refuses_a_lock_folder_others_may_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
