#!/bin/bash
# tests/ui/replay.sh - `tcpfsm -r FILE --ui` on the shipped captures, in a
# real terminal (tmux): the final picture of every capture in captures/ agrees
# with the report's endpoint states, the view stays until q, --speed paces the
# replay by the packets' timestamps, and without a terminal the same run
# prints snapshots and the report (text and JSON).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
u_setup
CAPS=$top_srcdir/captures
u_term 150 42

# --- the classic: a server that never closes
u_keys "$TCPFSM -r $CAPS/close-wait-stuck.pcap --ui --stuck-after 0 --refresh 100" Enter
check_screen "replay: the view ends on REPLAY DONE" "REPLAY DONE - q quits"
check_screen "replay: the stuck connection's row" "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:8080 +FIN_WAIT_2 +CLOSE_WAIT .*STUCK"
check_screen "replay: the header counts the stuck endpoints per side" "^Server: CLOSE_WAIT 1 \\(1 STUCK\\)"
check_screen "replay: the header counts packets" "^Pkts 9 "
# the services view counts connections in STUCK, as in OPEN and ANOM (one
# connection with both ends stuck read 2)
u_keys Tab
check_screen "replay: services: 1 open, 1 with a stuck endpoint, 1 anomalous" "^192\\.0\\.2\\.80:8080 +1 +1 +1 "
check_screen "replay: services: the footer says what Enter does there" "Enter Its conns"
u_keys Tab Tab
sleep 1
check_screen "replay: the final picture stays" "FIN_WAIT_2 +CLOSE_WAIT" 5
u_keys Enter
check_screen "replay: the detail's timeline shows the client's FIN" "C>S +F\\. "
check_screen "replay: the detail shows the client's transition to FIN_WAIT_2" "client FIN_WAIT_1 -> FIN_WAIT_2"
check_screen "replay: the detail counts the client's SYN" "^Client .* SYN 1, FIN 1"
check_screen "replay: the detail counts the server's SYN-ACK as its SYN" "^Server .* SYN-ACK 1, FIN 0"
# windows in bytes: the field shifted by its sender's scale (10 here), but
# never in a SYN (RFC 7323 2.2)
check_screen "replay: the detail's SYN window is the raw field" "^\\+0\\.000000s +C>S +S +0 +- +64240 "
check_screen "replay: the detail's later windows are scaled (63 << 10)" "^\\+0\\.[0-9]+s +C>S +\\. +1 +1 +64512 "
check_screen "replay: the detail says how windows are scaled" "WIN: in bytes, scaled \\(client shift 10, server shift 10\\)"
u_keys q
check_prompt "replay: q gives the prompt back"
expect_eq "replay: the alternate screen was left" 0 "$(u_alt)"

# --- a reused 4-tuple: the new incarnation is a new row (connection #2)
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/port-reuse-client-time-wait.pcap --ui --refresh 100" Enter
check_screen "reuse: the new incarnation's row" "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:8080 +ESTABLISHED +ESTABLISHED .*time-wait-reuse"
check_screen "reuse: one row, two connections seen" "Conns 1 open 2 seen"
u_keys Enter
check_screen "reuse: the detail is connection #2, a new incarnation" "^Connection #2 "
check_screen "reuse: the detail says so" "a new incarnation of a reused 4-tuple"
u_keys q
u_wait_prompt

# --- a connection picked up mid-stream: both states inferred, and the
# table's columns hold "ESTABLISHED?" whole (the mark was cut off)
tcpdump -r "$CAPS/normal-close.pcap" -w "$TMPD/mid.pcap" 'tcp[13] & 7 == 0' 2>/dev/null
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/mid.pcap --ui --refresh 100" Enter
check_screen "mid-stream: both states shown inferred" "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:8080 +ESTABLISHED\\? +ESTABLISHED\\? "
u_keys Enter
check_screen "mid-stream: the detail shows raw windows, as their scale is not known" "^TIME +DIR +FLAGS +SEQ +ACK +WIN\\(raw\\) +LEN"
check_screen "mid-stream: the raw window of the client's data" "^\\+0\\.00[0-9]+s +C>S +P\\. +0 +0 +63 +5 "
u_keys q
u_wait_prompt

