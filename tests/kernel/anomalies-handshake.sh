#!/bin/bash
# Handshake anomalies produced by real Linux sockets (tests/kernel harness:
# client - router - server namespaces, nftables drops in the router, tcpdump
# on a router interface; see README).  For each: tcpfsm reports the anomaly,
# blames the right endpoint, and its evidence packet numbers point at the
# right packets of the capture as tcpdump reads them; and nothing else is
# reported where nothing else happened.
#   syn-unanswered     SYNs dropped by nft (capture rc, before the drop)
#   syn-refused        no listener: RST,ACK
#   synack-unacked     the client's ACKs dropped (capture rs), client idle
#   synack-lost        the SYN-ACKs dropped after rs until the client has
#                      sent its SYN again, then let through
#   syn-retransmitted  the first SYN dropped (capture rc), the second passes
#   handshake-slow     the client delays its handshake ACK (TCP_DEFER_ACCEPT
#                      on the connecting socket: Linux's delayed-ACK timer,
#                      about 200 ms), --slow-handshake 100
#   simultaneous-open  both ends connect() to each other; the client's first
#                      SYN is dropped so the server's SYN meets the client in
#                      SYN_SENT
#   syn-flood          150 raw SYNs from 50 addresses nobody owns
#   listen-overflow    a listener with backlog 1 that never accept()s: a
#                      handshake ACK meets a full accept queue
#   syn-challenged     the client aborts with its RST dropped, then connects
#                      again from the same port: its SYN meets the server's
#                      old connection (a challenge ACK); its RST at the
#                      ACK's number then gets through (reset), or never
#                      does (lost: the client stays in SYN_SENT; also
#                      captured before the router, which sees each RST)
#   syn-challenged-tw  the server closes first (TIME_WAIT); the client,
#                      without TCP timestamps, sent so much that its next
#                      ISN from the same port is below the old connection's:
#                      TIME_WAIT refuses the SYN with an ACK, the client's
#                      RST ends the TIME_WAIT, its SYN again connects;
#                      with net.ipv4.tcp_rfc1337 = 1 the RST is ignored
# (half-open resets, from a raw SYN, are in anomalies-teardown.sh)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
. "$top_srcdir/tests/anomalies/common.sh"
k_setup

P=8080
SYN_ONLY="tcp flags & (syn | ack) == syn"

syn_unanswered() {
    k_begin an-syn-unanswered 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P $SYN_ONLY drop" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    # the SYN and its first retransmission (after about 1 s)
    k_wait_pkts rc 2 "tcp[tcpflags] & tcp-syn != 0" || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "syn-unanswered"
    an_expect $n syn-unanswered server LISTEN
    an_field_range $n syn-unanswered count 2 3
    ev_is "$n: the first SYN" $n syn-unanswered "$cap" 1 "$CADDR" S
    ev_all "$n" $n syn-unanswered "$cap" "$CADDR" S
}

syn_refused() {
    k_begin an-syn-refused 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do C connect c "$SADDR" $P 1 || return
    case $REPLY in
    *:ECONNREFUSED) ;;
    *) fail "$SCEN: setup: connect answered '$REPLY', not ECONNREFUSED"; return ;;
    esac
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "syn-refused"
    an_expect $n syn-refused server
    ev_is "$n: the SYN" $n syn-refused "$cap" 1 "$CADDR" S
    ev_is "$n: the RST" $n syn-refused "$cap" 2 "$SADDR" R.
}

# The client's ACKs dropped after rc; captured on rs, which never sees them.
synack_unacked() {
    k_begin an-synack-unacked 4 || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & syn != syn drop" &&
    k_do C connect c "$SADDR" $P 1 || return
    k_wait "$NS_S" 1 state syn-recv sport = :$P || return
    k_wait_pkts rs 2 "src host $SADDR and tcp[tcpflags] & tcp-syn != 0" || return
    k_freeze end stop rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "synack-unacked"
    an_expect $n synack-unacked client
    an_field_range $n synack-unacked count 2 3
    ev_is "$n: the connection's first packet" $n synack-unacked "$cap" 1 "$CADDR" S
    ev_is "$n: the first SYN-ACK" $n synack-unacked "$cap" 2 "$SADDR" S.
    an_conn $n server_state SYN_RCVD
}

