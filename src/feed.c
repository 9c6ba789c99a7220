/* feed.c - the reading stage of `tcpfsm -r`, on a thread of its own.
 *
 * The reading thread fills the batches of a small ring in turn and the
 * caller's thread applies them in the same order.  `produced` counts the
 * batches the reader has published, `consumed` those the caller has given
 * back; a batch belongs to the reader from when it is given back until it
 * is published again, then to the caller.  The counters are atomic: a
 * release store publishes a batch's contents with it, an acquire load
 * takes them.
 *
 * Either side that must wait spins a little first (a batch takes some
 * tens of microseconds to fill or apply, far less than a trip through the
 * scheduler), then sleeps on a condition variable.  The reader, which
 * finds the ring full whenever the caller is the slower side, spins until
 * a batch is free; only if none comes within its spins does it sleep, and
 * then until half the ring is free, so that it is woken once per half
 * ring, not once per batch.  A sleeping thread's processor may halt, and
 * on a virtual machine the host then has to run it again: a wake-up took
 * 0.16-0.26 ms on average from signal to running (`perf sched latency`,
 * 1m text), longer than the four batches the caller still had to apply,
 * so that a reader that slept whenever the ring filled left the caller
 * idle a fifth of the time (see docs/performance.md, "The reading thread
 * spins before it sleeps").  But while the report's own thread is busy
 * (a run whose lines are made as the capture is read, a SYN flood's
 * evictions say) a spinning reader takes its processor: the caller then
 * tells the reader so (feed_allow_spinning()), and the reader waits by
 * giving its processor away (sched_yield()) instead of by pausing, for
 * about half as long, before it sleeps.  The report's thread, if it is
 * waiting for that processor, runs at once; if not, the reader is still
 * awake when its batch comes.  (Sleeping at once instead left the two
 * processors idle 18% of a 1m JSON run, against 13% now: see
 * docs/performance.md, "Yielding instead of sleeping".)  With one
 * processor there is no one to spin for: neither side spins.
 *
 * Whoever fills a batch holds the read token: the capture, the duplicate
 * filter and the run's counts are the token holder's, and the batches are
 * numbered (`produced`) by it, so they stay in capture order whoever fills
 * them.  When the caller finds no batch waiting and the token free, it
 * reads the next batch itself instead of waiting for the reading thread:
 * a thread that has just been made, or woken, runs only once the
 * scheduler (on a virtual machine, the host) gets to it, which took up to
 * a few milliseconds here - a tenth of a 12 MB capture's time - and the
 * caller then had nothing to do.  So the caller never waits for a reader
 * that is not reading; it waits only for the batch being filled.  It
 * reads only from regular files (capture_never_waits()): from a pipe a
 * read may wait for its writer, and the caller has the stopping signals
 * blocked.
 *
 * The two threads are worth two only on two processors.  The scheduler
 * sometimes puts the reading thread on the caller's processor (at its
 * start, or when one wakes the other) and leaves it there: then each
 * side's spinning only keeps the other from running, and every batch was
 * a trip through the scheduler - a 12 MB capture took 30 ms instead of
 * 10 (docs/performance.md, "Two threads on one processor, and a caller
 * that reads").  So each side
 * says where it runs (sched_getcpu()); the reader, finding itself on the
 * caller's processor, moves to another one it may use (an affinity that
 * leaves the caller's processor out, then its own back: a nudge, not
 * pinning), and neither side spins for the other while they share one.
 *
 * Sleeping and waking are src/sleepwake.h's (a flag, and sequentially
 * consistent counters, so that no wake-up is lost).  The caller wakes a
 * sleeping reader only once half the ring is free (the reader's
 * condition): enough, because only the caller's own steps make that
 * condition true, and it gives every batch back in the end. */
#include "feed.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "dedupe.h"
#include "reasm.h"
#include "sleepwake.h"
#include "stopsig.h"

/* Batches in the ring: enough that neither side waits on the other's
 * momentary hiccups, few enough to stay in the caches. */
#define FEED_RING 8

