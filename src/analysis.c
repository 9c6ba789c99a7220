/* analysis.c - anomaly detection.
 *
 * Three kinds of evidence:
 *  - events (the table's inputs): a SYN sent again after its SYN-ACK was
 *    seen, a FIN sent again, crossing FINs, a RST from a synchronized state;
 *  - segments, with the sequence state as it was before them: retransmitted
 *    or reordered data, holes, window probes, zero windows, idle gaps, data
 *    after FIN or RST, ACKs of data the capture never saw;
 *  - the final picture when a connection leaves the table: unanswered SYNs,
 *    half-open handshakes, endpoints stuck in CLOSE_WAIT or FIN_WAIT_2,
 *    stalls still going on.
 * Per connection the analysis keeps an extension record, allocated the first
 * time a connection needs one, and only for the connections with a hole in
 * their sequence space or a zero window, the state of those (most
 * connections with an anomaly never have either, and a 16-byte extension
 * instead of 64 is most of the per-connection memory beyond the record). */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "pool.h"
#include "seq.h"
#include "smalltab.h"

/* Reordering: a segment filling a hole within this time after the hole
 * appeared is out of order; later, it is a retransmission.  Wireshark uses
 * the handshake round trip when known; so do we, with this as the floor. */
#define REORDER_MIN (3 * TS_PER_MS)
/* A SYN or SYN-ACK counts as unanswered only once a retransmission timeout
 * (RFC 6298: 1 s initial) has passed without an answer. */
#define INITIAL_RTO TS_PER_SEC

struct ext_end {
    uint32_t hole_lo, hole_hi;  /* the latest gap in its sequence space */
    tstamp_t hole_ts;           /* when the gap appeared (0: none) */
    tstamp_t zw_start;          /* it has advertised a zero window since (0: open) */
    /* The gap is one its peer acknowledged before the capture had it: the
     * packet of that ACK (0: a gap its own next segment showed).  Filled
     * soon, the capture had the ACK first (out of order); else the capture
     * missed it (capture-gap, judged then: acked_gap_missed()). */
    uint32_t hole_acked_pkt;
};

struct ext_gaps {
    struct ext_end ep[2];
};

struct conn_ext {
    uint32_t mask;              /* anomaly ids recorded for the connection */
    uint32_t head;              /* its anomaly records, in order of detection */
    uint32_t hist;              /* its history record (config.history), 0: none */
    uint32_t gaps;              /* its struct ext_gaps, 0: none yet */
};
_Static_assert(sizeof(struct conn_ext) == 16, "an extension record: 16 bytes");

/* SYN flood detection, per service (server address and port). */
struct flood_key {
    uint8_t addr[16];
    uint8_t family, pad;
    uint16_t port;
};
#define HLL_REGS 64
struct flood_rec {
    struct flood_key key;
    tstamp_t win_start;
    uint32_t attempts, completed;
    uint8_t hll[HLL_REGS];      /* distinct sources in the window (HyperLogLog) */
    /* the worst window so far */
    tstamp_t worst_start;
    uint32_t worst_incomplete;
    uint32_t worst_sources;
    uint64_t first_pkt;
};

/* TIME_WAIT endpoints per client address and service.  Random clients put
 * one pair in the table for nearly every connection, so a pair is kept as a
 * 64-bit keyed hash of it (its tag: a collision needs ~2^32 pairs at once,
 * and the key is secret), not as its 36 bytes; the addresses are copied out
 * only for the few pairs that reach the pileup threshold, with the time of
 * their peak (which only those need).  A pair with no TIME_WAIT left that
 * never reached the threshold leaves the table: a later pileup of it counts
 * up from zero just the same.  When the table is full, a new pair takes the
 * place of the pair of one of the connections longest in TIME_WAIT (the
 * owner's walk: analysis_set_time_wait_walk()) if that pair has that single
 * TIME_WAIT and never reached the threshold: the connection is no longer
 * counted, and its pair leaves.  Which pair goes depends on the capture
 * alone, not on the hash key, so reports do not vary from run to run; and
 * the one given up is the one that would have left first.  A pair with two
 * or more is never given up. */
struct pileup_key {
    uint8_t client[16];
    uint8_t server[16];
    uint8_t family, pad;
    uint16_t port;
};
/* One pair holds at most 65,536 TIME_WAIT connections at once (they differ
 * in the client's 16-bit port), so its counts fit in 17 bits. */
#define PILEUP_COUNT_BITS 17
struct pileup_rec {
    uint64_t tag;               /* the smalltab key */
    uint64_t now : PILEUP_COUNT_BITS;
    uint64_t peak : PILEUP_COUNT_BITS;
    uint64_t found : 64 - 2 * PILEUP_COUNT_BITS;  /* its entry in found[] plus 1; 0: none */
};
_Static_assert(sizeof(struct pileup_rec) == 16, "a pileup pair: 16 bytes");
struct pileup_found {
    struct pileup_key key;
    tstamp_t peak_ts;           /* when its count last reached its peak */
};
struct pileup_tab {
    struct smalltab tab;        /* struct pileup_rec by tag */
    struct hash_key hk;         /* for the tags */
    struct pileup_found *found; /* pairs that reached the threshold */
    uint32_t nfound, capfound;
};
#define PILEUP_MAX 65536u       /* pairs tracked at once */
/* Connections a full table looks at for a pair to give up, oldest first:
 * enough to pass a few that belong to bigger pairs (or are a server's
 * TIME_WAIT), few enough to keep each TIME_WAIT O(1). */
#define PILEUP_DROP_LOOK 64

struct analysis {
    struct analysis_config cfg;
    struct pool ext;
    struct pool gaps;           /* struct ext_gaps, for some of the ext records */
    struct pool rec;
    struct pool hist;           /* Zeek-style histories, with config.history */
    struct analysis_stats st;
    struct smalltab flood;
    struct pileup_tab pileup;
    struct hash_key hk;
    struct service_anomaly *svc;
    uint32_t nsvc, capsvc;
    bool ending;                /* the capture has ended: everything retires */
    analysis_tw_walk tw_walk;   /* the owner's connections in TIME_WAIT */
    void *tw_ctx;
    struct conn *tw_cursor;     /* where the last search for room stopped */
};

void analysis_config_defaults(struct analysis_config *cfg)
{
    /* every field, so a caller's struct holds nothing uninitialised (the
     * history flag was left to whatever the stack held) */
    memset(cfg, 0, sizeof *cfg);
    cfg->history = false;
    cfg->stuck_after = 60 * TS_PER_SEC;
    cfg->slow_handshake = 1000 * TS_PER_MS;
    cfg->idle_after = 60 * TS_PER_SEC;
    cfg->flood_rate = 100;
    cfg->flood_window = TS_PER_SEC;
    cfg->pileup = 1000;
    cfg->ephemeral_ports = 60999 - 32768 + 1;   /* Linux's default range */
    cfg->max_anomalies = 1u << 20;
}

struct analysis *analysis_create(const struct analysis_config *cfg, uint32_t max_conns)
{
    struct analysis *an = calloc(1, sizeof *an);
    if (!an)
        return NULL;
    an->cfg = *cfg;
    pool_init(&an->ext, sizeof(struct conn_ext), max_conns);
    pool_init(&an->gaps, sizeof(struct ext_gaps), max_conns);
    pool_init(&an->rec, sizeof(struct anomaly), cfg->max_anomalies);
    pool_init(&an->hist, sizeof(struct history), cfg->history ? max_conns : 0);
    if (!smalltab_init(&an->flood, sizeof(struct flood_key), sizeof(struct flood_rec), 16384) ||
        !smalltab_init_tagged(&an->pileup.tab, sizeof(struct pileup_rec), PILEUP_MAX)) {
        analysis_destroy(an);
        return NULL;
    }
    /* The distinct-source estimate must not vary from run to run, so its
     * hash key is fixed; it only sizes a count, it indexes no table. */
    hash_key_random(&an->pileup.hk);
    an->hk.k0 = 0x74637066736d2d31ULL;
    an->hk.k1 = 0x686c6c2d736f7572ULL;
    return an;
}

void analysis_destroy(struct analysis *an)
{
    if (!an)
        return;
    pool_destroy(&an->ext);
    pool_destroy(&an->gaps);
    pool_destroy(&an->rec);
    pool_destroy(&an->hist);
    smalltab_destroy(&an->flood);
    smalltab_destroy(&an->pileup.tab);
    free(an->pileup.found);
    free(an->svc);
    free(an);
}

const struct analysis_stats *analysis_stats(const struct analysis *an) { return &an->st; }
const struct analysis_config *analysis_config(const struct analysis *an) { return &an->cfg; }

/* ---------------------------------------------------------- records --- */

static struct conn_ext *ext_of(const struct analysis *an, const struct conn *c)
{
    return c->ext ? pool_at(&an->ext, c->ext) : NULL;
}