# SYN-ACKs dropped in forward, captured on rs (which sees them) until the
# client has sent its SYN again; then let through.
synack_lost() {
    k_begin an-synack-lost 4 || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_nft s2c "tcp sport $P tcp flags & (syn | ack) == syn | ack drop" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    k_wait_pkts rs 2 "src host $CADDR and tcp[tcpflags] & tcp-syn != 0" || return
    k_nft_flush s2c || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    k_freeze end stop rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n synack-lost null
    an_field_range $n synack-lost count 1 3
    ev_all "$n: the SYNs sent again" $n synack-lost "$cap" "$CADDR" S
    an_expect $n syn-retransmitted null
    an_field_range $n syn-retransmitted syn_retransmissions 1 3
    an_absent $n synack-unacked syn-unanswered syn-refused rst-abort retransmissions
    an_conn $n client_state ESTABLISHED
    an_conn $n server_state ESTABLISHED
}

# The first SYN dropped after rc (which sees it); the retransmission passes.
# Even with --slow-handshake 500 this is not handshake-slow: the round trip
# is measured from the SYN that was answered (docs/anomalies.md).
syn_retransmitted() {
    k_begin an-syn-retransmitted 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P $SYN_ONLY drop" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    k_wait_pkts rc 1 "tcp[tcpflags] & tcp-syn != 0" || return
    k_nft_flush c2s || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" --slow-handshake 500 || return
    an_only $n "syn-retransmitted"
    an_expect $n syn-retransmitted null
    # one SYN sent again (two if the rule was not gone within its 1 s)
    an_field_range $n syn-retransmitted syn_retransmissions 1 2
    an_field $n syn-retransmitted synack_retransmissions 0
    an_field_range $n syn-retransmitted delay_ms 900 3100
    ev_is "$n: the first SYN" $n syn-retransmitted "$cap" 1 "$CADDR" S
    ev_is "$n: the completing ACK" $n syn-retransmitted "$cap" 2 "$CADDR" .
}

# TCP_DEFER_ACCEPT on the connecting socket: Linux holds the handshake's
# ACK back for its delayed-ACK timer (TCP_DELACK_MAX, 200 ms) hoping to
# send it with data.  The client sends nothing.
handshake_slow() {
    k_begin an-handshake-slow 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect c "$SADDR" $P 1 defer || return
    k_wait_pkts rc 3 "tcp" || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n-default "$cap" || return
    an_only $n-default ""
    an_run $n "$cap" --slow-handshake 100 || return
    an_only $n "handshake-slow"
    an_expect $n handshake-slow null
    an_field_range $n handshake-slow rtt_ms 150 1000
    an_field_range $n handshake-slow server_ms 0 50
    ev_is "$n: the SYN" $n handshake-slow "$cap" 1 "$CADDR" S
    ev_is "$n: the completing ACK" $n handshake-slow "$cap" 2 "$CADDR" .
}

# Both ends connect() to each other.  The client's SYN is dropped after rc,
# so the server's SYN (from its bound port 8080 to the client's bound port)
# finds the client in SYN_SENT: each answers the other's SYN with SYN-ACK.
simultaneous_open() {
    local cport=40000
    k_begin an-simultaneous-open 4 || return
    k_cap_start rc "$IF_RC" || return
    k_nft c2s "tcp dport $P $SYN_ONLY drop" &&
    k_do C connect c "$SADDR" $P 1 nb bind=$cport || return
    k_wait_pkts rc 1 "tcp[tcpflags] & tcp-syn != 0" || return
    k_do S connect s "$CADDR" $cport 1 nb bind=$P || return
    k_wait "$NS_C" 1 state established dport = :$P &&
    k_wait "$NS_S" 1 state established sport = :$P || return
    k_nft_flush c2s || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n simultaneous-open null
    ev_all "$n: the server's SYN" $n simultaneous-open "$cap" "$SADDR" S
    # each end sent one SYN and one SYN-ACK, as a simultaneous open does:
    # nothing was retransmitted
    an_absent $n syn-retransmitted synack-lost synack-unacked syn-unanswered rst-abort
}

