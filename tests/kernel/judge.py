#!/usr/bin/python3
"""judge.py - compare tcpfsm's inferred endpoint states with the kernel's.

  judge.py compare --scenario NAME --capture LABEL --json TCPFSM.json \\
      --ss-client BEFORE AFTER --ss-server BEFORE AFTER [options]
  judge.py pcapcut SRC DST      copy the complete records of a pcap that a
                                tcpdump is still writing
  judge.py states TCPFSM.json   one line per connection: the states tcpfsm
                                reports (for captures/README)

The kernel's truth is `ss -tanH state all`, run inside the client's and the
server's namespace just before (BEFORE) and just after (AFTER) the capture was
stopped.  An endpoint's kernel state is the state of the socket with its
4-tuple; with no such socket it is LISTEN when a listening socket holds its
port, CLOSED otherwise.  If the kernel state changed between BEFORE and AFTER,
either one is accepted (the capture ended in between) and a note says so.

Every connection tcpfsm reports is checked on both endpoints (the latest
incarnation of each 4-tuple: earlier ones no longer exist in the kernel), and
every connection socket the kernel has must be among them.

Output, one line each, for the shell to count:
  PASS text | FAIL text | UNKNOWABLE text | INFO text
UNKNOWABLE is a check that the capture point cannot decide (a packet was
dropped after the capture saw it, or before the capture could see it); it is
printed with both states and counts neither as a pass nor as a failure.
Standard library only.
"""
import argparse
import ipaddress
import json
import struct
import sys

SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RCVD",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2",
    "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING",
    "TIME-WAIT": "TIME_WAIT", "LISTEN": "LISTEN", "UNCONN": None,
}


def norm_addr(a):
    a = a.strip("[]").split("%")[0]
    if a in ("*", ""):
        return "*"
    ip = ipaddress.ip_address(a)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def hostport(s):
    host, _, port = s.rpartition(":")
    return norm_addr(host), int(port) if port != "*" else 0


class Kernel:
    """One namespace's sockets, from one ss -tanH state all."""

    def __init__(self, path):
        self.conns = {}
        self.listen_ports = set()
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) < 5:
                    continue
                if w[0] not in SS_STATES:
                    raise ValueError("%s: unknown ss state %r" % (path, w[0]))
                st = SS_STATES[w[0]]
                laddr, lport = hostport(w[3])
                paddr, pport = hostport(w[4])
                if st == "LISTEN":
                    self.listen_ports.add(lport)
                elif st is not None:
                    self.conns[(laddr, lport, paddr, pport)] = st

    def state(self, laddr, lport, paddr, pport):
        st = self.conns.get((laddr, lport, paddr, pport))
        if st:
            return st, "socket %s" % st
        if lport in self.listen_ports:
            return "LISTEN", "no connection socket, a listener on port %d" % lport
        return "CLOSED", "no socket"


def ep(addr, port):
    return "[%s]:%d" % (addr, port) if ":" in addr else "%s:%d" % (addr, port)


def read_conns(path):
    conns, summary = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            if o.get("type") == "conn":
                for k in ("client_addr", "server_addr"):
                    o[k] = norm_addr(o[k])
                conns.append(o)
            elif o.get("type") == "summary":
                summary = o
    return conns, summary


