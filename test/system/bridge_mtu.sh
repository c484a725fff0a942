#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Frames the egress interface's MTU does not allow: dropped with a named
# reason, counted as sent never, and they block nothing behind them.
#
#   bridge_mtu.sh IOP_BRIDGE lowered|far_smaller|jumbo|flapping
#
# lowered: both ends of B's link go from MTU 1500 to 1400 while the bridge
#   runs; one 1462-byte frame (ping -s 1420) from A, then 20 ordinary
#   pings that must all come back.
# far_smaller: as lowered, but only the end inside B's namespace goes to
#   1400: the kernel takes the frame and the veth drops it (tx_dropped).
# jumbo: A's link at MTU 9000, B's at 1500; a 1516-byte untagged frame
#   (over B's MTU + 14), a 1518-byte 802.1Q frame (within MTU + 18) and
#   1000 numbered frames replayed from A must reach B, all but the first,
#   in the order sent.
# flapping: 10000 numbered 1462-byte frames stream from A to B at 5000
#   frames/s while B's root-side end flaps between MTU 1400 and 1500 every
#   0.1 s: frames sent in the few ms before the port reads the new MTU are
#   refused by the kernel (at least one must be, or the flapping is
#   repeated, up to 5 times). Every frame that reached port 0 arrives at B,
#   in order, or is a named drop (tx_oversize, tx_refused, or the bridge's).
# The others: the dropped frame is one tx_oversize, tx_refused or tx_link_dropped
# drop on port 1,
# and every port's counters equal the kernel's and the far capture's.
set -uo pipefail

bridge_bin=$1 case_=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns_lib.sh"

netns_needs ping tcpreplay dpdk-telemetry.py
netns_setup
if [ "$case_" = jumbo ]; then
	ip link set "$va" mtu 9000
	ip netns exec "$nsa" ip link set "${va}n" mtu 9000
fi
bridge_start 0-1 --forward-mode=l2 --stats-period=0
kernel_counters start
far_captures_start

# both hosts known to the bridge and to each other first
ip netns exec "$nsa" ping -c 2 -i 0.2 -w 10 10.99.0.2 >/dev/null || fail "first pings lost"

case $case_ in
lowered|far_smaller)
	[ "$case_" = lowered ] && ip link set "$vb" mtu 1400
	ip netns exec "$nsb" ip link set "${vb}n" mtu 1400
	# A still has MTU 1500: the frame leaves A whole and reaches port 1
	ip netns exec "$nsa" ping -c 1 -W 1 -s 1420 -M do 10.99.0.2 >/dev/null &&
		fail "a 1462-byte frame crossed an MTU of 1400"
	out=$(ip netns exec "$nsa" ping -c 20 -i 0.05 -w 10 10.99.0.2) || true
	echo "$out" | tail -2
	echo "$out" | grep -q " 0% packet loss" || fail "pings lost after one frame over the MTU"
	;;
jumbo)
	python3 "$here/pcap_tool.py" mtu "$tmp/in.pcap" "$tmp/want.pcap" "$mac_a"
	ip netns exec "$nsb" tcpdump -i "${vb}n" --immediate-mode -U -w "$tmp/out.pcap" \
		"ether src $mac_a and (udp port 9999 or (vlan and udp port 9999))" 2>"$tmp/tcpdump.log" &
	td=$!
	for _ in $(seq 50); do grep -q listening "$tmp/tcpdump.log" && break; sleep 0.1; done
	ip netns exec "$nsa" tcpreplay -q -i "${va}n" --pps=2000 "$tmp/in.pcap" >/dev/null 2>&1 ||
		fail "tcpreplay"
	sleep 1
	kill -INT $td; wait $td
	python3 "$here/pcap_tool.py" same "$tmp/want.pcap" "$tmp/out.pcap" ||
		fail "B did not get the frames that fit its MTU, in order"
	out=$(ip netns exec "$nsa" ping -c 5 -i 0.05 -w 10 10.99.0.2) || true
	echo "$out" | grep -q " 0% packet loss" || fail "pings lost after the replay"
	;;
