/* test_feed.c - the reading stage of -r (src/feed.h): how many threads it
 * uses, and that the batches come in capture order whoever fills them.
 *
 * Threads: --threads wins whatever the file; without it, a regular file
 * smaller than FEED_SMALL_FILE is read in one thread, and anything else - a
 * larger file, or a pipe, whose size is not known (UINT64_MAX) - gets the
 * default for the machine's processors.
 *
 * Order: a capture of PACKETS TCP segments, each with its own sequence
 * number, is read in one thread, in two, in two with the reading thread
 * held back (the caller must then fill every batch itself), and in two
 * from a FIFO (where the caller must never read: it would wait for the
 * writer with the stopping signals blocked).  Each time the segments must
 * come out all, once, in the file's order, with the same duplicate
 * outcomes.  And capture_never_waits(), which decides whether the caller
 * may read: not when any input is a pipe or compressed. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feed.h"
#include "unit.h"

#define PACKETS 20000       /* about 78 batches */

static void put(FILE *f, const void *p, size_t n) { fwrite(p, 1, n, f); }
static void be16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xffff); }

/* Linux cooked (SLL: a capture on "any"), IPv4 192.0.2.x -> 198.51.100.1,
 * TCP ACK with seq = i; every 97th packet is the one before seen again at
 * the same time, as on a second interface (the duplicate filter's
 * business). */
