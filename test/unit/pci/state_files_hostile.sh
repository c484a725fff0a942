#!/bin/sh
# iop-devices bind/unbind against hostile state files, as a user runs it
# (default /sys and /run/iopath), in a private mount namespace: tmpfs over
# /sys (a fake PCI tree), /run and /tmp, so nothing real is touched.
#   state_files_hostile.sh IOP_DEVICES
set -u
bin=$1
if [ -z "${IOP_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a private mount namespace"; exit 77; }
	unshare -m true 2>/dev/null || { echo "SKIP: unshare -m is not allowed here"; exit 77; }
	IOP_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
for m in /sys /run /tmp; do
	mount -t tmpfs none "$m" || { echo "SKIP: cannot mount a tmpfs over $m"; exit 77; }
done
state=/run/iopath
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# a fake PCI tree: 0000:00:03.0 on vfio-pci, 0000:00:02.0 on e1000e
fake_sysfs() {
	rm -rf /sys/bus /sys/kernel "$state" /tmp/*
	mkdir -p /sys/bus/pci/devices /sys/kernel/iommu_groups/7 /sys/kernel/iommu_groups/8
	: >/sys/bus/pci/drivers_probe
	for drv in e1000e vfio-pci; do
		mkdir -p /sys/bus/pci/drivers/$drv
		: >/sys/bus/pci/drivers/$drv/bind
		: >/sys/bus/pci/drivers/$drv/unbind
	done
	for d in 0000:00:03.0:vfio-pci:8 0000:00:02.0:e1000e:7; do
		bdf=${d%:*:*}; rest=${d#*.*:}; drv=${rest%:*}; grp=${rest#*:}
		dev=/sys/bus/pci/devices/$bdf
		mkdir "$dev"
		echo 0x8086 >"$dev/vendor"; echo 0x10d3 >"$dev/device"
		echo 0x020000 >"$dev/class"; echo -1 >"$dev/numa_node"
		echo "(null)" >"$dev/driver_override"
		ln -s "../../drivers/$drv" "$dev/driver"
		ln -s "../../../../kernel/iommu_groups/$grp" "$dev/iommu_group"
	done
}

# run NAME WANT_TEXT ARGS...: refused (exit 1), in time, one line naming WANT_TEXT
refused() {
	name=$1 want=$2; shift 2
	timeout 10 "$bin" "$@" >/tmp/out 2>/tmp/err
	rc=$?
	if [ "$rc" -eq 124 ]; then
		fail "$name: iop-devices $* hung"
	elif [ "$rc" -ne 1 ] || [ "$(wc -l </tmp/err)" -ne 1 ] || ! grep -qF -- "$want" /tmp/err; then
		fail "$name: iop-devices $*: exit $rc, want 1 and one line with '$want':"
		cat /tmp/err
	else
		echo "ok: $name: $(cat /tmp/err)"
	fi
}

# A recorded driver name is never a path: unbind refuses before any change.
fake_sysfs
mkdir -m 0700 "$state"
echo ../../../../tmp/x >"$state/0000:00:03.0.driver"
mkdir /tmp/x && : >/tmp/x/bind
refused record_is_a_path "does not hold a driver name" unbind 0000:00:03.0
[ -s /tmp/x/bind ] && fail "record_is_a_path: unbind wrote into /tmp/x/bind"
[ -s /sys/bus/pci/drivers/vfio-pci/unbind ] && fail "record_is_a_path: the device was unbound anyway"

# A record naming a driver that is not loaded: refused, not written anywhere.
echo igb >"$state/0000:00:03.0.driver"
refused record_names_no_loaded_driver "no such driver is loaded" unbind 0000:00:03.0

# A symlink planted at the record: unbind does not read through it, bind
# replaces it (and one planted at the temp name) without writing the target.
fake_sysfs
mkdir -m 0700 "$state"
echo e1000e >/tmp/victim
ln -s /tmp/victim "$state/0000:00:03.0.driver"
refused record_is_a_symlink "is not a regular file of ours" unbind 0000:00:03.0
ln -s /tmp/victim "$state/0000:00:02.0.driver"
ln -s /tmp/victim "$state/0000:00:02.0.driver.tmp"
"$bin" bind 0000:00:02.0 >/dev/null 2>&1
[ "$(cat /tmp/victim)" = e1000e ] || fail "record_is_a_symlink: bind wrote through it: $(cat /tmp/victim)"

# A FIFO planted at the record: refused at once, no hang.
fake_sysfs
mkdir -m 0700 "$state"
mkfifo "$state/0000:00:03.0.driver"
refused record_is_a_fifo "is not a regular file of ours" unbind 0000:00:03.0

# The state folder must be ours alone: owner, mode, not a symlink.
fake_sysfs
mkdir -m 0700 "$state" && chown 1234 "$state"
refused folder_of_another_user "owned by uid 1234" bind 0000:00:02.0
chown 0 "$state" && chmod 0777 "$state"
refused folder_open_to_all "mode 0777" bind 0000:00:02.0
rmdir "$state" && mkdir -m 0700 /tmp/elsewhere && ln -s /tmp/elsewhere "$state"
refused folder_is_a_symlink "a symlink or not a folder" bind 0000:00:02.0
[ -e /tmp/elsewhere/0000:00:02.0.driver ] && fail "folder_is_a_symlink: a record was written through it"
[ "$(cat /sys/bus/pci/devices/0000:00:02.0/driver_override)" = "(null)" ] ||
	fail "refused binds changed driver_override"

# Under umask 000 the folder is 0700 and the record 0600. e1000e's unbind
# file is a FIFO here, so bind waits there with its record written; a
# fake tree has no kernel to move the driver, so bind then fails, undoes
# its steps and must leave no record.
fake_sysfs
unbind=/sys/bus/pci/drivers/e1000e/unbind
rm "$unbind" && mkfifo "$unbind"
(umask 000; exec timeout 20 "$bin" bind 0000:00:02.0 >/tmp/bind.out 2>/tmp/bind.err) &
pid=$!
i=0
while [ ! -e "$state/0000:00:02.0.driver" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mode=$(stat -c %a "$state/0000:00:02.0.driver" 2>/dev/null)
[ "$mode" = 600 ] || fail "umask_000: record mode ${mode:-missing}, want 600"
mode=$(stat -c %a "$state")
[ "$mode" = 700 ] || fail "umask_000: folder mode $mode, want 700"
[ "$(cat "$state/0000:00:02.0.driver" 2>/dev/null)" = e1000e ] || fail "umask_000: record does not hold e1000e"
timeout 10 cat "$unbind" >/tmp/unbind.got
wait $pid
rc=$?
ovr=$(cat /sys/bus/pci/devices/0000:00:02.0/driver_override)
[ "$rc" -eq 1 ] || fail "failed_bind: exit $rc, want 1: $(cat /tmp/bind.err)"
[ "$(cat /tmp/unbind.got)" = 0000:00:02.0 ] || fail "failed_bind: e1000e/unbind got '$(cat /tmp/unbind.got)'"
[ -z "$ovr" ] || fail "failed_bind: driver_override left as '$ovr'"
[ -e "$state/0000:00:02.0.driver" ] && fail "failed_bind: left its record"
[ "$(cat /sys/bus/pci/drivers/e1000e/bind)" = 0000:00:02.0 ] ||
	fail "failed_bind: the device was not offered back to e1000e"
[ $failures -eq 0 ] && echo "ok: umask_000 and failed_bind: record 0600, folder 0700, no record after the failure"

# The good path still works: a record of ours gives the device back.
fake_sysfs
mkdir -m 0700 "$state"
echo e1000e >"$state/0000:00:03.0.driver"
"$bin" unbind 0000:00:03.0 >/tmp/out 2>/tmp/err || fail "unbind with a sound record: $(cat /tmp/err)"
[ "$(cat /sys/bus/pci/drivers/e1000e/bind)" = 0000:00:03.0 ] || fail "unbind did not give 0000:00:03.0 to e1000e"
[ -e "$state/0000:00:03.0.driver" ] && fail "unbind left the record"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all hostile state cases refused"
