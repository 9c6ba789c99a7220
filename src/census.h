/* census.h - what the connections came to: endpoint states, their ages,
 * handshakes and teardowns, over all connections.
 *
 * Fed every connection as it leaves the tracker, with the anomalies found on
 * it; reports read it at the end.  It never changes the model. */
#ifndef TCPFSM_CENSUS_H
#define TCPFSM_CENSUS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis.h"
#include "conn.h"
#include "connview.h"
#include "hist.h"
#include "tcpstate.h"

struct census {
    uint64_t state[2][ST__COUNT];   /* [CLIENT/SERVER][state] */
    struct hist age[2][ST__COUNT];  /* time in that state when last seen */
    uint64_t inferred[2];           /* endpoints whose state is a guess */
    uint64_t conns;
    uint64_t ipv6;
    /* handshakes */
    uint64_t hs_attempted;          /* a client SYN was seen */
    uint64_t hs_completed;          /* ... and the handshake completed */
    uint64_t hs_refused, hs_unanswered, hs_half_open;
    uint64_t hs_retransmitted;      /* completed after SYN/SYN-ACK retransmissions */
    uint64_t hs_unseen;             /* picked up mid-stream or at the SYN-ACK */
    struct hist rtt;                /* SYN to handshake ACK */
    struct hist rtt_server;         /* SYN to SYN-ACK */
    struct hist rtt_client;         /* SYN-ACK to ACK */
    /* teardowns */
    uint64_t clean;                 /* FINs both ways, no reset */
    uint64_t closed_by[3];          /* first FIN from client, server, or crossing */
    uint64_t rst[RST_FORGED + 1];   /* rst-abort by enum rst_kind */
    uint64_t rst_refused;           /* resets refusing a SYN */
    uint64_t half_closed;           /* at the end: one FIN only, no reset */
    uint64_t open_at_end;           /* no FIN, no reset, still tracked at the end */
    uint64_t anomalies[AN__COUNT];  /* connections with each anomaly */
};

void census_init(struct census *c);
/* A connection leaving the tracker (the view needs its anomaly records for
 * the kinds of reset). */
void census_add(struct census *c, const struct conn_view *v);
/* Did the connection end cleanly: both FINs, no RST, both ends closed or in
 * TIME_WAIT? */
bool conn_clean(const struct conn *c);

#endif
