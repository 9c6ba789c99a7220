/* model.c - the live model (see model.h). */
#include "model.h"

#include "dedupe.h"
#include "reasm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "describe.h"
#include "exitcodes.h"
#include "listeners.h"
#include "options.h"
#include "pcapwrite.h"

#define MAX_LISTENERS 65536
#define MAX_SERVICES 16384
#define MAX_VIEW_ANOMALIES 20000
/* The ring: 16 MiB of packet bytes, at most 128Ki packets of at most 512
 * bytes each, 64Ki transitions. */
#define RING_ARENA (16u << 20)
#define RING_PKTS 131072
#define RING_TRANS 65536
#define RING_PKT_CAP 512

/* Packets decoded and hashed, waiting to be applied (model_packet()):
 * their buckets fetched at once, their records some packets before they
 * are applied, as the file reader does (src/main.c), so that the tracker
 * rarely waits on memory.  Applied one by one, each lookup missed the
 * cache: ct_find() had 27% of a live run's samples.  The packet's bytes
 * are copied (as far as the ring keeps them): libpcap's are valid only
 * during its callback. */
#define MODEL_BATCH 16
#define MODEL_AHEAD 4

struct pending {
    struct capture_packet pkt;      /* .data points at bytes */
    struct seg_core seg;
    struct tracker_prep prep;
    uint8_t bytes[RING_PKT_CAP];
};

/* A connection's bytes at the last view, for its rates, kept by its slot in
 * the tracker's table: found in one step.  (Kept as a list sorted by id,
 * each view sorted every row and searched it twice a row: with a million
 * connections tracked that was half the live path's processor time.)  An
 * entry holds only for the connection whose id it has; a slot taken by a
 * newer connection starts again from nothing. */
struct prev_rate {
    uint32_t id;                    /* 0: none (ids start at 1) */
    uint64_t bytes[2];
};

/* Where the last picture was taken: the packet and byte rates run from it. */
struct view_clock {
    bool have;
    tstamp_t now;
    uint64_t packets, bytes;
};

struct model {
    struct listeners *listeners;
    struct analysis *an;
    struct tracker *tr;
    struct census census;
    struct services services;
    bool services_ok;
    struct report *report;
    struct ring *ring;
    struct dedupe dedupe;   /* copies of a packet from other interfaces */
    struct reasm reasm;     /* IPv4 fragments put back together */
    struct pending pend[MODEL_BATCH];
    unsigned npend;
    const struct options *opt;
    struct model_source src;
    /* counters */
    uint64_t packets, bytes, outcome[DEC__COUNT];
    uint64_t records, filtered;     /* a replayed file's own counts */
    bool have_counts;
    const char *format;
    tstamp_t first_ts, last_ts;
    bool have_time;
    tstamp_t started;               /* live: when the capture opened (wall clock) */
    bool have_drops;
    uint64_t kernel_drops, if_drops;
    const struct capture_packet *cur;
    /* views */
    struct model_view view;         /* the screen's: rows, rates, services */
    size_t rows_cap, anoms_cap, svcs_cap;
    struct prev_rate *prev;         /* by slot */
    size_t prev_slots;
    struct view_clock view_clock;
    struct model_view summary;      /* the snapshots': counts and anomalies */
    size_t summary_anoms_cap;
    struct view_clock summary_clock;
    /* the connection whose detail is open */
    uint32_t watch_id;
    uint32_t watch_slot;            /* where it was last found (0: not yet) */
    bool watch_missing;             /* not in the table when first looked for: ids are never reused */
    uint64_t detail_walks;          /* walks of the table to find it (model_detail_walks()) */
    bool watch_gone;
    uint8_t watch_reason;
    tstamp_t watch_at;              /* when it left */
    struct model_row watch_row;
    struct model_anomaly *watch_anoms;
    uint32_t watch_nanoms;
};

/* ---------------------------------------------------------------- rows --- */

