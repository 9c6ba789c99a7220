/* dedupe.c - recent-segment table for captures on "any". */
#include "dedupe.h"

#include <string.h>

void dedupe_init(struct dedupe *d)
{
    memset(d, 0, sizeof *d);
    hash_key_random(&d->key);
}

void dedupe_set_mode(struct dedupe *d, int mode)
{
    d->mode = mode;
}

bool dedupe_applies(const struct dedupe *d, int linktype)
{
    if (d->mode)
        return d->mode > 0;
    return linktype == 113 || linktype == 276;  /* LINUX_SLL, LINUX_SLL2 */
}

bool dedupe_seen(struct dedupe *d, const struct segment *seg)
{
    uint8_t b[64];
    size_t n = 0;
    size_t alen = seg->src.family == 4 ? 4 : 16;
    memcpy(b + n, seg->src.b, alen);
    n += alen;
    memcpy(b + n, seg->dst.b, alen);
    n += alen;
    memcpy(b + n, &seg->sport, 2);
    memcpy(b + n + 2, &seg->dport, 2);
    memcpy(b + n + 4, &seg->seq, 4);
    memcpy(b + n + 8, &seg->ack, 4);
    memcpy(b + n + 12, &seg->payload_len, 4);
    memcpy(b + n + 16, &seg->win, 2);
    memcpy(b + n + 18, &seg->ip_id, 2);
    memcpy(b + n + 20, &seg->tsval, 4);
    b[n + 24] = seg->flags;
    n += 25;
    uint64_t fp = siphash13(&d->key, b, n) | 1;     /* 0 marks an empty slot */
    unsigned i = (unsigned)(fp >> 52) & (DEDUPE_SLOTS - 1);
    bool copy = d->slot[i].fp == fp && seg->ts - d->slot[i].ts <= DEDUPE_WINDOW && seg->ts >= d->slot[i].ts;
    if (!copy) {
        d->slot[i].fp = fp;
        d->slot[i].ts = seg->ts;
    }
    return copy;
}
