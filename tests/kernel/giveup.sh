#!/bin/bash
# Kernel ground truth: a sender that gives up on data nobody acknowledges.
#   rto-giveup          established; then nft drops everything the client
#                       sends to the server port, the client sends data
#                       with TCP_USER_TIMEOUT 2500 ms and retransmits it on
#                       its doubling timer (0.2, 0.4, 0.8 s ...) until it
#                       gives up: Linux closes the socket without a RST (ss:
#                       no socket), the server never knows (ESTABLISHED).
#                       Checked three times:
#                       - retrying: after the third retransmission, with
#                         other traffic right after it (less than twice the
#                         last interval): the client is still ESTABLISHED;
#                       - gave-up: with other traffic more than twice the
#                         last interval after the last retransmission: the
#                         client is CLOSED (inferred, pseudo-event gave_up:
#                         a TCP retransmits until it closes the connection,
#                         RFC 1122 4.2.3.5);
#                       - the same connection's capture cut at the last
#                         retransmission (nothing later in the capture):
#                         nothing says it stopped, so ESTABLISHED.
#   syn-giveup          nft drops the client's SYNs to the server port;
#                       the client's namespace has net.ipv4.tcp_syn_retries=1,
#                       so it sends its SYN, again after 1 s (and, with
#                       Linux 6.5's linear SYN timeouts, after 2 s), and
#                       gives up at about 3 s: ss has no socket, and nothing
#                       is sent (a socket in SYN_SENT has no peer to reset).
#                       Checked twice:
#                       - retrying: after the second SYN, ss SYN-SENT: the
#                         client is SYN_SENT;
#                       - gave-up: other traffic more than 1.5 x (3 s + the
#                         time from the first SYN to the last) after the
#                         last SYN (7.5 s after it here; see conn.h): the
#                         client is CLOSED (inferred, pseudo-event gave_up),
#                         and syn-unanswered says client_gave_up.
#   syn-superseded      the same drop; the client connects from port
#                       $CPORT (SO_REUSEADDR), its SYN is sent again after
#                       1 s, then the application closes the socket (in
#                       SYN_SENT: nothing is sent) and connects again from
#                       the same port: a new socket, a new ISN.  The
#                       kernel's truth for the first attempt is ss just
#                       before the new connect (no socket): the earlier
#                       incarnation's client is CLOSED (inferred, gave_up,
#                       as of the new SYN; syn-unanswered client_gave_up and
#                       new_attempt), long before its quiet time; the new
#                       one SYN_SENT, as ss says.
# IPv4 and IPv6.  Capture on rc, the near side (the dropped segments are
# captured there, then dropped in forward).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080
P2=8081

# data_segments PCAP: the client's segments carrying "more" (4 bytes) to $P
# (counted by tcpdump's text: tcp[] filters do not reach into IPv6)
DATA_LINE=', length 4'
data_segments() {
    tcpdump -nr "$1" "tcp dst port $P" 2>/dev/null | grep -c -- "$DATA_LINE"
}

rto_giveup() { # FAMILY
    local why n
    k_begin rto-giveup "$1" || return
    k_cap_start rc "$IF_RC" || return
    k_hello || return
    k_do S listen l2 "$SADDR" $P2 &&
    k_do C usertimeout c 2500 &&
    k_nft c2s "tcp dport $P drop" &&
    k_do C send c more || return
    # the data and three retransmissions (at about 0.2, 0.4 and 0.8 s)
    k_wait_pkts rc 4 "tcp dst port $P" "$DATA_LINE" || return
    k_other_traffic o1 $P2 || return
    k_freeze retrying copy rc
    n=$(data_segments "$TMPD/$SCEN.retrying.rc.pcap")
    if grep -Eq ":$P( |\$)" "$TMPD/$SCEN.retrying.ssc.after" && [ "$n" -ge 4 ]; then
        k_judge retrying rc --expect-conns 2
    else
        echo "# $SCEN/retrying: skipped: the client gave up before the snapshot was taken ($n data segments; ss: $(tr '\n' ' ' <"$TMPD/$SCEN.retrying.ssc.after"))"
    fi

    k_wait "$NS_C" 0 dport = :$P || return
    # the capture's last segment of that connection: its last retransmission
    cp "$TMPD/$SCEN.rc.pcap" "$TMPD/$SCEN.cut-src.pcap"
    sleep 1.7
    k_other_traffic o2 $P2 || return
    k_freeze gave-up stop rc
    k_judge gave-up rc --expect-conns 3
    k_keep gave-up rc rto-giveup

    # the same capture, cut after the last retransmission: nothing later
    why="the capture ends with the client's last retransmission, so nothing in it says the client stopped"
    "$PY" "$KDIR/judge.py" pcapcut "$TMPD/$SCEN.cut-src.pcap" "$TMPD/$SCEN.cut.all.pcap"
    tcpdump -r "$TMPD/$SCEN.cut.all.pcap" -w "$TMPD/$SCEN.cut.rc.pcap" "tcp port $P" 2>/dev/null
    local st
    st=$("$TCPFSM" -r "$TMPD/$SCEN.cut.rc.pcap" --format json 2>/dev/null |
        sed -n 's/.*"client_state":"\([A-Z_0-9]*\)".*/\1/p' | head -1)
    expect_eq "$SCEN/cut: the capture cut at the last retransmission: client still ESTABLISHED ($why)" \
        ESTABLISHED "$st"
}

