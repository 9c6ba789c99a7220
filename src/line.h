/* line.h - building one output line in memory, fast.
 *
 * JSON lines are written one per connection, so formatting them is on a
 * path that runs a million times: printf's format parsing dominates it.
 * These helpers append literals, integers and times to a fixed buffer
 * without parsing formats, and the line is written with a single fwrite.
 * A line that would overflow is cut short and marked (`over`), never written
 * past the buffer. */
#ifndef TCPFSM_LINE_H
#define TCPFSM_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "segment.h"

#define LINE_CAP 8192

struct line {
    size_t n;
    bool over;
    /* line_epoch()'s last time as it wrote it: its whole seconds and the
     * '.' ("-9223372036854775808." at most, sec_len bytes), then the six
     * digits of its microsecond `us`; none while sec_len is 0.  A line's
     * times are close together, often the same (a connection's end and
     * its endpoints' state changes). */
    uint8_t sec_len;
    int32_t us;
    int64_t sec;
    char epoch[32];
    char b[LINE_CAP];
};

/* A new, empty line (a static one is new as it is). */
static inline void line_init(struct line *l)
{
    l->n = 0;
    l->over = false;
    l->sec_len = 0;
    memset(l->epoch, 0, sizeof l->epoch);   /* copied whole */
}

/* Empty again, for the next line: what line_epoch() remembers stays. */
static inline void line_clear(struct line *l)
{
    l->n = 0;
    l->over = false;
}

/* What does not fit: as much as fits, and the line marked.  Out of line,
 * so that the common case below is a compare and a copy of known length. */
void line_mem_cut(struct line *l, const char *s, size_t len);

/* Always inline (a profile-guided build had made it a function of its
 * own, and every key's copy a call to memcpy of a length it no longer
 * knew): with the length known, the copy is a few moves. */
#if defined(__GNUC__)
#define LINE_INLINE static inline __attribute__((always_inline))
#else
#define LINE_INLINE static inline
#endif

LINE_INLINE void line_mem(struct line *l, const char *s, size_t len)
{
    if (__builtin_expect(len > LINE_CAP - l->n, 0)) {
        line_mem_cut(l, s, len);
        return;
    }
    memcpy(l->b + l->n, s, len);
    l->n += len;
}

static inline void line_str(struct line *l, const char *s) { line_mem(l, s, strlen(s)); }
/* A string literal, its length known at compile time. */
#define line_lit(l, s) line_mem((l), "" s, sizeof(s) - 1)

static inline void line_char(struct line *l, char c) { line_mem(l, &c, 1); }

void line_u64(struct line *l, uint64_t v);
/* Seconds since the epoch with six decimals, as print_epoch(). */
void line_epoch(struct line *l, tstamp_t ts);
/* Nanoseconds as milliseconds with three decimals (rounded down to the
 * microsecond), as printf("%.3f", ns / 1e6) gives for whole microseconds. */
void line_ms(struct line *l, int64_t ns);
/* v / 10^decimals with that many decimals (decimals 1 or 2): "12.5". */
void line_fixed(struct line *l, uint64_t v, int decimals);
/* A duration as format_duration() writes it ("850us", "12.5ms", "3.25s",
 * "14m02s"), byte for byte. */
void line_duration(struct line *l, tstamp_t d);
/* A byte count as format_bytes() writes it ("512", "1.5K", "23M"), byte
 * for byte. */
void line_bytes(struct line *l, uint64_t n);
/* 100 * part / whole with one decimal, as printf("%.1f", 100.0 * part /
 * whole) writes it; "0.0" when whole is 0. */
void line_percent(struct line *l, uint32_t part, uint32_t whole);
/* A JSON string, quoted and escaped, as print_json_string(). */
void line_json_string(struct line *l, const char *s);
/* The same for len bytes at s (a NUL among them is escaped). */
void line_json_mem(struct line *l, const char *s, size_t len);
/* Write the line; false on an output error. */
bool line_write(struct line *l, FILE *f);

#endif
