#!/bin/bash
# tests/cli/basic.sh - functional checks on the generated capture good.pcap
# (see tests/cli/mkcap.py for its four connections A-D and their states).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
scratch
need_fixtures
G=$FX/good.pcap

ok_run() {   # WHAT ARGS...: run, expecting exit 0 and nothing on stderr
    local what=$1
    shift
    run "$@"
    no_sanitizer "$what"
    expect_eq "$what: exit status" 0 "$rc"
    expect_eq "$what: stderr" "" "$(head -c 500 "$TMPD/err")"
}

# --- JSON ---------------------------------------------------------------------
ok_run "json" -r "$G" --format json
json_ok "json"
# Conn lines come as connections end, the rest at the end; other line types
# may be added, so only these are counted.
expect_eq "json: 4 conn lines, then 4 listener lines, summary last" "conn conn conn conn listener listener listener listener summary" \
    "$(jq_out '" ".join(o["type"] for o in L if o["type"] in ("conn", "listener", "summary"))')"
expect_eq "json: every conn line comes before the first listener line" "true" \
    "$(jq_out 'max(i for i, o in enumerate(L) if o["type"] == "conn") < min(i for i, o in enumerate(L) if o["type"] == "listener")')"

# Every conn object has these fields (more are allowed), of these types.
expect_eq "json: conn objects have the documented fields and types" "" "$(jq_out '
"; ".join("conn %s: %s" % (c.get("id"), k) for c in C for k, t in [
    ("client_addr", str), ("client_port", int), ("server_addr", str), ("server_port", int),
    ("client_state", str), ("server_state", str), ("start", (int, float)), ("end", (int, float)),
    ("client_pkts", int), ("server_pkts", int), ("client_bytes", int), ("server_bytes", int),
    ("picked_up", bool)] if not isinstance(c.get(k), t) or (t is int and isinstance(c.get(k), bool)))')"

RFC793="CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT"
expect_eq "json: every state is an RFC 793 state name" "" \
    "$(jq_out "\" \".join(s for c in C for s in (c['client_state'], c['server_state']) if s not in '$RFC793'.split())")"

# The four connections, in the order they ended (all at the end of capture).
expect_eq "json: connection A (closed by the client)" \
    "192.0.2.1 40000 192.0.2.2 80 TIME_WAIT CLOSED 6 5 100 200 False 1700000000.001 1700000000.011" \
    "$(jq_out '" ".join(str(x) for c in C if c["client_port"] == 40000 for x in (c["client_addr"], c["client_port"], c["server_addr"], c["server_port"], c["client_state"], c["server_state"], c["client_pkts"], c["server_pkts"], c["client_bytes"], c["server_bytes"], c["picked_up"], round(c["start"], 6), round(c["end"], 6)))')"
expect_eq "json: connection B (left open)" \
    "192.0.2.1 40001 192.0.2.2 81 ESTABLISHED ESTABLISHED 3 2 10 0" \
    "$(jq_out '" ".join(str(x) for c in C if c["client_port"] == 40001 for x in (c["client_addr"], c["client_port"], c["server_addr"], c["server_port"], c["client_state"], c["server_state"], c["client_pkts"], c["server_pkts"], c["client_bytes"], c["server_bytes"]))')"
expect_eq "json: connection C (IPv6, half closed), addresses without brackets" \
    "2001:db8::1 40002 2001:db8::2 443 FIN_WAIT_2 CLOSE_WAIT" \
    "$(jq_out '" ".join(str(x) for c in C if c["client_port"] == 40002 for x in (c["client_addr"], c["client_port"], c["server_addr"], c["server_port"], c["client_state"], c["server_state"]))')"
expect_eq "json: connection D (refused with RST)" \
    "198.51.100.7 40003 192.0.2.2 82 CLOSED CLOSED" \
    "$(jq_out '" ".join(str(x) for c in C if c["client_port"] == 40003 for x in (c["client_addr"], c["client_port"], c["server_addr"], c["server_port"], c["client_state"], c["server_state"]))')"

