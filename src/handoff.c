/* handoff.c - a single-producer, single-consumer queue of records.
 *
 * The ring holds records one after another, each an 8-byte header (the
 * payload's length, and whether it is only padding) and the payload
 * rounded up to 8 bytes.  A record never wraps: when it would not fit
 * before the end of the ring, a padding record fills the rest and the
 * record starts again at 0.  `head` counts the bytes the producer has
 * published, `tail` those the consumer has given back; both only grow, so
 * head - tail is what is waiting and capacity - (head - tail) what is free.
 *
 * Sleeping and waking are src/sleepwake.h's: a side about to sleep sets
 * its `sleeping` flag, then looks at the other side's counter again; the
 * other side stores its counter, then looks at the flag.  The waker wakes only when the sleeper's condition holds (a quarter of the
 * ring waiting, half of it free), so the sleeper's condition must become
 * true through the waker's own steps: the consumer eventually gives back
 * everything, and the producer either fills a quarter or closes.
 *
 * Neither counter is stored for every record.  A sequentially consistent
 * store is a full barrier, and the line it writes is the one the other
 * side reads: storing `head` after each record took 58% of report_conn()'s
 * time in a 100k text run (`perf annotate`), and that thread is the run's
 * slower one.  So each side keeps its own position and stores it once a
 * sixteenth of the ring has gone by (show_every()), and always
 * before it might wait: the producer before it sleeps for room and when it
 * closes, the consumer before it sleeps for records, and whenever it sees
 * the producer asleep with half the ring now free.  No wake-up is lost:
 * each side stores its counter before it waits, and then looks at the
 * other's sleeping flag (sequentially consistent, as above), so of two
 * sides that might both sleep the later one sees the other asleep with
 * its condition true and wakes it; and a sleeping producer's head stays
 * where it stored it, so the consumer's regular stores (a sixteenth at a
 * time, and before it sleeps) reach the one that makes half the ring
 * free.  Each side also reads the other's counter only when what it last
 * read does not suffice. */
#include "handoff.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sleepwake.h"

struct rec_header {
    uint32_t len;           /* payload bytes */
    uint32_t padding;       /* 1: skip to the ring's end */
};

struct handoff {
    unsigned char *ring;    /* (both read only, on a line of their own) */
    size_t cap;             /* a power of two */

    /* (each side's own positions on lines apart from the counters the
     * other side reads, which they would otherwise keep taking away) */
    _Alignas(64) atomic_uint_fast64_t head;
    _Alignas(64) uint64_t written;  /* producer: the end of its published records */
    uint64_t pending;       /* producer: `written` once the reserved record is published */
    uint64_t shown;         /* producer: the head it last stored */
    uint64_t tail_seen;     /* producer: the tail it last read */
    _Alignas(64) atomic_uint_fast64_t tail;
    _Alignas(64) uint64_t read_pos; /* consumer: the end of the records it gave back */
    uint64_t taken_end;     /* consumer: read_pos once the taken record is given back */
    uint64_t given;         /* consumer: the tail it last stored */
    uint64_t head_seen;     /* consumer: the head it last read */
    _Alignas(64) atomic_bool closed;
    atomic_bool producer_sleeping, consumer_sleeping;
    pthread_mutex_t lock;
    pthread_cond_t wake_producer, wake_consumer;
};

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

struct handoff *handoff_create(size_t capacity)
{
    size_t cap = 4096;
    while (cap < capacity && cap < ((size_t)1 << 30))   /* (records' lengths are 32-bit) */
        cap <<= 1;
    struct handoff *h = aligned_alloc(64, sizeof *h);
    if (!h)
        return NULL;
    memset(h, 0, sizeof *h);
    h->cap = cap;
    atomic_init(&h->head, 0);
    atomic_init(&h->tail, 0);
    atomic_init(&h->closed, false);
    atomic_init(&h->producer_sleeping, false);
    atomic_init(&h->consumer_sleeping, false);
    if (!(h->ring = aligned_alloc(64, cap)))
        goto fail_ring;
    if (pthread_mutex_init(&h->lock, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&h->wake_producer, NULL) != 0)
        goto fail_producer;
    if (pthread_cond_init(&h->wake_consumer, NULL) != 0)
        goto fail_consumer;
    return h;

fail_consumer:
    pthread_cond_destroy(&h->wake_producer);
fail_producer:
    pthread_mutex_destroy(&h->lock);
fail_lock:
    free(h->ring);
fail_ring:
    free(h);
    return NULL;
}

void handoff_destroy(struct handoff *h)
{
    if (!h)
        return;
    pthread_cond_destroy(&h->wake_consumer);
    pthread_cond_destroy(&h->wake_producer);
    pthread_mutex_destroy(&h->lock);
    free(h->ring);
    free(h);
}

/* A record's header and payload together take at most a quarter of the
 * ring, so a record and the padding before it fit in the half that a
 * sleeping producer waits for. */
size_t handoff_max_record(const struct handoff *h) { return h->cap / 4 - sizeof(struct rec_header); }

/* Each side stores its counter after this many bytes (see the top). */
static size_t show_every(const struct handoff *h) { return h->cap / 16; }

