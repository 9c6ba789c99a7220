#!/bin/bash
# Anomalies of established connections produced by real Linux sockets (see
# anomalies-handshake.sh and README), and the negative cases:
#   clean              handshake, data both ways, orderly close: nothing at
#                      all, even with --stuck-after 0 --idle-after 1, nor
#                      when the capture goes on for longer than --idle-after
#   keepalive          SO_KEEPALIVE, TCP_KEEPIDLE = TCP_KEEPINTVL = 1 s: only
#                      keepalive, from the client
#   zero-window        a server with a small SO_RCVBUF stops reading while
#                      the client sends: zero-window from the server, the
#                      client's window probes counted as probes, not as
#                      keep-alives; then the server reads and the window
#                      opens again.  (With so small a buffer the server's
#                      stack may drop a segment, which is then legitimately
#                      retransmitted: not checked here.)
#   idle               1.5 s without a segment, --idle-after 1
#   retransmissions    the client's data segment dropped once after rc: the
#                      retransmission is in rc; rs saw one copy: nothing
#   upstream-loss      the middle one of three data segments dropped once
#                      before rs (no SACK, so it comes again by timeout):
#                      from rs a retransmission filling a hole - not
#                      reordering, and no capture gap (rs saw every byte)
#   bulk               as much as the socket buffers take at once (some
#                      100 KB) each way: no retransmissions, no reordering
#   capture-gap        a real capture with the client's data segments
#                      filtered out afterwards (tcpdump -r -w FILTER)
#   one-sided          a real capture cut to one direction afterwards, each
#                      way: the endpoint never seen is blamed, nothing else
#   fin-missed         a real capture without the server's FIN: the
#                      client's final ACK reveals it (TIME_WAIT / CLOSED)
#   data-after-rst     the server aborts (SO_LINGER 0); its RST,ACK is dropped
#                      after rs, so the client sends data afterwards; the
#                      server's stack answers that with a bare RST, which
#                      reaches the client: from rs data-after-rst and the
#                      server's rst-abort; from rc (which never saw the first
#                      RST) the bare RST of a server that had lost the
#                      connection: rst-abort of kind half-open
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
. "$top_srcdir/tests/anomalies/common.sh"
k_setup

P=8080
# Dropping a packet once: nft's "quota until 100 bytes" adds each matching
# packet's length to its count first and matches while the count stays
# below 100, so it matches exactly the first packet (all here are shorter
# than 100 bytes and longer than 50) and none after.

# open_conn [connect options...]: listener, one connection (groups c and s)
open_conn() {
    k_do S listen l "$SADDR" $P &&
    k_do C connect c "$SADDR" $P 1 "$@" &&
    k_do S accept l s 1
}

close_conn() {
    k_do C close c &&
    k_do S eof s &&
    k_do S close s &&
    k_do S unlisten l || return 1
    k_wait "$NS_C" 1 state time-wait dport = :$P
}

clean() {
    k_begin an-clean 4 || return
    k_cap_start rc "$IF_RC" && k_cap_start rs "$IF_RS" || return
    open_conn &&
    k_do C send c hello && k_do S recv s 5 &&
    k_do S send s world && k_do C recv c 5 &&
    close_conn || return
    k_freeze end copy rc rs
    local cap
    for cap in rc rs; do
        k_show "$TMPD/$SCEN.end.$cap.pcap"
        an_run $SCEN-$cap "$TMPD/$SCEN.end.$cap.pcap" || return
        an_only $SCEN-$cap ""
        an_run $SCEN-$cap-strict "$TMPD/$SCEN.end.$cap.pcap" --stuck-after 0 --idle-after 1 || return
        an_only $SCEN-$cap-strict ""
    done
    # the capture goes on 1.3 s longer (a refused connection to port 8081
    # ends it): the closed connection, its client in TIME_WAIT, is not idle
    sleep 1.3
    k_do C connect r "$SADDR" 8081 1 || return
    k_freeze later stop rc
    cap=$TMPD/$SCEN.later.rc.pcap
    an_run $SCEN-later "$cap" --idle-after 1 || return
    expect_eq "$SCEN-later: anomalies of the closed connection (port $P)" "" "$(an_ids $SCEN-later port=$P)"
    expect_eq "$SCEN-later: anomalies of the refused one (port 8081)" "syn-refused" "$(an_ids $SCEN-later port=8081)"
}

