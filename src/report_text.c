/* report_text.c - the human report, for an 80-column terminal.
 *
 * Sections: Summary, Endpoint states (with time in state), Services,
 * Listeners, Handshakes, Teardowns, Anomalies (worst first, each with its explanation
 * and the connections behind it), then the list of connections.
 *
 * By default the list of connections shows the most troubled ones, kept in
 * a small heap as connections end; with --conns every connection's line is
 * spooled to an unlinked temporary file.  Each anomaly id keeps only its few
 * worst examples.  Memory stays bounded however many connections there are. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "format.h"
#include "report.h"

#define MAX_EXAMPLES 10
#define WIDTH 78
/* Connections listed without --conns: the most troubled ones. */
#define LISTED 25
#define LINE_MAX_ 512

struct listed {
    uint64_t score;         /* worst anomaly severity, then duration */
    uint32_t id;
    char line[LINE_MAX_];   /* tab-separated fields, as spooled */
};

struct example {
    uint64_t score;         /* larger is worse; 0: empty slot */
    uint32_t conn;
    char where[96];         /* "192.0.2.1:40000 > 192.0.2.2:80" */
    char evidence[64];      /* "packets 57, 58" */
    char detail[224];
};

struct text_report {
    FILE *out;
    const struct analysis *an;
    FILE *spool;            /* one tab-separated line per listed connection */
    bool all;
    bool spool_failed;
    uint32_t nexamples, max_services;
    uint64_t listed;        /* connections that qualified for the list */
    int wclient, wserver;   /* column widths seen so far */
    struct listed top[LISTED];  /* without --conns: a min-heap by (score, -id) */
    uint32_t ntop;
    struct example ex[AN__COUNT][MAX_EXAMPLES];
};

static void *text_create(const struct report_options *opt, FILE *out, const struct analysis *an)
{
    struct text_report *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->out = out;
    t->an = an;
    t->all = opt->all;
    t->nexamples = opt->examples ? opt->examples : 3;
    if (t->nexamples > MAX_EXAMPLES)
        t->nexamples = MAX_EXAMPLES;
    t->max_services = opt->max_services ? opt->max_services : 20;
    if (t->all) {
        t->spool = tmpfile();
        t->spool_failed = t->spool == NULL;
    }
    t->wclient = (int)strlen("CLIENT");
    t->wserver = (int)strlen("SERVER");
    return t;
}

