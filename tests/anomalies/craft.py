#!/usr/bin/python3
"""craft.py DIR [NAME...] - write the crafted captures of the anomaly tests.

Every capture is built byte by byte (Ethernet, IPv4 or IPv6, TCP with correct
checksums, no TCP options) with exact sequence and acknowledgement numbers
and exact times, so the tests can say which packet each piece of evidence
must be.  For each capture NAME.pcap the script writes NAME.labels: one line
per packet, "NUMBER LABEL SUMMARY", packet numbers counting from 1 as
tcpfsm's evidence does (tcpdump -# counts the same way).  The test scripts
look packets up by label (tests/anomalies/common.sh: lbl).

Addresses are documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32).  Times start at 2023-11-14 22:13:20 UTC; every scenario
below gives its times in milliseconds from there.  Unless said otherwise the
client is 192.0.2.10:40000, the server 192.0.2.80:8080, the client's initial
sequence number 1000, the server's 50000, windows 65535 (unscaled).

Standard library only.  With NAME arguments only those captures are written.
"""
import os
import struct
import sys

T0_US = 1700000000 * 1000000
MAC_C = bytes.fromhex("020000000010")
MAC_S = bytes.fromhex("020000000080")


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
    head, _, tail = a.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


FLAGBITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


def frame(src, dst, sport, dport, seq, ack, flags, payload, win, v6):
    fl = 0
    for ch in flags:
        fl |= FLAGBITS[ch]
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, fl, win, 0, 0)
    seg = hdr + payload
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
    if v6:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, 64, src, dst) + seg
        et = 0x86DD
    else:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0, src, dst)
        ip = h[:10] + struct.pack("!H", csum(h)) + h[12:] + seg
        et = 0x0800
    return ip, et


def routed(ip, rtype, waypoint):
    """IPv6 datagram ip (TCP, its checksum over the final destination, as
    RFC 8200 8.1 says) sent by way of `waypoint` and captured before it:
    the header's destination is the waypoint, a routing header (type 0:
    the final destination last; type 4, segment routing: first, the list
    kept in reverse) with one segment left holds the final one."""
    final, wp = ip[24:40], ip6(waypoint)
    if rtype == 0:
        rh = struct.pack("!BBBBI", 6, 2, 0, 1, 0) + final
    else:
        rh = struct.pack("!BBBBBBH", 6, 4, 4, 1, 1, 0, 0) + final + wp
    plen = struct.unpack("!H", ip[4:6])[0] + len(rh)
    return ip[:4] + struct.pack("!HB", plen, 43) + ip[7:24] + wp + rh + ip[40:]


class Cap:
    """One capture: packets in the order they are added (times must not go
    backwards unless a scenario wants them to)."""

    def __init__(self, name):
        self.name = name
        self.pkts = []      # (time_us, frame bytes, label, summary)

    def add(self, t_ms, frame_bytes, label, summary):
        self.pkts.append((int(round(t_ms * 1000)), frame_bytes, label, summary))
        return len(self.pkts)

    def write(self, d):
        with open(os.path.join(d, self.name + ".pcap"), "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, fr, _, _ in self.pkts:
                ts = T0_US + t
                f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(fr), len(fr)) + fr)
        with open(os.path.join(d, self.name + ".labels"), "w") as f:
            for i, (t, _, label, summary) in enumerate(self.pkts, 1):
                f.write("%d %s t=%.3fms %s\n" % (i, label or "-", t / 1000.0, summary))


class Conn:
    """One TCP connection in a capture.  Sequence numbers follow what each
    side has sent unless a segment gives them explicitly; an ACK
    acknowledges everything the peer sent so far unless given.  A side
    in `unseen` ("c", "s") sends as usual, but the capture never gets its
    segments (a one-directional capture)."""

    def __init__(self, cap, caddr="192.0.2.10", cport=40000, saddr="192.0.2.80", sport=8080,
                 cisn=1000, sisn=50000, unseen="", route=None):
        self.cap = cap
        self.unseen = unseen
        # IPv6: the client's segments source-routed, captured on their way
        # to a waypoint: (routing type 0 or 4, waypoint address)
        self.route = route
        self.v6 = ":" in caddr
        conv = ip6 if self.v6 else ip4
        self.addr = {"c": conv(caddr), "s": conv(saddr)}
        self.text = {"c": caddr, "s": saddr}
        self.port = {"c": cport, "s": sport}
        self.nxt = {"c": cisn, "s": sisn}

    def seg(self, t_ms, who, flags, n=0, seq=None, ack=None, win=65535, label=None, advance=True):
        peer = "s" if who == "c" else "c"
        if seq is None:
            seq = self.nxt[who]
        if ack is None:
            ack = self.nxt[peer] if "A" in flags else 0
        payload = bytes(0x61 + (i % 26) for i in range(n))
        ip, et = frame(self.addr[who], self.addr[peer], self.port[who], self.port[peer],
                       seq, ack, flags, payload, win, self.v6)
        if self.route and who == "c":
            ip = routed(ip, *self.route)
        macs = (MAC_S + MAC_C) if who == "c" else (MAC_C + MAC_S)
        end = (seq + n + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)) & 0xFFFFFFFF
        if advance and ((end - self.nxt[who]) & 0xFFFFFFFF) < 0x80000000:
            self.nxt[who] = end
        if who in self.unseen:
            return None
        summary = "%s %s:%d > %s:%d [%s] seq %d ack %d win %d len %d" % (
            "client" if who == "c" else "server", self.text[who], self.port[who],
            self.text[peer], self.port[peer], flags, seq & 0xFFFFFFFF,
            ack & 0xFFFFFFFF, win, n)
        return self.cap.add(t_ms, macs + struct.pack("!H", et) + ip, label, summary)

    def icmp(self, t_ms, who, flags, seq=None, ack=None, kind=(3, 13), sender=None, quote=None, label=None,
             ext=(), frag_off=0):
        """An ICMP (ICMPv6 on an IPv6 connection) error of type and code
        `kind` to `who`, about the segment `who` sent with these flags (at
        its next sequence number unless `seq`): from `sender` (an address:
        a router) or else from the peer's host; quoting the first `quote`
        bytes of that datagram (all of it if None).  IPv6: `ext`, extension
        headers the quoted datagram carries before TCP, in order: 0, 43, 60
        (8 bytes of padding options or an empty routing header), 44 (a
        fragment header: the first fragment, or at `frag_off` 8-byte units)."""
        peer = "s" if who == "c" else "c"
        if seq is None:
            seq = self.nxt[who]
        if ack is None:
            ack = self.nxt[peer] if "A" in flags else 0
        quoted, _ = frame(self.addr[who], self.addr[peer], self.port[who], self.port[peer],
                          seq, ack, flags, b"", 65535, self.v6)
        if ext:
            chain = list(ext) + [6]
            hdrs = b""
            for typ, nxt in zip(chain, chain[1:]):
                if typ == 44:
                    hdrs += struct.pack("!BBHI", nxt, 0, frag_off << 3 | 1, 0x1234)   # more fragments
                elif typ == 43:
                    hdrs += struct.pack("!BBBB4x", nxt, 0, 0, 0)         # type 0, segments left 0
                else:
                    hdrs += struct.pack("!BBBB4x", nxt, 0, 1, 4)         # PadN, 4 bytes
            plen = struct.unpack("!H", quoted[4:6])[0] + len(hdrs)
            quoted = quoted[:4] + struct.pack("!HB", plen, chain[0]) + quoted[7:40] + hdrs + quoted[40:]
        if quote is not None:
            quoted = quoted[:quote]
        src = (ip6 if self.v6 else ip4)(sender) if sender else self.addr[peer]
        dst = self.addr[who]
        body = struct.pack("!BBHI", kind[0], kind[1], 0, 0) + quoted
        if self.v6:
            pseudo = src + dst + struct.pack("!IxxxB", len(body), 58)
            body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
            ip = struct.pack("!IHBB16s16s", 6 << 28, len(body), 58, 64, src, dst) + body
            et = 0x86DD
        else:
            body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0, 64, 1, 0, src, dst)
            ip = h[:10] + struct.pack("!H", csum(h)) + h[12:] + body
            et = 0x0800
        macs = (MAC_C + MAC_S) if who == "c" else (MAC_S + MAC_C)
        summary = "ICMP %d/%d from %s to %s about [%s] seq %d" % (
            kind[0], kind[1], sender or self.text[peer], self.text[who], flags, seq & 0xFFFFFFFF)
        return self.cap.add(t_ms, macs + struct.pack("!H", et) + ip, label, summary)

    # the usual pieces
    def handshake(self, t, rtt=1.0, prefix=""):
        self.seg(t, "c", "S", label=prefix + "c.syn")
        self.seg(t + rtt / 2, "s", "SA", label=prefix + "s.synack")
        self.seg(t + rtt, "c", "A", label=prefix + "c.ack")

    def exchange(self, t, up=100, down=200, prefix=""):
        """client sends `up` bytes, server ACKs, server sends `down`, client ACKs"""
        self.seg(t, "c", "PA", up, label=prefix + "c.data")
        self.seg(t + 0.1, "s", "A", label=prefix + "s.ack")
        self.seg(t + 1, "s", "PA", down, label=prefix + "s.data")
        self.seg(t + 1.1, "c", "A", label=prefix + "c.ack2")

    def close(self, t, first="c", prefix=""):
        """FIN from `first`, its ACK, the other FIN, the final ACK"""
        other = "s" if first == "c" else "c"
        self.seg(t, first, "FA", label=prefix + first + ".fin")
        self.seg(t + 0.1, other, "A", label=prefix + other + ".ackfin")
        self.seg(t + 1, other, "FA", label=prefix + other + ".fin")
        self.seg(t + 1.1, first, "A", label=prefix + first + ".lastack")


def established(cap, **kw):
    """A connection after its handshake (at 0 ms) and an exchange (at 10)."""
    c = Conn(cap, **kw)
    c.handshake(0)
    c.exchange(10)
    return c


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


# ------------------------------------------------------------ clean ---

@scenario
def clean(cap):
    """Handshake (1 ms), 100 bytes up, 200 down, the client closes first,
    the server closes: nothing to report."""
    c = established(cap)
    c.close(20)


@scenario
def clean_v6(cap):
    """The same over IPv6, the server closing first."""
    c = Conn(cap, "2001:db8::1:10", 40000, "2001:db8::2:80", 443)
    c.handshake(0)
    c.exchange(10)
    c.close(20, first="s")


# -------------------------------------------------------- handshake ---

