#!/bin/bash
# tests/cli/damaged.sh - damaged and unusable input, and usage errors: each
# has its documented exit status (0 all read, 1 damaged but reported, 2 usage
# or unopenable input, 3 output error) and one clear message naming the file
# (and the packet, where there is one).  The captures come from mkcap.py.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
scratch
need_fixtures

# --- input that cannot be opened: exit 2, "tcpfsm: FILE: ...", no report ---
unopenable() {   # WHAT FILE [EXTRA-PATTERN]
    run -r "$2" --format json
    no_sanitizer "$1"
    expect_eq "$1: exit status" 2 "$rc"
    one_line_msg "$1" "tcpfsm: $2: "
    expect_eq "$1: nothing on stdout" 0 "$(wc -c <"$TMPD/out")"
    if [ -n "${3:-}" ]; then
        if grep -qi -e "$3" "$TMPD/err"; then pass "$1: message says '$3'"
        else fail "$1: message should say '$3': $(head -n 2 "$TMPD/err")"; fi
    fi
}

unopenable "missing file" "$FX/no-such-file.pcap" "no such file"
unopenable "directory" "$FX" "directory"
unopenable "empty file" "$FX/empty.pcap" "empty"
unopenable "text file, not a capture" "$FX/not-a-capture.txt" "not a pcap"
unopenable "pcap file header cut to 10 bytes" "$FX/trunc-filehdr.pcap" "truncated"
unopenable "unassigned link type 4000" "$FX/unknown-link.pcap" "unsupported link type"
unopenable "link type USB_LINUX (not decoded)" "$FX/user-link.pcap" "unsupported link type"

if [ "$(id -u)" -ne 0 ]; then
    cp "$FX/good.pcap" "$FX/unreadable.pcap"
    chmod 000 "$FX/unreadable.pcap"
    unopenable "unreadable file" "$FX/unreadable.pcap" "permission"
fi

# --- a valid header and no packets: nothing is damaged ----------------------
run -r "$FX/header-only.pcap" --format json
no_sanitizer "header only"
expect_eq "header only: exit status" 0 "$rc"
json_ok "header only"
expect_eq "header only: packets, connections" "0 0" "$(jq_out '"%s %s" % (S["packets"], S["connections"])')"

# --- damage after good packets: exit 1, report of what came before ----------
# damaged WHAT FILE PACKET: the report (JSON and text) covers the packets
# before PACKET, connection A (port 40000, closed before the damage) is in it,
# and stderr has one line naming the file and the packet.
damaged() {
    run -r "$2" --format json
    damaged_checks "$@"
}
# damaged_checks WHAT FILE PACKET [NAME]: the checks on the run just made; for
# FILE "-" (standard input, already consumed) the text run is left out.
damaged_checks() {
    local what=$1 file=$2 pkt=$3 name=${4:-$2}
    no_sanitizer "$what (json)"
    expect_eq "$what: exit status (json)" 1 "$rc"
    one_line_msg "$what" "tcpfsm: $name: packet $pkt: "
    json_ok "$what"
    expect_eq "$what: summary damaged, error_packet, exit_status, packets" \
        "True $pkt 1 $((pkt - 1))" \
        "$(jq_out '"%s %s %s %s" % (S.get("damaged"), S.get("error_packet"), S.get("exit_status"), S.get("packets"))')"
    expect_eq "$what: connection A from before the damage is reported" \
        "192.0.2.1 192.0.2.2 80 TIME_WAIT CLOSED 100 200" \
        "$(jq_out '" ".join("%s %s %s %s %s %s %s" % (c["client_addr"], c["server_addr"], c["server_port"], c["client_state"], c["server_state"], c["client_bytes"], c["server_bytes"]) for c in C if c["client_port"] == 40000)')"
    if [ "$file" = - ]; then return; fi
    run -r "$file"
    no_sanitizer "$what (text)"
    expect_eq "$what: exit status (text)" 1 "$rc"
    if grep -q "Endpoint states at end of capture" "$TMPD/out" && grep -q "DAMAGED.*packet $pkt" "$TMPD/out"; then
        pass "$what: text report printed, with the damage noted"
    else
        fail "$what: text report missing or damage not noted:"; sed 's/^/#   /' "$TMPD/out"
    fi
}

