#!/bin/bash
# Runs in a guest of test/vm/run-guest for igb-vm-test, after igb-guest.sh
# (see both): the kernel's igb driver keeps PFs 7 and 8 with their
# interfaces up (it serves the VFs' mailbox only then) and creates two VFs
# on each, with MACs set by the PF owner and spoof checking off (the bridge
# forwards frames whose source is not the VF's MAC); iop-devices binds the
# VFs and the virtio NIC, and iop-bridge runs rounds 3-6 until the host
# says each round's traffic is done: round 4 as an unprivileged user on
# iommufd, round 5 with PF 7's link taken down and up, round 6 with VF0 of
# PF 7 unbound from vfio-pci under traffic. Then iop-igbvf-isolation on
# PF 8's two VFs, per device and shared, and the bad-input cases.
#
#   igbvf-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE IOP_IGBVF_ISOLATION MAC_PF7VF0 MAC_PF7VF1 MAC_PF8VF0 PF7 PF8
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
backend=$1 work=$2 devices=$3 bridge=$4 isolation=$5
mac00=$6 mac01=$7 mac10=$8
pfs=("$9" "${10}")
rc=0
SAY=igbvf-guest
# shellcheck source=igb-lib.sh
. "$HERE/igb-lib.sh"

vnet=0000:00:0f.0
declare -A vf
# the PFs' own stack sends nothing (no IPv6 neighbour discovery): every
# frame out of their wires is one the bridge sent through a VF
sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
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
	ip link show "$ifc" | sed "s/^/$SAY: PF $pf: /"
done
ifc0=$(netif "${pfs[0]}")
ifindex0=$(cat "/sys/class/net/$ifc0/ifindex")
# bad input 2: a PF with VFs enabled moved to vfio-pci would take its VFs away
refused "bind of a PF with VFs enabled" "${pfs[0]} has 2 SR-IOV VFs enabled" "$devices" bind "${pfs[0]}"
[ "$(driver "${pfs[0]}")" = igb ] || { say "not ok - the refused bind moved ${pfs[0]}"; rc=1; }

"$devices" bind "${vf[00]}" "${vf[01]}" "${vf[10]}" "${vf[11]}" "$vnet" || { say "not ok - iop-devices bind failed"; exit 1; }

