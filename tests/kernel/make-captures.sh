#!/bin/bash
# tests/kernel/make-captures.sh - regenerate the sample captures in
# captures/ with the kernel harness.  Needs root, a built tcpfsm, iproute2,
# nftables, tcpdump and python3.
#
#   tests/kernel/make-captures.sh [OUTDIR]     (default: captures/)
#
# Runs close.sh, loss.sh, reset.sh and reuse.sh with KEEP_CAPTURES set: each
# scenario that names a sample keeps the capture its final check used.  For
# every sample it prints what ss said in both namespaces and the states
# tcpfsm reports, the material of captures/README (ports, addresses and
# times change from run to run; the states must not).
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${TCPFSM:=$top_srcdir/tcpfsm}"
out=${1:-$top_srcdir/captures}
if [ "$(id -u)" != 0 ]; then
    echo "make-captures: needs root (network namespaces, nftables, tcpdump)" >&2
    exit 1
fi
mkdir -p "$out" || exit 1
keep=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-captures.XXXXXX") || exit 1
trap 'rm -rf "$keep"' EXIT
export KEEP_CAPTURES=$keep TCPFSM top_srcdir
status=0
for t in close loss reset reuse; do
    if ! "$top_srcdir/tests/kernel/$t.sh" >"$keep/$t.log" 2>&1; then
        echo "make-captures: tests/kernel/$t.sh reported failures; its samples were kept anyway:" >&2
        grep '^not ok' "$keep/$t.log" >&2
        status=1
    fi
done
for f in "$keep"/*.pcap; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pcap)
    cp "$f" "$out/$name.pcap" || status=1
    echo "== $name.pcap ($(wc -c <"$f") bytes)"
    cat "$keep/$name.txt"
done
exit $status
