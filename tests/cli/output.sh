#!/usr/bin/env bash
# tests/cli/output.sh - output files: the report with -o FILE and the
# evidence pcap with -w FILE are written under a temporary name beside FILE
# and renamed into place only when complete, so that no run - failed,
# interrupted by SIGINT/SIGTERM/SIGHUP, or killed - leaves a half-written
# file under the name the user asked for.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
scratch
need_fixtures
G=$FX/good.pcap
D=$TMPD/outdir
mkdir -p "$D"
umask 022

# leftovers: temporary files left in $D
leftovers() { find "$D" -name '*.tmp-*' | wc -l; }

# --- -o writes exactly what standard output would get -------------------------
for fmt in text json csv zeek; do
    run -r "$G" --format $fmt
    cp "$TMPD/out" "$TMPD/expected.$fmt"
    rm -f "$D/report.$fmt"
    run -r "$G" --format $fmt -o "$D/report.$fmt"
    no_sanitizer "-o ($fmt)"
    expect_eq "-o ($fmt): exit status" 0 "$rc"
    expect_eq "-o ($fmt): nothing on standard output" 0 "$(wc -c <"$TMPD/out")"
    if cmp -s "$TMPD/expected.$fmt" "$D/report.$fmt"; then
        pass "-o ($fmt): the file holds the report standard output would have had"
    else
        fail "-o ($fmt): the file differs from standard output's report"
    fi
done
expect_eq "-o: the report gets the mode of a new file (0666 less umask 022)" 644 \
    "$(stat -c %a "$D/report.text")"
run -r "$G" -w "$D/evidence.pcap" --select 1
expect_eq "-w: exit status" 0 "$rc"
expect_eq "-w: the evidence pcap is private (0600): captures hold private data" 600 \
    "$(stat -c %a "$D/evidence.pcap")"
expect_eq "no temporary file left after complete runs" 0 "$(leftovers)"

# linked_report WHAT TARGET LINK...: every LINK is still a symbolic link and
# TARGET, the name they lead to, holds the report.
linked_report() {
    local what=$1 target=$2 l
    shift 2
    for l in "$@"; do
        if [ ! -L "$l" ]; then fail "$what: $l replaced"; return; fi
    done
    if cmp -s "$TMPD/expected.text" "$target"; then pass "$what"
    else fail "$what: $target does not hold the report"; fi
}

# --- targets that are not regular files are written in place -----------------
# Renaming over them would replace a device node or a link.
if [ -c /dev/full ]; then
    run -r "$G" -o /dev/full
    expect_eq "-o /dev/full: exit status 3 (output error)" 3 "$rc"
    if [ -c /dev/full ]; then pass "-o /dev/full: still the device"; else fail "-o /dev/full replaced the device node"; fi
fi
run -r "$G" --format json -o /dev/stdout
expect_eq "-o /dev/stdout: exit status" 0 "$rc"
if cmp -s "$TMPD/expected.json" "$TMPD/out"; then pass "-o /dev/stdout: the report on standard output"
else fail "-o /dev/stdout: not the report"; fi
if [ -L /dev/stdout ] || [ -c /dev/stdout ]; then pass "-o /dev/stdout: /dev/stdout is still what it was"
else fail "-o /dev/stdout replaced /dev/stdout"; fi
mkfifo "$D/pipe"
cat "$D/pipe" >"$TMPD/from-pipe" &
reader=$!
run -r "$G" -o "$D/pipe"
expect_eq "-o FIFO: exit status" 0 "$rc"
wait "$reader"
if cmp -s "$TMPD/expected.text" "$TMPD/from-pipe"; then pass "-o FIFO: the reader got the report"
else fail "-o FIFO: the reader did not get the report"; fi
if [ -p "$D/pipe" ]; then pass "-o FIFO: still a FIFO"; else fail "-o FIFO: replaced by a file"; fi
rm -f "$D/pipe"
echo OLD >"$D/target.txt"
ln -s target.txt "$D/link.txt"
run -r "$G" -o "$D/link.txt"
expect_eq "-o symbolic link: exit status" 0 "$rc"
linked_report "-o symbolic link: the link is kept, the file it names holds the report" "$D/target.txt" "$D/link.txt"
run -r "$G" -o "$D"
expect_eq "-o DIRECTORY: exit status 3" 3 "$rc"
one_line_msg "-o DIRECTORY" "tcpfsm: $D: is a directory"
expect_eq "no temporary file left after writing to special files" 0 "$(leftovers)"