@scenario
def syn_unanswered(cap):
    """SYN at 0, 1000 and 3000 ms (same ISN); nothing comes back."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1")
    c.seg(1000, "c", "S", seq=1000, label="c.syn2")
    c.seg(3000, "c", "S", seq=1000, label="c.syn3")


def syn_then_other(cap, syns, other_until):
    """SYNs at the times `syns` (ms, same ISN), nothing back; another
    connection (port 40001, to port 8081) exchanges data every 500 ms from
    100 ms to `other_until` ms."""
    c = Conn(cap)
    o = Conn(cap, cport=40001, sport=8081)
    pending = sorted(syns)

    def syns_before(t):
        while pending and pending[0] < t:
            n = len(syns) - len(pending) + 1
            c.seg(pending.pop(0), "c", "S", seq=1000, advance=False, label="c.syn%d" % n)
    syns_before(50)
    o.handshake(50)
    for t in range(100, other_until + 1, 500):
        syns_before(t)
        o.seg(t, "c", "PA", 10)
        o.seg(t + 0.1, "s", "A")


@scenario
def syn_abandoned(cap):
    """SYNs at 0, 1000 and 3000 ms; the capture goes on to 12100 ms.  Seen
    from its first SYN, the client's next one was due by 3000 + (3000 +
    3000) = 9000 ms at the latest (a timer of 3 s at most, doubling), and
    were the first a retransmission, by 3000 + 2 x 3000: 1.5 times that
    quiet after the last SYN is 12000 ms."""
    syn_then_other(cap, (0, 1000, 3000), 12100)


@scenario
def syn_superseded(cap):
    """SYNs at 0 and 1000 ms (ISN 1000), nothing back; at 1500 ms a SYN
    from the same port with ISN 7000000: a new socket (a stack
    retransmits its SYN with the ISN it chose), the application's retry.
    The first attempt was given up by then, long before its quiet time
    ran out; the capture ends at 2100 ms."""
    c = Conn(cap)
    o = Conn(cap, cport=40001, sport=8081)
    c.seg(0, "c", "S", seq=1000, advance=False, label="c.syn1")
    o.handshake(50)
    c.seg(1000, "c", "S", seq=1000, advance=False, label="c.syn2")
    c.seg(1500, "c", "S", seq=7000000, advance=False, label="c.new")
    o.seg(2000, "c", "PA", 10)
    o.seg(2100, "s", "A")


@scenario
def syn_superseded_answered(cap):
    """A SYN at 0 ms, the server's SYN-ACK at 1 ms (lost on its way to
    the client: the client never acknowledges it), the SYN again at
    1000 ms, and at 1500 ms a SYN from the same port with a new ISN: the
    client's old attempt was given up; the server's side is the stack's
    business (Linux resets the request on a SYN in its window)."""
    c = Conn(cap)
    c.seg(0, "c", "S", seq=1000, advance=False, label="c.syn1")
    c.seg(1, "s", "SA", seq=50000, ack=1001, advance=False, label="s.synack")
    c.seg(1000, "c", "S", seq=1000, advance=False, label="c.syn2")
    c.seg(1500, "c", "S", seq=7000000, advance=False, label="c.new")


@scenario
def syn_superseded_late(cap):
    """SYNs at 0, 1000 and 3000 ms (the quiet time after them ends at
    12000 ms), other traffic on, and a SYN from the same port with a new
    ISN only at 15000 ms: the client had given up by silence first - CLOSED
    as of 12000 ms, by the quiet time, not as of the new SYN."""
    c = Conn(cap)
    o = Conn(cap, cport=40001, sport=8081)
    c.seg(0, "c", "S", seq=1000, advance=False, label="c.syn1")
    o.handshake(50)
    c.seg(1000, "c", "S", seq=1000, advance=False, label="c.syn2")
    c.seg(3000, "c", "S", seq=1000, advance=False, label="c.syn3")
    for t in range(3500, 15000, 500):
        o.seg(t, "c", "PA", 10)
        o.seg(t + 0.1, "s", "A")
    c.seg(15000, "c", "S", seq=7000000, advance=False, label="c.new")
    o.seg(15500, "c", "PA", 10)
    o.seg(15600, "s", "A")


@scenario
def syn_superseded_held(cap):
    """A SYN answered by a SYN-ACK that acknowledges something else: the
    client resets it (the server's request is CLOSED by that RST), sends
    its SYN again at 1100 ms, and at 1500 ms a SYN from the same port with
    a new ISN - held (docs/state-machine.md, "A SYN that meets the old
    connection": the RST may not have arrived).  Nothing settles it; other
    traffic goes on to 29 s, so that with --idle-timeout 10 the old record
    expires with the SYN still held."""
    c = Conn(cap)
    o = Conn(cap, cport=40001, sport=8081)
    o.handshake(0)
    c.seg(100, "c", "S", seq=1000, advance=False, label="c.syn1")
    c.seg(101, "s", "SA", seq=50000, ack=999999, advance=False, label="s.badack")
    c.seg(102, "c", "R", seq=999999, ack=0, advance=False, label="c.rst")
    c.seg(1100, "c", "S", seq=1000, advance=False, label="c.syn2")
    c.seg(1500, "c", "S", seq=7000000, advance=False, label="c.new")
    for t in range(2000, 30000, 1000):
        o.seg(t, "c", "PA", 10)
        o.seg(t + 0.1, "s", "A")


@scenario
def ipv6_routed(cap):
    """IPv6, the client's segments source-routed through a waypoint
    (2001:db8::99) and captured before it, the server's answers direct: a
    type 0 routing header on one connection, segment routing (type 4) on
    another.  Each is one connection with the server at the final
    destination, its handshake and data in both directions, closed."""
    for port, rtype in ((40000, 0), (40001, 4)):
        c = Conn(cap, caddr="2001:db8::10", saddr="2001:db8::80", cport=port, route=(rtype, "2001:db8::99"))
        t = 10 * (port - 40000)
        c.handshake(t)
        c.seg(t + 2, "c", "PA", 20)
        c.seg(t + 3, "s", "PA", 30)
        c.seg(t + 4, "c", "FA")
        c.seg(t + 5, "s", "FA")
        c.seg(t + 6, "c", "A")


@scenario
def syn_abandoned_early(cap):
    """The same, the capture ending at 11600 ms: still in time."""
    syn_then_other(cap, (0, 1000, 3000), 11600)


@scenario
def syn_midway(cap):
    """A capture begun in the middle of an attempt: SYNs at 0 and 16000 ms
    (Linux's fifth and sixth, 16 s apart: its next is due 32 s later), the
    capture going on to 46000 ms.  The next SYN is due at most 2 x 16 s
    after the last: the client may still be trying."""
    syn_then_other(cap, (0, 16000), 46000)


@scenario
def syn_midway_late(cap):
    """The same SYNs, the capture going on to 64100 ms: past 16 s + 1.5 x
    2 x 16 s."""
    syn_then_other(cap, (0, 16000), 64100)


@scenario
def syn_single_long(cap):
    """One SYN at 0 ms, nothing back; the capture goes on to 200 s: past
    1.5 x 120 s (the longest a SYN timer waits) - the client gave up - and
    past --idle-after, which is no idle connection (an attempt nobody
    answered: syn-unanswered)."""
    syn_then_other(cap, (0,), 200000)


@scenario
def syn_slow_retries(cap):
    """SYNs at 0, 64 and 184 s (a long retry schedule, or a capture begun
    late in one: gaps over --idle-after), nothing back, another connection
    at 190 s: no idle between the SYNs of an attempt nobody answered."""
    syn_then_other(cap, (0, 64000, 184000), 190000)


@scenario
def syn_far_apart(cap):
    """Wild timestamps (a fuzzed or broken capture): a SYN stamped 1970-01-01
    00:00:01, the same SYN again stamped 2106 (4.2e9 s), and another
    connection's SYN a second later.  The time between them overflows no
    arithmetic (the quiet time after it was 1.5 x 2 x 4.2e9 s, past what
    64-bit nanoseconds hold)."""
    c = Conn(cap)
    first = 1000.0 - T0_US / 1000.0
    c.seg(first, "c", "S", advance=False, label="c.syn1")
    c.seg(first + 4.2e12, "c", "S", seq=1000, advance=False, label="c.syn2")
    o = Conn(cap, cport=40001, sport=8081)
    o.seg(first + 4.2e12 + 1000, "c", "S", label="other.syn")


@scenario
def syn_young(cap):
    """A lone SYN at 0, and another connection's packets up to 500 ms: the
    SYN is not yet unanswered (less than 1 s of capture time after it)."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    d = Conn(cap, cport=40001)
    d.handshake(100)
    d.close(500)


@scenario
def syn_refused(cap):
    """SYN answered by RST,ACK (sequence 0, ACK of the SYN)."""
    c = Conn(cap, sport=8081)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.05, "s", "RA", seq=0, label="s.rst")


@scenario
def syn_refused_again(cap):
    """A client whose RSTs are lost on the way back sends its SYN four
    times, 1 s apart; each draws the server's RST,ACK."""
    c = Conn(cap, sport=8081)
    for i in range(1, 5):
        c.seg((i - 1) * 1000, "c", "S", seq=1000, label="c.syn%d" % i, advance=False)
        c.seg((i - 1) * 1000 + 0.05, "s", "RA", seq=0, ack=1001, label="s.rst%d" % i)


@scenario
def two_services(cap):
    """Open connections to two services on one address whose texts share a
    prefix (for the live view's drill-down, tests/ui/replay.sh): one to
    192.0.2.80:80, two to 192.0.2.80:8080."""
    for t, cport, sport in ((0, 40001, 80), (5, 40002, 8080), (10, 40003, 8080)):
        c = Conn(cap, cport=cport, sport=sport)
        c.handshake(t)


@scenario
def icmp_syn_refused(cap):
    """A firewall on the path rejects the SYN with ICMP administratively
    prohibited (3/13) from 192.0.2.1; the client sends its SYN again at
    1000 ms (the first error came while connect() held the socket, as the
    kernel hunt saw Linux do), which draws the same (kernel: CLOSED)."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1", advance=False)
    c.icmp(0.2, "c", "S", sender="192.0.2.1", label="icmp1")
    c.seg(1000, "c", "S", label="c.syn2", advance=False)
    c.icmp(1000.2, "c", "S", sender="192.0.2.1", label="icmp2")


@scenario
def icmp_syn_refused_v6(cap):
    """IPv6: the server's host answers the SYN with ICMPv6 port unreachable
    (1/4), quoting only the IPv6 header and 8 bytes of TCP (no flags)."""
    c = Conn(cap, "2001:db8::1:10", 40000, "2001:db8::2:80", 8081)
    c.seg(0, "c", "S", label="c.syn", advance=False)
    c.icmp(0.1, "c", "S", kind=(1, 4), quote=48, label="icmp")


@scenario
def icmp_syn_refused_v6_ext(cap):
    """IPv6 with extension headers in the quote: a firewall (2001:db8::1)
    rejects the SYN with ICMPv6 administratively prohibited (1/1), quoting
    the datagram whole, with a destination options header and a fragment
    header (offset 0) before TCP; then a second SYN, as sent the same way,
    rejected by one whose quote is a later fragment (offset 8: no TCP
    header in it), which says nothing about a TCP connection."""
    c = Conn(cap, "2001:db8::1:10", 40000, "2001:db8::2:80", 8081)
    c.seg(0, "c", "S", label="c.syn", advance=False)
    c.icmp(0.1, "c", "S", kind=(1, 1), sender="2001:db8::1", ext=(60, 44), label="icmp")
    d = Conn(cap, "2001:db8::1:10", 40001, "2001:db8::2:80", 8081)
    d.seg(1, "c", "S", label="d.syn", advance=False)
    d.icmp(1.1, "c", "S", kind=(1, 1), sender="2001:db8::1", ext=(44,), frag_off=1, label="d.icmp")


@scenario
def icmp_syn_paramprob(cap):
    """A router answers the SYN with ICMP parameter problem (12/0, pointer
    0), quoting the whole datagram: Linux ends the attempt on it as on an
    unreachable (tcp_v4_err(): EPROTO)."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn", advance=False)
    c.icmp(0.2, "c", "S", kind=(12, 0), sender="192.0.2.1", label="icmp")


@scenario
def icmp_syn_paramprob_v6(cap):
    """IPv6: the server's host answers the SYN with ICMPv6 parameter
    problem (4/1, unrecognized next header)."""
    c = Conn(cap, "2001:db8::1:10", 40000, "2001:db8::2:80", 8081)
    c.seg(0, "c", "S", label="c.syn", advance=False)
    c.icmp(0.1, "c", "S", kind=(4, 1), label="icmp")


@scenario
def icmp_syn_soft(cap):
    """A stack that takes the ICMP host unreachable (3/1) as a soft error:
    its SYN goes again at 1000 and 3000 ms, unanswered."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1", advance=False)
    c.icmp(0.3, "c", "S", kind=(3, 1), sender="192.0.2.1", label="icmp")
    c.seg(1000, "c", "S", label="c.syn2", advance=False)
    c.seg(3000, "c", "S", label="c.syn3", advance=False)


@scenario
def icmp_synack(cap):
    """The SYN-ACK draws ICMP host unreachable (3/1) from a router on the
    client's side: the client never had it (kernel: client SYN_SENT)."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.5, "s", "SA", label="s.synack", advance=False)
    c.icmp(0.7, "s", "SA", kind=(3, 1), sender="192.0.2.65", label="icmp")


@scenario
def icmp_no_effect(cap):
    """Errors that change no state: a net unreachable (3/0) about the
    client's data on an established connection (a soft error), a
    fragmentation needed (3/4: path MTU, not an error about the
    connection), and a port unreachable about a connection not tracked."""
    c = established(cap)
    c.seg(20, "c", "PA", 100, label="c.data")
    c.icmp(20.2, "c", "PA", seq=c.nxt["c"] - 100, kind=(3, 0), sender="192.0.2.1", label="icmp.data")
    c.icmp(20.3, "c", "PA", seq=c.nxt["c"] - 100, kind=(3, 4), sender="192.0.2.1", label="icmp.mtu")
    other = Conn(cap, cport=40009)
    other.icmp(20.4, "c", "S", kind=(3, 3), label="icmp.other")
    c.seg(20.5, "s", "A", label="s.ack")


@scenario
def syn_refused_v6(cap):
    """The same over IPv6."""
    c = Conn(cap, "2001:db8::1:10", 40000, "2001:db8::2:80", 8081)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.05, "s", "RA", seq=0, label="s.rst")


