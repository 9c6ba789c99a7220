/* test_tracker.c - the tracker driven by hand-built segment sequences.
 *
 * No pcap: each scenario feeds struct segment values to tracker_segment()
 * and reads endpoint states from the connections the tracker hands to its
 * observer when they leave the table (and, mid-scenario, from
 * tracker_foreach). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "conntab.h"
#include "listeners.h"
#include "segment.h"
#include "tcpstate.h"
#include "tracker.h"
#include "unit.h"

#define MAX_RET 64
#define MAX_TR 512

struct retired {
    struct conn c;
    enum retire_reason why;
};

struct trans {
    uint32_t id;
    int role;
    enum tcp_state from, to;
    enum tcp_event ev;
    tstamp_t ts;
};

struct h {
    struct tracker *t;
    struct listeners *l;
    tstamp_t now;
    uint64_t pktno;
    struct retired ret[MAX_RET];
    int nret;
    struct trans tr[MAX_TR];
    int ntr;
};

static void on_retired(void *ctx, const struct conn *c, enum retire_reason why)
{
    struct h *h = ctx;
    if (h->nret < MAX_RET) {
        h->ret[h->nret].c = *c;
        h->ret[h->nret].why = why;
        h->nret++;
    }
}

static void on_transition(void *ctx, const struct conn *c, int role, enum tcp_state from,
                          enum tcp_event ev, tstamp_t ts)
{
    struct h *h = ctx;
    if (h->ntr < MAX_TR) {
        struct trans *x = &h->tr[h->ntr++];
        x->id = c->id;
        x->role = role;
        x->from = from;
        x->to = (enum tcp_state)c->ep[role].state;
        x->ev = ev;
        x->ts = ts;
    }
}

static struct h *h_new(const struct tracker_config *cfg)
{
    struct h *h = calloc(1, sizeof *h);
    if (!h)
        exit(99);
    struct tracker_config def;
    tracker_config_defaults(&def);
    h->l = listeners_create(64);
    h->t = tracker_create(cfg ? cfg : &def, h->l);
    if (!h->t || !h->l)
        exit(99);
    struct tracker_observer o = { h, on_retired, on_transition, NULL };
    tracker_add_observer(h->t, &o);
    h->now = 1700000000 * TS_PER_SEC;
    return h;
}

static void h_free(struct h *h)
{
    tracker_destroy(h->t);
    listeners_destroy(h->l);
    free(h);
}

static void seg(struct h *h, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len)
{
    struct segment s;
    memset(&s, 0, sizeof s);
    s.ts = h->now;
    s.pktno = ++h->pktno;
    if (!addr_parse(src, &s.src) || !addr_parse(dst, &s.dst))
        exit(99);
    s.sport = sp;
    s.dport = dp;
    s.seq = seq;
    s.ack = (flags & TH_ACK) ? ack : 0;
    s.flags = flags;
    s.hdr_len = 20;
    s.win = 65535;
    s.have_win = true;
    s.payload_len = len;
    s.ip_len = 40 + len;
    tracker_segment(h->t, &s);
    h->now += TS_PER_MS;
}

/* The usual pair: client 10.0.0.1:40000, server 10.0.0.2:80. */
#define CA "10.0.0.1"
#define SA "10.0.0.2"
#define CP 40000
#define SP 80
static void c2s(struct h *h, uint32_t seq, uint32_t ack, uint8_t fl, uint32_t len)
{
    seg(h, CA, CP, SA, SP, seq, ack, fl, len);
}
static void s2c(struct h *h, uint32_t seq, uint32_t ack, uint8_t fl, uint32_t len)
{
    seg(h, SA, SP, CA, CP, seq, ack, fl, len);
}

/* ---- the connection as tracked now ---- */

struct search {
    struct ct_key key;
    struct conn out;
    int found;
};

static void search_fn(void *ctx, const struct conn *c, uint32_t slot)
{
    (void)slot;
    struct search *s = ctx;
    struct ct_key k;
    ct_node_key(&c->node, &k);
    if (memcmp(&k, &s->key, sizeof s->key) == 0) {
        s->out = *c;
        s->found++;
    }
}

static int current(struct h *h, const char *a, uint16_t ap, const char *b, uint16_t bp, struct conn *out)
{
    struct segment s;
    struct search q;
    int dir;
    memset(&s, 0, sizeof s);
    memset(&q, 0, sizeof q);
    addr_parse(a, &s.src);
    addr_parse(b, &s.dst);
    s.sport = ap;
    s.dport = bp;
    ct_key_from_segment(&s, &q.key, &dir);
    tracker_foreach(h->t, search_fn, &q);
    if (q.found == 1)
        *out = q.out;
    return q.found;
}

/* States of the usual pair as tracked now; -1 if not tracked. */
static int now_state(struct h *h, int role)
{
    struct conn c;
    if (current(h, CA, CP, SA, SP, &c) != 1)
        return -1;
    return c.ep[role].state;
}

static const char *sn(int s) { return s < 0 ? "(none)" : tcp_state_name((enum tcp_state)s); }

