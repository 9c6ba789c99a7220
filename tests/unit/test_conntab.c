/* test_conntab.c - the connection table: keys, hash index, bound, lists. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conntab.h"
#include "segment.h"
#include "unit.h"

struct rec {
    struct ct_node node;
    uint32_t val;
    uint32_t seen;
};

/* Distinct IPv4 keys from a number: addresses and ports all vary. */
static void key_of(uint32_t i, struct ct_key *k)
{
    memset(k, 0, sizeof *k);
    k->family = 4;
    k->addr[0][0] = 10;
    k->addr[0][1] = (uint8_t)(i >> 16);
    k->addr[0][2] = (uint8_t)(i >> 8);
    k->addr[0][3] = (uint8_t)i;
    k->addr[1][0] = 192;
    k->addr[1][1] = 168;
    k->addr[1][3] = (uint8_t)(i % 7);
    k->port[0] = (uint16_t)(1024 + i % 50000);
    k->port[1] = (uint16_t)(i % 3 == 0 ? 443 : 80);
}

static void key6_of(uint32_t i, struct ct_key *k)
{
    memset(k, 0, sizeof *k);
    k->family = 6;
    k->addr[0][0] = 0x20;
    k->addr[0][1] = 0x01;
    memcpy(&k->addr[0][12], &i, 4);
    k->addr[1][0] = 0xfe;
    k->addr[1][15] = 1;
    k->port[0] = 5555;
    k->port[1] = 22;
}

static struct rec *find(struct conntab *t, const struct ct_key *k)
{
    return ct_find(t, k, ct_hash(t, k));
}

static struct rec *insert(struct conntab *t, const struct ct_key *k)
{
    return ct_insert(t, k, ct_hash(t, k));
}

static void test_create(void)
{
    CHECK(ct_create(sizeof(struct ct_node) - 1, 10) == NULL);
    CHECK(ct_create(sizeof(struct rec), 0) == NULL);
    struct conntab *t = ct_create(sizeof(struct rec), 10);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_EQ(ct_count(t), 0);
    CHECK_EQ(ct_max(t), 10);
    CHECK(!ct_full(t));
    for (unsigned l = 0; l < CT_NLISTS; l++) {
        CHECK(ct_list_head(t, l) == NULL);
        CHECK_EQ(ct_list_count(t, l), 0);
    }
    struct ct_key k;
    key_of(1, &k);
    CHECK(find(t, &k) == NULL);
    ct_destroy(t);
    ct_destroy(NULL);
}