/* How far ahead the reader asks for the lines of the batch it fills. */
#define FEED_AHEAD 8

/* The reader moves off the caller's processor at most once every so many
 * batches (each move is two system calls and a migration). */
#define FEED_MOVE_EVERY 8

/* Either side's spins before sleeping, with two processors or more (each
 * a pause instruction: 28 ns on the machine of docs/performance.md, so
 * about 0.1 ms in all, the time the caller takes to apply two batches). */
#define FEED_SPINS 4096

/* The reader's sched_yield() calls instead, while the report's thread is
 * busy: each a system call of 0.8 microseconds when there is nothing else
 * to run (on that machine), about 0.05 ms in all. */
#define FEED_YIELDS 64

struct feed {
    /* the read token holder's (see the top of this file) */
    struct capture *cap;
    struct run_info *info;
    volatile sig_atomic_t *stop;
    bool seen_packet;
    bool reading_ended;     /* fill_batch() has returned false */
    enum capture_result rc;
    struct dedupe dedupe;
    struct reasm reasm;

    /* the reading thread's own */
    const struct tracker *hasher;
    size_t prefaulted;      /* tracker_prefault()'s progress */
    cpu_set_t allowed;      /* the processors it may run on */
    bool may_move;          /* more than one of them */
    unsigned last_move;     /* `produced` when it last moved */
    atomic_uint moves;      /* (read by feed_counts(), from the caller) */

    bool threaded;
    bool help;              /* the caller may read (capture_never_waits()) */
    atomic_uint caller_batches; /* batches the caller filled (read by a held reader) */
    int spins;              /* FEED_SPINS, or 0 on one processor */
    bool ended;             /* in the caller's thread: reading has ended */
    bool holding;           /* the caller holds batch `consumed` */
    pthread_t thread;
    sigset_t saved_mask;    /* the caller's mask before feed_start() */
    bool mask_restored;     /* the caller has it back (the reader is done) */

    /* shared: each on a cache line of its own */
    _Alignas(64) atomic_uint produced;  /* batches published (the token holder) */
    atomic_int reader_cpu;              /* where the reading thread last ran */
    _Alignas(64) atomic_uint consumed;  /* batches given back (caller) */
    atomic_int caller_cpu;              /* where the caller last ran */
    _Alignas(64) atomic_bool token;     /* a batch is being filled */
    _Alignas(64) atomic_bool done;      /* the last batch is published */
    atomic_bool abandon;                /* the caller wants no more */
    atomic_bool reader_sleeping, caller_sleeping;
    atomic_bool may_spin;               /* feed_allow_spinning() */
    pthread_mutex_t lock;
    pthread_cond_t wake_reader, wake_caller;

    _Alignas(64) struct feed_batch ring[FEED_RING];
};

static void wake(struct feed *f, atomic_bool *sleeping, pthread_cond_t *cv)
{
    if (atomic_load(sleeping))
        wake_sleeper(&f->lock, cv);
}

/* The reader may fill the next batch: one is free, or it should stop. */
static bool reader_ready(void *arg)
{
    struct feed *f = arg;
    return atomic_load(&f->produced) - atomic_load(&f->consumed) < FEED_RING || atomic_load(&f->abandon) ||
           atomic_load(&f->done);
}

/* The reader, having found the ring full, may go on: half of it is free. */
static bool reader_rested(void *arg)
{
    struct feed *f = arg;
    return atomic_load(&f->produced) - atomic_load(&f->consumed) <= FEED_RING / 2 || atomic_load(&f->abandon) ||
           atomic_load(&f->done);
}

/* The caller may take a batch, or learn that there are no more. */
static bool caller_ready(void *arg)
{
    struct feed *f = arg;
    return atomic_load(&f->produced) != atomic_load(&f->consumed) || atomic_load(&f->done);
}

/* Read packets into b until it is full (true) or reading ends (false: b may
 * still hold segments). */
