#!/bin/bash
# tests/kernel/any-dedupe.sh - a capture on "any" in a router sees every
# forwarded packet twice (in on one interface, out on the other).  tcpfsm
# must count each segment once: no retransmissions, no retransmitted SYN or
# FIN, the real packet counts, and the copies reported as "duplicate".
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "# needs root (network namespaces)"; exit 77; }
for t in ip tcpdump python3 jq; do
    command -v "$t" >/dev/null || { echo "not ok - $t is missing (Debian packages iproute2 tcpdump python3 jq)"; exit 1; }
done
scratch
P=dd$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for n in c r s; do ip netns del "$P$n" 2>/dev/null; done
    rm -rf "$TMPD"
}
trap cleanup EXIT
set -e
for n in c r s; do ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
ip link add "${P}a" type veth peer name "${P}b"
ip link add "${P}x" type veth peer name "${P}y"
ip link set "${P}a" netns "${P}c"; ip link set "${P}b" netns "${P}r"
ip link set "${P}x" netns "${P}r"; ip link set "${P}y" netns "${P}s"
ip -n "${P}c" addr add 192.0.2.1/26 dev "${P}a"
ip -n "${P}r" addr add 192.0.2.62/26 dev "${P}b"
ip -n "${P}r" addr add 192.0.2.126/26 dev "${P}x"
ip -n "${P}s" addr add 192.0.2.65/26 dev "${P}y"
ip -n "${P}c" link set "${P}a" up; ip -n "${P}r" link set "${P}b" up
ip -n "${P}r" link set "${P}x" up; ip -n "${P}s" link set "${P}y" up
ip -n "${P}c" route add default via 192.0.2.62
ip -n "${P}s" route add default via 192.0.2.126
ip netns exec "${P}r" sysctl -qw net.ipv4.ip_forward=1
set +e

ip netns exec "${P}r" tcpdump -U -i any -w "$TMPD/any.pcap" tcp 2>"$TMPD/tcpdump.err" &
pids+=($!)
for i in $(seq 50); do grep -q listening "$TMPD/tcpdump.err" && break; sleep 0.1; done
ip netns exec "${P}s" /usr/bin/python3 -c "
import socket
L = socket.socket(); L.bind(('192.0.2.65', 8080)); L.listen(1)
a, _ = L.accept(); a.recv(100); a.send(b'y' * 50); a.recv(100); a.close()" &
pids+=($!)
sleep 0.5
ip netns exec "${P}c" /usr/bin/python3 -c "
import socket, time
c = socket.create_connection(('192.0.2.65', 8080)); c.send(b'x' * 100); c.recv(100); c.close(); time.sleep(0.3)"
sleep 0.5
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
raw=$(tcpdump -nr "$TMPD/any.pcap" 2>/dev/null | wc -l)
echo "# $raw packets in the capture (each forwarded packet twice)"
"$TCPFSM" -r "$TMPD/any.pcap" --format json >"$TMPD/out.json"
conn=$(jq -c 'select(.type=="conn")' "$TMPD/out.json")
echo "# $conn"
expect_eq "one connection" 1 "$(jq -s '[.[] | select(.type=="conn")] | length' "$TMPD/out.json")"
expect_eq "client state" TIME_WAIT "$(echo "$conn" | jq -r .client_state)"
expect_eq "server state" CLOSED "$(echo "$conn" | jq -r .server_state)"
expect_eq "no anomalies (no false retransmissions)" "[]" "$(echo "$conn" | jq -c .anomalies)"
total=$(( $(echo "$conn" | jq '.client_pkts + .server_pkts') ))
dup=$(jq '.not_decoded.duplicate // 0' <(tail -n 1 "$TMPD/out.json"))
expect_eq "segments counted once" "$raw" "$((total * 2))"
expect_eq "copies counted as duplicate" "$total" "$dup"
finish