#define CHECK_STATES(h, cst, sst)                                                      \
    do {                                                                               \
        int c_ = now_state(h, CLIENT), s_ = now_state(h, SERVER);                      \
        CHECKF(c_ == (cst) && s_ == (sst), "client %s server %s, want %s %s", sn(c_), \
               sn(s_), sn(cst), sn(sst));                                              \
    } while (0)

#define CHECK_RET(r, cst, sst)                                                         \
    CHECKF((r)->c.ep[CLIENT].state == (cst) && (r)->c.ep[SERVER].state == (sst),      \
           "retired conn %u: client %s server %s, want %s %s", (r)->c.id,             \
           sn((r)->c.ep[CLIENT].state), sn((r)->c.ep[SERVER].state), sn(cst), sn(sst))

static const struct retired *retired_id(struct h *h, uint32_t id)
{
    for (int i = 0; i < h->nret; i++)
        if (h->ret[i].c.id == id)
            return &h->ret[i];
    return NULL;
}

/* Transitions of one endpoint, in order, compared to a list of events. */
static void check_path(struct h *h, uint32_t id, int role, const enum tcp_event *evs,
                       const enum tcp_state *to, int n, const char *what)
{
    int k = 0;
    for (int i = 0; i < h->ntr; i++) {
        const struct trans *x = &h->tr[i];
        if (x->id != id || x->role != role)
            continue;
        CHECKF(k < n, "%s: extra transition %s -> %s on %s", what, sn(x->from), sn(x->to),
               tcp_event_name(x->ev));
        if (k < n)
            CHECKF(x->ev == evs[k] && x->to == to[k], "%s: transition %d is %s -> %s on %s, want -> %s on %s",
                   what, k, sn(x->from), sn(x->to), tcp_event_name(x->ev), sn(to[k]),
                   tcp_event_name(evs[k]));
        k++;
    }
    CHECKF(k == n, "%s: %d transitions, want %d", what, k, n);
}

static void handshake(struct h *h, uint32_t cisn, uint32_t sisn)
{
    c2s(h, cisn, 0, TH_SYN, 0);
    s2c(h, sisn, cisn + 1, TH_SYN | TH_ACK, 0);
    c2s(h, cisn + 1, sisn + 1, TH_ACK, 0);
}

/* ------------------------------------------------------------ scenarios --- */

static void test_close_from_client(void)
{
    struct h *h = h_new(NULL);
    c2s(h, 1000, 0, TH_SYN, 0);
    CHECK_STATES(h, ST_SYN_SENT, ST_LISTEN);
    s2c(h, 5000, 1001, TH_SYN | TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_SYN_RCVD);
    c2s(h, 1001, 5001, TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    c2s(h, 1001, 5001, TH_ACK | TH_PSH, 100);
    s2c(h, 5001, 1101, TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    c2s(h, 1101, 5001, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_FIN_WAIT_1, ST_CLOSE_WAIT);
    s2c(h, 5001, 1102, TH_ACK, 0);
    CHECK_STATES(h, ST_FIN_WAIT_2, ST_CLOSE_WAIT);
    s2c(h, 5001, 1102, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_LAST_ACK);
    c2s(h, 1102, 5002, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);

    struct conn c;
    CHECK(current(h, CA, CP, SA, SP, &c) == 1);
    CHECK_EQ(c.ep[CLIENT].isn, 1000);
    CHECK_EQ(c.ep[SERVER].isn, 5000);
    CHECK_EQ(c.ep[CLIENT].fin_seq, 1101);
    CHECK_EQ(c.ep[SERVER].fin_seq, 5001);
    CHECK_EQ(c.ep[CLIENT].snd_nxt, 1102);
    CHECK_EQ(conn_bytes(&c, CLIENT), 100);
    CHECK_EQ(c.ep[CLIENT].pkts, 5);
    CHECK_EQ(c.ep[SERVER].pkts, 4);
    CHECK(!(c.ep[CLIENT].flags & EPF_INFERRED) && !(c.ep[SERVER].flags & EPF_INFERRED));
    CHECK_EQ(c.flags & (CF_PICKED_UP | CF_SYNACK_FIRST | CF_REUSED), 0);
    CHECK_EQ(c.flags & (CF_CLIENT_FIN_FIRST | CF_SERVER_FIN_FIRST | CF_FIN_CROSSED), CF_CLIENT_FIN_FIRST);
    CHECK_EQ(c.flags & (CF_HS_SYN | CF_HS_SYNACK | CF_HS_DONE), CF_HS_SYN | CF_HS_SYNACK | CF_HS_DONE);
    CHECK_EQ(c.ep[CLIENT].since_pkt, 8);    /* the server's FIN moved it to TIME_WAIT */
    CHECK_EQ(c.ep[SERVER].since_pkt, 9);    /* the final ACK closed it */
    CHECK_EQ(c.first_pkt, 1);
    struct flow_addr a, want;
    conn_addr(&c, CLIENT, &a);
    addr_parse(CA, &want);
    CHECK(addr_cmp(&a, &want) == 0);
    CHECK_EQ(conn_port(&c, CLIENT), CP);
    CHECK_EQ(conn_port(&c, SERVER), SP);

    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_RET(&h->ret[0], ST_TIME_WAIT, ST_CLOSED);
        CHECK_EQ(h->ret[0].why, RETIRE_END);
    }
    const struct tracker_stats *st = tracker_stats(h->t);
    CHECK_EQ(st->conns, 1);
    CHECK_EQ(st->segments, 9);
    CHECK_EQ(st->retired[RETIRE_END], 1);
    CHECK_EQ(tracker_open_conns(h->t), 0);

    static const enum tcp_event cev[] = { EV_SND_SYN, EV_RCV_SYNACK, EV_SND_FIN, EV_RCV_ACK_OF_FIN,
                                          EV_RCV_FIN_ACK_OF_FIN };
    static const enum tcp_state cto[] = { ST_SYN_SENT, ST_ESTABLISHED, ST_FIN_WAIT_1, ST_FIN_WAIT_2,
                                          ST_TIME_WAIT };
    check_path(h, 1, CLIENT, cev, cto, 5, "client path");
    static const enum tcp_event sev[] = { EV_SND_SYNACK, EV_RCV_ACK, EV_RCV_FIN, EV_SND_FIN_PEERFIN,
                                          EV_RCV_ACK_OF_FIN };
    static const enum tcp_state sto[] = { ST_SYN_RCVD, ST_ESTABLISHED, ST_CLOSE_WAIT, ST_LAST_ACK,
                                          ST_CLOSED };
    check_path(h, 1, SERVER, sev, sto, 5, "server path");

    /* the SYN-ACK proved a listener */
    uint32_t n = 0;
    const struct listener *L = listeners_sorted(h->l, &n);
    CHECK_EQ(n, 1);
    if (n == 1 && L) {
        CHECK_EQ(L[0].port, SP);
        CHECK_EQ(L[0].answered, 1);
        CHECK_EQ(L[0].refused, 0);
        addr_parse(SA, &want);
        CHECK(addr_cmp(&L[0].addr, &want) == 0);
    }
    h_free(h);
}

static void test_close_from_server(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    s2c(h, 5001, 1001, TH_ACK | TH_PSH, 300);
    c2s(h, 1001, 5301, TH_ACK, 0);
    s2c(h, 5301, 1001, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSE_WAIT, ST_FIN_WAIT_1);
    c2s(h, 1001, 5302, TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSE_WAIT, ST_FIN_WAIT_2);
    c2s(h, 1001, 5302, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_LAST_ACK, ST_TIME_WAIT);
    s2c(h, 5302, 1002, TH_ACK, 0);
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_RET(&h->ret[0], ST_CLOSED, ST_TIME_WAIT);
        CHECK_EQ(h->ret[0].c.flags & (CF_CLIENT_FIN_FIRST | CF_SERVER_FIN_FIRST | CF_FIN_CROSSED),
                 CF_SERVER_FIN_FIRST);
    }
    h_free(h);
}