expect_eq "json: listeners (addr port listening answered refused)" \
    "192.0.2.2 80 True 1 0|192.0.2.2 81 True 1 0|192.0.2.2 82 False 0 1|2001:db8::2 443 True 1 0" \
    "$(jq_out '"|".join("%s %s %s %s %s" % (o["addr"], o["port"], o["listening"], o["answered"], o["refused"]) for o in sorted((o for o in L if o["type"] == "listener"), key=lambda o: o["port"]))')"

expect_eq "json: summary counts" \
    "23 0 23 4 1 4 None 0 False None" \
    "$(jq_out '" ".join(str(S.get(k)) for k in ("packets", "filtered_out", "tcp_packets", "connections", "clean", "listeners", "filter", "exit_status", "damaged", "error"))')"
expect_eq "json: summary state counts" \
    "[('CLOSED', 1), ('ESTABLISHED', 1), ('FIN_WAIT_2', 1), ('TIME_WAIT', 1)] [('CLOSED', 2), ('CLOSE_WAIT', 1), ('ESTABLISHED', 1)]" \
    "$(jq_out '"%s %s" % (sorted(S["client_states"].items()), sorted(S["server_states"].items()))')"
cp "$TMPD/out" "$TMPD/good.json"

# The same traffic as pcapng gives the same connections.
ok_run "pcapng" -r "$FX/good.pcapng" --format json
json_ok "pcapng"
expect_eq "pcapng: same conn lines as the pcap" \
    "$(grep '"type":"conn"' "$TMPD/good.json")" "$(grep '"type":"conn"' "$TMPD/out")"

# --- BPF filters restrict what is tracked ----------------------------------------
ok_run "filter port 81" -r "$G" --format json port 81
json_ok "filter port 81"
expect_eq "filter port 81: only connection B" "40001:81" \
    "$(jq_out '" ".join("%s:%s" % (c["client_port"], c["server_port"]) for c in C)')"
expect_eq "filter port 81: summary filter, packets, filtered_out, connections" "port 81 23 18 1" \
    "$(jq_out '"%s %s %s %s" % (S["filter"], S["packets"], S["filtered_out"], S["connections"])')"
ok_run "filter ip6" -r "$G" --format json ip6
expect_eq "filter ip6: only connection C" "2001:db8::1 2001:db8::2" \
    "$(jq_out '" ".join("%s %s" % (c["client_addr"], c["server_addr"]) for c in C)')"
ok_run "filter matching nothing" -r "$G" --format json port 7
json_ok "filter matching nothing"
expect_eq "filter matching nothing: no connections, first/last null" "0 0 None None" \
    "$(jq_out '"%s %s %s %s" % (len(C), S["connections"], S["first"], S["last"])')"
ok_run "text with filter port 81" -r "$G" port 81
if grep -q "filter  *port 81" "$TMPD/out" && grep -q "connections *1 seen" "$TMPD/out"; then
    pass "text with filter: filter shown, 1 connection"
else fail "text with filter: expected the filter and '1 seen':"; sed 's/^/#   /' "$TMPD/out"; fi

# --- options that change the tracking ------------------------------------------
ok_run "--msl 0.001" -r "$G" --format json --msl 0.001
expect_eq "--msl 0.001: A's TIME_WAIT (2 ms) expires before the capture ends" "CLOSED time_wait_expired" \
    "$(jq_out '" ".join("%s %s" % (c["client_state"], c["ended_by"]) for c in C if c["client_port"] == 40000)')"
ok_run "--idle-timeout 0.005" -r "$G" --format json --idle-timeout 0.005
expect_eq "--idle-timeout 0.005: B (idle 7 ms at the end) is retired idle" "ESTABLISHED idle" \
    "$(jq_out '" ".join("%s %s" % (c["client_state"], c["ended_by"]) for c in C if c["client_port"] == 40001)')"
ok_run "--max-conns 1" -r "$G" --format json --max-conns 1
expect_eq "--max-conns 1: peak 1, 3 evicted, still 4 connections" "1 3 4" \
    "$(jq_out '"%s %s %s" % (S["peak_conns"], S["evicted"], S["connections"])')"

