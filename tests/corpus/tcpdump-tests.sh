#!/bin/bash
# tests/corpus/tcpdump-tests.sh - run tcpfsm over every capture in tcpdump's
# test suite ($SHARED_DIR/captures/tcpdump-tests: 830 files, many malformed),
# in text, in JSON, and in JSON writing the troubled connections' packets
# with -w ("write" runs), and check that every run ends the documented way:
#
#   - no crash (signal), no hang (per-run timeout), no sanitizer report;
#   - exit status 0, 1 or 2 (3 is for output errors and cannot happen here);
#   - all runs of one file agree on the exit status;
#   - 2: exactly one line on stderr, "tcpfsm: FILE: ...";
#   - 1: a line "tcpfsm: FILE: packet N: ..." on stderr;
#   - 0 or 1: JSON output is JSON lines ending in one {"type":"summary"} whose
#     exit_status is the real one; the text report has its state table;
#   - the pcap that -w wrote, if any, reads back (exit 0, or 2 if tcpfsm does
#     not decode its link type).
#
# Environment: CORPUS_TIMEOUT (seconds per run, default 20), CORPUS_JOBS
# (parallel runs, default: the number of CPUs, at most 4), CORPUS_MODES
# (default "text json write").
. "$top_srcdir/tests/lib.sh"
scratch

CORPUS=$SHARED_DIR/captures/tcpdump-tests
if [ ! -d "$CORPUS" ]; then
    fail "shared test material missing: $CORPUS (configure --with-shared-dir=DIR)"
    finish
fi
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || echo python3); fi

nfiles=$(find "$CORPUS" -maxdepth 1 -type f | wc -l)
if [ "$nfiles" -lt 1 ]; then
    fail "no captures in $CORPUS"
    finish
fi

jobs=${CORPUS_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
export TCPFSM RUNDIR=$TMPD/runs CORPUS_TIMEOUT=${CORPUS_TIMEOUT:-20} CORPUS_MODES=${CORPUS_MODES:-text json write}
mkdir -p "$RUNDIR"

# One worker per batch of files: for each file and mode, keep stdout (JSON
# only), stderr, the exit status and the time taken; for "write", also the
# exit status and stderr of reading the written pcap back.
worker='
for f; do
    b=${f##*/}
    for mode in $CORPUS_MODES; do
        o=$RUNDIR/$b.$mode.out
        w=$RUNDIR/$b.written.pcap
        # text as a user runs it (these small files: one thread, see
        # FEED_SMALL_FILE in src/feed.h); json and write with the reading,
        # formatting and writing threads, so that both paths meet every
        # file
        args=(--format json --threads 2)
        case $mode in
        text) args=(--format text) ;;
        write) args=(--format json --threads 2 -w "$w") ;;
        esac
        t0=$(date +%s%N)
        rc=0
        timeout -k 5 "$CORPUS_TIMEOUT" "$TCPFSM" -r "$f" "${args[@]}" </dev/null >"$o" 2>"$RUNDIR/$b.$mode.err" || rc=$?
        t1=$(date +%s%N)
        if [ $mode = text ]; then
            grep -c "^Endpoint states at end of capture$" "$o" >"$RUNDIR/$b.text.table"
            rm -f "$o"
        fi
        if [ $mode = write ] && [ -f "$w" ]; then
            rrc=0
            timeout -k 5 "$CORPUS_TIMEOUT" "$TCPFSM" -r "$w" --format json </dev/null >/dev/null 2>"$RUNDIR/$b.readback.err" || rrc=$?
            echo "$rrc" >"$RUNDIR/$b.readback.status"
            rm -f "$w"
        fi
        printf "%s\t%s\t%s\t%s\n" "$rc" $(( (t1 - t0) / 1000000 )) "$mode" "$f" >"$RUNDIR/$b.$mode.rc"
    done
done'

start=$(date +%s)
find "$CORPUS" -maxdepth 1 -type f -print0 | sort -z |
    xargs -0 -n 16 -P "$jobs" bash -c "$worker" _
elapsed=$(( $(date +%s) - start ))

