/* listeners.c - listener evidence, in a bounded table keyed by address:port. */
#include "listeners.h"

#include <stdlib.h>
#include <string.h>

#include "smalltab.h"

struct listener_key {
    uint8_t addr[16];
    uint8_t family;
    uint8_t port[2];
};

struct listener_rec {
    struct listener_key key;
    struct listener l;
};

struct listeners {
    struct smalltab tab;
    struct listener *sorted;
};

struct listeners *listeners_create(uint32_t max)
{
    struct listeners *l = calloc(1, sizeof *l);
    if (!l || !smalltab_init(&l->tab, sizeof(struct listener_key), sizeof(struct listener_rec), max)) {
        free(l);
        return NULL;
    }
    return l;
}

void listeners_destroy(struct listeners *l)
{
    if (!l)
        return;
    smalltab_destroy(&l->tab);
    free(l->sorted);
    free(l);
}

static void key_of(struct listener_key *k, const struct flow_addr *a, uint16_t port)
{
    memset(k, 0, sizeof *k);
    memcpy(k->addr, a->b, 16);
    k->family = a->family;
    k->port[0] = (uint8_t)(port >> 8);
    k->port[1] = (uint8_t)port;
}

const struct listener *listeners_get(struct listeners *l, const struct flow_addr *a, uint16_t port)
{
    struct listener_key k;
    if (!l)
        return NULL;
    key_of(&k, a, port);
    const struct listener_rec *r = smalltab_get(&l->tab, &k, false);
    return r ? &r->l : NULL;
}

static struct listener *find(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    struct listener_key k;
    key_of(&k, a, port);
    struct listener_rec *r = smalltab_get(&l->tab, &k, true);
    if (!r)
        return NULL;
    if (!r->l.first) {
        r->l.addr = *a;
        r->l.port = port;
        r->l.first = ts;
    }
    if (ts > r->l.last)
        r->l.last = ts;
    return &r->l;
}

void listeners_note_answered(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    struct listener *s = l ? find(l, a, port, ts) : NULL;
    if (s)
        s->answered++;
}

void listeners_note_alive(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    if (l)
        find(l, a, port, ts);
}

void listeners_note_refused(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts)
{
    struct listener *s = l ? find(l, a, port, ts) : NULL;
    if (s)
        s->refused++;
}

uint32_t listeners_count(const struct listeners *l) { return l ? l->tab.count : 0; }
uint64_t listeners_overflow(const struct listeners *l) { return l ? l->tab.refused : 0; }

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
    if (!l || l->tab.count == 0)
        return NULL;
    free(l->sorted);
    l->sorted = malloc((size_t)l->tab.count * sizeof *l->sorted);
    if (!l->sorted)
        return NULL;
    uint32_t j = 0;
    for (uint32_t i = 0; i < l->tab.cap; i++) {
        struct listener_rec *r = smalltab_slot(&l->tab, i);
        if (r)
            l->sorted[j++] = r->l;
    }
    qsort(l->sorted, j, sizeof *l->sorted, cmp_listener);
    *n = j;
    return l->sorted;
}
