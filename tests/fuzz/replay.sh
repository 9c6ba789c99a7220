#!/usr/bin/env bash
# tests/fuzz/replay.sh - every input the fuzzers ever failed on, replayed
# (see docs/robustness.md):
#
#   1. tests/fuzz/regressions/TARGET/* through the replay driver of that
#      target (the fuzz target's own code, built with the project's compiler),
#      one process per input, so that each crash, hang, leak or sanitizer
#      report is named;
#   2. tests/fuzz/regressions/fuzz_file/* through tcpfsm itself, in every
#      output format: exit status 0, 1 or 2, never a signal or a report;
#   3. a smoke run of both drivers on the shipped captures (fuzz_packets gets
#      them converted by mkseeds.py).
#
# Inputs listed in tests/fuzz/known-open are bugs reported but not fixed yet:
# their failure is expected and shown, not counted; once one passes, the
# test says so (remove the line).  In a build without sanitizers most of
# them pass anyway: what they trigger is undefined behaviour or a leak.
. "$top_srcdir/tests/lib.sh"
scratch

FUZZ_SRC=$top_srcdir/tests/fuzz
REG=$FUZZ_SRC/regressions
: "${top_builddir:=$top_srcdir}"
LIMIT=${REPLAY_TIMEOUT:-120}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi

# known-open: "TARGET/FILE<whitespace>what is wrong"
known() {
    [ -f "$FUZZ_SRC/known-open" ] && grep -v '^#' "$FUZZ_SRC/known-open" | awk '{print $1}' | grep -qxF "$1"
}

sanitizer_report() {
    grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
        -e 'fuzz invariant violated' -e 'Sanitizer' "$1"
}

# check NAME KEY RC ERRFILE: judge one run
check() {
    local name=$1 key=$2 rc=$3 err=$4 bad=
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        bad="hang (no end after ${LIMIT}s)"
    elif [ "$rc" -ge 128 ]; then
        bad="killed by signal $((rc - 128))"
    elif sanitizer_report "$err"; then
        bad="sanitizer report"
    elif [ -n "${5:-}" ]; then
        bad=$5
    fi
    if [ -z "$bad" ]; then
        if known "$key"; then
            pass "$name (listed in known-open, but passes here: remove it once fixed)"
        else
            pass "$name"
        fi
    elif known "$key"; then
        pass "$name: $bad: known open bug, expected"
        grep -m 3 -e 'runtime error' -e 'ERROR:' -e '    #[0-4] ' "$err" | sed 's/^/#   /'
    else
        fail "$name: $bad"
        head -n 60 "$err" | sed 's/^/#   /'
    fi
}

# 1. the drivers
for target in fuzz_packets fuzz_file; do
    driver=$top_builddir/tests/fuzz/replay_${target#fuzz_}
    if [ ! -x "$driver" ]; then
        fail "$driver is not built (make check builds it)"
        continue
    fi
    [ -d "$REG/$target" ] || continue
    for f in "$REG/$target"/*; do
        [ -f "$f" ] || continue
        key=$target/$(basename "$f")
        rc=0
        timeout -k 5 "$LIMIT" "$driver" "$f" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
        check "replay $key" "$key" "$rc" "$TMPD/err"
    done
done

# 2. tcpfsm on the capture-file regressions
if [ -d "$REG/fuzz_file" ]; then
    for f in "$REG/fuzz_file"/*; do
        [ -f "$f" ] || continue
        key=fuzz_file/$(basename "$f")
        for fmt in text json csv zeek; do
            rc=0
            timeout -k 5 "$LIMIT" "$TCPFSM" -r "$f" --format "$fmt" --max-conns 8 --all \
                </dev/null >"$TMPD/out" 2>"$TMPD/err" || rc=$?
            extra=
            [ "$rc" -le 2 ] || [ "$rc" -ge 124 ] || extra="exit status $rc"
            check "tcpfsm --format $fmt on $key" "$key" "$rc" "$TMPD/err" "$extra"
        done
    done
fi

# 3. smoke: the shipped captures through both drivers
shopt -s nullglob
caps=("$top_srcdir"/captures/*.pcap "$top_srcdir"/captures/*.pcapng)
shopt -u nullglob
if [ ${#caps[@]} -eq 0 ]; then
    fail "no shipped captures in $top_srcdir/captures"
else
    rc=0
    timeout -k 5 "$LIMIT" "$top_builddir/tests/fuzz/replay_file" "${caps[@]}" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    check "replay_file on ${#caps[@]} shipped captures" "-" "$rc" "$TMPD/err"
    if "$PY" "$FUZZ_SRC/mkseeds.py" "$TMPD/seeds" "${caps[@]}" >"$TMPD/mkseeds.log" 2>&1; then
        rc=0
        timeout -k 5 "$LIMIT" "$top_builddir/tests/fuzz/replay_packets" "$TMPD/seeds" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
        check "replay_packets on the shipped captures, converted" "-" "$rc" "$TMPD/err"
    else
        fail "mkseeds.py on the shipped captures"
        sed 's/^/#   /' "$TMPD/mkseeds.log"
    fi
fi
finish