static void test_simultaneous_close(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_FIN | TH_ACK, 0);
    s2c(h, 5001, 1001, TH_FIN | TH_ACK, 0);    /* crossed: does not ack the client's FIN */
    CHECK_STATES(h, ST_CLOSING, ST_CLOSING);
    c2s(h, 1002, 5002, TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSING, ST_TIME_WAIT);
    s2c(h, 5002, 1002, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_TIME_WAIT);
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_RET(&h->ret[0], ST_TIME_WAIT, ST_TIME_WAIT);
        CHECK(h->ret[0].c.flags & CF_FIN_CROSSED);
    }
    h_free(h);
}

static void test_fin_ack_close(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_FIN | TH_ACK, 0);
    s2c(h, 5001, 1002, TH_FIN | TH_ACK, 0);    /* FIN and ACK of the client's FIN at once */
    CHECK_STATES(h, ST_TIME_WAIT, ST_LAST_ACK);
    c2s(h, 1002, 5002, TH_ACK, 0);
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1)
        CHECK_RET(&h->ret[0], ST_TIME_WAIT, ST_CLOSED);
    h_free(h);
}

static void test_half_close(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_FIN | TH_ACK, 0);
    s2c(h, 5001, 1002, TH_ACK, 0);
    /* the server keeps sending; the client keeps acknowledging */
    for (uint32_t i = 0; i < 5; i++) {
        s2c(h, 5001 + i * 1000, 1002, TH_ACK, 1000);
        c2s(h, 1002, 5001 + (i + 1) * 1000, TH_ACK, 0);
        CHECK_STATES(h, ST_FIN_WAIT_2, ST_CLOSE_WAIT);
    }
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_RET(&h->ret[0], ST_FIN_WAIT_2, ST_CLOSE_WAIT);
        CHECK_EQ(conn_bytes(&h->ret[0].c, SERVER), 5000);
    }
    h_free(h);
}

