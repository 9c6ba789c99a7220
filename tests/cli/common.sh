# tests/cli/common.sh - helpers for the CLI tests; source after tests/lib.sh.
#
#   need_fixtures           write tests/cli/mkcap.py's captures into $FX
#   run ARGS...             run tcpfsm; sets $rc, $TMPD/out, $TMPD/err
#   run_in FILE ARGS...     the same with standard input from FILE
#   no_sanitizer WHAT       fail if the last run's stderr has a sanitizer report
#   one_line_msg WHAT PREFIX  stderr is exactly one line starting with PREFIX
#   json_ok WHAT            every stdout line is a JSON object, the last a summary
#   jq_out EXPR             python expression over the parsed lines (see below)
#   conn_objects FILE       the conn objects of a JSON report, one per line,
#                           keys sorted (to compare two runs' connections)

# Debian's interpreter, standard library only.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi

need_fixtures() {
    FX=$TMPD/fx
    if ! "$PY" "$top_srcdir/tests/cli/mkcap.py" "$FX" >"$TMPD/mkcap.log" 2>&1; then
        fail "generate the test captures with $PY tests/cli/mkcap.py"
        cat "$TMPD/mkcap.log"
        finish
    fi
    # offsets.txt: "name value" lines
    while read -r k v; do eval "off_$k=\$v"; done <"$FX/offsets.txt"
}

run() {
    rc=0
    "$TCPFSM" "$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
}

run_in() {
    local input=$1
    shift
    rc=0
    "$TCPFSM" "$@" <"$input" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
}

no_sanitizer() {
    if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$TMPD/err"; then
        fail "$1: sanitizer report on stderr"
        sed 's/^/#   /' "$TMPD/err" | head -40
    fi
    if [ "$rc" -ge 128 ]; then
        fail "$1: killed by signal $((rc - 128))"
    fi
}

one_line_msg() {
    local what=$1 prefix=$2 n first
    n=$(wc -l <"$TMPD/err")
    first=$(head -n 1 "$TMPD/err")
    case $first in
    "$prefix"*) if [ "$n" -eq 1 ]; then pass "$what: one-line message '$first'"; else
            fail "$what: expected one line on stderr, got $n:"; sed 's/^/#   /' "$TMPD/err"; fi ;;
    *) fail "$what: stderr should start with '$prefix', got: $(head -c 300 "$TMPD/err")" ;;
    esac
}

# Check stdout is JSON lines ending in a summary.  Prints the problem, if any.
json_ok() {
    local why
    if why=$("$PY" - "$TMPD/out" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="strict").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
else:
    sys.exit("output does not end with a newline")
if not lines:
    sys.exit("no output")
for i, l in enumerate(lines, 1):
    try:
        o = json.loads(l)
    except ValueError as e:
        sys.exit("line %d is not JSON (%s): %.200s" % (i, e, l))
    if not isinstance(o, dict) or "type" not in o:
        sys.exit("line %d is not an object with a type: %.200s" % (i, l))
if json.loads(lines[-1])["type"] != "summary":
    sys.exit("last line is not the summary")
if sum(1 for l in lines if json.loads(l)["type"] == "summary") != 1:
    sys.exit("more than one summary")
EOF
    ); then pass "$1: JSON lines, summary last"; else fail "$1: $why"; fi
}

# jq_out EXPR: evaluate a Python expression with L = list of parsed JSON lines,
# S = the summary (last line), C = the conn objects; print the result.
jq_out() {
    "$PY" - "$TMPD/out" "$1" <<'EOF'
import json, sys
L = []
for l in open(sys.argv[1], encoding="utf-8"):
    try:
        L.append(json.loads(l))
    except ValueError:
        pass
S = L[-1] if L else {}
C = [o for o in L if o.get("type") == "conn"]
r = eval(sys.argv[2])
if isinstance(r, bool):
    r = "true" if r else "false"
print(r)
EOF
}

conn_objects() {
    "$PY" - "$1" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "conn":
        print(json.dumps(o, sort_keys=True))
EOF
}
