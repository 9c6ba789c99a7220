#!/bin/bash
# Teardown anomalies produced by real Linux sockets (see
# anomalies-handshake.sh and README):
#   half-close         the client shuts down writing, the server never
#                      closes: close-wait-stuck (server) and fin-wait-2-stuck
#                      (client) with --stuck-after 0, neither by default
#   fin-unacked        the server's packets dropped after the client closes:
#                      the client's FIN retransmitted (capture rc)
#   last-ack-lost      the client's pure ACKs dropped after rc once the data
#                      is done: rc saw the final ACK, then the server's FIN
#                      again (last-ack-lost); rs never saw the final ACK
#                      (fin-unacked, server in LAST_ACK)
#   simultaneous-close FINs dropped both ways until both ends have closed
#   rst-kinds          four resets, one port each: SO_LINGER 0 after the
#                      client's own data (established), close() with the
#                      server's data unread (unread-data), SO_LINGER 0 after
#                      the server's FIN (after-fin), a raw SYN whose SYN-ACK
#                      the client's stack resets (half-open)
#   rst-keepalive      keep-alive probes whose answers are dropped after rs:
#                      the client's keep-alive timer resets
#                      (keepalive-timeout)
#   time-wait-reuse    a 4-tuple used again while the client (tcp_tw_reuse)
#                      or the server is in TIME_WAIT
#   time-wait-pileup   12 connections closed by the client:
#                      --time-wait-pileup 12 reports it, 13 does not
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
. "$top_srcdir/tests/anomalies/common.sh"
k_setup

P=8080

half_close() {
    k_begin an-half-close 4 || return
    k_cap_start rc "$IF_RC" || return
    k_hello &&
    k_do C shutdown c wr &&
    k_do S eof s || return
    k_wait "$NS_C" 1 state fin-wait-2 dport = :$P &&
    k_wait "$NS_S" 1 state close-wait sport = :$P || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n-default "$cap" || return
    an_only $n-default ""
    an_run $n-1 "$cap" --stuck-after 1 || return
    an_only $n-1 ""
    an_run $n "$cap" --stuck-after 0 || return
    an_only $n "close-wait-stuck fin-wait-2-stuck"
    an_expect $n close-wait-stuck server CLOSE_WAIT
    ev_all "$n: the client's FIN" $n close-wait-stuck "$cap" "$CADDR" F.
    an_expect $n fin-wait-2-stuck client FIN_WAIT_2
    ev_all "$n: the server's ACK of the FIN" $n fin-wait-2-stuck "$cap" "$SADDR" .
}

fin_unacked() {
    k_begin an-fin-unacked 4 || return
    k_cap_start rc "$IF_RC" || return
    k_hello &&
    k_do S unlisten l &&
    k_nft s2c "tcp sport $P drop" &&
    k_do C close c || return
    # the FIN and two retransmissions (about 200 and 600 ms later)
    k_wait_pkts rc 3 "src host $CADDR and tcp[tcpflags] & tcp-fin != 0" || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "fin-unacked"
    an_expect $n fin-unacked client FIN_WAIT_1
    an_field_range $n fin-unacked count 2 5
    ev_all "$n: the FINs sent again" $n fin-unacked "$cap" "$CADDR" F.
}

last_ack_lost() {
    k_begin an-last-ack-lost 4 || return
    k_cap_start rc "$IF_RC" && k_cap_start rs "$IF_RS" || return
    k_hello &&
    k_nft c2s "tcp dport $P tcp flags == ack drop" &&
    k_do C close c &&
    k_do S eof s &&
    k_do S close s &&
    k_do S unlisten l || return
    k_wait "$NS_S" 1 state last-ack sport = :$P || return
    k_wait_pkts rc 2 "src host $SADDR and tcp[tcpflags] & tcp-fin != 0" || return
    k_freeze end stop rc rs
    local n=$SCEN-rc cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "last-ack-lost"
    an_expect $n last-ack-lost null LAST_ACK
    ev_all "$n: the server's FIN sent again" $n last-ack-lost "$cap" "$SADDR" F.
    n=$SCEN-rs cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "fin-unacked"
    an_expect $n fin-unacked server LAST_ACK
    ev_all "$n: the server's FIN sent again" $n fin-unacked "$cap" "$SADDR" F.
}

