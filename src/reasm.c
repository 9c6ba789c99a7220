/* reasm.c - IP fragments put back together, for the tracker (see reasm.h). */
#include "reasm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"

/* One datagram being put together. */
struct reasm_datagram {
    bool used;
    bool done;                  /* completed; kept a moment to recognise copies */
    uint8_t version;            /* 4 or 6 */
    uint8_t proto;              /* IPv4's protocol (IPv6 keys have none) */
    uint8_t npieces;
    uint8_t depth;              /* tunnels outside it (segment.frag_depth) */
    uint16_t hdr_len;           /* the first fragment's header part; 0 until it comes */
    uint16_t nh_at;             /* IPv6: where in it the next header naming the fragment header is */
    uint8_t next;               /* IPv6: the fragment header's next header */
    uint32_t id;
    uint8_t src[16], dst[16];
    uint64_t encap;             /* tunnels outside it (segment.frag_encap) */
    uint32_t total;             /* payload length, known once has_total */
    bool has_total;
    uint32_t frags;             /* packets added: what to move if it is dropped */
    tstamp_t first, last;       /* capture time of the first and the latest fragment */
    uint8_t have[REASM_ROOM / 8];   /* which of the first REASM_ROOM payload bytes were captured */
    /* (what follows is read only as far as npieces, hdr_len and have say:
     * not cleared for a new datagram) */
    struct {
        uint32_t lo, hi;
    } piece[REASM_PIECES];      /* payload ranges received: sorted, disjoint, not adjacent */
    uint8_t hdr[REASM_HDR];     /* IPv4: its header; IPv6: its header and the extension
                                   headers before the fragment header */
    uint8_t room[REASM_ROOM];
};

void reasm_init(struct reasm *r)
{
    memset(r, 0, sizeof *r);
    r->clock = 1;                       /* stamps 0 and 1 have their own meaning */
}

void reasm_destroy(struct reasm *r)
{
    free(r->slot);
    r->slot = NULL;
}

/* d's slot is free again. */
static void release(struct reasm *r, struct reasm_datagram *d)
{
    size_t i = (size_t)(d - r->slot);
    d->used = false;
    r->tag[i] = 0;
    r->stamp[i] = 0;
}

/* Drop d incomplete: its fragments never made a segment. */
static void drop(struct reasm *r, struct reasm_datagram *d, uint64_t outcome[DEC__COUNT])
{
    if (d->used && !d->done) {
        outcome[DEC_IP_FRAGMENT] -= d->frags;
        outcome[DEC_IP_FRAGMENT_LOST] += d->frags;
        r->dropped++;
    }
    release(r, d);
}

/* A datagram's key folded into 32 bits, never 0 (a free slot's tag): the
 * scan below compares these, and the whole key only where one matches.
 * Not secret: traffic made to collide costs a full comparison per slot,
 * no more. */
static uint32_t key_tag(const struct reasm_datagram *k)
{
    uint64_t h = (uint64_t)k->id << 16 ^ (uint64_t)k->version << 8 ^ k->proto ^ k->encap;
    for (int i = 0; i < 16; i += 4) {
        uint32_t s, d;
        memcpy(&s, k->src + i, 4);
        memcpy(&d, k->dst + i, 4);
        h = (h ^ s) * 0x9e3779b97f4a7c15ULL;
        h = (h ^ d) * 0x9e3779b97f4a7c15ULL;
    }
    return (uint32_t)(h >> 32) | 1u;
}

/* The datagram this fragment belongs to, or a new one in the slot used
 * least recently (free slots and completed datagrams first).  The scan
 * reads only the compact tag and stamp arrays; datagrams past their time
 * are looked for once per second of capture time. */
