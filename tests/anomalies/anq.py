#!/usr/bin/python3
"""anq.py - questions about tcpfsm's JSON output, for the anomaly tests.

  anq.py ids JSON [CONN]            the anomaly ids, sorted, space-separated
                                    (of one connection, or of all and of the
                                    service-level objects)
  anq.py count JSON ID [CONN]       how many anomaly objects have that id
  anq.py get JSON ID FIELD [CONN]   a field of the first anomaly object with
                                    that id: lists comma-separated, null as
                                    "null", booleans as true/false; nothing
                                    (and exit status 1) if there is none
  anq.py conn JSON FIELD [CONN]     a field of a conn object (the first, or
                                    the one with that id)
  anq.py conns JSON                 number of conn objects
  anq.py list JSON                  every anomaly object, one line each
                                    (for the test logs)
  anq.py summary JSON FIELD         a field of the summary object

CONN is a connection id (a number), or port=N: the connections (and their
anomalies) whose server port is N.  Standard library only.
"""
import json
import sys


def load(path):
    objs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                objs.append(json.loads(line))
    return objs


def fmt(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ",".join(fmt(x) for x in v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def selector(arg):
    """CONN argument -> predicate on conn and anomaly objects"""
    if arg is None:
        return lambda o: True
    if arg.startswith("port="):
        port = int(arg[5:])
        return lambda o: o.get("server_port") == port
    n = int(arg)
    return lambda o: o.get("conn" if o.get("type") == "anomaly" else "id") == n


def anomalies(objs, conn=None):
    sel = selector(conn)
    return [o for o in objs if o.get("type") == "anomaly" and sel(o)]


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, objs = argv[1], load(argv[2])
    rest = argv[3:]
    if cmd == "ids":
        conn = rest[0] if rest else None
        print(" ".join(sorted({o["id"] for o in anomalies(objs, conn)})))
        return 0
    if cmd == "count":
        conn = rest[1] if len(rest) > 1 else None
        print(sum(1 for o in anomalies(objs, conn) if o["id"] == rest[0]))
        return 0
    if cmd == "get":
        conn = rest[2] if len(rest) > 2 else None
        for o in anomalies(objs, conn):
            if o["id"] == rest[0]:
                print(fmt(o.get(rest[1])))
                return 0
        return 1
    if cmd == "conn":
        sel = selector(rest[1] if len(rest) > 1 else None)
        for o in objs:
            if o.get("type") == "conn" and sel(o):
                print(fmt(o.get(rest[0])))
                return 0
        return 1
    if cmd == "conns":
        print(sum(1 for o in objs if o.get("type") == "conn"))
        return 0
    if cmd == "summary":
        for o in objs:
            if o.get("type") == "summary":
                print(fmt(o.get(rest[0])))
                return 0
        return 1
    if cmd == "list":
        for o in anomalies(objs):
            extra = []
            for k in ("kind", "state", "probes", "ongoing", "bytes", "syn_retransmissions",
                      "synack_retransmissions", "rtt_ms", "server_ms", "isn_above_old",
                      "incomplete", "time_wait_peak", "duration_ms"):
                if k in o:
                    extra.append("%s=%s" % (k, fmt(o[k])))
            print("conn=%s id=%s who=%s count=%s evidence=[%s] %s | %s" % (
                fmt(o.get("conn")), o["id"], fmt(o.get("who")), o.get("count"),
                fmt(o.get("evidence")), " ".join(extra), o.get("detail")))
        return 0
    sys.stderr.write("anq.py: unknown command %s\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
