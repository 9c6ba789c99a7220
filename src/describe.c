/* describe.c - anomaly details in words. */
#include "describe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "line.h"

const char *role_name(int who)
{
    return who == CLIENT ? "client" : who == SERVER ? "server" : "-";
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "1 SYN", "3 SYNs" */
static void line_count(struct line *l, uint64_t n, const char *one, const char *many)
{
    line_u64(l, n);
    line_char(l, ' ');
    line_str(l, plural(n, one, many));
}

/* "<what>2 more times<after>" */
static void line_sent_again(struct line *l, const char *what, uint64_t n, const char *after)
{
    line_str(l, what);
    line_u64(l, n);
    line_lit(l, " more ");
    line_str(l, plural(n, "time", "times"));
    line_str(l, after);
}

/* "; the <who><what> (packet N)<after>", N the anomaly's last evidence */
static void line_then_packet(struct line *l, const char *who, const char *what, const struct anomaly *a,
                             const char *after)
{
    line_lit(l, "; the ");
    line_str(l, who);
    line_str(l, what);
    line_lit(l, " (packet ");
    line_u64(l, a->nevidence ? a->evidence[a->nevidence - 1] : 0);
    line_char(l, ')');
    line_str(l, after);
}

void describe_anomaly_line(const struct anomaly *a, const struct conn *c, tstamp_t now, struct line *l)
{
    const char *who = role_name(a->who);
    const char *peer = role_name(a->who == CLIENT ? SERVER : a->who == SERVER ? CLIENT : -1);
    const char *state = tcp_state_name(a->state);
    switch ((enum anomaly_id)a->id) {
    case AN_SYN_UNANSWERED:
        /* "3 SYNs over 3.01s, no reply; server seen in CLOSED" */
        line_count(l, a->count, "SYN", "SYNs");
        line_lit(l, " over ");
        line_duration(l, (tstamp_t)a->value);
        line_lit(l, ", no reply; server seen in ");
        line_str(l, state);
        if (a->value2) {
            /* "; the service answered 4 other connections and still
             * answered after these SYNs: a full accept queue drops SYNs" */
            line_lit(l, "; the service answered ");
            line_count(l, a->value2, "other connection", "other connections");
            line_lit(l, " and still answered after these SYNs: a full accept queue drops SYNs (Linux), or a filter dropped these");
        }
        if (a->kind == ATTEMPT_GAVE_UP)
            /* "...; then the client gave up (no SYN came again in time)" */
            line_lit(l, "; then the client gave up (no SYN came again in time)");
        else if (a->kind == ATTEMPT_SUPERSEDED)
            line_lit(l, "; then the client gave up (a new SYN from its port, with a new ISN, started another attempt)");
        break;
    case AN_SYN_REFUSED:
        if (a->value) {
            /* "SYN answered with ICMP admin-prohibited from the path after
             * 0.2ms (2 times): a firewall rejects it" */
            line_lit(l, "SYN answered with ICMP ");
            line_str(l, icmp_kind_name(a->value2));
            line_str(l, a->value2 & ICMPK_FROM_DEST ? " from the server's host" : " from a router on the path");
            line_lit(l, " after ");
            line_duration(l, a->start - c->first);
            if (a->count > 1) {
                line_lit(l, " (");
                line_count(l, a->count, "time", "times");
                line_char(l, ')');
            }
            line_str(l, !(a->value2 & ICMPK_FROM_DEST) ? ": a firewall or router rejects it"
                        : (a->value2 & ICMPK_KIND_MASK) == ICMPK_PORT_UNREACH
                            ? ": nothing takes TCP there, or its firewall rejects it"
                            : ": the server's host rejects it");
            break;
        }
        /* "SYN answered with RST after 2.9ms: nothing listens on port 443" */
        line_lit(l, "SYN answered with RST after ");
        line_duration(l, a->start - c->first);
        line_lit(l, ": nothing listens on port ");
        line_u64(l, conn_port(c, SERVER));
        break;
    case AN_SYNACK_UNACKED:
        /* "server in SYN_RCVD, 5 SYN-ACKs over 31.0s, client never completed" */
        if (a->kind) {
            /* "server sent 1 SYN-ACK, then nothing for 3.00s: it held no
             * request (a SYN cookie, or dropped); client never completed" */
            line_lit(l, "server sent ");
            line_count(l, a->count, "SYN-ACK", "SYN-ACKs");
            if (a->count > 1)
                line_lit(l, ", then stopped: it dropped the request");
            else
                line_lit(l, ", then nothing: it held no request (a SYN cookie, or dropped)");
            line_lit(l, "; client never completed");
            break;
        }
        line_lit(l, "server in SYN_RCVD, ");
        line_count(l, a->count, "SYN-ACK", "SYN-ACKs");
        line_lit(l, " over ");
        line_duration(l, (tstamp_t)a->value);
        line_lit(l, ", client never completed");
        break;
    case AN_LISTEN_OVERFLOW:
        /* "server sent its SYN-ACK 2 more times after the handshake's ACK:
         * it ignored that ACK" */
        line_sent_again(l, "server sent its SYN-ACK ", a->count, " after the handshake's ACK: it ignored that ACK");
        if (c->ep[SERVER].state == ST_SYN_RCVD)
            line_lit(l, ", and is still in SYN_RCVD");
        break;
    case AN_SYN_CHALLENGED:
        /* "client's new SYN met the server still ESTABLISHED in the old
         * connection: a challenge ACK (packet 9); ..." */
        line_str(l, peer);
        line_lit(l, "'s new SYN met the ");
        line_str(l, who);
        line_lit(l, " still ");
        line_str(l, state);
        line_lit(l, " in the old connection: ");
        /* (from TIME_WAIT, the ACK refuses a SYN not above the old
         * connection: no RFC 5961 challenge, but the same answer) */
        line_str(l, a->state == ST_TIME_WAIT ? "an ACK of that one (packet " : "a challenge ACK (packet ");
        line_u64(l, a->nevidence > 1 ? a->evidence[1] : 0);
        line_char(l, ')');
        if (a->kind == CHALLENGE_RESET && a->state == ST_TIME_WAIT) {
            /* "; the client reset it (packet 10), ending the TIME_WAIT" */
            line_then_packet(l, peer, " reset it", a, ", ending the TIME_WAIT");
        } else if (a->kind == CHALLENGE_RESET) {
            /* "; the client, which had lost that connection (a restart),
             * reset it (packet 10)" */
            line_then_packet(l, peer, ", which had lost that connection (a restart), reset it", a, "");
        } else if (a->kind == CHALLENGE_STRAY) {
            line_then_packet(l, peer, " went on with the old connection", a, ": the SYN was stray or forged");
        } else if (a->kind == CHALLENGE_RETRIED) {
            /* "; the client, in SYN_SENT, sent it 4 more times: none of
             * its RSTs reached the server" */
            line_lit(l, "; the ");
            line_str(l, peer);
            line_sent_again(l, ", in SYN_SENT, sent it ", a->count - 1, ": ");
            if (a->state == ST_TIME_WAIT) {
                /* "...: its RSTs did not end the server's TIME_WAIT (lost,
                 * or net.ipv4.tcp_rfc1337)" */
                line_lit(l, "its RSTs did not end the ");
                line_str(l, who);
                line_lit(l, "'s TIME_WAIT (lost, or net.ipv4.tcp_rfc1337)");
            } else {
                line_lit(l, "none of its RSTs reached the ");
                line_str(l, who);
            }
        } else if (a->state == ST_TIME_WAIT) {
            line_lit(l, ": the SYN's sequence number (or timestamp) was not above the old connection's");
        } else {
            line_lit(l, ": the ");
            line_str(l, peer);
            line_lit(l, " had lost the old connection (a restart), or the SYN was stray");
        }
        break;
    case AN_SYNACK_LOST:
        if (a->value2) {
            /* "the SYN-ACK drew ICMP host-unreachable from a router on the
             * path (2 times): the client never had it" */
            line_lit(l, "the SYN-ACK drew ICMP ");
            line_str(l, icmp_kind_name(a->value2));
            line_str(l, a->value2 & ICMPK_FROM_DEST ? " from the client's host" : " from a router on the path");
            if (a->count > 1) {
                line_lit(l, " (");
                line_count(l, a->count, "time", "times");
                line_char(l, ')');
            }
            line_lit(l, ": the client never had it");
            break;
        }
        /* "client sent its SYN 2 more times after the SYN-ACK" */
        line_sent_again(l, "client sent its SYN ", a->count, " after the SYN-ACK");
        break;
    case AN_SYN_RETRANSMITTED:
        /* "1 SYN and 0 SYN-ACK retransmission; handshake took 1.02s from the first SYN" */
        line_u64(l, a->value);
        line_lit(l, " SYN and ");
        line_u64(l, a->value2);
        line_lit(l, " SYN-ACK ");
        line_str(l, plural(a->count, "retransmission", "retransmissions"));
        line_lit(l, "; handshake took ");
        line_duration(l, a->end - c->first);
        line_lit(l, " from the first SYN");
        break;
    case AN_HANDSHAKE_SLOW:
        /* "handshake round trip 1.20s (SYN to SYN-ACK 1.10s, SYN-ACK to ACK 100.0ms)" */
        line_lit(l, "handshake round trip ");
        line_duration(l, (tstamp_t)a->value);
        line_lit(l, " (SYN to SYN-ACK ");
        line_duration(l, (tstamp_t)a->value2 * 1000);
        line_lit(l, ", SYN-ACK to ACK ");
        line_duration(l, (tstamp_t)a->value - (tstamp_t)a->value2 * 1000);
        line_char(l, ')');
        break;
    case AN_SIMULTANEOUS_OPEN:
        line_lit(l, "both endpoints sent SYN");
        break;
    case AN_SELF_CONNECT:
        line_lit(l, "one address and port at both ends: a socket connected to itself");
        break;
    case AN_ZERO_WINDOW:
        /* "client advertised a zero window: server stalled 4.50s (still at the end), 3 window probes" */
        line_str(l, who);
        line_lit(l, " advertised a zero window: ");
        line_str(l, peer);
        line_lit(l, " stalled ");
        line_duration(l, (tstamp_t)a->value);
        if (a->state == 1)
            line_lit(l, " (still at the end)");
        else if (a->state == 2)     /* the live view's, of a stall going on */
            line_lit(l, " so far");
        line_lit(l, ", ");
        line_count(l, a->value2, "window probe", "window probes");
        break;
    case AN_KEEPALIVE:
        /* "client sent 4 keep-alives over 3m00s" */
        line_str(l, who);
        line_lit(l, " sent ");
        line_count(l, a->count, "keep-alive", "keep-alives");
        line_lit(l, " over ");
        line_duration(l, a->end - a->start);
        break;
    case AN_IDLE:
        /* "no segment for 14m02s" */
        line_lit(l, "no segment for ");
        line_duration(l, (tstamp_t)a->value);
        break;
    case AN_RETRANSMISSIONS:
    case AN_OUT_OF_ORDER: {
        /* "server: 12 segments retransmitted (3.4% of its 350), 17K bytes" */
        uint32_t pk = (a->who == CLIENT || a->who == SERVER) ? c->ep[a->who].pkts : 0;
        line_str(l, who);
        line_lit(l, ": ");
        if (a->id == AN_RETRANSMISSIONS)
            line_count(l, a->count, "segment retransmitted", "segments retransmitted");
        else
            line_count(l, a->count, "segment out of order", "segments out of order");
        line_lit(l, " (");
        line_percent(l, a->count, pk);
        line_lit(l, "% of its ");
        line_u64(l, pk);
        line_lit(l, "), ");
        line_bytes(l, a->value);
        line_lit(l, " bytes");
        if (a->id == AN_RETRANSMISSIONS && a->state == 1 && (a->kind == CLIENT || a->kind == SERVER)) {
            /* "; then the client stopped, its data unacknowledged: nothing
             * for 4.1s, over twice its last interval (1.66s): it likely gave
             * up and closed without a RST" */
            line_lit(l, "; then the ");
            line_str(l, role_name(a->kind));
            line_lit(l, " stopped, its data unacknowledged: nothing for ");
            line_duration(l, now > a->end ? now - a->end : 0);
            line_lit(l, ", over twice its last interval (");
            line_duration(l, (tstamp_t)a->value2 * TS_PER_MS);
            line_lit(l, "): it likely gave up and closed without a RST");
        }
        break;
    }
    case AN_CAPTURE_GAP:
        /* "2.8K bytes acknowledged that the capture never saw (1 gap)" */
        line_bytes(l, a->value);
        line_lit(l, " bytes acknowledged that the capture never saw (");
        line_count(l, a->count, "gap", "gaps");
        line_char(l, ')');
        break;
    case AN_ONE_SIDED:
        /* "only the client's 42 packets were captured, none from the server" */
        line_lit(l, "only the ");
        line_str(l, peer);
        line_lit(l, "'s ");
        line_count(l, a->count, "packet was", "packets were");
        line_lit(l, " captured, none from the ");
        line_str(l, who);
        break;
    case AN_DATA_AFTER_FIN:
    case AN_DATA_AFTER_RST:
        /* "client sent 512 bytes after its own FIN" / "... after the reset" */
        line_str(l, who);
        line_lit(l, " sent ");
        line_bytes(l, a->value);
        if (a->id == AN_DATA_AFTER_FIN)
            line_lit(l, " bytes after its own FIN");
        else
            line_lit(l, " bytes after the reset");
        break;
    case AN_CLOSE_WAIT_STUCK:
    case AN_FIN_WAIT_2_STUCK:
        /* "server in CLOSE_WAIT for 14m02s (since packet 38)" */
        line_str(l, who);
        line_lit(l, " in ");
        line_str(l, state);
        line_lit(l, " for ");
        line_duration(l, a->kind == STUCK_STILL && now > a->start ? now - a->start : (tstamp_t)a->value);
        line_lit(l, " (since packet ");
        line_u64(l, a->nevidence ? a->evidence[0] : 0);
        line_char(l, ')');
        /* how it left: "..., then closed with its FIN (packet 10)" */
        switch ((enum stuck_exit)a->kind) {
        case STUCK_STILL:
            return;
        case STUCK_GAVE_UP:
            line_lit(l, ", until its host gave up retransmitting (the application never closed it)");
            return;
        case STUCK_FIN:
            line_lit(l, ", then closed with its FIN (packet ");
            break;
        case STUCK_FIN_MISSED:
            line_lit(l, ", then closed with a FIN the capture missed (the ");
            line_str(l, peer);
            line_lit(l, "'s ACK of it, packet ");
            break;
        case STUCK_RST:
            line_lit(l, ", then aborted with its RST (packet ");
            break;
        case STUCK_PEER_RST:
            line_lit(l, ", until the ");
            line_str(l, peer);
            line_lit(l, " gave up with a RST (packet ");
            break;
        }
        line_u64(l, a->nevidence ? a->evidence[a->nevidence - 1] : 0);
        line_char(l, ')');
        break;
    case AN_FIN_UNACKED:
        /* "client sent its FIN again 3 times without acknowledgement, held in FIN_WAIT_1" */
        line_str(l, who);
        line_lit(l, " sent its FIN again ");
        line_count(l, a->count, "time", "times");
        line_lit(l, " without acknowledgement, held in ");
        line_str(l, state);
        break;
    case AN_LAST_ACK_LOST:
        line_lit(l, "FIN sent again after the final ACK was seen: that ACK was lost, LAST_ACK held");
        break;
    case AN_SIMULTANEOUS_CLOSE:
        line_lit(l, "the FINs crossed; both endpoints go through CLOSING to TIME_WAIT");
        break;
    case AN_RST_ABORT:
        if (a->kind == RST_FORGED) {
            /* "reset in the server's name in ESTABLISHED (forged): the server
             * went on sending after it; the client took it" */
            line_lit(l, "reset in the ");
            line_str(l, who);
            line_lit(l, "'s name in ");
            line_str(l, state);
            line_lit(l, " (forged): the ");
            line_str(l, who);
            line_lit(l, " went on sending after it; the ");
            line_str(l, peer);
            line_lit(l, " took it");
            break;
        }
        /* "reset by client in ESTABLISHED (unread-data): 0 bytes it had sent
         * unacknowledged, 12K bytes from the server it had not acknowledged" */
        line_lit(l, "reset by ");
        line_str(l, who);
        line_lit(l, " in ");
        line_str(l, state);
        line_lit(l, " (");
        line_str(l, rst_kind_name(a->kind));
        line_lit(l, "): ");
        line_bytes(l, a->value);
        line_lit(l, " bytes it had sent unacknowledged, ");
        line_bytes(l, a->value2);
        line_lit(l, " bytes from the ");
        line_str(l, peer);
        line_lit(l, " it had not acknowledged");
        break;
    case AN_RST_OUT_OF_WINDOW:
        /* "2 RSTs from client outside the server's window (ESTABLISHED): ignored" */
        line_count(l, a->count, "RST", "RSTs");
        line_lit(l, " from ");
        line_str(l, who);
        if (a->state == ST_TIME_WAIT) {
            line_lit(l, " not at the sequence number the ");
            line_str(l, peer);
            line_lit(l, "'s TIME_WAIT expects: ignored");
            break;
        }
        line_lit(l, " outside the ");
        line_str(l, peer);
        line_lit(l, "'s window (");
        line_str(l, state);
        line_lit(l, "): ignored");
        break;
    case AN_RST_REJECTED:
        /* "1 RST from client inside the server's window but not where it
         * expected: the connection went on (RFC 5961 challenge ACK)" */
        line_count(l, a->count, "RST", "RSTs");
        line_lit(l, " from ");
        line_str(l, who);
        line_lit(l, " inside the ");
        line_str(l, peer);
        line_lit(l, "'s window but not at the sequence number it expected: the connection went on");
        break;
    case AN_TIME_WAIT_REUSE:
        line_lit(l, "new SYN on a 4-tuple in TIME_WAIT; its sequence number is ");
        if (a->value)
            line_lit(l, "above");
        else
            line_lit(l, "NOT above");
        line_lit(l, " the old connection's");
        break;
    default:
        line_str(l, anomaly_info(a->id) ? anomaly_info(a->id)->id : "?");
        break;
    }
}

void describe_anomaly(const struct anomaly *a, const struct conn *c, tstamp_t now, char *buf, size_t len)
{
    struct line l;
    if (!len)
        return;
    line_init(&l);
    describe_anomaly_line(a, c, now, &l);
    size_t n = l.n < len - 1 ? l.n : len - 1;
    memcpy(buf, l.b, n);
    buf[n] = '\0';
}

void describe_service_anomaly(const struct service_anomaly *s, uint32_t ephemeral_ports, char *buf,
                              size_t len)
{
    char ab[ADDR_STRLEN], cb[ADDR_STRLEN], d[24];
    addr_format(&s->server, ab);
    if (s->a.id == AN_SYN_FLOOD) {
        snprintf(buf, len, "%s%s%s:%u: %" PRIu32 " incomplete handshakes in %s (%" PRIu32 "/s) from about %" PRIu64
                           " %s",
                 s->server.family == 6 ? "[" : "", ab, s->server.family == 6 ? "]" : "", s->port, s->a.count,
                 format_duration(s->a.end - s->a.start, d), s->a.value2, s->a.value,
                 plural(s->a.value, "source", "sources"));
    } else {
        addr_format(&s->client, cb);
        snprintf(buf, len, "client %s held %" PRIu32 " TIME_WAIT toward %s%s%s:%u at peak, %.1f%% of its "
                           "%" PRIu32 " ephemeral ports",
                 cb, s->a.count, s->server.family == 6 ? "[" : "", ab, s->server.family == 6 ? "]" : "",
                 s->port, (double)s->a.value / 10000.0, ephemeral_ports);
    }
}
