/* dedupe.h - one packet seen on several interfaces counts once.
 *
 * A capture on Linux's "any" device (cooked headers, SLL and SLL2) sees a
 * packet on every interface it crosses: both directions of loopback, and the
 * veth, bridge and uplink of a container host.  To the tracker the copies
 * would look like retransmissions.  A copy is the same segment (addresses,
 * ports, sequence and acknowledgement numbers, flags, length, window, IPv4
 * identification and TCP timestamp) within a millisecond of the first; a
 * real retransmission differs in the IPv4 identification or the timestamp,
 * and comes later.  A small direct-mapped table of recent segments finds
 * copies in fixed memory. */
#ifndef TCPFSM_DEDUPE_H
#define TCPFSM_DEDUPE_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "segment.h"

#define DEDUPE_SLOTS 4096
#define DEDUPE_WINDOW TS_PER_MS

struct dedupe {
    struct hash_key key;
    int mode;           /* dedupe_set_mode() */
    struct {
        uint64_t fp;
        tstamp_t ts;
    } slot[DEDUPE_SLOTS];
};

void dedupe_init(struct dedupe *d);
/* --dedupe (1): check the packets of every link type, for copies a network
 * made (a SPAN session copying both directions, a switch loop); --no-dedupe
 * (-1): none; 0, the default: the cooked "any" captures only. */
void dedupe_set_mode(struct dedupe *d, int mode);
/* Should packets of this link type be checked? */
bool dedupe_applies(const struct dedupe *d, int linktype);
/* True if seg (ts set) is a copy of a segment seen within the window. */
bool dedupe_seen(struct dedupe *d, const struct segment *seg);

#endif
