/* anomaly.c - the anomaly catalogue.  docs/anomalies.md describes the same
 * entries at length; the test suite checks that every id here appears there. */
#include "anomaly.h"

#include <string.h>

static const struct anomaly_info catalogue[AN__COUNT] = {
[AN_SYN_UNANSWERED] = {"syn-unanswered", PHASE_HANDSHAKE, 65,
    "SYNs got no reply at all: the server is down or unreachable, or a firewall drops the SYNs (or their replies) silently.",
    "Is the service up on that address and port? Is a firewall or security group dropping traffic to it?"},
[AN_SYN_REFUSED] = {"syn-refused", PHASE_HANDSHAKE, 60,
    "The SYN was answered with RST: nothing listens on that port (connection refused).",
    "Is the service running and bound to that address and port?"},
[AN_SYNACK_UNACKED] = {"synack-unacked", PHASE_HANDSHAKE, 70,
    "The server answered with SYN-ACK, but the client never completed the handshake (half-open): spoofed SYNs, a SYN flood, or the client's ACKs lost on the way. A server that then stops sending its SYN-ACK holds no request: it answered with a SYN cookie, or dropped the request (request_dropped).",
    "Many of these from many sources: SYN flood (check syncookies); from one client: its path back to the server."},
[AN_SYNACK_LOST] = {"synack-lost", PHASE_HANDSHAKE, 45,
    "The client retransmitted its SYN after the server's SYN-ACK was seen: the SYN-ACK never reached the client.",
    "The path from the capture point to the client: asymmetric routing, a firewall, or loss."},
[AN_SYN_RETRANSMITTED] = {"syn-retransmitted", PHASE_HANDSHAKE, 25,
    "The handshake completed only after SYN or SYN-ACK retransmissions, each costing a retransmission timeout (1 s and more on Linux).",
    "Packet loss on the path, or a full accept queue or SYN backlog on the server."},
[AN_HANDSHAKE_SLOW] = {"handshake-slow", PHASE_HANDSHAKE, 25,
    "The handshake round trip was slower than the --slow-handshake threshold.",
    "The split (SYN to SYN-ACK is the server side, SYN-ACK to ACK the client side, as seen from the capture point) says which side is slow."},
[AN_SIMULTANEOUS_OPEN] = {"simultaneous-open", PHASE_HANDSHAKE, 10,
    "Both endpoints sent a SYN: a simultaneous open, usually peer-to-peer NAT traversal or a port collision.",
    "Unusual outside NAT traversal; check which applications chose these ports."},
[AN_SYN_FLOOD] = {"syn-flood", PHASE_HANDSHAKE, 90,
    "Many handshakes to one service were left unanswered or half-open within a short window: a SYN flood, or clients retrying against a saturated listener.",
    "The distinct sources and the rate; whether SYN cookies are on; the listener's backlog (ss -ltn shows Recv-Q against the backlog)."},
[AN_LISTEN_OVERFLOW] = {"listen-overflow", PHASE_HANDSHAKE, 70,
    "The server sent its SYN-ACK again after the client's ACK had completed the handshake: it ignored that ACK, and the client's data after it, because its accept queue was full (the listen backlog: the application does not accept() connections fast enough), or the ACK was lost between the capture point and the server.",
    "On the server, ListenOverflows (nstat -az TcpExtListenOverflows) and the listener's Recv-Q against its backlog (ss -ltn); a capture taken next to the server rules out loss on the path."},
[AN_SYN_CHALLENGED] = {"syn-challenged", PHASE_HANDSHAKE, 65,
    "A SYN opening a new connection met the old connection on the same addresses and ports, still open at the other end (or in TIME_WAIT there), which answered with an ACK of the old one instead of a SYN-ACK (a challenge ACK, RFC 5961; from TIME_WAIT, a refusal of a SYN not above the old connection): the SYN's sender cannot connect until it resets the old connection or the other end drops it.",
    "Whether the SYN's sender restarted, and whether its RSTs reach the other end (a firewall dropping them); on the other end, the old socket (ss -tn) and the keep-alive settings that would remove it; nstat -az TcpExtTCPSYNChallenge."},
[AN_ZERO_WINDOW] = {"zero-window", PHASE_ESTABLISHED, 50,
    "A receiver advertised a zero window: its application is not reading, and the sender stalled, sending window probes.",
    "The receiving application: is it blocked, slow, or deadlocked? Its socket receive queue (ss -tn Recv-Q)."},
[AN_KEEPALIVE] = {"keepalive", PHASE_ESTABLISHED, 10,
    "Keep-alive probes were sent on an idle connection (SO_KEEPALIVE or an application heartbeat at the TCP level).",
    "Normal for long-lived idle connections; many keep-alives without replies mean the peer is gone."},
[AN_IDLE] = {"idle", PHASE_ESTABLISHED, 15,
    "No segment for longer than --idle-after: a middlebox (NAT, firewall, load balancer) may drop the connection's state meanwhile.",
    "Compare the idle time with the idle timeouts of NATs and firewalls on the path; consider keep-alives."},
[AN_RETRANSMISSIONS] = {"retransmissions", PHASE_ESTABLISHED, 30,
    "Data segments were sent again: packets were lost (before or after the capture point) or acknowledged too late.",
    "The share of segments retransmitted: above a few percent, look for a congested or lossy link."},
[AN_OUT_OF_ORDER] = {"out-of-order", PHASE_ESTABLISHED, 20,
    "Segments arrived after later ones within a round trip: reordering on the path (multipath, link aggregation), not loss.",
    "Load balancing across links (ECMP, LACP) with per-packet hashing."},
[AN_ONE_SIDED] = {"one-sided", PHASE_ESTABLISHED, 35,
    "The capture holds only one endpoint's packets, although that endpoint answered the other: asymmetric routing, or a tap or SPAN port that copies one direction; the other endpoint's state is only inferred from what it was sent.",
    "Where the capture was taken: the return path may run through another link or device; capture both directions (both ports of a tap, or both links)."},
[AN_CAPTURE_GAP] = {"capture-gap", PHASE_ESTABLISHED, 35,
    "The receiver acknowledged data the capture never saw: the capture dropped packets (kernel or interface drops, a too-busy tap).",
    "The capture's drop counters; capture with a larger buffer (-B) or a BPF filter; states after the gap are less certain."},
[AN_DATA_AFTER_FIN] = {"data-after-fin", PHASE_ESTABLISHED, 30,
    "An endpoint sent new data after its own FIN: a protocol violation (broken stack or middlebox).",
    "The sending stack or a middlebox rewriting sequence numbers."},
[AN_DATA_AFTER_RST] = {"data-after-rst", PHASE_ESTABLISHED, 30,
    "Data was sent on a connection after a reset: the reset did not reach that endpoint, or a middlebox reset only one side.",
    "A middlebox injecting resets (firewall, IPS), or a reset lost on the path."},
[AN_CLOSE_WAIT_STUCK] = {"close-wait-stuck", PHASE_TEARDOWN, 75,
    "The peer closed its side long ago and this endpoint acknowledged, but its application has not called close(), or called it only much later: the socket leaks in CLOSE_WAIT.",
    "The application on this host and port: a missing close() on an error path, or a connection pool that never releases."},
[AN_FIN_WAIT_2_STUCK] = {"fin-wait-2-stuck", PHASE_TEARDOWN, 55,
    "This endpoint closed and its FIN was acknowledged, but the peer never sent its FIN; Linux discards an orphaned FIN_WAIT_2 socket after net.ipv4.tcp_fin_timeout (60 s), one half-closed with shutdown() stays.",
    "The peer's application, which is likely stuck in CLOSE_WAIT (see close-wait-stuck on its side)."},
[AN_FIN_UNACKED] = {"fin-unacked", PHASE_TEARDOWN, 45,
    "A FIN was retransmitted without being acknowledged: the endpoint is held in FIN_WAIT_1 or LAST_ACK.",
    "The peer may be gone or its ACKs lost; a zero window can also hold a FIN back."},
[AN_LAST_ACK_LOST] = {"last-ack-lost", PHASE_TEARDOWN, 45,
    "The final ACK was seen but the passive closer retransmitted its FIN: the ACK never reached it, so it lingers in LAST_ACK.",
    "The path from the capture point to the passive closer."},
[AN_SIMULTANEOUS_CLOSE] = {"simultaneous-close", PHASE_TEARDOWN, 10,
    "Both endpoints sent FIN before receiving the other's: a simultaneous close, so both end in TIME_WAIT.",
    "Harmless, but both hosts hold TIME_WAIT for this connection."},
[AN_RST_ABORT] = {"rst-abort", PHASE_TEARDOWN, 40,
    "The connection was reset: an application aborted it (SO_LINGER 0, or close() with unread data), or one side had lost its state.",
    "Who sent the reset, in which state, and with how much data unacknowledged: the kind says which case."},
[AN_RST_OUT_OF_WINDOW] = {"rst-out-of-window", PHASE_TEARDOWN, 80,
    "A RST whose sequence number the receiver would not accept: blind reset injection, a middlebox, or a stale segment.",
    "Firewalls or IPSs that reset connections; an attacker guessing sequence numbers."},
[AN_RST_REJECTED] = {"rst-rejected", PHASE_TEARDOWN, 70,
    "A RST inside the receiver's window but not at the sequence number it expected did not end the connection: the receiver answered with a challenge ACK (RFC 5961) and went on, or the endpoint it came from went on: blind reset injection, a middlebox, or a stack resetting at a wrong sequence number.",
    "Firewalls, IPSs or load balancers that reset connections; an attacker guessing sequence numbers; the RST's sequence number against the receiver's acknowledgement."},
[AN_TIME_WAIT_REUSE] = {"time-wait-reuse", PHASE_TEARDOWN, 20,
    "A new connection used a 4-tuple that was still in TIME_WAIT; BSD-derived stacks accept it only if the new initial sequence number is above the old connection's.",
    "Port exhaustion on the client (tcp_tw_reuse, a small ephemeral port range, SO_REUSEADDR with a fixed port)."},
[AN_TIME_WAIT_PILEUP] = {"time-wait-pileup", PHASE_TEARDOWN, 60,
    "One client holds many TIME_WAIT endpoints toward one server address and port, a large share of its ephemeral port range: new connections will fail once it runs out (typical behind a NAT or load balancer).",
    "Use connection pooling or keep-alive, widen net.ipv4.ip_local_port_range, let the server close first, or add source addresses."},
[AN_SELF_CONNECT] = {"self-connect", PHASE_HANDSHAKE, 60,
    "A socket connected to itself: one address and port at both ends. A client connecting to a port of its own host that lies in its ephemeral port range, with nothing listening there, can be given that very port: its SYN comes back to it and it completes a simultaneous open with itself. It talks to itself, and holds the port, so the service cannot bind it when it starts.",
    "Which application keeps connecting to that local port while its service is down; keep service ports out of net.ipv4.ip_local_port_range or list them in net.ipv4.ip_local_reserved_ports."},
};

