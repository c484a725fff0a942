#!/bin/bash
# Runs in a guest for ethdev-bench (see there): dpdk-testpmd, RUNS times,
# odd runs with DPDK's own PMDs on the NICs, even runs with net_iop ports
# on the same NICs, each until the host has measured it.
#
#   ethdev-bench-guest.sh WORKDIR IOP_DEVICES LIBRTE_NET_IOP_SO RUNS BDF...
set -u
work=$1 devices=$2 so=$3 runs=$4
shift 4
say() { echo "ethdev-bench-guest: $*"; }
. "$(dirname "$0")/../../net_iop_copy.sh"
net_iop_copy "$so" || { say "cannot copy $so into a private folder under /run"; exit 1; }
so=$net_iop_so
trap net_iop_copy_remove EXIT
"$devices" bind "$@" || exit 1
allow=() block=() vdevs=()
n=0
for b in "$@"; do
	allow+=(-a "$b")
	block+=(-b "$b")
	v="net_iop$n,spec=[pci:$b]"
	[ $n = 0 ] && v="$v,iommu=iommufd"
	vdevs+=(--vdev "$v")
	n=$((n + 1))
done
eal=(-l 0-1 --in-memory --log-level=lib.eal:error)
app=(--forward-mode=io --nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=8192 --auto-start --stats-period=3600)
for n in $(seq "$runs"); do
	if [ $((n % 2)) = 1 ]; then
		say "run $n: DPDK's net_virtio and net_e1000_em"
		dpdk-testpmd "${eal[@]}" "${allow[@]}" -- "${app[@]}" < /dev/null &
	else
		say "run $n: net_iop on iommufd"
		dpdk-testpmd "${eal[@]}" "${block[@]}" -d "$so" "${vdevs[@]}" -- "${app[@]}" < /dev/null &
	fi
	pid=$!
	for _ in $(seq 900); do
		[ -e "$work/run$n.done" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	say "run $n exit $?"
done
exit 0
