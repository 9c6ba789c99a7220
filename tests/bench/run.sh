#!/bin/bash
# tests/bench/run.sh - how fast tcpfsm is, and how much memory it needs per
# connection, against a floor (tests/bench/floor.c: libpcap read, decode, hash
# lookup, nothing else), tcptrace and tshark, on traces from tests/bench/gen.c.
# Also "write-copy": tcpfsm's JSON output copied to a new file with cat, the
# cost of writing that many bytes on this machine, whoever writes them.
#
#   tests/bench/run.sh [--quick] [--reps N] [--no-doc] [--keep]
#
#   --quick     small traces only (10k, 100k, 100k all-open, a 1M-SYN flood):
#               for trying the kit, not for the record
#   --reps N    repetitions of each measurement (default 5; 3 on 1M traces)
#   --no-doc    do not rewrite the measured section of docs/performance.md
#   --keep      keep the traces and outputs in tests/bench/out/
#
# TCPFSM=PATH measures another tcpfsm binary (BENCH_REV=COMMIT then says
# which commit it was built from, for the report).
#
# Needs tcpfsm built in the tree (autoreconf -fi && ./configure && make), a C
# compiler, libpcap's headers, and tcptrace and tshark (either is skipped with
# a note if missing).  Writes under tests/bench/out/ (ignored
# by git; BENCH_OUT overrides), prints a table, and replaces the text between
# the MEASURED markers in docs/performance.md.
#
# Each trace is measured in rounds: every tool once per round, in the same
# order, so that load from other work on the machine spreads over all tools;
# the median of the rounds is reported.  Each run is timed by
# tests/bench/timeit.c: the monotonic clock read just before fork() and just
# after wait4(), CPU time (to the microsecond) and peak RSS from wait4()'s
# rusage.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
envdesc=
[ -n "${TCPFSM:-}" ] && envdesc="TCPFSM=$TCPFSM "
[ -n "${BENCH_REV:-}" ] && envdesc="${envdesc}BENCH_REV=$BENCH_REV "
TCPFSM=${TCPFSM:-$top/tcpfsm}
out=${BENCH_OUT:-$here/out}
doc=$top/docs/performance.md
CC=${CC:-cc}

quick=false reps= write_doc=true keep=false
cmdline="${envdesc}tests/bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=true ;;
    --reps) reps=$2; shift ;;
    --no-doc) write_doc=false ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$TCPFSM" ] || die "no tcpfsm at $TCPFSM: build it first (autoreconf -fi && ./configure && make)"
have_tcptrace=false; command -v tcptrace >/dev/null && have_tcptrace=true
have_tshark=false; command -v tshark >/dev/null && have_tshark=true

mkdir -p "$out"
$have_tcptrace || echo "run.sh: tcptrace is not installed: measuring without it" >&2
$have_tshark || echo "run.sh: tshark is not installed: measuring without it" >&2
res=$out/results.tsv        # trace tool round wall_ns user_s sys_s rss_kb
: >"$res"
log=$out/run.log
: >"$log"
say() { echo "$*" | tee -a "$log" >&2; }

# ------------------------------------------------------------- building ---
say "== building gen, floor and timeit (-O2) into $out"
$CC -O2 -std=c11 -Wall -Wextra -o "$out/gen" "$here/gen.c" -lm
$CC -O2 -std=c11 -Wall -Wextra -o "$out/floor" "$here/floor.c" -lpcap
$CC -O2 -std=c11 -Wall -Wextra -o "$out/timeit" "$here/timeit.c"
GEN=$out/gen
FLOOR=$out/floor
TIMEIT=$out/timeit

# ------------------------------------------------------------ the traces ---
# name | gen arguments | rounds
if $quick; then
    traces=(
        "10k|--conns 10000 --concurrency 100|${reps:-5}"
        "100k|--conns 100000 --concurrency 1000|${reps:-5}"
        "100k-open|--conns 100000 --all-open|${reps:-3}"
    )
    flood_syns=1000000
    flood_reps=${reps:-3}
else
    traces=(
        "10k|--conns 10000 --concurrency 100|${reps:-5}"
        "100k|--conns 100000 --concurrency 1000|${reps:-5}"
        "1m|--conns 1000000 --concurrency 400|${reps:-5}"
        "1m-open|--conns 1000000 --all-open|${reps:-5}"
    )
    flood_syns=10000000
    flood_reps=${reps:-3}