# As tests/kernel/loss.sh: FINs dropped both ways until both ends are in
# FIN_WAIT_1; then the server's let through (its FIN does not acknowledge
# the client's, which it never got), then the client's.
simultaneous_close() {
    k_begin an-simultaneous-close 4 || return
    k_cap_start rc "$IF_RC" || return
    k_hello &&
    k_do S unlisten l &&
    k_nft c2s "tcp flags & fin == fin drop" &&
    k_nft s2c "tcp flags & fin == fin drop" &&
    k_do C close c &&
    k_do S close s || return
    k_wait "$NS_C" 1 state fin-wait-1 dport = :$P &&
    k_wait "$NS_S" 1 state fin-wait-1 sport = :$P || return
    k_nft_flush s2c || return
    k_wait "$NS_C" 1 state closing dport = :$P || return
    k_nft_flush c2s || return
    k_wait "$NS_C" 1 state time-wait dport = :$P &&
    k_wait "$NS_S" 1 state time-wait sport = :$P || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n simultaneous-close null
    ev_is "$n: the server's FIN" $n simultaneous-close "$cap" 1 "$SADDR" F.
    an_conn $n closed_by both
    an_conn $n client_state TIME_WAIT
    an_conn $n server_state TIME_WAIT
    # the client's FIN went out again while it waited (dropped after rc); the
    # state is the one of its first retransmission (docs/anomalies.md):
    # FIN_WAIT_1 if that came before the server's FIN, CLOSING after it
    local fu1 sc1 want=CLOSING
    fu1=$(an_get $n fin-unacked evidence | cut -d, -f1)
    sc1=$(an_get $n simultaneous-close evidence | cut -d, -f1)
    [ -n "$fu1" ] && [ -n "$sc1" ] && [ "$fu1" -lt "$sc1" ] && want=FIN_WAIT_1
    an_expect $n fin-unacked client $want
    ev_all "$n: the client's FINs sent again" $n fin-unacked "$cap" "$CADDR" F.
    an_absent $n last-ack-lost rst-abort
}

rst_kinds() {
    k_begin an-rst-kinds 4 || return
    k_cap_start rc "$IF_RC" || return
    # 8081: the client's own data is the last; then SO_LINGER 0 and close
    k_do S listen l1 "$SADDR" 8081 &&
    k_do C connect a "$SADDR" 8081 1 &&
    k_do S accept l1 a 1 &&
    k_do S unlisten l1 &&
    k_do S send a world && k_do C recv a 5 &&
    k_do C send a hello && k_do S recv a 5 &&
    k_do C linger0 a &&
    k_do C close a || return
    k_wait "$NS_S" 0 state connected sport = :8081 || return
    # 8082: the server's data left unread; close() sends RST
    k_do S listen l2 "$SADDR" 8082 &&
    k_do C connect b "$SADDR" 8082 1 &&
    k_do S accept l2 b 1 &&
    k_do S unlisten l2 &&
    k_do S send b world || return
    k_wait_pkts rc 1 "src host $CADDR and dst port 8082 and tcp[8:4] != 0 and tcp[tcpflags] == tcp-ack and greater 0" || return
    sleep 0.1
    k_do C close b || return
    k_wait "$NS_S" 0 state connected sport = :8082 || return
    # 8083: the server shuts down writing; the client reads the end of
    # file, then SO_LINGER 0 and close
    k_do S listen l3 "$SADDR" 8083 &&
    k_do C connect d "$SADDR" 8083 1 &&
    k_do S accept l3 d 1 &&
    k_do S unlisten l3 &&
    k_do S shutdown d wr &&
    k_do C eof d &&
    k_do C linger0 d &&
    k_do C close d || return
    k_wait "$NS_S" 0 state connected sport = :8083 || return
    # 8084: a raw SYN from the client's address; its stack has no socket
    # for the SYN-ACK and resets it
    k_do S listen l4 "$SADDR" 8084 || return
    if ! ip netns exec "$NS_C" "$PY" "$KDIR/rawtcp.py" syn "$SADDR" 8084 45000 1 0 "$CADDR" \
        >"$TMPD/$SCEN.raw" 2>&1; then
        fail "$SCEN: setup: rawtcp.py: $(cat "$TMPD/$SCEN.raw")"
        return
    fi
    k_wait_pkts rc 1 "src host $CADDR and src port 45000 and tcp[tcpflags] & tcp-rst != 0" || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "rst-abort"
    local spec port kind state flags
    for spec in "8081:established:ESTABLISHED:R." "8082:unread-data:ESTABLISHED:R." \
        "8083:after-fin:CLOSE_WAIT:R." "8084:half-open::R"; do
        IFS=: read -r port kind state flags <<<"$spec"
        expect_eq "$n $port: anomalies" "rst-abort" "$(an_ids $n port=$port)"
        expect_eq "$n $port: rst-abort: who" client "$(an_get $n rst-abort who port=$port)"
        expect_eq "$n $port: rst-abort: kind" "$kind" "$(an_get $n rst-abort kind port=$port)"
        [ -n "$state" ] && expect_eq "$n $port: rst-abort: state" "$state" "$(an_get $n rst-abort state port=$port)"
        pkt_is "$n $port: the RST (evidence of rst-abort)" "$cap" \
            "$(an_get $n rst-abort evidence port=$port)" "$CADDR" "$flags" "> [^ ]+\\.$port:"
    done
}