static bool fill_batch(struct feed *f, struct feed_batch *b)
{
    struct run_info *info = f->info;
    struct capture_packet pkt;
    b->n = 0;
    b->hashed = false;
    while (b->n < FEED_BATCH) {
        enum capture_result rc = *f->stop ? CAPTURE_END : capture_next(f->cap, &pkt);
        if (rc != CAPTURE_PACKET) {
            f->rc = rc;
            /* datagrams still missing fragments never will have them */
            reasm_finish(&f->reasm, info->outcome);
            return false;
        }
        if (!f->seen_packet && pkt.linktype >= 0) {
            info->first_ts = info->last_ts = pkt.ts;
            info->have_time = f->seen_packet = true;
        }
        if (pkt.ts < info->first_ts && pkt.linktype >= 0)
            info->first_ts = pkt.ts;
        if (pkt.ts > info->last_ts && pkt.linktype >= 0)
            info->last_ts = pkt.ts;
        info->wire_bytes += pkt.wirelen;
        /* Decoded here, where it is in the cache; only what the tracker
         * reads crosses to the other thread. */
        struct segment seg;
        enum decode_outcome o = decode_packet(pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, &seg);
        seg.ts = pkt.ts;
        if (__builtin_expect(seg.frag_ip != NULL, 0)) {
            seg.pktno = pkt.pktno;
            o = reasm_packet(&f->reasm, &seg, info->outcome);
        }
        if (o == DEC_TCP && dedupe_applies(&f->dedupe, pkt.linktype) && dedupe_seen(&f->dedupe, &seg))
            o = DEC_DUPLICATE;
        info->outcome[o]++;
        /* (an ICMP error about a TCP segment goes to the tracker too) */
        if (__builtin_expect(o != DEC_TCP, 0) && o != DEC_ICMP_ERROR)
            continue;
        /* The batch's lines were last read by the other thread: ask for
         * them a few segments ahead, so the stores below do not wait. */
        if (b->n + FEED_AHEAD < FEED_BATCH) {
            __builtin_prefetch(&b->seg[b->n + FEED_AHEAD], 1);
            __builtin_prefetch(&b->prep[b->n + FEED_AHEAD], 1);
            __builtin_prefetch((const char *)&b->prep[b->n + FEED_AHEAD] + 55, 1);
        }
        /* The packet number goes straight into the copy: stored into seg
         * just before, it would be read back within a 16-byte load of the
         * copy, which the processor cannot forward from an 8-byte store
         * (a stall that took a third of this function's time). */
        b->seg[b->n] = seg.core;
        b->seg[b->n].pktno = pkt.pktno;
        tracker_key_only(&seg, &b->prep[b->n]);
        b->n++;
    }
    return true;
}

static bool take_token(struct feed *f)
{
    return !atomic_load_explicit(&f->token, memory_order_relaxed) &&
           !atomic_exchange_explicit(&f->token, true, memory_order_acquire);
}

static void give_token(struct feed *f)
{
    atomic_store_explicit(&f->token, false, memory_order_release);
}

/* With the token held: fill the next batch and publish it, and note when
 * reading has ended (f->reading_ended).  hash_if_behind: the reading
 * thread's rule - two batches or more still waiting for the caller, which
 * is then the slower side and will take this one only after them, so take
 * the hashing off its hands; otherwise it may be waiting for this batch:
 * hand it over at once.  Whether a batch was published (none once
 * reading has ended, or if it ended before a segment came). */
static bool fill_next(struct feed *f, bool hash_if_behind)
{
    if (f->reading_ended)
        return false;
    unsigned k = atomic_load_explicit(&f->produced, memory_order_relaxed);
    struct feed_batch *b = &f->ring[k % FEED_RING];
    bool more = fill_batch(f, b);
    if (b->n && hash_if_behind && f->hasher && k - atomic_load(&f->consumed) >= 2) {
        for (uint32_t i = 0; i < b->n; i++)
            tracker_hash(f->hasher, &b->prep[i]);
        b->hashed = true;
    }
    if (b->n)
        atomic_store(&f->produced, k + 1);
    if (!more) {
        f->reading_ended = true;
        atomic_store(&f->done, true);
    }
    return b->n > 0;
}