/* Print text wrapped to WIDTH columns, every line indented by `indent`. */
static void wrap(FILE *o, int indent, const char *text)
{
    const char *p = text;
    while (*p) {
        int n = wrap_width(p, WIDTH - indent);
        fprintf(o, "%*s%.*s\n", indent, "", n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

static void keep_example(struct text_report *t, const struct conn *c, const struct anomaly *a, tstamp_t now)
{
    uint64_t score = a->value ? a->value : a->count;
    if (score == 0)
        score = 1;
    struct example *slot = NULL, *exs = t->ex[a->id];
    for (uint32_t i = 0; i < t->nexamples; i++) {
        if (exs[i].score == 0) {
            slot = &exs[i];
            break;
        }
        if (!slot || exs[i].score < slot->score)
            slot = &exs[i];
    }
    if (slot->score && slot->score >= score)
        return;
    char cl[ENDPOINT_STRLEN], sv[ENDPOINT_STRLEN];
    slot->score = score;
    slot->conn = c->id;
    snprintf(slot->where, sizeof slot->where, "%s > %s", format_endpoint(c, CLIENT, cl),
             format_endpoint(c, SERVER, sv));
    int n = 0;
    slot->evidence[0] = 0;
    for (int i = 0; i < a->nevidence && n < (int)sizeof slot->evidence - 24; i++)
        n += snprintf(slot->evidence + n, sizeof slot->evidence - (size_t)n, "%s%" PRIu32,
                      i ? ", " : "", a->evidence[i]);
    describe_anomaly(a, c, now, slot->detail, sizeof slot->detail);
}

/* The connection's list line: tab-separated fields, notes last. */
static void format_line(struct text_report *t, const struct conn *c, enum retire_reason why, uint32_t mask,
                        char *buf, size_t len)
{
    char cl[ENDPOINT_STRLEN], sv[ENDPOINT_STRLEN], dur[24], b1[16], b2[16];
    format_endpoint(c, CLIENT, cl);
    format_endpoint(c, SERVER, sv);
    int n = (int)strlen(cl);
    if (n > t->wclient)
        t->wclient = n;
    n = (int)strlen(sv);
    if (n > t->wserver)
        t->wserver = n;
    size_t k = (size_t)snprintf(buf, len, "%s\t%s\t%s\t%s\t%s\t%" PRIu32 "/%" PRIu32 "\t%s/%s\t", cl, sv,
                                tcp_state_name(c->ep[CLIENT].state), tcp_state_name(c->ep[SERVER].state),
                                format_duration(c->last - c->first, dur), c->ep[CLIENT].pkts,
                                c->ep[SERVER].pkts, format_bytes(conn_bytes(c, CLIENT), b1),
                                format_bytes(conn_bytes(c, SERVER), b2));
    const char *sep = "";
#define NOTE(...)                                                                  \
    do {                                                                           \
        if (k < len)                                                               \
            k += (size_t)snprintf(buf + k, len - k, "%s", sep);                    \
        if (k < len)                                                               \
            k += (size_t)snprintf(buf + k, len - k, __VA_ARGS__);                  \
        sep = ",";                                                                 \
    } while (0)
    if (conn_inferred(c, CLIENT) || conn_inferred(c, SERVER))
        NOTE("inferred");
    if (c->flags & CF_PICKED_UP)
        NOTE("picked-up");
    if (c->flags & CF_SYNACK_FIRST)
        NOTE("no-syn");
    if (c->flags & CF_REUSED_IN_TW)
        NOTE("reused-in-time-wait");
    else if (c->flags & CF_REUSED)
        NOTE("reused");
    if (why == RETIRE_IDLE || why == RETIRE_EVICTED)
        NOTE("%s", retire_reason_name(why));
    for (int i; (i = anomaly_mask_next(&mask)) >= 0;)
        NOTE("%s", anomaly_info(i)->id);
#undef NOTE
    if (k + 2 > len)
        k = len - 2;
    buf[k] = '\n';
    buf[k + 1] = 0;
}

/* The heap keeps the LISTED most troubled connections, the least troubled
 * of them at the root; among equals the earlier connection counts as more
 * troubled, so the list keeps the first ones. */
static bool less_troubled(uint64_t s1, uint32_t id1, uint64_t s2, uint32_t id2)
{
    return s1 < s2 || (s1 == s2 && id1 > id2);
}

static bool heap_less(const struct listed *a, uint64_t score, uint32_t id)
{
    return less_troubled(a->score, a->id, score, id);
}

static void heap_keep(struct text_report *t, uint64_t score, uint32_t id, const char *line)
{
    uint32_t i;
    if (t->ntop < LISTED) {
        /* append, then sift up while less troubled than the parent */
        i = t->ntop++;
        while (i > 0) {
            uint32_t p = (i - 1) / 2;
            if (!less_troubled(score, id, t->top[p].score, t->top[p].id))
                break;
            t->top[i] = t->top[p];
            i = p;
        }
    } else {
        /* replace the root, then sift down past less troubled children */
        i = 0;
        for (;;) {
            uint32_t l = 2 * i + 1, r = l + 1, m = l;
            if (l >= LISTED)
                break;
            if (r < LISTED && heap_less(&t->top[r], t->top[l].score, t->top[l].id))
                m = r;
            if (!heap_less(&t->top[m], score, id))
                break;
            t->top[i] = t->top[m];
            i = m;
        }
    }
    t->top[i].score = score;
    t->top[i].id = id;
    snprintf(t->top[i].line, sizeof t->top[i].line, "%s", line);
}

static void text_conn(void *self, const struct conn_view *v)
{
    struct text_report *t = self;
    const struct conn *c = v->c;
    uint32_t mask = v->mask;
    for (uint32_t i = 0; i < v->nanomalies; i++)
        keep_example(t, c, &v->anomalies[i], v->now);

    if (!t->all && conn_clean(c) && !mask)
        return;
    t->listed++;
    uint64_t score = 0;
    if (!t->all) {
        /* worth a line only if it beats the least troubled one kept */
        int worst = 0;
        uint32_t left = mask;
        for (int i; (i = anomaly_mask_next(&left)) >= 0;)
            if (anomaly_info(i)->severity > worst)
                worst = anomaly_info(i)->severity;
        tstamp_t ms = (c->last - c->first) / TS_PER_MS;
        score = (uint64_t)(worst + 1) << 40 | (uint64_t)(ms < 0 ? 0 : ms > 0xffffffffffLL ? 0xffffffffffLL : ms);
        if (t->ntop == LISTED && !heap_less(&t->top[0], score, c->id))
            return;
    } else if (!t->spool) {
        return;
    }
    char line[LINE_MAX_];
    format_line(t, c, v->why, mask, line, sizeof line);
    if (t->all)
        fputs(line, t->spool);
    else
        heap_keep(t, score, c->id, line);
}

/* ------------------------------------------------------------ sections --- */

static void print_summary(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    const struct tracker_stats *st = in->stats;
    char b1[40], b2[40], d[24];

    fprintf(o, "tcpfsm report: %s\n\nSummary\n", in->source);
    fprintf(o, "  link type      %s%s%s\n", in->link ? in->link : "?", in->format ? ", " : "",
            in->format ? in->format : "");
    if (in->filter)
        fprintf(o, "  filter         %s\n", in->filter);
    fprintf(o, "  packets        %" PRIu64 " read", in->records);
    if (in->filter)
        fprintf(o, ", %" PRIu64 " matched the filter", in->records - in->filtered);
    fprintf(o, ", %" PRIu64 " TCP segments\n", in->outcome[DEC_TCP]);
    if (in->live)
        fprintf(o, "  dropped        %" PRIu64 " by the kernel, %" PRIu64 " by the interface%s\n",
                in->kernel_drops, in->if_drops,
                in->kernel_drops || in->if_drops ? " (states may be wrong: packets were missed)" : "");
    if (in->have_time)
        fprintf(o, "  time span      %s to %s UTC (%s)\n", format_time(in->first_ts, b1),
                format_time(in->last_ts, b2) + 11, format_duration(in->last_ts - in->first_ts, d));

    uint64_t undecoded = 0;
    for (int k = 1; k < DEC__COUNT; k++)
        undecoded += in->outcome[k];
    if (undecoded) {
        fprintf(o, "  not decoded    %" PRIu64 " %s\n", undecoded, undecoded == 1 ? "packet" : "packets");
        for (int k = 1; k < DEC__COUNT; k++)
            if (in->outcome[k])
                fprintf(o, "    %10" PRIu64 "  %-17s %s\n", in->outcome[k], decode_outcome_name(k),
                        decode_outcome_text(k));
    }
    if (in->oversized)
        fprintf(o, "  note           %" PRIu64 " records longer than the file's snapshot length\n", in->oversized);
    if (in->ts_clamped)
        fprintf(o, "  note           %" PRIu64 " timestamps outside 1970..2100, clamped into that range\n",
                in->ts_clamped);
    if (st->ts_backwards)
        fprintf(o, "  note           %" PRIu64 " TCP segments stamped earlier than one before them (taken at the\n"
                   "                 later time: round trips and times in state near them may read short)\n",
                st->ts_backwards);
    fprintf(o, "  connections    %" PRIu64 " seen, %" PRIu64 " cleanly closed", st->conns, in->census->clean);
    if (st->picked_up)
        fprintf(o, ", %" PRIu64 " picked up mid-stream", st->picked_up);
    if (st->synack_first)
        fprintf(o, ", %" PRIu64 " first seen at the SYN-ACK", st->synack_first);
    fputc('\n', o);
    if (st->reused)
        fprintf(o, "  reused tuples  %" PRIu64 " new connections on a tracked 4-tuple, %" PRIu64
                   " of them inside TIME_WAIT\n", st->reused, st->reused_in_tw);
    fprintf(o, "  table          peak %" PRIu32 " connections tracked at once (--max-conns %" PRIu32 ")",
            st->peak_conns, in->cfg->max_conns);
    if (st->retired[RETIRE_EVICTED])
        fprintf(o, ", %" PRIu64 " evicted when full", st->retired[RETIRE_EVICTED]);
    if (st->retired[RETIRE_IDLE])
        fprintf(o, ", %" PRIu64 " expired idle", st->retired[RETIRE_IDLE]);
    fputc('\n', o);
    if (t->an) {
        const struct analysis_stats *as = analysis_stats(t->an);
        uint64_t conns = 0, kinds = 0;
        int worst = -1;
        for (int i = 0; i < AN__COUNT; i++) {
            if (!as->conns_with[i])
                continue;
            kinds++;
            conns += as->conns_with[i];
            if (worst < 0 || anomaly_info(i)->severity > anomaly_info(worst)->severity)
                worst = i;
        }
        uint64_t services = as->conns_with[AN_SYN_FLOOD] + as->conns_with[AN_TIME_WAIT_PILEUP];
        (void)conns;
        if (kinds)
            fprintf(o, "  anomalies      %" PRIu64 " %s on %" PRIu64 " %s%s; worst: %s\n", kinds,
                    kinds == 1 ? "kind" : "kinds", as->conns_any, as->conns_any == 1 ? "connection" : "connections",
                    services ? " and some services" : "", anomaly_info(worst)->id);
        else
            fprintf(o, "  anomalies      none\n");
        if (as->conns_with[AN_ONE_SIDED])
            fprintf(o, "  note           %" PRIu64 " %s one-sided: one endpoint never captured, its state "
                       "inferred\n",
                    as->conns_with[AN_ONE_SIDED], as->conns_with[AN_ONE_SIDED] == 1 ? "connection" : "connections");
        if (as->not_recorded)
            fprintf(o, "  WARNING        %" PRIu64 " anomaly occurrences counted but not kept in detail "
                       "(record pool full)\n", as->not_recorded);
        if (as->time_wait_not_counted)
            fprintf(o, "  WARNING        %" PRIu64 " client TIME_WAITs not counted for time-wait-pileup "
                       "(65536 client/service pairs at once, none of the oldest could make room)\n", as->time_wait_not_counted);
        if (as->time_wait_dropped)
            fprintf(o, "  note           %" PRIu64 " client/service pairs with a single TIME_WAIT dropped from "
                       "the time-wait-pileup count to make room (more than 65536 pairs at once)\n",
                    as->time_wait_dropped);
    }
    if (st->no_memory)
        fprintf(o, "  WARNING        %" PRIu64 " segments not tracked: out of memory\n", st->no_memory);
    if (st->rst_ignored)
        fprintf(o, "  resets         %" PRIu64 " outside the receiver's window, ignored\n", st->rst_ignored);
    if (st->icmp_matched || st->icmp_no_conn)
        fprintf(o, "  ICMP errors    %" PRIu64 " about tracked connections' segments (%" PRIu64
                   " changed a state), %" PRIu64 " about no tracked connection\n",
                st->icmp_matched, st->icmp_moved, st->icmp_no_conn);
    if (in->damage)
        fprintf(o, "  DAMAGED        packet %" PRIu64 ": %s; everything before it is reported\n",
                in->damage_pkt, in->damage);
    if (in->interrupted)
        fprintf(o, "  INTERRUPTED    reading stopped on a signal; this reports what was read\n");
}

static void print_states(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    const struct census *cs = in->census;
    fprintf(o, "\nEndpoint states at end of capture\n");
    fprintf(o, "  %-12s %10s %10s %10s\n", "STATE", "CLIENT", "SERVER", "TOTAL");
    uint64_t tot[2] = {0, 0};
    for (int s = 0; s < ST__COUNT; s++) {
        uint64_t c = cs->state[CLIENT][s], v = cs->state[SERVER][s];
        tot[0] += c;
        tot[1] += v;
        if (c || v)
            fprintf(o, "  %-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", tcp_state_name(s), c, v, c + v);
    }
    fprintf(o, "  %-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", "all", tot[0], tot[1], tot[0] + tot[1]);
    if (cs->inferred[CLIENT] || cs->inferred[SERVER])
        fprintf(o, "  (%" PRIu64 " client and %" PRIu64 " server states are inferred: the connection "
                   "picked up\n   mid-stream or its SYN not seen, or a state the capture shows by what did not\n"
                   "   come: a FIN it missed, a sender that gave up, a request the server dropped)\n",
                cs->inferred[CLIENT], cs->inferred[SERVER]);
    bool header = false;
    for (int s = 0; s < ST__COUNT; s++) {
        if (s == ST_CLOSED)
            continue;
        for (int r = 0; r < 2; r++) {
            const struct hist *h = &cs->age[r][s];
            if (!h->n)
                continue;
            if (!header) {
                fprintf(o, "  Time in state when last seen:\n");
                header = true;
            }
            char m[24], x[24];
            fprintf(o, "    %" PRIu64 " %s %s in %s, median %s, oldest %s\n", h->n, r == CLIENT ? "client" : "server",
                    h->n == 1 ? "endpoint" : "endpoints", tcp_state_name(s),
                    format_duration(hist_quantile(h, 0.5), m), format_duration(h->max, x));
        }
    }
}

static void print_rtt(FILE *o, const char *label, const struct hist *h)
{
    char a[24], b[24], c[24], d[24];
    if (!h->n)
        return;
    fprintf(o, "  %-22s median %s, p95 %s, p99 %s, max %s (%" PRIu64 ")\n", label,
            format_duration(hist_quantile(h, 0.5), a), format_duration(hist_quantile(h, 0.95), b),
            format_duration(hist_quantile(h, 0.99), c), format_duration(h->max, d), h->n);
}

static void print_services(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    uint32_t n = 0;
    struct service **v = in->services ? services_sorted(in->services, &n) : NULL;
    if (!n) {
        free(v);
        return;
    }
    fprintf(o, "\nServices (server address and port; most anomalous first)\n");
    fprintf(o, "  %-28s %6s %6s %6s %6s %6s %9s\n", "SERVICE", "CONNS", "DONE", "REFUSD", "NO-ANS",
            "HALF", "RTT p50");
    uint32_t shown = n < t->max_services ? n : t->max_services;
    for (uint32_t i = 0; i < shown; i++) {
        const struct service *s = v[i];
        char ep[ENDPOINT_STRLEN], r[24] = "-";
        format_addr_port(&s->addr, s->port, ep);
        if (s->rtt && s->rtt->n)
            format_duration(hist_quantile(s->rtt, 0.5), r);
        fprintf(o, "  %-28s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %9s\n", ep,
                s->conns, s->completed, s->refused, s->unanswered, s->half_open, r);
        if (s->rtt && s->rtt->n > 1) {
            char a[24], b[24], c[24];
            fprintf(o, "      handshake p95 %s, p99 %s, max %s\n", format_duration(hist_quantile(s->rtt, 0.95), a),
                    format_duration(hist_quantile(s->rtt, 0.99), b), format_duration(s->rtt->max, c));
        }
        /* end states worth a look: anything but CLOSED and TIME_WAIT */
        char line[256];
        int len = 0;
        for (int role = SERVER; role >= CLIENT; role--)
            for (int st = 0; st < ST__COUNT; st++) {
                if (!s->state[role][st] || st == ST_CLOSED || st == ST_TIME_WAIT)
                    continue;
                len += snprintf(line + len, sizeof line - (size_t)len, "%s%s %s %" PRIu64, len ? ", " : "",
                                role == SERVER ? "server" : "client", tcp_state_name(st), s->state[role][st]);
                if (len >= (int)sizeof line - 40)
                    break;
            }
        if (len) {
            fprintf(o, "      at the end:");
            fputc(' ', o);
            fprintf(o, "%s\n", line);
        }
        len = 0;
        for (int a = 0; a < AN__COUNT; a++) {
            if (!s->anomalies[a] || len >= (int)sizeof line - 40)
                continue;
            len += snprintf(line + len, sizeof line - (size_t)len, "%s%s %" PRIu32, len ? ", " : "",
                            anomaly_info(a)->id, s->anomalies[a]);
        }
        if (len) {
            char pre[300];
            snprintf(pre, sizeof pre, "anomalies: %s", line);
            wrap(o, 6, pre);
        }
    }
    if (shown < n)
        fprintf(o, "  (%u more services; --format json lists them all)\n", n - shown);
    if (in->services->tab.refused)
        fprintf(o, "  (%" PRIu64 " connections to further services not aggregated: table full)\n",
                in->services->tab.refused);
    free(v);
}

/* A listener's place in the address-sorted list and its SYNs answered or
 * refused: sorted by the count, most first, ties (and then the shown ones)
 * by place, which is address order. */
struct busy { uint64_t syns; uint32_t at; };

static int cmp_busiest(const void *x, const void *y)
{
    const struct busy *a = x, *b = y;
    if (a->syns != b->syns)
        return a->syns < b->syns ? 1 : -1;
    return (a->at > b->at) - (a->at < b->at);
}

static int cmp_place(const void *x, const void *y)
{
    const struct busy *a = x, *b = y;
    return (a->at > b->at) - (a->at < b->at);
}

/* Every listener when they fit in the services' limit; on a busy network
 * there are thousands, so then only the busiest, still in address order
 * (an inventory reads best sorted), and the JSON has them all. */
static void print_listeners(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    uint32_t n;
    const struct listener *ls = listeners_sorted(in->listeners, &n);
    if (!n)
        return;
    uint32_t shown = n;
    struct busy *pick = NULL;
    if (n > t->max_services && (pick = malloc((size_t)n * sizeof *pick)) != NULL) {
        for (uint32_t i = 0; i < n; i++)
            pick[i] = (struct busy){ls[i].answered + ls[i].refused, i};
        qsort(pick, n, sizeof *pick, cmp_busiest);
        shown = t->max_services;
        qsort(pick, shown, sizeof *pick, cmp_place);
    }
    fprintf(o, "\nListeners (answered a SYN with SYN-ACK) and closed ports (answered with RST)%s\n",
            pick ? "; the busiest" : "");
    fprintf(o, "  %-40s %9s %9s\n", "ADDRESS:PORT", "ANSWERED", "REFUSED");
    for (uint32_t k = 0; k < shown; k++) {
        const struct listener *l = &ls[pick ? pick[k].at : k];
        char ep[ENDPOINT_STRLEN];
        format_addr_port(&l->addr, l->port, ep);
        fprintf(o, "  %-40s %9" PRIu64 " %9" PRIu64 "%s\n", ep, l->answered, l->refused,
                l->answered ? "" : "  closed port");
    }
    if (shown < n)
        fprintf(o, "  (%u more; --format json lists them all)\n", n - shown);
    free(pick);
    if (listeners_overflow(in->listeners))
        fprintf(o, "  (%" PRIu64 " more services not recorded: table full)\n", listeners_overflow(in->listeners));
}

static void print_handshakes(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    const struct census *cs = in->census;
    fprintf(o, "\nHandshakes\n");
    fprintf(o, "  %" PRIu64 " attempted, %" PRIu64 " completed, %" PRIu64 " refused, %" PRIu64
               " unanswered, %" PRIu64 " half-open\n",
            cs->hs_attempted, cs->hs_completed, cs->hs_refused, cs->hs_unanswered, cs->hs_half_open);
    if (cs->hs_retransmitted)
        fprintf(o, "  %" PRIu64 " completed only after SYN or SYN-ACK retransmissions\n", cs->hs_retransmitted);
    if (cs->hs_unseen)
        fprintf(o, "  %" PRIu64 " %s before the capture (picked up mid-stream or at the SYN-ACK)\n",
                cs->hs_unseen, cs->hs_unseen == 1 ? "connection began" : "connections began");
    print_rtt(o, "round trip SYN>ACK", &cs->rtt);
    print_rtt(o, "  server SYN>SYN-ACK", &cs->rtt_server);
    print_rtt(o, "  client SYN-ACK>ACK", &cs->rtt_client);
    if (cs->rtt.n)
        fprintf(o, "  (times as seen at the capture point; percentiles within 5%%)\n");
}

static void print_teardowns(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    const struct census *cs = in->census;
    fprintf(o, "\nTeardowns\n");
    fprintf(o, "  %" PRIu64 " closed cleanly with FINs both ways; first FIN from the client %" PRIu64
               ", the server %" PRIu64 ", crossing %" PRIu64 "\n",
            cs->clean, cs->closed_by[CLIENT], cs->closed_by[SERVER], cs->closed_by[2]);
    uint64_t rst = 0;
    for (size_t k = 0; k < sizeof cs->rst / sizeof cs->rst[0]; k++)
        rst += cs->rst[k];
    if (rst || cs->rst_refused) {
        fprintf(o, "  %" PRIu64 " reset: %" PRIu64 " while established, %" PRIu64 " likely with unread data, %"
                   PRIu64 " after a FIN, %" PRIu64 " half-open",
                rst, cs->rst[RST_ESTABLISHED], cs->rst[RST_UNREAD_DATA], cs->rst[RST_AFTER_FIN],
                cs->rst[RST_HALF_OPEN]);
        if (cs->rst[RST_KEEPALIVE])
            fprintf(o, ", %" PRIu64 " after unanswered keep-alives", cs->rst[RST_KEEPALIVE]);
        if (cs->rst[RST_FORGED])
            fprintf(o, ", %" PRIu64 " forged in an endpoint's name", cs->rst[RST_FORGED]);
        fprintf(o, "; %" PRIu64 " SYNs refused\n", cs->rst_refused);
    }
    fprintf(o, "  at the end: %" PRIu64 " still open, %" PRIu64 " half-closed (one FIN), %" PRIu64
               " client and %" PRIu64 " server endpoints in TIME_WAIT\n",
            cs->open_at_end, cs->half_closed, cs->state[CLIENT][ST_TIME_WAIT], cs->state[SERVER][ST_TIME_WAIT]);
}

static int cmp_severity(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    int sa = anomaly_info(a)->severity, sb = anomaly_info(b)->severity;
    if (sa != sb)
        return sb - sa;
    return a - b;
}

static void print_anomalies(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    if (!t->an)
        return;
    const struct analysis_stats *as = analysis_stats(t->an);
    int ids[AN__COUNT], n = 0;
    for (int i = 0; i < AN__COUNT; i++)
        if (as->conns_with[i])
            ids[n++] = i;
    fprintf(o, "\nAnomalies (worst first)\n");
    if (!n) {
        fprintf(o, "  none\n");
        return;
    }
    qsort(ids, (size_t)n, sizeof ids[0], cmp_severity);
    uint32_t nsvc;
    const struct service_anomaly *svc = analysis_service_anomalies(t->an, &nsvc);
    for (int k = 0; k < n; k++) {
        int id = ids[k];
        const struct anomaly_info *info = anomaly_info(id);
        bool service_level = id == AN_SYN_FLOOD || id == AN_TIME_WAIT_PILEUP;
        fprintf(o, "\n  %s: %" PRIu64 " %s (%s, severity %d)\n", info->id, as->conns_with[id],
                service_level ? (as->conns_with[id] == 1 ? "service" : "services")
                              : (as->conns_with[id] == 1 ? "connection" : "connections"),
                anomaly_phase_name(info->phase), info->severity);
        wrap(o, 4, info->explanation);
        char chk[300];
        snprintf(chk, sizeof chk, "Check: %s", info->check);
        wrap(o, 4, chk);
        uint32_t shown = 0;
        if (service_level) {
            for (uint32_t i = 0; i < nsvc; i++) {
                if (svc[i].a.id != id)
                    continue;
                if (shown++ >= t->nexamples)
                    continue;
                char line[300];
                describe_service_anomaly(&svc[i], analysis_config(t->an)->ephemeral_ports, line, sizeof line);
                wrap(o, 6, line);
            }
        } else {
            struct example *exs = t->ex[id];
            /* worst first */
            uint32_t order[MAX_EXAMPLES], m = 0;
            for (uint32_t i = 0; i < t->nexamples; i++)
                if (exs[i].score)
                    order[m++] = i;
            for (uint32_t i = 1; i < m; i++)
                for (uint32_t j = i; j > 0 && exs[order[j]].score > exs[order[j - 1]].score; j--) {
                    uint32_t x = order[j];
                    order[j] = order[j - 1];
                    order[j - 1] = x;
                }
            for (uint32_t i = 0; i < m; i++) {
                const struct example *e = &exs[order[i]];
                fprintf(o, "    %s  (connection %" PRIu32 "%s%s)\n", e->where, e->conn,
                        e->evidence[0] ? ", packets " : "", e->evidence);
                wrap(o, 6, e->detail);
            }
            shown = m;
        }
        if (as->conns_with[id] > shown)
            fprintf(o, "    ... and %" PRIu64 " more\n", as->conns_with[id] - shown);
    }
    (void)in;
}

static int cmp_listed(const void *x, const void *y)
{
    const struct listed *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* One list line, from its tab-separated fields. */
static void print_line(struct text_report *t, char *line, bool *inferred)
{
    char *f[8];
    int n = 0;
    char *p = line;
    line[strcspn(line, "\n")] = 0;
    while (n < 8) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = 0;
        p = tab + 1;
    }
    if (n < 8)
        return;
    if (strstr(f[7], "inferred"))
        *inferred = true;
    fprintf(t->out, "  %-*s  %-*s  %-12s %-12s %9s %11s %13s\n", t->wclient, f[0], t->wserver, f[1], f[2],
            f[3], f[4], f[5], f[6]);
    if (*f[7])
        fprintf(t->out, "      %s\n", f[7]);
}

static void print_conns(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    if (t->all)
        fprintf(o, "\nConnections: %" PRIu64 "\n", t->listed);
    else if (t->listed > t->ntop)
        fprintf(o, "\nConnections not cleanly closed or with anomalies: %" PRIu64 " of %" PRIu64
                   "; the %" PRIu32 " most troubled (--conns lists every connection)\n",
                t->listed, in->stats->conns, t->ntop);
    else
        fprintf(o, "\nConnections not cleanly closed or with anomalies: %" PRIu64 " of %" PRIu64 "%s\n",
                t->listed, in->stats->conns, t->listed < in->stats->conns ? " (--conns lists all)" : "");
    if (!t->listed)
        return;
    if (t->all && t->spool_failed) {
        fprintf(o, "  (not listed: could not create a temporary file for the list)\n");
        return;
    }
    fprintf(o, "  %-*s  %-*s  %-12s %-12s %9s %11s %13s\n", t->wclient, "CLIENT", t->wserver, "SERVER",
            "CLIENT STATE", "SERVER STATE", "DURATION", "PKTS C/S", "BYTES C/S");
    bool inferred = false;
    if (t->all) {
        char line[LINE_MAX_ + 8];
        rewind(t->spool);
        while (fgets(line, sizeof line, t->spool))
            print_line(t, line, &inferred);
    } else {
        /* most troubled first; among equals, in the order they began */
        qsort(t->top, t->ntop, sizeof t->top[0], cmp_listed);
        for (uint32_t i = 0; i < t->ntop; i++)
            print_line(t, t->top[i].line, &inferred);
    }
    if (inferred)
        fprintf(o, "  (inferred: a state rests on a guess, the connection having been picked up\n"
                   "   mid-stream or first seen at its SYN-ACK, or on what did not come: a FIN the\n"
                   "   capture missed, a sender that gave up, a request the server dropped)\n");
}

static void text_finish(void *self, const struct run_info *in)
{
    struct text_report *t = self;
    print_summary(t, in);
    print_states(t, in);
    print_services(t, in);
    print_listeners(t, in);
    print_handshakes(t, in);
    print_teardowns(t, in);
    print_anomalies(t, in);
    print_conns(t, in);
}

static void text_destroy(void *self)
{
    struct text_report *t = self;
    if (t->spool)
        fclose(t->spool);
    free(t);
}

const struct report_ops report_text_ops = {
    .create = text_create,
    .conn_view = text_conn,
    .view_anomalies = true,
    .finish = text_finish,
    .destroy = text_destroy,
};
