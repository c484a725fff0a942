#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The installed ethdev plugin librte_net_iop.so exports no symbol
# (drivers/net/ethdev/net_iop.map), so its whole-linked copy of iopath can
# never stand in for an app's libiopath.so or take its symbols; and Debian's
# dpdk-testpmd still loads it with -d and finds the net_iop driver.
#
#   plugin_exports_no_symbol.sh BUILD_DIR
set -uo pipefail
build=$(realpath "$1")
tmp=$(mktemp -d /tmp/iop-plugin-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/stage" --no-rebuild >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; echo "FAIL: meson install --destdir"; exit 1; }
so=$(find "$tmp/stage" -name librte_net_iop.so -type f | head -1)
if [ -z "$so" ]; then
	echo "SKIP: librte_net_iop.so was not built (no DPDK driver SDK headers: run scripts/setup)"
	exit 77
fi
exported=$(nm -D --defined-only "$so" | awk 'NF == 3 && $2 != "A" {print $3}')
if [ -n "$exported" ]; then
	echo "FAIL: librte_net_iop.so exports $(echo "$exported" | wc -l) symbols, e.g.:"
	echo "$exported" | head -5 | sed 's/^/  /'
	exit 1
fi
command -v dpdk-testpmd >/dev/null || { echo "SKIP: needs dpdk-testpmd (scripts/setup installs it)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (hugepages)"; exit 77; }
. "$(cd "$(dirname "$0")" && pwd)/../net_iop_copy.sh"
trap 'rm -rf "$tmp"; net_iop_copy_remove' EXIT
net_iop_copy "$so" || { echo "FAIL: cannot copy $so into a private folder under /run"; exit 1; }
printf 'group 1\ndevice 0000:00:01.0 group=1 driver=vfio-pci type=sim\n' >"$tmp/t.topo"
out=$(echo quit | timeout 60 dpdk-testpmd -l 0-1 -m 128 --in-memory --no-pci -d "$net_iop_so" \
	--vdev "net_iop0,spec=[null],iommu=sim,sim-topology=$tmp/t.topo" -- -i 2>&1)
if ! grep -q '^Port 0: ' <<<"$out"; then
	echo "FAIL: dpdk-testpmd did not bring up a net_iop port from the plugin:"
	echo "$out" | tail -15 | sed 's/^/  /'
	exit 1
fi
echo "ok: librte_net_iop.so exports nothing, and dpdk-testpmd loads it and brings up a net_iop port"
