/* report_text.c - the human report.
 *
 * Connection lines are spooled to an unlinked temporary file as connections
 * end, so memory stays bounded however many there are; the summary, which
 * needs the totals, is printed first at the end, then the spool. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "report.h"

struct text_report {
    FILE *out;
    FILE *spool;            /* one tab-separated line per listed connection */
    bool all;
    bool spool_failed;
    uint64_t listed;
    int wclient, wserver;   /* column widths seen so far */
};

static void *text_create(const struct report_options *opt, FILE *out)
{
    struct text_report *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->out = out;
    t->all = opt->all;
    t->spool = tmpfile();
    t->spool_failed = t->spool == NULL;
    t->wclient = (int)strlen("CLIENT");
    t->wserver = (int)strlen("SERVER");
    return t;
}

static void text_conn(void *self, const struct conn *c, enum retire_reason why)
{
    struct text_report *t = self;
    if (!t->all && conn_clean(c))
        return;
    t->listed++;
    if (!t->spool)
        return;
    char cl[ENDPOINT_STRLEN], sv[ENDPOINT_STRLEN], dur[24], b1[16], b2[16];
    format_endpoint(c, CLIENT, cl);
    format_endpoint(c, SERVER, sv);
    int n = (int)strlen(cl);
    if (n > t->wclient)
        t->wclient = n;
    n = (int)strlen(sv);
    if (n > t->wserver)
        t->wserver = n;
    fprintf(t->spool, "%s\t%s\t%s\t%s\t%s\t%" PRIu32 "/%" PRIu32 "\t%s/%s\t", cl, sv,
            tcp_state_name(c->ep[CLIENT].state), tcp_state_name(c->ep[SERVER].state),
            format_duration(c->last - c->first, dur), c->ep[CLIENT].pkts, c->ep[SERVER].pkts,
            format_bytes(c->ep[CLIENT].bytes, b1), format_bytes(c->ep[SERVER].bytes, b2));
    const char *sep = "";
    if ((c->ep[CLIENT].flags | c->ep[SERVER].flags) & EPF_INFERRED) {
        fprintf(t->spool, "%sinferred", sep);
        sep = ",";
    }
    if (c->flags & CF_PICKED_UP) {
        fprintf(t->spool, "%spicked-up", sep);
        sep = ",";
    }
    if (c->flags & CF_SYNACK_FIRST) {
        fprintf(t->spool, "%sno-syn", sep);
        sep = ",";
    }
    if (c->flags & CF_REUSED_IN_TW) {
        fprintf(t->spool, "%sreused-in-time-wait", sep);
        sep = ",";
    } else if (c->flags & CF_REUSED) {
        fprintf(t->spool, "%sreused", sep);
        sep = ",";
    }
    if (why == RETIRE_IDLE || why == RETIRE_EVICTED)
        fprintf(t->spool, "%s%s", sep, retire_reason_name(why));
    fputc('\n', t->spool);
}

