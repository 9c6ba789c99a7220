/* tracker.c - from segments to connections and endpoint states.
 *
 * Per segment, in this order:
 *   1. advance capture time and, when it has moved on, run expiry;
 *   2. find the connection, or create it (evicting if the table is full), or
 *      replace it when a new SYN starts a new incarnation of the 4-tuple;
 *   3. classify the segment as the sender's event and apply it;
 *   4. record what the sender revealed (ISN, highest sequence, FIN, ACK);
 *   5. classify the segment as the receiver's event and apply it;
 *   6. put the connection on the expiry list its states call for.
 * All of it is O(1) per segment, and nothing is allocated here. */
#include "tracker.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "conntab.h"
#include "listeners.h"
#include "seq.h"

/* The expiry lists; each is ordered by time, its head is the oldest. */
enum {
    LIST_OPEN,          /* by last activity: idle expiry, eviction last */
    LIST_TIME_WAIT,     /* by start of the 2 MSL timer */
    LIST_CLOSED,        /* both closed, by last activity: linger */
};

/* Coarse time for list positions: 2^26 ns, about 67 ms.  A connection is
 * moved to its list's tail at most once per unit, which keeps pointer
 * chasing off the per-packet path while ordering stays exact to 67 ms. */
#define POS_SHIFT 26

#define MAX_OBSERVERS 4

/* SYNs waiting to be told apart (see "held SYNs" below): a few at once is
 * plenty - each is settled by the next segment or two of its connection. */
#define HELD_MAX 64

struct held_syn {
    struct conn *c;             /* NULL: a free entry */
    struct seg_core syn;        /* the SYN (the latest, once it came again) */
    struct tracker_prep prep;   /* its key, hash and direction */
    uint32_t challenge_ack;     /* the receiver's ACK that answered it */
    uint8_t role;               /* the SYN's sender */
    bool challenged;            /* answered by a plain ACK of the old
                                   connection: counted on it */
    bool reset;                 /* ... and its sender reset that connection */
    bool rst_lost;              /* ... which the receiver went on after:
                                   its RSTs at that number do not take */
    bool after_rst;             /* held on a receiver its sender's RST had
                                   closed: that RST may never have come */
    /* the receiver before that RST: back to it should it go on (the RST
     * never arrived, or its TIME_WAIT ignored it) */
    uint8_t rcv_state;
    uint32_t rcv_since_rel, rcv_since_pkt;
};

struct tracker {
    struct tracker_config cfg;
    struct conntab *tab;
    struct listeners *listeners;
    struct analysis *analysis;
    struct tracker_observer obs[MAX_OBSERVERS];
    int nobs;
    bool segment_obs;       /* some observer wants every segment */
    bool input_ended;       /* tracker_input_ended() has run (the input ends once) */
    struct tracker_stats st;
    tstamp_t now;           /* latest segment time seen (monotonic) */
    tstamp_t base;          /* time of the first segment: pos 0 */
    uint32_t now_pos;
    uint32_t expired_pos;   /* pos at which expiry last ran */
    uint32_t next_id;
    bool started;
    struct held_syn held[HELD_MAX];
};

static const char *const retire_names[RETIRE__COUNT] = {
    "closed", "time_wait_expired", "idle", "evicted", "reused", "end_of_capture",
};

const char *retire_reason_name(enum retire_reason r)
{
    return (unsigned)r < RETIRE__COUNT ? retire_names[r] : "?";
}

void tracker_config_defaults(struct tracker_config *cfg)
{
    cfg->msl = 30 * TS_PER_SEC;
    /* above the 2 h that Linux, Windows and macOS wait by default before a
     * keep-alive: a connection kept alive so is not split in two at each */
    cfg->idle_timeout = 7500 * TS_PER_SEC;
    cfg->linger = 5 * TS_PER_SEC;
    cfg->max_conns = 1u << 20;
}

struct tracker *tracker_create(const struct tracker_config *cfg, struct listeners *listeners)
{
    struct tracker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->tab = ct_create(sizeof(struct conn), cfg->max_conns);
    if (!t->tab) {
        free(t);
        return NULL;
    }
    t->listeners = listeners;
    return t;
}

/* The connections with an endpoint in TIME_WAIT, longest there first (the
 * list is ordered by the start of the 2 MSL timer): for the analysis's
 * TIME_WAIT pair table when it is full. */
static struct conn *time_wait_walk(void *ctx, struct conn *after)
{
    struct tracker *t = ctx;
    /* (`after` may have left the list, or the table, since it was given:
     * its record is still there to read) */
    if (after && ct_list_of(after) == LIST_TIME_WAIT)
        return ct_list_next(t->tab, after);
    return ct_list_head(t->tab, LIST_TIME_WAIT);
}

void tracker_set_analysis(struct tracker *t, struct analysis *analysis)
{
    t->analysis = analysis;
    if (analysis)
        analysis_set_time_wait_walk(analysis, time_wait_walk, t);
}

void tracker_destroy(struct tracker *t)
{
    if (!t)
        return;
    ct_destroy(t->tab);
    free(t);
}

void tracker_add_observer(struct tracker *t, const struct tracker_observer *o)
{
    if (t->nobs < MAX_OBSERVERS) {
        t->obs[t->nobs++] = *o;
        if (o->segment)
            t->segment_obs = true;
    }
}

const struct tracker_stats *tracker_stats(const struct tracker *t) { return &t->st; }
uint32_t tracker_open_conns(const struct tracker *t) { return ct_count(t->tab); }
size_t tracker_memory(const struct tracker *t) { return ct_memory(t->tab); }
tstamp_t tracker_now(const struct tracker *t) { return t->now; }

void conn_addr(const struct conn *c, int role, struct flow_addr *a)
{
    int side = role == CLIENT ? conn_client_side(c) : !conn_client_side(c);
    memcpy(a->b, c->node.key.addr[side], 16);
    a->family = c->node.family;
}

static uint32_t pos_of(const struct tracker *t, tstamp_t ts)
{
    if (ts <= t->base)
        return 0;
    uint64_t p = (uint64_t)(ts - t->base) >> POS_SHIFT;
    return p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
}

/* ------------------------------------------------------------ retiring --- */

static void missed_first_fin(struct tracker *t, struct conn *c);
static void set_state(struct tracker *t, struct conn *c, int role, enum tcp_state next, enum tcp_event ev,
                      tstamp_t ts, uint64_t pktno);
static void held_forget(struct tracker *t, struct conn *c, struct held_syn *replay);
static void track(struct tracker *t, const struct seg_core *seg, const struct tracker_prep *p, bool may_hold);

/* What the silence after a connection's last segment says
 * (analysis_silent_state(): an endpoint that gave up, a server that holds
 * no request, a client that gave up its attempt), judged as it leaves the
 * table, after the analysis has judged the states its packets left (stuck
 * endpoints, SYNs unanswered, a handshake never completed, retransmissions
 * stopped); the live view shows the same as soon as it holds (model.c,
 * view_state()).  Marked inferred. */
static void settle_silence(struct tracker *t, struct conn *c)
{
    for (int r = 0; r < 2; r++) {
        tstamp_t when;
        unsigned ev;
        int next = analysis_silent_state(t->analysis, c, r, t->now, &when, &ev);
        if (next >= 0) {
            c->ep[r].flags |= EPF_INFERRED;
            set_state(t, c, r, (enum tcp_state)next, (enum tcp_event)ev, when, 0);
        }
    }
}

/* A client in SYN_SENT whose own new SYN, with a new ISN, takes the
 * 4-tuple (RETIRE_REUSED): the socket that sent the old SYNs is gone - a
 * stack retransmits a SYN with the ISN it chose, and a new ISN is a new
 * socket (the application's retry after a connect timeout, or the kernel's
 * retries ran out).  It gave up the old attempt by the new SYN at the
 * latest, whatever the quiet time says. */
static bool attempt_superseded(const struct conn *c, int new_syn_role)
{
    return new_syn_role == CLIENT && c->ep[CLIENT].state == ST_SYN_SENT && ep_sent_syn(&c->ep[CLIENT]);
}

static struct held_syn *held_of(struct tracker *t, const struct conn *c);

/* retire(), for a connection whose 4-tuple a new SYN takes (new_syn: that
 * SYN, from new_syn_role; NULL for every other reason).  A SYN held on it
 * and never settled is such a SYN too, whatever retires it (it expired, or
 * is evicted): it opens its new connection once this one is gone. */
static void retire_for(struct tracker *t, struct conn *c, enum retire_reason why, const struct seg_core *new_syn,
                       int new_syn_role)
{
    struct held_syn replay = { .c = NULL };
    struct seg_core held_new;
    if (c->ep[0].syn_held) {
        const struct held_syn *h = held_of(t, c);
        if (!new_syn && h && !h->challenged) {
            held_new = h->syn;
            new_syn = &held_new;
            new_syn_role = h->role;
        }
        held_forget(t, c, why == RETIRE_TIME_WAIT || why == RETIRE_CLOSED || why == RETIRE_IDLE ? &replay : NULL);
    }
    bool superseded = new_syn && attempt_superseded(c, new_syn_role);
    missed_first_fin(t, c);
    t->st.retired[why]++;
    if (t->analysis) {
        analysis_retire(t->analysis, c, t->now);
        /* SYNs nobody answered, to a service that answered others and
         * still sent SYN-ACKs after them: a full accept queue drops SYNs
         * (or a filter these) */
        if (t->listeners && c->ep[CLIENT].state == ST_SYN_SENT && c->ep[SERVER].pkts == 0) {
            struct flow_addr a;
            conn_addr(c, SERVER, &a);
            const struct listener *l = listeners_get(t->listeners, &a, conn_port(c, SERVER));
            if (l && l->answered && l->last >= c->first)
                analysis_service_answered(t->analysis, c, l->answered);
        }
    }
    if (superseded && t->analysis)
        analysis_attempt_superseded(t->analysis, c);
    settle_silence(t, c);
    /* (after the quiet time's rule, which may date the end earlier; never
     * before its last packet, in a capture whose clock went backwards) */
    if (superseded && c->ep[CLIENT].state == ST_SYN_SENT) {
        c->ep[CLIENT].flags |= EPF_INFERRED;
        set_state(t, c, CLIENT, ST_CLOSED, (enum tcp_event)EV_GAVE_UP, new_syn->ts > c->last ? new_syn->ts : c->last, 0);
    }
    for (int i = 0; i < t->nobs; i++)
        if (t->obs[i].retired)
            t->obs[i].retired(t->obs[i].ctx, c, why);
    if (t->analysis)
        analysis_release(t->analysis, c);
    ct_delete(t->tab, c);
    /* a SYN held on it that nothing settled, as its TIME_WAIT ran out or it
     * expired: the new connection it opens (not while evicting, which is
     * making room for another, nor at the end, which replays them first) */
    if (replay.c)
        track(t, &replay.syn, &replay.prep, false);
}

static void retire(struct tracker *t, struct conn *c, enum retire_reason why)
{
    retire_for(t, c, why, NULL, 0);
}

static void set_state(struct tracker *t, struct conn *c, int role, enum tcp_state next,
                      enum tcp_event ev, tstamp_t ts, uint64_t pktno)
{
    struct conn_end *e = &c->ep[role];
    enum tcp_state from = e->state;
    if (from == next)
        return;
    e->state = (uint8_t)next;
    e->since_rel = conn_rel(c, ts);
    e->since_pkt = pktno32(pktno);
    if (t->analysis && role == CLIENT && (from == ST_TIME_WAIT || next == ST_TIME_WAIT))
        analysis_time_wait(t->analysis, c, next == ST_TIME_WAIT);
    for (int i = 0; i < t->nobs; i++)
        if (t->obs[i].transition)
            t->obs[i].transition(t->obs[i].ctx, c, role, from, ev, ts);
}