static struct conn_ext *ext_get(struct analysis *an, struct conn *c)
{
    if (!c->ext) {
        c->ext = pool_get(&an->ext);
        if (!c->ext) {
            an->st.ext_refused++;
            return NULL;
        }
    }
    return pool_at(&an->ext, c->ext);
}

/* The hole and zero-window state of an endpoint, or NULL if it has none. */
static struct ext_end *end_of(const struct analysis *an, const struct conn_ext *x, int role)
{
    if (!x || !x->gaps)
        return NULL;
    return &((struct ext_gaps *)pool_at(&an->gaps, x->gaps))->ep[role];
}

/* The same, created on first use (zeroed); NULL if no record can be had. */
static struct ext_end *end_get(struct analysis *an, struct conn *c, int role)
{
    struct conn_ext *x = ext_get(an, c);
    if (!x)
        return NULL;
    if (!x->gaps && !(x->gaps = pool_get(&an->gaps))) {
        an->st.ext_refused++;
        return NULL;
    }
    return end_of(an, x, role);
}

static struct anomaly *rec_at(const struct analysis *an, uint32_t idx)
{
    return idx ? pool_at(&an->rec, idx) : NULL;
}

/* Retransmissions and reordering are each sender's own: both ends of a
 * connection can retransmit, and one record for both would give the first
 * sender the other's segments (and the share of its own segments they
 * make).  So are a zero window (its advertiser's, with the probes into it),
 * keep-alives and a FIN sent again: both ends can stall, probe or hold a
 * FIN.  These ids get a record per sender (connview.h counts them). */
static bool per_sender(enum anomaly_id id)
{
    return (ANOMALY_PER_SENDER_MASK >> id) & 1;
}

#define ANY_SENDER (-2)

/* The connection's record for id, of sender `who` for the ids kept per
 * sender (ANY_SENDER: the first of them). */
static struct anomaly *find_of(const struct analysis *an, const struct conn_ext *x,
                               enum anomaly_id id, int who)
{
    if (!(x->mask & (1u << id)))
        return NULL;
    for (struct anomaly *a = rec_at(an, x->head); a; a = rec_at(an, a->next))
        if (a->id == id && (who == ANY_SENDER || !per_sender(id) || a->who == who))
            return a;
    return NULL;
}

/* The connection's record for id (the first, for the ids kept per sender). */
static struct anomaly *find(const struct analysis *an, const struct conn_ext *x, enum anomaly_id id)
{
    return find_of(an, x, id, ANY_SENDER);
}

/* The connection's record for anomaly id, created on first use; one more
 * occurrence at ts, with pkt as evidence.  NULL if nothing can be kept (the
 * occurrence is still counted in the totals). */
static struct anomaly *note(struct analysis *an, struct conn *c, enum anomaly_id id, int who,
                            tstamp_t ts, uint64_t pkt)
{
    an->st.occurrences[id]++;
    struct conn_ext *x = ext_get(an, c);
    if (!x) {
        an->st.not_recorded++;
        return NULL;
    }
    struct anomaly *a = find_of(an, x, id, who);
    if (!a) {
        uint32_t idx = pool_get(&an->rec);
        if (!idx) {
            an->st.not_recorded++;
            if (!(x->mask & (1u << id)))
                an->st.conns_with[id]++;
            x->mask |= 1u << id;
            return NULL;
        }
        a = rec_at(an, idx);
        a->id = (uint8_t)id;
        a->who = (int8_t)who;
        a->start = ts;
        /* append, keeping detection order */
        if (!x->head) {
            x->head = idx;
        } else {
            struct anomaly *t = rec_at(an, x->head);
            while (t->next)
                t = rec_at(an, t->next);
            t->next = idx;
        }
        if (!(x->mask & (1u << id)))
            an->st.conns_with[id]++;
        if (!x->mask)
            an->st.conns_any++;
        x->mask |= 1u << id;
    }
    a->count++;
    a->end = ts;
    uint32_t p32 = pktno32(pkt);
    if (p32 && a->nevidence < ANOMALY_EVIDENCE &&
        (a->nevidence == 0 || a->evidence[a->nevidence - 1] != p32))
        a->evidence[a->nevidence++] = p32;
    return a;
}

/* Replace the last evidence slot with pkt (to keep the latest packet). */
static void last_evidence(struct anomaly *a, uint64_t pkt64)
{
    uint32_t pkt = pktno32(pkt64);
    if (!a || !pkt)
        return;
    if (a->nevidence < ANOMALY_EVIDENCE) {
        if (a->nevidence == 0 || a->evidence[a->nevidence - 1] != pkt)
            a->evidence[a->nevidence++] = pkt;
    } else {
        a->evidence[ANOMALY_EVIDENCE - 1] = pkt;
    }
}

uint32_t analysis_mask(const struct analysis *an, const struct conn *c)
{
    const struct conn_ext *x = ext_of(an, c);
    return x ? x->mask : 0;
}

const struct anomaly *analysis_first(const struct analysis *an, const struct conn *c)
{
    const struct conn_ext *x = ext_of(an, c);
    return x ? rec_at(an, x->head) : NULL;
}

const struct anomaly *analysis_next(const struct analysis *an, const struct anomaly *a)
{
    return rec_at(an, a->next);
}

static tstamp_t rel_time(const struct conn *c, uint32_t us)
{
    return c->first + (tstamp_t)us * 1000;
}

static bool synchronized(uint8_t st)
{
    return st != ST_CLOSED && st != ST_LISTEN && st != ST_SYN_SENT && st != ST_SYN_RCVD;
}

/* ------------------------------------------------------- SYN floods --- */

static void flood_key(struct flood_key *k, const struct conn *c)
{
    memset(k, 0, sizeof *k);
    struct flow_addr a;
    conn_addr(c, SERVER, &a);
    memcpy(k->addr, a.b, 16);
    k->family = a.family;
    k->port = conn_port(c, SERVER);
}

static uint32_t hll_estimate(const uint8_t *r)
{
    /* HyperLogLog (Flajolet et al.) with linear counting for small sets. */
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < HLL_REGS; i++) {
        sum += 1.0 / (double)(1ULL << r[i]);
        zeros += r[i] == 0;
    }
    double m = HLL_REGS, est = 0.709 * m * m / sum;
    if (est <= 2.5 * m && zeros) {
        double lc = 0, x = m / zeros;
        /* m * ln(m / zeros), by series-free log */
        lc = m * log(x);
        est = lc;
    }
    return (uint32_t)(est + 0.5);
}

static void flood_close_window(struct analysis *an, struct flood_rec *f)
{
    uint32_t incomplete = f->attempts > f->completed ? f->attempts - f->completed : 0;
    if (incomplete > f->worst_incomplete) {
        f->worst_incomplete = incomplete;
        f->worst_start = f->win_start;
        f->worst_sources = hll_estimate(f->hll);
    }
    (void)an;
    f->attempts = f->completed = 0;
    memset(f->hll, 0, sizeof f->hll);
}

static struct flood_rec *flood_window(struct analysis *an, const struct conn *c, tstamp_t ts)
{
    struct flood_key k;
    flood_key(&k, c);
    struct flood_rec *f = smalltab_get(&an->flood, &k, true);
    if (!f)
        return NULL;
    if (!f->win_start) {
        f->win_start = ts;
    } else if (ts >= f->win_start + an->cfg.flood_window) {
        flood_close_window(an, f);
        f->win_start = ts;
    }
    return f;
}

static void flood_attempt(struct analysis *an, const struct conn *c, const struct seg_core *seg)
{
    struct flood_rec *f = flood_window(an, c, seg->ts);
    if (!f)
        return;
    if (!f->first_pkt)
        f->first_pkt = seg->pktno;
    f->attempts++;
    struct flow_addr a;
    conn_addr(c, CLIENT, &a);
    uint64_t h = siphash13(&an->hk, a.b, 16);
    uint32_t reg = (uint32_t)(h & (HLL_REGS - 1));
    uint64_t rest = h >> 6;
    uint8_t rank = 1;
    while (!(rest & 1) && rank < 58) {
        rank++;
        rest >>= 1;
    }
    if (rank > f->hll[reg])
        f->hll[reg] = rank;
}

static void flood_completed(struct analysis *an, const struct conn *c, tstamp_t ts)
{
    struct flood_rec *f = flood_window(an, c, ts);
    if (f)
        f->completed++;
}

/* ---------------------------------------------------------- hooks --- */

void analysis_event(struct analysis *an, struct conn *c, int role, enum tcp_state from,
                    enum tcp_event ev, const struct seg_core *seg)
{
    const struct conn_end *p = &c->ep[!role];
    struct anomaly *a;

