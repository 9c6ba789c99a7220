#!/bin/bash
# tests/ui/progress.sh - the progress line of a long read (src/progress.h):
# once a second on standard error, how much of the input is read, how many
# packets, how fast, and for a file of known size the share and the time
# left.  On a terminal (tmux) it is on by default, rewritten in place and
# erased before the report; not on a terminal, only with --progress, a
# line per update, or one line each time SIGUSR1 asks.  It changes nothing
# in the report.
# Slow input comes from a writer that sleeps between chunks (a pipe), from
# a decompressor that does (a script named gzip, first in PATH), or from
# tcpfsm itself stopped a while with SIGSTOP (a plain file).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
: "${top_builddir:=$top_srcdir}"
u_setup

bench_program gen -lm
GEN=$PROG
if ! "$GEN" -o "$TMPD/g.pcap" --conns 3000 --seed 7 2>"$TMPD/gen.err"; then
    fail "gen: $(head -c 300 "$TMPD/gen.err")"
    finish
fi
SIZE=$(stat -c %s "$TMPD/g.pcap")

# slow FILE CHUNKS SECONDS: FILE to standard output in CHUNKS pieces, a
# pause before each but the first (bounded: CHUNKS * SECONDS in all)
cat >"$TMPD/slow.py" <<'EOF'
import sys, time
data = open(sys.argv[1], "rb").read()
n, pause = int(sys.argv[2]), float(sys.argv[3])
step = (len(data) + n - 1) // n
out = sys.stdout.buffer
for i in range(0, len(data), step):
    if i:
        time.sleep(pause)
    out.write(data[i:i + step])
    out.flush()
EOF
slow() { "$PY" "$TMPD/slow.py" "$@"; }

# check_lines WHAT FILE PATTERN [SIZE]: FILE's lines all match PATTERN (an
# extended regular expression), there are at least two, their byte and
# packet counts never go down, and no more bytes than SIZE were read
check_lines() {
    local what=$1 file=$2 re=$3 size=${4:-}
    local n bad why
    n=$(wc -l <"$file")
    bad=$(grep -Evc -- "$re" "$file")
    if [ "$n" -ge 2 ] && [ "$bad" -eq 0 ]; then
        pass "$what: $n progress lines, all of the expected form"
    else
        fail "$what: $n lines, $bad not of the form /$re/:"
        sed 's/^/#   /' "$file" | head -10
    fi
    if why=$("$PY" - "$file" "$size" <<'EOF'
import re, sys
unit = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
mult = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}
last_b = last_p = last_pct = -1
size = float(sys.argv[2]) if sys.argv[2] else None
for line in open(sys.argv[1]):
    m = re.match(r"tcpfsm: ([0-9.]+) (B|kB|MB|GB) .*?([0-9.]+)([kMG]?) packets? at", line)
    b = float(m.group(1)) * unit[m.group(2)]
    p = float(m.group(3)) * mult[m.group(4)]
    if b < last_b or p < last_p:
        sys.exit("went down: " + line.strip())
    pct = re.search(r"\(([0-9]+)%\)", line)
    if pct:
        if int(pct.group(1)) < last_pct or int(pct.group(1)) > 100:
            sys.exit("share went down or past 100: " + line.strip())
        last_pct = int(pct.group(1))
    # (shown to 3 significant figures: allow for the rounding)
    if size is not None and b > size * 1.001:
        sys.exit("more bytes than the input has: " + line.strip())
    last_b, last_p = b, p
EOF
    ); then
        pass "$what: bytes, packets and share never go down, nor past the input's size"
    else
        fail "$what: $why"
    fi
}

# si_size BYTES: the size as the line writes it (at least 1 kB), worked out
# here on its own: "1.1 MB", "129 MB"
si_size() {
    "$PY" -c '
import sys
n = int(sys.argv[1]); v = n / 1000; u = 0
while v >= 999.5: v /= 1000; u += 1
print(("%.1f %s" if v < 99.95 else "%.0f %s") % (v, ["kB", "MB", "GB"][u]))' "$1"
}

NUM='[0-9]+(\.[0-9])?'
PIPE_RE="^tcpfsm: $NUM (B|kB|MB) read, $NUM[kM]? packets at $NUM[kM]?/s\$"
"$TCPFSM" -r "$TMPD/g.pcap" --format json 2>"$TMPD/err" | grep -v '"type":"summary"' >"$TMPD/plain.json"

# --- not a terminal: only when asked -----------------------------------------
rc=0
slow "$TMPD/g.pcap" 10 0.3 | "$TCPFSM" --progress -r - --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "--progress, slow pipe: exit status" 0 "$rc"
check_lines "--progress, slow pipe" "$TMPD/err" "$PIPE_RE" "$SIZE"
if grep -v '"type":"summary"' "$TMPD/out" | cmp -s - "$TMPD/plain.json"; then
    pass "--progress, slow pipe: the JSON lines are those of the file read without it"
else
    fail "--progress, slow pipe: the JSON lines differ from the file's"
fi