static int popcount32(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static enum tcp_state view_state(const struct model *m, const struct conn *c, int role, tstamp_t now,
                                 tstamp_t *since, bool *inferred);

/* Bit CLIENT, bit SERVER: the endpoints stuck in CLOSE_WAIT or FIN_WAIT_2
 * for --stuck-after or longer. */
static uint8_t stuck_mask(const struct model *m, const struct conn *c, tstamp_t now)
{
    uint8_t stuck = 0;
    for (int role = 0; role < 2; role++) {
        tstamp_t since;
        bool inferred;
        /* (not one the view shows out of that state: it gave up) */
        if (analysis_stuck(m->an, c, role, now) != AN__COUNT &&
            view_state(m, c, role, now, &since, &inferred) == (enum tcp_state)c->ep[role].state)
            stuck |= (uint8_t)(1u << role);
    }
    return stuck;
}

/* The anomalies the analysis settles only as a connection leaves, judged
 * now (marked judged_live in the lists): a one-sided capture, SYNs
 * nobody answered, a handshake the client never completed, a connection
 * silent for longer than --idle-after. */
static const uint8_t live_ids[] = { AN_ONE_SIDED, AN_SYN_UNANSWERED, AN_SYNACK_UNACKED, AN_IDLE };

/* Does anomaly id (one of live_ids) hold now?  *a as the report will have
 * it. */
static bool judge_live(const struct model *m, const struct conn *c, int id, tstamp_t now, struct anomaly *a)
{
    if (id == AN_SYN_UNANSWERED)
        return analysis_judge_syn_unanswered(c, now, a);
    if (id == AN_SYNACK_UNACKED)
        return analysis_judge_synack_unacked(c, now, a);
    if (id == AN_IDLE)
        return analysis_judge_idle(m->an, c, now, a);
    return analysis_judge_one_sided(c, a);
}

/* Bits (1u << id) of live_ids that hold now and are not recorded yet. */
static uint32_t live_mask(const struct model *m, const struct conn *c, tstamp_t now)
{
    uint32_t have = analysis_mask(m->an, c), live = 0;
    struct anomaly a;
    for (size_t i = 0; i < sizeof live_ids; i++)
        if (!(have & (1u << live_ids[i])) && judge_live(m, c, live_ids[i], now, &a))
            live |= 1u << live_ids[i];
    return live;
}

/* The state endpoint role shows as of now: its own, or the one the silence
 * after the connection's last segment says (analysis_silent_state(): an
 * endpoint that gave up, a server that holds no request, a client that
 * gave up its attempt) - which the tracker applies only as the connection
 * leaves the table, while a view shows it as soon as it holds (at a
 * replay's end, as the report will have it).  *since: when it entered it. */
static enum tcp_state view_state(const struct model *m, const struct conn *c, int role, tstamp_t now,
                                 tstamp_t *since, bool *inferred)
{
    tstamp_t when;
    unsigned ev;
    int silent = analysis_silent_state(m->an, c, role, now, &when, &ev);
    if (silent >= 0) {
        *since = when;
        *inferred = true;
        return (enum tcp_state)silent;
    }
    *since = conn_since(c, role);
    *inferred = conn_inferred(c, role);
    return (enum tcp_state)c->ep[role].state;
}

static void fill_row(const struct model *m, const struct conn *c, tstamp_t now, struct model_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = c->id;
    for (int role = 0; role < 2; role++) {
        conn_addr(c, role, &r->addr[role]);
        r->port[role] = conn_port(c, role);
        bool inferred;
        r->state[role] = (uint8_t)view_state(m, c, role, now, &r->since[role], &inferred);
        r->epflags[role] = (uint8_t)(c->ep[role].flags | (inferred ? EPF_INFERRED : 0));
        r->bytes[role] = conn_bytes(c, role);
        r->pkts[role] = c->ep[role].pkts;
    }
    r->stuck = stuck_mask(m, c, now);
    r->first = c->first;
    r->last = c->last;
    r->cflags = c->flags;
    r->reset = (c->ep[0].flags | c->ep[1].flags) & EPF_RST;
    r->closed = conn_finished(c);
    r->anomalies = analysis_mask(m->an, c) | live_mask(m, c, now);   /* (judged live until it ends) */
    r->nanom = (uint8_t)popcount32(r->anomalies);
    int worst = -1;
    for (int id = 0; id < AN__COUNT; id++)
        if ((r->anomalies & (1u << id)) && (worst < 0 || anomaly_info(id)->severity > anomaly_info(worst)->severity))
            worst = id;
    r->worst = (uint8_t)(worst < 0 ? 0 : worst);
}

static void row_where(const struct model_row *r, char *buf, size_t len)
{
    char a[ENDPOINT_STRLEN], b[ENDPOINT_STRLEN];
    snprintf(buf, len, "%s > %s", format_addr_port(&r->addr[CLIENT], r->port[CLIENT], a),
             format_addr_port(&r->addr[SERVER], r->port[SERVER], b));
}

/* *ma: anomaly a of c (shown in row), all but its words. */
static void anomaly_head(const struct conn *c, const struct model_row *row, const struct anomaly *a,
                         struct model_anomaly *ma)
{
    memset(ma, 0, sizeof *ma);
    ma->id = a->id;
    ma->who = a->who;
    ma->conn_id = c->id;
    ma->count = a->count;
    ma->start = a->start;
    ma->end = a->end;
    row_where(row, ma->where, sizeof ma->where);
}

/* An anomaly judged live (*a as the report will have it), in words, to fn. */
static void judged_anomaly(const struct conn *c, const struct model_row *row, const struct anomaly *a, tstamp_t now,
                           void (*fn)(void *ctx, const struct model_anomaly *a), void *ctx)
{
    struct model_anomaly ma;
    anomaly_head(c, row, a, &ma);
    ma.judged_live = true;
    describe_anomaly(a, c, now, ma.detail, sizeof ma.detail);
    fn(ctx, &ma);
}

/* The anomalies of c, in words, plus the stuck endpoints and the one-sided
 * capture the analysis will only settle when the connection ends.  Calls fn
 * for each. */
static void conn_anomalies(const struct model *m, const struct conn *c, const struct model_row *row, tstamp_t now,
                           void (*fn)(void *ctx, const struct model_anomaly *a), void *ctx)
{
    struct model_anomaly ma;
    bool have_stuck[2] = { false, false };
    for (const struct anomaly *a = analysis_first(m->an, c); a; a = analysis_next(m->an, a)) {
        anomaly_head(c, row, a, &ma);
        tstamp_t zw_since = a->id == AN_ZERO_WINDOW && (a->who == 0 || a->who == 1)
                                ? analysis_zero_window_since(m->an, c, a->who) : 0;
        struct anomaly silence;
        if (zw_since && now > zw_since) {
            /* a stall still going on: its time so far (the record has
             * only the stalls that ended) */
            struct anomaly live = *a;
            live.value += (uint64_t)(now - zw_since);
            live.state = 2;
            ma.end = now;
            describe_anomaly(&live, c, now, ma.detail, sizeof ma.detail);
        } else if (a->id == AN_IDLE && analysis_judge_idle(m->an, c, now, &silence) && silence.value > a->value) {
            /* idle again, for longer than the silence recorded: the
             * report will have this one */
            struct anomaly live = *a;
            live.value = silence.value;
            ma.end = silence.end;
            describe_anomaly(&live, c, now, ma.detail, sizeof ma.detail);
        } else {
            describe_anomaly(a, c, now, ma.detail, sizeof ma.detail);
        }
        if ((a->id == AN_CLOSE_WAIT_STUCK || a->id == AN_FIN_WAIT_2_STUCK) && (a->who == 0 || a->who == 1))
            have_stuck[a->who] = true;
        fn(ctx, &ma);
    }
    /* judged live, worded as the report will word them */
    uint32_t have = analysis_mask(m->an, c);
    for (size_t i = 0; i < sizeof live_ids; i++) {
        struct anomaly a;
        if (!(have & (1u << live_ids[i])) && judge_live(m, c, live_ids[i], now, &a))
            judged_anomaly(c, row, &a, now, fn, ctx);
    }
    /* stuck endpoints, as the report will have them: also one whose host
     * gave up retransmitting while it was stuck in CLOSE_WAIT (shown CLOSED,
     * so not marked STUCK in its row, but stuck that long) */
    for (int role = 0; role < 2; role++) {
        struct anomaly a;
        if (!have_stuck[role] && analysis_judge_stuck(m->an, c, role, now, &a))
            judged_anomaly(c, row, &a, now, fn, ctx);
    }
}

/* ----------------------------------------------------------- observers --- */

struct anom_list {
    struct model_anomaly *a;
    uint32_t n;
    size_t cap;
    uint32_t max;
};

static void anom_push(void *ctx, const struct model_anomaly *a)
{
    struct anom_list *l = ctx;
    if (l->n >= l->max)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct model_anomaly *p = realloc(l->a, cap * sizeof *p);
        if (!p)
            return;
        l->a = p;
        l->cap = cap;
    }
    l->a[l->n++] = *a;
}

