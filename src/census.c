/* census.c - counting what connections came to. */
#include "census.h"

#include <string.h>

void census_init(struct census *c)
{
    memset(c, 0, sizeof *c);
}

bool conn_clean(const struct conn *c)
{
    for (int r = 0; r < 2; r++) {
        const struct conn_end *e = &c->ep[r];
        if (!(e->flags & EPF_FIN) || (e->flags & EPF_RST))
            return false;
        if (e->state != ST_CLOSED && e->state != ST_TIME_WAIT)
            return false;
    }
    return true;
}


void census_add(struct census *c, const struct conn_view *v)
{
    const struct conn *conn = v->c;
    tstamp_t now = v->now;
    bool at_end = v->why == RETIRE_END;
    c->conns++;
    for (int r = 0; r < 2; r++) {
        const struct conn_end *e = &conn->ep[r];
        c->state[r][e->state]++;
        hist_add(&c->age[r][e->state], now - conn_since(conn, r));
        if (conn_inferred(conn, r))
            c->inferred[r]++;
    }
    if (conn->node.family == 6)
        c->ipv6++;

    uint32_t mask = v->mask, left = mask;
    for (int i; (i = anomaly_mask_next(&left)) >= 0;)
        c->anomalies[i]++;

    /* handshakes */
    if (conn->flags & (CF_PICKED_UP | CF_SYNACK_FIRST))
        c->hs_unseen++;
    else if (ep_sent_syn(&conn->ep[CLIENT]))
        c->hs_attempted++;
    if (conn->flags & CF_HS_DONE)
        c->hs_completed++;
    if (mask & (1u << AN_SYN_REFUSED))
        c->hs_refused++;
    if (mask & (1u << AN_SYN_UNANSWERED))
        c->hs_unanswered++;
    if (mask & (1u << AN_SYNACK_UNACKED))
        c->hs_half_open++;
    if (mask & (1u << AN_SYN_RETRANSMITTED))
        c->hs_retransmitted++;
    int64_t rtt, sv, cl;
    if (conn_handshake(conn, &rtt, &sv, &cl)) {
        hist_add(&c->rtt, rtt);
        hist_add(&c->rtt_server, sv);
        hist_add(&c->rtt_client, cl);
    }

    /* teardowns */
    bool cfin = conn->ep[CLIENT].flags & EPF_FIN, sfin = conn->ep[SERVER].flags & EPF_FIN;
    bool rst = (conn->ep[CLIENT].flags | conn->ep[SERVER].flags) & EPF_RST;
    if (conn_clean(conn))
        c->clean++;
    if (conn->flags & CF_FIN_CROSSED)
        c->closed_by[2]++;
    else if (conn->flags & CF_CLIENT_FIN_FIRST)
        c->closed_by[CLIENT]++;
    else if (conn->flags & CF_SERVER_FIN_FIRST)
        c->closed_by[SERVER]++;
    if (mask & (1u << AN_RST_ABORT)) {
        for (uint32_t i = 0; i < v->nanomalies; i++)
            if (v->anomalies[i].id == AN_RST_ABORT && v->anomalies[i].kind < sizeof c->rst / sizeof c->rst[0])
                c->rst[v->anomalies[i].kind]++;
    }
    if (mask & (1u << AN_SYN_REFUSED))
        c->rst_refused++;
    if (at_end && !rst) {
        if (cfin != sfin)
            c->half_closed++;
        else if (!cfin && conn->ep[CLIENT].state != ST_CLOSED)
            c->open_at_end++;
    }
}
