#!/bin/bash
# tests/zeek/fragments.sh - IPv4 fragments put back together (src/reasm.c),
# checked on Zeek's own traces: every case of $SHARED_DIR/captures/zeek
# whose trace holds IPv4 fragments (found by tcpdump, 'ip[6:2] & 0x3fff !=
# 0') and whose expected conn.log has TCP rows.  Zeek reassembles
# fragments before its TCP analysis, so for each of its TCP connections
# tcpfsm's own JSON report (not --format zeek) must count the same packets
# in each direction (orig_pkts, resp_pkts: client_pkts, server_pkts).
# Taken fragment by fragment, a segment's first fragment would count and
# the others would not.
. "$top_srcdir/tests/lib.sh"

CASES="$SHARED_DIR/captures/zeek"
if [ ! -d "$CASES" ]; then
    echo "1..0 # SKIP no Zeek cases in $CASES"
    exit 77
fi
command -v tcpdump >/dev/null 2>&1 || { fail "tcpdump is needed (Debian package tcpdump)"; finish; }
scratch

n=0
for dir in "$CASES"/*/; do
    name=$(basename "$dir")
    exp="$dir/expected.tsv"
    [ -f "$exp" ] || continue
    for trace in "$dir"/trace.pcap "$dir"/trace.pcapng; do
        [ -f "$trace" ] || continue
        frags=$(tcpdump -nr "$trace" 'ip[6:2] & 0x3fff != 0' 2>/dev/null | wc -l)
        [ "$frags" -gt 0 ] || continue
        "$TCPFSM" -r "$trace" --format json >"$TMPD/out.json" 2>"$TMPD/err"
        rc=$?
        if [ $rc -gt 1 ]; then
            fail "$name: tcpfsm exited with status $rc: $(head -c 300 "$TMPD/err")"
            continue
        fi
        # one line per Zeek TCP row: "OK text" or "BAD text"
        /usr/bin/python3 - "$exp" "$TMPD/out.json" >"$TMPD/cmp" 2>&1 <<'EOF'
import json, sys
exp_path, json_path = sys.argv[1], sys.argv[2]
conns = {}
for line in open(json_path):
    r = json.loads(line)
    if r.get("type") == "conn":
        conns.setdefault((r["client_addr"], r["client_port"], r["server_addr"], r["server_port"]), []).append(r)
rows = [l.rstrip("\n").split("\t") for l in open(exp_path)]
head, rows = rows[0], rows[1:]
col = {k: i for i, k in enumerate(head)}
for row in rows:
    if row[col["orig_pkts"]] == "-" or row[col["resp_pkts"]] == "-":
        continue        # Zeek did not count them (ConnSize off in that case)
    key = (row[col["orig_h"]], int(row[col["orig_p"]]), row[col["resp_h"]], int(row[col["resp_p"]]))
    want = (int(row[col["orig_pkts"]]), int(row[col["resp_pkts"]]))
    got = conns.get(key)
    what = "%s:%d -> %s:%d" % key
    if not got:
        print("BAD %s: no such connection in tcpfsm's report" % what)
        continue
    have = (sum(c["client_pkts"] for c in got), sum(c["server_pkts"] for c in got))
    print("%s %s: packets each way, Zeek %d/%d, tcpfsm %d/%d" % ("OK" if have == want else "BAD", what, want[0], want[1], have[0], have[1]))
EOF
        [ $? -eq 0 ] || { fail "$name: comparing with Zeek's rows failed: $(tail -n 1 "$TMPD/cmp")"; continue; }
        while read -r verdict text; do
            n=$((n + 1))
            if [ "$verdict" = OK ]; then pass "$name ($frags fragments): $text"; else fail "$name ($frags fragments): $text"; fi
        done <"$TMPD/cmp"
    done
done
if [ $n -eq 0 ]; then
    fail "no Zeek case with IPv4 fragments and TCP rows found in $CASES"
fi
finish
