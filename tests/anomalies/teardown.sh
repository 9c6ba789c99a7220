#!/bin/bash
# Teardown anomalies on crafted captures (see handshake.sh): stuck
# half-closes, unacknowledged FINs, lost final ACKs, crossing FINs, resets of
# every kind, resets outside the window, 4-tuples reused in TIME_WAIT.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/anomalies/common.sh"
scratch
FX=$TMPD/fx
if ! "$PY" "$top_srcdir/tests/anomalies/craft.py" "$FX" lastack-before-fin lastack-before-fin-ts-back fin-missed-ack-lost fin-acked-before-seen half-close fin-unacked fin-unacked-both fin-unacked-crossing \
    close-wait-late-fin close-wait-late-rst close-wait-late-peer-rst close-wait-late-data \
    close-wait-streaming close-wait-fin-lost-late close-wait-late-reply close-wait-late-missed-fin \
    close-wait-late-rst-rejected close-wait-gave-up \
    fin-held-back fin-crossed-late fin-missed fin-missed-piggyback fin-first-missed \
    fin-first-missed-piggyback fin-first-missed-long byte-missed-then-close byte-missed-keepalives \
    byte-missed-early fin-first-missed-reused \
    last-ack-lost simultaneous-close rst-kinds rst-keepalive-timeout rst-lost-state rst-out-of-window \
    rst-out-of-window-synsent rst-challenged rst-wrong-seq rst-unsure-taken rst-forged-sender-on rst-forged-taken rst-then-overtaken \
    rst-after-fin rst-burst-idle rst-challenged-closing rst-time-wait time-wait-reuse time-wait-reuse-below time-wait-expired \
    time-wait-refused time-wait-refused-retry \
    >"$TMPD/craft.log" 2>&1; then
    fail "craft.py: $(cat "$TMPD/craft.log")"
    finish
fi

# close-wait-stuck and fin-wait-2-stuck: the client half-closes at 20 ms,
# the capture ends at 5000.1 ms; the server never closes, but it sends 10
# bytes at 5000 ms: both endpoints' time in their states counts from that
# (a half-close still carrying data is not stuck), and that packet is the
# evidence
f=$FX/half-close
an_run hc-default "$f.pcap"
an_only hc-default ""
an_run hc0 "$f.pcap" --stuck-after 0
an_only hc0 "close-wait-stuck fin-wait-2-stuck"
an_expect hc0 close-wait-stuck server CLOSE_WAIT
an_evidence hc0 close-wait-stuck "$(lbl "$f" s.late)"
an_field hc0 close-wait-stuck duration_ms 0.1
an_field hc0 close-wait-stuck left_by null
an_expect hc0 fin-wait-2-stuck client FIN_WAIT_2
an_evidence hc0 fin-wait-2-stuck "$(lbl "$f" s.late)"
an_field hc0 fin-wait-2-stuck duration_ms 0.1
an_conn hc0 server_state_since 1700000005.0
for s in 1 4; do
    an_run hc$s "$f.pcap" --stuck-after $s
    an_only hc$s ""
done

# A late close: 90 s quiet in CLOSE_WAIT, then the server's FIN (answered
# by the client's RST: its orphaned FIN_WAIT_2 had expired), its RST, or
# the client's RST answering its keep-alive.  close-wait-stuck, with how the
# server left the state; not with --stuck-after 0 (every passive close) or
# one above the 90 s.
for how in fin rst peer-rst; do
    f=$FX/close-wait-late-$how
    an_run cwl-$how "$f.pcap"
    an_expect cwl-$how close-wait-stuck server CLOSE_WAIT
    an_field cwl-$how close-wait-stuck left_by "$how"
    case $how in
    fin) leave=s.fin; ms=90000.0 ;;
    rst) leave=s.rst; ms=90000.0 ;;
    peer-rst) leave=c.rst; ms=90000.2 ;;
    esac
    an_evidence cwl-$how close-wait-stuck "$(lbl "$f" c.fin $leave)"
    an_field cwl-$how close-wait-stuck duration_ms $ms
    an_absent cwl-$how fin-wait-2-stuck
    an_states cwl-$how CLOSED CLOSED
    # the client's RST answers what came after its FIN_WAIT_2 expired: in
    # that state, not the TIME_WAIT the server's FIN would have put it in
    # (an endpoint in TIME_WAIT acknowledges a FIN, it does not reset it)
    [ "$how" = rst ] || an_expect cwl-$how rst-abort client FIN_WAIT_2 half-open
    an_run cwl-$how-0 "$f.pcap" --stuck-after 0
    an_absent cwl-$how-0 close-wait-stuck
    an_run cwl-$how-91 "$f.pcap" --stuck-after 91
    an_absent cwl-$how-91 close-wait-stuck
    an_run cwl-$how-89 "$f.pcap" --stuck-after 89
    an_expect cwl-$how-89 close-wait-stuck server CLOSE_WAIT