last=$off_packets
damaged "last record header cut short" "$FX/trunc-rechdr.pcap" "$last"
damaged "last record body cut short" "$FX/trunc-body.pcap" "$last"
damaged "pcapng cut inside the last packet block" "$FX/trunc-block.pcapng" "$last"
damaged "pcapng block 12 with disagreeing length fields" "$FX/length-mismatch.pcapng" 12
damaged "pcapng block 12 claiming 4 GiB" "$FX/huge-block.pcapng" 12
# The replay into the live view (--ui; without a terminal, its snapshot
# lines and the report): the same packet named, on stderr and in the summary.
run -r "$FX/trunc-body.pcap" --ui --format json
no_sanitizer "--ui replay of a damaged file"
expect_eq "--ui replay, last record body cut short: exit status, error_packet" "1 $last" \
    "$rc $(jq_out 'S.get("error_packet")')"
if grep -q "packet $last: " "$TMPD/err"; then pass "--ui replay: stderr names packet $last"
else fail "--ui replay: stderr should name packet $last: $(head -c 300 "$TMPD/err")"; fi
run -r "$FX/huge-caplen.pcap" --ui --format json
expect_eq "--ui replay, record 12 claiming 2 GiB: error_packet" 12 "$(jq_out 'S.get("error_packet")')"

# --- pcapng interfaces --------------------------------------------------------
# Two interfaces of different link types (Ethernet for connection A, then raw
# IP for B-D): tcpfsm decodes each packet by its own interface's link type,
# so the whole file is read: exit 0, all 23 packets, 4 connections.
run -r "$FX/two-links.pcapng" --format json
no_sanitizer "pcapng, two link types"
expect_eq "pcapng, two link types: exit status" 0 "$rc"
json_ok "pcapng, two link types"
expect_eq "pcapng, two link types: packets, TCP packets, connections" "23 23 4" \
    "$(jq_out '"%s %s %s" % (S["packets"], S["tcp_packets"], S["connections"])')"
expect_eq "pcapng, two link types: connection B (raw IP interface) states" "ESTABLISHED ESTABLISHED" \
    "$(jq_out '" ".join("%s %s" % (c["client_state"], c["server_state"]) for c in C if c["client_port"] == 40001)')"

# Interface 0 has a link type tcpfsm does not decode but carries no packet;
# interface 1 (Ethernet) carries them all.  Packets are decoded by their own
# interface, so the file is usable: exit 0 and the 4 connections.
run -r "$FX/first-if-unsupported.pcapng" --format json
no_sanitizer "pcapng, first interface undecodable"
expect_eq "pcapng, first interface undecodable, packets on the second: exit status" 0 "$rc"
if [ "$rc" = 0 ]; then
    expect_eq "pcapng, first interface undecodable: connections" 4 "$(jq_out 'S["connections"]')"
else
    echo "#   stderr: $(head -n 2 "$TMPD/err")"
fi

# Every packet block names interface 5, never described: the packets cannot
# be decoded.  Saying nothing and exiting 0 with "0 packets" hides 23 packet
# blocks; tcpfsm must either report damage (exit 1, file and packet named) or
# count them in the summary.
run -r "$FX/undefined-if.pcapng" --format json
no_sanitizer "pcapng, packets on an undefined interface"
if [ "$rc" = 1 ] && grep -q "^tcpfsm: $FX/undefined-if.pcapng: packet 1: " "$TMPD/err"; then
    pass "pcapng, packets on an undefined interface: damage reported at packet 1"
elif [ "$rc" = 0 ] && [ "$(jq_out 'S.get("packets")')" = "$off_packets" ]; then
    pass "pcapng, packets on an undefined interface: all $off_packets counted in the summary"