# the bridge's VFIO and iommufd file descriptors (targets of /proc/PID/fd)
# (one ls: DPDK holds a descriptor per hugepage, a readlink each is slow)
vfio_fds() { ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.* -> //p' | grep -E 'vfio|iommu' | sort; }
# the kernel's pinned and locked memory of a process
pinned() { grep -E '^Vm(Pin|Lck)' "/proc/$1/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
locked_kb() { echo "$1" | sed -n 's/.*VmLck: \([0-9]*\) kB.*/\1/p'; }
relays() { dmesg | grep -c "vfio-pci $1: Relaying device request to user"; }

# round 6: VF DEV (port 0) unbound from vfio-pci while the host blasts
# into it: vfio-pci relays the kernel's request to iop-bridge, which must
# close that port and release the device, so that the unbind completes
unbind_under_traffic() { # DEV
	local dev=$1 _ upid
	bridge_wait round6.blast
	sleep 4 # the host's blast is under way
	if [ "$backend" = iommufd ]; then
		dev_node=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$dev/vfio-dev")
	else
		dev_node=/dev/vfio/$(group "$dev")
	fi
	fds_before=$(vfio_fds "$bridge_pid")
	pins_before=$(pinned "$bridge_pid")
	relays_before=$(relays "$dev")
	echo "$dev" > /sys/bus/pci/drivers/vfio-pci/unbind &
	upid=$!
	say "round 6: unbind of $dev from vfio-pci sent under traffic"
	for _ in $(seq 30); do kill -0 "$upid" 2>/dev/null || break; sleep 1; done
	if kill -0 "$upid" 2>/dev/null; then
		say "not ok - round 6: the unbind of $dev still waits 30 s after the request"
		rc=1
	elif kill -0 "$bridge_pid" 2>/dev/null; then
		say "ok - round 6: the kernel's unbind of $dev completed while iop-bridge still runs"
	else
		say "not ok - round 6: iop-bridge exited before the unbind of $dev completed"
		rc=1
	fi
	fds_after=$(vfio_fds "$bridge_pid")
	pins_after=$(pinned "$bridge_pid")
}
unbind_checks() { # DEV
	local dev=$1 n
	if grep -q "pci:$dev): the kernel asks for the device back" /tmp/bridge-6.err; then
		say "ok - round 6: iop-bridge stopped the port of $dev on the kernel's request"
	else
		say "not ok - round 6: iop-bridge said nothing about the request for $dev"
		rc=1
	fi
	n=$(sed -n "s/^iop-bridge: port 0 pci:$dev removed .*final rx \([0-9]*\) .*/\1/p" /tmp/bridge-6.err)
	if [ "${n:-0}" -gt 0 ] && grep -q '"name":"pci:'"$dev"'","removed":true' /tmp/bridge-6.json; then
		say "ok - round 6: iop-bridge closed the port of $dev after forwarding $n frames from it, the other port went on"
	else
		say "not ok - round 6: no 'removed ... final rx N>0' line or json entry for $dev"
		rc=1
	fi
	say "round 6: the bridge's VFIO/iommufd fds before the unbind: $(echo $fds_before), after: $(echo $fds_after)"
	say "round 6: the bridge's pinned memory before the unbind: $pins_before, after: $pins_after"
	# type1 pins per container and charges VmLck: the removed VF's
	# container (per-device) must have let its pages go. iommufd pins
	# pages shared by two IOAS once (VmPin), so there it stays.
	if [ "$backend" = vfio ]; then
		if [ "$(locked_kb "$pins_after")" -lt "$(locked_kb "$pins_before")" ]; then
			say "ok - round 6: the kernel unpinned the removed VF's memory (VmLck fell)"
		else
			say "not ok - round 6: VmLck did not fall when the VF's container went"
			rc=1
		fi
	fi
	if ! echo "$fds_after" | grep -qxF "$dev_node" && echo "$fds_before" | grep -qxF "$dev_node" &&
	   [ "$(echo "$fds_after" | grep -c .)" -lt "$(echo "$fds_before" | grep -c .)" ]; then
		say "ok - round 6: iop-bridge closed its fds of $dev ($dev_node) and kept the rest"
	else
		say "not ok - round 6: iop-bridge's fds of $dev ($dev_node) were not closed"
		rc=1
	fi
	n=$(( $(relays "$dev") - relays_before ))
	if [ "$n" = 1 ]; then
		say "ok - round 6: the kernel relayed its request for $dev once (released before its 10 s repeat)"
	else
		say "not ok - round 6: the kernel relayed its request for $dev $n times"
		rc=1
	fi
	dmesg | grep "$dev" | tail -3 | sed "s/^/$SAY: kernel: /"
}

for n in 3 4 5 6; do
	user="" prefix=()
	case $n in
	3) layout=per-device queues=2 a=${vf[00]} b=${vf[10]} ;;
	4) layout=shared queues=1 a=${vf[01]} b=$vnet
	   # iommufd lets an unprivileged owner of the device nodes run it
	   [ "$backend" = iommufd ] && user=1000 ;;
	5) layout=shared queues=1 a=${vf[00]} b=${vf[10]} ;;
	6) layout=per-device queues=1 a=${vf[00]} b=${vf[10]} ;;
	esac
	say "round $n: $backend, --ioas=$layout, --queues=$queues, pci:$a <-> pci:$b${user:+, as uid $user}"
	# shellcheck disable=SC2206
	args=("$bridge" $eal ${user:+--iova-mode=va} -- --log-level=iop.pci:info --iommu="$backend" --ioas="$layout"
		--port "pci:$a" --port "pci:$b" --queues="$queues")
	if [ -n "$user" ]; then
		chown "$user" /dev/iommu "/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$a/vfio-dev")" \
			"/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$b/vfio-dev")"
		prefix=(setpriv --reuid="$user" --regid="$user" --clear-groups)
		# 1 MiB of memlock cannot hold DPDK's memory: one line that says
		# how much to allow
		refused "as uid $user with 1 MiB of memlock" "ulimit -l" \
			bash -c 'ulimit -l 1024 && exec "$@"' low "${prefix[@]}" "${args[@]}" --duration=1
		prefix=(bash -c 'ulimit -l 262144 && exec "$@"' enough "${prefix[@]}")
	fi
	carrier_log=""
	if [ "$n" = 5 ]; then
		# the kernel's view of PF 7's link through the flap
		carrier_log=/tmp/carrier-$n
		( while :; do cat "/sys/class/net/$ifc0/carrier"; sleep 0.2; done ) > "$carrier_log" 2>&1 &
		cpid=$!
	fi
	bridge_start "$n" "${prefix[@]}" "${args[@]}"
	if [ "$n" = 6 ]; then
		unbind_under_traffic "$a"
	fi
	bridge_wait "round$n.done"
	bridge_finish "$n" "pci:$a" igbvf
	if [ "$n" = 5 ]; then
		kill "$cpid"
		wait "$cpid" 2>/dev/null
		seen=$(uniq "$carrier_log" | tr '\n' ' ')
		if [[ $seen == *"0 1 " ]] && [[ $seen == 1* ]]; then
			say "ok - round 5: the kernel saw $ifc0's carrier go 1 -> 0 -> 1 ($seen)"
		else
			say "not ok - round 5: $ifc0's carrier went $seen, not 1 -> 0 -> 1"
			rc=1
		fi
		flap_checks 5 "pci:$a" vfflap5
	fi
	[ "$n" = 6 ] && unbind_checks "$a"
done
# the VF resets of every bridge start never took the PFs down (PF 7's
# link came back after the flap)
for p in 0 1; do
	ifc=$(netif "${pfs[$p]}")
	if [ "$(cat "/sys/class/net/$ifc/operstate")" = up ] && [ "$(cat "/sys/class/net/$ifc/carrier")" = 1 ]; then
		say "ok - PF ${pfs[$p]} ($ifc) is up after the VF resets"
	else
		say "not ok - PF ${pfs[$p]} ($ifc) is $(cat "/sys/class/net/$ifc/operstate") after the VF resets"
		rc=1
	fi
done
[ "$(cat "/sys/class/net/$ifc0/ifindex")" = "$ifindex0" ] || { say "not ok - PF 7's interface was recreated"; rc=1; }
# isolation with real DMA: A = VF 1 of PF 8, B = VF 0 of PF 8
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
