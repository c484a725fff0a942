# pci-bench's runs of round R in set SET, in the order the guest runs them
# (sourced by pci-bench and pci-bench-guest.sh, which must agree): odd
# rounds run iop-bridge first, even rounds testpmd first, so that neither
# forwarder always takes the place after the other (the taps' and the
# host's state left by the run before) and a median of ratios over an even
# spread of rounds holds no order bias.
pci_bench_order() { # set round
	if [ $(($2 % 2)) = 1 ]; then
		echo ours testpmd
	else
		echo testpmd ours
	fi
	[ "$1" != all ] && return 0
	echo igb2q
	if [ $(($2 % 2)) = 1 ]; then
		echo vfours vftestpmd
	else
		echo vftestpmd vfours
	fi
}