@scenario
def synack_unacked(cap):
    """SYN, SYN-ACK at 1 ms, the same SYN-ACK again at 1001 ms; the client
    never ACKs."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(1, "s", "SA", label="s.synack1")
    c.seg(1001, "s", "SA", seq=50000, label="s.synack2")


def request_then_other(cap, synacks, other_at):
    """SYN at 0, the server's SYN-ACK at each of `synacks` (ms), never
    ACKed; another client's connection at other_at ms (the capture goes on)."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    for i, t in enumerate(synacks, 1):
        c.seg(t, "s", "SA", seq=50000, label="s.synack%d" % i, advance=i == len(synacks))
    d = Conn(cap, cport=40001)
    d.handshake(other_at, prefix="other.")
    d.exchange(other_at + 10, prefix="other.")


@scenario
def synack_cookie(cap):
    """One SYN-ACK, never sent again, and the capture goes on 4.6 s (more
    than 3 s and half again): the server held no request (a SYN cookie):
    LISTEN."""
    request_then_other(cap, (1,), 4600)


@scenario
def synack_midway(cap):
    """A capture begun in the middle of a handshake: the server's SYN-ACK
    at 1 ms (its SYN missed), never sent again, and the capture goes on
    10 s.  That SYN-ACK may be a retransmission whose timer has grown (a
    Linux request's fifth is due 16 s after its fourth): too early to say
    the server dropped the request."""
    c = Conn(cap)
    c.nxt["c"] += 1                     # the client's SYN, not captured
    c.seg(1, "s", "SA", seq=50000, label="s.synack1")
    d = Conn(cap, cport=40001)
    d.handshake(10000, prefix="other.")
    d.exchange(10010, prefix="other.")


@scenario
def synack_cookie_early(cap):
    """The same, but the capture ends 4.4 s after the SYN-ACK: too early
    to tell (a server with a 3 s timer firing late may not have sent it
    again yet)."""
    request_then_other(cap, (1,), 4400)


@scenario
def synack_stopped(cap):
    """SYN-ACKs at 1, 1001 and 3001 ms (the timer doubling), then none for
    9.1 s (twice the 3 s since the first, and half again): the server
    dropped the request after its last retransmission
    (net.ipv4.tcp_synack_retries)."""
    request_then_other(cap, (1, 1001, 3001), 12100)


@scenario
def synack_stopped_early(cap):
    """The same with the capture ending 8.9 s after the last SYN-ACK."""
    request_then_other(cap, (1, 1001, 3001), 11900)


@scenario
def synack_lost(cap):
    """SYN, SYN-ACK at 1 ms; the client sends its SYN again at 1000 ms (same
    ISN: the SYN-ACK never reached it); SYN-ACK again, ACK, data, close."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1")
    c.seg(1, "s", "SA", label="s.synack1")
    c.seg(1000, "c", "S", seq=1000, label="c.syn2")
    c.seg(1000.2, "s", "SA", seq=50000, label="s.synack2")
    c.seg(1000.4, "c", "A", label="c.ack")
    c.exchange(1010)
    c.close(1020)


def listen_overflow_start(c):
    """SYN, SYN-ACK, the client's ACK (the handshake complete at the
    capture point) and 5 bytes, not acknowledged; the server's SYN-ACK
    again at 1000 ms (it ignored the ACK: a full accept queue; its request
    holds nothing past the SYN, which is all its SYN-ACK acknowledges), the
    client's ACK of it, its 5 bytes again."""
    c.handshake(0)
    c.seg(2, "c", "PA", 5, label="c.data1")
    c.seg(1000, "s", "SA", seq=50000, ack=1001, label="s.synack2")
    c.seg(1000.1, "c", "A", label="c.ack2")
    c.seg(1000.2, "c", "PA", 5, seq=1001, label="c.data2")


@scenario
def listen_overflow(cap):
    """The accept queue stays full: after the client's ACK and data the
    server sends its SYN-ACK again at 1000 ms and at 3000 ms; it is still in
    SYN_RCVD at the end."""
    c = Conn(cap)
    listen_overflow_start(c)
    c.seg(3000, "s", "SA", seq=50000, ack=1001, label="s.synack3")
    c.seg(3000.1, "c", "A", label="c.ack3")


@scenario
def tfo_ack_lost(cap):
    """TCP Fast Open: the client's SYN carries 5 bytes, which the server's
    SYN-ACK acknowledges (a full socket, made with the SYN); the client's
    ACK is lost after the capture point, so the server sends its SYN-ACK
    again at 1000 ms, and the client's ACK of that one arrives: no accept
    queue is full, the server is ESTABLISHED.  Then the server's answer and
    the client's second request (2000 ms) and its ACK."""
    tfo_ack_lost_start(cap)


def tfo_ack_lost_start(cap):
    c = Conn(cap)
    c.seg(0, "c", "S", 5, label="c.syn")
    c.seg(0.5, "s", "SA", label="s.synack")
    c.seg(1, "c", "A", label="c.ack")
    c.seg(1000, "s", "SA", seq=50000, advance=False, label="s.synack2")
    c.seg(1000.5, "c", "A", label="c.ack2")
    return c


@scenario
def tfo_ack_lost_more(cap):
    """The same, then the server's answer and the client's second request
    (2000 ms) and the server's ACK of it."""
    c = tfo_ack_lost_start(cap)
    c.seg(1001, "s", "PA", 20, label="s.data")
    c.seg(2000, "c", "PA", 5, label="c.data")
    c.seg(2000.5, "s", "A", label="s.ack")


def ack_before_data(cap, late_ms):
    """After the handshake, the server's ACK of the client's 10 bytes at 2 ms
    comes before those bytes in the capture, which has them `late_ms`
    later; then the server's answer and the client's ACK."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(2, "s", "A", ack=1011, label="s.ack")
    c.seg(2 + late_ms, "c", "PA", 10, seq=1001, label="c.data")
    c.seg(3 + late_ms, "s", "PA", 20, label="s.data")
    c.seg(4 + late_ms, "c", "A", label="c.ack")


@scenario
def ack_before_data_reordered(cap):
    """0.5 ms later: the capture had them out of order (interfaces merged):
    no bytes missed, none sent again - out-of-order at the capture point."""
    ack_before_data(cap, 0.5)


@scenario
def ack_before_data_late(cap):
    """50 ms later (the handshake's round trip is 1 ms): the capture missed
    the bytes the server acknowledged (capture-gap), and these are the
    client's retransmission of them."""
    ack_before_data(cap, 50)


def lastack_then_fin(cap, fin_ms):
    """The client closes first (FIN at 4 ms, acknowledged); its ACK of the
    server's FIN (5 ms) comes before that FIN, stamped fin_ms, in the file."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(4, "c", "FA", label="c.fin")
    c.seg(4.1, "s", "A", label="s.ackfin")
    c.seg(5, "c", "A", ack=50002, label="c.lastack")
    c.seg(fin_ms, "s", "FA", label="s.fin")


@scenario
def lastack_before_fin(cap):
    """The server's FIN at 5.0005 ms, after the client's ACK of it in the
    capture - out of order (interfaces merged): the server got that ACK,
    CLOSED; the client TIME_WAIT; no last ACK lost."""
    lastack_then_fin(cap, 5.0005)


@scenario
def lastack_before_fin_ts_back(cap):
    """The same, the server's FIN stamped 4.9 ms, before the ACK of it
    (5 ms) that the file has first: queues whose clocks differ."""
    lastack_then_fin(cap, 4.9)


@scenario
def fin_missed_ack_lost(cap):
    """The capture missed the client's FIN (4 ms); the server's ACK of it
    (4.1 ms) was lost after the capture point, so the client sends its FIN
    again at 204 ms: still FIN_WAIT_1 (that FIN is no reordered copy)."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(4, "c", "FA")
    cap.pkts.pop()
    c.seg(4.1, "s", "A", label="s.ackfin")
    c.seg(204, "c", "FA", seq=1001, label="c.fin2")


@scenario
def fin_acked_before_seen(cap):
    """The server closes first: the client's ACK of its FIN (5 ms) comes
    before that FIN (5.0005 ms) in the capture.  The server is FIN_WAIT_2
    (its FIN acknowledged), the client CLOSE_WAIT."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(2, "c", "PA", 10, label="c.data")
    c.seg(3, "s", "PA", 20, label="s.data")
    c.seg(5, "c", "A", ack=50022, label="c.ackfin")
    c.seg(5.0005, "s", "FA", label="s.fin")


@scenario
def synack_before_syn(cap):
    """A capture that has the SYN-ACK 0.5 ms before the SYN it answers
    (two interfaces merged, or a capture on several queues), then the
    client's ACK and 10 bytes, and the server's ACK: one connection,
    ESTABLISHED on both sides and no longer a guess."""
    c = Conn(cap)
    c.seg(0, "s", "SA", seq=50000, ack=1001, label="s.synack")
    c.seg(0.5, "c", "S", seq=1000, label="c.syn")
    c.seg(1, "c", "A", label="c.ack")
    c.seg(2, "c", "PA", 10, label="c.data")
    c.seg(3, "s", "A", label="s.ack")


@scenario
def synack_before_syn_rst(cap):
    """The SYN-ACK before its SYN in the capture, an ICMP error about the
    SYN-ACK (the client back in SYN_SENT), then the server's RST+ACK
    acknowledging the SYN: taken, as in order - CLOSED both (the late
    SYN set the client's sequence space)."""
    c = Conn(cap)
    c.seg(0, "s", "SA", seq=50000, ack=1001, advance=False, label="s.synack")
    c.seg(0.5, "c", "S", seq=1000, label="c.syn")
    c.icmp(0.8, "s", "SA", seq=50000, ack=1001, kind=(3, 1), sender="198.51.100.1", label="icmp")
    c.seg(5, "s", "RA", seq=50001, ack=1001, label="s.rst")


@scenario
def tfo_synack_before_syn(cap):
    """TCP Fast Open, the SYN-ACK (acknowledging the SYN's 10 bytes) before
    the SYN in the capture: one connection, the SYN's bytes counted."""
    c = Conn(cap)
    c.seg(0, "s", "SA", seq=50000, ack=1011, label="s.synack")
    c.seg(0.5, "c", "S", 10, seq=1000, label="c.syn")
    c.seg(1, "c", "A", seq=1011, ack=50001, label="c.ack")
    c.seg(2, "c", "PA", 5, label="c.data")
    c.seg(3, "s", "A", label="s.ack")


@scenario
def synack_first_syn_again(cap):
    """The capture missed the client's first SYN; the server's SYN-ACK at
    0 ms never reached the client, which sends its SYN again at 1000 ms
    (the ISN the SYN-ACK acknowledged); the server answers it, and the
    handshake completes: one connection, synack-lost."""
    c = Conn(cap)
    c.seg(0, "s", "SA", seq=50000, ack=1001, advance=False, label="s.synack1")
    c.seg(1000, "c", "S", seq=1000, label="c.syn2")
    c.seg(1000.5, "s", "SA", seq=50000, label="s.synack2")
    c.seg(1001, "c", "A", label="c.ack")


@scenario
def listen_overflow_recovered(cap):
    """As listen-overflow to the client's 5 bytes sent again at 1000.2 ms,
    which the server, with room again, acknowledges: ESTABLISHED."""
    c = Conn(cap)
    listen_overflow_start(c)
    c.seg(1000.3, "s", "A", label="s.ack")


@scenario
def synack_again_answers_syn(cap):
    """Captured near the client: the server's first SYN-ACK lost before the
    capture point; the client's SYN again at 1000 ms; the server's SYN-ACK
    (its timer) at 1000.2, the client's ACK and 5 bytes; then the server's
    answer to the second SYN, another SYN-ACK, which the client ACKs: no
    ACK ignored, no listen-overflow; ESTABLISHED."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1")
    c.seg(1000, "c", "S", seq=1000, label="c.syn2")
    c.seg(1000.2, "s", "SA", label="s.synack1")
    c.seg(1000.3, "c", "A", label="c.ack1")
    c.seg(1000.4, "c", "PA", 5, label="c.data")
    c.seg(1000.5, "s", "SA", seq=50000, ack=1001, label="s.synack2")
    c.seg(1000.6, "c", "A", label="c.ack2")


@scenario
def listen_overflow_client_fin(cap):
    """A full accept queue and a client that gives up before it: SYN,
    SYN-ACK, ACK, 5 bytes, the client's FIN at 500 ms; the server's SYN-ACK
    again at 1000 and 3000 ms: the server never had the connection, nor the
    FIN: SYN_RCVD, not CLOSE_WAIT."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(2, "c", "PA", 5, label="c.data")
    c.seg(500, "c", "FA", label="c.fin")
    c.seg(1000, "s", "SA", seq=50000, ack=1001, label="s.synack2")
    c.seg(1000.1, "c", "A", label="c.ack2")
    c.seg(3000, "s", "SA", seq=50000, ack=1001, label="s.synack3")
    c.seg(3000.1, "c", "A", label="c.ack3")


@scenario
def syn_unanswered_busy(cap):
    """A service with a full accept queue: 40001's handshake and 5 bytes
    at 0-2 ms, its SYN-ACK again at 1000 ms (listen-overflow); 40002's SYNs
    at 10, 1010 and 3010 ms get nothing: dropped by the full queue while the
    service was still answering."""
    a = Conn(cap, cport=40001)
    a.handshake(0)
    a.seg(2, "c", "PA", 5, label="a.data")
    b = Conn(cap, cport=40002)
    b.seg(10, "c", "S", label="b.syn1")
    a.seg(1000, "s", "SA", seq=50000, ack=1001, label="a.synack2")
    b.seg(1010, "c", "S", seq=1000, label="b.syn2")
    b.seg(3010, "c", "S", seq=1000, label="b.syn3")


@scenario
def deferred_accept_expiry(cap):
    """A listener deferring accept (TCP_DEFER_ACCEPT): SYN, SYN-ACK, ACK;
    no data; at 1000 ms, the deferring period over, the SYN-ACK again, whose
    ACK makes the server's socket: ESTABLISHED, and no listen-overflow."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(1000, "s", "SA", seq=50000, label="s.synack2")
    c.seg(1000.1, "c", "A", label="c.ack2")


@scenario
def listen_overflow_nodata(cap):
    """A full accept queue and a client waiting for the server to speak
    first: SYN, SYN-ACK, ACK, then the SYN-ACK again at 1000 and 3000 ms,
    each answered by the client's ACK.  The second one is no deferred
    accept's: listen-overflow, once."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(1000, "s", "SA", seq=50000, label="s.synack2")
    c.seg(1000.1, "c", "A", label="c.ack2")
    c.seg(3000, "s", "SA", seq=50000, label="s.synack3")
    c.seg(3000.1, "c", "A", label="c.ack3")


@scenario
def handshake_bad_ack(cap):
    """SYN, SYN-ACK, then an ACK one below the server's SYN (acknowledging
    nothing it sent), then the right ACK at 5 ms: the handshake completes
    with that one, and the server is ESTABLISHED."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.5, "s", "SA", label="s.synack")
    c.seg(1, "c", "A", ack=50000, label="c.badack")
    c.seg(5, "c", "A", label="c.ack")


@scenario
def syn_retransmitted(cap):
    """SYN at 0, again at 1000 ms (the first was lost before the server);
    SYN-ACK at 1000.5, ACK at 1001; data; close."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn1")
    c.seg(1000, "c", "S", seq=1000, label="c.syn2")
    c.seg(1000.5, "s", "SA", label="s.synack")
    c.seg(1001, "c", "A", label="c.ack")
    c.exchange(1010)
    c.close(1020)


@scenario
def handshake_slow(cap):
    """SYN at 0, SYN-ACK at 300 ms, ACK at 700 ms: a 700 ms handshake, 300 ms
    of it on the server's side of the capture point; data; close."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(300, "s", "SA", label="s.synack")
    c.seg(700, "c", "A", label="c.ack")
    c.exchange(710)
    c.close(720)


@scenario
def simultaneous_open(cap):
    """Both ends send a SYN (40000 first), each answers the other's with
    SYN-ACK: RFC 793's simultaneous open; then data and a close."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.5, "s", "S", label="s.syn")
    c.seg(1, "c", "SA", seq=1000, ack=50001, label="c.synack")
    c.seg(1.5, "s", "SA", seq=50000, ack=1001, label="s.synack")
    c.exchange(10)
    c.close(20)


@scenario
def self_connect_rst(cap):
    """A socket connected to itself (192.0.2.10:40000 to itself), as Linux
    does it: its SYN comes back (a crossing SYN), its SYN-ACK, its ACK; 100
    bytes, and their ACK; then a RST far outside its window (a stray): the
    one packet both directions' records refuse."""
    c = Conn(cap, caddr="192.0.2.10", cport=40000, saddr="192.0.2.10", sport=40000, cisn=7000, sisn=7000)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.1, "c", "SA", seq=7000, ack=7001, advance=False, label="c.synack")
    c.seg(0.2, "c", "A", seq=7001, ack=7001, label="c.ack")
    c.seg(10, "c", "PA", 100, seq=7001, ack=7001, label="c.data")
    c.seg(10.1, "c", "A", seq=7101, ack=7101, label="c.ackdata")
    c.seg(20, "c", "R", seq=7101 + 0x40000000, ack=0, advance=False, label="stray.rst")


