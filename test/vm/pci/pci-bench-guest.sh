#!/bin/bash
# Runs in a guest for pci-bench (see there). Each round runs the forwarders
# in turn on the same NICs, each until the host has measured it:
#   ours     iop-bridge, every pair of the set, one queue a port (set mq:
#            two, RSS)
#   testpmd  dpdk-testpmd (net_virtio, net_e1000_em, net_e1000_igb) on the
#            same pairs (set mq: --rxq=2 --txq=2 --rss-udp; its per-queue
#            counts are printed as "round R testpmd rx queue ..." lines)
# and, in set all only:
#   igb2q    iop-bridge, the igb pair alone, two queues a port (RSS)
#   vfours   iop-bridge on the VF pair (VF 0 of PFs 3 and 4, which the
#            kernel's igb keeps), one queue a port
#   vftestpmd  dpdk-testpmd (net_e1000_igb_vf) on the same VFs
# in the order pci-bench-order.sh gives (iop-bridge and testpmd swap places
# every round), and prints "pci-bench-guest: round R NAME start" before
# each and "... exit RC" after it, which the host waits for.
#
#   pci-bench-guest.sh SET BACKEND WORKDIR ROUNDS IOP_DEVICES IOP_BRIDGE BDF...
#   (BDFs in pair order; in set all the igb PFs are found by their ID and
#   come last: the first two forward, the other two give the VFs)
set -u
. "$(dirname "$0")/pci-bench-order.sh"
set=$1 backend=$2 work=$3 rounds=$4 devices=$5 bridge=$6
shift 6
say() { echo "pci-bench-guest: $*"; }
if [ "$set" != all ]; then
	"$devices" bind "$@" || exit 1
fi
igb=()
if [ "$set" = all ]; then
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
fi

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
# --tx-hold-ms=0: frames a full tx ring does not take are dropped, as
# testpmd's io mode drops them, rather than held while the port that feeds
# it is not read (iop-bridge's default, for lossless moves): both then do
# the same work when QEMU drains a tx ring late
bridge_opts=(--iommu="$backend" --rxd=256 --txd=256 --forward-mode=io --stats-period=0 --tx-hold-ms=0)
# set mq: two queues a port, RSS over the UDP ports (iop-bridge asks for
# every hash type the device has once it runs more than one queue)
queues=() tpq=()
[ "$set" = mq ] && queues=(--queues=2) tpq=(--rxq=2 --txq=2 --rss-udp)
# testpmd's per-queue counts at its exit: "Forward Stats for RX Port= P/Queue= Q
# -> TX Port= ..." then "RX-packets: N TX-packets: M TX-dropped: D"
queue_stats() { # round
	awk -v r="$1" '/Forward Stats for RX Port=/ { n = split($0, a, /[^0-9]+/); q = "port " a[n - 4] " queue " a[n - 3] " -> port " a[n - 2] " queue " a[n - 1] }
		q && /RX-packets:/ { printf "pci-bench-guest: round %s testpmd rx queue %s: rx %s tx %s tx_dropped %s\n", r, q, $2, $4, $6; q = "" }
		{ print }'
}
# iop-bridge's own counts at its exit, per port ("  in: rx N = forwarded
# F + dropped D (reasons)") and, with several queues, per queue ("  queue
# Q: rx ..."), as "round R ours port P ..." lines for the host
bridge_stats() { # round
	awk -v r="$1" '/^port [0-9]+ / { p = $2 }
		/^  (in:|queue [0-9]+:)/ { l = $0; sub(/^ +/, "", l); printf "pci-bench-guest: round %s ours port %s %s\n", r, p, l }
		{ print }'
}
# each forwarder's run of round r, until the host has measured it
run_ours() {
	run_until "$1.ours.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" "${queues[@]}" "${ports[@]}" |
		bridge_stats "$1"
	return "${PIPESTATUS[0]}"
}
run_testpmd() {
	run_until "$1.testpmd.done" dpdk-testpmd "${eal[@]}" "${allow[@]}" -- --forward-mode=io \
		--nb-cores=1 --rxd=256 --txd=256 "${tpq[@]}" --total-num-mbufs=8192 --auto-start \
		--stats-period=86400 < /dev/null | queue_stats "$1"
	return "${PIPESTATUS[0]}"
}
run_igb2q() {
	run_until "$1.igb2q.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" --queues=2 \
		--port "pci:${igb[0]}" --port "pci:${igb[1]}"
}
run_vfours() {
	run_until "$1.vfours.done" "$bridge" "${eal[@]}" -- "${bridge_opts[@]}" \
		--port "pci:${vfs[0]}" --port "pci:${vfs[1]}"
}
run_vftestpmd() {
	run_until "$1.vftestpmd.done" dpdk-testpmd "${eal[@]}" -a "${vfs[0]}" -a "${vfs[1]}" -- --forward-mode=io \
		--nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=8192 --auto-start --stats-period=86400 < /dev/null
}
for r in $(seq "$rounds"); do
	for run in $(pci_bench_order "$set" "$r"); do
		say "round $r $run start"
		"run_$run" "$r"
		say "round $r $run exit $?"
	done
done
exit 0
