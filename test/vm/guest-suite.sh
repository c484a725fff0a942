#!/bin/bash
# Runs in a guest of test/vm/run-guest (started with --bind=nic0,br0,br1):
# lib/iommu's API on one real backend (iop-vm-core), DPDK's hugepages in two
# IOAS (iop-vm-mem), then, with br1 handed
# back to e1000e, the not-viable group, then every conformance scenario
# (iop-scn rebinds NICs itself). Exit 1 if any of them failed.
#
#   guest-suite.sh BACKEND AW IOP_VM_CORE IOP_VM_MEM IOP_SCN LAYOUT SCENARIO...
set -u
backend=$1 aw=$2 core=$3 mem=$4 scn=$5 layout=$6
shift 6
rc=0
if [ "$aw" = none ]; then
	# no vIOMMU (vm-test): the scenarios that need the self-test mock device
	"$scn" --iommu="$backend" --aperture=39 --layout="$layout" "$@"
	exit
fi
"$core" --iommu="$backend" --aperture="$aw" viable || rc=1
"$mem" -l 0 -m 64 --no-telemetry --file-prefix=iop-vm-mem -- --iommu="$backend" -- --aperture="$aw" || rc=1
d=/sys/bus/pci/devices/0000:01:02.0
echo > "$d/driver_override"
echo 0000:01:02.0 > "$d/driver/unbind"
echo 0000:01:02.0 > /sys/bus/pci/drivers_probe
"$core" --iommu="$backend" --aperture="$aw" not-viable || rc=1
"$scn" --iommu="$backend" --aperture="$aw" --layout="$layout" "$@" || rc=1
exit $rc
