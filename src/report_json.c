/* report_json.c - JSON lines: one object per connection as it ends, then
 * listeners, then one summary.  The schema is in docs/output-formats.md. */
#include <inttypes.h>
#include <stdlib.h>

#include "describe.h"
#include "history.h"
#include "line.h"
#include "outwriter.h"
#include "format.h"
#include "report.h"

/* A name from tcpfsm's own tables, quoted, with its length: copied as one
 * move of known size instead of strlen() and a copy of unknown length. */
struct qname {
    char s[31];
    uint8_t len;
};

struct json_report {
    FILE *out;
    struct outwriter *writer;   /* behind out, if any: lines go straight in */
    const struct analysis *an;
    struct line conn_line, anomaly_line;    /* built in, one at a time */
    struct line detail;                     /* an anomaly's detail, before escaping */
    /* Each anomaly's explanation as a JSON string, quoted and escaped once
     * here instead of in every anomaly line: it is the same every time. */
    struct {
        char *s;
        size_t len;
    } explanation[AN__COUNT];
    struct qname state[ST__COUNT], anomaly_id[AN__COUNT], retired[RETIRE__COUNT];
    struct qname unknown;       /* "?", as the name functions say out of range */
};

/* table[i] if i is in it (as the name functions check), else "?" */
#define QNAME(j, table, i)                                                     \
    ((unsigned)(i) < sizeof (j)->table / sizeof (j)->table[0] ? &(j)->table[(i)] : &(j)->unknown)

static void qname_set(struct qname *q, const char *name)
{
    int n = snprintf(q->s, sizeof q->s, "\"%s\"", name);
    q->len = (uint8_t)(n > 0 && (size_t)n < sizeof q->s ? n : 0);  /* (all are short) */
}

static inline void line_qname(struct line *l, const struct qname *q)
{
    if (__builtin_expect(LINE_CAP - l->n < sizeof q->s, 0)) {
        line_mem(l, q->s, q->len);
        return;
    }
    memcpy(l->b + l->n, q->s, sizeof q->s);
    l->n += q->len;
}

static void json_destroy(void *self)
{
    struct json_report *j = self;
    if (j)
        for (int i = 0; i < AN__COUNT; i++)
            free(j->explanation[i].s);
    free(j);
}

static void *json_create(const struct report_options *opt, FILE *out, const struct analysis *an)
{
    struct json_report *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->out = out;
    j->writer = opt->writer;
    j->an = an;
    /* escaped in the anomaly line's buffer, not in use yet */
    struct line *l = &j->anomaly_line;
    for (int i = 0; i < AN__COUNT; i++) {
        line_clear(l);
        line_json_string(l, anomaly_info(i)->explanation);
        if (!(j->explanation[i].s = malloc(l->n))) {
            json_destroy(j);
            return NULL;
        }
        memcpy(j->explanation[i].s, l->b, l->n);
        j->explanation[i].len = l->n;
        qname_set(&j->anomaly_id[i], anomaly_info(i)->id);
    }
    for (int s = 0; s < ST__COUNT; s++)
        qname_set(&j->state[s], tcp_state_name(s));
    for (int r = 0; r < RETIRE__COUNT; r++)
        qname_set(&j->retired[r], retire_reason_name(r));
    qname_set(&j->unknown, "?");
    return j;
}

/* The per-connection and per-anomaly lines are built with line.h: they are
 * written once per connection, a million times on a large capture. */

/* A line built: into the writer's block when there is one (stdio would
 * copy it into its buffer first), else to the stream. */
static void json_emit(struct json_report *j, struct line *l)
{
    if (j->writer)
        outwriter_put(j->writer, l->b, l->n);
    else
        line_write(l, j->out);
}

/* An address, written straight into the line when there is room. */
static void line_addr(struct line *l, const struct flow_addr *a)
{
    if (LINE_CAP - l->n >= ADDR_STRLEN) {
        l->n += addr_put(a, l->b + l->n);
        return;
    }
    char ab[ADDR_STRLEN];
    line_str(l, addr_format(a, ab));
}

