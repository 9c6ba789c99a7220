#!/bin/bash
# tests/cli/multifile.sh - several -r files read as one capture (the pieces
# tcpdump -C or -G rotates a capture into).  A capture cut into pieces is
# reported exactly as the whole: the same connections, states, anomalies
# and evidence packet numbers (numbered on from file to file), the same
# Zeek conn.log, the same -w file byte for byte; only the source differs
# ("first ... last (N files)").  Damage in a later piece names that piece
# and its own packet number, and reports everything before it (exit 1); a
# later piece that is no capture ends reading there (exit 1).  A missing or
# unreadable piece, a directory, a file given twice, standard input among
# several, -o naming a piece: exit 2 before anything is read.  Pieces given
# out of time order are read as given, with a warning naming the first two
# and counting the others (in the --ui replay too).  The
# progress line (SIGUSR1) counts the bytes and packets of the pieces before
# the one being read.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
: "${top_builddir:=$top_srcdir}"
scratch
need_fixtures

bench_program gen -lm
GEN=$PROG

if ! "$GEN" -o "$TMPD/whole.pcap" --conns 3000 --seed 7 --data 4 --ipv6 20 2>"$TMPD/gen.err"; then
    fail "gen: $(head -c 300 "$TMPD/gen.err")"
    finish
fi

# Cut a pcap file into N pieces of about equal packet counts, each a pcap
# file with the same header: piece1.pcap ... pieceN.pcap.  Prints the
# packet count of each piece.
split_pcap() {
    "$PY" - "$1" "$2" "$3" <<'EOF'
import struct, sys
src, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(src, "rb").read()
hdr, recs, off = data[:24], [], 24
while off < len(data):
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    recs.append(data[off:off + 16 + caplen])
    off += 16 + caplen
per = (len(recs) + n - 1) // n
for i in range(n):
    part = recs[i * per:(i + 1) * per]
    with open("%s%d.pcap" % (prefix, i + 1), "wb") as f:
        f.write(hdr + b"".join(part))
    print(len(part))
EOF
}
mapfile -t counts < <(split_pcap "$TMPD/whole.pcap" 4 "$TMPD/piece")
expect_eq "the capture cut into 4 pieces" 4 "${#counts[@]}"
P=("$TMPD/piece1.pcap" "$TMPD/piece2.pcap" "$TMPD/piece3.pcap" "$TMPD/piece4.pcap")
ALL=(-r "${P[0]}" -r "${P[1]}" -r "${P[2]}" -r "${P[3]}")
before3=$((counts[0] + counts[1]))

# JSON lines of two runs alike, but for the summary's "source" (and its
# link type's, format's wording, which name the first file's): prints the
# first difference.
same_json() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
def load(p):
    out = []
    for l in open(p, encoding="utf-8"):
        o = json.loads(l)
        if o.get("type") in ("summary", "snapshot"):
            o.pop("source", None)
        out.append(o)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
if len(a) != len(b):
    sys.exit("%d lines against %d" % (len(a), len(b)))
for i, (x, y) in enumerate(zip(a, b), 1):
    if x != y:
        sys.exit("line %d differs: %.300s / %.300s" % (i, json.dumps(x), json.dumps(y)))
EOF
}

# --- the pieces read as the whole --------------------------------------------
run -r "$TMPD/whole.pcap" --format json
cp "$TMPD/out" "$TMPD/whole.json"
run "${ALL[@]}" --format json
expect_eq "4 pieces, json: exit status" 0 "$rc"
no_sanitizer "4 pieces, json"
if why=$(same_json "$TMPD/whole.json" "$TMPD/out" 2>&1); then
    pass "4 pieces: the JSON report of the whole capture (connections, anomalies, evidence packet numbers, summary)"
else
    fail "4 pieces: JSON differs from the whole capture's: $why"
fi
if grep -q '"evidence":\[' "$TMPD/out" && [ "${counts[3]}" -gt 0 ]; then
    last_ev=$(jq_out 'max(n for o in L if o["type"] == "anomaly" for n in o["evidence"])')
    if [ "$last_ev" -gt "$before3" ]; then
        pass "evidence packet numbers run on past the first pieces (largest $last_ev)"
    else
        fail "evidence packet numbers: largest $last_ev, expected one past $before3"
    fi