keepalive() {
    k_begin an-keepalive 4 || return
    k_cap_start rc "$IF_RC" || return
    open_conn &&
    k_do C send c hello && k_do S recv s 5 &&
    k_do S send s world && k_do C recv c 5 &&
    k_do C keepalive c 1 1 5 || return
    # keep-alives after 1 s idle, then every second: two of them
    sleep 2.6
    close_conn || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "keepalive"
    an_expect $n keepalive client
    an_field_range $n keepalive count 2 4
    ev_all "$n: the keep-alives" $n keepalive "$cap" "$CADDR" . "length 0"
}

zero_window() {
    local queued
    k_begin an-zero-window 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P 128 rcvbuf=4096 &&
    k_do C connect c "$SADDR" $P 1 &&
    k_do S accept l s 1 &&
    k_do C sendsome c 300000 || return
    queued=$REPLY
    # the server advertises a zero window; the client probes (Linux: zero
    # length at SND.UNA - 1, backing off from about 200 ms); wait for the
    # second probe's answer with window 0
    k_wait_pkts rc 3 "src host $SADDR and tcp[14:2] == 0" || return
    k_freeze stalled copy rc
    local n=$SCEN-stalled cap=$TMPD/$SCEN.stalled.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n zero-window server
    an_field $n zero-window ongoing true
    an_field_range $n zero-window probes 2 20
    an_absent $n keepalive
    ev_is "$n: the first zero window" $n zero-window "$cap" 1 "$SADDR" . "win 0,"
    ev_is "$n: a probe" $n zero-window "$cap" 2 "$CADDR" . "length 0"
    # the server reads everything: the window opens, the transfer ends
    k_do S recv s "$queued" &&
    close_conn || return
    k_freeze end stop rc
    n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    an_run $n "$cap" || return
    an_expect $n zero-window server
    an_field $n zero-window ongoing false
    an_field_range $n zero-window probes 2 200
    an_absent $n keepalive
}

idle() {
    k_begin an-idle 4 || return
    k_cap_start rc "$IF_RC" || return
    open_conn &&
    k_do C send c hello && k_do S recv s 5 || return
    sleep 1.6
    k_do C send c again && k_do S recv s 5 &&
    close_conn || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n-default "$cap" || return
    an_only $n-default ""
    an_run $n "$cap" --idle-after 1 || return
    an_only $n "idle"
    an_expect $n idle null
    an_field_range $n idle duration_ms 1500 3000
    ev_all "$n: the segment after the silence" $n idle "$cap" "$CADDR" P. "length 5"
}

# The client's first data segment dropped once (nft quota) after rc.
retransmissions() {
    k_begin an-retransmissions 4 || return
    k_cap_start rc "$IF_RC" && k_cap_start rs "$IF_RS" || return
    open_conn &&
    k_nft c2s "tcp dport $P tcp flags & psh == psh quota until 100 bytes drop" &&
    k_do C send c hello && k_do S recv s 5 &&
    k_do S send s world && k_do C recv c 5 &&
    close_conn || return
    k_freeze end stop rc rs
    local n=$SCEN-rc cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "retransmissions"
    an_expect $n retransmissions client
    an_field $n retransmissions count 1
    an_field $n retransmissions bytes 5
    ev_all "$n: the data sent again" $n retransmissions "$cap" "$CADDR" P. "length 5"
    n=$SCEN-rs cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n ""
}

