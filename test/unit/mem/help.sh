#!/usr/bin/env bash
# `iop-bench --help` (anywhere on the line, no EAL started, no hugepages
# needed): the app's options, then iopath's; exit 0.
#   help.sh IOP_BENCH
set -uo pipefail
for args in "--help" "-l 0 -- --iommu=sim --help" "-- translate -h"; do
	# shellcheck disable=SC2086
	out=$("$1" $args --huge-dir=/nonexistent 2>/dev/null)
	rc=$?
	first=$(grep -n '^usage: iop-bench' <<<"$out" | cut -d: -f1)
	second=$(grep -n '^iopath options' <<<"$out" | cut -d: -f1)
	if [ "$rc" -ne 0 ] || [ -z "$first" ] || [ -z "$second" ] || [ "$first" -ge "$second" ]; then
		echo "FAIL: iop-bench $args: exit $rc; output:"
		echo "$out"
		exit 1
	fi
	for opt in --iommu= --ioas= --strict --sim-topology= --log-level= --help --json --reps --dev; do
		grep -q -- "$opt" <<<"$out" || { echo "FAIL: iop-bench $args: $opt is not in the help"; exit 1; }
	done
	echo "ok: iop-bench $args: the app's options (line $first), then iopath's (line $second)"
done
