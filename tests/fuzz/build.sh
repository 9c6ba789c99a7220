#!/usr/bin/env bash
# tests/fuzz/build.sh - build the libFuzzer targets from the sources (not
# from the gcc-built libtcpfsm.a) with clang -fsanitize=fuzzer,address,undefined.
#
#   tests/fuzz/build.sh [OUTDIR]         fuzz_packets, fuzz_file (default OUTDIR: build-fuzz)
#   tests/fuzz/build.sh --cov [OUTDIR]   the same targets with source-based
#                                        coverage instead (default build-fuzz-cov),
#                                        replaying inputs, for llvm-cov
#
# Environment: CC (default clang), JOBS (parallel compiles, default 2),
# EXTRA_CFLAGS.  Needs libpcap's headers and library (pkg-config libpcap).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mode=fuzz
if [ "${1:-}" = "--cov" ]; then
    mode=cov
    shift
fi
suffix=
[ $mode = fuzz ] || suffix=-cov
out=${1:-$root/build-fuzz$suffix}
CC=${CC:-clang}
JOBS=${JOBS:-2}

if [ $mode = fuzz ]; then
    # UBSan stays recoverable so that tests/fuzz/run.sh can suppress bugs
    # already reported (tests/fuzz/ubsan-known.supp); sanitizer_options.c
    # makes every report fatal by default (halt_on_error=1).
    SAN="-fsanitize=address,undefined"
    LIB_FLAGS="-fsanitize=fuzzer-no-link $SAN"
    LINK_FLAGS="-fsanitize=fuzzer $SAN"
    MAIN=
    OPTS=$here/sanitizer_options.c
else
    OPTS=
    LIB_FLAGS="-fprofile-instr-generate -fcoverage-mapping"
    LINK_FLAGS="$LIB_FLAGS"
    MAIN=$here/replay_main.c
fi
CFLAGS="-g -O1 -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE ${EXTRA_CFLAGS:-}"
PCAP_CFLAGS=$(pkg-config --cflags libpcap 2>/dev/null || true)
PCAP_LIBS=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
# If the library ever needs curses, link it too.
PCAP_LIBS="$PCAP_LIBS $(pkg-config --libs ncursesw 2>/dev/null || pkg-config --libs ncurses 2>/dev/null || true)"

mkdir -p "$out/obj"
# src/hash.c and src/options.c include config.h: a minimal one, so that the
# build needs no configure run.
cat >"$out/config.h" <<'EOF'
#define PACKAGE_VERSION "fuzz"
#define HAVE_SYS_RANDOM_H 1
#define HAVE_GETRANDOM 1
EOF

# The sources of libtcpfsm.a, as Makefile.am lists them.
srcs=()
while IFS= read -r f; do
    srcs+=("$root/$f")
done < <(awk '/^libtcpfsm_a_SOURCES[ \t]*=/ { on = 1 } on { print; if ($0 !~ /\\$/) exit }' \
             "$root/Makefile.am" | grep -o 'src/[A-Za-z0-9_]*\.c')
if [ ${#srcs[@]} -lt 10 ]; then
    echo "build.sh: cannot read libtcpfsm_a_SOURCES from $root/Makefile.am" >&2
    exit 1
fi
srcs+=("$here/pipeline.c" "$here/outcheck.c")

echo "build.sh: compiling ${#srcs[@]} sources with $CC ($mode) into $out"
export CC CFLAGS LIB_FLAGS PCAP_CFLAGS out root here
# analysis_finish() walks every slot of the analysis's fixed-size flood and
# pileup tables (163840 slots, whatever --max-conns is) on every run: with
# comparison tracing there, that scan took most of each execution.  Those two
# files keep edge coverage but lose comparison tracing.
printf '%s\n' "${srcs[@]}" | xargs -P "$JOBS" -I{} sh -c '
    f={}; b=$(basename "$f" .c); o="$out/obj/$b.o"; extra=
    case "$LIB_FLAGS:$b" in
    *fuzzer*:analysis|*fuzzer*:smalltab) extra=-fno-sanitize-coverage=trace-cmp ;;
    esac
    $CC $CFLAGS $LIB_FLAGS $extra $PCAP_CFLAGS -I"$out" -I"$root/src" -I"$here" -c "$f" -o "$o"
'
objs=()
for f in "${srcs[@]}"; do objs+=("$out/obj/$(basename "$f" .c).o"); done

for t in fuzz_packets fuzz_file; do
    # shellcheck disable=SC2086
    $CC $CFLAGS $LINK_FLAGS $PCAP_CFLAGS -I"$out" -I"$root/src" -I"$here" \
        "$here/$t.c" $MAIN $OPTS "${objs[@]}" $PCAP_LIBS -lm -o "$out/$t"
    echo "build.sh: $out/$t"
done
