/* listeners.h - which address:port pairs have a listener, and which refuse.
 *
 * A SYN-ACK proves a socket was listening on its source address and port; a
 * RST answering a SYN proves nothing listens there (connection refused).  The
 * tracker notes both; reports list them.  Bounded: past max entries, new
 * services are counted but not recorded. */
#ifndef TCPFSM_LISTENERS_H
#define TCPFSM_LISTENERS_H

#include <stdint.h>

#include "addr.h"
#include "segment.h"

struct listener {
    struct flow_addr addr;
    uint16_t port;
    uint64_t answered;      /* connections it answered with SYN-ACK */
    uint64_t refused;       /* SYNs answered with RST */
    tstamp_t first, last;
};

struct listeners;

struct listeners *listeners_create(uint32_t max);
void listeners_destroy(struct listeners *l);
void listeners_note_answered(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts);
/* A SYN-ACK sent again: the listener is still there at ts (its last). */
void listeners_note_alive(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts);
void listeners_note_refused(struct listeners *l, const struct flow_addr *a, uint16_t port, tstamp_t ts);
/* The entry of a.port, or NULL: none recorded (nothing creates one). */
const struct listener *listeners_get(struct listeners *l, const struct flow_addr *a, uint16_t port);
uint32_t listeners_count(const struct listeners *l);
uint64_t listeners_overflow(const struct listeners *l);
/* The recorded entries sorted by address then port; *n set to their number.
 * The array belongs to l and is valid until the next note. */
const struct listener *listeners_sorted(struct listeners *l, uint32_t *n);

#endif