else
    fail "pcapng, packets on an undefined interface: exit $rc, summary packets $(jq_out 'S.get("packets")'), stderr '$(head -n 2 "$TMPD/err")': the $off_packets packet blocks vanish without a word"
fi

# A section header and nothing else: a valid, empty capture.
run -r "$FX/shb-only.pcapng" --format json
no_sanitizer "pcapng, section header only"
expect_eq "pcapng, section header only: exit status" 0 "$rc"
json_ok "pcapng, section header only"

# A filter that compiles for the first interface's link type (Ethernet) and
# not for the second's (raw IP): exit 1 at packet 12, the first of the
# second interface, and the 11 before it reported and counted as they were:
# packets = TCP segments + not decoded + filtered out.
run -r "$FX/two-links.pcapng" --format json 'ether host 02:00:00:00:00:01'
expect_eq "a filter failing at the second link type: exit status, error_packet" "1 12" \
    "$rc $(jq_out 'S.get("error_packet")')"
expect_eq "a filter failing at the second link type: packets = TCP + not decoded + filtered out" \
    "$(jq_out 'S["packets"]')" \
    "$(jq_out 'S["tcp_packets"] + sum(S.get("not_decoded", {}).values()) + S["filtered_out"]')"

# --- timestamps at the edges ----------------------------------------------------
# An if_tsoffset of 10^11 s, and timestamps whose nanosecond values span the
# whole signed 64-bit range: whatever the report says about the times, no
# overflow (a sanitizer report), exit 0 or 1 and a well-formed report.
for f in tsoffset ts-extremes ts-alternating; do
    for fmt in text json; do
        run -r "$FX/$f.pcapng" --format $fmt
        no_sanitizer "$f.pcapng ($fmt)"
        case $rc in
        0|1) pass "$f.pcapng ($fmt): exit status $rc" ;;
        *) fail "$f.pcapng ($fmt): exit status $rc: $(head -c 600 "$TMPD/err")" ;;
        esac
        [ $fmt = json ] && json_ok "$f.pcapng ($fmt)"
    done
done
# An if_tsoffset is applied: as seconds since 1970 it gives the base of
# times written relative to it (as tshark reads it); 10^11 s puts every
# time past 2100, where each is clamped and counted.
run -r "$FX/tsoffset-epoch.pcapng" --format json
expect_eq "tsoffset-epoch.pcapng: the first time is the offset's base plus 1 ms, nothing clamped" \
    "1700000000 0" "$(jq_out 'round(S["first"] - 0.001)') $(jq_out 'S.get("timestamps_clamped", 0)')"
run -r "$FX/tsoffset.pcapng" --format json
expect_eq "tsoffset.pcapng (10^11 s): every packet's time clamped and counted" \
    "$off_packets" "$(jq_out 'S.get("timestamps_clamped", 0)')"
# ts-extremes holds times before 1970 and after 2100: they are clamped into
# that range, and the summary says how many (never silently).
run -r "$FX/ts-extremes.pcapng" --format json
clamped=$(jq_out 'S.get("timestamps_clamped", 0)')
if [ "${clamped:-0}" -gt 0 ] 2>/dev/null; then
    pass "ts-extremes.pcapng: summary counts $clamped clamped timestamps"
else
    fail "ts-extremes.pcapng: timestamps_clamped missing from the summary (got '${clamped}')"
fi
run -r "$FX/ts-extremes.pcapng"
if grep -q "timestamps outside 1970..2100, clamped" "$TMPD/out"; then
    pass "ts-extremes.pcapng: the text summary notes the clamped timestamps"
else
    fail "ts-extremes.pcapng: no note of the clamped timestamps in the text summary"
fi

# --- other encodings of the same traffic --------------------------------------
run -r "$FX/good.pcap" --format json
grep '"type":"conn"' "$TMPD/out" >"$TMPD/good.conns"
for f in big-endian.pcap nanosecond.pcap big-endian.pcapng; do
    run -r "$FX/$f" --format json
    no_sanitizer "$f"
    expect_eq "$f: exit status" 0 "$rc"
    expect_eq "$f: same connections as good.pcap" "$(cat "$TMPD/good.conns")" "$(grep '"type":"conn"' "$TMPD/out")"