done
want="server in CLOSE_WAIT for 1m30s (since packet $(lbl "$FX/close-wait-late-fin" c.fin)), then closed with its FIN (packet $(lbl "$FX/close-wait-late-fin" s.fin))"
got=$("$TCPFSM" -r "$FX/close-wait-late-fin.pcap" | tr -s ' \n' '  ')
case $got in
*"$want"*) pass "cwl-fin: the text report says how it ended" ;;
*) fail "cwl-fin: the text report lacks '$want'" ;;
esac
# ... but not a late answer after a half-close (data, then the RST), a
# half-close streaming data for 95 s before its FIN, or a FIN that never
# acknowledges the client's: the server never had it, so never was in
# CLOSE_WAIT
for v in late-data streaming fin-lost-late; do
    an_run cw-$v "$FX/close-wait-$v.pcap"
    an_absent cw-$v close-wait-stuck fin-wait-2-stuck
done
an_only cw-streaming ""
# ... nor a late answer that carries the FIN (data and FIN in one segment),
# nor a RST the server did not take (the challenge ACK): the server is
# still in CLOSE_WAIT (its time there counted again from the challenge)
an_run cw-reply "$FX/close-wait-late-reply.pcap"
an_only cw-reply "idle"
an_run cw-rrj "$FX/close-wait-late-rst-rejected.pcap"
an_only cw-rrj "idle rst-rejected"
an_conn cw-rrj server_state CLOSE_WAIT
# stuck in CLOSE_WAIT until its host gave up retransmitting the data it sent
# there (the last retransmission at 102.23 s, the next due 102.4 s later):
# the stuck time ends then, not at the end of the capture, and the report
# says the socket is gone while showing it CLOSED (inferred)
f=$FX/close-wait-gave-up
an_run cw-gu "$f.pcap"
an_expect cw-gu close-wait-stuck server CLOSE_WAIT
an_field cw-gu close-wait-stuck left_by gave-up
an_field cw-gu close-wait-stuck duration_ms 204600.0
an_field cw-gu close-wait-stuck end 1700000204.63
an_evidence cw-gu close-wait-stuck "$(lbl "$f" s.late)"
an_field cw-gu retransmissions stopped true
an_states cw-gu FIN_WAIT_2 CLOSED
an_conn cw-gu server_state_inferred true
case $("$TCPFSM" -r "$f.pcap" | tr -s ' \n' '  ') in
*"server in CLOSE_WAIT for 3m24s (since packet $(lbl "$f" s.late)), until its host gave up retransmitting (the application never closed it)"*)
    pass "cw-gu: the text report says its host gave up" ;;
*) fail "cw-gu: the text report does not say its host gave up" ;;
esac
# a late close whose FIN the capture missed says so
f=$FX/close-wait-late-missed-fin
an_run cw-mf "$f.pcap"
an_expect cw-mf close-wait-stuck server CLOSE_WAIT
an_field cw-mf close-wait-stuck left_by fin
case $("$TCPFSM" -r "$f.pcap" | tr -s ' \n' '  ') in
*"then closed with a FIN the capture missed (the client's ACK of it, packet $(lbl "$f" c.lastack))"*)
    pass "cw-mf: the text report says the FIN was missed" ;;
*) fail "cw-mf: the text report does not say the FIN was missed" ;;
esac
# ... and that FIN, 90 s after the client's, is no crossing: the client's
# FIN never reached the server, which goes from ESTABLISHED to FIN_WAIT_1
# (pseudo-event fin_lost), while FINs 50 us apart did cross (fin-crossed-late
# below: the server in TIME_WAIT after its ACK of the client's FIN)
an_states cw-fin-lost-late CLOSING FIN_WAIT_1
# ... and no crossing: the client goes to CLOSING on a FIN sent without its
# own, but that is no simultaneous close; the client closed first
an_only cw-fin-lost-late "idle"
an_conn cw-fin-lost-late closed_by client

