# tests/kernel/harness.sh - the real-kernel ground-truth harness.  Source it
# after tests/lib.sh:
#     . "$top_srcdir/tests/lib.sh"
#     . "$top_srcdir/tests/kernel/harness.sh"
#     k_setup
#
# Each scenario gets its own three network namespaces,
#
#     client  ==veth==  router  ==veth==  server
#     c<T> 192.0.2.10/26       rc<T> 192.0.2.1/26 | rs<T> 192.0.2.65/26      s<T> 192.0.2.80/26
#          2001:db8::1:10/112        2001:db8::1:1/112 | 2001:db8::2:1/112       2001:db8::2:80/112
#
# (T = the test's PID and a scenario number, so parallel runs never collide;
# only documentation prefixes are used), with forwarding on in the router and
# an nftables table there whose forward chain (through) jumps to chain c2s for what the
# client sends and to s2c for what the server sends.  Real sockets are driven
# by agent.py, one per endpoint namespace, started with ip netns exec.
# tcpdump captures on a router interface: rc (toward the client) or rs
# (toward the server).  A packet nft drops in forward is seen by a capture on
# the interface it came in on, and not by one on the far side: every scenario
# says which it chose and why.
#
# A check freezes the moment (k_freeze: ss in both namespaces, stop or copy
# the capture, ss again), runs tcpfsm on that capture and hands everything to
# judge.py, which prints one PASS, FAIL or UNKNOWABLE line per endpoint.
#
# Servers close their listening socket before a check in which the server's
# connection has ended: an endpoint with no socket counts as LISTEN when a
# listener holds its port, and the test wants the kernel's answer to be the
# connection's own state (CLOSED), not the listener's.
#
# Everything started here is recorded by PID and killed by PID on exit, and
# every namespace is deleted; every wait is bounded.

PATH=$PATH:/usr/sbin:/sbin
KDIR="$top_srcdir/tests/kernel"
PY=/usr/bin/python3
K_PIDS=""
K_NSES=""
K_FDS=""
K_SEQ=0
SCEN=""

# ------------------------------------------------------------ lifecycle ---

k_cleanup() {
    local pid i ns fd
    for pid in $K_PIDS; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in $K_PIDS; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 40 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    K_PIDS=""
    for fd in $K_FDS; do
        eval "exec $fd>&-"
    done
    K_FDS=""
    for ns in $K_NSES; do
        ip netns del "$ns" 2>/dev/null
    done
    K_NSES=""
}

k_exit() {
    k_cleanup
    [ -n "${TMPD:-}" ] && rm -rf "$TMPD"
}

# k_setup: skip unless root; fail if a tool is missing; scratch dir; traps.
k_setup() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: the kernel ground-truth tests need root (network namespaces, nftables, tcpdump)"
        exit 77
    fi
    local t missing=""
    for t in ip ss nft tcpdump; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    [ -x "$PY" ] || missing="$missing $PY"
    if [ -n "$missing" ]; then
        fail "required tools missing:$missing (Debian packages: iproute2 nftables tcpdump python3)"
        finish
    fi
    if [ ! -x "$TCPFSM" ]; then
        fail "no tcpfsm binary at $TCPFSM (build it first)"
        finish
    fi
    scratch
    trap 'k_exit' EXIT
    trap 'k_exit; trap - EXIT; exit 130' INT HUP TERM
}

# k_sh CMD...: run a setup command; on failure, say which and fail.
k_sh() {
    local err
    if ! err=$("$@" 2>&1); then
        fail "$SCEN: setup command failed: $* : $err"
        return 1
    fi
}

