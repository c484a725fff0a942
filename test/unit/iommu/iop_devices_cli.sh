#!/bin/sh
# iop-devices on the sample topologies: output, exit codes, one-line errors.
#   iop_devices_cli.sh IOP_DEVICES TOPOLOGY_DIR
set -u
bin=$1
topo=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# run EXPECTED_EXIT ARGS...: stdout in $tmp/out, stderr in $tmp/err
run() {
	want=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: iop-devices $*: exit $got, want $want"
		cat "$tmp/err"
		failures=$((failures + 1))
	fi
}

# expect FILE TEXT: FILE (out or err) holds TEXT
expect() {
	if ! grep -qF -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 lacks '$2':"
		cat "$tmp/$1"
		failures=$((failures + 1))
	fi
}

# one_line_error: a refusal is one line on stderr
one_line_error() {
	if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		echo "FAIL: want one error line, got:"
		cat "$tmp/err"
		failures=$((failures + 1))
	fi
}

# json_check PYTHON_EXPR: the expression on d (the JSON of $tmp/out) is true
json_check() {
	if ! python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$tmp/out"; then
		echo "FAIL: JSON does not satisfy $1:"
		cat "$tmp/out"
		failures=$((failures + 1))
	fi
}

json_ok() {
	if ! python3 -m json.tool "$tmp/out" >/dev/null; then
		echo "FAIL: not JSON:"
		cat "$tmp/out"
		failures=$((failures + 1))
	fi
}

run 0 --sim-topology="$topo/demo.topo" list
expect out "group 9 (IOVA 0x0-0xffffffffffff): NOT viable: 0000:02:00.1 on e1000e"
expect out "fix: iop-devices bind 0000:02:00.1"
expect out "group 7 (IOVA 0x0-0xffffffffffff): viable"
expect out "  0000:05:00.1 drv=vfio-pci"

run 0 --iommu=sim --sim-topology="$topo/kernel-sibling.topo" list --json
json_ok
json_check '[g["viable"] for g in d["groups"] if g["id"] in (9, 12)] == [False, True]'
json_check '{x["bdf"]: x["group"] for x in d["devices"]}["0000:02:00.1"] == 9'

run 0 --sim-topology="$topo/singletons.topo" plan --ioas=per-device 0000:03:00.0 0000:04:00.0
expect out "layout per-device: 2 IOAS"

run 0 --sim-topology="$topo/group2.topo" plan --ioas=per-device 0000:05:00.0 0000:05:00.1 0000:06:00.0
expect out "layout per-device: 2 IOAS"
expect out "merged: IOMMU group 7 shares one IOAS"
expect out "IOAS 1: 0000:05:00.0 0000:05:00.1"
expect err "IOMMU group 7 merged"

run 1 --sim-topology="$topo/group2.topo" plan --ioas=per-device --strict 0000:05:00.0 0000:05:00.1
expect err "use --ioas=per-group"
one_line_error

run 0 --sim-topology="$topo/group2.topo" --json plan --ioas=per-group 0000:05:00.0 0000:05:00.1 0000:06:00.0
json_ok
json_check 'd["ioas"][0]["devices"] == ["0000:05:00.0", "0000:05:00.1"]'

run 0 --sim-topology="$topo/group2.topo" plan --ioas=shared 0000:05:00.0 0000:06:00.0
expect out "layout shared: 1 IOAS"

run 1 --sim-topology="$topo/kernel-sibling.topo" plan --ioas=shared 0000:02:00.0
expect err "its IOMMU group 9 is not viable: 0000:02:00.1 on e1000e"
one_line_error

run 0 --sim-topology="$topo/aperture39.topo" plan --ioas=shared 0000:00:03.0
expect out "IOVA ranges: 0x0-0x7fffffffff"

run 0 --sim-topology="$topo/spapr-window.topo" plan --ioas=per-group 0001:00:01.0
expect out "IOVA ranges: 0x800000000000000-0xfffffffffffffff"

# bad input: one clear line, nonzero exit
run 1 --sim-topology="$topo/group2.topo" plan --ioas=shared 0000:09:00.0
expect err "unknown device 0000:09:00.0"
one_line_error
run 2 --sim-topology="$topo/group2.topo" plan --ioas=sideways 0000:05:00.0
expect err "unknown IOAS layout 'sideways'"
one_line_error
run 2 --sim-topology="$topo/group2.topo" plan --ioas=shared
expect err "plan needs at least one device"
one_line_error
run 1 --sim-topology="$tmp/missing.topo" list
expect err "cannot open sim topology $tmp/missing.topo"
one_line_error
printf 'group 1\n\ndevice 0000:00:01.0 group=1 drv=vfio-pci\n' >"$tmp/bad.topo"
run 1 --sim-topology="$tmp/bad.topo" list
expect err "topology $tmp/bad.topo:3: unknown device attribute 'drv'"
one_line_error
run 2 --sim-topology="$topo/group2.topo" frobnicate
expect err "unknown command 'frobnicate'"
one_line_error
run 2 --iommu=quantum list
expect err "unknown IOMMU backend 'quantum'"
one_line_error

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "iop-devices: all checks passed"
