#!/bin/sh
# iop-scn refuses a step that reuses the name of a live object (the old
# object was lost: a leak under every backend), with one line naming it.
#   scn_refuses_reused_names.sh IOP_SCN LAYOUT
set -u
scn=$1 layout=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
for steps in "bind 0000:00:02.0|ioas A|ioas A" "bind 0000:00:02.0|open d 0000:00:02.0|open d 0000:00:02.0" \
	     "buf B 4096|buf B 4096"; do
	echo "$steps" | tr '|' '\n' >"$tmp/reuse.scn"
	"$scn" --iommu=sim --aperture=48 --layout="$layout" "$tmp/reuse.scn" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	name=$(echo "$steps" | sed 's/.*|[a-z]* \([A-Za-z]*\).*/\1/')
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
	   ! grep -qF "reuse.scn:" "$tmp/err" || ! grep -qF "$name is in use (close or free it first)" "$tmp/err"; then
		echo "FAIL: '$steps': exit $rc, want 2 and one line naming $name:"
		cat "$tmp/err"
		failures=$((failures + 1))
	else
		echo "ok: '$steps': $(cat "$tmp/err")"
	fi
done
[ $failures -eq 0 ]
