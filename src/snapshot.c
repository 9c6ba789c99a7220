/* snapshot.c - periodic snapshots for the non-terminal mode. */
#include "snapshot.h"

#include <inttypes.h>

#include "anomaly.h"
#include "describe.h"
#include "format.h"

#define MAX_LISTED 20

static void text_states(FILE *o, const char *label, const uint32_t *count)
{
    fprintf(o, "  %-7s", label);
    bool any = false;
    for (int st = 0; st < ST__COUNT; st++)
        if (count[st]) {
            fprintf(o, " %s %" PRIu32, tcp_state_name(st), count[st]);
            any = true;
        }
    fputs(any ? "\n" : " -\n", o);
}

static void print_text(FILE *o, const struct model_view *v, const struct model_source *src)
{
    char t[40], d[24], b1[16], b2[16];
    fprintf(o, "snapshot %s UTC  %s", format_time(v->now, t), src->name ? src->name : "?");
    if (src->filter)
        fprintf(o, " (filter: %s)", src->filter);
    fprintf(o, "  elapsed %s\n", format_duration(v->elapsed, d));
    fprintf(o, "  packets %" PRIu64 " (%.0f/s), bytes %s (%s/s)", v->packets, v->pps, format_bytes(v->bytes, b1),
            format_bytes((uint64_t)v->bps, b2));
    if (v->have_drops)
        fprintf(o, ", dropped %" PRIu64 " by the kernel, %" PRIu64 " by the interface", v->kernel_drops,
                v->if_drops);
    fputc('\n', o);
    fprintf(o, "  connections %" PRIu32 " open, %" PRIu64 " seen; %" PRIu32 " endpoints stuck; %" PRIu32
               " active anomalies\n",
            v->open, v->seen, v->stuck, v->active_anomalies);
    text_states(o, "client", v->state[CLIENT]);
    text_states(o, "server", v->state[SERVER]);
    uint32_t n = v->nanoms < MAX_LISTED ? v->nanoms : MAX_LISTED;
    for (uint32_t i = 0; i < n; i++) {
        const struct model_anomaly *a = &v->anoms[i];
        fprintf(o, "  %-18s #%" PRIu32 " %s: %s\n", anomaly_info(a->id)->id, a->conn_id, a->where, a->detail);
    }
    if (v->nanoms > n)
        fprintf(o, "  ... and %" PRIu32 " more anomalies\n", v->nanoms - n);
}

static void json_states(FILE *o, const uint32_t *count)
{
    fputc('{', o);
    bool first = true;
    for (int st = 0; st < ST__COUNT; st++)
        if (count[st]) {
            fprintf(o, "%s\"%s\":%" PRIu32, first ? "" : ",", tcp_state_name(st), count[st]);
            first = false;
        }
    fputc('}', o);
}

static void print_json(FILE *o, const struct model_view *v, const struct model_source *src)
{
    fputs("{\"type\":\"snapshot\",\"time\":", o);
    print_epoch(o, v->now);
    fputs(",\"source\":", o);
    print_json_string(o, src->name ? src->name : "");
    fputs(",\"filter\":", o);
    if (src->filter)
        print_json_string(o, src->filter);
    else
        fputs("null", o);
    fprintf(o, ",\"elapsed\":%.3f,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
               ",\"packets_per_second\":%.1f,\"bytes_per_second\":%.1f",
            (double)v->elapsed / 1e9, v->packets, v->bytes, v->tcp, v->pps, v->bps);
    if (v->have_drops)
        fprintf(o, ",\"dropped_kernel\":%" PRIu64 ",\"dropped_interface\":%" PRIu64, v->kernel_drops, v->if_drops);
    fprintf(o, ",\"connections_open\":%" PRIu32 ",\"connections_seen\":%" PRIu64 ",\"stuck\":%" PRIu32
               ",\"active_anomalies\":%" PRIu32,
            v->open, v->seen, v->stuck, v->active_anomalies);
    fputs(",\"states\":{\"client\":", o);
    json_states(o, v->state[CLIENT]);
    fputs(",\"server\":", o);
    json_states(o, v->state[SERVER]);
    fputs("},\"anomalies\":[", o);
    uint32_t n = v->nanoms < MAX_LISTED ? v->nanoms : MAX_LISTED;
    for (uint32_t i = 0; i < n; i++) {
        const struct model_anomaly *a = &v->anoms[i];
        fprintf(o, "%s{\"id\":\"%s\",\"conn\":%" PRIu32 ",\"who\":\"%s\",\"where\":", i ? "," : "",
                anomaly_info(a->id)->id, a->conn_id, role_name(a->who));
        print_json_string(o, a->where);
        fputs(",\"detail\":", o);
        print_json_string(o, a->detail);
        fputc('}', o);
    }
    fputs("]}\n", o);
}

bool snapshot_print(FILE *out, bool json, const struct model_view *v, const struct model_source *src)
{
    if (json)
        print_json(out, v, src);
    else
        print_text(out, v, src);
    fflush(out);
    return !ferror(out);
}