static void test_many(void)
{
    enum { N = 100000 };
    struct conntab *t = ct_create(sizeof(struct rec), 2 * N);
    CHECK(t != NULL);
    if (!t)
        return;
    struct rec **ptr = calloc(N, sizeof *ptr);
    if (!ptr)
        exit(99);
    size_t mem0 = ct_memory(t);
    struct ct_key k;
    unsigned long bad = 0;

    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        if (find(t, &k) != NULL)
            bad++;
        struct rec *r = insert(t, &k);
        if (!r) {
            bad++;
            continue;
        }
        struct ct_key back;
        ct_node_key(&r->node, &back);
        if (memcmp(&back, &k, sizeof k) != 0 || r->node.family != k.family || r->val != 0)
            bad++;
        r->val = i + 1;
        ct_list_put(t, r, i % CT_NLISTS);
        ptr[i] = r;
        /* look up an earlier key among many */
        uint32_t j = (uint32_t)(((uint64_t)i * 2654435761u) % (i + 1));
        key_of(j, &k);
        struct rec *f = find(t, &k);
        if (f != ptr[j] || !f || f->val != j + 1)
            bad++;
    }
    CHECKF(bad == 0, "%lu bad inserts or lookups while growing", bad);
    CHECK_EQ(ct_count(t), N);
    /* the memory counted grows with the records handed out */
    CHECK(ct_memory(t) >= mem0 + (size_t)N * sizeof(struct rec));

    /* every key found, at the same record (records never move) */
    bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        struct rec *r = find(t, &k);
        if (r != ptr[i] || !r || r->val != i + 1)
            bad++;
    }
    CHECKF(bad == 0, "%lu keys not found after growing", bad);

    /* a key never inserted is not found */
    key_of(N + 5, &k);
    CHECK(find(t, &k) == NULL);
    key6_of(3, &k);
    CHECK(find(t, &k) == NULL);

    /* delete the odd ones */
    for (uint32_t i = 1; i < N; i += 2) {
        ct_delete(t, ptr[i]);
        ptr[i] = NULL;
    }
    CHECK_EQ(ct_count(t), N / 2);
    bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        struct rec *r = find(t, &k);
        if ((i & 1) ? r != NULL : (r != ptr[i] || r->val != i + 1))
            bad++;
    }
    CHECKF(bad == 0, "%lu wrong lookups after deleting odd keys", bad);
    uint32_t listed = 0;
    for (unsigned l = 0; l < CT_NLISTS; l++)
        listed += ct_list_count(t, l);
    CHECK_EQ(listed, N / 2);

    /* put them back; freed slots are reused, so memory does not grow */
    size_t mem1 = ct_memory(t);
    bad = 0;
    for (uint32_t i = 1; i < N; i += 2) {
        key_of(i, &k);
        struct rec *r = insert(t, &k);
        if (!r || r->val != 0 || r->node.list != CT_LIST_NONE) {
            bad++;
            continue;
        }
        r->val = i + 1;
        ct_list_put(t, r, 0);
        ptr[i] = r;
    }
    CHECKF(bad == 0, "%lu bad reinserts", bad);
    CHECK_EQ(ct_memory(t), mem1);
    CHECK_EQ(ct_count(t), N);
    bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        struct rec *r = find(t, &k);
        if (r != ptr[i] || !r || r->val != i + 1)
            bad++;
    }
    CHECKF(bad == 0, "%lu keys lost after reinserting", bad);

    /* IPv6 keys live beside IPv4 ones */
    for (uint32_t i = 0; i < 1000; i++) {
        key6_of(i, &k);
        struct rec *r = insert(t, &k);
        CHECKF(r != NULL, "ipv6 insert %u", i);
        if (r) {
            r->val = 0x60000000u + i;
            ct_list_put(t, r, 1);
        }
    }
    bad = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        key6_of(i, &k);
        struct rec *r = find(t, &k);
        if (!r || r->val != 0x60000000u + i)
            bad++;
    }
    CHECKF(bad == 0, "%lu ipv6 keys not found", bad);

    /* delete everything, in a scrambled order */
    for (uint32_t i = 0; i < N; i++) {
        uint32_t j = (uint32_t)(((uint64_t)i * 7919u) % N);  /* 7919 is prime, N = 2^5 5^5 */
        if (ptr[j]) {
            ct_delete(t, ptr[j]);
            ptr[j] = NULL;
        }
    }
    for (uint32_t i = 0; i < 1000; i++) {
        key6_of(i, &k);
        struct rec *r = find(t, &k);
        if (r)
            ct_delete(t, r);
    }
    CHECK_EQ(ct_count(t), 0);
    for (unsigned l = 0; l < CT_NLISTS; l++) {
        CHECK(ct_list_head(t, l) == NULL);
        CHECK_EQ(ct_list_count(t, l), 0);
    }
    bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        if (find(t, &k))
            bad++;
    }
    CHECKF(bad == 0, "%lu keys found after deleting all", bad);
    for (uint32_t i = 1; i < ct_index_limit(t); i++)
        if (ct_at(t, i))
            bad++;
    CHECKF(bad == 0, "%lu records still visible to ct_at", bad);
    free(ptr);
    ct_destroy(t);
}

static void seg_of(struct segment *s, const char *a, uint16_t ap, const char *b, uint16_t bp)
{
    memset(s, 0, sizeof *s);
    CHECK(addr_parse(a, &s->src));
    CHECK(addr_parse(b, &s->dst));
    s->sport = ap;
    s->dport = bp;
}

