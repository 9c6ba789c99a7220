/* floor.c - the least any libpcap-based TCP connection tracker must do.
 *
 * Reads every packet with pcap_next_ex, decodes Ethernet (with 802.1Q/802.1ad
 * tags), Linux cooked v1 or raw IP, then IPv4 or IPv6 (skipping the common
 * extension headers) and the fixed TCP header, all bounds-checked; then looks
 * the direction-independent 4-tuple up in an open-addressing hash table
 * (linear probing, at most half full, doubled when needed) and inserts it if
 * new.  Each entry keeps a packet count and the OR of the TCP flags seen, so
 * the lookups do real work.  Prints packet, TCP packet and connection counts.
 *
 * It tracks no state, never expires or evicts anything, and its hash is not
 * keyed (a real tracker facing hostile traffic needs a keyed hash such as
 * SipHash): it is a floor for the time, not a design.
 *
 *   floor FILE.pcap */
#define _DEFAULT_SOURCE     /* u_char and friends, which pcap.h uses */

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key {
    uint64_t a[2], b[2];    /* lower (address, port) side first */
    uint16_t pa, pb;
    uint8_t fam;            /* 4 or 6; 0 marks an empty slot */
    uint8_t flags;          /* OR of the TCP flags seen */
    uint16_t pad;
    uint32_t pkts;
    uint32_t pad2;
};                          /* 48 bytes */

struct table {
    struct key *slot;
    size_t mask, count;
};

static inline uint64_t fmix(uint64_t z)
{
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    return z ^ (z >> 33);
}

static inline uint64_t key_hash(const struct key *k)
{
    uint64_t h = fmix(k->a[0] ^ ((uint64_t)k->pa << 48 | (uint64_t)k->pb << 32 | k->fam));
    h = fmix(h ^ k->b[0]);
    if (k->fam == 6)
        h = fmix(h ^ k->a[1] ^ fmix(k->b[1]));
    return h;
}

static inline bool key_eq(const struct key *x, const struct key *y)
{
    return x->a[0] == y->a[0] && x->b[0] == y->b[0] && x->a[1] == y->a[1] && x->b[1] == y->b[1] &&
           x->pa == y->pa && x->pb == y->pb && x->fam == y->fam;
}

static bool table_init(struct table *t, size_t slots)
{
    t->slot = calloc(slots, sizeof *t->slot);
    t->mask = slots - 1;
    t->count = 0;
    return t->slot != NULL;
}

static bool table_grow(struct table *t)
{
    struct table n;
    if (!table_init(&n, (t->mask + 1) * 2))
        return false;
    for (size_t i = 0; i <= t->mask; i++) {
        const struct key *k = &t->slot[i];
        if (!k->fam)
            continue;
        size_t j = key_hash(k) & n.mask;
        while (n.slot[j].fam)
            j = (j + 1) & n.mask;
        n.slot[j] = *k;
    }
    n.count = t->count;
    free(t->slot);
    *t = n;
    return true;
}

