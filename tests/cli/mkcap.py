#!/usr/bin/python3
"""mkcap.py DIR - write the small captures the CLI tests use into DIR.

Standard library only.  Every address is a documentation address
(192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).  The traffic in good.pcap, in
time order (all within one second, so nothing expires):

  A  192.0.2.1:40000    -> 192.0.2.2:80     handshake, 100 bytes up, 200 down,
                                             client closes first, server closes
                                             -> client TIME_WAIT, server CLOSED
  B  192.0.2.1:40001    -> 192.0.2.2:81     handshake, 10 bytes up, left open
                                             -> ESTABLISHED / ESTABLISHED
  C  [2001:db8::1]:40002 -> [2001:db8::2]:443 handshake, client FIN, server
                                             ACKs it and stays open
                                             -> FIN_WAIT_2 / CLOSE_WAIT
  D  198.51.100.7:40003 -> 192.0.2.2:82     SYN answered by RST (closed port)

Files written: good.pcap and damaged or unusual variants of it (see the
comment above each in main()), and offsets.txt: "NAME VALUE" lines (packet counts, byte offsets) the shell
tests use to cut files with head -c.
"""
import os
import struct
import sys

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")
T0 = 1700000000  # 2023-11-14 22:13:20 UTC


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    # enough of inet_pton for the few addresses used here
    head, _, tail = a.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    words = h + [0] * (8 - len(h) - len(t)) + t
    return struct.pack("!8H", *words)


FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def tcp(src, dst, sport, dport, seq, ack, flags, payload, v6):
    fl = 0
    for ch in flags:
        fl |= FLAGS[ch]
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, fl, 65535, 0, 0)
    seg = hdr + payload
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4_packet(src, dst, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, 6, 0, src, dst)
    c = csum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + l4


def ipv6_packet(src, dst, l4):
    return struct.pack("!IHBB16s16s", 6 << 28, len(l4), 6, 64, src, dst) + l4


def ether(frm, to, ethertype, payload):
    return to + frm + struct.pack("!H", ethertype) + payload


class Conn:
    """One TCP connection; tracks sequence numbers so segments are consistent."""

    def __init__(self, caddr, saddr, cport, sport, v6=False):
        self.v6 = v6
        conv = ip6 if v6 else ip4
        self.c, self.s = conv(caddr), conv(saddr)
        self.cport, self.sport = cport, sport
        self.cseq, self.sseq = 1000 + cport, 500000 + sport
        self.cack = self.sack = 0

    def seg(self, from_client, flags, nbytes=0):
        payload = bytes((i % 26) + 97 for i in range(nbytes))
        if from_client:
            src, dst, sp, dp = self.c, self.s, self.cport, self.sport
            seq, ack = self.cseq, self.cack
        else:
            src, dst, sp, dp = self.s, self.c, self.sport, self.cport
            seq, ack = self.sseq, self.sack
        if "A" not in flags:
            ack = 0
        l4 = tcp(src, dst, sp, dp, seq, ack, flags, payload, self.v6)
        adv = nbytes + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
        if from_client:
            self.cseq += adv
            self.sack = self.cseq
        else:
            self.sseq += adv
            self.cack = self.sseq
        if self.v6:
            ip = ipv6_packet(src, dst, l4)
            et = 0x86DD
        else:
            ip = ipv4_packet(src, dst, l4)
            et = 0x0800
        if from_client:
            return ip, ether(MAC_C, MAC_S, et, ip)
        return ip, ether(MAC_S, MAC_C, et, ip)


def traffic():
    """[(timestamp_us, ip_bytes, ethernet_frame)] for connections A-D."""
    out = []
    t = [0]

    def add(pair):
        t[0] += 1000
        out.append((t[0], pair[0], pair[1]))

    a = Conn("192.0.2.1", "192.0.2.2", 40000, 80)
    add(a.seg(True, "S"))
    add(a.seg(False, "SA"))
    add(a.seg(True, "A"))
    add(a.seg(True, "PA", 100))
    add(a.seg(False, "A"))
    add(a.seg(False, "PA", 200))
    add(a.seg(True, "A"))
    add(a.seg(True, "FA"))
    add(a.seg(False, "A"))
    add(a.seg(False, "FA"))
    add(a.seg(True, "A"))

    b = Conn("192.0.2.1", "192.0.2.2", 40001, 81)
    add(b.seg(True, "S"))
    add(b.seg(False, "SA"))
    add(b.seg(True, "A"))
    add(b.seg(True, "PA", 10))
    add(b.seg(False, "A"))

    c = Conn("2001:db8::1", "2001:db8::2", 40002, 443, v6=True)
    add(c.seg(True, "S"))
    add(c.seg(False, "SA"))
    add(c.seg(True, "A"))
    add(c.seg(True, "FA"))
    add(c.seg(False, "A"))

    d = Conn("198.51.100.7", "192.0.2.2", 40003, 82)
    add(d.seg(True, "S"))
    d.sseq = 0  # RFC 793: a RST answering a SYN without ACK has sequence 0
    add(d.seg(False, "RA"))
    return out