fi
flood_max=100000
# tshark: about 9 CPU seconds and 0.9 GB on the 100k trace; on the 1M ones
# it would take minutes and ~9 GB
if $quick; then tshark_traces="10k"; else tshark_traces="10k 100k"; fi
common_gen="--seed 1 --data 4 --ipv6 20"
# tcpfsm's runs and write-copy, measured against the floor round by round
own_tools="tcpfsm-text tcpfsm-json-null tcpfsm-json write-copy"

# ------------------------------------------------------------ measuring ---
# measure TRACE TOOL ROUND STDOUT INPUT CMD...: one run, appended to $res.
# INPUT, the capture the command reads, is read first, untimed, so that
# every run starts with it in the page cache: this machine's kernel pages
# out what has not been touched for a minute or so (a DAMON reclaim scheme),
# and a tool that found half the trace gone took three times as long as
# the same tool with it all there (the floor on the 1M-connection trace:
# 4.98 s, then 1.76 s and 1.72 s).  Without this, whichever tool came first
# after a long one paid for the others' pauses.
measure() {
    local trace=$1 tool=$2 round=$3 stdout=$4 input=$5
    shift 5
    local tf=$out/time.txt rc=0
    cat "$input" >/dev/null
    # The previous round's output is removed first, untimed: the timed
    # redirection would otherwise truncate it, which waits for its pages
    # under writeback (a 1.085 GB JSON written a second before: 73-211 ms
    # here), and the rest of it would still be written back during the run.
    if [ -f "$stdout" ] && [ ! -p "$stdout" ]; then rm -f "$stdout"; fi
    "$TIMEIT" "$tf" "$@" >"$stdout" 2>"$out/stderr.txt" || rc=$?
    if [ $rc -ne 0 ]; then
        say "   $tool on $trace exited with status $rc:"
        head -5 "$out/stderr.txt" | sed 's/^/     /' | tee -a "$log" >&2
    fi
    printf '%s\t%s\t%s\t%s\n' "$trace" "$tool" "$round" "$(cat "$tf")" >>"$res"
}

