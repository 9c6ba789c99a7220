/* test_outwriter.c - the report's writing thread (src/outwriter.c).
 *
 * What goes into the front stream must come out of the destination byte for
 * byte and in order, whatever the sizes of the writes (single characters,
 * printf, writes larger than a block, writes ending exactly on a block's
 * end), after what the destination already held; a slow reader at the far
 * end of a pipe must hold the writer back without losing or reordering
 * anything; and a failing destination must make the front stream's writes
 * fail soon after and outwriter_finish() report the errno. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outwriter.h"
#include "unit.h"

#define BLOCK (256u * 1024u)    /* outwriter.c's block size, to write around */

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t next_rand(void) { return unit_rand(&rng); }

/* Write `total` bytes of pattern into f in writes of varied sizes and
 * kinds; the bytes written are kept in *expect. */
static size_t write_mixed(FILE *f, unsigned char *expect, size_t total)
{
    size_t n = 0;
    int kind = 0;
    while (n < total) {
        size_t len;
        int what = kind++ % 6;
        switch (what) {
        case 0: len = 1; break;                                 /* fputc */
        case 1: len = 1 + next_rand() % 900; break;             /* a line */
        case 2: len = BLOCK - (n % BLOCK); break;               /* to a block's end */
        case 3: len = BLOCK + 1 + next_rand() % BLOCK; break;   /* more than a block */
        case 4: len = 0; break;                                 /* printf */
        default: len = next_rand() % 64; break;
        }
        if (len > total - n)
            len = total - n;
        if (what == 4) {
            char text[32];
            int k = snprintf(text, sizeof text, "<%zu>", n);
            if ((size_t)k > total - n)
                k = (int)(total - n);
            memcpy(expect + n, text, (size_t)k);
            CHECK(fprintf(f, "%.*s", k, text) == k);
            n += (size_t)k;
            continue;
        }
        for (size_t i = 0; i < len; i++)
            expect[n + i] = (unsigned char)next_rand();
        if (len == 1)
            CHECK(fputc(expect[n], f) == expect[n]);
        else
            CHECK(fwrite(expect + n, 1, len, f) == len);
        n += len;
    }
    return n;
}

static void test_round_trip(void)
{
    FILE *dest = tmpfile();
    CHECK(dest != NULL);
    if (!dest)
        return;
    /* buffered in dest, not yet written: must come first */
    CHECK(fputs("head\n", dest) >= 0);
    struct outwriter *w;
    FILE *front = outwriter_start(dest, &w);
    CHECK(front != NULL && w != NULL);
    if (!front)
        return;
    size_t total = 3 * BLOCK * 4 + 12345;   /* three times round the ring */
    unsigned char *expect = malloc(total);
    size_t n = write_mixed(front, expect, total);
    CHECK(n == total);
    CHECK(outwriter_finish(w));

    /* dest is still open, and holds everything */
    CHECK(fseek(dest, 0, SEEK_END) == 0);
    CHECK_EQ((long)(total + 5), ftell(dest));
    rewind(dest);
    char head[5];
    CHECK(fread(head, 1, 5, dest) == 5 && !memcmp(head, "head\n", 5));
    unsigned char *got = malloc(total);
    CHECK(fread(got, 1, total, dest) == total);
    size_t first_diff = total;
    for (size_t i = 0; i < total; i++)
        if (got[i] != expect[i]) {
            first_diff = i;
            break;
        }
    CHECKF(first_diff == total, "first difference at byte %zu of %zu", first_diff, total);
    free(got);
    free(expect);
    fclose(dest);
}

/* The far end of a pipe, reading slowly. */
struct slow_reader {
    int fd;
    unsigned char *got;
    size_t cap, n;
};

static void *read_slowly(void *arg)
{
    struct slow_reader *r = arg;
    struct timespec pause = { 0, 2 * 1000 * 1000 };
    for (;;) {
        size_t want = r->cap - r->n < 65536 ? r->cap - r->n : 65536;
        if (want == 0)
            want = 1;       /* to see the end, or bytes beyond what was sent */
        unsigned char spill[1];
        ssize_t k = read(r->fd, r->n < r->cap ? r->got + r->n : spill, want);
        if (k <= 0)
            break;
        r->n += (size_t)k;
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void test_slow_pipe(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    size_t total = 10 * BLOCK + 777;    /* more than the ring and the pipe hold */
    struct slow_reader r = { .fd = fds[0], .got = malloc(total), .cap = total };
    pthread_t t;
    CHECK(pthread_create(&t, NULL, read_slowly, &r) == 0);
    FILE *dest = fdopen(fds[1], "w");
    struct outwriter *w;
    FILE *front = outwriter_start(dest, &w);
    CHECK(front != NULL);
    if (!front)
        return;
    unsigned char *expect = malloc(total);
    CHECK(write_mixed(front, expect, total) == total);
    CHECK(outwriter_finish(w));
    fclose(dest);           /* the reader sees the end */
    pthread_join(t, NULL);
    close(fds[0]);
    CHECK_EQ((uint64_t)total, (uint64_t)r.n);
    CHECK(r.n == total && !memcmp(r.got, expect, total));
    free(expect);
    free(r.got);
}

static void test_failing_destination(void)
{
    FILE *dest = fopen("/dev/full", "w");
    CHECK(dest != NULL);
    if (!dest)
        return;
    struct outwriter *w;
    FILE *front = outwriter_start(dest, &w);
    CHECK(front != NULL);
    if (!front)
        return;
    /* The first block the thread writes fails; the caller can fill at most
     * the ring's blocks before it needs one back, so its writes must fail
     * within a few blocks.  64 MiB bounds the loop. */
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    size_t written = 0;
    bool failed = false;
    while (written < 64u * 1024 * 1024) {
        if (fwrite(chunk, 1, sizeof chunk, front) != sizeof chunk) {
            failed = true;
            break;
        }
        written += sizeof chunk;
    }
    CHECKF(failed && written <= 8 * BLOCK, "front writes still succeeded after %zu bytes", written);
    CHECK(ferror(front));
    errno = 0;
    CHECK(!outwriter_finish(w));
    CHECK_EQ(ENOSPC, errno);
    fclose(dest);
}

int main(void)
{
    test_round_trip();
    test_slow_pipe();
    test_failing_destination();
    return unit_done("outwriter");
}