# fin-unacked: the client's FIN sent three times, never ACKed
f=$FX/fin-unacked
an_run fu "$f.pcap"
an_only fu "fin-unacked"
an_expect fu fin-unacked client FIN_WAIT_1
an_field fu fin-unacked count 2
an_evidence fu fin-unacked "$(lbl "$f" c.fin2 c.fin3)"

# fin-unacked-both: each end's FIN sent again is its own record, with the
# state it was held in
f=$FX/fin-unacked-both
an_run fub "$f.pcap"
an_only fub "fin-unacked"
expect_eq "fub: one fin-unacked record per sender" \
    "client 1 \"FIN_WAIT_1\" $(lbl "$f" c.fin2)|server 2 \"LAST_ACK\" $(lbl "$f" s.fin2 s.fin3)" \
    "$(an_records fub fin-unacked count state)"

# The FIN retransmitted once in FIN_WAIT_1, then the FINs cross, then once
# more in CLOSING.  docs/anomalies.md: "state: the state the table put the
# endpoint in on its first FIN retransmission" - FIN_WAIT_1.
f=$FX/fin-unacked-crossing
an_run fux "$f.pcap"
an_only fux "fin-unacked simultaneous-close"
an_expect fux fin-unacked client FIN_WAIT_1
an_field fux fin-unacked count 2
an_evidence fux fin-unacked "$(lbl "$f" c.fin2 c.fin3)"
an_expect fux simultaneous-close null
an_evidence fux simultaneous-close "$(lbl "$f" s.fin)"

# The server's FIN,ACK held on the way while the client sends its FIN
# again (rule 2: back to FIN_WAIT_1); the client's ACK of the server's FIN
# then shows both arrived: TIME_WAIT (snd_ack_bothfin), not CLOSING, and no
# FINs crossed (loss.sh fin-held-back is the same on a real kernel)
f=$FX/fin-held-back
an_run fhb "$f.pcap" --stuck-after 0
an_only fhb "fin-unacked"
an_expect fhb fin-unacked client FIN_WAIT_1
an_states fhb TIME_WAIT CLOSED
an_conn fhb closed_by client
# ... while FINs that did cross leave the client, whose FIN is never
# acknowledged, in CLOSING after its ACK of the server's (snd_ack_peerfin)
f=$FX/fin-crossed-late
an_run fcl "$f.pcap" --stuck-after 0
an_only fcl "simultaneous-close"
an_states fcl CLOSING TIME_WAIT

# The server's FIN missed by the capture: the client's ACK one beyond all
# the server sent reveals it (rule 3): client TIME_WAIT, server CLOSED, a
# capture-gap - not a server stuck in CLOSE_WAIT
for v in "" -piggyback; do
    f=$FX/fin-missed$v
    an_run fm$v "$f.pcap" --stuck-after 0
    an_only fm$v "capture-gap"
    an_evidence fm$v capture-gap "$(lbl "$f" c.lastack)"
    an_states fm$v TIME_WAIT CLOSED
    an_conn fm$v server_fin true
done

# The mirror: the client's FIN, the first of the close, missed.  The
# server's ACK one beyond all the client sent is the capture-gap; the
# server's FIN and the client's ACK of it follow, and no FIN from the
# client to the end: it was the FIN (judged when the connection leaves the
# table) - client TIME_WAIT (CLOSED once 2 MSL have passed), server
# CLOSED, nobody stuck
for v in "" -piggyback; do
    f=$FX/fin-first-missed$v
    an_run ffm$v "$f.pcap" --stuck-after 0
    an_only ffm$v "capture-gap"
    an_evidence ffm$v capture-gap "$(lbl "$f" "$([ -z "$v" ] && echo s.ackfin || echo s.fin)")"
    an_states ffm$v TIME_WAIT CLOSED
    an_conn ffm$v client_fin true
done
f=$FX/fin-first-missed-long
an_run ffml "$f.pcap" --stuck-after 0
an_only ffml "capture-gap"
an_states ffml CLOSED CLOSED
# ... but one byte missed, after which the client does close: its FIN
# says what the missing number was, and nothing is inferred
f=$FX/byte-missed-then-close
an_run bmc "$f.pcap" --stuck-after 0
an_only bmc "capture-gap"
an_states bmc CLOSED TIME_WAIT
an_conn bmc client_fin true
# ... nor when anything says the client is still there, its connection
# open: keep-alives (below its next sequence number), or the server's data
# after that number: a client stuck in CLOSE_WAIT stays close-wait-stuck
for v in keepalives early; do
    f=$FX/byte-missed-$v
    an_run bm$v "$f.pcap" --stuck-after 0
    an_absent bm$v time-wait-reuse
    an_expect bm$v close-wait-stuck client CLOSE_WAIT
    an_states bm$v CLOSE_WAIT FIN_WAIT_2
    an_conn bm$v client_fin false
