/* smalltab.c - bounded open-addressing table that grows as it fills. */
#include "smalltab.h"

#include <stdlib.h>
#include <string.h>

#define SMALLTAB_MIN 16u

static bool alloc_slots(struct smalltab *t, uint32_t cap)
{
    uint8_t *slots = calloc(cap, t->rec_size);
    uint8_t *used = t->tagged ? NULL : calloc(cap, 1);
    if (!slots || (!used && !t->tagged)) {
        free(slots);
        free(used);
        return false;
    }
    t->slots = slots;
    t->used = used;
    t->cap = cap;
    return true;
}

static bool init(struct smalltab *t, size_t key_len, size_t rec_size, uint32_t max, bool tagged)
{
    memset(t, 0, sizeof *t);
    t->tagged = tagged;
    t->max = max;
    t->key_len = key_len;
    t->rec_size = rec_size;
    if (key_len > MLHASH_MAX_LEN)
        return false;           /* longer than the hash takes */
    /* the most slots it will need: a power of two at least twice max */
    t->max_cap = SMALLTAB_MIN;
    while (t->max_cap < max * 2u && t->max_cap < (1u << 30))
        t->max_cap <<= 1;
    if (!tagged)
        mlhash_key_random(&t->hk);
    return alloc_slots(t, SMALLTAB_MIN < t->max_cap ? SMALLTAB_MIN : t->max_cap);
}

bool smalltab_init(struct smalltab *t, size_t key_len, size_t rec_size, uint32_t max)
{
    return init(t, key_len, rec_size, max, false);
}

bool smalltab_init_tagged(struct smalltab *t, size_t rec_size, uint32_t max)
{
    return init(t, sizeof(uint64_t), rec_size, max, true);
}

void smalltab_destroy(struct smalltab *t)
{
    free(t->slots);
    free(t->used);
    memset(t, 0, sizeof *t);
}

static inline uint64_t tag_of(const void *key)
{
    uint64_t v;
    memcpy(&v, key, sizeof v);
    return v;
}

/* A tagged table keeps no `used` array: a slot is empty when its tag is 0
 * (tags are never 0), so a probe reads one cache line, not two. */
static inline bool occupied(const struct smalltab *t, uint32_t i)
{
    return t->tagged ? tag_of(t->slots + (size_t)i * t->rec_size) != 0 : t->used[i];
}

/* The slot a key hashes to. */
static inline uint32_t home_of(const struct smalltab *t, const void *key)
{
    uint64_t h = t->tagged ? tag_of(key) : mlhash(&t->hk, key, t->key_len);
    return (uint32_t)h & (t->cap - 1);
}

/* Two keys of len bytes alike: eight bytes at a time, without a call. */
static inline bool key_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < len; i++)
        diff |= (uint64_t)(a[i] ^ b[i]);
    return diff == 0;
}

static uint32_t slot_for(const struct smalltab *t, const void *key)
{
    uint32_t i = home_of(t, key);
    if (t->tagged) {
        uint64_t tag = tag_of(key);
        for (;;) {
            uint64_t here = tag_of(t->slots + (size_t)i * t->rec_size);
            if (here == tag || here == 0)
                return i;
            i = (i + 1) & (t->cap - 1);
        }
    }
    for (;;) {
        if (!t->used[i])
            return i;
        if (key_equal(t->slots + (size_t)i * t->rec_size, key, t->key_len))
            return i;
        i = (i + 1) & (t->cap - 1);
    }
}

/* Double the slots, keeping the load under one half.  On failure the table
 * keeps working at its present size. */
static void grow(struct smalltab *t)
{
    struct smalltab old = *t;
    if (!alloc_slots(t, old.cap * 2)) {
        *t = old;
        return;
    }
    for (uint32_t i = 0; i < old.cap; i++) {
        if (!occupied(&old, i))
            continue;
        const uint8_t *r = old.slots + (size_t)i * old.rec_size;
        uint32_t j = slot_for(t, r);
        memcpy(t->slots + (size_t)j * t->rec_size, r, t->rec_size);
        if (!t->tagged)
            t->used[j] = 1;
    }
    free(old.slots);
    free(old.used);
}

void *smalltab_get(struct smalltab *t, const void *key, bool create)
{
    if (!t->cap)
        return NULL;
    if (t->tagged && tag_of(key) == 0)
        return NULL;        /* not a tag (see smalltab.h) */
    uint32_t i = slot_for(t, key);
    if (occupied(t, i))
        return t->slots + (size_t)i * t->rec_size;
    if (!create)
        return NULL;
    if (t->count >= t->max) {
        t->refused++;
        return NULL;
    }
    if ((t->count + 1) * 2 > t->cap && t->cap < t->max_cap) {
        grow(t);
        i = slot_for(t, key);
    }
    if ((uint64_t)(t->count + 1) * 4 > (uint64_t)t->cap * 3) {
        t->refused++;   /* it could not grow: keep free slots to end probes */
        return NULL;
    }
    uint8_t *r = t->slots + (size_t)i * t->rec_size;
    if (!t->tagged)
        t->used[i] = 1;
    t->count++;
    memcpy(r, key, t->key_len);
    return r;
}

bool smalltab_full(const struct smalltab *t)
{
    return t->count >= t->max;
}

void *smalltab_slot(const struct smalltab *t, uint32_t i)
{
    return i < t->cap && occupied(t, i) ? t->slots + (size_t)i * t->rec_size : NULL;
}

void smalltab_remove(struct smalltab *t, void *rec)
{
    uint32_t mask = t->cap - 1;
    uint32_t hole = (uint32_t)(((uint8_t *)rec - t->slots) / t->rec_size);
    /* Linear probing without tombstones: move back each later record of the
     * run that the hole would otherwise hide from its home slot. */
    for (uint32_t j = (hole + 1) & mask; occupied(t, j); j = (j + 1) & mask) {
        uint8_t *r = t->slots + (size_t)j * t->rec_size;
        uint32_t home = home_of(t, r);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            memcpy(t->slots + (size_t)hole * t->rec_size, r, t->rec_size);
            hole = j;
        }
    }
    /* new records start zeroed; a zero tag also marks a tagged slot empty */
    memset(t->slots + (size_t)hole * t->rec_size, 0, t->rec_size);
    if (!t->tagged)
        t->used[hole] = 0;
    t->count--;
}
