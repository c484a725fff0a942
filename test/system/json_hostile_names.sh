#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every JSON document the apps write stays valid JSON whatever bytes a name
# holds: quotes, backslashes, control characters, bytes that are not UTF-8
# (a path or an interface name may hold any byte but NUL). Python's json
# module and `python3 -m json.tool` are the independent parsers; the names
# must come back as the bytes decoded with U+FFFD for what is not UTF-8.
#
#   json_hostile_names.sh IOP_BRIDGE IOP_DEVICES
#
# The bridge needs free hugepages; the veth case needs root (exit 77
# without hugepages; the veth case is skipped, with the reason, without root).
set -uo pipefail
bridge_bin=$1 devices_bin=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/iop-json-XXXXXX)
tag=$$
ifname=$(printf 'ij%s"\\\xff' "$((tag % 10000))")
cleanup() { ip link del "$ifname" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; sed 's/^/  | /' "$tmp/err" "$tmp/out" 2>/dev/null; failed=1; }

# check FILE EXPECTED-NAME-BYTES (python: the names in the document)
check() {
	python3 -m json.tool "$1" >/dev/null || { fail "python3 -m json.tool refuses $1"; return; }
	python3 - "$@" <<'PY' || fail "$1: the names did not come back"
import json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = [os.fsencode(a).decode("utf-8", "replace") for a in sys.argv[2:]]
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
found = list(strings(doc))
for w in want:
    assert any(w in f for f in found), (w, found)
print("ok: %s: valid JSON, %d hostile name(s) back as UTF-8 with U+FFFD" % (os.path.basename(sys.argv[1]), len(want)))
PY
}

# iop-devices: an error naming a path with every kind of hostile byte
topo=$(printf '%s/t"q\\b\x01\x1f\xff\xc3(\xc3\xa9.topo' "$tmp")
"$devices_bin" --json --sim-topology="$topo" list >"$tmp/devices.json" 2>"$tmp/err"
[ $? -ne 0 ] || fail "iop-devices: a missing topology did not fail"
check "$tmp/devices.json" "$topo"

free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: the bridge cases need 32 free 2 MiB hugepages, $free free"; exit 77; }

# iop-bridge: pcap ports whose paths hold a quote, a backslash, a byte
# that is not UTF-8 and one that is (port specs refuse control characters)
dir=$(printf '%s/d"q\\b\xff\xc3\xa9' "$tmp")
mkdir -p "$dir"
python3 "$here/pcap_tool.py" make "$dir/in.pcap" 02:00:00:aa:bb:01 >/dev/null
timeout 60 "$bridge_bin" -l 0 --in-memory --file-prefix "iopjson$tag" -- \
	--port "sim:wire=pcap,rx=$dir/in.pcap" --port "sim:wire=pcap,tx=$dir/out.pcap" \
	--duration 1 --stats-period 0 --json-stats "$tmp/bridge.json" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "bridge on hostile pcap paths: exit $?"
check "$tmp/bridge.json" "sim:wire=pcap,rx=$dir/in.pcap" "sim:wire=pcap,tx=$dir/out.pcap"

# a control character in a port spec is refused with one line, no JSON
timeout 60 "$bridge_bin" -l 0 --in-memory --file-prefix "iopjson$tag" -- \
	--port "$(printf 'sim:wire=pcap,rx=a\x01b')" --port null \
	--duration 1 --json-stats "$tmp/ctl.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c '^iop-bridge: ' "$tmp/err")" = 1 ] && [ ! -e "$tmp/ctl.json" ]; then
	echo "ok: a control character in a port spec: one line, exit $rc, no JSON file left"
else
	fail "control character in a spec: exit $rc"
fi

# iop-bridge on a veth whose name holds a quote, a backslash and 0xff
if [ "$(id -u)" != 0 ]; then
	echo "skip: the interface-name case needs root (a veth)"
elif ! ip link add name "$ifname" type veth peer name "ijp$tag" 2>"$tmp/err"; then
	fail "cannot create a veth named with hostile bytes"
else
	ip link set "$ifname" up && ip link set "ijp$tag" up
	timeout 60 "$bridge_bin" -l 0 --in-memory --file-prefix "iopjson$tag" -- \
		--port "sim:wire=af_packet,iface=$ifname" --port sim:wire=gen \
		--duration=1 --stats-period=0 --json-stats="$tmp/veth.json" >"$tmp/out" 2>"$tmp/err"
	[ $? = 0 ] || fail "bridge on a hostile interface name: exit $?"
	check "$tmp/veth.json" "sim:wire=af_packet,iface=$ifname"
fi
exit $failed
