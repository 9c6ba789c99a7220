/* analysis.h - finding anomalies as connections evolve.
 *
 * The tracker calls the analysis after it has applied each segment and each
 * event, and once more when a connection leaves the table, so anomalies are
 * known for connections still open, not only for those that ended.  What the
 * analysis keeps per connection lives in an extension record allocated only
 * for connections that need one (most clean connections never do); its index
 * is conn.ext.  Anomalies that concern a service rather than a connection
 * (syn-flood, time-wait-pileup) are kept apart and reported at the end. */
#ifndef TCPFSM_ANALYSIS_H
#define TCPFSM_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "conn.h"
#include "segment.h"
#include "tcpstate.h"

struct analysis_config {
    tstamp_t stuck_after;       /* close-wait-stuck, fin-wait-2-stuck (0: any) */
    tstamp_t slow_handshake;    /* handshake-slow */
    tstamp_t idle_after;        /* idle */
    uint32_t flood_rate;        /* syn-flood: incomplete handshakes per second */
    tstamp_t flood_window;
    uint32_t pileup;            /* time-wait-pileup: TIME_WAIT endpoints per client and service */
    uint32_t ephemeral_ports;   /* size of the client's ephemeral port range */
    uint32_t max_anomalies;     /* anomaly records kept at once */
    bool history;               /* keep Zeek-style history for every connection */
};
void analysis_config_defaults(struct analysis_config *cfg);

/* What the tracker learned about a segment before recording it: the
 * sender's and receiver's sequence state as it was. */
struct seg_facts {
    tstamp_t prev_last;         /* the connection's previous segment time */
    uint32_t snd_nxt;           /* sender's highest sequence sent, before */
    uint32_t peer_ack;          /* receiver's highest acknowledgement, before */
    uint32_t fin_seq;           /* sender's FIN, before (if it had EPF_FIN) */
    uint16_t peer_win;          /* receiver's last advertised window (unscaled) */
    uint8_t sender_flags, receiver_flags;   /* their EPF_* (conn.h), before */
    uint8_t sender_state, receiver_state;   /* before the segment */
    bool rst_accepted;          /* a RST the receiver accepted */
    bool rst_ignored;           /* a RST the receiver would not accept */
    bool handshake_done;        /* this segment completed the handshake */
    uint32_t unseen_acked;      /* bytes this segment's ACK covers beyond what
                                   the capture saw the peer send */
};

struct analysis_stats {
    uint64_t conns_with[AN__COUNT];     /* connections with each anomaly */
    uint64_t conns_any;                 /* connections with at least one */
    uint64_t occurrences[AN__COUNT];    /* summed counts */
    uint64_t not_recorded;              /* anomaly records refused: pool full */
    uint64_t ext_refused;               /* extension records refused */
    uint64_t time_wait_not_counted;     /* client TIME_WAITs not counted for
                                           time-wait-pileup: pair table full,
                                           no old single pair to give up */
    uint64_t time_wait_dropped;         /* client TIME_WAITs given up, with
                                           their single pairs, to make room */
};

/* A service-level anomaly (syn-flood, time-wait-pileup). */
struct service_anomaly {
    struct anomaly a;
    struct flow_addr server;
    uint16_t port;
    struct flow_addr client;            /* time-wait-pileup: the client */
};

struct analysis;

struct analysis *analysis_create(const struct analysis_config *cfg, uint32_t max_conns);
void analysis_destroy(struct analysis *an);

/* Hooks, called by the tracker. */
void analysis_event(struct analysis *an, struct conn *c, int role, enum tcp_state from,
                    enum tcp_event ev, const struct seg_core *seg);
void analysis_segment(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                      const struct seg_facts *f);
/* The RST from `sender` taken as its abort was not taken (tracker.c,
 * rst_not_taken()): seg, from either endpoint, shows it.  Its rst-abort
 * becomes rst-rejected. */
void analysis_rst_rejected(struct analysis *an, struct conn *c, int sender, const struct seg_core *seg);
/* The RST from `sender` its receiver took (at the sequence number it
 * expected) was not its sender's: seg, from the sender, shows it still has
 * the connection (tracker.c, rst_forged()).  Its rst-abort is of kind
 * forged. */