syn_giveup() { # FAMILY
    local why="the SYNs were captured on rc and then dropped by nft in forward: the server never saw them"
    k_begin syn-giveup "$1" || return
    k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=1 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do S listen l2 "$SADDR" $P2 &&
    k_nft c2s "tcp dport $P tcp flags & (syn | ack) == syn drop" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    k_wait "$NS_C" 1 state syn-sent dport = :$P || return
    # the SYN and its retransmission (after about 1 s)
    k_wait_pkts rc 2 "tcp dst port $P" "Flags \[S\]" || return
    k_freeze retrying copy rc
    k_judge_while C SYN-SENT retrying rc --expect-conns 1 --unknowable "server=$why"
    # the kernel gives up at about 3 s; the rule waits until 1.5 x the
    # larger of 3 s + the 1 or 2 s from the first SYN to the last and twice
    # those after the last SYN: at most 9.5 s after the first
    k_wait "$NS_C" 0 dport = :$P || return
    sleep 8
    k_other_traffic o1 $P2 || return
    k_freeze gave-up stop rc
    k_judge gave-up rc --expect-conns 2 --unknowable "server=$why"
    local got
    got=$("$PY" "$top_srcdir/tests/anomalies/anq.py" get "$TMPD/$SCEN.gave-up.rc.json" syn-unanswered client_gave_up)
    expect_eq "$SCEN/gave-up: syn-unanswered says the client gave up" true "$got"
}

syn_superseded() { # FAMILY
    local why="the SYNs were captured on rc and then dropped by nft in forward: the server never saw them"
    local CPORT=40123 got
    k_begin syn-superseded "$1" || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & (syn | ack) == syn drop" &&
    k_do C connect c1 "$SADDR" $P 1 nb reuse bind=$CPORT || return
    k_wait "$NS_C" 1 state syn-sent dport = :$P || return
    # the SYN and its retransmission (after about 1 s)
    k_wait_pkts rc 2 "tcp dst port $P" "Flags \[S\]" || return
    k_do C close c1 || return
    k_wait "$NS_C" 0 dport = :$P || return
    k_freeze closed copy rc
    k_do C connect c2 "$SADDR" $P 1 nb reuse bind=$CPORT || return
    k_wait "$NS_C" 1 state syn-sent dport = :$P || return
    k_wait_pkts rc 3 "tcp dst port $P" "Flags \[S\]" || return
    k_freeze again stop rc
    k_judge_while C SYN-SENT again rc --expect-conns 1 --unknowable "server=$why"
    # the earlier incarnation: gone from the kernel before the new connect
    if grep -Eq ":$CPORT( |\$)" "$TMPD/$SCEN.closed.ssc.after"; then
        fail "$SCEN/closed: setup: the first socket still there: $(tr '\n' ' ' <"$TMPD/$SCEN.closed.ssc.after")"
        return
    fi
    got=$("$PY" - "$TMPD/$SCEN.again.rc.json" <<'PYEOF'
import json, sys
conns = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "conn"]
old = [c for c in conns if c.get("ended_by") == "reused"]
print(" ".join("%s:%s:%s" % (c["client_state"], json.dumps(c["client_state_inferred"]), c["client_port"]) for c in old))
PYEOF
)
    expect_eq "$SCEN/again: the first attempt (ss: no socket before the new connect): client CLOSED, inferred" \
        "CLOSED:true:$CPORT" "$got"
    got=$("$PY" "$top_srcdir/tests/anomalies/anq.py" get "$TMPD/$SCEN.again.rc.json" syn-unanswered client_gave_up)
    expect_eq "$SCEN/again: syn-unanswered says the client gave up" true "$got"
    got=$("$PY" "$top_srcdir/tests/anomalies/anq.py" get "$TMPD/$SCEN.again.rc.json" syn-unanswered new_attempt)
    expect_eq "$SCEN/again: ... for a new attempt" true "$got"
}

k_run rto_giveup 4
k_run rto_giveup 6
k_run syn_giveup 4
k_run syn_giveup 6
k_run syn_superseded 4
k_run syn_superseded 6
finish
