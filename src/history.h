/* history.h - Zeek's history letters for tcpfsm's connections.
 *
 * The JSON and CSV reports give every connection Zeek's "history" and
 * "conn_state", computed on tcpfsm's own connection boundaries (the exact
 * conn.log, with Zeek's own boundaries and timers, is --format zeek).
 * Letters follow Zeek's update_history: S H A D F R I Q once per direction
 * (S/H, F and R again when the sequence number changes), W and T counted on
 * the 1st, 10th, 100th... occurrence; upper case for the client (Zeek's
 * originator), lower case for the server; '^' first when the first packet
 * came from the server. */
#ifndef TCPFSM_HISTORY_H
#define TCPFSM_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "segment.h"

#define HISTORY_MAX 23

struct history {
    char s[HISTORY_MAX + 1];
    uint8_t len;
    uint8_t have;               /* SYN/FIN/RST seen, per direction */
    uint16_t seen;              /* once-per-direction letters recorded */
    uint32_t last_syn[2], last_fin[2], last_rst[2];
    uint16_t t_cnt[2], w_cnt[2];
    uint8_t t_next[2], w_next[2];   /* next counted letter at 10^next */
};

/* Before the connection's first segment. */
void history_start(struct history *h, bool first_from_server);
/* One segment from role, with the sender's highest sequence before it
 * (had_seq false if none) and whether the peer had sent a FIN. */
void history_segment(struct history *h, int role, const struct seg_core *seg, bool had_seq,
                     uint32_t prev_snd_nxt, bool peer_fin, bool sender_reset);
/* Zeek's conn_state for the connection, from its endpoints and history. */
const char *history_conn_state(const struct history *h, const struct conn *c);

#endif
