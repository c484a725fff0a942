# shellcheck shell=bash
# Shared by the guest scripts of igb-vm-test (igb-guest.sh, igbvf-guest.sh):
# sourced, not run. The caller sets SAY (its line prefix), HERE (this
# folder), work (the directory the host writes roundN.done into) and rc
# (its verdict).

# DPDK memory above 2^40: with the 39-bit vIOMMU no VA fits the aperture,
# so every descriptor carries an IOVA that differs from its VA
eal="-l 0 --in-memory --base-virtaddr=0x10000000000 --log-level=lib.eal:error"
# each line with the guest's uptime, to see where a slow boot's time goes
say() { echo "$SAY: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
group() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
netif() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -1; }
driver() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null || echo none; }

# exits 77 (skip) on a guest kernel without the igb driver
igb_need_driver() {
	[ -d /sys/bus/pci/drivers/igb ] && return 0
	say "skipped: the guest kernel has no igb driver (CONFIG_IGB; test/vm/kernel.fragment has it, rebuild with test/vm/kernel.sh --build)"
	exit 77
}

# every 82576 PF the guest sees, in bus order, into the array pfs
igb_find_pfs() {
	local d
	pfs=()
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && pfs+=("$(basename "$d")")
	done
}

# one failing command: nonzero exit and one line that says what to do
refused() { # NAME WANT COMMAND...
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

# starts one round's iop-bridge in the background (pid in bridge_pid), its
# stderr in /tmp/bridge-N.err, its counters in /tmp/bridge-N.json
bridge_start() { # N COMMAND-PREFIX... -- IOP-BRIDGE ARGS...
	local n=$1
	shift
	# --mtu=1500: a virtio end takes jumbo frames, and the host's oversize
	# frames (1515..2000 bytes) must be dropped on every pair
	"$@" --rxd=256 --txd=256 --mtu=1500 --forward-mode=io --stats-period=10 \
		--json-stats="/tmp/bridge-$n.json" 2> "/tmp/bridge-$n.err" &
	bridge_pid=$!
}

# waits for FILE in the work directory (the host's word) while the bridge runs
bridge_wait() { # FILE
	local _
	for _ in $(seq 900); do
		[ -e "$work/$1" ] && return 0
		kill -0 "$bridge_pid" 2>/dev/null || return 1
		sleep 1
	done
	return 1
}

# stops round N's bridge, prints its output, checks its exit and that
# PORT ran on PMD (the pci port driver's "PORT: PMD port" line)
bridge_finish() { # N PORT PMD
	local n=$1 port=$2 pmd=$3 brc
	kill -INT "$bridge_pid" 2>/dev/null
	wait "$bridge_pid"
	brc=$?
	cat "/tmp/bridge-$n.err" >&2
	say "round $n: iop-bridge exit $brc"
	[ "$brc" -eq 0 ] || rc=1
	if grep -q "$port: $pmd port" "/tmp/bridge-$n.err"; then
		say "ok - round $n: $port ran on the $pmd PMD"
	else
		say "not ok - round $n: no '$pmd port' line for $port"
		rc=1
	fi
	[ -e "/tmp/bridge-$n.json" ] && say "json $n: $(cat "/tmp/bridge-$n.json")"
}

# after a round whose port 0 (PORT) lost its link under a blast (the
# host's PAIR of iop-pci-traffic): the port reported its link down, then
# up; every frame the bridge sent reached the host (frame-conservation);
# and frames that reached the NIC while the link was down were lost there
flap_checks() { # N PORT PAIR
	local n=$1 port=$2 pair=$3 out lost
	if grep -q "^iop-bridge: port 0 $port link down" "/tmp/bridge-$n.err" &&
	   sed -n "/^iop-bridge: port 0 $port link down/,\$p" "/tmp/bridge-$n.err" | grep -q "^iop-bridge: port 0 $port link up"; then
		say "ok - round $n: $port reported its link down, then up"
	else
		say "not ok - round $n: no 'link down' then 'link up' line for $port"
		rc=1
	fi
	out=$("$HERE/frame-conservation" "$work/traffic.log" "$pair" "/tmp/bridge-$n.json") || rc=1
	echo "$out" | sed "s/^/$SAY: /"
	lost=$(echo "$out" | sed -n "s/^# $pair A: .*, \([0-9-]*\) lost at the NIC$/\1/p")
	if [ "${lost:-0}" -gt 0 ]; then
		say "ok - round $n: $lost frames that reached $port's NIC were lost there (QEMU drops frames for a NIC whose link is down)"
	else
		say "not ok - round $n: no frame was lost at $port's NIC (was its link down under traffic?)"
		rc=1
	fi
}

# after a round without a link flap (the host's PAIR): every frame sent
# into either NIC was received or counted as an rx drop (none lost at the
# NIC), and the host's three oversize frames each way (1515..2000 bytes)
# are each port's rx_oversize: the 82576 hands them over (RCTL.LPE) and
# the PMD counts them, as QEMU counts them nowhere without VMDq
oversize_checks() { # N PAIR
	local n=$1 pair=$2 out side lost over
	out=$("$HERE/frame-conservation" "$work/traffic.log" "$pair" "/tmp/bridge-$n.json") || rc=1
	echo "$out" | sed "s/^/$SAY: /"
	for side in A B; do
		lost=$(echo "$out" | sed -n "s/^# $pair $side: .*, \([0-9-]*\) lost at the NIC$/\1/p")
		over=$(echo "$out" | sed -n "s/^# $pair $side: .* (\([0-9]*\) rx_oversize), .*/\1/p")
		if [ "$lost" = 0 ] && [ "$over" = 3 ]; then
			say "ok - round $n: $pair $side: nothing lost at the NIC, the 3 oversize frames counted as rx_oversize"
		else
			say "not ok - round $n: $pair $side: ${lost:-?} lost at the NIC, rx_oversize ${over:-?} (3 oversize frames sent)"
			rc=1
		fi
	done
}