const struct anomaly_info *anomaly_info(enum anomaly_id id)
{
    return (unsigned)id < AN__COUNT ? &catalogue[id] : NULL;
}

int anomaly_parse(const char *s)
{
    for (int i = 0; i < AN__COUNT; i++)
        if (!strcmp(catalogue[i].id, s))
            return i;
    return -1;
}

const char *anomaly_phase_name(enum anomaly_phase p)
{
    switch (p) {
    case PHASE_HANDSHAKE: return "handshake";
    case PHASE_ESTABLISHED: return "established";
    default: return "teardown";
    }
}

const char *rst_kind_name(enum rst_kind k)
{
    switch (k) {
    case RST_ESTABLISHED: return "established";
    case RST_UNREAD_DATA: return "unread-data";
    case RST_AFTER_FIN: return "after-fin";
    case RST_HALF_OPEN: return "half-open";
    case RST_KEEPALIVE: return "keepalive-timeout";
    case RST_FORGED: return "forged";
    default: return "?";
    }
}

const char *challenge_outcome_name(enum challenge_outcome k)
{
    switch (k) {
    case CHALLENGE_RETRIED: return "retried";
    case CHALLENGE_RESET: return "reset";
    case CHALLENGE_STRAY: return "stray";
    default: return NULL;
    }
}

const char *stuck_exit_name(enum stuck_exit k)
{
    switch (k) {
    case STUCK_FIN:
    case STUCK_FIN_MISSED: return "fin";
    case STUCK_RST: return "rst";
    case STUCK_PEER_RST: return "peer-rst";
    case STUCK_GAVE_UP: return "gave-up";
    default: return NULL;
    }
}
