#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iop-bridge seen through Debian's dpdk-telemetry.py (package dpdk-dev):
# /iop/list, /iop/info, /iop/stats, /iop/xstats, /iop/iommu, /iop/mem and
# /iop/bridge answer with the documented fields, agree with each other and
# with the bridge's own summary; SIGUSR1 prints the stats line.
#
#   bridge_telemetry.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
here=$(dirname "$0")
command -v dpdk-telemetry.py >/dev/null || { echo "skip: no dpdk-telemetry.py (scripts/setup installs dpdk-dev)"; exit 77; }
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 32 ] || { echo "skip: needs 32 free 2 MiB hugepages, $free free"; exit 77; }
tmp=$(mktemp -d /tmp/iop-tel-XXXXXX)
prefix=ioptel$$
pid=
cleanup() { [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# two gen ports, io mode, per-device IOAS: two IOAS, one device each
"$bridge_bin" -l 0-1 --in-memory --file-prefix "$prefix" -- --port sim:wire=gen \
	--port sim:wire=gen --ioas=per-device --stats-period=0 --json-stats="$tmp/final.json" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	grep -q "port 1:" "$tmp/out" && break
	kill -0 $pid 2>/dev/null || { echo "FAIL: iop-bridge exited"; cat "$tmp/out" "$tmp/err"; exit 1; }
	sleep 0.1
done
sleep 1

# SIGUSR1: one live line even with --stats-period=0
kill -USR1 $pid
for _ in $(seq 50); do grep -q "^\[.*| p0 rx" "$tmp/out" && break; sleep 0.1; done
grep -q "^\[.*| p0 rx .* | p1 rx" "$tmp/out" || { echo "FAIL: no stats line after SIGUSR1"; cat "$tmp/out"; exit 1; }
echo "ok: SIGUSR1 printed: $(grep -m1 '^\[' "$tmp/out" | cut -c1-100)..."

# one client session, every command; the replies are JSON lines
printf '%s\n' /iop/list /iop/info,0 /iop/stats,0 /iop/xstats,0 /iop/iommu /iop/iommu,1 \
	/iop/mem /iop/bridge /iop/xstats,7 /iop/info,x /iop/iommu,99 /iop/stats,0 |
	dpdk-telemetry.py -f "$prefix" >"$tmp/replies" 2>&1
kill -TERM $pid
wait $pid
rc=$?
pid=
[ "$rc" = 0 ] || { echo "FAIL: iop-bridge exit $rc"; cat "$tmp/out" "$tmp/err"; exit 1; }

python3 - "$tmp/replies" "$tmp/final.json" <<'PY'
import json, sys
replies = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
final = json.load(open(sys.argv[2]))
r = {}
for x in replies:
    (k, v), = x.items()
    r.setdefault(k, []).append(v)

def check(cond, what):
    if not cond:
        print("FAIL:", what)
        for x in replies:
            print("  |", json.dumps(x)[:300])
        sys.exit(1)

check(r["/iop/list"][0] == [0, 1], "/iop/list")
info = r["/iop/info"][0]
check(info["name"] == "sim:wire=gen" and info["driver"] == "sim" and info["started"] == 1
      and info["nb_rx_queues"] == 1 and info["ioas"] >= 1 and info["device"], "/iop/info,0: %s" % info)
check(r["/iop/info"][1] is None, "/iop/info,x must be refused")
st0, st1 = r["/iop/stats"]
for k in ("ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors", "oerrors",
          "rx_nombuf", "q_ipackets", "q_opackets", "q_ibytes", "q_obytes"):
    check(k in st0, "/iop/stats lacks " + k)
check(st0["ipackets"] > 0 and st0["q_ipackets"] == [st0["ipackets"]], "/iop/stats,0: %s" % st0)
xs = r["/iop/xstats"][0]
names = list(xs)
check(names[:4] == ["rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes"],
      "xstats order: %s" % names[:4])
for k in ("rx_q0_packets", "tx_q0_bytes", "dma_faults", "iova_cache_hits", "iova_cache_misses",
          "iova_cache_poison", "rx_oversize", "tx_full"):
    check(k in xs, "/iop/xstats lacks " + k)
# read between the two /iop/stats: counters only grow
check(st0["ipackets"] <= xs["rx_good_packets"] <= st1["ipackets"], "xstats vs stats")
check(xs["rx_q0_packets"] == xs["rx_good_packets"] and xs["dma_faults"] == 0, "xstats %s" % xs)
check(xs["iova_cache_hits"] > 0 and xs["iova_cache_poison"] == 0 and
      xs["iova_cache_hits"] + xs["iova_cache_misses"] == xs["iova_cache_lookups"], "cache %s" % xs)
check(r["/iop/xstats"][1] is None, "/iop/xstats,7 must be refused")
io = r["/iop/iommu"][0]
check(io["backend"] == "sim" and len(io["ioas_id"]) == 2 and io["ioas_devices"] == [1, 1],
      "/iop/iommu: %s" % io)
check(sorted(io["port_ioas"]) == sorted(io["ioas_id"]) and io["port"] == [0, 1], "port_ioas %s" % io)
check(sorted(io["device_ioas"]) == sorted(io["ioas_id"]), "device_ioas %s" % io)
check(io["port_ioas"][0] == info["ioas"], "/iop/info's ioas is /iop/iommu's")
# the sim copies a mapping into the second IOAS: pinned once
check(io["pinned_bytes"] == io["ioas_mapped_bytes"][0] > 0, "pinned once: %s" % io)
maps = r["/iop/iommu"][1]
check(maps["ioas"] == 1 and len(maps["va"]) == len(maps["iova"]) == io["ioas_mappings"][0]
      and sum(maps["len"]) == io["ioas_mapped_bytes"][0] and set(maps["prot"]) == {"rw"},
      "/iop/iommu,1: %s" % maps)
check(r["/iop/iommu"][2] is None, "/iop/iommu,99 must be refused")
mem = r["/iop/mem"][0]
check(mem["bytes"] == io["ioas_mapped_bytes"][0] and mem["runs"] == io["ioas_mappings"][0]
      and mem["map_calls"] >= 2 * mem["runs"], "/iop/mem %s vs %s" % (mem, io))
br = r["/iop/bridge"][0]
# the bridge counts a frame just after the port did: compare with the
# port's count of three requests earlier
check(br["mode"] == "io" and br["port"] == [0, 1] and br["rx"][0] >= st0["ipackets"]
      and br["forwarded"][0] + br["tx_full"][0] <= br["rx"][0] and br["filtered"] == [0, 0],
      "/iop/bridge %s" % br)
# the final summary counts at least what telemetry saw
p0 = final["ports"][0]
check(p0["rx_packets"] >= br["rx"][0] and p0["forwarded"] >= br["forwarded"][0], "final %s" % p0)
print("ok: telemetry: %d xstats on port 0, %d IOAS, %d pinned bytes, bridge forwarded %d"
      % (len(xs), len(io["ioas_id"]), io["pinned_bytes"], br["forwarded"][0]))
PY