def flood(cap, n, port=80, completed=0, spacing=5.0, t0=0.0, server="192.0.2.80"):
    """n SYNs to server:port from n distinct documentation addresses,
    `spacing` ms apart; the first `completed` of them complete their
    handshake (SYN-ACK and ACK right after), the rest get no answer."""
    for i in range(n):
        a = ("198.51.100.%d" % (i + 1)) if i < 250 else ("192.0.2.%d" % (i - 249))
        c = Conn(cap, a, 41000 + i, server, port, cisn=7000 + 13 * i)
        t = t0 + i * spacing
        c.seg(t, "c", "S", label="flood.%d.syn" % i)
        if i < completed:
            c.seg(t + 0.1, "s", "SA", label="flood.%d.synack" % i)
            c.seg(t + 0.2, "c", "A", label="flood.%d.ack" % i)


@scenario
def syn_flood(cap):
    """150 SYNs from 150 addresses to 192.0.2.80:80 within 745 ms, none
    answered (the capture ends before any is 1 s old)."""
    flood(cap, 150)


@scenario
def syn_flood_99(cap):
    """99 SYNs in 490 ms: under the default rate of 100."""
    flood(cap, 99)


@scenario
def syn_flood_completed(cap):
    """150 SYNs within 745 ms of which 60 complete: 90 incomplete."""
    flood(cap, 150, completed=60)


@scenario
def syn_flood_two(cap):
    """Two services flooded at once (150 SYNs to port 80 and 150 to 443,
    interleaved): for the determinism test."""
    for i in range(150):
        for port, base, srv in ((80, 0, "192.0.2.80"), (443, 150, "192.0.2.81")):
            a = "198.51.100.%d" % (i + 1) if port == 80 else "192.0.2.%d" % (100 + i % 150)
            c = Conn(cap, a, 42000 + base + i, srv, port, cisn=9000 + 7 * i)
            c.seg(i * 5.0 + (0.5 if port == 443 else 0), "c", "S", label="f%d.%d.syn" % (port, i))


def challenged_start(cap):
    """An established connection (handshake at 0 ms, exchange at 10), then
    at 5000 ms the client's SYN with a new initial sequence number (900000)
    from the same port - it restarted - and the server's plain ACK of the
    old connection at 5000.1 (a challenge ACK, RFC 5961 4.2)."""
    c = established(cap)
    c.seg(5000, "c", "S", seq=900000, advance=False, label="c.syn2")
    c.seg(5000.1, "s", "A", label="s.challenge")
    return c


@scenario
def syn_challenged_reset(cap):
    """As challenged-start; the client, without the old connection, resets
    it at the challenge ACK's number (5000.2), then sends its SYN again
    (5010) and connects: the old connection CLOSED both ways with
    syn-challenged (reset) and rst-abort (half-open), then a second
    connection ESTABLISHED, with no SYN retransmission of its own."""
    c = challenged_start(cap)
    c.seg(5000.2, "c", "R", label="c.rst")
    n = Conn(cap, cisn=900000, sisn=70000)
    n.handshake(5010, prefix="n.")


@scenario
def syn_challenged_retried(cap):
    """As challenged-start, and the client's RSTs never arrive: its SYN
    again at 5010 (Linux, at once after a challenge ACK), 6010 (challenged
    again at 6010.1) and 8010: one connection, the client in SYN_SENT, the
    server still ESTABLISHED, syn-challenged (retried) for 4 SYNs."""
    c = challenged_start(cap)
    c.seg(5010, "c", "S", seq=900000, advance=False, label="c.syn3")
    c.seg(6010, "c", "S", seq=900000, advance=False, label="c.syn4")
    c.seg(6010.1, "s", "A", label="s.challenge2")
    c.seg(8010, "c", "S", seq=900000, advance=False, label="c.syn5")


def challenged_tw_start(cap):
    """An established connection that the server closes first (at 100 ms:
    the server in TIME_WAIT), then at 5000 ms the client's SYN from the
    same port with an initial sequence number below the old connection's
    (500) and the server's ACK of the old connection at 5000.1: TIME_WAIT
    refuses it (Linux and the BSDs, for a SYN neither above the old
    sequence space nor with a newer timestamp)."""
    c = established(cap)
    c.close(100, first="s")
    c.seg(5000, "c", "S", seq=500, advance=False, label="c.syn2")
    c.seg(5000.1, "s", "A", label="s.twack")
    return c


@scenario
def syn_challenged_tw_reset(cap):
    """As challenged-tw-start; the client's RST at the ACK's number
    (5000.2) ends the TIME_WAIT, and its SYN again at 5010 connects."""
    c = challenged_tw_start(cap)
    c.seg(5000.2, "c", "R", label="c.rst")
    n = Conn(cap, cisn=500, sisn=70000)
    n.handshake(5010, prefix="n.")


@scenario
def syn_challenged_tw_retried(cap):
    """As challenged-tw-start, the client's RSTs lost: its SYN again at
    5010 and 6010 (refused again at 6010.1): the client in SYN_SENT, the
    server still in TIME_WAIT."""
    c = challenged_tw_start(cap)
    c.seg(5010, "c", "S", seq=500, advance=False, label="c.syn3")
    c.seg(6010, "c", "S", seq=500, advance=False, label="c.syn4")
    c.seg(6010.1, "s", "A", label="s.twack2")


@scenario
def syn_challenged_server_gives_up(cap):
    """As syn-challenged-retried to the SYN at 6010 and its challenge ACK;
    then the server gives up the old connection with a RST at its next
    sequence number (its keep-alive timer, an abort) at 7000, and the
    client's SYN again at 8010 gets a SYN-ACK: the old connection CLOSED
    both ways, the new one ESTABLISHED."""
    c = challenged_start(cap)
    c.seg(5010, "c", "S", seq=900000, advance=False, label="c.syn3")
    c.seg(6010, "c", "S", seq=900000, advance=False, label="c.syn4")
    c.seg(6010.1, "s", "A", label="s.challenge2")
    c.seg(7000, "s", "R", ack=0, label="s.rst")
    n = Conn(cap, cisn=900000, sisn=70000)
    n.handshake(8010, prefix="n.")


@scenario
def syn_challenged_rst_lost(cap):
    """As challenged-start, captured before a firewall that drops the
    client's RSTs: the capture sees each RST (5000.2, 6010.2, 8010.2), yet
    the server answers the client's SYNs again (5010, 6010, 8010) with the
    same ACK of the old connection (6010.1, 8010.1): the RSTs never
    arrived - the server ESTABLISHED, the client SYN_SENT."""
    c = challenged_start(cap)
    c.seg(5000.2, "c", "R", label="c.rst")
    c.seg(5010, "c", "S", seq=900000, advance=False, label="c.syn3")
    c.seg(6010, "c", "S", seq=900000, advance=False, label="c.syn4")
    c.seg(6010.1, "s", "A", label="s.challenge2")
    c.seg(6010.2, "c", "R", label="c.rst2")
    c.seg(8010, "c", "S", seq=900000, advance=False, label="c.syn5")
    c.seg(8010.1, "s", "A", label="s.challenge3")
    c.seg(8010.2, "c", "R", label="c.rst3")


@scenario
def syn_challenged_abort_lost(cap):
    """Captured before a firewall that drops the client's RSTs: the client
    aborts (RST,ACK at 3000 ms, never delivered) and connects again from
    the same port at 5000 ms; the server, ESTABLISHED still, answers with
    an ACK of the old connection (5000.1), the client with a RST at its
    number (5000.2, dropped too), the SYN again at 6000, challenged again
    at 6000.1: one connection, the server ESTABLISHED, the client
    SYN_SENT, and no abort."""
    c = established(cap)
    c.seg(3000, "c", "RA", label="c.abort")
    c.seg(5000, "c", "S", seq=900000, advance=False, label="c.syn2")
    c.seg(5000.1, "s", "A", label="s.challenge")
    c.seg(5000.2, "c", "R", label="c.rst")
    c.seg(6000, "c", "S", seq=900000, advance=False, label="c.syn3")
    c.seg(6000.1, "s", "A", label="s.challenge2")


