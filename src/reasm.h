/* reasm.h - IP fragments put back together, for the tracker.
 *
 * A TCP segment (or a tunnel packet carrying one) that crossed a link with a
 * smaller MTU arrives as fragments: the first holds the TCP header and part
 * of the payload, the others only payload.  Decoded one by one, the first
 * would give a segment whose length covers only itself and the rest
 * nothing, and the tracker would see sequence gaps that are not there.  The
 * receiving host reassembles before TCP sees anything; so does this, for
 * IPv4 and IPv6 (whose fragment header RFC 8200 defines).
 *
 * The tracker reads no payload (segment.h), so only what a decoder needs is
 * kept: which payload ranges have arrived, the total length (from the last
 * fragment), the first fragment's header part (IPv4's header; IPv6's
 * header and the extension headers before the fragment header, at most
 * REASM_HDR bytes) and the first REASM_ROOM bytes of payload (the TCP
 * header, or a tunnel's headers and the TCP header inside).  A datagram is
 * complete when its ranges cover [0, total); the fragment completing it is
 * then decoded as that whole datagram, at its time and packet number.
 *
 * Like Linux, a datagram whose fragments overlap (other than an exact
 * repeat) is dropped whole (RFC 5722's rule, which Linux applies to IPv4
 * too: overlaps are how RFC 1858's attacks rewrite a header), as is one
 * longer than its length field can say; one not complete after
 * REASM_TIMEOUT of capture time (Linux's ipfrag_time; REASM_TIMEOUT_V6,
 * RFC 8200's 60 s, for IPv6; looked for once per second of capture time)
 * is dropped.  Its fragments then count as
 * "ip_fragment_lost" instead of "ip_fragment": the segment they carried
 * never reached the receiver's TCP.
 *
 * Fragment sizes follow the receivers too: IPv4's before the last are cut
 * to a multiple of 8 bytes (Linux), IPv6's that are not one are dropped,
 * and so is an IPv6 first fragment without the whole TCP header (RFC 8200
 * 4.5, RFC 7112).
 *
 * Memory: REASM_SLOTS datagrams at once, allocated at the first fragment a
 * run sees (a run without fragments allocates nothing); when all are in
 * use, a completed one (kept a millisecond to recognise copies) gives way
 * first, else the one least recently added to is dropped.  A fragment
 * costs a scan of REASM_SLOTS 32-bit tags and stamps, in two small arrays.  A datagram is also
 * dropped when its fragments so far leave more than REASM_PIECES separate
 * ranges (Linux has no such limit, only one on memory). */
#ifndef TCPFSM_REASM_H
#define TCPFSM_REASM_H

#include <stdint.h>

#include "decode.h"
#include "segment.h"

#define REASM_SLOTS 64
#define REASM_PIECES 32
#define REASM_ROOM 256
#define REASM_HDR 256
#define REASM_TIMEOUT (30 * TS_PER_SEC)
#define REASM_TIMEOUT_V6 (60 * TS_PER_SEC)

struct reasm_datagram;

struct reasm {
    struct reasm_datagram *slot;    /* REASM_SLOTS, NULL until the first fragment */
    uint32_t tag[REASM_SLOTS];      /* each slot's key, folded (0: free) */
    uint64_t stamp[REASM_SLOTS];    /* when each was last added to (0: free, 1: completed) */
    uint64_t clock;                 /* the last stamp given (from 1) */
    tstamp_t next_sweep;            /* when to look for datagrams past their time */
    uint64_t dropped;               /* datagrams dropped incomplete, all reasons */
    uint8_t buf[REASM_HDR + REASM_ROOM];    /* a completed datagram's header and first bytes */
};

void reasm_init(struct reasm *r);
void reasm_destroy(struct reasm *r);

/* A packet whose decoding met an IP fragment (seg->frag_ip set; seg->ts
 * and seg->pktno filled in).  Adds the fragment to its datagram and returns
 * the outcome to count for this packet: the decoding of the whole datagram
 * if this fragment completed it (*seg then describes the datagram, at this
 * fragment's time and packet number); else DEC_IP_FRAGMENT (held),
 * DEC_IP_FRAGMENT_LOST (its datagram dropped), or DEC_DUPLICATE for a copy
 * of a fragment of a datagram completed within the last millisecond (the
 * same packet on another interface of a capture on "any").  outcome[] are
 * the caller's per-outcome packet counters, in which it counts every
 * packet: fragments held for a datagram later dropped are moved there from
 * DEC_IP_FRAGMENT to DEC_IP_FRAGMENT_LOST. */
enum decode_outcome reasm_packet(struct reasm *r, struct segment *seg, uint64_t outcome[DEC__COUNT]);

/* The capture has ended: datagrams still incomplete are dropped, their
 * fragments moved to DEC_IP_FRAGMENT_LOST in outcome[]. */
void reasm_finish(struct reasm *r, uint64_t outcome[DEC__COUNT]);

#endif
