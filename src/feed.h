/* feed.h - the reading stage of `tcpfsm -r`, on a thread of its own.
 *
 * Reading a capture divides into two halves of similar cost: reading and
 * decoding packets (the file, link and IP layers, the TCP header and
 * options, the duplicate filter, the connection key), and applying the
 * segments to the connections (the key's hash, table, state machine,
 * sequence tracking, analysis, reports).  (The hash is on the applying side
 * because that side had time to spare: measured, it moved the slower half's
 * 10% of SipHash to the faster one.)  Only the second needs the connections, and
 * it must take the segments in capture order.  So the first runs on its own
 * thread and hands the second full batches of decoded segments, in order,
 * through a small ring: on a machine with two cores the two halves overlap
 * and the file is read in about the time of the slower one.  With one core,
 * or if a thread cannot be made, the same code runs in the caller's thread,
 * a batch at a time.  Either way the results are the same, packet for
 * packet: the order of everything the tracker sees is unchanged.
 *
 * When no batch is waiting and the reading thread is not filling one (it
 * has not started yet, or sleeps), the caller fills the next batch itself,
 * in the same order: see src/feed.c.
 *
 * While the reading thread runs, the caller's thread blocks SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT, so that they reach the reading thread, which may be
 * waiting for input in poll() (a pipe), and stop it there; the caller takes
 * them back as soon as it sees that the reading thread has published its
 * last batch. */
#ifndef TCPFSM_FEED_H
#define TCPFSM_FEED_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "report.h"
#include "segment.h"
#include "tracker.h"

#define FEED_BATCH 256      /* segments per batch */

struct feed_batch {
    uint32_t n;
    bool hashed;            /* the prep entries' hashes are computed */
    struct seg_core seg[FEED_BATCH];
    struct tracker_prep prep[FEED_BATCH];
};

struct feed;

/* Start reading cap.  *info's packet counts, first and last times and wire bytes
 * are written by it, and may be read once feed_end() has returned.  Reading
 * stops early when *stop becomes non-zero.  threads: 2 to read in a thread
 * of its own, 1 to read in the caller's.  hasher: the tracker whose
 * tracker_hash() the reading thread may use, from its own thread, for the
 * batches it has time for (see feed_next()), or NULL to leave all hashing
 * to the caller.  dedupe: --dedupe's mode (src/dedupe.h).  NULL if out of
 * memory. */
struct feed *feed_start(struct capture *cap, struct run_info *info,
                        volatile sig_atomic_t *stop, int threads, const struct tracker *hasher, int dedupe);
/* From the caller's thread: whether the reading thread may spin while it
 * waits for a free batch (default: yes).  Spinning is worth it only while
 * nothing else of ours wants a processor: a report thread that is busy
 * would lose the time.  Not allowed to, the reader gives its processor
 * away a few times (sched_yield()) before it sleeps. */
void feed_allow_spinning(struct feed *f, bool allow);
/* The next batch of segments in capture order (n >= 1), or NULL when the
 * reading has ended.  The batch stays valid until the next call; its prep
 * entries hold the keys, and their hashes unless `hashed` is false: then
 * they are the caller's to compute (tracker_hash()).  The reading thread
 * hashes a batch itself only when the caller is behind, with batches
 * waiting for it: whichever thread has time to spare does the hashing. */
struct feed_batch *feed_next(struct feed *f);
/* After feed_next() returned NULL: how reading ended (CAPTURE_END,
 * CAPTURE_DAMAGED, CAPTURE_FAILED; CAPTURE_END also if stopped). Joins the
 * thread, restores the caller's signal mask and frees f. */
enum capture_result feed_end(struct feed *f);
/* How the reading went so far (from the caller's thread, before
 * feed_end()): the batches the caller filled itself (none with one thread,
 * where it reads them all, or from a capture that may wait:
 * capture_never_waits()), and the reading thread's moves off the caller's
 * processor. */
void feed_counts(const struct feed *f, unsigned *caller_batches, unsigned *moves);
/* For tests: hold the reading threads of the feeds started from now on
 * before their first batch until the caller has filled `batches` itself
 * (or reading has ended, or feed_end() was called, or two seconds have
 * passed); 0 holds them no more. */
void feed_hold_reader_for_test(unsigned batches);

/* Threads to use when not told: 2 if more than one processor is online
 * beside the `taken` that another process of the run keeps busy (a
 * decompressor: a compressed file read with two threads on two processors
 * took 1.5 times as long as with one, docs/performance.md, "Compressed
 * captures"). */
int feed_default_threads(int taken);
/* Below this size a regular file is read in one thread when the user did not
 * say: starting the reading, formatting and writing threads (and the memory
 * their first touches commit) costs more than they save on so few packets
 * (docs/performance.md, "Small files read in one thread"). */
#define FEED_SMALL_FILE (1u << 20)
/* The threads for a run: `requested` (--threads, 0 if not given), else 1 for
 * a file smaller than FEED_SMALL_FILE (size_hint: capture_size_hint()),
 * else `default_threads`. */
int feed_pick_threads(int requested, uint64_t size_hint, int default_threads);

#endif
