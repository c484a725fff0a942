# SPDX-License-Identifier: BSD-3-Clause
# Debian's dpdk-testpmd on two net_iop ports (sim NICs on af_packet wires
# to the root-side veths of netns_lib.sh), driven through a fifo; sourced
# by the ethdev_testpmd*.sh tests after netns_lib.sh and net_iop_copy.sh.
#   testpmd_start SO PREFIX TESTPMD_ARGS...  starts it, waits for the prompt
#   cmd COMMAND                              sends one command, waits for the
#                                            next prompt, prints its answer
# fail() shows testpmd's last lines; the EXIT trap kills testpmd, removes
# the namespaces, its DPDK runtime files and the private net_iop copy.
pmd_pid= pmd_prefix=

fail() {
	echo "FAIL: $*"
	[ -f "$tmp/testpmd.log" ] && tail -60 "$tmp/testpmd.log" | sed 's/^/  testpmd| /'
	exit 1
}

testpmd_cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$pmd_pid" ] && kill -KILL "$pmd_pid" 2>/dev/null
	cleanup
	if [ -n "$pmd_prefix" ]; then
		rm -rf "/var/run/dpdk/$pmd_prefix"
		rm -f /dev/hugepages/"$pmd_prefix"map_* # left by a testpmd killed above
	fi
	net_iop_copy_remove
}
trap testpmd_cleanup EXIT

testpmd_start() {
	local so=$1
	pmd_prefix=$2
	shift 2
	cat > "$tmp/sim.topo" <<TOPO
group 1
group 2
device 0000:00:01.0 group=1 driver=vfio-pci type=sim
device 0000:00:02.0 group=2 driver=vfio-pci type=sim
TOPO
	mkfifo "$tmp/cmd"
	# stdout is a file: unbuffered, so each answer is there before the next prompt
	stdbuf -o0 dpdk-testpmd -l 0-1 -m 256 --no-pci --file-prefix "$pmd_prefix" -d "$so" \
		--vdev "net_iop0,spec=[sim:wire=af_packet,iface=$va],iommu=sim,sim-topology=$tmp/sim.topo" \
		--vdev "net_iop1,spec=[sim:wire=af_packet,iface=$vb]" \
		-- -i "$@" <"$tmp/cmd" >"$tmp/testpmd.log" 2>&1 &
	pmd_pid=$!
	exec 3>"$tmp/cmd"
	for _ in $(seq 150); do
		grep -q "testpmd> " "$tmp/testpmd.log" && break
		kill -0 "$pmd_pid" 2>/dev/null || fail "dpdk-testpmd exited at start"
		sleep 0.2
	done
	grep -q "testpmd> " "$tmp/testpmd.log" || fail "no testpmd prompt in 30 s"
}

cmd() {
	local before n=0 off
	before=$(grep -c "testpmd> " "$tmp/testpmd.log")
	off=$(stat -c %s "$tmp/testpmd.log")
	echo "$1" >&3
	for _ in $(seq 100); do
		n=$(grep -c "testpmd> " "$tmp/testpmd.log")
		[ "$n" -gt "$before" ] && break
		sleep 0.1
	done
	[ "$n" -gt "$before" ] || fail "testpmd did not finish '$1' in 10 s"
	tail -c +$((off + 1)) "$tmp/testpmd.log"
}