# --- what a shell's > would do with an existing name -------------------------
echo "first line" >"$D/log"
"$TCPFSM" -r "$G" -o /dev/stdout >>"$D/log" 2>"$TMPD/err"
expect_eq "-o /dev/stdout with stdout appending to a file: exit status" 0 "$?"
expect_eq "-o /dev/stdout with stdout appending to a file: the file's first line kept" "first line" \
    "$(head -n 1 "$D/log")"
if tail -n +2 "$D/log" | cmp -s - "$TMPD/expected.text"; then pass "-o /dev/stdout: the report appended after it"
else fail "-o /dev/stdout: the report is not what follows the first line"; fi
echo secret >"$D/private.txt"
chmod 600 "$D/private.txt"
run -r "$G" -o "$D/private.txt"
expect_eq "-o over an existing file: exit status" 0 "$rc"
expect_eq "-o over an existing 0600 file: its mode is kept" 600 "$(stat -c %a "$D/private.txt")"
ln -s not-yet.txt "$D/dangling"
run -r "$G" -o "$D/dangling"
expect_eq "-o dangling symbolic link: exit status" 0 "$rc"
linked_report "-o dangling symbolic link: the link kept, the file it names created with the report" \
    "$D/not-yet.txt" "$D/dangling"
ln -s loop "$D/loop"
run -r "$G" -o "$D/loop"
expect_eq "-o symbolic link loop: exit status 3" 3 "$rc"
expect_eq "-o symbolic link loop: still a link" yes "$([ -L "$D/loop" ] && echo yes)"
rm -f "$D/loop"

# --- one file for two jobs ------------------------------------------------------
cp "$G" "$D/input.pcap"
run -r "$D/input.pcap" -o "$D/../outdir/input.pcap"
expect_eq "-o naming the input (by another path): exit status 2" 2 "$rc"
one_line_msg "-o naming the input" "tcpfsm: "
if cmp -s "$G" "$D/input.pcap"; then pass "-o naming the input: the input untouched"; else fail "-o destroyed the input"; fi
run -r "$D/input.pcap" -w "$D/input.pcap"
expect_eq "-w naming the input: exit status 2" 2 "$rc"
echo x >"$D/both"
(cd "$D" && "$TCPFSM" -r "$G" -o ./both -w both >/dev/null 2>&1)
expect_eq "-o ./both -w both (one file, two names): exit status 2" 2 "$?"
run -r "$G" -o ""
expect_eq "-o '': exit status 2" 2 "$rc"
rm -f "$D/new"
(cd "$D" && "$TCPFSM" -r "$G" -o new -w ./new >/dev/null 2>&1)
expect_eq "-o new -w ./new (one file not yet there, two names): exit status 2" 2 "$?"
"$TCPFSM" -r "$G" -w /dev/stdout --select 1 >"$D/mixed" 2>"$TMPD/err"
expect_eq "-w /dev/stdout with the report on standard output: exit status 2" 2 "$?"
expect_eq "-w /dev/stdout with the report on standard output: nothing written" 0 "$(wc -c <"$D/mixed")"
ln -s l2 "$D/l1"
ln -s final "$D/l2"
run -r "$G" -o "$D/l1"
expect_eq "-o through two dangling links: exit status" 0 "$rc"
linked_report "-o through two dangling links: both links kept, the last name created" \
    "$D/final" "$D/l1" "$D/l2"

# --- inputs that can be read only once, with -w (which reads twice) -------------
mkdir -p "$TMPD/copies"
TMPDIR=$TMPD/copies run -r <(cat "$G") -w "$D/from-pipe.pcap" --select 1
expect_eq "-w with a process substitution as input: exit status" 0 "$rc"
if [ -s "$D/from-pipe.pcap" ] && grep -q "wrote [1-9][0-9]* packets" "$TMPD/err"; then
    pass "-w with a process substitution as input: packets written from tcpfsm's copy"