# --- standard input ----------------------------------------------------------
ok_run "text" -r "$G" --all
cp "$TMPD/out" "$TMPD/good.txt"
run_in "$G" -r - --all
no_sanitizer "text from stdin"
expect_eq "text from stdin: exit status" 0 "$rc"
expect_eq "text from stdin: same report but for the source line" \
    "$(sed 1d "$TMPD/good.txt")" "$(sed 1d "$TMPD/out")"
expect_eq "text from stdin: source line" "tcpfsm report: standard input" "$(head -n 1 "$TMPD/out")"
run_in "$G" -r - --format json
expect_eq "json from stdin: same conn lines" \
    "$(grep '"type":"conn"' "$TMPD/good.json")" "$(grep '"type":"conn"' "$TMPD/out")"

# --- text report ---------------------------------------------------------------
T=$TMPD/good.txt
expect_eq "text: first line" "tcpfsm report: $G" "$(head -n 1 "$T")"
if grep -q "packets *23 read, 23 TCP segments" "$T"; then pass "text: packet counts"
else fail "text: expected '23 read, 23 TCP segments'"; fi
if grep -q "connections *4 seen, 1 cleanly closed" "$T"; then pass "text: connection counts"
else fail "text: expected '4 seen, 1 cleanly closed'"; fi
# The state table: STATE CLIENT SERVER TOTAL, only non-zero rows, then "all".
expect_eq "text: Endpoint states at end of capture" \
"STATE CLIENT SERVER TOTAL
CLOSED 1 2 3
ESTABLISHED 1 1 2
FIN_WAIT_2 1 0 1
CLOSE_WAIT 0 1 1
TIME_WAIT 1 0 1
all 4 4 8" \
    "$(sed -n '/^Endpoint states at end of capture$/,/^  all /p' "$T" | sed '1d' | awk '{$1=$1; print}')"
if grep -q "^Listeners" "$T" && grep -q "192.0.2.2:82 .* 0 *1 *closed port" "$T" && grep -qF "[2001:db8::2]:443" "$T"; then
    pass "text: listeners table with the closed port and the bracketed IPv6 endpoint"
else fail "text: listeners table"; sed 's/^/#   /' "$T"; fi
expect_eq "text --all: connection rows (client server states)" \
"192.0.2.1:40000 192.0.2.2:80 TIME_WAIT CLOSED
192.0.2.1:40001 192.0.2.2:81 ESTABLISHED ESTABLISHED
[2001:db8::1]:40002 [2001:db8::2]:443 FIN_WAIT_2 CLOSE_WAIT
198.51.100.7:40003 192.0.2.2:82 CLOSED CLOSED" \
    "$(sed -n '/^Connections: 4$/,$p' "$T" | awk '$1 ~ /:[0-9]+$/ {print $1, $2, $3, $4}')"
ok_run "text without --all" -r "$G"
if grep -q "^Connections not cleanly closed.*: 3 of 4" "$TMPD/out" && ! grep -q "40000 " "$TMPD/out"; then
    pass "text without --all: lists the 3 unclean connections, not the clean one"
else fail "text without --all"; sed 's/^/#   /' "$TMPD/out"; fi

# libpcap is loaded only when needed (src/pcaplib.h): reading a capture of a
# link type tcpfsm decodes, without a filter, maps no libpcap into the
# process; a filter does.  (The dynamic linker's own log of the objects it
# loads, LD_DEBUG=files.)  Built with --disable-lazy-pcap, libpcap is linked
# and so loaded every time.
: "${top_builddir:=$top_srcdir}"
if grep -q '^#define TCPFSM_LAZY_PCAP 1' "$top_builddir/config.h"; then lazy=yes; else lazy=no; fi
pcap_loads() {   # ARGS...: the number of times the run maps libpcap
    LD_DEBUG=files LD_DEBUG_OUTPUT=$TMPD/ld "$TCPFSM" "$@" >/dev/null 2>&1
    cat "$TMPD"/ld.* 2>/dev/null | grep -c 'file=libpcap[^ ]*  *\[0\]; *\(generating link map\|dynamically loaded\|needed by\)' || true
    rm -f "$TMPD"/ld.*
}
plain=$(pcap_loads -r "$G")
filtered=$(pcap_loads -r "$G" tcp port 80)
if [ "$lazy" = yes ] && [ "$plain" = 0 ] && [ "$filtered" -ge 1 ]; then
    pass "libpcap: not loaded to read an Ethernet capture, loaded for a filter"
