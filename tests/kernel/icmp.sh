#!/bin/bash
# ICMP errors about a connection's segments, against the kernel (kernel
# hunt 35: tcpfsm read them as "not TCP" and left a client Linux had given
# up in SYN_SENT, with a syn-unanswered saying "no reply at all").  The
# router rejects with nft "reject with icmpx type T" in its forward path.
#   icmp-syn-admin      v4: the client's SYN draws administratively
#                       prohibited from the router; Linux ends the attempt
#                       (the first error can come while connect() still
#                       holds the socket and only count as soft: its SYN
#                       goes again and draws the second): client CLOSED
#   icmp-syn-port       v6: the same with ICMPv6 port unreachable
#   icmp-synack-admin   v4: the server's SYN-ACK draws administratively
#                       prohibited on its way back: the client never has
#                       it (SYN_SENT, retransmitting its SYN); Linux keeps
#                       the server's request (SYN_RCVD) on this code
# Captures on the router interface the error goes out of (rc for the
# client's SYN, rs for the server's SYN-ACK), with ICMP: there the segment
# and the error about it are both seen.  See docs/state-machine.md, "ICMP
# errors".
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080
K_CAPFILTER="tcp or icmp or icmp6"
# the errors themselves (not neighbour discovery, which is ICMPv6 too)
UNREACH="(icmp and icmp[0] == 3) or (icmp6 and ip6[40] == 1)"

icmp_syn() { # FAMILY NAME ICMP-TYPE
    k_begin "$2" "$1" || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & (syn | ack) == syn reject with icmpx type $3" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    # the attempt ended: no socket of the client's left
    k_wait "$NS_C" 0 dport = :$P || return
    k_wait_pkts rc 1 "$UNREACH" || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    local n
    n=$(tcpdump -nr "$TMPD/$SCEN.end.rc.pcap" "$UNREACH" 2>/dev/null | wc -l)
    expect_eq "$SCEN: syn-refused by ICMP, once per error captured ($n)" "server $n $n $3 path" \
        "$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "anomaly" and o["id"] == "syn-refused":
        print(o["who"], o["count"], o["by_icmp"], o["icmp"], o["icmp_from"], end="")' "$TMPD/$SCEN.end.rc.json")"
    expect_eq "$SCEN: no syn-unanswered" 0 "$(grep -c '"syn-unanswered"' "$TMPD/$SCEN.end.rc.json")"
}

icmp_synack() { # FAMILY NAME ICMP-TYPE
    k_begin "$2" "$1" || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_nft s2c "tcp sport $P tcp flags & (syn | ack) == syn | ack reject with icmpx type $3" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    k_wait "$NS_S" 1 state syn-recv sport = :$P || return
    k_wait_pkts rs 1 "$UNREACH" || return
    k_freeze end stop rs
    k_judge end rs --expect-conns 1
    expect_eq "$SCEN: synack-lost by ICMP" "1 $3 path" \
        "$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "anomaly" and o["id"] == "synack-lost":
        print(o["count"] > 0 and 1, o["icmp"], o["icmp_from"], end="")' "$TMPD/$SCEN.end.rs.json")"
}

k_run icmp_syn 4 icmp-syn-admin admin-prohibited
k_run icmp_syn 6 icmp-syn-port port-unreachable
k_run icmp_synack 4 icmp-synack-admin admin-prohibited
finish
