#!/bin/bash
# Anomalies of established connections on crafted captures (see
# handshake.sh): zero windows and their probes, keep-alives (never confused
# with probes), idle gaps, retransmissions, reordering, capture gaps, data
# after FIN or RST.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/anomalies/common.sh"
scratch
FX=$TMPD/fx
if ! "$PY" "$top_srcdir/tests/anomalies/craft.py" "$FX" zero-window zero-window-both zero-window-bsd keepalive keepalive-both keepalive-pickup keepalive-2h \
    keepalive-1byte idle idle-open closed-then-quiet retransmissions retransmissions-both retransmissions-stopped out-of-order fin-before-data late-fill capture-gap \
    capture-gap-tail one-sided-client one-sided-server one-sided-server-closes one-sided-half-close \
    one-sided-keepalives peer-gone ack-scan data-after-fin data-after-rst ipv6-routed \
    ack-before-data-reordered ack-before-data-late >"$TMPD/craft.log" 2>&1; then
    fail "craft.py: $(cat "$TMPD/craft.log")"
    finish
fi

# zero-window: Linux-style probes (zero length at SND.UNA - 1) are counted
# as probes, not keep-alives; the window opens again at 2010 ms
f=$FX/zero-window
an_run zw "$f.pcap"
an_only zw "zero-window"
an_expect zw zero-window server
an_field zw zero-window count 1
an_field zw zero-window probes 3
an_field zw zero-window ongoing false
an_field zw zero-window stall_ms 1999.9
# first advertisement, probes, and in the last slot the reopening segment
an_evidence zw zero-window "$(lbl "$f" s.zw c.probe1 c.probe2 s.open)"

# BSD-style probes (one byte at SND.UNA), the stall still going on at the end
f=$FX/zero-window-bsd
an_run zwb "$f.pcap"
an_only zwb "zero-window"
an_expect zwb zero-window server
an_field zwb zero-window probes 3
an_field zwb zero-window ongoing true
an_evidence zwb zero-window "$(lbl "$f" s.zw c.probe1 c.probe2 c.probe3)"

# keepalive-both: each end's keep-alives are its own record
f=$FX/keepalive-both
an_run kab "$f.pcap"
an_only kab "keepalive"
expect_eq "kab: one keepalive record per sender" \
    "client 3 $(lbl "$f" c.ka1 c.ka2 c.ka3)|server 2 $(lbl "$f" s.ka1 s.ka2)" \
    "$(an_records kab keepalive count)"

# keepalive: a clean connection with keep-alives raises only keepalive
f=$FX/keepalive
an_run ka "$f.pcap"
an_only ka "keepalive"
an_expect ka keepalive client
an_field ka keepalive count 3
an_evidence ka keepalive "$(lbl "$f" c.ka1 c.ka2 c.ka3)"
# ... also when the capture begins on an idle connection: the byte behind
# the first keep-alive, acknowledged by the peer, was sent before the
# capture began - no capture-gap
f=$FX/keepalive-pickup
an_run kap "$f.pcap"
an_absent kap capture-gap
an_expect kap keepalive client
# ... and keep-alives at the stacks' default interval (2 h) keep one
# connection under the default --idle-timeout
an_run ka2h "$FX/keepalive-2h.pcap"
expect_eq "ka2h: one connection" 1 "$("$PY" "$AQ" conns "$TMPD/ka2h.json")"
an_conn ka2h client_state TIME_WAIT
f=$FX/keepalive-1byte
an_run ka1 "$f.pcap"
an_only ka1 "keepalive"
an_expect ka1 keepalive server
an_field ka1 keepalive count 2
an_evidence ka1 keepalive "$(lbl "$f" s.ka1 s.ka2)"