/* When the first 2 MSL timer of a connection's TIME_WAIT endpoints runs
 * out (each endpoint has its own: RFC 793 times them apart). */
static tstamp_t time_wait_deadline(const struct tracker *t, const struct conn *c)
{
    tstamp_t start = INT64_MAX;
    for (int r = 0; r < 2; r++)
        if (c->ep[r].state == ST_TIME_WAIT && conn_since(c, r) < start)
            start = conn_since(c, r);
    return start + 2 * t->cfg.msl;
}

static bool in_time_wait(const struct conn *c)
{
    return c->ep[0].state == ST_TIME_WAIT || c->ep[1].state == ST_TIME_WAIT;
}

/* Put c on the list its states call for (in_tw: in_time_wait(c), which the
 * caller knows), at the tail, keeping each list in order of time.  The
 * TIME_WAIT list is ordered by timer start, so there c moves only when a
 * timer (re)started (tw_moved); the others are ordered by last activity to
 * the coarse unit, so c moves only when its previous segment (prev_last)
 * fell in an earlier unit than now.  Pointer chasing thus stays off the
 * per-packet path. */
static void relist(struct tracker *t, struct conn *c, bool in_tw, bool tw_moved, tstamp_t prev_last)
{
    unsigned have = ct_list_of(c), want;
    if (in_tw) {
        want = LIST_TIME_WAIT;
        if (have == want && !tw_moved)
            return;
    } else {
        /* A connection closed by an unsure RST stays open to be undone
         * (rst_not_taken()) - until the idle timeout, not the linger. */
        want = conn_finished(c) && !(c->ep[0].rst_unsure | c->ep[1].rst_unsure) ? LIST_CLOSED : LIST_OPEN;
        if (have == want && pos_of(t, prev_last) == t->now_pos)
            return;
    }
    ct_list_put(t->tab, c, want);
}

static void end_time_wait(struct tracker *t, struct conn *c, tstamp_t when)
{
    for (int r = 0; r < 2; r++)
        if (c->ep[r].state == ST_TIME_WAIT)
            set_state(t, c, r, ST_CLOSED, EV_TIMEOUT, when, 0);
}

/* End the TIME_WAIT of each endpoint whose own 2 MSL is over by now. */
static void end_time_wait_due(struct tracker *t, struct conn *c)
{
    for (int r = 0; r < 2; r++) {
        tstamp_t due = conn_since(c, r) + 2 * t->cfg.msl;
        if (c->ep[r].state == ST_TIME_WAIT && due <= t->now)
            set_state(t, c, r, ST_CLOSED, EV_TIMEOUT, due, 0);
    }
}

/* Retire or advance whatever is due at time t->now.  Each list is ordered,
 * so this only ever looks at heads. */
static void expire(struct tracker *t)
{
    struct conn *c;
    while ((c = ct_list_head(t->tab, LIST_TIME_WAIT))) {
        tstamp_t d = time_wait_deadline(t, c);
        if (d > t->now)
            break;
        end_time_wait_due(t, c);
        if (conn_finished(c))
            retire(t, c, RETIRE_TIME_WAIT);
        else
            relist(t, c, in_time_wait(c), true, c->last);
    }
    while ((c = ct_list_head(t->tab, LIST_CLOSED)) && c->last + t->cfg.linger <= t->now)
        retire(t, c, RETIRE_CLOSED);
    if (t->cfg.idle_timeout > 0)
        while ((c = ct_list_head(t->tab, LIST_OPEN)) && c->last + t->cfg.idle_timeout <= t->now)
            retire(t, c, conn_finished(c) ? RETIRE_CLOSED : RETIRE_IDLE);
    t->expired_pos = t->now_pos;
}

/* Make room for one record: the longest-idle closed connection goes first,
 * then one whose TIME_WAIT is oldest, then the longest-idle of the rest. */
static bool evict_one(struct tracker *t)
{
    static const unsigned order[] = { LIST_CLOSED, LIST_TIME_WAIT, LIST_OPEN };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        struct conn *c = ct_list_head(t->tab, order[i]);
        if (c) {
            retire(t, c, RETIRE_EVICTED);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------ creating --- */

/* How strongly a port looks like a service port. */
static int service_score(uint16_t port)
{
    static const uint16_t known[] = {
        1080, 1194, 1433, 1521, 1883, 2049, 2181, 2375, 2376, 2379, 2380, 3000,
        3128, 3306, 3389, 4369, 5000, 5060, 5222, 5432, 5601, 5672, 5900, 5984,
        6379, 6443, 6667, 7000, 7001, 8000, 8008, 8080, 8081, 8088, 8443, 8888,
        9000, 9042, 9090, 9092, 9200, 9300, 9418, 11211, 15672, 27017,
    };
    if (port == 0)
        return 0;
    if (port < 1024)
        return 3;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i] == port)
            return 2;
    return port < 32768 ? 1 : 0;
}

/* For a connection picked up mid-stream: is the segment's destination the
 * server?  The well-known (or registered service) port wins; between equals,
 * the lower port. */
static bool dst_is_server(const struct seg_core *seg)
{
    int s = service_score(seg->sport), d = service_score(seg->dport);
    if (s != d)
        return d > s;
    return seg->dport <= seg->sport;
}

static struct conn *create(struct tracker *t, const struct ct_key *key, uint64_t hash,
                           int dir, const struct seg_core *seg)
{
    struct conn *c = ct_insert(t->tab, key, hash);
    while (!c && ct_full(t->tab) && evict_one(t))
        c = ct_insert(t->tab, key, hash);
    if (!c) {
        t->st.no_memory++;
        return NULL;
    }
    t->st.conns++;
    if (ct_count(t->tab) > t->st.peak_conns)
        t->st.peak_conns = ct_count(t->tab);
    c->id = ++t->next_id;
    c->first = c->last = seg->ts;
    c->first_pkt = pktno32(seg->pktno);

    bool syn = seg->flags & TH_SYN, ack = seg->flags & TH_ACK, rst = seg->flags & TH_RST;
    bool sender_is_client;
    if (syn && !ack && !rst) {
        /* The sender of the first SYN is the client. */
        sender_is_client = true;
        c->ep[CLIENT].state = ST_CLOSED;
        c->ep[SERVER].state = ST_LISTEN;
    } else if (syn && ack && !rst) {
        /* First seen at the SYN-ACK: its sender is the server, which was
         * listening; the client must have sent a SYN we did not capture. */
        sender_is_client = false;
        c->flags |= CF_SYNACK_FIRST;
        t->st.synack_first++;
        c->ep[CLIENT].state = ST_SYN_SENT;
        c->ep[CLIENT].flags |= EPF_INFERRED;
        /* the SYN it answers, should it show up (late_syn_of()); not a
         * sequence number seen (no EPF_ISN) */
        c->ep[CLIENT].isn = seg->ack - 1;
        c->ep[SERVER].state = ST_LISTEN;
    } else {
        /* Mid-stream: guess the server by port; both are assumed
         * synchronized until their FINs or a RST say more. */
        sender_is_client = dst_is_server(seg);
        c->flags |= CF_PICKED_UP;
        t->st.picked_up++;
        c->ep[CLIENT].state = c->ep[SERVER].state = ST_ESTABLISHED;
        c->ep[CLIENT].flags |= EPF_INFERRED;
        c->ep[SERVER].flags |= EPF_INFERRED;
    }
    c->ep[CLIENT].since_rel = c->ep[SERVER].since_rel = 0;
    c->ep[CLIENT].since_pkt = c->ep[SERVER].since_pkt = c->first_pkt;
    /* Which key side is the client: the sender's side if it is the client. */
    if (sender_is_client ? dir : !dir)
        c->flags |= CF_CLIENT_SIDE1;
    ct_list_put(t->tab, c, LIST_OPEN);
    return c;
}

/* A connection first seen at its SYN-ACK, then the SYN that SYN-ACK
 * answered (its ISN one below the SYN-ACK's ACK), from a client that sent
 * no SYN before: not a new incarnation, though the client's state moved on
 * with the SYN-ACK.  Within LATE_SYN_REORDERED of the SYN-ACK it is the SYN
 * itself, which the capture got out of order (interfaces merged, a
 * capture on several queues): the SYN-ACK cannot have come before it, and
 * no SYN is sent again that soon (RFC 6298: 1 s at first).  Later, from a
 * client that sent nothing in between, it is that SYN sent again: the
 * SYN-ACK never reached the client. */
#define LATE_SYN_REORDERED (500 * TS_PER_MS)
enum late_syn { LATE_SYN_NONE, LATE_SYN_REORDERED_COPY, LATE_SYN_AGAIN };

static enum late_syn late_syn_of(const struct conn *c, int role, const struct seg_core *seg)
{
    const struct conn_end *cl = &c->ep[CLIENT];
    /* (with Fast Open data, the SYN-ACK acknowledged that too) */
    if (role != CLIENT || !(c->flags & CF_SYNACK_FIRST) || ep_sent_syn(cl) || (cl->flags & EPF_ISN) ||
        seg->seq + seg->payload_len != cl->isn)
        return LATE_SYN_NONE;
    if (seg->ts - c->first < LATE_SYN_REORDERED)
        return LATE_SYN_REORDERED_COPY;
    return cl->pkts == 0 ? LATE_SYN_AGAIN : LATE_SYN_NONE;
}

/* A FIN the capture has after the ACK of it, which made tcpfsm infer the
 * FIN (missed_fin(): never seen, fins 0) and take its sender on: the same
 * FIN at the same number, within FIN_REORDERED of that step, is that FIN
 * itself, got out of order by the capture (interfaces merged, several
 * queues), not a FIN sent again because the ACK was lost - a timer waits
 * 200 ms at least (Linux's TCP_RTO_MIN). */
#define FIN_REORDERED (3 * TS_PER_MS)
static bool fin_seen_late(const struct conn *c, int role, const struct seg_core *seg)
{
    const struct conn_end *s = &c->ep[role];
    tstamp_t since = conn_since(c, role);
    return (seg->flags & (TH_FIN | TH_SYN | TH_RST)) == TH_FIN && (s->flags & EPF_FIN) && s->fins == 0 &&
           seg->seq + seg->payload_len == s->fin_seq && ep_fin_acked(s, &c->ep[!role]) &&
           (s->state == ST_FIN_WAIT_2 || s->state == ST_TIME_WAIT || s->state == ST_CLOSED) &&
           seg->ts - since < FIN_REORDERED;     /* (or stamped before it: the queues' clocks) */
}

