/* hash.h - keyed hashing for the connection table.
 *
 * Connection keys come from the network, so an attacker who knew the hash
 * function could send traffic that lands in one bucket and turn every lookup
 * into a scan.  The table therefore hashes with SipHash-1-3 under a key drawn
 * at random for each run. */
#ifndef TCPFSM_HASH_H
#define TCPFSM_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hash_key {
    uint64_t k0, k1;
};

/* Fill *k from the kernel's random source (or, failing that, the clock). */
void hash_key_random(struct hash_key *k);
/* n bytes from the kernel's random source (or, failing that, a generator
 * seeded from the clock and the process id). */
void random_bytes(void *buf, size_t n);

/* SipHash-1-3 of len bytes (Aumasson and Bernstein), written from the paper.
 * Inline, so that the callers hashing keys of a fixed size (the connection
 * table's 13 and 40 bytes) get the loop unrolled and the tail copied in one
 * load; it runs once for almost every packet. */
#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND                                                              \
    do {                                                                       \
        v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);      \
        v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;                             \
        v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;                             \
        v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);      \
    } while (0)

/* n <= 8 bytes as a little-endian number */
static inline uint64_t sip_load_le(const uint8_t *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Loads that may overlap, ORed: a byte loaded twice lands on the same
     * bits both times.  (Copying n bytes into a zeroed word on the stack and
     * loading it back would make the processor wait for the stores.) */
    if (n == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
    }
    if (n == 0)
        return 0;
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
#else
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
#endif
}

/* The SipHash-1-3 state and its three steps, shared by both entry points. */
struct sip {
    uint64_t v0, v1, v2, v3;
};

static inline struct sip sip_init(const struct hash_key *k)
{
    struct sip s = {0x736f6d6570736575ULL ^ k->k0, 0x646f72616e646f6dULL ^ k->k1,
                    0x6c7967656e657261ULL ^ k->k0, 0x7465646279746573ULL ^ k->k1};
    return s;
}

/* One message block: one compression round. */
static inline void sip_block(struct sip *s, uint64_t m)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
    v3 ^= m;
    SIP_ROUND;
    v0 ^= m;
    s->v0 = v0, s->v1 = v1, s->v2 = v2, s->v3 = v3;
}

/* The last block, then three finalization rounds. */
static inline uint64_t sip_final(struct sip *s, uint64_t last)
{
    sip_block(s, last);
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2 ^ 0xff, v3 = s->v3;
    SIP_ROUND;
    SIP_ROUND;
    SIP_ROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-1-3 of a message given as n whole little-endian words m[] and
 * its last block: the remaining 0-7 bytes as a little-endian number with the
 * message length in its top byte.  For keys built from fields (the
 * connection table's): the words come from registers, not from bytes stored
 * one at a time and loaded back, which the processor cannot forward. */
static inline uint64_t siphash13_words(const struct hash_key *k, const uint64_t *m, size_t n, uint64_t last)
{
    struct sip s = sip_init(k);
    for (size_t i = 0; i < n; i++)
        sip_block(&s, m[i]);
    return sip_final(&s, last);
}

static inline uint64_t siphash13(const struct hash_key *k, const void *data, size_t len)
{
    const uint8_t *in = data;
    struct sip s = sip_init(k);
    size_t i;
    for (i = 0; i + 8 <= len; i += 8)
        sip_block(&s, sip_load_le(in + i, 8));
    return sip_final(&s, (uint64_t)len << 56 | sip_load_le(in + i, len - i));
}

/* A strongly universal hash of keys of one fixed length, for the small
 * tables (src/smalltab.c), where SipHash was most of a lookup's cost.
 * Multilinear hashing (Lemire and Kaser, "Strongly universal string hashing
 * is fast", 2014): over the key's 32-bit words w[i] (the last one padded
 * with zeros), h = m[0] + m[1] w[0] + m[2] w[1] + ... mod 2^64 with random
 * 64-bit m[], and the hash is h's high 32 bits.  For any two different keys
 * of the same length, the chance over the choice of m[] that their hashes
 * agree in any b of those bits is 2^-b: keys chosen without knowing m[],
 * which is drawn for each run and never shown, collide no more often than
 * random ones.  That is the attacker here: one who crafts the traffic and
 * sees nothing of the tables.  (The connection table keeps SipHash, a
 * pseudorandom function, for a stronger margin where every packet is
 * hashed and the table is largest.)
 *
 * Those high 32 bits then go through a fixed bijection (mlhash_mix()).
 * Pairwise independence bounds how often two keys share a slot, not how
 * the slots of many keys cluster, and linear probing suffers from exactly
 * that: keys that differ by a constant step in one word, a port scan's
 * ports say, have hashes in arithmetic progression, whose index bits step
 * around the table by one fixed amount and, under some keys, bunch up
 * into runs of hundreds of occupied slots (tests/unit/test_smalltab's
 * 20,000 such keys in 65,536 slots failed 20 of 300 runs: runs of 133-356
 * occupied slots, where random hashes give a few dozen, or 9-12 keys on
 * one home slot).  A bijection of a uniform value is uniform, and of two
 * independent ones independent, so the guarantee above still holds of the
 * result, bit for bit; and a mixing one (Murmur3's 32-bit finalizer)
 * scatters a progression as splitmix scatters its counter. */
#define MLHASH_MAX_LEN 40
struct mlhash_key {
    uint64_t m[MLHASH_MAX_LEN / 4 + 1];
};

void mlhash_key_random(struct mlhash_key *k);

/* Murmur3's fmix32: every step (xor with a right shift, multiplication by
 * an odd constant) can be undone, so different inputs stay different. */
static inline uint32_t mlhash_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

static inline uint32_t mlhash(const struct mlhash_key *k, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t words = len / 4, i;
    uint64_t h = k->m[0];
    for (i = 0; i < words; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        h += k->m[i + 1] * w;
    }
    if (len % 4) {
        uint32_t w = 0;
        memcpy(&w, p + 4 * i, len % 4);
        h += k->m[i + 1] * w;
    }
    return mlhash_mix((uint32_t)(h >> 32));
}

#endif
