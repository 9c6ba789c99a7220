/* conn.h - one TCP connection as tcpfsm tracks it.
 *
 * Kept compact (it is the per-connection memory cost): the table node with
 * the key, times, and the two endpoints.  ep[CLIENT] is the endpoint that
 * opened the connection (sent the first SYN); ep[SERVER] the other. */
#ifndef TCPFSM_CONN_H
#define TCPFSM_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "conntab.h"
#include "segment.h"
#include "tcpstate.h"

enum { CLIENT = 0, SERVER = 1 };

/* Endpoint flags: what we have seen from this endpoint. */
enum {
    EPF_ISN = 0x0001,       /* isn is valid (it sent a SYN or SYN-ACK) */
    EPF_SEQ = 0x0002,       /* snd_nxt is valid (it sent anything) */
    EPF_ACK = 0x0004,       /* ack is valid (it sent an ACK) */
    EPF_FIN = 0x0008,       /* fin_seq is valid (it sent a FIN) */
    EPF_SYN = 0x0010,       /* it sent a SYN without ACK */
    EPF_SYNACK = 0x0020,    /* it sent a SYN+ACK */
    EPF_WSCALE = 0x0040,    /* its SYN carried a window scale option */
    EPF_RST = 0x0080,       /* it sent a RST */
    EPF_INFERRED = 0x0100,  /* its state rests on a guess, not on packets seen */
};

struct conn_end {
    uint32_t isn;           /* initial sequence number */
    uint32_t snd_nxt;       /* highest sequence number it has sent, plus one */
    uint32_t ack;           /* highest acknowledgement it has sent */
    uint32_t fin_seq;       /* sequence number of its FIN */
    uint32_t pkts;          /* segments sent */
    uint16_t win;           /* last window advertised (unscaled) */
    uint8_t wscale;         /* window scale from its SYN */
    uint8_t state;          /* enum tcp_state */
    uint64_t bytes;         /* TCP payload bytes sent, retransmissions included */
    tstamp_t since;         /* when it entered its state (TIME_WAIT: when the
                               2 MSL timer last started) */
    uint16_t flags;         /* EPF_* */
    uint8_t syns;           /* SYN or SYN-ACK segments sent (saturating) */
    uint8_t fins;           /* FIN segments sent (saturating) */
    uint32_t rst_ignored;   /* RSTs it sent that its peer would not accept */
};

/* Connection flags. */
enum {
    CF_PICKED_UP = 0x01,    /* first seen mid-stream: no SYN or SYN-ACK */
    CF_SYNACK_FIRST = 0x02, /* first seen at the SYN-ACK: the SYN was missed */
    CF_REUSED = 0x04,       /* a new incarnation of a 4-tuple we still tracked */
    CF_REUSED_IN_TW = 0x08, /* ... while the earlier one was in TIME_WAIT */
    CF_LISTENER_NOTED = 0x10,
};

struct conn {
    struct ct_node node;    /* key, hash chain, expiry list; node.user[0] = client side */
    uint32_t id;            /* 1, 2, ... in order of creation */
    tstamp_t first, last;   /* first and last segment */
    struct conn_end ep[2];  /* [CLIENT], [SERVER] */
    uint32_t prev_id;       /* the incarnation this one replaced (if CF_REUSED) */
    uint8_t flags;          /* CF_* */
    uint8_t prev_states;    /* client << 4 | server state of that incarnation */
    uint8_t spare[2];
};

/* Which key side (0 or 1) holds the client. */
static inline int conn_client_side(const struct conn *c) { return c->node.user[0]; }

/* Addresses and ports by role. */
void conn_addr(const struct conn *c, int role, struct flow_addr *a);
static inline uint16_t conn_port(const struct conn *c, int role)
{
    return c->node.key.port[role == CLIENT ? conn_client_side(c) : !conn_client_side(c)];
}

/* True when neither endpoint holds connection state any more. */
static inline bool conn_finished(const struct conn *c)
{
    return (c->ep[0].state == ST_CLOSED || c->ep[0].state == ST_LISTEN) &&
           (c->ep[1].state == ST_CLOSED || c->ep[1].state == ST_LISTEN);
}

#endif
