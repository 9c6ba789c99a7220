#!/bin/bash
# tcpfsm's reports must be the same every time it reads the same capture:
# every crafted capture of the anomaly tests and every sample capture in
# captures/, in text and JSON, with the default thresholds and with the
# most sensitive ones, read twice (the captures with service-level anomalies
# four times).  The golden tests pin the samples' reports; this one also
# covers the service-level anomalies, whose order and source estimates must
# not depend on a random hash key.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/anomalies/common.sh"
scratch
FX=$TMPD/fx
if ! "$PY" "$top_srcdir/tests/anomalies/craft.py" "$FX" >"$TMPD/craft.log" 2>&1; then
    fail "craft.py: $(cat "$TMPD/craft.log")"
    finish
fi
STRICT="--stuck-after 0 --idle-after 1 --slow-handshake 1 --syn-flood-rate 50 --time-wait-pileup 2"
for pcap in "$FX"/*.pcap "$top_srcdir"/captures/*.pcap; do
    name=$(basename "$pcap" .pcap)
    for fmt in text json; do
        for opts in "" "$STRICT"; do
            first=""
            same=1
            case $name in
            syn-flood* | time-wait-pileup*) runs="1 2 3 4" ;;
            *) runs="1 2" ;;
            esac
            for run in $runs; do
                # shellcheck disable=SC2086
                "$TCPFSM" -r "$pcap" --format $fmt $opts >"$TMPD/out.$run" 2>&1
                sum=$(cksum <"$TMPD/out.$run")
                if [ -z "$first" ]; then
                    first=$sum
                elif [ "$sum" != "$first" ]; then
                    same=0
                    break
                fi
            done
            if [ $same = 1 ]; then
                pass "$name --format $fmt${opts:+ $opts}: the same report in every run"
            else
                fail "$name --format $fmt${opts:+ $opts}: run $run differs from run 1:"
                diff "$TMPD/out.1" "$TMPD/out.$run" | head -n 10 | cut -c1-300 | sed 's/^/#     /'
            fi
        done
    done
done
finish
