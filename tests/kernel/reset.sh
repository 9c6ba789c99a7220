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

k_run refused
k_run rst_abort C rst-abort-client rst-abort
k_run rst_abort S rst-abort-server ""
k_run rst_unread_data
finish
