#!/bin/bash
# Runs in a guest of test/vm/run-guest for move-vm-test (see there): binds
# the six NICs, then per phase runs iop-bridge moving one port every
# 100 ms until the host's stream of that phase is done, and judges the
# bridge's summary, the guest kernel's log and the host's counts. On
# iommufd, in each phase the host alone judges the pair of the port that
# moves (its DMA stopped for each switch): every frame it sent either way
# came back to it, byte-identical, in order, once, and its kernel dropped
# none at QEMU's sockets. On vfio (type1) each move restarts the port
# through its device, every 500 ms: the guest reports each pause, their
# median and longest, and the host judges the moved pair: what came back
# is intact and in order, and what was lost is what the host sent less
# what came back, which the port does not count (type1_losses).
#
#   move-guest.sh BACKEND WORKDIR IOP_DEVICES IOP_BRIDGE BDF,BDF,BDF,BDF,BDF,BDF
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
# "igb": the next 82576 PF in bus order (behind a root port)
igbs=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && igbs+=("$(basename "$d")")
done
for i in "${!bdfs[@]}"; do
	if [ "${bdfs[$i]}" = igb ]; then bdfs[i]=${igbs[0]:-}; igbs=("${igbs[@]:1}"); fi
done
"$devices" bind "${bdfs[@]}" || fail "iop-devices bind"
ports=()
for b in "${bdfs[@]}"; do ports+=(--port "pci:$b"); done

# the tx count of bridge port N from its summary line
tx_of() { sed -n "s/^port $1 pci:[^ ]*: rx [0-9]* ([0-9]* pps), tx \([0-9]*\) .*/\1/p" "$2"; }
# the rx count of bridge port N from its summary line
rx_of() { sed -n "s/^port $1 pci:[^ ]*: rx \([0-9]*\) .*/\1/p" "$2"; }
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

# The host's word on one direction of the moved pair on type1, where each
# move restarts the port's device: what came back is byte-identical, in
# order, once; what the host sent is what came back, what its kernel
# dropped and what was lost; the bridge sent exactly what the host
# received and counted as dropped no frame beyond those lost (and the
# host's probes). Frames lost in the restarts are reported, per move too:
# the port does not count a frame its device missed while closed.
type1_losses() { # "NAME DIR" LINE TX DROPPED PROBES
	local sent hdrop got lost nic
	read -r sent hdrop got lost nic <<< "$(echo "$2" | sed -n "s/.*: in \([0-9]*\), dropped by the host at QEMU's socket \([0-9]*\), out \([0-9]*\), lost \([0-9]*\), corrupt 0, duplicated 0, reordered 0, nic_tx \([0-9]*\): ok$/\1 \2 \3 \4 \5/p")"
	if [ -n "${sent:-}" ] && [ "$got" -gt 0 ] && [ "$sent" = $((got + hdrop + lost)) ] &&
	   [ "$nic" = "$3" ] && [ "$4" -le $((lost + $5)) ]; then
		say "ok - phase $phase: $1 (moved pair, type1): the host sent $sent, received $got byte-identical, in order, once, its kernel dropped $hdrop at QEMU's socket (the NIC not reading), lost $lost in the NIC, over $moves moves: $(awk -v l="$((lost + hdrop))" -v m="$moves" 'BEGIN { printf "%.1f", l / m }') missing per move, of which the bridge counted $4 as dropped; it sent $3, all received"
	else
		fail "phase $phase: $1 (moved pair, type1): the host says '${2:-no stream line}', the bridge sent '$3' and counted '$4' dropped"
	fi
}

