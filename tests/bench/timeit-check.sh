#!/bin/bash
# tests/bench/timeit-check.sh - the benchmark kit's clock (tests/bench/timeit.c)
# says what its command did: its exit status, a wall time no shorter than the
# command took, CPU time in microseconds, and the memory it held.  No speed
# is asserted: every bound below holds on a slow machine as on a fast one.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:=$top_srcdir}"
scratch

bench_program timeit
TIMEIT=$PROG
R=$TMPD/r.tsv

# field N: the Nth field of the result line
field() { cut -f"$1" "$R"; }
# well_formed: one line, four numeric fields
well_formed() {
    [ "$(wc -l <"$R")" -eq 1 ] && grep -Eq $'^[0-9]+\t[0-9]+\\.[0-9]{6}\t[0-9]+\\.[0-9]{6}\t[0-9]+$' "$R"
}

# --- exit status passed through -------------------------------------------
rc=0; "$TIMEIT" "$R" sh -c 'exit 3' || rc=$?
expect_eq "exit status of 'exit 3'" 3 "$rc"
if well_formed; then pass "result line: $(tr '\t' ' ' <"$R")"; else fail "result line malformed: $(cat "$R")"; fi
rc=0; "$TIMEIT" "$R" sh -c 'kill -TERM $$' || rc=$?
expect_eq "a command killed by SIGTERM" 143 "$rc"
rc=0; "$TIMEIT" "$R" "$TMPD/no-such-command" 2>"$TMPD/err" || rc=$?
expect_eq "a command that cannot run" 127 "$rc"
if grep -q "no-such-command" "$TMPD/err"; then pass "names the command it could not run"
else fail "no message naming the command: $(cat "$TMPD/err")"; fi
rc=0; "$TIMEIT" 2>/dev/null || rc=$?
expect_eq "usage error" 2 "$rc"

# --- the command's streams are its own ------------------------------------
echo hello | "$TIMEIT" "$R" sh -c 'cat; echo err >&2' >"$TMPD/out" 2>"$TMPD/err2"
if [ "$(cat "$TMPD/out")" = hello ] && [ "$(cat "$TMPD/err2")" = err ]; then pass "stdin, stdout and stderr reach the command"
else fail "streams: stdout '$(cat "$TMPD/out")', stderr '$(cat "$TMPD/err2")'"; fi

# --- wall time: at least what the command slept ---------------------------
"$TIMEIT" "$R" sleep 0.3
w=$(field 1)
if [ "$w" -ge 300000000 ]; then pass "sleep 0.3: wall $w ns >= 0.3 s"
else fail "sleep 0.3: wall $w ns, less than it slept"; fi
# sleeping costs next to no CPU: far less than the wall time
if awk -v u="$(field 2)" -v s="$(field 3)" 'BEGIN { exit !(u + s < 0.2) }'; then pass "sleep 0.3: CPU $(field 2) + $(field 3) s"
else fail "sleep 0.3: CPU $(field 2) + $(field 3) s, as if it had not slept"; fi

# --- CPU time: a busy loop's, to the microsecond --------------------------
"$TIMEIT" "$R" sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done'
if awk -v u="$(field 2)" -v w="$(field 1)" 'BEGIN { exit !(u > 0 && u <= w / 1e9 + 0.01) }'; then
    pass "busy loop: user $(field 2) s, within its wall $(field 1) ns"
else fail "busy loop: user $(field 2) s against wall $(field 1) ns"; fi

# --- peak memory: a 64 MiB buffer filled ----------------------------------
"$TIMEIT" "$R" dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null
m=$(field 4)
if [ "$m" -ge 65536 ]; then pass "dd with a 64 MiB buffer: max RSS $m KiB"
else fail "dd with a 64 MiB buffer: max RSS $m KiB, less than the buffer"; fi
"$TIMEIT" "$R" true
m0=$(field 4)
if [ "$m0" -lt "$m" ]; then pass "true: max RSS $m0 KiB, less than dd's"
else fail "true: max RSS $m0 KiB, not less than dd's $m"; fi

finish
