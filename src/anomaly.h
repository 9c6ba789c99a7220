/* anomaly.h - the catalogue of connection anomalies.
 *
 * Each anomaly has a stable id (its string is part of tcpfsm's interface:
 * JSON, CSV, --select, docs/anomalies.md), a severity used to sort reports
 * worst first, a one-sentence explanation of what it usually means, and what
 * to check. */
#ifndef TCPFSM_ANOMALY_H
#define TCPFSM_ANOMALY_H

#include <stdint.h>

#include "segment.h"

enum anomaly_id {
    /* handshake */
    AN_SYN_UNANSWERED,
    AN_SYN_REFUSED,
    AN_SYNACK_UNACKED,
    AN_SYNACK_LOST,
    AN_SYN_RETRANSMITTED,
    AN_HANDSHAKE_SLOW,
    AN_SIMULTANEOUS_OPEN,
    AN_SYN_FLOOD,
    AN_LISTEN_OVERFLOW,
    AN_SYN_CHALLENGED,
    /* established */
    AN_ZERO_WINDOW,
    AN_KEEPALIVE,
    AN_IDLE,
    AN_RETRANSMISSIONS,
    AN_OUT_OF_ORDER,
    AN_CAPTURE_GAP,
    AN_ONE_SIDED,
    AN_DATA_AFTER_FIN,
    AN_DATA_AFTER_RST,
    /* teardown */
    AN_CLOSE_WAIT_STUCK,
    AN_FIN_WAIT_2_STUCK,
    AN_FIN_UNACKED,
    AN_LAST_ACK_LOST,
    AN_SIMULTANEOUS_CLOSE,
    AN_RST_ABORT,
    AN_RST_OUT_OF_WINDOW,
    AN_RST_REJECTED,
    AN_TIME_WAIT_REUSE,
    AN_TIME_WAIT_PILEUP,
    /* handshake, added last (the ids before keep their bits) */
    AN_SELF_CONNECT,
    AN__COUNT
};

enum anomaly_phase { PHASE_HANDSHAKE, PHASE_ESTABLISHED, PHASE_TEARDOWN };

struct anomaly_info {
    const char *id;         /* "close-wait-stuck" */
    enum anomaly_phase phase;
    int severity;           /* 0..100, higher is worse */
    const char *explanation;/* what it usually means, one sentence */
    const char *check;      /* what to check, one sentence */
};

_Static_assert(AN__COUNT <= 32, "a connection's anomalies are a 32-bit mask");

/* The ids of which a connection keeps a record per sender (each end's
 * own: src/analysis.c, per_sender()), and how many they are. */
#define ANOMALY_PER_SENDER_MASK                                                                   \
    ((1u << AN_RETRANSMISSIONS) | (1u << AN_OUT_OF_ORDER) | (1u << AN_ZERO_WINDOW) |              \
     (1u << AN_KEEPALIVE) | (1u << AN_FIN_UNACKED) | (1u << AN_RST_ABORT))
#define ANOMALY_PER_SENDER_COUNT 6

/* The next anomaly in a mask of (1u << id) bits, lowest id first, taken out
 * of the mask; -1 once it is empty.  A connection has a few of the kinds:
 * for (int i; (i = anomaly_mask_next(&mask)) >= 0;) visits only those. */
static inline int anomaly_mask_next(uint32_t *mask)
{
    if (!*mask)
        return -1;
    int i = __builtin_ctz(*mask);
    *mask &= *mask - 1;
    return i;
}

const struct anomaly_info *anomaly_info(enum anomaly_id id);
/* id from its string; -1 if unknown */
int anomaly_parse(const char *s);
const char *anomaly_phase_name(enum anomaly_phase p);

/* Kinds of rst-abort. */
enum rst_kind {
    RST_ESTABLISHED,        /* abort of an established connection */
    RST_UNREAD_DATA,        /* likely a close with unread data in the receive buffer */
    RST_AFTER_FIN,          /* a reset after a FIN from either side */
    RST_HALF_OPEN,          /* reset of a connection the sender had no state for */
    RST_KEEPALIVE,          /* the sender's keep-alive probes went unanswered */
    RST_FORGED,             /* its apparent sender went on: sent in its name
                               (a middlebox); its receiver took it */
};
const char *rst_kind_name(enum rst_kind k);

