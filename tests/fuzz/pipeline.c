/* tests/fuzz/pipeline.c - see pipeline.h.  Mirrors src/main.c (the tracker
 * path: dedupe, the prepare/prefetch pipeline) and zeek_run() (the zeek
 * path), with all report formats at once.  Keep it in step with them. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "census.h"
#include "decode.h"
#include "dedupe.h"
#include "reasm.h"
#include "extract.h"
#include "listeners.h"
#include "outcheck.h"
#include "services.h"
#include "tracker.h"
#include "zeekconn.h"

#define FZ_MAX_LISTENERS 8
#define FZ_MAX_SERVICES 8

enum { NREPORTS = 3 };
/* main.c's pipeline: a segment is prepared PIPE-1 segments before it is
 * applied. */
enum { PIPE = 8, HALF = PIPE / 2 };

struct fz_run {
    struct fz_config cfg;
    struct tracker_config tcfg;
    struct analysis_config acfg;
    struct listeners *listeners;
    struct analysis *analysis;
    struct tracker *tracker;
    struct report *report[NREPORTS];
    /* JSON, CSV and conn.log output, in memory, checked at the end */
    FILE *mem[NREPORTS];
    char *membuf[NREPORTS];
    size_t memlen[NREPORTS];
    struct census census;
    struct services services;
    bool services_ok;
    struct selection *selection;
    struct zeek *zeek;
    struct tracker_observer obs;
    struct dedupe dedupe;
    struct reasm reasm;
    struct segment ring[PIPE];
    struct tracker_prep prep[PIPE];
    unsigned head, queued;
    struct run_info info;
    bool first;
    uint64_t packets, tcp_packets;
    uint64_t retired_seen;
};

FILE *fz_devnull(void)
{
    static FILE *f;
    if (!f) {
        f = fopen("/dev/null", "w");
        if (!f)
            abort();
    }
    return f;
}

void fz_config_small(struct fz_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_conns = 8;
    cfg->max_anomalies = 16;
    cfg->msl = 2 * TS_PER_SEC;
    cfg->idle_timeout = 120 * TS_PER_SEC;
    cfg->linger = TS_PER_SEC;
    cfg->stuck_after = 10 * TS_PER_SEC;
    cfg->slow_handshake = 100 * TS_PER_MS;
    cfg->idle_after = 30 * TS_PER_SEC;
    cfg->flood_rate = 3;
    cfg->pileup = 2;
    cfg->examples = 2;
    cfg->zeek = true;
}

static void on_retired(void *ctx, const struct conn *c, enum retire_reason why)
{
    struct fz_run *r = ctx;
    tstamp_t now = tracker_now(r->tracker);
    r->retired_seen++;
    if (r->selection)
        selection_consider(r->selection, c, r->analysis);
    for (int i = 0; i < NREPORTS; i++)
        report_conn(r->report[i], c, why, now);
}

/* As in src/main.c, the census and the services take each connection from
 * a report (the CSV one: a format that does not itself ask for the anomaly
 * records, which the census needs). */
static void on_view(void *ctx, const struct conn_view *v)
{
    struct fz_run *r = ctx;
    census_add(&r->census, v);
    if (r->services_ok)
        services_add(&r->services, v);
}

struct fz_run *fz_start(const struct fz_config *cfg)
{
    struct fz_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *cfg;
    r->first = true;
    dedupe_init(&r->dedupe);
    reasm_init(&r->reasm);

    tracker_config_defaults(&r->tcfg);
    r->tcfg.max_conns = cfg->max_conns;
    r->tcfg.msl = cfg->msl;
    r->tcfg.idle_timeout = cfg->idle_timeout;
    r->tcfg.linger = cfg->linger;

    analysis_config_defaults(&r->acfg);
    r->acfg.max_anomalies = cfg->max_anomalies;
    r->acfg.stuck_after = cfg->stuck_after;
    r->acfg.slow_handshake = cfg->slow_handshake;
    r->acfg.idle_after = cfg->idle_after;
    r->acfg.flood_rate = cfg->flood_rate;
    r->acfg.pileup = cfg->pileup;
    r->acfg.history = true;     /* as main.c for JSON and CSV, written here */