# idle: a 5 s silence
f=$FX/idle
an_run idle-default "$f.pcap"
an_only idle-default ""
an_run idle "$f.pcap" --idle-after 2
an_only idle "idle"
an_expect idle idle null
an_field idle idle duration_ms 5000.0
an_evidence idle idle "$(lbl "$f" c.after)"
an_run idle-5 "$f.pcap" --idle-after 5
an_only idle-5 ""
# a silence still going on when the capture ends: reported, no evidence
f=$FX/idle-open
an_run idleopen "$f.pcap" --idle-after 2
an_only idleopen "idle"
expect_eq "idleopen: idle is on conn 1 only" "idle" "$(an_ids idleopen 1)"
an_field idleopen idle duration_ms 4988.0
an_evidence idleopen idle ""
# ... but a connection that closed cleanly is not idle, however long the
# capture goes on after it (its client is in TIME_WAIT, nothing is left to
# send: no middlebox state to lose)
an_run quiet "$FX/closed-then-quiet.pcap" --idle-after 2
an_only quiet ""

# retransmissions: the second segment sent again 300 ms later
f=$FX/retransmissions
an_run rtx "$f.pcap"
an_only rtx "retransmissions"
an_expect rtx retransmissions client
an_field rtx retransmissions count 1
an_field rtx retransmissions bytes 100
an_evidence rtx retransmissions "$(lbl "$f" c.seg2again)"
an_field rtx retransmissions stopped false

# zero-window-both: each end's stall is a record of its own (the
# advertiser's), with the probes sent into it and its own duration
f=$FX/zero-window-both
an_run zwb "$f.pcap"
an_only zwb "zero-window"
expect_eq "zwb: one zero-window record per advertiser" \
    "client 1 1 499.9 $(lbl "$f" c.zw s.probe1 c.open)|server 1 2 999.9 $(lbl "$f" s.zw c.probe1 c.probe2 s.open)" \
    "$(an_records zwb zero-window count probes stall_ms)"

# A client whose unacknowledged data was sent again on a doubling timer
# (200, 400, 800 ms) and then never again, while the capture went on for
# 3.6 s (another connection): it stopped - gave up; not one whose last try
# was acknowledged, nor one that had only two tries
# retransmissions-both: each end's are a record of their own (who, count,
# bytes, evidence), the share of its own segments
f=$FX/retransmissions-both
an_run rtb "$f.pcap"
expect_eq "rtb: one retransmissions record per sender" \
    "client 1 100 $(lbl "$f" c.seg2again)|server 2 400 $(lbl "$f" s.seg2again s.seg2third)" \
    "$(an_records rtb retransmissions count bytes)"

f=$FX/retransmissions-stopped
an_run rts "$f.pcap"
expect_eq "rts conn 1: stopped" true "$(an_get rts retransmissions stopped 1)"
expect_eq "rts conn 1: count" 3 "$(an_get rts retransmissions count 1)"
expect_eq "rts conn 2: stopped" false "$(an_get rts retransmissions stopped 2)"
expect_eq "rts conn 3: stopped" false "$(an_get rts retransmissions stopped 3)"
# the client gave up (RFC 1122 4.2.3.5): CLOSED, inferred, as of when its
# next retransmission was due (1.41 s + 2 x 800 ms); the server never knew
expect_eq "rts conn 1: states: the client gave up, the server does not know" "CLOSED true ESTABLISHED 1700000003.01" \
    "$("$PY" "$AQ" conn "$TMPD/rts.json" client_state 1) $("$PY" "$AQ" conn "$TMPD/rts.json" client_state_inferred 1) $("$PY" "$AQ" conn "$TMPD/rts.json" server_state 1) $("$PY" "$AQ" conn "$TMPD/rts.json" client_state_since 1)"
for i in 2 3; do
    expect_eq "rts conn $i: states: retransmissions that did not stop leave them" "ESTABLISHED ESTABLISHED" \
        "$("$PY" "$AQ" conn "$TMPD/rts.json" client_state $i) $("$PY" "$AQ" conn "$TMPD/rts.json" server_state $i)"
done
case $("$TCPFSM" -r "$f.pcap" | tr -s ' \n' '  ') in
*"then the client stopped, its data unacknowledged: nothing for 3.59s, over twice its last interval (800.0ms): it likely gave up and closed without a RST"*)
    pass "rts: the text report says the client stopped" ;;