    /* both FINs out before either was acknowledged: crossing FINs */
    if (from != ST_CLOSING && (unsigned)ev < EV__COUNT && tcp_transition(from, ev)->next == ST_CLOSING &&
        conn_fins_crossed(c, role, ev) && !conn_is_self(c))
        note(an, c, AN_SIMULTANEOUS_CLOSE, -1, seg->ts, seg->pktno);

    switch (ev) {
    case EV_SND_SYN:
        /* a first SYN from a client: a connection attempt for flood counting */
        if (role == CLIENT && from == ST_CLOSED && !(c->flags & CF_PICKED_UP))
            flood_attempt(an, c, seg);
        /* the server opening too, before answering: simultaneous open */
        if (role == SERVER && (from == ST_LISTEN || from == ST_CLOSED) &&
            c->ep[CLIENT].state == ST_SYN_SENT && !conn_is_self(c))
            note(an, c, AN_SIMULTANEOUS_OPEN, -1, seg->ts, seg->pktno);
        break;
    case EV_SND_SYN_AGAIN:
        /* the SYN-ACK was seen, yet the SYN comes again: it never arrived */
        if (role == CLIENT && ep_sent_synack(p) &&
            !(from == ST_SYN_SENT && ext_of(an, c) && (a = find(an, ext_of(an, c), AN_SYNACK_LOST)) && a->value2)) {
            /* (not again for a SYN-ACK an ICMP error already showed lost,
             * which took the client back to SYN_SENT) */
            a = note(an, c, AN_SYNACK_LOST, -1, seg->ts, seg->pktno);
            if (a)
                a->state = from;
        }
        break;
    case EV_SND_SYNACK_AGAIN:
        /* the SYN-ACK again after the ACK that completed the handshake at
         * the capture point: the server ignored that ACK - and the client's
         * data, or it is the second time (a listener deferring accept sends
         * it once, at the end of its deferring period, and takes the next
         * ACK; it takes data at once) */
        /* (not one that may answer a SYN sent again: more SYNs than
         * SYN-ACKs before it; this one is not yet counted) */
        /* (nor a Fast Open socket's, which took the SYN's data: its
         * client's ACK was lost) */
        if (role == SERVER && (c->flags & CF_HS_DONE) && c->ep[SERVER].synacks >= c->ep[CLIENT].syns &&
            (conn_bytes(c, CLIENT) > 0 || c->ep[SERVER].synacks >= 2) && !conn_server_took_data(c, seg->ack))
            note(an, c, AN_LISTEN_OVERFLOW, SERVER, seg->ts, seg->pktno);
        break;
    case EV_RCV_SYN:
        /* (a socket's own SYN coming back to it: self-connect) */
        if (from == ST_SYN_SENT && !conn_is_self(c))
            note(an, c, AN_SIMULTANEOUS_OPEN, -1, seg->ts, seg->pktno);
        break;
    case EV_SND_RST:
        /* a RST answering the SYN: nothing listens there */
        if (role == SERVER && (from == ST_LISTEN || from == ST_CLOSED) &&
            c->ep[CLIENT].state == ST_SYN_SENT) {
            /* the connection's first packet once, then the RSTs (a SYN sent
             * again draws one each) */
            const struct conn_ext *x = ext_of(an, c);
            bool again = x && (x->mask & (1u << AN_SYN_REFUSED));
            a = note(an, c, AN_SYN_REFUSED, SERVER, seg->ts, again ? 0 : c->first_pkt);
            last_evidence(a, seg->pktno);
        }
        break;
    case EV_SND_FIN_AGAIN:
    case EV_SND_FIN_AGAIN_PEERFIN:
        if (from == ST_CLOSED && ev == EV_SND_FIN_AGAIN_PEERFIN) {
            /* we saw the final ACK, yet the passive closer sends its FIN
             * again: that ACK never reached it */
            a = note(an, c, AN_LAST_ACK_LOST, -1, seg->ts, seg->pktno);
            if (a)
                a->state = ST_LAST_ACK;
        } else {
            /* a FIN sent again: the endpoint holds it unacknowledged, in the
             * state the table moves it to (FIN_WAIT_1, CLOSING or LAST_ACK) */
            a = note(an, c, AN_FIN_UNACKED, role, seg->ts, seg->pktno);
            if (a && a->count == 1)     /* the state it was held in when it began */
                a->state = tcp_transition(from, ev)->next;
        }
        break;
    default:
        break;
    }
}

/* Handshake completion: retransmissions it needed, how long it took. */
static void handshake_done(struct analysis *an, struct conn *c, const struct seg_core *seg)
{
    const struct conn_end *cl = &c->ep[CLIENT], *sv = &c->ep[SERVER];
    flood_completed(an, c, seg->ts);
    unsigned syn_rtx = cl->syns > 1 ? cl->syns - 1u : 0;
    unsigned synack_rtx = sv->synacks > 1 ? sv->synacks - 1u : 0;
    if (syn_rtx || synack_rtx) {
        struct anomaly *a = note(an, c, AN_SYN_RETRANSMITTED, -1, seg->ts, c->first_pkt);
        if (a) {
            a->count = syn_rtx + synack_rtx;
            a->value = syn_rtx;
            a->value2 = synack_rtx;
            /* the delay they cost: first SYN to the SYN that was answered,
             * and from the first SYN-ACK to the ACK that completed */
            a->start = c->first;
            last_evidence(a, seg->pktno);
        }
    }
    int64_t rtt, server, client;
    if ((c->flags & CF_HS_SYN) && conn_handshake(c, &rtt, &server, &client) && rtt > an->cfg.slow_handshake) {
        /* the SYN that was answered was sent rtt before this ACK */
        struct anomaly *a = note(an, c, AN_HANDSHAKE_SLOW, -1, seg->ts - rtt, c->first_pkt);
        if (a) {
            a->value = (uint64_t)rtt;
            a->value2 = server / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(server / 1000);
            last_evidence(a, seg->pktno);
        }
    }
}

/* A RST that ends the sender's keep-alive probing: it sent two or more,
 * nothing new went either way since the last (both sequence spaces where
 * they stood then), and the RST follows it after about the probes' own
 * interval - as Linux resets once tcp_keepalive_probes went unanswered,
 * one interval after the last.  (An application aborting an idle
 * connection whose probes were answered - answered probes come hours
 * apart - resets at no such time.) */
static bool keepalive_given_up(const struct analysis *an, const struct conn *c, int role,
                               const struct seg_core *seg, const struct seg_facts *f)
{
    const struct conn_ext *x = ext_of(an, c);
    const struct anomaly *a = x ? find_of(an, x, AN_KEEPALIVE, role) : NULL;
    if (!a || a->count < 2 || a->value != f->snd_nxt ||
        a->value2 != c->ep[!role].snd_nxt)
        return false;
    tstamp_t interval = (a->end - a->start) / (tstamp_t)(a->count - 1);
    tstamp_t after = seg->ts - a->end;
    return interval > 0 && after >= interval / 2 && after <= interval + interval / 2;
}

