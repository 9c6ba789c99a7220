#!/bin/bash
# tests/ui/live.sh - the live view on a real terminal, on real connections.
#
# tmux runs `tcpfsm -i` on one end of a veth pair between two network
# namespaces while agent.py opens connections, leaves one stuck in
# CLOSE_WAIT / FIN_WAIT_2, resets one and closes one; the test reads the
# screen as a person would: the rows and their states, the stuck endpoint
# with its time in state, sorting, filtering, the detail's timeline and `w`,
# a resize to 80x24, and `q` giving back a clean terminal.  It also checks
# that tcpfsm runs without root and without capabilities.  Needs root.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
u_setup root
u_net || { fail "network namespaces could not be built"; finish; }
u_agent C "$U_NSC"
u_agent S "$U_NSS"
U_NS=$U_NSC u_term 160 40

u_keys "$TCPFSM -i $U_IFC --stuck-after 2 --refresh 200 --linger 2 port 8080" Enter
check_screen "the live view starts: header with the interface and LIVE" "tcpfsm $U_IFC \\[port 8080\\] +LIVE"
expect_eq "the alternate screen is on" 1 "$(u_alt)"
check_screen "the header shows the drop counters" "Drops kernel 0 if 0"

# --- privileges: root is gone before any packet is parsed
pid=$(u_tcpfsm_pid)
if [ -n "$pid" ]; then
    uid=$(awk '/^Uid:/ {print $3}' "/proc/$pid/status")
    capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
    capprm=$(awk '/^CapPrm:/ {print $2}' "/proc/$pid/status")
    if [ -n "$uid" ] && [ "$uid" != 0 ]; then pass "effective uid is not 0 ($uid)"; else fail "effective uid is $uid"; fi
    expect_eq "no effective capability (CapEff)" 0000000000000000 "$capeff"
    expect_eq "no permitted capability (CapPrm)" 0000000000000000 "$capprm"
    expect_eq "supplementary groups dropped" "$(id -g nobody)" "$(awk '/^Groups:/ {print $2}' "/proc/$pid/status")"
else
    fail "no tcpfsm process found in the terminal"
fi

# --- connections: three established, one stuck, one reset, one closed (IPv6)
u_cmd S listen L 192.0.2.80 8080 >/dev/null
u_cmd S listen L6 2001:db8::80 8080 >/dev/null
u_cmd C connect EST 192.0.2.80 8080 3 >/dev/null
u_cmd S accept L SEST 3 >/dev/null
u_cmd C send EST hello >/dev/null
stuck_port=$(u_cmd C connect STUCK 192.0.2.80 8080 1 | sed -n 's/^ok \([0-9]*\):.*/\1/p')
u_cmd S accept L SSTUCK 1 >/dev/null
u_cmd C shutdown STUCK wr >/dev/null          # the server reads EOF and never closes
u_cmd C connect RST 192.0.2.80 8080 1 >/dev/null
u_cmd S accept L SRST 1 >/dev/null
u_cmd C linger0 RST >/dev/null
u_cmd C close RST >/dev/null
u_cmd C connect V6 2001:db8::80 8080 1 >/dev/null
u_cmd S accept L6 SV6 1 >/dev/null
u_cmd C close V6 >/dev/null
u_cmd S close SV6 >/dev/null

check_screen "established connections appear as rows" "^192\\.0\\.2\\.10:[0-9]+ +192\\.0\\.2\\.80:8080 +ESTABLISHED +ESTABLISHED"
check_screen "the stuck connection appears: client FIN_WAIT_2, server CLOSE_WAIT" "^192\\.0\\.2\\.10:$stuck_port +192\\.0\\.2\\.80:8080 +FIN_WAIT_2 +CLOSE_WAIT"
check_screen "the reset connection appears with rst-abort" "CLOSED +CLOSED .*rst-abort"
check_screen "the IPv6 connection appears, closed by the client" "^\\[2001:db8::10\\]:[0-9]+ +\\[2001:db8::80\\]:8080 +TIME_WAIT +CLOSED"
check_screen "the header counts endpoints per state and side" "^Server: .*CLOSE_WAIT 1"
# past --stuck-after 2: STUCK, with its time in state, first in the table
check_screen "the stuck endpoint is marked STUCK with its time in state" "^192\\.0\\.2\\.10:$stuck_port .*CLOSE_WAIT +([2-9]|[1-5][0-9])\\.[0-9][0-9]s .*STUCK" 80
check_screen "the header counts the stuck endpoints" "CLOSE_WAIT 1 \\(1 STUCK\\)"
first_row=$(u_screen | grep -A1 '^CLIENT ' | tail -1)
case $first_row in
*":$stuck_port "*) pass "troubles first: the stuck connection is the first row" ;;
*) fail "the first row is not the stuck connection: $first_row" ;;
esac
# closed connections linger (--linger 2), then leave
check_not_screen "the reset connection leaves after its linger" "rst-abort" 80

