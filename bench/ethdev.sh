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

# mean Rx-pps per port over testpmd's 1 s periods, leaving out the first
# two (start-up); the same flags for both drivers
run_testpmd() { # vdev0 vdev1 [eal args]
	local v0=$1 v1=$2; shift 2
	timeout -s INT "$((secs + 2))" dpdk-testpmd -l "$lcores" --in-memory --no-pci \
		--file-prefix "iopethb$$" --log-level=lib.eal:error "$@" --vdev "$v0" --vdev "$v1" -- \
		--forward-mode=io --stats-period=1 --no-lsc-interrupt >"$tmp/testpmd.log" 2>&1 || true
	grep -E '^ +Rx-pps:' "$tmp/testpmd.log" | awk '{print $2}' | tail -n +5 |
		awk '{s += $1; n++} END {if (n == 0) exit 1; printf "%.0f\n", s / n}' ||
		{ echo "ethdev.sh: no Rx-pps lines from dpdk-testpmd:" >&2; tail "$tmp/testpmd.log" >&2; exit 1; }
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), lcores $lcores, ${secs} s per run"
ratios=() a_all=() b_all=()
for i in $(seq "$pairs"); do
	a=$(run_testpmd net_null0 net_null1)
	b=$(run_testpmd "net_iop0,spec=[null],iommu=sim,sim-topology=$tmp/t.topo" "net_iop1,spec=[null]" -d "$so")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
	echo "P6 pair $i: net_null $(awk -v v="$a" 'BEGIN{printf "%.2f", v/1e6}') Mpps/port, net_iop $(awk -v v="$b" 'BEGIN{printf "%.2f", v/1e6}') Mpps/port, ratio $r"
	ratios+=("$r") a_all+=("$a") b_all+=("$b")
done
med=$(printf '%s\n' "${ratios[@]}" | median)
lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)
hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
printf '{"bench":"P6","anchor":"dpdk-testpmd net_null io","net_null_pps_per_port":%.0f,"net_iop_pps_per_port":%.0f,"ratio":%s,"min":%s,"max":%s,"pairs":%d,"seconds":%s}\n' \
	"$(printf '%s\n' "${a_all[@]}" | median)" "$(printf '%s\n' "${b_all[@]}" | median)" "$med" "$lo" "$hi" "$pairs" "$secs"