/* What a RST ended: who, from which state, with what outstanding. */
static void rst_abort(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                      const struct seg_facts *f)
{
    const struct conn_end *s = &c->ep[role], *r = &c->ep[!role];
    enum rst_kind kind;
    bool s_sync = synchronized(f->sender_state), r_sync = synchronized(f->receiver_state);
    if (role == SERVER && f->receiver_state == ST_SYN_SENT)
        return;             /* a RST answering the SYN: syn-refused */
    if (!s_sync && !r_sync && f->sender_state != ST_SYN_RCVD && f->receiver_state != ST_SYN_RCVD)
        return;             /* nothing was under way on either side */
    if (f->receiver_state == ST_TIME_WAIT && f->sender_state == ST_CLOSED)
        return;             /* a TIME_WAIT ended by a peer done with it: no
                               connection was live to abort */
    /* RFC 793's reply from an endpoint without a connection: no ACK bit,
     * sequence number taken from the ACK of the segment it answers, which is
     * what the peer had acknowledged.  The sender had lost the connection. */
    bool lost_state = !(seg->flags & TH_ACK) && (r->flags & EPF_ACK) && seg->seq == r->ack;
    if (!s_sync || f->receiver_state == ST_SYN_RCVD || lost_state)
        kind = RST_HALF_OPEN;   /* the sender had no synchronized connection */
    else if ((f->sender_flags & EPF_FIN) || (r->flags & EPF_FIN))
        kind = RST_AFTER_FIN;
    else if (keepalive_given_up(an, c, role, seg, f))
        kind = RST_KEEPALIVE;   /* the peer no longer answered */
    else if ((c->flags & CF_SEEN_DATA) &&
             ((role == CLIENT) == ((c->flags & CF_LAST_DATA_SERVER) != 0)))
        kind = RST_UNREAD_DATA; /* the peer spoke last: data likely unread */
    else
        kind = RST_ESTABLISHED;
    /* The state it was in: the table's, unless the peer's FIN moved it
     * there (TIME_WAIT, CLOSING, CLOSE_WAIT) and it never acknowledged that
     * FIN - it answers the FIN with this RST, as an endpoint that no longer
     * has the connection does (an orphaned FIN_WAIT_2 Linux has dropped):
     * then the state before that FIN */
    enum tcp_state state = f->sender_state;
    if ((r->flags & EPF_FIN) && (state == ST_TIME_WAIT || state == ST_CLOSING || state == ST_CLOSE_WAIT) &&
        !ep_fin_acked(r, s) && !((seg->flags & TH_ACK) && seq_geq(seg->ack, r->fin_seq + 1)))
        state = !(s->flags & EPF_FIN) ? ST_ESTABLISHED : ep_fin_acked(s, r) ? ST_FIN_WAIT_2 : ST_FIN_WAIT_1;
    struct anomaly *a = note(an, c, AN_RST_ABORT, role, seg->ts, seg->pktno);
    if (a && a->count == 1) {
        a->kind = (uint8_t)kind;
        a->state = state;
        /* data the RST sender had sent that its peer had not acknowledged */
        if ((s->flags & EPF_SEQ) && (r->flags & EPF_ACK) && seq_gt(f->snd_nxt, r->ack))
            a->value = f->snd_nxt - r->ack;
        /* data the peer had sent that the RST sender had not acknowledged,
         * counting the RST's own acknowledgement and not the FIN's slot */
        bool have_ack = (s->flags & EPF_ACK) || (seg->flags & TH_ACK);
        uint32_t acked = (s->flags & EPF_ACK) ? s->ack : seg->ack;
        if ((seg->flags & TH_ACK) && seq_gt(seg->ack, acked))
            acked = seg->ack;
        uint32_t sent = r->snd_nxt;
        if ((r->flags & EPF_FIN) && sent == r->fin_seq + 1)
            sent = r->fin_seq;
        if ((r->flags & EPF_SEQ) && have_ack && seq_gt(sent, acked))
            a->value2 = sent - acked;
    }
}

/* Take one occurrence of anomaly id of sender `who` (for the ids kept per
 * sender) off the connection (the last one noted was no such thing); its
 * record goes once none is left.  The record's last evidence and time, for
 * the caller, in *pkt and *ts. */
static void unnote(struct analysis *an, struct conn *c, enum anomaly_id id, int who, uint32_t *pkt, tstamp_t *ts)
{
    struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find_of(an, x, id, who) : NULL;
    *pkt = 0;
    if (!a)
        return;
    *pkt = a->nevidence ? a->evidence[a->nevidence - 1] : 0;
    *ts = a->end;
    an->st.occurrences[id]--;
    if (--a->count)
        return;
    uint32_t *link = &x->head;
    while (*link && rec_at(an, *link) != a)
        link = &rec_at(an, *link)->next;
    uint32_t idx = *link;
    *link = a->next;
    pool_put(&an->rec, idx);
    if (find_of(an, x, id, ANY_SENDER))
        return;                 /* (the other sender's record of it stays) */
    x->mask &= ~(1u << id);
    an->st.conns_with[id]--;
    if (!x->mask)
        an->st.conns_any--;
}

void analysis_rst_rejected(struct analysis *an, struct conn *c, int sender, const struct seg_core *seg)
{
    uint32_t rst_pkt;
    tstamp_t rst_ts = seg->ts;
    unnote(an, c, AN_RST_ABORT, sender, &rst_pkt, &rst_ts);
    struct anomaly *a = note(an, c, AN_RST_REJECTED, sender, rst_ts, rst_pkt);
    if (a) {
        last_evidence(a, seg->pktno);   /* what showed it */
        a->end = seg->ts;
    }
}

void analysis_icmp_error(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                         enum icmp_effect effect)
{
    struct anomaly *a;
    switch (effect) {
    case ICMP_ENDED_ATTEMPT: {
        /* the SYN refused, by an ICMP error instead of a RST: the
         * connection's first packet once, then the errors; value counts
         * the refusals by ICMP, value2 the last one's kind */
        const struct conn_ext *x = ext_of(an, c);
        bool again = x && (x->mask & (1u << AN_SYN_REFUSED));
        a = note(an, c, AN_SYN_REFUSED, !role, seg->ts, again ? 0 : c->first_pkt);
        last_evidence(a, seg->pktno);
        if (a) {
            a->value++;
            a->value2 = seg->icmp;
        }
        break;
    }
    case ICMP_SYNACK_UNDELIVERED:
        a = note(an, c, AN_SYNACK_LOST, -1, seg->ts, seg->pktno);
        if (a)
            a->value2 = seg->icmp;
        break;
    default:
        break;
    }
}

void analysis_rst_forged(struct analysis *an, struct conn *c, int sender, const struct seg_core *seg)
{
    const struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find_of(an, x, AN_RST_ABORT, sender) : NULL;
    if (!a)
        return;
    a->kind = RST_FORGED;
    last_evidence(a, seg->pktno);   /* what showed it */
}

void analysis_self_connect(struct analysis *an, struct conn *c, const struct seg_core *seg)
{
    note(an, c, AN_SELF_CONNECT, -1, seg->ts, seg->pktno);
}

const struct history *analysis_history(const struct analysis *an, const struct conn *c)
{
    const struct conn_ext *x = an->cfg.history ? ext_of(an, c) : NULL;
    return x && x->hist ? pool_at(&an->hist, x->hist) : NULL;
}

/* The latest hole in `role`'s sequence space, [lo, hi), seen at ts (one per
 * direction): filled soon, what fills it was reordered; late, sent again. */
static void remember_hole(struct analysis *an, struct conn *c, int role, uint32_t lo, uint32_t hi, tstamp_t ts)
{
    struct ext_end *e = end_get(an, c, role);
    if (e) {
        e->hole_lo = lo;
        e->hole_hi = hi;
        e->hole_ts = ts;
        e->hole_acked_pkt = 0;
    }
}

/* How soon what fills a hole must come to count as out of order: the
 * handshake's round trip when known, REORDER_MIN at least (Wireshark's
 * rule). */
static tstamp_t reorder_window(const struct conn *c)
{
    tstamp_t window = REORDER_MIN;
    int64_t rtt, server, client;
    if ((c->flags & CF_HS_SYN) && conn_handshake(c, &rtt, &server, &client) && rtt > window)
        window = rtt;
    return window;
}

static void acked_gap_missed(struct analysis *an, struct conn *c, struct ext_end *e, tstamp_t at, uint64_t pktno);

/* A FIN (seg, from role, its sequence number the hole's last) in the hole
 * its peer acknowledged before the capture had it: in time, the capture
 * had them out of order; late, it missed the FIN first sent. */
static void fin_fills_acked_gap(struct analysis *an, struct conn *c, int role, const struct seg_core *seg)
{
    struct ext_end *e = end_of(an, ext_of(an, c), role);
    uint32_t fin = seg->seq + seg->payload_len;
    if (!e || !e->hole_ts || !e->hole_acked_pkt || !seq_geq(fin, e->hole_lo) || !seq_lt(fin, e->hole_hi))
        return;
    if (seg->ts - e->hole_ts > reorder_window(c))
        acked_gap_missed(an, c, e, seg->ts, seg->pktno);
    else if (fin + 1 == e->hole_hi && (seg->payload_len || fin == e->hole_lo))
        e->hole_hi = fin;       /* (the data before it, if any, fills the rest) */
    if (e->hole_ts && seq_geq(e->hole_lo, e->hole_hi))
        e->hole_ts = 0;
}

/* seg, from role, in c's history (config.history), with what sequence
 * tracking knew before it; the connection's extension record, if any. */
static struct conn_ext *record_history(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                                       uint8_t sender_flags, uint32_t snd_nxt, uint8_t receiver_flags)
{
    struct conn_ext *x = ext_of(an, c);
    if (!an->cfg.history)
        return x;
    if (!x)
        x = ext_get(an, c);
    if (x && !x->hist && (x->hist = pool_get(&an->hist)) != 0)
        history_start(pool_at(&an->hist, x->hist), role == SERVER);
    if (x && x->hist)
        history_segment(pool_at(&an->hist, x->hist), role, seg, sender_flags & EPF_SEQ, snd_nxt,
                        receiver_flags & EPF_FIN, sender_flags & EPF_RST);
    return x;
}

void analysis_late_segment(struct analysis *an, struct conn *c, int role, const struct seg_core *seg)
{
    const struct conn_end *s = &c->ep[role], *r = &c->ep[!role];
    record_history(an, c, role, seg, s->flags, s->snd_nxt, r->flags);
    if (seg->flags & TH_FIN)
        fin_fills_acked_gap(an, c, role, seg);
}

/* Hole e, passed by the peer's acknowledgement, was not filled in time:
 * the capture missed those bytes (capture-gap), dated by the ACK that
 * acknowledged them first, or by this one (at, pktno). */