# Three data segments (no SACK, no timestamps in the client's namespace, so
# that the data starts 20 bytes into the TCP header); the one starting with
# "BBBB" is dropped once, before rs.
upstream_loss() {
    k_begin an-upstream-loss 4 || return
    k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0 || return
    k_cap_start rc "$IF_RC" && k_cap_start rs "$IF_RS" || return
    open_conn nodelay &&
    k_nft c2s "tcp dport $P @th,160,32 0x42424242 quota until 100 bytes drop" &&
    k_do C send c AAAAAAAAAA && k_do C send c BBBBBBBBBB && k_do C send c CCCCCCCCCC &&
    k_do S recv s 30 &&
    close_conn || return
    k_freeze end stop rc rs
    local n=$SCEN-rs cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n retransmissions client
    # (Linux may send the lost segment again together with the next one)
    ev_is "$n: the lost segment, sent again" $n retransmissions "$cap" 1 "$CADDR" P. "length (10|20)"
    an_absent $n out-of-order capture-gap
    n=$SCEN-rc cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_expect $n retransmissions client
    an_absent $n out-of-order capture-gap
}

bulk() {
    k_begin an-bulk 4 || return
    k_cap_start rc "$IF_RC" || return
    open_conn &&
    k_do C sendsome c 1000000 || return
    local up=$REPLY
    k_do S recv s "$up" &&
    k_do S sendsome s 1000000 || return
    local down=$REPLY
    k_do C recv c "$down" &&
    close_conn || return
    k_freeze end stop rc
    local n=$SCEN cap=$TMPD/$SCEN.end.rc.pcap
    if grep -q "[1-9][0-9]* packets dropped by kernel" "$cap.log"; then
        echo "# $n: tcpdump dropped packets: $(grep dropped "$cap.log" | tr '\n' ' ')"
    fi
    an_run $n "$cap" || return
    echo "# $n: $up bytes up, $down down"
    an_absent $n retransmissions out-of-order
}

# closed_on_rc NAME: scenario NAME: a connection with "hello" up and
# "world" down, closed by the client, captured whole on rc, in
# $TMPD/$SCEN.end.rc.pcap
closed_on_rc() {
    k_begin "$1" 4 &&
    k_cap_start rc "$IF_RC" &&
    k_hello &&
    close_conn || return 1
    k_freeze end stop rc
}

# cut_rc OUT FILTER: the packets of closed_on_rc's capture that match the
# pcap FILTER, written to OUT (a capture that missed the others), shown
cut_rc() {
    if ! tcpdump -r "$TMPD/$SCEN.end.rc.pcap" -w "$1" "$2" 2>"$TMPD/$SCEN.filter.log"; then
        fail "$SCEN: setup: tcpdump -r -w: $(cat "$TMPD/$SCEN.filter.log")"
        return 1
    fi
    k_show "$1"
}

capture_gap() {
    closed_on_rc an-capture-gap || return
    local n=$SCEN cap=$TMPD/$SCEN.filtered.pcap
    # a capture that missed the client's data segment (and only that)
    cut_rc "$cap" "not (src host $CADDR and tcp[tcpflags] & tcp-push != 0)" || return
    an_run $n "$cap" || return
    an_only $n "capture-gap"
    an_expect $n capture-gap null
    an_field $n capture-gap bytes 5
    ev_all "$n: the server's acknowledgement" $n capture-gap "$cap" "$SADDR" "~P?\\." "ack [0-9]+"
}

# one-sided: the same real capture cut to one direction, as a capture on a
# path that carries only that direction sees it.  Each way, the endpoint
# never seen is blamed, and nothing else is reported even with the most
# sensitive thresholds (the silent endpoint is left in CLOSE_WAIT by the
# FIN it was sent: not close-wait-stuck).
one_sided() {
    closed_on_rc an-one-sided || return
    local side from silent n cap
    for side in client server; do
        if [ $side = client ]; then from=$CADDR silent=server; else from=$SADDR silent=client; fi
        n=$SCEN-$side cap=$TMPD/$SCEN.$side.pcap
        cut_rc "$cap" "src host $from" || return
        an_run $n "$cap" --stuck-after 0 --idle-after 1 || return
        an_only $n "one-sided"
        an_expect $n one-sided $silent
        an_field $n one-sided count "$(tcpdump -nr "$cap" 2>/dev/null | wc -l)"
        ev_is "$n: the first packet" $n one-sided "$cap" 1 "$from" "~S\\.?"
    done
}