elif [ "$lazy" = no ] && [ "$plain" -ge 1 ] && [ "$filtered" -ge 1 ]; then
    pass "libpcap: linked (--disable-lazy-pcap), loaded on every run"
else
    fail "libpcap loads: lazy=$lazy, reading $plain, with a filter $filtered"
fi

# --- the text report's Listeners section is bounded ----------------------------
# A generated trace with more listeners than the section shows (20): the
# text lists the 20 that answered or refused the most SYNs, in the JSON's
# (address) order, and says how many more the JSON has.
bench_program gen -lm
if "$PROG" -o "$TMPD/many.pcap" --conns 3000 --seed 7 2>"$TMPD/gen.err"; then
    ok_run "json, many listeners" -r "$TMPD/many.pcap" --format json
    jq_out '"\n".join("%s %d" % (("[%s]" if ":" in o["addr"] else "%s") % o["addr"] + ":%d" % o["port"],
                                o["answered"] + o["refused"]) for o in L if o["type"] == "listener")' >"$TMPD/all.lst"
    ok_run "text, many listeners" -r "$TMPD/many.pcap"
    sed -n '/^Listeners/,/^$/p' "$TMPD/out" >"$TMPD/sec"
    awk '$1 ~ /:[0-9]+$/ {print $1, $2 + $3}' "$TMPD/sec" >"$TMPD/shown.lst"
    n=$(wc -l <"$TMPD/all.lst")
    expect_eq "text, many listeners: 20 of them shown" 20 "$(wc -l <"$TMPD/shown.lst")"
    expect_eq "text, many listeners: the count is the JSON's less 20" "($((n - 20)) more; --format json lists them all)" \
        "$(grep -o '([0-9]* more; --format json lists them all)' "$TMPD/sec")"
    # In the JSON's order: the shown lines, picked out of the JSON's list, are the shown list.
    expect_eq "text, many listeners: shown in address order" "$(cat "$TMPD/shown.lst")" \
        "$(grep -Fxf "$TMPD/shown.lst" "$TMPD/all.lst")"
    least_shown=$(awk '{print $2}' "$TMPD/shown.lst" | sort -n | head -1)
    most_hidden=$(grep -vFxf "$TMPD/shown.lst" "$TMPD/all.lst" | awk '{print $2}' | sort -n | tail -1)
    if [ "$n" -gt 20 ] && [ "${least_shown:-0}" -ge "${most_hidden:-0}" ]; then
        pass "text, many listeners: the busiest are shown ($least_shown SYNs or more; hidden at most $most_hidden)"
    else fail "text, many listeners: $n listeners, least shown $least_shown, most hidden $most_hidden"; fi
else fail "gen: $(head -c 300 "$TMPD/gen.err")"; fi

# --- options of live capture with -r, and names with control characters -----
# A report of -r FILE is made by the user that runs tcpfsm: -Z and the other
# options of live capture or the live view are refused, not ignored (sudo
# tcpfsm -r hostile.pcap -Z nobody would otherwise parse it as root).
for o in "-Z nobody" "-s 100" "-p" "-B 1024" "--speed 2" "--refresh 100" "--interval 5"; do
    # shellcheck disable=SC2086
    run -r "$FX/good.pcap" $o
    expect_eq "-r with $o: usage error" 2 "$rc"
    one_line_msg "-r with $o" "tcpfsm: ${o%% *} is for live capture or the live view"
done
# Control characters in a file name or an argument never reach the terminal:
# '?' in their place.
esc=$(printf '\033')
evil="$TMPD/a${esc}[31m$(printf '\a')x.pcap"
cp "$FX/good.pcap" "$evil"
run -r "$evil"
expect_eq "a file name with an escape sequence: exit status" 0 "$rc"
if grep -q "$esc" "$TMPD/out" "$TMPD/err"; then fail "a file name with an escape sequence: printed raw"
elif grep -q 'a?\[31m?x\.pcap' "$TMPD/out"; then pass "a file name with an escape sequence: shown with '?'"
else fail "a file name with an escape sequence: not in the report: $(head -c 200 "$TMPD/out")"; fi
head -c 1000 "$FX/good.pcap" >"$evil"
run -r "$evil"
if [ "$rc" = 1 ] && ! grep -q "$esc" "$TMPD/err" && grep -q 'a?\[31m?x\.pcap: packet' "$TMPD/err"; then
    pass "a damaged file's escape-sequence name: the message shows '?'"