static void test_key_direction(void)
{
    struct conntab *t = ct_create(sizeof(struct rec), 16);
    if (!t) {
        CHECK(t != NULL);
        return;
    }
    static const struct { const char *a; uint16_t ap; const char *b; uint16_t bp; } pairs[] = {
        { "10.0.0.1", 40000, "10.0.0.2", 80 },
        { "10.0.0.2", 40000, "10.0.0.1", 80 },
        { "192.0.2.7", 5000, "192.0.2.7", 6000 },       /* same address: ports decide */
        { "192.0.2.7", 6000, "192.0.2.7", 5000 },
        { "127.0.0.1", 7777, "127.0.0.1", 7777 },       /* same everything */
        { "2001:db8::1", 443, "2001:db8::2", 50000 },
        { "2001:db8::ff", 1, "2001:db8::2", 2 },
        { "fe80::1", 22, "fe80::1", 23 },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct segment ab, ba;
        struct ct_key kab, kba;
        int dab = -1, dba = -1;
        seg_of(&ab, pairs[i].a, pairs[i].ap, pairs[i].b, pairs[i].bp);
        seg_of(&ba, pairs[i].b, pairs[i].bp, pairs[i].a, pairs[i].ap);
        ct_key_from_segment(&ab, &kab, &dab);
        ct_key_from_segment(&ba, &kba, &dba);
        CHECKF(memcmp(&kab, &kba, sizeof kab) == 0, "pair %zu: keys differ by direction", i);
        CHECKF(ct_hash(t, &kab) == ct_hash(t, &kba), "pair %zu: hashes differ", i);
        CHECKF((dab == 0 || dab == 1) && (dba == 0 || dba == 1), "pair %zu: dir %d %d", i, dab, dba);
        int same = strcmp(pairs[i].a, pairs[i].b) == 0 && pairs[i].ap == pairs[i].bp;
        if (!same)
            CHECKF(dab != dba, "pair %zu: both directions got dir %d", i, dab);
        /* side dir holds the segment's source */
        size_t alen = ab.src.family == 4 ? 4 : 16;
        CHECKF(memcmp(kab.addr[dab], ab.src.b, alen) == 0 && kab.port[dab] == ab.sport,
               "pair %zu: side %d is not the source", i, dab);
        CHECKF(memcmp(kab.addr[!dab], ab.dst.b, alen) == 0 && kab.port[!dab] == ab.dport,
               "pair %zu: side %d is not the destination", i, !dab);
        CHECK_EQ(kab.family, ab.src.family);
        CHECK(kab.zero[0] == 0 && kab.zero[1] == 0 && kab.zero[2] == 0);
        /* the lower (address, port) is side 0 */
        int c = memcmp(kab.addr[0], kab.addr[1], 16);
        CHECKF(c < 0 || (c == 0 && kab.port[0] <= kab.port[1]), "pair %zu: side 0 not lower", i);
    }

    /* bytes of an IPv4 address beyond the fourth do not reach the key */
    struct segment s1, s2;
    struct ct_key k1, k2;
    int d1, d2;
    seg_of(&s1, "10.0.0.1", 1234, "10.0.0.2", 80);
    s2 = s1;
    memset(s2.src.b + 4, 0xee, 12);
    memset(s2.dst.b + 4, 0x77, 12);
    ct_key_from_segment(&s1, &k1, &d1);
    ct_key_from_segment(&s2, &k2, &d2);
    CHECK(memcmp(&k1, &k2, sizeof k1) == 0 && d1 == d2);

    /* distinct 4-tuples give distinct keys */
    seg_of(&s2, "10.0.0.1", 1235, "10.0.0.2", 80);
    ct_key_from_segment(&s2, &k2, &d2);
    CHECK(memcmp(&k1, &k2, sizeof k1) != 0);

    /* a record found through either direction */
    struct rec *r = insert(t, &k1);
    CHECK(r != NULL);
    if (r) {
        ct_list_put(t, r, 0);
        struct segment rev;
        seg_of(&rev, "10.0.0.2", 80, "10.0.0.1", 1234);
        struct ct_key kr;
        int dr;
        ct_key_from_segment(&rev, &kr, &dr);
        CHECK(find(t, &kr) == r);
        CHECK(dr != d1);
    }
    ct_destroy(t);
}

/* An IPv4 key and an IPv6 key with the same 36 bytes of tuple (the IPv6
 * addresses 192.0.2.1:: and 198.51.100.1::) are different connections: the
 * family, kept apart from the tuple in a record, takes part in every
 * comparison, whatever bucket a lookup walks. */