def compare(a):
    out = []

    def emit(kind, text):
        out.append("%s %s [%s]: %s" % (kind, a.scenario, a.capture, text))

    kern = {
        "client": (Kernel(a.ss_client[0]), Kernel(a.ss_client[1])),
        "server": (Kernel(a.ss_server[0]), Kernel(a.ss_server[1])),
    }
    unknowable = []
    for u in a.unknowable or []:
        who, _, reason = u.partition("=")
        role, _, port = who.partition("@")
        unknowable.append((role, int(port) if port else None, reason))

    def unknowable_reason(role, server_port):
        for r, p, reason in unknowable:
            if r == role and (p is None or p == server_port):
                return reason
        return None

    conns, summary = read_conns(a.json)
    if summary is None:
        emit("FAIL", "tcpfsm printed no summary line")
    elif summary.get("damaged"):
        emit("INFO", "tcpfsm says the capture is damaged: %s" % summary.get("error"))

    # latest incarnation of each 4-tuple
    latest, earlier = {}, {}
    for c in sorted(conns, key=lambda c: c["id"]):
        key = (c["client_addr"], c["client_port"], c["server_addr"], c["server_port"])
        if key in latest:
            earlier.setdefault(key, []).append(latest[key])
        latest[key] = c

    if a.expect_conns is not None:
        n = len(latest)
        text = "connections (distinct 4-tuples) in the capture: expected %d, tcpfsm %d" % (
            a.expect_conns, n)
        emit("PASS" if n == a.expect_conns else "FAIL", text)

    for key, c in sorted(latest.items(), key=lambda kv: kv[1]["id"]):
        caddr, cport, saddr, sport = key
        for role in ("client", "server"):
            if role == "client":
                k = kern["client"]
                lkey = (caddr, cport, saddr, sport)
            else:
                k = kern["server"]
                lkey = (saddr, sport, caddr, cport)
            before, why_b = k[0].state(*lkey)
            after, why_a = k[1].state(*lkey)
            got = c["%s_state" % role]
            inferred = " (inferred)" if c.get("%s_state_inferred" % role) else ""
            where = "conn %d %s -> %s, %s %s" % (c["id"], ep(caddr, cport), ep(saddr, sport),
                                                  role, ep(*lkey[:2]))
            if before == after:
                kdesc = "kernel %s (%s)" % (before, why_b)
            else:
                kdesc = "kernel %s, then %s while the capture stopped" % (before, after)
            text = "%s: expected (kernel) %s, got (tcpfsm) %s%s; %s" % (
                where, before if before == after else before + "|" + after, got, inferred, kdesc)
            reason = unknowable_reason(role, sport)
            if reason:
                emit("UNKNOWABLE", "%s -- not checked, unknowable from this capture point: %s"
                     % (text, reason))
            elif got in (before, after):
                emit("PASS", text)
            else:
                emit("FAIL", text)

    # every kernel connection socket must be one tcpfsm knows
    known = set()
    for caddr, cport, saddr, sport in latest:
        known.add((caddr, cport, saddr, sport))
        known.add((saddr, sport, caddr, cport))
    for role in ("client", "server"):
        for key, st in sorted(kern[role][0].conns.items()):
            if key in known:
                continue
            text = "%s socket %s -> %s is %s in the kernel, tcpfsm reports no connection" % (
                role, ep(*key[:2]), ep(*key[2:]), st)
            sport = key[1] if role == "server" else key[3]
            reason = unknowable_reason(role, sport)
            if reason:
                emit("UNKNOWABLE", "%s -- unknowable from this capture point: %s" % (text, reason))
            else:
                emit("FAIL", text)

    # incarnations of a reused 4-tuple
    if a.expect_reuse:
        kb = {"client": Kernel(a.reuse_ss[0]), "server": Kernel(a.reuse_ss[1])}
        for key, c in sorted(latest.items(), key=lambda kv: kv[1]["id"]):
            caddr, cport, saddr, sport = key
            prev = earlier.get(key, [])
            where = "conn %d %s -> %s" % (c["id"], ep(caddr, cport), ep(saddr, sport))
            if not prev:
                emit("FAIL", "%s: expected (kernel) a reused 4-tuple, got (tcpfsm) one incarnation" % where)
                continue
            p = prev[-1]
            emit("PASS" if c.get("reused") is True else "FAIL",
                 "%s: reused: expected true (a new SYN on the 4-tuple of conn %d), got %s"
                 % (where, p["id"], json.dumps(c.get("reused"))))
            if "reuse_of" in c:
                emit("PASS" if c["reuse_of"] == p["id"] else "FAIL",
                     "%s: reuse_of: expected %d, got %s" % (where, p["id"], json.dumps(c["reuse_of"])))
            else:
                emit("INFO", "%s: tcpfsm prints no reuse_of (the earlier incarnation is conn %d)"
                     % (where, p["id"]))
            emit("PASS" if p.get("ended_by") == "reused" else "FAIL",
                 "conn %d: ended_by: expected \"reused\", got %s" % (p["id"], json.dumps(p.get("ended_by"))))
            ctw = kb["client"].state(caddr, cport, saddr, sport)[0]
            stw = kb["server"].state(saddr, sport, caddr, cport)[0]
            want = "TIME_WAIT" in (ctw, stw)
            got = c.get("reused_in_time_wait")
            emit("PASS" if got is want else "FAIL",
                 "%s: reused_in_time_wait: expected (kernel, just before the new SYN: client %s, "
                 "server %s) %s, got (tcpfsm) %s"
                 % (where, ctw, stw, json.dumps(want), json.dumps(got)))
    for line in out:
        print(line)
    return 0


def pcapcut(src, dst):
    """Copy the complete records of a pcap file being written."""
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit("pcapcut: %s: no pcap header yet" % src)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit("pcapcut: %s: not a pcap file" % src)
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        if off + 16 + incl > len(data):
            break
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(data[:off])
    return 0


def states(path):
    conns, _ = read_conns(path)
    for c in conns:
        flags = [k for k in ("reused", "reused_in_time_wait", "picked_up", "synack_first")
                 if c.get(k)]
        print("conn %d %s -> %s: client %s, server %s%s" % (
            c["id"], ep(c["client_addr"], c["client_port"]), ep(c["server_addr"], c["server_port"]),
            c["client_state"], c["server_state"], (" (" + ", ".join(flags) + ")") if flags else ""))
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "pcapcut":
        return pcapcut(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "states":
        return states(sys.argv[2])
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["compare"])
    p.add_argument("--scenario", required=True)
    p.add_argument("--capture", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--ss-client", nargs=2, required=True)
    p.add_argument("--ss-server", nargs=2, required=True)
    p.add_argument("--expect-conns", type=int)
    p.add_argument("--unknowable", action="append",
                   help="ROLE[@SERVERPORT]=REASON: do not check that endpoint, say why")
    p.add_argument("--expect-reuse", action="store_true",
                   help="every connection is a second incarnation; check the reuse fields")
    p.add_argument("--reuse-ss", nargs=2, metavar=("CLIENT", "SERVER"),
                   help="ss in both namespaces just before the new SYN")
    a = p.parse_args()
    return compare(a)


if __name__ == "__main__":
    sys.exit(main())