/* Find k or insert it; counts the packet. */
static inline bool table_touch(struct table *t, const struct key *k)
{
    size_t i = key_hash(k) & t->mask;
    for (;;) {
        struct key *s = &t->slot[i];
        if (!s->fam)
            break;
        if (key_eq(s, k)) {
            s->pkts++;
            s->flags |= k->flags;
            return true;
        }
        i = (i + 1) & t->mask;
    }
    if ((t->count + 1) * 2 > t->mask + 1) {
        if (!table_grow(t))
            return false;
        i = key_hash(k) & t->mask;
        while (t->slot[i].fam)
            i = (i + 1) & t->mask;
    }
    t->slot[i] = *k;
    t->slot[i].pkts = 1;
    t->count++;
    return true;
}

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Decode one frame; fill k and return true for a TCP segment. */
static bool decode(int dlt, const uint8_t *p, uint32_t len, struct key *k)
{
    uint32_t off;
    uint16_t et;
    switch (dlt) {
    case DLT_EN10MB:
        if (len < 14)
            return false;
        et = be16(p + 12);
        off = 14;
        while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
            if (len < off + 4)
                return false;
            et = be16(p + off + 2);
            off += 4;
        }
        break;
    case DLT_LINUX_SLL:
        if (len < 16)
            return false;
        et = be16(p + 14);
        off = 16;
        break;
    case DLT_RAW:
    case 228:   /* LINKTYPE_IPV4 */
    case 229:   /* LINKTYPE_IPV6 */
        if (len < 1)
            return false;
        et = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
        off = 0;
        break;
    default:
        return false;
    }

    const uint8_t *ip = p + off;
    uint32_t rest = len - off;
    const uint8_t *tcp;
    uint32_t tcplen;
    uint64_t sa[2] = { 0, 0 }, da[2] = { 0, 0 };
    uint8_t fam;
    if (et == 0x0800) {
        if (rest < 20 || (ip[0] >> 4) != 4)
            return false;
        uint32_t hl = (ip[0] & 15u) * 4;
        if (hl < 20 || rest < hl || ip[9] != 6 || (be16(ip + 6) & 0x1fff))
            return false;   /* not TCP, or a later fragment */
        sa[0] = load32(ip + 12);
        da[0] = load32(ip + 16);
        fam = 4;
        tcp = ip + hl;
        tcplen = rest - hl;
    } else if (et == 0x86dd) {
        if (rest < 40 || (ip[0] >> 4) != 6)
            return false;
        uint8_t nh = ip[6];
        uint32_t o = 40;
        for (int n = 0; n < 8 && nh != 6; n++) {
            if (rest < o + 8)
                return false;
            if (nh == 0 || nh == 43 || nh == 60) {
                uint8_t next = ip[o];
                o += (ip[o + 1] + 1u) * 8;
                nh = next;
            } else if (nh == 44) {
                if (be16(ip + o + 2) & 0xfff8)
                    return false;   /* a later fragment */
                nh = ip[o];
                o += 8;
            } else {
                return false;
            }
        }
        if (nh != 6 || rest < o)
            return false;
        sa[0] = load64(ip + 8);
        sa[1] = load64(ip + 16);
        da[0] = load64(ip + 24);
        da[1] = load64(ip + 32);
        fam = 6;
        tcp = ip + o;
        tcplen = rest - o;
    } else {
        return false;
    }
    if (tcplen < 20)
        return false;
    uint16_t sp = be16(tcp), dp = be16(tcp + 2);
    bool src_first = sa[0] != da[0] ? sa[0] < da[0] : sa[1] != da[1] ? sa[1] < da[1] : sp <= dp;
    if (src_first) {
        k->a[0] = sa[0]; k->a[1] = sa[1]; k->b[0] = da[0]; k->b[1] = da[1];
        k->pa = sp; k->pb = dp;
    } else {
        k->a[0] = da[0]; k->a[1] = da[1]; k->b[0] = sa[0]; k->b[1] = sa[1];
        k->pa = dp; k->pb = sp;
    }
    k->fam = fam;
    k->flags = tcp[13];
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE.pcap\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(argv[1], err);
    if (!pc) {
        fprintf(stderr, "floor: %s\n", err);
        return 2;
    }
    int dlt = pcap_datalink(pc);
    struct table t;
    if (!table_init(&t, 1u << 16)) {
        fprintf(stderr, "floor: out of memory\n");
        return 1;
    }
    uint64_t packets = 0, tcp = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        packets++;
        struct key k;
        memset(&k, 0, sizeof k);
        if (!decode(dlt, data, h->caplen, &k))
            continue;
        tcp++;
        if (!table_touch(&t, &k)) {
            fprintf(stderr, "floor: out of memory at %zu connections\n", t.count);
            return 1;
        }
    }
    if (rc == -1)
        fprintf(stderr, "floor: %s\n", pcap_geterr(pc));
    printf("packets=%" PRIu64 " tcp=%" PRIu64 " conns=%zu table_slots=%zu\n", packets, tcp, t.count,
           t.mask + 1);
    free(t.slot);
    pcap_close(pc);
    return rc == -1 ? 1 : 0;
}
