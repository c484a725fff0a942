#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Debian's dpdk-testpmd as the app on two net_iop ports (sim NICs on
# af_packet wires between two namespaces), configured as an ethdev user
# does: --rxq=2 --txq=2 --rss-udp --enable-rx-cksum.
#   - RSS: UDP flows from namespace a, one datagram each; testpmd (rxonly,
#     verbose) shows each datagram's hash and queue. The hash must be the
#     Toeplitz hash this script computes itself (Python, checked against
#     Microsoft's published values) over the flow's addresses and ports
#     with the key testpmd shows (show port 0 rss-hash key), the queue the
#     one the redirection table names, and both queues must get flows;
#     after `port config all rss ip` the hash covers the addresses only;
#     after `port config 0 rss reta` sends every entry to queue 1, every
#     flow lands there.
#   - rx checksums: the datagrams the kernel sent are marked GOOD; frames
#     injected with a broken UDP or IPv4 checksum are marked BAD.
#   - tx checksums: frames injected in namespace a with every IPv4, UDP
#     and TCP sum wrong cross testpmd's csum engine with `csum set ip/udp/tcp
#     hw`, which leaves the sums to the device; the kernel in namespace b is
#     the judge: every UDP datagram reaches its socket, every TCP SYN to a
#     closed port gets its RST, and /proc/net/snmp counts no checksum error.
#
#   ethdev_testpmd_offload.sh LIBRTE_NET_IOP_SO
#
# Needs root, dpdk-testpmd, free hugepages; exits 77 (skipped) without.
set -uo pipefail

so=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/netns_lib.sh"
. "$here/../net_iop_copy.sh"
. "$here/testpmd_lib.sh"

netns_hugepages=200 netns_needs dpdk-testpmd
[ -f "$so" ] || skip "no $1: the build skipped net_iop (no DPDK driver SDK headers: run scripts/setup)"
net_iop_copy "$so" || fail "cannot copy $so into a private folder under /run"
so=$net_iop_so
netns_setup

testpmd_start "$so" iopoff$tag --rxq=2 --txq=2 --rss-udp --enable-rx-cksum --forward-mode=rxonly --nb-cores=1

# Python helpers: the Toeplitz hash, testpmd's verbose lines, frames
cat > "$tmp/rss.py" <<'EOF'
import re, socket, struct, sys

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa")

def toeplitz(key, data):
    k, kbits, h = int.from_bytes(key, "big"), len(key) * 8, 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= (k >> (kbits - 32 - (i * 8 + b))) & 0xffffffff
    return h

def tuple_bytes(src, dst, sport=None, dport=None):
    b = socket.inet_aton(src) + socket.inet_aton(dst)
    return b + struct.pack("!HH", sport, dport) if sport is not None else b

# Microsoft's "Verifying the RSS hash calculation", first two IPv4 rows
assert toeplitz(MS_KEY, tuple_bytes("66.9.149.187", "161.142.100.80", 2794, 1766)) == 0x51ccc178
assert toeplitz(MS_KEY, tuple_bytes("199.92.111.2", "65.69.140.83")) == 0xd718262a

def blocks(text):
    """testpmd's verbose rx lines, one entry a frame: (port, queue, rss hash
    or None, ol_flags, length); a burst of several frames has one header line"""
    out, port, queue, h, length = [], None, None, None, None
    for line in text.splitlines():
        m = re.search(r"port (\d+)/queue (\d+): received \d+ packets", line)
        if m:
            port, queue = int(m.group(1)), int(m.group(2))
            continue
        if "src=" in line and port is not None:
            m = re.search(r"RSS hash=0x([0-9a-f]+)", line)
            h = int(m.group(1), 16) if m else None
            m = re.search(r"length=(\d+)", line)
            length = int(m.group(1)) if m else None
        elif "ol_flags:" in line and port is not None:
            out.append((port, queue, h, line.split("ol_flags:", 1)[1], length))
    return out