static void on_retired(void *ctx, const struct conn *c, enum retire_reason why)
{
    struct model *m = ctx;
    tstamp_t now = tracker_now(m->tr);
    struct anomaly anomalies[CONN_VIEW_MOST_RECORDS];
    struct conn_view v;
    conn_view_make(&v, m->an, c, why, now, anomalies);
    census_add(&m->census, &v);
    if (m->services_ok)
        services_add(&m->services, &v);
    if (m->report)
        report_conn(m->report, c, why, now);
    if (m->watch_id && c->id == m->watch_id && !m->watch_gone) {
        fill_row(m, c, now, &m->watch_row);
        struct anom_list l = { NULL, 0, 0, 64 };
        conn_anomalies(m, c, &m->watch_row, now, anom_push, &l);
        free(m->watch_anoms);
        m->watch_anoms = l.a;
        m->watch_nanoms = l.n;
        m->watch_gone = true;
        m->watch_reason = (uint8_t)why;
        m->watch_at = now;
    }
}

static void on_transition(void *ctx, const struct conn *c, int role, enum tcp_state from, enum tcp_event ev,
                          tstamp_t ts)
{
    struct model *m = ctx;
    ring_add_transition(m->ring, c->id, role, from, c->ep[role].state, ev, ts);
}

static void on_segment(void *ctx, const struct conn *c, int role, const struct seg_core *seg)
{
    struct model *m = ctx;
    const struct capture_packet *p = m->cur;
    ring_add_packet(m->ring, c->id, role, seg, p ? p->data : NULL, p ? p->caplen : 0, p ? p->wirelen : 0,
                    p ? p->linktype : 0);
}