static struct reasm_datagram *find(struct reasm *r, const struct reasm_datagram *key, tstamp_t now,
                                   uint64_t outcome[DEC__COUNT])
{
    if (now >= r->next_sweep || r->next_sweep - now > TS_PER_SEC) {     /* (or time went back) */
        for (int i = 0; i < REASM_SLOTS; i++) {
            struct reasm_datagram *d = &r->slot[i];
            if (d->used && now - d->first > (d->version == 6 ? REASM_TIMEOUT_V6 : REASM_TIMEOUT))
                drop(r, d, outcome);
        }
        r->next_sweep = now + TS_PER_SEC;
    }
    uint32_t tag = key_tag(key);
    int victim = 0;
    for (int i = 0; i < REASM_SLOTS; i++) {
        if (r->tag[i] == tag) {
            struct reasm_datagram *d = &r->slot[i];
            if (d->id == key->id && d->version == key->version && d->proto == key->proto &&
                d->encap == key->encap && !memcmp(d->src, key->src, 16) && !memcmp(d->dst, key->dst, 16))
                return d;
        }
        if (r->stamp[i] < r->stamp[victim])
            victim = i;
    }
    struct reasm_datagram *d = &r->slot[victim];
    drop(r, d, outcome);
    memset(d, 0, offsetof(struct reasm_datagram, piece));
    d->used = true;
    d->version = key->version;
    d->id = key->id;
    d->proto = key->proto;
    d->encap = key->encap;
    memcpy(d->src, key->src, 16);
    memcpy(d->dst, key->dst, 16);
    d->first = now;
    r->tag[victim] = tag;
    return d;
}

enum add_result { ADD_NEW, ADD_REPEAT, ADD_OVERLAP, ADD_FULL };

/* Record payload range [lo, hi) (hi > lo). */
static enum add_result add_piece(struct reasm_datagram *d, uint32_t lo, uint32_t hi)
{
    unsigned i = 0;
    while (i < d->npieces && d->piece[i].hi < lo)
        i++;
    /* pieces i.. end at or after lo; the first of them decides */
    if (i < d->npieces && d->piece[i].lo < hi && d->piece[i].hi > lo) {
        /* shares bytes with piece i: a repeat if it lies wholly inside
         * (pieces are merged, so an exact repeat of a fragment lies inside
         * the piece that took it) */
        return lo >= d->piece[i].lo && hi <= d->piece[i].hi ? ADD_REPEAT : ADD_OVERLAP;
    }
    bool join_prev = i < d->npieces && d->piece[i].hi == lo;    /* piece i ends where this starts */
    unsigned next = join_prev ? i + 1 : i;
    if (next < d->npieces && d->piece[next].lo < hi)
        return ADD_OVERLAP;
    bool join_next = next < d->npieces && d->piece[next].lo == hi;
    if (join_prev && join_next) {
        d->piece[i].hi = d->piece[next].hi;
        memmove(&d->piece[next], &d->piece[next + 1], (d->npieces - next - 1) * sizeof d->piece[0]);
        d->npieces--;
    } else if (join_prev) {
        d->piece[i].hi = hi;
    } else if (join_next) {
        d->piece[next].lo = lo;
    } else {
        if (d->npieces == REASM_PIECES)
            return ADD_FULL;
        memmove(&d->piece[i + 1], &d->piece[i], (d->npieces - i) * sizeof d->piece[0]);
        d->piece[i].lo = lo;
        d->piece[i].hi = hi;
        d->npieces++;
    }
    return ADD_NEW;
}

/* Leading payload bytes captured, of the first REASM_ROOM. */
static uint32_t captured_prefix(const struct reasm_datagram *d, uint32_t limit)
{
    uint32_t n = 0;
    while (n < limit && (d->have[n / 8] >> (n % 8) & 1))
        n++;
    return n;
}

/* The fragment's header fields: its datagram's key (in *key), where its
 * payload begins (*start: IPv4 header length, or the end of the IPv6
 * fragment header), the fragment offset in bytes and the more-fragments
 * flag.  DEC_TCP if they could be read. */
