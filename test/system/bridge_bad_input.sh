#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-bridge on bad input: each case must end with a nonzero exit and one
# "iop-bridge: ..." line on stderr that says what is wrong. (The default sim
# topology is built into the library: the bridge writes no file to clean up.)
#
#   bridge_bad_input.sh IOP_BRIDGE
#
# Needs root (packet sockets, a veth) and free hugepages; exits 77 without.
set -uo pipefail

bridge_bin=$1
tag=$$
down=iopd$tag
tmp=$(mktemp -d /tmp/iop-bad-XXXXXX)
failed=0

skip() { echo "skip: $*"; exit 77; }
cleanup() { ip link del "$down" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

[ "$(id -u)" = 0 ] || skip "needs root (packet sockets, a veth)"
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || skip "needs 32 free 2 MiB hugepages, $free free (scripts/setup reserves them)"
ip link add "$down" type veth peer name "${down}p" || skip "cannot create a veth pair"

# case NAME EXPECTED-TEXT [EAL args] -- [app args]
case_() {
	local name=$1 want=$2; shift 2
	local eal=() rc lines
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do eal+=("$1"); shift; done
	shift
	timeout 30 "$bridge_bin" -l 0 --in-memory --file-prefix "iopbad$tag" "${eal[@]}" -- \
		--duration=5 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(grep -c '^iop-bridge: ' "$tmp/err")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$lines" = 1 ] && grep -qF -- "$want" "$tmp/err"; then
		echo "ok: $name: exit $rc: $(grep '^iop-bridge: ' "$tmp/err")"
	else
		echo "FAIL: $name: exit $rc, $lines error lines, wanted '$want'"
		sed 's/^/  | /' "$tmp/err" "$tmp/out"
		failed=1
	fi
}

case_ "move of a port without a device" "--move-every: port 0 (null) has no IOMMU device to move" -- \
	--port null --port null --move-every=50
case_ "unknown port type" "unknown port type 'bogus'" -- --port bogus --port null
case_ "unknown key" "unknown key 'speed' for type sim" -- \
	--port sim:wire=gen,speed=10 --port sim:wire=gen
case_ "key of another wire" "key 'iface' does not apply to wire=gen" -- \
	--port sim:wire=gen,iface=lo --port sim:wire=gen
case_ "missing interface" "no interface 'iopnosuch$tag'" -- \
	--port "sim:wire=af_packet,iface=iopnosuch$tag" --port sim:wire=gen
case_ "interface down" "interface $down is down: ip link set $down up" -- \
	--port "sim:wire=af_packet,iface=$down" --port sim:wire=gen
case_ "odd port count in io mode" "give an even number of ports (got 3)" -- \
	--port null --port null --port null
case_ "more queues than the PMD has" "driver sim supports at most 8 rx/8 tx" -- \
	--port sim:wire=af_packet,iface=lo --port sim:wire=gen --queues=9
case_ "too few mbufs" "--mbufs=100 is too few" -- --port null --port null --mbufs=100
case_ "too few hugepages" "reserve more hugepages" --socket-limit=8 -- --port null --port null
case_ "unknown forward mode" "unknown --forward-mode=hub" -- --port null --port null --forward-mode=hub
case_ "unknown argument" "unknown argument '--color'" -- --port null --port null --color

exit $failed