@scenario
def syn_challenged_last_ack(cap):
    """The client closes first; the server's FIN at 21 ms, whose ACK the
    capture never sees (the server stays in LAST_ACK); at 5000 ms the
    client (its TIME_WAIT reused) sends a SYN with a new initial sequence
    number, which LAST_ACK challenges (5000.1); the client's RST at that
    number (5000.2) ends it, and its SYN again at 5010 connects."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(21, "s", "FA", label="s.fin")
    c.seg(5000, "c", "S", seq=900000, advance=False, label="c.syn2")
    c.seg(5000.1, "s", "A", label="s.challenge")
    c.seg(5000.2, "c", "R", label="c.rst")
    n = Conn(cap, cisn=900000, sisn=70000)
    n.handshake(5010, prefix="n.")


@scenario
def syn_challenged_stray(cap):
    """As challenged-start, but the client goes on with the old connection:
    10 bytes at 6000 ms, acknowledged: a stray SYN - one connection,
    ESTABLISHED both ways, syn-challenged (stray), no capture gap."""
    c = challenged_start(cap)
    c.seg(6000, "c", "PA", 10, label="c.data2")
    c.seg(6000.1, "s", "A", label="s.ack2")


@scenario
def syn_new_after_unseen_close(cap):
    """An established connection whose server left it without the capture
    seeing (its close missed); at 5000 ms the client's SYN with a new
    initial sequence number, which the server answers with a SYN-ACK: a
    new connection, as before, and nothing challenged."""
    established(cap)
    n = Conn(cap, cisn=900000, sisn=70000)
    n.handshake(5000, prefix="n.")
    n.exchange(5010, prefix="n.")


@scenario
def syn_new_ack_crossing(cap):
    """An established connection; at 5000 ms the client's SYN with a new
    initial sequence number; the server's plain ACK of the old connection
    at 5000.05 (on its way before the SYN came), then its SYN-ACK of the
    new SYN at 5000.1: a new connection, nothing challenged."""
    c = established(cap)
    c.seg(5000, "c", "S", seq=900000, advance=False, label="c.syn2")
    c.seg(5000.05, "s", "A", label="s.ack-old")
    n = Conn(cap, cisn=900000, sisn=70000)
    n.nxt["c"] = 900001
    n.seg(5000.1, "s", "SA", label="n.s.synack")
    n.seg(5000.2, "c", "A", label="n.c.ack")


@scenario
def syn_new_one_sided(cap):
    """Only the client's side is captured: handshake, 100 bytes, then at
    5000 ms a SYN with a new initial sequence number and, 1 ms later, the
    client's ACK and data in the new sequence space: the answer was
    missed, and a new connection started."""
    c = Conn(cap, unseen="s")
    c.handshake(0)
    c.exchange(10)
    n = Conn(cap, cisn=900000, sisn=70000, unseen="s")
    n.handshake(5000, prefix="n.")
    n.exchange(5010, prefix="n.")


@scenario
def syn_new_unanswered(cap):
    """An established connection, then at 5000 ms a SYN with a new initial
    sequence number and nothing after it: at the end of the capture it
    starts a new connection, as before (the client in SYN_SENT)."""
    established(cap)
    n = Conn(cap, cisn=900000, sisn=70000)
    n.seg(5000, "c", "S", label="n.c.syn")


# ------------------------------------------------------ established ---

@scenario
def zero_window(cap):
    """The client sends 1000 bytes; the server ACKs them with window 0 at
    10.1 ms.  The client probes Linux-style (zero length at SND.UNA - 1) at
    210, 610 and 1410 ms, each answered with window 0; at 2010 ms the server
    opens its window (8192); the client sends 500 more bytes; close."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 1000, label="c.data")
    c.seg(10.1, "s", "A", win=0, label="s.zw")
    for i, t in enumerate((210, 610, 1410), 1):
        c.seg(t, "c", "A", seq=c.nxt["c"] - 1, label="c.probe%d" % i, advance=False)
        c.seg(t + 0.1, "s", "A", win=0, label="s.zwack%d" % i)
    c.seg(2010, "s", "A", win=8192, label="s.open")
    c.seg(2010.1, "c", "PA", 500, label="c.data2")
    c.seg(2010.2, "s", "A", label="s.ack2")
    c.close(2020)


@scenario
def zero_window_both(cap):
    """Each end stalls the other: the server ACKs the client's 1000 bytes
    with window 0 at 10.1 ms, the client probes it at 210 and 610 ms, the
    server opens at 1010 ms; then the client ACKs the server's 1000 bytes
    with window 0 at 1100.1 ms, the server probes it once at 1300 ms, the
    client opens at 1600 ms; close."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 1000, label="c.data")
    c.seg(10.1, "s", "A", win=0, label="s.zw")
    for i, t in enumerate((210, 610), 1):
        c.seg(t, "c", "A", seq=c.nxt["c"] - 1, label="c.probe%d" % i, advance=False)
        c.seg(t + 0.1, "s", "A", win=0, label="s.zwack%d" % i)
    c.seg(1010, "s", "A", win=8192, label="s.open")
    c.seg(1100, "s", "PA", 1000, label="s.data")
    c.seg(1100.1, "c", "A", win=0, label="c.zw")
    c.seg(1300, "s", "A", seq=c.nxt["s"] - 1, label="s.probe1", advance=False)
    c.seg(1300.1, "c", "A", win=0, label="c.zwack1")
    c.seg(1600, "c", "A", win=8192, label="c.open")
    c.close(1700)


@scenario
def zero_window_bsd(cap):
    """As zero-window, but the probes are BSD-style: one new byte at
    SND.UNA (the same byte each time), and the stall is still going on when
    the capture ends (2000 ms)."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 1000, label="c.data")
    c.seg(10.1, "s", "A", win=0, label="s.zw")
    una = c.nxt["c"]
    for i, t in enumerate((210, 610, 1410), 1):
        c.seg(t, "c", "PA", 1, seq=una, label="c.probe%d" % i)
        c.seg(t + 0.1, "s", "A", ack=una, win=0, label="s.zwack%d" % i)
    c.seg(2000, "s", "A", ack=una, win=0, label="s.zwlast")


@scenario
def keepalive(cap):
    """Handshake, data both ways; then the client's keep-alives (zero
    length at SND.UNA - 1) at 1000, 2000, 3000 ms, each ACKed by the server;
    then an orderly close."""
    c = established(cap)
    for i, t in enumerate((1000, 2000, 3000), 1):
        c.seg(t, "c", "A", seq=c.nxt["c"] - 1, label="c.ka%d" % i, advance=False)
        c.seg(t + 0.1, "s", "A", label="s.kaack%d" % i)
    c.close(3010)


@scenario
def keepalive_both(cap):
    """Both ends probe an idle connection: the client's keep-alives at
    1000, 2000 and 3000 ms, the server's at 1500 and 2500 ms, each ACKed;
    then an orderly close."""
    c = established(cap)
    for t, who, n in ((1000, "c", 1), (1500, "s", 1), (2000, "c", 2), (2500, "s", 2), (3000, "c", 3)):
        other = "s" if who == "c" else "c"
        c.seg(t, who, "A", seq=c.nxt[who] - 1, label="%s.ka%d" % (who, n), advance=False)
        c.seg(t + 0.1, other, "A", label="%s.kaack%d" % (other, n))
    c.close(3010)


@scenario
def keepalive_pickup(cap):
    """The capture begins on an idle connection: the client's keep-alive
    (zero length at SND.UNA - 1) at 0, 1000 and 2000 ms, each ACKed by the
    server one beyond it - a byte acknowledged before the capture began."""
    c = Conn(cap, cisn=7000, sisn=90000)
    for i, t in enumerate((0, 1000, 2000), 1):
        c.seg(t, "c", "A", seq=6999, ack=90000, label="c.ka%d" % i, advance=False)
        c.seg(t + 0.1, "s", "A", seq=90000, ack=7000, label="s.kaack%d" % i, advance=False)


@scenario
def keepalive_2h(cap):
    """Handshake and data, then the client's keep-alives every 7200 s (the
    default interval of Linux, Windows and macOS), each ACKed; then a
    close: one connection under the default --idle-timeout."""
    c = established(cap)
    for i, t in enumerate((7200010, 14400010), 1):
        c.seg(t, "c", "A", seq=c.nxt["c"] - 1, label="c.ka%d" % i, advance=False)
        c.seg(t + 0.1, "s", "A", label="s.kaack%d" % i)
    c.close(14400020)


@scenario
def keepalive_1byte(cap):
    """Keep-alives with one garbage byte at SND.UNA - 1 (older BSD and
    Windows), from the server, at 1000 and 2000 ms; then a close."""
    c = established(cap)
    for i, t in enumerate((1000, 2000), 1):
        c.seg(t, "s", "A", 1, seq=c.nxt["s"] - 1, label="s.ka%d" % i, advance=False)
        c.seg(t + 0.1, "c", "A", label="c.kaack%d" % i)
    c.close(2010)


@scenario
def idle(cap):
    """Handshake, data; 5 s of silence; data again (the segment ending the
    silence is labelled), close."""
    c = established(cap)
    c.seg(5011.1, "c", "PA", 10, label="c.after")
    c.seg(5011.2, "s", "A", label="s.ack")
    c.close(5020)


@scenario
def idle_open(cap):
    """A connection left open after its data at 11.1 ms, and another
    connection (40001) that keeps the capture going until 4999.1 ms."""
    c = established(cap)
    d = Conn(cap, cport=40001)
    d.handshake(4990, prefix="d.")
    d.exchange(4995, prefix="d.")
    d.close(4998, prefix="d.")


@scenario
def closed_then_quiet(cap):
    """A clean connection, closed by the client at 20 ms (client TIME_WAIT,
    server CLOSED), then 5 s of nothing for it while another clean
    connection (40001) runs at 5000 ms."""
    c = established(cap)
    c.close(20)
    d = Conn(cap, cport=40001)
    d.handshake(5000, prefix="d.")
    d.exchange(5010, prefix="d.")
    d.close(5020, prefix="d.")


@scenario
def retransmissions(cap):
    """The client sends 100 bytes at 10 ms and 100 more at 10.2 ms; the
    server ACKs only the first; at 310 ms the client sends the second 100
    again; the server ACKs all; close."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 100, label="c.seg1")
    c.seg(10.2, "c", "PA", 100, label="c.seg2")
    c.seg(10.3, "s", "A", ack=c.nxt["c"] - 100, label="s.ack1")
    c.seg(310, "c", "PA", 100, seq=c.nxt["c"] - 100, label="c.seg2again")
    c.seg(310.1, "s", "A", label="s.ack2")
    c.close(320)


@scenario
def retransmissions_both(cap):
    """Both ends lose data: the client's second 100 bytes are sent again at
    310 ms; the server's second 200 bytes at 400 and 800 ms."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 100, label="c.seg1")
    c.seg(10.2, "c", "PA", 100, label="c.seg2")
    c.seg(10.3, "s", "A", ack=c.nxt["c"] - 100, label="s.ack1")
    c.seg(20, "s", "PA", 200, label="s.seg1")
    c.seg(20.2, "s", "PA", 200, label="s.seg2")
    c.seg(20.3, "c", "A", ack=c.nxt["s"] - 200, label="c.ack1")
    c.seg(310, "c", "PA", 100, seq=c.nxt["c"] - 100, label="c.seg2again")
    c.seg(310.1, "s", "A", ack=c.nxt["c"], label="s.ack2")
    c.seg(400, "s", "PA", 200, seq=c.nxt["s"] - 200, ack=c.nxt["c"], label="s.seg2again")
    c.seg(800, "s", "PA", 200, seq=c.nxt["s"] - 200, ack=c.nxt["c"], label="s.seg2third")
    c.seg(800.1, "c", "A", label="c.ack2")
    c.close(820)


