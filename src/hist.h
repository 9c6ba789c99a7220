/* hist.h - a log-scale histogram of durations, for medians and percentiles
 * in bounded memory.
 *
 * Buckets are 1/8 of an octave wide from 1 microsecond up (values are
 * nanoseconds), so a quantile read from it is within about 4.5% of the true
 * value; the count, minimum and maximum are exact. */
#ifndef TCPFSM_HIST_H
#define TCPFSM_HIST_H

#include <stdint.h>

#define HIST_SUB 8
#define HIST_OCTAVES 42     /* 1 us .. 2^42 us (about 50 days) */
#define HIST_BUCKETS (1 + HIST_OCTAVES * HIST_SUB)

struct hist {
    uint64_t n;
    int64_t min, max;
    uint32_t bucket[HIST_BUCKETS];
};

void hist_add(struct hist *h, int64_t ns);
/* The q-quantile (0 <= q <= 1) in nanoseconds; 0 if empty. */
int64_t hist_quantile(const struct hist *h, double q);

#endif
