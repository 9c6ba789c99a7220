#!/bin/bash
# Kernel ground truth: packets lost on the way (nft drops them in the
# router's forward path).
#   simultaneous-close  both ends close while each other's FIN is held back:
#                       both FIN_WAIT_1, then CLOSING / FIN_WAIT_2, then both
#                       TIME_WAIT
#   lost-final-ack      the client's last ACK never arrives: server LAST_ACK
#                       (retransmitting its FIN), client TIME_WAIT
#   syn-blackholed      SYNs to the server are dropped: client SYN_SENT
#   synrcvd-ack-dropped the handshake's third segment is dropped: server
#                       SYN_RCVD (ss: SYN-RECV), client ESTABLISHED
#   syncookie-ack-dropped  the same with a server that answers every SYN
#                       with a SYN cookie (net.ipv4.tcp_syncookies=2): it
#                       keeps no socket, so its state is the listener's
#                       (unknowable from the wire: the capture shows the
#                       same SYN-ACK); then the client's data, with the
#                       cookie in its ACK, makes both ESTABLISHED
#   fin-held-back       the server's FIN,ACK is held at the router (no ARP)
#                       while the client sends its FIN again; delivered
#                       late, only the client's ACK of it shows it arrived:
#                       client TIME_WAIT, server CLOSED
# Capture points: tcpdump on a router interface sees a packet that arrives
# there even when nft then drops it in forward; a capture on the far
# interface never sees it.  Each scenario says which it uses and why, and
# where a capture point cannot tell an endpoint's state the check prints
# UNKNOWABLE instead of passing.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

open_conn() { # FAMILY NAME CAPTURE...: captures started, then a connection
    local cap
    k_begin "$2" "$1" || return 1
    shift 2
    for cap; do
        if [ "$cap" = rc ]; then
            k_cap_start rc "$IF_RC" || return 1
        else
            k_cap_start rs "$IF_RS" || return 1
        fi
    done
    k_hello
}

# Simultaneous close.  FINs are dropped in both directions until both ends
# have closed, so both sit in FIN_WAIT_1 retransmitting; then the server's
# FINs are let through (client CLOSING, server FIN_WAIT_2: it got the ACK of
# its FIN but not the client's FIN); then the client's (both TIME_WAIT).
# Capture on rc.  No single capture point sees this exchange whole: rc sees
# the client's first FIN, which is then dropped, so until that FIN is really
# delivered the server's state cannot be told from rc (rs would have the
# mirror-image problem with the client).  The final states can.
simultaneous_close() {
    local why
    why="the client's FIN was captured on rc and then dropped by nft in forward, so rc"
    why="$why cannot tell that the server never got it; the server's own FIN was dropped"
    why="$why before it could reach rc"
    open_conn 4 simultaneous-close rc || return
    k_do S unlisten l &&
    k_nft c2s "tcp flags & fin == fin drop" &&
    k_nft s2c "tcp flags & fin == fin drop" &&
    k_do C close c &&
    k_do S close s || return
    k_wait "$NS_C" 1 state fin-wait-1 dport = :$P &&
    k_wait "$NS_S" 1 state fin-wait-1 sport = :$P || return
    k_freeze both-fin-wait-1 copy rc
    k_judge both-fin-wait-1 rc --expect-conns 1 --unknowable "server=$why"

    k_nft_flush s2c || return
    k_wait "$NS_C" 1 state closing dport = :$P &&
    k_wait "$NS_S" 1 state fin-wait-2 sport = :$P || return
    k_freeze closing copy rc
    k_judge closing rc --expect-conns 1 --unknowable "server=$why"

    k_nft_flush c2s || return
    k_wait "$NS_C" 1 state time-wait dport = :$P &&
    k_wait "$NS_S" 1 state time-wait sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc simultaneous-close
}

