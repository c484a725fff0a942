#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libiopath.so exports exactly the API of the installed headers: every
# function and variable the three tiers declare (include/iopath/, driver/,
# test/) is a defined dynamic symbol, and no other symbol is. It reads the
# install as a user gets it (`meson install --destdir`): the declarations
# come from the compiler (gcc -aux-info writes one line per function
# declared, naming its header), the exports from `nm -D --defined-only`.
# lib/libiopath.map is the list the linker applies.
#
#   shared_library_exports.sh BUILD_DIR
set -uo pipefail
build=$(realpath "$1")
tmp=$(mktemp -d /tmp/iop-exports-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage

if ! cc --version 2>/dev/null | grep -qi 'gcc\|free software'; then
	echo "SKIP: needs gcc's -aux-info to list the headers' declarations (cc is not gcc)"
	exit 77
fi
meson install -C "$build" --destdir "$stage" --no-rebuild >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; echo "FAIL: meson install --destdir"; exit 1; }
eval "$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "libdir", "includedir"):
    v = o[k] if o[k].startswith("/") else o["prefix"] + "/" + o[k]
    print("%s=%s" % (k, v))')"
inc=$stage$includedir/iopath so=$stage$libdir/libiopath.so
export PKG_CONFIG_PATH=$stage$libdir/pkgconfig

# declared: functions (not static inline ones) of every installed header,
# and the variables they declare extern
printf '#include <iopath.h>\n#include <driver/iopath_driver.h>\n#include <test/iopath_test.h>\n' >"$tmp/all.c"
# shellcheck disable=SC2046
cc $(pkg-config --cflags iopath) -aux-info "$tmp/all.aux" -c "$tmp/all.c" -o "$tmp/all.o" 2>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; echo "FAIL: the installed headers do not compile together"; exit 1; }
python3 - "$tmp/all.aux" "$(realpath "$inc")" >"$tmp/declared.raw" <<'PY'
import os, re, sys
inc = sys.argv[2] + "/"
for line in open(sys.argv[1]):
    m = re.match(r"/\* (.*):\d+:\w+ \*/ (.*)", line)
    if not m or not os.path.realpath(m.group(1)).startswith(inc):
        continue
    if m.group(2).startswith("static "):
        continue                  # static inline: nothing to export
    name = re.search(r"([A-Za-z_]\w*) \(", m.group(2))
    print(name.group(1))
PY
grep -rhE '^extern [^"(]*;' "$inc" | sed -E 's/^.*[ *]([A-Za-z_][A-Za-z0-9_]*)(\[[^]]*\])*;$/\1/' >>"$tmp/declared.raw"
sort -u "$tmp/declared.raw" >"$tmp/declared"
nm -D --defined-only "$so" | awk 'NF == 3 && $2 != "A" {print $3}' | sort -u >"$tmp/exported"

nd=$(wc -l <"$tmp/declared") ne=$(wc -l <"$tmp/exported")
[ "$nd" -gt 100 ] || { echo "FAIL: only $nd declarations found in $inc: the extraction is broken"; exit 1; }
failed=0
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
if [ -n "$missing" ]; then
	echo "FAIL: declared in the installed headers but not exported by libiopath.so (add to lib/libiopath.map, or define them):"
	echo "$missing" | sed 's/^/  /'
	failed=1
fi
if [ -n "$extra" ]; then
	echo "FAIL: exported by libiopath.so but declared in no installed header (internal: keep them out of lib/libiopath.map):"
	echo "$extra" | sed 's/^/  /'
	failed=1
fi
[ $failed = 0 ] && echo "ok: libiopath.so exports the $ne functions and variables the installed headers declare, and nothing else"
exit $failed
