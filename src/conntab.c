/* conntab.c - slab-allocated records, incremental-rehash hash index, lists. */
#include "conntab.h"

#include <stdlib.h>
#include <string.h>

#define CT_SLAB_SHIFT 12
#define CT_SLAB (1u << CT_SLAB_SHIFT)
#define CT_MIN_BUCKETS 1024u
/* Empty buckets a rehash step may skip before giving up for this call. */
#define CT_REHASH_EMPTY_VISITS 10

struct ct_index {
    uint32_t *bucket;       /* record index of the chain head, 0: empty */
    uint32_t mask;          /* buckets - 1 (a power of two), or 0 if unused */
    uint32_t used;
};

struct conntab {
    size_t rec_size;
    uint32_t max;           /* most records ever live at once */
    uint32_t count;         /* live records */
    uint32_t allocated;     /* record slots in slabs (index 0 is never used) */
    uint32_t free_head;     /* free slots, chained through hnext */
    uint8_t **slabs;
    uint32_t nslabs, slabs_cap;
    struct ct_index ix[2];  /* ix[1] is in use only while rehashing */
    int64_t rehash_pos;     /* next bucket of ix[0] to move, -1: not rehashing */
    struct hash_key hkey;
    uint32_t head[CT_NLISTS], tail[CT_NLISTS], lcount[CT_NLISTS];
};

static inline struct ct_node *node_at(const struct conntab *t, uint32_t idx)
{
    return (struct ct_node *)(t->slabs[idx >> CT_SLAB_SHIFT] +
                              (size_t)(idx & (CT_SLAB - 1)) * t->rec_size);
}

static inline uint32_t index_of(const struct conntab *t, const struct ct_node *n)
{
    (void)t;
    return n->self;
}

struct conntab *ct_create(size_t rec_size, uint32_t max_records)
{
    if (rec_size < sizeof(struct ct_node) || max_records == 0 || max_records >= UINT32_MAX - CT_SLAB)
        return NULL;
    struct conntab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    /* Keep every record aligned for 8-byte members. */
    t->rec_size = (rec_size + 7) & ~(size_t)7;
    t->max = max_records;
    t->rehash_pos = -1;
    t->ix[0].bucket = calloc(CT_MIN_BUCKETS, sizeof(uint32_t));
    if (!t->ix[0].bucket) {
        free(t);
        return NULL;
    }
    t->ix[0].mask = CT_MIN_BUCKETS - 1;
    hash_key_random(&t->hkey);
    return t;
}

void ct_destroy(struct conntab *t)
{
    if (!t)
        return;
    for (uint32_t s = 0; s < t->nslabs; s++)
        free(t->slabs[s]);
    free(t->slabs);
    free(t->ix[0].bucket);
    free(t->ix[1].bucket);
    free(t);
}

void ct_key_from_segment(const struct segment *seg, struct ct_key *key, int *dir)
{
    size_t alen = seg->src.family == 4 ? 4 : 16;
    int c = memcmp(seg->src.b, seg->dst.b, alen);
    int src_first = c < 0 || (c == 0 && seg->sport <= seg->dport);

    memset(key, 0, sizeof *key);
    key->family = seg->src.family;
    if (src_first) {
        memcpy(key->addr[0], seg->src.b, alen);
        memcpy(key->addr[1], seg->dst.b, alen);
        key->port[0] = seg->sport;
        key->port[1] = seg->dport;
    } else {
        memcpy(key->addr[0], seg->dst.b, alen);
        memcpy(key->addr[1], seg->src.b, alen);
        key->port[0] = seg->dport;
        key->port[1] = seg->sport;
    }
    *dir = src_first ? 0 : 1;
}

uint64_t ct_hash(const struct conntab *t, const struct ct_key *key)
{
    if (key->family == 4) {
        /* Hash only the bytes an IPv4 key uses: fewer SipHash rounds. */
        uint8_t b[13];
        memcpy(b, key->addr[0], 4);
        memcpy(b + 4, key->addr[1], 4);
        memcpy(b + 8, &key->port[0], 2);
        memcpy(b + 10, &key->port[1], 2);
        b[12] = 4;
        return siphash13(&t->hkey, b, sizeof b);
    }
    return siphash13(&t->hkey, key, sizeof *key);
}

