#!/bin/bash
# tests/cli/threads.sh - `-r` reads packets in a thread of its own
# (src/feed.c, --threads 2, the default with two processors) or in one
# thread (--threads 1), and with two each connection leaving the tracker
# is taken by a thread of its own from a copy (src/report.c, src/handoff.c:
# the format's line, the census, the services) when the report goes to a
# file or a pipe: every output, exit status and message
# must be the same either way, on the shipped captures, on damaged ones, on a generated
# trace of many interleaved connections (batches of segments crossing
# between the threads), with one processor, and when a signal stops the
# reading of a pipe.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
scratch
need_fixtures

same_both_ways() {   # WHAT ARGS...
    local what=$1
    shift
    run --threads 1 "$@"
    no_sanitizer "$what, one thread"
    local rc1=$rc
    mv "$TMPD/out" "$TMPD/out1"
    mv "$TMPD/err" "$TMPD/err1"
    run --threads 2 "$@"
    no_sanitizer "$what, two threads"
    if [ "$rc1" = "$rc" ] && cmp -s "$TMPD/out1" "$TMPD/out" && cmp -s "$TMPD/err1" "$TMPD/err"; then
        pass "$what: same report, messages and exit status ($rc) with one thread and two"
    else
        fail "$what: one thread exit $rc1, two threads exit $rc; output differs:"
        diff "$TMPD/out1" "$TMPD/out" | head -10 | sed 's/^/#   /'
        diff "$TMPD/err1" "$TMPD/err" | head -10 | sed 's/^/#   /'
    fi
}