/* Does this pure SYN start a new incarnation of the connection? */
static bool starts_new_incarnation(const struct conn *c, int role, const struct seg_core *seg)
{
    if ((seg->flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN)
        return false;
    const struct conn_end *s = &c->ep[role];
    if (ep_sent_syn(s))
        return seg->seq != s->isn;  /* same ISN: a retransmission */
    /* The sender never sent a SYN in this record.  While the handshake is
     * under way that is a simultaneous open; once the connection has been
     * synchronized (or was picked up mid-stream), it is a new connection. */
    for (int r = 0; r < 2; r++) {
        enum tcp_state st = c->ep[r].state;
        if (st != ST_CLOSED && st != ST_LISTEN && st != ST_SYN_SENT && st != ST_SYN_RCVD)
            return true;
    }
    if (c->flags & CF_PICKED_UP)
        return true;
    return conn_finished(c) && (c->ep[0].pkts + c->ep[1].pkts) > 0;
}

/* --------------------------------------------------------- classifying --- */

/* Does seg's ACK acknowledge r's SYN?  Without r's ISN we cannot tell, and
 * give it the benefit of the doubt. */
static bool acks_syn(const struct conn_end *r, const struct seg_core *seg)
{
    if (!(seg->flags & TH_ACK))
        return false;
    if (!(r->flags & EPF_ISN))
        return true;
    return seq_gt(seg->ack, r->isn) && seq_leq(seg->ack, r->snd_nxt);
}

static bool acks_fin(const struct conn_end *r, const struct seg_core *seg)
{
    return (seg->flags & TH_ACK) && (r->flags & EPF_FIN) && seq_geq(seg->ack, r->fin_seq + 1);
}

/* Would receiver r accept this RST from s?  RFC 793 section 3.4: in SYN_SENT
 * when its ACK acknowledges the SYN; otherwise when its sequence number is in
 * the receive window.  The receiver's RCV.NXT lies between what it has
 * acknowledged and what the sender has sent; the window is the one it last
 * advertised.
 *
 * RFC 5961 (3.2) narrows that for a synchronized receiver: only a RST at
 * exactly RCV.NXT resets; another in the window draws a challenge ACK and
 * is dropped.  Stacks differ (Linux, the BSDs and Windows implement it;
 * older ones do not), so such a RST is taken, as RFC 793 says, but unsure:
 * what the endpoints do next may undo it (rst_not_taken()).  "Exactly
 * RCV.NXT" is the range RCV.NXT can be in.  One below that range is
 * taken too from a receiver that has the sender's FIN (CLOSE_WAIT,
 * LAST_ACK, CLOSING), out of the window as it is: a sender that does not
 * count its FIN's sequence number in its RST, as some stacks do not, would
 * otherwise never reset such a connection (Linux, tcp_reset_check()). */
enum rst_verdict { RST_REFUSED, RST_TAKEN, RST_UNSURE };

static enum rst_verdict rst_judge(const struct conn *c, const struct conn_end *r,
                                  const struct conn_end *s, const struct seg_core *seg)
{
    switch (r->state) {
    case ST_SYN_SENT:
        return (seg->flags & TH_ACK) && acks_syn(r, seg) ? RST_TAKEN : RST_REFUSED;
    case ST_CLOSED:
    case ST_LISTEN:
        return RST_TAKEN;   /* the table ignores it in these states */
    default:
        break;
    }
    bool have_s = s->flags & EPF_SEQ, have_r = r->flags & EPF_ACK;
    if (!have_s && !have_r)
        return RST_TAKEN;   /* nothing to judge it by */
    uint32_t lo, hi;
    if (have_s && have_r) {
        lo = seq_min(s->snd_nxt, r->ack);
        hi = seq_max(s->snd_nxt, r->ack);
    } else {
        lo = hi = have_s ? s->snd_nxt : r->ack;
    }
    uint32_t wnd = r->win;
    if ((c->ep[0].flags & EPF_WSCALE) && (c->ep[1].flags & EPF_WSCALE))
        wnd <<= r->wscale;
    if (wnd == 0)
        wnd = 1;            /* RFC 793: a zero window accepts only RCV.NXT */
    bool had_fin = (s->flags & EPF_FIN) &&
                   (r->state == ST_CLOSE_WAIT || r->state == ST_LAST_ACK || r->state == ST_CLOSING);
    if (!seq_geq(seg->seq, had_fin ? lo - 1 : lo) || !seq_lt(seg->seq, hi + wnd))
        return RST_REFUSED;
    bool exact = seq_leq(seg->seq, hi);
    if (exact)
        return RST_TAKEN;
    if (r->state == ST_TIME_WAIT)
        return RST_REFUSED; /* no challenge there: Linux takes only RCV.NXT, the BSDs none (RFC 1337) */
    bool synced = r->state >= ST_ESTABLISHED && r->state <= ST_LAST_ACK;
    return synced ? RST_UNSURE : RST_TAKEN;
}

#define EV_NONE EV__COUNT

/* An ACK from an endpoint not synchronized (in `state` before it) that
 * acknowledges nothing the peer sent in this connection answers an older
 * incarnation (see classify_send()): it says nothing of what the peer sent
 * in this one. */
static bool answers_older(enum tcp_state state, const struct conn_end *r, const struct seg_core *seg)
{
    return (state == ST_LISTEN || state == ST_CLOSED || state == ST_SYN_SENT) && (r->flags & EPF_ISN) &&
           !(seg->flags & TH_SYN) && !acks_syn(r, seg);
}

static enum tcp_event classify_send(const struct conn_end *s, const struct conn_end *r,
                                    const struct seg_core *seg)
{
    uint8_t f = seg->flags;
    if (f & TH_RST) {
        /* RFC 793 3.9, SYN-SENT: an unacceptable ACK (a TIME_WAIT socket's
         * answer to a SYN below its sequence space, a stale SYN-ACK) is
         * answered by <SEQ=SEG.ACK><CTL=RST>, and the sender stays in
         * SYN_SENT to send its SYN again: a RST without ACK at a sequence
         * number not its own is that answer, not an abort. */
        if (s->state == ST_SYN_SENT && !(f & TH_ACK) && (s->flags & EPF_SEQ) && seg->seq != s->snd_nxt)
            return EV_NONE;
        return EV_SND_RST;
    }
    if (f & TH_SYN) {
        if (f & TH_ACK)
            return ep_sent_synack(s) && seg->seq == s->isn ? EV_SND_SYNACK_AGAIN
                                                                 : EV_SND_SYNACK;
        return ep_sent_syn(s) && seg->seq == s->isn ? EV_SND_SYN_AGAIN : EV_SND_SYN;
    }
    if (!(f & TH_ACK))
        return EV_NONE;     /* RFC 793: a segment without ACK is dropped */
    /* An endpoint not yet synchronized whose ACK acknowledges nothing the
     * peer sent in this connection is answering something else (an older
     * incarnation's segment, as a TIME_WAIT socket does to a SYN below its
     * sequence space): it is no evidence of a handshake. */
    if (answers_older(s->state, r, seg))
        return EV_NONE;
    if (f & TH_FIN) {
        bool again = s->flags & EPF_FIN;
        bool peerfin = acks_fin(r, seg);
        if (again)
            return peerfin ? EV_SND_FIN_AGAIN_PEERFIN : EV_SND_FIN_AGAIN;
        return peerfin ? EV_SND_FIN_PEERFIN : EV_SND_FIN;
    }
    /* A plain ACK covering the peer's FIN proves the FIN reached it, even
     * after a retransmission of its own FIN had moved it back (table rule 2)
     * or when the FIN itself was not enough (a sender not yet synchronized). */
    if (!acks_fin(r, seg))
        return EV_SND_ACK;
    /* Whether the peer had acknowledged the sender's own FIN says, for a
     * sender moved back to FIN_WAIT_1, whether the FIN it now shows it got
     * came with that acknowledgement (TIME_WAIT) or crossed its own
     * (CLOSING). */
    return ep_fin_acked(s, r) ? EV_SND_ACK_BOTHFIN : EV_SND_ACK_PEERFIN;
}

static enum tcp_event classify_receive(const struct conn_end *r, const struct seg_core *seg,
                                       bool rst_ok)
{
    uint8_t f = seg->flags;
    if (f & TH_RST)
        return rst_ok ? EV_RCV_RST : EV_NONE;
    if (f & TH_SYN) {
        if (!(f & TH_ACK))
            return EV_RCV_SYN;
        return acks_syn(r, seg) ? EV_RCV_SYNACK : EV_RCV_BAD_ACK;
    }
    if (!(f & TH_ACK))
        return EV_NONE;
    if ((r->state == ST_SYN_SENT || r->state == ST_SYN_RCVD) && !acks_syn(r, seg))
        return EV_RCV_BAD_ACK;
    bool ackfin = acks_fin(r, seg);
    if (f & TH_FIN)
        return ackfin ? EV_RCV_FIN_ACK_OF_FIN : EV_RCV_FIN;
    return ackfin ? EV_RCV_ACK_OF_FIN : EV_RCV_ACK;
}

/* A FIN of endpoint e at sequence number fin (seen: counted in fins; or
 * inferred, not: a FIN with fins 0 is one the capture has not shown). */
static void note_fin(struct conn_end *e, uint32_t fin, bool seen)
{
    if (!(e->flags & EPF_FIN) || seq_gt(fin, e->fin_seq))
        e->fin_seq = fin;
    e->flags |= EPF_FIN;
    if (seen && e->fins < EP_FINS_MAX)
        e->fins++;
}

/* Record what the sender's segment tells about its sequence space.  How
 * far its acknowledgement moved on past one it had sent before (0: not):
 * the peer sent something new. */
static uint32_t note_sent(struct conn_end *s, const struct seg_core *seg, bool rst_ok)
{
    uint32_t ack_moved = 0;
    uint8_t f = seg->flags;
    if (s->pkts < UINT32_MAX)
        s->pkts++;
    if (f & TH_RST) {
        if (rst_ok)
            s->flags |= EPF_RST;
        return 0;           /* a RST does not advance the sequence space */
    }
    if (f & TH_SYN) {
        if (!(ep_sent_syn(s) || ep_sent_synack(s)) || !(s->flags & EPF_ISN)) {
            s->isn = seg->seq;
            s->flags |= EPF_ISN;
        }
        if (seg->opts & OPT_WSCALE) {
            s->wscale = seg->wscale & 0x0f;
            s->flags |= EPF_WSCALE;
        }
        if (!(f & TH_ACK) && s->syns < EP_SYNS_MAX)
            s->syns++;
        if ((f & TH_ACK) && s->synacks < EP_SYNACKS_MAX)
            s->synacks++;
    }
    uint32_t end = seg->seq + seg->payload_len + ((f & TH_SYN) ? 1 : 0) + ((f & TH_FIN) ? 1 : 0);
    if (!(s->flags & EPF_SEQ) || seq_gt(end, s->snd_nxt)) {
        s->snd_nxt = end;
        s->top_unseen = 0;
    }
    s->flags |= EPF_SEQ;
    if (f & TH_FIN)
        note_fin(s, seg->seq + seg->payload_len + ((f & TH_SYN) ? 1 : 0), true);
    if (f & TH_ACK) {
        if (!(s->flags & EPF_ACK) || seq_gt(seg->ack, s->ack)) {
            if ((s->flags & EPF_ACK) && seq_lt(seg->ack, s->ack + (1u << 30)))
                ack_moved = seg->ack - s->ack;
            s->ack = seg->ack;
        }
        s->flags |= EPF_ACK;
    }
    if (seg->have_win && !(f & TH_SYN)) {
        s->win = seg->win;
        s->flags |= EPF_WIN;
    }
    return ack_moved;
}

/* -------------------------------------------------------------- applying --- */

/* Events whose whole effect is the table's next state.  apply_event() and
 * analysis_event() act on every other event even when the endpoint keeps
 * its state (a SYN or FIN sent again, a SYN-ACK noted for the listeners, a
 * FIN restarting TIME_WAIT's timer), but on these only through a change of
 * state.  So an event in this mask whose cell keeps the state changes
 * nothing and is not applied: that is the ACK sent and the ACK received of
 * nearly every segment of an established connection.  An event that gains
 * an effect of its own in apply_event() or analysis_event() must leave the
 * mask. */
#define EV_QUIET_WHEN_KEPT ((1u << EV_SND_ACK) | (1u << EV_SND_ACK_PEERFIN) | (1u << EV_SND_ACK_BOTHFIN) | \
                            (1u << EV_RCV_SYNACK) | (1u << EV_RCV_ACK) | \
                            (1u << EV_RCV_ACK_OF_FIN) | (1u << EV_RCV_RST) | (1u << EV_RCV_BAD_ACK))

