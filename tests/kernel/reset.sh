#!/bin/bash
# Kernel ground truth: resets.
#   refused             no listener: the server answers the SYN with RST;
#                       both CLOSED (ss has no socket on either side)
#   rst-abort-client    established, then the client closes with SO_LINGER
#                       {1, 0} and sends RST: both CLOSED
#   rst-abort-server    the same, the server aborting
#   rst-unread-data     the server closes with the client's data unread:
#                       Linux sends RST, not FIN (RFC 2525, 2.17): both
#                       CLOSED
#   rst-challenged      a RST forged in the client's name (raw socket in the
#                       client namespace) at a sequence number inside the
#                       server's window but not the next one it expects:
#                       Linux (RFC 5961 3.2) answers with a challenge ACK
#                       and keeps the connection, which goes on: both
#                       ESTABLISHED, the RST reported as rst-rejected
#                       (not rst-abort), no data-after-rst
#   rst-burst           the same with a burst of three forged RSTs, of
#                       which Linux challenges the first only
# No packet is dropped; all capture on rc.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

refused() {
    k_begin refused 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do C connect c "$SADDR" $P 1 || return
    case $REPLY in
    *:ECONNREFUSED) ;;
    *) fail "refused: setup: connect to a port without listener answered '$REPLY', not ECONNREFUSED"; return ;;
    esac
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc refused
}

rst_abort() { # WHO(C|S) NAME KEEP
    local who=$1 other
    [ "$who" = C ] && other=S || other=C
    k_begin "$2" 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect x "$SADDR" $P 1 &&
    k_do S accept l x 1 &&
    k_do S unlisten l &&
    k_do C send x hello &&
    k_do S recv x 5 &&
    k_do S send x world &&
    k_do C recv x 5 &&
    k_do "$who" linger0 x &&
    k_do "$who" close x || return
    k_wait "$NS_C" 0 state connected dport = :$P &&
    k_wait "$NS_S" 0 state connected sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc "$3"
}

# The server's application closes its socket without reading what the
# client sent: the kernel aborts with RST instead of a FIN.  The client is
# left with a reset socket (ss: no connection), the server with none.
rst_unread_data() {
    k_begin rst-unread-data 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect x "$SADDR" $P 1 &&
    k_do S accept l x 1 &&
    k_do S unlisten l &&
    k_do C send x hello || return
    k_wait_pkts rc 1 "tcp[tcpflags] & tcp-push != 0 and dst port $P" || return
    k_do S close x || return
    k_wait_pkts rc 1 "tcp[tcpflags] & tcp-rst != 0" &&
    k_wait "$NS_S" 0 state connected sport = :$P || return
    if tcpdump -nr "$TMPD/$SCEN.rc.pcap" 2>/dev/null | grep -q 'Flags \[F'; then
        fail "$SCEN: setup: a FIN in the capture (the kernel should have reset, not closed)"
    fi
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    # who reset, and the diagnosis
    local got
    got=$("$PY" - "$TMPD/$SCEN.end.rc.json" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "conn":
        print(r["client_rst"], r["server_rst"], r["client_fin"], r["server_fin"],
              "rst-abort" in r["anomalies"])
        break
EOF
)
    expect_eq "$SCEN: client_rst server_rst client_fin server_fin, rst-abort reported" \
        "False True False False True" "$got"
}

# rst_challenged NAME COUNT: COUNT forged RSTs, back to back, at 1460,
# 2920, ... beyond what the server has acknowledged (the client's next
# sequence number: everything it sent was acknowledged), inside the
# server's window of some 64 KB.  Linux challenges one per 500 ms at most
# (tcp_invalid_ratelimit): the rest of a burst gets no answer.
rst_challenged() {
    local name=$1 count=$2 i seqs=""
    k_begin "$name" 4 || return
    k_cap_start rc "$IF_RC" || return
    k_hello && k_do S unlisten l && k_do C ports c || return
    local cport=$REPLY ack n_srv got
    k_wait_pkts rc 1 "src host $SADDR and tcp[tcpflags] & tcp-push != 0" || return
    "$PY" "$KDIR/judge.py" pcapcut "$TMPD/$SCEN.rc.pcap" "$TMPD/$SCEN.peek.pcap" || return
    ack=$(tcpdump -S -nr "$TMPD/$SCEN.peek.pcap" "src host $SADDR" 2>/dev/null | tail -n 1 |
        sed -n 's/.* ack \([0-9]*\),.*/\1/p')
    n_srv=$(tcpdump -nr "$TMPD/$SCEN.peek.pcap" "src host $SADDR" 2>/dev/null | wc -l)
    if [ -z "$ack" ]; then
        fail "$SCEN: setup: no acknowledgement number from the server in the capture"
        return
    fi
    for i in $(seq 1 "$count"); do
        seqs="$seqs $((ack + 1460 * i))"
    done
    k_sh ip netns exec "$NS_C" "$PY" "$KDIR/rawtcp.py" rst "$CADDR" "$SADDR" "$cport" $P $seqs || return
    # the challenge ACK: one more segment from the server, and it keeps its socket
    k_wait_pkts rc "$count" "tcp[tcpflags] & tcp-rst != 0" &&
    k_wait_pkts rc $((n_srv + 1)) "src host $SADDR" || return
    k_do C send c again &&
    k_do S recv s 5 &&
    k_do S send s reply &&
    k_do C recv c 5 || return
    k_wait "$NS_S" 1 state established sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    # the anomaly's evidence begins with the (first) RST and the server's
    # challenge ACK; with a burst, the challenge may come after the others,
    # or one of them may close the server again, undone in its turn
    local rstno
    rstno=$(tcpdump -nr "$TMPD/$SCEN.end.rc.pcap" 2>/dev/null | grep -n 'Flags \[R\]' | head -n 1 | cut -d: -f1)
    got=$("$PY" - "$TMPD/$SCEN.end.rc.json" "$count" <<'EOF2'
import json, sys
conn, rej = None, None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "conn" and conn is None:
        conn = r
    if r.get("type") == "anomaly" and r["id"] == "rst-rejected":
        rej = r
a = conn["anomalies"]
print(conn["client_rst"], "rst-abort" in a, "data-after-rst" in a, rej and rej["who"],
      rej and (1 if rej["count"] == 1 else "1+" if rej["count"] <= int(sys.argv[2]) else rej["count"]),
      rej and rej["evidence"][0])
EOF2
)
    expect_eq "$SCEN: client_rst, rst-abort, data-after-rst; rst-rejected's who, count, first evidence" \
        "False False False client $([ "$count" = 1 ] && echo 1 || echo 1+) $rstno" "$got"
    [ "$count" = 1 ] && expect_eq "$SCEN: rst-rejected's evidence: the RST, the challenge ACK" \
        "$rstno,$((rstno + 1))" "$(sed -n 's/.*"id":"rst-rejected".*"evidence":\[\([0-9,]*\)\].*/\1/p' "$TMPD/$SCEN.end.rc.json")"
    k_keep end rc "$name"
}

k_run refused
k_run rst_abort C rst-abort-client rst-abort
k_run rst_abort S rst-abort-server ""
k_run rst_unread_data
k_run rst_challenged rst-challenged 1
k_run rst_challenged rst-burst 3
finish