done
# ... and judged before a new connection on the 4-tuple replaces it, so
# that finds the client in TIME_WAIT
f=$FX/fin-first-missed-reused
an_run ffmr "$f.pcap"
an_only ffmr "capture-gap time-wait-reuse"
an_states ffmr CLOSED CLOSED
an_conn ffmr reused_in_time_wait true 2

# last-ack-lost: the final ACK seen, then the server's FIN again
f=$FX/last-ack-lost
an_run lal "$f.pcap"
an_only lal "last-ack-lost"
an_expect lal last-ack-lost null LAST_ACK
an_field lal last-ack-lost count 1
an_evidence lal last-ack-lost "$(lbl "$f" s.fin2)"

# simultaneous-close: crossing FINs, both end in TIME_WAIT
f=$FX/simultaneous-close
an_run sc "$f.pcap"
an_only sc "simultaneous-close"
an_expect sc simultaneous-close null
an_field sc simultaneous-close count 2
an_evidence sc simultaneous-close "$(lbl "$f" s.fin)"
an_conn sc closed_by both
an_states sc TIME_WAIT TIME_WAIT

# rst-abort, every kind; each connection's only anomaly
f=$FX/rst-kinds
an_run rst "$f.pcap"
an_only rst "rst-abort"
expect_eq "rst: six connections, each with rst-abort" "rst-abort rst-abort rst-abort rst-abort rst-abort rst-abort" \
    "$(for c in 1 2 3 4 5 6; do an_ids rst $c; done | tr '\n' ' ' | sed 's/ $//')"
i=0
for spec in "established:ESTABLISHED:a" "unread-data:ESTABLISHED:b" "after-fin:CLOSE_WAIT:d" \
    "half-open::e" "established:ESTABLISHED:f" "after-fin:CLOSE_WAIT:g"; do
    i=$((i + 1))
    IFS=: read -r kind state l <<<"$spec"
    expect_eq "rst conn $i: who" client "$(an_get rst rst-abort who $i)"
    expect_eq "rst conn $i: kind" "$kind" "$(an_get rst rst-abort kind $i)"
    [ -n "$state" ] && expect_eq "rst conn $i: state" "$state" "$(an_get rst rst-abort state $i)"
    expect_eq "rst conn $i: evidence" "$(lbl "$f" $l.rst)" "$(an_get rst rst-abort evidence $i)"
done
expect_eq "rst conn 5: unacked_bytes" 100 "$(an_get rst rst-abort unacked_bytes 5)"
expect_eq "rst conn 2: peer_unacked_bytes" 0 "$(an_get rst rst-abort peer_unacked_bytes 2)"
expect_eq "rst conn 3: peer_unacked_bytes" 0 "$(an_get rst rst-abort peer_unacked_bytes 3)"
# the RST itself acknowledges the server's FIN; a FIN is not data
expect_eq "rst conn 6: peer_unacked_bytes" 0 "$(an_get rst rst-abort peer_unacked_bytes 6)"

# A RST one probe interval after the last of the sender's keep-alives,
# nothing else sent: the keep-alive timer gave up (keepalive-timeout); long
# after them, an application's abort (unread-data: the server spoke last)
f=$FX/rst-keepalive-timeout
an_run rka "$f.pcap"
expect_eq "rka conn 1: kind" keepalive-timeout "$(an_get rka rst-abort kind 1)"
expect_eq "rka conn 1: state" ESTABLISHED "$(an_get rka rst-abort state 1)"
expect_eq "rka conn 1: evidence" "$(lbl "$f" 40001.rst)" "$(an_get rka rst-abort evidence 1)"
expect_eq "rka conn 2: kind" unread-data "$(an_get rka rst-abort kind 2)"
case $("$TCPFSM" -r "$f.pcap") in
*"2 reset: 0 while established, 1 likely with unread data, 0 after a FIN, 0 half-open, 1 after unanswered keep-alives; 0 SYNs refused"*)
    pass "rka: the text report counts the keep-alive timeout" ;;
*) fail "rka: the text report's reset line lacks the keep-alive timeout" ;;
esac

