/* model.h - the live model: what the live view and the snapshots show.
 *
 * It owns the pipeline after the capture (decode, tracker, analysis, the
 * aggregates, the ring of recent packets and transitions) and, at each
 * refresh, copies what is to be shown into a view (struct model_view): one
 * row per tracked connection, endpoint counts per state and side, rates,
 * services and anomalies.  The screen components and the snapshot printer
 * read views; they never touch the tracker.  Packets always go through
 * here first: building a view happens only at the refresh rate. */
#ifndef TCPFSM_MODEL_H
#define TCPFSM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis.h"
#include "capture.h"
#include "census.h"
#include "conn.h"
#include "decode.h"
#include "format.h"
#include "report.h"
#include "ring.h"
#include "services.h"
#include "tracker.h"

struct options;

/* One tracked connection, copied. */
struct model_row {
    uint32_t id;
    struct flow_addr addr[2];       /* [CLIENT], [SERVER] */
    uint16_t port[2];
    uint8_t state[2];               /* enum tcp_state */
    uint16_t epflags[2];            /* EPF_* */
    tstamp_t since[2];
    tstamp_t first, last;
    uint64_t bytes[2];
    uint32_t pkts[2];
    double rate[2];                 /* payload bytes per second sent, since the last view */
    uint32_t anomalies;             /* mask of enum anomaly_id */
    uint8_t worst;                  /* its most severe anomaly (valid if anomalies) */
    uint8_t nanom;                  /* number of anomaly ids */
    uint8_t stuck;                  /* bit CLIENT, bit SERVER: stuck past --stuck-after */
    bool reset;                     /* an endpoint sent an accepted RST */
    bool closed;                    /* neither endpoint holds state: lingering */
    uint16_t cflags;                /* CF_* */
};

/* An anomaly on an open connection, in words. */
struct model_anomaly {
    uint8_t id;                     /* enum anomaly_id */
    int8_t who;
    uint32_t conn_id;               /* 0 for a service anomaly */
    uint32_t count;
    tstamp_t start, end;
    char where[2 * ENDPOINT_STRLEN + 4];
    char detail[224];
    bool judged_live;               /* stuck, one-sided, unanswered or half-open now, not yet settled by the analysis */
};

/* A service: server address and port, open connections and history. */
struct model_service {
    struct flow_addr addr;
    uint16_t port;
    uint32_t open;                  /* tracked now */
    uint32_t state[2][ST__COUNT];   /* of those, endpoints per state */
    uint32_t stuck;                 /* connections with an endpoint stuck now */
    uint32_t anomalous;             /* open connections with anomalies */
    uint64_t seen;                  /* ever: open + retired */
    uint64_t refused, unanswered;   /* retired */
    double rate;                    /* bytes per second, both ways */
};

struct model_view {
    tstamp_t now;                   /* the time the picture is taken (capture time) */
    tstamp_t elapsed;
    uint64_t packets, bytes, tcp;
    double pps, bps;
    bool have_drops;
    uint64_t kernel_drops, if_drops;
    uint32_t open;                  /* connections tracked now */
    uint64_t seen;                  /* connections ever */
    uint32_t state[2][ST__COUNT];   /* endpoints per state, [CLIENT], [SERVER] */
    uint32_t stuck;                 /* endpoints stuck */
    uint32_t active_anomalies;      /* anomaly records on open connections, plus live stuck */
    struct model_row *rows;
    uint32_t nrows;
    struct model_anomaly *anoms;
    uint32_t nanoms;
    struct model_service *svcs;
    uint32_t nsvcs;
};

