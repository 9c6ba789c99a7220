/* listeners.c - a small open-addressing set of services. */
#include "listeners.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct listeners {
    struct listener *slot;  /* open addressing, linear probing */
    uint8_t *used;
    uint32_t cap;           /* power of two, at least twice max */
    uint32_t max, count;
    uint64_t overflow;
    struct hash_key key;
    struct listener *sorted;
};

struct listeners *listeners_create(uint32_t max)
{
    struct listeners *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    uint32_t cap = 16;
    while (cap < max * 2u && cap < (1u << 30))
        cap <<= 1;
    l->slot = calloc(cap, sizeof *l->slot);
    l->used = calloc(cap, 1);
    if (!l->slot || !l->used) {
        listeners_destroy(l);
        return NULL;
    }
    l->cap = cap;
    l->max = max;
    hash_key_random(&l->key);
    return l;
}

void listeners_destroy(struct listeners *l)
{
    if (!l)
        return;
    free(l->slot);
    free(l->used);
    free(l->sorted);
    free(l);
}

static struct listener *find(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    uint8_t k[19];
    memcpy(k, a->b, 16);
    k[16] = a->family;
    k[17] = (uint8_t)(port >> 8);
    k[18] = (uint8_t)port;
    uint32_t i = (uint32_t)siphash13(&l->key, k, sizeof k) & (l->cap - 1);
    for (;;) {
        struct listener *s = &l->slot[i];
        if (!l->used[i]) {
            if (l->count >= l->max) {
                l->overflow++;
                return NULL;
            }
            l->used[i] = 1;
            l->count++;
            s->addr = *a;
            s->port = port;
            s->first = s->last = ts;
            return s;
        }
        if (s->port == port && addr_cmp(&s->addr, a) == 0) {
            if (ts > s->last)
                s->last = ts;
            return s;
        }
        i = (i + 1) & (l->cap - 1);
    }
}

void listeners_note_answered(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    struct listener *s = l ? find(l, a, port, ts) : NULL;
    if (s)
        s->answered++;
}

void listeners_note_refused(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    struct listener *s = l ? find(l, a, port, ts) : NULL;
    if (s)
        s->refused++;
}

uint32_t listeners_count(const struct listeners *l) { return l ? l->count : 0; }
uint64_t listeners_overflow(const struct listeners *l) { return l ? l->overflow : 0; }

static int cmp_listener(const void *x, const void *y)
{
    const struct listener *a = x, *b = y;
    int c = addr_cmp(&a->addr, &b->addr);
    if (c)
        return c;
    return (a->port > b->port) - (a->port < b->port);
}

const struct listener *listeners_sorted(struct listeners *l, uint32_t *n)
{
    *n = 0;
    if (!l || l->count == 0)
        return NULL;
    free(l->sorted);
    l->sorted = malloc((size_t)l->count * sizeof *l->sorted);
    if (!l->sorted)
        return NULL;
    uint32_t j = 0;
    for (uint32_t i = 0; i < l->cap; i++)
        if (l->used[i])
            l->sorted[j++] = l->slot[i];
    qsort(l->sorted, j, sizeof *l->sorted, cmp_listener);
    *n = j;
    return l->sorted;
}
