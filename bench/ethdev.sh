#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# P6: the same Debian dpdk-testpmd binary, io forwarding between two null
# ports, once on DPDK's net_null (the anchor) and once on net_iop ports
# wrapping iopath's null PMD (-d librte_net_iop.so), alternating anchor and
# subject so that load from other work hits both alike. The figure is the
# median of the per-pair ratios (net_iop / net_null) with their range;
# the target is >= 1.0: net_iop adds no call to the fast path.
#
#   bench/ethdev.sh [BUILD_DIR] [SECONDS] [PAIRS]     defaults: build 5 5
# Prints one human line per pair and one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} secs=${2:-5} pairs=${3:-5}
so=$(readlink -f "$build/drivers/net/ethdev/librte_net_iop.so" || true)
lcores=0-1
tmp=$(mktemp -d /tmp/iop-ethb-XXXXXX)
. "$(dirname "$0")/../test/net_iop_copy.sh"
trap 'rm -rf "$tmp"; net_iop_copy_remove' EXIT
[ -f "$so" ] || { echo "ethdev.sh: no librte_net_iop.so in $build (run scripts/setup, then bash scripts/build $build)" >&2; exit 1; }
net_iop_copy "$so" || { echo "ethdev.sh: cannot copy $so into a private folder under /run" >&2; exit 1; }
so=$net_iop_so
command -v dpdk-testpmd >/dev/null || { echo "ethdev.sh: no dpdk-testpmd (package dpdk-dev)" >&2; exit 1; }
printf 'group 1\ndevice 0000:00:01.0 group=1 driver=vfio-pci type=sim\n' > "$tmp/t.topo"

. bench/pairs_lib.sh

# mean Rx-pps per port, leaving out testpmd's first four periods
# (start-up); the same flags for both drivers
run_testpmd() { # vdev0 vdev1 [eal args]
	local v0=$1 v1=$2; shift 2
	timeout -s INT "$((secs + 2))" dpdk-testpmd -l "$lcores" --in-memory --no-pci \
		--file-prefix "iopethb$$" --log-level=lib.eal:error "$@" --vdev "$v0" --vdev "$v1" -- \
		--forward-mode=io --stats-period=1 --no-lsc-interrupt >"$tmp/testpmd.log" 2>&1 || true
	testpmd_pps "$tmp/testpmd.log" 4
}
anchor() { run_testpmd net_null0 net_null1; }
subject() { run_testpmd "net_iop0,spec=[null],iommu=sim,sim-topology=$tmp/t.topo" "net_iop1,spec=[null]" -d "$so"; }

machine_line "$lcores" "$secs"
alternate P6 "$pairs" Mpps/port net_null anchor net_iop subject
printf '{"bench":"P6","anchor":"dpdk-testpmd net_null io","net_null_pps_per_port":%.0f,"net_iop_pps_per_port":%.0f,"ratio":%s,"min":%s,"max":%s,"pairs":%d,"seconds":%s}\n' \
	"$ALT_A" "$ALT_B" "$ALT_MEDIAN" "$ALT_MIN" "$ALT_MAX" "$pairs" "$secs"