# A reset from an endpoint that has no connection: the server answers the
# client's data with a bare RST (no ACK flag, sequence = the segment's ACK),
# RFC 793's reply from CLOSED - the server lost its state.
f=$FX/rst-lost-state
an_run lost "$f.pcap"
an_only lost "rst-abort"
an_expect lost rst-abort server "" half-open
an_evidence lost rst-abort "$(lbl "$f" s.rst)"

# rst-out-of-window: a RST far outside the client's window is ignored; the
# connection goes on and closes normally
f=$FX/rst-out-of-window
an_run oow "$f.pcap"
an_only oow "rst-out-of-window"
an_expect oow rst-out-of-window server ESTABLISHED
an_field oow rst-out-of-window count 1
an_evidence oow rst-out-of-window "$(lbl "$f" s.forgedrst)"
expect_eq "oow: summary rst_ignored" 1 "$("$PY" "$AQ" summary "$TMPD/oow.json" rst_ignored)"
an_states oow TIME_WAIT CLOSED
# ... and in SYN_SENT, a RST that does not acknowledge the SYN
f=$FX/rst-out-of-window-synsent
an_run oows "$f.pcap"
an_only oows "rst-out-of-window"
an_expect oows rst-out-of-window server SYN_SENT
an_evidence oows rst-out-of-window "$(lbl "$f" s.badrst)"

# rst-rejected: an in-window RST not at the sequence number the receiver
# expects, which an RFC 5961 stack answers with a challenge ACK.  The
# receiver's challenge ACK and the connection going on undo it: no abort,
# no data after a reset, the connection closes normally.
f=$FX/rst-challenged
an_run rch "$f.pcap"
an_only rch "rst-rejected"
an_expect rch rst-rejected client
an_field rch rst-rejected count 1
an_evidence rch rst-rejected "$(lbl "$f" c.forgedrst s.challenge)"
an_states rch TIME_WAIT CLOSED
an_conn rch client_rst false
# ... a real sender's RST at a wrong sequence number: challenged, then the
# sender (gone) resets at the challenge ACK's number, which ends it
f=$FX/rst-wrong-seq
an_run rws "$f.pcap"
an_only rws "rst-abort rst-rejected"
an_evidence rws rst-rejected "$(lbl "$f" c.rst s.challenge)"
an_expect rws rst-abort client "" half-open
an_evidence rws rst-abort "$(lbl "$f" c.rst2)"
an_states rws CLOSED CLOSED
# ... with nothing after it, RFC 793's reading stands: an abort
f=$FX/rst-unsure-taken
an_run rut "$f.pcap"
an_only rut "rst-abort"
an_evidence rut rst-abort "$(lbl "$f" c.rst)"
an_states rut CLOSED CLOSED
# ... a RST in the server's name, the server going on sending: not its own
f=$FX/rst-forged-sender-on
an_run rfs "$f.pcap"
an_only rfs "rst-rejected"
an_expect rfs rst-rejected server
an_evidence rfs rst-rejected "$(lbl "$f" s.forgedrst s.more)"
an_states rfs CLOSED TIME_WAIT
an_conn rfs server_rst false
# ... a RST in the server's name at the client's RCV.NXT, which the client
# takes, and the server's data after it, sent again on its timer: the
# server never reset (a middlebox did), the client did take it
f=$FX/rst-forged-taken
an_run rft "$f.pcap"
an_only rft "retransmissions rst-abort"
an_expect rft rst-abort server "" forged
an_evidence rft rst-abort "$(lbl "$f" s.forgedrst s.data1)"
an_states rft CLOSED ESTABLISHED
an_conn rft server_rst false
# ... the server's own RST with a segment it overtook 0.2 ms behind it: a
# real reset, and data after it
f=$FX/rst-then-overtaken
an_run rto "$f.pcap"
an_only rto "data-after-rst rst-abort"
an_expect rto rst-abort server
an_states rto CLOSED CLOSED
# ... a burst of three, of which the server challenges one, then 10 s of
# silence (longer than the linger: a connection closed by an unsure RST
# stays open to be undone), then the connection goes on.  The challenge
# ACK undoes the first; the second closes the server again, the third,
# into a closed server, changes nothing; the client's data undoes the
# second
f=$FX/rst-burst-idle
an_run rbi "$f.pcap"
an_only rbi "rst-rejected"
an_field rbi rst-rejected count 2
an_evidence rbi rst-rejected "$(lbl "$f" c.rst1 s.challenge c.rst2 c.more)"
an_states rbi ESTABLISHED ESTABLISHED
an_conn rbi client_rst false
an_conn rbi ended_by end_of_capture
expect_eq "rbi: one connection" 1 "$("$PY" "$AQ" summary "$TMPD/rbi.json" connections)"
# ... undone in CLOSING after crossing FINs: back to CLOSING, then TIME_WAIT
f=$FX/rst-challenged-closing
an_run rcc "$f.pcap"
an_only rcc "rst-rejected simultaneous-close"
an_expect rcc rst-rejected server
an_states rcc TIME_WAIT TIME_WAIT
# ... in TIME_WAIT there is no challenge: only RCV.NXT resets there (Linux;
# the BSDs take no RST in TIME_WAIT), so the RST is not taken at all
f=$FX/rst-time-wait
an_run rtw "$f.pcap"
an_only rtw "last-ack-lost rst-out-of-window"
an_expect rtw rst-out-of-window server TIME_WAIT
an_states rtw TIME_WAIT CLOSED
an_field rtw rst-out-of-window detail "1 RST from server not at the sequence number the client's TIME_WAIT expects: ignored"
# A RST at the sender's own FIN (one below what the receiver expects) in
# CLOSE_WAIT: taken, as Linux takes it
f=$FX/rst-after-fin
an_run raf "$f.pcap"
an_only raf "rst-abort"
an_expect raf rst-abort client FIN_WAIT_2 after-fin
an_states raf CLOSED CLOSED

