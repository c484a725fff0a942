# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the system tier's netns tests: two network namespaces, each
# behind a veth pair whose root-side end is an af_packet port of
# iop-bridge (or of the app under test: iop-soak, dpdk-testpmd on net_iop),
# and the conservation check of every port against the kernel's interface
# counters and against what the far namespace captured.
#
# The caller sets here (and bridge_bin for bridge_start), and calls
# netns_setup first. Every test gets its own names (from $$), and cleanup
# removes them on any exit; a test with more to remove traps its own
# function, which calls cleanup.

tag=$$
nsa=iop-sys-$tag-a nsb=iop-sys-$tag-b
va=iopa$tag vb=iopb$tag
tmp=$(mktemp -d /tmp/iop-sys-XXXXXX)
bridge_pid=
capture_pids=()

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$tmp/bridge.log" ] && sed 's/^/  bridge| /' "$tmp/bridge.log"; exit 1; }

cleanup() {
	[ -n "$bridge_pid" ] && kill -KILL "$bridge_pid" 2>/dev/null
	for ns in $nsa $nsb; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	ip link del "$va" 2>/dev/null
	ip link del "$vb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# netns_needs TOOL... : skip unless root, the tools and $netns_hugepages
# (default 64) free hugepages
netns_needs() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, packet sockets)"
	for t in ip tcpdump ethtool python3 "$@"; do
		command -v "$t" >/dev/null || skip "needs $t (scripts/setup installs it)"
	done
	local free
	free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
	[ "$free" -ge "${netns_hugepages:-64}" ] ||
		skip "needs ${netns_hugepages:-64} free 2 MiB hugepages, $free free (scripts/setup reserves them)"
}

# Namespace a (10.99.0.1) behind $va, namespace b (10.99.0.2) behind $vb.
netns_setup() {
	local i=0 side ns dev
	for side in a b; do
		i=$((i + 1))
		ns=iop-sys-$tag-$side dev=iop$side$tag
		ip netns add "$ns" || fail "ip netns add $ns"
		ip link add "$dev" type veth peer name "${dev}n" || fail "ip link add $dev"
		ip link set "${dev}n" netns "$ns"
		# the root side carries only what the namespaces send
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
		ip link set "$dev" up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" ip link set "${dev}n" up
		ip netns exec "$ns" ip addr add "10.99.0.$i/24" dev "${dev}n"
		# a NIC sees finished frames: no checksum or segmentation offload
		# left for the far end to do (see doc/bridge.md)
		ip netns exec "$ns" ethtool -K "${dev}n" tx off tso off gso off >/dev/null 2>&1
	done
	mac_a=$(ip netns exec "$nsa" cat "/sys/class/net/${va}n/address")
	mac_b=$(ip netns exec "$nsb" cat "/sys/class/net/${vb}n/address")
	# no ARP: a probe sent after the bridge stopped would reach the root
	# end uncounted by the bridge, and the conservation check would see it
	ip netns exec "$nsa" ip neigh replace 10.99.0.2 lladdr "$mac_b" dev "${va}n" nud permanent
	ip netns exec "$nsb" ip neigh replace 10.99.0.1 lladdr "$mac_a" dev "${vb}n" nud permanent
}

# started PATTERN NAME: waits up to 10 s for PATTERN in $tmp/bridge.log;
# fails if $bridge_pid (NAME) exits first or the pattern never comes.
started() {
	for _ in $(seq 100); do
		grep -q "$1" "$tmp/bridge.log" && return 0
		kill -0 "$bridge_pid" 2>/dev/null || fail "$2 exited at start"
		sleep 0.1
	done
	grep -q "$1" "$tmp/bridge.log" || fail "$2 did not start in 10 s"
}

# bridge_start LCORES BRIDGE-ARGS... : the bridge on both veths, with
# --json-stats in $tmp/stats.json; returns once it forwards.
bridge_start() {
	local lcores=$1; shift
	"$bridge_bin" -l "$lcores" --in-memory --file-prefix "iopsys$tag" -- \
		--port "sim:wire=af_packet,iface=$va" --port "sim:wire=af_packet,iface=$vb" \
		--json-stats="$tmp/stats.json" "$@" >"$tmp/bridge.log" 2>&1 &
	bridge_pid=$!
	started "port 1: " iop-bridge
}

# bridge_stop [SIGNAL]: stops it (default SIGINT), prints the summary,
# fails unless it exits 0 with every port balanced.
bridge_stop() {
	local rc
	kill -"${1:-INT}" "$bridge_pid"
	wait "$bridge_pid"; rc=$?
	bridge_pid=
	sed -n '/stopped by/,$p' "$tmp/bridge.log"
	[ "$rc" = 0 ] || fail "iop-bridge exited with $rc"
	grep -q "NOT BALANCED" "$tmp/bridge.log" && fail "a port does not balance"
	return 0
}

# The kernel's counters of both veth pairs, into $tmp/kernel.FILE.
kernel_counters() { # FILE
	local f=$tmp/kernel.$1 dev ns c
	: >"$f"
	for c in rx_packets tx_packets rx_dropped tx_dropped; do
		for dev in $va $vb; do
			echo "$dev $c $(cat "/sys/class/net/$dev/statistics/$c")" >>"$f"
		done
		echo "${va}n $c $(ip netns exec "$nsa" cat "/sys/class/net/${va}n/statistics/$c")" >>"$f"
		echo "${vb}n $c $(ip netns exec "$nsb" cat "/sys/class/net/${vb}n/statistics/$c")" >>"$f"
	done
}

# Every frame each namespace's end receives, counted by tcpdump in that
# namespace (the far side's own view, independent of the bridge and of
# the veth counters).
far_captures_start() {
	local side ns dev
	for side in a b; do
		ns=iop-sys-$tag-$side dev=iop$side${tag}n
		ip netns exec "$ns" tcpdump -i "$dev" -Q in -s 64 -B 32768 --immediate-mode -U \
			-w "$tmp/far.$side.pcap" 2>"$tmp/far.$side.log" &
		capture_pids+=($!)
	done
	for side in a b; do
		for _ in $(seq 50); do grep -q listening "$tmp/far.$side.log" && break; sleep 0.1; done
	done
}

far_captures_stop() {
	local pid
	sleep 0.5
	for pid in "${capture_pids[@]}"; do kill -INT "$pid"; wait "$pid"; done
	capture_pids=()
}

# conservation_check: once the bridge stopped, after kernel_counters
# start ... kernel_counters end (and far_captures_* if they ran), every
# port's counters against the kernel's and the far side's.
conservation_check() {
	python3 "$here/conservation.py" "$tmp/stats.json" "$tmp/kernel.start" "$tmp/kernel.end" \
		"$va" "$vb" "$tmp" || fail "the bridge's counters differ from the kernel's"
}