/* ------------------------------------------------------------ lifetime --- */

struct model *model_create(const struct options *opt, const struct report_options *report, FILE *report_out)
{
    struct model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->opt = opt;
    m->listeners = listeners_create(MAX_LISTENERS);
    dedupe_init(&m->dedupe);
    dedupe_set_mode(&m->dedupe, opt->dedupe);
    reasm_init(&m->reasm);
    m->an = analysis_create(&opt->analysis, opt->tracker.max_conns);
    m->tr = tracker_create(&opt->tracker, m->listeners);
    m->ring = ring_create(RING_ARENA, RING_PKTS, RING_TRANS, RING_PKT_CAP);
    census_init(&m->census);
    m->services_ok = services_init(&m->services, MAX_SERVICES);
    if (report)
        m->report = report_create(report, report_out, m->an);
    if (!m->listeners || !m->an || !m->tr || !m->ring || !m->services_ok || (report && !m->report)) {
        model_destroy(m);
        return NULL;
    }
    tracker_set_analysis(m->tr, m->an);
    struct tracker_observer obs = {
        .ctx = m, .retired = on_retired, .transition = on_transition, .segment = on_segment,
    };
    tracker_add_observer(m->tr, &obs);
    return m;
}

void model_destroy(struct model *m)
{
    if (!m)
        return;
    report_destroy(m->report);
    if (m->services_ok)
        services_destroy(&m->services);
    tracker_destroy(m->tr);
    analysis_destroy(m->an);
    listeners_destroy(m->listeners);
    ring_destroy(m->ring);
    reasm_destroy(&m->reasm);
    free(m->view.rows);
    free(m->view.anoms);
    free(m->view.svcs);
    free(m->summary.anoms);
    free(m->prev);
    free(m->watch_anoms);
    free(m);
}

void model_set_source(struct model *m, const struct model_source *src)
{
    m->src = *src;
    if (src->live) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        m->started = (tstamp_t)ts.tv_sec * TS_PER_SEC + ts.tv_nsec;
    }
}

void model_set_input_counts(struct model *m, uint64_t records, uint64_t filtered, const char *format)
{
    m->records = records;
    m->filtered = filtered;
    m->format = format;
    m->have_counts = true;
}

void model_input_ended(struct model *m)
{
    model_flush(m);
    reasm_finish(&m->reasm, m->outcome);
    tracker_input_ended(m->tr);
}

void model_packet(struct model *m, const struct capture_packet *pkt)
{
    if (pkt->linktype >= 0) {   /* a packet of no described interface has no time */
        if (!m->have_time || pkt->ts < m->first_ts)
            m->first_ts = pkt->ts;
        if (!m->have_time || pkt->ts > m->last_ts)
            m->last_ts = pkt->ts;
        m->have_time = true;
    }
    m->packets++;
    m->bytes += pkt->wirelen;
    struct segment seg;
    enum decode_outcome o = decode_packet(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &seg);
    seg.ts = pkt->ts;
    if (seg.frag_ip) {
        seg.pktno = pkt->pktno;
        o = reasm_packet(&m->reasm, &seg, m->outcome);
    }
    if (o == DEC_TCP && dedupe_applies(&m->dedupe, pkt->linktype) && dedupe_seen(&m->dedupe, &seg))
        o = DEC_DUPLICATE;
    m->outcome[o]++;
    if (o != DEC_TCP && o != DEC_ICMP_ERROR)   /* (an ICMP error goes to the tracker too) */
        return;
    seg.pktno = pkt->pktno;
    struct pending *q = &m->pend[m->npend++];
    q->seg = seg.core;
    tracker_key_only(&seg, &q->prep);
    tracker_hash(m->tr, &q->prep);
    tracker_prefetch_bucket(m->tr, &q->prep);
    q->pkt = *pkt;
    uint32_t keep = pkt->caplen < RING_PKT_CAP ? pkt->caplen : RING_PKT_CAP;
    if (keep)
        memcpy(q->bytes, pkt->data, keep);
    q->pkt.data = q->bytes;
    if (m->npend == MODEL_BATCH)
        model_flush(m);
}

void model_flush(struct model *m)
{
    unsigned n = m->npend;
    for (unsigned i = 0; i < n && i < MODEL_AHEAD; i++)
        tracker_prefetch(m->tr, &m->pend[i].prep);
    for (unsigned i = 0; i < n; i++) {
        if (i + MODEL_AHEAD < n)
            tracker_prefetch(m->tr, &m->pend[i + MODEL_AHEAD].prep);
        m->cur = &m->pend[i].pkt;
        tracker_segment_prepared(m->tr, &m->pend[i].seg, &m->pend[i].prep);
    }
    m->cur = NULL;
    m->npend = 0;
}