# Check every run; print TAP-ish "ok"/"not ok" lines and "# " notes.
"$PY" - "$RUNDIR" "$CORPUS" "$nfiles" "$elapsed" "$jobs" "$CORPUS_MODES" >"$TMPD/verdict" <<'EOF'
import collections, glob, json, os, sys

rundir, corpus, nfiles, elapsed, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
MODES = sys.argv[6].split()
COUNT_MODE = "json" if "json" in MODES else "write"  # whose summaries are totalled
SAN = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer", "ERROR: ThreadSanitizer",
       "ERROR: MemorySanitizer")
runs = {}
for p in glob.glob(os.path.join(rundir, "*.rc")):
    rc, ms, fmt, f = open(p).read().rstrip("\n").split("\t", 3)
    runs[(f, fmt)] = (int(rc), int(ms))

problems = collections.defaultdict(list)   # check -> [description]
checked = collections.Counter()
status = collections.Counter()
packets = conns = 0
slow = []
sick = set()        # runs that crashed, hung or had a sanitizer report

def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""

files = sorted({f for f, _ in runs})
for f in files:
    b = os.path.basename(f)
    for fmt in MODES:
        key = (f, fmt)
        what = "%s (%s)" % (b, fmt)
        if key not in runs:
            problems["every run completed"].append(what + ": no result recorded")
            continue
        rc, ms = runs[key]
        slow.append((ms, what))
        err = read(os.path.join(rundir, "%s.%s.err" % (b, fmt)))
        errlines = err.splitlines()
        checked["no hang"] += 1
        if rc in (124, 137):
            sick.add(key)
            problems["no hang"].append("%s: timed out (exit %d) after %d ms: tcpfsm -r %s --format %s"
                                       % (what, rc, ms, f, fmt))
            continue
        checked["no crash"] += 1
        if rc > 128:
            problems["no crash"].append("%s: killed by signal %d: tcpfsm -r %s --format %s\n%s"
                                        % (what, rc - 128, f, fmt, err[-2000:]))
        checked["no sanitizer report"] += 1
        if any(s in err for s in SAN):
            problems["no sanitizer report"].append("%s: exit %d, stderr:\n%s" % (what, rc, err[:4000]))
            sick.add(key)   # the exit status and output are the sanitizer's
            continue
        if rc > 128:
            sick.add(key)
            continue
        checked["exit status 0, 1 or 2"] += 1
        if rc not in (0, 1, 2):
            problems["exit status 0, 1 or 2"].append("%s: exit status %d; stderr: %s" % (what, rc, err[:1000]))
            continue
        if fmt == COUNT_MODE:
            status[rc] += 1
        prefix = "tcpfsm: %s: " % f
        if rc == 2:
            checked["exit 2: one line 'tcpfsm: FILE: ...'"] += 1
            if len(errlines) != 1 or not errlines[0].startswith(prefix):
                problems["exit 2: one line 'tcpfsm: FILE: ...'"].append("%s: stderr: %r" % (what, err[:500]))
        if rc == 1:
            checked["exit 1: 'tcpfsm: FILE: packet N: ...' on stderr"] += 1
            if not any(l.startswith(prefix + "packet ") and l[len(prefix) + 7:].split(":")[0].isdigit()
                       for l in errlines):
                problems["exit 1: 'tcpfsm: FILE: packet N: ...' on stderr"].append("%s: stderr: %r" % (what, err[:500]))
        if rc == 0 and any(not l.startswith("tcpfsm: wrote ") for l in errlines):
            print("# note: %s: exit 0 with stderr: %s" % (what, errlines[0][:200]))
        if fmt == "text" and rc in (0, 1):
            checked["text report has its state table"] += 1
            if read(os.path.join(rundir, b + ".text.table")).strip() != "1":
                problems["text report has its state table"].append(what)
        if fmt == "write":
            rb = os.path.join(rundir, b + ".readback.status")
            if os.path.exists(rb):
                # A pcap of a link type tcpfsm does not decode is still a
                # good pcap: exit 2 is right for it.
                c = "the pcap -w wrote reads back (exit 0, or 2 for an undecoded link type)"
                checked[c] += 1
                rrc = int(read(rb).strip() or -1)
                rerr = read(os.path.join(rundir, b + ".readback.err"))
                if (rrc != 0 and not (rrc == 2 and "unsupported link type" in rerr)) \
                        or any(s in rerr for s in SAN):
                    problems[c].append("%s: reading the written pcap back: exit %d, stderr: %s"
                                       % (what, rrc, rerr[:1000]))
        if fmt in ("json", "write") and rc in (0, 1):
            c = "JSON lines ending in one summary with the exit status"
            checked[c] += 1
            raw = open(os.path.join(rundir, "%s.%s.out" % (b, fmt)), "rb").read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                problems[c].append("%s: output is not UTF-8: %s" % (what, e))
                continue
            lines = text.split("\n")
            if lines[-1] != "":
                problems[c].append("%s: output does not end with a newline" % what)
                continue
            lines.pop()
            objs = []
            bad = None
            for i, l in enumerate(lines, 1):
                try:
                    o = json.loads(l)
                except ValueError as e:
                    bad = "line %d is not JSON (%s): %.300s" % (i, e, l)
                    break
                if not isinstance(o, dict) or not isinstance(o.get("type"), str):
                    bad = "line %d is not an object with a type: %.300s" % (i, l)
                    break
                objs.append(o)
            if bad is None:
                if not objs or objs[-1]["type"] != "summary":
                    bad = "no final {\"type\":\"summary\"} line"
                elif sum(o["type"] == "summary" for o in objs) != 1:
                    bad = "more than one summary line"
                elif objs[-1].get("exit_status") != rc:
                    bad = "summary exit_status %r but the exit status was %d" % (objs[-1].get("exit_status"), rc)
                else:
                    s = objs[-1]
                    ncon = sum(o["type"] == "conn" for o in objs)
                    if ncon != s.get("connections"):
                        bad = "%d conn lines but summary connections %r" % (ncon, s.get("connections"))
                    if fmt == COUNT_MODE:
                        packets += s.get("packets") or 0
                        conns += s.get("connections") or 0
            if bad:
                problems[c].append("%s: %s" % (what, bad))
    got = [(m, runs[(f, m)][0]) for m in MODES if (f, m) in runs and (f, m) not in sick]
    if len(got) > 1:
        c = "all runs of a file exit with the same status"
        checked[c] += 1
        if len({r for _, r in got}) != 1:
            problems[c].append("%s: %s" % (b, ", ".join("%s exit %d" % g for g in got)))

