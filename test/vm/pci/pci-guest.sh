#!/bin/bash
# Runs in a guest of test/vm/run-guest for pci-vm-test (see there):
# binds the NICs with iop-devices, runs iop-pci-checks, then iop-bridge once
# per layout until the host says that round's traffic is done, then gives a
# NIC back to its kernel driver with iop-devices unbind.
#
#   pci-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_PCI_CHECKS IOP_BRIDGE ROUND...
#   ROUND = LAYOUT[@user]:BDF,BDF,...   (ports in io-forwarding order)
# A round marked @user runs iop-bridge as uid 1000 owning only /dev/iommu
# and its devices' VFIO cdevs, first with a memlock limit too low (it must
# fail and name the size needed), then with enough.
set -u
# shellcheck source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"
backend=$1 work=$2 devices=$3 checks=$4 bridge=$5
shift 5
rc=0
# DPDK memory above 2^40: with the 39-bit vIOMMU no VA fits the aperture,
# so every descriptor carries an IOVA that differs from its VA
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
say() { echo "pci-guest: $*"; }

bdfs="0000:00:04.0"
for r in "$@"; do bdfs="$bdfs ${r#*:}"; done
[ -n "${IOP_PCI_LINK_FLAP:-}" ] && bdfs="$bdfs ${IOP_PCI_LINK_FLAP}"
[ -n "${IOP_E1000E_PAIR:-}" ] && bdfs="$bdfs ${IOP_E1000E_PAIR}"
bdfs=${bdfs//,/ }
# list and bind against the guest kernel: nic1 (03.0) stays on e1000e; with
# its interface up it is *Active* and bind refuses it, its group not viable
nic1=0000:00:03.0
ifc=$(ls "/sys/bus/pci/devices/$nic1/net" 2>/dev/null | head -1)
if [ -n "$ifc" ] && ip link set "$ifc" up; then
	out=$("$devices" list 2>&1)
	if echo "$out" | grep -q "^  $nic1 '.*82574L.*' if=$ifc drv=e1000e numa=-\?[0-9]* \*Active\*$" &&
	   echo "$out" | grep -q "^group [0-9]* .*NOT viable: $nic1 on e1000e"; then
		say "ok - list shows $nic1 as $ifc on e1000e, *Active*, under its not viable group"
	else
		say "not ok - list of $nic1 with $ifc up: $out"
		rc=1
	fi
	out=$("$devices" bind "$nic1" 2>&1)
	brc=$?
	if [ "$brc" = 1 ] && echo "$out" | grep -q "$nic1 is active ($ifc is up" &&
	   [ "$(basename "$(readlink "/sys/bus/pci/devices/$nic1/driver")")" = e1000e ]; then
		say "ok - bind refuses $nic1 while $ifc is up and leaves it on e1000e"
	else
		say "not ok - bind of active $nic1: exit $brc: $out"
		rc=1
	fi
	ip link set "$ifc" down
else
	say "not ok - no interface for $nic1 (e1000e) to bring up"
	rc=1
fi

# shellcheck disable=SC2086
"$devices" bind $bdfs || { say "iop-devices bind failed"; rc=1; }

# e1000e 08.0 and virtio 06.0 (round 1 NICs), nic1 03.0 left on e1000e,
# vnet 04.0 a virtio-net without iommu_platform
# shellcheck disable=SC2086
"$checks" $eal -- --iommu="$backend" -- 0000:00:08.0 52:54:00:00:00:08 \
	0000:00:06.0 52:54:00:00:00:06 0000:00:03.0 0000:00:04.0 || rc=1

# e1000e checksum offloads on the cabled pair 15.0 -> 16.0
if [ -n "${IOP_E1000E_PAIR:-}" ]; then
	# shellcheck disable=SC2086
	"$IOP_E1000E_CHECKS" $eal -- --iommu="$backend" -- ${IOP_E1000E_PAIR//,/ } || rc=1
fi

n=0
for r in "$@"; do
	n=$((n + 1))
	layout=${r%%:*}
	user=""
	case $layout in *@user) layout=${layout%@user} user=1000 ;; esac
	ports=()
	IFS=, read -ra list <<< "${r#*:}"
	for b in "${list[@]}"; do ports+=(--port "pci:$b"); done
	say "round $n: $backend, --ioas=$layout, ${#list[@]} ports${user:+, as uid $user}"
	# shellcheck disable=SC2206
	ealr=($eal ${user:+--iova-mode=va})
	# MTU 1500: iop-pci-traffic's frames over 1514 bytes must be dropped
	run=("$bridge" "${ealr[@]}" -- --iommu="$backend" --ioas="$layout" "${ports[@]}" --rxd=256 --txd=256
		--mtu=1500 --forward-mode=io --stats-period=10 --json-stats="/tmp/bridge-$n.json")
	if [ -n "$user" ]; then
		chown "$user" /dev/iommu
		for b in "${list[@]}"; do
			chown "$user" "/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$b/vfio-dev")"
		done
		run=(setpriv --reuid="$user" --regid="$user" --clear-groups "${run[@]}")
		# 1 MiB of memlock cannot hold DPDK's memory: one clear line with the size
		out=$(bash -c 'ulimit -l 1024 && exec "$@"' low "${run[@]}" --duration=1 2>&1)
		low=$?
		echo "$out" | grep -i -E "memlock|locked" | head -3
		if [ "$low" -ne 0 ] && echo "$out" | grep -q -i -E "memlock|locked" &&
		   echo "$out" | grep -q -E "[0-9]+ ?(MiB|KiB|GiB|bytes|M|K)"; then
			say "ok - as uid $user with 1 MiB of memlock iop-bridge fails naming the size needed"
		else
			say "not ok - as uid $user with 1 MiB of memlock: exit $low, output: $out"
			rc=1
		fi
		run=(bash -c 'ulimit -l 262144 && exec "$@"' enough "${run[@]}")
	fi
	"${run[@]}" 2> "/tmp/bridge-$n.err" &
	pid=$!
	upid=""
	if [ "$n" = 1 ] && [ -n "${IOP_PCI_UNPLUG:-}" ]; then
		# the kernel's request interrupt, as on a hot-unplug: the write
		# blocks until iop-bridge releases the device
		for _ in $(seq 600); do
			[ -e "$work/round1.traffic" ] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		echo "$IOP_PCI_UNPLUG" > /sys/bus/pci/drivers/vfio-pci/unbind &
		upid=$!
		sleep 2
		say "request sent for $IOP_PCI_UNPLUG"
		# iop-bridge closes that port alone: the kernel finishes the
		# unbind while the other ports still forward
		for _ in $(seq 30); do kill -0 "$upid" 2>/dev/null || break; sleep 1; done
		if kill -0 "$upid" 2>/dev/null; then
			say "not ok - the unbind of $IOP_PCI_UNPLUG still waits 30 s after the request"
			rc=1
		elif kill -0 "$pid" 2>/dev/null; then
			say "ok - the unbind of $IOP_PCI_UNPLUG completed while iop-bridge still runs"
		else
			say "not ok - iop-bridge exited before the unbind of $IOP_PCI_UNPLUG completed"
			rc=1
		fi
	fi
	stop_when_done "$work/round$n.done" "$pid" 600
	cat "/tmp/bridge-$n.err" >&2
	say "round $n: iop-bridge exit $brc"
	[ "$brc" -eq 0 ] || rc=1
	if [ "$layout" = per-device ] && [ "${#list[@]}" -gt 6 ]; then
		# NICs 7 and 8 share an IOMMU group: never split, one IOAS
		if grep -q "IOMMU group [0-9]* merged: .* share one IOAS" "/tmp/bridge-$n.err"; then
			say "ok - per-device gave the two NICs of one IOMMU group one IOAS (merged)"
		else
			say "not ok - no 'merged' warning for the NICs that share an IOMMU group"
			rc=1
		fi
	fi
	if [ -n "$upid" ]; then
		if grep -q "pci:$IOP_PCI_UNPLUG): the kernel asks for the device back" "/tmp/bridge-$n.err"; then
			say "ok - iop-bridge stopped the port of $IOP_PCI_UNPLUG on the request"
		else
			say "not ok - iop-bridge said nothing about the request for $IOP_PCI_UNPLUG"
			rc=1
		fi
		if grep -E -q "port [0-9]+ pci:$IOP_PCI_UNPLUG removed .*final rx [0-9]+" "/tmp/bridge-$n.err" &&
		   grep -q '"name":"pci:'"$IOP_PCI_UNPLUG"'","removed":true' "/tmp/bridge-$n.json"; then
			say "ok - iop-bridge closed the port of $IOP_PCI_UNPLUG and gave its final counters"
		else
			say "not ok - no line or json entry about closing the port of $IOP_PCI_UNPLUG"
			rc=1
		fi
	fi
	[ -e "/tmp/bridge-$n.json" ] && { echo "pci-guest: json $n: $(cat "/tmp/bridge-$n.json")"; }
done

"$devices" unbind 0000:00:04.0 || rc=1
drv=$(basename "$(readlink /sys/bus/pci/devices/0000:00:04.0/driver)")
if [ "$drv" = virtio-pci ]; then
	say "ok - unbind gave 0000:00:04.0 back to virtio-pci"
else
	say "not ok - 0000:00:04.0 is on '$drv' after unbind, not virtio-pci"
	rc=1
fi
exit $rc
