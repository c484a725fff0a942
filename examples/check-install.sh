#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The SDK as a user gets it: `meson install --destdir` into a staging
# folder, then, against that folder only:
#   - the install holds libiopath.so and .a, iopath.pc, the three header
#     tiers and the man pages;
#   - each installed header compiles alone with `pkg-config --cflags
#     iopath`, and the app tier without the driver and test tiers;
#   - the examples build with make (pkg-config alone) and with meson's
#     dependency('iopath'), each shared and static, and with iopath as a
#     meson subproject; each binary forwards between a sim NIC and the
#     out-of-tree ring PMD for 2 s.
#
#   check-install.sh BUILD_DIR EXAMPLES_DIR
set -uo pipefail
build=$(realpath "$1") src=$(realpath "$2")
tmp=$(mktemp -d /tmp/iop-sdk-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

meson install -C "$build" --destdir "$stage" --no-rebuild >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; echo "FAIL: meson install --destdir"; exit 1; }
eval "$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "libdir", "includedir", "mandir"):
    v = o[k] if o[k].startswith("/") else o["prefix"] + "/" + o[k]
    print("%s=%s" % (k, v))')"
lib=$stage$libdir inc=$stage$includedir/iopath man=$stage$mandir

# --- what the install holds -----------------------------------------------
for f in "$lib/libiopath.a" "$lib/libiopath.so" "$lib/pkgconfig/iopath.pc" \
	 "$inc/iopath.h" "$inc/iop_version.h" "$inc/iop_port.h" \
	 "$inc/driver/iopath_driver.h" "$inc/driver/port_driver.h" "$inc/driver/pci_pmd_ring.h" \
	 "$inc/test/iopath_test.h" "$inc/test/iop_sim.h" "$man/man1/iop-bridge.1" "$man/man1/iop-devices.1" \
	 "$man/man1/iop-bench.1" "$man/man7/iopath.7"; do
	[ -e "$f" ] || fail "not installed: ${f#"$stage"}"
done
soname=$(objdump -p "$lib/libiopath.so" | awk '/SONAME/ {print $2}')
[ -e "$lib/$soname" ] && ok "libiopath.so and .a, soname $soname" || fail "no $soname for the soname"

export PKG_CONFIG_PATH=$lib/pkgconfig
version=$(pkg-config --modversion iopath) || fail "pkg-config finds no iopath in the install"
cflags=$(pkg-config --cflags iopath)

# --- each installed header alone (include-bundle), by tier ---------------
# the app tier on its own: a copy without driver/ and test/
mkdir -p "$tmp/apponly"
cp "$inc"/*.h "$tmp/apponly/"
dpdk_cflags=$(pkg-config --cflags libdpdk)
nh=0
while read -r h; do
	rel=${h#"$inc/"}
	printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$rel" "$rel" >"$tmp/bundle.c"
	cc -Wall -Wextra -Werror $cflags -c "$tmp/bundle.c" -o "$tmp/bundle.o" 2>"$tmp/cc.log" ||
		{ sed 's/^/  | /' "$tmp/cc.log"; fail "installed header $rel does not compile alone"; }
	if [ "$rel" = "${rel#*/}" ]; then
		cc -Wall -Wextra -Werror -I"$tmp/apponly" $dpdk_cflags -c "$tmp/bundle.c" -o "$tmp/bundle.o" 2>"$tmp/cc.log" ||
			{ sed 's/^/  | /' "$tmp/cc.log"; fail "app-tier header $rel needs a driver or test header"; }
	fi
	nh=$((nh + 1))
done < <(find "$inc" -name '*.h' | sort)
ok "$nh installed headers compile alone (app tier: also without the other tiers)"

# --- the examples, four ways ------------------------------------------------
builds=()
mkdir -p "$tmp/make-shared" "$tmp/make-static"
for kind in shared static; do
	static=0; [ "$kind" = static ] && static=1
	if make -s -C "$src" O="$tmp/make-$kind" STATIC=$static >"$tmp/make.log" 2>&1; then
		builds+=("make-$kind")
	else
		sed 's/^/  | /' "$tmp/make.log" | tail -20; fail "make ($kind, pkg-config alone)"
	fi
	if meson setup "$tmp/meson-$kind" "$src" -Dstatic=$([ $static = 1 ] && echo true || echo false) \
		>"$tmp/meson.log" 2>&1 && ninja -C "$tmp/meson-$kind" >>"$tmp/meson.log" 2>&1; then
		builds+=("meson-$kind")
	else
		sed 's/^/  | /' "$tmp/meson.log" | tail -20; fail "meson dependency('iopath') ($kind)"
	fi
done

# iopath as a subproject (meson.override_dependency), not installed
mkdir -p "$tmp/sub/subprojects"
cp -r "$src"/l2fwd "$src"/ring_pmd "$src"/meson.build "$src"/meson_options.txt "$tmp/sub/"
ln -s "$(dirname "$src")" "$tmp/sub/subprojects/iopath"
if env -u PKG_CONFIG_PATH meson setup "$tmp/meson-subproject" "$tmp/sub" --force-fallback-for=iopath \
	>"$tmp/meson.log" 2>&1 && ninja -C "$tmp/meson-subproject" iop-l2fwd >>"$tmp/meson.log" 2>&1; then
	builds+=("meson-subproject")
else
	sed 's/^/  | /' "$tmp/meson.log" | tail -20; fail "meson, iopath as a subproject"
fi

for b in "${builds[@]}"; do
	exe=$tmp/$b/iop-l2fwd
	needs=$(objdump -p "$exe" | awk '/NEEDED/ {print $2}' | grep -c '^libiopath\.so')
	case $b in
	*-shared) [ "$needs" = 1 ] || { fail "$b: not linked with libiopath.so"; continue; } ;;
	*-static|*-subproject) [ "$needs" = 0 ] || { fail "$b: linked with libiopath.so, not the archive"; continue; } ;;
	esac
	v=$(LD_LIBRARY_PATH=$lib "$exe" --version)
	[ "$v" = "iop-l2fwd (iopath) $version" ] || fail "$b: --version printed '$v'"
	LD_LIBRARY_PATH=$lib timeout 60 "$exe" -l 0 --no-huge --no-shconf -m 256 --file-prefix "iopsdk$$" \
		-- --iommu=sim -- sim:wire=gen ring:size=512 2 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	# port 0 (the sim NIC) received, port 1 (ring) looped everything it
	# took back but what was still in its ring at stop (< 512)
	if [ $rc != 0 ] || ! python3 - "$tmp/out" <<'PY'; then
import re, sys
out = open(sys.argv[1]).read()
ports = {int(p): (int(rx), int(tx), int(d)) for p, rx, tx, d in
         re.findall(r"^port (\d) \(.*\): rx (\d+) tx (\d+) dropped (\d+)$", out, re.M)}
fwd = int(re.search(r"^forwarded (\d+)$", out, re.M).group(1))
sim, ring = ports[0], ports[1]
assert sim[0] > 0 and fwd > 0, (sim, fwd)
assert 0 <= ring[1] - ring[0] < 512, ring
assert fwd == ring[1] + sim[1], (fwd, ring, sim)
PY
		sed 's/^/  | /' "$tmp/out" "$tmp/err"; fail "$b: iop-l2fwd on sim:wire=gen <-> ring (exit $rc)"
		continue
	fi
	ok "$b: $(grep -m1 '^forwarded' "$tmp/out") frames; $(grep '^port 1' "$tmp/out")"
done
[ ${#builds[@]} = 5 ] || fail "only ${#builds[@]} of 5 example builds"
exit $failed
