#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The bridge on real Linux traffic: two network namespaces, each joined by
# a veth pair to an af_packet sim port of iop-bridge. Checks ping (0% loss),
# an iperf3 TCP stream, a replayed pcap captured byte-identical on the far
# side, stats over telemetry, an oversize frame as a counted drop, zero DMA
# faults, a clean SIGINT stop and a balanced summary.
#
#   bridge_netns.sh IOP_BRIDGE MODE [IOAS [LCORES]]
#       MODE: l2|io   IOAS: shared|per-device   LCORES: EAL -l list (default 0-1)
#
# Needs root and free hugepages; exits 77 (skipped) without them. Creates
# only its own namespaces and veths, and removes them on any exit.
set -uo pipefail

bridge_bin=$1 mode=$2 ioas=${3:-shared} lcores=${4:-0-1}
here=$(cd "$(dirname "$0")" && pwd)
tag=$$
nsa=iop-sys-$tag-a nsb=iop-sys-$tag-b
va=iopa$tag vb=iopb$tag
tmp=$(mktemp -d /tmp/iop-sys-XXXXXX)
bridge_pid=

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$tmp/bridge.log" ] && sed 's/^/  bridge| /' "$tmp/bridge.log"; exit 1; }

cleanup() {
	[ -n "$bridge_pid" ] && kill -KILL "$bridge_pid" 2>/dev/null
	for ns in $nsa $nsb; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	ip link del "$va" 2>/dev/null
	ip link del "$vb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, packet sockets)"
for t in ip ping iperf3 tcpreplay tcpdump ethtool python3; do
	command -v $t >/dev/null || skip "needs $t (scripts/setup installs it)"
done
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 64 ] || skip "needs 64 free 2 MiB hugepages, $free free (scripts/setup reserves them)"

# --- two hosts, each behind a veth whose root-side end the bridge owns -----
i=0
for side in a b; do
	i=$((i + 1))
	ns=iop-sys-$tag-$side dev=iop$side$tag
	ip netns add "$ns" || fail "ip netns add $ns"
	ip link add "$dev" type veth peer name "${dev}n" || fail "ip link add $dev"
	ip link set "${dev}n" netns "$ns"
	# the root side carries only what the namespaces send
	sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
	ip link set "$dev" up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip link set "${dev}n" up
	ip netns exec "$ns" ip addr add "10.99.0.$i/24" dev "${dev}n"
	# a NIC sees finished frames: no checksum or segmentation offload
	# left for the far end to do (see doc/bridge.md)
	ip netns exec "$ns" ethtool -K "${dev}n" tx off tso off gso off >/dev/null 2>&1
done
mac_a=$(ip netns exec "$nsa" cat "/sys/class/net/${va}n/address")

# --- the bridge ---------------------------------------------------------------
"$bridge_bin" -l "$lcores" --in-memory --file-prefix "iopsys$tag" -- \
	--port "sim:wire=af_packet,iface=$va" --port "sim:wire=af_packet,iface=$vb" \
	--forward-mode="$mode" --ioas="$ioas" --stats-period=1 --duration=100 \
	--json-stats="$tmp/stats.json" >"$tmp/bridge.log" 2>&1 &
bridge_pid=$!
for _ in $(seq 100); do
	grep -q "port 1: " "$tmp/bridge.log" && break
	kill -0 "$bridge_pid" 2>/dev/null || fail "iop-bridge exited at start"
	sleep 0.1
done
grep -q "port 1: " "$tmp/bridge.log" || fail "iop-bridge did not start in 10 s"
echo "bridge: $mode mode, --ioas=$ioas, -l $lcores, pid $bridge_pid"

# --- ping ---------------------------------------------------------------------
out=$(ip netns exec "$nsa" ping -c 20 -i 0.05 -W 2 10.99.0.2) || true
echo "$out" | tail -2
echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets"

# --- iperf3 TCP ---------------------------------------------------------------
ip netns exec "$nsb" iperf3 -s -1 -D -B 10.99.0.2 || fail "iperf3 server"
sleep 0.5
out=$(timeout 30 ip netns exec "$nsa" iperf3 -c 10.99.0.2 -t 3) || fail "iperf3: $out"
echo "$out" | grep -E "receiver$"

# --- pcap replay, captured byte-identical ---------------------------------------
python3 "$here/pcap_tool.py" make "$tmp/in.pcap" "$mac_a"
ip netns exec "$nsb" tcpdump -i "${vb}n" --immediate-mode -U -w "$tmp/out.pcap" \
	"ether src $mac_a and udp port 9999" 2>"$tmp/tcpdump.log" &
td=$!
for _ in $(seq 50); do grep -q listening "$tmp/tcpdump.log" && break; sleep 0.1; done
ip netns exec "$nsa" tcpreplay -q -i "${va}n" --pps=2000 "$tmp/in.pcap" >/dev/null 2>&1 \
	|| fail "tcpreplay"
sleep 1
kill -INT $td; wait $td
python3 "$here/pcap_tool.py" same "$tmp/in.pcap" "$tmp/out.pcap" || fail "the capture differs from the pcap"

# --- stats through DPDK telemetry --------------------------------------------------
if command -v dpdk-telemetry.py >/dev/null; then
	out=$(echo "/iop/info,0" | dpdk-telemetry.py -f "iopsys$tag" 2>&1 | tail -1)
	echo "telemetry: ${out:0:120}..."
	echo "$out" | grep -q "\"name\": \"sim:wire=af_packet,iface=$va\"" || fail "telemetry /iop/info,0: $out"
fi

# --- a frame longer than the rx buffers: a counted drop ------------------------
# jumbo MTU on A's link only: 4000-byte pings reach port 0 and stop there
ip link set "$va" mtu 9000
ip netns exec "$nsa" ip link set "${va}n" mtu 9000
ip netns exec "$nsa" ping -c 3 -i 0.1 -W 1 -s 4000 10.99.0.2 >/dev/null && fail "a 4042-byte frame crossed 2048-byte buffers"

# --- clean stop, balanced summary, zero DMA faults -----------------------------
kill -INT "$bridge_pid"
wait "$bridge_pid"; rc=$?
bridge_pid=
sed -n '/stopped by/,$p' "$tmp/bridge.log"
[ "$rc" = 0 ] || fail "iop-bridge exited with $rc after SIGINT"
grep -q "stopped by SIGINT" "$tmp/bridge.log" || fail "no summary after SIGINT"
grep -q "NOT BALANCED" "$tmp/bridge.log" && fail "a port does not balance"
python3 - "$tmp/stats.json" <<'PY' || fail "--json-stats"
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s["ports"]) == 2, s
for p in s["ports"]:
    assert p["dma_faults"] == 0, p
    assert p["rx_packets"] > 200 and p["tx_packets"] > 200, p
assert s["ports"][0]["drops"]["rx_oversize"] >= 3, s["ports"][0]
print("json: %.1f s, dma faults 0 on both ports, %d oversize frames dropped"
      % (s["duration_s"], s["ports"][0]["drops"]["rx_oversize"]))
PY
echo "ok: $mode mode, --ioas=$ioas, -l $lcores"