def pcap_header(linktype=1, snaplen=65535, magic=0xA1B2C3D4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_us, data, caplen=None, wirelen=None):
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    return struct.pack("<IIII", T0 + ts_us // 1000000, ts_us % 1000000, caplen, wirelen) + data


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def pcapng_block(btype, body):
    body = pad4(body)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype, snaplen=65535):
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(ifid, ts_us, data, raw_ts=None):
    ts = T0 * 1000000 + ts_us if raw_ts is None else raw_ts  # default resolution: microseconds
    body = struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + pad4(data)
    return pcapng_block(6, body)


def be_block(btype, body):
    body = pad4(body)
    total = 12 + len(body)
    return struct.pack(">II", btype, total) + body + struct.pack(">I", total)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    pk = traffic()
    offsets = {}

    def write(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    # The whole, valid capture.
    recs = [pcap_record(ts, eth) for ts, _, eth in pk]
    good = pcap_header() + b"".join(recs)
    write("good.pcap", good)
    offsets["packets"] = len(pk)
    offsets["good_size"] = len(good)
    # Byte offset where the last record starts; the last record's length.
    last_off = len(good) - len(recs[-1])
    offsets["last_record_offset"] = last_off
    # Where connection A's last packet ends (stdin cut just after it + 5 bytes).
    offsets["conn_a_end"] = 24 + sum(len(r) for r in recs[:11])

    # Same traffic as pcapng.
    write("good.pcapng", pcapng_shb() + pcapng_idb(1) + b"".join(pcapng_epb(0, ts, eth) for ts, _, eth in pk))

    # A valid header and no packets.
    write("header-only.pcap", pcap_header())

    # The 24-byte file header cut to 10 bytes.
    write("trunc-filehdr.pcap", good[:10])

    # The last record's 16-byte header cut to 8 bytes.
    write("trunc-rechdr.pcap", good[:last_off + 8])

    # The last record's header whole, its body cut short by 10 bytes.
    write("trunc-body.pcap", good[:len(good) - 10])

    # Record 12 (connection B's SYN) claims an absurd captured length.
    ts, _, eth = pk[11]
    bad = pcap_header() + b"".join(recs[:11]) + pcap_record(ts, eth, caplen=0x7FFFFFF0, wirelen=0x7FFFFFF0) \
        + b"".join(recs[12:])
    write("huge-caplen.pcap", bad)

    # Snapshot length 64 in the header, but every record is captured whole (longer than 64).
    write("caplen-over-snaplen.pcap", pcap_header(snaplen=64) + b"".join(recs))

    # Records whose captured length is larger than their length on the wire.
    write("caplen-over-wirelen.pcap",
          pcap_header() + b"".join(pcap_record(ts, eth, wirelen=20) for ts, _, eth in pk))

    # A link type no one has assigned (libpcap has no name for it).
    write("unknown-link.pcap", pcap_header(linktype=4000) + b"".join(recs))
    # A link type with a name that tcpfsm does not decode (USB Linux, 189).
    write("user-link.pcap", pcap_header(linktype=189) + b"".join(recs))

    # pcapng: interface 0 is Ethernet and carries connection A; then a second
    # interface of link type RAW (101) carries connections B-D as bare IP.
    ng = pcapng_shb() + pcapng_idb(1)
    ng += b"".join(pcapng_epb(0, ts, eth) for ts, _, eth in pk[:11])
    ng += pcapng_idb(101)
    ng += b"".join(pcapng_epb(1, ts, ip) for ts, ip, _ in pk[11:])
    write("two-links.pcapng", ng)
    offsets["two_links_first_if_packets"] = 11

    # pcapng: interface 0 is USB_LINUX (not decoded) and carries nothing;
    # interface 1 is Ethernet and carries all the traffic.
    write("first-if-unsupported.pcapng", pcapng_shb() + pcapng_idb(189) + pcapng_idb(1)
          + b"".join(pcapng_epb(1, ts, eth) for ts, _, eth in pk))

    # pcapng: every packet block names interface 5, which was never described.
    write("undefined-if.pcapng", pcapng_shb() + pcapng_idb(1)
          + b"".join(pcapng_epb(5, ts, eth) for ts, _, eth in pk))

    epbs = [pcapng_epb(0, ts, eth) for ts, _, eth in pk]
    ng_good = pcapng_shb() + pcapng_idb(1) + b"".join(epbs)
    # pcapng cut 10 bytes into the last packet block.
    write("trunc-block.pcapng", ng_good[:-10])
    # pcapng: packet block 12's trailing length disagrees with its leading one.
    bad = bytearray(epbs[11])
    bad[-4:] = struct.pack("<I", len(bad) + 4)
    write("length-mismatch.pcapng", pcapng_shb() + pcapng_idb(1) + b"".join(epbs[:11]) + bytes(bad)
          + b"".join(epbs[12:]))
    # pcapng: block 12 claims 4 GiB.
    write("huge-block.pcapng", pcapng_shb() + pcapng_idb(1) + b"".join(epbs[:11])
          + struct.pack("<II", 6, 0xFFFFFFF0) + b"\0" * 64)
    # pcapng: a section header and nothing else.
    write("shb-only.pcapng", pcapng_shb())

    # pcapng: interface with if_tsoffset (option 14) of 10^11 seconds.
    opt = struct.pack("<HHq", 14, 8, 10 ** 11) + struct.pack("<HH", 0, 0)
    write("tsoffset.pcapng", pcapng_shb() + pcapng_block(1, struct.pack("<HHI", 1, 0, 65535) + opt)
          + b"".join(epbs))
    # pcapng: times relative to a base the interface gives as if_tsoffset,
    # in seconds since 1970 (T0): the packets' times are T0 + their own.
    opt = struct.pack("<HHq", 14, 8, T0) + struct.pack("<HH", 0, 0)
    write("tsoffset-epoch.pcapng", pcapng_shb() + pcapng_block(1, struct.pack("<HHI", 1, 0, 65535) + opt)
          + b"".join(pcapng_epb(0, ts, eth, raw_ts=ts) for ts, _, eth in pk))
    # pcapng timestamps (microseconds) whose nanosecond values span the whole
    # signed 64-bit range: the first 5 packets at ~9.446e18 ns (past 2^63),
    # the rest at ~9.2e18 ns.  Then the same alternating packet by packet.
    lo, hi = 9446000000000000, 9200000000000000
    write("ts-extremes.pcapng", pcapng_shb() + pcapng_idb(1)
          + b"".join(pcapng_epb(0, 0, eth, raw_ts=(lo if i < 5 else hi) + ts)
                     for i, (ts, _, eth) in enumerate(pk)))
    write("ts-alternating.pcapng", pcapng_shb() + pcapng_idb(1)
          + b"".join(pcapng_epb(0, 0, eth, raw_ts=(lo if i % 2 else hi) + ts)
                     for i, (ts, _, eth) in enumerate(pk)))

    # Other valid encodings of the same traffic: big-endian pcap, nanosecond
    # pcap, big-endian pcapng.
    write("big-endian.pcap", struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
          + b"".join(struct.pack(">IIII", T0 + ts // 1000000, ts % 1000000, len(eth), len(eth)) + eth
                     for ts, _, eth in pk))
    write("nanosecond.pcap", pcap_header(magic=0xA1B23C4D)
          + b"".join(struct.pack("<IIII", T0 + ts // 1000000, ts % 1000000 * 1000, len(eth), len(eth)) + eth
                     for ts, _, eth in pk))
    write("big-endian.pcapng",
          be_block(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
          + be_block(1, struct.pack(">HHI", 1, 0, 65535))
          + b"".join(be_block(6, struct.pack(">IIIII", 0, (T0 * 1000000 + ts) >> 32,
                                             (T0 * 1000000 + ts) & 0xFFFFFFFF, len(eth), len(eth)) + eth)
                     for ts, _, eth in pk))
    # pcap major version 1 (never existed).
    write("version1.pcap", struct.pack("<IHHiIII", 0xA1B2C3D4, 1, 0, 0, 0, 65535, 1) + b"".join(recs))

    write("not-a-capture.txt", b"This is a plain text file.\nIt is not a capture.\n" * 4)
    write("empty.pcap", b"")

    with open(os.path.join(d, "offsets.txt"), "w") as f:
        for k, v in offsets.items():
            f.write("%s %d\n" % (k, v))


if __name__ == "__main__":
    main()