else
    fail "the JSON report has no anomaly evidence to compare"
fi
src=$(jq_out 'L[-1]["source"]')
expect_eq "4 pieces: the summary's source" "${P[0]} ... ${P[3]} (4 files)" "$src"
expect_eq "4 pieces: the summary's packets" "$(IFS=+; echo $((${counts[*]})))" "$(jq_out 'L[-1]["packets"]')"
if [ -s "$TMPD/err" ]; then fail "4 pieces: stderr not empty: $(head -c 300 "$TMPD/err")"; else pass "4 pieces: nothing on stderr"; fi

run -r "$TMPD/whole.pcap"
sed 1d "$TMPD/out" >"$TMPD/whole.txt"
run "${ALL[@]}"
expect_eq "4 pieces, text: exit status" 0 "$rc"
expect_eq "4 pieces, text: the first line names the files" "tcpfsm report: ${P[0]} ... ${P[3]} (4 files)" \
    "$(head -n 1 "$TMPD/out")"
if sed 1d "$TMPD/out" | cmp -s - "$TMPD/whole.txt"; then
    pass "4 pieces: the text report of the whole capture below its first line"
else
    fail "4 pieces: text report differs: $(sed 1d "$TMPD/out" | diff "$TMPD/whole.txt" - | head -c 400)"
fi

run -r "$TMPD/whole.pcap" --format zeek
cp "$TMPD/out" "$TMPD/whole.log"
run "${ALL[@]}" --format zeek
expect_eq "4 pieces, zeek: exit status" 0 "$rc"
if cmp -s "$TMPD/out" "$TMPD/whole.log"; then pass "4 pieces: the whole capture's conn.log"; else
    fail "4 pieces: conn.log differs"; fi

run -r "$TMPD/whole.pcap" -w "$TMPD/whole-w.pcap"
run "${ALL[@]}" -w "$TMPD/pieces-w.pcap"
expect_eq "4 pieces, -w: exit status" 0 "$rc"
if [ -s "$TMPD/pieces-w.pcap" ] && cmp -s "$TMPD/whole-w.pcap" "$TMPD/pieces-w.pcap"; then
    pass "4 pieces: -w writes the whole capture's file, byte for byte"
else
    fail "4 pieces: -w's file differs from the whole capture's"
fi

run --ui "${ALL[@]}" --format json
expect_eq "--ui replay of 4 pieces: exit status" 0 "$rc"
[ "$rc" = 0 ] || sed "s/^/#   /" "$TMPD/err" | head -5
cp "$TMPD/out" "$TMPD/pieces-ui.json"
run --ui -r "$TMPD/whole.pcap" --format json
if why=$(same_json "$TMPD/out" "$TMPD/pieces-ui.json" 2>&1); then
    pass "--ui replay of 4 pieces (no terminal): the whole capture's lines"
else
    fail "--ui replay of 4 pieces: $why"
fi

# --- damage in a later piece -------------------------------------------------
# piece 3 cut 1 byte short: its last record's data incomplete
size3=$(stat -c %s "${P[2]}")
head -c $((size3 - 1)) "${P[2]}" >"$TMPD/cut3.pcap"
run -r "${P[0]}" -r "${P[1]}" -r "$TMPD/cut3.pcap" -r "${P[3]}" --format json
expect_eq "a piece cut short: exit status" 1 "$rc"
no_sanitizer "a piece cut short"
one_line_msg "a piece cut short" "tcpfsm: ${P[0]} ... ${P[3]} (4 files): packet $((before3 + counts[2])): truncated record"
if grep -q "of $TMPD/cut3.pcap, its packet ${counts[2]})" "$TMPD/err"; then
    pass "a piece cut short: the message names the piece and its own packet number"
else
    fail "a piece cut short: the piece or its packet number not named: $(head -c 400 "$TMPD/err")"
fi
expect_eq "a piece cut short: error_packet" $((before3 + counts[2])) "$(jq_out 'L[-1]["error_packet"]')"
expect_eq "a piece cut short: the packets before it reported" $((before3 + counts[2] - 1)) \
    "$(jq_out 'L[-1]["packets"]')"