cmd = sys.argv[1]
FLOWS = [(20000 + i * 37, 6000 + i * 101) for i in range(16)]

# flow i's datagram is 14 + 20 + 8 + 20 + i bytes on the wire: testpmd may
# show frames of two queues out of order, their length says which is which
def flow_of(length):
    return length - 62

if cmd == "send":          # send: one UDP datagram a -> b per flow, 0.2 s apart
    import time
    for i, (sport, dport) in enumerate(FLOWS):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("10.99.0.1", sport))
        s.sendto(b"r" * (20 + i), ("10.99.0.2", dport))
        s.close()
        time.sleep(0.2)
elif cmd == "check":       # check LOGPART KEYHEX MODE(l4|l3) RETA(rr|one): prints "q0 q1"
    text = open(sys.argv[2]).read()
    key = bytes.fromhex(sys.argv[3])
    mode, reta = sys.argv[4], sys.argv[5]
    bl = [b for b in blocks(text) if b[0] == 0]
    if len(bl) != len(FLOWS):
        sys.exit("expected %d frames on port 0, testpmd showed %d" % (len(FLOWS), len(bl)))
    per_q, seen = [0, 0], set()
    for port, q, h, flags, length in bl:
        i = flow_of(length)
        if not 0 <= i < len(FLOWS) or i in seen:
            sys.exit("a frame of %d bytes is none of the flows sent" % length)
        seen.add(i)
        sport, dport = FLOWS[i]
        want = toeplitz(key, tuple_bytes("10.99.0.1", "10.99.0.2", *((sport, dport) if mode == "l4" else ())))
        if h != want:
            sys.exit("flow %d->%d: hash %s, Toeplitz says 0x%08x" % (sport, dport, h and hex(h), want))
        wantq = (want % 128) % 2 if reta == "rr" else 1
        if q != wantq:
            sys.exit("flow %d->%d: hash 0x%08x on queue %d, the table names %d" % (sport, dport, h, q, wantq))
        for f in ("RTE_MBUF_F_RX_IP_CKSUM_GOOD", "RTE_MBUF_F_RX_L4_CKSUM_GOOD", "RTE_MBUF_F_RX_RSS_HASH"):
            if f not in flags:
                sys.exit("flow %d->%d: no %s in '%s'" % (sport, dport, f, flags))
        per_q[q] += 1
    print(per_q[0], per_q[1])
elif cmd in ("inject", "inject_tx"):
    # inject IFACE ip|udp: one UDP frame with that checksum broken
    # inject_tx IFACE N: N UDP datagrams to 10.99.0.2:7777 and N TCP SYNs
    # to its closed port 9, every IPv4, UDP and TCP sum wrong
    def csum(b):
        if len(b) % 2:
            b += b"\0"
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return ~s & 0xffff
    src, dst = socket.inet_aton("10.99.0.1"), socket.inet_aton("10.99.0.2")
    def frame(proto, l4, bad_ip, bad_l4, ck_off):
        ck = csum(src + dst + struct.pack("!BBH", 0, proto, len(l4)) + l4) ^ (0x1234 if bad_l4 else 0)
        l4 = l4[:ck_off] + struct.pack("!H", ck) + l4[ck_off + 2:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip) ^ (0x0f0f if bad_ip else 0)) + ip[12:]
        return b"\x02\x00\x00\x00\x00\x99" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + l4
    def udp(sport, dport, payload, bad_ip, bad_l4):
        return frame(17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload, bad_ip, bad_l4, 6)
    def syn(sport, dport):
        return frame(6, struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 65535, 0, 0), True, True, 16)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[2], 0))
    if cmd == "inject":
        s.send(udp(4000, 5000, b"broken-checksum-frame", sys.argv[3] == "ip", sys.argv[3] == "udp"))
    else:
        import time
        for i in range(int(sys.argv[3])):
            s.send(udp(4000 + i, 7777, b"C" * 1000, True, True))
            s.send(syn(30000 + i, 9))
            time.sleep(0.002)
