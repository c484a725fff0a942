#!/bin/sh
# What DPDK 22.11 does with its telemetry socket when iop-bridge is killed
# with SIGKILL (doc/startup.md): the socket stays in /var/run/dpdk/PREFIX,
# dead (a client's connect is refused); the next start with the same
# prefix finds it dead, removes it and binds a new one; a clean exit
# removes it.
#   telemetry_socket_after_kill.sh IOP_BRIDGE
set -u
bridge=$1
prefix=iop_tele_$$
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
tmp=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp" /var/run/dpdk/$prefix' EXIT
pid=
# the bridge itself, not a subshell, must get the SIGKILL: run through exec
run() { exec "$bridge" -l 0 --in-memory -m 64 --file-prefix=$prefix --log-level=lib.telemetry:debug \
	-- --port sim:wire=gen --port sim:wire=gen --stats-period=0 "$@"; }
connect_refused() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1])
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$1"
}

(run) >"$tmp/first" 2>&1 &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 200 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if [ ! -S "$sock" ]; then
	if grep -q "hugepages" "$tmp/first"; then echo "SKIP: no hugepages: $(tail -1 "$tmp/first")"; exit 77; fi
	echo "FAIL: the bridge made no telemetry socket:"; cat "$tmp/first"; exit 1
fi
kill -9 $pid
wait $pid 2>/dev/null
pid=
[ -S "$sock" ] || { echo "FAIL: DPDK removed the socket after SIGKILL (expected it to stay)"; exit 1; }
connect_refused "$sock" || { echo "FAIL: the stale socket accepted a connection"; exit 1; }
echo "ok: after SIGKILL the socket stays, dead"
(run --duration=1) >"$tmp/second" 2>&1 || { echo "FAIL: a second start with the prefix failed:"; cat "$tmp/second"; exit 1; }
grep -q "Attempting unlink and retrying bind" "$tmp/second" ||
	{ echo "FAIL: DPDK did not reclaim the stale socket:"; grep TELEMETRY "$tmp/second"; exit 1; }
echo "ok: the next start with the prefix removed it and bound a new one"
[ -e "$sock" ] && { echo "FAIL: a clean exit left the socket"; exit 1; }
echo "ok: a clean exit removes it"
