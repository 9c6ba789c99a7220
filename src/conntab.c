/* conntab.c - reserved record array, chained hash index, lists. */
#include "conntab.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct conntab {
    uint8_t *base;          /* record i is at base + i * rec_size; 0 unused */
    size_t rec_size;
    size_t reserved;        /* bytes reserved at base */
    uint32_t *bucket;       /* record index of each chain's head, 0: empty */
    uint32_t mask;          /* buckets - 1 (a power of two) */
    size_t bucket_bytes;
    uint32_t max;           /* most records ever live at once */
    uint32_t count;         /* live records */
    uint32_t high;          /* records ever handed out: 1 .. high - 1 */
    uint32_t free_head;     /* free records, chained through hnext */
    bool draining;          /* ct_drain_ordered() took the hash links */
    struct hash_key hkey;
    uint32_t head[CT_NLISTS], tail[CT_NLISTS], lcount[CT_NLISTS];
    /* For ct_prefault() in another thread, on a line of their own (that
     * thread reads them once per batch): `high`, published now and then,
     * and copies of what it needs of the above. */
    _Alignas(64) _Atomic uint32_t high_published;
    uint8_t *prefault_base;
    size_t prefault_rec_size, prefault_reserved;
};

static inline struct ct_node *node_at(const struct conntab *t, uint32_t idx)
{
    return (struct ct_node *)(t->base + (size_t)idx * t->rec_size);
}

uint32_t ct_index(const struct conntab *t, const void *rec)
{
    return (uint32_t)((size_t)((const uint8_t *)rec - t->base) / t->rec_size);
}

/* Reserve address space the kernel commits page by page on first write,
 * asking for huge pages from one huge page's size up: the table and its
 * index are read at random, and with small pages most lookups would also
 * miss the TLB.  And the index is read before it is written (the lookup
 * that misses comes before the insert): a small page is then first mapped
 * to the shared zero page and copied on the first write, which flushes the
 * TLB of every processor the other threads ran on - an interprocessor
 * interrupt per 4 KiB page, a tenth of a 10,000-connection run's time. */
static void *reserve(size_t bytes)
{
    /* From one huge page's size up, start on a huge page's boundary: the
     * kernel maps a huge page only where a whole aligned one fits, and
     * mmap() aligns to 4 KiB only, so the part before the first boundary
     * (up to 2 MiB less 4 KiB, the first ~12,000 records) would be small
     * pages, each faulted in on its own: a tenth of a one-packet run's time
     * went into committing them.  Ask for a huge page more than needed and
     * give back both ends. */
    const size_t huge = 2u << 20;
    bool align = bytes >= huge;
    if (align)
        bytes = (bytes + 4095) & ~(size_t)4095;     /* munmap()'s ends are page boundaries */
    size_t span = align ? bytes + huge : bytes;
    uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (!align)
        return p;
    uint8_t *start = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
    size_t head = (size_t)(start - p), tail = span - head - bytes;
    if (head)
        munmap(p, head);
    if (tail)
        munmap(start + bytes, tail);
#ifdef MADV_HUGEPAGE
    madvise(start, bytes, MADV_HUGEPAGE);
#endif
    return start;
}

size_t ct_prefault(const struct conntab *t, size_t done)
{
#ifdef MADV_POPULATE_WRITE
    const size_t huge = 2u << 20;
    if (done == SIZE_MAX)
        return done;
    /* records handed out, give or take the ones since the last publication */
    uint32_t high = atomic_load_explicit(&t->high_published, memory_order_relaxed) + CT_PUBLISH_EVERY;
    uintptr_t start = (uintptr_t)t->prefault_base, limit = (start + t->prefault_reserved) & ~(uintptr_t)4095;
    uintptr_t at = start + (size_t)high * t->prefault_rec_size;
    /* the end of the huge page the table is in, or of the next one once
     * the table is past the middle of its own */
    uintptr_t want = (at + huge / 2 + huge - 1) & ~(uintptr_t)(huge - 1);
    if (want > limit)
        want = limit;
    uintptr_t from = start + done;
    if (want <= from)
        return done;
    if (madvise((void *)from, want - from, MADV_POPULATE_WRITE) != 0)
        /* not supported here (before Linux 5.14): leave it to the faults;
         * short of memory, or interrupted: try again next time */
        return errno == EINVAL ? SIZE_MAX : done;
    return want - start;
#else
    (void)t;
    (void)done;
    return SIZE_MAX;
#endif
}