static void test_refused(void)
{
    struct h *h = h_new(NULL);
    c2s(h, 1000, 0, TH_SYN, 0);
    s2c(h, 0, 1001, TH_RST | TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSED, ST_CLOSED);
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1)
        CHECK_RET(&h->ret[0], ST_CLOSED, ST_CLOSED);
    uint32_t n = 0;
    const struct listener *L = listeners_sorted(h->l, &n);
    CHECK_EQ(n, 1);
    if (n == 1 && L) {
        struct flow_addr want;
        addr_parse(SA, &want);
        CHECK(addr_cmp(&L[0].addr, &want) == 0);
        CHECK_EQ(L[0].port, SP);
        CHECK_EQ(L[0].refused, 1);
        CHECK_EQ(L[0].answered, 0);
    }
    CHECK_EQ(tracker_stats(h->t)->rst_ignored, 0);
    h_free(h);
}

static void test_unanswered_syn(void)
{
    struct h *h = h_new(NULL);
    static const int gaps[] = { 0, 1, 2, 4, 8 };
    for (int i = 0; i < 5; i++) {
        h->now += gaps[i] * TS_PER_SEC;
        c2s(h, 777, 0, TH_SYN, 0);
        CHECK_STATES(h, ST_SYN_SENT, ST_LISTEN);
    }
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_RET(&h->ret[0], ST_SYN_SENT, ST_LISTEN);
        CHECK_EQ(h->ret[0].c.ep[CLIENT].syns, 5);
        CHECK_EQ(h->ret[0].c.ep[CLIENT].pkts, 5);
        CHECK_EQ(h->ret[0].c.ep[SERVER].pkts, 0);
    }
    CHECK_EQ(tracker_stats(h->t)->conns, 1);
    CHECK_EQ(tracker_stats(h->t)->reused, 0);
    uint32_t n = 0;
    listeners_sorted(h->l, &n);
    CHECK_EQ(n, 0);             /* an unanswered SYN proves nothing */
    h_free(h);
}

static void test_synack_lost(void)
{
    struct h *h = h_new(NULL);
    c2s(h, 1000, 0, TH_SYN, 0);
    s2c(h, 5000, 1001, TH_SYN | TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_SYN_RCVD);
    h->now += TS_PER_SEC;
    c2s(h, 1000, 0, TH_SYN, 0);             /* the client never got the SYN-ACK */
    CHECK_STATES(h, ST_SYN_SENT, ST_SYN_RCVD);
    s2c(h, 5000, 1001, TH_SYN | TH_ACK, 0); /* answered again */
    CHECK_STATES(h, ST_ESTABLISHED, ST_SYN_RCVD);
    c2s(h, 1001, 5001, TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    CHECK_EQ(tracker_stats(h->t)->conns, 1);
    static const enum tcp_event cev[] = { EV_SND_SYN, EV_RCV_SYNACK, EV_SND_SYN_AGAIN, EV_RCV_SYNACK };
    static const enum tcp_state cto[] = { ST_SYN_SENT, ST_ESTABLISHED, ST_SYN_SENT, ST_ESTABLISHED };
    check_path(h, 1, CLIENT, cev, cto, 4, "SYN-ACK lost, client");
    h_free(h);
}

static void test_final_ack_lost(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_FIN | TH_ACK, 0);
    s2c(h, 5001, 1002, TH_ACK, 0);
    s2c(h, 5001, 1002, TH_FIN | TH_ACK, 0);
    c2s(h, 1002, 5002, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    struct conn before;
    CHECK(current(h, CA, CP, SA, SP, &before) == 1);

    h->now += 200 * TS_PER_MS;
    tstamp_t rexmit = h->now;
    s2c(h, 5001, 1002, TH_FIN | TH_ACK, 0); /* the server never got the final ACK */
    CHECK_STATES(h, ST_TIME_WAIT, ST_LAST_ACK);
    struct conn c;
    if (current(h, CA, CP, SA, SP, &c) == 1) {
        /* RFC 793: the retransmitted FIN restarts the 2 MSL timer */
        CHECK(conn_since(&c, CLIENT) == (rexmit / TS_PER_MS) * TS_PER_MS + (c.first % TS_PER_MS) ||
              conn_since(&c, CLIENT) / TS_PER_MS == rexmit / TS_PER_MS);
        CHECK(conn_since(&c, CLIENT) > conn_since(&before, CLIENT));
        CHECK_EQ(c.ep[SERVER].fins, 2);
    }
    c2s(h, 1002, 5002, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    CHECK_EQ(tracker_stats(h->t)->conns, 1);
    h_free(h);
}

/* An established connection with some data, windows 65535, no scaling. */
static struct h *established(void)
{
    struct h *h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_ACK | TH_PSH, 10);
    s2c(h, 5001, 1011, TH_ACK, 0);
    return h;
}

static void test_rst_out_of_window(void)
{
    /* far beyond the client's window */
    struct h *h = established();
    s2c(h, 5001 + 1000000, 0, TH_RST, 0);
    CHECK_EQ(tracker_stats(h->t)->rst_ignored, 1);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    struct conn c;
    /* a RST the receiver would not accept is stale or forged: it is not
     * taken as the server having reset */
    if (current(h, CA, CP, SA, SP, &c) == 1)
        CHECK(!(c.ep[SERVER].flags & EPF_RST));
    h_free(h);

    /* behind what the server has acknowledged */
    h = established();
    c2s(h, 1011 - 5000, 0, TH_RST, 0);
    CHECK_EQ(tracker_stats(h->t)->rst_ignored, 1);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    h_free(h);

    /* the receiver's state does not move, whatever becomes of the sender:
     * and the connection carries on */
    h = established();
    s2c(h, 5001 + 1000000, 1011, TH_RST | TH_ACK, 0);
    CHECK_EQ(now_state(h, CLIENT), ST_ESTABLISHED);
    c2s(h, 1011, 5001, TH_FIN | TH_ACK, 0);
    CHECK_EQ(now_state(h, CLIENT), ST_FIN_WAIT_1);
    h_free(h);
}

static void test_rst_in_window(void)
{
    struct h *h = established();
    s2c(h, 5001, 0, TH_RST, 0);
    CHECK_STATES(h, ST_CLOSED, ST_CLOSED);
    CHECK_EQ(tracker_stats(h->t)->rst_ignored, 0);
    tracker_finish(h->t);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1)
        CHECK_RET(&h->ret[0], ST_CLOSED, ST_CLOSED);

    /* in the window but not at its left edge */
    h_free(h);
    h = h_new(NULL);
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_RST | TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSED, ST_CLOSED);
    h_free(h);
    h = h_new(NULL);
    handshake(h, 1000, 5000);
    s2c(h, 5001 + 30000, 1001, TH_RST | TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSED, ST_CLOSED);
    h_free(h);
}