static enum decode_outcome read_fragment(const struct segment *seg, struct reasm_datagram *key, uint32_t *start,
                                         uint32_t *offset, bool *more)
{
    struct bytes ip = bytes_make(seg->frag_ip, seg->frag_caplen);
    uint8_t v;
    memset(key, 0, sizeof *key);
    key->encap = seg->frag_encap;
    /* The decoder has read all of these to set frag_ip; checked again
     * because they are packet bytes. */
    if (!bytes_u8(ip, 0, &v))
        return DEC_TRUNC_IP;
    key->version = v >> 4;
    if (key->version == 4) {
        uint16_t id, field;
        if (!bytes_be16(ip, 4, &id) || !bytes_be16(ip, 6, &field) || !bytes_u8(ip, 9, &key->proto) ||
            !bytes_copy(ip, 12, key->src, 4) || !bytes_copy(ip, 16, key->dst, 4))
            return DEC_TRUNC_IP;
        *start = (v & 0x0f) * 4u;
        if (*start < 20 || seg->frag_len < *start || !bytes_has(ip, 0, *start))
            return DEC_BAD_IP;
        key->id = id;
        *offset = (uint32_t)(field & 0x1fff) * 8;
        *more = (field & 0x2000) != 0;
        return DEC_TCP;
    }
    if (key->version != 6)
        return DEC_BAD_IP;
    uint16_t field;
    uint32_t hdr = seg->frag_v6_hdr;
    if (!bytes_copy(ip, 8, key->src, 16) || !bytes_copy(ip, 24, key->dst, 16) ||
        !bytes_u8(ip, hdr, &key->next) || !bytes_be16(ip, hdr + 2, &field) || !bytes_be32(ip, hdr + 4, &key->id))
        return DEC_TRUNC_IP;
    *start = hdr + 8;
    if (hdr < 40 || seg->frag_v6_nh >= hdr || seg->frag_len < *start)
        return DEC_BAD_IPV6_EXT;
    /* A payload length of 0 (a jumbogram, or a send offload's length taken
     * from the wire) cannot have a fragment header (RFC 2675): its length
     * would not be the datagram's. */
    uint16_t plen;
    if (!bytes_be16(ip, 4, &plen))
        return DEC_TRUNC_IP;
    if (plen == 0)
        return DEC_BAD_IP;
    *offset = field & 0xfff8u;
    *more = (field & 1) != 0;
    return DEC_TCP;
}

enum decode_outcome reasm_packet(struct reasm *r, struct segment *seg, uint64_t outcome[DEC__COUNT])
{
    struct reasm_datagram key;
    uint32_t start, lo;
    bool more;
    enum decode_outcome why = read_fragment(seg, &key, &start, &lo, &more);
    if (why != DEC_TCP)
        return why;
    if (!r->slot) {
        r->slot = calloc(REASM_SLOTS, sizeof *r->slot);
        if (!r->slot)
            return DEC_IP_FRAGMENT_LOST;    /* no memory: as if lost */
    }
    const uint8_t *ip = seg->frag_ip;
    tstamp_t now = seg->ts;
    uint64_t pktno = seg->pktno;
    uint32_t carried = seg->frag_len - start;      /* (at most 65,535) */
    if (more && (carried & 7)) {
        /* A fragment before the last carries a multiple of 8 bytes.  IPv4
         * receivers (Linux) take it cut down to one; IPv6 ones drop the
         * fragment (RFC 8200 4.5). */
        if (key.version == 6)
            return DEC_IP_FRAGMENT_LOST;
        carried &= ~7u;
    }
    /* An IPv6 first fragment must hold the whole header chain (RFC 8200
     * 4.5, RFC 7112): for TCP, the 20 bytes of its header (what Linux
     * checks); the receiver drops one that does not. */
    if (key.version == 6 && lo == 0 && key.next == 6 && carried < 20)
        return DEC_IP_FRAGMENT_LOST;
    uint32_t hi = lo + carried;
    struct reasm_datagram *d = find(r, &key, now, outcome);
    if (d->done) {
        /* A copy of a fragment of a datagram just completed (the same
         * packet from another interface): not a new datagram.  Later than
         * that, the identification has been used again. */
        if (now >= d->last && now - d->last <= TS_PER_MS && hi <= d->total)
            return DEC_DUPLICATE;
        release(r, d);
        d = find(r, &key, now, outcome);
    }
    r->stamp[d - r->slot] = ++r->clock;
    d->last = now;

