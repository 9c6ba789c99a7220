/* test_line.c - the line builder's numbers are printf's, byte for byte.
 *
 * line_duration(), line_bytes() and line_percent() replace snprintf() on
 * the JSON report's path with integer arithmetic; format_duration(),
 * format_bytes() (which still use snprintf) and printf("%.1f") are the
 * reference.  The values: every boundary between units and between
 * rounding up and down, the exact ties (where printf rounds the binary
 * value and the builders defer to it), the largest values, and a few
 * million pseudo-random ones spread over every magnitude. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "line.h"
#include "unit.h"

static unsigned long compared, mismatches;

static void same(const char *what, const struct line *l, const char *want, uint64_t v, uint64_t w)
{
    compared++;
    if (l->n == strlen(want) && memcmp(l->b, want, l->n) == 0)
        return;
    if (++mismatches <= 10)
        fprintf(stderr, "%s(%" PRIu64 ", %" PRIu64 "): built \"%.*s\", printf \"%s\"\n", what, v, w, (int)l->n,
                l->b, want);
}

static void duration(int64_t d)
{
    static struct line l;
    char want[24];
    line_clear(&l);
    line_duration(&l, d);
    same("duration", &l, format_duration(d, want), (uint64_t)d, 0);
}

static void bytes(uint64_t n)
{
    static struct line l;
    char want[16];
    line_clear(&l);
    line_bytes(&l, n);
    same("bytes", &l, format_bytes(n, want), n, 0);
}

static void percent(uint32_t part, uint32_t whole)
{
    static struct line l;
    char want[48];
    line_clear(&l);
    line_percent(&l, part, whole);
    snprintf(want, sizeof want, "%.1f", whole ? 100.0 * part / whole : 0.0);
    same("percent", &l, want, part, whole);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void) { return unit_rand64(&rng); }

int main(void)
{
    /* durations: around each unit's bounds and each rounding boundary */
    static const int64_t us_marks[] = {0, 1, 999, 1000, 1049, 1050, 1051, 1099, 1100, 9950, 99950, 999949,
                                       999950, 999951, 999999, 1000000, 1004999, 1005000, 1005001, 59994999,
                                       59995000, 59995001, 59999999, 60000000, 3599999999LL, 3600000000LL,
                                       86399999999LL, 86400000000LL, 999999999999LL};
    for (size_t i = 0; i < sizeof us_marks / sizeof us_marks[0]; i++)
        for (int64_t ns = -1001; ns <= 1001; ns++)
            duration(us_marks[i] * 1000 + ns);
    duration(-1);
    duration(INT64_MIN);
    duration(INT64_MAX);
    for (int64_t us = 0; us < 2000000; us += 7)
        duration(us * 1000);
    for (int i = 0; i < 1000000; i++)
        duration((int64_t)(next() >> (next() % 64)));

    /* bytes: around every power of 1024 and ten times it */
    for (int k = 1; k <= 6; k++) {
        uint64_t p = 1ULL << (10 * k);
        for (int d = -3; d <= 3; d++) {
            bytes(p + (uint64_t)d);
            bytes(10 * p + (uint64_t)d);
            bytes(p / 4 * 5 + (uint64_t)d);    /* 1.25: an exact tie in tenths */
            bytes(p / 4 * 7 + (uint64_t)d);    /* 1.75 */
            bytes(p / 4 * 39 + (uint64_t)d);   /* 9.75 */
            bytes(p / 2 * 21 + (uint64_t)d);   /* 10.5: an exact tie in units */
            bytes(p / 2 * 23 + (uint64_t)d);   /* 11.5 */
        }
    }
    for (uint64_t n = 0; n < 300000; n++)
        bytes(n);
    bytes((1ULL << 53) - 1);
    bytes(1ULL << 53);
    bytes((1ULL << 53) + 1);
    bytes(UINT64_MAX);
    for (int i = 0; i < 1000000; i++)
        bytes(next() >> (next() % 64));

    /* percentages: small wholes exhaustively, ties (1 of 16, 1 of 80, ...) */
    for (uint32_t w = 0; w <= 400; w++)
        for (uint32_t p = 0; p <= w + 2; p++)
            percent(p, w);
    percent(1, 16);
    percent(3, 80);
    percent(UINT32_MAX, UINT32_MAX);
    percent(UINT32_MAX - 1, UINT32_MAX);
    percent(UINT32_MAX, 1);
    for (int i = 0; i < 1000000; i++) {
        uint32_t w = (uint32_t)(next() >> (32 + next() % 32)), p = w ? (uint32_t)(next() % ((uint64_t)w + 1)) : 0;
        percent(p, w);
    }

    CHECKF(mismatches == 0, "%lu of %lu numbers differ from printf's", mismatches, compared);
    CHECKF(compared > 3000000, "%lu numbers compared", compared);
    return unit_done("line");
}