# k_begin NAME FAMILY: topology, nftables skeleton and the two agents.
# Sets NS_C NS_R NS_S, IF_C IF_RC IF_RS IF_S, CADDR SADDR.
k_begin() {
    SCEN=$1
    K_SEQ=$((K_SEQ + 1))
    local tag="$$x$K_SEQ" ns
    NS_C="tcpfsm-k$tag-client" NS_R="tcpfsm-k$tag-router" NS_S="tcpfsm-k$tag-server"
    IF_C="c$tag" IF_RC="rc$tag" IF_RS="rs$tag" IF_S="s$tag"
    if [ "$2" = 6 ]; then
        CADDR=2001:db8::1:10 SADDR=2001:db8::2:80
    else
        CADDR=192.0.2.10 SADDR=192.0.2.80
    fi
    echo "# ---- scenario $SCEN (IPv$2): namespaces $NS_C, $NS_R, $NS_S"
    for ns in "$NS_C" "$NS_R" "$NS_S"; do
        k_sh ip netns add "$ns" || return 1
        K_NSES="$K_NSES $ns"
        k_sh ip -n "$ns" link set lo up || return 1
        # no duplicate address detection: new addresses usable at once
        k_sh ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
            net.ipv6.conf.default.accept_dad=0 || return 1
    done
    k_sh ip -n "$NS_C" link add "$IF_C" type veth peer name "$IF_RC" netns "$NS_R" || return 1
    k_sh ip -n "$NS_S" link add "$IF_S" type veth peer name "$IF_RS" netns "$NS_R" || return 1
    k_sh ip -n "$NS_C" addr add 192.0.2.10/26 dev "$IF_C" &&
    k_sh ip -n "$NS_C" addr add 2001:db8::1:10/112 dev "$IF_C" nodad &&
    k_sh ip -n "$NS_R" addr add 192.0.2.1/26 dev "$IF_RC" &&
    k_sh ip -n "$NS_R" addr add 2001:db8::1:1/112 dev "$IF_RC" nodad &&
    k_sh ip -n "$NS_R" addr add 192.0.2.65/26 dev "$IF_RS" &&
    k_sh ip -n "$NS_R" addr add 2001:db8::2:1/112 dev "$IF_RS" nodad &&
    k_sh ip -n "$NS_S" addr add 192.0.2.80/26 dev "$IF_S" &&
    k_sh ip -n "$NS_S" addr add 2001:db8::2:80/112 dev "$IF_S" nodad &&
    k_sh ip -n "$NS_C" link set "$IF_C" up &&
    k_sh ip -n "$NS_R" link set "$IF_RC" up &&
    k_sh ip -n "$NS_R" link set "$IF_RS" up &&
    k_sh ip -n "$NS_S" link set "$IF_S" up &&
    k_links_ready || return 1
    k_sh ip -n "$NS_C" route add default via 192.0.2.1 &&
    k_sh ip -n "$NS_C" -6 route add default via 2001:db8::1:1 &&
    k_sh ip -n "$NS_S" route add default via 192.0.2.65 &&
    k_sh ip -n "$NS_S" -6 route add default via 2001:db8::2:1 &&
    k_sh ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
    k_sh ip netns exec "$NS_R" nft "add table inet k" &&
    k_sh ip netns exec "$NS_R" nft "add chain inet k c2s" &&
    k_sh ip netns exec "$NS_R" nft "add chain inet k s2c" &&
    k_sh ip netns exec "$NS_R" nft "add chain inet k through { type filter hook forward priority 0; policy accept; }" &&
    k_sh ip netns exec "$NS_R" nft "add rule inet k through iifname \"$IF_RC\" jump c2s" &&
    k_sh ip netns exec "$NS_R" nft "add rule inet k through iifname \"$IF_RS\" jump s2c" || return 1
    k_agent_start C "$NS_C" || return 1
    k_agent_start S "$NS_S" || return 1
}