static void test_family(void)
{
    struct conntab *t = ct_create(sizeof(struct rec), 16);
    CHECK(t != NULL);
    if (!t)
        return;
    struct ct_key k4, k6, back;
    memset(&k4, 0, sizeof k4);
    k4.family = 4;
    memcpy(k4.addr[0], (const uint8_t[]){192, 0, 2, 1}, 4);
    memcpy(k4.addr[1], (const uint8_t[]){198, 51, 100, 1}, 4);
    k4.port[0] = 40000;
    k4.port[1] = 80;
    k6 = k4;
    k6.family = 6;
    struct rec *r4 = insert(t, &k4);
    CHECK(r4 != NULL);
    if (!r4) {
        ct_destroy(t);
        return;
    }
    ct_list_put(t, r4, 0);
    /* the IPv6 key looked up in the IPv4 record's own chain */
    CHECK(ct_find(t, &k6, ct_hash(t, &k4)) == NULL);
    CHECK(find(t, &k6) == NULL);
    struct rec *r6 = insert(t, &k6);
    CHECK(r6 != NULL && r6 != r4);
    if (r6)
        ct_list_put(t, r6, 0);
    CHECK(find(t, &k4) == r4);
    CHECK(find(t, &k6) == r6);
    /* the key's padding is neither hashed nor compared (a record does not
     * keep it, so a deletion could not hash it as the insertion did) */
    struct ct_key padded = k6;
    memset(padded.zero, 0xa5, sizeof padded.zero);
    CHECK(find(t, &padded) == r6);
    padded = k4;
    memset(padded.zero, 0x5a, sizeof padded.zero);
    CHECK(find(t, &padded) == r4);
    CHECK_EQ(r4->node.family, 4);
    ct_node_key(&r4->node, &back);
    CHECK(memcmp(&back, &k4, sizeof back) == 0);
    if (r6) {
        CHECK_EQ(r6->node.family, 6);
        ct_node_key(&r6->node, &back);
        CHECK(memcmp(&back, &k6, sizeof back) == 0);
        /* deleting one finds its chain link by its own key's hash */
        ct_delete(t, r6);
        CHECK(find(t, &k6) == NULL);
    }
    CHECK(find(t, &k4) == r4);
    CHECK_EQ(ct_count(t), 1);
    ct_destroy(t);
}

static void test_max_bound(void)
{
    /* a bound below one slab, and one just above */
    static const uint32_t maxes[] = { 1, 10, 4097 };
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
        uint32_t max = maxes[m];
        struct conntab *t = ct_create(sizeof(struct rec), max);
        if (!t) {
            CHECK(t != NULL);
            continue;
        }
        struct ct_key k;
        struct rec *first = NULL;
        uint32_t ok = 0;
        for (uint32_t i = 0; i < max; i++) {
            key_of(i, &k);
            struct rec *r = insert(t, &k);
            if (r) {
                ok++;
                ct_list_put(t, r, 0);
                if (!first)
                    first = r;
            }
        }
        CHECKF(ok == max, "max %u: %u inserted", max, ok);
        CHECKF(ct_full(t), "max %u: not full", max);
        key_of(max, &k);
        CHECKF(insert(t, &k) == NULL, "max %u: insert beyond the bound succeeded", max);
        CHECKF(insert(t, &k) == NULL, "max %u: second insert beyond the bound", max);
        CHECK_EQ(ct_count(t), max);
        CHECKF(find(t, &k) == NULL, "max %u: refused key found", max);
        /* delete one: room for exactly one more */
        ct_delete(t, first);
        CHECK(!ct_full(t));
        struct rec *r = insert(t, &k);
        CHECKF(r != NULL, "max %u: insert after delete", max);
        if (r)
            ct_list_put(t, r, 0);
        key_of(max + 1, &k);
        CHECKF(insert(t, &k) == NULL, "max %u: bound after reuse", max);
        CHECK_EQ(ct_count(t), max);
        ct_destroy(t);
    }
}

/* The records on a list, head to tail, via their neighbour indices. */
static size_t walk(struct conntab *t, unsigned list, struct rec **out, size_t max)
{
    size_t n = 0;
    struct rec *r = ct_list_head(t, list);
    while (r && n < max) {
        out[n++] = r;
        r = r->node.next ? ct_at(t, r->node.next) : NULL;
    }
    return n;
}