void model_advance(struct model *m, tstamp_t now)
{
    model_flush(m);
    tracker_advance(m->tr, now);
}

void model_set_drops(struct model *m, uint64_t kernel, uint64_t ifdrop)
{
    m->have_drops = true;
    m->kernel_drops = kernel;
    m->if_drops = ifdrop;
}

tstamp_t model_now(const struct model *m) { return tracker_now(m->tr); }
uint64_t model_packets(const struct model *m) { return m->packets; }
const struct analysis_config *model_analysis_config(const struct model *m) { return analysis_config(m->an); }
const struct tracker_stats *model_tracker_stats(const struct model *m) { return tracker_stats(m->tr); }

size_t model_memory(const struct model *m)
{
    return tracker_memory(m->tr) + ring_memory(m->ring) + m->rows_cap * sizeof(struct model_row) +
           m->prev_slots * sizeof(struct prev_rate) +
           (m->anoms_cap + m->summary_anoms_cap) * sizeof(struct model_anomaly);
}

enum state_class model_state_class(const struct model_row *r, int role)
{
    if (r->stuck & (1u << role))
        return SC_STUCK;
    switch ((enum tcp_state)r->state[role]) {
    case ST_CLOSED:
        return r->reset ? SC_RESET : SC_CLOSED;
    case ST_LISTEN:
    case ST_SYN_SENT:
    case ST_SYN_RCVD:
        return SC_HANDSHAKE;
    case ST_ESTABLISHED:
        return SC_ESTABLISHED;
    default:
        return SC_CLOSING;
    }
}

/* ---------------------------------------------------------------- views --- */

struct build {
    struct model *m;
    struct model_view *v;
    tstamp_t now;
    bool rows;                      /* keep a row per connection, with its rates */
    double dt;                      /* seconds since the last view (0: no rates) */
    struct anom_list anoms;
};

/* Make room for the rates of slot. */
static bool prev_reserve(struct model *m, uint32_t slot)
{
    if (slot < m->prev_slots)
        return true;
    size_t n = m->prev_slots ? m->prev_slots : 1024;
    while (n <= slot) {
        if (n > SIZE_MAX / 2 / sizeof *m->prev)
            return false;
        n *= 2;
    }
    struct prev_rate *p = realloc(m->prev, n * sizeof *p);
    if (!p)
        return false;
    memset(p + m->prev_slots, 0, (n - m->prev_slots) * sizeof *p);
    m->prev = p;
    m->prev_slots = n;
    return true;
}

/* The row's rates since the last view, and its bytes kept for the next. */
static void take_rates(struct model *m, struct model_row *r, uint32_t slot, double dt)
{
    if (!prev_reserve(m, slot))
        return;                     /* no memory: no rates (the row says 0) */
    struct prev_rate *p = &m->prev[slot];
    bool known = p->id == r->id;
    for (int role = 0; role < 2; role++) {
        uint64_t before = known ? p->bytes[role] : 0;
        r->rate[role] = dt > 0 && r->bytes[role] >= before ? (double)(r->bytes[role] - before) / dt : 0;
        p->bytes[role] = r->bytes[role];
    }
    p->id = r->id;
}

static void build_row(void *ctx, const struct conn *c, uint32_t slot)
{
    struct build *b = ctx;
    struct model *m = b->m;
    struct model_view *v = b->v;
    uint8_t stuck = stuck_mask(m, c, b->now);
    for (int role = 0; role < 2; role++) {
        tstamp_t since;
        bool inferred;
        v->state[role][view_state(m, c, role, b->now, &since, &inferred)]++;
    }
    v->stuck += (uint32_t)popcount32(stuck);
    if (!b->rows) {
        /* counts only: a row is made for the connections with something
         * to say (their anomalies are described from it) */
        if (stuck || analysis_mask(m->an, c) || live_mask(m, c, b->now)) {
            struct model_row row;
            fill_row(m, c, b->now, &row);
            conn_anomalies(m, c, &row, b->now, anom_push, &b->anoms);
        }
        return;
    }
    struct model_row one, *r = &one;     /* (one: no memory for the row; still counted, its bytes kept) */
    if (v->nrows == m->rows_cap) {
        size_t cap = m->rows_cap ? m->rows_cap * 2 : 256;
        struct model_row *p = realloc(v->rows, cap * sizeof *p);
        if (p) {
            v->rows = p;
            m->rows_cap = cap;
        }
    }
    if (v->nrows < m->rows_cap)
        r = &v->rows[v->nrows++];
    fill_row(m, c, b->now, r);
    take_rates(m, r, slot, b->dt);
    if (r->anomalies || r->stuck)
        conn_anomalies(m, c, r, b->now, anom_push, &b->anoms);
}

