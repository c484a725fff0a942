# SPDX-License-Identifier: BSD-3-Clause
# Shared by the forwarding benchmarks (bench/fwd.sh, bench/ethdev.sh), which
# source it: runs of an anchor and a subject alternate (anchor, subject,
# anchor, ...) so that load from other work on the machine hits both
# alike, and each figure is the median of the per-pair ratios with their
# range.

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# millions, two decimals
mpps() { awk -v v="$1" 'BEGIN {printf "%.2f", v / 1e6}'; }

# machine_line LCORES SECONDS
machine_line() {
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), lcores $1, $2 s per run"
}

# testpmd_pps LOG SKIP: dpdk-testpmd's mean Rx-pps per port over its
# --stats-period lines, leaving out the first SKIP (start-up); fails with
# the log's tail when it printed none.
testpmd_pps() {
	grep -E '^ +Rx-pps:' "$1" | awk '{print $2}' | tail -n "+$(($2 + 1))" |
		awk '{s += $1; n++} END {if (n == 0) exit 1; printf "%.0f\n", s / n}' ||
		{ echo "no Rx-pps lines from dpdk-testpmd:" >&2; tail "$1" >&2; return 1; }
}

# alternate NAME PAIRS UNIT ANCHOR_LABEL ANCHOR_CMD SUBJECT_LABEL SUBJECT_CMD
# Runs PAIRS pairs. Each command prints its rate as the first word of one
# line (more words may follow, kept for the caller). Prints one line per
# pair and sets ALT_MEDIAN, ALT_MIN, ALT_MAX (of subject/anchor), ALT_A and
# ALT_B (the median rates) and the arrays ALT_A_LINES, ALT_B_LINES.
alternate() {
	local name=$1 pairs=$2 unit=$3 alabel=$4 acmd=$5 blabel=$6 bcmd=$7
	local i a b r ratios=() as=() bs=()
	ALT_A_LINES=() ALT_B_LINES=()
	for i in $(seq "$pairs"); do
		a=$($acmd)
		b=$($bcmd)
		[ -n "$a" ] && [ -n "$b" ] || { echo "$name pair $i: a run gave no rate" >&2; return 1; }
		ALT_A_LINES+=("$a") ALT_B_LINES+=("$b")
		a=${a%% *} b=${b%% *}
		r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
		echo "$name pair $i: $alabel $(mpps "$a") $unit, $blabel $(mpps "$b") $unit, ratio $r"
		ratios+=("$r") as+=("$a") bs+=("$b")
	done
	ALT_MEDIAN=$(printf '%s\n' "${ratios[@]}" | median)
	ALT_MIN=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)
	ALT_MAX=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
	ALT_A=$(printf '%s\n' "${as[@]}" | median)
	ALT_B=$(printf '%s\n' "${bs[@]}" | median)
}