@scenario
def retransmissions_stopped(cap):
    """Three connections whose client sends 100 bytes at 10 ms that are
    never acknowledged, and again at 210, 610 and 1410 ms (a doubling
    timer):
      40001 then nothing more: the client gave up, which the capture shows
            because 40003 goes on to 5000 ms (silence over twice 800 ms)
      40002 the server acknowledges at 1410.1 ms: it did not stop
      40003 an exchange every 500 ms until 5000 ms; its own client's
            retransmissions (sent at 10, 210 and 610 ms only) end with
            the server's ACK"""
    a = Conn(cap, cport=40001)
    a.handshake(0)
    b = Conn(cap, cport=40002)
    b.handshake(0)
    d = Conn(cap, cport=40003)
    d.handshake(0)
    for c, tag in ((a, "a"), (b, "b")):
        c.seg(10, "c", "PA", 100, label=tag + ".data")
        for i, t in enumerate((210, 610, 1410)):
            c.seg(t, "c", "PA", 100, seq=c.nxt["c"] - 100, label="%s.rtx%d" % (tag, i + 1))
    b.seg(1410.1, "s", "A", label="b.ack")
    d.seg(10, "c", "PA", 100, label="d.data")
    for i, t in enumerate((210, 610)):
        d.seg(t, "c", "PA", 100, seq=d.nxt["c"] - 100, label="d.rtx%d" % (i + 1))
    d.seg(610.1, "s", "A", label="d.ack")
    for t in range(1000, 5001, 500):
        d.seg(t, "c", "PA", 10)
        d.seg(t + 0.1, "s", "A")


def reorder(cap, late_ms):
    c = Conn(cap)
    c.handshake(0)                              # handshake round trip 1 ms
    base = c.nxt["c"]
    c.seg(10, "c", "PA", 100, label="c.seg1")
    c.seg(10.1, "c", "PA", 100, seq=base + 200, label="c.seg3")
    c.seg(10.15, "s", "A", ack=base + 100, label="s.dupack")
    c.seg(10.1 + late_ms, "c", "PA", 100, seq=base + 100, label="c.seg2")
    c.seg(10.2 + late_ms, "s", "A", ack=base + 300, label="s.ackall")
    c.close(20 + late_ms)


@scenario
def out_of_order(cap):
    """Segments 1, 3, 2 of 100 bytes each; 2 arrives 0.5 ms after 3 (within
    the 3 ms reordering window); the server ACKs all 300."""
    reorder(cap, 0.5)


@scenario
def fin_before_data(cap):
    """The client's last 100 bytes and its bare FIN behind them swap places
    on the way: the FIN at 10 ms, the data at 10.3 ms (within a round trip
    of 1 ms); then an orderly close."""
    c = Conn(cap)
    c.handshake(0)
    base = c.nxt["c"]
    c.seg(10, "c", "FA", seq=base + 100, label="c.fin")
    c.seg(10.2, "s", "A", ack=base, label="s.dupack")
    c.seg(10.3, "c", "PA", 100, seq=base, label="c.data", advance=False)
    c.seg(10.4, "s", "A", ack=base + 101, label="s.ackfin")
    c.seg(20, "s", "FA", ack=base + 101, label="s.fin")
    c.seg(20.1, "c", "A", seq=base + 101, label="c.lastack")


@scenario
def late_fill(cap):
    """Segment 2 lost before the capture point and retransmitted 250 ms
    after segment 3 (beyond the reordering window): a retransmission; the
    capture saw every byte."""
    reorder(cap, 250)


@scenario
def capture_gap(cap):
    """The client's segments 1 and 3 are in the capture, segment 2 (100
    bytes) is not; the server ACKs all 300."""
    c = Conn(cap)
    c.handshake(0)
    base = c.nxt["c"]
    c.seg(10, "c", "PA", 100, label="c.seg1")
    c.seg(10.2, "c", "PA", 100, seq=base + 200, label="c.seg3")
    c.seg(10.3, "s", "A", ack=base + 300, label="s.ackall")
    c.close(20)


@scenario
def capture_gap_tail(cap):
    """The client's only data segment (100 bytes) is missing from the
    capture; the server's ACK of it is there."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10.3, "s", "A", ack=c.nxt["c"] + 100, label="s.ackunseen")
    c.nxt["c"] += 100
    c.close(20)


@scenario
def one_sided_client(cap):
    """A clean connection (handshake, data both ways, the client closes
    first, then the server) of which the capture has only the client's
    segments: the return path runs elsewhere."""
    c = Conn(cap, unseen="s")
    c.handshake(0)
    c.exchange(10)
    c.close(20)


@scenario
def one_sided_server(cap):
    """The same connection, IPv6, of which the capture has only the
    server's segments: its SYN-ACK is the first packet."""
    c = Conn(cap, "2001:db8::1:10", 40001, "2001:db8::2:80", 443, unseen="c")
    c.handshake(0)
    c.exchange(10)
    c.close(20)


@scenario
def one_sided_server_closes(cap):
    """Only the server's segments captured: it sends 2000 bytes and closes
    first; the client's ACK and FIN go by another path; the server's final
    ACK, one beyond its last, shows the client's FIN."""
    c = Conn(cap, unseen="c")
    c.handshake(0)
    for i in range(4):
        c.seg(10 + i, "s", "PA", 500, label="s.data%d" % i)
    c.close(20, first="s")


@scenario
def one_sided_half_close(cap):
    """Only the client's segments captured: a request and a FIN
    (shutdown); the server's ACK, a 1-byte reply, then 500 bytes a second
    later go by another path - the client's ACKs move on by 1, then by 500:
    the 1 was data, and the server never closed."""
    c = Conn(cap, unseen="s")
    c.handshake(0)
    c.seg(10, "c", "PA", 100, label="c.req")
    c.seg(10.1, "c", "FA", label="c.fin")
    c.seg(10.2, "s", "A")
    c.seg(11, "s", "PA", 1)
    c.seg(11.1, "c", "A", label="c.ack1")
    c.seg(1011, "s", "PA", 500)
    c.seg(1011.1, "c", "A", label="c.ack500")


@scenario
def one_sided_keepalives(cap):
    """Only the server's segments captured: the client's last byte, the
    server's FIN, then the server ACKing the client's keep-alives every
    10 s: the client is there, in CLOSE_WAIT."""
    c = Conn(cap, unseen="c")
    c.handshake(0)
    c.exchange(10)
    c.seg(20, "c", "PA", 1)
    c.seg(20.1, "s", "A", label="s.ackbyte")
    c.seg(21, "s", "FA", label="s.fin")
    c.seg(21.1, "c", "A")
    for i in range(1, 6):
        c.seg(21.1 + 10000 * i, "c", "A", seq=c.nxt["c"] - 1, advance=False)
        c.seg(21.2 + 10000 * i, "s", "A", label="s.kaack%d" % i)


@scenario
def peer_gone(cap):
    """Picked up mid-stream: the server sends 100 bytes and sends them again
    four times, then resets; the client (gone) sends nothing.  One
    endpoint's packets only, but nothing new was ever acknowledged: a
    silent peer, not a one-directional capture."""
    c = Conn(cap)
    for i, t in enumerate((0, 200, 600, 1400, 3000)):
        c.seg(t, "s", "PA", 100, seq=50001, ack=1001, label="s.data%d" % i)
    c.seg(5000, "s", "RA", seq=50101, ack=1001, label="s.rst")


@scenario
def ack_scan(cap):
    """A scanner's pure ACKs to one port, each with another acknowledgement
    number, never answered: one endpoint only and a moving ACK, but not a
    connection the capture sees one direction of."""
    c = Conn(cap, "198.51.100.7", 33333, "192.0.2.80", 80)
    for i, a in enumerate((123456, 223456, 323456, 423456)):
        c.seg(i * 100, "c", "A", seq=77777, ack=a, label="c.ack%d" % i)


@scenario
def data_after_fin(cap):
    """The client sends 100 bytes, its FIN (the server ACKs it), then 50
    bytes beyond its FIN."""
    c = Conn(cap)
    c.handshake(0)
    c.seg(10, "c", "PA", 100, label="c.data")
    c.seg(11, "c", "FA", label="c.fin")
    c.seg(11.1, "s", "A", label="s.ackfin")
    c.seg(12, "c", "PA", 50, label="c.dataafterfin")


@scenario
def data_after_rst(cap):
    """Data both ways; the server resets (RST,ACK at its SND.NXT); the
    client, which never got the reset, sends 50 bytes."""
    c = established(cap)
    c.seg(20, "s", "RA", label="s.rst")
    c.seg(30, "c", "PA", 50, label="c.dataafterrst")


@scenario
def rst_out_of_window(cap):
    """Data both ways; a RST claiming to come from the server, 10^7 above
    its SND.NXT (far outside the client's 65535-byte window); the
    connection goes on and closes normally."""
    c = established(cap)
    c.seg(15, "s", "R", seq=c.nxt["s"] + 10000000, label="s.forgedrst", advance=False)
    c.seg(20, "c", "PA", 10, label="c.more")
    c.seg(20.1, "s", "A", label="s.ack")
    c.close(30)


@scenario
def rst_out_of_window_synsent(cap):
    """A SYN, then a RST,ACK whose ACK is not SYN+1 (the client in SYN_SENT
    must ignore it), then the real SYN-ACK and a complete connection."""
    c = Conn(cap)
    c.seg(0, "c", "S", label="c.syn")
    c.seg(0.2, "s", "RA", seq=0, ack=c.nxt["c"] + 5000, label="s.badrst", advance=False)
    c.seg(0.5, "s", "SA", label="s.synack")
    c.seg(1, "c", "A", label="c.ack")
    c.exchange(10)
    c.close(20)


# --------------------------------------------------------- teardown ---

@scenario
def rst_challenged(cap):
    """Data both ways; a RST in the client's name 1000 beyond its SND.NXT,
    inside the server's window but not where the server expects: the
    server answers with a challenge ACK (RFC 5961) and the connection goes
    on, both sides, and closes normally."""
    c = established(cap)
    c.seg(15, "c", "R", seq=c.nxt["c"] + 1000, label="c.forgedrst", advance=False)
    c.seg(15.05, "s", "A", label="s.challenge")
    c.seg(20, "s", "PA", 50, label="s.more")
    c.seg(20.1, "c", "PA", 10, label="c.more")
    c.seg(20.2, "s", "A", label="s.ack")
    c.close(30)


@scenario
def rst_wrong_seq(cap):
    """A client aborting with a RST 1000 beyond its SND.NXT: the server
    answers with a challenge ACK, the client (gone) with a RST at the
    ACK's acknowledgement number, which the server takes."""
    c = established(cap)
    c.seg(15, "c", "R", seq=c.nxt["c"] + 1000, label="c.rst", advance=False)
    c.seg(15.05, "s", "A", label="s.challenge")
    c.seg(15.1, "c", "R", label="c.rst2", advance=False)


@scenario
def rst_unsure_taken(cap):
    """A RST from the client 1000 beyond its SND.NXT, and nothing more from
    either side: taken, as RFC 793 takes it."""
    c = established(cap)
    c.seg(15, "c", "R", seq=c.nxt["c"] + 1000, label="c.rst", advance=False)


@scenario
def rst_forged_sender_on(cap):
    """A RST in the server's name 500 beyond its SND.NXT; the client sends
    nothing (no challenge ACK seen), but the server goes on sending data,
    which the client acknowledges, and the connection closes normally."""
    c = established(cap)
    c.seg(15, "s", "R", seq=c.nxt["s"] + 500, label="s.forgedrst", advance=False)
    c.seg(20, "s", "PA", 50, label="s.more")
    c.seg(20.1, "c", "A", label="c.ack")
    c.close(30, first="s")


@scenario
def rst_forged_taken(cap):
    """A RST in the server's name at exactly the client's RCV.NXT (a
    middlebox that saw the traffic: no ACK bit), which the client takes
    (kernel hunt 35 D2); the client's answering RSTs never reach the wire
    (its own firewall); the server sends its 5 bytes at 200 ms and again at
    400 and 800 ms (kernel: client CLOSED, server ESTABLISHED)."""
    c = established(cap)
    c.seg(15, "s", "R", seq=c.nxt["s"], ack=0, label="s.forgedrst", advance=False)
    for i, t in enumerate((200, 400, 800), 1):
        c.seg(t, "s", "PA", 5, seq=c.nxt["s"], label="s.data%d" % i, advance=False)


@scenario
def rst_then_overtaken(cap):
    """The server's own RST at the client's RCV.NXT, then 0.2 ms later a
    segment of the server's that the RST overtook on the way (sent before
    it): no sign of a forged RST - the server stays CLOSED."""
    c = established(cap)
    c.seg(15, "s", "RA", seq=c.nxt["s"], label="s.rst", advance=False)
    c.seg(15.2, "s", "PA", 5, seq=c.nxt["s"], label="s.late", advance=False)