# --- sorting: 1 sorts by client ascending, 1 again descending
u_keys 1
check_screen "sorting by CLIENT marks the column" "^CLIENT\\^"
ports=$(u_screen | sed -n 's/^192\.0\.2\.10:\([0-9]*\) .*/\1/p' | tr '\n' ' ')
sorted=$(echo "$ports" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
expect_eq "rows sorted by client port ascending" "$sorted" "$ports"
u_keys 1
check_screen "sorting again reverses" "^CLIENTv"
ports=$(u_screen | sed -n 's/^192\.0\.2\.10:\([0-9]*\) .*/\1/p' | tr '\n' ' ')
sorted=$(echo "$ports" | tr ' ' '\n' | grep . | sort -rn | tr '\n' ' ')
expect_eq "rows sorted by client port descending" "$sorted" "$ports"
u_keys d
check_screen "d: back to troubles first (no column marked)" "^CLIENT +SERVER"

# --- filtering by port, then by state
u_keys / "$stuck_port" Enter
check_screen "the filter is shown" "filter \"$stuck_port\""
check_screen "the filter leaves one row" "Connections \\(1\\)"
nrows=$(u_screen | grep -c '^192\.0\.2\.10:')
expect_eq "one row on screen after filtering" 1 "$nrows"
u_keys c
check_screen "c clears the filter" "Connections \\([4-9]\\)"
u_keys s close-wait Enter
check_screen "state filter: only CLOSE_WAIT" "only CLOSE_WAIT"
check_screen "state filter leaves the stuck connection" "Connections \\(1\\)"

# --- the detail of the stuck connection
u_keys Enter
check_screen "Enter opens the detail" "^Connection #[0-9]+ +192\\.0\\.2\\.10:$stuck_port > 192\\.0\\.2\\.80:8080"
check_screen "the detail shows the server stuck with its time" "^Server 192\\.0\\.2\\.80:8080 +CLOSE_WAIT +for [0-9]"
check_screen "the detail explains close-wait-stuck" "close-wait-stuck: server in CLOSE_WAIT for"
check_screen "the detail has the timeline header" "^TIME +DIR +FLAGS +SEQ +ACK +WIN +LEN"
check_screen "the timeline shows the handshake SYN at seq 0" "^\\+0\\.000000s +C>S +S +0 +- "
check_screen "the timeline shows the server's transition to CLOSE_WAIT" "server ESTABLISHED -> CLOSE_WAIT +\\(rcv_fin\\)"
check_screen "the detail shows the handshake RTT" "^Handshake RTT [0-9]"
chmod 1777 "$TMPD"
u_keys w
check_screen "w asks where to write" "Write this connection's packets to: tcpfsm-conn-[0-9]+\\.pcap"
u_keys C-u "$TMPD/stuck.pcap" Enter
check_screen "w writes the packets" "wrote [0-9]+ packets of connection [0-9]+ to $TMPD/stuck.pcap"
if [ -s "$TMPD/stuck.pcap" ]; then
    states=$("$TCPFSM" -r "$TMPD/stuck.pcap" --format json 2>/dev/null |
        sed -n 's/.*"client_state":"\([A-Z_0-9]*\)","server_state":"\([A-Z_0-9]*\)".*/\1 \2/p')
    expect_eq "the written pcap holds the stuck connection" "FIN_WAIT_2 CLOSE_WAIT" "$states"
else
    fail "no pcap written"
fi
u_keys Escape
check_screen "Esc goes back to the table" "^CLIENT"
u_keys c

# --- Tab: services and anomalies
u_keys Tab
check_screen "Tab shows the services view" "^SERVICE +OPEN +STUCK +ANOM"
# (STUCK counts connections, as OPEN does: the one whose client is stuck
# in FIN_WAIT_2 and server in CLOSE_WAIT is 1)
check_screen "the service has its open connections and its stuck one" "^192\\.0\\.2\\.80:8080 +[4-9] +1 +[1-9] "
u_keys Tab
check_screen "Tab again shows the anomalies view" "^close-wait-stuck +[0-9]+ server"
u_keys Tab
check_screen "and back to the connections" "^CLIENT +SERVER"

# --- resizing: 80x24 keeps the layout
u_resize 80 24
check_screen "at 80x24 the header is there" "^tcpfsm $U_IFC"
check_screen "at 80x24 the table header is there" "^CLIENT +SERVER +C-STATE +S-STATE"
check_screen "at 80x24 the stuck row is there" "^192\\.0\\.2\\.10:$stuck_port .*FIN_WAIT_2 +CLOSE_WAIT"
check_screen "at 80x24 the key bar is on the last line" "^\\? Help +Enter Detail"
last=$(u_screen | tail -1)
case $last in "? Help"*) pass "the key bar is the 24th line" ;; *) fail "the last line is: $last" ;; esac
# more rows than the screen: End, Home, PgDn move through them
u_cmd C connect MANY 192.0.2.80 8080 24 >/dev/null
u_cmd S accept L SMANY 24 >/dev/null
check_screen "24 more connections" "Connections \\(29\\)"
rows_on_screen() { u_screen | grep -Ec '^(192\.0\.2\.10|\[2001:db8::10\]):'; }
n=$(rows_on_screen)
if [ "$n" -ge 10 ] && [ "$n" -lt 29 ]; then pass "at 80x24 a screenful of rows ($n of 29)"; else fail "$n rows on screen at 80x24"; fi
u_keys End
check_not_screen "End: the first rows scroll away" "^192\\.0\\.2\\.10:$stuck_port "
u_keys Home
check_screen "Home: back to the top, the stuck row first" "^192\\.0\\.2\\.10:$stuck_port .*FIN_WAIT_2"
u_keys NPage
check_not_screen "PgDn: a page down" "^192\\.0\\.2\\.10:$stuck_port "
u_keys PPage
check_screen "PgUp: a page up" "^192\\.0\\.2\\.10:$stuck_port .*FIN_WAIT_2"
u_keys '?'
check_screen "? shows the help" "^Keys$"
check_screen "the help explains STUCK" "STUCK: CLOSE_WAIT or"
u_keys x
check_screen "any key closes the help" "^CLIENT +SERVER"
# too small for a row under the header: said in what room there is
u_resize 40 8
check_screen "at 40x8: the terminal is too small, said" "^tcpfsm: the terminal is too small \\(40x8\\)"
u_resize 20 5
check_screen "at 20x5: said in two lines" "^terminal too small"
u_resize 132 40
check_screen "back at 132x40 the wide columns return" "^CLIENT +SERVER +C-STATE +S-STATE +IN-STATE +AGE +IDLE +PKTS"

