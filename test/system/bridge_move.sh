#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-bridge --move-every: port 0 moves live between two IOAS every 50 ms
# for 10 s while gen wires run at full rate, in io and l2 modes, shared and
# per-device layouts: no DMA fault, no frame dropped, the summary balances,
# the moves are counted (and /iop/info shows them, with the port's IOAS).
# A dual-port NIC in one IOMMU group: moving one port alone is refused at
# every tick while traffic goes on; --move-group moves both. On type1
# semantics (the sim's 'iommu type1') each move restarts the port.
#
#   bridge_move.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
tmp=$(mktemp -d /tmp/iop-move-XXXXXX)
prefix=iopmove$$
pid=
cleanup() { [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: needs 32 free 2 MiB hugepages, $free free"; exit 77; }

fail() { echo "FAIL: $1"; sed 's/^/  | /' "$tmp/out" "$tmp/err"; exit 1; }

# every port forwarded frames with no drop and no DMA fault
frames_ok() { # name
	grep -q "NOT BALANCED" "$tmp/out" && fail "$1: not balanced"
	python3 - "$tmp/stats.json" <<'PY' || fail "$1: json"
import json, sys
s = json.load(open(sys.argv[1]))
for p in s["ports"]:
    assert p["rx_packets"] > 0 and p["tx_packets"] > 0, p
    assert p["dropped"] == 0 and p["dma_faults"] == 0, p
PY
}

run() { # name args...
	local name=$1; shift
	"$bridge_bin" -l "${lcores:-0-1}" --in-memory --file-prefix "$prefix" -- --stats-period=0 \
		--json-stats="$tmp/stats.json" "$@" >"$tmp/out" 2>"$tmp/err"
}

gen2=(--port sim:wire=gen --port sim:wire=gen)
for mode in io l2; do
	for layout in shared per-device; do
		name="$mode, $layout"
		run "$name" "${gen2[@]}" --forward-mode=$mode --ioas=$layout --duration=10 --move-every=50
		rc=$?
		[ "$rc" = 0 ] || fail "$name: exit $rc"
		grep -Eq "^move: port 0 moved [1-9][0-9]* times .*; 0 failed$" "$tmp/out" ||
			fail "$name: no move line"
		frames_ok "$name"
		echo "ok: $name: $(grep -o 'moved [0-9]* times' "$tmp/out"), $(grep -m1 '^port 0' "$tmp/out")"
	done
done

# one lcore that forwards, with a live line every 0.2 s and the link watch:
# their reads run on the control thread, never on the forwarding lcore, and
# the moves go on. (A sim move is too quick to show the stall they caused on
# that lcore; a guest's e1000e move, whose DMA stop takes milliseconds, hung
# the bridge there: vm_pci_move_iommufd_aw39.)
name="io, shared, one lcore"
lcores=0 run "$name" "${gen2[@]}" --stats-period=0.2 --duration=5 --move-every=50
rc=$?
[ "$rc" = 0 ] || fail "$name: exit $rc"
grep -Eq "^move: port 0 moved [1-9][0-9]* times .*; 0 failed$" "$tmp/out" || fail "$name: no move line, or moves failed: $(grep '^move:' "$tmp/out")"
frames_ok "$name"
echo "ok: $name: $(grep -o 'moved [0-9]* times' "$tmp/out")"

# type1 semantics (the sim with 'iommu type1'): no replace, so each move
# restarts port 0 through its device, a pause each time, with the bridge
# holding what it sends meanwhile: no drop, balanced, each pause printed
cat >"$tmp/type1.topo" <<'TOPO'
iommu type1
device 0000:00:01.0 group=1 driver=vfio-pci type=sim
device 0000:00:02.0 group=2 driver=vfio-pci type=sim
TOPO
name="io, per-device, type1"
run "$name" --iommu=sim --sim-topology="$tmp/type1.topo" --ioas=per-device \
	--port sim:wire=gen,dev=0000:00:01.0 --port sim:wire=gen,dev=0000:00:02.0 --duration=5 --move-every=50
rc=$?
[ "$rc" = 0 ] || fail "$name: exit $rc"
moves=$(sed -n 's/^move: port 0 moved \([1-9][0-9]*\) times .*), \([0-9]*\) with its queues paused .*; 0 failed$/\1 \2/p' "$tmp/out")
read -r made paused <<< "$moves"
if [ -z "${made:-}" ] || [ "$made" != "$paused" ]; then
	fail "$name: moves not all made, or not all paused: $(grep '^move:' "$tmp/out")"
fi
grep -Eq "^move: pauses of port 0 \(ms\): .*; median [0-9.]+, longest [0-9.]+$" "$tmp/out" || fail "$name: no pauses line"
frames_ok "$name"
echo "ok: $name: $made moves, each a restart: $(grep -o 'median.*' "$tmp/out")"

# a dual-port NIC: its functions share IOMMU group 7
cat >"$tmp/group.topo" <<'TOPO'
group 7
device 0000:05:00.0 group=7 driver=vfio-pci type=sim
device 0000:05:00.1 group=7 driver=vfio-pci type=sim
TOPO
grp=(--iommu=sim --sim-topology="$tmp/group.topo"
     --port sim:wire=gen,dev=0000:05:00.0 --port sim:wire=gen,dev=0000:05:00.1)
run "group alone" "${grp[@]}" --duration=2 --move-every=50
rc=$?
[ "$rc" = 3 ] || fail "group alone: exit $rc, wanted 3 (moves failed)"
grep -q "cannot move port 0 (0000:05:00.0) alone: IOMMU group 7 also holds port 1 (0000:05:00.1)" "$tmp/err" ||
	fail "group alone: no refusal naming port 1"
[ "$(grep -c 'cannot move port 0' "$tmp/err")" = 1 ] || fail "group alone: the refusal is not printed once"
grep -Eq "^move: port 0 moved 0 times .*; [1-9][0-9]* failed, first: .*cannot move port 0" "$tmp/out" ||
	fail "group alone: move line"
frames_ok "group alone"
echo "ok: group alone: refused, $(grep -m1 '^port 0' "$tmp/out")"

# with the group: both go, and /iop/info shows where and how often
if command -v dpdk-telemetry.py >/dev/null; then
	"$bridge_bin" -l 0-1 --in-memory --file-prefix "$prefix" -- --stats-period=0 \
		--json-stats="$tmp/stats.json" "${grp[@]}" --move-every=50 --move-group \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q "port 1:" "$tmp/out" && break
		kill -0 $pid 2>/dev/null || fail "group: iop-bridge exited"
		sleep 0.1
	done
	sleep 1
	printf '%s\n' /iop/info,0 /iop/info,1 | dpdk-telemetry.py -f "$prefix" >"$tmp/replies" 2>&1
	kill -TERM $pid
	wait $pid
	rc=$?
	pid=
	[ "$rc" = 0 ] || fail "group: exit $rc"
	python3 - "$tmp/replies" "$tmp/out" <<'PY' || fail "group: /iop/info"
import json, re, sys
info = [json.loads(l)["/iop/info"] for l in open(sys.argv[1]) if l.startswith("{")]
assert len(info) == 2, info
# the group moves whole: both ports on one IOAS, moved as often
assert info[0]["ioas"] == info[1]["ioas"] >= 1, info
assert info[0]["moves"] >= 1 and abs(info[0]["moves"] - info[1]["moves"]) <= 1, info
out = open(sys.argv[2]).read()
m = re.search(r"^move: port 0 moved (\d+) times .*; 0 failed$", out, re.M)
assert m and int(m.group(1)) >= info[0]["moves"], out
PY
	frames_ok "group"
	echo "ok: group with --move-group: $(grep -o 'moved [0-9]* times' "$tmp/out")"
else
	echo "note: no dpdk-telemetry.py: /iop/info not checked (scripts/setup installs dpdk-dev)"
fi