struct conntab *ct_create(size_t rec_size, uint32_t max_records)
{
    if (rec_size < sizeof(struct ct_node) || max_records == 0 || max_records >= UINT32_MAX - 1)
        return NULL;
    struct conntab *t = aligned_alloc(64, sizeof *t);   /* (high_published's line) */
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    atomic_init(&t->high_published, 0);
    /* Keep every record aligned for 8-byte members. */
    t->rec_size = (rec_size + 7) & ~(size_t)7;
    t->max = max_records;
    t->high = 1;            /* index 0 means "none" */
    /* Address space for every record there may be, and an index with at
     * least one bucket per record: chains stay short without ever
     * rehashing, and untouched parts of both cost no memory. */
    t->reserved = ((size_t)max_records + 1) * t->rec_size;
    uint64_t buckets = 1024;
    while (buckets < max_records && buckets < (1ULL << 31))
        buckets <<= 1;
    t->mask = (uint32_t)(buckets - 1);
    t->bucket_bytes = (size_t)buckets * sizeof(uint32_t);
    t->base = reserve(t->reserved);
    t->bucket = reserve(t->bucket_bytes);
    if (!t->base || !t->bucket) {
        if (t->base)
            munmap(t->base, t->reserved);
        if (t->bucket)
            munmap(t->bucket, t->bucket_bytes);
        free(t);
        return NULL;
    }
    hash_key_random(&t->hkey);
    t->prefault_base = t->base;
    t->prefault_rec_size = t->rec_size;
    t->prefault_reserved = t->reserved;
    return t;
}

void ct_destroy(struct conntab *t)
{
    if (!t)
        return;
    munmap(t->base, t->reserved);
    munmap(t->bucket, t->bucket_bytes);
    free(t);
}

/* Addresses compare as big-endian integers, which orders them as memcmp
 * would. */
static inline uint64_t be64_at(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

void ct_key_from_segment(const struct segment *seg, struct ct_key *key, int *dir)
{
    int c;
    if (seg->src.family == 4) {
        uint32_t s, d;
        memcpy(&s, seg->src.b, 4);
        memcpy(&d, seg->dst.b, 4);
        s = __builtin_bswap32(s);
        d = __builtin_bswap32(d);
        c = (s > d) - (s < d);
    } else {
        uint64_t s0 = be64_at(seg->src.b), d0 = be64_at(seg->dst.b);
        uint64_t s1 = be64_at(seg->src.b + 8), d1 = be64_at(seg->dst.b + 8);
        c = s0 != d0 ? (s0 > d0) - (s0 < d0) : (s1 > d1) - (s1 < d1);
    }
    int src_first = c < 0 || (c == 0 && seg->sport <= seg->dport);
    const struct flow_addr *lo = src_first ? &seg->src : &seg->dst, *hi = src_first ? &seg->dst : &seg->src;

    memset(key, 0, sizeof *key);
    key->family = seg->src.family;
    size_t alen = seg->src.family == 4 ? 4 : 16;
    memcpy(key->addr[0], lo->b, alen);
    memcpy(key->addr[1], hi->b, alen);
    key->port[0] = src_first ? seg->sport : seg->dport;
    key->port[1] = src_first ? seg->dport : seg->sport;
    *dir = src_first ? 0 : 1;
}

uint64_t ct_hash(const struct conntab *t, const struct ct_key *key)
{
    if (key->family == 4) {
        /* Only the 13 bytes an IPv4 key uses (both addresses, both ports,
         * the family), in two blocks instead of five: the addresses as one
         * word, the ports and family as the last block. */
        uint32_t a0, a1;
        memcpy(&a0, key->addr[0], 4);
        memcpy(&a1, key->addr[1], 4);
        uint64_t m = (uint64_t)a0 | (uint64_t)a1 << 32;
        uint64_t last = (uint64_t)13 << 56 | (uint64_t)4 << 32 | (uint64_t)key->port[1] << 16 | key->port[0];
        return siphash13_words(&t->hkey, &m, 1, last);
    }
    /* The addresses as four words, the ports and family as the last block:
     * never the padding, which a record does not keep. */
    uint64_t w[4];
    memcpy(w, key, sizeof w);
    uint64_t last = (uint64_t)37 << 56 | (uint64_t)key->family << 32 | (uint64_t)key->port[1] << 16 | key->port[0];
    return siphash13_words(&t->hkey, w, 4, last);
}

_Static_assert(sizeof(struct ct_key) == 40 && offsetof(struct ct_key, port) == 32, "ct_key's layout");
_Static_assert(sizeof(struct ct_tuple) == 36 && offsetof(struct ct_key, family) == sizeof(struct ct_tuple),
               "a key is its tuple, then its family");

/* A record's key against a key: the tuple as four words and a half, then
 * the family. */
static inline bool key_eq(const struct ct_node *n, const struct ct_key *k)
{
    uint64_t x[4], y[4];
    uint32_t xp, yp;
    memcpy(x, &n->key, sizeof x);
    memcpy(y, k, sizeof y);
    memcpy(&xp, (const uint8_t *)&n->key + 32, 4);
    memcpy(&yp, (const uint8_t *)k + 32, 4);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (xp ^ yp) |
            (uint64_t)(n->family ^ k->family)) == 0;
}

