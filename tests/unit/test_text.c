/* test_text.c - the hand-written formatters on the report path against the
 * C library functions they replace for speed, which define the output:
 *   addr_format()      against inet_ntop() (including glibc's choices:
 *                      which run of zero groups is compressed, dotted-quad
 *                      tails for IPv4-mapped and IPv4-compatible addresses);
 *   line_u64()         against printf("%" PRIu64);
 *   line_json_string() against a plain byte-at-a-time escaper written here
 *                      (random strings, and every byte value at every
 *                      position of plain runs, for its eight-at-a-time scan);
 *   line_epoch(), line_ms()  against printf, with times whose seconds repeat,
 *                      alternate and go negative (line_epoch() keeps the last
 *                      seconds' digits);
 *   a line that overflows: cut at its capacity and marked, never past it;
 *   siphash13(), siphash13_words()  against the published SipHash-1-3 algorithm written
 *                      here byte by byte, for every length 0..64.
 * Inputs come from a fixed xorshift sequence, so every run tries the same. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "hash.h"
#include "line.h"
#include "unit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) { return unit_rand64(&rng); }

/* -------------------------------------------------------- addresses --- */

static void check_addr(const struct flow_addr *a)
{
    char mine[ADDR_STRLEN], ref[INET6_ADDRSTRLEN];
    addr_format(a, mine);
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, ref, sizeof ref))
        snprintf(ref, sizeof ref, "?");
    CHECKF(!strcmp(mine, ref), "addr_format %s, inet_ntop %s", mine, ref);
}

static void test_addresses(void)
{
    struct flow_addr a;
    for (long t = 0; t < 200000; t++) {
        memset(&a, 0, sizeof a);
        a.family = t % 5 == 0 ? 4 : 6;
        for (int i = 0; i < 16; i++)
            a.b[i] = (uint8_t)next();
        if (a.family == 4) {
            if (t % 3 == 0)
                for (int i = 0; i < 4; i++)
                    a.b[i] %= 10;      /* one-digit octets */
        } else {
            /* every pattern of zero groups, in turn */
            unsigned mask = (unsigned)t & 255;
            for (int g = 0; g < 8; g++)
                if (mask >> g & 1)
                    a.b[2 * g] = a.b[2 * g + 1] = 0;
            if (t % 7 == 0) {           /* IPv4-mapped */
                memset(a.b, 0, 10);
                a.b[10] = a.b[11] = 0xff;
            }
            if (t % 11 == 0)            /* IPv4-compatible */
                memset(a.b, 0, 12);
            if (t % 17 == 0)            /* groups with leading zero digits */
                for (int i = 0; i < 16; i++)
                    a.b[i] &= (next() & 1) ? 0x0f : 0xff;
        }
        check_addr(&a);
    }
    static const char *const special[] = {
        "::", "::1", "::2", "::ffff:0:0", "::ffff:192.0.2.1", "::192.0.2.1", "1::", "1:0:0:1::",
        "0:0:1::", "1:0:0:2:0:0:3:4", "2001:db8::1:0:0:1", "::ffff:0.0.0.0", "::1:0:0", "fe80::",
        "2001:db8:0:0:1:0:0:1", "2001:db8::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        memset(&a, 0, sizeof a);
        a.family = 6;
        CHECK(inet_pton(AF_INET6, special[i], a.b) == 1);
        check_addr(&a);
    }
    memset(&a, 0, sizeof a);
    a.family = 4;
    check_addr(&a);                     /* 0.0.0.0 */
    memset(a.b, 255, 4);
    check_addr(&a);                     /* 255.255.255.255 */
}

/* ---------------------------------------------------------- numbers --- */

static void check_u64(uint64_t v)
{
    static struct line l;
    char ref[32];
    line_init(&l);
    line_u64(&l, v);
    snprintf(ref, sizeof ref, "%" PRIu64, v);
    CHECKF(l.n == strlen(ref) && !memcmp(l.b, ref, l.n), "line_u64(%s) gave %.*s", ref, (int)l.n, l.b);
}

static void test_numbers(void)
{
    for (uint64_t v = 0; v < 100000; v++)
        check_u64(v);
    for (int i = 0; i < 200000; i++)
        check_u64(next() >> (i % 64));
    uint64_t p = 1;
    for (int i = 0; i < 20; i++, p *= 10) {
        check_u64(p - 1);
        check_u64(p);
    }
    check_u64(UINT64_MAX);
}

/* ---------------------------------------------------- JSON strings --- */