echo "not a capture" >"$TMPD/junk.pcap"
run -r "${P[0]}" -r "$TMPD/junk.pcap" -r "${P[1]}" --format json
expect_eq "a piece that is no capture: exit status" 1 "$rc"
no_sanitizer "a piece that is no capture"
one_line_msg "a piece that is no capture" \
    "tcpfsm: ${P[0]} ... ${P[1]} (3 files): packet $((counts[0] + 1)): $TMPD/junk.pcap: not a pcap or pcapng"
expect_eq "a piece that is no capture: the first piece reported" "${counts[0]}" "$(jq_out 'L[-1]["packets"]')"
expect_eq "a piece that is no capture: the summary says damaged" true "$(jq_out 'L[-1]["damaged"]')"

# a piece with no packets (a header only) is passed over
head -c 24 "${P[0]}" >"$TMPD/empty.pcap"
run -r "${P[0]}" -r "$TMPD/empty.pcap" -r "${P[1]}" --format json
expect_eq "a piece with no packets: exit status" 0 "$rc"
expect_eq "a piece with no packets: packets" $((counts[0] + counts[1])) "$(jq_out 'L[-1]["packets"]')"

# --- refused before reading --------------------------------------------------
check_usage() {
    local what=$1 prefix=$2
    shift 2
    run "$@"
    expect_eq "$what: exit status" 2 "$rc"
    no_sanitizer "$what"
    one_line_msg "$what" "$prefix"
    if [ -s "$TMPD/out" ]; then fail "$what: a report was written"; else pass "$what: no report"; fi
}
check_usage "a missing piece" "tcpfsm: $TMPD/nonesuch.pcap: cannot open: No such file" \
    -r "${P[0]}" -r "$TMPD/nonesuch.pcap"
check_usage "a directory among the pieces" "tcpfsm: $TMPD/fx: is a directory" -r "${P[0]}" -r "$TMPD/fx"
check_usage "a piece given twice" "tcpfsm: ${P[1]}: given twice with -r" -r "${P[0]}" -r "${P[1]}" -r "${P[1]}"
check_usage "standard input among pieces" "tcpfsm: -r -: standard input is read alone" -r "${P[0]}" -r -
cp "${P[1]}" "$TMPD/keep.pcap"
check_usage "-o naming a piece" "tcpfsm: ${P[1]}: -o names an input file" "${ALL[@]}" -o "${P[1]}"
if cmp -s "${P[1]}" "$TMPD/keep.pcap"; then pass "-o naming a piece: the piece untouched"; else
    fail "-o naming a piece: the piece was changed"; fi
# files after one -r are a filter expression, which does not compile: the
# message says how several files are given
run -r "${P[0]}" "${P[1]}" "${P[2]}"
expect_eq "files without -r each: exit status" 2 "$rc"
if grep -q "filter \"${P[1]} ${P[2]}\": .*; ${P[1]} is a file: several files are read as one capture with -r before each" \
    "$TMPD/err"; then
    pass "files without -r each: the filter's message says to give -r before each"
else
    fail "files without -r each: no hint: $(head -c 400 "$TMPD/err")"
fi
mkfifo "$TMPD/fifo"
check_usage "-w with a FIFO among pieces" "tcpfsm: $TMPD/fifo: -w reads the capture twice" \
    -r "${P[0]}" -r "$TMPD/fifo" -w "$TMPD/w.pcap"

# --- pieces out of time order ------------------------------------------------
run -r "${P[1]}" -r "${P[0]}" --format json
expect_eq "pieces out of order: exit status" 0 "$rc"
one_line_msg "pieces out of order" "tcpfsm: ${P[0]} begins "
if grep -q "before the end of ${P[1]}, read before it" "$TMPD/err"; then
    pass "pieces out of order: the warning names both pieces"
else
    fail "pieces out of order: $(head -c 300 "$TMPD/err")"
fi
expect_eq "pieces out of order: all packets read" $((counts[0] + counts[1])) "$(jq_out 'L[-1]["packets"]')"

