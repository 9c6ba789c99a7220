#!/bin/bash
# Kernel ground truth: a server that answers a SYN but holds no request.
# The router drops everything but SYNs from the client to port $P, so the
# client gets the SYN-ACK (ESTABLISHED) and its ACKs never arrive; the
# capture is on rs, the server's side of the drop.
#   syn-cookie      the server's namespace has net.ipv4.tcp_syncookies=2:
#                   its SYN-ACK carries a SYN cookie and it keeps nothing
#                   (ss: no SYN-RECV socket, ever), so it never sends the
#                   SYN-ACK again.  Once the capture has gone on more than
#                   4.5 s (another connection), the server is LISTEN
#                   (inferred, pseudo-event request_dropped; tcpfsm said
#                   SYN_RCVD).  IPv4 and IPv6.
#   synack-retries  net.ipv4.tcp_synack_retries=1: the SYN-ACK at 0, again
#                   at 1 s, and the request dropped at 3 s.  SYN_RCVD while
#                   ss has it (checked right after the second SYN-ACK); LISTEN
#                   once the capture has gone on past 1 s + 4.5 s.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080
P2=8081

# request_begin NAME FAMILY SYSCTL=VALUE: the scenario, the server's sysctl,
# the capture on rs, listeners on $P and $P2, the client's non-SYN segments
# to $P dropped, and the client connected (it had the SYN-ACK)
request_begin() {
    k_begin "$1" "$2" || return
    k_sh ip netns exec "$NS_S" sysctl -qw "$3" || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_do S listen l2 "$SADDR" $P2 &&
    k_nft c2s "tcp dport $P tcp flags & syn != syn drop" &&
    k_do C connect c "$SADDR" $P 1
}

# the server's SYN-ACKs to $P's client in capture LABEL (by tcpdump's
# text: tcp[] filters do not reach into IPv6)
synacks() {
    tcpdump -nr "$TMPD/$SCEN.$1.pcap" "src port $P" 2>/dev/null | grep -c 'Flags \[S\.\]'
}

syn_cookie() { # FAMILY
    request_begin syn-cookie "$1" net.ipv4.tcp_syncookies=2 || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    k_wait "$NS_S" 0 state syn-recv sport = :$P || return
    sleep 4.8
    k_other_traffic o1 $P2 || return
    k_freeze end stop rs
    expect_eq "$SCEN: the server sent its SYN-ACK once (a cookie is never sent again)" 1 "$(synacks end.rs)"
    k_judge end rs --expect-conns 2
    expect_eq "$SCEN: the server's state is inferred, by request_dropped; synack-unacked says it held no request" \
        "true true" \
        "$("$PY" -c 'import json, sys
inf = dropped = None
for o in map(json.loads, open(sys.argv[1])):
    if o.get("type") == "conn" and o["id"] == 1:
        inf = o["server_state_inferred"]
    if o.get("type") == "anomaly" and o["id"] == "synack-unacked":
        dropped = o["request_dropped"]
print(str(inf).lower(), str(dropped).lower(), end="")' "$TMPD/$SCEN.end.rs.json")"
}

synack_retries() {
    request_begin synack-retries 4 net.ipv4.tcp_synack_retries=1 || return
    # the SYN-ACK sent again (at 1 s): the server still holds the request
    k_wait_pkts rs 2 "src port $P" 'Flags \[S\.\]' || return
    k_other_traffic o1 $P2 || return
    k_freeze held copy rs
    k_judge_while S SYN-RECV held rs --expect-conns 2
    # the request dropped (at 3 s); the capture goes on past 1 s + 4.5 s
    k_wait "$NS_S" 0 state syn-recv sport = :$P || return
    sleep 3
    k_other_traffic o2 $P2 || return
    k_freeze dropped stop rs
    expect_eq "$SCEN: the server sent its SYN-ACK twice" 2 "$(synacks dropped.rs)"
    k_judge dropped rs --expect-conns 3
}

k_run syn_cookie 4
k_run syn_cookie 6
k_run synack_retries
finish
