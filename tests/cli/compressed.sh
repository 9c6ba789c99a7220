#!/bin/bash
# tests/cli/compressed.sh - compressed captures (src/decompress.h): a file
# compressed by gzip, bzip2, xz, zstd or lz4 is read through that program
# and reported exactly as the capture itself; the compression is known by
# its magic number, not the file's name.  Damaged or cut-short compressed
# data: the packets before the damage are reported, exit 1, one message
# naming the packet and quoting the decompressor.  Compressed data on a
# pipe is fed to the decompressor by a forked copy of tcpfsm.  A
# decompressor that cannot be run, a compressed file that holds no capture:
# exit 2 and a message saying so.  A run stopped by a signal ends its
# decompressor (and feeder).  The real programs are used, except where a test needs
# a decompressor that misbehaves on cue (a script named gzip, first in PATH).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
: "${top_builddir:=$top_srcdir}"
scratch
need_fixtures

bench_program gen -lm
GEN=$PROG

compressors=(gzip bzip2 xz zstd lz4)
ext=(gz bz2 xz zst lz4)
for c in "${compressors[@]}"; do
    command -v "$c" >/dev/null || { fail "the $c program is needed (Debian: see README's packages)"; finish; }
done

# A capture of some size, so that a file cut in half stops mid-stream.
if ! "$GEN" -o "$TMPD/gen.pcap" --conns 3000 --seed 7 2>"$TMPD/gen.err"; then
    fail "gen: $(head -c 300 "$TMPD/gen.err")"
    finish
fi

# The JSON report without the summary's source line, for comparing runs.
conn_lines() { grep -v '"type":"summary"' "$TMPD/out"; }

# --- each compression reads as the capture itself ---------------------------
for plain in good.pcap good.pcapng; do
    run -r "$FX/$plain" --format json
    expect_eq "$plain: exit status" 0 "$rc"
    conn_lines >"$TMPD/plain.json"
    want=$(jq_out '"%s %s %s" % (S["packets"], S["tcp_packets"], S["connections"])')
    for i in "${!compressors[@]}"; do
        c=${compressors[$i]}
        z=$TMPD/$plain.${ext[$i]}
        "$c" -c <"$FX/$plain" >"$z" 2>/dev/null
        run -r "$z" --format json
        no_sanitizer "$plain, $c"
        expect_eq "$plain, $c: exit status" 0 "$rc"
        json_ok "$plain, $c"
        expect_eq "$plain, $c: packets, TCP packets, connections" "$want" \
            "$(jq_out '"%s %s %s" % (S["packets"], S["tcp_packets"], S["connections"])')"
        if conn_lines | cmp -s - "$TMPD/plain.json"; then pass "$plain, $c: every line as from the plain capture"
        else fail "$plain, $c: lines differ from the plain capture's"; fi
    done
done

# The text report names the compression with the format.
gzip -c <"$FX/good.pcap" >"$TMPD/named-plainly.pcap"
run -r "$TMPD/named-plainly.pcap"
expect_eq "gzip data named .pcap: exit status" 0 "$rc"
if grep -q '^  link type .*, pcap, gzip-compressed$' "$TMPD/out"; then pass "text report: 'pcap, gzip-compressed'"
else fail "text report should say 'pcap, gzip-compressed': $(grep 'link type' "$TMPD/out")"; fi

# Standard input redirected from a compressed regular file is a file too.
run_in "$TMPD/good.pcap.zst" -r - --format json
expect_eq "standard input from a zstd file: exit status" 0 "$rc"
conn_lines >"$TMPD/stdin.json"
run -r "$FX/good.pcap" --format json
if conn_lines | cmp -s - "$TMPD/stdin.json"; then pass "standard input from a zstd file: as the plain capture"
else fail "standard input from a zstd file: lines differ"; fi

# One thread or two: the same report.
zstd -qc <"$TMPD/gen.pcap" >"$TMPD/gen.pcap.zst"
run -r "$TMPD/gen.pcap.zst" --format json --threads 1
conn_lines >"$TMPD/t1.json"
run -r "$TMPD/gen.pcap.zst" --format json --threads 2
expect_eq "--threads 2 on a zstd file: exit status" 0 "$rc"
if conn_lines | cmp -s - "$TMPD/t1.json"; then pass "--threads 1 and 2 on a zstd file: the same lines"
else fail "--threads 1 and 2 on a zstd file: lines differ"; fi

# -w reads its input twice: the packets written are those from the plain file.
run -r "$FX/good.pcap" -w "$TMPD/plain-w.pcap"
run -r "$TMPD/good.pcap.xz" -w "$TMPD/xz-w.pcap"
expect_eq "-w from an xz file: exit status" 0 "$rc"
if [ -s "$TMPD/plain-w.pcap" ] && cmp -s "$TMPD/plain-w.pcap" "$TMPD/xz-w.pcap"; then
    pass "-w from an xz file: the same packets as from the plain file"
else fail "-w from an xz file: the written capture differs (or is empty)"; fi