static void json_endpoints(struct line *l, const struct conn *c)
{
    struct flow_addr a;
    conn_addr(c, CLIENT, &a);
    line_lit(l, ",\"client_addr\":\"");
    line_addr(l, &a);
    line_lit(l, "\",\"client_port\":");
    line_u64(l, conn_port(c, CLIENT));
    conn_addr(c, SERVER, &a);
    line_lit(l, ",\"server_addr\":\"");
    line_addr(l, &a);
    line_lit(l, "\",\"server_port\":");
    line_u64(l, conn_port(c, SERVER));
}

/* ,"name": -- the field helpers are macros over string literals, so that
 * every key is copied with its length known at compile time (no strlen on
 * the per-connection path). */
#define key(l, name) line_lit((l), ",\"" name "\":")

/* to the nearest microsecond */
#define json_ms(l, name, ns)                                                    \
    do {                                                                       \
        int64_t ns_ = (ns);                                                    \
        key((l), name);                                                        \
        line_ms((l), ns_ + (ns_ >= 0 ? 500 : -500));                           \
    } while (0)

#define json_u64(l, name, v)                                                   \
    do {                                                                       \
        key((l), name);                                                        \
        line_u64((l), (v));                                                    \
    } while (0)

/* the key and its value as one literal: one copy */
#define json_bool(l, name, v)                                                  \
    do {                                                                       \
        if (v)                                                                 \
            line_lit((l), ",\"" name "\":true");                               \
        else                                                                   \
            line_lit((l), ",\"" name "\":false");                              \
    } while (0)

/* v: a name from tcpfsm's own tables, nothing to escape */
#define json_str(l, name, v)                                                   \
    do {                                                                       \
        key((l), name);                                                        \
        line_char((l), '"');                                                   \
        line_str((l), (v));                                                    \
        line_char((l), '"');                                                   \
    } while (0)

/* the same, or null if v is NULL */
#define json_str_or_null(l, name, v)                                           \
    do {                                                                       \
        const char *v_ = (v);                                                  \
        if (v_)                                                                \
            json_str((l), name, v_);                                           \
        else                                                                   \
            line_lit((l), ",\"" name "\":null");                               \
    } while (0)

/* An anomaly line of the connection whose line was just built: its
 * endpoints are copied from there (`endpoints`, `endpoints_len` bytes), not
 * formatted again. */
