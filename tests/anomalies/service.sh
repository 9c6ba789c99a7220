#!/bin/bash
# Service-level anomalies (syn-flood, time-wait-pileup) on crafted captures,
# and -w / --select writing the packets of the connections behind an
# anomaly (see handshake.sh for the captures).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/anomalies/common.sh"
scratch
FX=$TMPD/fx
if ! "$PY" "$top_srcdir/tests/anomalies/craft.py" "$FX" syn-flood syn-flood-99 syn-flood-completed \
    time-wait-pileup time-wait-server-first mixed >"$TMPD/craft.log" 2>&1; then
    fail "craft.py: $(cat "$TMPD/craft.log")"
    finish
fi

# syn-flood: 150 unanswered SYNs from 150 addresses within 745 ms
f=$FX/syn-flood
an_run flood "$f.pcap"
an_only flood "syn-flood"
an_expect flood syn-flood server
an_field flood syn-flood conn null
an_field flood syn-flood server_addr 192.0.2.80
an_field flood syn-flood server_port 80
an_field flood syn-flood count 150
an_field flood syn-flood incomplete 150
an_field flood syn-flood rate_per_s 150
an_evidence flood syn-flood "$(lbl "$f" flood.0.syn)"
# an estimate (HyperLogLog, 64 registers): only roughly 150
an_field_range flood syn-flood sources 50 400
# 99 SYNs: under the default rate of 100 per second; reported at 99
f=$FX/syn-flood-99
an_run flood99 "$f.pcap"
an_only flood99 ""
an_run flood99r "$f.pcap" --syn-flood-rate 99
an_only flood99r "syn-flood"
an_field flood99r syn-flood incomplete 99
an_evidence flood99r syn-flood "$(lbl "$f" flood.0.syn)"
# completed handshakes do not count: 150 attempts, 60 completed
f=$FX/syn-flood-completed
an_run floodc "$f.pcap"
an_only floodc ""
an_run floodc90 "$f.pcap" --syn-flood-rate 90
an_only floodc90 "syn-flood"
an_field floodc90 syn-flood incomplete 90
an_run floodc91 "$f.pcap" --syn-flood-rate 91
an_only floodc91 ""

# time-wait-pileup: six client TIME_WAITs toward 192.0.2.80:8080 at once
f=$FX/time-wait-pileup
an_run pile-default "$f.pcap"
an_only pile-default ""
an_run pile "$f.pcap" --time-wait-pileup 6
an_only pile "time-wait-pileup"
an_expect pile time-wait-pileup client
an_field pile time-wait-pileup conn null
an_field pile time-wait-pileup client_addr 192.0.2.10
an_field pile time-wait-pileup server_addr 192.0.2.80
an_field pile time-wait-pileup server_port 8080
an_field pile time-wait-pileup time_wait_peak 6
an_field pile time-wait-pileup count 6
# docs/anomalies.md: no evidence packets for this one
an_evidence pile time-wait-pileup ""
an_run pile7 "$f.pcap" --time-wait-pileup 7
an_only pile7 ""
# the server's TIME_WAITs hold none of the client's ports
an_run pile-server "$FX/time-wait-server-first.pcap" --time-wait-pileup 1
an_only pile-server ""

# -w with --select: exactly the packets of the connections behind an id or
# a connection number, in capture order
f=$FX/mixed
write_sel() { # NAME EXPECTED-PACKETS EXPECTED-CLIENT-PORTS OPTIONS...
    local name=$1 npk=$2 ports=$3 rc=0
    shift 3
    "$TCPFSM" -r "$f.pcap" -w "$TMPD/$name.pcap" "$@" >/dev/null 2>"$TMPD/$name.werr" || rc=$?
    expect_eq "$name: tcpfsm -w $* exit status" 0 "$rc"
    an_run "$name" "$TMPD/$name.pcap"
    expect_eq "$name: packets written" "$npk" "$("$PY" "$AQ" summary "$TMPD/$name.json" packets)"
    expect_eq "$name: connections written (client ports)" "$ports" \
        "$(grep '"type":"conn"' "$TMPD/$name.json" | sed 's/.*"client_port":\([0-9]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
}
write_sel sel-ooo 11 40002 --select out-of-order
an_only sel-ooo "out-of-order"
# the evidence, renumbered in the written file: the 6th packet of that
# connection (segment 2, after the handshake and segments 1 and 3)
an_evidence sel-ooo out-of-order 6
write_sel sel-refused 2 40003 --select syn-refused
write_sel sel-conn1 11 40001 --select 1
write_sel sel-all 13 "40002 40003"
finish
