/* line.c - fast line building. */
#include "line.h"

#include "format.h"

/* "00" to "99": two digits per division */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void line_u64(struct line *l, uint64_t v)
{
    char d[20];
    int i = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        d[--i] = digit_pairs[2 * r + 1];
        d[--i] = digit_pairs[2 * r];
    }
    if (v >= 10) {
        d[--i] = digit_pairs[2 * v + 1];
        d[--i] = digit_pairs[2 * v];
    } else {
        d[--i] = (char)('0' + v);
    }
    line_mem(l, d + i, (size_t)(20 - i));
}

static void pad_digits(struct line *l, uint64_t v, int width)
{
    char d[20];
    for (int i = width - 1; i >= 0; i--) {
        d[i] = (char)('0' + v % 10);
        v /= 10;
    }
    line_mem(l, d, (size_t)width);
}

void line_epoch(struct line *l, tstamp_t ts)
{
    int64_t sec = ts / TS_PER_SEC, ns = ts % TS_PER_SEC;
    if (ns < 0) {
        ns += TS_PER_SEC;
        sec--;
    }
    if (sec < 0) {
        line_char(l, '-');
        sec = -sec;
    }
    line_u64(l, (uint64_t)sec);
    line_char(l, '.');
    pad_digits(l, (uint64_t)(ns / 1000), 6);
}

void line_ms(struct line *l, int64_t ns)
{
    if (ns < 0) {
        line_char(l, '-');
        ns = -ns;
    }
    uint64_t us = (uint64_t)ns / 1000;
    line_u64(l, us / 1000);
    line_char(l, '.');
    pad_digits(l, us % 1000, 3);
}

void line_json_string(struct line *l, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    line_char(l, '"');
    while (*s) {
        /* a run of printable ASCII that needs no escape, copied at once */
        const unsigned char *run = s;
        while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
            s++;
        if (s > run) {
            line_mem(l, (const char *)run, (size_t)(s - run));
            continue;
        }
        if (*s == '"' || *s == '\\') {
            char e[2] = {'\\', (char)*s++};
            line_mem(l, e, 2);
        } else if (*s < 0x20 || *s == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[*s >> 4], hex[*s & 15]};
            line_mem(l, e, 6);
            s++;
        } else {
            int n = utf8_seq_len(s);
            if (n == 0) {
                line_lit(l, "\\ufffd");
                s++;
            } else {
                line_mem(l, (const char *)s, (size_t)n);
                s += n;
            }
        }
    }
    line_char(l, '"');
}

bool line_write(struct line *l, FILE *f)
{
    return fwrite(l->b, 1, l->n, f) == l->n;
}
