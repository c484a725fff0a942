#!/bin/bash
# Runs in a guest of test/vm/run-guest for move-vm-test (see there): binds
# the four NICs, then per phase runs iop-bridge moving one port every
# 100 ms until the host's stream of that phase is done, and judges the
# bridge's summary, the guest kernel's log and the host's counts. In
# phase 2 (the e1000e port moves, its DMA stopped for each switch) the
# host alone judges the e1000e pair: every frame it sent either way came
# back to it, byte-identical, in order, once, and its kernel dropped none
# at QEMU's sockets.
#
#   move-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE BDF,BDF,BDF,BDF
set -u
# shellcheck source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"
backend=$1 work=$2 devices=$3 bridge=$4 list=$5
rc=0
# DPDK memory above 2^40: with the 39-bit vIOMMU no VA fits the aperture,
# so IOVAs are packed and differ from VAs; a move must keep them
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
say() { echo "move-guest: $*"; }
fail() { say "not ok - $*"; rc=1; }
IFS=, read -ra bdfs <<< "$list"
"$devices" bind "${bdfs[@]}" || fail "iop-devices bind"
ports=()
for b in "${bdfs[@]}"; do ports+=(--port "pci:$b"); done

# the tx count of bridge port N from its summary line
tx_of() { sed -n "s/^port $1 pci:[^ ]*: rx [0-9]* ([0-9]* pps), tx \([0-9]*\) .*/\1/p" "$2"; }
# the frames bridge port N took in and dropped (counted), from its summary
dropped_of() { sed -n "s/^port $1 pci:[^ ]*: .*, dropped \([0-9]*\), dma faults .*/\1/p" "$2"; }

