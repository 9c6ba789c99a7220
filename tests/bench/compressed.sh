#!/bin/bash
# tests/bench/compressed.sh TRACE [ROUNDS=5] - compressed captures: tcpfsm
# reading a gzip and a zstd copy of TRACE (through the decompressor it runs),
# the decompressors alone, tcptrace on the gzip copy, and both on TRACE
# itself.  Each command is timed by tests/bench/timeit, all of them once per
# round, in turn; the medians and every round's time are printed (ms).
# Environment: TCPFSM (default: the build's), TIMEIT (default: tests/bench/
# timeit, built from timeit.c if missing), TMPDIR for the compressed copies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
trace=${1:?usage: compressed.sh TRACE [ROUNDS]}
rounds=${2:-5}
TCPFSM=${TCPFSM:-$here/../../tcpfsm}
TIMEIT=${TIMEIT:-$here/timeit}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-compressed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$TIMEIT" ]; then
    cc -O2 -std=c11 -o "$tmp/timeit" "$here/timeit.c"
    TIMEIT=$tmp/timeit
fi
gzip -1 -c <"$trace" >"$tmp/t.gz"
zstd -q -c <"$trace" >"$tmp/t.zst"
echo "# $trace: $(wc -c <"$trace") bytes; gzip -1: $(wc -c <"$tmp/t.gz"); zstd -3: $(wc -c <"$tmp/t.zst")"

names=("gzip -dc alone" "tcpfsm -r T.gz" "tcptrace -n T.gz" "zstd -dc alone" "tcpfsm -r T.zst"
       "tcpfsm --threads 2 -r T.zst" "tcpfsm -r T" "tcptrace -n T")
run_one() {
    case $1 in
    0) gzip -dc <"$tmp/t.gz" ;;
    1) "$TCPFSM" -r "$tmp/t.gz" ;;
    2) tcptrace -n "$tmp/t.gz" ;;
    3) zstd -dcq <"$tmp/t.zst" ;;
    4) "$TCPFSM" -r "$tmp/t.zst" ;;
    5) "$TCPFSM" --threads 2 -r "$tmp/t.zst" ;;
    6) "$TCPFSM" -r "$trace" ;;
    7) tcptrace -n "$trace" ;;
    esac
}
export -f run_one
export tmp trace TCPFSM
for ((r = 0; r < rounds; r++)); do
    line=
    for i in "${!names[@]}"; do
        "$TIMEIT" "$tmp/ti" bash -c "run_one $i" >/dev/null 2>&1 || true
        line="$line $(cut -f1 "$tmp/ti")"
    done
    echo "$line"
done | python3 -c '
import statistics, sys
names = sys.argv[1:]
rows = [list(map(int, l.split())) for l in sys.stdin]
for i, n in enumerate(names):
    col = [r[i] / 1e6 for r in rows]
    print("%-28s median %7.0f ms   rounds %s" % (n, statistics.median(col), ", ".join("%.0f" % v for v in col)))
' "${names[@]}"