# the earlier file named is the one the newer packet came from, not an
# empty file between
run -r "${P[1]}" -r "$TMPD/empty.pcap" -r "${P[0]}" --format json
one_line_msg "pieces out of order, an empty file between" "tcpfsm: ${P[0]} begins "
if grep -q "before the end of ${P[1]}, read before it" "$TMPD/err"; then
    pass "pieces out of order, an empty file between: the warning names the file with the newer packet"
else
    fail "pieces out of order, an empty file between: $(head -c 300 "$TMPD/err")"
fi

# two files: no count
if grep -q "(and" "$TMPD/err"; then
    fail "two pieces out of order: a count where there are no others: $(head -c 300 "$TMPD/err")"
else
    pass "two pieces out of order: no count of others"
fi
# every file out of order is counted in the one line; the --ui replay
# (no terminal) says it too
run -r "${P[3]}" -r "${P[2]}" -r "${P[1]}" -r "${P[0]}" --format json
one_line_msg "4 pieces in reverse order" "tcpfsm: ${P[2]} begins "
if grep -q "before the end of ${P[3]}, read before it (and 2 more files like it)" "$TMPD/err"; then
    pass "4 pieces in reverse order: the first named, the 2 others counted"
else
    fail "4 pieces in reverse order: $(head -c 300 "$TMPD/err")"
fi
run -r "${P[1]}" -r "${P[0]}" -r "${P[3]}" -r "${P[2]}" --format json
if grep -q "before the end of ${P[1]}, read before it (and 1 more file like it):" "$TMPD/err"; then
    pass "2 pairs out of order: one more file counted, in the singular"
else
    fail "2 pairs out of order: $(head -c 300 "$TMPD/err")"
fi
run --ui -r "${P[1]}" -r "${P[0]}" --format json
expect_eq "--ui replay of pieces out of order: exit status" 0 "$rc"
one_line_msg "--ui replay of pieces out of order" "tcpfsm: ${P[0]} begins "
# ... and on a terminal, after the screen is closed (q)
rm -f "$TMPD/err"
# (q once the screen says the replay is done, so that every file is read)
: >"$TMPD/typescript"
{
    for _ in $(seq 1 200); do
        grep -q "REPLAY DONE" "$TMPD/typescript" && break
        sleep 0.1
    done
    printf q
} | TERM=xterm timeout 30 script -qfec "$TCPFSM --ui -r ${P[2]} -r ${P[1]} -r ${P[0]} 2>$TMPD/err" \
    "$TMPD/typescript" >/dev/null 2>&1
if [ "$(grep -c "begins" "$TMPD/err" 2>/dev/null)" = 1 ] &&
    grep -q "before the end of ${P[2]}, read before it (and 1 more file like it)" "$TMPD/err"; then
    pass "the live view's replay of pieces out of order: the warning after the screen"
else
    fail "the live view's replay of pieces out of order: $(head -c 300 "$TMPD/err" 2>/dev/null)"
fi

# a piece whose packets have no time (0) neither hides the order of those
# after it nor is taken as out of order
"$PY" - "${P[1]}" "$TMPD/zero.pcap" <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off = 24
while off < len(data):
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    struct.pack_into("<II", data, off, 0, 0)
    off += 16 + caplen
open(sys.argv[2], "wb").write(data)
EOF
run -r "${P[3]}" -r "$TMPD/zero.pcap" -r "${P[0]}" --format json
if grep -q "^tcpfsm: ${P[0]} begins .* before the end of ${P[3]}, read before it:" "$TMPD/err"; then
    pass "a piece without times between: the order of the next still checked"
else
    fail "a piece without times between: $(head -c 300 "$TMPD/err")"
fi

# a link type tcpfsm does not decode: refused as the first file, counted
# in a later one
run -r "$FX/unknown-link.pcap" -r "${P[0]}"
expect_eq "an undecodable link type, first of two: usage error" 2 "$rc"
one_line_msg "an undecodable link type, first of two" "tcpfsm: $FX/unknown-link.pcap: unsupported link type"
run -r "${P[0]}" -r "$FX/unknown-link.pcap" --format json
expect_eq "an undecodable link type, second of two: exit status" 0 "$rc"
expect_eq "an undecodable link type, second of two: the link types and the packets not decoded" \
    "EN10MB (Ethernet) and others|$(($(jq_out 'L[-1]["packets"]') - counts[0]))" \
    "$(jq_out 'L[-1]["link_type"]')|$(jq_out 'L[-1]["not_decoded"].get("unsupported_link", 0)')"