/* The reference: one byte at a time.  Printable ASCII as it is, '"' and
 * '\\' escaped, control characters and DEL as \u00XX, valid UTF-8 sequences
 * as they are, any other byte as U+FFFD. */
static size_t utf8_len_ref(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return (size_t)n;
}

static size_t json_ref(const char *str, char *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    out[o++] = '"';
    while (*s) {
        if (*s == '"' || *s == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*s++;
        } else if (*s < 0x20 || *s == 0x7f) {
            o += (size_t)sprintf(out + o, "\\u%04x", *s++);
        } else if (*s < 0x80) {
            out[o++] = (char)*s++;
        } else {
            size_t n = utf8_len_ref(s);
            if (!n) {
                memcpy(out + o, "\\ufffd", 6);
                o += 6;
                s++;
            } else {
                memcpy(out + o, s, n);
                o += n;
                s += n;
            }
        }
    }
    out[o++] = '"';
    return o;
}

static void test_json_strings(void)
{
    static struct line l;
    char s[256], ref[256 * 6 + 8];
    for (int t = 0; t < 100000; t++) {
        int len = (int)(next() % 200);
        for (int i = 0; i < len; i++) {
            unsigned r = (unsigned)(next() % 10);
            if (r < 6)
                s[i] = (char)(0x20 + next() % 95);
            else if (r < 7)
                s[i] = (char)(1 + next() % 31);
            else if (r < 8)
                s[i] = "\"\\\x7f"[next() % 3];
            else
                s[i] = (char)(0x80 + next() % 128);
        }
        s[len] = 0;
        line_init(&l);
        line_json_string(&l, s);
        size_t n = json_ref(s, ref);
        CHECKF(l.n == n && !memcmp(l.b, ref, n), "string %d of length %d", t, len);
    }
}

/* Every byte value at every position of a run of plain characters: the
 * scan looks at eight bytes at a time, so a byte to escape must be found
 * wherever it falls in a word, and next to the end of the string. */
static void test_json_each_byte(void)
{
    static struct line l;
    char s[48], ref[48 * 6 + 8];
    for (int len = 1; len < 40; len++)
        for (int pos = 0; pos < len; pos++)
            for (int b = 1; b < 256; b++) {
                for (int i = 0; i < len; i++)
                    s[i] = (char)('a' + (i + pos) % 26);
                s[pos] = (char)b;
                s[len] = 0;
                line_init(&l);
                line_json_string(&l, s);
                size_t n = json_ref(s, ref);
                CHECKF(l.n == n && !memcmp(l.b, ref, n), "byte 0x%02x at %d of %d", b, pos, len);
            }
}

/* ------------------------------------------------------------ times --- */

static void check_epoch(struct line *l, tstamp_t ts)
{
    char ref[64];
    int64_t sec = ts / TS_PER_SEC, ns = ts % TS_PER_SEC;
    if (ns < 0)
        ns += TS_PER_SEC, sec--;
    snprintf(ref, sizeof ref, "%" PRId64 ".%06" PRId64, sec, ns / 1000);
    line_clear(l);
    line_epoch(l, ts);
    CHECKF(l->n == strlen(ref) && !memcmp(l->b, ref, l->n), "line_epoch(%" PRId64 ") gave %.*s, not %s", ts,
           (int)l->n, l->b, ref);
}

static void test_times(void)
{
    static struct line l;
    line_init(&l);
    const tstamp_t base = 1700000000 * TS_PER_SEC;
    /* repeated seconds, the next second, back again, then far apart */
    for (int i = 0; i < 100000; i++) {
        tstamp_t ts;
        switch (next() % 4) {
        case 0:
            ts = base + (tstamp_t)(next() % (3 * TS_PER_SEC));
            break;
        case 1:
            ts = -base + (tstamp_t)(next() % (3 * TS_PER_SEC));
            break;
        case 2:
            ts = (tstamp_t)(next() % (4 * TS_PER_SEC)) - 2 * TS_PER_SEC;
            break;
        default:
            ts = (tstamp_t)next();
            break;
        }
        check_epoch(&l, ts);
        check_epoch(&l, ts); /* the same seconds twice in a row */
    }
    check_epoch(&l, INT64_MIN);
    check_epoch(&l, INT64_MAX);
    check_epoch(&l, 0);
    check_epoch(&l, -1);

    char ref[64];
    for (int i = 0; i < 100002; i++) {
        uint64_t bits = next() >> (i % 40);
        int64_t ns = i == 100000 ? INT64_MIN : i == 100001 ? INT64_MAX : (int64_t)(i & 1 ? 0 - bits : bits);
        uint64_t us = (ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns) / 1000;
        snprintf(ref, sizeof ref, "%s%" PRIu64 ".%03" PRIu64, ns < 0 ? "-" : "", us / 1000, us % 1000);
        line_clear(&l);
        line_ms(&l, ns);
        CHECKF(l.n == strlen(ref) && !memcmp(l.b, ref, l.n), "line_ms(%" PRId64 ") gave %.*s, not %s", ns,
               (int)l.n, l.b, ref);
    }
}

