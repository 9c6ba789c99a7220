/* handoff.h - records handed from one thread to another, in order.
 *
 * A queue of variable-size records in a fixed ring of bytes, for exactly
 * one producing thread and one consuming thread.  Neither side spins: a
 * side that must wait sleeps on a condition variable, and is woken only
 * once the other side has made a good share of the ring ready (a quarter
 * of it to read, half of it free), so that the two take turns in long runs
 * rather than a wake-up per record; and each side tells the other of its
 * progress a sixteenth of the ring at a time, not per record.  Memory is the ring, allocated once.
 *
 * Used to move the formatting of a report's per-connection lines off the
 * thread that tracks connections (src/report.c). */
#ifndef TCPFSM_HANDOFF_H
#define TCPFSM_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>

struct handoff;

/* A queue of about `capacity` bytes (rounded up to a power of two, at least
 * 4 KiB, at most 1 GiB); NULL if out of memory. */
struct handoff *handoff_create(size_t capacity);
/* Free it; both sides must be done with it. */
void handoff_destroy(struct handoff *h);

/* The largest record handoff_reserve() accepts. */
size_t handoff_max_record(const struct handoff *h);

/* Producer: room for a record of n bytes (at most handoff_max_record(),
 * 8-byte aligned), waiting while the ring is full.  Fill it, then
 * handoff_publish() it before reserving the next.  Published records reach
 * the consumer in batches (src/handoff.c): at the latest once a sixteenth
 * of the ring has been published, when the producer waits for room, at
 * handoff_flush() and at handoff_close(). */
void *handoff_reserve(struct handoff *h, size_t n);
void handoff_publish(struct handoff *h);
/* Producer: store how far it has published now, so that a consumer that is
 * awake sees every published record; a sleeping one still wakes only once
 * a quarter of the ring is waiting, or at handoff_close(). */
void handoff_flush(struct handoff *h);
/* Producer: there will be no more records. */
void handoff_close(struct handoff *h);

/* Consumer: the oldest record not yet taken (its size in *n), waiting until
 * there is one; NULL once the producer has closed the queue and every
 * record has been taken.  Give it back with handoff_release() when done
 * with it, before taking the next. */
const void *handoff_take(struct handoff *h, size_t *n);
void handoff_release(struct handoff *h);

/* From any thread: the consumer is asleep, waiting for records (a hint,
 * stale as soon as read). */
bool handoff_consumer_asleep(const struct handoff *h);

#endif
