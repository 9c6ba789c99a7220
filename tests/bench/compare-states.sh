#!/bin/sh
# tests/bench/compare-states.sh EXPECTED.tsv TCPFSM.json
#
# Compare tcpfsm's JSON lines (one {"type":"conn",...} per connection) with the
# expectations gen wrote (client_addr client_port server_addr server_port
# client_state server_state ending).  Prints one line per problem (a state that
# differs, a connection missing, unexpected or reported twice) and a count;
# exits 0 only if every connection matches.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 EXPECTED.tsv TCPFSM.json" >&2; exit 2; }
exp=$1
json=$2

conns=$(grep -c '"type":"conn"' "$json" || true)
# The field order is report_json.c's: addresses and ports, then ip_version,
# then the two states.
sed -n 's/^{"type":"conn".*"client_addr":"\([^"]*\)","client_port":\([0-9]*\),"server_addr":"\([^"]*\)","server_port":\([0-9]*\),.*"client_state":"\([A-Z_0-9]*\)","server_state":"\([A-Z_0-9]*\)".*/\1\t\2\t\3\t\4\t\5\t\6/p' "$json" |
awk -F'\t' -v OFS='\t' -v conns="$conns" '
    NR == FNR {
        if ($0 ~ /^#/ || $0 == "")
            next
        k = $1 OFS $2 OFS $3 OFS $4
        want[k] = $5 " " $6
        kind[k] = $7
        show[k] = $1 " port " $2 " -> " $3 " port " $4
        n++
        next
    }
    {
        k = $1 OFS $2 OFS $3 OFS $4
        got = $5 " " $6
        d = $1 " port " $2 " -> " $3 " port " $4
        m++
        if (!(k in want)) {
            print "unexpected connection " d ": " got
            bad++
        } else if (k in seen) {
            print "connection reported twice: " d
            bad++
        } else {
            seen[k] = 1
            if (want[k] != got) {
                print "mismatch (" kind[k] ") " d ": expected " want[k] ", tcpfsm reports " got
                bad++
            }
        }
    }
    END {
        for (k in want)
            if (!(k in seen)) {
                print "missing (" kind[k] ") " show[k] ": expected " want[k]
                bad++
            }
        if (m != conns) {
            print "could read only " m " of " conns " conn lines (has the JSON field order changed?)"
            bad++
        }
        printf "%d expected, %d reported, %d problems\n", n, m, bad
        exit bad > 0
    }' "$exp" -
