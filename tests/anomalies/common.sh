# tests/anomalies/common.sh - helpers for the anomaly tests (crafted and
# kernel).  Source after tests/lib.sh (and after scratch or k_setup: the
# helpers write into $TMPD).
#
#   an_run NAME PCAP [OPTIONS...]   tcpfsm -r PCAP --format json OPTIONS into
#                                   $TMPD/NAME.json; logs the anomalies found
#   an_ids NAME [CONN]              the anomaly ids found, sorted
#   an_get NAME ID FIELD [CONN]     a field of the first anomaly with that id
#   an_expect NAME ID WHO [STATE [KIND]]
#                                   the anomaly is there, blamed on WHO
#                                   ("client", "server" or "null"), in STATE,
#                                   of KIND (rst-abort); "" skips a check
#   an_field NAME ID FIELD EXPECTED [CONN]
#   an_field_range NAME ID FIELD MIN MAX  a number within [MIN, MAX]
#   an_absent NAME ID...            none of these ids anywhere
#   an_only NAME "ID ..."           exactly these ids (sorted, space-separated)
#   an_conn NAME FIELD EXPECTED [CONN]  a field of a conn object
# Evidence, crafted captures (craft.py writes NAME.labels):
#   lbl DIR/NAME LABEL...           packet numbers of the labelled packets,
#                                   comma-separated as an_get prints them
#   an_evidence NAME ID "N,N,..."   the evidence list, exactly
# Evidence, any capture, checked against tcpdump's reading of it:
#   pkt_line PCAP N                 tcpdump -nr's line for packet N
#   pkt_is WHAT PCAP N SRC FLAGS [ERE]
#                                   packet N is from address SRC with exactly
#                                   the TCP flags FLAGS as tcpdump prints them
#                                   (S, S., ., P., F., R, R., ...; "~ERE" for
#                                   flags matching a regex, e.g. "~P?\."), and
#                                   its line matches the extended regex ERE
#   ev_is WHAT NAME ID PCAP INDEX SRC FLAGS [ERE]
#                                   the same for evidence packet INDEX (1 is
#                                   the first, "last" the last) of anomaly ID
#   ev_all WHAT NAME ID PCAP SRC FLAGS [ERE]
#                                   every evidence packet of ID is such

if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi
AQ="$top_srcdir/tests/anomalies/anq.py"

an_run() {
    local name=$1 pcap=$2 rc=0
    shift 2
    "$TCPFSM" -r "$pcap" --format json "$@" >"$TMPD/$name.json" 2>"$TMPD/$name.err" || rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: tcpfsm -r $(basename "$pcap") --format json $* exited with status $rc: $(head -c 300 "$TMPD/$name.err")"
        return 1
    fi
    echo "# $name: tcpfsm -r $(basename "$pcap") $* found:"
    "$PY" "$AQ" list "$TMPD/$name.json" | sed 's/^/#     /'
}

an_ids() { "$PY" "$AQ" ids "$TMPD/$1.json" ${2:+"$2"}; }
an_get() { "$PY" "$AQ" get "$TMPD/$1.json" "$2" "$3" ${4:+"$4"}; }

an_expect() {
    local name=$1 id=$2 who=$3 state=${4:-} kind=${5:-} got
    if ! got=$(an_get "$name" "$id" who); then
        fail "$name: $id: expected it reported, got none (ids found: '$(an_ids "$name")')"
        return 1
    fi
    pass "$name: $id reported"
    expect_eq "$name: $id: who" "$who" "$got"
    [ -n "$state" ] && expect_eq "$name: $id: state" "$state" "$(an_get "$name" "$id" state)"
    [ -n "$kind" ] && expect_eq "$name: $id: kind" "$kind" "$(an_get "$name" "$id" kind)"
    return 0
}

# The records of anomaly ID in run NAME, one per sender for the ids kept
# per sender: "who f1 f2 ... e1,e2,..." for the fields named, sorted and
# joined with '|'
an_records() {
    local name=$1 id=$2
    shift 2
    "$PY" - "$TMPD/$name.json" "$id" "$@" <<'EOF'
import json, sys
path, want, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = []
for line in open(path):
    o = json.loads(line)
    if o.get("type") == "anomaly" and o["id"] == want:
        rows.append(" ".join([str(o["who"])] + [json.dumps(o.get(f)) for f in fields] +
                             [",".join(map(str, o["evidence"]))]))
print("|".join(sorted(rows)))
EOF
}