# a later FIFO that no one writes: the run waits for it in a read, where
# SIGTERM stops it (the report of what was read, exit 4), not in an open()
# no signal ends
rm -f "$TMPD/fifo2"
mkfifo "$TMPD/fifo2"
"$TCPFSM" -r "${P[0]}" -r "$TMPD/fifo2" --format json >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
for _ in $(seq 1 50); do
    sleep 0.1
    ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -- "-> $TMPD/fifo2" && break
done
kill -TERM "$pid" 2>/dev/null
rc=0
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    fail "a later FIFO no one writes: SIGTERM did not stop tcpfsm within 5 s"
    kill -KILL "$pid" 2>/dev/null
fi
wait "$pid" || rc=$?
expect_eq "a later FIFO no one writes, SIGTERM: exit status" 4 "$rc"
expect_eq "a later FIFO no one writes, SIGTERM: the first piece reported" "${counts[0]}" "$(jq_out 'L[-1]["packets"]')"

# --- formats: a pcap piece and a pcapng piece --------------------------------
run -r "$FX/good.pcap" -r "$FX/good.pcapng"
expect_eq "pcap then pcapng: exit status" 0 "$rc"
expect_eq "pcap then pcapng: the formats named" "pcap; pcapng" \
    "$(grep -m1 'link type' "$TMPD/out" | sed 's/.*), //')"

# --- the progress line counts the pieces before ------------------------------
# pieces 1-3 are files, piece 4 comes through a FIFO held open: SIGUSR1
# while tcpfsm waits on it asks for a line, which must count at least the
# first three pieces' packets and bytes.
bytes3=$(($(stat -c %s "${P[0]}") + $(stat -c %s "${P[1]}") + size3))
exec 8<>"$TMPD/fifo"         # (held open both ways: tcpfsm's open does not wait)
"$TCPFSM" -r "${P[0]}" -r "${P[1]}" -r "${P[2]}" -r "$TMPD/fifo" >"$TMPD/out" 2>"$TMPD/err" 8>&- &
pid=$!
head -c 1000 "${P[3]}" >&8
# SIGUSR1 only once tcpfsm catches it (before, it would end it) and has
# the FIFO open (its own descriptor: it inherits none), the first three
# pieces read; the last line must then count them
catches_usr1() { [ $((0x$(awk '/^SigCgt/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0) & 0x200)) -ne 0 ]; }
fifo_open() { ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -- "-> $TMPD/fifo"; }
line=
for _ in $(seq 1 100); do
    sleep 0.1
    catches_usr1 && fifo_open || continue
    kill -USR1 "$pid" 2>/dev/null
    sleep 0.3
    line=$(grep 'packets' "$TMPD/err" | tail -n 1)
    [ -n "$line" ] && break
done
exec 8>&-
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [[ $line =~ ^tcpfsm:\ ([0-9.]+)\ (B|kB|MB)\ read,\ ([0-9.]+)(k?)\ packets ]]; then
    read_b=$("$PY" -c "print(int(float('${BASH_REMATCH[1]}') * {'B':1,'kB':1e3,'MB':1e6}['${BASH_REMATCH[2]}']))")
    pk=$("$PY" -c "print(int(float('${BASH_REMATCH[3]}') * (1000 if '${BASH_REMATCH[4]}' else 1)))")
    # the figures are rounded to 3 digits: allow 1%
    if [ "$pk" -ge $((before3 + counts[2] - (before3 + counts[2]) / 100)) ] && \
        [ "$read_b" -ge $((bytes3 - bytes3 / 100)) ]; then
        pass "progress across pieces: '$line' counts the first three ($((before3 + counts[2])) packets, $bytes3 bytes)"
    else
        fail "progress across pieces: '$line' is less than the first three pieces ($((before3 + counts[2])) packets, $bytes3 bytes)"
    fi
else
    fail "progress across pieces: no line for SIGUSR1 (stderr: $(head -c 300 "$TMPD/err"))"
fi

finish
