/* report.c - dispatch to the chosen format, and the formatting thread.
 *
 * A JSON report of a million connections is a gigabyte of text, and making
 * it costs more than tracking the connections did; even the text report's
 * census, services and listing of a connection cost about a tenth of what
 * tracking it did, mostly in cache misses on tables the tracker does not
 * need.  With a processor to spare all of that is done in a thread of its
 * own: report_conn() copies the connection, its history and its anomalies
 * (a few hundred bytes) into a handoff queue (src/handoff.h) and the
 * formatting thread takes them in the same order.  The tracker's thread,
 * the one that limits the run, only copies. */
#include "report.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "history.h"
#include "outwriter.h"
#include "stopsig.h"

/* The queue between the threads: a few thousand connections (a power of
 * two, so that handoff_create() keeps it as it is). */
#define REPORT_QUEUE_BYTES (1u << 20)
_Static_assert((REPORT_QUEUE_BYTES & (REPORT_QUEUE_BYTES - 1)) == 0 && REPORT_QUEUE_BYTES >= 4096,
               "the queue's size is a power of two, at least 4 KiB");

struct report {
    const struct report_ops *ops;
    void *self;
    FILE *out;
    const struct analysis *an;
    bool view_anomalies;        /* the views carry the anomaly records */
    void (*also)(void *ctx, const struct conn_view *v);    /* report_also()'s */
    void *also_ctx;
    struct handoff *queue;      /* the formatting thread's, while it runs */
    pthread_t thread;
};

/* A connection in the queue: copies of everything its conn_view points to. */
struct conn_record {
    struct conn c;
    tstamp_t now;
    uint32_t mask;
    uint8_t why;
    uint8_t has_history;
    uint8_t nanomalies;
    struct history h;
    struct anomaly anomalies[];
};

/* A record, with every anomaly id, always fits the queue. */
_Static_assert(sizeof(struct conn_record) + CONN_VIEW_MOST_RECORDS * sizeof(struct anomaly) <= REPORT_QUEUE_BYTES / 4 - 8,
               "the handoff queue takes any connection's record");

struct report *report_create(const struct report_options *opt, FILE *out, const struct analysis *an)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ops = opt->format == FORMAT_JSON  ? &report_json_ops
           : opt->format == FORMAT_CSV   ? &report_csv_ops
                                         : &report_text_ops;
    r->out = out;
    r->an = an;
    r->view_anomalies = r->ops->view_anomalies;
    r->self = r->ops->create(opt, out, an);
    if (!r->self) {
        free(r);
        return NULL;
    }
    return r;
}

void report_also(struct report *r, void (*fn)(void *ctx, const struct conn_view *v), void *ctx)
{
    assert(!r->queue);      /* (the formatting thread reads these unlocked) */
    r->also = fn;
    r->also_ctx = ctx;
    r->view_anomalies = true;
}

/* One connection's view to its consumers, in order. */
static void take_view(struct report *r, const struct conn_view *v)
{
    if (r->also)
        r->also(r->also_ctx, v);
    r->ops->conn_view(r->self, v);
}

static void *formatting_thread(void *arg)
{
    struct report *r = arg;
    const struct conn_record *rec;
    size_t n;
    while ((rec = handoff_take(r->queue, &n))) {
        struct conn_view v = {
            .c = &rec->c,
            .h = rec->has_history ? &rec->h : NULL,
            .mask = rec->mask,
            .nanomalies = rec->nanomalies,
            .anomalies = rec->anomalies,
            .why = (enum retire_reason)rec->why,
            .now = rec->now,
        };
        take_view(r, &v);
        handoff_release(r->queue);
    }
    return NULL;
}

bool report_start_thread(struct report *r)
{
    if (r->queue)
        return true;
    r->queue = handoff_create(REPORT_QUEUE_BYTES);
    if (!r->queue)
        return false;
    /* The stopping signals stay with the threads that handle them. */
    if (start_thread_without_stopping(&r->thread, formatting_thread, r) != 0) {
        handoff_destroy(r->queue);
        r->queue = NULL;
        return false;
    }
    return true;
}

bool report_thread_busy(const struct report *r)
{
    return r->queue && !handoff_consumer_asleep(r->queue);
}

/* Wait for the formatting thread to write what it was given. */
static void stop_thread(struct report *r)
{
    if (!r->queue)
        return;
    handoff_close(r->queue);
    pthread_join(r->thread, NULL);
    handoff_destroy(r->queue);
    r->queue = NULL;
}

void report_destroy(struct report *r)
{
    if (!r)
        return;
    stop_thread(r);
    r->ops->destroy(r->self);
    free(r);
}

void report_conn(struct report *r, const struct conn *c, enum retire_reason why, tstamp_t now)
{
    if (!r->queue) {
        struct anomaly anomalies[CONN_VIEW_MOST_RECORDS];
        struct conn_view v;
        conn_view_make(&v, r->an, c, why, now, r->view_anomalies ? anomalies : NULL);
        take_view(r, &v);
        return;
    }
    /* Room for the anomaly records, if the views carry them.  The view is
     * then made with the record's own array as its buffer, and copied. */
    uint32_t mask = r->an ? analysis_mask(r->an, c) : 0;
    unsigned most = r->view_anomalies ? conn_view_most_records(mask) : 0;
    struct conn_record *rec = handoff_reserve(r->queue, sizeof *rec + most * sizeof(struct anomaly));
    /* (never NULL: any record fits, see the assertion above) */
    struct conn_view v;
    conn_view_make(&v, r->an, c, why, now, most ? rec->anomalies : NULL);
    rec->c = *c;
    rec->now = now;
    rec->mask = v.mask;
    rec->why = (uint8_t)why;
    rec->has_history = v.h != NULL;
    if (v.h)
        rec->h = *v.h;
    rec->nanomalies = (uint8_t)v.nanomalies;
    handoff_publish(r->queue);
}

bool report_finish(struct report *r, const struct run_info *info)
{
    stop_thread(r);
    r->ops->finish(r->self, info);
    return out_flushed(r->out);
}
