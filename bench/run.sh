#!/usr/bin/env bash
# Runs the iop-bench figures of doc/performance.md on this machine and prints
# the machine line and one JSON line per benchmark.
#   bench/run.sh [BUILD_DIR]          default BUILD_DIR: build
# Needs hugepages (scripts/setup reserves them) and valgrind for the
# instruction count; runs on one lcore with the sim backend (move on two).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
bench=$dir/app/iop-bench/iop-bench
[ -x "$bench" ] || { echo "run.sh: no $bench: build first (bash scripts/build $dir)" >&2; exit 1; }
eal=(-l 0 --in-memory --file-prefix=iop_bench_$$)
iop=(--iommu=sim --sim-topology=bench/bench.topology)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cpus, $(uname -sr)"
"$bench" "${eal[@]}" -m 256 -- "${iop[@]}" translate --json --reps 9 --count-instructions 2>/dev/null
"$bench" "${eal[@]}" -m 512 -- "${iop[@]}" map --json --ioas 4 2>/dev/null
# the move benchmark forwards on a worker lcore while the main lcore moves
"$bench" -l 0-1 --in-memory --file-prefix=iop_bench_$$ -m 256 -- "${iop[@]}" move --json --reps 9 2>/dev/null
