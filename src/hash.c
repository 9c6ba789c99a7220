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
    k->k0 = sip_load_le(buf, 8);
    k->k1 = sip_load_le(buf + 8, 8);
}