    r->listeners = listeners_create(FZ_MAX_LISTENERS);
    r->analysis = analysis_create(&r->acfg, cfg->max_conns);
    r->tracker = tracker_create(&r->tcfg, r->listeners);
    census_init(&r->census);
    r->services_ok = services_init(&r->services, FZ_MAX_SERVICES);
    bool ok = r->listeners && r->analysis && r->tracker && r->services_ok;
    for (int i = 0; i < NREPORTS; i++) {
        /* mem[0]: the conn.log; mem[1], mem[2]: JSON, CSV */
        r->mem[i] = open_memstream(&r->membuf[i], &r->memlen[i]);
        ok = ok && r->mem[i];
    }
    for (int i = 0; ok && i < NREPORTS; i++) {
        struct report_options ro;
        memset(&ro, 0, sizeof ro);
        ro.format = i == 0 ? FORMAT_TEXT : i == 1 ? FORMAT_JSON : FORMAT_CSV;
        ro.all = cfg->all;
        ro.examples = cfg->examples;
        ro.max_services = 4;
        r->report[i] = report_create(&ro, i == 0 ? fz_devnull() : r->mem[i], r->analysis);
        ok = ok && r->report[i];
    }
    if (ok)
        report_also(r->report[NREPORTS - 1], on_view, r);
    char err[256];
    r->selection = selection_create(cfg->select, cfg->max_conns, err, sizeof err);
    ok = ok && r->selection;
    if (cfg->zeek) {
        struct zeek_config zc;
        zeek_config_defaults(&zc);
        zc.max_conns = cfg->max_conns;
        zc.verify_checksums = cfg->zeek_verify;
        if (cfg->zeek_ports && !zeek_config_set_ports(&zc, cfg->zeek_ports, err, sizeof err))
            abort();        /* the targets only pass valid lists */
        r->zeek = ok ? zeek_create(&zc, r->mem[0]) : NULL;
        ok = ok && r->zeek;
    }
    if (!ok) {
        fz_free(r);
        return NULL;
    }
    tracker_set_analysis(r->tracker, r->analysis);
    r->obs.ctx = r;
    r->obs.retired = on_retired;
    tracker_add_observer(r->tracker, &r->obs);
    return r;
}

void fz_packet(struct fz_run *r, int linktype, const uint8_t *data, uint32_t caplen,
               uint32_t wirelen, tstamp_t ts, uint64_t pktno)
{
    struct run_info *in = &r->info;
    if (r->first) {
        in->first_ts = in->last_ts = ts;
        r->first = false;
    }
    if (ts < in->first_ts)
        in->first_ts = ts;
    if (ts > in->last_ts)
        in->last_ts = ts;
    in->wire_bytes += wirelen;
    r->packets++;

    struct segment *seg = &r->ring[r->head % PIPE];
    enum decode_outcome o = decode_packet(linktype, data, caplen, wirelen, seg);
    if ((unsigned)o >= DEC__COUNT)
        abort();
    seg->ts = ts;
    seg->pktno = pktno;
    /* the zeek engine as zeek_run() feeds it: every packet, no dedupe */
    if (r->zeek)
        zeek_packet(r->zeek, ts, o, seg);
    /* the tracker as main.c feeds it (src/feed.c) */
    if (seg->frag_ip) {
        o = reasm_packet(&r->reasm, seg, in->outcome);
        if ((unsigned)o >= DEC__COUNT)
            abort();
    }
    if (o == DEC_TCP && dedupe_applies(&r->dedupe, linktype) && dedupe_seen(&r->dedupe, seg))
        o = DEC_DUPLICATE;
    in->outcome[o]++;
    if (o != DEC_TCP)
        return;
    r->tcp_packets++;
    /* the packet's bytes do not outlive this call */
    seg->ip_hdr = seg->tcp_hdr = seg->frag_ip = NULL;
    tracker_prepare(r->tracker, seg, &r->prep[r->head % PIPE]);
    if (r->queued >= HALF)
        tracker_prefetch(r->tracker, &r->prep[(r->head - HALF) % PIPE]);
    r->head++;
    if (++r->queued == PIPE) {
        unsigned oldest = (r->head - PIPE) % PIPE;
        tracker_segment_prepared(r->tracker, &r->ring[oldest].core, &r->prep[oldest]);
        r->queued--;
    }
}

/* An invariant that must hold whatever the input: abort (the fuzzer's
 * crash) with a message naming it. */
#define INVARIANT(cond)                                                        \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond,    \
                    __FILE__, __LINE__);                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