static void acked_gap_missed(struct analysis *an, struct conn *c, struct ext_end *e, tstamp_t at, uint64_t pktno)
{
    bool acked = e->hole_acked_pkt != 0;
    struct anomaly *a = note(an, c, AN_CAPTURE_GAP, -1, acked ? e->hole_ts : at, acked ? e->hole_acked_pkt : pktno);
    if (a)
        a->value += e->hole_hi - e->hole_lo;
    e->hole_ts = 0;
    e->hole_acked_pkt = 0;
}

void analysis_segment(struct analysis *an, struct conn *c, int role, const struct seg_core *seg,
                      const struct seg_facts *f)
{
    uint8_t fl = seg->flags;
    uint32_t len = seg->payload_len;
    struct conn_ext *x = record_history(an, c, role, seg, f->sender_flags, f->snd_nxt, f->receiver_flags);

    /* idle: the gap before this segment (not between the SYNs of an attempt
     * nobody answered: syn-unanswered, as analysis_judge_idle()) */
    if (f->prev_last && seg->ts - f->prev_last > an->cfg.idle_after &&
        !(c->ep[CLIENT].state == ST_SYN_SENT && c->ep[SERVER].pkts == 0)) {
        struct anomaly *a = note(an, c, AN_IDLE, -1, f->prev_last, seg->pktno);
        if (a) {
            if ((uint64_t)(seg->ts - f->prev_last) > a->value)
                a->value = (uint64_t)(seg->ts - f->prev_last);
            a->end = seg->ts;   /* the silence ended with this segment */
        }
        x = ext_of(an, c);
    }

    /* the handshake completed at the capture point with this segment */
    if (f->handshake_done) {
        handshake_done(an, c, seg);
        x = ext_of(an, c);
    }

    if (fl & TH_RST) {
        if (f->rst_accepted)
            rst_abort(an, c, role, seg, f);
        else if (f->rst_ignored) {
            struct anomaly *a = note(an, c, AN_RST_OUT_OF_WINDOW, role, seg->ts, seg->pktno);
            if (a)
                a->state = c->ep[!role].state;
        }
        return;
    }

    /* window advertised by the sender: zero-window stalls of its peer */
    if (seg->have_win && !(fl & TH_SYN)) {
        struct ext_end *me = end_of(an, x, role);
        if (seg->win == 0) {
            if (!me || !me->zw_start) {
                note(an, c, AN_ZERO_WINDOW, role, seg->ts, seg->pktno);
                me = end_get(an, c, role);
                if (me)
                    me->zw_start = seg->ts;
                x = ext_of(an, c);
            }
        } else if (me && me->zw_start) {
            struct anomaly *a = find_of(an, x, AN_ZERO_WINDOW, role);
            if (a) {
                a->value += (uint64_t)(seg->ts - me->zw_start);
                a->end = seg->ts;
                last_evidence(a, seg->pktno);
            }
            me->zw_start = 0;
        }
    }

    if (fl & TH_SYN)
        return;

    /* probes: one byte below what the peer has acknowledged (keep-alives,
     * and Linux's zero-window probes), or one byte at it into a zero
     * window (BSD-style probes).  Which one depends on the peer's window. */
    if (len <= 1 && !(fl & TH_FIN) && (f->receiver_flags & EPF_ACK) && (f->sender_flags & EPF_SEQ)) {
        bool below = seg->seq == f->peer_ack - 1;
        bool peer_zero = (f->receiver_flags & EPF_WIN) && f->peer_win == 0;
        struct ext_end *peer = end_of(an, x, !role);
        bool stalled = peer_zero || (peer && peer->zw_start);
        if (stalled && (below || (len == 1 && seg->seq == f->peer_ack))) {
            /* a probe into the peer's zero window: the peer's stall */
            struct anomaly *a = x ? find_of(an, x, AN_ZERO_WINDOW, !role) : NULL;
            if (a) {
                if (a->value2 < UINT32_MAX)
                    a->value2++;        /* probes */
                last_evidence(a, seg->pktno);
            }
            return;
        }
        if (below && !stalled && seq_leq(f->snd_nxt, f->peer_ack)) {
            struct anomaly *a = note(an, c, AN_KEEPALIVE, role, seg->ts, seg->pktno);
            if (a) {
                /* where both sequence spaces stood (keepalive_given_up()) */
                a->value = f->snd_nxt;
                a->value2 = c->ep[!role].snd_nxt;
            }
            return;
        }
    }

    /* the ACK passed a hole in the peer's data that was never filled: the
     * capture missed those segments (one an earlier ACK had passed already,
     * only once it is no longer young enough to be filled out of order) */
    struct ext_end *pe = end_of(an, x, !role);
    if ((fl & TH_ACK) && pe && pe->hole_ts && seq_geq(seg->ack, pe->hole_hi) &&
        !(pe->hole_acked_pkt && seg->ts - pe->hole_ts <= reorder_window(c)))
        acked_gap_missed(an, c, pe, seg->ts, seg->pktno);
    /* the ACK covered data of the peer that the capture has not seen (yet:
     * a capture that merged two interfaces, or several queues, can have an
     * ACK before what it acknowledges) */
    if (f->unseen_acked) {
        pe = end_get(an, c, !role);
        x = ext_of(an, c);
        if (pe && !pe->hole_ts) {
            remember_hole(an, c, !role, seg->ack - f->unseen_acked, seg->ack, seg->ts);
            pe->hole_acked_pkt = seg->pktno ? pktno32(seg->pktno) : 1;
        } else {
            struct anomaly *a = note(an, c, AN_CAPTURE_GAP, -1, seg->ts, seg->pktno);
            if (a)
                a->value += f->unseen_acked;
            x = ext_of(an, c);
        }
    }

    uint32_t seq = seg->seq, end = seg->seq + len;
    if (len == 0) {
        /* A bare FIN past a hole: the data before it arrives later
         * (reordered) or is sent again (lost); remember the hole as for a
         * data segment, to tell which. */
        if ((fl & TH_FIN) && (f->sender_flags & EPF_SEQ) && seq_gt(seq, f->snd_nxt))
            remember_hole(an, c, role, f->snd_nxt, seq, seg->ts);
        /* ... or the FIN the peer acknowledged before the capture had it */
        else if (fl & TH_FIN)
            fin_fills_acked_gap(an, c, role, seg);
        return;
    }
    if (!(f->sender_flags & EPF_SEQ))
        return;

    /* data after its own FIN, or after a reset */
    if ((f->sender_flags & EPF_FIN) && seq_gt(end, f->fin_seq)) {
        struct anomaly *a = note(an, c, AN_DATA_AFTER_FIN, role, seg->ts, seg->pktno);
        if (a)
            a->value += len;
        return;
    }
    if ((f->sender_flags & EPF_RST) || ((f->receiver_flags & EPF_RST) && f->sender_state == ST_CLOSED)) {
        struct anomaly *a = note(an, c, AN_DATA_AFTER_RST, role, seg->ts, seg->pktno);
        if (a)
            a->value += len;
        return;
    }

    if (seq_gt(seq, f->snd_nxt)) {
        /* a hole before this segment: lost before the capture point, or
         * reordered; remember it to tell which when it is filled */
        remember_hole(an, c, role, f->snd_nxt, seq, seg->ts);
        return;
    }
    if (seq_geq(seq, f->snd_nxt))
        return;             /* new data, in order */

    /* Old sequence space: reordered if it fills the latest hole soon enough,
     * else a retransmission - and, for a hole the peer had acknowledged,
     * the capture missed what was acknowledged. */
    struct ext_end *me = end_of(an, x, role);
    tstamp_t window = reorder_window(c);
    bool in_hole = me && me->hole_ts && seq_lt(seq, me->hole_hi) && seq_gt(end, me->hole_lo);
    bool reordered = in_hole && seq_geq(seq, me->hole_lo) && seq_leq(end, me->hole_hi) &&
                     seg->ts - me->hole_ts <= window;
    if (in_hole && me->hole_acked_pkt && !reordered) {
        acked_gap_missed(an, c, me, seg->ts, seg->pktno);
        x = ext_of(an, c);
        in_hole = false;
    }
    if (in_hole) {
        /* whatever filled it, the capture has now seen these bytes: shrink
         * the hole from the end this covered, or drop it if this covers the
         * hole or falls in its middle */
        if (seq_leq(seq, me->hole_lo) && seq_lt(end, me->hole_hi))
            me->hole_lo = end;
        else if (seq_gt(seq, me->hole_lo) && seq_geq(end, me->hole_hi))
            me->hole_hi = seq;
        else
            me->hole_ts = 0;
        if (seq_geq(me->hole_lo, me->hole_hi))
            me->hole_ts = 0;
        if ((fl & TH_FIN) && me->hole_ts)
            fin_fills_acked_gap(an, c, role, seg);  /* (its FIN's number too) */
    }
    enum anomaly_id id = reordered ? AN_OUT_OF_ORDER : AN_RETRANSMISSIONS;
    const struct anomaly *prev = x ? find_of(an, x, id, role) : NULL;
    tstamp_t prev_end = prev ? prev->end : 0;
    struct anomaly *a = note(an, c, id, role, seg->ts, seg->pktno);
    if (a) {
        a->value += len;
        if (id == AN_RETRANSMISSIONS) {
            /* who sent the latest, and the time since the one before it
             * from the same sender in ms (0: none): a sender that gives up
             * (retransmissions_stopped()) */
            tstamp_t gap = prev ? (seg->ts - prev_end) / TS_PER_MS : 0;
            a->value2 = gap > UINT32_MAX ? UINT32_MAX : gap > 0 ? (uint32_t)gap : 0;
            a->kind = (uint8_t)role;
        }
    }
}

