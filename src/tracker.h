/* tracker.h - segments in, connections with endpoint states out.
 *
 * The tracker owns the connection table.  For each decoded segment it finds
 * or creates the connection, classifies the segment into a send event for its
 * sender and a receive event for its receiver, and applies both through the
 * state table.  It runs expiry on capture time, and hands every connection to
 * its observers when the connection leaves the table (closed and lingered,
 * TIME_WAIT over, idle, evicted, replaced by a new incarnation, or the end of
 * the capture).  Observers never change the model. */
#ifndef TCPFSM_TRACKER_H
#define TCPFSM_TRACKER_H

#include <stdint.h>

#include "conn.h"
#include "conntab.h"
#include "segment.h"
#include "tcpstate.h"

enum retire_reason {
    RETIRE_CLOSED,      /* both endpoints closed, linger over */
    RETIRE_TIME_WAIT,   /* TIME_WAIT ran its 2 MSL */
    RETIRE_IDLE,        /* no segment for --idle-timeout */
    RETIRE_EVICTED,     /* the table was full */
    RETIRE_REUSED,      /* a new connection took its 4-tuple */
    RETIRE_END,         /* still tracked at the end of the capture */
    RETIRE__COUNT
};
const char *retire_reason_name(enum retire_reason r);

struct tracker_config {
    tstamp_t msl;           /* TIME_WAIT lasts 2 * msl */
    tstamp_t idle_timeout;  /* 0: never expire idle connections */
    tstamp_t linger;        /* how long a closed connection stays */
    uint32_t max_conns;
};
void tracker_config_defaults(struct tracker_config *cfg);

struct tracker_observer {
    void *ctx;
    /* A connection leaves the table; *c is valid only during the call. */
    void (*retired)(void *ctx, const struct conn *c, enum retire_reason why);
    /* An endpoint changed state (optional). */
    void (*transition)(void *ctx, const struct conn *c, int role, enum tcp_state from,
                       enum tcp_event ev, tstamp_t ts);
    /* A segment was applied to c by the endpoint `role`, or an ICMP error
     * came back about one it sent (seg->icmp set) (optional). */
    void (*segment)(void *ctx, const struct conn *c, int role, const struct seg_core *seg);
};

struct tracker_stats {
    uint64_t segments;      /* segments applied to a connection */
    uint64_t conns;         /* connection records created */
    uint64_t picked_up;     /* ... first seen mid-stream */
    uint64_t synack_first;  /* ... first seen at the SYN-ACK */
    uint64_t reused;        /* new incarnations of a tracked 4-tuple */
    uint64_t reused_in_tw;  /* ... while it was in TIME_WAIT */
    uint64_t retired[RETIRE__COUNT];
    uint64_t rst_ignored;   /* RSTs the receiver would not accept */
    uint64_t no_memory;     /* segments dropped: no memory for a record */
    uint64_t ts_backwards;  /* segments timestamped before an earlier one */
    uint64_t icmp_matched;  /* ICMP errors about a tracked connection's segment */
    uint64_t icmp_moved;    /* ... that moved an endpoint (icmp_error()) */
    uint64_t icmp_no_conn;  /* ICMP errors about a segment of no tracked connection */
    uint32_t peak_conns;    /* most connections tracked at once */
};

struct listeners;
struct analysis;
struct tracker;

/* listeners may be NULL. */
struct tracker *tracker_create(const struct tracker_config *cfg, struct listeners *listeners);
/* Run anomaly analysis on every connection (before adding observers). */
void tracker_set_analysis(struct tracker *t, struct analysis *analysis);
void tracker_destroy(struct tracker *t);
/* Observers are called in the order added (at most 4). */
void tracker_add_observer(struct tracker *t, const struct tracker_observer *o);

void tracker_segment(struct tracker *t, const struct segment *seg);

/* The same in a pipeline: tracker_prepare() a segment a few packets before
 * tracker_segment_prepared() applies it, so that the memory its lookup
 * touches is on its way meanwhile; tracker_prefetch() halfway between
 * fetches the connection record itself.  Segments must still be applied in
 * capture order. */
struct tracker_prep {
    struct ct_key key;
    uint64_t hash;
    int dir;
};
void tracker_prepare(struct tracker *t, const struct segment *seg, struct tracker_prep *p);
/* tracker_prepare() in parts: the key (which needs no tracker: another
 * thread may build it, src/feed.c), its hash (which only reads the
 * tracker's hash key), then the fetch of the bucket, by the thread that
 * will apply the segment. */
void tracker_key_only(const struct segment *seg, struct tracker_prep *p);
void tracker_hash(const struct tracker *t, struct tracker_prep *p);
/* From the reading thread: commit the memory of the connection records to
 * come (ct_prefault(); done as there). */
size_t tracker_prefault(const struct tracker *t, size_t done);
void tracker_prefetch_bucket(struct tracker *t, const struct tracker_prep *p);
void tracker_prefetch(struct tracker *t, const struct tracker_prep *p);
void tracker_segment_prepared(struct tracker *t, const struct seg_core *seg, const struct tracker_prep *p);
/* The input has ended (a replay read its last packet): settle what only
 * the end tells - held SYNs, TIME_WAIT as of the last packet's time, first
 * FINs missed - on the connections still in the table, so that a view of
 * them says what the report will.  The input ends once: calling it again
 * changes nothing; tracker_finish() does. */
void tracker_input_ended(struct tracker *t);
/* End of input: tracker_input_ended(), then retire
 * every remaining connection (in order of creation) with RETIRE_END. */
void tracker_finish(struct tracker *t);

const struct tracker_stats *tracker_stats(const struct tracker *t);
uint32_t tracker_open_conns(const struct tracker *t);
size_t tracker_memory(const struct tracker *t);
/* Capture time of the latest segment seen (0 before any). */
tstamp_t tracker_now(const struct tracker *t);

/* Live capture: time moves on without packets.  If ts is later than the
 * latest segment, make it the capture time and retire or advance whatever is
 * due (linger, TIME_WAIT, idle), as the next segment would.  No effect before
 * the first segment. */
void tracker_advance(struct tracker *t, tstamp_t ts);

/* Visit every tracked connection (for live views); order unspecified.  fn
 * also gets the connection's slot in the table: below the table's size,
 * the connection's for as long as it is tracked, then another's. */
void tracker_foreach(struct tracker *t, void (*fn)(void *ctx, const struct conn *c, uint32_t slot), void *ctx);
/* The connection in slot (as tracker_foreach() gave it), NULL if none now. */
const struct conn *tracker_at(struct tracker *t, uint32_t slot);

#endif