# Lost final ACK.  After the data, nft drops every pure ACK the client
# sends, so the ACK of the server's FIN never arrives and the server stays
# in LAST_ACK, retransmitting its FIN (each answered by an ACK that is
# dropped too).  Capture on rs, the far side of the drop: the dropped ACKs
# never appear, so both states are knowable.  A second capture on rc shows
# the near side: there the last packet is always the client's ACK, which
# rc saw and the server never got: the server's state is unknowable there.
lost_final_ack() {
    open_conn 4 lost-final-ack rs rc || return
    k_nft c2s "tcp dport $P tcp flags == ack drop" &&
    k_do C close c &&
    k_do S eof s &&
    k_do S close s &&
    k_do S unlisten l || return
    k_wait "$NS_C" 1 state time-wait dport = :$P &&
    k_wait "$NS_S" 1 state last-ack sport = :$P || return
    # at least one retransmission of the server's FIN
    k_wait_pkts rs 2 "src host $SADDR and tcp[tcpflags] & tcp-fin != 0" || return
    k_freeze end stop rs rc
    k_judge end rs --expect-conns 1
    k_judge end rc --expect-conns 1 --unknowable \
        "server=the client's ACKs of the server's FIN were captured on rc and then dropped by nft in forward"
    k_keep end rs lost-final-ack
}

# SYN blackholed.  nft drops SYNs to the server (which listens), so the
# client stays in SYN_SENT, retransmitting.  Capture on rc, the near side:
# rs sees nothing at all.  From rc the server's state cannot be known: the
# SYNs it shows never reached the server, and whether anything listens there
# is not on the wire.  The rs capture is judged too, to show that.
syn_blackholed() {
    k_begin syn-blackholed 4 || return
    k_cap_start rc "$IF_RC" &&
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & (syn | ack) == syn drop" &&
    k_do C connect c "$SADDR" $P 1 nb || return
    k_wait "$NS_C" 1 state syn-sent dport = :$P || return
    # at least one retransmission of the SYN (after about 1 s)
    k_wait_pkts rc 2 "tcp[tcpflags] & tcp-syn != 0" || return
    k_freeze end stop rc rs
    k_judge end rc --expect-conns 1 --unknowable \
        "server=the SYNs were captured on rc and then dropped by nft in forward: the server never saw them, and the capture cannot show whether it listens"
    k_judge end rs --expect-conns 0 --unknowable \
        "client=nothing the client sent reached rs" --unknowable \
        "server=nothing reached the server"
    k_keep end rc syn-blackholed
}

# Handshake ACK dropped.  nft drops every segment from the client to the
# server port that has no SYN: the client gets the SYN-ACK and is
# ESTABLISHED, its ACK never arrives, the server stays in SYN_RCVD and
# retransmits the SYN-ACK.  The client sends no data.  Capture on rs, the
# far side: knowable.  A second capture on rc sees the client's ACKs, each of
# which the server never got: the server's state is unknowable there.
synrcvd_ack_dropped() {
    k_begin synrcvd-ack-dropped 4 || return
    k_cap_start rs "$IF_RS" &&
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & syn != syn drop" &&
    k_do C connect c "$SADDR" $P 1 || return
    k_wait "$NS_C" 1 state established dport = :$P &&
    k_wait "$NS_S" 1 state syn-recv sport = :$P || return
    # at least one retransmission of the SYN-ACK (after about 1 s)
    k_wait_pkts rs 2 "tcp[tcpflags] & tcp-syn != 0 and src host $SADDR" || return
    k_freeze end stop rs rc
    k_judge end rs --expect-conns 1
    k_judge end rc --expect-conns 1 --unknowable \
        "server=the client's ACKs were captured on rc and then dropped by nft in forward"
    k_keep end rs synrcvd-ack-dropped
}

# SYN cookies.  The server's namespace answers every SYN with a cookie and
# keeps no state for it; nft drops the client's handshake ACK, as above.
# The server has no SYN-RECV socket, only its listener, and retransmits no
# SYN-ACK: a capture cannot tell this from a server in SYN_RCVD, which is
# what tcpfsm infers (unknowable).  Then the drop is lifted and the client
# sends data: its ACK carries the cookie back, the server makes the
# connection (ESTABLISHED) and accepts it.  Capture on rs, where the dropped
# ACK never arrives.
syncookie_ack_dropped() {
    k_begin syncookie-ack-dropped 4 || return
    k_sh ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2 || return
    k_cap_start rs "$IF_RS" || return
    k_do S listen l "$SADDR" $P &&
    k_nft c2s "tcp dport $P tcp flags & syn != syn drop" &&
    k_do C connect c "$SADDR" $P 1 || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    # past the first SYN-ACK retransmission a SYN_RCVD socket would make
    # (after 1 s): a cookie server makes none
    sleep 1.5
    k_wait "$NS_S" 0 state syn-recv sport = :$P || return
    local synacks
    "$PY" "$KDIR/judge.py" pcapcut "$TMPD/$SCEN.rs.pcap" "$TMPD/$SCEN.rs.peek" &&
        synacks=$(tcpdump -nr "$TMPD/$SCEN.rs.peek" "tcp[tcpflags] & tcp-syn != 0 and src host $SADDR" 2>/dev/null | wc -l)
    expect_eq "$SCEN: setup: one SYN-ACK, never retransmitted (a SYN cookie), no SYN-RECV socket" 1 "$synacks"
    k_freeze cookie copy rs
    k_judge cookie rs --expect-conns 1 --unknowable \
        "server=a SYN cookie: the server keeps no socket until the ACK comes back, and its SYN-ACK looks like any other"
    k_nft_flush c2s &&
    k_do C send c hello &&
    k_do S accept l s 1 &&
    k_do S recv s 5 || return
    k_wait "$NS_S" 1 state established sport = :$P || return
    k_freeze established copy rs
    k_judge established rs --expect-conns 1
    k_close_first C &&
    k_do S unlisten l || return
    k_wait_closed C 1 || return
    k_freeze end stop rs
    k_judge end rs --expect-conns 1
}

