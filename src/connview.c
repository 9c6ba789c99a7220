/* connview.c - the view of a connection leaving the tracker. */
#include "connview.h"

/* The anomaly records of c, in order of detection, into out[] (at most
 * `most`).  Returns how many. */
static uint32_t copy_anomalies(const struct analysis *an, const struct conn *c, struct anomaly *out,
                               unsigned most)
{
    uint32_t n = 0;
    for (const struct anomaly *a = analysis_first(an, c); a && n < most; a = analysis_next(an, a))
        out[n++] = *a;
    return n;
}

void conn_view_make(struct conn_view *v, const struct analysis *an, const struct conn *c,
                    enum retire_reason why, tstamp_t now, struct anomaly *anomalies)
{
    v->c = c;
    v->h = an ? analysis_history(an, c) : NULL;
    v->mask = an ? analysis_mask(an, c) : 0;
    v->nanomalies = anomalies && v->mask
                        ? copy_anomalies(an, c, anomalies, conn_view_most_records(v->mask))
                        : 0;
    v->anomalies = anomalies;
    v->why = why;
    v->now = now;
}
