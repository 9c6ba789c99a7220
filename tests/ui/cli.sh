#!/bin/bash
# tests/ui/cli.sh - the live capture's command line: -D, one clear sentence
# and exit status 2 for a missing interface, a bad filter, a missing -Z user
# and missing permission; and, without a terminal (--no-ui), snapshots every
# --interval and the report at SIGINT/SIGTERM, with root dropped.  The -D
# listing runs for anyone; the rest needs root (skipped otherwise).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
u_setup

out=$("$TCPFSM" -D 2>&1)
expect_eq "-D exits 0" 0 "$?"
if printf '%s\n' "$out" | grep -Eq '^[0-9]+\.lo \[Up'; then pass "-D lists lo, numbered"; else fail "-D: $out"; fi
if printf '%s\n' "$out" | grep -Eq '^[0-9]+\.any '; then pass "-D lists any"; else fail "-D: $out"; fi

if [ "$(id -u)" != 0 ]; then
    echo "# not root: the rest is skipped"
    finish
fi

# expect_error DESCRIPTION REGEX COMMAND...: exit 2 and one line matching REGEX
expect_error() {
    local what=$1 re=$2 rc
    shift 2
    "$@" >"$TMPD/o" 2>"$TMPD/e" </dev/null
    rc=$?
    expect_eq "$what: exit status 2" 2 "$rc"
    if [ "$(wc -l <"$TMPD/e")" = 1 ] && grep -Eq -- "$re" "$TMPD/e"; then
        pass "$what: one clear sentence"
    else
        fail "$what: stderr was: $(cat "$TMPD/e")"
    fi
}
expect_error "a missing interface" "^tcpfsm: nosuch0: no such interface" "$TCPFSM" -i nosuch0 --no-ui
expect_error "a bad filter" "^tcpfsm: filter \"port nonsense\": " "$TCPFSM" -i lo --no-ui port nonsense
expect_error "a -Z user that does not exist" "there is no user \"tcpfsm-nosuchuser\"" \
    "$TCPFSM" -i lo --no-ui -Z tcpfsm-nosuchuser
if command -v setpriv >/dev/null; then
    expect_error "no permission" "^tcpfsm: lo: no permission to capture: run as root or grant CAP_NET_RAW$" \
        setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=-all "$TCPFSM" -i lo --no-ui
fi

# --- --no-ui: snapshots every --interval, the report at the signal
ns=tfui-n-$$
ip netns add "$ns" || { fail "ip netns add"; finish; }
U_NSES="$U_NSES $ns"
ip -n "$ns" link set lo up
traffic() {   # a connection to a listener, one refused, in the namespace
    ip netns exec "$ns" "$PY" - <<'PY'
import socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8080)); l.listen(4)
c = socket.create_connection(("127.0.0.1", 8080), timeout=5)
a, _ = l.accept(); c.sendall(b"hello"); a.recv(5); c.shutdown(socket.SHUT_WR)
try:
    socket.create_connection(("127.0.0.1", 1), timeout=2)
except OSError:
    pass
