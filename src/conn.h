/* conn.h - one TCP connection as tcpfsm tracks it.
 *
 * Kept compact (it is the per-connection memory cost): the table node with
 * the key, times, and the two endpoints.  ep[CLIENT] is the endpoint that
 * opened the connection (sent the first SYN); ep[SERVER] the other. */
#ifndef TCPFSM_CONN_H
#define TCPFSM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conntab.h"
#include "segment.h"
#include "seq.h"
#include "tcpstate.h"

enum { CLIENT = 0, SERVER = 1 };

/* Endpoint flags: what we have seen from this endpoint.  Whether it sent a
 * SYN or a SYN-ACK is not a flag: its counts say so (ep_sent_syn()). */
enum {
    EPF_ISN = 0x01,         /* isn is valid (it sent a SYN or SYN-ACK) */
    EPF_SEQ = 0x02,         /* snd_nxt is valid (it sent anything) */
    EPF_ACK = 0x04,         /* ack is valid (it sent an ACK) */
    EPF_FIN = 0x08,         /* fin_seq is valid (it sent a FIN) */
    EPF_WSCALE = 0x10,      /* its SYN carried a window scale option */
    EPF_RST = 0x20,         /* it sent a RST */
    EPF_INFERRED = 0x40,    /* its state rests on a guess, not on packets seen */
    EPF_WIN = 0x80,         /* win holds a window it advertised outside a SYN */
};

struct conn_end {
    uint32_t isn;           /* initial sequence number */
    uint32_t snd_nxt;       /* highest sequence number it has sent, plus one */
    uint32_t ack;           /* highest acknowledgement it has sent */
    uint32_t fin_seq;       /* sequence number of its FIN */
    uint32_t pkts;          /* segments sent */
    uint32_t since_pkt;     /* packet that moved it to its state (saturating) */
    uint32_t since_rel;     /* when it entered its state (TIME_WAIT: when the
                               2 MSL timer last started), relative to the
                               connection's first segment (conn_rel()): read it
                               with conn_since() */
    /* TCP payload bytes it sent, retransmissions included, in 48 bits
     * (saturating at 256 TiB): conn_bytes() */
    uint32_t bytes_lo;
    uint16_t bytes_hi;
    uint16_t win;           /* last window advertised (unscaled) */
    uint8_t flags;          /* EPF_* */
    uint8_t state : 4;      /* enum tcp_state */
    uint8_t wscale : 4;     /* window scale from its SYN (at most 14) */
    uint8_t syns : 5;       /* SYN segments without ACK sent (saturating: EP_SYNS_MAX) */
    /* A SYN with a new initial sequence number, from either endpoint, waits
     * in the tracker until what follows says whether it opens a new
     * connection or met this one still alive (tracker.c, "held SYNs"): set
     * on both endpoints. */
    uint8_t syn_held : 1;
    /* The top of its sequence space is one sequence number the capture
     * missed, which the peer acknowledged alone: perhaps its FIN
     * (tracker.c, missed_first_fin()). */
    uint8_t top_unseen : 1;
    /* It is CLOSED by an in-window RST not at its receiver's next sequence
     * number (sent or received), which a stack implementing RFC 5961 does
     * not take: undone if it goes on (tracker.c, rst_not_taken()). */
    uint8_t rst_unsure : 1;
    uint8_t synacks : 4;    /* SYN-ACK segments sent (saturating: EP_SYNACKS_MAX) */
    uint8_t fins : 4;       /* FIN segments sent (saturating: EP_FINS_MAX) */
};
_Static_assert(sizeof(struct conn_end) == 40, "an endpoint: 40 bytes");
_Static_assert(ST__COUNT <= 16, "a state fits conn_end's 4 bits");
#define EP_SYNS_MAX 31u
#define EP_SYNACKS_MAX 15u
#define EP_FINS_MAX 15u

static inline bool ep_sent_syn(const struct conn_end *e) { return e->syns != 0; }
static inline bool ep_sent_synack(const struct conn_end *e) { return e->synacks != 0; }
/* Has endpoint p acknowledged e's FIN? */
static inline bool ep_fin_acked(const struct conn_end *e, const struct conn_end *p)
{
    return (e->flags & EPF_FIN) && (p->flags & EPF_ACK) && seq_geq(p->ack, e->fin_seq + 1);
}

