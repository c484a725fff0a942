#!/bin/bash
# The checks a host with an IOMMU must pass on one backend, on the NICs it
# is given (already on vfio-pci): DPDK's memory mapped through the kernel
# into one IOAS per IOMMU group of the NICs (iop-vm-mem). The guests of the
# vm tier run it (guest-suite.sh, on the guest's NICs) and so does the hw
# tier on a real host (test/hw/hw-test, on IOP_HW_NICS): the same script,
# exercised by every CI run. Exit 1 if a check failed.
#
#   host-suite.sh BACKEND NICS IOP_VM_MEM [APERTURE_BITS]
#   NICS = BDF,BDF,...
set -u
backend=$1 nics=$2 mem=$3 aw=${4:-}
rc=0
echo "host-suite: $backend on ${nics//,/ }"
# shellcheck disable=SC2086
"$mem" -l 0 -m 64 --no-telemetry --file-prefix="iop-host-$$" -- --iommu="$backend" -- \
	${aw:+--aperture=$aw} ${nics//,/ } || rc=1
exit $rc