time.sleep(1.2)
PY
}
for fmt in json text; do
    ip netns exec "$ns" "$TCPFSM" -i lo --no-ui --interval 0.5 --format "$fmt" tcp >"$TMPD/snap.$fmt" 2>"$TMPD/err.$fmt" &
    pid=$!
    U_PIDS="$U_PIDS $pid"
    i=0
    while ! grep -q "snapshot" "$TMPD/snap.$fmt" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$fmt" = json ]; then
        uid=$(awk '/^Uid:/ {print $3}' "/proc/$pid/status" 2>/dev/null)
        capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        if [ -n "$uid" ] && [ "$uid" != 0 ]; then pass "--no-ui: runs as uid $uid, not root"; else fail "--no-ui: uid '$uid'"; fi
        expect_eq "--no-ui: no effective capability" 0000000000000000 "$capeff"
    fi
    traffic
    i=0
    while [ "$(grep -c snapshot "$TMPD/snap.$fmt")" -lt 3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$fmt" = json ]; then kill -INT "$pid"; else kill -TERM "$pid"; fi
    wait "$pid"
    expect_eq "--no-ui $fmt: exit status 0 at the signal" 0 "$?"
done
res=$("$PY" - "$TMPD/snap.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
snaps = [o for o in lines if o.get("type") == "snapshot"]
last = lines[-1] if lines else {}
problems = []
if len(snaps) < 3: problems.append("%d snapshots" % len(snaps))
if not any(s["states"]["server"].get("CLOSE_WAIT") == 1 and s["states"]["client"].get("FIN_WAIT_2") == 1 for s in snaps):
    problems.append("no snapshot with the half-closed connection")
if not all("dropped_kernel" in s and "dropped_interface" in s for s in snaps): problems.append("drops missing")
if last.get("type") != "summary" or last.get("dropped_kernel") != 0 or last.get("source") != "lo":
    problems.append("last line not the summary with drops: " + json.dumps(last)[:200])
if not any(o.get("type") == "anomaly" and o.get("id") == "syn-refused" for o in lines): problems.append("no syn-refused")
print("ok" if not problems else "; ".join(problems))
PY
)
expect_eq "--no-ui json: snapshots with states and drops, then the report with the drop counters" ok "$res"
if grep -q "^snapshot .* lo (filter: tcp)" "$TMPD/snap.text" && grep -q "dropped 0 by the kernel, 0 by the interface" "$TMPD/snap.text" &&
    grep -q "^  dropped        0 by the kernel, 0 by the interface" "$TMPD/snap.text" && grep -q "^tcpfsm report: lo" "$TMPD/snap.text"; then
    pass "--no-ui text: snapshots, then the text report with its dropped line (SIGTERM)"
else
    fail "--no-ui text output:"
    sed 's/^/#   /' "$TMPD/snap.text" | head -40
fi

# --- -i any: Linux cooked v2, so each packet names its interface
ip netns exec "$ns" timeout -s INT 10 "$TCPFSM" -i any --no-ui --interval 0.3 tcp >"$TMPD/any.txt" 2>&1 &
pid=$!
U_PIDS="$U_PIDS $pid"
i=0
while ! grep -q snapshot "$TMPD/any.txt" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
traffic
kill -INT "$pid"
wait "$pid"
if grep -q "^  link type      LINUX_SLL2 (Linux cooked v2), live capture" "$TMPD/any.txt" &&
    grep -Eq "^  connections    [1-9][0-9]* seen" "$TMPD/any.txt"; then
    pass "-i any captures as Linux cooked v2 and tracks the connections"
else
    fail "-i any: $(head -c 600 "$TMPD/any.txt")"
fi

# --- a report that cannot be written: exit 3, and the reason
if [ -w /dev/full ]; then
    ip netns exec "$ns" "$TCPFSM" -i lo --no-ui --interval 0.3 tcp >/dev/full 2>"$TMPD/full.err" &
    pid=$!
    U_PIDS="$U_PIDS $pid"
    traffic
    # the first snapshot it cannot write ends the capture, without a signal
    # (waited for 5 s at most, then sent one, which fails the check)
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        fail "--no-ui on /dev/full: still capturing 5 s after its first snapshot was due"
        kill -TERM "$pid" 2>/dev/null
    else
        pass "--no-ui on /dev/full: a snapshot it could not write ended the capture"
    fi
    wait "$pid"
    expect_eq "--no-ui on /dev/full: exit status 3" 3 "$?"
    # (the snapshots fail too; the last line is the report's)
    last=$(tail -n 1 "$TMPD/full.err")
    expect_eq "--no-ui on /dev/full: the report's error names the reason" \
        "tcpfsm: cannot write the report: No space left on device" "$last"
fi

# --- loss is never hidden: a stopped tcpfsm with a small buffer drops, and
# the snapshots and the report say how much
ip netns exec "$ns" "$TCPFSM" -i lo --no-ui --interval 0.3 -B 256 --format json tcp >"$TMPD/drop.json" 2>"$TMPD/drop.err" &
pid=$!
U_PIDS="$U_PIDS $pid"
i=0
while ! grep -q snapshot "$TMPD/drop.json" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -STOP "$pid"
ip netns exec "$ns" "$PY" - <<'PY'
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("lo", 0))
for i in range(20000):
    tcp = struct.pack("!HHIIBBHHH", 40000 + i % 1000, 8080, i, 0, 5 << 4, 0x02, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    s.send(b"\0" * 12 + b"\x08\x00" + ip + tcp)
PY
n=$(grep -c snapshot "$TMPD/drop.json")
kill -CONT "$pid"
i=0
while [ "$(grep -c snapshot "$TMPD/drop.json")" -lt $((n + 2)) ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT "$pid"
wait "$pid"
res=$("$PY" - "$TMPD/drop.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
snap = [o for o in lines if o.get("type") == "snapshot"][-1]
summ = lines[-1]
print("ok" if snap.get("dropped_kernel", 0) > 0 and summ.get("type") == "summary"
      and summ.get("dropped_kernel", 0) >= snap["dropped_kernel"]
      else "snapshot %s, summary %s" % (snap.get("dropped_kernel"), summ.get("dropped_kernel")))
PY
)
expect_eq "kernel drops (tcpfsm stopped, -B 256) appear in the snapshots and the report" ok "$res"

# A replay into the view without a terminal: its first snapshot gives the
# packet rate since the start (it read 0.0, as if idle).
timeout 60 "$TCPFSM" -r "$top_srcdir/captures/close-wait-stuck.pcap" --ui --speed 1 --interval 1 --format json \
    >"$TMPD/replay.json" 2>"$TMPD/replay.err"
res=$("$PY" - "$TMPD/replay.json" <<'PY'
import json, sys
snaps = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "snapshot"]
if not snaps:
    print("no snapshot")
else:
    s = snaps[0]
    print("ok" if s["packets"] > 0 and s["packets_per_second"] > 0 and s["bytes_per_second"] > 0
          else "first snapshot: %d packets at %s/s" % (s["packets"], s["packets_per_second"]))
PY
)
expect_eq "replay without a terminal: the first snapshot's rates are not 0" ok "$res"

finish
