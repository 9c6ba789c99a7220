#!/bin/bash
# tests/bench/ab.sh - two tcpfsm builds against each other on one trace, in
# alternated rounds, with a chosen command run before every timed run.
#
#   tests/bench/ab.sh [--rounds N] [--before CMD] TRACE A B [TCPFSM ARGS...]
#
#   --rounds N    rounds (default 20); each runs A and B once, the order
#                 alternating from round to round
#   --before CMD  run before every timed run, untimed (default: `tcptrace
#                 -n TRACE`, as in the kit, where a one-thread tool runs just
#                 before tcpfsm and leaves the second processor idle; give
#                 "true" for back-to-back runs)
#   A, B          the two tcpfsm binaries
#   TCPFSM ARGS   after `-r TRACE` (default: none, the text report); the
#                 report goes to /dev/null
#
# Each run is timed by tests/bench/timeit (built here into a temporary
# directory if tests/bench/out/timeit is missing).  Prints every round's two
# wall times in ms, then each build's median, minimum and third quartile.
# Used for the measurements in docs/performance.md, "Two threads on one
# processor, and a caller that reads" and "The report queue's counters
# stored a sixteenth of the ring at a time".
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
rounds=20 before=
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || { echo "usage: $0 [--rounds N] [--before CMD] TRACE A B [TCPFSM ARGS...]" >&2; exit 2; }
trace=$1 a=$2 b=$3
shift 3
for f in "$trace" "$a" "$b"; do
    [ -e "$f" ] || { echo "ab.sh: $f: not found" >&2; exit 2; }
done
case $rounds in ''|*[!0-9]*|0) echo "ab.sh: --rounds wants a positive number" >&2; exit 2 ;; esac
[ -n "$before" ] || before="tcptrace -n $trace"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeit=$here/out/timeit
if [ ! -x "$timeit" ]; then
    ${CC:-cc} -O2 -std=c11 -o "$tmp/timeit" "$here/timeit.c"
    timeit=$tmp/timeit
fi

run() {     # run BINARY OUT: one timed run; its wall time in ns into OUT
    local bin=$1 out=$2
    bash -c "$before" >/dev/null 2>&1 || true
    "$timeit" "$tmp/t" "$bin" -r "$trace" "${args[@]}" >/dev/null 2>"$tmp/err" ||
        { echo "ab.sh: $bin failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    cut -f1 "$tmp/t" >"$out"
}

args=("$@")
: >"$tmp/rounds"
for r in $(seq "$rounds"); do
    if [ $((r % 2)) = 1 ]; then
        run "$a" "$tmp/a"; run "$b" "$tmp/b"
    else
        run "$b" "$tmp/b"; run "$a" "$tmp/a"
    fi
    echo "$(cat "$tmp/a") $(cat "$tmp/b")" >>"$tmp/rounds"
    awk -v r="$r" '{printf "round %d: A %.2f ms, B %.2f ms\n", r, $1 / 1e6, $2 / 1e6}' <(tail -n 1 "$tmp/rounds")
done
for k in 1 2; do
    name=A; [ $k = 2 ] && name=B
    cut -d' ' -f$k "$tmp/rounds" | sort -n |
        awk -v name=$name '{v[NR] = $1} END {printf "%s: median %.2f ms (min %.2f, q3 %.2f), %d rounds\n", name, v[int((NR + 1) / 2)] / 1e6, v[1] / 1e6, v[int((NR * 3 + 3) / 4)] / 1e6, NR}'
done