an_field() {
    expect_eq "$1: $2: $3" "$4" "$(an_get "$1" "$2" "$3" ${5:+"$5"})"
}

an_field_range() {
    local v
    v=$(an_get "$1" "$2" "$3")
    if awk -v v="$v" -v lo="$4" -v hi="$5" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
        pass "$1: $2: $3 = $v, within [$4, $5]"
    else
        fail "$1: $2: $3: expected within [$4, $5], got '$v'"
    fi
}

an_absent() {
    local name=$1 id n
    shift
    for id; do
        n=$("$PY" "$AQ" count "$TMPD/$name.json" "$id")
        if [ "$n" = 0 ]; then
            pass "$name: no $id"
        else
            fail "$name: $id: expected none, got $n ($(an_get "$name" "$id" detail))"
        fi
    done
}

an_only() {
    expect_eq "$1: anomaly ids (all of them)" "$2" "$(an_ids "$1")"
}

an_conn() {
    expect_eq "$1: conn ${4:-1}: $2" "$3" "$("$PY" "$AQ" conn "$TMPD/$1.json" "$2" ${4:+"$4"})"
}

# an_states NAME CLIENT_STATE SERVER_STATE: connection 1's final states
an_states() {
    an_conn "$1" client_state "$2"
    an_conn "$1" server_state "$3"
}

lbl() {
    local f=$1.labels out="" l n
    shift
    for l; do
        n=$(awk -v l="$l" '$2 == l { print $1; exit }' "$f")
        [ -n "$n" ] || n="(no packet labelled $l)"
        out="${out:+$out,}$n"
    done
    printf '%s\n' "$out"
}

an_evidence() {
    expect_eq "$1: $2: evidence" "$3" "$(an_get "$1" "$2" evidence)"
}

pkt_line() {
    local pcap=$1 n=$2 cache="$TMPD/tcpdump.$(basename "$1").$(cksum <"$1" | cut -d' ' -f1)"
    [ -f "$cache" ] || tcpdump -nr "$pcap" -S 2>/dev/null >"$cache"
    sed -n "${n}p" "$cache"
}

# ERE-quote a literal string
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

pkt_is() {
    local what=$1 pcap=$2 n=$3 src=$4 flags=$5 ere=${6:-} line re
    line=$(pkt_line "$pcap" "$n")
    case $flags in
    "~"*) re="IP6? $(re_quote "$src")\.[0-9]+ > [^ ]+: Flags \[(${flags#"~"})\]" ;;
    *) re="IP6? $(re_quote "$src")\.[0-9]+ > [^ ]+: Flags \[$(re_quote "$flags")\]" ;;
    esac
    if [ -z "$n" ] || [ -z "$line" ]; then
        fail "$what: packet '$n': no such packet in $(basename "$pcap")"
    elif printf '%s\n' "$line" | grep -Eq -- "$re" &&
        { [ -z "$ere" ] || printf '%s\n' "$line" | grep -Eq -- "$ere"; }; then
        pass "$what: packet $n is [$flags] from $src${ere:+ matching /$ere/}"
    else
        fail "$what: packet $n: expected [$flags] from $src${ere:+ matching /$ere/}, got: $line"
    fi
}

ev_is() {
    local what=$1 name=$2 id=$3 pcap=$4 idx=$5 ev n
    shift 5
    ev=$(an_get "$name" "$id" evidence) || ev=""
    if [ "$idx" = last ]; then
        n=${ev##*,}
    else
        n=$(printf '%s\n' "$ev" | cut -d, -f"$idx")
    fi
    pkt_is "$what (evidence $idx of $id: [$ev])" "$pcap" "$n" "$@"
}

ev_all() {
    local what=$1 name=$2 id=$3 pcap=$4 ev n
    shift 4
    ev=$(an_get "$name" "$id" evidence) || ev=""
    if [ -z "$ev" ]; then
        fail "$what: $id has no evidence packets"
        return
    fi
    for n in $(printf '%s\n' "$ev" | tr , ' '); do
        pkt_is "$what (evidence of $id: [$ev])" "$pcap" "$n" "$@"
    done
}

# k_show PCAP: the capture in the test log, numbered as tcpfsm's evidence is
# (at most 60 packets)
k_show() {
    echo "# $(basename "$1"), numbered (tcpdump -#nr, first 60 packets):"
    tcpdump -#nr "$1" -S 2>/dev/null | head -n 60 | cut -c1-200 | sed 's/^/#     /'
}