static inline bool event_changes_nothing(enum tcp_state from, enum tcp_event ev)
{
    return ((EV_QUIET_WHEN_KEPT >> ev) & 1u) && tcp_transition(from, ev)->next == from;
}

/* Endpoint `role`, which the peer's FIN put in CLOSE_WAIT, sends its own FIN
 * in seg without acknowledging the peer's.  Crossing FINs do that: each was
 * sent before the other arrived, so from the capture point they are at most
 * a round trip apart (the peer's first when the capture is near the peer).
 * Later than that, the peer's FIN, in FIN_WAIT_1 since, never reached this
 * endpoint - lost after the capture point, and never sent again in the
 * capture - so it was ESTABLISHED, not CLOSE_WAIT, and its FIN takes it to
 * FIN_WAIT_1.  The round trip is the handshake's, four times over for
 * queues on the way, and never less than a second (three without a
 * handshake). */
static void fin_lost(struct tracker *t, struct conn *c, int role, const struct seg_core *seg)
{
    if (c->ep[!role].state != ST_FIN_WAIT_1 || !(c->ep[!role].flags & EPF_FIN))
        return;
    int64_t rtt, server, client;
    tstamp_t window = 3 * TS_PER_SEC;
    if (conn_handshake(c, &rtt, &server, &client))
        window = 4 * rtt > TS_PER_SEC ? 4 * rtt : TS_PER_SEC;
    if (seg->ts - conn_since(c, !role) > window)
        set_state(t, c, role, ST_ESTABLISHED, (enum tcp_event)EV_FIN_LOST, seg->ts, seg->pktno);
}

/* Does the server ignore the client's segment seg (receive event ev)?  A
 * server that sent its SYN-ACK again after the ACK that completed the
 * handshake (the table's SYN_RCVD again) ignored that ACK.  If it also
 * ignored the client's data before it - which would have made its socket
 * even for a listener deferring accept (TCP_DEFER_ACCEPT, whose SYN-ACK
 * again at the end of the deferring period is answered by an ACK that
 * completes it) - its accept queue is full (listen-overflow), and it
 * ignores the client's next ACKs, data and FIN just the same until it has
 * room: none is taken as reaching it then; the server's own segment (an
 * ACK of the client's data) shows that one did.  Not where it sent no more
 * SYN-ACKs than the client sent SYNs: each may answer a SYN sent again
 * (seen after the ACK from near the client), the ACK not ignored.  Not the
 * ACK that completed the handshake (handshake_done) itself.  Not a server
 * that acknowledged the client's data (a Fast Open socket took the SYN's:
 * its ACK was lost, and the next one completes it). */
static bool full_queue_ignores(const struct conn *c, enum tcp_event ev, const struct seg_core *seg,
                               bool handshake_done)
{
    const struct conn_end *sv = &c->ep[SERVER];
    return sv->state == ST_SYN_RCVD && (c->flags & CF_HS_DONE) && !handshake_done &&
           conn_bytes(c, CLIENT) > seg->payload_len && sv->synacks > c->ep[CLIENT].syns &&
           (ev == EV_RCV_ACK || ev == EV_RCV_ACK_OF_FIN || ev == EV_RCV_FIN || ev == EV_RCV_FIN_ACK_OF_FIN) &&
           !conn_server_took_data(c, sv->ack);
}

/* Endpoint `role` leaves CLOSE_WAIT by ev (before its state changes): how
 * long it was there, for a late close (analysis_left_close_wait()).  Only
 * of an endpoint that showed it had the peer's FIN - acknowledged it,
 * before or with its own FIN or RST - not one whose FIN does not (the
 * table's crossing FINs, which may also be a peer's FIN lost after the
 * capture); and not by a RST that may yet be undone (RST_UNSURE). */
static void left_close_wait(struct tracker *t, struct conn *c, int role, enum tcp_event ev,
                            const struct seg_core *seg)
{
    struct conn_end *e = &c->ep[role], *p = &c->ep[!role];
    bool sent = tcp_event_is_send(ev);
    if (!ep_fin_acked(p, e) && !(sent && acks_fin(p, seg)))
        return;
    if ((ev == EV_SND_RST || ev == EV_RCV_RST) && rst_judge(c, sent ? p : e, sent ? e : p, seg) == RST_UNSURE)
        return;
    analysis_left_close_wait(t->analysis, c, role, conn_since(c, role), e->since_pkt, ev, seg);
}

static void apply_event(struct tracker *t, struct conn *c, int role, enum tcp_event ev,
                        const struct seg_core *seg)
{
    struct conn_end *e = &c->ep[role];
    if (ev == EV_SND_FIN && e->state == ST_CLOSE_WAIT)
        fin_lost(t, c, role, seg);      /* (perhaps ESTABLISHED again) */
    enum tcp_state from = e->state;
    const struct tcp_transition *tr = tcp_transition(from, ev);

    if (from == ST_TIME_WAIT && tr->next == ST_TIME_WAIT &&
        (ev == EV_RCV_FIN || ev == EV_RCV_FIN_ACK_OF_FIN))
        e->since_rel = conn_rel(c, seg->ts);  /* RFC 793: a retransmitted FIN restarts 2 MSL */

    /* Listeners: a SYN-ACK from an endpoint not yet synchronized proves a
     * listening socket; a RST answering a SYN proves there is none. */
    if (role == SERVER && t->listeners) {
        if ((ev == EV_SND_SYNACK || ev == EV_SND_SYNACK_AGAIN) && !(c->flags & CF_LISTENER_NOTED) &&
            (from == ST_LISTEN || from == ST_CLOSED)) {
            struct flow_addr a;
            conn_addr(c, SERVER, &a);
            listeners_note_answered(t->listeners, &a, conn_port(c, SERVER), seg->ts);
            c->flags |= CF_LISTENER_NOTED;
        } else if (ev == EV_SND_SYNACK_AGAIN) {
            struct flow_addr a;
            conn_addr(c, SERVER, &a);
            listeners_note_alive(t->listeners, &a, conn_port(c, SERVER), seg->ts);
        } else if (ev == EV_SND_RST && from == ST_LISTEN) {
            struct flow_addr a;
            conn_addr(c, SERVER, &a);
            listeners_note_refused(t->listeners, &a, conn_port(c, SERVER), seg->ts);
        }
    }

    if ((ev == EV_SND_FIN || ev == EV_SND_FIN_PEERFIN) &&
        !(c->flags & (CF_CLIENT_FIN_FIRST | CF_SERVER_FIN_FIRST)))
        c->flags |= role == CLIENT ? CF_CLIENT_FIN_FIRST : CF_SERVER_FIN_FIRST;
    if (tr->next == ST_CLOSING && from != ST_CLOSING && conn_fins_crossed(c, role, ev))
        c->flags |= CF_FIN_CROSSED;

    if (tr->next != from) {
        if (from == ST_CLOSE_WAIT && t->analysis)
            left_close_wait(t, c, role, ev, seg);
        set_state(t, c, role, tr->next, ev, seg->ts, seg->pktno);
    }
    if (t->analysis)
        analysis_event(t->analysis, c, role, from, ev, seg);
}

/* The FIN of endpoint `role`, which the capture missed, inferred from the
 * peer's ACK `ack` of it (tracker_segment_prepared()). */
static void missed_fin(struct tracker *t, struct conn *c, int role, const struct seg_core *ack,
                       struct seg_facts *facts)
{
    struct conn_end *e = &c->ep[role];
    const struct conn_end *p = &c->ep[!role];
    facts->unseen_acked = 1;
    note_fin(e, e->snd_nxt, false);
    e->snd_nxt++;
    if (!(e->flags & EPF_ACK) || seq_gt(p->fin_seq + 1, e->ack)) {
        e->ack = p->fin_seq + 1;        /* it had the peer's FIN: CLOSE_WAIT */
        e->flags |= EPF_ACK;
    }
    apply_event(t, c, role, EV_SND_FIN_PEERFIN, ack);   /* CLOSE_WAIT -> LAST_ACK */
}

/* Endpoint `role`, in CLOSE_WAIT, sends new data in seg: its time there (and
 * its peer's in FIN_WAIT_2) counts from here, packet included. */
static void quiet_from(struct conn *c, int role, const struct seg_core *seg)
{
    struct conn_end *e = &c->ep[role], *p = &c->ep[!role];
    e->since_rel = conn_rel(c, seg->ts);
    e->since_pkt = pktno32(seg->pktno);
    if (p->state == ST_FIN_WAIT_2) {
        p->since_rel = e->since_rel;
        p->since_pkt = e->since_pkt;
    }
}

/* The state a synchronized endpoint's sequence numbers put it in: which
 * FINs it has sent and received (seen means delivered) and whether the peer
 * acknowledged its own; with both FINs, whether it closed first (or the
 * FINs crossed: both closed first). */
static enum tcp_state synced_state(const struct conn *c, int role)
{
    const struct conn_end *e = &c->ep[role], *p = &c->ep[!role];
    bool own = e->flags & EPF_FIN, peer = p->flags & EPF_FIN, own_acked = ep_fin_acked(e, p);
    if (!own)
        return peer ? ST_CLOSE_WAIT : ST_ESTABLISHED;
    if (!peer)
        return own_acked ? ST_FIN_WAIT_2 : ST_FIN_WAIT_1;
    if (c->flags & (CF_FIN_CROSSED | (role == CLIENT ? CF_CLIENT_FIN_FIRST : CF_SERVER_FIN_FIRST)))
        return own_acked ? ST_TIME_WAIT : ST_CLOSING;   /* closed first, or the FINs crossed */
    return own_acked ? ST_CLOSED : ST_LAST_ACK;
}

/* Endpoint `role`, CLOSED by an unsure RST (rst_judge()), sends a segment
 * with ACK and without RST or SYN, which an endpoint without the connection
 * never sends (RFC 793: it answers everything with RST).  So the RST did not
 * end its connection:
 *  - it received that RST: it dropped it and goes on, its first segment
 *    usually the challenge ACK of RFC 5961 3.2;
 *  - it "sent" that RST: it did not, or not from this connection's socket -
 *    a RST forged in its name (blind injection, a middlebox).
 * Either way it goes back to the state its sequence numbers show, and the
 * RST no longer counts as its sender's reset (rst-rejected, not rst-abort).
 * Each endpoint is undone on its own evidence: the sender of a real RST
 * with a wrong sequence number is gone, and answers the challenge ACK with
 * a RST at the right one. */
