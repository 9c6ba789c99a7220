/* connview.h - a connection leaving the tracker, as what consumes it sees it.
 *
 * The census, the services table and the report formats each take every
 * connection once, when it leaves.  They need the connection's record and
 * what the analysis kept for it (its anomaly mask and records, its Zeek
 * history) and nothing else, so that with a processor to spare all of them
 * can run in another thread from copies (src/report.c), after the tracker
 * has reused the records. */
#ifndef TCPFSM_CONNVIEW_H
#define TCPFSM_CONNVIEW_H

#include <stdint.h>

#include "analysis.h"
#include "anomaly.h"
#include "conn.h"
#include "history.h"
#include "tracker.h"

/* A connection has at most one anomaly record per id in its mask, but two
 * for the ids kept per sender (ANOMALY_PER_SENDER_MASK: each end's own,
 * src/analysis.c): the most records a connection can have. */
#define CONN_VIEW_MOST_RECORDS (AN__COUNT + ANOMALY_PER_SENDER_COUNT)
static inline unsigned conn_view_most_records(uint32_t mask)
{
    return (unsigned)__builtin_popcount(mask) + (unsigned)__builtin_popcount(mask & ANOMALY_PER_SENDER_MASK);
}

struct conn_view {
    const struct conn *c;
    const struct history *h;            /* Zeek's history, NULL if none was kept */
    uint32_t mask;                      /* anomaly ids found (1 << id) */
    uint32_t nanomalies;
    const struct anomaly *anomalies;    /* its anomaly records, in order of
                                           detection (at most
                                           conn_view_most_records(mask); none
                                           if they were not asked for) */
    enum retire_reason why;
    tstamp_t now;                       /* capture time when it left */
};

/* The view of c from the analysis (which may be NULL: no anomalies, no
 * history).  With `anomalies`, room for AN__COUNT records, the anomaly
 * records are copied there; with NULL, the view has none. */
void conn_view_make(struct conn_view *v, const struct analysis *an, const struct conn *c,
                    enum retire_reason why, tstamp_t now, struct anomaly *anomalies);

#endif
