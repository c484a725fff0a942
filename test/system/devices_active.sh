#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-devices list / bind / unbind against veth interfaces of a network
# namespace: whether an interface is up or routed is the kernel's answer in
# that namespace; which PCI device owns it comes from a fake sysfs tree (this
# host has no PCI NIC we may take), so the binding itself only writes files.
#
#   devices_active.sh IOP_DEVICES
set -uo pipefail

bin=$1
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a network namespace"; exit 77; }
ns=iopd$$
tmp=$(mktemp -d /tmp/iop-devices-XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns" || { echo "skip: cannot create a network namespace"; exit 77; }
# veth pairs: this host's kernel may lack the dummy driver; the peers stay
# in the namespace, up, so that the links have a carrier
ip -n "$ns" link add veth0 type veth peer name peer0 && ip -n "$ns" link add veth1 type veth peer name peer1 ||
	{ echo "skip: cannot create veth pairs"; exit 77; }
ip -n "$ns" link set peer0 up && ip -n "$ns" link set peer1 up
failures=0
fail() { echo "FAIL: $*"; sed 's/^/  | /' "$tmp/out" "$tmp/err"; failures=$((failures + 1)); }

# --- a fake /sys: 09.0 (veth0) and 09.1 (veth1) share IOMMU group 7;
# 0b.0 is alone in group 8, already on vfio-pci
sys=$tmp/sys
mkdir -p "$sys/bus/pci/devices" "$sys/kernel/iommu_groups/7/devices" \
	"$sys/kernel/iommu_groups/8/devices"
: >"$sys/bus/pci/drivers_probe"
for d in e1000e vfio-pci; do
	mkdir -p "$sys/bus/pci/drivers/$d"
	: >"$sys/bus/pci/drivers/$d/bind"
	: >"$sys/bus/pci/drivers/$d/unbind"
done
add_dev() { # bdf group driver netif
	local dev=$sys/bus/pci/devices/$1
	mkdir -p "$dev"
	echo 0x8086 >"$dev/vendor"; echo 0x10d3 >"$dev/device"
	echo 0x020000 >"$dev/class"; echo 0 >"$dev/numa_node"
	echo "(null)" >"$dev/driver_override"
	ln -s "../../drivers/$3" "$dev/driver"
	ln -s "../../../../kernel/iommu_groups/$2" "$dev/iommu_group"
	ln -s "../../../../bus/pci/devices/$1" "$sys/kernel/iommu_groups/$2/devices/$1"
	[ -z "$4" ] || mkdir -p "$dev/net/$4"
}
add_dev 0000:00:09.0 7 e1000e veth0
add_dev 0000:00:09.1 7 e1000e veth1
add_dev 0000:00:0b.0 8 vfio-pci ""
export IOP_STATE_DIR=$tmp/state IOP_UDEV_RULES_DIR=$tmp/rules
mkdir -p "$IOP_UDEV_RULES_DIR"

run() { # want-exit args...: stdout in out, stderr in err
	local want=$1; shift
	ip netns exec "$ns" "$bin" --sysfs="$sys" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "iop-devices $*: exit $rc, want $want"
}
has() { grep -qF -- "$2" "$tmp/$1" || fail "$1 lacks '$2'"; }
lacks() { ! grep -qF -- "$2" "$tmp/$1" || fail "$1 has '$2'"; }
one_line() { [ "$(wc -l <"$tmp/err")" = 1 ] || fail "want one error line"; }
override() { cat "$sys/bus/pci/devices/$1/driver_override"; }

# list: names from pci.ids, interfaces, drivers, groups; nothing active yet
run 0 list
has out "0000:00:09.0 '"
has out "82574L"
has out "if=veth0 drv=e1000e group=7 numa=0"
lacks out "*Active*"
echo "ok: list names the devices and their interfaces, none active"

# veth0 up: active, and bind refuses it and its group sibling
ip -n "$ns" link set veth0 up
run 0 list
grep -q "if=veth0 .*\*Active\*" "$tmp/out" || fail "veth0 up is not *Active*"
grep -q "if=veth1 .*\*Active\*" "$tmp/out" && fail "veth1 down is *Active*"
run 1 bind 0000:00:09.0
has err "0000:00:09.0 is active (veth0 is up"
has err "ip link set veth0 down"
has err "--force"
one_line
[ "$(override 0000:00:09.0)" = "(null)" ] || fail "a refused bind wrote driver_override"
run 1 bind 00:09.1
has err "0000:00:09.1 shares its IOMMU group with 0000:00:09.0, which is active (veth0 is up"
one_line
echo "ok: bind refuses an up interface and its IOMMU group sibling"

# routes count too, as in dpdk-devbind; the kernel drops them with the link
ip -n "$ns" addr add 10.77.0.1/24 dev veth0
run 1 bind 0000:00:09.0
has err "veth0 is up and carries routes"
run 1 --json bind 0000:00:09.0
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r[0]["bdf"]=="0000:00:09.0" and "carries routes" in r[0]["error"], r' \
	"$tmp/out" || fail "bind --json lacks the refusal"
ip -n "$ns" link set veth0 down
run 0 --json list
python3 -c 'import json,sys; d={x["interface"]: x["active"] for x in json.load(open(sys.argv[1]))["devices"]}; assert d=={"veth0": False, "veth1": False, "": False}, d' \
	"$tmp/out" || fail "list --json after veth0 down"
echo "ok: routes make it active; down again, nothing is"

# --force goes ahead (the fake tree has no kernel to move the driver link,
# so the bind ends with "vfio-pci did not take"; a bind that fails is
# undone: no override and no record are left)
ip -n "$ns" link set veth0 up
run 1 bind --force 0000:00:09.0
has err "warning: binding anyway (--force): pci: 0000:00:09.0 is active"
has err "vfio-pci did not take 0000:00:09.0"
[ -z "$(override 0000:00:09.0)" ] || fail "a failed bind left driver_override '$(override 0000:00:09.0)'"
[ -z "$(ls -A "$IOP_STATE_DIR" 2>/dev/null)" ] || fail "a failed bind left a record: $(ls -A "$IOP_STATE_DIR")"
echo "ok: --force goes past the active check; the failed bind is undone"

# --persist writes a udev rule that sets driver_override at boot; unbind --persist removes it
rule=$IOP_UDEV_RULES_DIR/70-iopath-0000:00:0b.0.rules
run 0 bind --persist 0000:00:0b.0
has out "kept at boot by $rule"
grep -q 'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:00:0b.0", ATTR{driver_override}="vfio-pci"' "$rule" ||
	fail "rule lacks the driver_override assignment: $(cat "$rule")"
run 0 list
has out "0000:00:0b.0"
grep -q "0000:00:0b.0 .* persist" "$tmp/out" || fail "list does not show persist"
run 0 --json unbind --persist 0000:00:0b.0
[ ! -e "$rule" ] || fail "unbind --persist left $rule"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r[0]["persist_rule"].endswith("0000:00:0b.0.rules") and r[0]["previous"]=="vfio-pci", r' \
	"$tmp/out" || fail "unbind --json"
echo "ok: --persist rule written, listed and removed"

# bad input: one line, nonzero exit
run 2 bind --frob 0000:00:0b.0
has err "bind: unknown option '--frob': iop-devices --help or man iop-devices lists the options"
one_line
run 2 unbind --force 0000:00:0b.0
has err "unbind: unknown option '--force'"
run 1 bind 0000:00:1f.0
has err "no PCI device 0000:00:1f.0"
one_line
IOP_UDEV_RULES_DIR=$tmp/missing run 1 bind --persist 0000:00:0b.0
has err "cannot write $tmp/missing/70-iopath-0000:00:0b.0.rules.tmp"
one_line
echo "ok: bad input"

[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "devices_active: all checks passed"