static void rst_not_taken(struct tracker *t, struct conn *c, int role, const struct seg_core *seg)
{
    struct conn_end *e = &c->ep[role];
    int sender = (e->flags & EPF_RST) ? role : !role;
    bool first = c->ep[sender].flags & EPF_RST;
    e->rst_unsure = 0;
    c->ep[sender].flags &= (uint8_t)~EPF_RST;
    /* (a connection picked up mid-stream is a guess again until both FINs) */
    if ((c->flags & CF_PICKED_UP) && !((e->flags & EPF_FIN) && (c->ep[!role].flags & EPF_FIN)))
        e->flags |= EPF_INFERRED;
    set_state(t, c, role, synced_state(c, role), (enum tcp_event)EV_RST_NOT_TAKEN, seg->ts, seg->pktno);
    if (first && t->analysis)
        analysis_rst_rejected(t->analysis, c, sender, seg);
}

/* An endpoint CLOSED by a RST it sent, which its receiver took (at the
 * sequence number it expected: no doubt there), sends a segment with ACK
 * and without SYN or RST of the connection, at least RST_FORGED_AFTER
 * later: an endpoint that reset has no connection, and answers everything
 * with RST (RFC 793).  So the RST was sent in its name - by a middlebox (a
 * firewall or IPS resetting the connection, at the right sequence number
 * since it saw the traffic) - and it goes back to the state its sequence
 * numbers show; its peer took the RST and stays CLOSED (kernel hunt 35
 * D2).  (The interval leaves out a segment sent before the RST and
 * overtaken by it on the way.) */
#define RST_FORGED_AFTER TS_PER_MS
static __attribute__((noinline, cold)) void rst_forged(struct tracker *t, struct conn *c, int role, const struct seg_core *seg)
{
    struct conn_end *e = &c->ep[role];
    e->flags &= (uint8_t)~EPF_RST;
    if ((c->flags & CF_PICKED_UP) && !((e->flags & EPF_FIN) && (c->ep[!role].flags & EPF_FIN)))
        e->flags |= EPF_INFERRED;
    set_state(t, c, role, synced_state(c, role), (enum tcp_event)EV_RST_NOT_TAKEN, seg->ts, seg->pktno);
    if (t->analysis)
        analysis_rst_forged(t->analysis, c, role, seg);
}

/* The mirror of missed_fin(), judged when the connection leaves the table:
 * the first FIN of a close, which the capture missed.  Endpoint e's
 * sequence space ends in one number the capture never saw, acknowledged
 * alone by its peer; the peer then sent its FIN, and e acknowledged that
 * but never sent a FIN of its own, nor anything else (top_unseen): e in
 * CLOSE_WAIT, the peer in FIN_WAIT_2.  That number was one byte of data,
 * after which e's application would close soon, or e's FIN - after which
 * it has nothing more to send.  Since no FIN came for as long as the
 * capture followed the connection, it was the FIN (rule 3): e closed
 * first, and the peer's FIN and e's ACK of it took e to TIME_WAIT (CLOSED
 * once 2 MSL have passed) and the peer to CLOSED.  The gap itself was
 * reported (capture-gap) when the peer acknowledged it.  Not judged before
 * the end, while e may still send its FIN.
 *
 * Of an endpoint the capture has nothing from (one-sided), the peer's
 * segments are all there is: the last that moved its acknowledgement moved
 * it by one, and nothing but the peer's FIN came after.  The peer's FIN came
 * first if the acknowledgement moved after it (the FIN then acknowledged
 * by e's: e to CLOSED, the peer to TIME_WAIT at that ACK), else after (e
 * closed first, as above; the ACK of the peer's FIN is not in this capture
 * either, so the peer is CLOSED - unless it sent its FIN again: LAST_ACK,
 * and then which came first is not told apart). */
static void missed_first_fin(struct tracker *t, struct conn *c)
{
    for (int role = 0; role < 2; role++) {
        struct conn_end *e = &c->ep[role], *p = &c->ep[!role];
        if (!e->top_unseen || e->state != ST_CLOSE_WAIT || (e->flags & EPF_FIN) || !(p->flags & EPF_ACK))
            continue;
        bool unseen = e->pkts == 0;
        if (unseen ? (p->state != ST_FIN_WAIT_1 && p->state != ST_FIN_WAIT_2) || !(p->flags & EPF_FIN)
                   : p->state != ST_FIN_WAIT_2 || p->ack != e->snd_nxt)
            continue;
        e->top_unseen = 0;
        if (unseen) {
            e->snd_nxt = p->ack;
            e->flags |= EPF_SEQ;
        }
        note_fin(e, e->snd_nxt - 1, false);
        tstamp_t p_fin = conn_since(c, !role);
        const enum tcp_event ev = (enum tcp_event)EV_FIN_INFERRED;
        if (unseen && p->fins == 1 && c->last > p_fin) {
            /* the peer closed first; its last segment acknowledged e's FIN */
            set_state(t, c, role, ST_CLOSED, ev, c->last, p->since_pkt);
            set_state(t, c, !role, ST_TIME_WAIT, ev, c->last, p->since_pkt);
        } else {
            c->flags &= (uint16_t)~(CF_CLIENT_FIN_FIRST | CF_SERVER_FIN_FIRST);
            c->flags |= role == CLIENT ? CF_CLIENT_FIN_FIRST : CF_SERVER_FIN_FIRST;
            /* e's ACK of the peer's FIN is what moved the peer to FIN_WAIT_2
             * (one-sided: the peer's FIN moved it to FIN_WAIT_1) */
            set_state(t, c, !role, unseen && p->fins > 1 ? ST_LAST_ACK : ST_CLOSED, ev, p_fin, p->since_pkt);
            set_state(t, c, role, ST_TIME_WAIT, ev, p_fin, p->since_pkt);
        }
        end_time_wait_due(t, c);        /* (CLOSED if its 2 MSL are over) */
        return;
    }
}

/* Microseconds from the connection's first segment, saturating. */
static uint32_t rel_us(const struct conn *c, tstamp_t ts)
{
    tstamp_t d = (ts - c->first) / 1000;
    if (d < 0)
        return 0;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

/* Handshake timing as seen from the capture point.  True when this segment
 * completes the handshake. */
static bool note_handshake(struct conn *c, int role, const struct seg_core *seg)
{
    uint8_t f = seg->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);
    if (role == CLIENT && f == TH_SYN && !(c->flags & CF_HS_SYNACK)) {
        c->hs_a = rel_us(c, seg->ts);           /* the latest SYN before an answer */
        c->flags |= CF_HS_SYN;
    } else if (role == SERVER && f == (TH_SYN | TH_ACK) && !(c->flags & CF_HS_SYNACK)) {
        c->hs_b = rel_us(c, seg->ts);
        c->flags |= CF_HS_SYNACK;
    } else if (role == CLIENT && (f & TH_ACK) && !(f & (TH_SYN | TH_RST)) &&
               (c->flags & CF_HS_SYNACK) && !(c->flags & CF_HS_DONE) &&
               (!(c->ep[SERVER].flags & EPF_ISN) || seq_gt(seg->ack, c->ep[SERVER].isn))) {
        /* (an ACK of the SYN-ACK: one below it completes nothing) */
        /* from now on the two fields hold the handshake's two halves */
        uint32_t syn = c->hs_a, synack = c->hs_b, ack = rel_us(c, seg->ts);
        c->hs_a = (c->flags & CF_HS_SYN) && synack >= syn ? synack - syn : 0;
        c->hs_b = ack >= synack ? ack - synack : 0;
        c->flags |= CF_HS_DONE;
        return true;
    }
    return false;
}

void tracker_key_only(const struct segment *seg, struct tracker_prep *p)
{
    ct_key_from_segment(seg, &p->key, &p->dir);
}

void tracker_hash(const struct tracker *t, struct tracker_prep *p)
{
    p->hash = ct_hash(t->tab, &p->key);
}

size_t tracker_prefault(const struct tracker *t, size_t done) { return ct_prefault(t->tab, done); }

void tracker_prefetch_bucket(struct tracker *t, const struct tracker_prep *p)
{
    ct_prefetch(t->tab, p->hash, 0);
}

void tracker_prepare(struct tracker *t, const struct segment *seg, struct tracker_prep *p)
{
    tracker_key_only(seg, p);
    tracker_hash(t, p);
    tracker_prefetch_bucket(t, p);
}

void tracker_prefetch(struct tracker *t, const struct tracker_prep *p)
{
    ct_prefetch(t->tab, p->hash, 1);
}

void tracker_segment(struct tracker *t, const struct segment *seg)
{
    struct tracker_prep p;
    tracker_key_only(seg, &p);
    tracker_hash(t, &p);
    tracker_segment_prepared(t, &seg->core, &p);
}

/* ----------------------------------------------------------- held SYNs --- */

/* A SYN with a new initial sequence number to an endpoint still
 * synchronized on the 4-tuple (ESTABLISHED to TIME_WAIT) is one of two
 * things.  A new connection, if that endpoint had left the old one without
 * the capture seeing it go, or takes the SYN in TIME_WAIT.  Or a SYN that
 * meets the old connection alive (or a TIME_WAIT that refuses it):
 * from a peer that lost it (a reboot, a crash, a reset that never arrived)
 * or a stray or forged one.  RFC 5961 (4.2), which Linux, the BSDs and
 * Windows follow, has a synchronized endpoint answer any SYN with an ACK of
 * the old connection (a challenge ACK) and keep that connection; only its
 * sender's RST at that ACK's number ends it.  Only what follows tells the
 * two apart, so such a SYN waits here, applied to neither incarnation:
 *   - a SYN-ACK, or a RST with ACK, acknowledging it: the receiver had no
 *     old connection, and the SYN starts the new incarnation (applied
 *     then, before that answer);
 *   - a plain ACK from the receiver: it still has the old connection (a
 *     challenge ACK, or an ACK already on its way): the SYN is counted on
 *     the old connection, which stays (syn-challenged);
 *   - its sender going on in the new sequence space (the answer was
 *     missed: a one-sided capture) starts the new incarnation; going on in
 *     the old space, it never left the old connection: the SYN was stray;
 *   - the same SYN again: after a challenge, while the receiver still has
 *     the old connection, its sender is opening (SYN_SENT) and cannot get
 *     through; once that connection is gone (its sender's RST), or if no
 *     challenge was seen, the new incarnation starts as before.
 * It costs a connection one bit (syn_held) and an entry in a small table;
 * with the table full, or a SYN held on the connection already, the SYN
 * starts a new incarnation at once.  (docs/state-machine.md, "A SYN that
 * meets the old connection", has the whole table of what follows.) */

/* Synchronized, TIME_WAIT included: an endpoint that answers a SYN it does
 * not take with an ACK of the old connection (in TIME_WAIT, Linux and the
 * BSDs take one whose sequence number, or timestamp, is above the old
 * connection's: time-wait-reuse). */
static bool holds_connection(enum tcp_state st)
{
    return st >= ST_ESTABLISHED;
}

static struct held_syn *held_of(struct tracker *t, const struct conn *c)
{
    for (int i = 0; i < HELD_MAX; i++)
        if (t->held[i].c == c)
            return &t->held[i];
    return NULL;
}

static void held_release(struct held_syn *h)
{
    h->c->ep[0].syn_held = h->c->ep[1].syn_held = 0;
    h->c = NULL;
}

/* Hold seg, a pure SYN from `role` that would start a new incarnation of c,
 * if c's other endpoint still has the connection; false if not held. */
