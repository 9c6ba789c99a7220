#!/bin/bash
# tests/cli/docs.sh - the documentation says what the code does.
#
#   docs/tcpfsm.1          every option of `tcpfsm --help` has an entry, with
#                          the default --help gives; every exit status of
#                          src/exitcodes.h; every anomaly id; renders without
#                          groff warnings
#   docs/anomalies.md      a heading for every anomaly id of src/anomaly.c, with
#                          its phase and severity, and the JSON fields
#                          src/report_json.c prints for it
#   docs/output-formats.md every JSON field name src/report_json.c (and the live
#                          view's src/snapshot.c) prints and
#                          tcpfsm emits on sample inputs, every reason of
#                          not_decoded, every CSV column, every Zeek field, the
#                          text report's section titles
#   docs/state-machine.md  the table between its markers is exactly what
#                          tests/unit/dump_table prints from src/tcpstate.c
#
# After changing src/tcpstate.c, rewrite the table in the document with
#   make check TESTS=tests/cli/docs.sh UPDATE_DOCS=1
. "$top_srcdir/tests/lib.sh"
scratch

: "${top_builddir:=$top_srcdir}"
: "${UPDATE_DOCS:=}"
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi
DOCS=$top_srcdir/docs
MAN=$DOCS/tcpfsm.1
DUMP=$top_builddir/tests/unit/dump_table

for f in "$MAN" "$DOCS/anomalies.md" "$DOCS/output-formats.md" "$DOCS/state-machine.md"; do
    if [ -f "$f" ]; then pass "$(basename "$f") exists"; else fail "$f is missing"; fi
done

