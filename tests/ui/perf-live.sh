#!/bin/bash
# tests/ui/perf-live.sh - does the live view keep up?  (Not part of make
# check: it takes about a minute and wants a quiet machine.)
#
#   tests/ui/perf-live.sh [PPS|top] [CONNECTIONS] [ui|noui|tcpdump] [PLAYERS]
#
# (tcpdump: instead of tcpfsm, `tcpdump -w /dev/null` with tcpfsm's snapshot
# length and buffer: the floor for reading a live capture with libpcap.)
#
# As root: builds two network namespaces joined by a veth pair, opens the
# live view (tcpfsm -i on one end) in tmux at 160x50, and has tcpreplay send a
# generated capture (tests/ui/gen-traffic.py: CONNECTIONS connections of 10
# packets, default 60000) into the other end at PPS packets per second
# (default 200000; "top": as fast as tcpreplay can).  With PLAYERS > 1
# (default 1), that many tcpreplay processes each send their own capture
# (different connections) at PPS/PLAYERS at once, for a machine where one
# tcpreplay cannot reach the rate alone.  Then it quits the view and prints what tcpfsm counted,
# the kernel's and the interface's drop counters (pcap_stats), tcpreplay's
# own report, and tcpfsm's CPU time over the replay and its peak RSS.
# With PERF_DATA=FILE, the capturing process is also profiled over the
# replay (perf record -g -e cpu-clock -F 4000), for `perf report -i FILE`.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
TCPFSM=${TCPFSM:-$top_srcdir/tcpfsm}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
PPS=${1:-200000}
CONNS=${2:-60000}
MODE=${3:-ui}
PLAYERS=${4:-1}
u_setup root
command -v tcpreplay >/dev/null || { echo "tcpreplay is missing (apt-get install tcpreplay)"; exit 1; }
for p in $(seq 1 "$PLAYERS"); do
    "$PY" "$top_srcdir/tests/ui/gen-traffic.py" "$TMPD/load$p.pcap" $((CONNS / PLAYERS)) 1000 $(((p - 1) * CONNS / PLAYERS))
done
u_net || exit 1
# the capture end: tcpfsm in the server namespace on $U_IFS; tcpreplay sends
# from the client namespace on $U_IFC.
U_NS=$U_NSS u_term 160 50
prog=tcpfsm
if [ "$MODE" = ui ]; then
    u_keys "$TCPFSM -i $U_IFS --refresh 1000 2>$TMPD/tcpfsm.err" Enter
    u_wait_screen 'LIVE' 100 >/dev/null || { echo "the live view did not start"; u_screen; exit 1; }
elif [ "$MODE" = tcpdump ]; then
    # the floor for a live capture: libpcap delivering every packet, with
    # tcpfsm's snapshot length and buffer, written nowhere
    prog=tcpdump
    u_keys "tcpdump -i $U_IFS -n -s 512 -B 65536 -w /dev/null 2>$TMPD/tcpfsm.err" Enter
else
    u_keys "$TCPFSM -i $U_IFS --no-ui --interval 1 >$TMPD/out.txt 2>$TMPD/tcpfsm.err" Enter
fi
pid=$(u_child_pid "$prog") || { echo "no $prog process"; exit 1; }
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$pid")
s0=$(date +%s.%N)
perf_pid=""
if [ -n "${PERF_DATA:-}" ]; then
    perf record -q -g -e cpu-clock -F 4000 -p "$pid" -o "$PERF_DATA" >/dev/null 2>&1 &
    perf_pid=$!
fi
if [ "$PPS" = top ]; then rate=(--topspeed); else rate=(--pps $((PPS / PLAYERS)) --pps-multi "${PPS_MULTI:-10}"); fi
players=""
for p in $(seq 1 "$PLAYERS"); do
    ip netns exec "$U_NSC" tcpreplay "${rate[@]}" -i "$U_IFC" "$TMPD/load$p.pcap" >"$TMPD/replay$p.txt" 2>&1 &
    players="$players $!"
done
wait $players
s1=$(date +%s.%N)
[ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid"; }
sleep 2
t1=$(ticks "$pid")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
if [ "$MODE" = ui ]; then
    echo "---- the screen at the end of the replay"
    u_screen | head -12
    u_keys q
else
    kill -INT "$pid"
fi
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "---- tcpreplay"
for p in $(seq 1 "$PLAYERS"); do
    grep -E "Actual|Rated|Failed|Retried" "$TMPD/replay$p.txt"
done
echo "---- $prog"
cat "$TMPD/tcpfsm.err"
[ "$MODE" = noui ] && sed -n "/^tcpfsm report/,\$p" "$TMPD/out.txt" | grep -E "^  (packets|dropped|connections) "
awk -v prog="$prog" -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" 'BEGIN {
    cpu = (b - a) / hz; wall = s1 - s0 + 2;
    printf prog " CPU: %.2f s over %.2f s (replay %.2f s + 2 s): %.0f%% of one core\n", cpu, wall, s1 - s0, 100 * cpu / wall }'
echo "$prog peak RSS: ${hwm:-?} KiB"