# The host's word on one direction of a pair (its stream line): it
# received every frame it sent, byte-identical, in order, once, and its
# kernel dropped none at QEMU's socket.
zero_loss() { # "NAME DIR" LINE
	local counts
	counts=$(echo "$2" | sed -n "s/.*: in \([0-9]*\), dropped by the host at QEMU's socket 0, out \([0-9]*\), lost 0, corrupt 0, duplicated 0, reordered 0, .*: ok$/\1 \2/p")
	read -r sent got <<< "$counts"
	if [ -n "${sent:-}" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$got" ]; then
		say "ok - phase $phase: $1: zero loss: the host sent $sent frames and received all $got, byte-identical, in order, once; its kernel dropped none"
	else
		fail "phase $phase: $1: not zero loss, the host says: ${2:-no stream line}"
	fi
}

for phase in 1 2; do
	if [ "$phase" = 1 ]; then layout=shared port=0 kind=virtio; else layout=per-device port=2 kind=e1000e; fi
	say "phase $phase: $backend, --ioas=$layout, moving port $port ($kind) every 100 ms"
	before=$(dmesg | wc -l)
	# shellcheck disable=SC2086
	"$bridge" $eal -- --iommu="$backend" --ioas="$layout" "${ports[@]}" --rxd=256 --txd=256 \
		--forward-mode=io --stats-period=0 --move-every=100 --move-port="$port" \
		> "/tmp/move-$phase.out" 2> "/tmp/move-$phase.err" &
	pid=$!
	say "phase $phase: started"
	stop_when_done "$work/phase$phase.done" "$pid" 900
	cat "/tmp/move-$phase.out" "/tmp/move-$phase.err"
	faults=$(dmesg | tail -n +"$((before + 1))" | grep -i -E "DMAR.*(fault|DMA (Read|Write))")
	if [ -z "$faults" ]; then
		say "ok - phase $phase: no DMAR fault in the kernel's log"
	else
		fail "phase $phase: DMAR faults: $faults"
	fi
	out=/tmp/move-$phase.out
	if grep -q -E "dma faults [1-9]" "$out" || grep -q "NOT BALANCED" "$out"; then
		fail "phase $phase: the bridge saw DMA faults or does not balance"
	elif [ "$(grep -c "balanced" "$out")" -lt 8 ]; then
		fail "phase $phase: no balanced summary of the four ports"
	else
		say "ok - phase $phase: every port balanced, no DMA fault"
	fi
	moved=$(sed -n "s/^move: port $port moved \([0-9]*\) times .*, \([0-9]*\) with its queues paused (longest pause \([0-9.]*\) ms), .* \([0-9]*\) failed.*/\1 \2 \3 \4/p" "$out")
	read -r moves paused longest failed <<< "$moved"
	if [ "$backend" = vfio ]; then
		# the kernel keeps an open device's group in its container
		if [ "$brc" -eq 3 ] && [ "${moves:-}" = 0 ] &&
		   grep -q "cannot move port $port (pci:[^)]*) on the vfio (type1) backend: the kernel keeps a group in its container while a device of it is open (VFIO_GROUP_UNSET_CONTAINER is EBUSY); close the port and open it again where it should go, or use --iommu=iommufd" "/tmp/move-$phase.err" &&
		   [ "$(grep -c -e "--move-every:" "/tmp/move-$phase.err")" = 1 ]; then
			say "ok - phase $phase: type1 refuses to move open port $port ($kind) in one line (${failed} ticks), the port forwards on"
		else
			fail "phase $phase: expected one type1 refusal for port $port and exit 3, got exit $brc, moves '$moved'"
		fi
	elif [ "$kind" = virtio ]; then
		# virtio cannot stop a queue's DMA and keep it: refused, one line
		if [ "$brc" -eq 3 ] && [ "${moves:-}" = 0 ] &&
		   grep -q "port $port (pci:[^)]*): the virtio PMD cannot stop the device's DMA while its domain changes, so it cannot move started: stop the port, move it, start it again" "/tmp/move-$phase.err" &&
		   [ "$(grep -c -e "--move-every:" "/tmp/move-$phase.err")" = 1 ]; then
			say "ok - phase $phase: moving started port $port ($kind) is refused in one line (${failed} ticks), the port forwards on"
		else
			fail "phase $phase: expected one refusal for $kind and exit 3, got exit $brc, moves '$moved'"
		fi
	elif [ "$brc" -eq 0 ] && [ "${moves:-0}" -ge 20 ] && [ "$failed" = 0 ] && [ "$paused" = "$moves" ]; then
		say "ok - phase $phase: port $port ($kind) moved $moves times under traffic on $backend, none failed; its DMA stopped for each switch, longest pause $longest ms"
	else
		fail "phase $phase: exit $brc, moves (done paused longest failed): '$moved'"
	fi
	# what the bridge sent out of each port is what the host received,
	# and every frame that went in and never came out is one the bridge
	# counted as dropped where it came in
	for i in 0 1; do
		a=$((i * 2)) b=$((i * 2 + 1)) name=$([ "$i" = 0 ] && echo vv || echo ee)
		for dir in "A->B $a $b" "B->A $b $a"; do
			read -r d in eg <<< "$dir"
			line=$(grep "^stream $name $d: " "$work/stream$phase.txt" 2>/dev/null)
			nic=$(echo "$line" | sed -n "s/.* nic_tx \([0-9]*\): .*/\1/p")
			lost=$(echo "$line" | sed -n "s/.* lost \([0-9]*\), .*/\1/p")
			tx=$(tx_of "$eg" "$out")
			dropped=$(dropped_of "$in" "$out")
			if [ -n "$nic" ] && [ "$nic" = "$tx" ] && [ "$lost" = "$dropped" ]; then
				say "ok - phase $phase: $name $d: port $eg sent $tx frames, the host received them all; $lost lost = $dropped counted by port $in"
			else
				fail "phase $phase: $name $d: port $eg sent '$tx', the host received '$nic'; lost '$lost', port $in counted '$dropped' dropped"
			fi
			if [ "$phase" = 2 ] && [ "$name" = ee ]; then zero_loss "$name $d" "$line"; fi
		done
	done
done
exit $rc
