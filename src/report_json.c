/* report_json.c - JSON lines: one object per connection as it ends, then
 * listeners, then one summary.  The schema is in docs/output-formats.md. */
#include <inttypes.h>
#include <stdlib.h>

#include "format.h"
#include "report.h"

struct json_report {
    FILE *out;
};

static void *json_create(const struct report_options *opt, FILE *out)
{
    (void)opt;
    struct json_report *j = calloc(1, sizeof *j);
    if (j)
        j->out = out;
    return j;
}

static void json_bool(FILE *o, const char *name, bool v)
{
    fprintf(o, ",\"%s\":%s", name, v ? "true" : "false");
}

static void json_conn(void *self, const struct conn *c, enum retire_reason why)
{
    struct json_report *j = self;
    FILE *o = j->out;
    char ab[ADDR_STRLEN];
    struct flow_addr a;

    fprintf(o, "{\"type\":\"conn\",\"id\":%" PRIu32, c->id);
    conn_addr(c, CLIENT, &a);
    fprintf(o, ",\"client_addr\":\"%s\",\"client_port\":%u", addr_format(&a, ab), conn_port(c, CLIENT));
    conn_addr(c, SERVER, &a);
    fprintf(o, ",\"server_addr\":\"%s\",\"server_port\":%u", addr_format(&a, ab), conn_port(c, SERVER));
    fprintf(o, ",\"ip_version\":%u", c->node.key.family);
    fprintf(o, ",\"client_state\":\"%s\",\"server_state\":\"%s\"",
            tcp_state_name(c->ep[CLIENT].state), tcp_state_name(c->ep[SERVER].state));
    json_bool(o, "client_state_inferred", c->ep[CLIENT].flags & EPF_INFERRED);
    json_bool(o, "server_state_inferred", c->ep[SERVER].flags & EPF_INFERRED);
    fputs(",\"start\":", o);
    print_epoch(o, c->first);
    fputs(",\"end\":", o);
    print_epoch(o, c->last);
    fprintf(o, ",\"client_pkts\":%" PRIu32 ",\"server_pkts\":%" PRIu32, c->ep[CLIENT].pkts,
            c->ep[SERVER].pkts);
    fprintf(o, ",\"client_bytes\":%" PRIu64 ",\"server_bytes\":%" PRIu64, c->ep[CLIENT].bytes,
            c->ep[SERVER].bytes);
    json_bool(o, "picked_up", c->flags & CF_PICKED_UP);
    json_bool(o, "synack_first", c->flags & CF_SYNACK_FIRST);
    json_bool(o, "reused", c->flags & CF_REUSED);
    json_bool(o, "reused_in_time_wait", c->flags & CF_REUSED_IN_TW);
    if (c->flags & CF_REUSED)
        fprintf(o, ",\"reuse_of\":%" PRIu32, c->prev_id);
    json_bool(o, "client_fin", c->ep[CLIENT].flags & EPF_FIN);
    json_bool(o, "server_fin", c->ep[SERVER].flags & EPF_FIN);
    json_bool(o, "client_rst", c->ep[CLIENT].flags & EPF_RST);
    json_bool(o, "server_rst", c->ep[SERVER].flags & EPF_RST);
    json_bool(o, "clean", conn_clean(c));
    fputs(",\"client_state_since\":", o);
    print_epoch(o, c->ep[CLIENT].since);
    fputs(",\"server_state_since\":", o);
    print_epoch(o, c->ep[SERVER].since);
    fprintf(o, ",\"ended_by\":\"%s\"}\n", retire_reason_name(why));
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
    fputs(",\"not_decoded\":{", o);
    bool first = true;
    for (int k = 1; k < DEC__COUNT; k++) {
        if (!in->outcome[k])
            continue;
        fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", decode_outcome_name(k), in->outcome[k]);
        first = false;
    }
    fputc('}', o);
    if (in->records > in->filtered) {
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
    fputs(",\"client_states\":", o);
    json_states(o, in->census, CLIENT);
    fputs(",\"server_states\":", o);
    json_states(o, in->census, SERVER);
    fprintf(o, ",\"listeners\":%" PRIu32 ",\"listeners_not_recorded\":%" PRIu64,
            listeners_count(in->listeners), listeners_overflow(in->listeners));
    json_bool(o, "damaged", in->damage != NULL);
    fputs(",\"error\":", o);
    if (in->damage) {
        print_json_string(o, in->damage);
        fprintf(o, ",\"error_packet\":%" PRIu64, in->damage_pkt);
    } else {
        fputs("null", o);
    }
    fprintf(o, ",\"exit_status\":%d}\n", in->exit_status);
}

static void json_destroy(void *self)
{
    free(self);
}

const struct report_ops report_json_ops = {
    .create = json_create,
    .conn = json_conn,
    .finish = json_finish,
    .destroy = json_destroy,
};