# --- one direction only, picked up mid-stream: the server's sequence
# numbers are never seen, and the client's ACKs of them read from its first
# ACK (0, then 5 for the server's 5 bytes, 6 for its FIN), not as raw 32-bit
# numbers (2769843143 to 2769843149 in this capture)
tcpdump -r "$CAPS/normal-close.pcap" -w "$TMPD/one.pcap" 'tcp[13] & 7 == 0 and src host 192.0.2.10' 2>/dev/null
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/one.pcap --ui --refresh 100" Enter
check_screen "one-sided: the replay ends" "REPLAY DONE - q quits"
u_keys Enter
check_screen "one-sided: the client's first ACK reads 0" "^\\+0\\.000000s +C>S +\\. +0 +0 +63 +0 "
check_screen "one-sided: its ACK of the server's data reads 5" "^\\+0\\.00[0-9]+s +C>S +\\. +5 +5 +63 +0 "
check_screen "one-sided: its ACK of the server's FIN reads 6" "^\\+0\\.00[0-9]+s +C>S +\\. +6 +6 +63 +0 "
u_keys q
u_wait_prompt

# --- the services view's Enter: that server endpoint's connections only,
# not every one whose text contains it (192.0.2.80:80 is in 192.0.2.80:8080)
"$PY" "$top_srcdir/tests/anomalies/craft.py" "$TMPD/fx" two-services >/dev/null
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/fx/two-services.pcap --ui --refresh 100" Enter
u_wait_screen "REPLAY DONE" 100 >/dev/null
for svc in 1 2; do
    u_keys Tab
    [ "$svc" = 2 ] && u_keys j
    u_wait_screen "^SERVICE " 50 >/dev/null
    u_keys Enter
    scr=$(u_wait_screen "service 192\\.0\\.2\\.80:" 50)
    port=$(printf '%s\n' "$scr" | sed -n 's/.*service 192\.0\.2\.80:\([0-9]*\).*/\1/p' | head -1)
    want=$([ "$port" = 80 ] && echo 1 || echo 2)
    rows=$(printf '%s\n' "$scr" | grep -Ec '^192\.0\.2\.10:[0-9]+ +192\.0\.2\.80:')
    own=$(printf '%s\n' "$scr" | grep -Ec "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:$port ")
    if [ -n "$port" ] && [ "$rows" = "$want" ] && [ "$own" = "$want" ]; then
        pass "services, Enter on 192.0.2.80:$port: its $want connection(s) only"
    else
        fail "services, Enter on service $svc (port '$port'): $rows rows, $own of them its own, expected $want; the screen was:"
        printf '%s\n' "$scr" | sed 's/^/#   | /'
    fi
    u_keys c
    u_wait_gone "service 192" 50 >/dev/null
done
u_keys q
u_wait_prompt

# --- a zero-window stall still going on: its time so far (it read
# "stalled 0us" for as long as it lasted); the capture ends 1989.9 ms into it
"$PY" "$top_srcdir/tests/anomalies/craft.py" "$TMPD/fx" zero-window-bsd >/dev/null
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/fx/zero-window-bsd.pcap --ui --refresh 100" Enter
u_wait_screen "REPLAY DONE" 100 >/dev/null
u_keys Tab Tab
check_screen "zero window going on: its time so far" "zero-window .*server advertised a zero window: client stalled 1\\.99s so far, 3 window probes"
u_keys q
u_wait_prompt

# --- a damaged file: the header says where and what (it said only
# "input damaged"; the rest came on stderr once the view was gone)
head -c 700 "$CAPS/normal-close.pcap" >"$TMPD/cut.pcap"
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/cut.pcap --ui --refresh 100 2>$TMPD/cut.err" Enter
check_screen "damaged replay: the header names the packet and the problem" "REPLAY DONE \\(input damaged at packet [0-9]+: .+\\)"
u_keys q
u_wait_prompt

# --- the help in 80x24, the terminal everyone falls back to: all of it,
# down to its last line and the settings (they were cut off)
u_resize 80 24
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/close-wait-stuck.pcap --ui --refresh 100" Enter
u_wait_screen "REPLAY DONE" 100 >/dev/null
u_keys '?'
check_screen "help in 80x24: its first line" "^Keys"
check_screen "help in 80x24: its last line" "^Press any key to go back"
check_screen "help in 80x24: the settings line" "^stuck after 60s; redraw every 100ms"
u_keys x
check_screen "help in 80x24: any key closes it" "^CLIENT +SERVER"
u_keys q
u_wait_prompt
u_resize 150 42

