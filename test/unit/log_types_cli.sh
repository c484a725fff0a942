#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# iopath's log is DPDK's: in every app, --log-level=iop.<area>:debug turns on
# that area's debug lines (an error is logged at debug under the type of the
# file that found it), another area's pattern does not, and the default
# shows neither those nor EAL's and telemetry's start-up chatter. Also
# --version in every app.
#   log_types_cli.sh IOP_BRIDGE IOP_BENCH IOP_DEVICES VERSION
set -uo pipefail
bridge=$1 bench=$2 devices=$3 version=$4
eal=(-l 0 --no-huge -m 64 --no-shconf --file-prefix "ioplog$$")
failed=0
expect() { # name pattern(grep -E, or !pattern: must not match) file
	local name=$1 pat=$2 file=$3
	if [ "${pat:0:1}" = '!' ]; then
		grep -qE -- "${pat:1}" "$file" || { echo "ok: $name"; return; }
	else
		grep -qE -- "$pat" "$file" && { echo "ok: $name"; return; }
	fi
	echo "FAIL: $name: ${pat} in:"; sed 's/^/  | /' "$file"; failed=1
}
out=$(mktemp /tmp/iop-log-XXXXXX)
trap 'rm -f "$out"' EXIT

# iop-bridge: a bad port spec is found by lib/port (type iop.port)
"$bridge" "${eal[@]}" --log-level=iop.port:debug -- --port null --port bogus >"$out" 2>&1
expect "bridge: iop.port:debug shows lib/port's debug line" '^iopath: debug: port: error 22 .*unknown port type' "$out"
"$bridge" "${eal[@]}" --log-level=iop.mem:debug -- --port null --port bogus >"$out" 2>&1
expect "bridge: iop.mem:debug leaves iop.port at warning" '!^iopath: debug: port:' "$out"
"$bridge" "${eal[@]}" -- --port null --port null --duration=0.1 --stats-period=0 >"$out" 2>&1
expect "bridge: no debug line by default" '!^iopath: debug' "$out"
expect "bridge: no EAL or telemetry start-up chatter by default" '!^(EAL|TELEMETRY):' "$out"

# iop-bench: a missing topology is found by the sim once the EAL is up
# (options are checked before the EAL starts, so before its --log-level)
"$bench" "${eal[@]}" --log-level='iop.*:debug' -- --sim-topology=/nonexistent/x.topo translate >"$out" 2>&1
expect "bench: iop.*:debug shows the sim's debug line" '^iopath: debug: iommu/sim: error 2 .*cannot open sim topology' "$out"
"$bench" "${eal[@]}" -- --log-level=init:loud translate >"$out" 2>&1
expect "bench: a bad iopath --log-level is one line saying what to write" "unknown log level 'loud'" "$out"

# iop-devices (no EAL): the same option, a missing topology is iop.iommu.sim's
"$devices" --log-level=iop.iommu.sim:debug --sim-topology=/nonexistent/x.topo list >"$out" 2>&1
expect "devices: iop.iommu.sim:debug shows the sim's debug line" '^iopath: debug: iommu/sim: error 2 .*cannot open sim topology' "$out"
"$devices" --sim-topology=/nonexistent/x.topo list >"$out" 2>&1
expect "devices: no debug line by default" '!^iopath: debug' "$out"

for app in "$bridge" "$bench" "$devices"; do
	name=$(basename "$app")
	v=$("$app" --version)
	[ "$v" = "$name (iopath) $version" ] && echo "ok: $name --version" ||
		{ echo "FAIL: $name --version printed '$v'"; failed=1; }
done
exit $failed
