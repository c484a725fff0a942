#!/bin/bash
# Runs in a guest of test/vm/run-guest for igbvf-vm-test (see there): the
# kernel's igb driver keeps both 82576 PFs with their interfaces up (it
# serves the VFs' mailbox only then) and creates two VFs on each, with MACs
# set by the PF owner and spoof checking off (the bridge forwards frames
# whose source is not the VF's MAC); iop-devices binds three VFs and the
# virtio NIC, and iop-bridge runs the three rounds until the host says each
# round's traffic is done; then iop-igbvf-isolation on PF1's two VFs, per
# device and shared.
#
#   igbvf-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE IOP_IGBVF_ISOLATION MAC_PF0VF0 MAC_PF0VF1 MAC_PF1VF0
set -u
backend=$1 work=$2 devices=$3 bridge=$4 isolation=$5
mac00=$6 mac01=$7 mac10=$8
rc=0
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
say() { echo "igbvf-guest: $*"; }
group() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
netif() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -1; }

if [ ! -d /sys/bus/pci/drivers/igb ]; then
	say "skipped: the guest kernel has no igb driver (CONFIG_IGB; test/vm/kernel.fragment has it, rebuild with test/vm/kernel.sh --build)"
	exit 77
fi
pfs=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && pfs+=("$(basename "$d")")
done
if [ "${#pfs[@]}" -ne 2 ]; then
	say "not ok - 2 82576 PFs expected, the guest sees ${#pfs[@]}: ${pfs[*]}"
	exit 1
fi
vnet=0000:00:0a.0
declare -A vf
# one failing command: nonzero exit and one line that says what to do
refused() {
	local name=$1 want=$2 out erc
	shift 2
	out=$("$@" 2>&1)
	erc=$?
	if [ "$erc" -ne 0 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -qF -- "$want"; then
		say "ok - $name: $out"
	else
		say "not ok - $name (exit $erc): $out"
		rc=1
	fi
}
# bad input 1: the address of a VF not created yet
refused "bind of a VF its PF has not created" \
	"it would be VF 0 of ${pfs[1]}, which has 0 enabled: create it with echo 1 > /sys/bus/pci/devices/${pfs[1]}/sriov_numvfs" \
	"$devices" bind "${pfs[1]%:*}:10.0"
for p in 0 1; do
	pf=${pfs[$p]} ifc=$(netif "${pfs[$p]}")
	if [ -z "$ifc" ] || ! ip link set "$ifc" up; then
		say "not ok - PF $pf has no interface to bring up"
		exit 1
	fi
	# the VFs stay without a kernel driver until iop-devices binds them
	echo 0 > "/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
	if ! echo 2 > "/sys/bus/pci/devices/$pf/sriov_numvfs"; then
		say "not ok - PF $pf refused sriov_numvfs=2"
		exit 1
	fi
	for v in 0 1; do
		vf[$p$v]=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn$v")")
		ip link set "$ifc" vf $v spoofchk off
		say "${vf[$p$v]}: VF $v of PF $pf ($ifc, IOMMU group $(group "$pf")): $(cat "/sys/bus/pci/devices/${vf[$p$v]}/vendor"):$(cat "/sys/bus/pci/devices/${vf[$p$v]}/device"), IOMMU group $(group "${vf[$p$v]}")"
	done
	[ "$p" = 0 ] && ip link set "$ifc" vf 0 mac "$mac00" && ip link set "$ifc" vf 1 mac "$mac01"
	[ "$p" = 1 ] && ip link set "$ifc" vf 0 mac "$mac10" && ip link set "$ifc" vf 1 mac 02:00:00:00:00:0f
	ip link show "$ifc" | sed "s/^/igbvf-guest: PF $pf: /"
done
ifindex0=$(cat "/sys/class/net/$(netif "${pfs[0]}")/ifindex")
# bad input 2: a PF with VFs enabled moved to vfio-pci would take its VFs away
refused "bind of a PF with VFs enabled" "${pfs[0]} has 2 SR-IOV VFs enabled" "$devices" bind "${pfs[0]}"
[ "$(basename "$(readlink "/sys/bus/pci/devices/${pfs[0]}/driver")")" = igb ] || { say "not ok - the refused bind moved ${pfs[0]}"; rc=1; }