else
    fail "-w with a process substitution as input: $(cat "$TMPD/err")"
fi
expect_eq "-w with a process substitution: the copy removed from \$TMPDIR" "" "$(ls -A "$TMPD/copies")"

# --- an ignored SIGPIPE stays ignored: a closed pipe is an output error ----------
rc=0
bash -c "trap '' PIPE; (sleep 0.5; exec \"\$1\" -r \"\$2\" --format json) | true; exit \${PIPESTATUS[0]}" _ "$TCPFSM" "$G" || rc=$?
expect_eq "SIGPIPE ignored by the caller, reader gone: exit status 3" 3 "$rc"

# --- a failed -w does not cost the report ----------------------------------------
rm -f "$D/with-w.txt"
run -r "$G" -o "$D/with-w.txt" -w "$TMPD/no/such/dir/ev.pcap"
expect_eq "-w into a missing directory with -o: exit status 3" 3 "$rc"
if cmp -s "$TMPD/expected.text" "$D/with-w.txt"; then pass "-w failed: the -o report is still written, complete"
else fail "-w failed: the -o report was lost"; fi

# --- signals that end the process remove the temporary files ------------------------
rm -f "$D/fsize.txt"
rc=0
(ulimit -f 1; exec "$TCPFSM" -r "$G" --all -o "$D/fsize.txt" --format json) >/dev/null 2>&1 || rc=$?
# (ended by SIGXFSZ; exit status 3 if the caller ignores that signal)
case $rc in
$((128 + 25)) | 3) pass "-o past the file size limit: ended by SIGXFSZ or an output error ($rc)" ;;
*) fail "-o past the file size limit: exit status $rc" ;;
esac
expect_eq "-o past the file size limit: no file, no temporary file" "0 0" \
    "$([ -e "$D/fsize.txt" ] && echo 1 || echo 0) $(leftovers)"

# --- a run that reports nothing leaves an existing file as it was -------------
echo OLD >"$D/keep.txt"
run -r "$FX/no-such-file.pcap" -o "$D/keep.txt"
expect_eq "unopenable input with -o: exit status" 2 "$rc"
expect_eq "unopenable input with -o: the existing file is untouched" OLD "$(cat "$D/keep.txt")"
run -r "$FX/not-a-capture.txt" -o "$D/keep.txt" --format json
expect_eq "not a capture with -o: exit status" 2 "$rc"
expect_eq "not a capture with -o: the existing file is untouched" OLD "$(cat "$D/keep.txt")"
expect_eq "no temporary file left after failed runs" 0 "$(leftovers)"

# --- usage -------------------------------------------------------------------
run -r "$G" -o "$D/same" -w "$D/same"
expect_eq "-o and -w naming the same file: exit status" 2 "$rc"
one_line_msg "-o and -w naming the same file" "tcpfsm: "
run -i lo -o "$D/live.txt" --no-ui
expect_eq "-o with -i: exit status" 2 "$rc"
one_line_msg "-o with -i" "tcpfsm: "
run -r "$G" -o "$TMPD/no/such/dir/report.txt"
expect_eq "-o in a directory that does not exist: exit status" 3 "$rc"
one_line_msg "-o in a directory that does not exist" "tcpfsm: $TMPD/no/such/dir/report.txt: "

