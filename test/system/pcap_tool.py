#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pcap files for the system tier, with the standard library only.

  pcap_tool.py make OUT.pcap SRC_MAC     frames of many sizes (60..1514),
                                         IPv4/UDP, one 802.1Q-tagged, all
                                         from SRC_MAC (a capture filter key)
  pcap_tool.py mtu IN.pcap WANT.pcap SRC_MAC
                                         for an egress MTU of 1500: a 1516-byte
                                         untagged frame (over MTU+14, refused),
                                         a 1518-byte 802.1Q frame (MTU+18, fits),
                                         then 1000 numbered frames; WANT.pcap is
                                         what must arrive, in this order
  pcap_tool.py stream OUT.pcap SRC_MAC DST_MAC N SIZE
                                         N numbered frames of SIZE bytes, to
                                         10.99.0.99: no host answers them
  pcap_tool.py same A.pcap B.pcap        exit 0 if both hold the same frames,
                                         byte for byte, in the same order
  pcap_tool.py subseq SENT.pcap GOT.pcap exit 0 if GOT's frames are some of
                                         SENT's, byte for byte, in SENT's
                                         order; prints how many
"""
import struct
import sys

MAGIC = 0xa1b2c3d4
LINKTYPE_ETHERNET = 1


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(src, dst, seq, size, vlan=None, ip_dst=(10, 99, 0, 2)):
    eth = dst + src
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    eth += struct.pack("!H", 0x0800)
    payload_len = size - len(eth) - 20 - 8
    payload = bytes((seq * 31 + i) & 0xff for i in range(payload_len))
    udp = struct.pack("!HHHH", 40000 + seq % 1000, 9999, 8 + payload_len, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + payload_len, seq & 0xffff,
                     0, 64, 17, 0, bytes([10, 99, 0, 1]), bytes(ip_dst))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return eth + ip + udp + payload


def make(path, src_mac):
    src = bytes(int(x, 16) for x in src_mac.split(":"))
    dst = bytes([0x02, 0, 0, 0xaa, 0xbb, 0x02])
    sizes = [60, 64, 65, 128, 255, 256, 511, 512, 1000, 1023, 1024, 1500, 1513, 1514]
    frames = []
    for seq in range(200):
        frames.append(udp_frame(src, dst, seq, sizes[seq % len(sizes)]))
    frames.append(udp_frame(src, dst, 200, 300, vlan=42))
    frames.append(udp_frame(src, b"\xff" * 6, 201, 100))  # broadcast
    write(path, frames)


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", MAGIC, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def mtu(path_in, path_want, src_mac):
    src = bytes(int(x, 16) for x in src_mac.split(":"))
    dst = bytes([0x02, 0, 0, 0xaa, 0xbb, 0x02])
    over = udp_frame(src, dst, 5000, 1516)
    tagged = udp_frame(src, dst, 5001, 1518, vlan=42)
    numbered = [udp_frame(src, dst, seq, 60 + (seq * 37) % 1455) for seq in range(1000)]
    write(path_in, [over, tagged] + numbered)
    write(path_want, [tagged] + numbered)


def stream(path, src_mac, dst_mac, n, size):
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    write(path, [udp_frame(mac(src_mac), mac(dst_mac), seq, size, ip_dst=(10, 99, 0, 99))
                 for seq in range(n)])


def subseq(sent_path, got_path):
    sent, got = read(sent_path), read(got_path)
    i = 0
    for k, fr in enumerate(got):
        while i < len(sent) and sent[i] != fr:
            i += 1
        if i == len(sent):
            print("pcap: frame %d of %s is not a later frame of %s (out of order, or changed)"
                  % (k, got_path, sent_path))
            return 1
        i += 1
    print("pcap: %d of %d frames arrived, in order, byte-identical" % (len(got), len(sent)))
    return 0


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(order + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def same(a, b):
    fa, fb = read(a), read(b)
    if fa == fb:
        print("pcap: %d frames, byte-identical" % len(fa))
        return 0
    print("pcap: %s has %d frames, %s has %d" % (a, len(fa), b, len(fb)))
    for i, (x, y) in enumerate(zip(fa, fb)):
        if x != y:
            print("pcap: first difference at frame %d (%d vs %d bytes)" % (i, len(x), len(y)))
            break
    return 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "mtu":
        mtu(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 7 and sys.argv[1] == "stream":
        stream(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif len(sys.argv) == 4 and sys.argv[1] == "same":
        sys.exit(same(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "subseq":
        sys.exit(subseq(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
