#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Debian's unmodified dpdk-testpmd forwarding between two network namespaces
# through two net_iop ports (sim NICs on af_packet wires), loaded with -d:
#   - ping (0% loss) and an iperf3 TCP stream cross it;
#   - conservation against the kernel: each port's RX/TX equals what the
#     kernel counted on its veth (/sys/class/net/*/statistics), and every
#     frame the kernel delivered to one port left by the other or is in
#     testpmd's own drop counts;
#   - dpdk-proc-info (--stats, --xstats) and dpdk-telemetry.py /ethdev/stats
#     read the running testpmd's ports;
#   - dpdk-dumpcap captures pings on one port and tcpdump reads the file;
#   - testpmd's interactive commands under traffic: show port stats,
#     stop/start forwarding, port stop/start, set fwd rxonly (the kernel
#     sees nothing leave) and back to io (pings cross again);
#   - the kernel takes a veth down and up: RTE_ETH_EVENT_INTR_LSC each time;
#   - quit: every port closes, the iopath context goes with the last one.
#
#   ethdev_testpmd.sh LIBRTE_NET_IOP_SO
#
# Needs root, dpdk-testpmd (dpdk package), free hugepages; exits 77
# (skipped) without them. Removes its namespaces and veths on any exit.
set -uo pipefail

so=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns_lib.sh"
. "$here/../net_iop_copy.sh"
. "$here/testpmd_lib.sh"

netns_hugepages=200 netns_needs dpdk-testpmd dpdk-proc-info dpdk-dumpcap dpdk-telemetry.py ping iperf3
[ -f "$so" ] || skip "no $1: the build skipped net_iop (no DPDK driver SDK headers: run scripts/setup)"
net_iop_copy "$so" || fail "cannot copy $so into a private folder under /run"
so=$net_iop_so

# --- two hosts, each behind a veth whose root-side end a net_iop port owns ----
netns_setup

# kernel counters of the root-side veths: "rx_a tx_a rx_b tx_b"
kcount() {
	local s=/sys/class/net
	echo "$(cat $s/$va/statistics/rx_packets) $(cat $s/$va/statistics/tx_packets)" \
	     "$(cat $s/$vb/statistics/rx_packets) $(cat $s/$vb/statistics/tx_packets)"
}

# --- testpmd, driven through its prompt on a fifo -------------------------------
prefix=iopeth$tag
testpmd_start "$so" "$prefix" --forward-mode=io --nb-cores=1
grep -q "Port 1: " "$tmp/testpmd.log" || fail "testpmd did not configure port 1"

# counter NAME of port P in testpmd's or dpdk-proc-info's stats on stdin
counter() {
	python3 -c '
import re, sys
p, k, text = sys.argv[1], sys.argv[2], sys.stdin.read()
blk = text.split("NIC statistics for port %s " % p)[1].split("\n", 1)[1].split("#####")[0]
print(int(re.search(k + r":\s+(\d+)", blk).group(1)))' "$1" "$2"
}

cmd "start" >/dev/null
sleep 0.5
cmd "clear port stats all" >/dev/null
read -r k0ra k0ta k0rb k0tb <<<"$(kcount)"

# --- ping and iperf3 through testpmd ----------------------------------------------
out=$(ip netns exec "$nsa" ping -c 20 -i 0.05 -W 2 10.99.0.2) || true
echo "$out" | tail -2
grep -q " 0% packet loss" <<<"$out" || fail "ping through testpmd lost packets"
ip netns exec "$nsb" iperf3 -s -1 -D -B 10.99.0.2 || fail "iperf3 server"
sleep 0.5
out=$(timeout 30 ip netns exec "$nsa" iperf3 -c 10.99.0.2 -t 3) || fail "iperf3: $out"
echo "$out" | grep -E "receiver$"

# --- conservation against the kernel's counters -------------------------------------
sleep 1.5  # the af_packet rx blocks are handed over within 1 ms; TCP has closed
stop_out=$(cmd "stop")
read -r k1ra k1ta k1rb k1tb <<<"$(kcount)"
stats=$(cmd "show port stats all")
for p in 0 1; do
	for k in RX-packets RX-missed RX-errors TX-packets TX-errors; do
		v=$(echo "$stats" | counter $p $k) || fail "no $k for port $p: $stats"
		eval "${k//-/_}_$p=$v"
	done
