#!/bin/bash
# Kernel ground truth: resets.
#   refused             no listener: the server answers the SYN with RST;
#                       both CLOSED (ss has no socket on either side)
#   rst-abort-client    established, then the client closes with SO_LINGER
#                       {1, 0} and sends RST: both CLOSED
#   rst-abort-server    the same, the server aborting
# No packet is dropped; all capture on rc.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

refused() {
    k_begin refused 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do C connect c "$SADDR" $P 1 || return
    case $REPLY in
    *:ECONNREFUSED) ;;
    *) fail "refused: setup: connect to a port without listener answered '$REPLY', not ECONNREFUSED"; return ;;
    esac
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc refused
}

rst_abort() { # WHO(C|S) NAME KEEP
    local who=$1 other
    [ "$who" = C ] && other=S || other=C
    k_begin "$2" 4 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C connect x "$SADDR" $P 1 &&
    k_do S accept l x 1 &&
    k_do S unlisten l &&
    k_do C send x hello &&
    k_do S recv x 5 &&
    k_do S send x world &&
    k_do C recv x 5 &&
    k_do "$who" linger0 x &&
    k_do "$who" close x || return
    k_wait "$NS_C" 0 state connected dport = :$P &&
    k_wait "$NS_S" 0 state connected sport = :$P || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 1
    k_keep end rc "$3"
}

k_run refused
k_run rst_abort C rst-abort-client rst-abort
k_run rst_abort S rst-abort-server ""
finish
