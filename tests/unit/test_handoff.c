/* test_handoff.c - the queue that hands records from one thread to another
 * (src/handoff.h): a producing and a consuming thread pass hundreds of
 * thousands of records of random sizes through the smallest ring, so that
 * records wrap around its end (padding) all the time, and each side at
 * times pauses so that the other must sleep and be woken.  Every record
 * must arrive once, in order, whole and 8-byte aligned, and the run must
 * end (a lost wake-up would hang it: alarm() ends a run that does). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handoff.h"
#include "unit.h"

#define RECORDS 300000

struct rng {
    uint64_t s;
};
static uint64_t next(struct rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* Record i's size: mostly small, now and then up to the largest allowed. */
static size_t size_of(struct rng *r, size_t max)
{
    uint64_t x = next(r);
    return x % 16 == 0 ? (size_t)(x >> 8) % (max + 1) : (size_t)(x >> 8) % 200;
}

static unsigned char byte_of(uint32_t i, size_t k) { return (unsigned char)(i * 31u + k * 7u); }

static void pause_briefly(void)
{
    struct timespec ts = {0, 200000};   /* 0.2 ms: long enough for the other side to run dry */
    nanosleep(&ts, NULL);
}

struct run {
    struct handoff *h;
    size_t max;
    int pause_every;    /* the producer pauses every this many records (0: never) */
};

static void *producer(void *arg)
{
    struct run *run = arg;
    struct rng r = {0x9e3779b97f4a7c15ULL};
    for (uint32_t i = 0; i < RECORDS; i++) {
        size_t n = size_of(&r, run->max);
        unsigned char *p = handoff_reserve(run->h, n);
        if (!p)
            abort();
        for (size_t k = 0; k < n; k++)
            p[k] = byte_of(i, k);
        if (n >= 4)
            memcpy(p, &i, 4);
        handoff_publish(run->h);
        if (run->pause_every && i % (uint32_t)run->pause_every == 0)
            pause_briefly();
    }
    handoff_close(run->h);
    return NULL;
}

/* Consume everything, pausing every `pause_every` records. */
static void consume(struct run *run, int pause_every)
{
    struct rng r = {0x9e3779b97f4a7c15ULL};
    uint32_t i = 0, bad_size = 0, bad_bytes = 0, misaligned = 0;
    const unsigned char *p;
    size_t n;
    while ((p = handoff_take(run->h, &n))) {
        size_t want = size_of(&r, run->max);
        if (n != want)
            bad_size++;
        if ((uintptr_t)p % 8)
            misaligned++;
        uint32_t tag = i;
        if (n >= 4)
            memcpy(&tag, p, 4);
        bool ok = tag == i;
        for (size_t k = n >= 4 ? 4 : 0; k < n && ok; k++)
            ok = p[k] == byte_of(i, k);
        if (!ok)
            bad_bytes++;
        handoff_release(run->h);
        if (pause_every && i % (uint32_t)pause_every == 0)
            pause_briefly();
        i++;
    }
    CHECK_EQ(i, RECORDS);
    CHECK_EQ(bad_size, 0);
    CHECK_EQ(bad_bytes, 0);
    CHECK_EQ(misaligned, 0);
}

static void run_one(size_t capacity, int producer_pause, int consumer_pause)
{
    struct run run = {handoff_create(capacity), 0, producer_pause};
    CHECK(run.h != NULL);
    if (!run.h)
        return;
    run.max = handoff_max_record(run.h);
    CHECK(run.max >= 1000);
    CHECK(handoff_reserve(run.h, run.max + 1) == NULL);     /* too large: refused, nothing reserved */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, producer, &run) == 0);
    consume(&run, consumer_pause);
    pthread_join(t, NULL);
    /* closed and empty: nothing more, at once */
    size_t n;
    CHECK(handoff_take(run.h, &n) == NULL);
    handoff_destroy(run.h);
}

/* One thread, every start offset: records that end exactly at the ring's
 * end (no padding), that would cross it (padding first), and the largest. */