# --- every shipped capture: the rows agree with the report; so do crafted
# ones whose states only the end of the input settles (a first FIN the
# capture missed; a client that stopped retransmitting, given up; a server
# that sent its SYN-ACK once, then nothing for 4.6 s; a client whose SYNs
# stopped 9 s before the end): REPLAY DONE showed CLOSE_WAIT / FIN_WAIT_2
# and ESTABLISHED, the report TIME_WAIT / CLOSED and CLOSED (and the server
# LISTEN, the client CLOSED)
"$PY" "$top_srcdir/tests/anomalies/craft.py" "$TMPD/fx" fin-first-missed retransmissions-stopped synack-cookie \
    syn-abandoned >/dev/null
for cap in "$CAPS"/*.pcap "$TMPD"/fx/fin-first-missed.pcap "$TMPD"/fx/retransmissions-stopped.pcap \
    "$TMPD"/fx/synack-cookie.pcap "$TMPD"/fx/syn-abandoned.pcap; do
    name=$(basename "$cap")
    want=$("$TCPFSM" -r "$cap" --format json 2>/dev/null | "$PY" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("type") == "conn" and o.get("ended_by") == "end_of_capture":
        a, b = o["client_addr"], o["server_addr"]
        ep = lambda x, p: ("[%s]:%d" % (x, p)) if ":" in x else ("%s:%d" % (x, p))
        print(ep(a, o["client_port"]), ep(b, o["server_port"]), o["client_state"], o["server_state"])
' | sort)
    u_keys clear Enter
    u_keys "$TCPFSM -r $cap --ui --refresh 100" Enter
    if ! u_wait_screen "REPLAY DONE" 100 >/dev/null; then
        fail "$name: the replay did not finish"
        u_keys q
        continue
    fi
    sleep 0.3
    got=$(u_screen | awk '/^CLIENT/ {t = 1; next} t && NF >= 4 && $1 ~ /:[0-9]+$/ {
        c = $3; s = $4; sub(/\?$/, "", c); sub(/\?$/, "", s); print $1, $2, c, s }' | sort)
    expect_eq "$name: the rows' states agree with the report" "$want" "$got"
    u_keys q
    u_wait_prompt
done

# --- what the report settles as a connection leaves is shown at REPLAY
# DONE too: the SYNs nobody answered (the view said "Anomalies 0")
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/syn-blackholed.pcap --ui --refresh 100" Enter
check_screen "syn-blackholed: REPLAY DONE counts the unanswered SYNs" "REPLAY DONE"
check_screen "syn-blackholed: the header counts one anomaly" "Anomalies 1"
check_screen "syn-blackholed: the row's ANOMALY column says so" "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:8080 +SYN_SENT +LISTEN .*syn-unanswered"
u_keys q
u_wait_prompt

# --- an ICMP error in the detail's timeline, before the transition it
# caused: a firewall rejects the SYN twice (icmp-syn-refused: 3/13 from
# 192.0.2.1); the timeline held only the SYNs and the transitions
"$PY" "$top_srcdir/tests/anomalies/craft.py" "$TMPD/fx" icmp-syn-refused >/dev/null
u_keys clear Enter
u_keys "$TCPFSM -r $TMPD/fx/icmp-syn-refused.pcap --ui --refresh 100" Enter
check_screen "icmp: the replay ends" "REPLAY DONE - q quits"
u_keys Enter
check_screen "icmp: the timeline counts the errors" "^Timeline: 2 segments, 2 ICMP errors, [0-9]+ transitions"
check_screen "icmp: the first error, about the first SYN" "^\\+0\\.000200s +ICMP to client: admin-prohibited, from the path, about its S seq 0  #2"
check_screen "icmp: then the client's transition it caused" "^\\+0\\.000200s +client SYN_SENT -> CLOSED  \\(icmp_error\\)"
check_screen "icmp: the second error" "^\\+1\\.000200s +ICMP to client: admin-prohibited, from the path, about its S seq 0  #4"
u_keys q
u_wait_prompt

# --- --speed: paced by the packets' timestamps (syn-blackholed spans ~1 s)
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/syn-blackholed.pcap --ui --speed 0.25 --refresh 100" Enter
check_screen "--speed 0.25: the replay is under way" "REPLAY 0\\.25x +[0-9:]+ UTC +elapsed"
check_screen "--speed 0.25: the first SYN is shown before the retransmission" "^Pkts 1 "
check_screen "--speed 0.25: then it finishes" "REPLAY DONE" 150
check_screen "--speed 0.25: both SYNs in the end" "^Pkts 2 "
u_keys q
u_wait_prompt

# --- a long wait in a paced replay: shown, and n skips it (at 0.01x the
# retransmission is 100 s away; the checks give up after 10 s)
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/syn-blackholed.pcap --ui --speed 0.01 --refresh 100" Enter
check_screen "--speed 0.01: the wait for the next packet is shown" "REPLAY 0\\.01x - next packet in 1m[0-9]+s \\(n skips\\)"
check_screen "--speed 0.01: one SYN so far" "^Pkts 1 "
u_keys n
check_screen "n: the replay goes on at once to its end" "REPLAY DONE" 50
check_screen "n: the second SYN replayed" "^Pkts 2 "
check_screen "n: the status line says so" "skipped to the next packet"
check_screen "n: the clock jumped with it (elapsed about 1 s of capture time)" "elapsed 1\\.0[0-9]s"
u_keys q
u_wait_prompt

# --- without a terminal: snapshots, then the report
"$TCPFSM" -r "$CAPS/close-wait-stuck.pcap" --ui --stuck-after 0 --format json >"$TMPD/out.json" 2>"$TMPD/err"
expect_eq "no terminal: exit status 0" 0 "$?"
res=$("$PY" - "$TMPD/out.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
snaps = [o for o in lines if o.get("type") == "snapshot"]
last = lines[-1] if lines else {}
ok = (len(snaps) >= 1 and snaps[-1]["states"]["server"].get("CLOSE_WAIT") == 1
      and snaps[-1]["states"]["client"].get("FIN_WAIT_2") == 1 and snaps[-1]["stuck"] == 2
      and any(a["id"] == "close-wait-stuck" for a in snaps[-1]["anomalies"])
      and last.get("type") == "summary" and last.get("packets") == 9)
print("ok" if ok else "bad: %d snapshots, last %s" % (len(snaps), json.dumps(last)[:200]))
PY
)
expect_eq "no terminal: a JSON snapshot with the stuck endpoints, then the JSON report" ok "$res"
"$TCPFSM" -r "$CAPS/close-wait-stuck.pcap" --ui --stuck-after 0 >"$TMPD/out.txt" 2>&1
if grep -q "^snapshot .* UTC" "$TMPD/out.txt" && grep -q "^  server  CLOSE_WAIT 1" "$TMPD/out.txt" &&
    grep -q "^  close-wait-stuck " "$TMPD/out.txt" && grep -q "^tcpfsm report:" "$TMPD/out.txt"; then
    pass "no terminal: a text snapshot, then the text report"
else
    fail "no terminal: text output was:"
    sed 's/^/#   /' "$TMPD/out.txt" | head -30
fi

# --- a replay quit with q before its end: not the whole input, exit status
# 4 (it was 0, "the whole input was read"), and stderr says so
u_keys clear Enter
u_keys "$TCPFSM -r $CAPS/syn-blackholed.pcap --ui --speed 0.01 --refresh 100 2>$TMPD/quit.err; echo EXIT=\$?" Enter
u_wait_screen "REPLAY|LIVE|Pkts" 50 >/dev/null
u_keys q
check_screen "replay quit early: exit status 4" "^EXIT=4"
if grep -q "replay quit after [0-9]* packets, before the end of the input" "$TMPD/quit.err"; then
    pass "replay quit early: stderr says so"
else fail "replay quit early: stderr: $(cat "$TMPD/quit.err")"; fi
u_keys clear Enter

# --- a replay cut short by a signal: exit status 4, reported as interrupted
"$TCPFSM" -r "$CAPS/syn-blackholed.pcap" --ui --speed 0.1 --interval 0.2 --format json >"$TMPD/int.json" 2>"$TMPD/int.err" &
pid=$!
U_PIDS="$U_PIDS $pid"
i=0
while ! grep -q snapshot "$TMPD/int.json" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT "$pid"
wait "$pid"
expect_eq "interrupted replay: exit status 4" 4 "$?"
if tail -1 "$TMPD/int.json" | grep -q '"type":"summary".*"interrupted":true' && grep -q "interrupted by a signal" "$TMPD/int.err"; then
    pass "interrupted replay: the summary says interrupted, stderr says so"
else
    fail "interrupted replay: $(tail -c 300 "$TMPD/int.json") / $(cat "$TMPD/int.err")"
fi

finish