# --- a detail open when its connection leaves: its times stop there (the
# age, idle time and time in state went on counting with the clock)
u_keys / "$stuck_port" Enter
check_screen "the stuck connection alone again" "Connections \\(1\\)"
u_keys Enter
check_screen "its detail again" "^Connection #[0-9]+ +192\\.0\\.2\\.10:$stuck_port > "
check_screen "the timeline's windows are scaled: the client's ACK after the SYN-ACK" "^\\+0\\.[0-9]+s +C>S +\\. +1 +1 +[0-9]{5,}"
u_cmd C linger0 STUCK >/dev/null
u_cmd C close STUCK >/dev/null
check_screen "the reset closes it, and after its linger it leaves the table" "left the table at \\+[0-9.]+s: " 80
age1=$(u_screen | grep -o '^Age [^;]*')
srv1=$(u_screen | grep -o '^Server .* for [^;]*')
sleep 2.5
age2=$(u_screen | grep -o '^Age [^;]*')
srv2=$(u_screen | grep -o '^Server .* for [^;]*')
if [ -n "$age1" ] && [ "$age1" = "$age2" ] && [ -n "$srv1" ] && [ "$srv1" = "$srv2" ]; then
    pass "gone: its age, idle time and time in state stay as they were when it left ($age1)"
else
    fail "gone: the times moved on: '$age1' then '$age2'; '$srv1' then '$srv2'; the screen was:"
    u_screen | head -12 | sed 's/^/#   /'
fi
u_keys Escape c
check_screen "back to the table" "^CLIENT +SERVER"

# --- pause: the display stops, capture goes on
u_keys p
check_screen "p pauses the display" "LIVE \\(PAUSED\\)"
u_keys p
check_not_screen "p again resumes" "PAUSED"

# --- q: a clean terminal
u_keys q
check_prompt "q: tcpfsm exits and the shell prompt is back" "$pid"
expect_eq "q: the alternate screen was left" 0 "$(u_alt)"
check_screen "q: the drop counters are printed at exit" "dropped by the kernel, [0-9]+ by the interface"

# --- Ctrl-C and a crash signal restore the terminal too
u_keys clear Enter
u_keys "$TCPFSM -i $U_IFC --refresh 200" Enter
check_screen "started again" "LIVE"
pid=$(u_tcpfsm_pid)
u_keys C-c
check_prompt "Ctrl-C: tcpfsm exits and the shell prompt is back" "$pid"
expect_eq "Ctrl-C: the alternate screen was left" 0 "$(u_alt)"
u_keys clear Enter
u_keys "$TCPFSM -i $U_IFC --refresh 200" Enter
check_screen "started once more" "LIVE"
pid=$(u_tcpfsm_pid)
[ -n "$pid" ] && kill -SEGV "$pid"
check_prompt "SIGSEGV: tcpfsm dies and the shell prompt is back" "$pid"
expect_eq "SIGSEGV: the alternate screen was left" 0 "$(u_alt)"
u_keys "stty -a | grep -o ' echo ' ; echo ECHO-CHECK" Enter
check_screen "SIGSEGV: the terminal echoes again" "^ echo *$" 30

finish
