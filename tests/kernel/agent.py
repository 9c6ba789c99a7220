#!/usr/bin/python3
"""agent.py - a socket puppet for the kernel ground-truth tests.

Run it inside one network namespace (ip netns exec NS /usr/bin/python3
agent.py).  It reads one command per line on standard input and answers each
with exactly one line on standard output: "ok ..." or "err ...".  Sockets are
kept in named groups so that one command can act on many connections.

Commands (ADDR is an IPv4 or IPv6 literal):
  listen L ADDR PORT [BACKLOG] [rcvbuf=N] [fastopen=N]
                                    listening socket L (rcvbuf: SO_RCVBUF
                                    before listen, inherited by accepted
                                    sockets: a small receive window;
                                    fastopen: TCP_FASTOPEN with a queue of
                                    N, so that data in a SYN is accepted)
  unlisten L                        close listening socket L
  accept L GROUP N                  accept N connections from L into GROUP
  connect GROUP ADDR PORT N [OPT..] N connections into GROUP; OPTs:
                                      bind=PORT  bind this source port first
                                      reuse      SO_REUSEADDR before bind
                                      nb         non-blocking: send the SYN
                                                 and return at once
                                      retry      on EADDRNOTAVAIL/EADDRINUSE
                                                 try again (bounded, 3 s)
                                      defer      TCP_DEFER_ACCEPT before
                                                 connect: Linux then delays
                                                 the handshake's ACK (delayed
                                                 ACK timer, about 200 ms)
                                      nodelay    TCP_NODELAY: one segment
                                                 per send
                                    answers "ok LPORT:RESULT ..." where RESULT
                                    is 0, EINPROGRESS or an errno name
  tfoconnect GROUP ADDR PORT TEXT   one connection into GROUP, opened by
                                    sendto(TEXT, MSG_FASTOPEN): TEXT rides
                                    in the SYN when the kernel may (a TCP
                                    Fast Open cookie for ADDR, or the
                                    no-cookie client mode), else it goes
                                    after the handshake; answers
                                    "ok LPORT:0"
  send GROUP TEXT                   send TEXT on every socket of GROUP
  sendsome GROUP NBYTES             queue up to NBYTES on each socket without
                                    blocking; answers the bytes queued
  keepalive GROUP IDLE INTVL CNT    SO_KEEPALIVE with TCP_KEEPIDLE,
                                    TCP_KEEPINTVL, TCP_KEEPCNT (seconds)
  recv GROUP NBYTES                 read exactly NBYTES from each
  eof GROUP                         read each socket until end of file
  shutdown GROUP wr|rd|rdwr         shutdown(2) every socket of GROUP
  linger0 GROUP                     SO_LINGER {1, 0}: close will send RST
  usertimeout GROUP MS              TCP_USER_TIMEOUT: give up on data
                                    unacknowledged for MS milliseconds
  close GROUP                       close every socket of GROUP
  ports GROUP                       local ports of GROUP
  quit                              exit

Everything is bounded: each blocking operation times out after OP_TIMEOUT
seconds, and the agent exits by itself after AGENT_LIFETIME seconds (both
from the environment) even if nobody tells it to quit.  Standard library
only.
"""
import errno
import os
import select
import socket
import struct
import sys
import time

OP_TIMEOUT = float(os.environ.get("OP_TIMEOUT", "10"))
LIFETIME = float(os.environ.get("AGENT_LIFETIME", "150"))

groups = {}
listeners = {}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def wildcard(fam):
    return "::" if fam == socket.AF_INET6 else "0.0.0.0"


def group(name):
    if name not in groups:
        raise KeyError("no group %s" % name)
    return groups[name]


def local_port(s):
    try:
        return s.getsockname()[1]
    except OSError:
        return 0


def cmd_listen(name, addr, port, *rest):
    backlog, rcvbuf, fastopen = "128", None, None
    for o in rest:
        if o.startswith("rcvbuf="):
            rcvbuf = int(o[7:])
        elif o.startswith("fastopen="):
            fastopen = int(o[9:])
        else:
            backlog = o
    fam = family_of(addr)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, int(port)))
    if fastopen is not None:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, fastopen)
    s.listen(int(backlog))
    listeners[name] = s
    return ""


def cmd_unlisten(name):
    listeners.pop(name).close()
    return ""


def cmd_accept(name, gname, n):
    lsock = listeners[name]
    lsock.settimeout(OP_TIMEOUT)
    got = groups.setdefault(gname, [])
    for _ in range(int(n)):
        c, _peer = lsock.accept()
        c.settimeout(OP_TIMEOUT)
        got.append(c)
    return str(len(got))


