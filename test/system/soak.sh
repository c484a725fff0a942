#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The soak: iop-soak forwards between two network namespaces (an iperf3
# TCP stream limited to 100 Mbit/s and pings) for SECONDS while its main
# lcore allocates and frees DPDK memory in a loop (lib/mem maps and unmaps
# hotplugged memory under live queues) and stops and starts both ports
# every 5 s, and telemetry is polled every second. Afterwards: zero DMA
# faults, every frame accounted for by the process and by the kernel's
# counters (conservation.py), and RSS, hugepages, pinned pages, IOVA
# mappings and open fds back to what they were after the first cycle.
#
#   soak.sh IOP_SOAK [SECONDS]      default: $IOP_SOAK (skipped without)
set -uo pipefail

soak_bin=$1 secs=${2:-${IOP_SOAK:-}}
here=$(cd "$(dirname "$0")" && pwd)
bridge_bin=$soak_bin
. "$here/netns_lib.sh"
RSS_SLACK_KIB=1024

[ -n "$secs" ] || skip "set IOP_SOAK=SECONDS (IOP_SOAK=600 bash scripts/test soak)"
netns_needs ping iperf3 dpdk-telemetry.py
[ "$secs" -ge 20 ] 2>/dev/null || fail "IOP_SOAK=$secs: give a whole number of seconds, at least 20"
netns_setup

"$soak_bin" -l 0-1 --in-memory --file-prefix "iopsoak$tag" -- \
	--iommu=sim --sim-topology="$here/soak.topo" \
	--port "sim:wire=af_packet,iface=$va" --port "sim:wire=af_packet,iface=$vb" \
	--duration="$secs" --cycle=5 --json="$tmp/stats.json" >"$tmp/bridge.log" 2>&1 &
bridge_pid=$!
started "^soak: forwarding" iop-soak
kernel_counters start

traffic=$((secs - 8))
ip netns exec "$nsb" iperf3 -s -1 -D -B 10.99.0.2 || fail "iperf3 server"
sleep 0.5
ip netns exec "$nsa" iperf3 -c 10.99.0.2 -t "$traffic" -b 100M >"$tmp/iperf.log" 2>&1 &
iperf_pid=$!
ip netns exec "$nsb" ping -i 0.2 -w "$traffic" 10.99.0.1 >"$tmp/ping.log" 2>&1 &
ping_pid=$!
polls=0 bad_polls=0
end=$((SECONDS + traffic))
while [ $SECONDS -lt $end ]; do
	# 30 s: a python start on a loaded 2-core machine can take seconds
	out=$(echo "/iop/stats,1" | timeout 30 dpdk-telemetry.py -f "iopsoak$tag" 2>&1 | tail -1)
	if echo "$out" | grep -q '"/iop/stats": {"ipackets": [0-9]*, "opackets": [0-9]*'; then
		polls=$((polls + 1))
	else
		bad_polls=$((bad_polls + 1)); echo "telemetry: no answer in 30 s, or a wrong one: '$out'"
	fi
	sleep 1
done
wait "$iperf_pid" || fail "iperf3: $(tail -3 "$tmp/iperf.log")"
wait "$ping_pid"
grep -E "receiver$" "$tmp/iperf.log"
tail -2 "$tmp/ping.log"
echo "telemetry: $polls polls answered, $bad_polls not"

wait "$bridge_pid"; rc=$?
bridge_pid=
grep "^soak:" "$tmp/bridge.log"
[ "$rc" = 0 ] || fail "iop-soak exited with $rc"
kernel_counters end
conservation_check
python3 - "$tmp/bridge.log" "$tmp/stats.json" "$RSS_SLACK_KIB" <<'PY' || fail "resources or faults after the soak"
import json, re, sys
log, stats, slack = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), int(sys.argv[3])
cp = {m.group(1): dict((k, int(v)) for k, v in re.findall(r"(\w+)=(-?\d+)", m.group(2)))
      for m in re.finditer(r"^soak: checkpoint (\w+) (.*)$", log, re.M)}
start, end = cp["start"], cp["end"]
for k in ("hugetlb_kib", "pinned_pages", "mappings", "fds"):
    assert end[k] == start[k], "%s: %d at the start, %d at the end" % (k, start[k], end[k])
assert end["rss_kib"] <= start["rss_kib"] + slack, \
    "rss: %d KiB at the start, %d KiB at the end" % (start["rss_kib"], end["rss_kib"])
m = re.search(r"(\d+) memory churns \(hotplug: (\d+) allocations, (\d+) frees seen\), (\d+) port", log)
churns, allocs, frees, cycles = map(int, m.groups())
assert allocs >= churns > 0 and frees >= churns, m.group(0)
assert cycles >= 2, m.group(0)
for p in stats["ports"]:
    assert p["dma_faults"] == 0, p
    assert p["rx_packets"] > 0 and p["tx_packets"] > 0, p
print("soak: resources back (rss %+d KiB, hugetlb, pinned pages, mappings, fds equal), "
      "%d churns, %d cycles, no DMA fault" % (end["rss_kib"] - start["rss_kib"], churns, cycles))
PY
[ "$bad_polls" = 0 ] && [ "$polls" -gt 0 ] || fail "telemetry did not answer every poll"
echo "ok: soak of $secs s"
