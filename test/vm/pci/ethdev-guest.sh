#!/bin/bash
# Runs in a guest for ethdev-vm-test (see there).
#
#   ethdev-guest.sh BACKEND WORKDIR LIBRTE_NET_IOP_SO IOP_DEVICES BDF...
#   (virtio, virtio, e1000e, e1000e: testpmd pairs ports 0-1 and 2-3)
set -u
backend=$1 work=$2 so=$3 devices=$4
shift 4
say() { echo "ethdev-guest: $*"; }
. "$(dirname "$0")/../../net_iop_copy.sh"
net_iop_copy "$so" || { say "cannot copy $so into a private folder under /run"; exit 1; }
so=$net_iop_so
trap net_iop_copy_remove EXIT
rc=0
"$devices" bind "$@" || { say "iop-devices bind failed"; exit 1; }

# --- DPDK's PCI bus takes the NIC first: net_iop refuses, naming -b ---------
out=$(echo quit | timeout 300 dpdk-testpmd -l 0-1 --in-memory --log-level=lib.eal:error -a "$1" -d "$so" \
	--vdev "net_iop0,spec=[pci:$1],iommu=$backend" -- -i --total-num-mbufs=2048 2>&1)
line=$(grep "^net_iop: " <<<"$out")
if [ "$(grep -c "^net_iop: " <<<"$out")" = 1 ] &&
   grep -q "PCI device $1 is already driven by DPDK's net_virtio .*start the app with -b $1" <<<"$line"; then
	say "ok - net_iop refuses $1, which DPDK's net_virtio drives: $line"
else
	say "not ok - no single refusal naming -b $1: $out"
	rc=1
fi

# --- testpmd forwards through net_iop ports -----------------------------------
block=() vdevs=()
n=0
for b in "$@"; do
	block+=(-b "$b")
	v="net_iop$n,spec=[pci:$b]"
	[ $n = 0 ] && v="$v,iommu=$backend,ioas=per-device"
	vdevs+=(--vdev "$v")
	n=$((n + 1))
done
# DPDK memory above 2^40: with the 39-bit vIOMMU no VA fits the aperture,
# so every descriptor carries an IOVA that differs from its VA. DPDK's own
# IOVAs would not fit the vIOMMU's 39 bits either, so the EAL must use
# physical addresses (--iova-mode=pa, its own advice); net_iop's PMDs take
# their IOVAs from iopath's IOAS, never from DPDK.
stdbuf -o0 dpdk-testpmd -l 0-1 --in-memory --base-virtaddr=0x10000000000 --iova-mode=pa --log-level=lib.eal:error \
	"${block[@]}" -d "$so" "${vdevs[@]}" -- --forward-mode=io --nb-cores=1 --rxd=256 --txd=256 \
	--total-num-mbufs=8192 --auto-start --stats-period=3600 < /dev/null > /tmp/testpmd.log 2>&1 &
pid=$!
say "dpdk-testpmd forwards through net_iop (pid $pid)"
for _ in $(seq 900); do
	[ -e "$work/traffic.done" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
say "the host's traffic is done"
# --- hot-unplug: the kernel asks for the last NIC back under testpmd ----------
# the write blocks until whoever holds the device releases it: net_iop
# raises RTE_ETH_EVENT_INTR_RMV, testpmd closes that port, iopath closes it
unplug=${*: -1}
echo "$unplug" > /sys/bus/pci/drivers/vfio-pci/unbind &
upid=$!
for _ in $(seq 60); do kill -0 "$upid" 2>/dev/null || break; sleep 1; done
if kill -0 "$upid" 2>/dev/null; then
	say "not ok - the unbind of $unplug still waits 60 s after the request"
	rc=1
elif ! kill -0 "$pid" 2>/dev/null; then
	say "not ok - dpdk-testpmd exited before the unbind of $unplug completed"
	rc=1
elif grep -q "Port 3: device removal event" /tmp/testpmd.log &&
     grep -q "^net_iop: port 3 (net_iop3): its device was removed" /tmp/testpmd.log; then
	say "ok - unbinding $unplug raised RTE_ETH_EVENT_INTR_RMV on port 3; testpmd closed it and the kernel got the device back"
else
	say "not ok - no removal event for port 3 in testpmd's log"
	rc=1
fi
kill -INT "$pid" 2>/dev/null
for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then
	say "not ok - dpdk-testpmd still runs 120 s after SIGINT: $(tail -5 /tmp/testpmd.log)"
	kill -KILL "$pid"
	rc=1
fi
wait "$pid"
trc=$?
cat /tmp/testpmd.log
if [ "$trc" = 0 ] && [ "$(grep -cE "^Port [0-3]: ([0-9A-F]{2}:){5}" /tmp/testpmd.log)" = 4 ] &&
   [ "$(grep -c "^net_iop: " /tmp/testpmd.log)" = 1 ]; then
	say "ok - dpdk-testpmd ran 4 net_iop ports ($backend, per-device) and exited cleanly"
else
	say "not ok - dpdk-testpmd on net_iop (exit $trc)"
	rc=1
fi
exit $rc
