#!/bin/bash
# Runs in a guest of test/vm/run-guest for igb-vm-test (see there): finds
# the nine 82576 PFs (on their root ports, in bus order); binds PFs 0-5
# with iop-devices; iop-bridge forwards PFs 0<->1 (round 1, the host
# flapping PF 0's link halfway) and 2<->3 (round 2), each until the host
# says that round's traffic is done; iop-igb-checks runs on the
# cabled PFs 4 and 5; PF 6 gets two SR-IOV VFs on the kernel's igb, whose
# IOMMU groups are checked, then one on vfio-pci (enable_sriov), which the
# igb PMD must refuse. Then igbvf-guest.sh on PFs 7 and 8.
#
#   igb-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_IGB_CHECKS IOP_BRIDGE IOP_IGBVF_ISOLATION MAC_PF7VF0 MAC_PF7VF1 MAC_PF8VF0
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
backend=$1 work=$2 devices=$3 checks=$4 bridge=$5
rc=0
SAY=igb-guest
# shellcheck source=igb-lib.sh
. "$HERE/igb-lib.sh"

igb_need_driver
igb_find_pfs
if [ "${#pfs[@]}" -ne 9 ]; then
	say "not ok - 9 82576 PFs expected, the guest sees ${#pfs[@]}: ${pfs[*]}"
	exit 1
fi
for b in "${pfs[@]}"; do
	say "$b: 82576 PF on $(driver "$b"), IOMMU group $(group "$b"), sriov_totalvfs $(cat "/sys/bus/pci/devices/$b/sriov_totalvfs" 2>/dev/null || echo none)"
done

"$devices" bind "${pfs[@]:0:6}" || { say "not ok - iop-devices bind failed"; exit 1; }

for n in 1 2; do
	case $n in
	1) layout=shared queues=1 a=${pfs[0]} b=${pfs[1]} ;;
	2) layout=per-device queues=2 a=${pfs[2]} b=${pfs[3]} ;;
	esac
	say "round $n: $backend, --ioas=$layout, --queues=$queues, pci:$a <-> pci:$b"
	# shellcheck disable=SC2086
	bridge_start "$n" "$bridge" $eal -- --log-level=iop.pci:info --iommu="$backend" --ioas="$layout" \
		--port "pci:$a" --port "pci:$b" --queues="$queues"
	bridge_wait "round$n.done"
	bridge_finish "$n" "pci:$a" igb
	grep -q "pci:$b: igb port" "/tmp/bridge-$n.err" || { say "not ok - round $n: pci:$b not on the igb PMD"; rc=1; }
	[ "$n" = 1 ] && flap_checks 1 "pci:$a" igb1
	[ "$n" = 2 ] && oversize_checks 2 igb2
done

# SR-IOV: the kernel's igb PF driver creates the VFs; each VF must come in
# an IOMMU group of its own (the kernel's answer), apart from its PF's
sr=${pfs[6]}
if echo 2 > "/sys/bus/pci/devices/$sr/sriov_numvfs"; then
	groups=" $(group "$sr") " vfs=0
	for v in /sys/bus/pci/devices/$sr/virtfn*; do
		vf=$(basename "$(readlink "$v")")
		g=$(group "$vf")
		say "$vf: VF $(cat "/sys/bus/pci/devices/$vf/vendor"):$(cat "/sys/bus/pci/devices/$vf/device") of $sr, IOMMU group $g, driver $(driver "$vf")"
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
# bad input: a PF on vfio-pci whose VFs vfio-pci created (enable_sriov):
# the igb PMD does not serve their mailbox and must refuse the PF
sriov_param=/sys/module/vfio_pci/parameters/enable_sriov
if "$devices" bind "$sr" && echo 1 > "$sriov_param" && echo 1 > "/sys/bus/pci/devices/$sr/sriov_numvfs"; then
	say "$sr on $(driver "$sr") with $(cat "/sys/bus/pci/devices/$sr/sriov_numvfs") VF(s) (vfio-pci enable_sriov=$(cat "$sriov_param"))"
	# shellcheck disable=SC2086
	refused "the igb PMD on a PF with VFs enabled on vfio-pci" \
		"$sr has 1 SR-IOV VF enabled, whose mailbox the igb PMD does not serve (leave the PF to the kernel's igb driver): bind its VFs instead, or remove them first: echo 0 > /sys/bus/pci/devices/$sr/sriov_numvfs" \
		"$bridge" $eal -- --iommu="$backend" --port "pci:$sr" --port "pci:${pfs[4]}" --duration=1
	echo 0 > "/sys/bus/pci/devices/$sr/sriov_numvfs"
else
	say "not ok - could not give $sr a VF on vfio-pci (bind, $sriov_param, sriov_numvfs)"
	rc=1
fi
echo 0 > "$sriov_param"

# shellcheck disable=SC2086
"$checks" $eal -- --iommu="$backend" -- "${pfs[4]}" "${pfs[5]}" || rc=1

"$HERE/igbvf-guest.sh" "$backend" "$work" "$devices" "$bridge" "$6" "$7" "$8" "$9" "${pfs[7]}" "${pfs[8]}" || rc=1
exit $rc
