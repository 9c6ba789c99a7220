#!/usr/bin/python3
"""mklinks.py DIR - the traffic of mkcap.py's good.pcap under other link
types, one pcap file each (DIR/NAME.pcap), for tests/cli/linktypes.sh.

Each wraps the same IP packets the way the capturing system does: 802.11
data frames (bare, under radiotap, PPI, Prism and AVS radio headers), Linux
NFLOG (either byte order), Apple PKTAP, OpenBSD pflog and enc, Solaris
ipnet, SLIP, MPLS and the netANALYZER pseudo-headers.  Some files also hold
frames that must not be read as traffic: an encrypted 802.11 frame, one
marked as received with a bad FCS, a null-data frame, a packet-less PKTAP
record.  DIR/expect.txt says, per file, "NAME LINKTYPE EXTRA": EXTRA is the
not_decoded reason and count those frames add (or "-").

Standard library only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkcap  # noqa: E402

BSSID = bytes.fromhex("020000000aaa")
STA_C = bytes.fromhex("020000000001")
STA_S = bytes.fromhex("020000000002")
SNAP_V4 = bytes.fromhex("aaaa03000000") + b"\x08\x00"
SNAP_V6 = bytes.fromhex("aaaa03000000") + b"\x86\xdd"


def snap(ip):
    return (SNAP_V6 if ip[0] >> 4 == 6 else SNAP_V4) + ip


def wifi(ip, qos=False, htc=False, four=False, protected=False, pad=False, null=False):
    """An 802.11 data frame to the access point (ToDS), or between two
    (ToDS and FromDS: four addresses)."""
    subtype = (0x4 if null else 0) | (0x8 if qos else 0)
    fc0 = (2 << 2) | (subtype << 4)
    fc1 = 0x01 | (0x02 if four else 0) | (0x40 if protected else 0) | (0x80 if htc else 0)
    h = struct.pack("<BBH", fc0, fc1, 0) + BSSID + STA_C + STA_S + struct.pack("<H", 0x10)
    if four:
        h += BSSID
    if qos:
        h += struct.pack("<H", 0)
        if htc:
            h += b"\0\0\0\0"
    if pad:
        h += b"\0" * (-len(h) % 4)
    return h + (b"" if null else snap(ip))


def radiotap(frame, flags=None, tsft=False):
    """Radiotap: TSFT (8 bytes, aligned to 8) and Flags when asked, then a
    Rate field so the header has something after Flags."""
    present, body = 0x4, b""           # Rate
    if tsft:
        present |= 0x1
        body += struct.pack("<Q", 123456789)   # at offset 8: aligned already
    if flags is not None:
        present |= 0x2
        body += struct.pack("<B", flags)
    body += struct.pack("<B", 12)      # 6 Mb/s
    return struct.pack("<BBHI", 0, 0, 8 + len(body), present) + body + frame


def nflog(ip, big=False):
    e = ">" if big else "<"
    fam = 10 if ip[0] >> 4 == 6 else 2

    def tlv(t, v):
        b = struct.pack(e + "HH", 4 + len(v), t) + v
        return b + b"\0" * (-len(b) % 4)
    return struct.pack("!BBH", fam, 0, 7) + tlv(1, struct.pack("!HBB", 0x0800, 3, 0)) \
        + tlv(10, b"nflog-test\0") + tlv(9, ip)


def pktap(inner, dlt=1, next_type=1):
    hdr = struct.pack("<III", 108, next_type, dlt) + b"en0".ljust(24, b"\0")
    return hdr + b"\0" * (108 - len(hdr)) + inner


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    pk = mkcap.traffic()
    expect = []

    def write(name, lt, frames, extra="-"):
        recs = b"".join(mkcap.pcap_record(ts, f) for ts, f in frames)
        with open(os.path.join(d, name + ".pcap"), "wb") as f:
            f.write(mkcap.pcap_header(linktype=lt) + recs)
        expect.append("%s %d %s" % (name, lt, extra))

    def each(fn):
        return [(ts, fn(ip, eth)) for ts, ip, eth in pk]

    def plus(frames, ts, frame):
        """frames with one more inserted in time order"""
        return sorted(frames + [(ts, frame)], key=lambda x: x[0])

    t_mid = pk[5][0] + 500
    ip0 = pk[5][1]
    write("ieee802_11", 105, plus(each(lambda ip, eth: wifi(ip)), t_mid, wifi(ip0, protected=True)),
          "encrypted:1")
    write("ieee802_11-qos-htc-4addr", 105,
          plus(each(lambda ip, eth: wifi(ip, qos=True, htc=True, four=True)), t_mid,
               wifi(ip0, qos=True, null=True)), "not_ip:1")
    write("radiotap", 127,
          plus(each(lambda ip, eth: radiotap(wifi(ip, qos=True), flags=0x10, tsft=True)), t_mid,
               radiotap(wifi(ip0, qos=True), flags=0x40, tsft=True)), "bad_fcs:1")
    write("radiotap-datapad", 127, each(lambda ip, eth: radiotap(wifi(ip, qos=True, pad=True), flags=0x20)))
    write("radiotap-noflags", 127, each(lambda ip, eth: radiotap(wifi(ip))))
    write("ppi", 192, each(lambda ip, eth: struct.pack("<BBHI", 0, 0, 8, 105) + wifi(ip)))
    write("prism", 119, each(lambda ip, eth: b"\0\0\0\x44" + b"\0" * 140 + wifi(ip)))
    write("avs", 163, each(lambda ip, eth: struct.pack(">II", 0x80211001, 64) + b"\0" * 56 + wifi(ip)))
    write("nflog", 239, each(lambda ip, eth: nflog(ip)))
    write("nflog-big-endian", 239, each(lambda ip, eth: nflog(ip, big=True)))
    write("pktap", 258, plus(each(lambda ip, eth: pktap(eth)), t_mid, pktap(b"", next_type=2)), "not_ip:1")
    write("pktap-user2", 149, each(lambda ip, eth: pktap(eth)))
    write("pktap-raw", 258, each(lambda ip, eth: pktap(ip, dlt=12)))
    write("pflog", 117, each(lambda ip, eth: bytes([61, 2 if ip[0] >> 4 == 4 else 24]) + b"\0" * 62 + ip))
    write("enc", 109, each(lambda ip, eth: struct.pack("<III", 2, 0x1000, 0) + ip))
    write("ipnet", 226, each(lambda ip, eth: struct.pack("!BBHIIIII", 1, 2, 0, len(ip), 1, 0, 0, 0) + ip))
    write("slip", 8, each(lambda ip, eth: b"\0" * 16 + ip))
    write("mpls", 219, each(lambda ip, eth: struct.pack("!I", (16 << 12) | 0x100 | 64) + ip))
    write("netanalyzer", 240, each(lambda ip, eth: b"\0\0\0\0" + eth + b"\0\0\0\0"))
    write("netanalyzer-transparent", 241, each(lambda ip, eth: b"\0" * 4 + b"\x55" * 7 + b"\xd5" + eth))
    with open(os.path.join(d, "expect.txt"), "w") as f:
        f.write("\n".join(expect) + "\n")


if __name__ == "__main__":
    main()
