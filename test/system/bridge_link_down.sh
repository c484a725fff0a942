#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Frames for an interface that is down when the bridge stops: each one a
# tx_unsent drop, the summary balanced, exit 0, and the counters equal the
# kernel's (which sent none of them).
#
#   bridge_link_down.sh IOP_BRIDGE
set -uo pipefail

bridge_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns_lib.sh"

netns_needs ping
netns_setup
bridge_start 0-1 --forward-mode=l2 --stats-period=0
kernel_counters start
ip netns exec "$nsa" ping -c 2 -i 0.2 -w 10 10.99.0.2 >/dev/null || fail "first pings lost"
ip link set "$vb" down
ip netns exec "$nsa" ping -c 5 -i 0.05 -W 1 10.99.0.2 >/dev/null && fail "pings crossed a link that is down"
sleep 0.5
bridge_stop
kernel_counters end
conservation_check
python3 - "$tmp/stats.json" <<'PY' || fail "the frames for the down link are not 5 tx_unsent drops"
import json, sys
p1 = json.load(open(sys.argv[1]))["ports"][1]["drops"]
assert p1["tx_unsent"] == 5, p1
print("json: port 1: tx_unsent %d" % p1["tx_unsent"])
PY
echo "ok: link down"