done
unopenable "pcap major version 1" "$FX/version1.pcap" "version"

# --- record lengths libpcap may refuse ---------------------------------------
# Record 12 claims a captured length of 0x7ffffff0: libpcap refuses it; exit 1
# (or 2), message naming the file and packet 12, never a crash.
run -r "$FX/huge-caplen.pcap" --format json
no_sanitizer "absurd caplen"
case $rc in
1|2) pass "absurd caplen: exit status $rc" ;;
*) fail "absurd caplen: exit status should be 1 or 2, got $rc" ;;
esac
one_line_msg "absurd caplen" "tcpfsm: $FX/huge-caplen.pcap: packet 12: "
if [ "$rc" = 1 ]; then
    json_ok "absurd caplen"
    expect_eq "absurd caplen: connection A before it is reported" 1 \
        "$(jq_out 'sum(1 for c in C if c["client_port"] == 40000)')"
fi

# Records longer than the header's snapshot length (64) but otherwise sane:
# libpcap (for old Solaris files) accepts them and cuts them to the snapshot
# length, so tcpfsm sees short packets.  Any of 0/1 is acceptable; a non-zero
# status needs the file and packet in the message.
for f in caplen-over-snaplen caplen-over-wirelen; do
    run -r "$FX/$f.pcap" --format json
    no_sanitizer "$f"
    case $rc in
    0) pass "$f: exit status 0 (libpcap accepted the records)"
       json_ok "$f"
       expect_eq "$f: every record counted" "$off_packets" "$(jq_out 'S["packets"]')" ;;
    1) pass "$f: exit status 1"
       json_ok "$f"
       if grep -q "^tcpfsm: $FX/$f.pcap: packet [0-9]" "$TMPD/err"; then pass "$f: message names file and packet"
       else fail "$f: message should name file and packet: $(head -n 2 "$TMPD/err")"; fi ;;
    *) fail "$f: exit status should be 0 or 1, got $rc: $(head -n 2 "$TMPD/err")" ;;
    esac
done

# --- standard input ----------------------------------------------------------
run_in "$FX/good.pcap" -r - --format json
no_sanitizer "stdin"
expect_eq "stdin: -r - < good.pcap exit status" 0 "$rc"
json_ok "stdin"
expect_eq "stdin: source and connections" "standard input 4" "$(jq_out '"%s %s" % (S["source"], S["connections"])')"

run_in "$FX/good.pcapng" -r - --format json
no_sanitizer "stdin pcapng"
expect_eq "stdin: pcapng exit status" 0 "$rc"
expect_eq "stdin: pcapng connections" 4 "$(jq_out 'S["connections"]')"

# Standard input closed 5 bytes into record 12's header.
cut=$((off_conn_a_end + 5))
rc=0
head -c "$cut" "$FX/good.pcap" | "$TCPFSM" -r - --format json >"$TMPD/out" 2>"$TMPD/err" || rc=$?
damaged_checks "stdin closed early (head -c $cut | tcpfsm -r -)" - 12 "standard input"

rc=0
head -c 10 "$FX/good.pcap" | "$TCPFSM" -r - >"$TMPD/out" 2>"$TMPD/err" || rc=$?
no_sanitizer "stdin closed inside the file header"
expect_eq "stdin closed inside the file header: exit status" 2 "$rc"
one_line_msg "stdin closed inside the file header" "tcpfsm: standard input: "

run_in /dev/null -r -
no_sanitizer "empty stdin"
expect_eq "empty stdin: exit status" 2 "$rc"
one_line_msg "empty stdin" "tcpfsm: standard input: "

