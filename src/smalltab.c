/* smalltab.c - bounded open-addressing table. */
#include "smalltab.h"

#include <stdlib.h>
#include <string.h>

bool smalltab_init(struct smalltab *t, size_t key_len, size_t rec_size, uint32_t max)
{
    memset(t, 0, sizeof *t);
    uint32_t cap = 16;
    while (cap < max * 2u && cap < (1u << 30))
        cap <<= 1;
    t->slots = calloc(cap, rec_size);
    t->used = calloc(cap, 1);
    if (!t->slots || !t->used) {
        smalltab_destroy(t);
        return false;
    }
    t->cap = cap;
    t->max = max;
    t->key_len = key_len;
    t->rec_size = rec_size;
    hash_key_random(&t->hk);
    return true;
}

void smalltab_destroy(struct smalltab *t)
{
    free(t->slots);
    free(t->used);
    memset(t, 0, sizeof *t);
}

void *smalltab_get(struct smalltab *t, const void *key, bool create)
{
    if (!t->cap)
        return NULL;
    uint32_t i = (uint32_t)siphash13(&t->hk, key, t->key_len) & (t->cap - 1);
    for (;;) {
        uint8_t *r = t->slots + (size_t)i * t->rec_size;
        if (!t->used[i]) {
            if (!create)
                return NULL;
            if (t->count >= t->max) {
                t->refused++;
                return NULL;
            }
            t->used[i] = 1;
            t->count++;
            memcpy(r, key, t->key_len);
            return r;
        }
        if (!memcmp(r, key, t->key_len))
            return r;
        i = (i + 1) & (t->cap - 1);
    }
}

void *smalltab_slot(const struct smalltab *t, uint32_t i)
{
    return i < t->cap && t->used[i] ? t->slots + (size_t)i * t->rec_size : NULL;
}