static void test_offsets(void)
{
    struct handoff *h = handoff_create(4096);
    CHECK(h != NULL);
    if (!h)
        return;
    size_t max = handoff_max_record(h), n;
    uint32_t bad = 0;
    for (uint32_t i = 0; i < 20000; i++) {
        /* sizes that walk the write position over every 8-byte offset */
        size_t want = i % 3 == 0 ? max : (size_t)(i * 8 % 1000) + i % 8;
        unsigned char *p = handoff_reserve(h, want);
        if (!p) {
            bad++;
            break;
        }
        for (size_t k = 0; k < want; k++)
            p[k] = byte_of(i, k);
        handoff_publish(h);
        handoff_flush(h);       /* (shown in batches otherwise: this thread would wait for itself) */
        const unsigned char *q = handoff_take(h, &n);
        bool ok = q == p && n == want;
        for (size_t k = 0; ok && k < n; k++)
            ok = q[k] == byte_of(i, k);
        if (!ok && !bad++)
            fprintf(stderr, "record %u of %zu bytes: took %zu bytes at %+td\n", i, want, n, q - p);
        handoff_release(h);
    }
    CHECK_EQ(bad, 0);
    handoff_destroy(h);
}

/* handoff_consumer_asleep(): false for a consumer that has not waited,
 * true once it sleeps on an empty queue, false again once it has been
 * woken and is done (closed). */
static void *take_all(void *arg)
{
    size_t n;
    while (handoff_take(arg, &n))
        handoff_release(arg);
    return NULL;
}

static void test_asleep(void)
{
    struct handoff *h = handoff_create(4096);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK(!handoff_consumer_asleep(h));
    pthread_t t;
    CHECK(pthread_create(&t, NULL, take_all, h) == 0);
    bool seen = false;
    for (int i = 0; i < 5000 && !(seen = handoff_consumer_asleep(h)); i++)
        pause_briefly();                /* at most 1 s */
    CHECK(seen);
    handoff_close(h);
    pthread_join(t, NULL);
    CHECK(!handoff_consumer_asleep(h));
    handoff_destroy(h);
}

/* The batching's promises, in a fixed order: a sleeping consumer is not
 * woken for a few small records, published or flushed (it waits for a
 * quarter of the ring), and gets them all, in order, at close. */
struct counted {
    struct handoff *h;
    _Atomic unsigned got;
    _Atomic bool in_order;
};

static void *count_all(void *arg)
{
    struct counted *c = arg;
    const uint64_t *p;
    size_t n;
    while ((p = handoff_take(c->h, &n))) {
        if (n != sizeof *p || *p != c->got)
            c->in_order = false;
        c->got++;
        handoff_release(c->h);
    }
    return NULL;
}

static bool wait_asleep(struct handoff *h)
{
    for (int i = 0; i < 5000; i++) {    /* at most 1 s */
        if (handoff_consumer_asleep(h))
            return true;
        pause_briefly();
    }
    return false;
}

static void test_small_batch(void)
{
    struct counted c = {handoff_create(1 << 20), 0, true};
    CHECK(c.h != NULL);
    if (!c.h)
        return;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, count_all, &c) == 0);
    CHECK(wait_asleep(c.h));
    for (uint64_t i = 0; i < 5; i++) {
        uint64_t *p = handoff_reserve(c.h, sizeof *p);
        *p = i;
        handoff_publish(c.h);
    }
    for (int i = 0; i < 50; i++)
        pause_briefly();                /* 10 ms for a wrong wake-up to show */
    CHECK_EQ(c.got, 0);
    handoff_flush(c.h);
    for (int i = 0; i < 50; i++)
        pause_briefly();
    CHECK_EQ(c.got, 0);
    CHECK(handoff_consumer_asleep(c.h));
    handoff_close(c.h);
    pthread_join(t, NULL);
    CHECK_EQ(c.got, 5);
    CHECK(c.in_order);
    handoff_destroy(c.h);
}

int main(void)
{
    alarm(60);          /* a lost wake-up hangs; this ends it (and fails the test) */
    run_one(4096, 0, 0);            /* both as fast as they can */
    run_one(4096, 0, 3000);         /* the consumer lags: the producer sleeps on a full ring */
    run_one(4096, 3000, 0);         /* the producer lags: the consumer sleeps on an empty one */
    run_one(1 << 16, 5000, 7000);   /* a larger ring, both pausing */
    /* the report's ring, where a sixteenth holds hundreds of records */
    run_one(1 << 20, 0, 3000);
    run_one(1 << 20, 3000, 0);
    test_offsets();
    test_asleep();
    test_small_batch();

    /* closed before anything was published */
    struct handoff *h = handoff_create(1);
    CHECK(h != NULL);
    if (h) {
        size_t n;
        handoff_close(h);
        CHECK(handoff_take(h, &n) == NULL);
        handoff_destroy(h);
    }
    return unit_done("test_handoff");
}
