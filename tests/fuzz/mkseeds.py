#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py - capture files to fuzz_packets inputs.

    mkseeds.py OUTDIR CAPTURE...

Each pcap or pcapng file becomes one input in fuzz_packets' format (see the
comment at the top of fuzz_packets.c): its link type (or one per record if
its interfaces differ), its first MAX_PACKETS packets with their time steps
and wire lengths.  The option bytes are derived from the file name, so the
seeds spread over the options deterministically.  Files that are not
readable captures are skipped; damaged ones give the packets before the
damage.  Output names are the SHA-1 of the content, as libFuzzer names
corpus files.
"""
import hashlib
import os
import struct
import sys

MAX_PACKETS = 256
MAX_BYTES = 1 << 20

# fuzz_packets.c links[], in order.
LINKS = [1, 113, 276, 101, 12, 14, 228, 229, 0, 108, 9, 50, 104, 51, 10, 105, -1, 147]


def link_index(lt):
    if lt in LINKS:
        return LINKS.index(lt)
    return LINKS.index(147)        # some link type decode_packet does not know


def read_pcap(data):
    magic = data[:4]
    for endian in "<>":
        m = struct.unpack(endian + "I", magic)[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34):
            break
    else:
        return None
    nsec = m == 0xA1B23C4D
    rec = 24 if m == 0xA1B2CD34 else 16
    if len(data) < 24:
        return None
    lt = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    off, out = 24, []
    while off + rec <= len(data) and len(out) < MAX_PACKETS:
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += rec
        if incl > 262144 or off + incl > len(data):
            break
        ts = sec * 10**9 + frac * (1 if nsec else 1000)
        out.append((lt, ts, data[off:off + incl], max(orig, incl)))
        off += incl
    return out


def read_pcapng(data):
    out, ifs, off, endian = [], [], 0, "<"
    while off + 12 <= len(data) and len(out) < MAX_PACKETS:
        btype = struct.unpack(endian + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifs = []
        blen = struct.unpack(endian + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            ifs.append(struct.unpack(endian + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, hi, lo, incl, orig = struct.unpack(endian + "IIIII", body[:20])
            lt = ifs[ifid] if ifid < len(ifs) else -1
            ts = ((hi << 32) | lo) * 1000          # assume microseconds
            out.append((lt, ts, body[20:20 + incl], max(orig, incl)))
        elif btype == 3 and len(body) >= 4:
            orig = struct.unpack(endian + "I", body[:4])[0]
            lt = ifs[0] if ifs else -1
            out.append((lt, out[-1][1] if out else 0, body[4:], max(orig, len(body) - 4)))
        off += blen
    return out


def encode(name, pkts):
    h = hashlib.sha1(name.encode()).digest()
    lts = {p[0] for p in pkts}
    per_record = len(lts) > 1
    first = 0xFF if per_record else link_index(pkts[0][0] if pkts else 1)
    opts = h[1] & 0x3F           # MSL 2 s by default
    tables = h[2]
    timing = h[3] & 0xFC         # first timestamp: 2023
    out = bytearray([first, opts, tables, timing])
    prev = None
    for lt, ts, body, wire in pkts:
        body = body[:0xFFFF]
        d = 0 if prev is None else ts - prev
        prev = ts
        if 0 <= d < 0x8000 * 10000:
            step = d // 10000
        elif d >= 0:
            step = 0x8000 + min(d // 10**9, 0xEFFF - 0x8000)
        else:
            step = 0xF000 + min(-d // 10**6, 0xFFF)
        extra = wire - len(body)
        if extra < 128:
            eb = max(extra, 0)
        else:
            eb = 0x80 | min(extra // 1024, 127)
        out += struct.pack("<HHB", len(body), step, eb)
        if per_record:
            out.append(link_index(lt))
        out += body
        if len(out) > MAX_BYTES:
            break
    return bytes(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if data[:4] == b"\x0a\x0d\x0d\x0a":
            pkts = read_pcapng(data)
        else:
            pkts = read_pcap(data)
        if not pkts:
            continue
        blob = encode(os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path), pkts)
        name = hashlib.sha1(blob).hexdigest()
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)
        n += 1
    print(f"mkseeds.py: {n} inputs in {outdir}")


if __name__ == "__main__":
    main()