flapping)
	python3 "$here/pcap_tool.py" stream "$tmp/in.pcap" "$mac_a" "$mac_b" 10000 1462
	# from here on port 0 receives the stream only (its IP is nobody's)
	port_stat() { # PORT XSTAT-NAME
		echo "/iop/xstats,$1" | dpdk-telemetry.py -f "iopsys$tag" 2>/dev/null | tail -1 |
			python3 -c "import json, sys; print(json.load(sys.stdin)['/iop/xstats']['$2'])"
	}
	port_stat 0 rx_good_packets >"$tmp/rx0.before"
	got_all=0
	for try in 1 2 3 4 5; do
		ip netns exec "$nsb" tcpdump -i "${vb}n" --immediate-mode -U -B 32768 \
			-w "$tmp/out.pcap" "ether src $mac_a and udp port 9999" 2>"$tmp/tcpdump.log" &
		td=$!
		for _ in $(seq 50); do grep -q listening "$tmp/tcpdump.log" && break; sleep 0.1; done
		ip netns exec "$nsa" tcpreplay -q -i "${va}n" --pps=5000 "$tmp/in.pcap" >/dev/null 2>&1 &
		tr=$!
		for _ in $(seq 10); do
			ip link set "$vb" mtu 1400; sleep 0.1
			ip link set "$vb" mtu 1500; sleep 0.1
		done
		wait $tr || fail "tcpreplay"
		sleep 1
		kill -INT $td; wait $td
		grep -q "^0 packets dropped by kernel" "$tmp/tcpdump.log" ||
			fail "the capture on B lost frames: $(cat "$tmp/tcpdump.log")"
		python3 "$here/pcap_tool.py" subseq "$tmp/in.pcap" "$tmp/out.pcap" ||
			fail "B got frames out of order or changed"
		got=$(python3 -c "import sys; sys.path.insert(0, '$here'); import pcap_tool; print(len(pcap_tool.read('$tmp/out.pcap')))")
		got_all=$((got_all + got))
		refused=$(port_stat 1 tx_refused)
		echo "try $try: $got frames arrived; port 1 so far: tx_oversize $(port_stat 1 tx_oversize), tx_refused $refused"
		[ "$refused" -ge 1 ] && break
		[ "$try" = 5 ] && fail "the kernel refused no frame in 5 tries: the refusal path was not exercised"
	done
	echo "$got_all" >"$tmp/got"
	;;
*)
	fail "unknown case $case_ (lowered, far_smaller, jumbo, flapping)"
	;;
esac

sleep 0.5
bridge_stop
far_captures_stop
kernel_counters end
conservation_check
if [ "$case_" = flapping ]; then
	python3 - "$tmp/stats.json" "$(cat "$tmp/rx0.before")" "$(cat "$tmp/got")" <<'PY' || fail "frames of the stream unaccounted for"
import json, sys
s = json.load(open(sys.argv[1]))
p0, p1 = s["ports"][0], s["ports"][1]["drops"]
entered, got = p0["rx_packets"] - int(sys.argv[2]), int(sys.argv[3])
dropped = p1["tx_oversize"] + p1["tx_refused"] + p1["tx_link_dropped"] + sum(
    p0["drops"][r] for r in ("tx_full", "filtered", "tx_hold_expired"))
print("stream: %d frames reached port 0; %d arrived at B, %d dropped (tx_oversize %d, tx_refused %d)"
      % (entered, got, dropped, p1["tx_oversize"], p1["tx_refused"]))
assert entered == got + dropped, "%d != %d + %d" % (entered, got, dropped)
assert p1["tx_refused"] >= 1
PY
	echo "ok: $case_"
	exit 0
fi
python3 - "$tmp/stats.json" <<'PY' || fail "--json-stats: the frame over the MTU is not one named drop on port 1"
import json, sys
s = json.load(open(sys.argv[1]))
p1 = s["ports"][1]["drops"]
over = p1["tx_oversize"] + p1.get("tx_refused", 0) + p1.get("tx_link_dropped", 0)
assert over == 1, p1
assert all(p["dma_faults"] == 0 for p in s["ports"]), s
print("json: port 1 dropped the frame over its MTU (tx_oversize %d, tx_refused %d, tx_link_dropped %d)"
      % (p1["tx_oversize"], p1.get("tx_refused", 0), p1.get("tx_link_dropped", 0)))
PY
echo "ok: $case_"
