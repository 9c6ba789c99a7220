#!/bin/bash
# Kernel ground truth: a socket connected to itself.  The client binds port
# $P and connects to its own address at $P, with nothing listening there:
# Linux sends the SYN to itself, takes it in SYN_SENT as a crossing SYN
# (simultaneous open), answers with a SYN-ACK that comes back too, and the
# socket is ESTABLISHED - with itself (ss: local and peer the same).  It
# sends "hello" and reads it back; then it shuts down its sending side and
# reads its own FIN: TIME_WAIT.  Every segment is both sent and received by
# the one socket, so both of tcpfsm's endpoint records must hold that
# socket's state (tcpfsm said TIME_WAIT for the client, CLOSED inferred for
# the server, a one-sided capture, and "1 attempted, 0 completed").
#   est     after the data: both ESTABLISHED, as ss; anomaly self-connect,
#           not one-sided nor simultaneous-open; each record has the
#           socket's segments
#   tw      after the close: both TIME_WAIT, as ss; not simultaneous-close
# IPv4 and IPv6.  The capture is on lo in the client's namespace, where
# traffic to its own address goes.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/harness.sh"
k_setup

P=47001

# self_check SNAP WANT: the capture as it is now, and ss, against tcpfsm
self_check() {
    local snap=$1 want=$2 base="$TMPD/$SCEN.$1" got
    sleep 0.2
    ip netns exec "$NS_C" ss -tanH state all "sport = :$P" >"$base.ss"
    "$PY" "$KDIR/judge.py" pcapcut "$TMPD/$SCEN.lo.pcap" "$base.pcap" || {
        fail "$SCEN/$snap: cannot copy the capture"
        return 1
    }
    echo "# $SCEN/$snap: ss in the client namespace:"
    sed 's/^/#     /' "$base.ss"
    echo "# $SCEN/$snap: capture (tcpdump -nr):"
    tcpdump -ttttt -nr "$base.pcap" 2>/dev/null | head -n 20 | sed 's/^/#     /'
    if ! "$TCPFSM" -r "$base.pcap" --format json >"$base.json" 2>"$base.err"; then
        fail "$SCEN/$snap: tcpfsm failed: $(head -c 300 "$base.err")"
        return 1
    fi
    # the kernel's one socket, local address = peer address
    got=$("$PY" -c 'import sys
names = {"ESTAB": "ESTABLISHED"}
for l in open(sys.argv[1]):
    w = l.split()
    if len(w) >= 5 and w[3] == w[4]:
        print(names.get(w[0], w[0].replace("-", "_")), end="")' "$base.ss")
    expect_eq "$SCEN/$snap: ss has one socket connected to itself, in $want" "$want" "$got"
    expect_eq "$SCEN/$snap: tcpfsm: one connection, both endpoints in the socket's state ($want), neither inferred" \
        "1 $want $want False False" \
        "$("$PY" -c 'import json, sys
conns = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "conn"]
c = conns[0] if conns else {}
print(len(conns), c.get("client_state"), c.get("server_state"), bool(c.get("client_state_inferred")),
      bool(c.get("server_state_inferred")), end="")' "$base.json")"
    expect_eq "$SCEN/$snap: tcpfsm: the anomalies say self-connect (not one-sided, simultaneous-open or -close)" \
        "self-connect" \
        "$("$PY" -c 'import json, sys
for o in map(json.loads, open(sys.argv[1])):
    if o.get("type") == "conn":
        print(" ".join(sorted(o.get("anomalies", []))), end="")' "$base.json")"
    # every packet sent by the socket, and received by it: each record's
    local n
    n=$(tcpdump -nr "$base.pcap" 2>/dev/null | wc -l)
    expect_eq "$SCEN/$snap: tcpfsm: each record has the socket's $n segments" "$n $n" \
        "$("$PY" -c 'import json, sys
for o in map(json.loads, open(sys.argv[1])):
    if o.get("type") == "conn":
        print(o.get("client_pkts"), o.get("server_pkts"), end="")' "$base.json")"
}

self_connect() { # FAMILY
    k_begin "self-connect-v$1" "$1" || return
    k_cap_start lo lo "$NS_C" || return
    k_do C connect c "$CADDR" $P 1 bind=$P || return
    k_wait "$NS_C" 1 state established sport = :$P || return
    k_do C send c hello && k_do C recv c 5 || return
    self_check est ESTABLISHED
    k_do C shutdown c wr && k_do C eof c || return
    k_wait "$NS_C" 1 state time-wait sport = :$P || return
    self_check tw TIME_WAIT
}

k_run self_connect 4
k_run self_connect 6
finish
