#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-bridge's holds (doc/bridge.md, "Holding frames"), with gen wires at
# full rate while port 1 moves live every 50 ms with its queues paused
# (--move-pause): its tx takes nothing for each pause. With holds (the
# default) nothing is dropped and every port balances, in io and l2
# modes; with --tx-hold-ms=0 the same run drops what each pause left
# (tx_full), which shows the case is one the holds matter in. A port that
# never takes a frame (a pcap wire with nowhere to send) is held for once,
# for --tx-hold-ms, then given up: the held frames count as
# tx_hold_expired, later ones as tx_full, the run ends on time and
# balances.
#
#   bridge_hold.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/iop-hold-XXXXXX)
prefix=iophold$$
trap 'rm -rf "$tmp"' EXIT
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: needs 32 free 2 MiB hugepages, $free free"; exit 77; }

fail() { echo "FAIL: $1"; sed 's/^/  | /' "$tmp/out" "$tmp/err"; exit 1; }

run() { # args...
	timeout 120 "$bridge_bin" -l 0-1 --in-memory --file-prefix "$prefix" -- --stats-period=0 \
		--json-stats="$tmp/stats.json" "$@" >"$tmp/out" 2>"$tmp/err"
}

# the bridge's drops by reason, summed over the ports, as "reason=n ..."
drops() {
	python3 - "$tmp/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
tot = {}
for p in s["ports"]:
    assert p["dma_faults"] == 0, p
    for r, n in p["drops"].items():
        tot[r] = tot.get(r, 0) + n
print(" ".join("%s=%d" % kv for kv in sorted(tot.items()) if kv[1]))
PY
}

gen=(--port sim:wire=gen --port sim:wire=gen)
for mode in io l2; do
	name="$mode, paused moves"
	three=()
	[ $mode = l2 ] && three=(--port sim:wire=gen)
	run "${gen[@]}" "${three[@]}" --forward-mode=$mode --duration=4 --move-every=50 \
		--move-pause --move-port=1
	rc=$?
	[ "$rc" = 0 ] || fail "$name: exit $rc"
	grep -q "NOT BALANCED" "$tmp/out" && fail "$name: not balanced"
	grep -Eq "^move: port 1 moved [1-9][0-9]* times .*, [1-9][0-9]* with its queues paused .*; 0 failed$" \
		"$tmp/out" || fail "$name: no paused moves"
	d=$(drops) || fail "$name: json"
	[ -z "$d" ] || fail "$name: dropped $d"
	echo "ok: $name: $(grep -o 'moved [0-9]* times.*paused' "$tmp/out"), nothing dropped"
done

# the same pauses without holds lose frames: the case above is a real one
name="io, paused moves, --tx-hold-ms=0"
run "${gen[@]}" --duration=2 --move-every=50 --move-pause --move-port=1 --tx-hold-ms=0
rc=$?
[ "$rc" = 0 ] || fail "$name: exit $rc"
d=$(drops) || fail "$name: json"
[[ "$d" =~ ^tx_full=[1-9][0-9]*$ ]] || fail "$name: wanted tx_full drops only, got '$d'"
echo "ok: $name: $d"

# a port that never takes: held for 200 ms once, then given up
python3 "$here/pcap_tool.py" make "$tmp/in.pcap" 02:00:00:aa:bb:01
name="a port that never takes"
start=$(date +%s)
run --port sim:wire=gen --port "sim:wire=pcap,rx=$tmp/in.pcap" --duration=1.5 --tx-hold-ms=200
rc=$?
[ "$rc" = 0 ] || fail "$name: exit $rc"
[ $(($(date +%s) - start)) -lt 60 ] || fail "$name: the run did not end on time"
grep -q "NOT BALANCED" "$tmp/out" && fail "$name: not balanced"
python3 - "$tmp/stats.json" <<'PY' || fail "$name: json"
import json, sys
p = json.load(open(sys.argv[1]))["ports"][0]
d = p["drops"]
# one burst (32 at most) held and expired, then dropped at once
assert 1 <= d["tx_hold_expired"] <= 32, d
assert d["tx_full"] > 0 and p["forwarded"] == 0, p
assert p["rx_packets"] == d["tx_hold_expired"] + d["tx_full"], p
print("ok: a port that never takes: tx_hold_expired %d, then tx_full %d" % (d["tx_hold_expired"], d["tx_full"]))
PY