static void test_lists(void)
{
    struct conntab *t = ct_create(sizeof(struct rec), 100);
    if (!t) {
        CHECK(t != NULL);
        return;
    }
    struct rec *r[6];
    struct ct_key k;
    for (uint32_t i = 0; i < 6; i++) {
        key_of(i, &k);
        r[i] = insert(t, &k);
        CHECK(r[i] != NULL);
        if (!r[i])
            return;
        r[i]->val = i;
        CHECK_EQ(r[i]->node.list, CT_LIST_NONE);
    }
    /* list 0: 0 1 2, list 1: 3 4, list 3: 5 */
    ct_list_put(t, r[0], 0);
    ct_list_put(t, r[1], 0);
    ct_list_put(t, r[2], 0);
    ct_list_put(t, r[3], 1);
    ct_list_put(t, r[4], 1);
    ct_list_put(t, r[5], 3);
    CHECK(ct_list_head(t, 0) == r[0]);
    CHECK(ct_list_head(t, 1) == r[3]);
    CHECK(ct_list_head(t, 2) == NULL);
    CHECK(ct_list_head(t, 3) == r[5]);
    CHECK_EQ(ct_list_count(t, 0), 3);
    CHECK_EQ(ct_list_count(t, 1), 2);
    CHECK_EQ(ct_list_count(t, 2), 0);
    CHECK_EQ(ct_list_count(t, 3), 1);
    CHECK_EQ(r[1]->node.list, 0);
    CHECK_EQ(ct_list_of(r[1]), 0);

    struct rec *w[8];
    size_t n = walk(t, 0, w, 8);
    CHECK(n == 3 && w[0] == r[0] && w[1] == r[1] && w[2] == r[2]);

    /* putting again moves to the tail */
    ct_list_put(t, r[0], 0);
    n = walk(t, 0, w, 8);
    CHECK(n == 3 && w[0] == r[1] && w[1] == r[2] && w[2] == r[0]);
    CHECK(ct_list_head(t, 0) == r[1]);
    CHECK_EQ(ct_list_count(t, 0), 3);

    /* moving between lists */
    ct_list_put(t, r[2], 1);
    n = walk(t, 0, w, 8);
    CHECK(n == 2 && w[0] == r[1] && w[1] == r[0]);
    n = walk(t, 1, w, 8);
    CHECK(n == 3 && w[0] == r[3] && w[1] == r[4] && w[2] == r[2]);
    CHECK_EQ(ct_list_count(t, 0), 2);
    CHECK_EQ(ct_list_count(t, 1), 3);

    /* removing from the middle, the head, the tail */
    ct_list_remove(t, r[4]);
    CHECK_EQ(r[4]->node.list, CT_LIST_NONE);
    n = walk(t, 1, w, 8);
    CHECK(n == 2 && w[0] == r[3] && w[1] == r[2]);
    ct_list_remove(t, r[3]);
    CHECK(ct_list_head(t, 1) == r[2]);
    ct_list_remove(t, r[2]);
    CHECK(ct_list_head(t, 1) == NULL);
    CHECK_EQ(ct_list_count(t, 1), 0);
    ct_list_remove(t, r[2]);        /* not on a list: harmless */
    CHECK_EQ(ct_list_count(t, 1), 0);

    /* deleting a record takes it off its list */
    ct_delete(t, r[1]);
    CHECK(ct_list_head(t, 0) == r[0]);
    CHECK_EQ(ct_list_count(t, 0), 1);
    ct_delete(t, r[5]);
    CHECK(ct_list_head(t, 3) == NULL);
    CHECK_EQ(ct_list_count(t, 3), 0);

    /* a list refilled after being emptied */
    ct_list_put(t, r[3], 1);
    ct_list_put(t, r[2], 1);
    n = walk(t, 1, w, 8);
    CHECK(n == 2 && w[0] == r[3] && w[1] == r[2]);
    CHECK(r[3]->node.prev == 0);
    CHECK(r[2]->node.next == 0);
    ct_destroy(t);
}

static void test_iteration(void)
{
    enum { N = 10000 };
    struct conntab *t = ct_create(sizeof(struct rec), N);
    if (!t) {
        CHECK(t != NULL);
        return;
    }
    static struct rec *r[N];
    struct ct_key k;
    for (uint32_t i = 0; i < N; i++) {
        key_of(i, &k);
        r[i] = insert(t, &k);
        if (!r[i]) {
            CHECK(r[i] != NULL);
            return;
        }
        r[i]->val = i;
        ct_list_put(t, r[i], i % 3);
    }
    /* delete every third, and a run in the middle */
    uint32_t live = N;
    for (uint32_t i = 0; i < N; i++)
        if (i % 3 == 1 || (i >= 5000 && i < 5100)) {
            ct_delete(t, r[i]);
            r[i] = NULL;
            live--;
        }
    CHECK_EQ(ct_count(t), live);

    uint32_t visits = 0, wrong = 0;
    for (uint32_t idx = 0; idx < ct_index_limit(t) + 5; idx++) {
        struct rec *x = ct_at(t, idx);
        if (!x)
            continue;
        visits++;
        if (x->val >= N || r[x->val] != x || x->seen)
            wrong++;
        else
            x->seen = 1;
        if (ct_index(t, x) != idx)
            wrong++;
    }
    CHECK_EQ(visits, live);
    CHECK_EQ(wrong, 0);
    uint32_t missed = 0;
    for (uint32_t i = 0; i < N; i++)
        if (r[i] && !r[i]->seen)
            missed++;
    CHECK_EQ(missed, 0);
    CHECK(ct_at(t, 0) == NULL);
    CHECK(ct_at(t, ct_index_limit(t)) == NULL);
    CHECK(ct_at(t, UINT32_MAX) == NULL);
    ct_destroy(t);
}