# a pipe that stalls: the line still comes each second while nothing
# arrives (the same count of bytes on consecutive lines)
rc=0
"$PY" -c '
import sys, time
d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(d[:100000]); sys.stdout.flush()
time.sleep(3.5)
sys.stdout.buffer.write(d[100000:])' "$TMPD/g.pcap" |
    "$TCPFSM" --progress -r - >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "--progress, a pipe stalled 3.5 s: exit status" 0 "$rc"
same=$(sed 's/,.*//' "$TMPD/err" | uniq -c | sort -rn | head -n 1 | awk '{print $1}')
if [ "${same:-0}" -ge 2 ]; then
    pass "--progress, a pipe stalled 3.5 s: $same lines while it stalled ($(tr '\n' '|' <"$TMPD/err"))"
else
    fail "--progress, a pipe stalled 3.5 s: no lines while it stalled: $(tr '\n' '|' <"$TMPD/err")"
fi

rc=0
slow "$TMPD/g.pcap" 5 0.3 | "$TCPFSM" -r - >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "no option, standard error not a terminal: exit status" 0 "$rc"
expect_eq "no option, standard error not a terminal: nothing on it" "" "$(cat "$TMPD/err")"

rc=0
slow "$TMPD/g.pcap" 5 0.3 | "$TCPFSM" --progress --no-progress -r - >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "--progress --no-progress: the last one holds, nothing on standard error" "0:" "$rc:$(cat "$TMPD/err")"

# without the line, SIGUSR1 asks for one (as dd): one line per signal, at
# the next read, and the run goes on to its end
rc=0
"$TCPFSM" -r - --format json < <(slow "$TMPD/g.pcap" 10 0.3) >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
sleep 1
kill -USR1 "$pid"
sleep 0.7
kill -USR1 "$pid"
wait "$pid" || rc=$?
expect_eq "SIGUSR1 twice, no --progress: exit status" 0 "$rc"
n=$(wc -l <"$TMPD/err")
if [ "$n" -eq 2 ] && [ "$(grep -Evc -- "$PIPE_RE" "$TMPD/err")" -eq 0 ]; then
    pass "SIGUSR1 twice: two progress lines ($(tr '\n' '|' <"$TMPD/err"))"
else
    fail "SIGUSR1 twice: expected two progress lines, got $n:"
    sed 's/^/#   /' "$TMPD/err" | head -5
fi
if grep -v '"type":"summary"' "$TMPD/out" | cmp -s - "$TMPD/plain.json"; then
    pass "SIGUSR1: the JSON lines are those of the file read without it"
else
    fail "SIGUSR1: the JSON lines differ from the file's"
fi

# the live view has its own counts: --progress there is a usage error
for args in "-i lo" "-r $TMPD/g.pcap --ui"; do
    rc=0
    # shellcheck disable=SC2086
    "$TCPFSM" --progress $args >"$TMPD/out" 2>"$TMPD/err" </dev/null || rc=$?
    expect_eq "--progress $args: usage error, one message" \
        "2:tcpfsm: --progress is for -r without --ui (the live view shows its own counts)" "$rc:$(cat "$TMPD/err")"
done

# --- a compressed file: its own bytes, of its size, and the time left --------
gzip -c "$TMPD/g.pcap" >"$TMPD/g.pcap.gz"
ZSIZE=$(stat -c %s "$TMPD/g.pcap.gz")
mkdir -p "$TMPD/fakebin"
cat >"$TMPD/fakebin/gzip" <<EOF
#!$PY
# gzip -dc, slowly: 16 KiB of input, then a pause (bounded by the file's size)
import sys, time, zlib
d = zlib.decompressobj(31)
while True:
    chunk = sys.stdin.buffer.read(16384)
    if not chunk:
        break
    sys.stdout.buffer.write(d.decompress(chunk))
    sys.stdout.buffer.flush()
    time.sleep(0.05)
sys.stdout.buffer.write(d.flush())
EOF
chmod +x "$TMPD/fakebin/gzip"
zsize_text=$(si_size "$ZSIZE")
rc=0
PATH="$TMPD/fakebin:$PATH" "$TCPFSM" --progress -r "$TMPD/g.pcap.gz" --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "--progress, slow decompressor: exit status" 0 "$rc"
FILE_RE="^tcpfsm: $NUM (B|kB|MB) of ${zsize_text//./\\.} \\([0-9]+%\\), $NUM[kM]? packets at $NUM[kM]?/s, [0-9hms]+ left\$"
check_lines "--progress, slow decompressor (file of $zsize_text)" "$TMPD/err" "$FILE_RE" "$ZSIZE"
if grep -v '"type":"summary"' "$TMPD/out" | cmp -s - "$TMPD/plain.json"; then
    pass "--progress, slow decompressor: the JSON lines are those of the plain file"
else
    fail "--progress, slow decompressor: the JSON lines differ from the plain file's"
fi