static void write_capture(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    uint32_t hdr[6] = {0xa1b2c3d4, 2u | 4u << 16, 0, 0, 65535, 113};
    put(f, hdr, sizeof hdr);
    for (uint32_t i = 0; i < PACKETS; i++) {
        uint32_t id = i % 97 == 96 ? i - 1 : i;     /* the copy of the packet before */
        uint8_t p[56] = {0};
        be16(p + 2, 772);           /* ARPHRD_LOOPBACK */
        be16(p + 14, 0x0800);
        uint8_t *ip = p + 16;
        ip[0] = 0x45;
        be16(ip + 2, 40);
        be16(ip + 4, (unsigned)id & 0xffff);
        ip[8] = 64;
        ip[9] = 6;
        ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = (uint8_t)(1 + id % 200);
        ip[16] = 198, ip[17] = 51, ip[18] = 100, ip[19] = 1;
        uint8_t *tcp = ip + 20;
        be16(tcp, 1024 + id % 5000);
        be16(tcp + 2, 80);
        be32(tcp + 4, id);
        be32(tcp + 8, 1);
        tcp[12] = 5 << 4;
        tcp[13] = 0x10;
        be16(tcp + 14, 65535);
        uint32_t rec[4] = {1700000000u + id / 1000, (id % 1000) * 1000, sizeof p, sizeof p};
        put(f, rec, sizeof rec);
        put(f, p, sizeof p);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

struct result {
    uint32_t n;
    uint64_t pktno[PACKETS];
    uint32_t seq[PACKETS];
    struct run_info info;
    unsigned caller_batches, batches;
};

static void read_all(const char *path, int threads, struct result *r)
{
    char err[512];
    memset(r, 0, sizeof *r);
    struct capture *cap = capture_open_file(path, err, sizeof err);
    CHECK(cap != NULL);
    if (!cap) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    struct run_info info;
    memset(&info, 0, sizeof info);
    volatile sig_atomic_t stop = 0;
    struct feed *f = feed_start(cap, &info, &stop, threads, NULL, 0);
    CHECK(f != NULL);
    for (struct feed_batch *b; f && (b = feed_next(f));) {
        r->batches++;
        CHECK(b->n >= 1 && b->n <= FEED_BATCH);
        for (uint32_t i = 0; i < b->n && r->n < PACKETS; i++, r->n++) {
            r->pktno[r->n] = b->seg[i].pktno;
            r->seq[r->n] = b->seg[i].seq;
        }
    }
    if (f) {
        unsigned moves;
        feed_counts(f, &r->caller_batches, &moves);
        CHECK(feed_end(f) == CAPTURE_END);
    }
    r->info = info;
    capture_close(cap);
}

static void same_order(const struct result *a, const struct result *b, const char *what)
{
    CHECKF(a->n == b->n, "%s: %u segments against %u", what, b->n, a->n);
    /* the counts kept by whoever held the read token */
    for (int o = 0; o < DEC__COUNT; o++)
        CHECKF(a->info.outcome[o] == b->info.outcome[o], "%s: outcome %d: %" PRIu64 " against %" PRIu64, what, o,
               b->info.outcome[o], a->info.outcome[o]);
    CHECKF(a->info.wire_bytes == b->info.wire_bytes, "%s: wire bytes", what);
    CHECKF(a->info.first_ts == b->info.first_ts && a->info.last_ts == b->info.last_ts, "%s: first and last times",
           what);
    uint32_t n = a->n < b->n ? a->n : b->n, wrong = 0;
    for (uint32_t i = 0; i < n; i++)
        wrong += a->pktno[i] != b->pktno[i] || a->seq[i] != b->seq[i];
    CHECKF(wrong == 0, "%s: %u segments out of place", what, wrong);
}

static struct result one, two, held, mixed, fifo;

int main(void)
{
    /* told */
    CHECK(feed_pick_threads(1, UINT64_MAX, 2) == 1);
    CHECK(feed_pick_threads(2, 0, 2) == 2);
    CHECK(feed_pick_threads(2, 100, 1) == 2);
    /* not told: small regular files in one thread */
    CHECK(feed_pick_threads(0, 0, 2) == 1);
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE - 1, 2) == 1);
    /* larger files and pipes: the machine's default */
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE, 2) == 2);
    CHECK(feed_pick_threads(0, (uint64_t)40 << 30, 2) == 2);
    CHECK(feed_pick_threads(0, UINT64_MAX, 2) == 2);
    CHECK(feed_pick_threads(0, UINT64_MAX, 1) == 1);
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE, 1) == 1);

    char dir[] = "/tmp/test_feed.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[64], fifo_path[64];
    snprintf(path, sizeof path, "%s/c.pcap", dir);
    snprintf(fifo_path, sizeof fifo_path, "%s/fifo", dir);
    write_capture(path);

    /* one thread: the reference */
    read_all(path, 1, &one);
    CHECK_EQ(one.n, PACKETS - PACKETS / 97);
    CHECK_EQ(one.info.outcome[DEC_DUPLICATE], PACKETS / 97);
    CHECK_EQ(one.info.wire_bytes, (uint64_t)PACKETS * 56);
    CHECK_EQ(one.caller_batches, 0);        /* (counted only beside a reading thread) */
    for (uint32_t i = 1; i < one.n; i++)
        if (one.pktno[i] <= one.pktno[i - 1]) {
            CHECKF(0, "packet numbers not increasing at %u", i);
            break;
        }

    /* two threads, as they come: the same, whoever filled which batch */
    for (int round = 0; round < 20; round++) {
        read_all(path, 2, &two);
        same_order(&one, &two, "two threads");
        CHECK(two.caller_batches <= two.batches);
    }

    /* the reading thread held back: the caller fills every batch */
    feed_hold_reader_for_test(UINT32_MAX);
    read_all(path, 2, &held);
    same_order(&one, &held, "reader held");
    CHECK_EQ(held.caller_batches, held.batches);
    CHECK(held.batches >= PACKETS / FEED_BATCH);

    /* held for the first 10 batches, then both fill them */
    feed_hold_reader_for_test(10);
    read_all(path, 2, &mixed);
    feed_hold_reader_for_test(0);
    same_order(&one, &mixed, "reader held for 10 batches");
    CHECK(mixed.caller_batches >= 10 && mixed.caller_batches <= mixed.batches);

    /* a FIFO: the caller never reads, the reading thread does it all */
    if (mkfifo(fifo_path, 0600) != 0) {
        perror("mkfifo");
        return 1;
    }
    pid_t writer = fork();
    if (writer == 0) {
        int in = open(path, O_RDONLY), out = open(fifo_path, O_WRONLY);
        char buf[65536];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(0);
    }
    read_all(fifo_path, 2, &fifo);
    int status = 0;
    waitpid(writer, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    same_order(&one, &fifo, "from a FIFO");
    CHECK_EQ(fifo.caller_batches, 0);

    /* whether the caller may read: regular files only, none compressed */
    char gz_path[64];
    snprintf(gz_path, sizeof gz_path, "%s/c.pcap.gz", dir);
    FILE *gz = fopen(gz_path, "wb");
    CHECK(gz && fwrite("\x1f\x8b\x08\x00\x00\x00\x00\x00", 1, 8, gz) == 8 && fclose(gz) == 0);
    struct {
        const char *paths[2];
        int n;
        bool never_waits;
    } inputs[] = {
        {{path}, 1, true},
        {{path, path}, 2, true},
        {{path, gz_path}, 2, false},        /* the second read through gzip's pipe */
        {{path, fifo_path}, 2, false},
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char err[512];
        struct capture *cap = capture_open_files(inputs[i].paths, NULL, inputs[i].n, err, sizeof err);
        CHECKF(cap != NULL, "inputs %zu: %s", i, err);
        if (cap) {
            CHECKF(capture_never_waits(cap) == inputs[i].never_waits, "inputs %zu", i);
            capture_close(cap);
        }
    }

    unlink(gz_path);
    unlink(fifo_path);
    unlink(path);
    rmdir(dir);
    return unit_done("test_feed");
}