void ct_node_key(const struct ct_node *n, struct ct_key *key)
{
    memset(key, 0, sizeof *key);
    memcpy(key, &n->key, sizeof n->key);
    key->family = n->family;
}

void ct_prefetch(const struct conntab *t, uint64_t hash, int stage)
{
    const uint32_t *b = &t->bucket[(uint32_t)hash & t->mask];
    if (stage == 0) {
        __builtin_prefetch(b);
        return;
    }
    uint32_t idx = *b;
    if (idx) {
        /* the whole record, for writing: the lookup compares the key at
         * its start, the state machine reads and writes the endpoints at
         * its end (a 168-byte record spans three or four cache lines; with
         * only the first fetched, the first read of an endpoint's state
         * missed the cache: 4-6% of tracker_segment_prepared's samples) */
        const uint8_t *r = (const uint8_t *)node_at(t, idx);
        for (size_t off = 0; off < t->rec_size; off += 64)
            __builtin_prefetch(r + off, 1);
        __builtin_prefetch(r + t->rec_size - 1, 1);
    }
}

void *ct_find(struct conntab *t, const struct ct_key *key, uint64_t hash)
{
    uint32_t h = (uint32_t)hash;
    for (uint32_t idx = t->bucket[h & t->mask]; idx;) {
        struct ct_node *n = node_at(t, idx);
        if (key_eq(n, key))
            return n;
        idx = n->hnext;
    }
    return NULL;
}

void *ct_insert(struct conntab *t, const struct ct_key *key, uint64_t hash)
{
    if (t->count >= t->max)
        return NULL;
    uint32_t idx;
    if (t->free_head) {
        idx = t->free_head;
        t->free_head = node_at(t, idx)->hnext;
    } else {
        idx = t->high++;    /* count < max, so high <= max here */
        if ((idx & (CT_PUBLISH_EVERY - 1)) == 0)
            atomic_store_explicit(&t->high_published, idx, memory_order_relaxed);
    }
    struct ct_node *n = node_at(t, idx);
    memset(n, 0, t->rec_size);
    memcpy(&n->key, key, sizeof n->key);
    n->family = key->family;
    n->list = CT_LIST_NONE;
    uint32_t *b = &t->bucket[(uint32_t)hash & t->mask];
    n->hnext = *b;
    *b = idx;
    t->count++;
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
    uint32_t idx = ct_index(t, n);

    list_unlink(t, n);
    if (!t->draining) {
        struct ct_key key;
        ct_node_key(n, &key);
        uint32_t *link = &t->bucket[(uint32_t)ct_hash(t, &key) & t->mask];
        while (*link && *link != idx)
            link = &node_at(t, *link)->hnext;
        if (*link == idx)
            *link = n->hnext;
    }
    n->hnext = t->free_head;
    n->list = CT_LIST_NONE;
    t->free_head = idx;
    t->count--;
}