void analysis_rst_forged(struct analysis *an, struct conn *c, int sender, const struct seg_core *seg);
/* The connection is a socket connected to itself (its first segment). */
void analysis_self_connect(struct analysis *an, struct conn *c, const struct seg_core *seg);
/* What an ICMP error about a tracked connection's segment did to it
 * (tracker.c, icmp_error()). */
enum icmp_effect {
    ICMP_NO_EFFECT,             /* nothing: a soft error, or a segment already answered */
    ICMP_ENDED_ATTEMPT,         /* the SYN's sender left SYN_SENT for CLOSED */
    ICMP_SYNACK_UNDELIVERED,    /* the SYN-ACK's receiver went back to SYN_SENT */
};
/* An ICMP error about a segment `role` sent on c (seg: that segment, with
 * seg->icmp): syn-refused (by ICMP) or synack-lost, by its effect. */
void analysis_icmp_error(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                         enum icmp_effect effect);
/* A SYN with a new ISN from `role` met c still open at the other end,
 * which answered with a plain ACK of c (ack; NULL: the same SYN again,
 * met again): syn-challenged, on c. */
void analysis_syn_challenged(struct analysis *an, struct conn *c, int role, const struct seg_core *syn,
                             const struct seg_core *ack);
/* The receiver acknowledged the SYN after all: its plain ACK was no
 * challenge (it was on its way before the SYN came) - unless more showed it
 * was. */
void analysis_syn_unchallenged(struct analysis *an, struct conn *c);
/* The RST that ended c never arrived (its receiver went on): no abort. */
void analysis_rst_lost(struct analysis *an, struct conn *c, int sender);
/* What the challenged SYN's sender did next, shown by seg. */
void analysis_syn_challenge_end(struct analysis *an, struct conn *c, enum challenge_outcome o,
                                const struct seg_core *seg);
void analysis_reused(struct analysis *an, struct conn *c, bool in_time_wait, bool isn_above,
                     const struct seg_core *seg);
/* Endpoint `role` leaves CLOSE_WAIT by event `ev` (its FIN or RST, or the
 * peer's RST) in seg; it was quiet there since `entered` (packet
 * `entered_pkt`).  Called before the state changes. */
void analysis_left_close_wait(struct analysis *an, struct conn *c, int role, tstamp_t entered,
                              uint32_t entered_pkt, enum tcp_event ev, const struct seg_core *seg);
void analysis_time_wait(struct analysis *an, struct conn *c, bool entering);
/* Where the TIME_WAIT pair table, when full, finds pairs to give up: the
 * connection in TIME_WAIT after `after` in order of time spent there,
 * longest first (`after` NULL, or no longer in TIME_WAIT: the first; NULL:
 * no more).  Without one, a full table refuses new pairs. */
typedef struct conn *(*analysis_tw_walk)(void *ctx, struct conn *after);
void analysis_set_time_wait_walk(struct analysis *an, analysis_tw_walk walk, void *ctx);
/* Two handshake anomalies analysis_retire() settles on the final picture,
 * judged as of now without recording anything (the live view shows them
 * before the connection leaves): *a filled as the record would be (id,
 * who, start, end, count, value, state, kind); false if it does not hold. */
bool analysis_judge_syn_unanswered(const struct conn *c, tstamp_t now, struct anomaly *a);
bool analysis_judge_synack_unacked(const struct conn *c, tstamp_t now, struct anomaly *a);
/* ... and idle: no segment for more than --idle-after while an endpoint is
 * still in the connection (value: the silence so far). */
bool analysis_judge_idle(const struct analysis *an, const struct conn *c, tstamp_t now, struct anomaly *a);
/* Before the connection is handed to observers: settle anomalies that are
 * judged on the final picture (unanswered, stuck, ongoing stalls). */
void analysis_retire(struct analysis *an, struct conn *c, tstamp_t now);
/* Did the endpoint role stop retransmitting data still unacknowledged, as
 * of now (the retransmissions anomaly's "stopped")?  A TCP retransmits
 * until it gives up and closes the connection (RFC 1122 4.2.3.5, R2), so
 * it is CLOSED; *when: when its next retransmission was due, at most now.
 * Changes nothing. */