@scenario
def rst_burst_idle(cap):
    """A burst of three RSTs in the client's name at 1460, 2920 and 4380
    beyond its SND.NXT, as reset injectors send them; the server
    challenges the first only (Linux allows one challenge ACK per 500 ms
    per socket); 10 s of silence; then the connection goes on."""
    c = established(cap)
    n = c.nxt["c"]
    c.seg(15, "c", "R", seq=n + 1460, label="c.rst1", advance=False)
    c.seg(15.01, "s", "A", label="s.challenge")
    c.seg(15.02, "c", "R", seq=n + 2920, label="c.rst2", advance=False)
    c.seg(15.03, "c", "R", seq=n + 4380, label="c.rst3", advance=False)
    c.seg(10020, "c", "PA", 10, label="c.more")
    c.seg(10020.1, "s", "A", label="s.ack")


@scenario
def rst_challenged_closing(cap):
    """The FINs cross (the server's first); a RST in the server's name,
    1000 beyond its SND.NXT, reaches the client in CLOSING, which answers
    with a challenge ACK; then each ACKs the other's FIN."""
    c = established(cap)
    sfin = c.nxt["s"]
    c.seg(20, "s", "FA", label="s.fin")
    c.seg(20.01, "c", "FA", ack=sfin, label="c.fin")
    c.seg(20.2, "s", "R", seq=c.nxt["s"] + 1000, label="s.forgedrst", advance=False)
    c.seg(20.25, "c", "A", label="c.challenge")
    c.seg(20.5, "s", "A", label="s.ackfin")
    c.seg(20.6, "c", "A", label="c.ackfin")


@scenario
def rst_time_wait(cap):
    """The client in TIME_WAIT gets a RST inside its window, 1000 beyond
    the server's SND.NXT (Linux drops it: in TIME_WAIT only RCV.NXT
    resets, and no challenge ACK is sent); the server sends its FIN again
    (its timer: 200 ms after it), the client ACKs it."""
    c = established(cap)
    c.close(20)
    c.seg(22, "s", "R", seq=c.nxt["s"] + 1000, label="s.forgedrst", advance=False)
    c.seg(221, "s", "FA", seq=c.nxt["s"] - 1, label="s.fin2", advance=False)
    c.seg(221.1, "c", "A", label="c.lastack2")


@scenario
def rst_after_fin(cap):
    """The client's FIN, acknowledged; then the client resets at its FIN's
    own sequence number (a stack not counting the FIN in its RST): one
    below what the server expects, taken in CLOSE_WAIT (Linux does)."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(25, "c", "RA", seq=c.nxt["c"] - 1, label="c.rst", advance=False)


@scenario
def half_close(cap):
    """Data both ways; the client's FIN at 20 ms, the server's ACK of it at
    20.1; the server sends 10 more bytes at 5000 ms (ACKed); the server
    never closes."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(5000, "s", "PA", 10, label="s.late")
    c.seg(5000.1, "c", "A", label="c.acklate")


def late_close(c, how):
    """The client's FIN at 20 ms, the server's ACK of it; then nothing for
    90 s (past Linux's tcp_fin_timeout of 60 s for an orphaned FIN_WAIT_2)
    until `how` at 90020 ms."""
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    if how == "fin":        # the server closes at last; the client, gone, resets
        c.seg(90020, "s", "FA", label="s.fin")
        c.seg(90020.2, "c", "R", ack=0, advance=False, label="c.rst")
    elif how == "rst":      # the server aborts
        c.seg(90020, "s", "RA", label="s.rst")
    elif how == "peer-rst":  # a keep-alive of the server, answered by the client's RST
        c.seg(90020, "s", "A", seq=c.nxt["s"] - 1, advance=False, label="s.ka")
        c.seg(90020.2, "c", "R", ack=0, advance=False, label="c.rst")
    elif how == "data":     # the server answers at last, into the client's reset
        c.seg(90020, "s", "PA", 100, label="s.data")
        c.seg(90020.2, "c", "R", ack=0, advance=False, label="c.rst")


@scenario
def close_wait_late_fin(cap):
    """A late close: 90 s in CLOSE_WAIT, then the server's FIN, which the
    client (its FIN_WAIT_2 expired) answers with RST."""
    late_close(established(cap), "fin")


@scenario
def close_wait_late_rst(cap):
    """90 s in CLOSE_WAIT, then the server aborts with RST."""
    late_close(established(cap), "rst")


@scenario
def close_wait_late_peer_rst(cap):
    """90 s in CLOSE_WAIT, then a keep-alive from the server, which the
    client answers with RST."""
    late_close(established(cap), "peer-rst")


@scenario
def close_wait_late_data(cap):
    """90 s in CLOSE_WAIT, then data from the server (a late answer after a
    half-close, not a late close), which the client answers with RST."""
    late_close(established(cap), "data")


@scenario
def close_wait_gave_up(cap):
    """Stuck in CLOSE_WAIT until the kernel gave up: the client's FIN at
    20 ms, the server's ACK; the server's 100 bytes at 30 ms are never
    acknowledged (the client's host is gone) and go again on a doubling
    timer from 200 ms: 9 retransmissions, the last at 102230 ms.  A second
    connection (port 40001, from 12 ms) goes on to 210 s, past the next one's due time
    (102230 + 2 x 51200 = 204630 ms): the server gave up then, its socket
    204.6 s in CLOSE_WAIT."""
    c = established(cap)
    o = Conn(cap, cport=40001)
    o.handshake(12)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(30, "s", "PA", 100, label="s.late")
    rtx, t, gap = [], 30, 200
    for i in range(9):
        t += gap
        rtx.append(t)
        gap *= 2
    # the two connections' segments in time order
    other = list(range(10000, 210001, 10000))
    for t in sorted(rtx + other):
        if t in rtx:
            c.seg(t, "s", "PA", 100, seq=c.nxt["s"] - 100, label="s.rtx%d" % (rtx.index(t) + 1))
        else:
            o.seg(t, "c", "PA", 10)
            o.seg(t + 0.1, "s", "A")


@scenario
def close_wait_late_reply(cap):
    """A late answer to a half-close, not a late close: the client's FIN at
    20 ms, then at 90 s the server's 300 bytes with its FIN in one segment
    (Linux puts the FIN on the last data when close() follows write())."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(90020, "s", "FPA", 300, label="s.datafin")
    c.seg(90020.1, "c", "A", label="c.lastack")


@scenario
def close_wait_late_missed_fin(cap):
    """A late close whose FIN the capture missed: 90 s in CLOSE_WAIT, then
    the client's ACK of a server FIN never captured."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.nxt["s"] += 1                     # the server's FIN, not captured
    c.seg(90020.1, "c", "A", label="c.lastack")


@scenario
def close_wait_late_rst_rejected(cap):
    """90 s in CLOSE_WAIT, then a RST in the client's name 1000 beyond its
    next sequence number, answered by the server's challenge ACK: the
    server is still in CLOSE_WAIT, never left it."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(90020, "c", "R", seq=c.nxt["c"] + 1000, advance=False, label="c.forgedrst")
    c.seg(90020.05, "s", "A", label="s.challenge")


@scenario
def close_wait_streaming(cap):
    """A half-close carrying data: the client's FIN at 20 ms, then 1000
    bytes from the server every 10 s for 90 s, each ACKed, then its FIN at
    95 s and the client's final ACK: no one was stuck."""
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.1, "s", "A", label="s.ackfin")
    for i in range(10):
        c.seg(100 + i * 10000, "s", "PA", 1000, label="s.data%d" % i)
        c.seg(100.1 + i * 10000, "c", "A")
    c.seg(95000, "s", "FA", label="s.fin")
    c.seg(95000.1, "c", "A", label="c.lastack")


@scenario
def close_wait_fin_lost_late(cap):
    """The client's FIN at 20 ms is never acknowledged; 90 s later the
    server's own FIN does not acknowledge it either: the server never had
    it (lost after the capture point), so it was never in CLOSE_WAIT, late
    or not: its FIN takes it from ESTABLISHED to FIN_WAIT_1."""
    c = established(cap)
    cfin = c.nxt["c"]
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(90020, "s", "FA", ack=cfin, label="s.fin")


@scenario
def fin_unacked(cap):
    """The client's FIN at 20 ms, again at 220 and 620 ms; no ACK of it."""
    c = established(cap)
    fin = c.nxt["c"]
    c.seg(20, "c", "FA", label="c.fin1")
    c.seg(220, "c", "FA", seq=fin, label="c.fin2")
    c.seg(620, "c", "FA", seq=fin, label="c.fin3")


@scenario
def fin_unacked_crossing(cap):
    """The client's FIN at 20 ms, again at 220 ms (still FIN_WAIT_1); the
    server's own FIN at 300 ms does not acknowledge it (crossing FINs: both
    CLOSING); the client's FIN again at 620 ms (now in CLOSING); then the
    server ACKs it and the client ACKs the server's FIN."""
    c = established(cap)
    cfin = c.nxt["c"]
    c.seg(20, "c", "FA", label="c.fin1")
    c.seg(220, "c", "FA", seq=cfin, label="c.fin2")
    c.seg(300, "s", "FA", ack=cfin, label="s.fin")
    c.seg(620, "c", "FA", seq=cfin, label="c.fin3")
    c.seg(620.1, "s", "A", label="s.ackfin")


@scenario
def fin_unacked_both(cap):
    """Both ends send their FIN again: the client's FIN at 20 ms, again at
    220 ms; the server's FIN at 300 ms acknowledges it (client TIME_WAIT,
    server LAST_ACK), and no ACK of it follows: the server sends it again at
    500 and 900 ms."""
    c = established(cap)
    cfin, sfin = c.nxt["c"], c.nxt["s"]
    c.seg(20, "c", "FA", label="c.fin1")
    c.seg(220, "c", "FA", seq=cfin, label="c.fin2")
    c.seg(300, "s", "FA", label="s.fin1")
    c.seg(500, "s", "FA", seq=sfin, label="s.fin2")
    c.seg(900, "s", "FA", seq=sfin, label="s.fin3")


@scenario
def fin_held_back(cap):
    """The client's FIN at 20 ms; the server's FIN,ACK (acknowledging it) at
    20.3 ms is held on the way (delivered late); the client, without an
    answer, sends its FIN again at 220 ms, not acknowledging the server's;
    no other server packet; at 400 ms the client's ACK of the server's FIN
    shows both arrived (kernel: client TIME_WAIT, server CLOSED)."""
    c = established(cap)
    cfin, sfin = c.nxt["c"], c.nxt["s"]
    c.seg(20, "c", "FA", label="c.fin1")
    c.seg(20.3, "s", "FA", label="s.fin")
    c.seg(220, "c", "FA", seq=cfin, ack=sfin, label="c.fin2")
    c.seg(400, "c", "A", label="c.ackfin")


@scenario
def fin_crossed_late(cap):
    """Crossing FINs: the server's FIN at 20 ms, then the client's at 20.05
    ms, which does not acknowledge it (sent before it arrived); the server
    never acknowledges the client's FIN in the capture; at 300 ms the
    client's ACK of the server's FIN: the client got it but not an ACK of
    its own (CLOSING), a simultaneous close."""
    c = established(cap)
    sfin = c.nxt["s"]
    c.seg(20, "s", "FA", label="s.fin")
    c.seg(20.05, "c", "FA", ack=sfin, label="c.fin")
    c.seg(300, "c", "A", label="c.ackfin")


def server_fin_missed(cap, piggyback):
    c = established(cap)
    c.seg(20, "c", "FA", label="c.fin")
    if not piggyback:
        c.seg(20.1, "s", "A", label="s.ackfin")
    c.nxt["s"] += 1                     # the server's FIN, not captured
    c.seg(21.1, "c", "A", label="c.lastack")


@scenario
def fin_missed(cap):
    """The client closes first, the server ACKs its FIN; the server's FIN
    is missing from the capture (dropped by it); the client's final ACK,
    one beyond everything seen from the server, shows it."""
    server_fin_missed(cap, False)


@scenario
def fin_missed_piggyback(cap):
    """The same with the server's ACK of the client's FIN carried by its
    FIN, which is missing: the client is still in FIN_WAIT_1 as far as the
    capture saw when its final ACK comes."""
    server_fin_missed(cap, True)


def client_fin_missed(cap, piggyback):
    c = established(cap)
    c.nxt["c"] += 1                     # the client's FIN, not captured
    if not piggyback:
        c.seg(20.1, "s", "A", label="s.ackfin")
    c.seg(21, "s", "FA", label="s.fin")
    c.seg(21.1, "c", "A", label="c.lastack")


@scenario
def fin_first_missed(cap):
    """The mirror of fin-missed: the client closes first, but its FIN is
    missing from the capture; the server ACKs it (one beyond everything
    seen from the client), closes, and the client ACKs the server's FIN
    and never sends a FIN of its own (it had)."""
    client_fin_missed(cap, False)


