/* hist.c - log-scale histogram. */
#include "hist.h"

static int bucket_of(int64_t ns)
{
    uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
    if (us == 0)
        return 0;
    int oct = 63 - __builtin_clzll(us);         /* floor(log2(us)) */
    if (oct >= HIST_OCTAVES)
        return HIST_BUCKETS - 1;
    /* position within the octave, in eighths */
    uint64_t frac = oct >= 3 ? (us >> (oct - 3)) & (HIST_SUB - 1) : (us << (3 - oct)) & (HIST_SUB - 1);
    return 1 + oct * HIST_SUB + (int)frac;
}

/* The geometric middle of a bucket, in nanoseconds. */
static int64_t bucket_mid(int b)
{
    if (b == 0)
        return 500;
    int oct = (b - 1) / HIST_SUB, sub = (b - 1) % HIST_SUB;
    double lo = (double)(1ULL << oct) * (1.0 + sub / (double)HIST_SUB);
    double hi = (double)(1ULL << oct) * (1.0 + (sub + 1) / (double)HIST_SUB);
    return (int64_t)((lo + hi) / 2 * 1000);
}

void hist_add(struct hist *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    if (h->n == 0 || ns < h->min)
        h->min = ns;
    if (h->n == 0 || ns > h->max)
        h->max = ns;
    h->n++;
    h->bucket[bucket_of(ns)]++;
}

int64_t hist_quantile(const struct hist *h, double q)
{
    if (h->n == 0)
        return 0;
    if (q <= 0)
        return h->min;
    if (q >= 1)
        return h->max;
    uint64_t rank = (uint64_t)(q * (double)(h->n - 1)) + 1, seen = 0;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            int64_t v = bucket_mid(b);
            if (v < h->min)
                v = h->min;
            if (v > h->max)
                v = h->max;
            return v;
        }
    }
    return h->max;
}
