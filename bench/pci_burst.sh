#!/usr/bin/env bash
# Instructions per forwarded packet of e1000e's rx and tx bursts under
# valgrind's callgrind (bench/pci_burst.c: no device, this program plays
# it), for this tree and for the PMD sources of an earlier commit REV, built
# the same way and counted in the same run.
#   bench/pci_burst.sh [BUILD_DIR] [REV] [BURSTS]
# default BUILD_DIR build, REV d9d83cd (before the bursts went straight into
# the fast-path table), BURSTS 20000 of 32 frames. Needs valgrind and git.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
rev=${2:-d9d83cd}
bursts=${3:-20000}
command -v valgrind >/dev/null || { echo "pci_burst.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
ninja -C "$dir" bench/pci_burst >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pci" "$tmp/e1000e"
# the ring helpers lived in drivers/bus/pci before drivers/net/pci existed
for f in pci_pmd.h pci_pmd_ring.h; do
	git show "$rev:drivers/net/pci/$f" >"$tmp/pci/$f" 2>/dev/null ||
		git show "$rev:drivers/bus/pci/$f" >"$tmp/pci/$f"
done
for f in e1000e.c e1000e_regs.h; do
	git show "$rev:drivers/net/e1000e/$f" >"$tmp/e1000e/$f"
done
obj=bench/pci_burst.p/pci_burst.c.o
cmds=$(ninja -C "$dir" -t commands bench/pci_burst)
compile=$(grep -F -- "-c ../bench/pci_burst.c" <<<"$cmds")
link=$(tail -n 1 <<<"$cmds")
# the earlier sources first on the include path, the object and binary apart
compile=${compile//$obj/$tmp/before.o}
compile=${compile/ -Ibench / -I$tmp/pci -I$tmp/e1000e -DIOP_BENCH_BEFORE -Ibench }
link=${link//$obj/$tmp/before.o}
link=${link/-o bench\/pci_burst /-o $tmp/pci_burst_before }
(cd "$dir" && eval "$compile" && eval "$link")
printf 'group 1 range=0x800000000000000-0xfffffffffffffff\ndevice 0000:00:01.0 group=1 driver=vfio-pci type=sim\n' >"$tmp/topo"

# count NAME BINARY REV FUNCTION...: instructions collected in the functions
# (and what they call) per packet forwarded
count() {
	local name=$1 bin=$2 r=$3 out=$tmp/cg.$1 toggles=() fn pkts ir
	shift 3
	for fn in "$@"; do toggles+=("--toggle-collect=$fn"); done
	pkts=$(valgrind --tool=callgrind --callgrind-out-file="$out" "${toggles[@]}" \
		"$bin" "$tmp/topo" "$bursts" 2>/dev/null | sed -n 's/^pci_burst: \([0-9]*\) packets.*/\1/p')
	ir=$(sed -n 's/^summary: //p' "$out")
	[ -n "$pkts" ] && [ -n "$ir" ] || { echo "pci_burst.sh: the $name run failed" >&2; exit 1; }
	awk -v n="$name" -v ir="$ir" -v p="$pkts" -v r="$r" \
		'BEGIN { printf "{\"bench\":\"pci_burst\",\"pmd\":\"e1000e\",\"build\":\"%s\",\"rev\":\"%s\",\"packets\":%d,\"instructions\":%d,\"per_packet\":%.1f}\n", n, r, p, ir, ir / p }'
}
here=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- drivers include lib bench || here="$here+changes"
count before "$tmp/pci_burst_before" "$rev" pci_burst
count after "$dir/bench/pci_burst" "$here" e1000_rx_burst e1000_tx_burst