else fail "a damaged file's escape-sequence name: exit $rc, stderr $(cat -v "$TMPD/err" | head -c 300)"; fi
# C1 controls (U+009B is CSI to a terminal that takes C1) as UTF-8, and
# the same byte alone (CSI to an 8-bit terminal): '?'; a name in UTF-8 is
# kept as it is
c1="$TMPD/b$(printf '\302\233')2J$(printf '\233')1m-caf$(printf '\303\251').pcap"
cp "$FX/good.pcap" "$c1"
run -r "$c1"
if [ "$rc" = 0 ] && ! LC_ALL=C grep -q "$(printf '\233')" "$TMPD/out" "$TMPD/err" &&
    grep -q "b??2J?1m-caf$(printf '\303\251')\.pcap" "$TMPD/out"; then
    pass "a file name with C1 controls: shown with '?', its UTF-8 letters kept"
else fail "a file name with C1 controls: exit $rc, $(grep -a 'pcap' "$TMPD/out" | head -2 | cat -v)"; fi
for a in "-i x${esc}[2J" "--format ${esc}[2J" "--msl ${esc}]0;t" "-Z u${esc}c"; do
    run "${a%% *}" "${a#* }"
    if [ "$rc" = 2 ] && ! grep -q "$esc" "$TMPD/err"; then pass "${a%% *} with an escape sequence: refused, shown with '?'"
    else fail "${a%% *} with an escape sequence: exit $rc, stderr $(cat -v "$TMPD/err" | head -c 300)"; fi
done

# Segments stamped earlier than one before them are counted and said.
"$PY" - "$FX/good.pcap" "$TMPD/backwards.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
recs, off = [], 24
while off < len(d):
    n = struct.unpack_from("<I", d, off + 8)[0]
    recs.append(bytearray(d[off:off + 16 + n]))
    off += 16 + n
# the SYN-ACK (record 2) stamped 1 s before the SYN
sec = struct.unpack_from("<I", recs[1], 0)[0]
struct.pack_into("<I", recs[1], 0, sec - 1)
open(sys.argv[2], "wb").write(d[:24] + b"".join(recs))
EOF
run -r "$TMPD/backwards.pcap" --format json
expect_eq "a segment stamped before the one before it: timestamps_backwards" 1 "$(jq_out 'S.get("timestamps_backwards")')"
run -r "$TMPD/backwards.pcap"
if grep -q "1 TCP segments stamped earlier than one before them" "$TMPD/out"; then pass "the text summary notes it"
else fail "the text summary should note the backwards timestamp: $(grep -A3 'note' "$TMPD/out" | head -c 300)"; fi
run -r "$FX/good.pcap" --format json
expect_eq "in time order: no timestamps_backwards" None "$(jq_out 'S.get("timestamps_backwards")')"
# -w into a directory that does not exist: said at once, before the input
# is read (the first line on stderr), the report still made, exit 3 (as
# tests/cli/output.sh has it); --examples above 10 is refused.
run -r "$FX/good.pcap" -w "$TMPD/no-such-dir/x.pcap"
expect_eq "-w into a missing directory: exit status" 3 "$rc"
case $(head -n 1 "$TMPD/err") in
"tcpfsm: $TMPD/no-such-dir/x.pcap: cannot write a file in $TMPD/no-such-dir: "*"the report is made"*)
    pass "-w into a missing directory: said first" ;;
