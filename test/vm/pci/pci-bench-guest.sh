#!/bin/bash
# Runs in a guest for pci-bench (see there): iop-bridge, then dpdk-testpmd,
# each forwarding the same NIC pairs until the host has measured it.
#
#   pci-bench-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE BDF...
set -u
backend=$1 work=$2 devices=$3 bridge=$4
shift 4
say() { echo "pci-bench-guest: $*"; }
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

ports=()
allow=()
for b in "$@"; do ports+=(--port "pci:$b"); allow+=(-a "$b"); done
eal=(-l 0-1 --in-memory --log-level=lib.eal:error)
say "iop-bridge ($backend)"
run_until bench1.done "$bridge" "${eal[@]}" -- --iommu="$backend" "${ports[@]}" \
	--rxd=256 --txd=256 --forward-mode=io --stats-period=0
say "iop-bridge exit $?"
say "dpdk-testpmd (its own net_virtio and net_e1000_em over VFIO type1)"
run_until bench2.done dpdk-testpmd "${eal[@]}" "${allow[@]}" -- --forward-mode=io \
	--nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=8192 --auto-start --stats-period=30 < /dev/null
say "dpdk-testpmd exit $?"
exit 0
