/* history.c - Zeek-style history and conn_state for tcpfsm connections. */
#include "history.h"

#include <string.h>

#include "seq.h"
#include "zeekstate.h"

enum {
    SEEN_SYN = 1, SEEN_FIN = 2, SEEN_RST = 4, SEEN_D = 8, SEEN_A = 16, SEEN_I = 32, SEEN_Q = 64,
};

static void add(struct history *h, char code)
{
    if (h->len < HISTORY_MAX) {
        h->s[h->len++] = code;
        h->s[h->len] = 0;
    }
}

static char letter(char upper, int role)
{
    return role == CLIENT ? upper : (char)(upper - 'A' + 'a');
}

/* A once-per-direction letter. */
static void once(struct history *h, int role, uint16_t mask, char upper)
{
    uint16_t m = (uint16_t)(role == CLIENT ? mask : mask << 8);
    if (h->seen & m)
        return;
    h->seen |= m;
    add(h, letter(upper, role));
}

/* S/H, F, R: the first, then again whenever the sequence number moves. */
static void again_on_change(struct history *h, int role, uint8_t have_bit, uint32_t *last, uint32_t seq,
                            char upper)
{
    uint8_t bit = (uint8_t)(role == CLIENT ? have_bit : have_bit << 1);
    if (!(h->have & bit) || seq != *last)
        add(h, letter(upper, role));
    h->have |= bit;
    *last = seq;
}

/* W and T: on the 1st, 10th, 100th ... occurrence. */
static void scaled(struct history *h, int role, uint16_t *cnt, uint8_t *next, char upper)
{
    if (*cnt < UINT16_MAX)
        (*cnt)++;
    uint32_t at = 1;
    for (uint8_t i = 0; i < *next; i++)
        at *= 10;
    if (*cnt == at) {
        add(h, letter(upper, role));
        (*next)++;
    }
}

void history_start(struct history *h, bool first_from_server)
{
    memset(h, 0, sizeof *h);
    if (first_from_server)
        add(h, '^');
}

void history_segment(struct history *h, int role, const struct seg_core *seg, bool had_seq,
                     uint32_t prev_snd_nxt, bool peer_fin, bool sender_reset)
{
    uint8_t f = seg->flags;
    int n = !!(f & TH_SYN) + !!(f & TH_FIN) + !!(f & TH_RST);
    int r = role == CLIENT ? 0 : 1;
    if (n > 1) {
        if ((f & TH_FIN) && (f & TH_RST))
            once(h, role, SEEN_I, 'I');
        else
            once(h, role, SEEN_Q, 'Q');
    } else if (f & TH_SYN) {
        again_on_change(h, role, 0x01, &h->last_syn[r], seg->seq, (f & TH_ACK) ? 'H' : 'S');
    } else if (f & TH_FIN) {
        again_on_change(h, role, 0x04, &h->last_fin[r], seg->seq + seg->payload_len, 'F');
    } else if (f & TH_RST) {
        again_on_change(h, role, 0x10, &h->last_rst[r], seg->seq, 'R');
    } else if (seg->payload_len) {
        once(h, role, SEEN_D, 'D');
    } else if (f & TH_ACK) {
        once(h, role, SEEN_A, 'A');
    }
    /* zero window: not with RST, nor once the peer has closed */
    if (seg->have_win && seg->win == 0 && !(f & TH_RST) && !peer_fin && !sender_reset)
        scaled(h, role, &h->w_cnt[r], &h->w_next[r], 'W');
    /* retransmission: payload that does not extend what the sender sent */
    if (seg->payload_len && !(f & TH_RST) && had_seq &&
        seq_leq(seg->seq + seg->payload_len + ((f & TH_SYN) ? 1u : 0) + ((f & TH_FIN) ? 1u : 0), prev_snd_nxt))
        scaled(h, role, &h->t_cnt[r], &h->t_next[r], 'T');
}

/* Zeek's endpoint state, derived from what tcpfsm saw of the endpoint. */
static int zeek_state(const struct conn *c, int role)
{
    const struct conn_end *e = &c->ep[role], *p = &c->ep[!role];
    bool both_fin = (e->flags & EPF_FIN) && (p->flags & EPF_FIN);
    if ((e->flags & EPF_RST) && !both_fin)
        return ZST_RESET;
    if (e->flags & EPF_FIN)
        return ZST_CLOSED;
    if (e->pkts == 0)
        return ZST_INACTIVE;
    if (role == CLIENT) {
        if (ep_sent_syn(e))
            return ep_sent_synack(p) ? ZST_ESTABLISHED : ZST_SYN_SENT;
        if (ep_sent_synack(e))
            return ZST_SYN_ACK_SENT;
        return ep_sent_synack(p) ? ZST_ESTABLISHED : ZST_PARTIAL;
    }
    if (ep_sent_syn(e) || ep_sent_synack(e))
        return ZST_ESTABLISHED;
    return ep_sent_syn(p) ? ZST_ESTABLISHED : ZST_PARTIAL;
}

const char *history_conn_state(const struct history *h, const struct conn *c)
{
    return zeek_conn_state(zeek_state(c, CLIENT), zeek_state(c, SERVER), conn_bytes(c, CLIENT),
                           conn_bytes(c, SERVER), h ? h->s : "");
}
