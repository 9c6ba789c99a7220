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

/* v's digits, written back from just before end, two at a time; returns
 * where they start. */
static char *digits_before(char *end, uint64_t v)
{
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

/* v's digits at the end of d; returns where they start. */
static int u64_digits(char d[20], uint64_t v)
{
    return (int)(digits_before(d + 20, v) - d);
}

/* Digits in v (1 to 20). */
static inline int u64_len(uint64_t v)
{
    int n = 1;
    for (uint64_t p = 10; n < 20 && v >= p; p *= 10)
        n++;
    return n;
}

void line_u64(struct line *l, uint64_t v)
{
    if (__builtin_expect(LINE_CAP - l->n < 20, 0)) {
        char d[20];
        int i = u64_digits(d, v);
        line_mem(l, d + i, (size_t)(20 - i));
        return;
    }
    /* straight into the line, from its last digit back: no copy of a
     * length the compiler does not know */
    int n = u64_len(v);
    digits_before(l->b + l->n + n, v);
    l->n += (size_t)n;
}

/* v < 1000 as three digits */
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
    int32_t us = (int32_t)(ns / 1000);
    /* The last time's text is kept: its seconds are mostly the same few in
     * one capture, and often the whole time is the one just written. */
    if (!l->sec_len || sec != l->sec) {
        char d[20];
        int i = u64_digits(d, sec < 0 ? -(uint64_t)sec : (uint64_t)sec), n = 0;
        if (sec < 0)
            l->epoch[n++] = '-';
        memcpy(l->epoch + n, d + i, (size_t)(20 - i));
        n += 20 - i;
        l->epoch[n++] = '.';
        l->sec_len = (uint8_t)n;
        l->sec = sec;
        l->us = -1;
    }
    if (us != l->us) {
        char *p = l->epoch + l->sec_len;
        memcpy(p, digit_pairs + 2 * (us / 10000), 2);
        memcpy(p + 2, digit_pairs + 2 * (us / 100 % 100), 2);
        memcpy(p + 4, digit_pairs + 2 * (us % 100), 2);
        l->us = us;
    }
    size_t len = (size_t)l->sec_len + 6;
    if (__builtin_expect(LINE_CAP - l->n < sizeof l->epoch, 0)) {
        line_mem(l, l->epoch, len);
        return;
    }
    /* the whole text buffer: a copy of known length */
    memcpy(l->b + l->n, l->epoch, sizeof l->epoch);
    l->n += len;
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

void line_fixed(struct line *l, uint64_t v, int decimals)
{
    uint64_t scale = decimals == 1 ? 10 : 100;
    line_u64(l, v / scale);
    line_char(l, '.');
    unsigned frac = (unsigned)(v % scale);
    if (decimals == 1)
        line_char(l, (char)('0' + frac));
    else
        line_mem(l, digit_pairs + 2 * frac, 2);
}

/* The text of format_duration() and format_bytes() without printf: their
 * "%.1f" and "%.2f" round the exact quotient, so integer arithmetic gives
 * the same digits, except at an exact tie, where printf rounds the binary
 * value (to even, or by its representation error): those rare cases, and
 * numbers beyond a double's exact integers, are left to the functions
 * themselves. */
void line_duration(struct line *l, tstamp_t d)
{
    if (d < 0)
        d = 0;
    int64_t us = d / 1000;
    if (us < 1000) {
        line_u64(l, (uint64_t)us);
        line_lit(l, "us");
        return;
    }
    if (us < 1000000 && us % 100 != 50) {
        line_fixed(l, (uint64_t)(us / 100 + (us % 100 > 50)), 1);
        line_lit(l, "ms");
        return;
    }
    if (us >= 1000000 && us < 60 * 1000000LL && us % 10000 != 5000) {
        line_fixed(l, (uint64_t)(us / 10000 + (us % 10000 > 5000)), 2);
        line_char(l, 's');
        return;
    }
    if (us >= 60 * 1000000LL) {
        int64_t sec = us / 1000000;
        static const int64_t unit_sec[3] = {60, 3600, 86400}, sub_sec[3] = {1, 60, 3600};
        static const char unit_ch[3] = {'m', 'h', 'd'}, sub_ch[3] = {'s', 'm', 'h'};
        int i = sec < 3600 ? 0 : sec < 86400 ? 1 : 2;
        unsigned sub = (unsigned)((sec % unit_sec[i]) / sub_sec[i]);   /* < 60, < 60, < 24 */
        line_u64(l, (uint64_t)(sec / unit_sec[i]));
        line_char(l, unit_ch[i]);
        line_mem(l, digit_pairs + 2 * sub, 2);
        line_char(l, sub_ch[i]);
        return;
    }
    char buf[24];
    line_str(l, format_duration(d, buf));
}

void line_bytes(struct line *l, uint64_t n)
{
    static const char unit[] = "KMGTPE";
    if (n < 1024) {
        line_u64(l, n);
        return;
    }
    if (n < (1ULL << 53)) {
        /* format_bytes() divides by 1024 until below 1024: exact in a double */
        int u = 0, shift = 10;
        while (n >> shift >= 1024) {
            u++;
            shift += 10;
        }
        uint64_t half = 1ULL << (shift - 1), mask = (1ULL << shift) - 1;
        if (n < 10ULL << shift) {
            uint64_t t = n * 10, q = t >> shift, r = t & mask;   /* tenths */
            if (r != half) {
                line_fixed(l, q + (r > half), 1);
                line_char(l, unit[u]);
                return;
            }
        } else {
            uint64_t q = n >> shift, r = n & mask;
            if (r != half) {
                line_u64(l, q + (r > half));
                line_char(l, unit[u]);
                return;
            }
        }
    }
    char buf[16];
    line_str(l, format_bytes(n, buf));
}

void line_percent(struct line *l, uint32_t part, uint32_t whole)
{
    if (!whole) {
        line_lit(l, "0.0");
        return;
    }
    /* Within 0..100 the double's error is far below the distance between
     * a non-tie quotient and a rounding boundary (1/(20 * whole)). */
    uint64_t t = (uint64_t)part * 1000, q = t / whole, r2 = (t % whole) * 2;
    if (part <= whole && r2 != whole) {
        line_fixed(l, q + (r2 > whole), 1);
        return;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "%.1f", 100.0 * part / whole);
    line_str(l, buf);
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
    line_json_mem(l, str, strlen(str));
}

void line_json_mem(struct line *l, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
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