/* A line filled to its capacity: what does not fit is cut, the line is
 * marked, and nothing is written past it, whichever helper overflows. */
static void test_overflow(void)
{
    static struct line l;
    char big[LINE_CAP + 64];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = 0;
    for (int room = 0; room < 40; room++) {
        for (int helper = 0; helper < 5; helper++) {
            line_init(&l);
            line_mem(&l, big, LINE_CAP - (size_t)room);
            CHECK(!l.over);
            switch (helper) {
            case 0:
                line_u64(&l, UINT64_MAX);
                break;
            case 1:
                line_epoch(&l, -1700000000 * TS_PER_SEC - 1);
                break;
            case 2:
                line_ms(&l, -123456789012345);
                break;
            case 3:
                line_json_string(&l, big + sizeof big - 31);
                break;
            default:
                line_lit(&l, "0123456789012345678901234567890123456789");
                break;
            }
            CHECKF(l.n <= LINE_CAP, "helper %d, room %d: length %zu", helper, room, l.n);
            /* "18446744073709551615", "-1700000001.999999", "-123456789.012",
             * 30 x's quoted, 40 digits */
            static const int need[5] = {20, 18, 14, 32, 40};
            CHECKF(l.over == (room < need[helper]), "helper %d, room %d: over %d", helper, room, l.over);
            CHECKF(!memcmp(l.b, big, LINE_CAP - (size_t)room), "helper %d, room %d", helper, room);
        }
    }
}

/* ---------------------------------------------------------- SipHash --- */

/* SipHash-1-3 written from the paper, one byte at a time. */
static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
static uint64_t siphash13_ref(const struct hash_key *k, const uint8_t *in, size_t len)
{
    uint64_t v[4] = {0x736f6d6570736575ULL ^ k->k0, 0x646f72616e646f6dULL ^ k->k1,
                     0x6c7967656e657261ULL ^ k->k0, 0x7465646279746573ULL ^ k->k1};
#define R()                                                                    \
    do {                                                                       \
        v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32); \
        v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];                     \
        v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];                     \
        v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32); \
    } while (0)
    size_t blocks = len / 8;
    for (size_t b = 0; b < blocks; b++) {
        uint64_t m = 0;
        for (int i = 7; i >= 0; i--)
            m = m << 8 | in[8 * b + (size_t)i];
        v[3] ^= m;
        R();
        v[0] ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++)
        last |= (uint64_t)in[8 * blocks + i] << (8 * i);
    v[3] ^= last;
    R();
    v[0] ^= last;
    v[2] ^= 0xff;
    R();
    R();
    R();
#undef R
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void test_siphash(void)
{
    uint8_t buf[72];
    for (int t = 0; t < 2000; t++) {
        struct hash_key k = {next(), next()};
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)next();
        for (size_t len = 0; len <= 64; len++) {
            const uint8_t *p = buf + t % 8;     /* unaligned too */
            CHECKF(siphash13(&k, p, len) == siphash13_ref(&k, p, len), "length %zu", len);
            /* the same message as words and a last block */
            uint64_t w[8], last = (uint64_t)len << 56;
            for (size_t i = 0; i < len / 8; i++) {
                w[i] = 0;
                for (size_t b = 0; b < 8; b++)
                    w[i] |= (uint64_t)p[i * 8 + b] << (8 * b);
            }
            for (size_t b = 0; b < len % 8; b++)
                last |= (uint64_t)p[len / 8 * 8 + b] << (8 * b);
            CHECKF(siphash13_words(&k, w, len / 8, last) == siphash13_ref(&k, p, len), "words, length %zu", len);
        }
    }
}

int main(void)
{
    test_addresses();
    test_numbers();
    test_json_strings();
    test_json_each_byte();
    test_times();
    test_overflow();
    test_siphash();
    return unit_done("test_text");
}
