/* services.c - per-service aggregation. */
#include "services.h"

#include <stdlib.h>
#include <string.h>

#include "census.h"

bool services_init(struct services *s, uint32_t max)
{
    return smalltab_init(&s->tab, sizeof(struct service_key), sizeof(struct service), max);
}

void services_destroy(struct services *s)
{
    for (uint32_t i = 0; i < s->tab.cap; i++) {
        struct service *v = smalltab_slot(&s->tab, i);
        if (v)
            free(v->rtt);
    }
    smalltab_destroy(&s->tab);
}

void services_add(struct services *s, const struct conn_view *cv)
{
    const struct conn *c = cv->c;
    struct service_key k;
    memset(&k, 0, sizeof k);
    struct flow_addr a;
    conn_addr(c, SERVER, &a);
    memcpy(k.addr, a.b, 16);
    k.family = a.family;
    k.port = conn_port(c, SERVER);
    struct service *v = smalltab_get(&s->tab, &k, true);
    if (!v)
        return;
    if (!v->conns) {
        v->addr = a;
        v->port = k.port;
        v->first = c->first;
    }
    v->conns++;
    if (c->last > v->last)
        v->last = c->last;
    if (c->flags & CF_HS_DONE)
        v->completed++;
    uint32_t mask = cv->mask;
    if (mask & (1u << AN_SYN_REFUSED))
        v->refused++;
    if (mask & (1u << AN_SYN_UNANSWERED))
        v->unanswered++;
    if (mask & (1u << AN_SYNACK_UNACKED))
        v->half_open++;
    for (int i; (i = anomaly_mask_next(&mask)) >= 0;) {
        v->anomalies[i]++;
        v->severity += (uint32_t)anomaly_info(i)->severity;
    }
    for (int r = 0; r < 2; r++)
        v->state[r][c->ep[r].state]++;
    int64_t rtt, sv, cl;
    if (conn_handshake(c, &rtt, &sv, &cl)) {
        if (!v->rtt)
            v->rtt = calloc(1, sizeof *v->rtt);
        if (v->rtt)
            hist_add(v->rtt, rtt);
    }
}

static int cmp_service(const void *x, const void *y)
{
    const struct service *a = *(const struct service *const *)x, *b = *(const struct service *const *)y;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->conns != b->conns)
        return a->conns > b->conns ? -1 : 1;
    int c = addr_cmp(&a->addr, &b->addr);
    if (c)
        return c;
    return (a->port > b->port) - (a->port < b->port);
}

struct service **services_sorted(struct services *s, uint32_t *n)
{
    *n = 0;
    struct service **v = malloc((s->tab.count ? s->tab.count : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (uint32_t i = 0; i < s->tab.cap; i++) {
        struct service *x = smalltab_slot(&s->tab, i);
        if (x)
            v[(*n)++] = x;
    }
    qsort(v, *n, sizeof *v, cmp_service);
    return v;
}
