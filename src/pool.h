/* pool.h - fixed-size objects addressed by 32-bit index.
 *
 * Objects live in slabs allocated a slab at a time (never per object), never
 * move, and are zeroed when handed out.  Index 0 is never used, so 0 can mean
 * "none" in the structures that link objects together.  The pool never holds
 * more than its maximum: pool_get() returns 0 when full. */
#ifndef TCPFSM_POOL_H
#define TCPFSM_POOL_H

#include <stddef.h>
#include <stdint.h>

#define POOL_SLAB_SHIFT 12
#define POOL_SLAB (1u << POOL_SLAB_SHIFT)

struct pool {
    size_t size;            /* object size, rounded up to 8 */
    uint32_t max;           /* most objects in use at once */
    uint32_t used;
    uint32_t allocated;     /* slots in slabs */
    uint32_t free_head;     /* free slots, chained through their first 4 bytes */
    uint8_t **slabs;
    uint32_t nslabs, slabs_cap;
    uint64_t refused;       /* pool_get() calls refused: full or no memory */
};

void pool_init(struct pool *p, size_t size, uint32_t max);
void pool_destroy(struct pool *p);
/* A zeroed object's index, or 0 if the pool is full or memory is short. */
uint32_t pool_get(struct pool *p);
void pool_put(struct pool *p, uint32_t idx);

static inline void *pool_at(const struct pool *p, uint32_t idx)
{
    return p->slabs[idx >> POOL_SLAB_SHIFT] + (size_t)(idx & (POOL_SLAB - 1)) * p->size;
}

static inline size_t pool_memory(const struct pool *p)
{
    return (size_t)p->nslabs * POOL_SLAB * p->size;
}

#endif