void ct_list_put(struct conntab *t, void *rec, unsigned list)
{
    struct ct_node *n = rec;
    uint32_t idx = ct_index(t, n);
    list_unlink(t, n);
    n->list = (uint8_t)list;
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

void *ct_list_next(struct conntab *t, const void *rec)
{
    const struct ct_node *n = rec;
    return n->next ? node_at(t, n->next) : NULL;
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
    return (size_t)t->high * t->rec_size + t->bucket_bytes;
}

uint32_t ct_index_limit(const struct conntab *t) { return t->high; }

#define DRAIN_CHUNK 4096u

struct rank_index {
    uint32_t rank, idx;
};

static int cmp_rank(const void *a, const void *b)
{
    const struct rank_index *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

void ct_drain_ordered(struct conntab *t, uint32_t (*rank)(const void *rec), uint32_t max_rank,
                      void (*visit)(void *ctx, void *rec), void *ctx)
{
    /* Thread the records into one list per chunk of DRAIN_CHUNK ranks
     * through their hash links, then sort and visit one chunk at a time. */
    uint32_t nchunks = max_rank / DRAIN_CHUNK + 1;
    uint32_t *chunk = calloc(nchunks, sizeof *chunk);
    size_t cap = DRAIN_CHUNK;
    struct rank_index *batch = malloc(cap * sizeof *batch);
    uint32_t *place = malloc(DRAIN_CHUNK * sizeof *place);
    t->draining = true;
    if (!chunk || !batch || !place) {
        /* no memory to order them: visit in table order rather than lose any */
        free(chunk);
        free(batch);
        free(place);
        for (uint32_t i = 1; i < t->high; i++) {
            struct ct_node *n = node_at(t, i);
            if (n->list != CT_LIST_NONE)
                visit(ctx, n);
        }
        return;
    }
    for (uint32_t i = 1; i < t->high; i++) {
        struct ct_node *n = node_at(t, i);
        if (n->list == CT_LIST_NONE)
            continue;
        uint32_t r = rank(n);
        uint32_t k = r / DRAIN_CHUNK < nchunks ? r / DRAIN_CHUNK : nchunks - 1;
        n->hnext = chunk[k];
        chunk[k] = i;
    }
    /* Ranks are unique, so a chunk's records usually go straight to their
     * places; only ranks out of range or repeated (a caller's mistake) make
     * the chunk fall back to a sort. */
    for (uint32_t k = 0; k < nchunks; k++) {
        size_t m = 0;
        bool direct = true;
        memset(place, 0, DRAIN_CHUNK * sizeof *place);
        for (uint32_t i = chunk[k]; i; i = node_at(t, i)->hnext) {
            if (m == cap) {
                struct rank_index *b = realloc(batch, 2 * cap * sizeof *batch);
                if (!b)
                    break;      /* (ranks are unique: a chunk never outgrows it) */
                batch = b;
                cap *= 2;
            }
            uint32_t r = rank(node_at(t, i));
            batch[m].rank = r;
            batch[m++].idx = i;
            uint64_t off = (uint64_t)r - (uint64_t)k * DRAIN_CHUNK;
            if (off >= DRAIN_CHUNK || place[off])
                direct = false;
            else
                place[off] = i;
        }
        if (direct) {
            for (uint32_t j = 0; j < DRAIN_CHUNK; j++)
                if (place[j])
                    visit(ctx, node_at(t, place[j]));
            continue;
        }
        qsort(batch, m, sizeof *batch, cmp_rank);
        for (size_t j = 0; j < m; j++)
            visit(ctx, node_at(t, batch[j].idx));
    }
    free(place);
    free(chunk);
    free(batch);
}

void *ct_at(struct conntab *t, uint32_t idx)
{
    if (idx == 0 || idx >= t->high)
        return NULL;
    struct ct_node *n = node_at(t, idx);
    /* Free records are off every list; a live record is on one from right
     * after its insertion (callers put it there at once). */
    return n->list == CT_LIST_NONE ? NULL : n;
}
