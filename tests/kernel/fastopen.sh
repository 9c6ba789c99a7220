#!/bin/bash
# Kernel ground truth: TCP Fast Open (RFC 7413), data in the SYN.
#   fastopen          the server accepts data in a SYN (TCP_FASTOPEN on its
#                     listener): a first connection fetches the cookie, the
#                     second sends "hello" in its SYN, which the SYN-ACK
#                     acknowledges with the SYN; checked while both are
#                     open (ESTABLISHED) and after the client closed first
#                     (client TIME_WAIT, server CLOSED)
#   fastopen-ignored  the client sends data in its SYN without a cookie
#                     (net.ipv4.tcp_fastopen=5), the server does not take
#                     it (Fast Open off): the SYN-ACK acknowledges only
#                     the SYN and the client sends the data again after the
#                     handshake; the server closes first (server TIME_WAIT,
#                     client CLOSED).  Over IPv6.
#   fastopen-ack-lost as fastopen, but the router drops the client's bare
#                     ACKs to the server port (captured first, on rc): the
#                     server's Fast Open socket, which took "hello" with
#                     the SYN, sends its SYN-ACK again (after 1 s) and
#                     stays SYN-RECV; then the rule goes, and the client's
#                     ACK of the next SYN-ACK (3 s) completes it: ss
#                     ESTAB.  No accept queue holds a Fast Open socket:
#                     the SYN-ACK again after the client's ACK is that ACK
#                     lost, not ignored - no listen-overflow, and the next
#                     ACK is not ignored.  Over IPv4 and IPv6.
# Linux counts a SYN's data in the sequence space like any other data: a
# tracker that took the SYN for one sequence number would find the ACKs
# past what was sent.  Besides the states, the SYN's 5 bytes must count in
# the client's bytes (once where the server took them, twice where it made
# the client send them again: client_bytes counts retransmissions).
# No packet is dropped; all capture on rc.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=8080

# syn_data SNAP LABEL: the frozen capture has a SYN carrying data (else the
# kernel did not do what the scenario is about, and the test says so).
syn_data() {
    local f="$TMPD/$SCEN.$1.$2.pcap"
    if tcpdump -nr "$f" 2>/dev/null | grep -Eq 'Flags \[S\], seq [0-9]+:[0-9]+, .*length 5'; then
        pass "$SCEN/$1: the client's SYN carries 5 bytes of data"
    else
        fail "$SCEN/$1: setup: no SYN with data in the capture (does this kernel do TCP Fast Open?)"
        tcpdump -nr "$f" 2>/dev/null | head -5 | sed 's/^/#     /'
    fi
}

# conn_field SNAP LABEL LPORT FIELD: FIELD of the connection from client
# port LPORT in tcpfsm's JSON of the frozen capture
conn_field() {
    "$PY" - "$TMPD/$SCEN.$1.$2.json" "$3" "$4" <<'EOF'
import json, sys
path, port, field = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for line in open(path):
    r = json.loads(line)
    if r.get("type") == "conn" and r.get("client_port") == port:
        print(json.dumps(r.get(field)))
        break
else:
    print("(no connection from port %d)" % port)
EOF
}

# hello_world: the server takes connection c from its listener (and closes
# the listener), reads the client's 5 bytes and answers with 5
hello_world() {
    k_do S accept l s 1 &&
    k_do S unlisten l &&
    k_do S recv s 5 &&
    k_do S send s world &&
    k_do C recv c 5
}

# cookie_first: Fast Open on (client side 1, server side 2), the capture
# on rc, a listener taking data in SYNs; a first connection (groups first,
# sfirst) asks for a cookie, its data ("hi") following the handshake
cookie_first() {
    k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_fastopen=1 &&
    k_sh ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_fastopen=2 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P 128 fastopen=16 || return
    k_do C tfoconnect first "$SADDR" $P hi &&
    k_do S accept l sfirst 1 &&
    k_do S recv sfirst 2
}

fastopen() {
    k_begin fastopen 4 || return
    cookie_first || return
    k_do C close first &&
    k_do S eof sfirst &&
    k_do S close sfirst || return
    # the second sends its data in the SYN, with the cookie
    k_do C tfoconnect c "$SADDR" $P hello || return
    local port=${REPLY%%:*}
    hello_world || return
    k_wait "$NS_C" 1 state established dport = :$P || return
    k_freeze mid copy rc
    syn_data mid rc
    k_judge mid rc --expect-conns 2
    k_close_first C || return
    k_wait_closed C 2 || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 2
    expect_eq "$SCEN/end: client_bytes of the connection with data in its SYN (hello, then nothing)" \
        5 "$(conn_field end rc "$port" client_bytes)"
    expect_eq "$SCEN/end: anomalies of the connection with data in its SYN" \
        "[]" "$(conn_field end rc "$port" anomalies)"
    k_keep end rc fastopen
}

fastopen_ignored() {
    k_begin fastopen-ignored 6 || return
    # client on, data in the SYN even without a cookie (1 | 4); server off
    k_sh ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_fastopen=5 &&
    k_sh ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_fastopen=0 || return
    k_cap_start rc "$IF_RC" || return
    k_do S listen l "$SADDR" $P &&
    k_do C tfoconnect c "$SADDR" $P hello || return
    local port=${REPLY%%:*}
    hello_world &&
    k_close_first S || return
    k_wait_closed S 1 || return
    k_freeze end stop rc
    syn_data end rc
    k_judge end rc --expect-conns 1
    expect_eq "$SCEN/end: client_bytes (hello in the SYN, hello again after the handshake)" \
        10 "$(conn_field end rc "$port" client_bytes)"
}

fastopen_ack_lost() { # FAMILY
    local why="the client's ACKs were captured on rc and dropped after it, in forward"
    k_begin fastopen-ack-lost "$1" || return
    cookie_first || return
    k_nft c2s "tcp dport $P tcp flags & (fin | syn | rst | psh | ack) == ack drop" || return
    k_do C tfoconnect c "$SADDR" $P hello || return
    local port=${REPLY%%:*}
    # the SYN-ACK and the one sent again after 1 s (port $port's)
    k_wait_pkts rc 2 "tcp src port $P and tcp dst port $port" "Flags \[S\.\]" || return
    k_freeze dropping copy rc
    syn_data dropping rc
    k_judge dropping rc --expect-conns 2 --unknowable "server@$P=$why"
    k_nft_flush c2s || return
    k_wait "$NS_S" 1 state established sport = :$P dport = :$port || return
    k_freeze end stop rc
    k_judge end rc --expect-conns 2
    expect_eq "$SCEN/end: anomalies of the connection whose ACK was lost" \
        "[]" "$(conn_field end rc "$port" anomalies)"
}

k_run fastopen
k_run fastopen_ignored
k_run fastopen_ack_lost 4
k_run fastopen_ack_lost 6
finish