/* The detail of one connection. */
struct model_detail {
    uint32_t id;                    /* 0: none */
    bool gone;                      /* it has left the table; this is its last picture */
    struct model_row row;
    uint8_t retire_reason;          /* if gone */
    tstamp_t gone_at;               /* if gone (retire_reason known): when it left */
    bool have_hs;
    int64_t hs_rtt, hs_server, hs_client;
    uint32_t syns[2], synacks[2], fins[2];
    uint32_t isn[2];
    bool have_isn[2];
    /* Window scale each endpoint announced in its SYN, when both did
     * (RFC 7323 2.2: scaling is on only then): shift its advertised windows
     * by it, except in a SYN.  scale_known is false when a SYN was not
     * seen, and the windows shown are then the raw fields. */
    uint8_t wscale[2];
    bool scale_known;
    uint32_t retrans[2];
    struct model_anomaly *anoms;
    uint32_t nanoms;
    struct ring_pkt *pkts;
    uint32_t npkts;
    struct ring_trans *trans;
    uint32_t ntrans;
};

struct model_source {
    const char *name;               /* interface or file */
    const char *filter;
    const char *link;
    bool live;
};

struct model;

/* report_fmt: also keep a report fed with every retired connection (the
 * non-terminal mode prints it at the end); NULL for none. */
struct model *model_create(const struct options *opt, const struct report_options *report, FILE *report_out);
void model_destroy(struct model *m);
void model_set_source(struct model *m, const struct model_source *src);

/* A replayed file's own counts (records read, rejected by the filter), for the report. */
void model_set_input_counts(struct model *m, uint64_t records, uint64_t filtered, const char *format);

/* A replayed file has no more packets: settle on the connections still
 * shown what only the end of the input tells (tracker_input_ended()), so
 * the view at its end agrees with the report. */
void model_input_ended(struct model *m);

/* One captured packet. */
void model_packet(struct model *m, const struct capture_packet *pkt);
/* Apply the packets model_packet() holds back (up to 16, decoded and their
 * connections fetched into the cache meanwhile).  The functions below that
 * read or move the model do it first; a caller that has handed over what
 * it has at the moment (the end of a dispatch) calls it too. */
void model_flush(struct model *m);
/* Time has moved on without packets (live: the clock; replay: virtual time). */
void model_advance(struct model *m, tstamp_t now);
void model_set_drops(struct model *m, uint64_t kernel, uint64_t ifdrop);
tstamp_t model_now(const struct model *m);
uint64_t model_packets(const struct model *m);

/* Build the picture as of `now` (0: the tracker's time).  The previous
 * view's rows give the rates.  The view is owned by the model and valid
 * until the next call. */
const struct model_view *model_view(struct model *m, tstamp_t now);
/* The same picture without its rows, their rates or the services: the
 * counts, the anomalies and the packet and byte rates, as the snapshots
 * print them, for about the cost of counting.  A view of its own (the
 * screen's is left alone), its rates running from the last summary. */
const struct model_view *model_summary(struct model *m, tstamp_t now);
/* Fill d with the detail of connection id as of now (d's arrays are freed
 * and replaced).  If the connection has gone, d keeps what it had and is
 * marked gone. */
void model_detail(struct model *m, uint32_t id, tstamp_t now, struct model_detail *d);
void model_detail_free(struct model_detail *d);
/* How many times model_detail() has walked the table to find a connection
 * (once per connection looked at: later it looks where it found it). */
uint64_t model_detail_walks(const struct model *m);
/* Write the connection's packets kept in the ring to a pcap file. */
bool model_write_conn(struct model *m, uint32_t id, const char *path, uint64_t *written, char *err,
                      size_t errlen);

/* End of the run: retire everything and print the report (if one was
 * asked for); false on an output error. */
/* damage_pkt: the record where the damage was found (0: none, or live). */
bool model_finish_report(struct model *m, int exit_status, const char *damage, uint64_t damage_pkt);

const struct analysis_config *model_analysis_config(const struct model *m);
const struct tracker_stats *model_tracker_stats(const struct model *m);
size_t model_memory(const struct model *m);

/* The severity-coloured category of a state, for the views. */
enum state_class { SC_CLOSED, SC_HANDSHAKE, SC_ESTABLISHED, SC_CLOSING, SC_RESET, SC_STUCK };
enum state_class model_state_class(const struct model_row *r, int role);

#endif
