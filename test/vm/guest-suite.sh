#!/bin/bash
# Runs in a guest of test/vm/run-guest (started with --bind=nic0,br0,br1):
# lib/iommu's API on one real backend (iop-vm-core), then, with br1 handed
# back to e1000e, the not-viable group, then every conformance scenario
# (iop-scn rebinds NICs itself), then the hw tier's own test on the
# guest's NICs (test/hw/hw-test: binds them, host-suite.sh, gives them
# back), so that what qualifies a real host runs in every CI run. Exit 1
# if any of them failed.
#
#   guest-suite.sh BACKEND AW IOP_VM_CORE IOP_VM_MEM IOP_SCN LAYOUT SCENARIO...
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
backend=$1 aw=$2 core=$3 mem=$4 scn=$5 layout=$6
shift 6
rc=0
if [ "$aw" = none ]; then
	# no vIOMMU (vm-test): the scenarios that need the self-test mock device
	"$scn" --iommu="$backend" --aperture=39 --layout="$layout" "$@"
	exit
fi
"$core" --iommu="$backend" --aperture="$aw" viable || rc=1
d=/sys/bus/pci/devices/0000:01:02.0
echo > "$d/driver_override"
echo 0000:01:02.0 > "$d/driver/unbind"
echo 0000:01:02.0 > /sys/bus/pci/drivers_probe
"$core" --iommu="$backend" --aperture="$aw" not-viable || rc=1
"$scn" --iommu="$backend" --aperture="$aw" --layout="$layout" "$@" || rc=1
# nic0 alone in its group, br0 and br1 in group 5: two IOAS
devices=$(dirname "$mem")/../../app/iop-devices/iop-devices
IOP_HW_NICS=0000:00:02.0,0000:01:01.0,0000:01:02.0 IOP_HW_BACKENDS=$backend IOP_HW_APERTURE=$aw \
	"$HERE/../hw/hw-test" "$devices" "$mem"
[ $? -eq 0 ] || rc=1
exit $rc
