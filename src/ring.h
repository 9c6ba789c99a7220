/* ring.h - the recent past, bounded: packets and state transitions.
 *
 * The live view's detail of one connection shows its timeline, and `w`
 * writes its packets to a file.  Both come from here: a ring of the most
 * recent packets (their bytes, as captured, in a fixed arena) and a ring of
 * the most recent endpoint transitions.  Memory is fixed when the ring is
 * created, whatever the traffic: the oldest entries make room for new ones,
 * so a busy capture keeps a shorter past, never a bigger one. */
#ifndef TCPFSM_RING_H
#define TCPFSM_RING_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"
#include "tcpstate.h"

/* One packet of a connection, as the tracker applied it. */
struct ring_pkt {
    tstamp_t ts;
    uint64_t pktno;
    uint32_t conn_id;
    uint32_t off;           /* its bytes in the arena */
    uint32_t caplen;        /* bytes kept (at most the ring's per-packet cap) */
    uint32_t wirelen;
    uint32_t seq, ack, payload_len;
    uint16_t win;
    uint16_t linktype;
    uint8_t flags;          /* TH_* */
    uint8_t role;           /* CLIENT or SERVER: who sent it */
    uint8_t icmp;           /* ICMPK_* (segment.h): an ICMP error about a
                               segment `role` sent, which seq, ack and flags
                               describe as quoted; 0 for a segment */
};

/* One endpoint transition. */
struct ring_trans {
    tstamp_t ts;
    uint32_t conn_id;
    uint8_t role, from, to, ev;     /* ev: enum tcp_event, or EV_TIMEOUT */
};

struct ring;

/* arena_bytes of packet bytes, at most max_pkts packets and max_trans
 * transitions; each packet keeps at most pkt_cap bytes. */
struct ring *ring_create(size_t arena_bytes, uint32_t max_pkts, uint32_t max_trans, uint32_t pkt_cap);
void ring_destroy(struct ring *r);
size_t ring_memory(const struct ring *r);

void ring_add_packet(struct ring *r, uint32_t conn_id, int role, const struct seg_core *seg,
                     const uint8_t *data, uint32_t caplen, uint32_t wirelen, int linktype);
void ring_add_transition(struct ring *r, uint32_t conn_id, int role, enum tcp_state from,
                         enum tcp_state to, unsigned ev, tstamp_t ts);

/* Copy the kept packets (oldest first) and transitions of one connection
 * into arrays the caller frees; returns their numbers. */
uint32_t ring_conn_packets(const struct ring *r, uint32_t conn_id, struct ring_pkt **out);
uint32_t ring_conn_transitions(const struct ring *r, uint32_t conn_id, struct ring_trans **out);
/* The bytes of a packet returned by ring_conn_packets (valid until the next
 * ring_add_packet). */
const uint8_t *ring_packet_data(const struct ring *r, const struct ring_pkt *p);
/* Packets and transitions ever added, and how many are still kept. */
uint64_t ring_packets_added(const struct ring *r);
uint32_t ring_packets_kept(const struct ring *r);

#endif