static void test_wraparound(void)
{
    struct h *h = h_new(NULL);
    const uint32_t ci = 0xffffff00u, si = 0xfffffff0u;
    handshake(h, ci, si);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    c2s(h, ci + 1, si + 1, TH_ACK, 0x200);        /* crosses 2^32 */
    uint32_t cfin = ci + 1 + 0x200;               /* 0x101 */
    CHECK_EQ(cfin, 0x101);
    s2c(h, si + 1, cfin, TH_ACK, 0x20);           /* also crosses */
    uint32_t sfin = si + 1 + 0x20;                /* 0x11 */
    c2s(h, cfin, sfin, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_FIN_WAIT_1, ST_CLOSE_WAIT);
    /* an ACK from before the wrap does not cover the FIN */
    s2c(h, sfin, 0xfffffff0u, TH_ACK, 0);
    CHECK_STATES(h, ST_FIN_WAIT_1, ST_CLOSE_WAIT);
    s2c(h, sfin, cfin + 1, TH_ACK, 0);
    CHECK_STATES(h, ST_FIN_WAIT_2, ST_CLOSE_WAIT);
    s2c(h, sfin, cfin + 1, TH_FIN | TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_LAST_ACK);
    c2s(h, cfin + 1, sfin + 1, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    struct conn c;
    if (current(h, CA, CP, SA, SP, &c) == 1) {
        CHECK_EQ(c.ep[CLIENT].fin_seq, 0x101);
        CHECK_EQ(c.ep[CLIENT].snd_nxt, 0x102);
        CHECK_EQ(c.ep[SERVER].snd_nxt, 0x12);
        CHECK_EQ(conn_bytes(&c, CLIENT), 0x200);
    }
    /* an in-window RST near the wrap is judged on the circle */
    struct h *g = h_new(NULL);
    seg(g, CA, 1, SA, 2, 0xfffffff0u, 0, TH_SYN, 0);
    seg(g, SA, 2, CA, 1, 0xffffffffu, 0xfffffff1u, TH_SYN | TH_ACK, 0);
    seg(g, CA, 1, SA, 2, 0xfffffff1u, 0, TH_ACK, 0);
    seg(g, SA, 2, CA, 1, 0x10, 0, TH_RST, 0);   /* 16 past the wrap */
    CHECK_EQ(tracker_stats(g->t)->rst_ignored, 0);
    struct conn d;
    CHECK(current(g, CA, 1, SA, 2, &d) == 1 && d.ep[CLIENT].state == ST_CLOSED);
    h_free(g);
    h_free(h);
}

static void test_time_wait_expiry(void)
{
    struct h *h = h_new(NULL);      /* MSL 30 s: TIME_WAIT lasts 60 s */
    handshake(h, 1000, 5000);
    c2s(h, 1001, 5001, TH_FIN | TH_ACK, 0);
    tstamp_t tw = h->now;
    s2c(h, 5001, 1002, TH_FIN | TH_ACK, 0);
    c2s(h, 1002, 5002, TH_ACK, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);

    /* another connection, 59 s later: still in TIME_WAIT */
    h->now = tw + 59 * TS_PER_SEC;
    seg(h, "10.9.9.9", 5555, "10.0.0.2", 22, 1, 0, TH_SYN, 0);
    CHECK_EQ(tracker_open_conns(h->t), 2);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    CHECK_EQ(h->nret, 0);

    /* 61 s: the 2 MSL timer has run out */
    h->now = tw + 61 * TS_PER_SEC;
    seg(h, "10.9.9.9", 5555, "10.0.0.2", 22, 1, 0, TH_SYN, 0);
    CHECK_EQ(tracker_open_conns(h->t), 1);
    CHECK_EQ(now_state(h, CLIENT), -1);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_EQ(h->ret[0].why, RETIRE_TIME_WAIT);
        CHECK_RET(&h->ret[0], ST_CLOSED, ST_CLOSED);
        CHECK_EQ(h->ret[0].c.id, 1);
    }
    CHECK_EQ(tracker_stats(h->t)->retired[RETIRE_TIME_WAIT], 1);
    /* the client's last transition: TIME_WAIT -> CLOSED on the timer, dated
     * at the deadline */
    int found = 0;
    for (int i = 0; i < h->ntr; i++)
        if (h->tr[i].id == 1 && h->tr[i].role == CLIENT && h->tr[i].from == ST_TIME_WAIT) {
            found++;
            CHECK(h->tr[i].ev == (enum tcp_event)EV_TIMEOUT && h->tr[i].to == ST_CLOSED);
            CHECK(h->tr[i].ts == tw + 60 * TS_PER_SEC);
        }
    CHECK_EQ(found, 1);
    h_free(h);
}