static void json_anomaly(struct json_report *j, const struct conn *c, const struct anomaly *a, tstamp_t now,
                         const char *endpoints, size_t endpoints_len)
{
    struct line *l = &j->anomaly_line;
    line_clear(l);
    line_lit(l, "{\"type\":\"anomaly\",\"id\":");
    line_qname(l, QNAME(j, anomaly_id, a->id));
    line_lit(l, ",\"conn\":");
    line_u64(l, c->id);
    line_mem(l, endpoints, endpoints_len);
    if (a->who >= 0)
        json_str(l, "who", role_name(a->who));
    else
        line_lit(l, ",\"who\":null");
    if (a->id == AN_RST_ABORT)
        json_str(l, "kind", rst_kind_name(a->kind));
    if (a->id == AN_CLOSE_WAIT_STUCK)
        json_str_or_null(l, "left_by", stuck_exit_name(a->kind));
    if (a->id == AN_SYN_CHALLENGED)
        json_str_or_null(l, "outcome", challenge_outcome_name(a->kind));
    if (a->id == AN_SYN_CHALLENGED || a->id == AN_RST_ABORT || a->id == AN_CLOSE_WAIT_STUCK || a->id == AN_FIN_WAIT_2_STUCK ||
        a->id == AN_FIN_UNACKED || a->id == AN_LAST_ACK_LOST || a->id == AN_RST_OUT_OF_WINDOW ||
        a->id == AN_SYN_UNANSWERED) {
        key(l, "state");
        line_qname(l, QNAME(j, state, a->state));
    }
    key(l, "start");
    line_epoch(l, a->start);
    key(l, "end");
    line_epoch(l, a->end);
    json_u64(l, "count", a->count);
    line_lit(l, ",\"evidence\":[");
    for (int i = 0; i < a->nevidence; i++) {
        if (i)
            line_char(l, ',');
        line_u64(l, a->evidence[i]);
    }
    line_char(l, ']');
    switch ((enum anomaly_id)a->id) {
    case AN_SYN_REFUSED:
        /* refused by RSTs, by ICMP errors, or both: the ICMP refusals and
         * the last one's kind and source */
        json_u64(l, "by_icmp", a->value);
        json_str_or_null(l, "icmp", a->value ? icmp_kind_name(a->value2) : NULL);
        json_str_or_null(l, "icmp_from", a->value ? (a->value2 & ICMPK_FROM_DEST ? "destination" : "path") : NULL);
        break;
    case AN_SYNACK_LOST:
        json_str_or_null(l, "icmp", a->value2 ? icmp_kind_name(a->value2) : NULL);
        json_str_or_null(l, "icmp_from", a->value2 ? (a->value2 & ICMPK_FROM_DEST ? "destination" : "path") : NULL);
        break;
    case AN_SYN_UNANSWERED:
        json_ms(l, "duration_ms", (int64_t)a->value);
        json_u64(l, "service_answered", a->value2);
        json_bool(l, "client_gave_up", a->kind != ATTEMPT_GOING);
        json_bool(l, "new_attempt", a->kind == ATTEMPT_SUPERSEDED);
        break;
    case AN_SYNACK_UNACKED:
        json_bool(l, "request_dropped", a->kind);
        json_ms(l, "duration_ms", (int64_t)a->value);
        break;
    case AN_IDLE:
    case AN_CLOSE_WAIT_STUCK:
    case AN_FIN_WAIT_2_STUCK:
        json_ms(l, "duration_ms", (int64_t)a->value);
        break;
    case AN_SYN_RETRANSMITTED:
        json_u64(l, "syn_retransmissions", a->value);
        json_u64(l, "synack_retransmissions", a->value2);
        json_ms(l, "delay_ms", a->end - c->first);
        break;
    case AN_HANDSHAKE_SLOW:
        json_ms(l, "rtt_ms", (int64_t)a->value);
        json_ms(l, "server_ms", (int64_t)a->value2 * 1000);
        break;
    case AN_ZERO_WINDOW:
        json_ms(l, "stall_ms", (int64_t)a->value);
        json_u64(l, "probes", a->value2);
        json_bool(l, "ongoing", a->state);
        break;
    case AN_RETRANSMISSIONS:
        json_u64(l, "bytes", a->value);
        json_bool(l, "stopped", a->state == 1);
        break;
    case AN_OUT_OF_ORDER:
    case AN_CAPTURE_GAP:
    case AN_DATA_AFTER_FIN:
    case AN_DATA_AFTER_RST:
        json_u64(l, "bytes", a->value);
        break;
    case AN_RST_ABORT:
        json_u64(l, "unacked_bytes", a->value);
        json_u64(l, "peer_unacked_bytes", a->value2);
        break;
    case AN_TIME_WAIT_REUSE:
        json_bool(l, "isn_above_old", a->value);
        break;
    default:
        break;
    }
    line_clear(&j->detail);
    describe_anomaly_line(a, c, now, &j->detail);
    key(l, "detail");
    line_json_mem(l, j->detail.b, j->detail.n);
    key(l, "explanation");
    line_mem(l, j->explanation[a->id].s, j->explanation[a->id].len);
    line_lit(l, "}\n");
    json_emit(j, l);
}