*) fail "rts: the text report does not say the client stopped" ;;
esac

# out-of-order: segments 1, 3, 2 within 0.5 ms; not a retransmission, not
# a capture gap
f=$FX/out-of-order
an_run ooo "$f.pcap"
an_only ooo "out-of-order"
an_expect ooo out-of-order client
an_field ooo out-of-order count 1
an_field ooo out-of-order bytes 100
an_evidence ooo out-of-order "$(lbl "$f" c.seg2)"

# The hole filled 250 ms later (lost before the capture point, then
# retransmitted): a retransmission, not reordering.  And not a capture gap:
# the capture saw every byte the server acknowledged.
f=$FX/late-fill
an_run late "$f.pcap"
an_expect late retransmissions client
an_evidence late retransmissions "$(lbl "$f" c.seg2)"
an_absent late out-of-order capture-gap

# a bare FIN ahead of the data before it: the data, 0.3 ms later, is
# reordered, not retransmitted (the hole before a FIN is remembered too)
f=$FX/fin-before-data
an_run fbd "$f.pcap"
an_only fbd "out-of-order"
an_expect fbd out-of-order client
an_evidence fbd out-of-order "$(lbl "$f" c.data)"
an_conn fbd client_state TIME_WAIT

# capture-gap: a segment in the middle missing, then acknowledged
f=$FX/capture-gap
an_run gap "$f.pcap"
an_only gap "capture-gap"
an_expect gap capture-gap null
an_field gap capture-gap bytes 100
an_evidence gap capture-gap "$(lbl "$f" s.ackall)"
# ... or the only data segment missing
f=$FX/capture-gap-tail
an_run gapt "$f.pcap"
an_only gapt "capture-gap"
an_expect gapt capture-gap null
an_field gapt capture-gap bytes 100
an_evidence gapt capture-gap "$(lbl "$f" s.ackunseen)"

# one-sided: only one endpoint's segments captured.  With the most
# sensitive thresholds the silent endpoint is never close-wait-stuck: its
# own FIN may have gone by the path the capture does not see.  The client's
# final ACK, one beyond its last, shows the server's FIN (the client to
# TIME_WAIT, the server, inferred, to CLOSED).  In the server's capture the
# client's FIN shows only as the server's acknowledgement moving on by one,
# before the server's FIN; with no FIN from the client to the end, that was
# it (judged as the connection leaves): the client to TIME_WAIT, the
# server, whose FIN's ACK went by the other path, to CLOSED.
f=$FX/one-sided-client
an_run os1 "$f.pcap" --stuck-after 0 --idle-after 1
an_only os1 "one-sided"
an_expect os1 one-sided server
an_field os1 one-sided count 6
an_evidence os1 one-sided "$(lbl "$f" c.syn)"
an_states os1 TIME_WAIT CLOSED
an_conn os1 server_state_inferred true
an_conn os1 client_state_inferred false
"$TCPFSM" -r "$f.pcap" >"$TMPD/os1.txt" 2>&1
if grep -q "^  note  *1 connection one-sided: one endpoint never captured" "$TMPD/os1.txt"; then
    pass "os1: the text summary notes the one-sided connection"