# FIN held back.  The router stops learning the client's link address
# (nft drops the client's ARP in the router's arp input; its neighbour entry
# is deleted), so what the server sends from then on waits in the router's
# neighbour queue, already captured on rs.  The client closes; the server's
# FIN,ACK is captured and held; the client, which has no answer, sends its
# FIN again (without acknowledging the server's: it has not got it), which
# moves it back to FIN_WAIT_1 (table rule 2); the server answers each with
# an ACK, also held.  Then ARP is let through: the router's next solicitation
# is answered and the held segments reach the client in order, which goes to
# TIME_WAIT and sends its ACK of the server's FIN - the only packet that
# shows the FIN arrived, since the server (its minimum RTO raised to 5 s on
# its route) never sends it again.  The server takes the ACK and is CLOSED.
# Capture on rs, before the hold: every packet it shows was delivered, only
# late.  Without the snd_ack_peerfin event (an ACK covering the peer's FIN)
# the client stayed in FIN_WAIT_2 and was reported fin-wait-2-stuck.
fin_held_back() {
    local rtx
    k_begin fin-held-back 4 || return
    k_sh ip -n "$NS_S" route replace default via 192.0.2.65 rto_min 5000ms &&
    k_cap_start rs "$IF_RS" &&
    k_hello || return
    k_sh ip netns exec "$NS_R" nft "add table arp hold" &&
    k_sh ip netns exec "$NS_R" nft "add chain arp hold in { type filter hook input priority 0; policy accept; }" &&
    k_sh ip netns exec "$NS_R" nft "add rule arp hold in iifname \"$IF_RC\" drop" &&
    k_sh ip -n "$NS_R" neigh flush dev "$IF_RC" || return
    echo "# $SCEN: router: ARP from the client dropped, neighbour entries on $IF_RC flushed"
    k_close_first C &&
    k_do S unlisten l || return
    # the client's FIN sent again (after about 0.2 s): it has no answer yet
    k_wait_pkts rs 2 "src host $CADDR and tcp[tcpflags] & tcp-fin != 0" || return
    k_sh ip netns exec "$NS_R" nft "delete table arp hold" || return
    echo "# $SCEN: router: ARP let through"
    k_wait_closed C 1 || return
    k_freeze end stop rs
    rtx=$(tcpdump -nr "$TMPD/$SCEN.end.rs.pcap" "src host $SADDR and tcp[tcpflags] & tcp-fin != 0" 2>/dev/null | wc -l)
    expect_eq "$SCEN: setup: the server sent its FIN once (held, not retransmitted)" 1 "$rtx"
    k_judge end rs --expect-conns 1
    k_keep end rs fin-held-back
    # the diagnosis the old inference made, at any age (--stuck-after 0)
    expect_eq "$SCEN: no fin-wait-2-stuck, even with --stuck-after 0" 0 \
        "$("$TCPFSM" -r "$TMPD/$SCEN.end.rs.pcap" --stuck-after 0 --format json | grep -c '"fin-wait-2-stuck"')"
}

k_run simultaneous_close
k_run lost_final_ack
k_run syn_blackholed
k_run synrcvd_ack_dropped
k_run syncookie_ack_dropped
k_run fin_held_back
finish
