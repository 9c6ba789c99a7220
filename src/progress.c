/* progress.c - how far the reading of a long capture has come (progress.h). */
#include "progress.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "format.h"

/* Set by SIGUSR1 (progress_request()), taken back by the line it asked for. */
static volatile sig_atomic_t requested;

static uint64_t now_ns(void)
{
    struct timespec ts;
    /* The coarse clock (a few milliseconds' resolution, read without
     * entering the kernel) is all a once-a-second line needs. */
#ifdef CLOCK_MONOTONIC_COARSE
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The terminal's width now (its window may have been resized since the
 * last line: asked each time, a system call a second). */
static void ask_width(struct progress *p)
{
    struct winsize ws;
    if (p->terminal && ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        p->width = ws.ws_col;
}

void progress_init(struct progress *p, int fd, bool terminal, unsigned interval_ms, const char *label)
{
    memset(p, 0, sizeof *p);
    p->fd = fd;
    p->terminal = terminal;
    p->width = 80;
    ask_width(p);
    p->interval_ns = interval_ms == PROGRESS_ON_REQUEST ? UINT64_MAX : (uint64_t)interval_ms * 1000000u;
    progress_restart(p, label);
}

void progress_restart(struct progress *p, const char *label)
{
    p->label = label;
    p->start_ns = now_ns();
    p->next_ns = p->interval_ns == UINT64_MAX ? UINT64_MAX : p->start_ns + p->interval_ns;
}

void progress_request(int sig)
{
    (void)sig;
    requested = 1;
}

bool progress_due(struct progress *p)
{
    if (requested)
        return true;
    return p->next_ns != UINT64_MAX && now_ns() >= p->next_ns;
}

/* n in thousands: "12.3k", "98.2M" with units "kMGTPE" and sep "", or
 * "12.3 kB" with units {"kB", ...} and sep " "; n >= 1000.  One decimal
 * below 100, and never "1000": that is the next unit's "1.0". */
static void thousands_text(char *buf, size_t len, double n, const char *const unit[], const char *sep)
{
    double v = n / 1000;
    int u = 0;
    while (v >= 999.5 && unit[u + 1]) {
        v /= 1000;
        u++;
    }
    snprintf(buf, len, v < 99.95 ? "%.1f%s%s" : "%.0f%s%s", v, sep, unit[u]);
}

/* "950 B", "12.3 kB" ... "1.2 TB": decimal units, as disk sizes are sold
 * and as `ls --si` and dd print them. */
static void bytes_text(char *buf, size_t len, uint64_t n)
{
    static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB", "EB", NULL };
    if (n < 1000)
        snprintf(buf, len, "%u B", (unsigned)n);
    else
        thousands_text(buf, len, (double)n, unit, " ");
}

/* "9999", "12.3k", "98.2M", "1.2G" */
static void count_text(char *buf, size_t len, double n)
{
    static const char *const unit[] = { "k", "M", "G", "T", NULL };
    if (n < 10000)
        snprintf(buf, len, "%.0f", n);
    else
        thousands_text(buf, len, n, unit, "");
}

/* "45s" to the second; from a minute on, format_duration()'s "1m30s",
 * "2h05m", "3d04h" */
static void duration_text(char buf[24], double s)
{
    uint64_t t = s < 0 ? 0 : s > 3.6e8 ? 360000000u : (uint64_t)(s + 0.5);
    if (t < 60)
        snprintf(buf, 24, "%us", (unsigned)t);
    else
        format_duration((tstamp_t)t * TS_PER_SEC, buf);
}

int progress_format(char *buf, size_t len, uint64_t pos, uint64_t total, uint64_t records, uint64_t elapsed_ns)
{
    char read[24], size[24], pkts[24], rate[24], left[24];
    double secs = (double)elapsed_ns / 1e9;
    bytes_text(read, sizeof read, pos);
    count_text(pkts, sizeof pkts, (double)records);
    if (secs > 0)
        count_text(rate, sizeof rate, (double)records / secs);
    else
        snprintf(rate, sizeof rate, "?");
    const char *noun = records == 1 ? "packet" : "packets";
    if (total == PROGRESS_NO_TOTAL || pos > total || total == 0)
        return snprintf(buf, len, "%s read, %s %s at %s/s", read, pkts, noun, rate);
    bytes_text(size, sizeof size, total);
    /* The share rounded down, so that 100% means all of it. */
    unsigned pct = (unsigned)((double)pos * 100 / (double)total);
    if (pos == 0 || secs <= 0)
        return snprintf(buf, len, "%s of %s (%u%%), %s %s at %s/s", read, size, pct, pkts, noun, rate);
    /* The time left at the average rate so far. */
    duration_text(left, secs * (double)(total - pos) / (double)pos);
    return snprintf(buf, len, "%s of %s (%u%%), %s %s at %s/s, %s left", read, size, pct, pkts, noun, rate,
                    left);
}

/* write() all of it; a terminal that will not take the line (closed, or
 * full while suspended) is not worth waiting for. */
static void put(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void progress_show(struct progress *p, uint64_t pos, uint64_t total, uint64_t records)
{
    uint64_t now = now_ns();
    requested = 0;
    if (p->interval_ns != UINT64_MAX)
        p->next_ns = now + p->interval_ns;
    char text[160];
    progress_format(text, sizeof text, pos, total, records, now - p->start_ns);
    if (!p->terminal) {
        char line[200];
        int n = snprintf(line, sizeof line, "tcpfsm: %s%s\n", p->label, text);
        put(p->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        return;
    }
    /* Over the line before, in one write: a carriage return, the new text
     * cut so that it never wraps, and if the old one was longer, blanks
     * over the rest of it and the text again (the cursor at its end). */
    ask_width(p);
    char line[2 * 200 + 2];
    size_t room = (size_t)p->width - 1 < 198 ? (size_t)p->width - 1 : 198;
    char cut[200];
    int n = snprintf(cut, sizeof cut, "tcpfsm: %s%s", p->label, text);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof cut ? (size_t)n : sizeof cut - 1;
    if (len > room) {
        /* too wide: whole parts only, as many as fit */
        len = room;
        while (len > 8 && !(cut[len] == ',' && cut[len + 1] == ' '))
            len--;
        if (len <= 8)
            len = room;
    }
    size_t k = 0;
    line[k++] = '\r';
    memcpy(line + k, cut, len);
    k += len;
    if (p->shown > len) {
        memset(line + k, ' ', p->shown - len);
        k += p->shown - len;
        line[k++] = '\r';
        memcpy(line + k, cut, len);
        k += len;
    }
    put(p->fd, line, k);
    p->shown = len;
}

void progress_clear(struct progress *p)
{
    if (!p->terminal || !p->shown)
        return;
    /* (one write: a carriage return, blanks over the line, a return) */
    char blank[200 + 2];
    size_t n = p->shown < sizeof blank - 2 ? p->shown : sizeof blank - 2;
    blank[0] = '\r';
    memset(blank + 1, ' ', n);
    blank[n + 1] = '\r';
    put(p->fd, blank, n + 2);
    p->shown = 0;
}