static void print_summary(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    const struct tracker_stats *st = in->stats;
    char b1[40], b2[40], d[24];

    fprintf(o, "tcpfsm report: %s\n", in->source);
    fprintf(o, "  link type      %s\n", in->link ? in->link : "?");
    if (in->filter)
        fprintf(o, "  filter         %s\n", in->filter);
    fprintf(o, "  packets        %" PRIu64 " read", in->records);
    if (in->filter)
        fprintf(o, ", %" PRIu64 " matched the filter", in->records - in->filtered);
    fprintf(o, ", %" PRIu64 " TCP segments\n", in->outcome[DEC_TCP]);
    if (in->records > in->filtered)
        fprintf(o, "  time span      %s to %s UTC (%s)\n", format_time(in->first_ts, b1),
                format_time(in->last_ts, b2) + 11, format_duration(in->last_ts - in->first_ts, d));

    uint64_t undecoded = 0;
    for (int k = 1; k < DEC__COUNT; k++)
        undecoded += in->outcome[k];
    if (undecoded) {
        fprintf(o, "  not decoded    %" PRIu64 " packets\n", undecoded);
        for (int k = 1; k < DEC__COUNT; k++)
            if (in->outcome[k])
                fprintf(o, "    %10" PRIu64 "  %-17s %s\n", in->outcome[k], decode_outcome_name(k),
                        decode_outcome_text(k));
    }
    fprintf(o, "  connections    %" PRIu64 " seen, %" PRIu64 " cleanly closed", st->conns,
            in->census->clean);
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
    if (st->no_memory)
        fprintf(o, "  WARNING        %" PRIu64 " segments not tracked: out of memory\n", st->no_memory);
    if (st->rst_ignored)
        fprintf(o, "  resets         %" PRIu64 " outside the receiver's window, ignored\n", st->rst_ignored);
    if (in->damage)
        fprintf(o, "  DAMAGED        packet %" PRIu64 ": %s; everything before it is reported\n",
                in->damage_pkt, in->damage);
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
        fprintf(o, "  (%" PRIu64 " client and %" PRIu64 " server states are inferred: "
                   "connection picked up mid-stream or SYN not seen)\n",
                cs->inferred[CLIENT], cs->inferred[SERVER]);
}

static void print_listeners(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    uint32_t n;
    const struct listener *ls = listeners_sorted(in->listeners, &n);
    if (!n)
        return;
    fprintf(o, "\nListeners (answered a SYN with SYN-ACK) and closed ports (answered with RST)\n");
    fprintf(o, "  %-40s %9s %9s\n", "ADDRESS:PORT", "ANSWERED", "REFUSED");
    for (uint32_t i = 0; i < n; i++) {
        char ab[ADDR_STRLEN], ep[ENDPOINT_STRLEN];
        addr_format(&ls[i].addr, ab);
        snprintf(ep, sizeof ep, ls[i].addr.family == 6 ? "[%s]:%u" : "%s:%u", ab, ls[i].port);
        fprintf(o, "  %-40s %9" PRIu64 " %9" PRIu64 "%s\n", ep, ls[i].answered, ls[i].refused,
                ls[i].answered ? "" : "  closed port");
    }
    if (listeners_overflow(in->listeners))
        fprintf(o, "  (%" PRIu64 " more services not recorded: table full)\n", listeners_overflow(in->listeners));
}

static void print_conns(struct text_report *t, const struct run_info *in)
{
    FILE *o = t->out;
    if (t->all)
        fprintf(o, "\nConnections: %" PRIu64 "\n", t->listed);
    else
        fprintf(o, "\nConnections not cleanly closed: %" PRIu64 " of %" PRIu64 "%s\n", t->listed,
                in->stats->conns, t->listed < in->stats->conns ? " (--all lists every connection)" : "");
    if (!t->listed)
        return;
    if (t->spool_failed) {
        fprintf(o, "  (not listed: could not create a temporary file for the list)\n");
        return;
    }
    fprintf(o, "  %-*s  %-*s  %-12s %-12s %9s %11s %13s\n", t->wclient, "CLIENT", t->wserver, "SERVER",
            "CLIENT STATE", "SERVER STATE", "DURATION", "PKTS C/S", "BYTES C/S");
    rewind(t->spool);
    char line[512];
    while (fgets(line, sizeof line, t->spool)) {
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
            continue;
        fprintf(o, "  %-*s  %-*s  %-12s %-12s %9s %11s %13s%s%s\n", t->wclient, f[0], t->wserver, f[1],
                f[2], f[3], f[4], f[5], f[6], *f[7] ? "  " : "", f[7]);
    }
    fprintf(o, "  (inferred: a state rests on a guess, the connection having been picked up\n"
               "   mid-stream or first seen at its SYN-ACK)\n");
}

static void text_finish(void *self, const struct run_info *in)
{
    struct text_report *t = self;
    print_summary(t, in);
    print_states(t, in);
    print_listeners(t, in);
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
    .conn = text_conn,
    .finish = text_finish,
    .destroy = text_destroy,
};
