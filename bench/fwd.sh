#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Forwarding benchmarks of iop-bridge, each a ratio against an anchor run
# on the same cores in the same session (doc/performance.md, "Forwarding"):
#
#   P2  iop-bridge io mode on two null ports
#       vs dpdk-testpmd --vdev net_null0 --vdev net_null1 --forward-mode=io
#   P3  iop-bridge io mode on two sim:wire=gen ports, buffer IOVAs from the
#       per-queue IOVA cache (iova=cache) vs DPDK's precomputed
#       mbuf->buf_iova (iova=mbuf; right here because the sim IOAS maps
#       IOVA = VA and the EAL runs with --iova-mode=va)
#
# The runs alternate (anchor, subject, anchor, ...) so that load from
# other work on the machine hits both alike; each figure is the median of
# the per-pair ratios. P3 compares frames per CPU second of the forwarding
# lcore (the bridge's forward_cpu_s), which time the lcore spent
# preempted by other work does not change; its wall-clock rates are shown
# too.
#
#   bench/fwd.sh [BUILD_DIR] [SECONDS] [PAIRS]     defaults: build 5 3
# Prints one human line per run and one JSON line per benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} secs=${2:-5} pairs=${3:-3}
bridge=$build/app/iop-bridge/iop-bridge
lcores=0-1
tmp=$(mktemp -d /tmp/iop-fwd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ -x "$bridge" ] || { echo "fwd.sh: no $bridge: bash scripts/build $build" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "fwd.sh: no dpdk-testpmd (package dpdk-dev)" >&2; exit 1; }

# of a --json-stats file: mean rx pps per port, its DMA faults, and mean
# rx frames per port per forwarding CPU second
json_pps() {
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); p=s["ports"]
rx = sum(x["rx_packets"] for x in p) / len(p)
print("%.0f %d %.0f" % (sum(x["rx_pps"] for x in p) / len(p), sum(x["dma_faults"] for x in p),
                        rx / s["forward_cpu_s"]))' "$1"
}

run_bridge() { # json-out args...
	local out=$1; shift
	"$bridge" -l "$lcores" --in-memory --file-prefix "iopfwd$$" --iova-mode=va \
		--log-level=lib.eal:error -- --stats-period=0 --duration="$secs" \
		--json-stats="$out" "$@" >"$tmp/bridge.log" 2>&1 \
		|| { cat "$tmp/bridge.log" >&2; exit 1; }
	json_pps "$out"
}

# testpmd prints Rx-pps per port every period: mean over the periods,
# leaving out the first (start-up)
run_testpmd() {
	timeout -s INT "$((${secs%.*} + 2))" dpdk-testpmd -l "$lcores" --in-memory \
		--file-prefix "iopfwdtp$$" --log-level=lib.eal:error --vdev net_null0 --vdev net_null1 -- \
		--forward-mode=io --stats-period=1 --no-lsc-interrupt >"$tmp/testpmd.log" 2>&1 || true
	grep -E '^ +Rx-pps:' "$tmp/testpmd.log" | awk '{print $2}' | tail -n +3 |
		awk '{s += $1; n++} END {if (n == 0) exit 1; printf "%.0f 0\n", s / n}' ||
		{ echo "fwd.sh: no Rx-pps lines from dpdk-testpmd:" >&2; tail "$tmp/testpmd.log" >&2; exit 1; }
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), lcores $lcores, ${secs} s per run"

# --- P2 ----------------------------------------------------------------------
ratios=() a_all=() b_all=()
for i in $(seq "$pairs"); do
	read -r a _ < <(run_testpmd)
	read -r b _ _ < <(run_bridge "$tmp/p2.json" --port null --port null --forward-mode=io)
	r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
	echo "P2 pair $i: testpmd $(awk -v v="$a" 'BEGIN{printf "%.2f", v/1e6}') Mpps/port, iop-bridge $(awk -v v="$b" 'BEGIN{printf "%.2f", v/1e6}') Mpps/port, ratio $r"
	ratios+=("$r") a_all+=("$a") b_all+=("$b")
done
p2=$(printf '%s\n' "${ratios[@]}" | median)
p2a=$(printf '%s\n' "${a_all[@]}" | median)
p2b=$(printf '%s\n' "${b_all[@]}" | median)
printf '{"bench":"P2","anchor":"dpdk-testpmd net_null io","testpmd_pps_per_port":%.0f,"bridge_pps_per_port":%.0f,"ratio":%s,"pairs":%d,"seconds":%s}\n' \
	"$p2a" "$p2b" "$p2" "$pairs" "$secs"

# --- P3 ----------------------------------------------------------------------
ratios=() a_all=() b_all=() aw_all=() bw_all=()
mpps() { awk -v v="$1" 'BEGIN {printf "%.2f", v / 1e6}'; }
for i in $(seq "$pairs"); do
	read -r aw fa a < <(run_bridge "$tmp/p3a.json" --port sim:wire=gen,iova=mbuf --port sim:wire=gen,iova=mbuf)
	read -r bw fb b < <(run_bridge "$tmp/p3b.json" --port sim:wire=gen --port sim:wire=gen)
	[ "$fa" = 0 ] && [ "$fb" = 0 ] || { echo "fwd.sh: P3 runs had DMA faults ($fa, $fb): the figures are void" >&2; exit 1; }
	r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
	echo "P3 pair $i: iova=mbuf $(mpps "$a") Mpps/port/CPU-s ($(mpps "$aw") wall), iova=cache $(mpps "$b") Mpps/port/CPU-s ($(mpps "$bw") wall), ratio $r"
	ratios+=("$r") a_all+=("$a") b_all+=("$b") aw_all+=("$aw") bw_all+=("$bw")
done
p3=$(printf '%s\n' "${ratios[@]}" | median)
p3a=$(printf '%s\n' "${a_all[@]}" | median)
p3b=$(printf '%s\n' "${b_all[@]}" | median)
p3aw=$(printf '%s\n' "${aw_all[@]}" | median)
p3bw=$(printf '%s\n' "${bw_all[@]}" | median)
printf '{"bench":"P3","anchor":"sim gen, iova=mbuf (precomputed buf_iova)","mbuf_pps_per_port_per_cpu_s":%.0f,"cache_pps_per_port_per_cpu_s":%.0f,"mbuf_pps_per_port":%.0f,"cache_pps_per_port":%.0f,"ratio":%s,"pairs":%d,"seconds":%s}\n' \
	"$p3a" "$p3b" "$p3aw" "$p3bw" "$p3" "$pairs" "$secs"
