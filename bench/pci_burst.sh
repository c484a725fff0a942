#!/usr/bin/env bash
# Instructions per forwarded packet of e1000e's rx and tx bursts under
# valgrind's callgrind (bench/pci_burst.c: no device, this program plays
# it), for the working tree and for the PMD sources of each revision REV,
# built the same way and counted in the same run, in four configurations:
# plain (no offloads, MTU 1500), offloads, jumbo (MTU 9000 with scatter),
# and both; then igb's (bench/pci_burst_igb.c, the working tree, plain).
# One JSON line per PMD, revision and configuration.
#   bench/pci_burst.sh [BUILD_DIR] [REV...]
# default BUILD_DIR build, no REV; IOP_BENCH_BURSTS bursts of 32 frames
# (default 2000). A revision is built with this tree's bench/pci_burst.c
# where its sources allow (since jumbo frames: its queues have an MTU
# frame and a buffer size), else with its own bench/pci_burst.c, which
# has only the plain configuration, else (before the bench existed) with
# the first one's, which reached the bursts through pci_port.c's wrapper
# of that time. Configurations a revision's program cannot run are
# printed with "per_packet":null. Needs valgrind and git.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
bursts=${IOP_BENCH_BURSTS:-2000}
first_bench=90d4792 # where bench/pci_burst.c came in
command -v valgrind >/dev/null || { echo "pci_burst.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
for rev in "$@"; do
	git rev-parse --verify -q "$rev^{commit}" >/dev/null ||
		{ echo "pci_burst.sh: '$rev' is not a revision of this repository: give a commit, tag or branch" >&2; exit 1; }
done
ninja -C "$dir" bench/pci_burst bench/pci_burst_igb >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
obj=bench/pci_burst.p/pci_burst.c.o
cmds=$(ninja -C "$dir" -t commands bench/pci_burst)
compile=$(grep -F -- "-c ../bench/pci_burst.c" <<<"$cmds")
link=$(tail -n 1 <<<"$cmds")
printf 'group 1 range=0x800000000000000-0xfffffffffffffff\ndevice 0000:00:01.0 group=1 driver=vfio-pci type=sim\n' >"$tmp/topo"

# build REV N: the program for REV's sources in $tmp/N/pci_burst; prints
# how it was built: tree (this tree's bench), own, or before
build() {
	local rev=$1 src=$tmp/$2 c l how=tree defs="" bench=../bench/pci_burst.c f
	mkdir -p "$src/pci" "$src/e1000e"
	# the ring helpers lived in drivers/bus/pci before drivers/net/pci existed
	for f in pci_pmd.h pci_pmd_ring.h; do
		git show "$rev:drivers/net/pci/$f" >"$src/pci/$f" 2>/dev/null ||
			git show "$rev:drivers/bus/pci/$f" >"$src/pci/$f"
	done
	# the e1000 family's shared rules, since they were folded out of e1000e.c
	git show "$rev:drivers/net/pci/pci_e1000.h" >"$src/pci/pci_e1000.h" 2>/dev/null ||
		rm -f "$src/pci/pci_e1000.h"
	for f in e1000e.c e1000e.h e1000e_regs.h e1000e_offload.h; do
		git show "$rev:drivers/net/e1000e/$f" >"$src/e1000e/$f" 2>/dev/null || rm -f "$src/e1000e/$f"
	done
	grep -q 'e1000_bursts(' "$src/e1000e/e1000e.c" || defs="-DIOP_BENCH_ONE_PAIR"
	for how in tree own before; do
		case $how in
		own) git show "$rev:bench/pci_burst.c" >"$src/pci_burst.c" 2>/dev/null || continue
		     bench=$src/pci_burst.c defs="" ;;
		before) git show "$first_bench:bench/pci_burst.c" >"$src/pci_burst.c"
			bench=$src/pci_burst.c defs="-DIOP_BENCH_BEFORE" ;;
		esac
		c=${compile//$obj/$src/pci_burst.o}
		c=${c/-c ..\/bench\/pci_burst.c/-c $bench}
		c=${c/ -Ibench / -I$src/pci -I$src/e1000e $defs -Ibench }
		l=${link//$obj/$src/pci_burst.o}
		l=${l/-o bench\/pci_burst /-o $src/pci_burst }
		if (cd "$dir" && eval "$c" && eval "$l") >"$src/build.log" 2>&1; then
			echo "$how"
			return
		fi
	done
	echo "pci_burst.sh: $rev's e1000e sources build with none of the programs (see its errors below)" >&2
	cat "$src/build.log" >&2
	exit 1
}

# count LABEL BINARY HOW CONFIG [PMD]: instructions collected in the bursts
# (and what they call) per packet forwarded; PMD e1000e (default) or igb
count() {
	local label=$1 bin=$2 how=$3 config=$4 pmd=${5:-e1000e} out=$tmp/cg toggles=() fn fns pkts ir args
	args=${config//+/ }
	[ "$args" = plain ] && args=""
	if [ "$how" != tree ] && [ -n "$args" ]; then
		printf '{"bench":"pci_burst","pmd":"%s","rev":"%s","config":"%s","per_packet":null,"why":"the program for this revision has only the plain configuration"}\n' "$pmd" "$label" "$config"
		return
	fi
	case $pmd in
	igb) fns="bench_igb_rx_burst bench_igb_tx_burst" ;; # bench/pci_burst_igb.c
	*) fns="e1000_rx_burst e1000_tx_burst e1000_rx_burst_lean e1000_tx_burst_lean" ;;
	esac
	if [ "$how" = before ]; then
		toggles=(--toggle-collect=pci_burst)
	else
		for fn in $fns; do
			toggles+=("--toggle-collect=$fn")
		done
	fi
	# shellcheck disable=SC2086 # args: the configuration's words
	pkts=$(valgrind --tool=callgrind --callgrind-out-file="$out" "${toggles[@]}" \
		"$bin" "$tmp/topo" "$bursts" $args 2>/dev/null | sed -n 's/^pci_burst[a-z_]*: \([0-9]*\) packets.*/\1/p')
	ir=$(sed -n 's/^summary: //p' "$out")
	if [ -z "$pkts" ] || [ -z "$ir" ]; then
		echo "pci_burst.sh: the $label $config run failed" >&2
		exit 1
	fi
	awk -v r="$label" -v c="$config" -v ir="$ir" -v p="$pkts" -v pmd="$pmd" \
		'BEGIN { printf "{\"bench\":\"pci_burst\",\"pmd\":\"%s\",\"rev\":\"%s\",\"config\":\"%s\",\"packets\":%d,\"instructions\":%d,\"per_packet\":%.1f}\n", pmd, r, c, p, ir, ir / p }'
}

configs=(plain offloads jumbo offloads+jumbo)
n=0
for rev in "$@"; do
	n=$((n + 1))
	how=$(build "$rev" "$n")
	for config in "${configs[@]}"; do
		count "$(git rev-parse --short "$rev")" "$tmp/$n/pci_burst" "$how" "$config"
	done
done
here=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- drivers include lib bench || here="$here+changes"
for config in "${configs[@]}"; do
	count "$here" "$dir/bench/pci_burst" tree "$config"
done
# igb's rings (igb and igbvf): the working tree only, one configuration
# (its bursts have one version); its model came after the revisions
# pci_burst.sh compares
count "$here" "$dir/bench/pci_burst_igb" tree plain igb