/* How an endpoint stuck in CLOSE_WAIT left it (close-wait-stuck's kind). */
enum stuck_exit {
    STUCK_STILL,            /* it had not: still there as the connection left */
    STUCK_FIN,              /* its FIN, at last: its application closed late */
    STUCK_RST,              /* its RST: its application aborted late */
    STUCK_PEER_RST,         /* the peer's RST: the peer had given up */
    STUCK_FIN_MISSED,       /* its FIN, which the capture missed (the peer's
                               ACK of it shows it): as STUCK_FIN */
    STUCK_GAVE_UP,          /* its host gave up retransmitting data it sent
                               there (analysis_gave_up_by()): the socket is
                               gone, closed by the kernel, not the application */
};
/* "fin", "rst", "peer-rst", "gave-up"; NULL for STUCK_STILL */
const char *stuck_exit_name(enum stuck_exit k);

/* How the client of SYNs nobody answered ended its attempt
 * (syn-unanswered's kind). */
enum attempt_end {
    ATTEMPT_GOING,          /* as far as the capture shows, still trying */
    ATTEMPT_GAVE_UP,        /* no SYN came again in time
                               (conn_attempt_abandoned()) */
    ATTEMPT_SUPERSEDED,     /* a new SYN from the same port with a new ISN:
                               a new socket, the old one gone */
};

/* What the sender of a challenged SYN did next (syn-challenged's kind). */
enum challenge_outcome {
    CHALLENGE_OPEN,         /* nothing yet, as far as the capture shows */
    CHALLENGE_RETRIED,      /* its SYN again, still met by the old connection */
    CHALLENGE_RESET,        /* a RST at the challenge ACK's number: it had
                               lost the old connection, which it ended */
    CHALLENGE_STRAY,        /* it went on with the old connection: the SYN
                               was stray (or forged) */
};
/* "retried", "reset", "stray"; NULL for CHALLENGE_OPEN */
const char *challenge_outcome_name(enum challenge_outcome k);

#define ANOMALY_EVIDENCE 4

/* One anomaly on one connection.  Repeated occurrences of the same id on the
 * same connection are folded into one record: count, first and last time,
 * and the first few packets as evidence. */
struct anomaly {
    uint8_t id;             /* enum anomaly_id */
    int8_t who;             /* CLIENT, SERVER, or -1 when no endpoint is to blame */
    uint8_t kind : 4;       /* rst-abort: enum rst_kind; close-wait-stuck:
                               enum stuck_exit; synack-unacked: 1 when the
                               server then held no request; syn-unanswered:
                               enum attempt_end; others 0 */
    uint8_t nevidence : 4;  /* evidence[] in use (at most ANOMALY_EVIDENCE) */
    uint8_t state;          /* the endpoint's state when it happened (enum tcp_state) */
    uint32_t count;         /* occurrences (segments, probes, SYNs, ...) */
    uint32_t next;          /* next anomaly of the same connection (pool index) */
    /* A second id-specific amount, in 32 bits: SYN-ACK retransmissions,
     * window probes, unacknowledged bytes (a sequence-space distance),
     * SYNs per second; handshake-slow: the server's share in MICROseconds
     * (the handshake is timed in microseconds: conn_handshake()). */
    uint32_t value2;
    tstamp_t start, end;    /* first and last occurrence */
    uint32_t evidence[ANOMALY_EVIDENCE]; /* packet numbers in the capture
                                            (saturating at 2^32 - 1) */
    uint64_t value;         /* id-specific amount: bytes, nanoseconds, ... */
};
/* (Laid out without padding: one is kept for every anomaly found.) */
_Static_assert(sizeof(struct anomaly) <= 56, "an anomaly record: 56 bytes");
_Static_assert(ANOMALY_EVIDENCE < 16, "nevidence is 4 bits");
_Static_assert(RST_FORGED < 16, "an rst_kind is 4 bits");
_Static_assert(STUCK_GAVE_UP < 16, "a stuck_exit is 4 bits");

#endif
