#!/bin/bash
# tests/zeek/zeek-corpus.sh - every capture of tcpdump's test suite through
# tcpfsm --format zeek (without checksum validation, so that every packet
# reaches the state machine; zeek-cases.sh covers validation): the run ends
# with status 0 (all read), 1 (damaged input, what was readable is
# reported) or 2 (a link type tcpfsm does not decode), never a crash or
# hang, and after 0 or 1 the conn.log is complete (#close last, 21 columns
# in every row).

. "$top_srcdir/tests/lib.sh"

CORPUS="$SHARED_DIR/captures/tcpdump-tests"
if [ ! -d "$CORPUS" ]; then
    echo "1..0 # SKIP no captures in $CORPUS"
    exit 77
fi
scratch

bad=""
n=0
for f in "$CORPUS"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    timeout 30 "$TCPFSM" -r "$f" --format zeek > "$TMPD/out" 2> "$TMPD/err"
    rc=$?
    if [ $rc -gt 2 ] || { [ $rc -eq 2 ] && ! [ -s "$TMPD/err" ]; }; then
        bad="$bad $(basename "$f"):status=$rc"
        continue
    fi
    [ $rc -eq 2 ] && continue
    if [ "$(tail -1 "$TMPD/out" | cut -f1)" != "#close" ] ||
        awk -F'\t' '!/^#/ && NF != 21 { exit 0 } END { exit 1 }' "$TMPD/out"; then
        bad="$bad $(basename "$f"):log"
    fi
done
echo "# $n runs"
expect_eq "every capture gives status 0, 1 or 2 and, read, a complete conn.log" "" "${bad# }"
finish
