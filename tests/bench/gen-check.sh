#!/bin/bash
# tests/bench/gen-check.sh - tcpfsm's final states on generated traces equal
# the states the generator (tests/bench/gen.c) derived from what it wrote.
#
# Small mixed traces (about 200 connections: every ending, IPv4 and IPv6,
# retransmitted and reordered data, ISNs that wrap), run through
# tcpfsm --format json; every connection's client_state/server_state must
# match the generator's TSV.  Each mismatch is listed.  Also: the generator
# is deterministic, and a small SYN flood evicts exactly what it should.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:=$top_srcdir}"
scratch

bench_program gen -lm
GEN=$PROG
CMP=$top_srcdir/tests/bench/compare-states.sh

# states NAME TCPFSM-ARGS -- GEN-ARGS: generate, run tcpfsm, compare.
states() {
    local name=$1 targs=() gargs=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do targs+=("$1"); shift; done
    shift
    gargs=("$@")
    if ! "$GEN" -o "$TMPD/$name.pcap" -e "$TMPD/$name.tsv" "${gargs[@]}" 2>"$TMPD/gen.err"; then
        fail "$name: gen ${gargs[*]}: $(head -c 300 "$TMPD/gen.err")"
        return
    fi
    local rc=0
    "$TCPFSM" -r "$TMPD/$name.pcap" --format json "${targs[@]}" >"$TMPD/$name.json" 2>"$TMPD/$name.err" || rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: tcpfsm exited with $rc: $(head -c 300 "$TMPD/$name.err")"
        return
    fi
    if "$CMP" "$TMPD/$name.tsv" "$TMPD/$name.json" >"$TMPD/$name.cmp"; then
        pass "$name: $(tail -n 1 "$TMPD/$name.cmp")"
    else
        fail "$name: tcpfsm's states differ from the generator's (gen ${gargs[*]}; tcpfsm ${targs[*]})"
        sed 's/^/#   /' "$TMPD/$name.cmp"
    fi
}

# count NAME AWK-CONDITION: expected connections matching a condition
count() { awk -F'\t' "!/^#/ && ($2) { n++ } END { print n + 0 }" "$TMPD/$1.tsv"; }

# --- a mixed trace, 25 connections at a time ---------------------------------
states mixed -- --conns 200 --concurrency 25 --seed 3 --ipv6 30 --retrans 5 --reorder 5 --wrap 25 --data 6
for k in client server fin3 rst syn refused half simul open; do
    n=$(count mixed "\$7 == \"$k\"")
    if [ "$n" -gt 0 ]; then pass "mixed: $n connections end '$k'"; else fail "mixed: no connection ends '$k'"; fi
done
n4=$(count mixed '$1 ~ /^192\.0\.2\./')
n6=$(count mixed '$1 ~ /^2001:db8:/')
if [ "$n4" -gt 0 ] && [ "$n6" -gt 0 ]; then pass "mixed: $n4 IPv4 and $n6 IPv6 connections"
else fail "mixed: want both families, got $n4 IPv4 and $n6 IPv6"; fi

# --- every connection opens before any closes ---------------------------------
states all-open -- --conns 200 --all-open --seed 4 --ipv6 50 --retrans 5 --reorder 5 --wrap 25

# --- TIME_WAIT ends after 2*MSL: some have, some have not ---------------------
states msl --msl 0.2 -- --conns 200 --concurrency 25 --seed 5 --mix syn=0 --ipv6 30 --msl 0.2
tw=$(count msl '$5 == "TIME_WAIT" || $6 == "TIME_WAIT"')
gone=$(count msl '($7 == "client" || $7 == "fin3" || $7 == "simul") && $5 == "CLOSED"')
if [ "$tw" -gt 0 ] && [ "$gone" -gt 0 ]; then pass "msl: $tw connections still in TIME_WAIT, $gone past it"
else fail "msl: want both, got $tw in TIME_WAIT and $gone past it"; fi

# --- no data, much loss and reordering, every ISN near 2^32 -------------------
states stress -- --conns 150 --concurrency 40 --seed 6 --data 24 --retrans 30 --reorder 30 --wrap 100 --ipv6 40
states no-data -- --conns 100 --concurrency 10 --seed 7 --data 0

# --- the generator is deterministic -------------------------------------------
"$GEN" -o "$TMPD/again.pcap" -e "$TMPD/again.tsv" --conns 200 --concurrency 25 --seed 3 --ipv6 30 \
    --retrans 5 --reorder 5 --wrap 25 --data 6
if cmp -s "$TMPD/mixed.pcap" "$TMPD/again.pcap" && cmp -s "$TMPD/mixed.tsv" "$TMPD/again.tsv"; then
    pass "gen: the same arguments give byte-identical output"
else
    fail "gen: the same arguments gave different output"
fi
"$GEN" -o "$TMPD/other.pcap" --conns 200 --concurrency 25 --seed 4 --ipv6 30 --retrans 5 --reorder 5 --wrap 25 --data 6
if cmp -s "$TMPD/mixed.pcap" "$TMPD/other.pcap"; then fail "gen: another seed gave the same trace"
else pass "gen: another seed gives another trace"; fi

# --- a SYN flood against a small table: exactly the excess is evicted ---------
states flood --max-conns 100 -- --flood 500
sum=$(grep '"type":"summary"' "$TMPD/flood.json")
expect_eq "flood: evicted" 400 "$(echo "$sum" | sed -n 's/.*"evicted":\([0-9]*\).*/\1/p')"
expect_eq "flood: peak_conns" 100 "$(echo "$sum" | sed -n 's/.*"peak_conns":\([0-9]*\).*/\1/p')"

finish