# median TRACE TOOL COLUMN: median over rounds (column 4 wall_ns, 5 user,
# 6 sys, 7 rss_kb, 8 user+sys)
median() {
    awk -F'\t' -v tr="$1" -v tool="$2" -v c="$3" '
        $1 == tr && $2 == tool { v[n++] = (c == 8 ? $5 + $6 : $c) }
        END {
            if (!n) { print "nan"; exit }
            for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            print (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        }' "$res"
}

# paired TRACE TOOL: the tool's wall time over the floor's in each round,
# sorted, then their median after a colon ("1.09 1.13 1.25: 1.13").  The
# machine's slow spells last longer than a round, so a round's two runs
# share them: the per-round ratios scatter less than the medians' ratio.
paired() {
    awk -F'\t' -v tr="$1" -v tool="$2" '
        $1 == tr && $2 == "floor" { f[$3] = $4 }
        $1 == tr && $2 == tool { t[$3] = $4 }
        END {
            for (r in t) if (r in f && f[r] > 0) v[n++] = t[r] / f[r]
            if (!n) { print "nan"; exit }
            for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            for (i = 0; i < n; i++) printf "%.2f%s", v[i], (i < n - 1 ? " " : "")
            printf ": %.2f\n", (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        }' "$res"
}

json_field() {  # json_field FILE NAME: a number from the summary line
    grep '"type":"summary"' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# ------------------------------------------------- the machine's memory ---
# What writing into new page-cache pages costs now: a gigabyte right after
# a gigabyte was freed, and after the freed memory sat free 4 s (see
# tests/bench/pagecost.sh); again at the end.
pagecost() { "$here/pagecost.sh" "$TIMEIT" "$out"; }     # "HOT_S COLD_S"
say "== page cache: 1 GiB written right after 1 GiB was freed, and 4 s after"
pagecost_start=$(pagecost)
say "   $pagecost_start (s)"

# ----------------------------------------------------------- baselines ---
say "== baseline: each tool on a one-connection capture (its RSS with nothing tracked)"
"$GEN" -o "$out/tiny.pcap" --conns 1 --concurrency 1 --mix client=1 2>>"$log"
for round in 1 2 3; do
    measure tiny tcpfsm-text $round /dev/null "$out/tiny.pcap" "$TCPFSM" -r "$out/tiny.pcap"
    measure tiny floor $round /dev/null "$out/tiny.pcap" "$FLOOR" "$out/tiny.pcap"
    $have_tcptrace && measure tiny tcptrace $round /dev/null "$out/tiny.pcap" tcptrace -n "$out/tiny.pcap"
    $have_tshark && measure tiny tshark $round /dev/null "$out/tiny.pcap" tshark -q -z conv,tcp -r "$out/tiny.pcap"
done

# ------------------------------------------------------------ each trace ---
declare -A packets conns peak states gen_s size
for spec in "${traces[@]}"; do
    IFS='|' read -r name args rounds <<<"$spec"
    pcap=$out/$name.pcap
    say "== $name: gen $common_gen $args"
    t0=$(date +%s%N)
    "$GEN" -o "$pcap" -e "$out/$name.tsv" $common_gen $args --stats 2>"$out/gen-$name.txt"
    t1=$(date +%s%N)
    gen_s[$name]=$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.1f", n / 1e9 }')
    cat "$out/gen-$name.txt" | tee -a "$log" >&2
    packets[$name]=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$out/gen-$name.txt")
    conns[$name]=$(sed -n 's/.* conns=\([0-9]*\).*/\1/p' "$out/gen-$name.txt")
    size[$name]=$(stat -c %s "$pcap")
    cat "$pcap" >/dev/null     # into the page cache before anything is timed

    tools="$own_tools floor"
    $have_tcptrace && tools="$tools tcptrace"
    $have_tshark && [[ " $tshark_traces " == *" $name "* ]] && tools="$tools tshark"
    for round in $(seq 1 "$rounds"); do
        say "   round $round/$rounds: $tools"
        for tool in $tools; do
            case $tool in
            tcpfsm-text) measure "$name" $tool $round /dev/null "$pcap" "$TCPFSM" -r "$pcap" ;;
            # the same JSON thrown away: what making it costs, without the
            # page cache's part (see "Memory the host took back" in
            # docs/performance.md)
            tcpfsm-json-null) measure "$name" $tool $round /dev/null "$pcap" "$TCPFSM" -r "$pcap" --format json ;;
            tcpfsm-json) measure "$name" $tool $round "$out/$name.json" "$pcap" "$TCPFSM" -r "$pcap" --format json ;;
            # the JSON tcpfsm just wrote, copied to a new file: what writing
            # those bytes costs here, whoever writes them (see "write-copy"
            # in docs/performance.md)
            write-copy) measure "$name" $tool $round "$out/$name.copy" "$out/$name.json" cat "$out/$name.json" ;;
            floor) measure "$name" $tool $round "$out/$name.floor" "$pcap" "$FLOOR" "$pcap" ;;
            tcptrace) measure "$name" $tool $round /dev/null "$pcap" tcptrace -n "$pcap" ;;
            tshark) measure "$name" $tool $round /dev/null "$pcap" tshark -q -z conv,tcp -r "$pcap" ;;
            esac
        done
    done
    peak[$name]=$(json_field "$out/$name.json" peak_conns)
    if "$here/compare-states.sh" "$out/$name.tsv" "$out/$name.json" >"$out/states-$name.txt"; then
        states[$name]="all ${conns[$name]} match"
    else
        states[$name]="$(tail -n 1 "$out/states-$name.txt")"
        say "   STATE MISMATCHES on $name (first lines of $out/states-$name.txt):"
        head -5 "$out/states-$name.txt" | tee -a "$log" >&2
    fi
    say "   states: ${states[$name]}; peak tracked: ${peak[$name]}"
    $keep || rm -f "$pcap" "$out/$name.json" "$out/$name.tsv"
    rm -f "$out/$name.copy"
done

# ---------------------------------------------------------------- flood ---
say "== flood: $flood_syns SYNs from distinct sources to one port, tcpfsm --max-conns $flood_max"
"$GEN" -o "$out/flood.pcap" --flood "$flood_syns" --stats 2>"$out/gen-flood.txt"
cat "$out/gen-flood.txt" | tee -a "$log" >&2
cat "$out/flood.pcap" >/dev/null
fifo=$out/flood.fifo
rm -f "$fifo"
mkfifo "$fifo"
for round in $(seq 1 "$flood_reps"); do
    say "   round $round/$flood_reps: tcpfsm-json (summary kept), floor"
    tail -n 1 <"$fifo" >"$out/flood-summary.json" &
    tailpid=$!
    measure flood tcpfsm-json $round "$fifo" "$out/flood.pcap" "$TCPFSM" -r "$out/flood.pcap" --format json --max-conns $flood_max
    wait $tailpid
    measure flood floor $round "$out/flood.floor" "$out/flood.pcap" "$FLOOR" "$out/flood.pcap"