static int cmp_anom(const void *a, const void *b)
{
    const struct model_anomaly *x = a, *y = b;
    int sx = anomaly_info(x->id)->severity, sy = anomaly_info(y->id)->severity;
    if (sx != sy)
        return sy - sx;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->conn_id > y->conn_id) - (x->conn_id < y->conn_id);
}

static int svc_key_cmp(const struct flow_addr *a, uint16_t pa, const struct flow_addr *b, uint16_t pb)
{
    int c = addr_cmp(a, b);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

static int cmp_svc(const void *a, const void *b)
{
    const struct model_service *x = a, *y = b;
    return svc_key_cmp(&x->addr, x->port, &y->addr, y->port);
}

static struct model_service *svc_find(struct model_service *s, uint32_t n, const struct flow_addr *a, uint16_t port)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = svc_key_cmp(&s[mid].addr, s[mid].port, a, port);
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return &s[mid];
    }
    return NULL;
}

static bool svc_reserve(struct model *m, size_t n)
{
    if (n <= m->svcs_cap)
        return true;
    size_t cap = m->svcs_cap ? m->svcs_cap : 64;
    while (cap < n)
        cap *= 2;
    struct model_service *p = realloc(m->view.svcs, cap * sizeof *p);
    if (!p)
        return false;
    m->view.svcs = p;
    m->svcs_cap = cap;
    return true;
}

static void build_services(struct model *m)
{
    struct model_view *v = &m->view;
    v->nsvcs = 0;
    /* open connections, grouped by server address and port */
    for (uint32_t i = 0; i < v->nrows; i++) {
        const struct model_row *r = &v->rows[i];
        struct model_service *s = NULL;
        /* rows arrive in table order: a linear probe of the last few
         * services keeps this cheap for the common few-services case */
        for (uint32_t k = v->nsvcs; k > 0 && k + 8 > v->nsvcs; k--)
            if (!svc_key_cmp(&v->svcs[k - 1].addr, v->svcs[k - 1].port, &r->addr[SERVER], r->port[SERVER])) {
                s = &v->svcs[k - 1];
                break;
            }
        if (!s) {
            if (!svc_reserve(m, v->nsvcs + 1))
                return;
            s = &v->svcs[v->nsvcs++];
            memset(s, 0, sizeof *s);
            s->addr = r->addr[SERVER];
            s->port = r->port[SERVER];
        }
        s->open++;
        s->seen++;
        for (int role = 0; role < 2; role++)
            s->state[role][r->state[role]]++;
        s->stuck += r->stuck != 0;     /* connections, as OPEN and ANOM count */
        if (r->anomalies || r->stuck)
            s->anomalous++;
        s->rate += r->rate[0] + r->rate[1];
    }
    /* merge duplicates left by the cheap grouping */
    if (v->nsvcs > 1)
        qsort(v->svcs, v->nsvcs, sizeof *v->svcs, cmp_svc);
    uint32_t k = 0;
    for (uint32_t i = 0; i < v->nsvcs; i++) {
        if (k && !cmp_svc(&v->svcs[k - 1], &v->svcs[i])) {
            struct model_service *d = &v->svcs[k - 1], *s = &v->svcs[i];
            d->open += s->open;
            d->seen += s->seen;
            for (int role = 0; role < 2; role++)
                for (int st = 0; st < ST__COUNT; st++)
                    d->state[role][st] += s->state[role][st];
            d->stuck += s->stuck;
            d->anomalous += s->anomalous;
            d->rate += s->rate;
        } else {
            v->svcs[k++] = v->svcs[i];
        }
    }
    v->nsvcs = k;
    /* and those whose connections have all left the table */
    if (!m->services_ok)
        return;
    uint32_t nh = 0;
    struct service **hist = services_sorted(&m->services, &nh);
    if (!hist)
        return;
    uint32_t nopen = v->nsvcs;
    for (uint32_t i = 0; i < nh; i++) {
        const struct service *h = hist[i];
        struct model_service *s = svc_find(v->svcs, nopen, &h->addr, h->port);
        if (!s) {
            if (!svc_reserve(m, v->nsvcs + 1))
                break;
            s = &v->svcs[v->nsvcs++];
            memset(s, 0, sizeof *s);
            s->addr = h->addr;
            s->port = h->port;
        }
        s->seen += h->conns;
        s->refused += h->refused;
        s->unanswered += h->unanswered;
    }
    free(hist);
}

/* Count and copy what is tracked now into v (rows only with b->rows), and
 * the figures beside it; the rates run from *clock, which then moves to
 * now. */
