#!/bin/bash
# tests/ui/robust.sh - a live capture that loses its interface, or is ended
# by SIGHUP, exits cleanly with its final report written: the veth it
# captures on is deleted under it (exit 1, one sentence naming the
# interface, the report of what was captured), and SIGHUP ends it like
# SIGTERM (exit 0, the report).  With the screen open, losing the interface
# leaves the view up, saying so, until q, and the terminal is restored.
# Needs root (network namespaces, live capture).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
u_setup root

ns=tfrb-$$
ip netns add "$ns" || { fail "ip netns add"; finish; }
U_NSES="$U_NSES $ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add rba type veth peer name rbb
ip -n "$ns" addr add 192.0.2.1/30 dev rba
ip -n "$ns" addr add 192.0.2.2/30 dev rbb
ip -n "$ns" link set rba up
ip -n "$ns" link set rbb up

# a little traffic while capturing (answered or refused, it does not matter)
poke() {
    ip netns exec "$ns" "$PY" - <<'PY'
import socket
for port in (8080, 8081):
    s = socket.socket()
    s.settimeout(0.3)
    try:
        s.connect(("192.0.2.2", port))
    except OSError:
        pass
    s.close()
PY
}

# wait_for FILE REGEX: up to ~10 s for FILE to contain REGEX
wait_for() {
    local i
    for i in $(seq 100); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- 1. the interface disappears under a --no-ui capture
ip netns exec "$ns" "$TCPFSM" -i rba --no-ui --interval 1 --format json >"$TMPD/gone.out" 2>"$TMPD/gone.err" &
pid=$!
U_PIDS="$U_PIDS $pid"
wait_for "$TMPD/gone.out" '"type":"snapshot"' || fail "no snapshot before the interface went"
poke
sleep 0.5
ip -n "$ns" link del rba
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    fail "tcpfsm still running 10 s after its interface was deleted"
    kill -KILL "$pid"
fi
wait "$pid"
rc=$?
expect_eq "interface deleted: exit status 1 (the interface failed)" 1 "$rc"
if [ "$(wc -l <"$TMPD/gone.err")" -ge 1 ] && grep -q "rba" "$TMPD/gone.err"; then
    pass "interface deleted: stderr names the interface: $(head -n 1 "$TMPD/gone.err")"
else
    fail "interface deleted: stderr was: $(cat "$TMPD/gone.err")"
fi
last=$(tail -n 1 "$TMPD/gone.out")
if printf '%s\n' "$last" | jq -e '.type == "summary"' >/dev/null 2>&1; then
    pass "interface deleted: the final report is written"
    expect_eq "interface deleted: the report says the capture was damaged" true \
        "$(printf '%s\n' "$last" | jq -r .damaged)"
else
    fail "interface deleted: no summary at the end: $last"
fi
if ! grep -v '^{' "$TMPD/gone.out" | grep -q .; then pass "interface deleted: only JSON lines on stdout"; else fail "stray output"; fi

# --- 2. SIGHUP ends a --no-ui capture like SIGTERM
ip -n "$ns" link add rba type veth peer name rbc
ip -n "$ns" addr add 192.0.2.5/30 dev rba
ip -n "$ns" link set rba up
ip -n "$ns" link set rbc up
ip netns exec "$ns" "$TCPFSM" -i rba --no-ui --interval 1 >"$TMPD/hup.out" 2>"$TMPD/hup.err" &
pid=$!
U_PIDS="$U_PIDS $pid"
wait_for "$TMPD/hup.out" 'snapshot|Endpoint|packets' || wait_for "$TMPD/hup.err" 'listening|capturing' || true
sleep 1
kill -HUP "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait "$pid"
expect_eq "SIGHUP: exit status 0" 0 "$?"
if grep -q "^Endpoint states at end of capture" "$TMPD/hup.out"; then
    pass "SIGHUP: the final report is written"
else
    fail "SIGHUP: no report; stdout ends: $(tail -n 3 "$TMPD/hup.out")"
fi

# --- 3. with the screen: the view stays, says so, and q restores the terminal
ip -n "$ns" link add rba type veth peer name rbd 2>/dev/null || ip -n "$ns" link del rba
ip -n "$ns" link add rba type veth peer name rbd 2>/dev/null
ip -n "$ns" link set rba up
ip -n "$ns" link set rbd up
U_NS=$ns
u_term 100 30
u_keys "$TCPFSM -i rba" Enter
check_screen "screen: the live view is up" "LIVE"
ip -n "$ns" link del rba
check_screen "screen: the header says the capture failed, and why" 'CAPTURE FAILED: .*(interface|device|went down|disappeared|No such)'
# time stops at the failure: the header's clock (capture time) stays, and
# connections would not age from time nothing could be captured in
t1=$(u_screen | grep -o 'CAPTURE FAILED.*[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' | tail -1)
sleep 2.2
t2=$(u_screen | grep -o 'CAPTURE FAILED.*[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' | tail -1)
if [ -n "$t1" ] && [ "$t1" = "$t2" ]; then pass "screen: the clock stopped at the failure ($t1)"
else fail "screen: the clock went on after the failure: '$t1' then '$t2'; $(u_screen | head -3)"; fi
u_keys q
check_prompt "screen: q leaves a clean terminal"
finish