for phase in 1 2 3; do
	case $phase in
	1) layout=shared port=0 kind=virtio ;;
	2) layout=per-device port=2 kind=e1000e ;;
	3) layout=per-device port=4 kind=igb ;;
	esac
	# on type1 each move restarts the port through its device: time
	# between them for the traffic to flow again
	every=$([ "$backend" = vfio ] && echo 500 || echo 100)
	say "phase $phase: $backend, --ioas=$layout, moving port $port ($kind) every $every ms"
	before=$(dmesg | wc -l)
	# shellcheck disable=SC2086
	"$bridge" $eal -- --iommu="$backend" --ioas="$layout" "${ports[@]}" --rxd=256 --txd=256 \
		--forward-mode=io --stats-period=0 --move-every="$every" --move-port="$port" \
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
	elif [ "$(grep -c "balanced" "$out")" -lt $((2 * ${#bdfs[@]})) ]; then
		fail "phase $phase: no balanced summary of the ${#bdfs[@]} ports"
	else
		say "ok - phase $phase: every port balanced, no DMA fault"
	fi
	moved=$(sed -n "s/^move: port $port moved \([0-9]*\) times .*, \([0-9]*\) with its queues paused (longest pause \([0-9.]*\) ms), .* \([0-9]*\) failed.*/\1 \2 \3 \4/p" "$out")
	read -r moves paused longest failed <<< "$moved"
	if [ "$backend" = vfio ]; then
		# type1 has no replace: each move closes the device (vfio-pci
		# resets it), moves its group to the other container and opens
		# it again there, the port's configuration replayed
		read -r median longest_pause <<< "$(sed -n "s/^move: pauses of port $port (ms): .*; median \([0-9.]*\), longest \([0-9.]*\)$/\1 \2/p" "$out")"
		if [ "$brc" -eq 0 ] && [ "${moves:-0}" -ge 5 ] && [ "$failed" = 0 ] && [ "$paused" = "$moves" ] &&
		   [ -n "${median:-}" ]; then
			say "ok - phase $phase: port $port ($kind) moved $moves times on vfio (type1), each a restart through its device, none failed; pause median $median ms, longest $longest_pause ms"
		else
			fail "phase $phase: exit $brc, moves (done paused longest failed): '$moved', pauses: $(grep "^move: pauses" "$out")"
		fi
	elif [ "$brc" -eq 0 ] && [ "${moves:-0}" -ge 20 ] && [ "$failed" = 0 ] && [ "$paused" = "$moves" ]; then
		say "ok - phase $phase: port $port ($kind) moved $moves times under traffic on $backend, none failed; its DMA stopped for each switch, longest pause $longest ms"
	else
		fail "phase $phase: exit $brc, moves (done paused longest failed): '$moved'"
	fi
	# what the bridge sent out of each port is what the host received,
	# and every frame that went in and never came out is one the bridge
	# counted as dropped where it came in (besides, at most, the host's
	# probe frames that went in, which the stream does not count)
	names=(vv ee ii)
	for i in 0 1 2; do
		a=$((i * 2)) b=$((i * 2 + 1)) name=${names[$i]}
		for dir in "A->B $a $b" "B->A $b $a"; do
			read -r d in eg <<< "$dir"
			line=$(grep "^stream $name $d: " "$work/stream$phase.txt" 2>/dev/null)
			nic=$(echo "$line" | sed -n "s/.* nic_tx \([0-9]*\): .*/\1/p")
			lost=$(echo "$line" | sed -n "s/.* lost \([0-9]*\), .*/\1/p")
			tx=$(tx_of "$eg" "$out")
			dropped=$(dropped_of "$in" "$out")
			sent=$(echo "$line" | sed -n "s/.*: in \([0-9]*\), dropped by the host at QEMU's socket \([0-9]*\),.*/\1 - \2/p")
			probes=$(( $(rx_of "$in" "$out") - (${sent:-0}) ))
			if [ "$backend" = vfio ] && [ "$i" = "$((phase - 1))" ]; then
				type1_losses "$name $d" "$line" "$tx" "$dropped" "$probes"
				continue
			fi
			if [ -n "$nic" ] && [ "$nic" = "$tx" ] && [ -n "$lost" ] && [ -n "$dropped" ] &&
			   [ "$lost" -le "$dropped" ] && [ "$dropped" -le $((lost + probes)) ]; then
				say "ok - phase $phase: $name $d: port $eg sent $tx frames, the host received them all; $lost lost, $dropped counted dropped by port $in, of which at most $probes probe frames"
			else
				fail "phase $phase: $name $d: port $eg sent '$tx', the host received '$nic'; lost '$lost', port $in counted '$dropped' dropped"
			fi
			if [ "$backend" = iommufd ] && [ "$i" = "$((phase - 1))" ]; then zero_loss "$name $d" "$line"; fi
		done
	done
done
# a virtio device that does not offer VIRTIO_F_RING_RESET (port 1, QEMU's
# queue_reset=off) cannot stop its queues and keep them: a move of it
# started is refused in one line, and it forwards on
if [ "$backend" = iommufd ]; then
	# shellcheck disable=SC2086
	"$bridge" $eal -- --iommu=iommufd --ioas=shared --port "pci:${bdfs[0]}" --port "pci:${bdfs[1]}" --rxd=256 --txd=256 \
		--forward-mode=io --stats-period=0 --duration=2 --move-every=100 --move-port=1 \
		> /tmp/move-reset.out 2> /tmp/move-reset.err
	mrc=$?
	if [ "$mrc" -eq 3 ] && grep -q "^move: port 1 moved 0 times" /tmp/move-reset.out &&
	   grep -q "port 1 (pci:${bdfs[1]}): the virtio device does not offer VIRTIO_F_RING_RESET, so the PMD cannot stop its queues' DMA while its domain changes and keep them: stop the port, move it, start it again" /tmp/move-reset.err &&
	   [ "$(grep -c -e "--move-every:" /tmp/move-reset.err)" = 1 ]; then
		say "ok - a started virtio port without VIRTIO_F_RING_RESET is refused in one line"
	else
		fail "the move of a virtio port without VIRTIO_F_RING_RESET: exit $mrc, $(cat /tmp/move-reset.out /tmp/move-reset.err)"
	fi
fi
exit $rc