void analysis_syn_challenged(struct analysis *an, struct conn *c, int role, const struct seg_core *syn,
                             const struct seg_core *ack)
{
    /* held responsible: the end that keeps the old connection */
    struct anomaly *a = note(an, c, AN_SYN_CHALLENGED, !role, syn->ts, syn->pktno);
    if (!a)
        return;
    if (ack) {
        last_evidence(a, ack->pktno);
        if (a->count == 1)
            a->state = c->ep[!role].state;
    } else {
        a->kind = CHALLENGE_RETRIED;
        last_evidence(a, syn->pktno);       /* (keeps the latest) */
    }
}

void analysis_syn_unchallenged(struct analysis *an, struct conn *c)
{
    struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find(an, x, AN_SYN_CHALLENGED) : NULL;
    if (a && a->kind == CHALLENGE_OPEN) {
        uint32_t pkt;
        tstamp_t ts;
        unnote(an, c, AN_SYN_CHALLENGED, ANY_SENDER, &pkt, &ts);
    }
}

void analysis_rst_lost(struct analysis *an, struct conn *c, int sender)
{
    uint32_t pkt;
    tstamp_t ts;
    unnote(an, c, AN_RST_ABORT, sender, &pkt, &ts);
}

void analysis_syn_challenge_end(struct analysis *an, struct conn *c, enum challenge_outcome o,
                                const struct seg_core *seg)
{
    struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find(an, x, AN_SYN_CHALLENGED) : NULL;
    if (!a)
        return;
    if (a->kind == CHALLENGE_RESET && o == CHALLENGE_RETRIED)
        /* that reset (by the SYN's sender: who's peer) never took: no abort */
        analysis_rst_lost(an, c, a->who == CLIENT || a->who == SERVER ? !a->who : ANY_SENDER);
    a->kind = (uint8_t)o;
    a->end = seg->ts;
    last_evidence(a, seg->pktno);
}

void analysis_reused(struct analysis *an, struct conn *c, bool in_time_wait, bool isn_above,
                     const struct seg_core *seg)
{
    if (!in_time_wait)
        return;
    struct anomaly *a = note(an, c, AN_TIME_WAIT_REUSE, CLIENT, seg->ts, seg->pktno);
    if (a) {
        a->value = isn_above;
        a->state = ST_TIME_WAIT;
    }
}

/* ------------------------------------------------ TIME_WAIT pileups --- */

static void pileup_key_of(const struct conn *c, struct pileup_key *k)
{
    struct flow_addr a;
    memset(k, 0, sizeof *k);
    conn_addr(c, CLIENT, &a);
    memcpy(k->client, a.b, 16);
    conn_addr(c, SERVER, &a);
    memcpy(k->server, a.b, 16);
    k->family = a.family;
    k->port = conn_port(c, SERVER);
}

/* The triple's keyed hash, never 0 (a smalltab tag is not: 0 marks an
 * empty slot); the one hash in 2^64 that is 0 shares tag 1. */
static uint64_t pileup_tag(const struct pileup_tab *t, const struct pileup_key *k)
{
    uint64_t h = siphash13(&t->hk, k, sizeof *k);
    return h ? h : 1;
}

static struct pileup_rec *pileup_get(struct pileup_tab *t, uint64_t tag, bool create)
{
    return smalltab_get(&t->tab, &tag, create);
}

void analysis_set_time_wait_walk(struct analysis *an, analysis_tw_walk walk, void *ctx)
{
    an->tw_walk = walk;
    an->tw_ctx = ctx;
}

/* The table is full: give up the pair of one of the connections longest in
 * TIME_WAIT, if it holds only that one and never reached the threshold.
 * Such pairs are what fills the table (every client with one connection
 * closing is one); a pileup is a pair with many, and those stay. */
static bool pileup_make_room(struct analysis *an)
{
    struct pileup_tab *t = &an->pileup;
    /* Each search goes on from where the last one stopped: the connections
     * given up before are still in TIME_WAIT, at the front, and a search
     * from the front would look at them again and again. */
    struct conn *o = an->tw_cursor;
    for (int looked = 0; an->tw_walk && looked < PILEUP_DROP_LOOK; looked++) {
        if (!(o = an->tw_walk(an->tw_ctx, o)))
            break;          /* the end: the next search starts again */
        if (!(o->flags & CF_TW_COUNTED))
            continue;       /* a server's TIME_WAIT, or one not counted */
        struct pileup_key k;
        pileup_key_of(o, &k);
        struct pileup_rec *p = pileup_get(t, pileup_tag(t, &k), false);
        if (p && p->now <= 1 && !p->found) {
            smalltab_remove(&t->tab, p);
            o->flags &= (uint16_t)~CF_TW_COUNTED;
            an->st.time_wait_dropped++;
            an->tw_cursor = o;
            return true;
        }
    }
    an->tw_cursor = o;
    return false;
}

void analysis_time_wait(struct analysis *an, struct conn *c, bool entering)
{
    if (entering == ((c->flags & CF_TW_COUNTED) != 0))
        return;
    struct pileup_tab *t = &an->pileup;
    struct pileup_key k;
    pileup_key_of(c, &k);
    uint64_t tag = pileup_tag(t, &k);
    struct pileup_rec *p = NULL;
    if (entering && smalltab_full(&t->tab) && !(p = pileup_get(t, tag, false)))
        pileup_make_room(an);
    if (!p)
        p = pileup_get(t, tag, entering);
    if (!entering)
        c->flags &= (uint16_t)~CF_TW_COUNTED;
    if (!p) {
        if (entering)
            an->st.time_wait_not_counted++;     /* full: PILEUP_MAX pairs, no room made */
        return;
    }
    if (entering) {
        c->flags |= CF_TW_COUNTED;
        if (p->now < (1u << PILEUP_COUNT_BITS) - 1)     /* (cannot fill: see above) */
            p->now++;
        if (p->now > p->peak) {
            p->peak = p->now;
            if (p->peak >= an->cfg.pileup && !p->found) {
                /* a pileup: keep the pair itself for the report */
                /* (found pairs stay in the table: at most PILEUP_MAX) */
                if (t->nfound == t->capfound && t->capfound < PILEUP_MAX) {
                    uint32_t cap = t->capfound ? 2 * t->capfound : 16;
                    struct pileup_found *f = realloc(t->found, cap * sizeof *f);
                    if (f) {
                        t->found = f;
                        t->capfound = cap;
                    }
                }
                if (t->nfound < t->capfound) {
                    t->found[t->nfound].key = k;
                    p->found = ++t->nfound;
                }
            }
            if (p->found)
                t->found[p->found - 1].peak_ts = conn_since(c, CLIENT);
        }
    } else {
        if (p->now)
            p->now--;
        if (!p->now && p->peak < an->cfg.pileup)
            smalltab_remove(&t->tab, p);
    }
}

/* ------------------------------------------------------ final picture --- */

void analysis_service_answered(struct analysis *an, const struct conn *c, uint64_t answered)
{
    const struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find(an, x, AN_SYN_UNANSWERED) : NULL;
    if (a)
        a->value2 = answered > UINT32_MAX ? UINT32_MAX : (uint32_t)answered;
}

void analysis_attempt_superseded(struct analysis *an, const struct conn *c)
{
    const struct conn_ext *x = ext_of(an, c);
    struct anomaly *a = x ? find(an, x, AN_SYN_UNANSWERED) : NULL;
    if (a && a->kind == ATTEMPT_GOING)
        a->kind = ATTEMPT_SUPERSEDED;
}

tstamp_t analysis_zero_window_since(const struct analysis *an, const struct conn *c, int role)
{
    const struct ext_end *e = end_of(an, ext_of(an, c), role);
    return e ? e->zw_start : 0;
}

