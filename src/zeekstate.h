/* zeekstate.h - Zeek's conn_state, from its endpoint states and history.
 *
 * Shared by the Zeek conn.log engine (zeekconn.c), which tracks Zeek's
 * endpoint states exactly, and by the JSON/CSV reports, which derive them
 * from tcpfsm's own connections (history.c). */
#ifndef TCPFSM_ZEEKSTATE_H
#define TCPFSM_ZEEKSTATE_H

#include <stdint.h>

/* Zeek's TCP_Endpoint states, in Zeek's order. */
enum zeek_ep_state {
    ZST_INACTIVE,
    ZST_SYN_SENT,
    ZST_SYN_ACK_SENT,
    ZST_PARTIAL,
    ZST_ESTABLISHED,
    ZST_CLOSED,
    ZST_RESET,
};

/* conn_state as Zeek's Conn::conn_state() computes it (conn/main.zeek):
 * os/rs are the originator's and responder's states, the sizes their
 * sequence-space byte counts, history the connection's history string. */
const char *zeek_conn_state(int os, int rs, uint64_t orig_size, uint64_t resp_size, const char *history);

#endif
