#!/usr/bin/python3
"""rawtcp.py - send TCP SYNs through a raw IPv4 socket (needs root; run it
inside a namespace with ip netns exec).

  rawtcp.py syn DST DPORT SPORT0 COUNT GAP_MS SRC...

sends COUNT SYNs to DST:DPORT, the i-th from SRC[i % len(SRC)] port
SPORT0 + i, GAP_MS milliseconds apart, each with its own initial sequence
number.  The kernel routes them as any packet of the namespace; the source
addresses are whatever the test says: the namespace's own (then its kernel,
which has no socket for that SYN, answers the SYN-ACK with a RST) or
addresses nobody owns (a spoofed SYN flood: the SYN-ACKs go nowhere).
Prints the number of SYNs sent.

  rawtcp.py rst SRC DST SPORT DPORT SEQ...

sends a RST (no ACK) from SRC:SPORT to DST:DPORT at each sequence number
SEQ, back to back: forged resets, as a blind injection sends them.  Standard library only.
"""
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def segment(src, dst, sport, dport, seq, flags, opts=b""):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (5 + len(opts) // 4) << 4, flags,
                      64240 if flags & 0x02 else 0, 0, 0)
    tcp += opts
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def syn(src, dst, sport, dport, seq):
    # a SYN with an MSS option (4 bytes), as real stacks send
    return segment(src, dst, sport, dport, seq, 0x02, struct.pack("!BBH", 2, 4, 1460))


def main(argv):
    if len(argv) >= 7 and argv[1] == "rst":
        src, dst, sport, dport = argv[2], argv[3], int(argv[4]), int(argv[5])
        sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for seq in argv[6:]:
            sk.sendto(segment(src, dst, sport, dport, int(seq) & 0xFFFFFFFF, 0x04), (dst, 0))
        print(len(argv) - 6)
        return 0
    if len(argv) < 8 or argv[1] != "syn":
        sys.stderr.write(__doc__)
        return 2
    dst, dport, sport0, count, gap = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), float(argv[6])
    srcs = argv[7:]
    sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = 0
    for i in range(count):
        pkt = syn(srcs[i % len(srcs)], dst, sport0 + i, dport, (0x10000000 + 7919 * i * 65536) & 0xFFFFFFFF)
        sk.sendto(pkt, (dst, 0))
        sent += 1
        if gap > 0 and i + 1 < count:
            time.sleep(gap / 1000.0)
    print(sent)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
