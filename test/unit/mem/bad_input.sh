#!/usr/bin/env bash
# Bad input at start-up, through iop-bench: each case must end with one
# clear line saying what to do, and a nonzero exit.
#   bad_input.sh IOP_BENCH
set -uo pipefail
bench=$1
tmp=$(mktemp -d /tmp/iop-bad-input.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # name, expected text of the last line, command...
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? last
	last=$(tail -n 1 "$tmp/err")
	if [ "$rc" -eq 0 ] || [[ "$last" != *"$want"* ]]; then
		echo "FAIL $name: exit $rc, last line: $last"
		fail=1
	else
		echo "ok   $name: $last"
	fi
}

printf 'device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock unlimited\n' >"$tmp/ok.topology"
printf 'device 0000:00:01.0 group=1 driver=vfio-pci\nmemlock 4M\n' >"$tmp/4m.topology"
mkdir "$tmp/not-hugetlbfs"
eal=(-l 0 --file-prefix=iop_bad_input_$$)

expect no_hugepages_says_how_many_to_reserve_and_how "reserve 512 x 2 MiB as root (echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages" \
	"$bench" "${eal[@]}" --huge-dir="$tmp/not-hugetlbfs" -- --iommu=sim --sim-topology="$tmp/ok.topology" translate
if [ "$(grep -c HugePages_Total /proc/meminfo)" -eq 1 ] && [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -gt 8 ]; then
	expect memlock_too_low_says_the_size_needed "must be locked and the locked-memory limit refused it" \
		"$bench" "${eal[@]}" --in-memory -m 16 -- --iommu=sim --sim-topology="$tmp/4m.topology" translate --dev 0000:00:01.0
	# a one-byte window once read "holds 1 MiB"; one at the top of the
	# 64-bit space gave "Invalid argument"
	printf 'group 1 range=0-0\ndevice 0000:00:01.0 group=1 driver=vfio-pci\n' >"$tmp/byte.topology"
	expect one_byte_window_says_one_byte "its IOVA ranges hold 1 byte;" \
		"$bench" "${eal[@]}" --in-memory -m 16 -- --iommu=sim --sim-topology="$tmp/byte.topology" map --ioas 1 --dev 0000:00:01.0
	printf 'group 1 range=0xffffffffff000000-0xffffffffffffffff\ndevice 0000:00:01.0 group=1 driver=vfio-pci\n' >"$tmp/top.topology"
	expect window_at_the_top_of_the_iova_space_is_too_small_not_einval \
		"its IOVA ranges hold 16777215 bytes (IOVA 0xffffffffffffffff is never mapped: it means 'no translation')" \
		"$bench" "${eal[@]}" --in-memory -m 16 -- --iommu=sim --sim-topology="$tmp/top.topology" map --ioas 1 --dev 0000:00:01.0
else
	echo "skip memlock_too_low_says_the_size_needed, one_byte_window_says_one_byte, window_at_the_top...: no free hugepages on this machine"
fi
expect unknown_backend_is_named "unknown IOMMU backend 'bogus'" \
	"$bench" "${eal[@]}" --no-huge -- --iommu=bogus translate
expect option_without_value_says_how "option '--reps' needs a value: --reps=VALUE or --reps VALUE" \
	"$bench" "${eal[@]}" --no-huge -- --iommu=sim map --reps
# --opt value: the word after --ioas is its value
expect option_value_may_be_the_next_word "unknown IOAS layout 'translate'" \
	"$bench" "${eal[@]}" --no-huge -- --ioas translate
expect unknown_option_names_it_and_the_man_page "unknown option '--colour': iop-bench --help or man iop-bench lists the options" \
	"$bench" "${eal[@]}" --no-huge -- --iommu=sim map --colour
expect topology_with_a_kernel_backend_is_refused_before_the_eal "--sim-topology=$tmp/ok.topology describes the sim's machine, but --iommu=vfio" \
	"$bench" "${eal[@]}" --huge-dir="$tmp/not-hugetlbfs" -- --iommu=vfio --sim-topology="$tmp/ok.topology" map
# the callgrind child's count: a negative one once looped for ever, a
# word exited 1 without a word
expect hit_child_refuses_a_negative_count "takes a number of calls from 1 to 1000000000, not '-1'" \
	timeout 20 "$bench" --hit-child -1
expect hit_child_refuses_a_word "takes a number of calls from 1 to 1000000000, not 'abc'" \
	timeout 20 "$bench" --hit-child abc
expect reps_refuses_a_sign "--reps takes a number from 1 to 64, not '+5'" \
	"$bench" "${eal[@]}" --no-huge -- --iommu=sim --sim-topology="$tmp/ok.topology" map --reps +5
exit $fail
