/* format.c - formatting helpers. */
#include "format.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

const char *format_addr_port(const struct flow_addr *a, uint16_t port, char buf[ENDPOINT_STRLEN])
{
    char ab[ADDR_STRLEN];
    addr_format(a, ab);
    snprintf(buf, ENDPOINT_STRLEN, a->family == 6 ? "[%s]:%u" : "%s:%u", ab, port);
    return buf;
}

const char *format_endpoint(const struct conn *c, int role, char buf[ENDPOINT_STRLEN])
{
    struct flow_addr a;
    conn_addr(c, role, &a);
    return format_addr_port(&a, conn_port(c, role), buf);
}

int wrap_width(const char *p, int room)
{
    int n = (int)strlen(p);
    if (n <= room)
        return n;
    n = room;
    while (n > 0 && p[n] != ' ')
        n--;
    return n > 0 ? n : room;   /* a word longer than the line is cut */
}

const char *format_time(tstamp_t ts, char buf[40])
{
    time_t sec = (time_t)(ts / TS_PER_SEC);
    long usec = (long)((ts % TS_PER_SEC) / 1000);
    if (usec < 0) {
        usec += 1000000;
        sec--;
    }
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, 40, "?");
        return buf;
    }
    char d[24];
    strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, 40, "%s.%06ld", d, usec);
    return buf;
}

const char *format_duration(tstamp_t d, char buf[24])
{
    if (d < 0)
        d = 0;
    int64_t us = d / 1000;
    if (us < 1000)
        snprintf(buf, 24, "%" PRId64 "us", us);
    else if (us < 1000000)
        snprintf(buf, 24, "%.1fms", (double)us / 1e3);
    else if (us < 60 * 1000000LL)
        snprintf(buf, 24, "%.2fs", (double)us / 1e6);
    else {
        int64_t s = us / 1000000;
        if (s < 3600)
            snprintf(buf, 24, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
        else if (s < 86400)
            snprintf(buf, 24, "%" PRId64 "h%02" PRId64 "m", s / 3600, (s % 3600) / 60);
        else
            snprintf(buf, 24, "%" PRId64 "d%02" PRId64 "h", s / 86400, (s % 86400) / 3600);
    }
    return buf;
}

const char *format_bytes(uint64_t n, char buf[16])
{
    static const char unit[] = "KMGTPE";
    if (n < 1024) {
        snprintf(buf, 16, "%" PRIu64, n);
        return buf;
    }
    double v = (double)n;
    int u = -1;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    snprintf(buf, 16, v < 10 ? "%.1f%c" : "%.0f%c", v, unit[u]);
    return buf;
}

void print_epoch(FILE *out, tstamp_t ts)
{
    int64_t sec = ts / TS_PER_SEC, ns = ts % TS_PER_SEC;
    if (ns < 0) {
        ns += TS_PER_SEC;
        sec--;
    }
    fprintf(out, "%" PRId64 ".%06" PRId64, sec, ns / 1000);
}

int utf8_seq_len(const unsigned char *s)
{
    int n;
    if (s[0] < 0x80)
        return 1;
    else if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
        n = 2;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 3;
    else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* Well-formed only (RFC 3629): no overlong three- or four-byte forms, no
     * UTF-16 surrogates, nothing above U+10FFFF - a strict JSON reader
     * refuses them. */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
        (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

void print_json_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', out);
    while (*s) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', out);
            fputc(*s++, out);
        } else if (*s < 0x20 || *s == 0x7f) {
            fprintf(out, "\\u%04x", *s++);
        } else {
            int n = utf8_seq_len(s);
            if (n == 0) {
                fputs("\\ufffd", out);
                s++;
            } else {
                fwrite(s, 1, (size_t)n, out);
                s += n;
            }
        }
    }
    fputc('"', out);
}