# time-wait-reuse: a new SYN on the 4-tuple while the client is in TIME_WAIT
for v in "" -below; do
    f=$FX/time-wait-reuse$v
    an_run twr$v "$f.pcap"
    an_only twr$v "time-wait-reuse"
    an_expect twr$v time-wait-reuse client
    an_evidence twr$v time-wait-reuse "$(lbl "$f" 2.c.syn)"
    expect_eq "twr$v: time-wait-reuse is on the new connection" 2 "$(an_get twr$v time-wait-reuse conn)"
    an_conn twr$v reused_in_time_wait true 2
done
an_field twr time-wait-reuse isn_above_old true
an_field twr-below time-wait-reuse isn_above_old false
# A SYN below the sequence space of a server in TIME_WAIT: its ACK of the
# old connection refuses it, and the client's RST at that number ends the
# TIME_WAIT - no abort of anything live, and no time-wait-reuse: the SYN
# met the old connection (syn-challenged, reset), on which it is counted,
# and the client is opening (SYN_SENT; Linux sends its SYN again 10 ms
# later); that ACK says nothing about the new connection's bytes (no
# capture-gap); the SYN again after the RST makes the connection, with no
# SYN retransmission of its own and no data after a reset
an_run twf "$FX/time-wait-refused.pcap"
an_only twf "syn-challenged"
an_expect twf syn-challenged server TIME_WAIT
an_field twf syn-challenged outcome reset
expect_eq "twf: connections" 1 "$("$PY" "$AQ" conns "$TMPD/twf.json")"
an_states twf SYN_SENT CLOSED
an_run twfr "$FX/time-wait-refused-retry.pcap"
an_only twfr "syn-challenged"
an_conn twfr client_state ESTABLISHED 2
an_conn twfr server_state ESTABLISHED 2
an_conn twfr client_rst false 2

# ... but not once TIME_WAIT is over (--msl 1: 2 s; the new SYN comes 3 s later)
an_run twx "$FX/time-wait-expired.pcap" --msl 1
an_only twx ""
# a FIN the capture has after the ACK of it (out of order): that ACK
# reached its sender - the server CLOSED, not LAST_ACK with a last ACK lost
# and the capture missed nothing (no capture-gap: the FIN came in time)
an_run lbf "$FX/lastack-before-fin.pcap"
an_states lbf TIME_WAIT CLOSED
an_only lbf ""
an_conn lbf server_fin true
# ... the FIN stamped before that ACK (the file's order is the wire's)
an_run lbfb "$FX/lastack-before-fin-ts-back.pcap"
an_states lbfb TIME_WAIT CLOSED
an_absent lbfb last-ack-lost
# a FIN sent again 200 ms after the ACK of the first (which the capture
# missed, and which the ACK's loss after the capture point made the client
# send again) is no reordered copy: FIN_WAIT_1
an_run fmal "$FX/fin-missed-ack-lost.pcap"
an_conn fmal client_state FIN_WAIT_1
# ... and a first FIN: FIN_WAIT_2, not FIN_WAIT_1
an_run fabs "$FX/fin-acked-before-seen.pcap"
an_states fabs CLOSE_WAIT FIN_WAIT_2
an_only fabs ""
finish
