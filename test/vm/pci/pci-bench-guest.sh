#!/bin/bash
# Runs in a guest for pci-bench (see there). Each round runs three
# forwarders in turn on the same NICs, each until the host has measured it:
#   ours     iop-bridge, the virtio, e1000e and igb pairs, one queue a port
#   testpmd  dpdk-testpmd (net_virtio, net_e1000_em, net_e1000_igb), those pairs
#   igb2q    iop-bridge, the igb pair alone, two queues a port (RSS)
#   vfours   iop-bridge on the VF pair (VF 0 of PFs 3 and 4, which the
#            kernel's igb keeps), one queue a port
#   vftestpmd  dpdk-testpmd (net_e1000_igb_vf) on the same VFs
# and prints "pci-bench-guest: round R NAME start" before each and
# "... exit RC" after it, which the host waits for.
#
#   pci-bench-guest.sh BACKEND WORKDIR ROUNDS IOP_DEVICES IOP_BRIDGE BDF...
#   (BDFs in pair order; the igb PFs are found by their ID and come last:
#   the first two forward, the other two give the VFs)
set -u
backend=$1 work=$2 rounds=$3 devices=$4 bridge=$5
shift 5
say() { echo "pci-bench-guest: $*"; }
igb=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && igb+=("$(basename "$d")")
done
[ "${#igb[@]}" = 4 ] || { say "4 igb (82576) PFs expected, the guest sees ${#igb[@]}"; exit 1; }
# the VF pair: the PFs' own stacks send nothing (no IPv6), VF 0 of the
# first takes the host's blast for 02:00:00:00:00:0b
sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
vfs=() mac=0b
for pf in "${igb[@]:2:2}"; do
	ifc=$(ls "/sys/bus/pci/devices/$pf/net" | head -1)
	ip link set "$ifc" up && echo 0 > "/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe" &&
		echo 1 > "/sys/bus/pci/devices/$pf/sriov_numvfs" &&
		ip link set "$ifc" vf 0 mac "02:00:00:00:00:$mac" && ip link set "$ifc" vf 0 spoofchk off ||
		{ say "cannot create a VF on $pf"; exit 1; }
	vfs+=("$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")")
	mac=0c
done
set -- "$@" "${igb[@]:0:2}"
"$devices" bind "$@" "${vfs[@]}" || exit 1

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
	say "round $r vfours start"
	run_until "$r.vfours.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" \
		--port "pci:${vfs[0]}" --port "pci:${vfs[1]}"
	say "round $r vfours exit $?"
	say "round $r vftestpmd start"
	run_until "$r.vftestpmd.done" dpdk-testpmd "${eal[@]}" -a "${vfs[0]}" -a "${vfs[1]}" -- --forward-mode=io \
		--nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=8192 --auto-start --stats-period=86400 < /dev/null
	say "round $r vftestpmd exit $?"
done
exit 0
