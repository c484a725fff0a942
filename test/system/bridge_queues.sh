#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --queues=N: the summary and --json-stats show rx/tx/drops per queue, and
# conservation holds per queue as well as per port. Four sim ports, two
# queues each: gen <-> pair ~ pair <-> gen (16 UDP flows from each gen, which
# RSS spreads over the queues), io mode, on two lcores (one
# forwarding lcore polls every queue set) and on one.
#
# The far side of a queue is the pair wire: what port 1 sent on tx queue
# Q is what port 2 received on rx queue Q (the wire maps queue to queue),
# less at most the frames still in port 2's inbox at stop; and the other
# way round. Per queue, the bridge's JSON must balance against the
# port's own queue counters, and the queues must add up to the port's
# totals.
#
#   bridge_queues.sh IOP_BRIDGE
set -uo pipefail
bridge_bin=$1
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 64 ] || { echo "skip: needs 64 free 2 MiB hugepages, $free free"; exit 77; }
tmp=$(mktemp -d /tmp/iop-queues-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

for lcores in 0-1 0; do
	timeout 60 "$bridge_bin" -l "$lcores" --in-memory --file-prefix "iopq$$" -- \
		--port sim:wire=gen,flows=16 --port sim:wire=pair,peer=2 --port sim:wire=pair,peer=1 \
		--port sim:wire=gen,flows=16 --queues 2 --duration 2 --stats-period 0 \
		--json-stats "$tmp/s.json" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != 0 ]; then
		echo "FAIL: -l $lcores: exit $rc"; sed 's/^/  | /' "$tmp/err" "$tmp/out"; failed=1; continue
	fi
	n=$(grep -c '^  queue [01]: .* balanced$' "$tmp/out")
	[ "$n" = 8 ] || { echo "FAIL: -l $lcores: $n balanced queue lines in the summary, want 8"; sed 's/^/  | /' "$tmp/out"; failed=1; }
	python3 - "$tmp/s.json" "$lcores" <<'PY' || failed=1
import json, sys
PAIR_SLOTS = 1024  # drivers/net/sim/wire_pair.c: frames an inbox holds
ports = json.load(open(sys.argv[1]))["ports"]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL: -l %s: %s" % (sys.argv[2], what))
        ok = False
for i, p in enumerate(ports):
    qs = p["queues"]
    check(len(qs) == 2, "port %d has %d queue entries" % (i, len(qs)))
    for q in qs:
        check(q["rx_packets"] > 0 and q["tx_packets"] > 0, "port %d queue %d carried nothing: %s" % (i, q["queue"], q))
        check(q["rx_packets"] == q["forwarded"] + q["dropped"], "port %d queue %d in: %s" % (i, q["queue"], q))
        check(q["tx_taken"] == q["tx_packets"] + q["tx_dropped"], "port %d queue %d out: %s" % (i, q["queue"], q))
        check(q["balanced"], "port %d queue %d not balanced" % (i, q["queue"]))
    # the queues add up to the port's own totals
    check(sum(q["rx_packets"] for q in qs) == p["rx_packets"], "port %d: queues' rx != port rx" % i)
    check(sum(q["tx_packets"] for q in qs) == p["tx_packets"], "port %d: queues' tx != port tx" % i)
    check(sum(q["forwarded"] for q in qs) == p["forwarded"], "port %d: queues' forwarded != port's" % i)
# the far side, per queue, across the pair wire (ports 1 and 2)
for a, b in ((1, 2), (2, 1)):
    for q in range(2):
        sent = ports[a]["queues"][q]["tx_packets"]
        got = ports[b]["queues"][q]["rx_packets"]
        check(0 <= sent - got <= PAIR_SLOTS,
              "queue %d: port %d sent %d, port %d received %d" % (q, a, sent, b, got))
if ok:
    print("ok: -l %s: 4 ports x 2 queues balanced per queue and per port; pair wire: %s"
          % (sys.argv[2], ", ".join("q%d %d->%d" % (q, ports[1]["queues"][q]["tx_packets"], ports[2]["queues"][q]["rx_packets"]) for q in range(2))))
sys.exit(0 if ok else 1)
PY
done
exit $failed
