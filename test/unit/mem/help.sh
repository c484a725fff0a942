#!/usr/bin/env bash
# `app -- --help`: iop_init prints iopath's options, then the app its own,
# and the app exits 0.
#   help.sh IOP_BENCH
set -uo pipefail
out=$("$1" -l 0 --no-huge --file-prefix=iop_help_$$ -- --help 2>/dev/null)
rc=$?
first=$(grep -n '^iopath options' <<<"$out" | cut -d: -f1)
second=$(grep -n '^usage: iop-bench' <<<"$out" | cut -d: -f1)
if [ "$rc" -ne 0 ] || [ -z "$first" ] || [ -z "$second" ] || [ "$first" -ge "$second" ]; then
	echo "FAIL: exit $rc; output:"
	echo "$out"
	exit 1
fi
for opt in --iommu= --ioas= --strict --sim-topology= --log-level= --help; do
	grep -q -- "$opt" <<<"$out" || { echo "FAIL: $opt is not in the help"; exit 1; }
done
echo "ok: iopath's options (line $first), then the app's (line $second)"
