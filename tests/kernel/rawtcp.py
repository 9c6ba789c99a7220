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
Prints the number of SYNs sent.  Standard library only.
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


def syn(src, dst, sport, dport, seq):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    # a SYN with an MSS option (4 bytes), as real stacks send
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02, 64240, 0, 0)
    tcp += struct.pack("!BBH", 2, 4, 1460)
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main(argv):
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
