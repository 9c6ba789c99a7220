/* describe.c - anomaly details in words. */
#include "describe.h"

#include <inttypes.h>
#include <stdio.h>

#include "format.h"

const char *role_name(int who)
{
    return who == CLIENT ? "client" : who == SERVER ? "server" : "-";
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void describe_anomaly(const struct anomaly *a, const struct conn *c, tstamp_t now, char *buf, size_t len)
{
    char d1[24], d2[24], b1[24], b2[16];
    const char *who = role_name(a->who);
    const char *peer = role_name(a->who == CLIENT ? SERVER : a->who == SERVER ? CLIENT : -1);
    switch ((enum anomaly_id)a->id) {
    case AN_SYN_UNANSWERED:
        snprintf(buf, len, "%" PRIu32 " %s over %s, no reply; server seen in %s", a->count,
                 plural(a->count, "SYN", "SYNs"), format_duration((tstamp_t)a->value, d1),
                 tcp_state_name(a->state));
        break;
    case AN_SYN_REFUSED:
        snprintf(buf, len, "SYN answered with RST after %s: nothing listens on port %u",
                 format_duration(a->start - c->first, d1), conn_port(c, SERVER));
        break;
    case AN_SYNACK_UNACKED:
        snprintf(buf, len, "server in SYN_RCVD, %" PRIu32 " %s over %s, client never completed",
                 a->count, plural(a->count, "SYN-ACK", "SYN-ACKs"), format_duration((tstamp_t)a->value, d1));
        break;
    case AN_SYNACK_LOST:
        snprintf(buf, len, "client sent its SYN %" PRIu32 " more %s after the SYN-ACK", a->count,
                 plural(a->count, "time", "times"));
        break;
    case AN_SYN_RETRANSMITTED:
        snprintf(buf, len, "%" PRIu64 " SYN and %" PRIu32 " SYN-ACK %s; handshake took %s from the first SYN",
                 a->value, a->value2, plural(a->count, "retransmission", "retransmissions"),
                 format_duration(a->end - c->first, d1));
        break;
    case AN_HANDSHAKE_SLOW:
        snprintf(buf, len, "handshake round trip %s (SYN to SYN-ACK %s, SYN-ACK to ACK %s)",
                 format_duration((tstamp_t)a->value, d1), format_duration((tstamp_t)a->value2 * 1000, d2),
                 format_duration((tstamp_t)a->value - (tstamp_t)a->value2 * 1000, b1));
        break;
    case AN_SIMULTANEOUS_OPEN:
        snprintf(buf, len, "both endpoints sent SYN");
        break;
    case AN_ZERO_WINDOW:
        snprintf(buf, len, "%s advertised a zero window: %s stalled %s%s, %" PRIu32 " %s",
                 who, peer, format_duration((tstamp_t)a->value, d1), a->state ? " (still at the end)" : "",
                 a->value2, plural(a->value2, "window probe", "window probes"));
        break;
    case AN_KEEPALIVE:
        snprintf(buf, len, "%s sent %" PRIu32 " %s over %s", who, a->count,
                 plural(a->count, "keep-alive", "keep-alives"), format_duration(a->end - a->start, d1));
        break;
    case AN_IDLE:
        snprintf(buf, len, "no segment for %s", format_duration((tstamp_t)a->value, d1));
        break;
    case AN_RETRANSMISSIONS:
    case AN_OUT_OF_ORDER: {
        uint32_t pk = (a->who == CLIENT || a->who == SERVER) ? c->ep[a->who].pkts : 0;
        snprintf(buf, len, "%s: %" PRIu32 " %s (%.1f%% of its %" PRIu32 "), %s bytes", who, a->count,
                 a->id == AN_RETRANSMISSIONS ? plural(a->count, "segment retransmitted", "segments retransmitted")
                                             : plural(a->count, "segment out of order", "segments out of order"),
                 pk ? 100.0 * a->count / pk : 0.0, pk, format_bytes(a->value, b1));
        break;
    }
    case AN_CAPTURE_GAP:
        snprintf(buf, len, "%s bytes acknowledged that the capture never saw (%" PRIu32 " %s)",
                 format_bytes(a->value, b1), a->count, plural(a->count, "gap", "gaps"));
        break;
    case AN_DATA_AFTER_FIN:
        snprintf(buf, len, "%s sent %s bytes after its own FIN", who, format_bytes(a->value, b1));
        break;
    case AN_DATA_AFTER_RST:
        snprintf(buf, len, "%s sent %s bytes after the reset", who, format_bytes(a->value, b1));
        break;
    case AN_CLOSE_WAIT_STUCK:
    case AN_FIN_WAIT_2_STUCK:
        snprintf(buf, len, "%s in %s for %s (since packet %" PRIu32 ")", who, tcp_state_name(a->state),
                 format_duration(now > a->start ? now - a->start : (tstamp_t)a->value, d1),
                 a->nevidence ? a->evidence[0] : 0);
        break;
    case AN_FIN_UNACKED:
        snprintf(buf, len, "%s sent its FIN again %" PRIu32 " %s without acknowledgement, held in %s", who,
                 a->count, plural(a->count, "time", "times"), tcp_state_name(a->state));
        break;
    case AN_LAST_ACK_LOST:
        snprintf(buf, len, "FIN sent again after the final ACK was seen: that ACK was lost, LAST_ACK held");
        break;
    case AN_SIMULTANEOUS_CLOSE:
        snprintf(buf, len, "the FINs crossed; both endpoints go through CLOSING to TIME_WAIT");
        break;
    case AN_RST_ABORT:
        snprintf(buf, len, "reset by %s in %s (%s): %s bytes it had sent unacknowledged, %s bytes from "
                           "the %s it had not acknowledged",
                 who, tcp_state_name(a->state), rst_kind_name(a->kind), format_bytes(a->value, b1),
                 format_bytes(a->value2, b2), peer);
        break;
    case AN_RST_OUT_OF_WINDOW:
        snprintf(buf, len, "%" PRIu32 " %s from %s outside the %s's window (%s): ignored", a->count,
                 plural(a->count, "RST", "RSTs"), who, peer, tcp_state_name(a->state));
        break;
    case AN_TIME_WAIT_REUSE:
        snprintf(buf, len, "new SYN on a 4-tuple in TIME_WAIT; its sequence number is %s the old connection's",
                 a->value ? "above" : "NOT above");
        break;
    default:
        snprintf(buf, len, "%s", anomaly_info(a->id) ? anomaly_info(a->id)->id : "?");
        break;
    }
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
