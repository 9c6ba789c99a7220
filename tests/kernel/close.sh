#!/bin/bash
# Kernel ground truth: orderly closes, over IPv4 and IPv6.
#   close-by-client   the client closes first: client TIME_WAIT, server CLOSED
#   close-by-server   the server closes first: server TIME_WAIT, client CLOSED
#   half-close        the client shuts down writing, the server never closes:
#                     client FIN_WAIT_2, server CLOSE_WAIT
# No packet is dropped, so the capture point does not matter; all capture on
# rc, the router's interface toward the client.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

# open FAMILY NAME: a connection with a little data each way, capture running
open_conn() {
    k_begin "$2" "$1" || return 1
    k_cap_start rc "$IF_RC" || return 1
    k_hello
}

close_by_client() { # FAMILY NAME KEEP
    open_conn "$1" "$2" || return
    k_close_first C &&
    k_do S unlisten l || return
    k_wait_closed C 1 || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc "$3"
}

close_by_server() { # FAMILY NAME KEEP
    open_conn "$1" "$2" || return
    k_do S close s &&
    k_do S unlisten l &&
    k_do C eof c &&
    k_do C close c || return
    k_wait_closed S 1 || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc "$3"
}

half_close() { # FAMILY NAME KEEP
    open_conn "$1" "$2" || return
    k_do C shutdown c wr &&
    k_do S eof s || return
    k_wait "$NS_C" 1 state fin-wait-2 dport = :$P &&
    k_wait "$NS_S" 1 state close-wait sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc "$3"
}

k_run close_by_client 4 close-by-client normal-close
k_run close_by_server 4 close-by-server server-close
k_run half_close 4 half-close close-wait-stuck
k_run close_by_client 6 close-by-client-v6 ipv6-normal-close
k_run close_by_server 6 close-by-server-v6 ""
k_run half_close 6 half-close-v6 ipv6-close-wait-stuck
finish
