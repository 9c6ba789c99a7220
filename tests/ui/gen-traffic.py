#!/usr/bin/env python3
"""gen-traffic.py - a pcap of plain TCP traffic for the live view's load test.

    gen-traffic.py OUT.pcap [CONNECTIONS] [CONCURRENCY] [FIRST]

Writes CONNECTIONS (default 60000) TCP connections between documentation
addresses (clients 192.0.2.1-250, servers 198.51.100.1-4 port 8080), at most
CONCURRENCY (default 1000) under way at once, interleaved packet by packet; FIRST (default 0) numbers
the first connection, so files with different FIRST share no connection.
Each is 10 packets: handshake, a request and a reply with their ACKs, and a
four-way close; one in a hundred leaves the server in CLOSE_WAIT (no server
FIN).  Ethernet, microsecond timestamps 5 us apart.  Deterministic.  Standard
library only.
"""
import random
import struct
import sys

def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                      5 << 4, flags, 64240, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp

SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08

def conversation(i, rnd):
    c = bytes([192, 0, 2, 1 + i % 250])
    s = bytes([198, 51, 100, 1 + (i // 250) % 4])
    cp = 1024 + (i // 250) % 64000     # unique per client for 16M connections
    sp = 8080
    ci, si = rnd.getrandbits(32), rnd.getrandbits(32)
    req, rep = b"G" * 100, b"R" * 200
    p = [
        packet(c, s, cp, sp, ci, 0, SYN),
        packet(s, c, sp, cp, si, ci + 1, SYN | ACK),
        packet(c, s, cp, sp, ci + 1, si + 1, ACK),
        packet(c, s, cp, sp, ci + 1, si + 1, PSH | ACK, req),
        packet(s, c, sp, cp, si + 1, ci + 101, ACK),
        packet(s, c, sp, cp, si + 1, ci + 101, PSH | ACK, rep),
        packet(c, s, cp, sp, ci + 101, si + 201, ACK),
        packet(c, s, cp, sp, ci + 101, si + 201, FIN | ACK),
    ]
    if i % 100 == 99:
        p.append(packet(s, c, sp, cp, si + 201, ci + 102, ACK))     # CLOSE_WAIT, stuck
        p.append(packet(c, s, cp, sp, ci + 102, si + 201, ACK))
    else:
        p.append(packet(s, c, sp, cp, si + 201, ci + 102, FIN | ACK))
        p.append(packet(c, s, cp, sp, ci + 102, si + 202, ACK))
    return p

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rnd = random.Random(1)
    ts = 1700000000 * 1000000
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        active = []
        started = 0
        while started < n or active:
            while len(active) < conc and started < n:
                active.append(conversation(first + started, rnd))
                started += 1
            k = rnd.randrange(len(active))
            pkt = active[k].pop(0)
            if not active[k]:
                active[k] = active[-1]
                active.pop()
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(pkt), len(pkt)))
            f.write(pkt)
            ts += 5

if __name__ == "__main__":
    main()