elif cmd == "flags":       # flags LOGPART: ol_flags of the one frame on port 0
    bl = [b for b in blocks(open(sys.argv[2]).read()) if b[0] == 0]
    if len(bl) != 1:
        sys.exit("expected one frame on port 0, testpmd showed %d" % len(bl))
    print(bl[0][3])
EOF

# waits until testpmd showed a frame on port 0 after offset $1 of its log,
# leaves what it wrote since in $tmp/part
shown_since() {
	for _ in $(seq 50); do
		tail -c +$(($1 + 1)) "$tmp/testpmd.log" >"$tmp/part"
		grep -q "ol_flags:" "$tmp/part" && { sleep 0.1; tail -c +$(($1 + 1)) "$tmp/testpmd.log" >"$tmp/part"; return 0; }
		sleep 0.1
	done
	fail "testpmd showed no frame on port 0 in 5 s"
}

# flows MODE RETA: 16 UDP flows, each checked; sets q0 and q1, how many
# went to queue 0 and 1
flows() {
	local off out
	off=$(stat -c %s "$tmp/testpmd.log")
	ip netns exec "$nsa" python3 "$tmp/rss.py" send || fail "send"
	for _ in $(seq 100); do
		tail -c +$((off + 1)) "$tmp/testpmd.log" >"$tmp/part"
		[ "$(grep -c "ol_flags:" "$tmp/part")" -ge 16 ] && break
		sleep 0.1
	done
	out=$(python3 "$tmp/rss.py" check "$tmp/part" "$key" "$1" "$2" 2>&1) || fail "$out"
	read -r q0 q1 <<<"$out"
}

out=$(cmd "show port 0 rss-hash key")
key=$(echo "$out" | awk '/^RSS key:/ { getline; print }' | tr -d ' \r\n' | tr 'A-F' 'a-f')
[ "${#key}" = 80 ] || fail "no 40-byte RSS key in: $out"
echo "$out" | grep -q "ipv4-udp" || fail "RSS of port 0 is not on ipv4-udp: $out"
cmd "set verbose 1" >/dev/null
cmd "start" >/dev/null
sleep 0.5

flows l4 rr
echo "ok: 16 UDP flows hashed as Toeplitz says, each on the queue the table names: $q0 on queue 0, $q1 on queue 1"
[ "$q0" -gt 0 ] && [ "$q1" -gt 0 ] || fail "RSS did not spread: $q0/$q1"

# rx checksums: broken IPv4 and UDP sums are marked bad
for broken in ip udp; do
	off=$(stat -c %s "$tmp/testpmd.log")
	ip netns exec "$nsa" python3 "$tmp/rss.py" inject "${va}n" $broken || fail "inject"
	shown_since "$off"
	flags=$(python3 "$tmp/rss.py" flags "$tmp/part" 2>&1) || fail "$flags"
	case $broken in
	ip) grep -q "RTE_MBUF_F_RX_IP_CKSUM_BAD" <<<"$flags" || fail "broken IPv4 sum not marked bad: $flags" ;;
	udp) grep -q "RTE_MBUF_F_RX_L4_CKSUM_BAD" <<<"$flags" && grep -q "RTE_MBUF_F_RX_IP_CKSUM_GOOD" <<<"$flags" ||
		fail "broken UDP sum not marked bad (IP good): $flags" ;;
	esac
done
echo "ok: frames with a broken IPv4 or UDP checksum are marked bad"

# RSS changed on the running port: the addresses only, then the table
cmd "port config all rss ip" >/dev/null
flows l3 rr
echo "ok: after 'port config all rss ip' every flow hashes on the addresses only ($q0/$q1)"
cmd "port config all rss udp" >/dev/null
# 8 entries a command: testpmd's command line is short
for base in $(seq 0 8 120); do
	reta=$(for e in $(seq "$base" $((base + 7))); do printf "(%d,1)," "$e"; done)
	out=$(cmd "port config 0 rss reta ${reta%,}")
	grep -qi "fail\|error\|bad arg" <<<"$out" && fail "reta update: $out"