/* Connection flags. */
enum {
    CF_PICKED_UP = 0x0001,  /* first seen mid-stream: no SYN or SYN-ACK */
    CF_SYNACK_FIRST = 0x0002, /* first seen at the SYN-ACK: the SYN was missed */
    CF_REUSED = 0x0004,     /* a new incarnation of a 4-tuple we still tracked */
    CF_REUSED_IN_TW = 0x0008, /* ... while the earlier one was in TIME_WAIT */
    CF_LISTENER_NOTED = 0x0010,
    CF_HS_SYN = 0x0020,     /* hs_a holds the answered SYN's time */
    CF_HS_SYNACK = 0x0040,  /* hs_b holds the first SYN-ACK's time */
    CF_HS_DONE = 0x0080,    /* the handshake completed: hs_a, hs_b hold its halves */
    CF_LAST_DATA_SERVER = 0x0100, /* the latest data segment came from the server */
    CF_TW_COUNTED = 0x0200, /* its client TIME_WAIT is counted for pileups */
    CF_SEEN_DATA = 0x0400,  /* some data segment was seen */
    CF_CLIENT_FIN_FIRST = 0x0800, /* the client closed first */
    CF_SERVER_FIN_FIRST = 0x1000, /* the server closed first */
    CF_FIN_CROSSED = 0x2000,/* the FINs crossed: simultaneous close */
    CF_CLIENT_SIDE1 = 0x4000, /* the client is key side 1 (else side 0) */
    CF_ACKED_UNSEEN = 0x8000, /* an endpoint's ACK moved on while the capture
                                 had nothing from its peer (one-sided) */
};

struct conn {
    /* The table node (key, chain, expiry list), whose spare field holds the
     * connection's flags: named here through an overlay. */
    union {
        struct ct_node node;
        struct {
            uint8_t node_fields_[offsetof(struct ct_node, user16)];
            uint16_t flags;         /* CF_*: node.user16 */
        };
    };
    uint32_t id;            /* 1, 2, ... in order of creation */
    uint32_t first_pkt;     /* packet number of its first segment (saturating) */
    uint32_t ext;           /* the analysis's extension record (0: none) */
    tstamp_t first, last;   /* first and last segment */
    /* The handshake as seen from the capture point, in microseconds
     * (saturating).  Until it completes (CF_HS_DONE): hs_a is when the SYN
     * that was answered was sent (after `first`, with CF_HS_SYN), hs_b when
     * the first SYN-ACK was (with CF_HS_SYNACK).  Once the client's ACK has
     * completed it: hs_a is SYN to SYN-ACK (0 without CF_HS_SYN), hs_b is
     * SYN-ACK to ACK.  Read them with conn_handshake(). */
    uint32_t hs_a, hs_b;
    struct conn_end ep[2];  /* [CLIENT], [SERVER] */
};

_Static_assert(offsetof(struct conn, flags) == offsetof(struct ct_node, user16), "flags overlay");
_Static_assert(sizeof(struct conn) <= 168, "a connection record: 168 bytes");

static inline uint64_t conn_bytes(const struct conn *c, int role)
{
    return (uint64_t)c->ep[role].bytes_hi << 32 | c->ep[role].bytes_lo;
}

static inline void conn_add_bytes(struct conn *c, int role, uint32_t n)
{
    uint64_t v = conn_bytes(c, role) + n;
    if (v > 0xffffffffffffULL)
        v = 0xffffffffffffULL;
    c->ep[role].bytes_lo = (uint32_t)v;
    c->ep[role].bytes_hi = (uint16_t)(v >> 32);
}

/* Saturating 32-bit packet number. */
static inline uint32_t pktno32(uint64_t n) { return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n; }

/* Which key side (0 or 1) holds the client. */
static inline int conn_client_side(const struct conn *c) { return (c->flags & CF_CLIENT_SIDE1) != 0; }

/* A time after the connection's first segment in 32 bits: microseconds for
 * the first 35 minutes (top bit clear), then milliseconds (top bit set) up
 * to 24 days, where it saturates. */
#define CONN_REL_MS 0x80000000u
static inline uint32_t conn_rel(const struct conn *c, tstamp_t ts)
{
    tstamp_t d = ts - c->first;
    if (d <= 0)
        return 0;
    if (d / 1000 < CONN_REL_MS)
        return (uint32_t)(d / 1000);
    tstamp_t ms = d / TS_PER_MS;
    return CONN_REL_MS | (ms < CONN_REL_MS ? (uint32_t)ms : CONN_REL_MS - 1);
}