static inline bool key_eq(const struct ct_key *a, const struct ct_key *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* Move one non-empty bucket (skipping at most a few empty ones) from ix[0]
 * to ix[1]; finish the rehash when ix[0] is empty. */
static void rehash_step(struct conntab *t)
{
    if (t->rehash_pos < 0)
        return;
    int empty = CT_REHASH_EMPTY_VISITS;
    while (t->rehash_pos <= (int64_t)t->ix[0].mask && t->ix[0].bucket[t->rehash_pos] == 0) {
        t->rehash_pos++;
        if (--empty == 0)
            return;
    }
    if (t->rehash_pos <= (int64_t)t->ix[0].mask) {
        uint32_t idx = t->ix[0].bucket[t->rehash_pos];
        t->ix[0].bucket[t->rehash_pos] = 0;
        while (idx) {
            struct ct_node *n = node_at(t, idx);
            uint32_t next = n->hnext;
            uint32_t b = (uint32_t)ct_hash(t, &n->key) & t->ix[1].mask;
            n->hnext = t->ix[1].bucket[b];
            t->ix[1].bucket[b] = idx;
            t->ix[0].used--;
            t->ix[1].used++;
            idx = next;
        }
        t->rehash_pos++;
    }
    if (t->rehash_pos > (int64_t)t->ix[0].mask) {
        free(t->ix[0].bucket);
        t->ix[0] = t->ix[1];
        memset(&t->ix[1], 0, sizeof t->ix[1]);
        t->rehash_pos = -1;
    }
}

static void maybe_grow(struct conntab *t)
{
    if (t->rehash_pos >= 0 || t->ix[0].used <= t->ix[0].mask)
        return;
    uint64_t want = ((uint64_t)t->ix[0].mask + 1) * 2;
    if (want > (1ULL << 31))
        return;
    uint32_t *b = calloc((size_t)want, sizeof(uint32_t));
    if (!b)
        return;             /* keep working with longer chains */
    t->ix[1].bucket = b;
    t->ix[1].mask = (uint32_t)want - 1;
    t->ix[1].used = 0;
    t->rehash_pos = 0;
}

void *ct_find(struct conntab *t, const struct ct_key *key, uint64_t hash)
{
    rehash_step(t);
    for (int i = 0; i < 2; i++) {
        if (!t->ix[i].bucket)
            break;
        uint32_t idx = t->ix[i].bucket[(uint32_t)hash & t->ix[i].mask];
        while (idx) {
            struct ct_node *n = node_at(t, idx);
            if (key_eq(&n->key, key))
                return n;
            idx = n->hnext;
        }
        if (t->rehash_pos < 0)
            break;
    }
    return NULL;
}

static bool add_slab(struct conntab *t)
{
    if (t->nslabs == t->slabs_cap) {
        uint32_t cap = t->slabs_cap ? t->slabs_cap * 2 : 16;
        uint8_t **s = realloc(t->slabs, cap * sizeof *s);
        if (!s)
            return false;
        t->slabs = s;
        t->slabs_cap = cap;
    }
    uint8_t *slab = malloc((size_t)CT_SLAB * t->rec_size);
    if (!slab)
        return false;
    t->slabs[t->nslabs++] = slab;
    uint32_t first = t->allocated, last = t->allocated + CT_SLAB;
    if (first == 0)
        first = 1;          /* index 0 means "none" */
    /* Chain the new slots onto the free list, lowest index first. */
    for (uint32_t i = last; i-- > first;) {
        struct ct_node *n = node_at(t, i);
        n->list = CT_LIST_NONE;
        n->hnext = t->free_head;
        t->free_head = i;
    }
    t->allocated = last;
    return true;
}

void *ct_insert(struct conntab *t, const struct ct_key *key, uint64_t hash)
{
    if (t->count >= t->max)
        return NULL;
    if (!t->free_head && !add_slab(t))
        return NULL;
    rehash_step(t);
    uint32_t idx = t->free_head;
    struct ct_node *n = node_at(t, idx);
    t->free_head = n->hnext;
    memset(n, 0, t->rec_size);
    n->key = *key;
    n->self = idx;
    n->list = CT_LIST_NONE;
    struct ct_index *ix = t->rehash_pos >= 0 ? &t->ix[1] : &t->ix[0];
    uint32_t b = (uint32_t)hash & ix->mask;
    n->hnext = ix->bucket[b];
    ix->bucket[b] = idx;
    ix->used++;
    t->count++;
    maybe_grow(t);
    return n;
}

static void list_unlink(struct conntab *t, struct ct_node *n)
{
    if (n->list == CT_LIST_NONE)
        return;
    unsigned l = n->list;
    if (n->prev)
        node_at(t, n->prev)->next = n->next;
    else
        t->head[l] = n->next;
    if (n->next)
        node_at(t, n->next)->prev = n->prev;
    else
        t->tail[l] = n->prev;
    t->lcount[l]--;
    n->prev = n->next = 0;
    n->list = CT_LIST_NONE;
}

void ct_delete(struct conntab *t, void *rec)
{
    struct ct_node *n = rec;
    uint32_t idx = index_of(t, n);
    uint64_t hash = ct_hash(t, &n->key);

    list_unlink(t, n);
    for (int i = 0; i < 2; i++) {
        if (!t->ix[i].bucket)
            break;
        uint32_t *link = &t->ix[i].bucket[(uint32_t)hash & t->ix[i].mask];
        while (*link && *link != idx)
            link = &node_at(t, *link)->hnext;
        if (*link == idx) {
            *link = n->hnext;
            t->ix[i].used--;
            break;
        }
    }
    n->hnext = t->free_head;
    n->list = CT_LIST_NONE;
    t->free_head = idx;
    t->count--;
}

void ct_list_put(struct conntab *t, void *rec, unsigned list, uint32_t pos)
{
    struct ct_node *n = rec;
    uint32_t idx = index_of(t, n);
    list_unlink(t, n);
    n->list = (uint8_t)list;
    n->pos = pos;
    n->next = 0;
    n->prev = t->tail[list];
    if (t->tail[list])
        node_at(t, t->tail[list])->next = idx;
    else
        t->head[list] = idx;
    t->tail[list] = idx;
    t->lcount[list]++;
}

void ct_list_remove(struct conntab *t, void *rec)
{
    list_unlink(t, rec);
}

void *ct_list_head(struct conntab *t, unsigned list)
{
    return t->head[list] ? node_at(t, t->head[list]) : NULL;
}

uint32_t ct_list_count(const struct conntab *t, unsigned list)
{
    return t->lcount[list];
}

uint32_t ct_count(const struct conntab *t) { return t->count; }
uint32_t ct_max(const struct conntab *t) { return t->max; }
bool ct_full(const struct conntab *t) { return t->count >= t->max; }

size_t ct_memory(const struct conntab *t)
{
    return (size_t)t->nslabs * CT_SLAB * t->rec_size +
           ((size_t)t->ix[0].mask + 1) * sizeof(uint32_t) +
           (t->ix[1].bucket ? ((size_t)t->ix[1].mask + 1) * sizeof(uint32_t) : 0);
}

uint32_t ct_index_limit(const struct conntab *t) { return t->allocated; }

void *ct_at(struct conntab *t, uint32_t idx)
{
    if (idx == 0 || idx >= t->allocated)
        return NULL;
    struct ct_node *n = node_at(t, idx);
    /* Free slots are off every list and have list == NONE, but so does a
     * live record between insert and its first ct_list_put: callers always
     * put a record on a list right after inserting it. */
    return n->list == CT_LIST_NONE ? NULL : n;
}
