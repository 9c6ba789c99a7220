/* hash.c - SipHash-1-3 (Aumasson and Bernstein), written from the paper. */
#include "config.h"
#include "hash.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);              \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                 \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                 \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);              \
    } while (0)

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

uint64_t siphash13(const struct hash_key *k, const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t v0 = 0x736f6d6570736575ULL ^ k->k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k->k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k->k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k->k1;
    uint64_t b = (uint64_t)len << 56;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        uint64_t m = load_le64(in + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

void hash_key_random(struct hash_key *k)
{
    uint8_t buf[16];
    size_t got = 0;
#ifdef HAVE_GETRANDOM
    ssize_t n = getrandom(buf, sizeof buf, 0);
    if (n == (ssize_t)sizeof buf)
        got = sizeof buf;
#endif
    if (got < sizeof buf) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f) {
            got = fread(buf, 1, sizeof buf, f);
            fclose(f);
        }
    }
    if (got < sizeof buf) {
        /* No random source: better a per-run key than a constant one. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
        memcpy(buf, &a, 8);
        a = a * 0x9e3779b97f4a7c15ULL;
        memcpy(buf + 8, &a, 8);
    }
    k->k0 = load_le64(buf);
    k->k1 = load_le64(buf + 8);
}