def connect_one(addr, port, bindport, reuse, nb, defer=False, nodelay=False):
    fam = family_of(addr)
    s = socket.socket(fam, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if defer:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
    if nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if bindport is not None:
        s.bind((wildcard(fam), bindport))
    if nb:
        s.setblocking(False)
    else:
        s.settimeout(OP_TIMEOUT)
    err = s.connect_ex((addr, port))
    if not nb:
        s.settimeout(OP_TIMEOUT)
    return s, err


def cmd_connect(gname, addr, port, n="1", *opts):
    bindport = None
    reuse = nb = retry = defer = nodelay = False
    for o in opts:
        if o.startswith("bind="):
            bindport = int(o[5:])
        elif o == "reuse":
            reuse = True
        elif o == "nb":
            nb = True
        elif o == "retry":
            retry = True
        elif o == "defer":
            defer = True
        elif o == "nodelay":
            nodelay = True
        else:
            raise ValueError("unknown option %s" % o)
    got = groups.setdefault(gname, [])
    results = []
    for _ in range(int(n)):
        deadline = time.monotonic() + 3.0
        while True:
            try:
                s, err = connect_one(addr, int(port), bindport, reuse, nb, defer, nodelay)
            except OSError as e:
                if retry and e.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL) \
                        and time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                raise
            if retry and err in (errno.EADDRINUSE, errno.EADDRNOTAVAIL) \
                    and time.monotonic() < deadline:
                s.close()
                time.sleep(0.1)
                continue
            break
        got.append(s)
        results.append("%d:%s" % (local_port(s), errno.errorcode.get(err, "0") if err else "0"))
    return " ".join(results)


def cmd_tfoconnect(gname, addr, port, *words):
    data = " ".join(words).encode()
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    # Blocking, bounded by SO_SNDTIMEO (a Python timeout would make the
    # socket non-blocking, and without a cookie sendto would then return
    # EINPROGRESS with the data unsent): returns once the handshake is done
    # and the data queued.
    sec = int(OP_TIMEOUT)
    usec = int((OP_TIMEOUT - sec) * 1e6) or (0 if sec else 1000)  # (0 and 0: wait forever)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", sec, usec))
    n = s.sendto(data, socket.MSG_FASTOPEN, (addr, int(port)))
    # With data in the SYN, a timeout before the SYN-ACK returns what the
    # SYN carried instead of failing: the handshake must be done, and all
    # of it sent.
    s.getpeername()
    if n != len(data):
        raise OSError(errno.EIO, "sendto sent %d of %d bytes" % (n, len(data)))
    s.settimeout(OP_TIMEOUT)
    groups.setdefault(gname, []).append(s)
    return "%d:0" % local_port(s)


def cmd_send(gname, *words):
    data = " ".join(words).encode()
    for s in group(gname):
        s.sendall(data)
    return ""


def cmd_sendsome(gname, nbytes):
    total = 0
    for s in group(gname):
        want = int(nbytes)
        timeout = s.gettimeout()
        s.setblocking(False)
        try:
            while want > 0:
                try:
                    n = s.send(b"x" * min(want, 65536))
                except BlockingIOError:
                    break
                if n <= 0:
                    break
                want -= n
                total += n
        finally:
            s.settimeout(timeout)
    return str(total)


def cmd_keepalive(gname, idle, intvl, cnt):
    for s in group(gname):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, int(idle))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(intvl))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(cnt))
    return ""


def cmd_usertimeout(gname, ms):
    # TCP_USER_TIMEOUT (RFC 5482): give up on data unacknowledged this long
    for s in group(gname):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(ms))
    return ""


def cmd_recv(gname, nbytes):
    for s in group(gname):
        want = int(nbytes)
        while want > 0:
            b = s.recv(want)
            if not b:
                raise EOFError("end of file with %d bytes still expected" % want)
            want -= len(b)
    return ""


def cmd_eof(gname):
    for s in group(gname):
        while s.recv(65536):
            pass
    return ""


def cmd_shutdown(gname, how):
    h = {"wr": socket.SHUT_WR, "rd": socket.SHUT_RD, "rdwr": socket.SHUT_RDWR}[how]
    for s in group(gname):
        s.shutdown(h)
    return ""


def cmd_linger0(gname):
    for s in group(gname):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return ""


def cmd_close(gname):
    for s in groups.pop(gname):
        s.close()
    return ""


def cmd_ports(gname):
    return " ".join(str(local_port(s)) for s in group(gname))


COMMANDS = {
    "listen": cmd_listen, "unlisten": cmd_unlisten, "accept": cmd_accept,
    "connect": cmd_connect, "tfoconnect": cmd_tfoconnect, "send": cmd_send, "recv": cmd_recv, "eof": cmd_eof,
    "shutdown": cmd_shutdown, "linger0": cmd_linger0, "close": cmd_close, "usertimeout": cmd_usertimeout,
    "ports": cmd_ports, "sendsome": cmd_sendsome, "keepalive": cmd_keepalive,
}


def main():
    end = time.monotonic() + LIFETIME
    inp = sys.stdin.buffer
    buf = b""
    while True:
        left = end - time.monotonic()
        if left <= 0:
            sys.stderr.write("agent: lifetime of %g s is over, exiting\n" % LIFETIME)
            return 1
        r, _, _ = select.select([inp], [], [], min(left, 1.0))
        if not r:
            continue
        chunk = os.read(inp.fileno(), 4096)
        if not chunk:
            return 0
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            if words[0] == "quit":
                sys.stdout.write("ok bye\n")
                sys.stdout.flush()
                return 0
            try:
                fn = COMMANDS[words[0]]
                out = fn(*words[1:])
                sys.stdout.write(("ok " + out).rstrip() + "\n")
            except Exception as e:  # report, never die on a failed command
                sys.stdout.write("err %s: %s\n" % (type(e).__name__, e))
            sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
