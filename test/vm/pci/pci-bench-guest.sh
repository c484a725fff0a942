#!/bin/bash
# Runs in a guest for pci-bench (see there). Each round runs three
# forwarders in turn on the same NICs, each until the host has measured it:
#   ours     iop-bridge, every pair, one queue a port
#   testpmd  dpdk-testpmd (net_virtio, net_e1000_em, net_e1000_igb), every pair
#   igb2q    iop-bridge, the igb pair alone, two queues a port (RSS)
# and prints "pci-bench-guest: round R NAME start" before each and
# "... exit RC" after it, which the host waits for.
#
#   pci-bench-guest.sh BACKEND WORKDIR ROUNDS IOP_DEVICES IOP_BRIDGE BDF...
#   (BDFs in pair order; the igb PFs are found by their ID and come last)
set -u
backend=$1 work=$2 rounds=$3 devices=$4 bridge=$5
shift 5
say() { echo "pci-bench-guest: $*"; }
igb=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && igb+=("$(basename "$d")")
done
[ "${#igb[@]}" = 2 ] || { say "2 igb (82576) PFs expected, the guest sees ${#igb[@]}"; exit 1; }
set -- "$@" "${igb[@]}"
"$devices" bind "$@" || exit 1

run_until() { # marker command...
	local marker=$1
	shift
	"$@" &
	local pid=$!
	for _ in $(seq 900); do
		[ -e "$work/$marker" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
}

ports=() allow=()
for b in "$@"; do ports+=(--port "pci:$b"); allow+=(-a "$b"); done
# one forwarding lcore for both: lcore 1 polls every port (iop-bridge's one
# worker, testpmd's --nb-cores=1) while the main lcore waits
eal=(-l 0-1 --in-memory --log-level=lib.eal:error)
bridge_opts=(--iommu="$backend" --rxd=256 --txd=256 --forward-mode=io --stats-period=0)
for r in $(seq "$rounds"); do
	say "round $r ours start"
	run_until "$r.ours.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" "${ports[@]}"
	say "round $r ours exit $?"
	say "round $r testpmd start"
	run_until "$r.testpmd.done" dpdk-testpmd "${eal[@]}" "${allow[@]}" -- --forward-mode=io \
		--nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=8192 --auto-start --stats-period=86400 < /dev/null
	say "round $r testpmd exit $?"
	say "round $r igb2q start"
	run_until "$r.igb2q.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" --queues=2 \
		--port "pci:${igb[0]}" --port "pci:${igb[1]}"
	say "round $r igb2q exit $?"
done
exit 0