static void build_view(struct model *m, struct model_view *v, size_t *anoms_cap, tstamp_t now, bool rows,
                       struct view_clock *clock)
{
    model_flush(m);
    if (!now || now < tracker_now(m->tr))
        now = tracker_now(m->tr);
    double dt = clock->have ? (double)(now - clock->now) / 1e9 : 0;
    struct build b = { .m = m, .v = v, .now = now, .rows = rows, .dt = dt,
                       .anoms = { v->anoms, 0, *anoms_cap, MAX_VIEW_ANOMALIES } };
    v->nrows = 0;
    memset(v->state, 0, sizeof v->state);
    v->stuck = 0;
    tracker_foreach(m->tr, build_row, &b);
    v->anoms = b.anoms.a;
    v->nanoms = b.anoms.n;
    *anoms_cap = b.anoms.cap;
    v->active_anomalies = v->nanoms;
    if (v->nanoms > 1)
        qsort(v->anoms, v->nanoms, sizeof *v->anoms, cmp_anom);

    v->now = now;
    v->elapsed = m->started ? now - m->started : m->have_time ? now - m->first_ts : 0;
    v->packets = m->packets;
    v->bytes = m->bytes;
    v->tcp = m->outcome[DEC_TCP];
    /* since the previous picture; the first, since the start (not 0: it
     * would read as idle) */
    double rdt = clock->have ? dt : (double)v->elapsed / 1e9;
    if (rdt > 0) {
        v->pps = (double)(m->packets - (clock->have ? clock->packets : 0)) / rdt;
        v->bps = (double)(m->bytes - (clock->have ? clock->bytes : 0)) / rdt;
    }   /* else time stood still (a finished replay): the last rates stay */
    v->have_drops = m->have_drops;
    v->kernel_drops = m->kernel_drops;
    v->if_drops = m->if_drops;
    v->open = tracker_open_conns(m->tr);
    v->seen = tracker_stats(m->tr)->conns;
    if (!clock->have || now > clock->now) {
        clock->now = now;
        clock->packets = m->packets;
        clock->bytes = m->bytes;
    }
    clock->have = true;
}

const struct model_view *model_view(struct model *m, tstamp_t now)
{
    build_view(m, &m->view, &m->anoms_cap, now, true, &m->view_clock);
    build_services(m);
    return &m->view;
}

const struct model_view *model_summary(struct model *m, tstamp_t now)
{
    build_view(m, &m->summary, &m->summary_anoms_cap, now, false, &m->summary_clock);
    return &m->summary;
}

/* --------------------------------------------------------------- detail --- */

struct find {
    uint32_t id;
    const struct conn *c;
    uint32_t slot;
};

static void find_conn(void *ctx, const struct conn *c, uint32_t slot)
{
    struct find *f = ctx;
    if (c->id == f->id) {
        f->c = c;
        f->slot = slot;
    }
}

uint64_t model_detail_walks(const struct model *m) { return m->detail_walks; }

void model_detail_free(struct model_detail *d)
{
    free(d->anoms);
    free(d->pkts);
    free(d->trans);
    memset(d, 0, sizeof *d);
}