static void close_from_client(struct h *h, uint32_t ci, uint32_t si)
{
    handshake(h, ci, si);
    c2s(h, ci + 1, si + 1, TH_FIN | TH_ACK, 0);
    s2c(h, si + 1, ci + 2, TH_FIN | TH_ACK, 0);
    c2s(h, ci + 2, si + 2, TH_ACK, 0);
}

static void test_reuse_in_time_wait(void)
{
    /* the client, in TIME_WAIT, opens again from the same port */
    struct h *h = h_new(NULL);
    close_from_client(h, 1000, 5000);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    h->now += 2 * TS_PER_SEC;
    c2s(h, 900000, 0, TH_SYN, 0);
    CHECK_STATES(h, ST_SYN_SENT, ST_LISTEN);
    const struct tracker_stats *st = tracker_stats(h->t);
    CHECK_EQ(st->conns, 2);
    CHECK_EQ(st->reused, 1);
    CHECK_EQ(st->reused_in_tw, 1);
    CHECK_EQ(st->retired[RETIRE_REUSED], 1);
    struct conn c;
    if (current(h, CA, CP, SA, SP, &c) == 1) {
        CHECK_EQ(c.id, 2);
        CHECK_EQ(c.flags & (CF_REUSED | CF_REUSED_IN_TW), CF_REUSED | CF_REUSED_IN_TW);
        CHECK_EQ(c.ep[CLIENT].isn, 900000);
    }
    /* the new SYN ended the old client's TIME_WAIT (not its timer) */
    int ended = 0;
    for (int i = 0; i < h->ntr; i++)
        if (h->tr[i].id == 1 && h->tr[i].role == CLIENT && h->tr[i].from == ST_TIME_WAIT) {
            ended++;
            CHECK(h->tr[i].to == ST_CLOSED && h->tr[i].ev == (enum tcp_event)EV_TIMEOUT);
        }
    CHECK_EQ(ended, 1);
    const struct retired *old = retired_id(h, 1);
    CHECK(old != NULL);
    if (old) {
        CHECK_EQ(old->why, RETIRE_REUSED);
        CHECK_RET(old, ST_CLOSED, ST_CLOSED);    /* the new SYN ended TIME_WAIT */
    }
    s2c(h, 7000, 900001, TH_SYN | TH_ACK, 0);
    c2s(h, 900001, 7001, TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    h_free(h);

    /* the server is in TIME_WAIT (it closed first); the client reconnects
     * from the same port */
    h = h_new(NULL);
    handshake(h, 1000, 5000);
    s2c(h, 5001, 1001, TH_FIN | TH_ACK, 0);
    c2s(h, 1001, 5002, TH_FIN | TH_ACK, 0);
    s2c(h, 5002, 1002, TH_ACK, 0);
    CHECK_STATES(h, ST_CLOSED, ST_TIME_WAIT);
    c2s(h, 2000000, 0, TH_SYN, 0);
    /* held: TIME_WAIT may refuse it (an ACK of the old connection) */
    CHECK_STATES(h, ST_CLOSED, ST_TIME_WAIT);
    CHECK(retired_id(h, 1) == NULL);
    /* its SYN-ACK takes it: the new incarnation starts with the SYN */
    s2c(h, 7000, 2000001, TH_SYN | TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_SYN_RCVD);
    if (current(h, CA, CP, SA, SP, &c) == 1) {
        CHECK_EQ(c.flags & (CF_REUSED | CF_REUSED_IN_TW), CF_REUSED | CF_REUSED_IN_TW);
        CHECK_EQ(c.id, 2);
    }
    const struct retired *o2 = retired_id(h, 1);
    CHECK(o2 != NULL && o2->why == RETIRE_REUSED);
    CHECK_EQ(tracker_stats(h->t)->reused_in_tw, 1);
    h_free(h);
}

static void test_same_isn_in_time_wait(void)
{
    struct h *h = h_new(NULL);
    close_from_client(h, 1000, 5000);
    c2s(h, 1000, 0, TH_SYN, 0);     /* the old SYN again: a duplicate */
    const struct tracker_stats *st = tracker_stats(h->t);
    CHECK_EQ(st->conns, 1);
    CHECK_EQ(st->reused, 0);
    CHECK_EQ(h->nret, 0);
    CHECK_STATES(h, ST_TIME_WAIT, ST_CLOSED);
    h_free(h);
}

struct pickup_case {
    const char *src;
    uint16_t sp;
    const char *dst;
    uint16_t dp;
    int sender_is_server;
};

static void test_pickup(void)
{
    static const struct pickup_case cases[] = {
        { "10.0.0.2", 443, "10.0.0.1", 51000, 1 },   /* well-known port */
        { "10.0.0.1", 51000, "10.0.0.2", 8080, 0 },  /* registered service port */
        { "10.0.0.3", 50000, "10.0.0.4", 60000, 1 }, /* neither: the lower port */
        { "10.0.0.3", 3306, "10.0.0.4", 5432, 1 },   /* both services: the lower port */
        { "10.0.0.5", 1023, "10.0.0.6", 22, 0 },     /* both well-known: the lower port */
        { "10.0.0.5", 2000, "10.0.0.6", 33000, 1 },  /* below 32768 beats ephemeral */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pickup_case *x = &cases[i];
        struct h *h = h_new(NULL);
        seg(h, x->src, x->sp, x->dst, x->dp, 123456, 654321, TH_ACK | TH_PSH, 50);
        struct conn c;
        CHECKF(current(h, x->src, x->sp, x->dst, x->dp, &c) == 1, "case %zu", i);
        const char *srv = x->sender_is_server ? x->src : x->dst;
        uint16_t srvp = x->sender_is_server ? x->sp : x->dp;
        struct flow_addr a, want;
        conn_addr(&c, SERVER, &a);
        addr_parse(srv, &want);
        CHECKF(addr_cmp(&a, &want) == 0 && conn_port(&c, SERVER) == srvp,
               "case %zu: server is port %u, want %u", i, conn_port(&c, SERVER), srvp);
        CHECKF(c.flags & CF_PICKED_UP, "case %zu", i);
        CHECKF(c.ep[0].state == ST_ESTABLISHED && c.ep[1].state == ST_ESTABLISHED, "case %zu", i);
        CHECKF((c.ep[0].flags & EPF_INFERRED) && (c.ep[1].flags & EPF_INFERRED), "case %zu", i);
        CHECKF(c.ep[x->sender_is_server ? SERVER : CLIENT].pkts == 1, "case %zu: sender's packets", i);
        CHECK_EQ(tracker_stats(h->t)->picked_up, 1);
        h_free(h);
    }

    /* both FINs seen: no longer a guess */
    struct h *h = h_new(NULL);
    s2c(h, 5000, 1000, TH_ACK, 100);
    c2s(h, 1000, 5100, TH_FIN | TH_ACK, 0);
    s2c(h, 5100, 1001, TH_FIN | TH_ACK, 0);
    c2s(h, 1001, 5101, TH_ACK, 0);
    struct conn c;
    if (current(h, CA, CP, SA, SP, &c) == 1) {
        CHECK(!(c.ep[0].flags & EPF_INFERRED) && !(c.ep[1].flags & EPF_INFERRED));
        CHECK_EQ(c.ep[CLIENT].state, ST_TIME_WAIT);
        CHECK_EQ(c.ep[SERVER].state, ST_CLOSED);
    } else {
        CHECK(0 && "picked-up connection not tracked");
    }
    /* a new SYN on a picked-up 4-tuple is a new connection */
    c2s(h, 77777, 0, TH_SYN, 0);
    CHECK_EQ(tracker_stats(h->t)->reused, 1);
    CHECK_STATES(h, ST_SYN_SENT, ST_LISTEN);
    h_free(h);
}

static void test_synack_first(void)
{
    struct h *h = h_new(NULL);
    s2c(h, 5000, 1001, TH_SYN | TH_ACK, 0);
    struct conn c;
    CHECK(current(h, CA, CP, SA, SP, &c) == 1);
    CHECK(c.flags & CF_SYNACK_FIRST);
    CHECK_EQ(conn_port(&c, SERVER), SP);
    CHECK_STATES(h, ST_ESTABLISHED, ST_SYN_RCVD);
    /* ESTABLISHED by the SYN-ACK's arrival: still a guess, with nothing
     * from the client captured; its first segment makes it certain */
    if (current(h, CA, CP, SA, SP, &c) == 1)
        CHECK(c.ep[CLIENT].flags & EPF_INFERRED);
    c2s(h, 1001, 5001, TH_ACK, 0);
    CHECK_STATES(h, ST_ESTABLISHED, ST_ESTABLISHED);
    if (current(h, CA, CP, SA, SP, &c) == 1)
        CHECK(!(c.ep[CLIENT].flags & EPF_INFERRED));
    CHECK_EQ(tracker_stats(h->t)->synack_first, 1);
    h_free(h);
}

static void test_max_conns(void)
{
    struct tracker_config cfg;
    tracker_config_defaults(&cfg);
    cfg.max_conns = 3;
    struct h *h = h_new(&cfg);
    /* A: open; B: refused (closed); C: open */
    seg(h, CA, 1001, SA, SP, 1, 0, TH_SYN, 0);
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1002, SA, SP, 1, 0, TH_SYN, 0);
    seg(h, SA, SP, CA, 1002, 0, 2, TH_RST | TH_ACK, 0);
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1003, SA, SP, 1, 0, TH_SYN, 0);
    CHECK_EQ(tracker_open_conns(h->t), 3);
    CHECK_EQ(h->nret, 0);

    /* D: the closed one (B) goes first, though A is older */
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1004, SA, SP, 1, 0, TH_SYN, 0);
    CHECK_EQ(tracker_open_conns(h->t), 3);
    CHECK_EQ(h->nret, 1);
    if (h->nret >= 1) {
        CHECK_EQ(h->ret[0].why, RETIRE_EVICTED);
        CHECK_EQ(h->ret[0].c.id, 2);
    }
    /* E: then the longest idle open one (A) */
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1005, SA, SP, 1, 0, TH_SYN, 0);
    CHECK_EQ(h->nret, 2);
    if (h->nret >= 2) {
        CHECK_EQ(h->ret[1].why, RETIRE_EVICTED);
        CHECK_EQ(h->ret[1].c.id, 1);
    }
    const struct tracker_stats *st = tracker_stats(h->t);
    CHECK_EQ(st->retired[RETIRE_EVICTED], 2);
    CHECK_EQ(st->conns, 5);
    CHECK_EQ(st->peak_conns, 3);
    CHECK_EQ(st->no_memory, 0);
    CHECK_EQ(tracker_open_conns(h->t), 3);
    struct conn c;
    CHECK(current(h, CA, 1001, SA, SP, &c) == 0);
    CHECK(current(h, CA, 1003, SA, SP, &c) == 1);
    CHECK(current(h, CA, 1005, SA, SP, &c) == 1);

    /* activity keeps a connection from being the eviction victim */
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1003, SA, SP, 1, 0, TH_SYN, 0);      /* C retransmits */
    h->now += 100 * TS_PER_MS;
    seg(h, CA, 1006, SA, SP, 1, 0, TH_SYN, 0);
    CHECK(current(h, CA, 1003, SA, SP, &c) == 1);
    CHECK(current(h, CA, 1004, SA, SP, &c) == 0);   /* D was idle longest */
    CHECK_EQ(st->retired[RETIRE_EVICTED], 3);

    tracker_finish(h->t);
    CHECK_EQ(st->retired[RETIRE_END], 3);
    CHECK_EQ(tracker_open_conns(h->t), 0);
    /* retired at the end in order of creation */
    if (h->nret == 6)
        CHECK(h->ret[3].c.id < h->ret[4].c.id && h->ret[4].c.id < h->ret[5].c.id);
    h_free(h);
}