bool analysis_gave_up_by(const struct analysis *an, const struct conn *c, int role, tstamp_t now, tstamp_t *when);
/* The state endpoint role is in, as of now, by what did not come - CLOSED
 * once it gave up retransmitting (analysis_gave_up_by(); an may be NULL:
 * not judged), LISTEN for a server that holds no request
 * (conn_request_dropped()), CLOSED for a client that gave up its attempt
 * (conn_attempt_abandoned()) - or -1; *when: since when, *ev: the
 * pseudo-event.  The tracker applies it as the connection leaves the
 * table (after analysis_retire()), a view shows it as soon as it holds;
 * the rule is this one function for both.  Changes nothing. */
int analysis_silent_state(const struct analysis *an, const struct conn *c, int role, tstamp_t now, tstamp_t *when,
                          unsigned *ev);
/* The connection's syn-unanswered: its service answered `answered` other
 * connections and still sent SYN-ACKs after these SYNs (the tracker's
 * listeners). */
void analysis_service_answered(struct analysis *an, const struct conn *c, uint64_t answered);
/* A segment of role's the capture had out of order, which the tracker
 * counted without applying (a SYN after the SYN-ACK that answered it, a
 * FIN after the ACK of it): in the history, and a FIN fills what its peer
 * acknowledged. */
void analysis_late_segment(struct analysis *an, struct conn *c, int role, const struct seg_core *seg);
/* Its client's attempt, SYNs nobody answered, was superseded by a new SYN
 * from the same port with a new ISN (syn-unanswered says the client gave up,
 * and how), unless the quiet time had already said so. */
void analysis_attempt_superseded(struct analysis *an, const struct conn *c);
/* The endpoint's stuck anomaly at `now` - close-wait-stuck or
 * fin-wait-2-stuck: in CLOSE_WAIT or FIN_WAIT_2 for --stuck-after or longer
 * - or AN__COUNT.  Never for an endpoint the capture has no packet from:
 * its FIN may have gone by a path the capture does not see.  The report's
 * rule and the live view's. */
enum anomaly_id analysis_stuck(const struct analysis *an, const struct conn *c, int role, tstamp_t now);
/* That anomaly as analysis_retire() records it, judged as of now without
 * recording anything: *a filled (id, who, start, end, count, value, state,
 * kind, the evidence); its time ends when the endpoint's host gave up
 * retransmitting what it sent there (kind STUCK_GAVE_UP), if it did. */
bool analysis_judge_stuck(const struct analysis *an, const struct conn *c, int role, tstamp_t now, struct anomaly *a);
/* The one-sided anomaly, the report's rule and the live view's, judged as
 * of now like the others above: who is the endpoint (CLIENT or SERVER) a
 * one-directional capture missed - no packet from it, while the other's
 * acknowledgements moved on (CF_ACKED_UNSEEN); count the other's packets. */
bool analysis_judge_one_sided(const struct conn *c, struct anomaly *a);
/* When the zero-window stall the endpoint (CLIENT or SERVER) advertised
 * began, if it is still going on; 0 if none is.  The report adds a stall's
 * time when it ends; the live view, to show the stall so far. */
tstamp_t analysis_zero_window_since(const struct analysis *an, const struct conn *c, int role);
/* The capture has ended: the connections that retire from now on do so
 * because of it (tracker_finish()). */
void analysis_ending(struct analysis *an);
/* After the observers: free what the connection held. */
void analysis_release(struct analysis *an, struct conn *c);
/* End of input: service-level anomalies. */
void analysis_finish(struct analysis *an, tstamp_t now);

/* Reading, for reports. */
struct history;
/* The connection's Zeek-style history (NULL unless config.history). */
const struct history *analysis_history(const struct analysis *an, const struct conn *c);
uint32_t analysis_mask(const struct analysis *an, const struct conn *c);
const struct anomaly *analysis_first(const struct analysis *an, const struct conn *c);
const struct anomaly *analysis_next(const struct analysis *an, const struct anomaly *a);
const struct service_anomaly *analysis_service_anomalies(const struct analysis *an, uint32_t *n);
const struct analysis_stats *analysis_stats(const struct analysis *an);
const struct analysis_config *analysis_config(const struct analysis *an);

#endif
