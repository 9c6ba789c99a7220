#!/bin/bash
# Kernel ground truth: TCP segments that a router fragments (IPv4).
#   fragmented  the client sends without DF (net.ipv4.ip_no_pmtu_disc=1),
#               the server's link is 1500 bytes at its end (it offers an MSS
#               of 1460) and 1000 at the router's, so the router cuts every
#               full segment in two; the server's kernel puts them back
#               together before TCP sees them.  The client sends 20,000
#               bytes, the server answers, the client closes first.
# tcpfsm also captures live on rs (-i --no-ui): the same segments, bytes
# and fragment counts as from rs's file.
# Captured on both router interfaces, with tcpdump's 200-byte snapshot: rc
# (toward the client) sees whole segments, rs (toward the server) sees the
# fragments.  Judged against ss in both namespaces on rs while open, and on
# both at the end; on both captures tcpfsm must count the same bytes, see no
# sequence gap and lose no fragment.  Taken fragment by fragment, the first
# fragment of each segment would look like a short segment and the next
# one's sequence number like a gap.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080
N=20000

# json_of SNAP LABEL JQ-LIKE-PATH...: fields of tcpfsm's JSON of a frozen
# capture: "conn FIELD" for the one connection's, "summary FIELD" for the
# summary's, "not_decoded NAME" for one count of not-decoded packets.
json_of() {
    "$PY" - "$TMPD/$SCEN.$1.$2.json" "$3" "$4" <<'EOF'
import json, sys
path, kind, field = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(path)]
if kind == "not_decoded":
    s = [r for r in rows if r.get("type") == "summary"][0]
    print(json.dumps(s["not_decoded"].get(field, 0)))
else:
    r = [r for r in rows if r.get("type") == kind]
    print(json.dumps(r[0].get(field)) if len(r) == 1 else "(%d %s rows)" % (len(r), kind))
EOF
}

fragmented() {
    k_begin fragmented 4 || return
    k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_no_pmtu_disc=1 &&
    k_sh ip -n "$NS_R" link set "$IF_RS" mtu 1000 || return
    k_cap_start rc "$IF_RC" || return
    k_cap_start rs "$IF_RS" || return
    # tcpfsm itself on rs, live (the live path puts fragments together too)
    ip netns exec "$NS_R" "$TCPFSM" -i "$IF_RS" --no-ui --format json --interval 3600 \
        >"$TMPD/$SCEN.live.json" 2>"$TMPD/$SCEN.live.err" &
    local live=$! i=0
    K_PIDS="$K_PIDS $live"
    # capturing once it has dropped its privileges (after opening the capture)
    while [ "$(ps -o user= -p $live 2>/dev/null | tr -d ' ')" = root ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    if ! kill -0 $live 2>/dev/null; then
        fail "$SCEN: setup: tcpfsm -i $IF_RS did not start: $(head -c 300 "$TMPD/$SCEN.live.err")"
        return
    fi
    k_do S listen l "$SADDR" $P &&
    k_do C connect c "$SADDR" $P &&
    k_do S accept l s 1 &&
    k_do S unlisten l &&
    k_do C sendsome c $N || return
    if [ "$REPLY" != $N ]; then
        fail "$SCEN: setup: the client's socket took $REPLY of $N bytes at once"
        return
    fi
    k_do S recv s $N &&
    k_do S send s world &&
    k_do C recv c 5 || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    k_freeze mid copy rs
    local frags
    frags=$(tcpdump -nr "$TMPD/$SCEN.mid.rs.pcap" 'ip[6:2] & 0x1fff != 0' 2>/dev/null | wc -l)
    if [ "$frags" -gt 0 ]; then
        pass "$SCEN/mid: the router fragmented the client's segments ($frags non-first fragments on rs)"
    else
        fail "$SCEN/mid: setup: no fragments on rs (does the router forward without fragmenting?)"
        return
    fi
    k_judge mid rs --expect-conns 1
    k_close_first C || return
    k_wait_closed C 1 || return
    k_freeze end stop rc rs
    kill -INT $live
    i=0
    while kill -0 $live 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    cp "$TMPD/$SCEN.live.json" "$TMPD/$SCEN.end.live.json"
    k_judge end rs --expect-conns 1
    k_judge end rc --expect-conns 1
    local label
    for label in rc rs; do
        expect_eq "$SCEN/end ($label): client_bytes" $N "$(json_of end $label conn client_bytes)"
        expect_eq "$SCEN/end ($label): server_bytes" 5 "$(json_of end $label conn server_bytes)"
        expect_eq "$SCEN/end ($label): anomalies (no gap, nothing unseen acknowledged)" \
            "[]" "$(json_of end $label conn anomalies)"
        expect_eq "$SCEN/end ($label): fragments of datagrams never completed" \
            0 "$(json_of end $label not_decoded ip_fragment_lost)"
    done
    # every packet accounted for: each fragmented datagram counts once as a
    # TCP segment, its other fragments as ip_fragment (counted in the
    # capture by tcpdump: F fragments, D of them first ones)
    local f="$TMPD/$SCEN.end.rs.pcap" all F D
    all=$(tcpdump -nr "$f" 2>/dev/null | wc -l)
    F=$(tcpdump -nr "$f" 'ip[6:2] & 0x3fff != 0' 2>/dev/null | wc -l)
    D=$(tcpdump -nr "$f" 'ip[6:2] & 0x3fff = 0x2000' 2>/dev/null | wc -l)
    echo "# $SCEN/end: rs has $all packets, $F fragments, $D of them first fragments"
    expect_eq "$SCEN/end (rs): TCP segments (whole packets, and one per fragmented datagram)" \
        $((all - F + D)) "$(json_of end rs summary tcp_packets)"
    expect_eq "$SCEN/end (rs): ip_fragment (the fragments but one of each datagram)" \
        $((F - D)) "$(json_of end rs not_decoded ip_fragment)"
    # the live capture on rs: the same segments, bytes and fragments
    expect_eq "$SCEN/end (live on rs): TCP segments, as read from rs's file" \
        "$(json_of end rs summary tcp_packets)" "$(json_of end live summary tcp_packets)"
    expect_eq "$SCEN/end (live on rs): ip_fragment, as from rs's file" \
        "$(json_of end rs not_decoded ip_fragment)" "$(json_of end live not_decoded ip_fragment)"
    expect_eq "$SCEN/end (live on rs): client_bytes" $N "$(json_of end live conn client_bytes)"
    expect_eq "$SCEN/end (live on rs): anomalies" "[]" "$(json_of end live conn anomalies)"
}

k_run fragmented
finish
