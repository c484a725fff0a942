#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The bridge on real Linux traffic: two network namespaces, each joined by
# a veth pair to an af_packet sim port of iop-bridge. Checks ping (0% loss),
# an iperf3 TCP stream, a replayed pcap captured byte-identical and in order
# on the far side, stats over telemetry, an oversize frame as a counted
# drop, zero DMA faults, a clean SIGINT stop, a balanced summary, and every
# port's counters against the kernel's interface counters and against what
# the far namespaces captured (conservation.py).
#
#   bridge_netns.sh IOP_BRIDGE MODE [IOAS [LCORES]]
#       MODE: l2|io   IOAS: shared|per-device   LCORES: EAL -l list (default 0-1)
#
# Needs root and free hugepages; exits 77 (skipped) without them. Creates
# only its own namespaces and veths, and removes them on any exit.
set -uo pipefail

bridge_bin=$1 mode=$2 ioas=${3:-shared} lcores=${4:-0-1}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns_lib.sh"

netns_needs ping iperf3 tcpreplay
netns_setup
bridge_start "$lcores" --forward-mode="$mode" --ioas="$ioas" --stats-period=1 --duration=100
echo "bridge: $mode mode, --ioas=$ioas, -l $lcores, pid $bridge_pid"
kernel_counters start
far_captures_start

# --- ping ---------------------------------------------------------------------
out=$(ip netns exec "$nsa" ping -c 20 -i 0.05 -w 10 10.99.0.2) || true
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

# --- clean stop, balanced summary, zero DMA faults, the kernel agrees -----
sleep 0.5
bridge_stop INT
grep -q "stopped by SIGINT" "$tmp/bridge.log" || fail "no summary after SIGINT"
far_captures_stop
kernel_counters end
conservation_check
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