# --- standard input with -w: tcpfsm keeps a temporary copy (for the second
# pass) in $TMPDIR; whatever happens it must be removed, and messages must
# still say "standard input", not the copy's name.
ST=$TMPD/stdin-tmp
mkdir -p "$ST"
stdin_w() {   # WHAT INPUT-FILE WANT-STATUS NAMES-STDIN(yes/no) ARGS...
    local what=$1 input=$2 want=$3 names=$4 left
    shift 4
    rc=0
    TMPDIR=$ST "$TCPFSM" -r - -w "$TMPD/written.pcap" "$@" <"$input" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    no_sanitizer "-r - -w, $what"
    expect_eq "-r - -w, $what: exit status" "$want" "$rc"
    left=$(ls -A "$ST")
    expect_eq "-r - -w, $what: no temporary copy of standard input left in \$TMPDIR" "" "$left"
    rm -rf "${ST:?}"/*
    if [ "$names" = yes ]; then
        if grep -q "^tcpfsm: standard input: " "$TMPD/err"; then pass "-r - -w, $what: message names standard input"
        else fail "-r - -w, $what: message should name standard input: $(head -n 1 "$TMPD/err")"; fi
    fi
}
stdin_w "whole capture" "$FX/good.pcap" 0 no
head -c $((off_conn_a_end + 5)) "$FX/good.pcap" >"$TMPD/cut.pcap"
stdin_w "capture cut short" "$TMPD/cut.pcap" 1 yes
stdin_w "not a capture" "$FX/not-a-capture.txt" 2 yes
stdin_w "unsupported link type" "$FX/user-link.pcap" 2 yes
stdin_w "invalid filter" "$FX/good.pcap" 2 no tcp and and

# --- output that cannot be written: exit 3 ------------------------------------
# With two threads the report is written by a thread of its own
# (src/outwriter.c), which keeps the write's errno; with one, the last flush
# of the stream fails the same way (out_flushed()): either way the message
# names the reason.
if [ -w /dev/full ]; then
    for fmt in text json zeek; do
        what=report
        [ $fmt = zeek ] && what=conn.log
        for threads in 1 2; do
            rc=0
            "$TCPFSM" --threads $threads -r "$FX/good.pcap" --format $fmt >/dev/full 2>"$TMPD/err" || rc=$?
            no_sanitizer "stdout on /dev/full ($fmt, $threads threads)"
            expect_eq "stdout on /dev/full ($fmt, $threads threads): exit status" 3 "$rc"
            one_line_msg "stdout on /dev/full ($fmt, $threads threads)" \
                "tcpfsm: cannot write the $what: No space left on device"
        done
    done
    # (short outputs, written at the last flush)
    rc=0
    "$TCPFSM" --version >/dev/full 2>"$TMPD/err" || rc=$?
    expect_eq "--version on /dev/full: exit status" 3 "$rc"
    one_line_msg "--version on /dev/full" "tcpfsm: cannot write to standard output: No space left on device"
    rc=0
    "$TCPFSM" -D >/dev/full 2>"$TMPD/err" || rc=$?
    expect_eq "-D on /dev/full: exit status" 3 "$rc"
    one_line_msg "-D on /dev/full" "tcpfsm: cannot write the list: No space left on device"
fi

# --- usage errors: exit 2, one line on stderr, nothing on stdout -------------
usage_error() {   # WHAT PATTERN ARGS...
    local what=$1 pat=$2
    shift 2
    run "$@"
    no_sanitizer "$what"
    expect_eq "$what: exit status" 2 "$rc"
    one_line_msg "$what" "tcpfsm: "
    expect_eq "$what: nothing on stdout" 0 "$(wc -c <"$TMPD/out")"
    if grep -q -F -e "$pat" "$TMPD/err"; then pass "$what: message mentions '$pat'"
    else fail "$what: message should mention '$pat': $(cat -v "$TMPD/err")"; fi
    if LC_ALL=C grep -q '[[:cntrl:]]' "$TMPD/err"; then
        fail "$what: control characters in the message: $(cat -v "$TMPD/err")"
    fi
}

G=$FX/good.pcap
usage_error "no -r" "-r" --format json
usage_error "-r without its argument" "-r" -r
usage_error "unknown long option" "--bogus" -r "$G" --bogus
usage_error "unknown short option" "-x" -r "$G" -x
usage_error "argument to an option that takes none (--all=yes)" "--all" -r "$G" --all=yes
usage_error "bad --format" "xml" -r "$G" --format xml
usage_error "--format without its argument" "--format" -r "$G" --format
for v in abc 0 -1 nan inf 1e99 5s; do
    usage_error "bad --msl $v" "--msl" -r "$G" --msl "$v"
done
usage_error "bad --idle-timeout" "--idle-timeout" -r "$G" --idle-timeout soon
usage_error "bad --linger" "--linger" -r "$G" --linger -3
usage_error "bad --max-conns 0" "--max-conns" -r "$G" --max-conns 0
usage_error "bad --max-conns 2^64+1" "--max-conns" -r "$G" --max-conns 18446744073709551617
usage_error "invalid filter expression" "tcp and and" -r "$G" tcp and and
usage_error "filter with a bad port" "port 99999" -r "$G" port 99999

# --- --help and --version -----------------------------------------------------
for h in --help -h; do
    run $h
    no_sanitizer "$h"
    expect_eq "$h: exit status" 0 "$rc"
    expect_eq "$h: nothing on stderr" 0 "$(wc -c <"$TMPD/err")"
done
# Every long option in options.c's table appears in the help, and so does
# every short one.
longs=$(sed -n '/longopts\[\] *= *{/,/^};/p' "$top_srcdir/src/options.c" | grep -o '{"[a-z-]*"' | tr -d '{"')
[ -n "$longs" ] || fail "could not read the option table from src/options.c"
for o in $longs; do
    if grep -q -e "--$o\b" "$TMPD/out"; then pass "--help lists --$o"; else fail "--help does not list --$o"; fi
done
shorts=$(grep -o 'getopt_long(argc, argv, "[^"]*"' "$top_srcdir/src/options.c" | sed 's/.*, "//; s/"$//; s/[:+]//g')
for ((i = 0; i < ${#shorts}; i++)); do
    o=${shorts:i:1}
    if grep -q -e "-$o," -e "-$o " "$TMPD/out"; then pass "--help lists -$o"; else fail "--help does not list -$o"; fi
done
if grep -qi "exit status" "$TMPD/out"; then pass "--help explains the exit statuses"; else fail "--help does not explain the exit statuses"; fi

for v in --version -V; do
    run $v
    no_sanitizer "$v"
    expect_eq "$v: exit status" 0 "$rc"
    if grep -qE '^tcpfsm [0-9]+\.[0-9]+' "$TMPD/out"; then pass "$v: prints 'tcpfsm VERSION'"
    else fail "$v: output should be 'tcpfsm VERSION': $(cat "$TMPD/out")"; fi
done
version=$(sed -n 's/^AC_INIT(\[tcpfsm\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
expect_eq "--version matches configure.ac" "tcpfsm $version" "$(head -n 1 "$TMPD/out")"

# pcapng: damage inside the third packet's block (its captured length runs
# past the block) names packet 3, not 4, and reports the 2 before it
"$PY" - "$TMPD/ng3.pcapng" <<'EOF'
import struct, sys
def blk(t, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    n = 12 + len(body)
    return struct.pack("<II", t, n) + body + struct.pack("<I", n)
shb = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = blk(1, struct.pack("<HHI", 1, 0, 65535))
def epb(cap):
    return blk(6, struct.pack("<IIIII", 0, 0, 1000, cap, 60) + bytes(60))
open(sys.argv[1], "wb").write(shb + idb + epb(60) + epb(60) + epb(200))
EOF
run -r "$TMPD/ng3.pcapng"
expect_eq "pcapng, the third packet's block damaged: exit status" 1 "$rc"
one_line_msg "pcapng, the third packet's block damaged" \
    "tcpfsm: $TMPD/ng3.pcapng: packet 3: packet block: captured length 200 runs past the block"
if grep -q "reporting the 2 packets before it" "$TMPD/err"; then
    pass "pcapng, the third packet's block damaged: the 2 before it reported"
else
    fail "pcapng, the third packet's block damaged: $(head -c 300 "$TMPD/err")"
fi

finish
