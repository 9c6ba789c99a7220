#!/usr/bin/env bash
# tests/fuzz/valgrind.sh - valgrind memcheck on the golden tests: tcpfsm on
# every shipped capture in captures/ in the golden formats (text and JSON),
# whose output must still be the one pinned in tests/golden/expected/; then
# one capture in the CSV and zeek formats and with -w, a damaged copy of it,
# and a pcapng from the tcpdump corpus if $SHARED_DIR has it.  Passes when
# memcheck finds no error (invalid read or write, uninitialised value) and
# nothing definitely or indirectly lost.
#
# Under a sanitizer build (the second half of .ci/run) valgrind cannot run
# the program; the same runs are made under AddressSanitizer with leak
# detection, which checks the same things.  Skipped (77) only when valgrind
# is not installed in a build without sanitizers.
. "$top_srcdir/tests/lib.sh"
scratch

cap=$top_srcdir/captures/rst-abort.pcap
[ -f "$cap" ] || cap=$(ls "$top_srcdir"/captures/*.pcap | head -n 1)
# A damaged copy: the last record cut in half.
size=$(wc -c <"$cap")
head -c $((size - 30)) "$cap" >"$TMPD/damaged.pcap"
ng=$SHARED_DIR/captures/tcpdump-tests/bgp-role.pcapng
[ -f "$ng" ] || ng=

runs=()
# The golden runs: tcpfsm inside captures/ with the bare file name, as
# tests/golden/golden.sh runs it, so the output compares byte for byte.
for g in "$top_srcdir"/captures/*.pcap; do
    gname=$(basename "$g" .pcap)
    runs+=("golden:$gname.txt|-r $gname.pcap" "golden:$gname.json|-r $gname.pcap --format json")
done
runs+=(
    "text --all|-r $cap --all"
    "json|-r $cap --format json"
    "csv|-r $cap --format csv"
    "zeek|-r $cap --format zeek"
    "write|-r $cap -w $TMPD/evidence.pcap"
    "damaged|-r $TMPD/damaged.pcap --format json"
    "damaged-zeek|-r $TMPD/damaged.pcap --format zeek"
)
[ -n "$ng" ] && runs+=("pcapng|-r $ng --format json --max-conns 2")

sanitized=false
if grep -q -a -e __asan_init -e __ubsan_handle "$TCPFSM" 2>/dev/null; then
    sanitized=true
    echo "# $TCPFSM is built with sanitizers: the runs go under ASan/LSan instead of valgrind"
elif ! command -v valgrind >/dev/null; then
    echo "# valgrind is not installed: skipped"
    exit 77
fi

# golden_check NAME: for a golden run, the output must be the pinned one.
golden_check() {
    case $1 in golden:*) ;; *) return 0 ;; esac
    local exp=$top_srcdir/tests/golden/expected/${1#golden:}
    if [ ! -f "$exp" ]; then
        fail "$1: no pinned output $exp"
    elif ! cmp -s "$exp" "$TMPD/out"; then
        fail "$1: output differs from the pinned one under memcheck"
        diff -u "$exp" "$TMPD/out" | head -n 20 | sed 's/^/#   /'
    fi
}

for r in "${runs[@]}"; do
    name=${r%%|*}
    # shellcheck disable=SC2206
    args=(${r#*|})
    dir=.
    case $name in golden:*) dir=$top_srcdir/captures ;; esac
    rc=0
    if $sanitized; then
        (cd "$dir" && ASAN_OPTIONS=detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
            "$TCPFSM" "${args[@]}") >"$TMPD/out" 2>"$TMPD/err" || rc=$?
        golden_check "$name"
        if [ "$rc" -le 1 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$TMPD/err"; then
            pass "$name: no sanitizer report (exit $rc)"
        else
            fail "$name: exit $rc"
            head -n 40 "$TMPD/err" | sed 's/^/#   /'
        fi
        continue
    fi
    (cd "$dir" && valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes \
        --log-file="$TMPD/vg.log" "$TCPFSM" "${args[@]}") >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    golden_check "$name"
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$TMPD/vg.log" | tail -n 1)
    definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$TMPD/vg.log" | tr -d , | tail -n 1)
    indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$TMPD/vg.log" | tr -d , | tail -n 1)
    # "All heap blocks were freed" prints no leak lines at all.
    : "${definite:=0}" "${indirect:=0}"
    if [ "$rc" -le 1 ] && [ "${errors:-x}" = 0 ] && [ "$definite" = 0 ] && [ "$indirect" = 0 ]; then
        pass "$name: memcheck clean (exit $rc, 0 errors, 0 bytes definitely/indirectly lost)"
    else
        fail "$name: exit $rc, errors ${errors:-?}, definitely lost $definite, indirectly lost $indirect"
        grep -v '^==[0-9]*== *$' "$TMPD/vg.log" | head -n 60 | sed 's/^/#   /'
    fi
done
finish