# --- interrupted while reading: a complete report of what was read ------------
# tcpfsm reads standard input from a FIFO that stays open after part of the
# capture, so it blocks in the middle of the input; then a signal ends it.
# start_blocked ARGS...: tcpfsm -r - ARGS with the first $off_conn_a_end
# bytes of good.pcap (connection A, closed) on the FIFO; sets $pid.
start_blocked() {
    rm -f "$TMPD/fifo"
    mkfifo "$TMPD/fifo"
    # A background job of a script starts with SIGINT ignored, a run under
    # nohup with SIGHUP ignored, and tcpfsm keeps what it inherits: give it
    # the default dispositions back.
    "$PY" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$TCPFSM" -r - "$@" <"$TMPD/fifo" >"$TMPD/out" 2>"$TMPD/err" &
    pid=$!
    exec 7>"$TMPD/fifo"
    head -c "$off_conn_a_end" "$G" >&7
}
# wait_read: until tcpfsm is blocked waiting for its standard input, i.e. it
# has taken everything the FIFO held and installed its signal handlers
# (bounded: 20 s).  /proc/PID/task/TID/syscall reads "271 ..." while a thread
# waits in ppoll(), as tcpfsm's reading thread does on a pipe (or "7 ..." in
# poll(), as earlier versions did), or "0 0x0 ..."
# in read(0, ...), on x86_64 (other architectures number read differently:
# there, rchar in /proc/PID/io past the bytes written, and a second more).
wait_read() {
    local i sc r
    for ((i = 0; i < 200; i++)); do
        sc=$(cat "/proc/$pid"/task/*/syscall 2>/dev/null || true)
        case $(uname -m) in
        x86_64) case $'\n'$sc in *$'\n0 0x0 '* | *$'\n7 '* | *$'\n271 '*) return 0 ;; esac ;;   # read(0, ...), poll(), ppoll()
        *)  r=$(sed -n 's/^rchar: //p' "/proc/$pid/io" 2>/dev/null || echo 0)
            if [ "${r:-0}" -ge "$1" ]; then sleep 1; return 0; fi ;;
        esac
        sleep 0.1
    done
    return 1
}
# stop_blocked SIGNAL: send it, close the FIFO, wait (bounded) for the exit.
stop_blocked() {
    kill -"$1" "$pid" 2>/dev/null
    sleep 0.2
    exec 7>&-
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        fail "tcpfsm did not end within 10 s of SIG$1"
    fi
    rc=0
    wait "$pid" || rc=$?
}

for sig in TERM INT HUP; do
    for fmt in text json zeek; do
        what="SIG$sig while reading ($fmt)"
        echo OLD >"$D/int.$fmt"
        start_blocked --format $fmt -o "$D/int.$fmt"
        if ! wait_read "$off_conn_a_end"; then
            fail "$what: tcpfsm did not read its input"
        fi
        stop_blocked $sig
        no_sanitizer "$what"
        expect_eq "$what: exit status 4 (interrupted, what was read is reported)" 4 "$rc"
        case $fmt in
        text) grep -q "^Summary" "$D/int.$fmt" && tail -n 3 "$D/int.$fmt" | grep -q . ;;
        json) tail -n 1 "$D/int.$fmt" | grep -q '"type":"summary".*"interrupted":true' ;;
        zeek) tail -n 1 "$D/int.$fmt" | grep -q '^#close' ;;
        esac && pass "$what: the complete report is under the final name" ||
            fail "$what: the final name does not hold a complete report: $(head -c 200 "$D/int.$fmt")"
        expect_eq "$what: no temporary file left" 0 "$(leftovers)"
    done
done

# SIGKILL cannot be caught: the temporary file stays, the final name keeps
# its old content.
echo OLD >"$D/killed.txt"
start_blocked -o "$D/killed.txt"
wait_read "$off_conn_a_end" || fail "SIGKILL case: tcpfsm did not read its input"
stop_blocked KILL
expect_eq "SIGKILL while reading: killed" 137 "$rc"
expect_eq "SIGKILL while reading: the final name keeps its old content" OLD "$(cat "$D/killed.txt")"
find "$D" -name '*.tmp-*' -delete

# -w with standard input keeps a copy first: a signal then ends the run
# before anything is analysed; neither -o's nor -w's file is written.
echo OLD >"$D/w-report.txt"
echo OLD >"$D/w-evidence.pcap"
start_blocked -o "$D/w-report.txt" -w "$D/w-evidence.pcap"
wait_read "$off_conn_a_end" || fail "-w from standard input: tcpfsm did not read its input"
stop_blocked TERM
expect_eq "SIGTERM while -w copies standard input: exit status 4" 4 "$rc"
one_line_msg "SIGTERM while -w copies standard input" "tcpfsm: standard input: "
expect_eq "SIGTERM while -w copies standard input: -o's file untouched" OLD "$(cat "$D/w-report.txt")"
expect_eq "SIGTERM while -w copies standard input: -w's file untouched" OLD "$(cat "$D/w-evidence.pcap")"
expect_eq "SIGTERM while -w copies standard input: no temporary file left" 0 "$(leftovers)"
finish