static void json_conn(void *self, const struct conn_view *v)
{
    struct json_report *j = self;
    const struct conn *c = v->c;
    struct line *l = &j->conn_line;
    line_clear(l);

    line_lit(l, "{\"type\":\"conn\",\"id\":");
    line_u64(l, c->id);
    size_t endpoints_at = l->n;
    json_endpoints(l, c);
    size_t endpoints_len = l->n - endpoints_at;
    json_u64(l, "ip_version", c->node.family);
    key(l, "client_state");
    line_qname(l, QNAME(j, state, c->ep[CLIENT].state));
    key(l, "server_state");
    line_qname(l, QNAME(j, state, c->ep[SERVER].state));
    json_bool(l, "client_state_inferred", conn_inferred(c, CLIENT));
    json_bool(l, "server_state_inferred", conn_inferred(c, SERVER));
    key(l, "start");
    line_epoch(l, c->first);
    key(l, "end");
    line_epoch(l, c->last);
    json_u64(l, "client_pkts", c->ep[CLIENT].pkts);
    json_u64(l, "server_pkts", c->ep[SERVER].pkts);
    json_u64(l, "client_bytes", conn_bytes(c, CLIENT));
    json_u64(l, "server_bytes", conn_bytes(c, SERVER));
    json_bool(l, "picked_up", c->flags & CF_PICKED_UP);
    json_bool(l, "synack_first", c->flags & CF_SYNACK_FIRST);
    json_bool(l, "reused", c->flags & CF_REUSED);
    json_bool(l, "reused_in_time_wait", c->flags & CF_REUSED_IN_TW);
    json_bool(l, "client_fin", c->ep[CLIENT].flags & EPF_FIN);
    json_bool(l, "server_fin", c->ep[SERVER].flags & EPF_FIN);
    json_bool(l, "client_rst", c->ep[CLIENT].flags & EPF_RST);
    json_bool(l, "server_rst", c->ep[SERVER].flags & EPF_RST);
    json_bool(l, "clean", conn_clean(c));
    const struct history *h = v->h;
    json_str(l, "conn_state", history_conn_state(h, c));
    key(l, "history");
    line_json_string(l, h && h->len ? h->s : "-");
    key(l, "client_state_since");
    line_epoch(l, conn_since(c, CLIENT));
    key(l, "server_state_since");
    line_epoch(l, conn_since(c, SERVER));
    int64_t rtt, sv, cl;
    if (conn_handshake(c, &rtt, &sv, &cl)) {
        json_ms(l, "handshake_rtt_ms", rtt);
        json_ms(l, "handshake_server_ms", sv);
        json_ms(l, "handshake_client_ms", cl);
    } else {
        line_lit(l, ",\"handshake_rtt_ms\":null");
    }
    if (c->flags & CF_FIN_CROSSED)
        json_str(l, "closed_by", "both");
    else if (c->flags & CF_CLIENT_FIN_FIRST)
        json_str(l, "closed_by", "client");
    else if (c->flags & CF_SERVER_FIN_FIRST)
        json_str(l, "closed_by", "server");
    else
        line_lit(l, ",\"closed_by\":null");
    uint32_t mask = v->mask;
    line_lit(l, ",\"anomalies\":[");
    bool first = true;
    for (int i; (i = anomaly_mask_next(&mask)) >= 0;) {
        if (!first)
            line_char(l, ',');
        line_qname(l, QNAME(j, anomaly_id, i));
        first = false;
    }
    line_char(l, ']');
    key(l, "ended_by");
    line_qname(l, QNAME(j, retired, v->why));
    line_lit(l, "}\n");
    json_emit(j, l);
    for (uint32_t i = 0; i < v->nanomalies; i++)
        json_anomaly(j, c, &v->anomalies[i], v->now, l->b + endpoints_at, endpoints_len);
}

/* For the rarer objects: printf is fine there. */
static void json_bool_f(FILE *o, const char *name, bool v)
{
    fprintf(o, ",\"%s\":%s", name, v ? "true" : "false");
}

static void json_hist_ms(FILE *o, const char *name, const struct hist *h)
{
    if (!h || !h->n) {
        fprintf(o, ",\"%s\":null", name);
        return;
    }
    fprintf(o, ",\"%s\":{\"n\":%" PRIu64 ",\"median\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f}", name,
            h->n, hist_quantile(h, 0.5) / 1e6, hist_quantile(h, 0.95) / 1e6, hist_quantile(h, 0.99) / 1e6,
            h->max / 1e6);
}

static void json_services(FILE *o, const struct run_info *in)
{
    uint32_t n = 0;
    struct service **v = in->services ? services_sorted(in->services, &n) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        const struct service *s = v[i];
        char ab[ADDR_STRLEN];
        fprintf(o, "{\"type\":\"service\",\"addr\":\"%s\",\"port\":%u,\"conns\":%" PRIu64
                   ",\"handshakes_completed\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"unanswered\":%" PRIu64
                   ",\"half_open\":%" PRIu64,
                addr_format(&s->addr, ab), s->port, s->conns, s->completed, s->refused, s->unanswered,
                s->half_open);
        json_hist_ms(o, "handshake_rtt_ms", s->rtt);
        for (int r = 0; r < 2; r++) {
            fprintf(o, ",\"%s_states\":{", r == CLIENT ? "client" : "server");
            bool first = true;
            for (int st = 0; st < ST__COUNT; st++)
                if (s->state[r][st]) {
                    fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", tcp_state_name(st), s->state[r][st]);
                    first = false;
                }
            fputc('}', o);
        }
        fputs(",\"anomalies\":{", o);
        bool first = true;
        for (int a = 0; a < AN__COUNT; a++)
            if (s->anomalies[a]) {
                fprintf(o, "%s\"%s\":%" PRIu32, first ? "" : ",", anomaly_info(a)->id, s->anomalies[a]);
                first = false;
            }
        fputs("}}\n", o);
    }
    free(v);
}