# --- cut short: the packets before the cut, exit 1, the decompressor quoted ---
# complete_records FILE: packet records wholly present in a pcap's bytes.
complete_records() {
    "$PY" - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]
    if off + 16 + incl > len(d):
        break
    off += 16 + incl
    n += 1
print(n)
EOF
}
for i in "${!compressors[@]}"; do
    c=${compressors[$i]}
    z=$TMPD/gen.pcap.${ext[$i]}
    "$c" -c <"$TMPD/gen.pcap" >"$z" 2>/dev/null
    size=$(wc -c <"$z")
    head -c $((size * 6 / 10)) "$z" >"$TMPD/cut.${ext[$i]}"
    "$c" -dc <"$TMPD/cut.${ext[$i]}" >"$TMPD/cut.plain" 2>/dev/null
    good=$(complete_records "$TMPD/cut.plain")
    run -r "$TMPD/cut.${ext[$i]}" --format json
    no_sanitizer "$c, cut short"
    if [ "$good" -eq 0 ]; then
        # (lz4 writes nothing of a block it has not wholly read)
        expect_eq "$c, cut before its first packet: exit status" 2 "$rc"
        one_line_msg "$c, cut before its first packet" "tcpfsm: $TMPD/cut.${ext[$i]}: $c"
        continue
    fi
    expect_eq "$c, cut short: exit status" 1 "$rc"
    one_line_msg "$c, cut short" "tcpfsm: $TMPD/cut.${ext[$i]}: packet $((good + 1)): "
    if grep -q "($c: .*) (at byte offset [0-9]* of the decompressed data); reporting the $good packets before it" \
        "$TMPD/err"; then pass "$c, cut short: the message quotes $c and places the damage"
    else fail "$c, cut short: message: $(head -c 400 "$TMPD/err")"; fi
    json_ok "$c, cut short"
    expect_eq "$c, cut short: packets reported, damaged" "$good True" \
        "$(jq_out '"%s %s" % (S["packets"], S["damaged"])')"
done

# --- decompressors that misbehave on cue: a script named gzip ---------------
FAKE=$TMPD/fake-bin
mkdir -p "$FAKE"
fake_gzip() {   # BODY: the script's commands
    printf '#!/bin/sh\n%s\n' "$1" >"$FAKE/gzip"
    chmod +x "$FAKE/gzip"
}
gzip -c <"$FX/good.pcap" >"$TMPD/good.gz"
run -r "$FX/good.pcap" --format json
packets=$(jq_out 'S["packets"]')

# All the data out, then a failure (a CRC error at the end): every packet is
# reported, and the run says the input was damaged.
fake_gzip "cat '$FX/good.pcap'; echo 'gzip: stdin: invalid compressed data--crc error' >&2; exit 1"
rc=0
PATH="$FAKE:$PATH" "$TCPFSM" -r "$TMPD/good.gz" --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "failure after all the data: exit status" 1 "$rc"
one_line_msg "failure after all the data" "tcpfsm: $TMPD/good.gz: packet $((packets + 1)): "
if grep -q "cannot read the next record (gzip: stdin: invalid compressed data--crc error)" "$TMPD/err"; then
    pass "failure after all the data: the decompressor's words"
else fail "failure after all the data: message: $(head -c 300 "$TMPD/err")"; fi
expect_eq "failure after all the data: every packet reported" "$packets" "$(jq_out 'S["packets"]')"

# A warning (gzip's exit status 2: trailing garbage) loses no data.
fake_gzip "cat '$FX/good.pcap'; echo 'gzip: stdin: decompression OK, trailing garbage ignored' >&2; exit 2"
rc=0
PATH="$FAKE:$PATH" "$TCPFSM" -r "$TMPD/good.gz" --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "gzip's warning status: exit status" 0 "$rc"

# What the decompressor says is shown printable only.
fake_gzip "printf 'gzip: \\033[31mred\\001\\n' >&2; exit 1"
rc=0
PATH="$FAKE:$PATH" "$TCPFSM" -r "$TMPD/good.gz" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "a complaint with control characters: exit status" 2 "$rc"
if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$TMPD/err"); then
    fail "a complaint with control characters: they reached stderr"
else pass "a complaint with control characters: none on stderr ($(head -c 200 "$TMPD/err"))"; fi

