#!/bin/bash
# tests/cli/linktypes.sh - the link types of monitor-mode Wi-Fi, firewall
# logs and other systems' capture devices (tests/cli/mklinks.py: 802.11
# bare and under radiotap, PPI, Prism and AVS; Linux NFLOG in either byte
# order; Apple PKTAP, also as link type 149; OpenBSD pflog and enc; Solaris
# ipnet; SLIP; MPLS; netANALYZER).  Each file holds good.pcap's IP packets
# (tests/cli/mkcap.py) and must be reported as good.pcap is: the same
# connections, states and counts, and the same 23 TCP segments.  Frames
# that carry no readable segment are counted under their reason: an
# encrypted 802.11 frame (encrypted), one its radio header marks as
# received with a bad FCS (bad_fcs), a null-data frame and a PKTAP record
# without a packet (not_ip).  tshark must find the same TCP segments in the
# files of the link types it decodes.  On tcpdump's own captures of these
# link types (../shared: 179 radiotap files, PKTAP, NFLOG, ipnet) tcpfsm and
# tshark must agree on the TCP segments and on the IP packets of each.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/cli/common.sh"
scratch
need_fixtures
LK=$TMPD/links
if ! "$PY" "$top_srcdir/tests/cli/mklinks.py" "$LK" >"$TMPD/mklinks.log" 2>&1; then
    fail "generate the link-type captures: $(head -c 300 "$TMPD/mklinks.log")"
    finish
fi

run -r "$FX/good.pcap" --format json
conn_objects "$TMPD/out" >"$TMPD/good.conns"
ngood=$(wc -l <"$TMPD/good.conns")
expect_eq "good.pcap: 4 connections" 4 "$ngood"

have_tshark=yes
command -v tshark >/dev/null 2>&1 || have_tshark=no
# Link types tshark 4.0 decodes as these files write them (not MPLS's 219,
# netANALYZER's without a real status word, big-endian NFLOG or SLIP).
tshark_knows=" 105 127 192 119 163 258 149 117 109 226 "

while read -r name lt extra; do
    f=$LK/$name.pcap
    run -r "$f" --format json
    no_sanitizer "$name"
    expect_eq "$name (link type $lt): exit status" 0 "$rc"
    conn_objects "$TMPD/out" >"$TMPD/$name.conns"
    if cmp -s "$TMPD/good.conns" "$TMPD/$name.conns"; then
        pass "$name: the same connections as good.pcap"
    else
        fail "$name: connections differ from good.pcap's:"
        diff "$TMPD/good.conns" "$TMPD/$name.conns" | head -10 | sed 's/^/#   /'
    fi
    want_nd="{}"
    [ "$extra" != - ] && want_nd="{'${extra%%:*}': ${extra##*:}}"
    expect_eq "$name: 23 TCP segments, not decoded $want_nd" "23 $want_nd" \
        "$(jq_out 'S["tcp_packets"]') $(jq_out 'S.get("not_decoded", {})')"
    # tshark decodes a frame received with a bad FCS, which its receiver
    # dropped: it counts those too
    if [ "$have_tshark" = yes ] && [[ $tshark_knows == *" $lt "* ]]; then
        n=$(tshark -r "$f" -Y tcp 2>/dev/null | wc -l)
        expect_eq "$name: tshark's TCP segments" \
            "$(jq_out 'S["tcp_packets"] + S.get("not_decoded", {}).get("bad_fcs", 0)')" "$n"
    fi
done <"$LK/expect.txt"

# A radio header that contradicts itself is a malformed packet, counted as
# bad_link like any packet cut short or corrupt; the packets around it are
# read.
"$PY" - "$LK/radiotap.pcap" "$TMPD/bad-radiotap.pcap" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off = 24 + 16 + struct.unpack_from("<I", d, 24 + 8)[0]   # the second record
d[off + 16] = 1                                         # radiotap version 1
open(sys.argv[2], "wb").write(d)
EOF
run -r "$TMPD/bad-radiotap.pcap" --format json
no_sanitizer "bad radiotap"
expect_eq "bad radiotap version: exit 0, bad_link 1, 22 TCP segments" "0 1 22" \
    "$rc $(jq_out 'S["not_decoded"].get("bad_link")') $(jq_out 'S["tcp_packets"]')"
run -r "$TMPD/bad-radiotap.pcap"
if grep -q " 1  *bad_link " "$TMPD/out"; then pass "bad radiotap: the text report counts it"
else fail "bad radiotap: the text report should count bad_link: $(grep -i -A8 'not decoded' "$TMPD/out" | head -c 400)"; fi

# tcpdump's captures of these link types, against tshark.
CORPUS=$SHARED_DIR/captures/tcpdump-tests
if [ ! -d "$CORPUS" ]; then
    fail "shared test material missing: $CORPUS"
    finish
fi
if [ "$have_tshark" = no ]; then
    fail "tshark is needed to check tcpdump's captures (the quick start installs it)"
    finish
fi
"$PY" - "$CORPUS" >"$TMPD/corpus.list" <<'EOF'
import os, struct, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    with open(os.path.join(d, f), "rb") as fh:
        h = fh.read(24)
    if len(h) < 24:
        continue
    if h[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        lt = struct.unpack("<I", h[20:])[0]
    elif h[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        lt = struct.unpack(">I", h[20:])[0]
    else:
        continue
    if lt in (105, 109, 117, 119, 127, 149, 163, 192, 219, 226, 239, 240, 241, 258):
        print(f)
EOF
ncorpus=$(wc -l <"$TMPD/corpus.list")
if [ "$ncorpus" -ge 180 ]; then pass "tcpdump's captures of these link types: $ncorpus"
else fail "tcpdump's captures of these link types: expected at least 180, found $ncorpus"; fi
agree=0
while read -r f; do
    tt=$(timeout 60 tshark -r "$CORPUS/$f" -Y tcp 2>/dev/null | wc -l)
    ti=$(timeout 60 tshark -r "$CORPUS/$f" -Y 'ip or ipv6' 2>/dev/null | wc -l)
    run -r "$CORPUS/$f" --format json
    no_sanitizer "$f"
    got=$(jq_out 'str(S.get("tcp_packets", 0)) + " " + str(S.get("tcp_packets", 0) + S.get("not_decoded", {}).get("not_tcp", 0))')
    if [ "$got" = "$tt $ti" ]; then agree=$((agree + 1))
    else fail "$f: TCP segments and IP packets: tshark $tt $ti, tcpfsm $got"; fi
done <"$TMPD/corpus.list"
expect_eq "tcpdump's captures: tcpfsm and tshark agree on each" "$ncorpus" "$agree"
finish
