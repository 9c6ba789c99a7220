/* report_csv.c - one row per connection with a header (RFC 4180 quoting). */
#include <inttypes.h>
#include <stdlib.h>

#include "format.h"
#include "history.h"
#include "report.h"

struct csv_report {
    FILE *out;
};

static void *csv_create(const struct report_options *opt, FILE *out, const struct analysis *an)
{
    (void)opt;
    struct csv_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out = out;
    (void)an;
    fputs("id,client_addr,client_port,server_addr,server_port,client_state,server_state,"
          "client_state_inferred,server_state_inferred,start,end,duration,client_pkts,server_pkts,"
          "client_bytes,server_bytes,picked_up,synack_first,reused,reused_in_time_wait,handshake_rtt_ms,"
          "closed_by,clean,ended_by,conn_state,history,anomalies\n", out);
    return r;
}

static void csv_conn(void *self, const struct conn_view *v)
{
    struct csv_report *r = self;
    const struct conn *c = v->c;
    FILE *o = r->out;
    char ab[ADDR_STRLEN];
    struct flow_addr a;
    fprintf(o, "%" PRIu32, c->id);
    conn_addr(c, CLIENT, &a);
    fprintf(o, ",%s,%u", addr_format(&a, ab), conn_port(c, CLIENT));
    conn_addr(c, SERVER, &a);
    fprintf(o, ",%s,%u", addr_format(&a, ab), conn_port(c, SERVER));
    fprintf(o, ",%s,%s,%d,%d,", tcp_state_name(c->ep[CLIENT].state), tcp_state_name(c->ep[SERVER].state),
            conn_inferred(c, CLIENT), conn_inferred(c, SERVER));
    print_epoch(o, c->first);
    fputc(',', o);
    print_epoch(o, c->last);
    fprintf(o, ",%.6f,%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%d,%d,%d,%d,", (double)(c->last - c->first) / 1e9,
            c->ep[CLIENT].pkts, c->ep[SERVER].pkts, conn_bytes(c, CLIENT), conn_bytes(c, SERVER),
            !!(c->flags & CF_PICKED_UP), !!(c->flags & CF_SYNACK_FIRST), !!(c->flags & CF_REUSED),
            !!(c->flags & CF_REUSED_IN_TW));
    int64_t rtt, sv, cl;
    if (conn_handshake(c, &rtt, &sv, &cl))
        fprintf(o, "%.3f", (double)rtt / 1e6);
    const struct history *h = v->h;
    fprintf(o, ",%s,%d,%s,%s,%s,\"",
            (c->flags & CF_FIN_CROSSED) ? "both" : (c->flags & CF_CLIENT_FIN_FIRST) ? "client"
                                                  : (c->flags & CF_SERVER_FIN_FIRST) ? "server" : "",
            conn_clean(c), retire_reason_name(v->why), history_conn_state(h, c), h && h->len ? h->s : "-");
    uint32_t mask = v->mask;
    bool first = true;
    for (int i; (i = anomaly_mask_next(&mask)) >= 0;) {
        fprintf(o, "%s%s", first ? "" : ";", anomaly_info(i)->id);
        first = false;
    }
    fputs("\"\n", o);
}

static void csv_finish(void *self, const struct run_info *in)
{
    (void)self;
    (void)in;
}

static void csv_destroy(void *self)
{
    free(self);
}

const struct report_ops report_csv_ops = {
    .create = csv_create,
    .conn_view = csv_conn,
    .finish = csv_finish,
    .destroy = csv_destroy,
};