/* ct_prefault() from another thread while this one inserts: it commits
 * memory ahead of the records but changes none of their bytes, and keeps
 * at most about one huge page ahead of the records handed out. */
struct prefaulter {
    const struct conntab *t;
    atomic_bool stop;
    size_t done;
    size_t calls;
};

static void *prefault_loop(void *arg)
{
    struct prefaulter *p = arg;
    /* bounded: the inserting thread stops it, or 50 million calls */
    for (p->calls = 0; !atomic_load(&p->stop) && p->calls < 50000000; p->calls++)
        p->done = ct_prefault(p->t, p->done);
    return NULL;
}

/* Keys 0 .. n-1 inserted, each record marked with values of its number. */
static void insert_numbered(struct conntab *t, uint32_t n)
{
    struct ct_key k;
    for (uint32_t i = 0; i < n; i++) {
        key_of(i, &k);
        struct rec *r = insert(t, &k);
        if (!r) {
            CHECKF(r != NULL, "insert %u", i);
            break;
        }
        r->val = i * 2654435761u;
        r->seen = ~i;
    }
}

/* How many of insert_numbered()'s records are missing or changed. */
static uint32_t numbered_wrong(struct conntab *t, uint32_t n)
{
    struct ct_key k;
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < n; i++) {
        key_of(i, &k);
        struct rec *r = find(t, &k);
        if (!r || r->val != i * 2654435761u || r->seen != ~i)
            wrong++;
    }
    return wrong;
}

static void test_prefault(void)
{
    /* room for five times as many: committing all of it would be caught */
    const uint32_t n = 200000;
    struct conntab *t = ct_create(sizeof(struct rec), 5 * n);
    CHECK(t != NULL);
    if (!t)
        return;
    struct prefaulter p = {.t = t};
    atomic_init(&p.stop, false);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, prefault_loop, &p) == 0);
    insert_numbered(t, n);
    atomic_store(&p.stop, true);
    pthread_join(th, NULL);
    CHECK(p.calls > 0);
    CHECK_EQ(numbered_wrong(t, n), 0);
    /* Where it got to: SIZE_MAX if the kernel cannot, otherwise past the
     * records handed out (give or take one publication's worth) and at
     * most about 3 MiB beyond them (the huge page they end in and the
     * next). */
    size_t done = ct_prefault(t, p.done);
    size_t rec = (sizeof(struct rec) + 7) & ~(size_t)7, used = (size_t)(n + 1) * rec;
    if (done != SIZE_MAX) {
        CHECKF(done + (size_t)CT_PUBLISH_EVERY * rec >= used, "prefaulted %zu of %zu", done, used);
        CHECKF(done <= used + (size_t)CT_PUBLISH_EVERY * rec + (3u << 20), "prefaulted %zu, %zu in use", done,
               used);
    }
    ct_destroy(t);
}

/* A reservation of 2 MiB or more starts on a huge page's boundary (the
 * kernel maps huge pages only over whole aligned 2 MiB ranges), and
 * records across the old unaligned start still work. */
static void test_huge_aligned(void)
{
    const uint32_t n = 100000;      /* well over 2 MiB of records */
    struct conntab *t = ct_create(sizeof(struct rec), n);
    CHECK(t != NULL);
    if (!t)
        return;
    insert_numbered(t, n);
    /* the first record handed out is index 1, one record past the base */
    struct ct_key k;
    key_of(0, &k);
    struct rec *r = find(t, &k);
    CHECK(r != NULL);
    if (r) {
        uintptr_t base = (uintptr_t)r - ((sizeof(struct rec) + 7) & ~(size_t)7);
        CHECKF(base % (2u << 20) == 0, "records start at %#lx", (unsigned long)base);
        CHECK_EQ(ct_index(t, r), 1);
    }
    CHECK_EQ(numbered_wrong(t, n), 0);
    ct_destroy(t);
}

int main(void)
{
    test_create();
    test_many();
    test_key_direction();
    test_family();
    test_max_bound();
    test_lists();
    test_iteration();
    test_prefault();
    test_huge_aligned();
    return unit_done("test_conntab");
}