void fz_finish(struct fz_run *r, const struct fz_source *src)
{
    for (; r->queued; r->queued--) {
        unsigned oldest = (r->head - r->queued) % PIPE;
        tracker_segment_prepared(r->tracker, &r->ring[oldest].core, &r->prep[oldest]);
    }
    reasm_finish(&r->reasm, r->info.outcome);
    tracker_finish(r->tracker);
    analysis_finish(r->analysis, tracker_now(r->tracker));

    struct run_info *in = &r->info;
    in->source = src->source ? src->source : "fuzz input";
    in->link = src->link ? src->link : "fuzz";
    in->filter = src->filter;
    in->records = src->records ? src->records : r->packets;
    in->filtered = src->filtered;
    in->damage = src->damage;
    in->damage_pkt = src->damage_pkt;
    in->exit_status = src->exit_status;
    in->format = src->format ? src->format : "pcap";
    in->oversized = src->oversized;
    in->ts_clamped = src->ts_clamped;
    in->cfg = &r->tcfg;
    in->stats = tracker_stats(r->tracker);
    in->census = &r->census;
    in->listeners = r->listeners;
    in->services = &r->services;
    in->analysis = r->analysis;
    for (int i = 0; i < NREPORTS; i++)
        INVARIANT(report_finish(r->report[i], in));
    if (r->zeek)
        INVARIANT(zeek_finish(r->zeek));

    /* Every packet has one outcome; every segment is applied or refused;
     * every connection created leaves the table exactly once. */
    const struct tracker_stats *st = tracker_stats(r->tracker);
    uint64_t sum = 0, retired = 0;
    for (int o = 0; o < DEC__COUNT; o++)
        sum += in->outcome[o];
    INVARIANT(sum == r->packets);
    INVARIANT(in->outcome[DEC_TCP] == r->tcp_packets);
    INVARIANT(st->segments + st->no_memory == r->tcp_packets);
    for (int w = 0; w < RETIRE__COUNT; w++)
        retired += st->retired[w];
    INVARIANT(retired == st->conns);
    INVARIANT(r->retired_seen == st->conns);
    INVARIANT(r->census.conns == st->conns);
    INVARIANT(tracker_open_conns(r->tracker) == 0);
    INVARIANT(st->peak_conns <= r->tcfg.max_conns);
    INVARIANT(st->picked_up + st->synack_first <= st->conns);
    INVARIANT(st->reused_in_tw <= st->reused);

    /* What the reports wrote is well formed. */
    static const enum outcheck_kind kinds[NREPORTS] = { OUTCHECK_ZEEK, OUTCHECK_JSON, OUTCHECK_CSV };
    for (int i = 0; i < NREPORTS; i++) {
        if (i == 0 && !r->zeek)
            continue;
        INVARIANT(fflush(r->mem[i]) == 0);
        size_t line = 0;
        const char *why = outcheck(kinds[i], r->membuf[i], r->memlen[i], &line);
        if (why) {
            const char *p = r->membuf[i];
            for (size_t k = 1; k < line; k++)
                p = strchr(p, '\n') + 1;
            const char *nl = strchr(p, '\n');
            fprintf(stderr, "fuzz: output line %zu: %.*s\n", line, (int)(nl ? nl - p : 400), p);
            fprintf(stderr, "fuzz invariant violated: %s output: %s\n",
                    i == 0 ? "conn.log" : i == 1 ? "JSON" : "CSV", why);
            abort();
        }
    }
}

uint64_t fz_selected(const struct fz_run *r) { return r->selection ? selection_chosen(r->selection) : 0; }
struct selection *fz_selection(struct fz_run *r) { return r->selection; }

void fz_free(struct fz_run *r)
{
    if (!r)
        return;
    reasm_destroy(&r->reasm);
    if (r->zeek)
        zeek_destroy(r->zeek);
    selection_destroy(r->selection);
    for (int i = 0; i < NREPORTS; i++)
        if (r->report[i])
            report_destroy(r->report[i]);
    if (r->services_ok)
        services_destroy(&r->services);
    if (r->tracker)
        tracker_destroy(r->tracker);
    if (r->analysis)
        analysis_destroy(r->analysis);
    if (r->listeners)
        listeners_destroy(r->listeners);
    for (int i = 0; i < NREPORTS; i++) {
        if (r->mem[i])
            fclose(r->mem[i]);
        free(r->membuf[i]);
    }
    free(r);
}
