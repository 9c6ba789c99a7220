/* ring.c - bounded rings of recent packets and transitions (see ring.h).
 *
 * Packet bytes are written one after another into the arena; a packet that
 * does not fit before the end starts again at offset 0.  The bytes just
 * ahead of the write position are always the oldest, so making room means
 * dropping the oldest packets until the new one's bytes are free. */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

struct ring {
    uint8_t *arena;
    size_t arena_bytes;
    uint32_t pkt_cap;
    size_t woff;            /* where the next packet's bytes go */
    struct ring_pkt *pkts;
    uint32_t max_pkts, pfirst, pcount;
    struct ring_trans *trans;
    uint32_t max_trans, tfirst, tcount;
    uint64_t added;
};

struct ring *ring_create(size_t arena_bytes, uint32_t max_pkts, uint32_t max_trans, uint32_t pkt_cap)
{
    struct ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (pkt_cap > arena_bytes)
        pkt_cap = (uint32_t)arena_bytes;
    r->arena = malloc(arena_bytes ? arena_bytes : 1);
    r->pkts = calloc(max_pkts ? max_pkts : 1, sizeof *r->pkts);
    r->trans = calloc(max_trans ? max_trans : 1, sizeof *r->trans);
    if (!r->arena || !r->pkts || !r->trans) {
        ring_destroy(r);
        return NULL;
    }
    r->arena_bytes = arena_bytes;
    r->pkt_cap = pkt_cap;
    r->max_pkts = max_pkts ? max_pkts : 1;
    r->max_trans = max_trans ? max_trans : 1;
    return r;
}

void ring_destroy(struct ring *r)
{
    if (!r)
        return;
    free(r->arena);
    free(r->pkts);
    free(r->trans);
    free(r);
}

size_t ring_memory(const struct ring *r)
{
    return sizeof *r + r->arena_bytes + (size_t)r->max_pkts * sizeof *r->pkts +
           (size_t)r->max_trans * sizeof *r->trans;
}

static void drop_oldest(struct ring *r)
{
    r->pfirst = (r->pfirst + 1) % r->max_pkts;
    r->pcount--;
}

void ring_add_packet(struct ring *r, uint32_t conn_id, int role, const struct seg_core *seg,
                     const uint8_t *data, uint32_t caplen, uint32_t wirelen, int linktype)
{
    uint32_t len = caplen < r->pkt_cap ? caplen : r->pkt_cap;
    if (!data)
        len = 0;
    if (r->woff + len > r->arena_bytes) {
        /* The arena's tail holds the oldest packets: they go, and the
         * write position starts over. */
        while (r->pcount && r->pkts[r->pfirst].off >= r->woff)
            drop_oldest(r);
        r->woff = 0;
    }
    while (r->pcount) {
        const struct ring_pkt *o = &r->pkts[r->pfirst];
        if (o->caplen && o->off < r->woff + len && o->off + o->caplen > r->woff)
            drop_oldest(r);
        else if (!o->caplen && o->off >= r->woff && o->off < r->woff + len)
            drop_oldest(r);
        else
            break;
    }
    if (r->pcount == r->max_pkts)
        drop_oldest(r);
    struct ring_pkt *p = &r->pkts[(r->pfirst + r->pcount) % r->max_pkts];
    r->pcount++;
    r->added++;
    p->ts = seg->ts;
    p->pktno = seg->pktno;
    p->conn_id = conn_id;
    p->off = (uint32_t)r->woff;
    p->caplen = len;
    p->wirelen = wirelen;
    p->seq = seg->seq;
    p->ack = seg->ack;
    p->payload_len = seg->payload_len;
    p->win = seg->win;
    p->linktype = (uint16_t)linktype;
    p->flags = seg->flags;
    p->role = (uint8_t)role;
    p->icmp = seg->icmp;
    if (len)
        memcpy(r->arena + r->woff, data, len);
    r->woff += len;
}

void ring_add_transition(struct ring *r, uint32_t conn_id, int role, enum tcp_state from,
                         enum tcp_state to, unsigned ev, tstamp_t ts)
{
    if (r->tcount == r->max_trans) {
        r->tfirst = (r->tfirst + 1) % r->max_trans;
        r->tcount--;
    }
    struct ring_trans *t = &r->trans[(r->tfirst + r->tcount) % r->max_trans];
    r->tcount++;
    t->ts = ts;
    t->conn_id = conn_id;
    t->role = (uint8_t)role;
    t->from = (uint8_t)from;
    t->to = (uint8_t)to;
    t->ev = (uint8_t)ev;
}

uint32_t ring_conn_packets(const struct ring *r, uint32_t conn_id, struct ring_pkt **out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->pcount; i++)
        if (r->pkts[(r->pfirst + i) % r->max_pkts].conn_id == conn_id)
            n++;
    *out = NULL;
    if (!n || !(*out = malloc((size_t)n * sizeof **out)))
        return 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->pcount && k < n; i++) {
        const struct ring_pkt *p = &r->pkts[(r->pfirst + i) % r->max_pkts];
        if (p->conn_id == conn_id)
            (*out)[k++] = *p;
    }
    return k;
}

uint32_t ring_conn_transitions(const struct ring *r, uint32_t conn_id, struct ring_trans **out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->tcount; i++)
        if (r->trans[(r->tfirst + i) % r->max_trans].conn_id == conn_id)
            n++;
    *out = NULL;
    if (!n || !(*out = malloc((size_t)n * sizeof **out)))
        return 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->tcount && k < n; i++) {
        const struct ring_trans *t = &r->trans[(r->tfirst + i) % r->max_trans];
        if (t->conn_id == conn_id)
            (*out)[k++] = *t;
    }
    return k;
}

const uint8_t *ring_packet_data(const struct ring *r, const struct ring_pkt *p)
{
    return r->arena + p->off;
}

uint64_t ring_packets_added(const struct ring *r) { return r->added; }
uint32_t ring_packets_kept(const struct ring *r) { return r->pcount; }