# fin_cut NAME HOST WHAT FROM FLAGS: scenario NAME, closed_on_rc's real
# capture without HOST's FIN (tcpdump -r -w), as a capture that dropped it.
# The other endpoint's ACK one beyond all HOST sent - WHAT, sent by FROM
# with tcpdump FLAGS - reveals the FIN: client TIME_WAIT, server CLOSED (the
# kernel's states: the close went through), both FINs, capture-gap, and no
# endpoint stuck even with --stuck-after 0
fin_cut() {
    closed_on_rc "$1" || return
    local n=$SCEN cap=$TMPD/$SCEN.filtered.pcap
    cut_rc "$cap" "not (src host $2 and tcp[tcpflags] & tcp-fin != 0)" || return
    an_run $n "$cap" --stuck-after 0 || return
    an_only $n "capture-gap"
    an_states $n TIME_WAIT CLOSED
    an_conn $n client_fin true
    an_conn $n server_fin true
    ev_all "$n: $3" $n capture-gap "$cap" "$4" "$5" "ack [0-9]+"
}

# fin-missed: the server's FIN, the second of the close, missed; the
# client's final ACK shows it at once (rule 3)
fin_missed() {
    fin_cut an-fin-missed "$SADDR" "the client's final ACK" "$CADDR" "."
}

# fin-first-missed: the mirror - the client's FIN, the first, missed: the
# server's ACK one beyond all the client sent, then the server's FIN and
# the client's ACK of it, and no FIN from the client to the end: it had
# sent it (judged when the connection leaves the table)
fin_first_missed() {
    fin_cut an-fin-first-missed "$CADDR" "the server's acknowledgement" "$SADDR" "~F?\\."
}

data_after_rst() {
    k_begin an-data-after-rst 4 || return
    k_cap_start rc "$IF_RC" && k_cap_start rs "$IF_RS" || return
    open_conn &&
    k_do C send c hello && k_do S recv s 5 &&
    k_do S send s world && k_do C recv c 5 &&
    k_do S unlisten l &&
    k_nft s2c "tcp sport $P tcp flags & (rst | ack) == rst | ack drop" &&
    k_do S linger0 s &&
    k_do S close s || return
    k_wait "$NS_S" 0 state connected sport = :$P || return
    k_do C send c again || return
    k_wait "$NS_C" 0 state connected dport = :$P || return
    k_freeze end stop rc rs
    local n=$SCEN-rs cap=$TMPD/$SCEN.end.rs.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "data-after-rst rst-abort"
    an_expect $n data-after-rst client
    an_field $n data-after-rst bytes 5
    ev_all "$n: the client's data after the RST" $n data-after-rst "$cap" "$CADDR" P. "length 5"
    an_expect $n rst-abort server ESTABLISHED established
    an_field $n rst-abort count 1
    ev_all "$n: the server's abort" $n rst-abort "$cap" "$SADDR" R.
    # rc never saw the abort: the server's answer to the data is the reset
    # of an endpoint without the connection (RST without ACK, sequence =
    # the data's ACK): the server had lost the connection - half-open
    n=$SCEN-rc cap=$TMPD/$SCEN.end.rc.pcap
    k_show "$cap"
    an_run $n "$cap" || return
    an_only $n "rst-abort"
    an_expect $n rst-abort server "" half-open
    ev_all "$n: the server's bare RST" $n rst-abort "$cap" "$SADDR" R
}

k_run clean
k_run keepalive
k_run zero_window
k_run idle
k_run retransmissions
k_run upstream_loss
k_run bulk
k_run capture_gap
k_run one_sided
k_run fin_missed
k_run fin_first_missed
k_run data_after_rst
finish