done
rm -f "$fifo"
f_conns=$(json_field "$out/flood-summary.json" connections)
f_evicted=$(json_field "$out/flood-summary.json" evicted)
f_peak=$(json_field "$out/flood-summary.json" peak_conns)
f_end=$(sed -n 's/.*"end_of_capture":\([0-9]*\).*/\1/p' "$out/flood-summary.json")
want_evicted=$((flood_syns > flood_max ? flood_syns - flood_max : 0))
if [ "$f_conns" = "$flood_syns" ] && [ "$f_evicted" = "$want_evicted" ] && [ "$f_peak" = "$flood_max" ] &&
   [ "$f_end" = "$flood_max" ]; then
    flood_verdict="as expected: $f_conns connections, evicted $f_evicted (= $flood_syns - $flood_max), peak $f_peak, $f_end left at the end"
else
    flood_verdict="UNEXPECTED: connections $f_conns (want $flood_syns), evicted $f_evicted (want $want_evicted), peak $f_peak (want $flood_max), end_of_capture $f_end (want $flood_max)"
fi
say "   $flood_verdict"
$keep || rm -f "$out/flood.pcap"

pagecost_end=$(pagecost)
say "== page cache at the end: $pagecost_end (s)"

# ---------------------------------------------------------------- table ---
base_rss() { median tiny "$1" 7; }
table=$out/table.md
{
    echo "| trace | packets | conns | tracked at peak | tool | wall s | CPU s | packets/s (wall) | peak RSS MiB | bytes per tracked conn | wall / floor | CPU / floor |"
    echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    for spec in "${traces[@]}"; do
        IFS='|' read -r name _ _ <<<"$spec"
        fw=$(median "$name" floor 4)
        fc=$(median "$name" floor 8)
        for tool in $own_tools floor tcptrace tshark; do
            w=$(median "$name" $tool 4)
            [ "$w" = nan ] && continue
            c=$(median "$name" $tool 8)
            m=$(median "$name" $tool 7)
            case $tool in
            tcpfsm-*) b=$(base_rss tcpfsm-text); tracked=${peak[$name]} ;;
            write-copy) b=nan; tracked=- ;;      # tracks nothing
            *) b=$(base_rss $tool); tracked=${conns[$name]} ;;   # they never forget a connection
            esac
            awk -v name="$name" -v pk="${packets[$name]}" -v cn="${conns[$name]}" -v peak="$tracked" \
                -v tool="$tool" -v w="$w" -v c="$c" -v m="$m" -v b="$b" -v tr="$tracked" -v fw="$fw" -v fc="$fc" '
            # a ratio to a time of zero (no run measured) is shown as "-"
            function ratio(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "-" }
            BEGIN {
                bpc = (tr > 0 && b != "nan") ? sprintf("%.0f", (m - b) * 1024 / tr) : "-"
                printf "| %s | %d | %d | %s | %s | %.3f | %.3f | %.2fM | %.1f | %s | %s | %s |\n",
                    name, pk, cn, peak, tool, w / 1e9, c, pk / (w / 1e9) / 1e6, m / 1024, bpc, ratio(w, fw), ratio(c, fc)
            }'
        done
    done
    fw=$(median flood floor 4); fc=$(median flood floor 8)
    for tool in tcpfsm-json floor; do
        w=$(median flood $tool 4); c=$(median flood $tool 8); m=$(median flood $tool 7)
        if [ $tool = floor ]; then b=$(base_rss floor); tr=$flood_syns; else b=$(base_rss tcpfsm-text); tr=$flood_max; fi
        awk -v tool="$tool" -v n="$flood_syns" -v w="$w" -v c="$c" -v m="$m" -v b="$b" -v tr="$tr" -v fmax="$flood_max" -v fw="$fw" -v fc="$fc" '
        function ratio(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "-" }
        BEGIN {
            printf "| flood | %d | %d | %d | %s%s | %.3f | %.3f | %.2fM | %.1f | %.0f | %s | %s |\n",
                n, n, tr, tool, (tool == "floor" ? "" : " --max-conns " fmax), w / 1e9, c, n / (w / 1e9) / 1e6, m / 1024,
                (m - b) * 1024 / tr, ratio(w, fw), ratio(c, fc)
        }'
    done
} >"$table"

echo
cat "$table"
echo

# ------------------------------------------------------------ the report ---
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
ncpu=$(nproc)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ -n "${BENCH_REV:-}" ]; then
    rev="$BENCH_REV ($TCPFSM)"
