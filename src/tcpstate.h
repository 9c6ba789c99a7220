/* tcpstate.h - the RFC 793 endpoint state machine, as seen by a sniffer.
 *
 * A passive observer sees each segment once, between its sender and its
 * receiver.  tcpfsm turns every segment into two events: a send event for the
 * sender, then a receive event for the receiver, and looks both up in one
 * table (tcpstate.c).  The events are not just flags: the tracker classifies
 * each segment against what it has seen of the connection (is this SYN a
 * retransmission? does this ACK cover our FIN?), so the table itself stays a
 * plain function of (state, event) that can be read against RFC 793's
 * diagram. */
#ifndef TCPFSM_TCPSTATE_H
#define TCPFSM_TCPSTATE_H

#include <stdint.h>

enum tcp_state {
    ST_CLOSED,
    ST_LISTEN,
    ST_SYN_SENT,
    ST_SYN_RCVD,
    ST_ESTABLISHED,
    ST_FIN_WAIT_1,
    ST_FIN_WAIT_2,
    ST_CLOSE_WAIT,
    ST_CLOSING,
    ST_LAST_ACK,
    ST_TIME_WAIT,
    ST__COUNT
};

enum tcp_event {
    /* The endpoint sent the segment. */
    EV_SND_SYN,             /* SYN without ACK, new initial sequence number */
    EV_SND_SYN_AGAIN,       /* SYN retransmitted (same initial sequence number) */
    EV_SND_SYNACK,          /* its first SYN+ACK */
    EV_SND_SYNACK_AGAIN,    /* SYN+ACK retransmitted */
    EV_SND_ACK,             /* ACK, with or without data; no SYN/FIN/RST; not covering the peer's FIN */
    EV_SND_ACK_PEERFIN,     /* ACK as above, covering the peer's FIN; the peer has not
                               acknowledged a FIN of the sender */
    EV_SND_ACK_BOTHFIN,     /* ACK as above, covering the peer's FIN; the peer has
                               acknowledged the sender's FIN */
    EV_SND_FIN,             /* its first FIN; does not acknowledge a FIN of the peer */
    EV_SND_FIN_PEERFIN,     /* its first FIN, acknowledging the peer's FIN */
    EV_SND_FIN_AGAIN,       /* FIN retransmitted; does not acknowledge the peer's FIN */
    EV_SND_FIN_AGAIN_PEERFIN, /* FIN retransmitted, acknowledging the peer's FIN */
    EV_SND_RST,             /* RST */
    /* The endpoint received the segment (assumed delivered). */
    EV_RCV_SYN,             /* SYN without ACK */
    EV_RCV_SYNACK,          /* SYN+ACK acknowledging our SYN */
    EV_RCV_ACK,             /* ACK without SYN/FIN/RST, not covering our FIN */
    EV_RCV_ACK_OF_FIN,      /* ACK (no FIN) covering our FIN */
    EV_RCV_FIN,             /* FIN whose ACK does not cover our FIN */
    EV_RCV_FIN_ACK_OF_FIN,  /* FIN whose ACK covers our FIN */
    EV_RCV_RST,             /* RST acceptable to us (others never get here) */
    EV_RCV_BAD_ACK,         /* handshake segment acknowledging nothing we sent */
    EV__COUNT
};

/* Not in the table: TIME_WAIT's 2 MSL timer ran out (TIME_WAIT -> CLOSED). */
#define EV_TIMEOUT EV__COUNT
/* Nor this: an endpoint CLOSED by a RST that it or its peer then showed was
 * not taken goes back to the state its sequence numbers show (tracker.c,
 * rst_not_taken()). */
#define EV_RST_NOT_TAKEN (EV__COUNT + 1)
/* Nor this: a FIN the capture missed, inferred when the connection leaves
 * the table (tracker.c, missed_first_fin()). */
#define EV_FIN_INFERRED (EV__COUNT + 2)
/* Nor this: an endpoint taken to CLOSE_WAIT by its peer's FIN sends its own
 * FIN without acknowledging that one, too late for the two to have crossed:
 * the peer's FIN never reached it (tracker.c, fin_lost()). */
#define EV_FIN_LOST (EV__COUNT + 3)
/* Nor this: an ICMP error about a segment shows it was not delivered: the
 * SYN of an endpoint in SYN_SENT (it gives up: CLOSED), or the SYN-ACK its
 * peer was taken to ESTABLISHED by (back to SYN_SENT) (tracker.c,
 * icmp_error()). */
#define EV_ICMP_ERROR (EV__COUNT + 4)
/* Nor this: an endpoint whose retransmissions of data its peer never
 * acknowledged stopped, when its retransmission timer would have sent them
 * again: it gave up and closed the connection without a RST (RFC 1122
 * 4.2.3.5), inferred as the connection leaves the table (tracker.c,
 * retire()). */
#define EV_GAVE_UP (EV__COUNT + 5)
/* Nor this: a server in SYN_RCVD that sent nothing more for as long as its
 * SYN-ACK timer would have sent it again holds no request: it answered with
 * a SYN cookie, or dropped the request after its last retransmission -
 * back to LISTEN, inferred as the connection leaves the table (tracker.c,
 * conn_request_dropped()). */
#define EV_REQUEST_DROPPED (EV__COUNT + 6)

struct tcp_transition {
    uint8_t next;           /* enum tcp_state */
    const char *why;        /* the reason, in words, for reports and review */
};

/* The table itself (src/tcpstate.c), and the answer for a state or event
 * out of range. */
extern const struct tcp_transition tcp_fsm[ST__COUNT][EV__COUNT];
extern const struct tcp_transition tcp_transition_invalid;

/* next state and reason for (state, event); never NULL.  Inline: the
 * tracker looks up every event of every segment. */
static inline const struct tcp_transition *tcp_transition(enum tcp_state s, enum tcp_event e)
{
    if ((unsigned)s >= ST__COUNT || (unsigned)e >= EV__COUNT)
        return &tcp_transition_invalid;
    return &tcp_fsm[s][e];
}

/* "ESTABLISHED", "TIME_WAIT", ...: spelled as netstat and ss do. */
const char *tcp_state_name(enum tcp_state s);
/* "snd_syn", "rcv_fin_ack_of_fin", ... */
const char *tcp_event_name(enum tcp_event e);
/* Parse a state name (case-insensitive, '-' or '_'); -1 if unknown. */
int tcp_state_parse(const char *name);

/* True for events in the EV_SND_* half. */
static inline int tcp_event_is_send(enum tcp_event e)
{
    return e <= EV_SND_RST;
}

#endif