# py NAME: run the Python check NAME (below) with the paths it needs; it
# prints what is missing, one item per line, or nothing.
py() {
    "$PY" - "$@" <<'EOF'
import json, os, re, sys

check = sys.argv[1]
top = os.environ["top_srcdir"]
docs = os.path.join(top, "docs")

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()

def anomaly_catalogue():
    """[(enum name, id, phase, severity)] from src/anomaly.c."""
    src = read(os.path.join(top, "src", "anomaly.c"))
    return re.findall(r'\[(AN_\w+)\]\s*=\s*\{\s*"([a-z0-9-]+)",\s*PHASE_(\w+),\s*(\d+)', src)

# --- the man page, as text --------------------------------------------------
ESCAPES = [("\\-", "-"), ("\\(aq", "'"), ("\\(mu", "x"), ("\\(bu", "*"), ("\\(hy", "-"),
           ("\\~", " "), ("\\e", "\\"), ("\\&", ""), ("\\fB", ""), ("\\fI", ""), ("\\fR", ""),
           ("\\fP", "")]

def unescape(s):
    for a, b in ESCAPES:
        s = s.replace(a, b)
    return s

def man_args(rest):
    args, cur, quoted, had = [], "", False, False
    for ch in rest:
        if ch == '"':
            quoted = not quoted
            had = True
        elif ch == " " and not quoted:
            if cur or had:
                args.append(cur)
            cur, had = "", False
        else:
            cur += ch
    if cur or had:
        args.append(cur)
    return args

FONT_ALT = {"BR", "RB", "BI", "IB", "IR", "RI"}

def man_lines(path):
    """[(macro or None, text)]: each source line, de-formatted."""
    out = []
    for line in read(path).splitlines():
        if line.startswith('.\\"'):
            continue
        if line.startswith("."):
            name, _, rest = line[1:].partition(" ")
            args = man_args(rest)
            if name in FONT_ALT:
                text = "".join(args)
            elif name in ("B", "I", "SM", "SB", "SH", "SS", "TH"):
                text = " ".join(args)
            else:
                text = " ".join(args)
            out.append((name, unescape(text)))
        else:
            out.append((None, unescape(line)))
    return out

def man_items(path):
    """{header: body} for every .TP item, plus the section each is in."""
    lines = man_lines(path)
    items, section = [], ""
    i = 0
    while i < len(lines):
        name, text = lines[i]
        if name == "SH":
            section = text
        if name == "TP" and i + 1 < len(lines):
            header = lines[i + 1][1]
            body = []
            j = i + 2
            while j < len(lines) and lines[j][0] not in ("TP", "SS", "SH", "PP", "IP"):
                body.append(lines[j][1])
                j += 1
            items.append((section, header, " ".join(" ".join(body).split())))
            i = j
            continue
        i += 1
    return items

if check == "man-options":
    help_text = read(sys.argv[2])
    items = man_items(os.path.join(docs, "tcpfsm.1"))
    headers = [h for _, h, _ in items]
    for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_text))):
        if not any(re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", h) for h in headers):
            print(opt)

elif check == "man-defaults":
    help_text = read(sys.argv[2])
    items = man_items(os.path.join(docs, "tcpfsm.1"))
    for line in help_text.splitlines():
        if not re.match(r"\s+-", line):
            continue
        spec, _, desc = line.strip().partition("  ")
        opts = re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", spec)
        m = re.search(r"\(default ([^,):]+)", line)
        if not opts or not m:
            continue
        want = "default " + m.group(1).strip()
        entry = [b for _, h, b in items if re.search(r"(?<![\w-])" + re.escape(opts[0]) + r"(?![\w-])", h)]
        if not entry or want not in entry[0]:
            print("%s: \"%s\"" % (opts[0], want))

elif check == "man-exit":
    codes = re.findall(r"EXIT_\w+\s*=\s*(\d+)", read(os.path.join(top, "src", "exitcodes.h")))
    items = man_items(os.path.join(docs, "tcpfsm.1"))
    have = {h.strip() for s, h, _ in items if s == "EXIT STATUS"}
    for c in codes:
        if c not in have:
            print("exit status %s" % c)
    for h in sorted(have - set(codes)):
        print("documented exit status %s is not in src/exitcodes.h" % h)

elif check == "man-anomalies":
    text = " ".join(t for _, t in man_lines(os.path.join(docs, "tcpfsm.1")))
    for _, aid, _, _ in anomaly_catalogue():
        if not re.search(r"(?<![\w-])" + re.escape(aid) + r"(?![\w-])", text):
            print(aid)

elif check == "anomaly-headings":
    doc = read(os.path.join(docs, "anomalies.md"))
    cat = anomaly_catalogue()
    ids = {aid for _, aid, _, _ in cat}
    sections = {}
    cur = None
    for line in doc.splitlines():
        m = re.match(r"#{2,4}\s+`([a-z0-9-]+)`\s*$", line)
        if m:
            cur = m.group(1)
            sections[cur] = []
        elif re.match(r"#{1,4}\s", line):
            cur = None
        elif cur:
            sections[cur].append(line)
    for _, aid, phase, sev in cat:
        if aid not in sections:
            print("%s: no heading \"### `%s`\"" % (aid, aid))
            continue
        body = "\n".join(sections[aid])
        want = "**Phase, severity:** %s, %s." % (phase.lower(), sev)
        if want not in body:
            print("%s: section does not say %s" % (aid, want))
    for aid in sorted(set(sections) - ids):
        print("heading `%s` is not an anomaly id of src/anomaly.c" % aid)

elif check == "anomaly-json-fields":
    # The id-specific fields json_anomaly() prints, per id, must be named in
    # that id's section of docs/anomalies.md.
    src = read(os.path.join(top, "src", "report_json.c"))
    enum_to_id = {e: aid for e, aid, _, _ in anomaly_catalogue()}
    m = re.search(r"static void json_anomaly\(.*?\n}\n", src, re.S)
    body = m.group(0) if m else ""
    fields = {}
    # fields printed under an if (a->id == AN_X || ...) condition
    for cond, stmt in re.findall(r"if \(((?:[^;{]|\n)*?a->id == AN_\w+(?:[^;{]|\n)*?)\)\s*\n\s*(fprintf\([^;]*;)", body):
        names = re.findall(r'\\"([a-z_0-9]+)\\":', stmt)
        for e in re.findall(r"AN_\w+", cond):
            fields.setdefault(e, set()).update(names)
    # fields printed in the switch
    sw = body[body.find("switch"):] if "switch" in body else ""
    for chunk in sw.split("break;"):
        enums = re.findall(r"case (AN_\w+):", chunk)
        names = re.findall(r'\\"([a-z_0-9]+)\\":', chunk) + re.findall(r'json_ms\(o, "([a-z_0-9]+)"', chunk)
        for e in enums:
            fields.setdefault(e, set()).update(names)
    doc = read(os.path.join(docs, "anomalies.md"))
    parts = re.split(r"\n(?=#{2,4}\s)", doc)
    section = {}
    for p in parts:
        mm = re.match(r"#{2,4}\s+`([a-z0-9-]+)`", p)
        if mm:
            section[mm.group(1)] = p
    if not fields:
        print("could not read the anomaly fields of src/report_json.c")
    for e, names in sorted(fields.items()):
        aid = enum_to_id.get(e, e)
        for n in sorted(names):
            if "`%s`" % n not in section.get(aid, ""):
                print("%s: `%s`" % (aid, n))

elif check == "json-static":
    src = read(os.path.join(top, "src", "report_json.c"))
    if os.path.exists(os.path.join(top, "src", "snapshot.c")):
        src += read(os.path.join(top, "src", "snapshot.c"))
    names = set(re.findall(r'\\"([A-Za-z_][A-Za-z0-9_]*)\\":', src))
    names |= set(re.findall(r'json_(?:bool|ms|hist_ms)\(o, "([A-Za-z_0-9]+)"', src))
    doc = read(os.path.join(docs, "output-formats.md"))
    for n in sorted(names):
        if "`%s`" % n not in doc:
            print(n)

elif check == "json-emitted":
    doc = read(os.path.join(docs, "output-formats.md"))
    keys = set()
    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                keys.add(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    walk(json.loads(line))
                except ValueError:
                    bad += 1
    if bad:
        print("(%d lines of output were not JSON)" % bad)
    for k in sorted(keys):
        if "`%s`" % k not in doc:
            print(k)

elif check == "decode-names":
    src = read(os.path.join(top, "src", "decode.c"))
    doc = read(os.path.join(docs, "output-formats.md"))
    for n in re.findall(r'\[DEC_\w+\]\s*=\s*\{\s*"([a-z_0-9]+)"', src):
        if n != "tcp" and "`%s`" % n not in doc:
            print(n)

elif check == "csv-columns":
    doc = read(os.path.join(docs, "output-formats.md"))
    with open(sys.argv[2], encoding="utf-8") as f:
        header = f.readline().strip()
    for col in header.split(","):
        if "`%s`" % col not in doc:
            print(col)

elif check == "zeek-fields":
    doc = read(os.path.join(docs, "output-formats.md"))
    fields = []
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            if line.startswith("#fields\t"):
                fields = line.rstrip("\n").split("\t")[1:]
    if not fields:
        print("(no #fields line in the zeek output)")
    for fld in fields:
        if "`%s`" % fld not in doc:
            print(fld)

elif check == "text-sections":
    doc = read(os.path.join(docs, "output-formats.md"))
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line[0].isspace() or line.startswith("tcpfsm report:"):
                continue
            title = re.split(r" \(|:", line)[0]
            if "**" + title not in doc:
                print(title)

elif check == "table-section":
    doc = read(os.path.join(docs, "state-machine.md"))
    m = re.search(r"<!-- BEGIN STATE TABLE[^\n]*-->\n(.*?)<!-- END STATE TABLE -->", doc, re.S)
    sys.stdout.write(m.group(1) if m else "(no markers)\n")

elif check == "table-update":
    path = os.path.join(docs, "state-machine.md")
    doc = read(path)
    table = read(sys.argv[2])
    new, n = re.subn(r"(<!-- BEGIN STATE TABLE[^\n]*-->\n).*?(<!-- END STATE TABLE -->)",
                     lambda m: m.group(1) + table + m.group(2), doc, flags=re.S)
    if n != 1:
        print("no markers in docs/state-machine.md")
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
EOF
}

# missing WHAT CHECK ARGS...: pass if the check finds nothing missing.
missing() {
    local what=$1 out
    shift
    out=$(py "$@" 2>&1)
    if [ -z "$out" ]; then
        pass "$what"
    else
        fail "$what; missing:"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# --- the man page -------------------------------------------------------------
"$TCPFSM" --help >"$TMPD/help" 2>&1
expect_eq "tcpfsm --help exits 0" 0 "$?"
missing "tcpfsm.1 has an entry for every long option of --help" man-options "$TMPD/help"
missing "tcpfsm.1 gives the defaults --help gives" man-defaults "$TMPD/help"
missing "tcpfsm.1 lists the exit statuses of src/exitcodes.h" man-exit
missing "tcpfsm.1 names every anomaly id" man-anomalies
if command -v groff >/dev/null; then
    out=$(groff -man -ww -z "$MAN" 2>&1)
    expect_eq "tcpfsm.1 renders without groff warnings" "" "$out"
else
    echo "# groff is not installed: the rendering of tcpfsm.1 is not checked"
fi

# --- the anomaly catalogue ----------------------------------------------------
missing "anomalies.md has a section per anomaly id, with its phase and severity" anomaly-headings
missing "anomalies.md names the JSON fields of each anomaly" anomaly-json-fields

# --- output formats ---------------------------------------------------------------
missing "output-formats.md names every JSON field of src/report_json.c and src/snapshot.c" json-static
missing "output-formats.md names every not_decoded reason of src/decode.c" decode-names

# Sample inputs: the shipped captures, a Zeek test trace, a damaged copy of a
# capture (for the error fields), and a run with a filter.
inputs=()
for f in "$top_srcdir"/captures/*.pcap "$top_srcdir"/captures/*.pcapng; do
    [ -f "$f" ] && inputs+=("$f")
done
ZEEK_TRACE=${SHARED_DIR:-}/captures/zeek/opt.basic/trace.pcap
[ -f "$ZEEK_TRACE" ] && inputs+=("$ZEEK_TRACE")
if [ ${#inputs[@]} -eq 0 ]; then
    fail "no sample captures in captures/ or \$SHARED_DIR"
    finish
fi
n=0
json_files=()
for f in "${inputs[@]}"; do
    n=$((n + 1))
    "$TCPFSM" -r "$f" --format json --stuck-after 0 >"$TMPD/j$n.json" 2>"$TMPD/j$n.err"
    rc=$?
    [ "$rc" -eq 0 ] || fail "tcpfsm -r $f --format json: exit status $rc: $(head -c 300 "$TMPD/j$n.err")"
    json_files+=("$TMPD/j$n.json")
done
first=${inputs[0]}
# a damaged copy: the file cut in the middle of its last record
size=$(wc -c <"$first")
head -c $((size - 3)) "$first" >"$TMPD/cut.pcap"
"$TCPFSM" -r "$TMPD/cut.pcap" --format json --stuck-after 0 tcp >"$TMPD/cut.json" 2>/dev/null
expect_eq "a cut capture exits 1" 1 "$?"
json_files+=("$TMPD/cut.json")
# the live view without a terminal: snapshot objects, then the report
if "$TCPFSM" --help 2>&1 | grep -q -e '--ui'; then
    "$TCPFSM" -r "$first" --ui --format json --stuck-after 0 </dev/null >"$TMPD/ui.json" 2>"$TMPD/ui.err"
    rc=$?
    expect_eq "tcpfsm -r --ui --format json without a terminal: exit status" 0 "$rc"
    if grep -q '"type":"snapshot"' "$TMPD/ui.json"; then
        pass "tcpfsm -r --ui --format json without a terminal prints a snapshot"
    else
        fail "tcpfsm -r --ui --format json without a terminal prints no snapshot: $(head -c 300 "$TMPD/ui.err")"
    fi
    json_files+=("$TMPD/ui.json")
fi
missing "output-formats.md names every JSON field emitted on ${#inputs[@]} sample captures" \
    json-emitted "${json_files[@]}"

"$TCPFSM" -r "$first" --format csv >"$TMPD/out.csv" 2>/dev/null
missing "output-formats.md names every CSV column" csv-columns "$TMPD/out.csv"
"$TCPFSM" -r "$first" --format zeek >"$TMPD/out.zeek" 2>/dev/null
missing "output-formats.md names every Zeek conn.log field" zeek-fields "$TMPD/out.zeek"
"$TCPFSM" -r "$first" --conns --stuck-after 0 >"$TMPD/out.txt" 2>/dev/null
missing "output-formats.md names the text report's sections" text-sections "$TMPD/out.txt"

# --- the state table ----------------------------------------------------------
if [ -x "$DUMP" ]; then
    if "$DUMP" >"$TMPD/table.md"; then
        pass "dump_table runs"
        if [ -n "$UPDATE_DOCS" ]; then
            out=$(py table-update "$TMPD/table.md")
            expect_eq "UPDATE_DOCS: the table in docs/state-machine.md rewritten" "" "$out"
        fi
        py table-section >"$TMPD/doc-table.md"
        if cmp -s "$TMPD/table.md" "$TMPD/doc-table.md"; then
            pass "state-machine.md holds the table of src/tcpstate.c"
        else
            fail "state-machine.md's table differs from tests/unit/dump_table (regenerate: make check TESTS=tests/cli/docs.sh UPDATE_DOCS=1)"
            diff -u "$TMPD/doc-table.md" "$TMPD/table.md" | head -40 | sed 's/^/#   /'
        fi
    else
        fail "tests/unit/dump_table failed"
    fi
else
    fail "$DUMP is not built (make check builds it)"
fi

finish
