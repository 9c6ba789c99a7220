#!/bin/bash
# Kernel ground truth: a 4-tuple used again while one end is in TIME_WAIT.
#   reuse-client-time-wait  the client closes first (client TIME_WAIT), then
#                           binds the same source port again and connects to
#                           the same server port: Linux lets the new
#                           connection take over the TIME_WAIT socket
#                           (SO_REUSEADDR, and tcp_tw_reuse=1 inside the
#                           client's namespace only)
#   reuse-server-time-wait  the server closes first (server TIME_WAIT), then
#                           the client connects again from the same port: the
#                           server's TIME_WAIT socket accepts the new SYN
# Checks: the first connection's states just before the new SYN (from a copy
# of the capture), then the second connection's states, and that tcpfsm
# marks it "reused":true, "reuse_of" the first, and "reused_in_time_wait" as
# the kernel's ss showed (a TIME-WAIT socket on that 4-tuple just before the
# new SYN).  No packet is dropped; all capture on rc.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

reuse() { # WHO-CLOSES-FIRST(client|server) NAME KEEP
    local first=$1 cport
    k_begin "$2" 4 || return
    if [ "$first" = client ]; then
        k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1 || return
    fi
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect c1 "$SADDR" $P 1 reuse &&
    cport=${REPLY%%:*} &&
    k_do S accept l s1 1 &&
    k_do C send c1 hello &&
    k_do S recv s1 5 &&
    k_do S send s1 world &&
    k_do C recv c1 5 || return
    if [ "$first" = client ]; then
        k_do C close c1 &&
        k_do S eof s1 &&
        k_do S close s1 || return
        k_wait_closed C 1 || return
    else
        k_do S close s1 &&
        k_do C eof c1 &&
        k_do C close c1 || return
        k_wait_closed S 1 || return
    fi
    # The server's listener is closed for the first check, so that the
    # kernel's answer for an ended connection is CLOSED, then reopened.
    k_do S unlisten l || return
    k_freeze first copy rc
    k_judge first rc --expect-conns 1
    k_do S listen l "$SADDR" $P || return

    k_ss_mark before-reuse
    k_do C connect c2 "$SADDR" $P 1 "bind=$cport" reuse retry || return
    case $REPLY in
    "$cport:0") ;;
    *) fail "$SCEN: setup: connecting again from port $cport answered '$REPLY'"; return ;;
    esac
    k_do S accept l s2 1 &&
    k_do C send c2 again &&
    k_do S recv s2 5 || return
    k_wait "$NS_C" 1 state established dport = :$P &&
    k_wait "$NS_S" 1 state established sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1 --expect-reuse \
        --reuse-ss "$TMPD/$SCEN.before-reuse.ssc" "$TMPD/$SCEN.before-reuse.sss"
    k_keep end rc "$3"
}

k_run reuse client reuse-client-time-wait port-reuse-client-time-wait
k_run reuse server reuse-server-time-wait port-reuse-server-time-wait
finish
