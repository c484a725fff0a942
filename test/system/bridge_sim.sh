#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-bridge on sim ports only (generator and pair wires): every forwarding
# mode, on one lcore and on two, stopped by --duration and by SIGTERM; the
# summary balances and --json-stats has the documented fields.
#
#   bridge_sim.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
tmp=$(mktemp -d /tmp/iop-sim-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: needs 32 free 2 MiB hugepages, $free free"; exit 77; }

check() { # name rc-wanted stop-reason ports...
	local name=$1 want=$2 why=$3 rc=$4
	if [ "$rc" != "$want" ] || ! grep -q "stopped by $why" "$tmp/out" ||
	   grep -q "NOT BALANCED" "$tmp/out"; then
		echo "FAIL: $name: exit $rc"; sed 's/^/  | /' "$tmp/out" "$tmp/err"; exit 1
	fi
	python3 - "$tmp/stats.json" "$5" <<'PY' || { echo "FAIL: $name: json"; cat "$tmp/stats.json"; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["duration_s"] > 0
assert len(s["ports"]) == int(sys.argv[2])
for p in s["ports"]:
    for k in ("name", "rx_packets", "tx_packets", "dropped", "rx_pps", "tx_pps", "dma_faults"):
        assert k in p, k
    assert p["rx_packets"] > 0 and p["tx_packets"] > 0 and p["dma_faults"] == 0, p
PY
	echo "ok: $name: $(grep -m1 '^port 0' "$tmp/out")"
}

run() { # name lcores nports args...
	local name=$1 lcores=$2 n=$3; shift 3
	"$bridge_bin" -l "$lcores" --in-memory --file-prefix "iopsim$$" -- --stats-period=0.5 \
		--json-stats="$tmp/stats.json" "$@" >"$tmp/out" 2>"$tmp/err"
	check "$name" 0 duration $? "$n"
}

gen2=(--port sim:wire=gen --port sim:wire=gen)
run "io, one lcore" 0 2 "${gen2[@]}" --duration=1
run "io, two lcores" 0-1 2 "${gen2[@]}" --duration=1
run "macswap, two lcores" 0-1 2 "${gen2[@]}" --forward-mode=macswap --duration=1
run "io, two queues" 0-1 2 "${gen2[@]}" --queues=2 --duration=1
run "l2, one lcore, pair and gen" 0 4 --port sim:wire=pair,peer=1 --port sim:wire=pair,peer=0 \
	"${gen2[@]}" --forward-mode=l2 --duration=1
run "l2, per-device IOAS" 0-1 2 "${gen2[@]}" --forward-mode=l2 --ioas=per-device --duration=1

# SIGTERM stops cleanly with the same summary
"$bridge_bin" -l 0-1 --in-memory --file-prefix "iopsim$$" -- "${gen2[@]}" --stats-period=0.5 \
	--json-stats="$tmp/stats.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 2
kill -TERM $pid
wait $pid
check "SIGTERM" 0 SIGTERM $? 2