else fail "os1: no one-sided note in the text summary: $(sed -n 1,12p "$TMPD/os1.txt")"; fi
f=$FX/one-sided-server
an_run os2 "$f.pcap" --stuck-after 0 --idle-after 1
an_only os2 "one-sided"
an_expect os2 one-sided client
an_field os2 one-sided count 5
an_evidence os2 one-sided "$(lbl "$f" s.synack)"
an_states os2 TIME_WAIT CLOSED
an_conn os2 client_state_inferred true
an_conn os2 client_fin true
# ... the server closing first in its own capture: its final ACK, one beyond
# its last, shows the client's FIN (the server to TIME_WAIT, the client,
# inferred, to CLOSED)
f=$FX/one-sided-server-closes
an_run os3 "$f.pcap" --stuck-after 0 --idle-after 1
an_only os3 "one-sided"
an_expect os3 one-sided client
an_states os3 CLOSED TIME_WAIT
an_conn os3 client_state_inferred true
an_conn os3 client_fin true
# ... but not a 1-byte reply to a half-close, the client's acknowledgement
# moving on again (by 500) after it; nor a last byte before the server's
# FIN when the server then ACKs the client's keep-alives
f=$FX/one-sided-half-close
an_run os4 "$f.pcap" --stuck-after 0
an_only os4 "one-sided"
an_states os4 FIN_WAIT_1 CLOSE_WAIT
an_conn os4 server_fin false
f=$FX/one-sided-keepalives
an_run os5 "$f.pcap" --stuck-after 0
an_only os5 "one-sided"
an_states os5 CLOSE_WAIT FIN_WAIT_1
an_conn os5 client_fin false
# ... but not a peer that fell silent: the server's data sent again and
# again, its acknowledgement never moving
f=$FX/peer-gone
an_run gone "$f.pcap" --stuck-after 0 --idle-after 1
an_absent gone one-sided
an_expect gone retransmissions server
# ... nor a scanner's unanswered ACKs, whose acknowledgement numbers move
# but which never opened a connection or sent data
an_run scan "$FX/ack-scan.pcap" --stuck-after 0
an_absent scan one-sided

# data-after-fin
f=$FX/data-after-fin
an_run daf "$f.pcap"
an_only daf "data-after-fin"
an_expect daf data-after-fin client
an_field daf data-after-fin bytes 50
an_evidence daf data-after-fin "$(lbl "$f" c.dataafterfin)"

# data-after-rst: the server's RST (a rst-abort), then the client's data
f=$FX/data-after-rst
an_run dar "$f.pcap"
an_only dar "data-after-rst rst-abort"
an_expect dar data-after-rst client
an_field dar data-after-rst bytes 50
an_evidence dar data-after-rst "$(lbl "$f" c.dataafterrst)"
an_expect dar rst-abort server ESTABLISHED established
an_evidence dar rst-abort "$(lbl "$f" s.rst)"
# IPv6 source-routed (a type 0 routing header, and segment routing), the
# client's segments captured on their way to a waypoint: each connection is
# one, with the server at the final destination (RFC 8200 8.1), its TCP
# checksums right (Zeek's check drops none), and closed
an_run routed "$FX/ipv6-routed.pcap"
for id in 1 2; do
    an_conn routed server_addr 2001:db8::80 $id
    an_conn routed client_state TIME_WAIT $id
    an_conn routed server_state CLOSED $id
    an_conn routed client_pkts 5 $id
    an_conn routed server_pkts 3 $id
done
expect_eq "routed: two connections" 2 "$("$TCPFSM" -r "$FX/ipv6-routed.pcap" --format json | grep -c '"type":"conn"')"
# (Zeek itself takes the final destination from type 0 only: for the SRH
# connection it would key on the waypoint; see docs/output-formats.md)
expect_eq "routed: Zeek's checksum check keeps every packet (history, packets)" "ShADdFf 5 3|ShADdFf 5 3" \
    "$("$TCPFSM" -r "$FX/ipv6-routed.pcap" --format zeek --zeek-verify-checksums | grep -v '^#' | awk -F'\t' '{print $16, $17, $19}' | paste -sd'|')"
# an ACK captured before the data it acknowledges: within the reordering
# window the capture had them out of order - nothing missed, nothing sent
# again (out-of-order); 50 ms later the capture missed the first copy
# (capture-gap, dated by the ACK) and this is a retransmission
f=$FX/ack-before-data-reordered
an_run abdr "$f.pcap"
an_only abdr "out-of-order"
f=$FX/ack-before-data-late
an_run abdl "$f.pcap"
an_only abdl "capture-gap retransmissions"
an_field abdl capture-gap bytes 10
an_evidence abdl capture-gap "$(lbl "$f" s.ack)"
finish