# --- a plain file: stopped a while as it reads, its share then shown ---------
# (The file takes some tenths of a second: tcpfsm is stopped 20 ms in, for
# 1.2 s, so that a line is due as soon as it goes on.  Stopped too late -
# reading done - it shows nothing and is tried again on a larger file.)
"$GEN" -o "$TMPD/big.pcap" --conns 100000 --seed 3 2>"$TMPD/gen.err" || fail "gen 100000: $(head -c 300 "$TMPD/gen.err")"
BIG=$(stat -c %s "$TMPD/big.pcap")
big_text=$(si_size "$BIG")
shown=""
for attempt in 1 2 3; do
    rc=0
    "$TCPFSM" --progress --threads 1 -r "$TMPD/big.pcap" >"$TMPD/out" 2>"$TMPD/err" &
    pid=$!
    sleep 0.02
    kill -STOP "$pid" 2>/dev/null
    sleep 1.2
    kill -CONT "$pid" 2>/dev/null
    wait "$pid" || rc=$?
    if [ "$rc" != 0 ]; then
        fail "--progress, plain file stopped and continued: exit status $rc"
        break
    fi
    if grep -q . "$TMPD/err"; then
        shown=yes
        break
    fi
done
if [ -n "$shown" ]; then
    FILE_RE="^tcpfsm: $NUM (B|kB|MB) of ${big_text//./\\.} \\([0-9]+%\\), $NUM[kM]? packets at $NUM[kM]?/s, [0-9hms]+ left\$"
    if [ "$(grep -Evc -- "$FILE_RE" "$TMPD/err")" -eq 0 ]; then
        pass "--progress, plain file of $big_text: its share and the time left ($(head -1 "$TMPD/err"))"
    else
        fail "--progress, plain file: not of the form /$FILE_RE/:"
        sed 's/^/#   /' "$TMPD/err" | head -5
    fi
else
    fail "--progress, plain file: no line in three runs stopped 20 ms in for 1.2 s"
fi

# --- a terminal: on by default, in place, erased before anything else ---------
u_term 200 30
u_wait_prompt    # (keys typed before the shell's prompt are echoed twice)
u_keys "$PY slow.py g.pcap 10 0.3 | $TCPFSM -r - --format json >t.json; echo DONE-\$?" Enter
check_screen "terminal, stdout to a file: the line appears without being asked for" \
    "^tcpfsm: $NUM (B|kB|MB) read, $NUM[kM]? packets at $NUM[kM]?/s *\$" 50
check_screen "terminal: the run ends" '^DONE-0$' 100
check_not_screen "terminal: the line is erased when reading ends" 'packets at' 5
if grep -v '"type":"summary"' "$TMPD/t.json" | cmp -s - "$TMPD/plain.json"; then
    pass "terminal: the JSON lines are those of the file read without the line"
else
    fail "terminal: the JSON lines differ from the file's"
fi
# the line after the command's (its last echo) is DONE: the progress line
# was erased in place, not left behind or followed by a new line (what came
# before the command does not matter)
screen=$(u_screen)
after=$(printf '%s\n' "$screen" | awk -v cmd="--format json >t.json; echo DONE" \
    'found { after = $0; found = 0 } index($0, cmd) { found = 1 } END { print after }')
expect_eq "terminal: one line used, by DONE after it was erased (the command, then DONE)" "DONE-0" "$after"
[ "$after" = DONE-0 ] || printf '%s\n' "$screen" | sed -n '1,/^DONE-0$/p' | sed 's/^/#   | /'

u_keys "clear; $PY slow.py g.pcap 10 0.3 | $TCPFSM -r -; echo DONE-\$?" Enter
check_screen "terminal, the text report to it too: the line appears" "packets at $NUM[kM]?/s" 50
check_screen "terminal: the report follows" '^DONE-0$' 100
# (the report is longer than the screen: its start is in tmux's history,
# which `clear` emptied, the command line too, before the line came)
first=$(tmux -L "$U_TMUX" capture-pane -p -t t -S -2000 | head -1)
expect_eq "terminal: the report's first line where the progress line was" "tcpfsm report: standard input" "$first"
check_not_screen "terminal: no trace of the line beside the report" 'packets at' 5

# JSON lines to the terminal: the progress line would mix with them, so it
# stays off (the screen looked at ten times a second while the file comes)
u_keys "clear; $PY slow.py g.pcap 10 0.3 | $TCPFSM -r - --format json; echo DONE-\$?" Enter
seen=0
for i in $(seq 40); do
    u_screen | grep -q 'packets at [0-9]' && seen=$((seen + 1))
    u_screen | grep -q '^DONE-0$' && break
    sleep 0.1
done
check_screen "terminal, JSON lines streaming to it: the run ends" '^DONE-0$' 100
expect_eq "terminal, JSON lines streaming to it: no progress line in any look at the screen" 0 "$seen"

# a window made narrower while the line is shown: the next lines are cut
# to the new width (whole parts only), never wrapped
u_keys "clear; $PY slow.py g.pcap 20 0.3 | $TCPFSM -r - --format json >t.json; echo DONE-\$?" Enter
check_screen "terminal, before the resize: the whole line" "^tcpfsm: $NUM (B|kB|MB) read, $NUM[kM]? packets" 50
u_resize 30 30
check_screen "terminal narrowed to 30 columns: the line cut to what fits" "^tcpfsm: $NUM (B|kB|MB) read *\$" 40
check_screen "terminal narrowed: the run ends" '^DONE-0$' 100
u_resize 200 30

finish