/* Nobody is filling a batch (as far as a look without a barrier tells). */
static bool token_free(struct feed *f)
{
    return !atomic_load_explicit(&f->token, memory_order_relaxed);
}

/* Whether the two threads now share a processor (as far as each last said). */
static bool sharing(int mine, const atomic_int *theirs)
{
    return mine >= 0 && mine == atomic_load_explicit(theirs, memory_order_relaxed);
}

/* After a move or a start elsewhere: the processors it may use again.  (If
 * that fails it stays where it was put, and moves no more: a decompressor
 * it starts would inherit the narrower set.) */
static void give_back_affinity(struct feed *f)
{
    if (sched_setaffinity(0, sizeof f->allowed, &f->allowed) != 0)
        f->may_move = false;
}

/* The reading thread, on the caller's processor: move to another of the
 * allowed ones, leaving the scheduler free to place it later (the full
 * affinity is restored at once; the move has happened by then). */
static int move_off_caller(struct feed *f, int cpu)
{
    unsigned k = atomic_load_explicit(&f->produced, memory_order_relaxed);
    unsigned moves = atomic_load_explicit(&f->moves, memory_order_relaxed);
    if (!f->may_move || (moves && k - f->last_move < FEED_MOVE_EVERY))
        return cpu;
    cpu_set_t others = f->allowed;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0 || sched_setaffinity(0, sizeof others, &others) != 0)
        return cpu;
    atomic_store_explicit(&f->moves, moves + 1, memory_order_relaxed);
    f->last_move = k;
    give_back_affinity(f);
    return sched_getcpu();
}

static atomic_uint hold_reader;         /* feed_hold_reader_for_test() */

