#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks iop-bridge's port counters against the kernel's own.

  conservation.py STATS.json KERNEL.start KERNEL.end IF0 IF1 [DIR]

Port p is the af_packet port on interface IFp (the root-side end of a veth
pair; IFpn is the end in the far namespace). KERNEL.* hold lines
"IFACE COUNTER VALUE" from /sys/class/net/IFACE/statistics, read before
the traffic and after the bridge stopped. For every port:

  rx: every frame the kernel received on IFp reached the port, or the port
      dropped it with a named reason:
        rx_packets + rx_oversize + rx_ring_full + rx_dma_fault + rx_malformed
          = d(IFp rx_packets)
  tx: every frame the port counted as sent, the kernel sent, and no more;
      every frame the interface dropped, the port counted as dropped so:
        tx_packets = d(IFp tx_packets)
        tx_link_dropped = d(IFp tx_dropped)
  far side: if DIR/far.{a,b}.pcap exist (tcpdump on the far end, inbound),
      the far namespace captured exactly the frames the kernel sent it.

Exit 0 if all hold, 1 (printing each difference) otherwise.
"""
import json
import os
import struct
import sys

RX_DROPS = ("rx_oversize", "rx_ring_full", "rx_dma_fault", "rx_malformed")


def counters(path):
    c = {}
    with open(path) as f:
        for line in f:
            dev, name, value = line.split()
            c[(dev, name)] = int(value)
    return c


def pcap_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return 0
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(order + "IIII", data[off:off + 16])[2]
        off += 16 + incl
        n += 1
    return n


def capture_dropped(log):
    """Frames tcpdump says the kernel dropped before it read them."""
    if not os.path.exists(log):
        return 0
    for line in open(log):
        if "dropped by kernel" in line:
            return int(line.split()[0])
    return 0


def main():
    stats = json.load(open(sys.argv[1]))
    k0, k1 = counters(sys.argv[2]), counters(sys.argv[3])
    ifaces = sys.argv[4:6]
    outdir = sys.argv[6] if len(sys.argv) > 6 else None
    d = lambda dev, name: k1[(dev, name)] - k0[(dev, name)]
    bad = []
    for p, (port, dev) in enumerate(zip(stats["ports"], ifaces)):
        drops = port["drops"]
        rx_port = port["rx_packets"] + sum(drops[r] for r in RX_DROPS)
        rx_kernel = d(dev, "rx_packets")
        tx_port, tx_kernel = port["tx_packets"], d(dev, "tx_packets")
        line = ("port %d (%s): rx %d + rx drops %d = %d, kernel rx %d; tx %d, kernel tx %d"
                " (tx_dropped %d); far end rx %d"
                % (p, dev, port["rx_packets"], rx_port - port["rx_packets"], rx_port,
                   rx_kernel, tx_port, tx_kernel, d(dev, "tx_dropped"), d(dev + "n", "rx_packets")))
        if rx_port != rx_kernel:
            bad.append("port %d: %d frames received by the port or dropped, the kernel received %d on %s"
                       % (p, rx_port, rx_kernel, dev))
        if tx_port != tx_kernel:
            bad.append("port %d: %d frames counted as sent, the kernel sent %d on %s"
                       % (p, tx_port, tx_kernel, dev))
        if drops["tx_link_dropped"] != d(dev, "tx_dropped"):
            bad.append("port %d: %d frames counted as dropped by the interface, %s's tx_dropped rose by %d"
                       % (p, drops["tx_link_dropped"], dev, d(dev, "tx_dropped")))
        side = "ab"[p]
        cap = os.path.join(outdir, "far.%s.pcap" % side) if outdir else None
        if cap and os.path.exists(cap):
            got, lost = pcap_frames(cap), capture_dropped(os.path.join(outdir, "far.%s.log" % side))
            line += "; far capture %d" % got
            if lost:
                bad.append("port %d: the far capture lost %d frames: its count proves nothing" % (p, lost))
            elif got != tx_kernel:
                bad.append("port %d: the far namespace captured %d frames, the kernel sent %d"
                           % (p, got, tx_kernel))
        print("conservation: " + line)
    for b in bad:
        print("conservation: NOT KEPT: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