bool analysis_judge_one_sided(const struct conn *c, struct anomaly *a)
{
    if (!(c->flags & CF_ACKED_UNSEEN))
        return false;
    for (int r = 0; r < 2; r++)
        if (c->ep[r].pkts == 0 && c->ep[!r].pkts > 0) {
            memset(a, 0, sizeof *a);
            a->id = AN_ONE_SIDED;
            a->who = (int8_t)r;
            a->count = c->ep[!r].pkts;
            a->start = c->first;
            a->end = c->last;
            return true;
        }
    return false;
}

enum anomaly_id analysis_stuck(const struct analysis *an, const struct conn *c, int role, tstamp_t now)
{
    const struct conn_end *e = &c->ep[role];
    enum anomaly_id id = e->state == ST_CLOSE_WAIT ? AN_CLOSE_WAIT_STUCK
                       : e->state == ST_FIN_WAIT_2 ? AN_FIN_WAIT_2_STUCK : AN__COUNT;
    if (id == AN__COUNT || e->pkts == 0 || now - conn_since(c, role) < an->cfg.stuck_after)
        return AN__COUNT;
    return id;
}

bool analysis_judge_stuck(const struct analysis *an, const struct conn *c, int role, tstamp_t now, struct anomaly *a)
{
    /* stuck until now, or until the endpoint's host gave up retransmitting
     * what it sent there (a CLOSE_WAIT endpoint can still send; the tracker
     * takes it to CLOSED as the connection leaves): the socket stayed open
     * that long, and is gone */
    const struct conn_end *e = &c->ep[role];
    tstamp_t until = now;
    bool gone = e->state == ST_CLOSE_WAIT && analysis_gave_up_by(an, c, role, now, &until);
    enum anomaly_id id = analysis_stuck(an, c, role, until);
    if (id == AN__COUNT)
        return false;
    memset(a, 0, sizeof *a);
    a->id = (uint8_t)id;
    a->who = (int8_t)role;
    a->count = 1;
    a->start = conn_since(c, role);
    a->end = until;
    a->value = (uint64_t)(until - a->start);
    a->state = e->state;
    a->kind = gone ? STUCK_GAVE_UP : STUCK_STILL;
    if (e->since_pkt)
        a->evidence[a->nevidence++] = e->since_pkt;
    return true;
}

/* A late close is the same leak as one still open at the end, seen from its
 * end: the application held the socket in CLOSE_WAIT for --stuck-after or
 * longer, quiet (time there counts from the peer's FIN or the endpoint's
 * last new data after it: tracker.c), and then closed or aborted it, or the
 * peer gave up on it with a RST - the usual answer of a Linux peer whose
 * orphaned FIN_WAIT_2 has expired (net.ipv4.tcp_fin_timeout, 60 s) to the
 * late FIN or to anything else that comes.  With --stuck-after 0 ("any")
 * only the endpoints still there at the end are reported: every passive
 * close passes through CLOSE_WAIT. */
void analysis_left_close_wait(struct analysis *an, struct conn *c, int role, tstamp_t entered,
                              uint32_t entered_pkt, enum tcp_event ev, const struct seg_core *seg)
{
    if (an->cfg.stuck_after <= 0 || seg->ts - entered < an->cfg.stuck_after || c->ep[role].pkts == 0)
        return;
    enum stuck_exit how = ev == EV_SND_RST ? STUCK_RST : ev == EV_RCV_RST ? STUCK_PEER_RST
                        : (seg->flags & TH_FIN) ? STUCK_FIN : STUCK_FIN_MISSED;
    struct anomaly *a = note(an, c, AN_CLOSE_WAIT_STUCK, role, entered, entered_pkt);
    if (a) {
        a->value = (uint64_t)(seg->ts - entered);
        a->state = ST_CLOSE_WAIT;
        a->kind = how;
        a->end = seg->ts;
        last_evidence(a, seg->pktno);
    }
}

/* Retransmissions that stopped: the connection's last segment was the
 * latest retransmission, at least the third, sent by a retransmission timer
 * (200 ms or more after the one before), its data still unacknowledged;
 * and nothing came for more than twice that interval, by which time the
 * doubling timer would have sent it again.  The sender gave up - Linux
 * after net.ipv4.tcp_retries2 or TCP_USER_TIMEOUT, closing without a RST -
 * or died; its peer does not know.  Marked with state 1. */
/* When the retransmission after a's last was due: its timer doubled. */
static tstamp_t retransmission_due(const struct anomaly *a)
{
    return a->end + 2 * (tstamp_t)a->value2 * TS_PER_MS;
}

static bool retransmissions_have_stopped(const struct anomaly *a, const struct conn *c, tstamp_t now)
{
    if (!a || a->count < 3 || a->value2 < 200 || c->last != a->end || now <= retransmission_due(a) ||
        a->kind > SERVER)
        return false;
    const struct conn_end *s = &c->ep[a->kind], *p = &c->ep[!a->kind];
    if (!(s->flags & EPF_SEQ) || ((p->flags & EPF_ACK) && seq_geq(p->ack, s->snd_nxt)))
        return false;
    return s->state == ST_ESTABLISHED || s->state == ST_CLOSE_WAIT || s->state == ST_FIN_WAIT_1 ||
           s->state == ST_CLOSING || s->state == ST_LAST_ACK;
}

static void retransmissions_stopped(struct anomaly *a, const struct conn *c, tstamp_t now)
{
    /* (marked once for good: the sender, then taken to CLOSED, no longer
     * passes the test on its state) */
    if (retransmissions_have_stopped(a, c, now))
        a->state = 1;
}

bool analysis_gave_up_by(const struct analysis *an, const struct conn *c, int role, tstamp_t now, tstamp_t *when)
{
    const struct conn_ext *x = ext_of(an, c);
    if (!x || !(x->mask & (1u << AN_RETRANSMISSIONS)))
        return false;
    const struct anomaly *a = find_of(an, x, AN_RETRANSMISSIONS, role);
    if (!a || !(a->state == 1 || retransmissions_have_stopped(a, c, now)))
        return false;
    tstamp_t due = retransmission_due(a);
    *when = due < now ? due : now;
    return true;
}

int analysis_silent_state(const struct analysis *an, const struct conn *c, int role, tstamp_t now, tstamp_t *when,
                          unsigned *ev)
{
    if (an && c->ep[role].state != ST_CLOSED && analysis_gave_up_by(an, c, role, now, when)) {
        *ev = EV_GAVE_UP;
        return ST_CLOSED;
    }
    if (role == SERVER && conn_request_dropped(c, now, when)) {
        *ev = EV_REQUEST_DROPPED;
        return ST_LISTEN;
    }
    if (role == CLIENT && conn_attempt_abandoned(c, now, when)) {
        *ev = EV_GAVE_UP;
        return ST_CLOSED;
    }
    return -1;
}

/* SYNs nobody answered: the client still in SYN_SENT, nothing from the
 * server, after a second SYN or the first's retransmission timeout. */
bool analysis_judge_syn_unanswered(const struct conn *c, tstamp_t now, struct anomaly *a)
{
    const struct conn_end *cl = &c->ep[CLIENT], *sv = &c->ep[SERVER];
    if (cl->state != ST_SYN_SENT || !ep_sent_syn(cl) || sv->pkts != 0 ||
        (cl->syns <= 1 && now - c->first < INITIAL_RTO))
        return false;
    memset(a, 0, sizeof *a);
    a->id = AN_SYN_UNANSWERED;
    a->who = SERVER;
    a->start = c->first;
    a->end = c->last;       /* the last SYN */
    a->count = cl->syns;
    a->value = (uint64_t)(c->last - c->first);
    a->state = sv->state;
    tstamp_t due;
    a->kind = conn_attempt_abandoned(c, now, &due) ? ATTEMPT_GAVE_UP : ATTEMPT_GOING;
    return true;
}

bool analysis_judge_idle(const struct analysis *an, const struct conn *c, tstamp_t now, struct anomaly *a)
{
    /* silence after both ends are done (closed, or one in TIME_WAIT) is not
     * an idle connection */
    const struct conn_end *cl = &c->ep[CLIENT], *sv = &c->ep[SERVER];
    bool done = (cl->state == ST_CLOSED || cl->state == ST_LISTEN || cl->state == ST_TIME_WAIT) &&
                (sv->state == ST_CLOSED || sv->state == ST_LISTEN || sv->state == ST_TIME_WAIT);
    /* nor is an attempt nobody answered (syn-unanswered), its client still
     * trying or given up (conn_attempt_abandoned()) */
    bool unanswered = cl->state == ST_SYN_SENT && sv->pkts == 0;
    if (done || unanswered || now - c->last <= an->cfg.idle_after)
        return false;
    memset(a, 0, sizeof *a);
    a->id = AN_IDLE;
    a->who = -1;
    a->count = 1;
    a->start = a->end = c->last;
    a->value = (uint64_t)(now - c->last);
    return true;
}

