#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The installed man pages stay current: every option an app's --help lists
# is in its page (or, for iopath's own options, in iopath(7)), and every
# page renders without a groff warning.
#   man_pages_cover_help.sh MAN_DIR IOP_BRIDGE IOP_DEVICES IOP_BENCH
set -uo pipefail
man=$1 bridge=$2 devices=$3 bench=$4
failed=0
command -v groff >/dev/null || { echo "skip: no groff (Debian: groff-base) to render the pages"; exit 77; }

# the page's text with roff escapes undone: \- is -, fonts dropped
text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }

for page in "$man"/*.[17]; do
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warn" ] && echo "ok: $(basename "$page") renders" ||
		{ echo "FAIL: $(basename "$page"): $warn"; failed=1; }
done

check() { # app page help-text
	local app=$1 page=$2 help=$3 opts missing=() doc
	opts=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
	doc=$(text "$man/$page"; text "$man/iopath.7")
	for o in $opts; do
		grep -qF -- "$o" <<<"$doc" || missing+=("$o")
	done
	if [ ${#missing[@]} = 0 ]; then
		echo "ok: $app: the $(wc -w <<<"$opts") options of --help are in $page or iopath.7"
	else
		echo "FAIL: $app: --help lists ${missing[*]}, which $page does not document"; failed=1
	fi
}
check iop-bridge iop-bridge.1 "$("$bridge" --help)"
check iop-devices iop-devices.1 "$("$devices" --help)"
check iop-bench iop-bench.1 "$("$bench" -l 0 --no-huge -m 64 --no-shconf --file-prefix "iopman$$" -- --help 2>/dev/null)"
exit $failed
