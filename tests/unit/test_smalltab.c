/* test_smalltab.c - the small tables (src/smalltab.c) and their hash
 * (hash.h's mlhash): what a table holds against a plain list, and keys made
 * to collide under an unkeyed hash spread as random keys do. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "smalltab.h"
#include "unit.h"

/* Records: the key, then a value that checks which key a record is for. */
#define MAXKEY MLHASH_MAX_LEN
struct rec {
    uint8_t key[MAXKEY];
    uint64_t value;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static void random_key(uint8_t *k, size_t len, uint32_t space)
{
    /* keys from a small space, so that the same ones come back */
    memset(k, 0, len);
    uint32_t v = (uint32_t)(unit_rand64(&rng) % space);
    memcpy(k + (len > 8 ? len - 8 : 0), &v, sizeof v < len ? sizeof v : len);
    k[0] = (uint8_t)(v * 7);
}

/* FNV-1a of the key: what its record's value must be. */
static uint64_t value_of(const uint8_t *k, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    return h | 1;
}

/* The reference: a list of the keys present. */
struct model {
    uint8_t (*keys)[MAXKEY];
    size_t n;
};

static long model_find(const struct model *m, const uint8_t *k, size_t len)
{
    for (size_t i = 0; i < m->n; i++)
        if (!memcmp(m->keys[i], k, len))
            return (long)i;
    return -1;
}

/* Random gets, creations and removals against the list, keys of `len`
 * bytes, at most `max` held. */
static void against_model(size_t len, uint32_t max, uint32_t space, int steps)
{
    struct smalltab t;
    CHECK(smalltab_init(&t, len, sizeof(struct rec), max));
    struct model m = {calloc(max + 1, MAXKEY), 0};
    uint64_t refused = 0;
    for (int s = 0; s < steps; s++) {
        uint8_t k[MAXKEY];
        random_key(k, len, space);
        long at = model_find(&m, k, len);
        int op = (int)(unit_rand64(&rng) % 4);
        if (op == 0 && at >= 0) {                   /* remove */
            struct rec *r = smalltab_get(&t, k, false);
            CHECKF(r != NULL, "len %zu step %d: a key present is not found", len, s);
            if (r) {
                CHECKF(r->value == value_of(k, len), "len %zu step %d: another key's record", len, s);
                smalltab_remove(&t, r);
            }
            memcpy(m.keys[at], m.keys[m.n - 1], MAXKEY);
            m.n--;
        } else if (op == 1) {                       /* look up only */
            struct rec *r = smalltab_get(&t, k, false);
            CHECKF((r != NULL) == (at >= 0), "len %zu step %d: found %d, present %d", len, s, r != NULL, at >= 0);
            if (r)
                CHECK(r->value == value_of(k, len));
        } else {                                    /* find or create */
            struct rec *r = smalltab_get(&t, k, true);
            if (at >= 0) {
                CHECKF(r != NULL && r->value == value_of(k, len), "len %zu step %d: present key lost", len, s);
            } else if (m.n >= max) {
                CHECKF(r == NULL, "len %zu step %d: a key past the maximum was taken", len, s);
                refused++;
            } else {
                CHECKF(r != NULL, "len %zu step %d: a new key was refused under the maximum", len, s);
                if (r) {
                    CHECK(r->value == 0);           /* created zeroed */
                    CHECK(!memcmp(r->key, k, len));
                    r->value = value_of(k, len);
                    memcpy(m.keys[m.n++], k, MAXKEY);
                }
            }
        }
        CHECKF(t.count == m.n, "len %zu step %d: count %u, model %zu", len, s, t.count, m.n);
    }
    CHECK(t.refused == refused);
    /* everything present is found, through the slots too */
    size_t seen = 0;
    for (uint32_t i = 0; i < t.cap; i++) {
        struct rec *r = smalltab_slot(&t, i);
        if (r) {
            seen++;
            CHECK(model_find(&m, r->key, len) >= 0);
        }
    }
    CHECK(seen == m.n);
    free(m.keys);
    smalltab_destroy(&t);
}

/* The longest run of occupied slots (a lookup's worst probe). */
static uint32_t longest_run(const struct smalltab *t)
{
    uint32_t best = 0, run = 0;
    for (uint32_t pass = 0; pass < 2; pass++)       /* runs wrap around */
        for (uint32_t i = 0; i < t->cap; i++) {
            run = smalltab_slot(t, i) ? run + 1 : 0;
            if (run > best)
                best = run;
        }
    return best > t->cap ? t->cap : best;
}

/* Keys an attacker would pick against an unkeyed multilinear or additive
 * hash: all words equal but two, which move in opposite directions (their
 * sum, and any sum of the words with fixed weights, stays the same), and
 * keys that differ only in bits a plain multiplication would shift out. */
static void crafted_keys_spread(size_t len)
{
    enum { N = 20000 };
    struct smalltab t;
    CHECK(smalltab_init(&t, len, sizeof(struct rec), N));
    for (uint32_t i = 0; i < N; i++) {
        uint8_t k[MAXKEY] = {0};
        uint32_t a = 0x10000000u + i, b = 0x20000000u - i;
        memcpy(k, &a, 4);
        memcpy(k + 4, &b, 4);
        k[len - 1] ^= (uint8_t)(i >> 12);
        struct rec *r = smalltab_get(&t, k, true);
        CHECK(r != NULL);
    }
    CHECK(t.count == N);
    /* Linear probing at load below one half: with random hashes the longest
     * run of 20,000 keys in 65,536 slots is a few dozen at most; keys that
     * all hashed alike would make one run of 20,000. */
    uint32_t run = longest_run(&t);
    CHECKF(run < 100, "len %zu: longest probe run %u of %u keys in %u slots", len, run, (unsigned)N, t.cap);
    /* and the home slots are spread: no slot is home to many keys */
    uint32_t *home = calloc(t.cap, sizeof *home), most = 0;
    for (uint32_t i = 0; i < t.cap; i++) {
        struct rec *r = smalltab_slot(&t, i);
        if (r) {
            uint32_t h = mlhash(&t.hk, r->key, len) & (t.cap - 1);
            if (++home[h] > most)
                most = home[h];
        }
    }
    CHECKF(most <= 8, "len %zu: %u keys share a home slot", len, most);
    free(home);
    smalltab_destroy(&t);
}

/* Two runs' keys differ, so one run's colliding keys are not the next's. */
static void keys_differ_per_table(void)
{
    struct mlhash_key a, b;
    mlhash_key_random(&a);
    mlhash_key_random(&b);
    CHECK(memcmp(&a, &b, sizeof a) != 0);
    uint8_t k[20] = {1, 2, 3};
    int same = 0;
    for (int i = 0; i < 64; i++) {
        k[19] = (uint8_t)i;
        same += mlhash(&a, k, sizeof k) == mlhash(&b, k, sizeof k);
    }
    CHECK(same < 2);
}

/* The hash of a key is the multilinear sum as documented: m0 + sum m[i+1] w[i]
 * over its little-endian-loaded 32-bit words, the last padded with zeros,
 * and its high half through the finalizer (mlhash_mix()). */
static void matches_definition(void)
{
    struct mlhash_key key;
    mlhash_key_random(&key);
    for (size_t len = 1; len <= MLHASH_MAX_LEN; len++) {
        uint8_t k[MLHASH_MAX_LEN + 4] = {0};
        for (size_t i = 0; i < len; i++)
            k[i] = (uint8_t)unit_rand64(&rng);
        uint64_t h = key.m[0];
        for (size_t w = 0; w * 4 < len; w++) {
            uint32_t word;
            memcpy(&word, k + 4 * w, 4);     /* the bytes past len are 0 */
            h += key.m[w + 1] * word;
        }
        CHECKF(mlhash(&key, k, len) == mlhash_mix((uint32_t)(h >> 32)), "len %zu", len);
    }
}

int main(void)
{
    matches_definition();
    keys_differ_per_table();
    against_model(19, 300, 600, 20000);     /* a listener's key */
    against_model(20, 1000, 1500, 20000);   /* a service's, a flood window's */
    against_model(40, 64, 200, 10000);      /* a connection's (extract.c) */
    against_model(3, 16, 40, 5000);         /* shorter than a word */
    /* each table draws its own key: eight of them per length, since keys in
     * progression bunched up under a few keys in a hundred before the
     * hash's final mixing (src/hash.h) */
    for (int draw = 0; draw < 8; draw++) {
        for (size_t len = 8; len <= MLHASH_MAX_LEN; len += 4)
            crafted_keys_spread(len);
        crafted_keys_spread(19);
    }
    struct smalltab t;
    CHECK(!smalltab_init(&t, MLHASH_MAX_LEN + 1, 64, 16));  /* longer keys: refused */
    return unit_done("test_smalltab");
}