static inline tstamp_t conn_abs(const struct conn *c, uint32_t rel)
{
    if (rel & CONN_REL_MS)
        return c->first + (tstamp_t)(rel & ~CONN_REL_MS) * TS_PER_MS;
    return c->first + (tstamp_t)rel * 1000;
}

/* Handshake round trip (SYN to ACK), SYN to SYN-ACK, SYN-ACK to ACK, in ns;
 * false if the handshake was not seen whole. */
static inline bool conn_handshake(const struct conn *c, int64_t *rtt, int64_t *server, int64_t *client)
{
    if ((c->flags & (CF_HS_SYN | CF_HS_SYNACK | CF_HS_DONE)) != (CF_HS_SYN | CF_HS_SYNACK | CF_HS_DONE))
        return false;
    *server = (int64_t)c->hs_a * 1000;     /* completed: the two halves */
    *client = (int64_t)c->hs_b * 1000;
    *rtt = *server + *client;
    return true;
}

/* When the endpoint `role` entered its state. */
static inline tstamp_t conn_since(const struct conn *c, int role)
{
    return conn_abs(c, c->ep[role].since_rel);
}

/* Endpoint `role` goes to CLOSING by event ev: the FINs crossed - unless it
 * receives the FIN of a peer in FIN_WAIT_1, which sent it without having
 * had this endpoint's FIN, long after it (tracker.c, fin_lost()): in a
 * crossing the peer's own FIN took the peer to CLOSING first.  The
 * tracker's CF_FIN_CROSSED and the analysis's simultaneous-close. */
static inline bool conn_fins_crossed(const struct conn *c, int role, enum tcp_event ev)
{
    return tcp_event_is_send(ev) || c->ep[!role].state != ST_FIN_WAIT_1;
}

/* Addresses and ports by role. */
void conn_addr(const struct conn *c, int role, struct flow_addr *a);
static inline uint16_t conn_port(const struct conn *c, int role)
{
    return c->node.key.port[role == CLIENT ? conn_client_side(c) : !conn_client_side(c)];
}

/* Does endpoint role's state rest on a guess rather than on packets seen:
 * its connection was picked up mid-stream or first seen at its SYN-ACK
 * (EPF_INFERRED), or the capture has nothing from it while its peer
 * answered it (one-sided: its state is only what it was sent)? */
static inline bool conn_inferred(const struct conn *c, int role)
{
    return (c->ep[role].flags & EPF_INFERRED) ||
           ((c->flags & CF_ACKED_UNSEEN) && c->ep[role].pkts == 0 && c->ep[!role].pkts > 0);
}

/* Has the server acknowledged anything of the client's past its SYN, as
 * far as the capture shows (its highest ACK, or ack, one it is sending):
 * data the client's SYN carried (TCP Fast Open, RFC 7413: the listener
 * made a full socket with the SYN, which took the data - in no accept
 * queue's way, so a SYN-ACK sent again is an ACK lost, not ignored), or
 * data after it.  False without the client's ISN. */
static inline bool conn_server_took_data(const struct conn *c, uint32_t ack)
{
    const struct conn_end *cl = &c->ep[CLIENT], *sv = &c->ep[SERVER];
    if (!(cl->flags & EPF_ISN))
        return false;
    return seq_gt(ack, cl->isn + 1) || ((sv->flags & EPF_ACK) && seq_gt(sv->ack, cl->isn + 1));
}

/* A socket connected to itself (tracker.c, track_self()). */
static inline bool conn_is_self(const struct conn *c)
{
    return ct_ends_equal((const uint8_t(*)[16])c->node.key.addr, c->node.key.port, c->node.family);
}

/* A server in SYN_RCVD holds its request only while it retransmits its
 * SYN-ACK (RFC 793; RFC 1122 4.2.3.1), on a timer that starts at 3 s at
 * most (1 s in RFC 6298 and Linux) and doubles: its next one is due at most
 * max(3 s, twice the time from its first SYN-ACK to the connection's last
 * segment) after that segment.  With nothing at all on the connection for
 * half as long again (slack for a timer that fires late), it holds none:
 * it answered with a SYN cookie and kept nothing (Linux when its SYN queue
 * is full, or net.ipv4.tcp_syncookies=2), or it dropped the request after
 * its last retransmission (net.ipv4.tcp_synack_retries), or its listener
 * is gone.  Not a server that opened too (simultaneous open, a socket
 * connected to itself), nor one the client completed the handshake with.
 * A lone SYN-ACK in a capture that missed the SYN (begun in the middle of
 * the handshake) may be a retransmission whose timer has grown: then the
 * longest a timer waits (SYN_RTO_MAX).  *due: when that became so. */
