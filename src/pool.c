/* pool.c - slab-backed object pool. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

void pool_init(struct pool *p, size_t size, uint32_t max)
{
    memset(p, 0, sizeof *p);
    p->size = (size + 7) & ~(size_t)7;
    if (p->size < sizeof(uint32_t))
        p->size = 8;
    p->max = max;
}

void pool_destroy(struct pool *p)
{
    for (uint32_t s = 0; s < p->nslabs; s++)
        free(p->slabs[s]);
    free(p->slabs);
    memset(p, 0, sizeof *p);
}

static int add_slab(struct pool *p)
{
    if (p->allocated > UINT32_MAX - POOL_SLAB)
        return 0;
    if (p->nslabs == p->slabs_cap) {
        uint32_t cap = p->slabs_cap ? p->slabs_cap * 2 : 16;
        uint8_t **s = realloc(p->slabs, cap * sizeof *s);
        if (!s)
            return 0;
        p->slabs = s;
        p->slabs_cap = cap;
    }
    uint8_t *slab = malloc((size_t)POOL_SLAB * p->size);
    if (!slab)
        return 0;
    p->slabs[p->nslabs++] = slab;
    uint32_t first = p->allocated ? p->allocated : 1, last = p->allocated + POOL_SLAB;
    for (uint32_t i = last; i-- > first;) {
        memcpy(pool_at(p, i), &p->free_head, sizeof p->free_head);
        p->free_head = i;
    }
    p->allocated = last;
    return 1;
}

uint32_t pool_get(struct pool *p)
{
    if (p->used >= p->max || (!p->free_head && !add_slab(p))) {
        p->refused++;
        return 0;
    }
    uint32_t idx = p->free_head;
    void *o = pool_at(p, idx);
    memcpy(&p->free_head, o, sizeof p->free_head);
    memset(o, 0, p->size);
    p->used++;
    return idx;
}

void pool_put(struct pool *p, uint32_t idx)
{
    if (!idx)
        return;
    memcpy(pool_at(p, idx), &p->free_head, sizeof p->free_head);
    p->free_head = idx;
    p->used--;
}