static void *reading_thread(void *arg)
{
    struct feed *f = arg;
    /* The caller blocks the stopping signals while we run: take them. */
    pthread_sigmask(SIG_SETMASK, &f->saved_mask, NULL);
    /* started away from the caller's processor (feed_start()): from here
     * the scheduler may place it anywhere again */
    if (f->may_move)
        give_back_affinity(f);
    /* (a test's: the caller must then fill the first batches itself; held
     * for two seconds at most, so that a caller that waits fails the test
     * instead of hanging it) */
    for (int ms = 0; ms < 2000 && atomic_load(&f->caller_batches) < atomic_load(&hold_reader) &&
                     !atomic_load(&f->abandon) && !atomic_load(&f->done);
         ms++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    for (;;) {
        int cpu = sched_getcpu();
        if (sharing(cpu, &f->caller_cpu))
            cpu = move_off_caller(f, cpu);
        atomic_store_explicit(&f->reader_cpu, cpu, memory_order_relaxed);
        /* the caller frees a batch in some tens of microseconds: wait for
         * it awake (unless it needs this processor to do so); asleep, only
         * for half the ring */
        bool alone = !sharing(cpu, &f->caller_cpu);
        if (alone && atomic_load_explicit(&f->may_spin, memory_order_relaxed)) {
            for (int i = 0; i < f->spins && !reader_ready(f); i++)
                cpu_relax();
        } else if (f->spins) {
            for (int i = 0; i < FEED_YIELDS && !reader_ready(f); i++)
                sched_yield();
        }
        if (!reader_ready(f))
            sleep_until(&f->lock, &f->wake_reader, &f->reader_sleeping, reader_rested, f, 0);
        if (atomic_load(&f->abandon) || atomic_load(&f->done))
            break;
        if (!take_token(f)) {
            /* the caller is filling a batch: some tens of microseconds */
            if (alone && atomic_load_explicit(&f->may_spin, memory_order_relaxed))
                cpu_relax();
            else
                sched_yield();
            continue;
        }
        /* (a guard: the ring had a free batch before the token was taken,
         * and the caller fills only an empty one) */
        if (atomic_load(&f->produced) - atomic_load(&f->consumed) < FEED_RING)
            fill_next(f, true);
        bool more = !f->reading_ended;
        give_token(f);
        wake(f, &f->caller_sleeping, &f->wake_caller);
        if (!more)
            break;
        /* While the caller applies it: have the kernel zero the memory of
         * the connection records it will soon create, here rather than in
         * a page fault of its own (a 2 MiB huge page at a time). */
        if (f->hasher)
            f->prefaulted = tracker_prefault(f->hasher, f->prefaulted);
    }
    return NULL;
}

/* How many processors this process may run on, and which (*set: empty
 * if the affinity cannot be read). */
static int processors(cpu_set_t *set)
{
    if (sched_getaffinity(0, sizeof *set, set) == 0)
        return CPU_COUNT(set);
    CPU_ZERO(set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* attr made to start a thread on any of `allowed` but `cpu`, or NULL (no
 * other processor, or cpu unknown). */
static pthread_attr_t *away_from(int cpu, const cpu_set_t *allowed, pthread_attr_t *attr)
{
    if (cpu < 0 || !CPU_ISSET(cpu, allowed) || CPU_COUNT(allowed) < 2 || pthread_attr_init(attr) != 0)
        return NULL;
    cpu_set_t others = *allowed;
    CPU_CLR(cpu, &others);
    if (pthread_attr_setaffinity_np(attr, sizeof others, &others) != 0) {
        pthread_attr_destroy(attr);
        return NULL;
    }
    return attr;
}

int feed_default_threads(int taken)
{
    cpu_set_t set;
    return processors(&set) - taken > 1 ? 2 : 1;
}

int feed_pick_threads(int requested, uint64_t size_hint, int default_threads)
{
    if (requested)
        return requested;
    return size_hint < FEED_SMALL_FILE ? 1 : default_threads;
}

void feed_hold_reader_for_test(unsigned batches)
{
    atomic_store(&hold_reader, batches);
}

struct feed *feed_start(struct capture *cap, struct run_info *info,
                        volatile sig_atomic_t *stop, int threads, const struct tracker *hasher, int dedupe)
{
    struct feed *f = aligned_alloc(64, sizeof *f);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->cap = cap;
    f->info = info;
    f->hasher = hasher;
    f->stop = stop;
    f->rc = CAPTURE_END;
    dedupe_init(&f->dedupe);
    dedupe_set_mode(&f->dedupe, dedupe);
    reasm_init(&f->reasm);
    atomic_init(&f->may_spin, true);
    atomic_init(&f->reader_cpu, -1);
    atomic_init(&f->caller_cpu, -1);
    if (threads < 2)
        return f;
    /* (--threads 2 on one processor: a spinning side would only delay the
     * other, which needs that processor) */
    f->spins = processors(&f->allowed) > 1 ? FEED_SPINS : 0;
    f->may_move = CPU_COUNT(&f->allowed) > 1;
    if (pthread_mutex_init(&f->lock, NULL) != 0)
        return f;
    if (pthread_cond_init(&f->wake_reader, NULL) != 0 || pthread_cond_init(&f->wake_caller, NULL) != 0) {
        pthread_mutex_destroy(&f->lock);
        return f;
    }
    /* The reading thread starts on another processor than this one: left
     * to the scheduler, it sometimes started here, where it could run only
     * when this thread was preempted (see the top of this file). */
    pthread_attr_t attr;
    pthread_attr_t *start_elsewhere = away_from(sched_getcpu(), &f->allowed, &attr);
    sigset_t stopping;
    stopping_signals(&stopping);
    pthread_sigmask(SIG_BLOCK, &stopping, &f->saved_mask);
    /* (decided before the thread runs: reading, it may change the capture) */
    f->help = capture_never_waits(cap);
    int made = pthread_create(&f->thread, start_elsewhere, reading_thread, f);
    if (start_elsewhere) {
        pthread_attr_destroy(&attr);
        if (made != 0) {    /* (the affinity refused, the cpuset changed since?) */
            f->may_move = false;
            made = pthread_create(&f->thread, NULL, reading_thread, f);
        }
    }
    if (made != 0) {
        /* no thread: read in ours */
        pthread_sigmask(SIG_SETMASK, &f->saved_mask, NULL);
        pthread_cond_destroy(&f->wake_reader);
        pthread_cond_destroy(&f->wake_caller);
        pthread_mutex_destroy(&f->lock);
        return f;
    }
    f->threaded = true;
    return f;
}

struct feed_batch *feed_next(struct feed *f)
{
    if (!f->threaded) {
        if (f->ended)
            return NULL;
        f->ended = !fill_batch(f, &f->ring[0]);
        return f->ring[0].n ? &f->ring[0] : NULL;
    }
    if (f->holding) {
        atomic_fetch_add(&f->consumed, 1);
        f->holding = false;
        /* (it sleeps only until half the ring is free; see reader_rested) */
        if (atomic_load(&f->reader_sleeping) && reader_rested(f))
            wake(f, &f->reader_sleeping, &f->wake_reader);
    }
    int cpu = sched_getcpu();
    if (cpu != atomic_load_explicit(&f->caller_cpu, memory_order_relaxed))
        atomic_store_explicit(&f->caller_cpu, cpu, memory_order_relaxed);
    while (!caller_ready(f)) {
        /* No batch waiting, and nobody filling one: fill it here. */
        if (f->help && take_token(f)) {
            if (!caller_ready(f) && fill_next(f, false))
                atomic_fetch_add_explicit(&f->caller_batches, 1, memory_order_relaxed);
            give_token(f);
            if (atomic_load(&f->done))      /* (it may be asleep, with nothing left to do) */
                wake(f, &f->reader_sleeping, &f->wake_reader);
            continue;
        }
        /* The reading thread is filling it (or the caller may not read):
         * wait, awake unless the reader needs this processor to finish. */
        int spins = sharing(cpu, &f->reader_cpu) ? 0 : f->spins;
        for (int i = 0; i < spins && !caller_ready(f) && !(f->help && token_free(f)); i++)
            cpu_relax();
        if (f->help && token_free(f))
            continue;
        sleep_until(&f->lock, &f->wake_caller, &f->caller_sleeping, caller_ready, f, 0);
    }
    /* The reading thread has published its last batch and no longer
     * waits for input: the stopping signals are ours again.  (Blocked
     * until feed_end(), a signal sent while the batches left, or their
     * output, wait on a stalled pipe would never be delivered: every
     * thread would have it blocked.) */
    if (!f->mask_restored && atomic_load(&f->done)) {
        pthread_sigmask(SIG_SETMASK, &f->saved_mask, NULL);
        f->mask_restored = true;
    }
    unsigned k = atomic_load_explicit(&f->consumed, memory_order_relaxed);
    if (atomic_load(&f->produced) == k)
        return NULL;        /* done, and every batch taken */
    f->holding = true;
    return &f->ring[k % FEED_RING];
}

void feed_allow_spinning(struct feed *f, bool allow)
{
    /* stored only when it changes: the line is read by the other thread
     * (which never writes it, so reading it here costs no transfer) */
    if (atomic_load_explicit(&f->may_spin, memory_order_relaxed) != allow)
        atomic_store_explicit(&f->may_spin, allow, memory_order_relaxed);
}

void feed_counts(const struct feed *f, unsigned *caller_batches, unsigned *moves)
{
    *caller_batches = atomic_load_explicit(&f->caller_batches, memory_order_relaxed);
    *moves = atomic_load_explicit(&f->moves, memory_order_relaxed);
}

enum capture_result feed_end(struct feed *f)
{
    if (f->threaded) {
        atomic_store(&f->abandon, true);
        wake(f, &f->reader_sleeping, &f->wake_reader);
        pthread_join(f->thread, NULL);
        if (!f->mask_restored)
            pthread_sigmask(SIG_SETMASK, &f->saved_mask, NULL);
        pthread_cond_destroy(&f->wake_reader);
        pthread_cond_destroy(&f->wake_caller);
        pthread_mutex_destroy(&f->lock);
    }
    enum capture_result rc = f->rc;
    reasm_destroy(&f->reasm);
    free(f);
    return rc;
}