done
rx0=$RX_packets_0 miss0=$RX_missed_0 ierr0=$RX_errors_0 tx0=$TX_packets_0 oerr0=$TX_errors_0
rx1=$RX_packets_1 miss1=$RX_missed_1 ierr1=$RX_errors_1 tx1=$TX_packets_1 oerr1=$TX_errors_1
fwd_drop=$(echo "$stop_out" | python3 -c '
import re, sys
t = sys.stdin.read().split("Accumulated forward statistics")[1]
print(int(re.search(r"TX-dropped:\s+(\d+)", t).group(1)))') || fail "no forward statistics after stop"
kra=$((k1ra - k0ra)) kta=$((k1ta - k0ta)) krb=$((k1rb - k0rb)) ktb=$((k1tb - k0tb))
echo "kernel: $va rx $kra tx $kta, $vb rx $krb tx $ktb; testpmd: port 0 rx $rx0 (+$miss0 missed) tx $tx0, port 1 rx $rx1 (+$miss1 missed) tx $tx1, forward drops $fwd_drop"
[ "$kra" -gt 1000 ] || fail "only $kra frames reached $va: iperf3 did not run through testpmd"
[ $((rx0 + miss0 + ierr0)) = "$kra" ] || fail "port 0 received $rx0 (+$miss0 missed, $ierr0 errors), the kernel sent it $kra"
[ $((rx1 + miss1 + ierr1)) = "$krb" ] || fail "port 1 received $rx1 (+$miss1 missed, $ierr1 errors), the kernel sent it $krb"
[ "$tx0" = "$kta" ] || fail "port 0 counts $tx0 sent, the kernel got $kta from it"
[ "$tx1" = "$ktb" ] || fail "port 1 counts $tx1 sent, the kernel got $ktb from it"
[ $((rx0 + rx1)) = $((tx0 + tx1 + oerr0 + oerr1 + fwd_drop)) ] || \
	fail "forwarded frames do not balance: received $((rx0 + rx1)), sent $((tx0 + tx1)), tx errors $((oerr0 + oerr1)), forward drops $fwd_drop"
cmd "start" >/dev/null

# --- dpdk-proc-info and telemetry read the running ports --------------------------
out=$(timeout 30 dpdk-proc-info --file-prefix "$prefix" --no-pci -d "$so" -- --stats 2>&1) \
	|| fail "dpdk-proc-info: $out"
grep -q "NIC statistics for port 1" <<<"$out" || fail "dpdk-proc-info sees no port 1: $out"
rxpi=$(echo "$out" | counter 0 RX-packets) || fail "dpdk-proc-info: no RX-packets for port 0: $out"
[ "$rxpi" -ge "$rx0" ] || fail "dpdk-proc-info: port 0 RX-packets $rxpi, testpmd counted $rx0 before"
out=$(timeout 30 dpdk-proc-info --file-prefix "$prefix" --no-pci -d "$so" -- --xstats 2>&1) \
	|| fail "dpdk-proc-info --xstats: $out"
for x in dma_faults: iova_cache_hits: iova_cache_misses: rx_ring_full:; do
	grep -q "$x" <<<"$out" || fail "dpdk-proc-info --xstats has no $x: $out"
done
faults=$(echo "$out" | awk '/dma_faults:/ {s += $2} END {print s + 0}')
[ "$faults" = 0 ] || fail "$faults DMA faults"
hits=$(echo "$out" | awk '/iova_cache_hits:/ {s += $2} END {print s + 0}')
[ "$hits" -gt 0 ] || fail "the IOVA caches counted no hit"
echo "proc-info: port 0 RX-packets $rxpi, DMA faults 0, IOVA cache hits $hits"
out=$(echo "/ethdev/stats,0" | timeout 20 dpdk-telemetry.py -f "$prefix" 2>&1 | tail -1)
python3 -c '
import json, sys
s = json.loads(sys.argv[1])["/ethdev/stats"]
assert s["ipackets"] >= int(sys.argv[2]), s
print("telemetry /ethdev/stats,0: ipackets", s["ipackets"], "opackets", s["opackets"])' "$out" "$rx0" \
	|| fail "telemetry /ethdev/stats,0: $out"
out=$(echo "/ethdev/list" | timeout 20 dpdk-telemetry.py -f "$prefix" 2>&1 | tail -1)
grep -q '"/ethdev/list": \[0, 1\]' <<<"$out" || fail "telemetry /ethdev/list: $out"

# --- dpdk-dumpcap captures, tcpdump reads ----------------------------------------------
# dpdk-dumpcap takes no EAL options (-d): the PMD is preloaded instead.
# Debian's dpdk-testpmd links some PMDs (mempool_dpaa among them) directly,
# so its table of mempool ops is in another order than dpdk-dumpcap's, and
# the pool dumpcap creates would run with the wrong ops inside testpmd
# (net_null fails the same way): preloading testpmd's PMDs aligns them.
pre=$(ldd "$(command -v dpdk-testpmd)" | awk '/pmds-/ {print $3}' | tr '\n' ' ')
LD_PRELOAD="$pre$so" timeout 30 dpdk-dumpcap --file-prefix "$prefix" -i 0 -c 10 -w "$tmp/cap.pcapng" \
	>"$tmp/dumpcap.log" 2>&1 &
dc=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/dumpcap.log" && break; sleep 0.1; done
ip netns exec "$nsa" ping -c 15 -i 0.1 -W 2 10.99.0.2 >/dev/null
wait $dc || fail "dpdk-dumpcap failed: $(cat "$tmp/dumpcap.log")"
n=$(tcpdump -nr "$tmp/cap.pcapng" 'icmp and host 10.99.0.1' 2>/dev/null | wc -l)
[ "$n" -ge 5 ] || fail "tcpdump read $n ICMP frames from dpdk-dumpcap's file: $(tcpdump -nr "$tmp/cap.pcapng" 2>&1 | head)"
echo "dumpcap: tcpdump reads $n ICMP frames of port 0"

# --- interactive commands under traffic -----------------------------------------------
ip netns exec "$nsa" ping -i 0.05 -W 1 10.99.0.2 >/dev/null 2>&1 &
bg_ping=$!
sleep 0.5
out=$(cmd "show port stats all"); grep -q "NIC statistics for port 1" <<<"$out" || fail "show port stats all"
cmd "stop" >/dev/null
out=$(cmd "port stop all"); grep -q "Stopping ports" <<<"$out" || fail "port stop all"
cmd "port start all" >/dev/null
out=$(cmd "show port info 0"); grep -q "Link status: up" <<<"$out" || fail "port 0 link not up after port start"
out=$(cmd "set fwd rxonly"); grep -q "rxonly" <<<"$out" || fail "set fwd rxonly"
cmd "start" >/dev/null
read -r _ _ _ t0 <<<"$(kcount)"
read -r r0 _ _ _ <<<"$(kcount)"
sleep 1
read -r r1 _ _ t1 <<<"$(kcount)"
[ "$t1" = "$t0" ] || fail "rxonly: $((t1 - t0)) frames left port 1"
[ "$r1" -gt "$r0" ] || fail "rxonly: no ping reached port 0"
cmd "stop" >/dev/null
cmd "set fwd io" >/dev/null
cmd "start" >/dev/null
kill $bg_ping 2>/dev/null; wait $bg_ping 2>/dev/null
out=$(ip netns exec "$nsa" ping -c 10 -i 0.05 -W 2 10.99.0.2) || true
grep -q " 0% packet loss" <<<"$out" || fail "ping after port stop/start and set fwd io: $(echo "$out" | tail -2)"
echo "interactive: port stop/start, rxonly (nothing left port 1), io again: ping 0% loss"

# --- the kernel takes a link down and up: LSC events, link status ---------------------
link_event() { # count of "Port 1: link state change event" lines so far
	grep -c "Port 1: link state change event" "$tmp/testpmd.log"
}
ev0=$(link_event)
ip link set "$vb" down
for _ in $(seq 30); do [ "$(link_event)" -gt "$ev0" ] && break; sleep 0.1; done
[ "$(link_event)" -gt "$ev0" ] || fail "no link state change event for port 1 after ip link set $vb down"
out=$(cmd "show port info 1"); grep -q "Link status: down" <<<"$out" || fail "port 1 link not down: $out"
ip link set "$vb" up
for _ in $(seq 30); do [ "$(link_event)" -gt $((ev0 + 1)) ] && break; sleep 0.1; done
[ "$(link_event)" -gt $((ev0 + 1)) ] || fail "no link state change event for port 1 after ip link set $vb up"
out=$(cmd "show port info 1"); grep -q "Link status: up" <<<"$out" || fail "port 1 link not up again: $out"
echo "link: ip link set $vb down/up gave two LSC events and the status of each"

# --- quit: ports close, the context goes with the last ----------------------------
cmd "stop" >/dev/null
echo "quit" >&3
exec 3>&-
for _ in $(seq 100); do kill -0 "$pmd_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pmd_pid" 2>/dev/null && fail "testpmd did not quit in 10 s"
wait "$pmd_pid"; rc=$?
pmd_pid=
[ "$rc" = 0 ] || fail "testpmd exited with $rc"
grep -q "Closing ports" "$tmp/testpmd.log" || fail "testpmd did not close its ports"
grep -qi "net_iop.*error\|failed" "$tmp/testpmd.log" && fail "errors in testpmd's log"
echo "ok: testpmd on net_iop"