@scenario
def fin_first_missed_piggyback(cap):
    """The same with the server's ACK of the missing FIN carried by the
    server's FIN."""
    client_fin_missed(cap, True)


@scenario
def fin_first_missed_long(cap):
    """fin-first-missed, and the capture going on for 130 s more (another
    connection's segment): the client's TIME_WAIT is over by then."""
    client_fin_missed(cap, False)
    c = Conn(cap, caddr="192.0.2.11", cport=40001)
    c.handshake(130000)


@scenario
def byte_missed_keepalives(cap):
    """Not a FIN: one byte from the client missed (the server ACKs it), the
    server closes, the client ACKs and never closes - and sends keep-alives
    (at SND.UNA - 1) every 10 s, which the server ACKs: it is there."""
    c = established(cap)
    c.nxt["c"] += 1                     # one byte of data, not captured
    c.seg(20.1, "s", "A", label="s.ackbyte")
    c.seg(21, "s", "FA", label="s.fin")
    c.seg(21.1, "c", "A", label="c.ackfin")
    for i in range(1, 6):
        c.seg(21.1 + 10000 * i, "c", "A", seq=c.nxt["c"] - 1, advance=False, label="c.ka%d" % i)
        c.seg(21.2 + 10000 * i, "s", "A", label="s.kaack%d" % i)


@scenario
def byte_missed_early(cap):
    """Not a FIN: the client's one-byte request missed at 20 ms; the server
    ACKs it and streams 5000 bytes for 10 s, then closes; the client ACKs
    and never closes."""
    c = established(cap)
    c.nxt["c"] += 1
    c.seg(20.1, "s", "A", label="s.ackbyte")
    for i in range(10):
        c.seg(1000 + 1000 * i, "s", "PA", 500)
        c.seg(1000.1 + 1000 * i, "c", "A")
    c.seg(12000, "s", "FA", label="s.fin")
    c.seg(12000.1, "c", "A", label="c.ackfin")


@scenario
def fin_first_missed_reused(cap):
    """fin-first-missed, then a new connection from the same client port
    5 s later, while the client (inferred) is in TIME_WAIT."""
    client_fin_missed(cap, False)
    d = Conn(cap, cisn=900000)
    d.handshake(5000)
    d.exchange(5010)
    d.close(5020)


@scenario
def byte_missed_then_close(cap):
    """Not a FIN: one byte from the client is missing from the capture (the
    server ACKs it), the server closes, the client ACKs and then closes
    too, with its FIN after that byte."""
    c = established(cap)
    c.nxt["c"] += 1                     # one byte of data, not captured
    c.seg(20.1, "s", "A", label="s.ackbyte")
    c.seg(21, "s", "FA", label="s.fin")
    c.seg(21.1, "c", "A", label="c.ackfin")
    c.seg(25, "c", "FA", label="c.fin")
    c.seg(25.1, "s", "A", label="s.lastack")


@scenario
def last_ack_lost(cap):
    """The client closes first; the server closes; the client's final ACK
    is in the capture, but the server sends its FIN again at 220 ms (the
    ACK never reached it); the client ACKs again."""
    c = established(cap)
    c.close(20)
    c.seg(220, "s", "FA", seq=c.nxt["s"] - 1, label="s.fin2")
    c.seg(220.1, "c", "A", label="c.lastack2")


@scenario
def simultaneous_close(cap):
    """Both FINs leave before either arrives: the client's at 20 ms, the
    server's at 20.05 ms (acknowledging only the client's data); then each
    ACKs the other's FIN."""
    c = established(cap)
    cfin = c.nxt["c"]
    c.seg(20, "c", "FA", label="c.fin")
    c.seg(20.05, "s", "FA", ack=cfin, label="s.fin")
    c.seg(20.1, "c", "A", label="c.ackfin")
    c.seg(20.15, "s", "A", label="s.ackfin")


def rst_conn(cap, port):
    c = Conn(cap, cport=port)
    c.handshake(0)
    return c


@scenario
def rst_kinds(cap):
    """Six connections, each ended by one RST:
      40001 established: the client sent the last data (100 bytes, ACKed),
            then RST,ACK from the client
      40002 unread-data: the server sent the last data (200 bytes, ACKed),
            then RST,ACK from the client
      40003 after-fin: the server's FIN (ACKed), then RST,ACK from the client
      40004 half-open: SYN, SYN-ACK, then a bare RST from the client
            (sequence SYN+1): it had no connection for that SYN-ACK
      40005 established, with 100 bytes of the client unacknowledged: the
            client sends 100 bytes and resets before the server ACKs
      40006 after-fin: the server's FIN, then at once RST,ACK from the
            client acknowledging it (the FIN is no data: nothing of the
            server's is left unacknowledged)"""
    a = rst_conn(cap, 40001)
    a.seg(10, "s", "PA", 50, label="a.sdata")
    a.seg(10.1, "c", "A", label="a.cack")
    a.seg(11, "c", "PA", 100, label="a.cdata")
    a.seg(11.1, "s", "A", label="a.sack")
    a.seg(12, "c", "RA", label="a.rst")
    b = rst_conn(cap, 40002)
    b.seg(20, "c", "PA", 100, label="b.cdata")
    b.seg(20.1, "s", "A", label="b.sack")
    b.seg(21, "s", "PA", 200, label="b.sdata")
    b.seg(21.1, "c", "A", label="b.cack")
    b.seg(22, "c", "RA", label="b.rst")
    d = rst_conn(cap, 40003)
    d.exchange(30)
    d.seg(32, "s", "FA", label="d.sfin")
    d.seg(32.1, "c", "A", label="d.cack")
    d.seg(33, "c", "RA", label="d.rst")
    e = Conn(cap, cport=40004)
    e.seg(40, "c", "S", label="e.syn")
    e.seg(40.1, "s", "SA", label="e.synack")
    e.seg(40.2, "c", "R", ack=0, label="e.rst")
    f = rst_conn(cap, 40005)
    f.seg(50, "c", "PA", 100, label="f.cdata")
    f.seg(50.1, "c", "RA", label="f.rst")
    g = rst_conn(cap, 40006)
    g.seg(60, "s", "FA", label="g.sfin")
    g.seg(60.1, "c", "RA", label="g.rst")


@scenario
def rst_keepalive_timeout(cap):
    """Two connections whose client sends keep-alive probes and then a
    RST,ACK, nothing else going either way:
      40001 probes at 1000, 2000 and 3000 ms, the server answering each
            (the answers lost after the capture point), the RST at 4000:
            the keep-alive timer giving up (keepalive-timeout)
      40002 probes at 1000 and 2000 ms, the RST at 60000: an application
            aborting an idle connection (unread-data: the server sent the
            last data)"""
    for port, rst_at in ((40001, 4000), (40002, 60000)):
        c = Conn(cap, cport=port)
        c.handshake(0)
        c.exchange(10)
        probes = 3 if port == 40001 else 2
        for i in range(probes):
            t = 1000 * (i + 1)
            c.seg(t, "c", "A", seq=c.nxt["c"] - 1, advance=False, label="%d.ka%d" % (port, i + 1))
            if port == 40001:
                c.seg(t + 0.1, "s", "A", label="%d.kaack%d" % (port, i + 1))
        c.seg(rst_at, "c", "RA", label="%d.rst" % port)


@scenario
def rst_lost_state(cap):
    """Data both ways; then the client sends 10 bytes and the server answers
    with a bare RST (no ACK flag) whose sequence number is the ACK of that
    segment: RFC 793's reset from an endpoint that has no connection (the
    server rebooted, or its socket was reset without the client knowing)."""
    c = established(cap)
    c.seg(1000, "c", "PA", 10, label="c.data")
    c.seg(1000.1, "s", "R", ack=0, label="s.rst")


def tw_reuse(cap, isn2, msl_gap=100):
    c = Conn(cap, cport=40000)
    c.handshake(0, prefix="1.")
    c.exchange(10, prefix="1.")
    c.close(20, prefix="1.")           # client TIME_WAIT from 21.1 ms
    d = Conn(cap, cport=40000, cisn=isn2, sisn=90000)
    d.handshake(msl_gap, prefix="2.")
    d.exchange(msl_gap + 10, prefix="2.")


@scenario
def time_wait_reuse(cap):
    """A connection from 40000 closed by the client (client TIME_WAIT); at
    100 ms a new SYN on the same 4-tuple with ISN 200000, above the old
    connection's sequence numbers."""
    tw_reuse(cap, 200000)


@scenario
def time_wait_reuse_below(cap):
    """The same with the new ISN (500) below the old connection's."""
    tw_reuse(cap, 500)


def tw_refused(cap, then):
    c = Conn(cap, cport=40000, cisn=500000)
    c.handshake(0, prefix="1.")
    c.exchange(10, prefix="1.")
    c.close(20, first="s", prefix="1.")     # server TIME_WAIT from 21.1 ms
    old_c, old_s = c.nxt["c"], c.nxt["s"]
    d = Conn(cap, cport=40000, cisn=1000, sisn=90000)
    d.seg(500, "c", "S", label="2.c.syn")
    # the server's TIME_WAIT answers the SYN below its sequence space with
    # an ACK of the old connection; the client's answer to that
    # unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>, staying in SYN_SENT
    d.seg(500.2, "s", "A", seq=old_s, ack=old_c, advance=False, label="2.s.twack")
    d.seg(500.3, "c", "R", seq=old_c, ack=0, advance=False, label="2.c.rst")
    if then:
        d.seg(1500, "c", "S", seq=1000, label="2.c.syn2")
        d.seg(1500.2, "s", "SA", label="2.s.synack")
        d.seg(1500.3, "c", "A", label="2.c.ack")
        d.exchange(1510, prefix="2.")


@scenario
def time_wait_refused(cap):
    """The server closed first (server TIME_WAIT); at 500 ms the client
    (no timestamps) uses the 4-tuple again with an ISN below the old
    connection's: the server's TIME_WAIT answers with an ACK of the old
    connection, the client with a RST at that acknowledgement number (RFC
    793: it stays in SYN_SENT); the capture ends there."""
    tw_refused(cap, False)


@scenario
def time_wait_refused_retry(cap):
    """The same, then the client's SYN again at 1500 ms (the RST ended the
    server's TIME_WAIT): a handshake and data."""
    tw_refused(cap, True)


@scenario
def time_wait_expired(cap):
    """The same 4-tuple used again 3 s after the client's TIME_WAIT began
    (tcpfsm run with --msl 1: TIME_WAIT is over after 2 s)."""
    tw_reuse(cap, 200000, msl_gap=3000)


def many_closes(cap, n, first):
    for i in range(n):
        c = Conn(cap, cport=40001 + i, cisn=1000 + 100000 * i)
        t = 10.0 * i
        c.handshake(t, prefix="%d." % i)
        c.exchange(t + 2, prefix="%d." % i)
        c.close(t + 5, first=first, prefix="%d." % i)


@scenario
def time_wait_pileup(cap):
    """Six connections from 192.0.2.10 to 192.0.2.80:8080, each closed by
    the client first: six client TIME_WAITs at once, from 56.1 ms."""
    many_closes(cap, 6, "c")


@scenario
def time_wait_server_first(cap):
    """Six connections closed by the server first: the TIME_WAITs are the
    server's, which hold none of the client's ports."""
    many_closes(cap, 6, "s")


@scenario
def mixed(cap):
    """For -w --select: a clean connection (40001), one with an
    out-of-order segment (40002), one refused (40003, port 8081)."""
    a = Conn(cap, cport=40001)
    a.handshake(0, prefix="a.")
    a.exchange(5, prefix="a.")
    a.close(8, prefix="a.")
    b = Conn(cap, cport=40002)
    b.handshake(10, prefix="b.")
    base = b.nxt["c"]
    b.seg(20, "c", "PA", 100, label="b.seg1")
    b.seg(20.1, "c", "PA", 100, seq=base + 200, label="b.seg3")
    b.seg(20.3, "c", "PA", 100, seq=base + 100, label="b.seg2")
    b.seg(20.4, "s", "A", ack=base + 300, label="b.ackall")
    b.close(25, prefix="b.")
    r = Conn(cap, cport=40003, sport=8081)
    r.seg(30, "c", "S", label="r.syn")
    r.seg(30.05, "s", "RA", seq=0, label="r.rst")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    d = argv[1]
    os.makedirs(d, exist_ok=True)
    names = argv[2:] or sorted(SCENARIOS)
    for name in names:
        if name not in SCENARIOS:
            sys.stderr.write("craft.py: no scenario %s\n" % name)
            return 2
        cap = Cap(name)
        SCENARIOS[name](cap)
        cap.write(d)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