# 150 SYNs from 50 addresses of the client's subnet that nobody owns (the
# router's ARP for the SYN-ACKs goes unanswered), 2 ms apart.  Captured on
# rs, where the SYNs and SYN-ACKs are.  All 150 normally fall within the
# first 1-second window; at least 100 must.
# A listener with backlog 1 that never accept()s.  The client's handshake
# ACK (and anything else but SYNs from port 40001) is dropped in the router
# while two more connections complete (the request queue holding the first
# one is full: SYN cookies) and fill the accept queue; then let through.
# The first connection's data, and its ACKs of the SYN-ACKs the server
# sends again, meet the full queue: Linux ignores them (ListenOverflows),
# keeps the request in SYN-RECV and sends its SYN-ACK again (about 1 s and
# 3 s after the SYN).  Captured on rs: every packet there reached the
# server.  The kernel's states are judged too (SYN_RCVD, not ESTABLISHED).
listen_overflow() {
    k_begin an-listen-overflow 4 || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P 1 &&
    k_nft c2s "tcp sport 40001 tcp flags & syn != syn drop" &&
    k_do C connect b "$SADDR" $P 1 nb bind=40001 || return
    k_wait "$NS_S" 1 state syn-recv sport = :$P || return
    k_do C connect d "$SADDR" $P 2 || return
    k_nft_flush c2s || return
    k_do C send b hello || return
    k_wait_pkts rs 3 "src port $P and dst port 40001 and tcp[tcpflags] & tcp-syn != 0" || return
    k_freeze end stop rs
    k_judge end rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n listen-overflow server
    an_field_range $n listen-overflow count 1 2
    ev_all "$n: the SYN-ACKs sent again" $n listen-overflow "$cap" "$SADDR" S.
    an_absent $n synack-unacked syn-unanswered rst-abort
    an_conn $n client_port 40001 1
    an_conn $n client_state ESTABLISHED 1
    an_conn $n server_state SYN_RCVD 1
}

# The client aborts (SO_LINGER 0) while the router drops its RSTs: the
# server keeps the connection, ESTABLISHED.  The client connects again from
# the same port.  The server answers its SYN with an ACK of the old
# connection (RFC 5961 4.2), the client's SYN_SENT socket answers that with
# a RST at the ACK's number, and sends its SYN again 10 ms later (Linux,
# after an unacceptable ACK).  reset: the RSTs get through again before the
# reconnection - the old connection ends (rst-abort, half-open) and the new
# one opens.  lost: they never do - the client stays in SYN_SENT, sending
# its SYN again (about 10 ms, 1 s), and the server in ESTABLISHED.
# Captured on rs: every packet there reached the server.  The kernel's
# states are judged too.
syn_challenged() {
    local mode=$1 lab=${2:-rs} cp ifc
    k_begin an-syn-challenged-$mode-$lab 4 || return
    ifc=$IF_RS
    [ "$lab" = rc ] && ifc=$IF_RC
    k_cap_start "$lab" "$ifc" || return
    k_hello || return
    k_do C ports c || return
    cp=$REPLY
    k_nft c2s "tcp flags & rst != 0 drop" &&
    k_do C linger0 c && k_do C close c || return
    k_wait "$NS_S" 1 state established sport = :$P || return
    if [ "$mode" = reset ]; then
        k_nft_flush c2s || return
    fi
    k_do C connect c2 "$SADDR" $P 1 bind="$cp" reuse nb || return
    if [ "$mode" = reset ]; then
        k_wait "$NS_C" 1 state established dport = :$P || return
    else
        # the first SYN, the one challenged, and two more (10 ms, 1 s)
        k_wait_pkts "$lab" 4 "src port $cp and tcp[tcpflags] & tcp-syn != 0" || return
    fi
    k_freeze end stop "$lab"
    k_judge end "$lab"
    local n=$SCEN cap=$TMPD/$SCEN.end.$lab.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n syn-challenged server ESTABLISHED
    ev_is "$n: the new SYN" $n syn-challenged "$cap" 1 "$CADDR" S
    ev_is "$n: the challenge ACK" $n syn-challenged "$cap" 2 "$SADDR" .
    if [ "$mode" = reset ]; then
        an_field $n syn-challenged outcome reset
        ev_is "$n: the client's RST" $n syn-challenged "$cap" last "$CADDR" R
        an_field $n rst-abort kind half-open
        an_conn $n client_state CLOSED 1
        an_conn $n server_state CLOSED 1
        an_conn $n client_state ESTABLISHED 2
        an_conn $n server_state ESTABLISHED 2
        expect_eq "$n conn 2: anomalies" "" "$(an_ids $n 2)"
    else
        an_field $n syn-challenged outcome retried
        an_field_range $n syn-challenged count 3 6
        expect_eq "$n: connections" 1 "$("$PY" "$AQ" conns "$TMPD/$n.json")"
        an_conn $n client_state SYN_SENT 1
        an_conn $n server_state ESTABLISHED 1
        an_absent $n capture-gap rst-abort
    fi
}

