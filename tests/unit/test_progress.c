/* test_progress.c - the progress line's text and how it is written
 * (src/progress.h).  When the line appears in a real run, on a pipe, a
 * compressed file and a terminal, is tests/cli/progress.sh's. */
#include "progress.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define SEC 1000000000ull

/* s starts with the literal prefix p */
#define STARTS(s, p) (strncmp((s), (p), sizeof(p) - 1) == 0)

static const char *fmt(uint64_t pos, uint64_t total, uint64_t records, uint64_t elapsed_ns)
{
    static char buf[200];
    int n = progress_format(buf, sizeof buf, pos, total, records, elapsed_ns);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    return buf;
}

/* Everything written to the pipe so far. */
static const char *drain(int fd)
{
    static char buf[2048];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

int main(void)
{
    /* a file: the share (rounded down), the rate so far, the time left at it */
    CHECK_STREQ(fmt(12300000000ull, 48000000000ull, 98200000, 80 * SEC),
              "12.3 GB of 48.0 GB (25%), 98.2M packets at 1.2M/s, 3m52s left");
    CHECK_STREQ(fmt(1000, 1000, 1, 1 * SEC), "1.0 kB of 1.0 kB (100%), 1 packet at 1/s, 0s left");
    CHECK_STREQ(fmt(500, 1000, 20, 2 * SEC), "500 B of 1.0 kB (50%), 20 packets at 10/s, 2s left");
    CHECK_STREQ(fmt(1, 7200, 123456, 1 * SEC),
              "1 B of 7.2 kB (0%), 123k packets at 123k/s, 1h59m left");
    /* nothing read yet: no time left to tell */
    CHECK_STREQ(fmt(0, 5000, 0, 1 * SEC), "0 B of 5.0 kB (0%), 0 packets at 0/s");

    /* unit boundaries: rounding up to the next unit, not to "1000.0" */
    CHECK_STREQ(fmt(999999, PROGRESS_NO_TOTAL, 9999, SEC), "1.0 MB read, 9999 packets at 9999/s");
    CHECK_STREQ(fmt(999499, PROGRESS_NO_TOTAL, 10000, SEC), "999 kB read, 10.0k packets at 10.0k/s");
    CHECK_STREQ(fmt(999500, PROGRESS_NO_TOTAL, 999499, SEC), "1.0 MB read, 999k packets at 999k/s");
    CHECK_STREQ(fmt(99949, PROGRESS_NO_TOTAL, 999500, SEC), "99.9 kB read, 1.0M packets at 1.0M/s");
    CHECK_STREQ(fmt(99950, PROGRESS_NO_TOTAL, 99950, SEC), "100 kB read, 100k packets at 100k/s");
    CHECK_STREQ(fmt(123456789, PROGRESS_NO_TOTAL, 999950000, 10 * SEC),
              "123 MB read, 1.0G packets at 100M/s");
    CHECK_STREQ(fmt(5ull << 50, PROGRESS_NO_TOTAL, 1, SEC), "5.6 PB read, 1 packet at 1/s");

    /* a pipe, or a file that grew past the size it had: no share, no time left */
    CHECK_STREQ(fmt(950, PROGRESS_NO_TOTAL, 3, SEC), "950 B read, 3 packets at 3/s");
    CHECK_STREQ(fmt(2000, 1000, 3, SEC), "2.0 kB read, 3 packets at 3/s");
    CHECK_STREQ(fmt(0, 0, 0, SEC), "0 B read, 0 packets at 0/s");
    /* no time gone: no rate */
    CHECK_STREQ(fmt(950, PROGRESS_NO_TOTAL, 3, 0), "950 B read, 3 packets at ?/s");

    /* a short buffer: cut, and the length it wanted */
    char small[10];
    CHECK(progress_format(small, sizeof small, 950, PROGRESS_NO_TOTAL, 3, SEC) == 28);
    CHECK_STREQ(small, "950 B rea");

    int p[2];
    CHECK(pipe(p) == 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    struct progress pr;

    /* not a terminal: a line each time, nothing to erase */
    progress_init(&pr, p[1], false, 0, "");
    CHECK(progress_due(&pr));
    progress_show(&pr, 950, PROGRESS_NO_TOTAL, 3);
    progress_show(&pr, 1950, PROGRESS_NO_TOTAL, 6);
    progress_clear(&pr);
    const char *out = drain(p[0]);
    CHECK(STARTS(out, "tcpfsm: 950 B read, 3 packets at "));
    CHECK(strstr(out, "/s\ntcpfsm: 1.9 kB read, 6 packets at ") != NULL);
    CHECK(out[strlen(out) - 1] == '\n' && strchr(out, '\r') == NULL);

    /* the first line is due only after the interval */
    progress_init(&pr, p[1], false, 60000, "");
    CHECK(!progress_due(&pr));

    /* only when asked: SIGUSR1 (the handler installed as main.c does) makes
     * one line due, and that line takes the request back */
    progress_init(&pr, p[1], false, PROGRESS_ON_REQUEST, "");
    CHECK(!progress_due(&pr));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = progress_request;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK(raise(SIGUSR1) == 0);
    CHECK(progress_due(&pr));
    CHECK(progress_due(&pr));       /* (looking does not take it back) */
    progress_show(&pr, 950, PROGRESS_NO_TOTAL, 3);
    CHECK(!progress_due(&pr));
    CHECK(STARTS(drain(p[0]), "tcpfsm: 950 B read, 3 packets at "));
    /* a second pass: the same line from the start, its own heading */
    progress_restart(&pr, "-w, second pass: ");
    CHECK(!progress_due(&pr));
    CHECK(raise(SIGUSR1) == 0);
    CHECK(progress_due(&pr));
    progress_show(&pr, 950, PROGRESS_NO_TOTAL, 3);
    CHECK(STARTS(drain(p[0]), "tcpfsm: -w, second pass: 950 B read, 3 packets at "));

    /* a terminal: the line rewritten in place; a shorter one blanks the
     * longer one's end and is written again, so the cursor ends after it;
     * cleared at the end */
    progress_init(&pr, p[1], true, 0, "-w, second pass: ");
    CHECK(pr.width == 80);          /* (a pipe has no size: the default) */
    progress_show(&pr, 123456789, PROGRESS_NO_TOTAL, 999950000);
    out = drain(p[0]);
    CHECK(out[0] == '\r' && STARTS(out + 1, "tcpfsm: -w, second pass: 123 MB read, 1.0G packets at "));
    size_t first = strlen(out) - 1;
    CHECK(pr.shown == first && strchr(out, '\n') == NULL);
    progress_show(&pr, 950, PROGRESS_NO_TOTAL, 3);
    out = drain(p[0]);
    size_t second = pr.shown;
    CHECK(second < first);
    CHECK(strlen(out) == 1 + second + (first - second) + 1 + second);
    CHECK(out[0] == '\r' && out[1 + first] == '\r');
    CHECK(strspn(out + 1 + second, " ") == first - second);
    CHECK(memcmp(out + 1, out + 2 + first, second) == 0);
    progress_clear(&pr);
    out = drain(p[0]);
    CHECK(strlen(out) == second + 2 && out[0] == '\r' && out[second + 1] == '\r' &&
          strspn(out + 1, " ") == second);
    CHECK(pr.shown == 0);
    progress_clear(&pr);            /* nothing shown: nothing written */
    CHECK_STREQ(drain(p[0]), "");

    /* a narrow terminal: the whole parts that fit (the rate's figure
     * depends on the clock), never a wrapped line; with no comma early
     * enough, cut at the width */
    progress_init(&pr, p[1], true, 0, "");
    pr.width = 60;
    progress_show(&pr, 12300000000ull, 48000000000ull, 98200000);
    out = drain(p[0]);
    CHECK(out[0] == '\r' && STARTS(out + 1, "tcpfsm: 12.3 GB of 48.0 GB (25%), 98.2M packets at "));
    CHECK(pr.shown <= 59 && strlen(out) == 1 + pr.shown);
    CHECK(strcmp(out + pr.shown - 1, "/s") == 0);
    pr.width = 20;
    pr.shown = 0;
    progress_show(&pr, 12300000000ull, 48000000000ull, 98200000);
    CHECK_STREQ(drain(p[0]), "\rtcpfsm: 12.3 GB of ");

    close(p[0]);
    close(p[1]);
    return unit_done("test_progress");
}