    /* Empty, longer than the datagram's length field can say, two
     * different ends, or bytes past the end: the datagram is dropped
     * whole, as by an overlap. */
    uint32_t most = key.version == 4 ? 0xffff - start : 0xffff - (start - 48);
    bool bad = lo == hi || hi > most || (!more && d->has_total && d->total != hi) ||
               (d->has_total && hi > d->total) || (!more && d->npieces && d->piece[d->npieces - 1].hi > hi);
    enum add_result a = bad ? ADD_OVERLAP : add_piece(d, lo, hi);
    if (a == ADD_OVERLAP || a == ADD_FULL) {
        drop(r, d, outcome);
        return DEC_IP_FRAGMENT_LOST;
    }
    d->frags++;                         /* counted by the caller as a fragment, for now */
    if (a == ADD_REPEAT)
        return DEC_IP_FRAGMENT;         /* adds nothing */
    if (!more) {
        d->has_total = true;
        d->total = hi;
    }

    /* What was captured of this fragment's payload, where it falls in the
     * first REASM_ROOM bytes. */
    uint32_t got = seg->frag_caplen > start ? seg->frag_caplen - start : 0;
    uint32_t end = got < hi - lo ? lo + got : hi;
    if (end > REASM_ROOM)
        end = REASM_ROOM;
    for (uint32_t k = lo; k < end; k++) {
        d->room[k] = ip[start + (k - lo)];
        d->have[k / 8] |= (uint8_t)(1u << (k % 8));
    }
    if (lo == 0) {
        /* The header part: IPv4's header, or IPv6's header and the
         * extension headers before the fragment header.  One too long to
         * keep, or not captured, leaves the datagram unable to complete. */
        uint32_t part = key.version == 4 ? start : start - 8;
        if (part <= REASM_HDR && seg->frag_caplen >= part) {
            d->hdr_len = (uint16_t)part;
            memcpy(d->hdr, ip, part);
            d->depth = seg->frag_depth;
            d->nh_at = seg->frag_v6_nh;
            d->next = key.next;
        }
    }
    if (!d->hdr_len || !d->has_total || d->npieces != 1 || d->piece[0].lo != 0 || d->piece[0].hi != d->total)
        return DEC_IP_FRAGMENT;

    /* Complete: its header part, saying it is whole, then the bytes kept.
     * The other fragments stay counted as fragments; this packet counts
     * as what the datagram decodes to.  Unless it is longer than its
     * length field can say (the header part is the first fragment's, the
     * limit above was checked with each fragment's own): dropped. */
    d->frags--;
    r->stamp[d - r->slot] = 1;          /* completed: the first to give way (free slots are 0) */
    uint32_t len = d->hdr_len + d->total;
    if (len - (d->version == 6 ? 40 : 0) > 0xffff) {
        drop(r, d, outcome);
        return DEC_IP_FRAGMENT_LOST;
    }
    d->done = true;
    uint32_t kept = captured_prefix(d, d->total < REASM_ROOM ? d->total : REASM_ROOM);
    uint8_t *p = r->buf;
    memcpy(p, d->hdr, d->hdr_len);
    if (d->version == 4) {
        p[2] = (uint8_t)(len >> 8);
        p[3] = (uint8_t)len;
        p[6] = p[7] = 0;
        p[10] = p[11] = 0;
        uint16_t sum = (uint16_t)~checksum_fold(checksum_add(p, d->hdr_len, 0));
        p[10] = (uint8_t)(sum >> 8);
        p[11] = (uint8_t)sum;
    } else {
        p[4] = (uint8_t)((len - 40) >> 8);
        p[5] = (uint8_t)(len - 40);
        p[d->nh_at] = d->next;          /* the fragment header taken out */
    }
    memcpy(p + d->hdr_len, d->room, kept);
    enum decode_outcome whole = decode_ip_datagram(p, d->hdr_len + kept, len, d->encap, d->depth, seg);
    seg->ts = now;
    seg->pktno = pktno;
    if (seg->frag_ip) {
        /* A fragment inside it (a tunnel's inner packet, itself
         * fragmented): not followed.  Nothing of it reached TCP. */
        seg->frag_ip = NULL;
        outcome[DEC_IP_FRAGMENT] -= d->frags;
        outcome[DEC_IP_FRAGMENT_LOST] += d->frags;
        return DEC_IP_FRAGMENT_LOST;
    }
    return whole;
}

void reasm_finish(struct reasm *r, uint64_t outcome[DEC__COUNT])
{
    if (!r->slot)
        return;
    for (int i = 0; i < REASM_SLOTS; i++)
        drop(r, &r->slot[i], outcome);
}