static void test_idle_and_clock(void)
{
    struct tracker_config cfg;
    tracker_config_defaults(&cfg);
    cfg.idle_timeout = 10 * TS_PER_SEC;
    struct h *h = h_new(&cfg);
    handshake(h, 1000, 5000);
    h->now += 11 * TS_PER_SEC;
    seg(h, "10.9.9.9", 5555, "10.0.0.2", 22, 1, 0, TH_SYN, 0);
    CHECK_EQ(h->nret, 1);
    if (h->nret == 1) {
        CHECK_EQ(h->ret[0].why, RETIRE_IDLE);
        CHECK_RET(&h->ret[0], ST_ESTABLISHED, ST_ESTABLISHED);
    }
    /* a segment stamped earlier than the last one */
    tstamp_t latest = h->now - TS_PER_MS;
    h->now -= 5 * TS_PER_SEC;
    seg(h, "10.9.9.9", 5555, "10.0.0.2", 22, 1, 0, TH_SYN, 0);
    CHECK_EQ(tracker_stats(h->t)->ts_backwards, 1);
    CHECK(tracker_now(h->t) == latest);

    /* both ends closed: retired once the linger time has passed */
    struct tracker_config cfg2;
    tracker_config_defaults(&cfg2);
    struct h *g = h_new(&cfg2);
    c2s(g, 1000, 0, TH_SYN, 0);
    s2c(g, 0, 1001, TH_RST | TH_ACK, 0);
    g->now += cfg2.linger + TS_PER_SEC;
    seg(g, "10.9.9.9", 5555, "10.0.0.2", 22, 1, 0, TH_SYN, 0);
    CHECK_EQ(g->nret, 1);
    if (g->nret == 1)
        CHECK_EQ(g->ret[0].why, RETIRE_CLOSED);
    h_free(g);
    h_free(h);
}

int main(void)
{
    test_close_from_client();
    test_close_from_server();
    test_simultaneous_close();
    test_fin_ack_close();
    test_half_close();
    test_refused();
    test_unanswered_syn();
    test_synack_lost();
    test_final_ack_lost();
    test_rst_out_of_window();
    test_rst_in_window();
    test_wraparound();
    test_time_wait_expiry();
    test_reuse_in_time_wait();
    test_same_isn_in_time_wait();
    test_pickup();
    test_synack_first();
    test_max_conns();
    test_idle_and_clock();
    return unit_done("test_tracker");
}