# The client probes an idle connection every second (SO_KEEPALIVE: idle 1 s,
# interval 1 s, 2 probes) while the server's segments are dropped after rs:
# the server answers each probe (captured on rs), no answer arrives, and one
# interval after the second probe Linux resets (tcp_keepalive_timer).
rst_keepalive() {
    k_begin an-rst-keepalive 4 || return
    k_cap_start rs "$IF_RS" || return
    k_hello && k_do S unlisten l || return
    k_do C keepalive c 1 1 2 &&
    k_nft s2c "drop" || return
    k_wait_pkts rs 1 "src host $CADDR and tcp[tcpflags] & tcp-rst != 0" || return
    k_freeze end stop rs
    local n=$SCEN cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "keepalive rst-abort"
    an_expect $n keepalive client
    an_field $n keepalive count 2
    an_expect $n rst-abort client ESTABLISHED keepalive-timeout
    ev_is "$n: the RST" $n rst-abort "$cap" 1 "$CADDR" R.
    an_states $n CLOSED CLOSED
}

tw_reuse() { # WHO-CLOSES-FIRST(client|server)
    local first=$1 cport
    k_begin an-time-wait-reuse-$first 4 || return
    if [ "$first" = client ]; then
        k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1 || return
    fi
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect c1 "$SADDR" $P 1 reuse &&
    cport=${REPLY%%:*} &&
    k_do S accept l s1 1 &&
    k_do C send c1 hello && k_do S recv s1 5 || return
    if [ "$first" = client ]; then
        k_do C close c1 && k_do S eof s1 && k_do S close s1 || return
        k_wait "$NS_C" 1 state time-wait dport = :$P || return
    else
        k_do S close s1 && k_do C eof c1 && k_do C close c1 || return
        k_wait "$NS_S" 1 state time-wait sport = :$P || return
    fi
    k_do C connect c2 "$SADDR" $P 1 "bind=$cport" reuse retry || return
    case $REPLY in
    "$cport:0") ;;
    *) fail "$SCEN: setup: connecting again from port $cport answered '$REPLY'"; return ;;
    esac
    k_do S accept l s2 1 || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "time-wait-reuse"
    an_expect $n time-wait-reuse client
    expect_eq "$n: time-wait-reuse is on the second connection" 2 "$(an_get $n time-wait-reuse conn)"
    an_field $n time-wait-reuse isn_above_old true
    ev_all "$n: the new SYN" $n time-wait-reuse "$cap" "$CADDR" S
    # ... and it is the second SYN of the capture
    local second
    second=$(tcpdump -#nr "$cap" 2>/dev/null | grep -E "Flags \[S\]" | sed -n 2p | awk '{print $1}')
    an_evidence $n time-wait-reuse "$second"
}

tw_pileup() {
    k_begin an-time-wait-pileup 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect g "$SADDR" $P 12 &&
    k_do S accept l g 12 &&
    k_do C send g hi && k_do S recv g 2 &&
    k_do C close g && k_do S eof g && k_do S close g || return
    k_wait "$NS_C" 12 state time-wait dport = :$P || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    an_run $n-default "$cap" || return
    an_only $n-default ""
    an_run $n "$cap" --time-wait-pileup 12 || return
    an_only $n "time-wait-pileup"
    an_expect $n time-wait-pileup client
    an_field $n time-wait-pileup time_wait_peak 12
    an_field $n time-wait-pileup client_addr "$CADDR"
    an_field $n time-wait-pileup server_addr "$SADDR"
    an_field $n time-wait-pileup server_port $P
    # docs/anomalies.md: no evidence packets for this one
    an_evidence $n time-wait-pileup ""
    an_run $n-13 "$cap" --time-wait-pileup 13 || return
    an_only $n-13 ""
}

k_run half_close
k_run fin_unacked
k_run last_ack_lost
k_run simultaneous_close
k_run rst_kinds
k_run rst_keepalive
k_run tw_reuse client
k_run tw_reuse server
k_run tw_pileup
finish
