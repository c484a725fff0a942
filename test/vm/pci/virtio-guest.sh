#!/bin/bash
# Runs in a guest of test/vm/run-guest for virtio-vm-test (see there): binds
# the NICs with iop-devices, then per round runs iop-bridge (io forwarding,
# ports in pairs) until the host says that round's checks are done.
#
#   virtio-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE ROUND...
#   ROUND = BDF,BDF,...[/BRIDGE_OPTION,...]
# With IOP_VIRTIO_RSS="IOP_VIRTIO_RSS BDF_IN[,BDF_IN...] BDF_OUT" it then
# runs that program once per IN NIC, the i-th (from 1) until the host
# creates WORKDIR/rss<i>.done. With IOP_VIRTIO_OFFLOAD="IOP_VIRTIO_OFFLOAD
# BDF BDF_PLAIN" it last runs that program, with the tap's MAC the host
# wrote to WORKDIR/tapmac, until the host creates WORKDIR/offload.done.
set -u
# shellcheck source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"
backend=$1 work=$2 devices=$3 bridge=$4
shift 4
rc=0
# DPDK memory above 2^40: with the 39-bit vIOMMU every descriptor carries
# an IOVA that differs from its VA
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
say() { echo "virtio-guest: $*"; }

bdfs=""
for r in "$@"; do bdfs="$bdfs ${r%%/*}"; done
read -r rss_prog rss_in rss_out <<< "${IOP_VIRTIO_RSS:-}"
[ -n "${rss_prog:-}" ] && bdfs="$bdfs ${rss_in//,/ } $rss_out"
read -r off_prog off_nic off_plain <<< "${IOP_VIRTIO_OFFLOAD:-}"
[ -n "${off_prog:-}" ] && bdfs="$bdfs $off_nic $off_plain"
# shellcheck disable=SC2086
"$devices" bind ${bdfs//,/ } || { say "not ok - iop-devices bind failed"; exit 1; }

n=0
for r in "$@"; do
	n=$((n + 1))
	ports=() opts=()
	IFS=, read -ra list <<< "${r%%/*}"
	for b in "${list[@]}"; do ports+=(--port "pci:$b"); done
	[ "$r" != "${r#*/}" ] && IFS=, read -ra opts <<< "${r#*/}"
	say "round $n: $backend, ${#list[@]} ports ${opts[*]}"
	# shellcheck disable=SC2086
	"$bridge" $eal -- --iommu="$backend" "${ports[@]}" --forward-mode=io \
		--stats-period=10 --json-stats="/tmp/bridge-$n.json" "${opts[@]}" 2> "/tmp/bridge-$n.err" &
	pid=$!
	stop_when_done "$work/round$n.done" "$pid" 900
	cat "/tmp/bridge-$n.err" >&2
	[ -e "/tmp/bridge-$n.json" ] && echo "virtio-guest: json $n: $(cat "/tmp/bridge-$n.json")"
	if [ "$brc" -eq 0 ]; then
		say "ok - round $n: iop-bridge exit 0"
	else
		say "not ok - round $n: iop-bridge exit $brc"
		rc=1
	fi
done
i=0
for in in ${rss_in//,/ }; do
	i=$((i + 1))
	say "multi-queue with RSS: $in -> $rss_out"
	# shellcheck disable=SC2086
	if "$rss_prog" $eal -- --iommu="$backend" -- "$in" "$rss_out" "$work/rss$i.done"; then
		say "ok - iop-virtio-rss $in"
	else
		say "not ok - iop-virtio-rss $in failed"
		rc=1
	fi
done
if [ -n "${off_prog:-}" ]; then
	say "transmit offloads: $off_nic"
	# shellcheck disable=SC2086
	if "$off_prog" $eal -- --iommu="$backend" -- "$off_nic" "$off_plain" "$work/tapmac" \
		"$work/offload.done"; then
		say "ok - iop-virtio-offload"
	else
		say "not ok - iop-virtio-offload failed"
		rc=1
	fi
fi
exit $rc
