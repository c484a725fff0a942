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
# The runs alternate (bench/pairs_lib.sh); each figure is the median of
# the per-pair ratios, with their range. P3 compares frames per CPU second of the forwarding
# lcore (the bridge's forward_cpu_s), which time the lcore spent
# preempted by other work does not change; its wall-clock rates are in
# its JSON line.
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

. bench/pairs_lib.sh

# of a --json-stats file: mean rx frames per port per forwarding CPU
# second, mean rx pps per port (wall clock), its DMA faults
json_pps() {
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); p=s["ports"]
rx = sum(x["rx_packets"] for x in p) / len(p)
print("%.0f %.0f %d" % (rx / s["forward_cpu_s"], sum(x["rx_pps"] for x in p) / len(p),
                        sum(x["dma_faults"] for x in p)))' "$1"
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
# leaving out the first two (start-up)
run_testpmd() {
	timeout -s INT "$((${secs%.*} + 2))" dpdk-testpmd -l "$lcores" --in-memory \
		--file-prefix "iopfwdtp$$" --log-level=lib.eal:error --vdev net_null0 --vdev net_null1 -- \
		--forward-mode=io --stats-period=1 --no-lsc-interrupt >"$tmp/testpmd.log" 2>&1 || true
	testpmd_pps "$tmp/testpmd.log" 2
}

# P2 compares wall-clock rates, P3 rates per CPU second (with no DMA fault)
p2_bridge() { local cpu wall f; read -r cpu wall f < <(run_bridge "$tmp/p2.json" --port null --port null --forward-mode=io); echo "$wall"; }
p3_run() { # json-out ports...
	local cpu wall f
	read -r cpu wall f < <(run_bridge "$@")
	[ "$f" = 0 ] || { echo "fwd.sh: a P3 run had $f DMA faults: the figures are void" >&2; exit 1; }
	echo "$cpu $wall"
}
p3_mbuf() { p3_run "$tmp/p3a.json" --port sim:wire=gen,iova=mbuf --port sim:wire=gen,iova=mbuf; }
p3_cache() { p3_run "$tmp/p3b.json" --port sim:wire=gen --port sim:wire=gen; }
wall_median() { printf '%s\n' "$@" | awk '{print $2}' | median; }

machine_line "$lcores" "$secs"

# --- P2 ----------------------------------------------------------------------
alternate P2 "$pairs" Mpps/port testpmd run_testpmd iop-bridge p2_bridge
printf '{"bench":"P2","anchor":"dpdk-testpmd net_null io","testpmd_pps_per_port":%.0f,"bridge_pps_per_port":%.0f,"ratio":%s,"min":%s,"max":%s,"pairs":%d,"seconds":%s}\n' \
	"$ALT_A" "$ALT_B" "$ALT_MEDIAN" "$ALT_MIN" "$ALT_MAX" "$pairs" "$secs"

# --- P3 ----------------------------------------------------------------------
alternate P3 "$pairs" Mpps/port/CPU-s iova=mbuf p3_mbuf iova=cache p3_cache
printf '{"bench":"P3","anchor":"sim gen, iova=mbuf (precomputed buf_iova)","mbuf_pps_per_port_per_cpu_s":%.0f,"cache_pps_per_port_per_cpu_s":%.0f,"mbuf_pps_per_port":%.0f,"cache_pps_per_port":%.0f,"ratio":%s,"min":%s,"max":%s,"pairs":%d,"seconds":%s}\n' \
	"$ALT_A" "$ALT_B" "$(wall_median "${ALT_A_LINES[@]}")" "$(wall_median "${ALT_B_LINES[@]}")" \
	"$ALT_MEDIAN" "$ALT_MIN" "$ALT_MAX" "$pairs" "$secs"