static void json_service_anomalies(FILE *o, const struct analysis *an)
{
    uint32_t n;
    const struct service_anomaly *sa = analysis_service_anomalies(an, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct service_anomaly *s = &sa[i];
        char ab[ADDR_STRLEN], detail[300];
        fprintf(o, "{\"type\":\"anomaly\",\"id\":\"%s\",\"conn\":null,\"server_addr\":\"%s\",\"server_port\":%u",
                anomaly_info(s->a.id)->id, addr_format(&s->server, ab), s->port);
        if (s->a.id == AN_TIME_WAIT_PILEUP)
            fprintf(o, ",\"client_addr\":\"%s\",\"time_wait_peak\":%" PRIu32 ",\"port_share\":%.4f",
                    addr_format(&s->client, ab), s->a.count, (double)s->a.value / 1e6);
        else
            fprintf(o, ",\"incomplete\":%" PRIu32 ",\"sources\":%" PRIu64 ",\"rate_per_s\":%" PRIu32,
                    s->a.count, s->a.value, s->a.value2);
        fprintf(o, ",\"who\":\"%s\",\"start\":", role_name(s->a.who));
        print_epoch(o, s->a.start);
        fputs(",\"end\":", o);
        print_epoch(o, s->a.end);
        fprintf(o, ",\"count\":%" PRIu32 ",\"evidence\":[", s->a.count);
        for (int e = 0; e < s->a.nevidence; e++)
            fprintf(o, "%s%" PRIu32, e ? "," : "", s->a.evidence[e]);
        fputc(']', o);
        describe_service_anomaly(s, analysis_config(an)->ephemeral_ports, detail, sizeof detail);
        fputs(",\"detail\":", o);
        print_json_string(o, detail);
        fputs(",\"explanation\":", o);
        print_json_string(o, anomaly_info(s->a.id)->explanation);
        fputs("}\n", o);
    }
}

static void json_states(FILE *o, const struct census *cs, int role)
{
    fputc('{', o);
    bool first = true;
    for (int s = 0; s < ST__COUNT; s++) {
        if (!cs->state[role][s])
            continue;
        fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", tcp_state_name(s), cs->state[role][s]);
        first = false;
    }
    fputc('}', o);
}