/* The server answered; the client never completed: the server in SYN_RCVD
 * by its SYN-ACK, after a second one or the first's retransmission
 * timeout - and then, perhaps, holding no request (kind 1: the tracker
 * takes it back to LISTEN, conn_request_dropped()).  (Until the handshake
 * completes, hs_b holds the first SYN-ACK's time.) */
bool analysis_judge_synack_unacked(const struct conn *c, tstamp_t now, struct anomaly *a)
{
    const struct conn_end *sv = &c->ep[SERVER];
    if (sv->state != ST_SYN_RCVD || !ep_sent_synack(sv) || !(c->flags & CF_HS_SYNACK) ||
        (c->flags & CF_HS_DONE))
        return false;
    tstamp_t first = rel_time(c, c->hs_b), due;
    if (sv->synacks <= 1 && now - first < INITIAL_RTO)
        return false;
    memset(a, 0, sizeof *a);
    a->id = AN_SYNACK_UNACKED;
    a->who = CLIENT;
    a->start = a->end = first;
    a->count = sv->synacks;
    a->value = (uint64_t)(now - first);
    a->state = ST_SYN_RCVD;
    a->kind = conn_request_dropped(c, now, &due);
    return true;
}

void analysis_retire(struct analysis *an, struct conn *c, tstamp_t now)
{
    struct conn_end *sv = &c->ep[SERVER];
    struct anomaly *a;

    struct anomaly j;
    if (analysis_judge_syn_unanswered(c, now, &j)) {
        a = note(an, c, AN_SYN_UNANSWERED, SERVER, j.start, c->first_pkt);
        if (a) {
            a->count = j.count;
            a->value = j.value;
            a->end = j.end;
            a->state = j.state;
            a->kind = j.kind;
        }
    }
    if (analysis_judge_synack_unacked(c, now, &j)) {
        a = note(an, c, AN_SYNACK_UNACKED, CLIENT, j.start, c->first_pkt);
        if (a) {
            a->count = j.count;
            a->value = j.value;
            a->state = j.state;
            a->kind = j.kind;
            last_evidence(a, sv->since_pkt);
        }
    }
    /* One endpoint never seen, although the other's acknowledgements moved
     * on (CF_ACKED_UNSEEN): it sent data or a FIN on a path the capture does
     * not see.  Not a peer that went silent (nothing new to acknowledge),
     * SYNs alone (syn-unanswered), or a stray reset. */
    if (analysis_judge_one_sided(c, &j)) {
        a = note(an, c, AN_ONE_SIDED, j.who, j.start, c->first_pkt);
        if (a) {
            a->count = j.count;
            a->end = j.end;
        }
    }
    /* what the peer acknowledged and the capture never had */
    for (int r = 0; r < 2; r++) {
        struct ext_end *e = end_of(an, ext_of(an, c), r);
        if (e && e->hole_ts && e->hole_acked_pkt)
            acked_gap_missed(an, c, e, 0, 0);
    }
    /* endpoints stuck half-closed */
    for (int r = 0; r < 2; r++) {
        if (!analysis_judge_stuck(an, c, r, now, &j))
            continue;
        a = note(an, c, (enum anomaly_id)j.id, r, j.start, c->ep[r].since_pkt);
        if (a) {
            a->value = j.value;
            a->state = j.state;
            a->end = j.end;
            a->kind = j.kind;
        }
    }
    /* stalls and silences still going on */
    struct conn_ext *x = ext_of(an, c);
    if (x && (x->mask & (1u << AN_RETRANSMISSIONS)))
        for (int r = 0; r < 2; r++)
            retransmissions_stopped(find_of(an, x, AN_RETRANSMISSIONS, r), c, now);
    for (int r = 0; r < 2; r++) {
        struct ext_end *e = end_of(an, x, r);
        if (e && e->zw_start) {
            a = find_of(an, x, AN_ZERO_WINDOW, r);
            if (a) {
                a->value += (uint64_t)(now - e->zw_start);
                a->end = now;
                a->state = 1;   /* still stalled at the end */
            }
            e->zw_start = 0;
        }
    }
    if (analysis_judge_idle(an, c, now, &j)) {
        a = note(an, c, AN_IDLE, -1, j.start, 0);
        if (a && j.value > a->value)
            a->value = j.value;
    }
    /* a client TIME_WAIT leaving the table no longer holds a port here
     * (at the end of the capture every connection leaves, and the pairs'
     * present counts are read no more: only their peaks, kept already) */
    if ((c->flags & CF_TW_COUNTED) && !an->ending)
        analysis_time_wait(an, c, false);
}

void analysis_ending(struct analysis *an)
{
    if (an)
        an->ending = true;
}

void analysis_release(struct analysis *an, struct conn *c)
{
    struct conn_ext *x = ext_of(an, c);
    if (!x)
        return;
    for (uint32_t idx = x->head; idx;) {
        struct anomaly *a = rec_at(an, idx);
        uint32_t next = a->next;
        pool_put(&an->rec, idx);
        idx = next;
    }
    pool_put(&an->hist, x->hist);
    pool_put(&an->gaps, x->gaps);
    pool_put(&an->ext, c->ext);
    c->ext = 0;
}

static struct service_anomaly *svc_add(struct analysis *an)
{
    if (an->nsvc == an->capsvc) {
        uint32_t cap = an->capsvc ? an->capsvc * 2 : 16;
        struct service_anomaly *n = realloc(an->svc, cap * sizeof *n);
        if (!n)
            return NULL;
        an->svc = n;
        an->capsvc = cap;
    }
    struct service_anomaly *s = &an->svc[an->nsvc++];
    memset(s, 0, sizeof *s);
    return s;
}

static int cmp_svc(const void *x, const void *y)
{
    const struct service_anomaly *a = x, *b = y;
    if (a->a.id != b->a.id)
        return a->a.id < b->a.id ? -1 : 1;
    if (a->a.count != b->a.count)           /* the largest first */
        return a->a.count > b->a.count ? -1 : 1;
    int c = addr_cmp(&a->server, &b->server);
    if (c)
        return c;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return addr_cmp(&a->client, &b->client);
}

void analysis_finish(struct analysis *an, tstamp_t now)
{
    (void)now;
    for (uint32_t i = 0; i < an->flood.cap; i++) {
        struct flood_rec *f = smalltab_slot(&an->flood, i);
        if (!f)
            continue;
        flood_close_window(an, f);
        double secs = (double)an->cfg.flood_window / TS_PER_SEC;
        if (f->worst_incomplete < an->cfg.flood_rate * secs)
            continue;
        struct service_anomaly *s = svc_add(an);
        if (!s)
            break;
        s->a.id = AN_SYN_FLOOD;
        s->a.who = SERVER;
        s->a.count = f->worst_incomplete;
        s->a.start = f->worst_start;
        s->a.end = f->worst_start + an->cfg.flood_window;
        s->a.value = f->worst_sources;
        double rate = f->worst_incomplete / secs;
        s->a.value2 = rate < UINT32_MAX ? (uint32_t)rate : UINT32_MAX;
        s->a.evidence[0] = pktno32(f->first_pkt);
        s->a.nevidence = 1;
        memcpy(s->server.b, f->key.addr, 16);
        s->server.family = f->key.family;
        s->port = f->key.port;
        an->st.conns_with[AN_SYN_FLOOD]++;
        an->st.occurrences[AN_SYN_FLOOD] += f->worst_incomplete;
    }
    for (uint32_t i = 0; i < an->pileup.nfound; i++) {
        const struct pileup_key *k = &an->pileup.found[i].key;
        const struct pileup_rec *p = pileup_get(&an->pileup, pileup_tag(&an->pileup, k), false);
        if (!p || p->peak < an->cfg.pileup)
            continue;
        struct service_anomaly *s = svc_add(an);
        if (!s)
            break;
        s->a.id = AN_TIME_WAIT_PILEUP;
        s->a.who = CLIENT;
        s->a.count = p->peak;
        s->a.start = s->a.end = an->pileup.found[i].peak_ts;
        s->a.value = (uint64_t)p->peak * 1000000 / (an->cfg.ephemeral_ports ? an->cfg.ephemeral_ports : 1);
        memcpy(s->server.b, k->server, 16);
        memcpy(s->client.b, k->client, 16);
        s->server.family = s->client.family = k->family;
        s->port = k->port;
        an->st.conns_with[AN_TIME_WAIT_PILEUP]++;
        an->st.occurrences[AN_TIME_WAIT_PILEUP] += p->peak;
    }
    /* table order depends on a random hash key: report in a fixed order */
    if (an->nsvc > 1)
        qsort(an->svc, an->nsvc, sizeof *an->svc, cmp_svc);
}

const struct service_anomaly *analysis_service_anomalies(const struct analysis *an, uint32_t *n)
{
    *n = an->nsvc;
    return an->svc;
}
