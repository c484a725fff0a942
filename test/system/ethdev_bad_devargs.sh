#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_iop refuses bad devargs with one line that says what to write, and
# the devices that are right still come up: a missing spec, an unknown
# devarg, an unknown port type, options two devices disagree on, iopath's
# options missing where there is no IOMMU, a missing interface. Debian's
# dpdk-testpmd goes on with the ports that probed and quits cleanly.
#
#   ethdev_bad_devargs.sh LIBRTE_NET_IOP_SO
set -uo pipefail

so=$(readlink -f "$1")
tmp=$(mktemp -d /tmp/iop-ethbad-XXXXXX)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../net_iop_copy.sh"
trap 'rm -rf "$tmp"; net_iop_copy_remove' EXIT
skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (hugepages)"
command -v dpdk-testpmd >/dev/null || skip "needs dpdk-testpmd (scripts/setup installs it)"
[ -f "$so" ] || skip "no $1: the build skipped net_iop (no DPDK driver SDK headers: run scripts/setup)"
net_iop_copy "$so" || { echo "FAIL: cannot copy $so into a private folder under /run"; exit 1; }
so=$net_iop_so
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 200 ] || skip "needs 200 free 2 MiB hugepages, $free free"
printf 'group 1\ngroup 2\ndevice 0000:00:01.0 group=1 driver=vfio-pci type=sim\ndevice 0000:00:02.0 group=2 driver=vfio-pci type=sim\n' > "$tmp/t.topo"
good="net_iop0,spec=[null],iommu=sim,sim-topology=$tmp/t.topo"

# run VDEV2 EXPECTED: net_iop0 is good, net_iop1 is refused with EXPECTED
run() {
	local out rc lines
	out=$(echo quit | timeout 60 dpdk-testpmd -l 0-1 -m 128 --in-memory --no-pci -d "$so" \
		--vdev "$good" --vdev "$1" -- -i 2>&1); rc=$?
	[ "$rc" = 0 ] || fail "'$1': testpmd exited with $rc: $out"
	lines=$(grep -c "^net_iop: " <<<"$out")
	[ "$lines" = 1 ] || fail "'$1': $lines net_iop lines, not one: $out"
	grep -q "^net_iop: .*$2" <<<"$out" || fail "'$1': no '$2' in: $(grep '^net_iop: ' <<<"$out")"
	grep -q "^Port 0: " <<<"$out" || fail "'$1': the good net_iop0 did not come up: $out"
	grep -q "^Port 1: " <<<"$out" && fail "'$1': the bad device became port 1"
	echo "refused: $1 -> $(grep '^net_iop: ' <<<"$out")"
}

run "net_iop1,iommu=sim" "net_iop1: no iopath port given: add spec="
run "net_iop1,spec=[null],colour=red" "net_iop1: unknown devarg 'colour'"
run "net_iop1,spec=[bogus]" "unknown port type 'bogus'"
run "net_iop1,spec=[null],iommu=vfio" "net_iop1: iommu=vfio, but net_iop0 set iommu=sim for the process: give every net_iop device the same"
run "net_iop1,spec=[sim:wire=af_packet,iface=iopnosuch0]" "iopnosuch0"

# without a sim topology and without an IOMMU, the first device says how
out=$(echo quit | timeout 60 dpdk-testpmd -l 0-1 -m 128 --in-memory --no-pci -d "$so" \
	--vdev "net_iop0,spec=[null]" -- -i 2>&1)
if [ ! -e /dev/iommu ] && [ ! -e /dev/vfio/vfio ]; then
	grep -q "^net_iop: net_iop0: .*as devargs: iommu=, ioas=, strict, sim-topology=" <<<"$out" \
		|| fail "no IOMMU: $(grep '^net_iop' <<<"$out")"
	echo "refused: no IOMMU -> $(grep '^net_iop: ' <<<"$out")"
fi
echo "ok: bad devargs refused with one line each"
