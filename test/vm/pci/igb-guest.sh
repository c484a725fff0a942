#!/bin/bash
# Runs in a guest of test/vm/run-guest for igb-vm-test (see there): finds
# the seven 82576 PFs (on their root ports, in bus order): PF 6 stays on
# the kernel's igb driver; PFs 0-5 are bound with iop-devices; iop-bridge
# forwards PFs 0<->1 (round 1) and 2<->3 (round 2) until the host says that
# round's traffic is done; then iop-igb-checks runs on the cabled PFs 4 and
# 5, and PF 6 gets two SR-IOV VFs, whose IOMMU groups are printed and checked.
#
#   igb-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_IGB_CHECKS IOP_BRIDGE
set -u
backend=$1 work=$2 devices=$3 checks=$4 bridge=$5
rc=0
# DPDK memory above 2^40: with the 39-bit vIOMMU no VA fits the aperture,
# so every descriptor carries an IOVA that differs from its VA
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
say() { echo "igb-guest: $*"; }

pfs=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && pfs+=("$(basename "$d")")
done
if [ ! -d /sys/bus/pci/drivers/igb ]; then
	say "skipped: the guest kernel has no igb driver (CONFIG_IGB; test/vm/kernel.fragment has it, rebuild with test/vm/kernel.sh --build)"
	exit 77
fi
if [ "${#pfs[@]}" -ne 7 ]; then
	say "not ok - 7 82576 PFs expected, the guest sees ${#pfs[@]}: ${pfs[*]}"
	exit 1
fi
group() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
for b in "${pfs[@]}"; do
	say "$b: 82576 PF on $(basename "$(readlink "/sys/bus/pci/devices/$b/driver")"), IOMMU group $(group "$b"), sriov_totalvfs $(cat "/sys/bus/pci/devices/$b/sriov_totalvfs" 2>/dev/null || echo none)"
done

"$devices" bind "${pfs[@]:0:6}" || { say "not ok - iop-devices bind failed"; exit 1; }

for n in 1 2; do
	if [ "$n" = 1 ]; then layout=shared queues=1; else layout=per-device queues=2; fi
	a=${pfs[$(( (n - 1) * 2 ))]} b=${pfs[$(( (n - 1) * 2 + 1 ))]}
	say "round $n: $backend, --ioas=$layout, --queues=$queues, pci:$a <-> pci:$b"
	# shellcheck disable=SC2086
	"$bridge" $eal -- --log-level=iop.pci:info --iommu="$backend" --ioas="$layout" --port "pci:$a" --port "pci:$b" \
		--queues="$queues" --rxd=256 --txd=256 --forward-mode=io --stats-period=10 \
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
	if grep -q "igb port" "/tmp/bridge-$n.err"; then
		say "ok - round $n: both ports ran on the igb PMD"
	else
		say "not ok - round $n: no 'igb port' line from the pci port driver"
		rc=1
	fi
	[ -e "/tmp/bridge-$n.json" ] && say "json $n: $(cat "/tmp/bridge-$n.json")"
done
# SR-IOV: the kernel's igb PF driver creates the VFs; each VF must come in
# an IOMMU group of its own (the kernel's answer), apart from its PF's
sr=${pfs[6]}
if echo 2 > "/sys/bus/pci/devices/$sr/sriov_numvfs"; then
	groups=" $(group "$sr") " vfs=0
	for v in /sys/bus/pci/devices/$sr/virtfn*; do
		vf=$(basename "$(readlink "$v")")
		g=$(group "$vf")
		say "$vf: VF $(cat "/sys/bus/pci/devices/$vf/vendor"):$(cat "/sys/bus/pci/devices/$vf/device") of $sr, IOMMU group $g, driver $(basename "$(readlink "/sys/bus/pci/devices/$vf/driver" 2>/dev/null)" 2>/dev/null || echo none)"
		case $groups in *" $g "*) say "not ok - VF $vf shares IOMMU group $g"; rc=1 ;; esac
		groups+="$g "
		vfs=$((vfs + 1))
	done
	if [ "$vfs" = 2 ]; then
		say "ok - sriov_numvfs=2 gave two VFs, each in an IOMMU group of its own"
	else
		say "not ok - sriov_numvfs=2 gave $vfs VFs"
		rc=1
	fi
	echo 0 > "/sys/bus/pci/devices/$sr/sriov_numvfs"
else
	say "not ok - the igb PF $sr refused sriov_numvfs=2"
	rc=1
fi

# shellcheck disable=SC2086
"$checks" $eal -- --iommu="$backend" -- "${pfs[4]}" "${pfs[5]}" || rc=1
exit $rc
