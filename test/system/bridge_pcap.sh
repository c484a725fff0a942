#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The pcap wire: a capture replayed into port 0 crosses the bridge and is
# recorded on port 1, byte for byte, once and with loop=3; no namespace.
# Bad pcap inputs end with one "iop-bridge: ..." line and exit 1.
#
#   bridge_pcap.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: needs 32 free 2 MiB hugepages, $free free"; exit 77; }
tmp=$(mktemp -d /tmp/iop-pcap-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; sed 's/^/  | /' "$tmp/err" "$tmp/out"; failed=1; }

bridge() { # args...: the bridge on one lcore, sim ports only
	timeout 60 "$bridge_bin" -l 0 --in-memory --file-prefix "ioppcap$$" -- "$@" \
		>"$tmp/out" 2>"$tmp/err"
}

python3 "$here/pcap_tool.py" make "$tmp/in.pcap" 02:00:00:aa:bb:01

# once: out.pcap holds exactly the frames of in.pcap
bridge --port "sim:wire=pcap,rx=$tmp/in.pcap" --port "sim:wire=pcap,tx=$tmp/out.pcap" \
	--duration=1.5 --json-stats="$tmp/stats.json"
rc=$?
[ "$rc" = 0 ] || fail "replay: exit $rc"
python3 "$here/pcap_tool.py" same "$tmp/in.pcap" "$tmp/out.pcap" || fail "replay differs"
python3 - "$tmp/stats.json" <<'PY' || fail "replay counters"
import json, sys
p = json.load(open(sys.argv[1]))["ports"]
assert p[0]["rx_packets"] == 202 and p[0]["forwarded"] == 202, p[0]
assert p[1]["tx_packets"] == 202 and p[1]["dropped"] == 0, p[1]
PY
echo "ok: 202 frames replayed through the bridge, byte-identical"

# loop=3: three passes, in order
bridge --port "sim:wire=pcap,rx=$tmp/in.pcap,loop=3" --port "sim:wire=pcap,tx=$tmp/out3.pcap" \
	--duration=1.5
[ $? = 0 ] || fail "loop=3: exit"
python3 - "$here" "$tmp/in.pcap" "$tmp/out3.pcap" <<'PY' || fail "loop=3 differs"
import sys
sys.path.insert(0, sys.argv[1])
import pcap_tool
a, b = pcap_tool.read(sys.argv[2]), pcap_tool.read(sys.argv[3])
assert b == a * 3, "%d frames, want %d" % (len(b), 3 * len(a))
print("ok: loop=3: %d frames, three passes byte-identical" % len(b))
PY

# the ports' xstats against the far side (the files), through telemetry
if command -v dpdk-telemetry.py >/dev/null; then
	timeout 60 "$bridge_bin" -l 0 --in-memory --file-prefix "ioppcapt$$" -- \
		--port "sim:wire=pcap,rx=$tmp/in.pcap" --port "sim:wire=pcap,tx=$tmp/outt.pcap" \
		--duration=8 >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# the 202 frames cross in well under a second; on a loaded host the
	# start (and so the telemetry socket) may take longer: ask again
	sleep 2.5
	for _ in $(seq 10); do
		printf '%s\n' /iop/xstats,0 /iop/xstats,1 | dpdk-telemetry.py -f "ioppcapt$$" >"$tmp/replies" 2>&1
		[ "$(grep -c '^{' "$tmp/replies")" = 2 ] && break
		sleep 0.5
	done
	wait $pid || fail "telemetry run: exit"
	python3 - "$here" "$tmp/in.pcap" "$tmp/outt.pcap" "$tmp/replies" <<'PY' || fail "xstats vs the files"
import json, sys
sys.path.insert(0, sys.argv[1])
import pcap_tool
sent, got = pcap_tool.read(sys.argv[2]), pcap_tool.read(sys.argv[3])
x0, x1 = [json.loads(l)["/iop/xstats"] for l in open(sys.argv[4]) if l.startswith("{")]
assert got == sent, "recorded %d frames of %d" % (len(got), len(sent))
assert x0["rx_good_packets"] == len(sent) and x0["rx_good_bytes"] == sum(map(len, sent)), x0
assert x1["tx_good_packets"] == len(got) and x1["tx_good_bytes"] == sum(map(len, got)), x1
assert x1["tx_errors"] == 0 and x0["rx_errors"] == 0 and x0["tx_full"] == 0, (x0, x1)
print("ok: xstats: port 0 rx %d frames / %d bytes, port 1 tx the same, as the files hold"
      % (x0["rx_good_packets"], x0["rx_good_bytes"]))
PY
fi

# a tx file that cannot take the frames (/dev/full): said once, and the
# port stops taking frames, so what it counts is at most one burst
bridge --port "sim:wire=pcap,rx=$tmp/in.pcap,loop=0" --port "sim:wire=pcap,tx=/dev/full" \
	--duration=1 --json-stats="$tmp/full.json"
rc=$?
[ "$rc" = 0 ] && [ "$(grep -c 'writing its tx file failed' "$tmp/err")" = 1 ] || fail "tx to /dev/full: exit $rc"
python3 - "$tmp/full.json" <<'PY' || fail "tx to /dev/full: counters"
import json, sys
p = json.load(open(sys.argv[1]))["ports"]
# held for --tx-hold-ms first (tx_hold_expired), dropped at once after
d = p[0]["drops"]
assert p[1]["tx_packets"] <= 32 and d["tx_hold_expired"] + d["tx_full"] > 0, p
print("ok: tx file full: port 1 counted %d frames, then took none (tx_hold_expired %d, tx_full %d)"
      % (p[1]["tx_packets"], d["tx_hold_expired"], d["tx_full"]))
PY

# bad input: one line, exit 1, nothing left running
bad() { # name expected-text port-spec...
	local name=$1 want=$2; shift 2
	local args=()
	for s in "$@"; do args+=(--port "$s"); done
	bridge "${args[@]}" --duration=1
	local rc=$? lines
	lines=$(grep -c '^iop-bridge: ' "$tmp/err")
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -qF -- "$want" "$tmp/err"; then
		echo "ok: $name: $(grep '^iop-bridge: ' "$tmp/err")"
	else
		fail "$name: exit $rc, $lines error lines, wanted '$want'"
	fi
}
echo "not a capture" >"$tmp/text.pcap"
bad "missing rx file" "cannot read rx=$tmp/none.pcap: $tmp/none.pcap: No such file or directory" \
	"sim:wire=pcap,rx=$tmp/none.pcap" "sim:wire=gen"
bad "not a pcap" "cannot read rx=$tmp/text.pcap: unknown file format" \
	"sim:wire=pcap,rx=$tmp/text.pcap" "sim:wire=gen"
bad "unwritable tx" "cannot write tx=$tmp/no/dir/out.pcap" \
	"sim:wire=gen" "sim:wire=pcap,tx=$tmp/no/dir/out.pcap"
bad "neither rx nor tx" "the pcap wire needs rx=FILE" "sim:wire=pcap,loop=2" "sim:wire=gen"
bad "bad loop" "loop" "sim:wire=pcap,rx=$tmp/in.pcap,loop=many" "sim:wire=gen"
head -c 150 "$tmp/in.pcap" >"$tmp/cut.pcap"
bad "cut short" "is cut short after" "sim:wire=pcap,rx=$tmp/cut.pcap" "sim:wire=gen"

[ "$failed" = 0 ] || exit 1
echo "bridge_pcap: all checks passed"