static bool held_take(struct tracker *t, struct conn *c, int role, const struct seg_core *seg,
                      const struct tracker_prep *p)
{
    /* (or CLOSED by the SYN's sender's RST, which - seen - may yet not
     * have arrived: a firewall after the capture point) */
    const struct conn_end *s = &c->ep[role], *r = &c->ep[!role];
    bool rst_closed = r->state == ST_CLOSED && (s->flags & EPF_RST) && !(r->flags & EPF_RST) &&
                      (r->flags & EPF_SEQ);
    if (!(holds_connection(r->state) || rst_closed) || c->ep[0].syn_held)
        return false;
    struct held_syn *h = held_of(t, NULL);
    if (!h)
        return false;
    h->c = c;
    h->syn = *seg;
    h->prep = *p;
    h->role = (uint8_t)role;
    h->challenged = h->reset = h->rst_lost = false;
    h->after_rst = !holds_connection(c->ep[!role].state);
    c->ep[0].syn_held = c->ep[1].syn_held = 1;
    /* (c->last stays: the SYN is not c's yet; should c expire first, the
     * SYN opens its new connection then - retire()) */
    return true;
}

/* The observers that want every segment (the live view's timeline) see
 * seg, from `role`, on c - also an ICMP error about a segment `role` sent
 * (seg->icmp set). */
static void show_segment(struct tracker *t, const struct conn *c, int role, const struct seg_core *seg)
{
    for (int i = 0; i < t->nobs; i++)
        if (t->obs[i].segment)
            t->obs[i].segment(t->obs[i].ctx, c, role, seg);
}

/* Count seg, from `role`, on c without applying it to the states. */
static void count_only(struct tracker *t, struct conn *c, int role, const struct seg_core *seg)
{
    t->st.segments++;
    if (c->ep[role].pkts < UINT32_MAX)
        c->ep[role].pkts++;
    if (seg->ts > c->last)
        c->last = seg->ts;
    if (t->segment_obs)
        show_segment(t, c, role, seg);
}

/* Count the held SYN on the connection it met (the old one). */
static void held_land(struct tracker *t, const struct held_syn *h)
{
    count_only(t, h->c, h->role, &h->syn);
}

/* The held SYN starts a new incarnation: apply it now.  One counted on the
 * old connection is taken off it (each packet belongs to one connection),
 * and so is a challenge that nothing else confirmed: the plain ACK was on
 * its way before the SYN came. */
static void held_replay(struct tracker *t, struct held_syn *h)
{
    struct seg_core syn = h->syn;
    struct tracker_prep prep = h->prep;
    if (h->challenged) {
        t->st.segments--;
        if (h->c->ep[h->role].pkts > 0)
            h->c->ep[h->role].pkts--;
        if (t->analysis)
            analysis_syn_unchallenged(t->analysis, h->c);
        /* its sender, opening on the old record, leaves it for the new */
        if (h->c->ep[h->role].state == ST_SYN_SENT)
            set_state(t, h->c, h->role, ST_CLOSED, EV_SND_SYN, syn.ts, syn.pktno);
    }
    held_release(h);
    track(t, &syn, &prep, false);
}

/* The connection leaves the table with a SYN held.  One never settled goes
 * to *replay, to open its new connection once this one is gone - or, with
 * no replay (evicting), is counted on this one. */
static void held_forget(struct tracker *t, struct conn *c, struct held_syn *replay)
{
    struct held_syn *h = held_of(t, c);
    if (!h) {
        c->ep[0].syn_held = c->ep[1].syn_held = 0;
        return;
    }
    if (!h->challenged) {
        if (replay)
            *replay = *h;
        else
            held_land(t, h);
    } else if (h->reset && c->ep[h->role].state == ST_CLOSED) {
        /* it reset the old connection for its new one, which has not sent
         * its SYN again yet (Linux: 10 ms later): opening */
        set_state(t, c, h->role, ST_SYN_SENT, EV_SND_SYN_AGAIN, t->now, 0);
    }
    held_release(h);
}

/* |a - b| in sequence space */
static uint32_t seq_dist(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d > 0x80000000u ? -d : d;
}

/* What seg, from `role`, says of the SYN held on c.  False if seg was taken
 * up here; else it is to be applied as usual, to c or (if the SYN started a
 * new incarnation) to the record that now has c's key. */
static bool held_settle(struct tracker *t, struct conn *c, int role, const struct seg_core *seg)
{
    struct held_syn *h = held_of(t, c);
    if (!h) {
        c->ep[0].syn_held = c->ep[1].syn_held = 0;
        return true;
    }
    int p = h->role;
    struct conn_end *snd = &c->ep[p], *rcv = &c->ep[!p];
    uint8_t f = seg->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);

    if (role != p) {
        /* the receiver answers the SYN itself: it had no old connection */
        if ((f & TH_ACK) && (f & (TH_SYN | TH_RST)) && seg->ack == h->syn.seq + 1) {
            held_replay(t, h);
            return true;
        }
        /* its RST of the old connection, once the sender is opening anew
         * (SYN_SENT, which judges a RST by its ACK of the new SYN): it
         * gave up the old one (its keep-alive, an abort) - the sender's new
         * socket has nothing to do with that RST, which closes the
         * receiver alone; the SYN sent again then opens the new one */
        if ((f & TH_RST) && snd->state == ST_SYN_SENT && holds_connection(rcv->state) &&
            (rcv->flags & EPF_SEQ) && seq_dist(seg->seq, rcv->snd_nxt) <= 1) {
            tstamp_t prev_last = c->last;
            count_only(t, c, role, seg);
            rcv->flags |= EPF_RST;
            set_state(t, c, role, ST_CLOSED, EV_SND_RST, seg->ts, seg->pktno);
            relist(t, c, in_time_wait(c), false, prev_last);
            return false;
        }
        /* the challenge ACK's number again after its sender's RST closed
         * it: the RST never arrived (a firewall after the capture point
         * dropped it), or its TIME_WAIT ignored it (tcp_rfc1337) - it has
         * the old connection still, and the sender is opening */
        if (h->reset && rcv->state == ST_CLOSED && !(f & (TH_SYN | TH_RST)) && (f & TH_ACK) &&
            seg->ack == h->challenge_ack) {
            h->reset = false;
            h->rst_lost = true;
            set_state(t, c, role, h->rcv_state, (enum tcp_event)EV_RST_NOT_TAKEN, seg->ts, seg->pktno);
            rcv->since_rel = h->rcv_since_rel;
            rcv->since_pkt = h->rcv_since_pkt;
            set_state(t, c, p, ST_SYN_SENT, EV_SND_SYN_AGAIN, h->syn.ts, h->syn.pktno);
            if (t->analysis) {
                analysis_syn_challenge_end(t->analysis, c, CHALLENGE_RETRIED, seg);
                analysis_syn_challenged(t->analysis, c, p, &h->syn, NULL);
            }
            return true;
        }
        /* the receiver its sender's RST had closed goes on in the old
         * connection: that RST never arrived (a firewall after the capture
         * point), and it challenges the SYN */
        if (h->after_rst && !h->challenged && (f & TH_ACK) && !(f & (TH_SYN | TH_RST)) &&
            seg->ack != h->syn.seq + 1 && seq_dist(seg->seq, rcv->snd_nxt) < (1u << 20)) {
            h->challenged = h->rst_lost = true;
            h->challenge_ack = seg->ack;
            held_land(t, h);
            set_state(t, c, role, synced_state(c, role), (enum tcp_event)EV_RST_NOT_TAKEN, seg->ts, seg->pktno);
            set_state(t, c, p, ST_SYN_SENT, EV_SND_SYN, h->syn.ts, h->syn.pktno);
            if (t->analysis) {
                analysis_rst_lost(t->analysis, c, p);
                analysis_syn_challenged(t->analysis, c, p, &h->syn, seg);
            }
            return true;
        }
        /* a plain ACK: of the old connection, which it still has */
        if (!h->challenged && !h->after_rst && f == TH_ACK && seg->payload_len == 0 && seg->ack != h->syn.seq + 1) {
            h->challenged = true;
            h->challenge_ack = seg->ack;
            held_land(t, h);
            if (t->analysis)
                analysis_syn_challenged(t->analysis, c, p, &h->syn, seg);
        }
        return true;
    }

    if (f == TH_SYN) {
        if (seg->seq == h->syn.seq && h->challenged && holds_connection(rcv->state)) {
            /* opening again, against the old connection: SYN_SENT */
            h->syn = *seg;
            tstamp_t prev_last = c->last;
            held_land(t, h);
            set_state(t, c, p, ST_SYN_SENT, EV_SND_SYN_AGAIN, seg->ts, seg->pktno);
            if (t->analysis)
                analysis_syn_challenged(t->analysis, c, p, seg, NULL);
            relist(t, c, in_time_wait(c), false, prev_last);
            return false;
        }
        if (seg->seq == h->syn.seq && h->challenged) {
            /* again after its RST closed the old connection: counted on
             * it, held for the answer - a SYN-ACK opens the new one, the
             * old ACK again shows the RST never arrived */
            h->syn = *seg;
            tstamp_t prev_last = c->last;
            held_land(t, h);
            relist(t, c, in_time_wait(c), false, prev_last);
            return false;
        }
        if (h->challenged) {
            /* counted on the old one; seg, another SYN, is new, and its
             * sender, opening (SYN_SENT) on the old record, left it */
            if (snd->state == ST_SYN_SENT)
                set_state(t, c, p, ST_CLOSED, EV_SND_SYN, seg->ts, seg->pktno);
            held_release(h);
        } else
            held_replay(t, h);      /* nothing answered: a new incarnation */
        return true;
    }
    if (f & TH_RST) {
        /* the old connection's reset - by a sender that lost it, at the
         * challenge ACK's number */
        if (h->challenged && seg->seq == h->challenge_ack && h->rst_lost) {
            /* another that will not arrive either (or be ignored) */
            tstamp_t prev_last = c->last;
            count_only(t, c, role, seg);
            snd->flags |= EPF_RST;
            relist(t, c, in_time_wait(c), false, prev_last);
            return false;
        }
        if (h->challenged && seg->seq == h->challenge_ack) {
            h->reset = true;
            h->rcv_state = rcv->state;
            h->rcv_since_rel = rcv->since_rel;
            h->rcv_since_pkt = rcv->since_pkt;
            if (t->analysis)
                analysis_syn_challenge_end(t->analysis, c, CHALLENGE_RESET, seg);
        }
        return true;
    }
    /* anything else: in which sequence space? */
    if (!(snd->flags & EPF_SEQ) || seq_dist(seg->seq, h->syn.seq + 1) < seq_dist(seg->seq, snd->snd_nxt)) {
        held_replay(t, h);          /* the new one: its answer was missed */
        return true;
    }
    /* the old one: its sender never left it, the SYN was stray */
    if (h->challenged) {
        if (t->analysis)
            analysis_syn_challenge_end(t->analysis, c, CHALLENGE_STRAY, seg);
    } else {
        held_land(t, h);
    }
    held_release(h);
    return true;
}

/* A socket connected to itself: one address and port at both ends.  A
 * client connecting to a port of its own host that is in its ephemeral
 * range, with nothing listening there, may be given that very port: its SYN
 * comes back to it, and it completes a simultaneous open with itself (RFC
 * 793 allows it; Linux does it).  Every segment is then sent and received
 * by the one socket, so each is tracked twice, once from each side: the
 * two endpoint records go through a simultaneous open and, closing, a
 * simultaneous close, each holding the socket's state (SYN_SENT,
 * SYN_RCVD, ESTABLISHED, FIN_WAIT_1, CLOSING, TIME_WAIT).  The second pass
 * is not shown to observers (one packet), nor counted as a segment or an
 * ignored RST, nor given to the analysis (what a packet shows - a
 * retransmission, a RST out of window - it shows once, and the first pass
 * has it; the analysis's count of client TIME_WAITs per service misses
 * the second record's, which holds no port of its own); no SYN is held
 * (there is no other side to answer it).  Without the analysis the second
 * pass must not retire the record, and it cannot: the record exists (the
 * first pass found or made it), and only a new incarnation retires a
 * record in track(), which the first pass has already started. */
