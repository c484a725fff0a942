# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the guest scripts of test/vm/pci.

# Waits up to SECS seconds for FILE (the host's word that its traffic is
# done) while process PID (a forwarder) runs, then stops PID with SIGINT
# and leaves its exit status in brc.
stop_when_done() { # FILE PID SECS
	local _
	for _ in $(seq "$3"); do
		[ -e "$1" ] && break
		kill -0 "$2" 2>/dev/null || break
		sleep 1
	done
	kill -INT "$2" 2>/dev/null
	wait "$2"
	brc=$?
}