if len(files) != nfiles:
    print("not ok - every file in the corpus was run: %d of %d" % (len(files), nfiles))
else:
    print("ok - every file in the corpus was run (%d)" % nfiles)
SHOW = 10   # failures shown per check; the rest are counted
for check in sorted(set(checked) | set(problems)):
    if problems[check]:
        for p in problems[check][:SHOW]:
            print("not ok - %s: %s" % (check, p.replace("\n", "\n#   ")))
        if len(problems[check]) > SHOW:
            print("not ok - %s: %d more runs fail this check: %s" % (
                check, len(problems[check]) - SHOW,
                ", ".join(p.split(":")[0] for p in problems[check][SHOW:SHOW + 40])
                + (", ..." if len(problems[check]) > SHOW + 40 else "")))
    else:
        print("ok - %s (%d runs)" % (check, checked[check]))

print("# corpus: %s" % corpus)
print("# files processed: %d, in %ss with %s parallel jobs" % (len(files), elapsed, jobs))
print("# exit status (%s runs): " % COUNT_MODE + ", ".join("%s: %d" % (k, status[k]) for k in sorted(status)))
print("# total packets read: %d, total TCP connections: %d" % (packets, conns))
slow.sort(reverse=True)
print("# slowest runs: " + ", ".join("%s %d ms" % (w, ms) for ms, w in slow[:3]))
EOF
pyrc=$?
if [ "$pyrc" -ne 0 ]; then
    fail "the result checker ($PY) failed with exit status $pyrc"
fi

while IFS= read -r line; do
    case $line in
    "ok - "*) pass "${line#ok - }" ;;
    "not ok - "*) fail "${line#not ok - }" ;;
    *) echo "$line" ;;
    esac
done <"$TMPD/verdict"

finish
