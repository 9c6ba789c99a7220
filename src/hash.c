/* hash.c - the hashes' random keys (SipHash-1-3 and the multilinear hash are
 * inline in hash.h). */
#include "config.h"
#include "hash.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

void random_bytes(void *buf, size_t n)
{
    uint8_t *b = buf;
    size_t got = 0;
#ifdef HAVE_GETRANDOM
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
#endif
    if (got < n) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f) {
            got += fread(b + got, 1, n - got, f);
            fclose(f);
        }
    }
    if (got < n) {
        /* No random source: better a per-run key than a constant one
         * (splitmix64 from the clock and the process id). */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid() << 40;
        for (; got < n; got++) {
            x += 0x9e3779b97f4a7c15ULL;
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            b[got] = (uint8_t)(z ^ (z >> 31));
        }
    }
}

void hash_key_random(struct hash_key *k)
{
    uint8_t buf[16];
    random_bytes(buf, sizeof buf);
    k->k0 = sip_load_le(buf, 8);
    k->k1 = sip_load_le(buf + 8, 8);
}

void mlhash_key_random(struct mlhash_key *k)
{
    random_bytes(k->m, sizeof k->m);
}