else
    rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=$(git -C "$top" status --porcelain -- src 2>/dev/null | head -1)
    [ -n "$dirty" ] && rev="$rev (with uncommitted changes in src/)"
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
ver_tcptrace=$($have_tcptrace && tcptrace -v 2>&1 | sed -n 's/^Version: *//p;s/^\(tcptrace [0-9.]*\).*/\1/p' | head -1 || echo "not installed")
ver_tshark=$($have_tshark && tshark --version 2>/dev/null | head -1 || echo "not installed")
ver_cc=$($CC --version | head -1)
ver_pcap=$(pkg-config --modversion libpcap 2>/dev/null || echo "?")

block=$out/measured.md
{
    echo "<!-- BEGIN MEASURED (written by tests/bench/run.sh; do not edit by hand) -->"
    echo "Measured by \`$cmdline\` on $when, tcpfsm at commit $rev."
    echo
    echo "Machine: $cpu, $ncpu cores (\`nproc\`), $mem RAM; $(uname -sr); load average at the end: $load."
    echo "Compiler: $ver_cc; libpcap $ver_pcap; tcptrace: ${ver_tcptrace:-?}; tshark: ${ver_tshark%.}."
    echo "Page cache (\`tests/bench/pagecost.sh\`: 1 GiB written to a new file right after 1 GiB was freed / 4 s after):" \
         "$(printf '%.2f s / %.2f s' $pagecost_start) at the start," \
         "$(printf '%.2f s / %.2f s' $pagecost_end) at the end" \
         "(see \"Memory the host took back\" below)."
    echo
    echo "Traces (\`gen $common_gen ...\`; the time to generate each is given for scale):"
    echo
    for spec in "${traces[@]}"; do
        IFS='|' read -r name args rounds <<<"$spec"
        echo "- **$name**: \`$args\` — ${packets[$name]} packets, $((size[$name] / 1048576)) MiB," \
             "generated in ${gen_s[$name]} s; median of $rounds rounds; tcpfsm's states: ${states[$name]}."
    done
    echo "- **flood**: \`--flood $flood_syns\` — $flood_syns SYNs, each from its own source; tcpfsm run with" \
         "\`--max-conns $flood_max --format json\` (its output through a pipe to \`tail -n 1\`); median of $flood_reps rounds;" \
         "summary $flood_verdict."
    echo
    echo "Each run timed by \`tests/bench/timeit\` (monotonic clock around fork and wait4; CPU time and peak RSS from wait4)."
    echo
    echo "Commands per trace: \`tcpfsm -r T >/dev/null\` (tcpfsm-text), \`tcpfsm -r T --format json >T.json\`" \
         "(tcpfsm-json), \`tcpfsm -r T --format json >/dev/null\` (tcpfsm-json-null: the same JSON made, not written to a file)," \
         "\`cat T.json >T.copy\` (write-copy: the same bytes written to a new file)," \
         "\`floor T\`, \`tcptrace -n T >/dev/null\`, and \`tshark -q -z conv,tcp -r T >/dev/null\`" \
         "only on the ${tshark_traces// / and } trace(s) (on the 1M traces it would take minutes and about 9 GB)." \
         "\"tracked at peak\" is tcpfsm's peak_conns, and every connection for the other tools."
    echo
    cat "$table"
    echo
    echo "Wall / floor per round (each round's run over the floor's in the same round, sorted; their median after the colon):"
    echo
    for spec in "${traces[@]}" "flood||"; do
        IFS='|' read -r name _ _ <<<"$spec"
        for tool in $own_tools; do
            p=$(paired "$name" $tool)
            [ "$p" = nan ] || echo "- $name, $tool: $p"
        done
    done
    echo
    echo "Baseline RSS on a one-connection capture (subtracted for \"bytes per tracked conn\"):" \
         "tcpfsm $(base_rss tcpfsm-text) KiB, floor $(base_rss floor) KiB$($have_tcptrace && echo ", tcptrace $(base_rss tcptrace) KiB")$($have_tshark && echo ", tshark $(base_rss tshark) KiB")."
    echo "<!-- END MEASURED -->"
} >"$block"

if $write_doc; then
    if [ -f "$doc" ] && grep -q '<!-- BEGIN MEASURED' "$doc"; then
        awk -v blk="$block" '
            /<!-- BEGIN MEASURED/ { while ((getline l < blk) > 0) print l; skip = 1; next }
            /<!-- END MEASURED -->/ { skip = 0; next }
            !skip { print }' "$doc" >"$doc.new"
        mv "$doc.new" "$doc"
    else
        mkdir -p "$(dirname "$doc")"
        { echo "# tcpfsm performance"; echo; cat "$block"; } >>"$doc"
    fi
    say "== wrote the measured section of $doc"
fi
say "== raw measurements: $res; log: $log"
