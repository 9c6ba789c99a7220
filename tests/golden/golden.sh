#!/bin/bash
# Golden tests: tcpfsm's text report and JSON output for every sample
# capture in captures/ (made by the kernel harness, see captures/README) are
# pinned in tests/golden/expected/NAME.txt and NAME.json; this runs tcpfsm
# again and diffs.  Nothing is masked: tcpfsm's output for a given capture
# and options must be the same on every run and every machine.  tcpfsm runs
# inside captures/ with the file's bare name, so that the report's "source"
# does not depend on where the tree is.
#
#   tests/golden/golden.sh            compare (what make check runs)
#   tests/golden/golden.sh --update   rewrite the expected files from the
#                                     current tcpfsm; then review the diff
#                                     (git diff tests/golden/expected) line
#                                     by line before committing it: see
#                                     tests/golden/expected/README
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"

EXP=$top_srcdir/tests/golden/expected
CAPS=$top_srcdir/captures
update=0
[ "${1:-}" = --update ] && update=1

if [ ! -x "$TCPFSM" ]; then
    fail "no tcpfsm binary at $TCPFSM (build it first)"
    finish
fi
scratch

# run NAME FORMAT OUT: tcpfsm on captures/NAME.pcap; its exit status in $rc
run() {
    rc=0
    (cd "$CAPS" && "$TCPFSM" -r "$1.pcap" --format "$2") >"$3" 2>"$3.err" || rc=$?
}

n=0
for pcap in "$CAPS"/*.pcap; do
    [ -e "$pcap" ] || continue
    name=$(basename "$pcap" .pcap)
    n=$((n + 1))
    for fmt in text json; do
        ext=$fmt
        [ $fmt = text ] && ext=txt
        run "$name" $fmt "$TMPD/$name.$ext"
        if [ $rc -ne 0 ] || [ -s "$TMPD/$name.$ext.err" ]; then
            fail "$name --format $fmt: exit status $rc, stderr: $(head -c 300 "$TMPD/$name.$ext.err")"
            continue
        fi
        if [ $update = 1 ]; then
            if cmp -s "$TMPD/$name.$ext" "$EXP/$name.$ext"; then
                echo "# $name.$ext: unchanged"
            else
                cp "$TMPD/$name.$ext" "$EXP/$name.$ext" && echo "# $name.$ext: WRITTEN - review it"
            fi
            continue
        fi
        if [ ! -f "$EXP/$name.$ext" ]; then
            fail "$name --format $fmt: no expected file tests/golden/expected/$name.$ext (new capture? run tests/golden/golden.sh --update and review)"
        elif diff -u "$EXP/$name.$ext" "$TMPD/$name.$ext" >"$TMPD/$name.$ext.diff"; then
            pass "$name --format $fmt: as pinned in tests/golden/expected/$name.$ext"
        else
            fail "$name --format $fmt: differs from tests/golden/expected/$name.$ext (diff -u expected got):"
            head -n 40 "$TMPD/$name.$ext.diff" | sed 's/^/#   /'
        fi
    done
done
[ $n -gt 0 ] || fail "no captures in $CAPS"
# expected files whose capture is gone
for f in "$EXP"/*.txt "$EXP"/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    name=${name%.*}
    [ -f "$CAPS/$name.pcap" ] || fail "tests/golden/expected/$(basename "$f"): no captures/$name.pcap any more"
done
[ $update = 1 ] && echo "# expected files updated: review 'git diff tests/golden/expected' before committing"
finish