*) fail "-w into a missing directory: first line on stderr: $(head -n 1 "$TMPD/err")" ;;
esac
if grep -q "Endpoint states at end of capture" "$TMPD/out"; then pass "-w into a missing directory: the report is made"
else fail "-w into a missing directory: no report"; fi
run -r "$FX/good.pcap" --examples 11
expect_eq "--examples 11: usage error" 2 "$rc"
run -r "$FX/good.pcap" --examples 10
expect_eq "--examples 10: taken" 0 "$rc"
# --dedupe: copies a network made (every packet twice, 10 us apart, on
# Ethernet) count once, as "duplicate", and the report is good.pcap's; by
# default they are read as retransmissions; --no-dedupe also on "any".
"$PY" - "$FX/good.pcap" "$TMPD/doubled.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, off = [d[:24]], 24
while off < len(d):
    n = struct.unpack_from("<I", d, off + 8)[0]
    rec = bytearray(d[off:off + 16 + n])
    out.append(bytes(rec))
    sec, usec = struct.unpack_from("<II", rec, 0)
    usec += 10
    struct.pack_into("<II", rec, 0, sec + usec // 1000000, usec % 1000000)
    out.append(bytes(rec))
    off += 16 + n
open(sys.argv[2], "wb").write(b"".join(out))
EOF
run -r "$FX/good.pcap" --format json
conn_objects "$TMPD/out" >"$TMPD/good.conns"
run -r "$TMPD/doubled.pcap" --format json --dedupe
conn_objects "$TMPD/out" >"$TMPD/doubled.conns"
expect_eq "--dedupe: 23 segments, 23 copies counted as duplicate" "23 23" \
    "$(jq_out 'S["tcp_packets"]') $(jq_out 'S["not_decoded"].get("duplicate")')"
if cmp -s "$TMPD/good.conns" "$TMPD/doubled.conns"; then pass "--dedupe: the connections are good.pcap's"
else fail "--dedupe: the connections differ from good.pcap's: $(diff "$TMPD/good.conns" "$TMPD/doubled.conns" | head -4)"; fi
run -r "$TMPD/doubled.pcap" --format json
expect_eq "without --dedupe (Ethernet): every copy is a segment, some read as resends" "46 true" \
    "$(jq_out 'S["tcp_packets"]') $(jq_out 'any(o.get("type") == "anomaly" and o["id"] in ("retransmissions", "syn-retransmitted") for o in L)')"
# The same copies as a capture on Linux's any device (SLL): taken out by
# default; with --no-dedupe, every copy counts.
"$PY" - "$TMPD/doubled.pcap" "$TMPD/doubled-sll.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
hdr = bytearray(d[:24])
struct.pack_into("<I", hdr, 20, 113)
out, off = [bytes(hdr)], 24
while off < len(d):
    n = struct.unpack_from("<I", d, off + 8)[0]
    rh, frame = bytearray(d[off:off + 16]), d[off + 16:off + 16 + n]
    body = struct.pack("!HHH8sH", 0, 1, 6, frame[6:12] + b"\0\0", struct.unpack("!H", frame[12:14])[0]) + frame[14:]
    struct.pack_into("<II", rh, 8, len(body), len(body))
    out.append(bytes(rh) + body)
    off += 16 + n
open(sys.argv[2], "wb").write(b"".join(out))
EOF
run -r "$TMPD/doubled-sll.pcap" --format json
expect_eq "any (SLL), by default: copies taken out" "23 23" \
    "$(jq_out 'S["tcp_packets"]') $(jq_out 'S["not_decoded"].get("duplicate")')"
run -r "$TMPD/doubled-sll.pcap" --format json --no-dedupe
expect_eq "any (SLL), --no-dedupe: every copy counts" "46 None" \
    "$(jq_out 'S["tcp_packets"]') $(jq_out 'S["not_decoded"].get("duplicate")')"
# Messages that say what is wrong with a number: over its limit, or out of
# the option's own range.
run -r "$FX/good.pcap" --msl 999999999999999999999
one_line_msg "--msl 1e21" 'tcpfsm: --msl: "999999999999999999999" is more than 1000000000 seconds'
run -i lo -s 0
one_line_msg "-s 0" 'tcpfsm: -s: "0" is not a whole number from 1 to 262144'
run -i lo -B 4194305
one_line_msg "-B 4194305" 'tcpfsm: -B: "4194305" is more than 4194304'

finish