# k_links_ready: wait (at most 5 s) until the four veth ends are up with a
# real queueing discipline.  Until the kernel's link watcher has activated a
# device its qdisc is noop, which drops what is sent (an ARP or neighbour
# solicitation then waits a second for its retry).
k_links_ready() {
    local i=0 ns dev ok ns_dev
    while [ $i -lt 100 ]; do
        ok=1
        for ns_dev in "$NS_C:$IF_C" "$NS_R:$IF_RC" "$NS_R:$IF_RS" "$NS_S:$IF_S"; do
            ns=${ns_dev%%:*} dev=${ns_dev#*:}
            case $(ip -n "$ns" link show dev "$dev" 2>/dev/null) in
            *"qdisc noop"* | *"state DOWN"* | *"LOWERLAYERDOWN"* | "") ok=0 ;;
            esac
        done
        [ $ok = 1 ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "$SCEN: setup: the veth links did not come up within 5 s"
    return 1
}

# k_end: stop everything the scenario started and delete its namespaces.
k_end() {
    local a w
    for a in C S; do
        eval "w=\${K_AW_$a:-}"
        [ -n "$w" ] && printf 'quit\n' 1>&"$w" 2>/dev/null
        eval "K_AW_$a= K_AR_$a="
    done
    k_cleanup
}

# k_run FUNCTION ARGS...: one scenario, always cleaned up after.
k_run() {
    local t0=$SECONDS
    "$@"
    k_end
    echo "# ---- scenario $SCEN took $((SECONDS - t0)) s"
}

# ------------------------------------------------------------- agents ---

# k_agent_start NAME NS
k_agent_start() {
    local name=$1 ns=$2 dir="$TMPD/agent.$K_SEQ.$1" pid wfd rfd
    mkdir -p "$dir" && mkfifo "$dir/in" "$dir/out" || { fail "$SCEN: mkfifo"; return 1; }
    AGENT_LIFETIME=150 ip netns exec "$ns" "$PY" "$KDIR/agent.py" <"$dir/in" >"$dir/out" 2>"$dir/err" &
    pid=$!
    K_PIDS="$K_PIDS $pid"
    exec {wfd}<>"$dir/in"
    exec {rfd}<>"$dir/out"
    K_FDS="$K_FDS $wfd $rfd"
    eval "K_AW_$name=$wfd K_AR_$name=$rfd"
}

# k_do NAME COMMAND...: one agent command; its answer (after "ok") in REPLY.
k_do() {
    local name=$1 w r
    shift
    eval "w=\${K_AW_$name:-} r=\${K_AR_$name:-}"
    if [ -z "$w" ]; then
        fail "$SCEN: no agent $name"
        return 1
    fi
    printf '%s\n' "$*" 1>&"$w"
    if ! IFS= read -r -t 20 -u "$r" REPLY; then
        fail "$SCEN: agent $name did not answer '$*' within 20 s"
        return 1
    fi
    case $REPLY in
    ok*)
        REPLY=${REPLY#ok}
        REPLY=${REPLY# }
        return 0
        ;;
    esac
    fail "$SCEN: agent $name: '$*': $REPLY"
    return 1
}

# k_hello: the server listens (group l) on $SADDR:$P, the client connects
# (group c), the server accepts (group s); "hello" up, "world" down.
k_hello() {
    k_do S listen l "$SADDR" $P &&
    k_do C connect c "$SADDR" $P 1 &&
    k_do S accept l s 1 &&
    k_do C send c hello &&
    k_do S recv s 5 &&
    k_do S send s world &&
    k_do C recv c 5
}

# k_other_traffic GROUP PORT: other traffic on the link, so the capture goes
# on: the client connects (group GROUP) to PORT, where the server listens
# as group l2, the server accepts (group sGROUP), "ping" up.
k_other_traffic() {
    k_do C connect "$1" "$SADDR" "$2" 1 &&
    k_do S accept l2 "s$1" 1 &&
    k_do C send "$1" ping &&
    k_do S recv "s$1" 4
}

# k_close_first C|S: the connection of groups c (client) and s (server),
# closed by that side first; the other reads to end of file, then closes.
k_close_first() {
    if [ "$1" = C ]; then
        k_do C close c && k_do S eof s && k_do S close s
    else
        k_do S close s && k_do C eof c && k_do C close c
    fi
}

# k_wait_closed C|S N: after k_close_first: the side that closed first holds
# N sockets in TIME_WAIT for port $P, and the other none still connected.
k_wait_closed() {
    if [ "$1" = C ]; then
        k_wait "$NS_C" "$2" state time-wait dport = :$P && k_wait "$NS_S" 0 state connected sport = :$P
    else
        k_wait "$NS_S" "$2" state time-wait sport = :$P && k_wait "$NS_C" 0 state connected dport = :$P
    fi
}

# k_nft CHAIN RULE: add a rule to c2s or s2c in the router.
k_nft() {
    echo "# $SCEN: router nft: $1: $2"
    k_sh ip netns exec "$NS_R" nft "add rule inet k $1 $2"
}

k_nft_flush() {
    echo "# $SCEN: router nft: flush $1"
    k_sh ip netns exec "$NS_R" nft "flush chain inet k $1"
}

# ---------------------------------------------------------- observing ---

k_ss() {
    ip netns exec "$1" ss -tanH state all
}

# k_wait NS COUNT SS-FILTER...: wait (at most 10 s) until exactly COUNT
# sockets match `ss -tanH SS-FILTER` in NS.
k_wait() {
    local ns=$1 want=$2 i=0 n=-1
    shift 2
    while [ $i -lt 200 ]; do
        n=$(ip netns exec "$ns" ss -tanH "$@" | wc -l)
        [ "$n" -eq "$want" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "$SCEN: setup: the kernel did not get where the scenario drives it within 10 s: in $ns, 'ss -tanH $*' matches $n sockets, wanted $want"
    # where it did get: every TCP socket of the namespace, with timers
    echo "# $SCEN: the TCP sockets in $ns now:"
    ip netns exec "$ns" ss -tanoH 2>&1 | head -20 | sed 's/^/#   /'
    return 1
}

# k_cap_start LABEL IFACE [NS]: tcpdump on an interface of the router (or
# of namespace NS); the filter is "tcp", or $K_CAPFILTER (a scenario that
# needs ICMP too).
k_cap_start() {
    local f="$TMPD/$SCEN.$1.pcap" ns=${3:-$NS_R} pid i=0
    ip netns exec "$ns" tcpdump -i "$2" -w "$f" -U --immediate-mode -s 200 -Z root -n ${K_CAPFILTER:-tcp} \
        2>"$f.log" &
    pid=$!
    K_PIDS="$K_PIDS $pid"
    eval "K_CP_$1=$pid"
    while ! grep -q "listening on" "$f.log" 2>/dev/null; do
        if [ $i -ge 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            fail "$SCEN: tcpdump on $2 did not start: $(cat "$f.log")"
            return 1
        fi
        sleep 0.05
        i=$((i + 1))
    done
    # (once, under load - make check -j2 - a capture that had said so
    # still missed the scenario's first 100 ms: a moment's grace)
    sleep 0.3
    echo "# $SCEN: capture '$1' on interface $2 of $ns"
}

k_cap_stop() {
    local pid i=0
    eval "pid=\${K_CP_$1:-}"
    [ -n "$pid" ] || return 0
    kill -INT "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    wait "$pid" 2>/dev/null
    eval "K_CP_$1="
}

# k_wait_pkts LABEL COUNT FILTER [PATTERN]: wait (at most 10 s) until the
# capture LABEL holds at least COUNT packets matching the pcap FILTER (and
# whose `tcpdump -n` line matches the grep PATTERN, if given: tcp[] filters
# do not reach into IPv6).
k_wait_pkts() {
    local f="$TMPD/$SCEN.$1.pcap" want=$2 filter=$3 pattern=${4:-.} i=0 n=0
    while [ $i -lt 100 ]; do
        "$PY" "$KDIR/judge.py" pcapcut "$f" "$f.peek" 2>/dev/null &&
            n=$(tcpdump -nr "$f.peek" "$filter" 2>/dev/null | grep -c -- "$pattern")
        [ "$n" -ge "$want" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "$SCEN: setup: capture $1 has $n packets matching '$filter'${4:+ and /$4/} after 10 s, wanted $want"
    return 1
}

# k_freeze SNAP MODE LABEL...: the moment of a check.  ss in both namespaces,
# then each capture stopped (MODE stop) or copied as it is (MODE copy), then
# ss again.  A short pause first lets packets already sent reach the capture.
k_freeze() {
    local snap=$1 mode=$2 label base
    shift 2
    base="$TMPD/$SCEN.$snap"
    sleep 0.2
    k_ss "$NS_C" >"$base.ssc.before"
    k_ss "$NS_S" >"$base.sss.before"
    for label; do
        if [ "$mode" = stop ]; then
            k_cap_stop "$label"
            cp "$TMPD/$SCEN.$label.pcap" "$base.$label.pcap"
        else
            "$PY" "$KDIR/judge.py" pcapcut "$TMPD/$SCEN.$label.pcap" "$base.$label.pcap"
        fi
    done
    k_ss "$NS_C" >"$base.ssc.after"
    k_ss "$NS_S" >"$base.sss.after"
}

# k_judge_while C|S PATTERN SNAP LABEL [judge.py options]: k_judge SNAP
# LABEL, if ss in the client (C) or server (S) namespace still matched
# PATTERN (grep -E) after the snapshot; the kernel may have moved on while
# it was taken (a timer firing), and then the check is skipped, saying so.
k_judge_while() {
    local f
    f="$TMPD/$SCEN.$3.ss$(printf '%s' "$1" | tr CS cs).after"
    if grep -Eq -- "$2" "$f"; then
        shift 2
        k_judge "$@"
    else
        echo "# $SCEN/$3: skipped: the kernel moved on before the snapshot was taken (ss: $(tr '\n' ' ' <"$f"))"
    fi
}

# k_judge SNAP LABEL [judge.py options]: tcpfsm on the frozen capture,
# compared with the frozen kernel state.
k_judge() {
    local snap=$1 label=$2 base rc kind rest
    shift 2
    base="$TMPD/$SCEN.$snap"
    echo "# $SCEN/$snap: kernel, client namespace (ss -tanH state all):"
    sed 's/^/#     /' "$base.ssc.before" | head -n 12
    echo "# $SCEN/$snap: kernel, server namespace (ss -tanH state all):"
    sed 's/^/#     /' "$base.sss.before" | head -n 12
    echo "# $SCEN/$snap: capture '$label' (tcpdump -nr, first 40 packets):"
    tcpdump -ttttt -nr "$base.$label.pcap" 2>/dev/null | head -n 40 | sed 's/^/#     /'
    "$TCPFSM" -r "$base.$label.pcap" --format json >"$base.$label.json" 2>"$base.$label.json.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$SCEN/$snap [$label]: tcpfsm exited with status $rc: $(head -c 300 "$base.$label.json.err")"
    fi
    if ! "$PY" "$KDIR/judge.py" compare --scenario "$SCEN/$snap" --capture "$label" \
        --json "$base.$label.json" \
        --ss-client "$base.ssc.before" "$base.ssc.after" \
        --ss-server "$base.sss.before" "$base.sss.after" "$@" >"$base.$label.judge" 2>&1; then
        fail "$SCEN/$snap [$label]: judge.py failed: $(head -c 500 "$base.$label.judge")"
        return 1
    fi
    while read -r kind rest; do
        case $kind in
        PASS) pass "$rest" ;;
        FAIL) fail "$rest" ;;
        *) echo "# $kind $rest" ;;
        esac
    done <"$base.$label.judge"
}

# k_ss_mark NAME: ss in both namespaces, kept as NAME.ssc / NAME.sss.
k_ss_mark() {
    k_ss "$NS_C" >"$TMPD/$SCEN.$1.ssc"
    k_ss "$NS_S" >"$TMPD/$SCEN.$1.sss"
}

# k_keep SNAP LABEL NAME: with KEEP_CAPTURES set (make-captures.sh), keep the
# frozen capture as NAME.pcap there, with the kernel's and tcpfsm's states.
k_keep() {
    [ -n "${KEEP_CAPTURES:-}" ] && [ -n "$3" ] || return 0
    local base="$TMPD/$SCEN.$1"
    cp "$base.$2.pcap" "$KEEP_CAPTURES/$3.pcap"
    {
        echo "scenario: $SCEN, check $1, capture on router interface $2"
        echo "ss, client namespace:"
        sed 's/^/    /' "$base.ssc.before"
        echo "ss, server namespace:"
        sed 's/^/    /' "$base.sss.before"
        echo "tcpfsm:"
        "$PY" "$KDIR/judge.py" states "$base.$2.json" | sed 's/^/    /'
    } >"$KEEP_CAPTURES/$3.txt"
}
