/* report.h - the report formats.
 *
 * A report receives every connection as it leaves the tracker (through a
 * tracker observer), then the run's totals once at the end.  It owns no
 * model state: what it keeps is what it needs to print. */
#ifndef TCPFSM_REPORT_H
#define TCPFSM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "census.h"
#include "conn.h"
#include "connview.h"
#include "decode.h"
#include "listeners.h"
#include "services.h"
#include "tracker.h"

enum report_format {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_CSV,
};

struct report_options {
    enum report_format format;
    bool all;               /* text: list every connection, not only unclean ones */
    uint32_t examples;      /* text: connections shown per anomaly id */
    uint32_t max_services;  /* text: services listed */
    /* The writer behind the output stream, if there is one: JSON lines
     * then go into its blocks past stdio's buffer (outwriter_put()). */
    struct outwriter *writer;
};

/* What the run read and how it went: the report's summary. */
struct run_info {
    const char *source;
    const char *link;
    const char *filter;
    uint64_t records;       /* packet records read */
    uint64_t filtered;      /* rejected by the filter */
    uint64_t wire_bytes;
    uint64_t outcome[DEC__COUNT];
    tstamp_t first_ts, last_ts;
    bool have_time;         /* first_ts, last_ts: some packet on a described
                               interface (a pcapng packet naming none has no
                               time: its resolution is unknown) */
    const char *damage;     /* NULL if the input was read to its end */
    uint64_t damage_pkt;    /* record number where the damage was found */
    int exit_status;
    bool interrupted;       /* reading stopped early on a signal */
    const struct tracker_config *cfg;
    const struct tracker_stats *stats;
    const struct census *census;
    struct listeners *listeners;
    struct services *services;
    const struct analysis *analysis;
    const char *format;     /* capture file format */
    uint64_t oversized;     /* records longer than the snapshot length */
    uint64_t ts_clamped;    /* timestamps outside 1970..2100, clamped into it */
    bool live;              /* a live capture (-i): the drop counters apply */
    uint64_t kernel_drops;  /* packets the kernel dropped (pcap_stats ps_drop) */
    uint64_t if_drops;      /* ... that the interface dropped (ps_ifdrop) */
};

struct report;

/* analysis may be NULL (no anomalies are then reported). */
struct report *report_create(const struct report_options *opt, FILE *out, const struct analysis *an);
void report_destroy(struct report *r);
/* Give every connection's view (struct conn_view, with its anomaly records)
 * to fn as well, just before the format takes it, in the thread that
 * formats it: what fn updates may be read only once report_finish() has
 * begun (the formats' finish may read it).  One such consumer at most;
 * set it before report_start_thread(). */
void report_also(struct report *r, void (*fn)(void *ctx, const struct conn_view *v), void *ctx);
/* Take the connections in a thread of their own, from copies handed over
 * by report_conn(): the format's lines and report_also()'s consumer; the
 * output, and its order, are the same.  From here until report_finish()
 * only that thread writes to the report's stream.  false: not started (all
 * of it is done in report_conn()). */
bool report_start_thread(struct report *r);
/* The report's thread is awake, taking connections (false: no thread, or
 * it sleeps until enough are waiting).  From the thread that calls
 * report_conn(). */
bool report_thread_busy(const struct report *r);
/* Feed the report one connection leaving the tracker at capture time now. */
void report_conn(struct report *r, const struct conn *c, enum retire_reason why, tstamp_t now);
/* Print the rest of the report; false on an output error, with errno its
 * reason (0 if unknown: out_flushed()). */
bool report_finish(struct report *r, const struct run_info *info);

/* Implementations, one per format (report_text.c, report_json.c). */
struct report_ops {
    void *(*create)(const struct report_options *opt, FILE *out, const struct analysis *an);
    /* Each connection, given only its view: the analysis may have reused
     * its records, and this may run in another thread than the tracker's
     * (it must not read the analysis given at create until finish). */
    void (*conn_view)(void *self, const struct conn_view *v);
    bool view_anomalies;    /* conn_view reads the anomaly records (not only the mask) */
    void (*finish)(void *self, const struct run_info *info);
    void (*destroy)(void *self);
};
extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_csv_ops;

#endif