done
out=$(cmd "show port 0 rss reta 128 (0xffffffffffffffff,0xffffffffffffffff)")
[ "$(grep -c "RSS RETA configuration: hash index=[0-9]*, queue=1" <<<"$out")" = 128 ] ||
	fail "show port 0 rss reta: not every entry on queue 1: $(echo "$out" | head -5)"
flows l4 one
echo "ok: after 'port config 0 rss reta' sends every entry to queue 1, $q1 of 16 flows are there"
cmd "stop" >/dev/null

# --- tx checksums, judged by the kernel in namespace b ---------------------------
snmp_field() { # PROTO FIELD: namespace b's /proc/net/snmp counter
	ip netns exec "$nsb" awk -v p="$1:" -v f="$2" '$1 == p { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 } else print $n[f] }' /proc/net/snmp
}
snmp() { snmp_field "$1" InCsumErrors; }
cmd "port stop all" >/dev/null
for p in 0 1; do
	for what in ip udp tcp; do
		out=$(cmd "csum set $what hw $p")
		grep -qi "not supported\|error" <<<"$out" && fail "csum set $what hw $p: $out"
	done
done
cmd "set fwd csum" >/dev/null
# the csum engine writes the peer's MAC as destination: the namespaces'
cmd "set eth-peer 0 $mac_a" >/dev/null
cmd "set eth-peer 1 $mac_b" >/dev/null
cmd "set verbose 0" >/dev/null
cmd "port start all" >/dev/null
cmd "start" >/dev/null
sleep 0.5
udp0=$(snmp Udp) tcp0=$(snmp Tcp) rst0=$(snmp_field Tcp OutRsts)
cat > "$tmp/recv.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.0.2", 7777))
s.settimeout(3)
n = 0
try:
    while True:
        n += s.recv(2048) == b"C" * 1000
except socket.timeout:
    pass
print(n)
EOF
ip netns exec "$nsb" python3 "$tmp/recv.py" >"$tmp/recv.out" &
recv_pid=$!
sleep 0.5
# every sum wrong as sent: only the device's sums can make them good
ip netns exec "$nsa" python3 "$tmp/rss.py" inject_tx "${va}n" 200 || fail "inject"
wait $recv_pid
got=$(cat "$tmp/recv.out")
udp1=$(snmp Udp) tcp1=$(snmp Tcp) rst1=$(snmp_field Tcp OutRsts)
echo "namespace b: its socket got $got of 200 datagrams sent with wrong sums and checksummed by the device (Udp InCsumErrors $udp0 -> $udp1); it answered $((rst1 - rst0)) of 200 SYNs with a RST (Tcp InCsumErrors $tcp0 -> $tcp1)"
[ "$got" = 200 ] || fail "the kernel took $got of 200 datagrams checksummed by the device"
[ "$udp1" = "$udp0" ] || fail "the kernel counted UDP checksum errors: $udp0 -> $udp1"
[ "$tcp1" = "$tcp0" ] || fail "the kernel counted TCP checksum errors: $tcp0 -> $tcp1"
[ $((rst1 - rst0)) -ge 200 ] || fail "the kernel answered $((rst1 - rst0)) of 200 SYNs"
echo "ok: the kernel accepts every IPv4, UDP and TCP sum the device wrote"
out=$(cmd "show fwd stats all")
echo "$out" | grep -E "Bad-ipcsum|Bad-l4csum" | head -2

echo "quit" >&3
for _ in $(seq 100); do kill -0 "$pmd_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pmd_pid" 2>/dev/null && fail "testpmd did not quit in 10 s"
wait "$pmd_pid"; rc=$?
pmd_pid=
[ "$rc" = 0 ] || fail "testpmd exited with $rc"
echo "ok: testpmd quit cleanly"