"$devices" bind "${vf[00]}" "${vf[01]}" "${vf[10]}" "${vf[11]}" "$vnet" || { say "not ok - iop-devices bind failed"; exit 1; }

rounds=("per-device 2 ${vf[00]} ${vf[10]}" "shared 1 ${vf[01]} $vnet" "shared 1 ${vf[00]} ${vf[10]}")
for n in 1 2 3; do
	read -r layout queues a b <<< "${rounds[$((n - 1))]}"
	say "round $n: $backend, --ioas=$layout, --queues=$queues, pci:$a <-> pci:$b"
	# shellcheck disable=SC2086
	"$bridge" $eal -- --log-level=iop.pci:info --iommu="$backend" --ioas="$layout" --port "pci:$a" --port "pci:$b" \
		--queues="$queues" --rxd=256 --txd=256 --mtu=1500 --forward-mode=io --stats-period=10 \
		--json-stats="/tmp/bridge-$n.json" 2> "/tmp/bridge-$n.err" &
	pid=$!
	for _ in $(seq 900); do
		[ -e "$work/round$n.done" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	brc=$?
	cat "/tmp/bridge-$n.err" >&2
	say "round $n: iop-bridge exit $brc"
	[ "$brc" -eq 0 ] || rc=1
	if grep -q "pci:$a: igbvf port" "/tmp/bridge-$n.err"; then
		say "ok - round $n: pci:$a ran on the igbvf PMD"
	else
		say "not ok - round $n: no 'igbvf port' line for pci:$a"
		rc=1
	fi
	[ -e "/tmp/bridge-$n.json" ] && say "json $n: $(cat "/tmp/bridge-$n.json")"
done
# the VF resets of every bridge start never took the PFs down
for p in 0 1; do
	ifc=$(netif "${pfs[$p]}")
	if [ "$(cat "/sys/class/net/$ifc/operstate")" = up ] && [ "$(cat "/sys/class/net/$ifc/carrier")" = 1 ]; then
		say "ok - PF ${pfs[$p]} ($ifc) stayed up through the VF resets"
	else
		say "not ok - PF ${pfs[$p]} ($ifc) is $(cat "/sys/class/net/$ifc/operstate") after the VF resets"
		rc=1
	fi
done
[ "$(cat "/sys/class/net/$(netif "${pfs[0]}")/ifindex")" = "$ifindex0" ] || { say "not ok - PF 0's interface was recreated"; rc=1; }
# isolation with real DMA: A = VF 1 of PF 1, B = VF 0 of PF 1
for layout in per-device shared; do
	say "isolation: $backend, --ioas=$layout, A ${vf[11]}, B ${vf[10]}"
	# shellcheck disable=SC2086
	"$isolation" $eal -- --iommu="$backend" --ioas="$layout" -- "${vf[11]}" "${vf[10]}" "$(netif "${pfs[1]}")" || rc=1
done
# bad input 3: a VF whose PF stopped serving it (interface down), then
# whose PF's driver went away (unbinding igb removes the VFs)
ifc1=$(netif "${pfs[1]}")
ip link set "$ifc1" down
# shellcheck disable=SC2086
refused "a VF of a PF that is down" "ip link set $ifc1 up" \
	"$bridge" $eal -- --iommu="$backend" --port "pci:${vf[10]}" --port "pci:${vf[11]}" --duration=1
echo "${pfs[1]}" > /sys/bus/pci/drivers/igb/unbind
# shellcheck disable=SC2086
refused "a VF of a PF whose driver went away" "it would be VF 0 of ${pfs[1]}, which has 0 enabled" \
	"$bridge" $eal -- --iommu="$backend" --port "pci:${vf[10]}" --port "pci:${vf[11]}" --duration=1
exit $rc