static __attribute__((noinline, cold)) void track_self(struct tracker *t, const struct seg_core *seg,
                                                       const struct tracker_prep *p)
{
    uint64_t rst_before = t->st.rst_ignored;
    track(t, seg, p, false);
    struct conn *c = ct_find(t->tab, &p->key, p->hash);
    if (!c)
        return;     /* (no room for it) */
    if (c->ep[CLIENT].pkts + c->ep[SERVER].pkts == 1 && t->analysis)
        analysis_self_connect(t->analysis, c, seg);
    struct tracker_prep mirror = *p;
    mirror.dir = !p->dir;
    bool obs = t->segment_obs;
    struct analysis *an = t->analysis;
    uint64_t segments = t->st.segments, rst_ignored = t->st.rst_ignored;
    t->segment_obs = false;
    t->analysis = NULL;
    track(t, seg, &mirror, false);
    t->segment_obs = obs;
    t->analysis = an;
    t->st.segments = segments;
    /* (a RST both records refused is one packet ignored) */
    if (rst_ignored != rst_before && t->st.rst_ignored != rst_ignored)
        t->st.rst_ignored = rst_ignored;
}

void tracker_segment_prepared(struct tracker *t, const struct seg_core *seg, const struct tracker_prep *p)
{
    /* 1. capture time, monotonic; expiry when it has moved on */
    if (!t->started) {
        t->started = true;
        t->base = t->now = seg->ts;
    }
    if (seg->ts > t->now) {
        t->now = seg->ts;
        t->now_pos = pos_of(t, t->now);
    } else if (seg->ts < t->now) {
        t->st.ts_backwards++;
    }
    if (t->now_pos != t->expired_pos)
        expire(t);

    if (__builtin_expect(p->key.port[0] == p->key.port[1], 0) && ct_key_is_self(&p->key) && !seg->icmp)
        track_self(t, seg, p);
    else
        track(t, seg, p, true);
}

/* An ICMP error (destination unreachable, time exceeded, parameter
 * problem) about a segment of connection c (NULL: none tracked), sent by
 * the endpoint on side `dir`: the capture saw that segment go by, and
 * "seen means delivered" took it as delivered; the error says it was not.  Two cases change a state:
 *
 *  - its SYN, from SYN_SENT (the quoted sequence number is its ISN): the
 *    endpoint gives up the attempt - CLOSED.  Linux ends a connection in
 *    SYN_SENT on any such error (tcp_v4_err(), tcp_v6_err(); RFC 1122
 *    4.2.3.9 allows it for the hard ones).  A stack that takes it as a soft
 *    error sends the SYN again, which the table takes back to SYN_SENT
 *    (CLOSED --snd_syn_again--> SYN_SENT);
 *  - its SYN-ACK, whose arrival took the peer from SYN_SENT to ESTABLISHED,
 *    before the peer acknowledged anything: the peer never had it - back to
 *    SYN_SENT.  The sender keeps its request (SYN_RCVD): stacks differ on
 *    dropping it (Linux drops it on a net or host unreachable over IPv4,
 *    on a port unreachable or a prohibition over IPv6), and what it does
 *    next shows which.
 *
 * Any other error (about data, a FIN, a SYN already answered) changes no
 * state: soft errors do not end a synchronized connection (RFC 1122
 * 4.2.3.9; RFC 5461).  The analysis gets every one that matched. */
static __attribute__((noinline, cold)) void icmp_error(struct tracker *t, struct conn *c, int dir, const struct seg_core *seg)
{
    if (!c) {
        t->st.icmp_no_conn++;
        return;
    }
    t->st.icmp_matched++;
    /* a packet of the connection's (its end, and what -w --select writes) */
    tstamp_t prev_last = c->last;
    if (seg->ts > c->last)
        c->last = seg->ts;
    int role = dir == conn_client_side(c) ? CLIENT : SERVER;
    if (t->segment_obs)
        show_segment(t, c, role, seg);
    struct conn_end *s = &c->ep[role], *r = &c->ep[!role];
    bool known = seg->icmp & ICMPK_HAVE_FLAGS;
    uint8_t f = seg->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);
    enum icmp_effect effect = ICMP_NO_EFFECT;
    if (s->state == ST_SYN_SENT && ep_sent_syn(s) && seg->seq == s->isn && (!known || f == TH_SYN)) {
        set_state(t, c, role, ST_CLOSED, (enum tcp_event)EV_ICMP_ERROR, seg->ts, seg->pktno);
        effect = ICMP_ENDED_ATTEMPT;
    } else if (ep_sent_synack(s) && r->state == ST_ESTABLISHED && !(r->flags & EPF_ACK) &&
               (known ? f == (TH_SYN | TH_ACK) && (r->flags & EPF_ISN) && seg->ack == r->isn + 1
                      : (s->flags & EPF_ISN) && seg->seq == s->isn)) {
        /* (a SYN-ACK answering the peer's SYN: with the flags quoted, by its
         * ACK, since one with a new ISN may follow a lost one) */
        set_state(t, c, !role, ST_SYN_SENT, (enum tcp_event)EV_ICMP_ERROR, seg->ts, seg->pktno);
        effect = ICMP_SYNACK_UNDELIVERED;
    }
    if (effect != ICMP_NO_EFFECT)
        t->st.icmp_moved++;
    if (t->analysis)
        analysis_icmp_error(t->analysis, c, role, seg, effect);
    /* its expiry list: a connection whose attempt ended is closed (it
     * lingers, then retires), and its last packet moved */
    relist(t, c, in_time_wait(c), false, prev_last);
}