#define REQUEST_QUIET_MIN (3 * TS_PER_SEC)
/* A bound on a timer, half as long again (slack for a timer that fires
 * late).  Held below a quarter of the clock's range first: a connection
 * of a capture with wild timestamps (clamped at 2100, 4.1e18 ns) can span
 * more than a third of it, and half again would overflow. */
static inline tstamp_t with_slack(tstamp_t bound)
{
    if (bound > INT64_MAX / 4)
        bound = INT64_MAX / 4;
    return bound + bound / 2;
}
/* The longest a retransmission timer waits: Linux's TCP_RTO_MAX (RFC 6298
 * 2.5: 60 s or more). */
#define SYN_RTO_MAX (120 * TS_PER_SEC)
static inline bool conn_request_dropped(const struct conn *c, tstamp_t now, tstamp_t *due)
{
    const struct conn_end *sv = &c->ep[SERVER];
    if (sv->state != ST_SYN_RCVD || (c->flags & (CF_HS_SYNACK | CF_HS_DONE)) != CF_HS_SYNACK ||
        !ep_sent_synack(sv) || ep_sent_syn(sv) || conn_is_self(c))
        return false;
    tstamp_t first_synack = c->first + (tstamp_t)c->hs_b * 1000, span = c->last - first_synack;
    if (span > INT64_MAX / 4)
        span = INT64_MAX / 4;           /* (wild timestamps: see with_slack()) */
    tstamp_t quiet = 2 * span;
    if (quiet < REQUEST_QUIET_MIN)
        quiet = REQUEST_QUIET_MIN;
    if (sv->synacks == 1 && (c->flags & CF_SYNACK_FIRST))
        quiet = SYN_RTO_MAX;
    quiet = with_slack(quiet);
    if (now - c->last <= quiet)
        return false;
    *due = c->last + quiet;
    return true;
}

/* The same for a client in SYN_SENT: it holds its attempt only while it
 * retransmits its SYN, on that timer.  When is its next SYN due at the
 * latest?  If the first SYN seen was its first, the timer started at 3 s
 * at most and doubles: (last - first SYN) + 3 s after the last one.  The
 * capture may have begun in the middle of the attempt, though: no gap is
 * then known, but each is at most twice the one before, and the last one
 * seen at most the whole span - so 2 x (last - first) after the last SYN;
 * after a single SYN, the longest a timer waits (SYN_RTO_MAX).  With
 * nothing at all on the connection for half as long again as the larger
 * bound, and nothing ever from the server, it gave up: the kernel's retries
 * ran out (Linux: net.ipv4.tcp_syn_retries, 6, about 127 s), or the
 * application's connect timeout closed it - silently, as a socket in
 * SYN_SENT has no peer to reset.  Not a socket connected to itself (it
 * answers itself).  *due: when that became so. */
static inline bool conn_attempt_abandoned(const struct conn *c, tstamp_t now, tstamp_t *due)
{
    const struct conn_end *cl = &c->ep[CLIENT];
    if (cl->state != ST_SYN_SENT || !ep_sent_syn(cl) || c->ep[SERVER].pkts != 0 || conn_is_self(c))
        return false;
    tstamp_t span = c->last - c->first, quiet = SYN_RTO_MAX;
    if (span > INT64_MAX / 4)
        span = INT64_MAX / 4;           /* (wild timestamps: see with_slack()) */
    if (cl->syns > 1) {
        quiet = span + REQUEST_QUIET_MIN;
        if (2 * span > quiet)
            quiet = 2 * span;
    }
    quiet = with_slack(quiet);
    if (now - c->last <= quiet)
        return false;
    *due = c->last + quiet;
    return true;
}

/* True when neither endpoint holds connection state any more. */
static inline bool conn_finished(const struct conn *c)
{
    return (c->ep[0].state == ST_CLOSED || c->ep[0].state == ST_LISTEN) &&
           (c->ep[1].state == ST_CLOSED || c->ep[1].state == ST_LISTEN);
}

#endif
