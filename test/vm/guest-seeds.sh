#!/bin/bash
# Runs in a guest of test/vm/run-guest started with --bind=br0,br1 (group 5
# with the bridge): the kernel's answers for seed 004 (iop-vm-access kernel:
# access objects through IOMMUFD_TEST) and seed 002 (a kernel driver's probe
# in a group owned for user DMA, and what iop-devices unbind says then).
# One "ok - ..." / "not ok - ..." line per check; exit 1 on any failure.
#
#   guest-seeds.sh IOP_VM_ACCESS IOP_VM_OWNER IOP_DEVICES
set -u
access=$1 owner=$2 devices=$3
BR0=0000:01:01.0 BR1=0000:01:02.0
rc=0
check() { if [ "$2" = 1 ]; then echo "ok - $1"; else echo "not ok - $1: $3"; rc=1; fi; }
drv() { local l; l=$(readlink "/sys/bus/pci/devices/$1/driver") && basename "$l" || echo none; }
is() { [ "$1" = "$2" ] && echo 1 || echo 0; }

"$access" kernel || rc=1

# seed 002: a program owns group 5 through br0
coproc OWN { "$owner" "$BR0"; }
read -r -t 60 line <&"${OWN[0]}"
check "iop-vm-owner owns group 5 through br0" "$(is "${line:-}" owned)" "it printed '${line:-}'"

echo "$BR1" > "/sys/bus/pci/devices/$BR1/driver/unbind"
echo > "/sys/bus/pci/devices/$BR1/driver_override"
err=$( { echo "$BR1" > /sys/bus/pci/drivers_probe; } 2>&1 ) && err=0
echo "seed002 drivers_probe of br1 while group 5 is owned: ${err:-0}"
check "a kernel driver's probe in an owned group fails with EINVAL" \
	"$(case $err in *"Invalid argument"*) echo 1 ;; *) echo 0 ;; esac)" "drivers_probe: $err"
check "br1 stays on no driver" "$(is "$(drv $BR1)" none)" "on $(drv $BR1)"

state=$(mktemp -d)
IOP_STATE_DIR=$state "$devices" bind "$BR1" > /dev/null 2>&1
check "vfio-pci takes br1 in the owned group" "$(is "$(drv $BR1)" vfio-pci)" "on $(drv $BR1)"
out=$("$owner" "$BR1" < /dev/null 2>&1); st=$?
echo "seed002 a second iommufd binding br1 while br0's owner holds group 5: exit $st: $out"
check "a second iommufd cannot bind a device of the owned group (EPERM)" \
	"$( [ $st = 1 ] && case $out in *"Operation not permitted"*) echo 1 ;; *) echo 0 ;; esac || echo 0)" "exit $st: $out"
echo e1000e > "$state/$BR1.driver"
out=$(IOP_STATE_DIR=$state timeout 60 "$devices" unbind "$BR1" 2>&1); st=$?
echo "seed002 iop-devices unbind br1: exit $st: $out"
check "iop-devices unbind br1 fails and says the group is owned, by whom" \
	"$( [ $st = 1 ] && case $out in *"owned for user DMA by pid"*"$BR0"*) echo 1 ;; *) echo 0 ;; esac || echo 0)" "exit $st: $out"
check "e1000e's bind in an owned group fails with EBUSY" \
	"$(case $out in *"cannot take it (Device or resource busy)"*) echo 1 ;; *) echo 0 ;; esac)" "$out"
check "br1 is left on no driver" "$(is "$(drv $BR1)" none)" "on $(drv $BR1)"
out=$(IOP_STATE_DIR=$state timeout 60 "$devices" unbind "$BR0" 2>&1); st=$?
echo "seed002 iop-devices unbind br0 while it is open: exit $st: $out"
check "iop-devices unbind of an open device says who holds it instead of waiting" \
	"$( [ $st = 1 ] && case $out in *"in use by pid"*) echo 1 ;; *) echo 0 ;; esac || echo 0)" "exit $st: $out"
check "br0 stays on vfio-pci" "$(is "$(drv $BR0)" vfio-pci)" "on $(drv $BR0)"

eval "exec ${OWN[1]}>&-"
wait "$OWN_PID"
err=$( { echo "$BR1" > /sys/bus/pci/drivers_probe; } 2>&1 ) && err=0
echo "seed002 drivers_probe of br1 after the owner closed: ${err:-0}"
check "once the owner has closed, br1 binds to e1000e" "$(is "$(drv $BR1)" e1000e)" "on $(drv $BR1): $err"
rm -rf "$state"
exit $rc