static void json_finish(void *self, const struct run_info *in)
{
    struct json_report *j = self;
    FILE *o = j->out;
    char ab[ADDR_STRLEN];

    uint32_t nl;
    const struct listener *ls = listeners_sorted(in->listeners, &nl);
    for (uint32_t i = 0; i < nl; i++) {
        fprintf(o, "{\"type\":\"listener\",\"addr\":\"%s\",\"port\":%u,\"listening\":%s,"
                   "\"answered\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"first\":",
                addr_format(&ls[i].addr, ab), ls[i].port, ls[i].answered ? "true" : "false",
                ls[i].answered, ls[i].refused);
        print_epoch(o, ls[i].first);
        fputs(",\"last\":", o);
        print_epoch(o, ls[i].last);
        fputs("}\n", o);
    }

    json_services(o, in);
    if (j->an)
        json_service_anomalies(o, j->an);

    const struct tracker_stats *st = in->stats;
    fputs("{\"type\":\"summary\",\"source\":", o);
    print_json_string(o, in->source);
    fputs(",\"link_type\":", o);
    print_json_string(o, in->link ? in->link : "");
    fputs(",\"filter\":", o);
    if (in->filter)
        print_json_string(o, in->filter);
    else
        fputs("null", o);
    fprintf(o, ",\"packets\":%" PRIu64 ",\"filtered_out\":%" PRIu64 ",\"tcp_packets\":%" PRIu64,
            in->records, in->filtered, in->outcome[DEC_TCP]);
    if (in->live)
        fprintf(o, ",\"dropped_kernel\":%" PRIu64 ",\"dropped_interface\":%" PRIu64, in->kernel_drops,
                in->if_drops);
    fputs(",\"not_decoded\":{", o);
    bool first = true;
    for (int k = 1; k < DEC__COUNT; k++) {
        if (!in->outcome[k])
            continue;
        fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", decode_outcome_name(k), in->outcome[k]);
        first = false;
    }
    fputc('}', o);
    /* Only when non-zero: a file's own figures, rarely anything but 0. */
    if (in->oversized)
        fprintf(o, ",\"oversized_records\":%" PRIu64, in->oversized);
    if (in->ts_clamped)
        fprintf(o, ",\"timestamps_clamped\":%" PRIu64, in->ts_clamped);
    if (in->stats->ts_backwards)
        fprintf(o, ",\"timestamps_backwards\":%" PRIu64, in->stats->ts_backwards);
    if (in->stats->icmp_matched || in->stats->icmp_no_conn)
        fprintf(o, ",\"icmp_errors\":{\"matched\":%" PRIu64 ",\"changed_state\":%" PRIu64 ",\"no_conn\":%" PRIu64 "}",
            in->stats->icmp_matched, in->stats->icmp_moved, in->stats->icmp_no_conn);
    if (in->have_time) {
        fputs(",\"first\":", o);
        print_epoch(o, in->first_ts);
        fputs(",\"last\":", o);
        print_epoch(o, in->last_ts);
    } else {
        fputs(",\"first\":null,\"last\":null", o);
    }
    fprintf(o, ",\"connections\":%" PRIu64 ",\"clean\":%" PRIu64 ",\"picked_up\":%" PRIu64
               ",\"synack_first\":%" PRIu64 ",\"reused\":%" PRIu64 ",\"reused_in_time_wait\":%" PRIu64,
            st->conns, in->census->clean, st->picked_up, st->synack_first, st->reused, st->reused_in_tw);
    fputs(",\"ended_by\":{", o);
    for (int r = 0; r < RETIRE__COUNT; r++)
        fprintf(o, "%s\"%s\":%" PRIu64, r ? "," : "", retire_reason_name(r), st->retired[r]);
    fputc('}', o);
    fprintf(o, ",\"evicted\":%" PRIu64 ",\"rst_ignored\":%" PRIu64 ",\"no_memory\":%" PRIu64
               ",\"peak_conns\":%" PRIu32 ",\"max_conns\":%" PRIu32,
            st->retired[RETIRE_EVICTED], st->rst_ignored, st->no_memory, st->peak_conns,
            in->cfg->max_conns);
    json_hist_ms(o, "handshake_rtt_ms", &in->census->rtt);
    if (j->an) {
        const struct analysis_stats *as = analysis_stats(j->an);
        fputs(",\"anomalies\":{", o);
        bool f2 = true;
        for (int a = 0; a < AN__COUNT; a++)
            if (as->conns_with[a]) {
                fprintf(o, "%s\"%s\":%" PRIu64, f2 ? "" : ",", anomaly_info(a)->id, as->conns_with[a]);
                f2 = false;
            }
        fprintf(o, "},\"anomalies_not_recorded\":%" PRIu64 ",\"time_wait_not_counted\":%" PRIu64
                   ",\"time_wait_dropped\":%" PRIu64, as->not_recorded, as->time_wait_not_counted,
                as->time_wait_dropped);
    }
    fputs(",\"client_states\":", o);
    json_states(o, in->census, CLIENT);
    fputs(",\"server_states\":", o);
    json_states(o, in->census, SERVER);
    fprintf(o, ",\"listeners\":%" PRIu32 ",\"listeners_not_recorded\":%" PRIu64,
            listeners_count(in->listeners), listeners_overflow(in->listeners));
    json_bool_f(o, "damaged", in->damage != NULL);
    json_bool_f(o, "interrupted", in->interrupted);
    fputs(",\"error\":", o);
    if (in->damage) {
        print_json_string(o, in->damage);
        fprintf(o, ",\"error_packet\":%" PRIu64, in->damage_pkt);
    } else {
        fputs("null", o);
    }
    fprintf(o, ",\"exit_status\":%d}\n", in->exit_status);
}


const struct report_ops report_json_ops = {
    .create = json_create,
    .conn_view = json_conn,
    .view_anomalies = true,
    .finish = json_finish,
    .destroy = json_destroy,
};