void model_detail(struct model *m, uint32_t id, tstamp_t now, struct model_detail *d)
{
    model_flush(m);
    if (!now || now < tracker_now(m->tr))
        now = tracker_now(m->tr);
    if (d->id != id) {
        model_detail_free(d);
        d->id = id;
    }
    if (m->watch_id != id) {
        m->watch_id = id;
        m->watch_slot = 0;
        m->watch_missing = false;
        m->watch_gone = false;
        free(m->watch_anoms);
        m->watch_anoms = NULL;
        m->watch_nanoms = 0;
    }
    /* Where it was found last time, if it is still there (a record stays
     * put while its connection is tracked); else a walk of the table, once
     * (a million records take tens of milliseconds): a connection not
     * found then has left for good, as ids are never given again. */
    struct find f = { id, NULL, 0 };
    if (!m->watch_gone && !m->watch_missing) {
        const struct conn *c = m->watch_slot ? tracker_at(m->tr, m->watch_slot) : NULL;
        if (c && c->id == id) {
            f.c = c;
        } else {
            tracker_foreach(m->tr, find_conn, &f);
            m->detail_walks++;
            m->watch_slot = f.slot;
            m->watch_missing = !f.c;
        }
    }
    if (f.c) {
        const struct conn *c = f.c;
        d->gone = false;
        fill_row(m, c, now, &d->row);
        d->have_hs = conn_handshake(c, &d->hs_rtt, &d->hs_server, &d->hs_client);
        for (int role = 0; role < 2; role++) {
            d->syns[role] = c->ep[role].syns;
            d->synacks[role] = c->ep[role].synacks;
            d->fins[role] = c->ep[role].fins;
            d->isn[role] = c->ep[role].isn;
            d->have_isn[role] = c->ep[role].flags & EPF_ISN;
            d->retrans[role] = 0;
        }
        /* each SYN seen says whether its sender scales: scaling is known
         * once both have been seen (or the one seen had no option) */
        bool ws0 = c->ep[0].flags & EPF_WSCALE, ws1 = c->ep[1].flags & EPF_WSCALE;
        bool syn0 = ep_sent_syn(&c->ep[0]) || ep_sent_synack(&c->ep[0]);
        bool syn1 = ep_sent_syn(&c->ep[1]) || ep_sent_synack(&c->ep[1]);
        d->scale_known = (syn0 && syn1) || (syn0 && !ws0) || (syn1 && !ws1);
        d->wscale[0] = ws0 && ws1 ? c->ep[0].wscale : 0;
        d->wscale[1] = ws0 && ws1 ? c->ep[1].wscale : 0;
        struct anom_list l = { NULL, 0, 0, 64 };
        conn_anomalies(m, c, &d->row, now, anom_push, &l);
        free(d->anoms);
        d->anoms = l.a;
        d->nanoms = l.n;
    } else if (m->watch_gone) {
        if (!d->gone) {
            d->gone = true;
            d->row = m->watch_row;
            d->retire_reason = m->watch_reason;
            d->gone_at = m->watch_at;
            free(d->anoms);
            d->anoms = NULL;
            d->nanoms = 0;
            if (m->watch_nanoms && (d->anoms = malloc(m->watch_nanoms * sizeof *d->anoms))) {
                memcpy(d->anoms, m->watch_anoms, m->watch_nanoms * sizeof *d->anoms);
                d->nanoms = m->watch_nanoms;
            }
        }
    } else {
        d->gone = true;     /* gone before the detail was asked for */
        d->retire_reason = RETIRE__COUNT;
    }
    for (uint32_t i = 0; i < d->nanoms; i++)
        if (d->anoms[i].id == AN_RETRANSMISSIONS && (d->anoms[i].who == 0 || d->anoms[i].who == 1))
            d->retrans[d->anoms[i].who] = d->anoms[i].count;
    free(d->pkts);
    free(d->trans);
    d->npkts = ring_conn_packets(m->ring, id, &d->pkts);
    d->ntrans = ring_conn_transitions(m->ring, id, &d->trans);
}

bool model_write_conn(struct model *m, uint32_t id, const char *path, uint64_t *written, char *err, size_t errlen)
{
    model_flush(m);
    struct ring_pkt *p = NULL;
    uint32_t n = ring_conn_packets(m->ring, id, &p);
    *written = 0;
    if (!n) {
        snprintf(err, errlen, "no packet of connection %u is kept any more", (unsigned)id);
        return false;
    }
    struct pcapwrite *w = pcapwrite_open(path, p[0].linktype, RING_PKT_CAP, err, errlen);
    if (!w) {
        free(p);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (p[i].linktype != p[0].linktype)
            continue;       /* a pcap file has one link type */
        uint32_t caplen = p[i].caplen, wirelen = p[i].wirelen < caplen ? caplen : p[i].wirelen;
        if (!pcapwrite_packet(w, p[i].ts, ring_packet_data(m->ring, &p[i]), caplen, wirelen)) {
            snprintf(err, errlen, "%s: cannot write: out of space?", path);
            pcapwrite_abort(w);
            free(p);
            return false;
        }
    }
    *written = pcapwrite_count(w);
    free(p);
    return pcapwrite_commit(w, err, errlen);
}

bool model_finish_report(struct model *m, int exit_status, const char *damage, uint64_t damage_pkt)
{
    model_flush(m);
    reasm_finish(&m->reasm, m->outcome);
    tracker_finish(m->tr);
    analysis_finish(m->an, tracker_now(m->tr));
    if (!m->report)
        return true;
    struct run_info info;
    memset(&info, 0, sizeof info);
    info.source = m->src.name;
    info.link = m->src.link;
    info.filter = m->src.filter;
    info.records = m->have_counts ? m->records : m->packets;
    info.filtered = m->have_counts ? m->filtered : 0;
    info.wire_bytes = m->bytes;
    memcpy(info.outcome, m->outcome, sizeof info.outcome);
    info.first_ts = m->first_ts;
    info.last_ts = m->last_ts;
    info.have_time = m->have_time;
    info.damage = damage;
    info.damage_pkt = damage_pkt;
    info.exit_status = exit_status;
    info.interrupted = exit_status == EXIT_INTERRUPTED;
    info.cfg = &m->opt->tracker;
    info.stats = tracker_stats(m->tr);
    info.census = &m->census;
    info.listeners = m->listeners;
    info.services = &m->services;
    info.analysis = m->an;
    info.format = m->format ? m->format : m->src.live ? "live capture" : NULL;
    info.live = m->src.live;
    info.kernel_drops = m->kernel_drops;
    info.if_drops = m->if_drops;
    return report_finish(m->report, &info);
}
