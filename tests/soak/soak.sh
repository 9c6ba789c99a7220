#!/usr/bin/env bash
# tests/soak/soak.sh - tcpfsm on millions of packets of hostile random-tuple
# traffic (tests/soak/soakgen.c): memory stays bounded by --max-conns, and
# every packet is accounted for in the summary.
#
#   make check runs the small version (SOAK_PACKETS=300000, --max-conns 20000).
#   The big one, by hand, from the build directory:
#     SOAK_PACKETS=5000000 SOAK_MAX_CONNS=100000 top_srcdir=. TCPFSM=./tcpfsm \
#         tests/soak/soak.sh
#
# Checks, on tcpfsm --format json --max-conns N under /usr/bin/time -v:
#   - exit status 0, no sanitizer report;
#   - packets == tcp_packets + sum(not_decoded) + filtered_out;
#   - peak_conns <= N, and the table filled (so eviction ran);
#   - peak RSS <= SOAK_BASE_KB + N * SOAK_CONN_BYTES / 1024.  Measured on
#     5,000,000 packets of this traffic (docs/robustness.md, "Soak"): JSON
#     output costs 333 bytes per table slot (75,272 KiB at --max-conns
#     100000, 107,812 KiB at 200000) on top of about 44 MiB that does not
#     depend on --max-conns: the listener, service and SYN-flood tables,
#     which random tuples fill up to their own limits.  The defaults,
#     SOAK_CONN_BYTES 560 and SOAK_BASE_KB 48 MiB, leave room for other
#     allocators and libpcap versions.  Not checked under sanitizers, whose
#     shadow memory and quarantine make RSS meaningless.
# Environment: SOAK_PACKETS, SOAK_MAX_CONNS, SOAK_SEED, SOAK_GEN (the
# generator; default: tests/soak/soakgen in the build directory),
# SOAK_KEEP (a path to keep the generated capture at).
. "$top_srcdir/tests/lib.sh"
scratch
: "${top_builddir:=$top_srcdir}"

N=${SOAK_PACKETS:-300000}
MAXC=${SOAK_MAX_CONNS:-20000}
SEED=${SOAK_SEED:-1}
CONN_BYTES=${SOAK_CONN_BYTES:-560}
BASE_KB=${SOAK_BASE_KB:-49152}
GEN=${SOAK_GEN:-$top_builddir/tests/soak/soakgen}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi

if [ ! -x "$GEN" ]; then
    fail "generator $GEN is not built (make check builds it)"
    finish
fi
if [ ! -x /usr/bin/time ]; then
    fail "/usr/bin/time (package time) is needed for the peak RSS"
    finish
fi

cap=${SOAK_KEEP:-$TMPD/soak.pcap}
t0=$(date +%s%N)
if "$GEN" -n "$N" -s "$SEED" -o "$cap" 2>"$TMPD/gen.err"; then
    pass "generated $N packets ($(wc -c <"$cap") bytes) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    sed 's/^/# /' "$TMPD/gen.err"
else
    fail "soakgen failed"
    cat "$TMPD/gen.err"
    finish
fi

rc=0
/usr/bin/time -v -o "$TMPD/time" "$TCPFSM" -r "$cap" --format json --max-conns "$MAXC" \
    >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "tcpfsm exit status" 0 "$rc"
if grep -q -e 'Sanitizer' -e 'runtime error' "$TMPD/err"; then
    fail "sanitizer report"
    head -n 40 "$TMPD/err" | sed 's/^/#   /'
fi
rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$TMPD/time")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): *//p' "$TMPD/time")
echo "# tcpfsm: $N packets, --max-conns $MAXC: peak RSS ${rss:-?} KiB, wall $wall"

# The summary: the last JSON line.
"$PY" - "$TMPD/out" "$N" "$MAXC" >"$TMPD/acct" <<'EOF'
import json, sys
path, n, maxc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = open(path).read().splitlines()
s = json.loads(lines[-1])
assert s.get("type") == "summary", "last line is not the summary"
nd = sum(s["not_decoded"].values())
total = s["tcp_packets"] + nd + s.get("filtered_out", 0)
print("packets", s["packets"])
print("generated", n)
print("accounted", total)
print("peak_conns", s["peak_conns"])
print("max_conns", s["max_conns"])
print("conns_lines", sum(1 for l in lines if '"type":"conn"' in l))
print("connections", s["connections"])
print("# tcp_packets %d, not_decoded %s, filtered_out %d, connections %d, evicted %d" %
      (s["tcp_packets"], json.dumps(s["not_decoded"], sort_keys=True), s.get("filtered_out", 0),
       s["connections"], s["evicted"]))
EOF
if [ $? -ne 0 ]; then
    fail "cannot read the JSON summary"
    tail -n 2 "$TMPD/out" | cut -c1-400 | sed 's/^/#   /'
    finish
fi
grep '^#' "$TMPD/acct"
val() { sed -n "s/^$1 //p" "$TMPD/acct"; }
expect_eq "summary packets == packets generated" "$N" "$(val packets)"
expect_eq "packets == tcp_packets + sum(not_decoded) + filtered_out" "$(val packets)" "$(val accounted)"
expect_eq "max_conns in the summary" "$MAXC" "$(val max_conns)"
expect_eq "the table filled: peak_conns == --max-conns" "$MAXC" "$(val peak_conns)"
expect_eq "one conn line per connection" "$(val connections)" "$(val conns_lines)"

if grep -q -a -e __asan_init -e __ubsan_handle "$TCPFSM" 2>/dev/null; then
    pass "peak RSS not checked: sanitizer build (${rss} KiB)"
else
    bound=$((BASE_KB + MAXC * CONN_BYTES / 1024))
    if [ -n "$rss" ] && [ "$rss" -le "$bound" ]; then
        pass "peak RSS ${rss} KiB <= ${bound} KiB (${BASE_KB} KiB + $MAXC x $CONN_BYTES bytes)"
    else
        fail "peak RSS ${rss:-?} KiB above ${bound} KiB (${BASE_KB} KiB + $MAXC x $CONN_BYTES bytes)"
    fi
fi
finish