static size_t waiting(struct handoff *h) { return (size_t)(atomic_load(&h->head) - atomic_load(&h->tail)); }

/* The sleepers' conditions. */
static bool half_free(void *arg)
{
    struct handoff *h = arg;
    return h->cap - waiting(h) >= h->cap / 2;
}

static bool quarter_waiting(void *arg)
{
    struct handoff *h = arg;
    return waiting(h) >= h->cap / 4 || atomic_load(&h->closed);
}

/* Producer: store the end of what it has published, and wake the consumer
 * if it sleeps and has enough to read. */
static void show(struct handoff *h)
{
    if (h->shown != h->written) {
        atomic_store(&h->head, h->written);
        h->shown = h->written;
    }
    if (atomic_load(&h->consumer_sleeping) && quarter_waiting(h))
        wake_sleeper(&h->lock, &h->wake_consumer);
}

/* Consumer: store the end of what it has given back, and wake the
 * producer if it sleeps and has room enough. */
static void give(struct handoff *h)
{
    if (h->given != h->read_pos) {
        atomic_store(&h->tail, h->read_pos);
        h->given = h->read_pos;
    }
    if (atomic_load(&h->producer_sleeping) && half_free(h))
        wake_sleeper(&h->lock, &h->wake_producer);
}

void *handoff_reserve(struct handoff *h, size_t n)
{
    if (n > handoff_max_record(h))
        return NULL;
    size_t need = sizeof(struct rec_header) + round8(n);
    uint64_t head = h->written;
    size_t pos = (size_t)(head & (h->cap - 1));
    size_t skip = h->cap - pos < need ? h->cap - pos : 0;
    if (h->cap - (size_t)(head - h->tail_seen) < skip + need) {
        h->tail_seen = atomic_load(&h->tail);
        while (h->cap - (size_t)(head - h->tail_seen) < skip + need) {
            show(h);    /* (the consumer may be waiting for what we hold back) */
            sleep_until(&h->lock, &h->wake_producer, &h->producer_sleeping, half_free, h, 0);
            h->tail_seen = atomic_load(&h->tail);
        }
    }
    if (skip) {
        struct rec_header pad = {(uint32_t)(skip - sizeof pad), 1};
        memcpy(h->ring + pos, &pad, sizeof pad);
        pos = 0;
    }
    struct rec_header hdr = {(uint32_t)n, 0};
    memcpy(h->ring + pos, &hdr, sizeof hdr);
    h->pending = head + skip + need;
    return h->ring + pos + sizeof hdr;
}

void handoff_publish(struct handoff *h)
{
    h->written = h->pending;
    if (h->written - h->shown >= show_every(h))
        show(h);
}

void handoff_flush(struct handoff *h)
{
    show(h);
}

void handoff_close(struct handoff *h)
{
    show(h);
    atomic_store(&h->closed, true);
    if (atomic_load(&h->consumer_sleeping))
        wake_sleeper(&h->lock, &h->wake_consumer);
}

/* The producer sleeps (as far as a look without a barrier tells), its head
 * stored, and this release is the one that frees half the ring: the tail
 * this side last stored left less than half free, what it has now given
 * back would leave half or more. */
static bool frees_half(struct handoff *h)
{
    if (!atomic_load_explicit(&h->producer_sleeping, memory_order_relaxed))
        return false;
    uint64_t head = atomic_load_explicit(&h->head, memory_order_relaxed);
    return h->cap - (size_t)(head - h->given) < h->cap / 2 && h->cap - (size_t)(head - h->read_pos) >= h->cap / 2;
}

void handoff_release(struct handoff *h)
{
    h->read_pos = h->taken_end;
    /* (a producer gone to sleep unseen is seen at a later release, or when
     * this side stores anyway) */
    if (h->read_pos - h->given >= show_every(h) || frees_half(h))
        give(h);
}

bool handoff_consumer_asleep(const struct handoff *h)
{
    return atomic_load_explicit(&h->consumer_sleeping, memory_order_relaxed);
}

const void *handoff_take(struct handoff *h, size_t *n)
{
    for (;;) {
        uint64_t tail = h->read_pos;
        if (h->head_seen == tail)
            h->head_seen = atomic_load(&h->head);
        if (h->head_seen == tail) {
            give(h);    /* (the producer may be waiting for what we hold back) */
            if (atomic_load(&h->closed)) {
                /* closed after its last publish: look once more */
                if ((h->head_seen = atomic_load(&h->head)) == tail)
                    return NULL;
                continue;
            }
            sleep_until(&h->lock, &h->wake_consumer, &h->consumer_sleeping, quarter_waiting, h, 0);
            continue;
        }
        struct rec_header hdr;
        size_t pos = (size_t)(tail & (h->cap - 1));
        memcpy(&hdr, h->ring + pos, sizeof hdr);
        if (hdr.padding) {
            h->taken_end = tail + sizeof hdr + hdr.len;
            handoff_release(h);
            continue;
        }
        h->taken_end = tail + sizeof hdr + round8(hdr.len);
        *n = hdr.len;
        return h->ring + pos + sizeof hdr;
    }
}