# Stopped by a signal while the decompressor still runs: exit 4, the packets
# read are reported, and the decompressor does not outlive tcpfsm.  While it
# waits, the threads are counted: on two processors (taskset), a compressed
# file is tracked in one thread unless --threads 2 asks for more.
fake_gzip "cat '$FX/good.pcap'; exec sleep 60"
pin=()
[ "$(nproc)" -ge 2 ] && pin=(taskset -c 0,1)
stopped_run() {   # WHAT THREADS-WANTED(1 or many) TCPFSM-ARGS...
    local what=$1 want=$2 child= tasks=0 gone=no
    shift 2
    rc=0
    PATH="$FAKE:$PATH" "${pin[@]}" "$TCPFSM" -r "$TMPD/good.gz" --format json "$@" >"$TMPD/out" 2>"$TMPD/err" &
    local pid=$!
    for _ in $(seq 100); do
        child=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' | head -n 1)
        [ -n "$child" ] && grep -q sleep "/proc/$child/cmdline" 2>/dev/null && break
        sleep 0.05
    done
    sleep 0.5       # (the packets are all in the pipe: cat has ended)
    tasks=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    expect_eq "$what: exit status" 4 "$rc"
    expect_eq "$what: the packets read are reported" "$packets" "$(jq_out 'S["packets"]')"
    if [ "$want" = 1 ]; then expect_eq "$what: threads while reading" 1 "$tasks"
    elif [ "$tasks" -gt 1 ]; then pass "$what: $tasks threads while reading"
    else fail "$what: expected more than one thread, saw $tasks"; fi
    if [ -z "$child" ]; then
        fail "$what: no decompressor process was seen"
        return
    fi
    for _ in $(seq 40); do
        kill -0 "$child" 2>/dev/null || { gone=yes; break; }
        sleep 0.05
    done
    expect_eq "$what: the decompressor (pid $child) has ended" yes "$gone"
    [ "$gone" = yes ] || kill "$child" 2>/dev/null
}
stopped_run "stopped while decompressing" 1
stopped_run "stopped while decompressing, --threads 2" many --threads 2

# --- exit 2: nothing to read -------------------------------------------------
mkdir -p "$TMPD/empty-path"
rc=0
PATH="$TMPD/empty-path" "$TCPFSM" -r "$TMPD/good.gz" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "no gzip program: exit status" 2 "$rc"
one_line_msg "no gzip program" "tcpfsm: $TMPD/good.gz: gzip-compressed; reading it needs the gzip program"

gzip -c <"$top_srcdir/README" >"$TMPD/readme.gz"
run -r "$TMPD/readme.gz"
expect_eq "gzip-compressed text: exit status" 2 "$rc"
one_line_msg "gzip-compressed text" "tcpfsm: $TMPD/readme.gz: gzip-compressed, but what it holds is not a pcap"

# --- compressed data on a pipe: the bytes read to recognise it, then the
# rest, reach the decompressor through a feeder process ----------------------
run -r "$FX/good.pcap" --format json
conn_lines >"$TMPD/plain.json"
for i in "${!compressors[@]}"; do
    c=${compressors[$i]}
    rc=0
    cat "$TMPD/good.pcap.${ext[$i]}" | "$TCPFSM" -r - --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    no_sanitizer "$c data on a pipe"
    expect_eq "$c data on a pipe: exit status" 0 "$rc"
    if conn_lines | cmp -s - "$TMPD/plain.json"; then pass "$c data on a pipe: every line as from the plain capture"
    else fail "$c data on a pipe: lines differ from the plain capture's"; fi
done
gzip -c <"$TMPD/gen.pcap" >"$TMPD/gen.pcap.gz"
"$GEN" -o "$TMPD/gen.pcap" --conns 3000 --seed 7 2>/dev/null
run -r "$TMPD/gen.pcap" --format json
conn_lines >"$TMPD/gen.json"
rc=0
cat "$TMPD/gen.pcap.gz" | "$TCPFSM" -r - --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "a larger gzip capture on a pipe: exit status" 0 "$rc"
if conn_lines | cmp -s - "$TMPD/gen.json"; then pass "a larger gzip capture on a pipe: every line as from the plain capture"
else fail "a larger gzip capture on a pipe: lines differ"; fi
rc=0
cat "$TMPD/cut.gz" | "$TCPFSM" -r - >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "cut gzip data on a pipe: exit status" 1 "$rc"
one_line_msg "cut gzip data on a pipe" "tcpfsm: standard input: packet "
if grep -q "(gzip: stdin: unexpected end of file)" "$TMPD/err"; then pass "cut gzip data on a pipe: gzip quoted"
else fail "cut gzip data on a pipe: message: $(head -c 300 "$TMPD/err")"; fi

# Stopped while the feeder waits for more input (a writer that keeps the
# pipe open): exit 4, and neither the feeder nor the decompressor is left.
# (A capture of some size: gzip holds back its last 32 KiB of output until
# its input ends, and a small one would leave tcpfsm waiting for the file
# header, where a signal ends it as it would any program: tcpfsm(1).)
mkfifo "$TMPD/fifo"
rc=0
"$TCPFSM" -r - --format json <"$TMPD/fifo" >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
exec 7>"$TMPD/fifo"
cat "$TMPD/gen.pcap.gz" >&7
kids=
for _ in $(seq 100); do
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' | sort | tr '\n' ' ')
    [ "$(echo $kids | wc -w)" -ge 2 ] && break
    sleep 0.05
done
sleep 0.5
kill -TERM "$pid"
wait "$pid" || rc=$?
exec 7>&-
expect_eq "stopped while a pipe is fed: exit status" 4 "$rc"
expect_eq "stopped while a pipe is fed: feeder and decompressor seen" 2 "$(echo $kids | wc -w)"
left=
for _ in $(seq 40); do
    left=
    for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
    [ -z "$left" ] && break
    sleep 0.05
done
expect_eq "stopped while a pipe is fed: processes left behind" "" "$left"
for k in $left; do kill "$k" 2>/dev/null; done

finish
