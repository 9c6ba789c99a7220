/* line.c - fast line building. */
#include "line.h"

#include "format.h"

/* "00" to "99": two digits per division */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void line_mem_cut(struct line *l, const char *s, size_t len)
{
    l->over = true;
    if (len > LINE_CAP - l->n)
        len = LINE_CAP - l->n;
    memcpy(l->b + l->n, s, len);
    l->n += len;
}

/* v's digits at the end of d; returns where they start. */
static int u64_digits(char d[20], uint64_t v)
{
    int i = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        i -= 2;
        memcpy(d + i, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        i -= 2;
        memcpy(d + i, digit_pairs + 2 * v, 2);
    } else {
        d[--i] = (char)('0' + v);
    }
    return i;
}

void line_u64(struct line *l, uint64_t v)
{
    char d[20];
    int i = u64_digits(d, v);
    line_mem(l, d + i, (size_t)(20 - i));
}

/* v < 1000000 as six digits, v < 1000 as three: two digits per step */
static void six_digits(struct line *l, unsigned v)
{
    char d[6];
    unsigned hi = v / 10000, mid = v / 100 % 100, lo = v % 100;
    memcpy(d, digit_pairs + 2 * hi, 2);
    memcpy(d + 2, digit_pairs + 2 * mid, 2);
    memcpy(d + 4, digit_pairs + 2 * lo, 2);
    line_mem(l, d, 6);
}

static void three_digits(struct line *l, unsigned v)
{
    char d[3] = {(char)('0' + v / 100), digit_pairs[2 * (v % 100)], digit_pairs[2 * (v % 100) + 1]};
    line_mem(l, d, 3);
}

void line_epoch(struct line *l, tstamp_t ts)
{
    int64_t sec = ts / TS_PER_SEC, ns = ts % TS_PER_SEC;
    if (ns < 0) {
        ns += TS_PER_SEC;
        sec--;
    }
    /* The whole seconds of one capture's times are mostly the same few: the
     * last one's digits are kept (a line's times are close together). */
    if (!l->sec_len || sec != l->sec) {
        char d[20];
        int i = u64_digits(d, sec < 0 ? -(uint64_t)sec : (uint64_t)sec), n = 0;
        if (sec < 0)
            l->sec_digits[n++] = '-';
        memcpy(l->sec_digits + n, d + i, (size_t)(20 - i));
        n += 20 - i;
        l->sec_digits[n++] = '.';
        l->sec_len = (uint8_t)n;
        l->sec = sec;
    }
    line_mem(l, l->sec_digits, l->sec_len);
    six_digits(l, (unsigned)(ns / 1000));
}

void line_ms(struct line *l, int64_t ns)
{
    uint64_t magnitude = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;   /* (INT64_MIN too) */
    if (ns < 0)
        line_char(l, '-');
    uint64_t us = magnitude / 1000;
    line_u64(l, us / 1000);
    line_char(l, '.');
    three_digits(l, (unsigned)(us % 1000));
}

/* Eight bytes at a time: is any of them a control character, '"', '\\',
 * DEL or not ASCII?  (The usual "has a byte less than n" and "has a byte
 * equal to n" tricks on a 64-bit word; exact for every byte.) */
static inline bool word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t lt20 = (x - ones * 0x20) & ~x;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);
    uint64_t eq = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((del - ones) & ~del);
    return ((lt20 | eq | x) & highs) != 0;
}

static inline bool byte_plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

void line_json_string(struct line *l, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *end = s + strlen(str);
    line_char(l, '"');
    while (s < end) {
        /* a run of printable ASCII that needs no escape, copied at once */
        const unsigned char *run = s;
        uint64_t w;
        while (end - s >= 8 && (memcpy(&w, s, 8), !word_needs_escape(w)))
            s += 8;
        while (s < end && byte_plain(*s))
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