/* Steps 2 to 6 (may_hold: a SYN may be held, see above). */
static void track(struct tracker *t, const struct seg_core *seg, const struct tracker_prep *p, bool may_hold)
{
    /* 2. the connection */
    const struct ct_key *key = &p->key;
    int dir = p->dir;
    uint64_t hash = p->hash;
    struct conn *c = ct_find(t->tab, key, hash);
    if (__builtin_expect(seg->icmp != 0, 0)) {
        icmp_error(t, c, dir, seg);
        return;
    }
    if (c && c->ep[0].syn_held) {
        if (!held_settle(t, c, dir == conn_client_side(c) ? CLIENT : SERVER, seg))
            return;
        c = ct_find(t->tab, key, hash);     /* (the SYN may have replaced it) */
    }
    if (c) {
        int role = dir == conn_client_side(c) ? CLIENT : SERVER;
        if (starts_new_incarnation(c, role, seg)) {
            enum late_syn late = late_syn_of(c, role, seg);
            if (__builtin_expect(late != LATE_SYN_NONE, 0)) {
                /* the SYN the server answered: the client sent it */
                struct conn_end *cl = &c->ep[CLIENT];
                cl->isn = seg->seq;
                cl->flags |= EPF_ISN;
                cl->syns = 1;   /* (LATE_SYN_AGAIN: the one answered, before this one) */
                if (late == LATE_SYN_REORDERED_COPY) {
                    /* seen late: counted, the states as the SYN-ACK left
                     * them (the client's no longer a guess); its sequence
                     * space from it, if nothing later said more */
                    tstamp_t prev_last = c->last;
                    cl->flags &= (uint8_t)~EPF_INFERRED;
                    if (!(cl->flags & EPF_SEQ)) {
                        cl->snd_nxt = seg->seq + 1 + seg->payload_len;
                        cl->flags |= EPF_SEQ;
                    }
                    count_only(t, c, CLIENT, seg);
                    conn_add_bytes(c, CLIENT, seg->payload_len);
                    if (t->analysis)
                        analysis_late_segment(t->analysis, c, CLIENT, seg);
                    relist(t, c, in_time_wait(c), false, prev_last);
                    return;
                }
            } else {
                if (may_hold && held_take(t, c, role, seg, p))
                    return;
                missed_first_fin(t, c);     /* (before its TIME_WAIT is judged) */
                bool in_tw = c->ep[0].state == ST_TIME_WAIT || c->ep[1].state == ST_TIME_WAIT;
                /* BSD-derived stacks accept a SYN in TIME_WAIT only if its
                 * sequence number is above the old connection's. */
                bool isn_above = !(c->ep[role].flags & EPF_SEQ) || seq_gt(seg->seq, c->ep[role].snd_nxt);
                /* The new connection replaces the TIME_WAIT socket. */
                if (in_tw)
                    end_time_wait(t, c, seg->ts);
                retire_for(t, c, RETIRE_REUSED, seg, role);
                c = create(t, key, hash, dir, seg);
                if (!c)
                    return;
                c->flags |= CF_REUSED | (in_tw ? CF_REUSED_IN_TW : 0);
                t->st.reused++;
                if (in_tw)
                    t->st.reused_in_tw++;
                if (t->analysis)
                    analysis_reused(t->analysis, c, in_tw, isn_above, seg);
            }
        } else if (__builtin_expect(seg->flags & TH_FIN, 0) && fin_seen_late(c, role, seg)) {
            /* counted, the states as the ACK left them */
            tstamp_t prev_last = c->last;
            if (c->ep[role].fins < EP_FINS_MAX)
                c->ep[role].fins++;     /* (seen now) */
            count_only(t, c, role, seg);
            if (t->analysis)
                analysis_late_segment(t->analysis, c, role, seg);
            relist(t, c, in_time_wait(c), false, prev_last);
            return;
        }
    } else {
        c = create(t, key, hash, dir, seg);
        if (!c)
            return;
    }
    t->st.segments++;
    int role = dir == conn_client_side(c) ? CLIENT : SERVER;
    struct conn_end *s = &c->ep[role], *r = &c->ep[!role];

    /* What sequence tracking knew before this segment, for the analysis. */
    struct seg_facts facts;
    if (s->rst_unsure | s->top_unseen) {    /* (rare: one test of two bits) */
        /* An endpoint CLOSED by an unsure RST that goes on (before the
         * facts: its segment then follows no reset) */
        if (s->rst_unsure && s->state == ST_CLOSED && (seg->flags & (TH_ACK | TH_SYN | TH_RST)) == TH_ACK)
            rst_not_taken(t, c, role, seg);
        /* top_unseen (missed_first_fin()) holds only while nothing says the
         * endpoint is still there: it sending anything but a plain ACK at
         * its next sequence number (a keep-alive or a window probe is below
         * it) */
        if (s->top_unseen &&
            (seg->seq != s->snd_nxt || seg->payload_len || (seg->flags & (TH_SYN | TH_FIN | TH_RST))))
            s->top_unseen = 0;
    }
    if (__builtin_expect(s->state == ST_CLOSED, 0) && (s->flags & EPF_RST) && !s->rst_unsure &&
        (seg->flags & (TH_ACK | TH_SYN | TH_RST)) == TH_ACK && (c->flags & CF_HS_DONE) &&
        seg->ts - conn_since(c, role) >= RST_FORGED_AFTER &&
        (uint32_t)(seg->seq - s->snd_nxt + (1u << 30)) < (1u << 31))
        rst_forged(t, c, role, seg);

    facts.prev_last = c->last;
    facts.snd_nxt = s->snd_nxt;
    facts.peer_ack = r->ack;
    facts.fin_seq = s->fin_seq;
    facts.peer_win = r->win;
    facts.sender_flags = s->flags;
    facts.receiver_flags = r->flags;
    facts.sender_state = s->state;
    facts.receiver_state = r->state;
    facts.rst_accepted = facts.rst_ignored = false;
    facts.unseen_acked = 0;
    facts.handshake_done = false;
    tstamp_t tw_before = in_time_wait(c) ? time_wait_deadline(t, c) : 0;

    if (seg->ts > c->last)
        c->last = seg->ts;
    facts.handshake_done = note_handshake(c, role, seg);

    /* A RST the receiver would not accept says nothing about its sender:
     * an endpoint that has the connection resets it with a sequence number
     * inside its peer's window, so this one is stale or forged.  It changes
     * neither side. */
    enum rst_verdict rst_v = (seg->flags & TH_RST) ? rst_judge(c, r, s, seg) : RST_TAKEN;
    bool rst_ok = rst_v != RST_REFUSED;
    if (!rst_ok)
        t->st.rst_ignored++;

    /* A FIN the capture missed (rule 3: what an endpoint sends reveals what
     * the capture did not see): an endpoint that has sent its FIN
     * (FIN_WAIT_1, FIN_WAIT_2) acknowledges exactly one sequence number
     * beyond all the capture saw from its peer, which had received that
     * FIN (CLOSE_WAIT) and sent none.  That number is the peer's FIN - data
     * from a peer that has the FIN is rare, and a FIN is what it sends
     * next - which, sent after the FIN it had, acknowledged it; this ACK
     * then covers it.  The capture still missed a segment: capture-gap.
     * (Of a peer the capture has nothing from, see missed_first_fin().) */
    if ((s->state == ST_FIN_WAIT_2 || s->state == ST_FIN_WAIT_1) && r->state == ST_CLOSE_WAIT &&
        !(r->flags & EPF_FIN) && (s->flags & EPF_FIN) &&
        (seg->flags & (TH_ACK | TH_SYN | TH_FIN | TH_RST)) == TH_ACK && seg->payload_len == 0 &&
        (r->flags & EPF_SEQ) && seg->ack == r->snd_nxt + 1)
        missed_fin(t, c, !role, seg, &facts);

    /* A half-close still carrying data is not stuck: an endpoint's time in
     * CLOSE_WAIT, and its peer's in FIN_WAIT_2, count from the endpoint's
     * last new data (analysis_stuck(), a late close) - counted before the
     * send event, for the data that goes with a FIN */
    if (s->state == ST_CLOSE_WAIT && seg->payload_len && !(seg->flags & (TH_SYN | TH_RST)) &&
        seq_gt(seg->seq + seg->payload_len, s->snd_nxt))
        quiet_from(c, role, seg);

    /* 3-5. send event, sequence bookkeeping, receive event */
    enum tcp_event ev = classify_send(s, r, seg);
    bool first_fin = ev == EV_SND_FIN || ev == EV_SND_FIN_PEERFIN;
    enum tcp_state s_before = s->state;
    if (ev != EV_NONE && rst_ok && !event_changes_nothing(s->state, ev))
        apply_event(t, c, role, ev, seg);
    /* (a SYN_SENT endpoint's answering RST, EV_NONE above, is not its
     * reset; nor is one into a receiver closed by an unsure RST, which
     * would take the blame for that one if it is undone) */
    uint32_t ack_moved = note_sent(s, seg, rst_ok && !((seg->flags & TH_RST) && (ev == EV_NONE || r->rst_unsure)));
    /* A connection first seen at its SYN-ACK stops being a guess at the
     * client's first segment (not at the SYN-ACK's arrival, which is what
     * moves it first); one picked up mid-stream once it has been reset or
     * both FINs have been seen (rst_not_taken(), ...). */
    if (__builtin_expect(s->flags & EPF_INFERRED, 0) && (c->flags & CF_SYNACK_FIRST) && role == CLIENT)
        s->flags &= (uint8_t)~EPF_INFERRED;
    conn_add_bytes(c, role, seg->payload_len);
    /* Its acknowledgement moved on with nothing seen from the peer: the peer
     * sent what the capture missed (one-sided) - if this is an endpoint of a
     * real connection, one that opened it (SYN or SYN-ACK seen) or sent
     * data, not a scanner's or a flood's ACKs. */
    /* ... nor while the peer sends data after that number, or, of a peer
     * the capture has nothing from, anything but its FIN that moves
     * nothing (an ACK of a keep-alive) */
    if (r->top_unseen && (seg->payload_len || (r->pkts == 0 && !ack_moved && !(seg->flags & TH_FIN))))
        r->top_unseen = 0;
    if (ack_moved && r->pkts == 0 && ((s->flags & EPF_ISN) || conn_bytes(c, role))) {
        c->flags |= CF_ACKED_UNSEEN;
        /* one number alone: perhaps the silent peer's FIN (missed_first_fin()) */
        r->top_unseen = ack_moved == 1 && !(r->flags & EPF_FIN);
    }
    /* An ACK beyond everything the capture saw from the peer: the capture
     * missed the peer's segments (not a loss: they were acknowledged).  But
     * not the one sequence number behind a keep-alive (sent at SND.UNA - 1,
     * RFC 9293 3.8.4) that is all the capture has of a connection picked up
     * mid-stream: that byte was acknowledged before the capture began. */
    if ((seg->flags & TH_ACK) && !(seg->flags & TH_RST) && (r->flags & EPF_SEQ) &&
        seq_gt(seg->ack, r->snd_nxt) && seq_lt(seg->ack, r->snd_nxt + (1u << 30)) &&
        !answers_older(s_before, r, seg)) {
        bool before_capture = seg->ack - r->snd_nxt == 1 && (c->flags & CF_PICKED_UP) &&
                              conn_bytes(c, !role) == 0 && !(r->flags & (EPF_ISN | EPF_FIN));
        if (!before_capture)
            facts.unseen_acked = seg->ack - r->snd_nxt;
        r->top_unseen = !before_capture && seg->ack - r->snd_nxt == 1 && !(r->flags & EPF_FIN);
        r->snd_nxt = seg->ack;
    }
    ev = classify_receive(r, seg, rst_ok);
    if (ev != EV_NONE && !event_changes_nothing(r->state, ev) &&
        !(role == CLIENT && full_queue_ignores(c, ev, seg, facts.handshake_done)))
        apply_event(t, c, !role, ev, seg);
    /* The sender's first FIN, which its receiver had acknowledged already:
     * the capture has that ACK before the FIN (out of order), and it counts
     * now - within FIN_REORDERED of the packet before (not a FIN sent
     * again: then the ACK was lost). */
    if (__builtin_expect(first_fin, 0) && (r->flags & EPF_ACK) && r->ack == s->fin_seq + 1 &&
        seg->ts - facts.prev_last < FIN_REORDERED &&
        (s->state == ST_FIN_WAIT_1 || s->state == ST_CLOSING || s->state == ST_LAST_ACK))
        apply_event(t, c, role, EV_RCV_ACK_OF_FIN, seg);
    if (seg->flags & TH_RST) {
        facts.rst_accepted = ev == EV_RCV_RST;
        facts.rst_ignored = ev == EV_NONE;
        /* Both ends of a RST taken unsure may yet be undone; a RST taken
         * for sure settles its sender's doubt. */
        bool unsure = rst_v == RST_UNSURE && ev == EV_RCV_RST && r->state == ST_CLOSED;
        /* One to a receiver it already closed (a burst of injected RSTs,
         * of which the stack challenges one at most) changes nothing. */
        if (facts.receiver_state != ST_CLOSED) {
            s->rst_unsure = unsure && s->state == ST_CLOSED;
            if (ev == EV_RCV_RST)
                r->rst_unsure = unsure;
        }
    }
    if (seg->payload_len && !(seg->flags & (TH_SYN | TH_RST))) {
        c->flags |= CF_SEEN_DATA;
        if (role == SERVER)
            c->flags |= CF_LAST_DATA_SERVER;
        else
            c->flags &= (uint16_t)~CF_LAST_DATA_SERVER;
    }

    /* A picked-up connection's states stop being guesses once both FINs
     * or a reset have been seen. */
    if ((c->flags & CF_PICKED_UP) &&
        (((c->ep[0].flags & EPF_FIN) && (c->ep[1].flags & EPF_FIN)) ||
         ((seg->flags & TH_RST) && ev != EV_NONE))) {
        c->ep[0].flags &= (uint8_t)~EPF_INFERRED;
        c->ep[1].flags &= (uint8_t)~EPF_INFERRED;
    }

    if (t->analysis)
        analysis_segment(t->analysis, c, role, seg, &facts);
    if (t->segment_obs)
        show_segment(t, c, role, seg);

    /* 6. expiry list */
    bool in_tw = in_time_wait(c);
    relist(t, c, in_tw, in_tw && time_wait_deadline(t, c) != tw_before, facts.prev_last);
}

/* Connections still tracked at the end leave in order of creation. */
static uint32_t conn_rank(const void *rec)
{
    return ((const struct conn *)rec)->id;
}

static void retire_at_end(void *ctx, void *rec)
{
    retire(ctx, rec, RETIRE_END);
}

/* What only the end of the input tells, judged on a connection the end
 * finds in the table: a first FIN the capture missed (judged at most once:
 * missed_first_fin() clears top_unseen).  What the silence after the last
 * segment tells - an endpoint that gave up, a server that holds no request
 * - is judged as the connection leaves (settle_silence(), after the
 * analysis has judged the stuck endpoints on the states the packets left),
 * and a view shows it as of its own time (model.c, view_state()). */
static void judge_at_end(struct tracker *t, struct conn *c)
{
    uint8_t before[2] = { c->ep[0].state, c->ep[1].state };
    missed_first_fin(t, c);
    if (c->ep[0].state != before[0] || c->ep[1].state != before[1])
        relist(t, c, in_time_wait(c), true, c->last);
}

void tracker_input_ended(struct tracker *t)
{
    /* (once: a second call's expiry would retire what the first judged,
     * before the end) */
    if (t->input_ended)
        return;
    t->input_ended = true;
    /* SYNs still held that nothing answered start their new incarnations,
     * as they would have at once */
    for (int i = 0; i < HELD_MAX; i++)
        if (t->held[i].c && !t->held[i].challenged)
            held_replay(t, &t->held[i]);
    expire(t);
    for (uint32_t i = 1; i < ct_index_limit(t->tab); i++) {
        struct conn *c = ct_at(t->tab, i);
        if (c)
            judge_at_end(t, c);
    }
}

void tracker_finish(struct tracker *t)
{
    tracker_input_ended(t);
    analysis_ending(t->analysis);
    ct_drain_ordered(t->tab, conn_rank, t->next_id, retire_at_end, t);
}

void tracker_advance(struct tracker *t, tstamp_t ts)
{
    if (!t->started || ts <= t->now)
        return;
    t->now = ts;
    t->now_pos = pos_of(t, ts);
    if (t->now_pos != t->expired_pos)
        expire(t);
}

const struct conn *tracker_at(struct tracker *t, uint32_t slot)
{
    return slot > 0 && slot < ct_index_limit(t->tab) ? ct_at(t->tab, slot) : NULL;
}

void tracker_foreach(struct tracker *t, void (*fn)(void *ctx, const struct conn *c, uint32_t slot), void *ctx)
{
    for (uint32_t i = 1; i < ct_index_limit(t->tab); i++) {
        struct conn *c = ct_at(t->tab, i);
        if (c)
            fn(ctx, c, i);
    }
}
