# tests/lib.sh - helpers shared by the shell tests.  Source it:
#   . "$top_srcdir/tests/lib.sh"
# Environment (set by make check): TCPFSM, top_srcdir, top_builddir, SHARED_DIR.

set -u

: "${TCPFSM:=$(cd "$(dirname "$0")/../.." && pwd)/tcpfsm}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SHARED_DIR:=$(cd "$top_srcdir/.." && pwd)/shared}"

fails=0
checks=0

# ok CONDITION-DESCRIPTION: record a passed check
pass() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok $checks - $*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# finish: exit status for the automake harness
finish() {
    echo "# $checks checks, $fails failed"
    [ "$fails" -eq 0 ] && exit 0
    exit 1
}

# A scratch directory removed on exit.
scratch() {
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-test.XXXXXX")
    trap 'rm -rf "$TMPD"' EXIT
}

# bench_program NAME [LIB...]: PROG is tests/bench/NAME as make check built
# it, or, run by hand without it, NAME.c built into the scratch directory
# (call scratch first).  A failed build fails the test and ends it.
bench_program() {
    local name=$1
    shift
    PROG=${top_builddir:-$top_srcdir}/tests/bench/$name
    [ -x "$PROG" ] && return 0
    PROG=$TMPD/$name
    if ! ${CC:-cc} -O2 -std=c11 -o "$PROG" "$top_srcdir/tests/bench/$name.c" "$@" 2>"$TMPD/cc.log"; then
        fail "build tests/bench/$name.c"
        sed 's/^/#   /' "$TMPD/cc.log"
        finish
    fi
}