# Linux takes a SYN into TIME_WAIT whose timestamp is newer than the old
# connection's or, without timestamps, whose sequence number is above it;
# else it answers with an ACK of the old connection.  A Linux ISN grows by
# one every 64 ns: a client without timestamps that sent more bytes than
# that since its first SYN reconnects from the same port below the old
# sequence space.  The client reads the server's close, closes, and
# connects again from the same port: TIME_WAIT's ACK, the client's RST at
# its number (which ends the TIME_WAIT), the SYN again 10 ms later.
syn_challenged_tw() {
    local rfc1337=${1:-0} cp i=0 n total=0
    k_begin an-syn-challenged-tw-$rfc1337 4 || return
    k_sh ip netns exec "$NS_C" sysctl -q net.ipv4.tcp_timestamps=0 || return
    k_sh ip netns exec "$NS_S" sysctl -q net.ipv4.tcp_rfc1337="$rfc1337" || return
    k_cap_start rs "$IF_RS" || return
    k_hello || return
    k_do C ports c || return
    cp=$REPLY
    while [ $total -lt 50000000 ] && [ $i -lt 2000 ]; do
        k_do C sendsome c 4000000 || return
        n=$REPLY
        if [ "$n" -gt 0 ]; then
            k_do S recv s "$n" || return
        fi
        total=$((total + n))
        i=$((i + 1))
    done
    echo "# $SCEN: the client sent $total bytes in $i rounds"
    k_do S close s && k_do C eof c && k_do C close c || return
    k_wait "$NS_S" 1 state time-wait sport = :$P || return
    k_do C connect c2 "$SADDR" $P 1 bind="$cp" reuse nb || return
    if [ "$rfc1337" = 1 ]; then
        # TIME_WAIT ignores the RSTs (RFC 1337): SYN, ACK, RST again
        k_wait_pkts rs 4 "src port $cp and tcp[tcpflags] & tcp-syn != 0" || return
    else
        k_wait "$NS_C" 1 state established dport = :$P || return
    fi
    k_freeze end stop rs
    k_judge end rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    an_run $n "$cap" || return
    "$PY" "$AQ" list "$TMPD/$n.json" | sed 's/^/#     /'
    an_expect $n syn-challenged server TIME_WAIT
    ev_is "$n: the new SYN" $n syn-challenged "$cap" 1 "$CADDR" S
    ev_is "$n: TIME_WAIT's ACK" $n syn-challenged "$cap" 2 "$SADDR" .
    if [ "$rfc1337" = 1 ]; then
        an_field $n syn-challenged outcome retried
        an_absent $n rst-abort
        expect_eq "$n: connections" 1 "$("$PY" "$AQ" conns "$TMPD/$n.json")"
        an_conn $n client_state SYN_SENT 1
        an_conn $n server_state TIME_WAIT 1
        return
    fi
    an_field $n syn-challenged outcome reset
    ev_is "$n: the client's RST" $n syn-challenged "$cap" last "$CADDR" R
    an_conn $n client_state ESTABLISHED 2
    an_conn $n server_state ESTABLISHED 2
    expect_eq "$n conn 2: anomalies" "" "$(an_ids $n 2)"
}

syn_flood() {
    local i srcs=""
    k_begin an-syn-flood 4 || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" 80 1024 || return
    for i in $(seq 11 60); do srcs="$srcs 192.0.2.$i"; done
    # shellcheck disable=SC2086
    if ! ip netns exec "$NS_C" "$PY" "$KDIR/rawtcp.py" syn "$SADDR" 80 20000 150 2 $srcs \
        >"$TMPD/$SCEN.raw" 2>&1; then
        fail "$SCEN: setup: rawtcp.py: $(cat "$TMPD/$SCEN.raw")"
        return
    fi
    k_wait_pkts rs 150 "dst port 80 and tcp[tcpflags] & tcp-syn != 0" || return
    k_freeze end stop rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n syn-flood server
    an_field $n syn-flood server_addr "$SADDR"
    an_field $n syn-flood server_port 80
    an_field_range $n syn-flood incomplete 100 150
    an_field_range $n syn-flood sources 20 150
    ev_is "$n: the first SYN" $n syn-flood "$cap" 1 192.0.2.11 S
    an_run $n-rate "$cap" --syn-flood-rate 151 || return
    an_absent $n-rate syn-flood
}

k_run syn_unanswered
k_run syn_refused
k_run synack_unacked
k_run synack_lost
k_run syn_retransmitted
k_run handshake_slow
k_run simultaneous_open
k_run syn_flood
k_run listen_overflow
k_run syn_challenged reset
k_run syn_challenged lost
k_run syn_challenged lost rc
k_run syn_challenged_tw 0
k_run syn_challenged_tw 1
finish