for cap in "$top_srcdir"/captures/*.pcap; do
    for fmt in text json; do
        same_both_ways "$(basename "$cap") $fmt" -r "$cap" --format "$fmt" --conns
    done
done
same_both_ways "good.pcap csv" -r "$FX/good.pcap" --format csv
same_both_ways "damaged: last record header cut short" -r "$FX/trunc-rechdr.pcap" --format json
same_both_ways "damaged: last record body cut short" -r "$FX/trunc-body.pcap"
same_both_ways "damaged: pcapng block cut" -r "$FX/trunc-block.pcapng" --format json
same_both_ways "a filter" -r "$top_srcdir/captures/normal-close.pcap" --format json port 80

# Many batches: a generated trace of 3000 interleaved connections, IPv4 and
# IPv6, every kind of ending; and the same read from a pipe.
GEN=$TMPD/gen
if cc -O1 -o "$GEN" "$top_srcdir/tests/bench/gen.c" -lm 2>"$TMPD/cc.log"; then
    "$GEN" -o "$TMPD/mix.pcap" -e "$TMPD/mix.tsv" --conns 3000 --concurrency 300 --ipv6 25 --seed 7 \
        >/dev/null 2>&1
    same_both_ways "generated, 3000 connections, JSON" -r "$TMPD/mix.pcap" --format json
    same_both_ways "generated, 3000 connections, --max-conns 100 (evictions)" -r "$TMPD/mix.pcap" \
        --format json --max-conns 100
    # 20,000 connections: their copies pass through the formatting
    # thread's 1 MiB queue several times over (records wrap at its end)
    "$GEN" -o "$TMPD/big.pcap" -e "$TMPD/big.tsv" --conns 20000 --concurrency 2000 --ipv6 25 --seed 11 \
        >/dev/null 2>&1
    same_both_ways "generated, 20000 connections, JSON" -r "$TMPD/big.pcap" --format json
    same_both_ways "generated, 20000 connections, CSV" -r "$TMPD/big.pcap" --format csv
    # the text report's totals (states, ages, handshakes, teardowns,
    # services) and its listings are made from the copies too
    same_both_ways "generated, 20000 connections, text" -r "$TMPD/big.pcap"
    same_both_ways "generated, 20000 connections, text --all" -r "$TMPD/big.pcap" --all
    same_both_ways "generated, 3000 connections, text --max-conns 100 (evictions)" -r "$TMPD/mix.pcap" \
        --max-conns 100
    run --threads 2 -r "$TMPD/mix.pcap" --format json
    expect_eq "generated trace: exit status" 0 "$rc"
    n=$(grep -c '"type":"conn"' "$TMPD/out")
    expect_eq "generated trace: every connection reported" 3000 "$n"
    rc=0
    "$TCPFSM" --threads 2 -r - --format json <"$TMPD/mix.pcap" >"$TMPD/pipe.out" 2>"$TMPD/err" || rc=$?
    # (the summary names the source: compare the lines before it)
    if [ "$rc" = 0 ] && cmp -s <(head -n -1 "$TMPD/pipe.out") <(head -n -1 "$TMPD/out"); then
        pass "generated trace from standard input: the same connections and anomalies"
    else
        fail "generated trace from standard input: exit $rc or a different report"
    fi
    # One processor: the default is then to read in one thread; same report.
    if command -v taskset >/dev/null; then
        rc=0
        taskset -c 0 "$TCPFSM" -r "$TMPD/mix.pcap" --format json >"$TMPD/one.out" 2>"$TMPD/err" || rc=$?
        if [ "$rc" = 0 ] && cmp -s "$TMPD/one.out" "$TMPD/out"; then
            pass "one processor (taskset -c 0): the same report"
        else
            fail "one processor (taskset -c 0): exit $rc or a different report"
        fi
    fi
else
    fail "build tests/bench/gen.c: $(head -3 "$TMPD/cc.log")"
fi

# A signal while the reading thread waits for more input on a pipe stops
# the reading there: exit 4 and the report of what was read, promptly.
for threads in 1 2; do
    fifo=$TMPD/fifo$threads
    mkfifo "$fifo"
    # A background job of a script starts with SIGINT ignored (and `trap -`
    # cannot undo a disposition the shell itself was started with), and
    # tcpfsm keeps what it inherits: give it the default dispositions back.
    "$PY" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$TCPFSM" --threads $threads -r "$fifo" --format json \
        >"$TMPD/sig.out" 2>"$TMPD/sig.err" &
    pid=$!
    exec 7>"$fifo"
    cat "$top_srcdir/captures/normal-close.pcap" >&7
    sleep 1     # the packets are read; the reader waits for more
    start=$(date +%s%N)
    kill -INT "$pid"
    # bounded: a tcpfsm that does not stop is ended after 10 s (and fails)
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rc=0
    wait "$pid" || rc=$?
    end=$(date +%s%N)
    exec 7>&-
    expect_eq "--threads $threads: SIGINT while waiting on a pipe: exit status" 4 "$rc"
    ms=$(((end - start) / 1000000))
    if [ "$ms" -lt 3000 ]; then pass "--threads $threads: stopped ${ms} ms after the signal"
    else fail "--threads $threads: took ${ms} ms to stop after the signal"; fi
    if grep -q '"type":"summary"' "$TMPD/sig.out" && grep -q '"interrupted":true' "$TMPD/sig.out"; then
        pass "--threads $threads: the report says it was interrupted"
    else
        fail "--threads $threads: no interrupted summary: $(tail -c 300 "$TMPD/sig.out")"
    fi
    rm -f "$fifo"
done

# A report stuck on a pipe nobody reads: the first SIGINT asks the reading
# to stop, the second ends the process - also once the reading thread has
# read the whole file and gone, leaving the signals to the tracking thread.
# 2,000 SYNs with --max-conns 16: the reading thread reads them all at once
# (8 batches fit in its ring), and each SYN evicts a connection whose JSON
# line is written: about 1.6 MB, more than the pipe and the writing thread's
# blocks hold.
if [ -x "$GEN" ] && "$GEN" -o "$TMPD/flood.pcap" --flood 2000 --seed 3 >/dev/null 2>&1; then
    fifo=$TMPD/stuck
    mkfifo "$fifo"
    "$PY" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$TCPFSM" --threads 2 -r "$TMPD/flood.pcap" --max-conns 16 \
        --format json >"$fifo" 2>"$TMPD/stuck.err" &
    pid=$!
    exec 8<"$fifo"      # the pipe's reader, which never reads
    sleep 1             # the output is stuck
    if kill -0 "$pid" 2>/dev/null; then
        pass "report stuck on a full pipe: still running"
    else
        fail "report stuck on a full pipe: tcpfsm ended before the signals"
    fi
    kill -INT "$pid"
    sleep 0.3
    kill -INT "$pid" 2>/dev/null
    # bounded: a tcpfsm that does not end is killed after 10 s (and fails)
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rc=0
    wait "$pid" || rc=$?
    exec 8<&-
    expect_eq "report stuck on a full pipe: two SIGINTs end the process (128 + SIGINT)" 130 "$rc"
    rm -f "$fifo"
else
    fail "gen --flood 2000"
fi

# Without --threads: a file under 1 MiB is read in one thread (src/feed.h,
# FEED_SMALL_FILE), a larger one with the reading, formatting and writing
# threads.  Counted in /proc while the report is stuck on a pipe nobody
# reads (each run's output is more than the pipe holds).
threads_while_stuck() {   # CAPTURE ARGS...: prints the process's thread count
    local cap=$1 fifo=$TMPD/stuck2 pid n
    shift
    mkfifo "$fifo"
    "$TCPFSM" -r "$cap" "$@" >"$fifo" 2>/dev/null &
    pid=$!
    exec 8<"$fifo"
    # the report fills the pipe within a second; wait for the count to settle
    sleep 1
    n=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exec 8<&-
    rm -f "$fifo"
    echo "$n"
}
if [ -f "$TMPD/flood.pcap" ] && [ -f "$TMPD/mix.pcap" ]; then
    small=$(stat -c %s "$TMPD/flood.pcap") large=$(stat -c %s "$TMPD/mix.pcap")
    n=$(threads_while_stuck "$TMPD/flood.pcap" --max-conns 16 --format json)
    expect_eq "default threads, a $small-byte file: one" 1 "$n"
    n=$(threads_while_stuck "$TMPD/flood.pcap" --max-conns 16 --format json --threads 2)
    if [ "$n" -ge 2 ]; then pass "--threads 2, a $small-byte file: $n threads"
    else fail "--threads 2, a $small-byte file: $n threads"; fi
    if [ "$(nproc)" -ge 2 ]; then
        n=$(threads_while_stuck "$TMPD/mix.pcap" --format json)
        if [ "$n" -ge 2 ]; then pass "default threads, a $large-byte file, two processors: $n threads"
        else fail "default threads, a $large-byte file, two processors: $n threads"; fi
    fi
else
    fail "default threads: the generated captures are missing"
fi

# Only 1 and 2 are accepted.
run --threads 3 -r "$top_srcdir/captures/normal-close.pcap"
expect_eq "--threads 3: exit status" 2 "$rc"
one_line_msg "--threads 3" "tcpfsm: --threads:"

finish
