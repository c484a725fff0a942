#!/usr/bin/env bash
# Prints the path of the guest kernel for the vm tier, building it first when
# no prebuilt one exists.
#
#   test/vm/kernel.sh            print the kernel path (build it if needed)
#   test/vm/kernel.sh --check    print it if present, exit 1 otherwise
#   test/vm/kernel.sh --build    build it into the cache even if one exists
#
# Where a kernel is looked for, in order:
#   $IOP_VM_KERNEL                         (meson -Dvm_kernel=PATH sets it)
#   <repo>/../shared/vm/bzImage-*          (prebuilt next to the repository)
#   $IOP_CACHE/kernel/bzImage              (built here; IOP_CACHE defaults to /var/cache/iopath)
#
# Why a build at all: every Debian amd64 kernel package lacks CONFIG_IOMMUFD.
# The build takes Debian trixie's linux-source-6.12 package (downloaded with
# apt through a private source list, so the host's apt setup is untouched),
# runs `make tinyconfig`, adds test/vm/kernel.fragment, and builds a bzImage
# with everything built in. About 6 minutes on 2 cores; needs the packages
# flex bison bc libelf-dev libssl-dev rsync lz4 xz-utils (scripts/setup
# installs them when it has to build).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${IOP_CACHE:-/var/cache/iopath}
OUT=$CACHE/kernel
mode=${1:-}

find_kernel() {
	if [ -n "${IOP_VM_KERNEL:-}" ]; then
		[ -f "$IOP_VM_KERNEL" ] || { echo "kernel.sh: IOP_VM_KERNEL=$IOP_VM_KERNEL does not exist" >&2; exit 1; }
		echo "$IOP_VM_KERNEL"; return 0
	fi
	local k
	for k in "$REPO"/../shared/vm/bzImage-*; do
		[ -f "$k" ] && { realpath "$k"; return 0; }
	done
	[ -f "$OUT/bzImage" ] && { echo "$OUT/bzImage"; return 0; }
	return 1
}

build_kernel() {
	local need=(flex bison bc libelf-dev libssl-dev rsync lz4 xz-utils) miss=() p
	for p in "${need[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || miss+=("$p")
	done
	[ ${#miss[@]} -eq 0 ] || { echo "kernel.sh: missing packages to build the guest kernel: ${miss[*]} (run scripts/setup as root)" >&2; exit 1; }
	local work=$OUT/work
	mkdir -p "$work/lists/partial" "$work/archives/partial"
	local uri
	uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
	[ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
	[ -n "$uri" ] || { echo "kernel.sh: cannot find the Debian archive in the host's apt sources" >&2; exit 1; }
	printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" > "$work/trixie.sources"
	local A=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work"
		 -o Dir::State::Lists="$work/lists" -o Dir::Cache::Archives="$work/archives")
	if [ ! -d "$work/linux-source-6.12" ]; then
		echo "kernel.sh: downloading trixie's linux-source-6.12 into $work"
		apt-get "${A[@]}" update -qq >/dev/null
		( cd "$work" && rm -f linux-source-6.12_*.deb && apt-get "${A[@]}" download linux-source-6.12 >/dev/null )
		rm -rf "$work/srcdeb" && dpkg -x "$work"/linux-source-6.12_*_all.deb "$work/srcdeb"
		tar -C "$work" -xf "$work"/srcdeb/usr/src/linux-source-6.12.tar.xz
		rm -rf "$work/srcdeb"
	fi
	local src=$work/linux-source-6.12 obj=$work/build
	echo "kernel.sh: configuring (tinyconfig + test/vm/kernel.fragment)"
	make -C "$src" O="$obj" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$HERE/kernel.fragment" >/dev/null
	make -C "$src" O="$obj" olddefconfig >/dev/null
	# an option that kconfig dropped (a missing dependency) would make the
	# guest tests fail in obscure ways: stop here instead
	local line
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		grep -qx "$line" "$obj/.config" || { echo "kernel.sh: kconfig dropped $line" >&2; exit 1; }
	done < "$HERE/kernel.fragment"
	echo "kernel.sh: building bzImage (about 6 minutes on 2 cores)"
	make -C "$src" O="$obj" -j"$(nproc)" bzImage >"$work/build.log" 2>&1 \
		|| { tail -20 "$work/build.log" >&2; echo "kernel.sh: kernel build failed (log: $work/build.log)" >&2; exit 1; }
	cp "$obj/arch/x86/boot/bzImage" "$OUT/bzImage.tmp" && mv "$OUT/bzImage.tmp" "$OUT/bzImage"
	cp "$obj/.config" "$OUT/config"
	echo "kernel.sh: built $OUT/bzImage"
}

case $mode in
--check) find_kernel ;;
--build) build_kernel >&2; echo "$OUT/bzImage" ;;
'') find_kernel || { build_kernel >&2; echo "$OUT/bzImage"; } ;;
*) echo "usage: kernel.sh [--check|--build]" >&2; exit 2 ;;
esac
