#!/usr/bin/env bash
# tests/fuzz/run.sh - run the libFuzzer targets, seeded from the corpora.
#
#   tests/fuzz/run.sh [-t SECONDS] [-b BUILDDIR] [--no-build] [TARGET...]
#
# TARGET: fuzz_packets, fuzz_file (default: both, one after the other, never
# at once).  Each runs SECONDS (default 60) under nice -n 19, its corpus kept
# in BUILDDIR/corpus/TARGET between runs (BUILDDIR default: build-fuzz), and
# seeded from:
#   captures/*.pcap*                         (shipped)
#   $SHARED_DIR/captures/tcpdump-tests/      (tcpdump's test captures)
#   $SHARED_DIR/captures/zeek/*/trace.pcap*  (Zeek's test traces)
#   tests/fuzz/regressions/TARGET/           (every input that ever failed)
# fuzz_file takes the files as they are; fuzz_packets takes them converted by
# tests/fuzz/mkseeds.py.  The big corpora are referenced, never copied into
# the source tree.
#
# A crash, timeout, leak, out-of-memory or sanitizer report stops the target:
# its input is saved in BUILDDIR/artifacts/TARGET/ and the exit status is 1.
# UBSan reports already handed over as bugs are suppressed by
# tests/fuzz/ubsan-known.supp (empty once they are fixed), so that the run
# looks for new ones.  The last lines sum up each target: executions,
# coverage (cov: edges, ft: features), corpus size, findings.
#
# Environment: SHARED_DIR (default: ../shared beside the source tree),
# FUZZ_ARGS (more libFuzzer flags).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${SHARED_DIR:=$(cd "$root/.." && pwd)/shared}"
secs=60
build=$root/build-fuzz
do_build=true
targets=()
while [ $# -gt 0 ]; do
    case $1 in
    -t) secs=$2; shift 2 ;;
    -b) build=$2; shift 2 ;;
    --no-build) do_build=false; shift ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed 's/^# \{0,1\}//; /^set /d'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_packets fuzz_file)

if $do_build || [ ! -x "$build/fuzz_packets" ] || [ ! -x "$build/fuzz_file" ]; then
    "$here/build.sh" "$build" || { echo "run.sh: build failed"; exit 1; }
fi

# Seed lists (files that exist).
shopt -s nullglob
captures=("$root"/captures/*.pcap "$root"/captures/*.pcapng
          "$SHARED_DIR"/captures/tcpdump-tests/*.pcap* "$SHARED_DIR"/captures/tcpdump-tests/*.cap
          "$SHARED_DIR"/captures/zeek/*/trace.pcap*)
shopt -u nullglob
echo "run.sh: ${#captures[@]} capture files for seeds (SHARED_DIR=$SHARED_DIR)"

seed_dir() {
    local t=$1 d=$build/seeds/$1
    if [ ! -d "$d" ] || [ -n "$(find "$d" -maxdepth 0 -empty)" ]; then
        mkdir -p "$d"
        if [ "$t" = fuzz_packets ]; then
            python3 "$here/mkseeds.py" "$d" "${captures[@]}" >/dev/null
        else
            # file names may repeat across directories: number them
            local i=0 f
            for f in "${captures[@]}"; do
                i=$((i + 1))
                ln -sf "$f" "$d/$i-$(basename "$f")"
            done
        fi
    fi
    echo "$d"
}

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:report_error_type=1:suppressions=$here/ubsan-known.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
summary=()
for t in "${targets[@]}"; do
    case $t in fuzz_packets|fuzz_file) ;; *) echo "run.sh: unknown target $t" >&2; exit 2 ;; esac
    seeds=$(seed_dir "$t")
    corpus=$build/corpus/$t
    arts=$build/artifacts/$t
    log=$build/logs/$t-$(date +%Y%m%d-%H%M%S).log
    mkdir -p "$corpus" "$arts" "$build/logs"
    dict=$build/$t.dict
    cat "$here/packets.dict" >"$dict"
    [ "$t" = fuzz_file ] && cat "$here/file.dict" >>"$dict"
    regs=()
    [ -d "$here/regressions/$t" ] && regs=("$here/regressions/$t")
    find "$arts" -type f | sort >"$build/artifacts/.before"
    echo "run.sh: $t for ${secs}s, log $log"
    # -max_len: whole capture files are seeds for fuzz_file; fuzz_packets
    # needs less to hold a few hundred packets.
    maxlen=262144
    [ "$t" = fuzz_packets ] && maxlen=65536
    # shellcheck disable=SC2086
    nice -n 19 "$build/$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -max_len=$maxlen -print_final_stats=1 -close_fd_mask=1 \
        -dict="$dict" -artifact_prefix="$arts/" \
        ${FUZZ_ARGS:-} "$corpus" "$seeds" "${regs[@]}" >"$log" 2>&1
    rc=$?
    new_arts=$(find "$arts" -type f | sort | comm -13 "$build/artifacts/.before" -)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s += $1} END {print s + 0}')
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(find "$corpus" -type f | wc -l)
    found=$(grep -c . <<<"$new_arts")
    line="$t: ${secs}s, ${execs} executions, cov ${cov:-?} ft ${ft:-?}, corpus ${corp} inputs, ${found} new findings (exit $rc)"
    summary+=("$line")
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        echo "run.sh: $t FAILED; the report:"
        grep -E -A40 'ERROR: |runtime error|WARNING: MemorySanitizer|fuzz invariant|==[0-9]+==' "$log" | head -n 80
        sed 's/^/    artifact: /' <<<"$new_arts"
    fi
done
echo
printf 'run.sh: %s\n' "${summary[@]}"
exit $status
