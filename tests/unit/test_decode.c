/* test_decode.c - decode_packet() on packets built byte by byte.
 *
 * Every decode in this file goes through dec(), which decodes the packet
 * three times: in place, copied so that its last captured byte sits just
 * before an inaccessible page, and copied so that its first byte sits just
 * after one.  A read past either end of the capture therefore faults (and the
 * sanitizer build also checks an exact-size heap copy), and the three results
 * must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "decode.h"
#include "segment.h"
#include "unit.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* ------------------------------------------------------------ guards --- */

static uint8_t *guard_mem;
static size_t page;

static void guard_init(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    page = ps > 0 ? (size_t)ps : 4096;
    void *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        fprintf(stderr, "mmap failed\n");
        exit(99);
    }
    guard_mem = m;
    if (mprotect(guard_mem, page, PROT_NONE) != 0 ||
        mprotect(guard_mem + 2 * page, page, PROT_NONE) != 0) {
        fprintf(stderr, "mprotect failed\n");
        exit(99);
    }
}

/* The header pointers a segment keeps, as offsets into the packet buffer
 * (-1: not set, -2: outside the buffer). */
static long ptr_off(const uint8_t *p, const uint8_t *base, size_t len)
{
    if (!p)
        return -1;
    if (p < base || p > base + len)
        return -2;
    return (long)(p - base);
}

/* A copy of *s whose pointers are replaced by offsets from base, so that
 * decodes of the same bytes at different addresses compare equal. */
static void normalize(struct segment *n, const struct segment *s, const uint8_t *base, size_t len)
{
    *n = *s;
    n->ip_hdr = (const uint8_t *)(uintptr_t)(ptr_off(s->ip_hdr, base, len) + 16);
    n->tcp_hdr = (const uint8_t *)(uintptr_t)(ptr_off(s->tcp_hdr, base, len) + 16);
    n->frag_ip = (const uint8_t *)(uintptr_t)(ptr_off(s->frag_ip, base, len) + 16);
}

static int same_segment(const struct segment *a, const uint8_t *abase, const struct segment *b,
                        const uint8_t *bbase, size_t len)
{
    struct segment x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    normalize(&x, a, abase, len);
    normalize(&y, b, bbase, len);
    return memcmp(&x, &y, sizeof x) == 0;
}

static enum decode_outcome dec(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
                               struct segment *seg)
{
    struct segment s2, s3, s4;
    if (caplen > page) {
        fprintf(stderr, "test packet too long\n");
        exit(99);
    }
    enum decode_outcome o = decode_packet(dlt, data, (uint32_t)caplen, (uint32_t)wirelen, seg);

    uint8_t *end = guard_mem + 2 * page - caplen;
    memcpy(end, data, caplen);
    enum decode_outcome o2 = decode_packet(dlt, end, (uint32_t)caplen, (uint32_t)wirelen, &s2);

    uint8_t *start = guard_mem + page;
    memmove(start, data, caplen);
    enum decode_outcome o3 = decode_packet(dlt, start, (uint32_t)caplen, (uint32_t)wirelen, &s3);

    uint8_t *heap = malloc(caplen ? caplen : 1);
    if (!heap)
        exit(99);
    memcpy(heap, data, caplen);
    enum decode_outcome o4 = decode_packet(dlt, heap, (uint32_t)caplen, (uint32_t)wirelen, &s4);

    CHECKF(o == o2 && o == o3 && o == o4, "dlt %d caplen %zu: outcomes differ by placement", dlt, caplen);
    CHECKF(same_segment(seg, data, &s2, end, caplen) && same_segment(seg, data, &s3, start, caplen) &&
           same_segment(seg, data, &s4, heap, caplen),
           "dlt %d caplen %zu: segments differ by placement", dlt, caplen);
    free(heap);
    CHECKF((unsigned)o < DEC__COUNT, "dlt %d caplen %zu: outcome %d", dlt, caplen, (int)o);
    /* header pointers, when set, point into the captured bytes */
    CHECKF(ptr_off(seg->ip_hdr, data, caplen) != -2 && ptr_off(seg->tcp_hdr, data, caplen) != -2,
           "dlt %d caplen %zu: header pointer outside the packet", dlt, caplen);
    if (seg->ip_hdr)
        CHECKF((size_t)(seg->ip_hdr - data) + seg->ip_caplen <= caplen, "dlt %d caplen %zu: ip_caplen %u",
               dlt, caplen, seg->ip_caplen);
    if (seg->tcp_hdr)
        CHECKF((size_t)(seg->tcp_hdr - data) + seg->tcp_caplen <= caplen, "dlt %d caplen %zu: tcp_caplen %u",
               dlt, caplen, seg->tcp_caplen);
    if (o == DEC_TCP)
        CHECKF(seg->ip_hdr && seg->tcp_hdr && seg->ip_hdr < seg->tcp_hdr, "dlt %d caplen %zu: header pointers",
               dlt, caplen);
    return o;
}

/* ----------------------------------------------------------- builders --- */

struct pkt {
    uint8_t b[2048];
    size_t n;
};

static void p8(struct pkt *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void p16(struct pkt *p, unsigned v) { p8(p, v >> 8); p8(p, v); }
static void p32(struct pkt *p, uint32_t v) { p16(p, v >> 16); p16(p, v & 0xffff); }
static void pmem(struct pkt *p, const void *m, size_t n) { memcpy(p->b + p->n, m, n); p->n += n; }
static void pfill(struct pkt *p, unsigned v, size_t n) { memset(p->b + p->n, (int)v, n); p->n += n; }
static void set16(struct pkt *p, size_t off, unsigned v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
}

static const uint8_t V4A[4] = { 192, 0, 2, 1 }, V4B[4] = { 198, 51, 100, 2 };
static const uint8_t V4X[4] = { 10, 1, 1, 1 }, V4Y[4] = { 10, 2, 2, 2 };
static const uint8_t V6A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t V6X[16] = { 0xfd, 0, [14] = 0xab, [15] = 0xcd };
static const uint8_t V6Y[16] = { 0xfd, 0, [14] = 0xef, [15] = 0x01 };

/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7: 20 bytes. */
static const uint8_t OPT_SYN[20] = {
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 1, 3, 3, 7,
};
/* NOP NOP SACK with 3 blocks, NOP NOP timestamps: 40 bytes (data offset 15). */
static const uint8_t OPT_SACK3[40] = {
    1, 1, 5, 26,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00,
    0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00,
    0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10,
    1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
};

struct tcpspec {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    const uint8_t *opt;
    size_t optlen;          /* a multiple of 4 */
    size_t payload;
    int doff;               /* data offset to write; 0: from optlen */
};

static struct tcpspec std_tcp(void)
{
    struct tcpspec t = { 40000, 443, 0x01020304, 0xa0b0c0d0, TH_SYN | TH_ACK, 0xfaf0,
                         OPT_SYN, sizeof OPT_SYN, 100, 0 };
    return t;
}

static size_t tcp_len(const struct tcpspec *t) { return 20 + t->optlen + t->payload; }

static void put_tcp(struct pkt *p, const struct tcpspec *t)
{
    p16(p, t->sport);
    p16(p, t->dport);
    p32(p, t->seq);
    p32(p, t->ack);
    int doff = t->doff ? t->doff : (int)((20 + t->optlen) / 4);
    p8(p, (unsigned)doff << 4);
    p8(p, t->flags);
    p16(p, t->win);
    p16(p, 0x1234);     /* checksum: not checked */
    p16(p, 0);          /* urgent pointer */
    if (t->optlen)
        pmem(p, t->opt, t->optlen);
    for (size_t i = 0; i < t->payload; i++)
        p8(p, 0xa0 + (unsigned)(i & 0x0f));
}

/* IPv4 header of ihl 32-bit words (options are NOPs), total = header + len. */
static void put_ipv4(struct pkt *p, const uint8_t src[4], const uint8_t dst[4], unsigned proto,
                     size_t len, unsigned ihl, unsigned frag)
{
    p8(p, 0x40 | ihl);
    p8(p, 0);
    p16(p, (unsigned)(ihl * 4 + len));
    p16(p, 0x4242);
    p16(p, frag);
    p8(p, 64);
    p8(p, proto);
    p16(p, 0);
    pmem(p, src, 4);
    pmem(p, dst, 4);
    if (ihl > 5)
        pfill(p, 1, (ihl - 5) * 4);
}

static void put_ipv6(struct pkt *p, const uint8_t src[16], const uint8_t dst[16], unsigned nh,
                     size_t len)
{
    p32(p, 0x60012345);
    p16(p, (unsigned)len);
    p8(p, nh);
    p8(p, 64);
    pmem(p, src, 16);
    pmem(p, dst, 16);
}

static void put_eth(struct pkt *p, unsigned type)
{
    static const uint8_t macs[12] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa };
    pmem(p, macs, 12);
    p16(p, type);
}

static void put_v4_tcp(struct pkt *p, const struct tcpspec *t)
{
    put_ipv4(p, V4A, V4B, 6, tcp_len(t), 5, 0);
    put_tcp(p, t);
}

static void put_v6_tcp(struct pkt *p, const struct tcpspec *t)
{
    put_ipv6(p, V6A, V6B, 6, tcp_len(t));
    put_tcp(p, t);
}

/* --------------------------------------------------------- expectations --- */

struct want {
    int family;
    const uint8_t *src, *dst;
    struct tcpspec t;
    uint32_t ip_len;
};

/* Check the fields every test cares about, against the spec it was built
 * from; options as OPT_SYN or OPT_SACK3 encode them. */
static void expect_tcp(const char *what, enum decode_outcome o, const struct segment *s,
                       const struct want *w)
{
    CHECKF(o == DEC_TCP, "%s: outcome %s", what, decode_outcome_name(o));
    if (o != DEC_TCP)
        return;
    size_t alen = w->family == 4 ? 4 : 16;
    static const uint8_t zero[12];
    CHECKF(s->src.family == w->family && s->dst.family == w->family, "%s: family %d/%d", what,
           s->src.family, s->dst.family);
    CHECKF(memcmp(s->src.b, w->src, alen) == 0, "%s: source address", what);
    CHECKF(memcmp(s->dst.b, w->dst, alen) == 0, "%s: destination address", what);
    if (alen == 4)
        CHECKF(memcmp(s->src.b + 4, zero, 12) == 0 && memcmp(s->dst.b + 4, zero, 12) == 0,
               "%s: IPv4 address tail not zero", what);
    CHECKF(s->sport == w->t.sport && s->dport == w->t.dport, "%s: ports %u>%u", what, s->sport, s->dport);
    CHECKF(s->seq == w->t.seq, "%s: seq %#x", what, s->seq);
    CHECKF(s->ack == w->t.ack, "%s: ack %#x", what, s->ack);
    CHECKF(s->flags == w->t.flags, "%s: flags %#x", what, s->flags);
    CHECKF(s->have_win && s->win == w->t.win, "%s: window %u (have %d)", what, s->win, s->have_win);
    CHECKF(s->hdr_len == 20 + w->t.optlen, "%s: hdr_len %u", what, s->hdr_len);
    CHECKF(s->payload_len == w->t.payload, "%s: payload_len %u, want %zu", what, s->payload_len, w->t.payload);
    CHECKF(s->ip_len == w->ip_len, "%s: ip_len %u, want %u", what, s->ip_len, w->ip_len);
    CHECKF(!s->hdr_truncated, "%s: hdr_truncated", what);
    if (w->t.opt == OPT_SYN) {
        CHECKF(s->opts == (OPT_MSS | OPT_SACK_PERM | OPT_TIMESTAMP | OPT_WSCALE), "%s: opts %#x", what, s->opts);
        CHECKF(s->mss == 1460 && s->wscale == 7, "%s: mss %u wscale %u", what, s->mss, s->wscale);
        CHECKF(s->tsval == 0x11223344 && s->tsecr == 0x55667788, "%s: ts %#x %#x", what, s->tsval, s->tsecr);
        CHECKF(s->nsack == 0, "%s: nsack %u", what, s->nsack);
    } else if (w->t.opt == OPT_SACK3) {
        CHECKF(s->opts == (OPT_SACK | OPT_TIMESTAMP), "%s: opts %#x", what, s->opts);
        CHECKF(s->nsack == 3, "%s: nsack %u", what, s->nsack);
        CHECKF(s->sack[0][0] == 0x1000 && s->sack[0][1] == 0x2000 && s->sack[1][0] == 0x3000 &&
               s->sack[1][1] == 0x4000 && s->sack[2][0] == 0xfffffff0 && s->sack[2][1] == 0x10,
               "%s: SACK blocks", what);
        CHECKF(s->tsval == 0xdeadbeef && s->tsecr == 0x01020304, "%s: ts %#x %#x", what, s->tsval, s->tsecr);
    } else if (w->t.optlen == 0) {
        CHECKF(s->opts == 0, "%s: opts %#x", what, s->opts);
    }
}

static struct want want4(const struct tcpspec *t)
{
    struct want w = { 4, V4A, V4B, *t, (uint32_t)(20 + tcp_len(t)) };
    return w;
}

static struct want want6(const struct tcpspec *t)
{
    struct want w = { 6, V6A, V6B, *t, (uint32_t)(40 + tcp_len(t)) };
    return w;
}

/* ------------------------------------------------------------- tests --- */

static void test_ethernet(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    struct want w = want4(&t);
    expect_tcp("ethernet ipv4", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK(!s.ip_first_frag);

    /* IPv6 with SACK blocks, an ACK with data */
    struct tcpspec t6 = { 80, 50123, 0xfffffff0, 7, TH_ACK | TH_PSH, 501, OPT_SACK3, sizeof OPT_SACK3, 1200, 0 };
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_tcp(&p, &t6);
    struct want w6 = want6(&t6);
    expect_tcp("ethernet ipv6", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w6);

    /* four SACK blocks are all kept (SEG_MAX_SACK) */
    uint8_t opt4[40] = { 1, 1, 5, 34 };
    for (int i = 0; i < 8; i++) {
        opt4[4 + i * 4 + 3] = (uint8_t)(i + 1);
    }
    opt4[36] = 1; opt4[37] = 1; opt4[38] = 1; opt4[39] = 0;
    struct tcpspec t4 = { 1, 2, 3, 4, TH_ACK, 5, opt4, sizeof opt4, 0, 0 };
    p.n = 0;
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t4);
    struct want w4 = want4(&t4);
    expect_tcp("four SACK blocks", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w4);
    CHECK_EQ(s.opts, OPT_SACK);
    CHECK_EQ(s.nsack, 4);
    CHECK(s.sack[0][0] == 1 && s.sack[0][1] == 2 && s.sack[3][0] == 7 && s.sack[3][1] == 8);

    /* every flag bit comes through */
    t.flags = 0xff;
    p.n = 0;
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    w = want4(&t);
    expect_tcp("all flags", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
}

static void test_vlan(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t);
    struct pkt p = { .n = 0 };

    put_eth(&p, 0x8100);
    p16(&p, 0x0064);            /* VLAN 100 */
    p16(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("802.1Q", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    p.n = 0;
    put_eth(&p, 0x88a8);
    p16(&p, 0x00c8);            /* S-tag 200 */
    p16(&p, 0x8100);
    p16(&p, 0x0064);            /* C-tag 100 */
    p16(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("QinQ 88a8+8100", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    p.n = 0;
    put_eth(&p, 0x88a8);
    p16(&p, 1);
    p16(&p, 0x8100);
    p16(&p, 2);
    p16(&p, 0x8100);
    p16(&p, 3);
    p16(&p, 0x86dd);
    struct tcpspec t6 = std_tcp();
    put_v6_tcp(&p, &t6);
    struct want w6 = want6(&t6);
    expect_tcp("three tags, IPv6", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w6);

    p.n = 0;
    put_eth(&p, 0x9100);
    p16(&p, 7);
    p16(&p, 0x8100);
    p16(&p, 8);
    p16(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("QinQ 9100+8100", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* a tag stack cut inside the tags is a truncated link header */
    CHECK_EQ(dec(DLT_EN10MB, p.b, 17, p.n, &s), DEC_TRUNC_LINK);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 21, p.n, &s), DEC_TRUNC_LINK);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 13, p.n, &s), DEC_TRUNC_LINK);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 0, p.n, &s), DEC_TRUNC_LINK);
}

static void test_sll(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t);
    struct pkt p = { .n = 0 };

    /* SLL: packet type, ARPHRD, address length, 8 address bytes, protocol */
    p16(&p, 0);
    p16(&p, 1);
    p16(&p, 6);
    pmem(&p, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
    p16(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("SLL ipv4", dec(DLT_LINUX_SLL, p.b, p.n, p.n, &s), &s, &w);
    CHECK_EQ(dec(DLT_LINUX_SLL, p.b, 15, p.n, &s), DEC_TRUNC_LINK);
    CHECK_EQ(dec(DLT_LINUX_SLL, p.b, 16, p.n, &s), DEC_TRUNC_IP);

    /* SLL2: protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr */
    struct tcpspec t6 = std_tcp();
    struct want w6 = want6(&t6);
    p.n = 0;
    p16(&p, 0x86dd);
    p16(&p, 0);
    p32(&p, 3);
    p16(&p, 1);
    p8(&p, 4);
    p8(&p, 6);
    pmem(&p, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
    put_v6_tcp(&p, &t6);
    expect_tcp("SLL2 ipv6", dec(DLT_LINUX_SLL2, p.b, p.n, p.n, &s), &s, &w6);
    CHECK_EQ(dec(DLT_LINUX_SLL2, p.b, 19, p.n, &s), DEC_TRUNC_LINK);
    CHECK_EQ(dec(DLT_LINUX_SLL2, p.b, 1, p.n, &s), DEC_TRUNC_LINK);

    /* SLL2 carrying ARP */
    set16(&p, 0, 0x0806);
    CHECK_EQ(dec(DLT_LINUX_SLL2, p.b, p.n, p.n, &s), DEC_NOT_IP);
}

static void test_raw(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t);
    struct pkt p4 = { .n = 0 }, p6 = { .n = 0 };
    put_v4_tcp(&p4, &t);
    put_v6_tcp(&p6, &t);
    struct want w6 = want6(&t);

    expect_tcp("DLT_RAW ipv4", dec(DLT_RAW, p4.b, p4.n, p4.n, &s), &s, &w);
    expect_tcp("DLT_RAW ipv6", dec(DLT_RAW, p6.b, p6.n, p6.n, &s), &s, &w6);
    expect_tcp("LINKTYPE_RAW 101 ipv4", dec(101, p4.b, p4.n, p4.n, &s), &s, &w);
    expect_tcp("DLT_IPV4", dec(DLT_IPV4, p4.b, p4.n, p4.n, &s), &s, &w);
    expect_tcp("DLT_IPV6", dec(DLT_IPV6, p6.b, p6.n, p6.n, &s), &s, &w6);
    /* the link type says which version: the other one is bad IP */
    CHECK_EQ(dec(DLT_IPV4, p6.b, p6.n, p6.n, &s), DEC_BAD_IP);
    CHECK_EQ(dec(DLT_IPV6, p4.b, p4.n, p4.n, &s), DEC_BAD_IP);
    CHECK(decode_link_supported(DLT_RAW) && decode_link_supported(DLT_IPV4) &&
          decode_link_supported(DLT_IPV6) && decode_link_supported(101));
}

static void test_null_loop(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t), w6 = want6(&t);
    struct pkt p = { .n = 0 };

    static const struct { uint8_t hdr[4]; int v6; int dlt; const char *what; } cases[] = {
        { { 2, 0, 0, 0 }, 0, DLT_NULL, "NULL AF_INET little-endian" },
        { { 0, 0, 0, 2 }, 0, DLT_NULL, "NULL AF_INET big-endian" },
        { { 30, 0, 0, 0 }, 1, DLT_NULL, "NULL AF_INET6 macOS little-endian" },
        { { 0, 0, 0, 30 }, 1, DLT_NULL, "NULL AF_INET6 macOS big-endian" },
        { { 24, 0, 0, 0 }, 1, DLT_NULL, "NULL AF_INET6 NetBSD/OpenBSD" },
        { { 28, 0, 0, 0 }, 1, DLT_NULL, "NULL AF_INET6 FreeBSD" },
        { { 10, 0, 0, 0 }, 1, DLT_NULL, "NULL AF_INET6 Linux" },
        { { 0, 0, 0, 2 }, 0, DLT_LOOP, "LOOP AF_INET" },
        { { 0, 0, 0, 24 }, 1, DLT_LOOP, "LOOP AF_INET6" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p.n = 0;
        pmem(&p, cases[i].hdr, 4);
        if (cases[i].v6)
            put_v6_tcp(&p, &t);
        else
            put_v4_tcp(&p, &t);
        expect_tcp(cases[i].what, dec(cases[i].dlt, p.b, p.n, p.n, &s), &s, cases[i].v6 ? &w6 : &w);
        CHECKF(dec(cases[i].dlt, p.b, 3, p.n, &s) == DEC_TRUNC_LINK, "%s cut at 3", cases[i].what);
    }
    /* DLT_LOOP is network order only: 02 00 00 00 is not AF_INET there */
    p.n = 0;
    pmem(&p, "\x02\x00\x00\x00", 4);
    put_v4_tcp(&p, &t);
    CHECK_EQ(dec(DLT_LOOP, p.b, p.n, p.n, &s), DEC_NOT_IP);
    /* an unknown family */
    p.b[0] = 7;
    CHECK_EQ(dec(DLT_NULL, p.b, p.n, p.n, &s), DEC_NOT_IP);
}

static void test_ipv4_options(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    t.payload = 33;
    for (unsigned ihl = 5; ihl <= 15; ihl++) {
        struct pkt p = { .n = 0 };
        put_eth(&p, 0x0800);
        put_ipv4(&p, V4A, V4B, 6, tcp_len(&t), ihl, 0);
        put_tcp(&p, &t);
        struct want w = want4(&t);
        w.ip_len = (uint32_t)(ihl * 4 + tcp_len(&t));
        char what[32];
        snprintf(what, sizeof what, "IHL %u", ihl);
        expect_tcp(what, dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
        /* header cut inside the options: truncated IP */
        if (ihl > 5)
            CHECKF(dec(DLT_EN10MB, p.b, 14 + ihl * 4 - 1, p.n, &s) == DEC_TRUNC_IP, "IHL %u cut", ihl);
    }
}

static void test_ipv4_fragments(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };

    /* first fragment: MF, offset 0; its IP length covers only itself */
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4A, V4B, 6, tcp_len(&t), 5, 0x2000);
    put_tcp(&p, &t);
    struct want w = want4(&t);
    expect_tcp("first fragment", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK(s.ip_first_frag);

    /* DF alone is not a fragment */
    set16(&p, 14 + 6, 0x4000);
    expect_tcp("DF", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK(!s.ip_first_frag);

    /* non-first fragments, with and without MF: no TCP header */
    set16(&p, 14 + 6, 0x2000 | 185);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_IP_FRAGMENT);
    set16(&p, 14 + 6, 185);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_IP_FRAGMENT);
    set16(&p, 14 + 6, 1);       /* offset 8 bytes: still not first */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_IP_FRAGMENT);
    /* a non-first fragment's addresses are still known */
    CHECK(s.src.family == 4 && memcmp(s.src.b, V4A, 4) == 0 && memcmp(s.dst.b, V4B, 4) == 0);
}

/* hop-by-hop -> routing -> destination options -> fragment -> TCP */
static size_t put_v6_ext_chain(struct pkt *p, const struct tcpspec *t, unsigned fragfield)
{
    size_t ext = 8 + 8 + 16 + 8;
    put_ipv6(p, V6A, V6B, 0, ext + tcp_len(t));
    /* hop-by-hop: next routing, length 0 (8 bytes), PadN 4 */
    p8(p, 43); p8(p, 0); p8(p, 1); p8(p, 4); p32(p, 0);
    /* routing: next destination options, length 0, type 4 (SRH-ish), segments left 0 */
    p8(p, 60); p8(p, 0); p8(p, 4); p8(p, 0); p32(p, 0);
    /* destination options: next fragment, length 1 (16 bytes), PadN 12 */
    p8(p, 44); p8(p, 1); p8(p, 1); p8(p, 12); pfill(p, 0, 12);
    /* fragment: next TCP, reserved, offset/flags, identification */
    p8(p, 6); p8(p, 0); p16(p, fragfield); p32(p, 0xcafef00d);
    put_tcp(p, t);
    return ext;
}

static void test_ipv6_ext(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };

    put_eth(&p, 0x86dd);
    size_t ext = put_v6_ext_chain(&p, &t, 0x0001);  /* offset 0, M */
    struct want w = want6(&t);
    w.ip_len = (uint32_t)(40 + ext + tcp_len(&t));
    expect_tcp("IPv6 ext chain, first fragment", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK(s.ip_first_frag);

    /* atomic fragment (offset 0, no M) */
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_ext_chain(&p, &t, 0x0000);
    expect_tcp("IPv6 atomic fragment", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK(!s.ip_first_frag);

    /* non-first fragments */
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_ext_chain(&p, &t, (1480u << 0) | 1);    /* 1480 = 185 * 8: offset field 185 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_IP_FRAGMENT);
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_ext_chain(&p, &t, 8);                    /* offset 1 (8 bytes), last */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_IP_FRAGMENT);

    /* the chain cut by the snapshot inside an extension header */
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_ext_chain(&p, &t, 1);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14 + 40 + 8 + 8 + 10, p.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14 + 40 + 1, p.n, &s), DEC_TRUNC_IP);

    /* an extension header longer than the payload length is malformed */
    p.b[14 + 40 + 8 + 8 + 1] = 200;     /* destination options length */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IPV6_EXT);

    /* no next header */
    p.n = 0;
    put_ipv6(&p, V6A, V6B, 59, 0);
    CHECK_EQ(dec(DLT_IPV6, p.b, p.n, p.n, &s), DEC_NOT_TCP);

    /* a chain of 40 destination options headers: bounded */
    p.n = 0;
    put_ipv6(&p, V6A, V6B, 60, 40 * 8 + 20);
    for (int i = 0; i < 40; i++) {
        p8(&p, i == 39 ? 6 : 60); p8(&p, 0); p8(&p, 1); p8(&p, 4); p32(&p, 0);
    }
    struct tcpspec t0 = { 1, 2, 3, 4, TH_ACK, 5, NULL, 0, 0, 0 };
    put_tcp(&p, &t0);
    CHECK_EQ(dec(DLT_IPV6, p.b, p.n, p.n, &s), DEC_BAD_IPV6_EXT);
}

/* A packet with a routing header and segments left, captured on its way:
 * the header's destination is the next waypoint, the connection's end is
 * the final destination the routing header holds (RFC 8200 8.1). */
static void put_v6_routed(struct pkt *p, const struct tcpspec *t, unsigned type, unsigned left,
                          unsigned last_entry, int naddr, const uint8_t (*addrs)[16], int hlen_extra)
{
    size_t rh = 8 + 16 * (size_t)naddr;
    put_ipv6(p, V6A, V6X, 43, rh + tcp_len(t));        /* to the waypoint V6X */
    p8(p, 6);
    p8(p, (unsigned)(2 * naddr + hlen_extra));
    p8(p, type);
    p8(p, left);
    p8(p, type == 4 ? last_entry : 0);
    p8(p, 0);
    p16(p, 0);
    for (int i = 0; i < naddr; i++)
        pmem(p, addrs[i], 16);
    put_tcp(p, t);
}

static void test_ipv6_routing(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p;
    const uint8_t two[2][16] = {
        { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };     /* [1] = V6B */
    const uint8_t srh[2][16] = {
        { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 } };     /* [0] = V6B */
    struct want w = want6(&t);
    /* type 0, the last address the final destination, 1 or 2 segments left */
    for (unsigned left = 1; left <= 2; left++) {
        p.n = 0;
        put_v6_routed(&p, &t, 0, left, 0, 2, two, 0);
        w.ip_len = (uint32_t)(40 + 8 + 32 + tcp_len(&t));
        expect_tcp("RH0: the final destination", dec(DLT_IPV6, p.b, p.n, p.n, &s), &s, &w);
    }
    /* type 4 (segment routing): the first of the list, kept in reverse */
    p.n = 0;
    put_v6_routed(&p, &t, 4, 1, 1, 2, srh, 0);
    w.ip_len = (uint32_t)(40 + 8 + 32 + tcp_len(&t));
    expect_tcp("SRH: segment list [0]", dec(DLT_IPV6, p.b, p.n, p.n, &s), &s, &w);
    /* a reduced one (RFC 8754 4.1.1: the first segment, the destination
     * address, not listed): one more left than its last entry */
    p.n = 0;
    put_v6_routed(&p, &t, 4, 2, 1, 2, srh, 0);
    expect_tcp("SRH, reduced", dec(DLT_IPV6, p.b, p.n, p.n, &s), &s, &w);
    /* left alone: no segments left (the header's destination is final),
     * an unknown type, counts the header's length cannot hold */
    struct { unsigned type, left, last; const char *what; } keep[] = {
        { 0, 0, 0, "RH0, none left" }, { 4, 0, 1, "SRH, none left" }, { 3, 1, 0, "RH3 (compressed)" },
        { 0, 3, 0, "RH0, more left than addresses" }, { 4, 1, 2, "SRH, last entry past its length" },
        { 4, 3, 1, "SRH, more left than entries and one" }, { 2, 1, 0, "RH2 (Mobile IPv6)" },
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        p.n = 0;
        put_v6_routed(&p, &t, keep[i].type, keep[i].left, keep[i].last, 2, srh, 0);
        CHECKF(dec(DLT_IPV6, p.b, p.n, p.n, &s) == DEC_TCP && memcmp(s.dst.b, V6X, 16) == 0,
               "%s: the header's destination kept", keep[i].what);
    }
    /* and an ICMPv6 error quoting such a packet: the quote's final
     * destination, so that it finds its connection */
    p.n = 0;
    struct pkt q = { .n = 0 };
    put_v6_routed(&q, &t, 4, 1, 1, 2, srh, 0);
    put_ipv6(&p, V6X, V6A, 58, 8 + 40 + 8 + 32 + 20);
    p8(&p, 1); p8(&p, 1); p16(&p, 0); p32(&p, 0);      /* unreachable, admin */
    pmem(&p, q.b, 40 + 8 + 32 + 20);
    CHECK_EQ(dec(DLT_IPV6, p.b, p.n, p.n, &s), DEC_ICMP_ERROR);
    CHECKF(s.icmp && memcmp(s.dst.b, V6B, 16) == 0 && memcmp(s.src.b, V6A, 16) == 0 && s.sport == t.sport,
           "ICMPv6 quoting an SRH packet: the final destination");
}

static void test_padding(void)
{
    struct segment s;
    struct tcpspec t = { 40000, 443, 1, 2, TH_ACK, 1000, NULL, 0, 0, 0 };
    struct pkt p = { .n = 0 };

    /* a bare ACK is 54 bytes: Ethernet pads it to 60 */
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    pfill(&p, 0x5a, 60 - p.n);
    struct want w = want4(&t);
    expect_tcp("ethernet padding", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK_EQ(s.payload_len, 0);
    CHECK_EQ(s.ip_len, 40);

    /* padding plus a frame check sequence after a 3-byte payload */
    t.payload = 3;
    p.n = 0;
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    pfill(&p, 0, 60 - p.n);
    pmem(&p, "\xde\xad\xbe\xef", 4);
    w = want4(&t);
    expect_tcp("padding + FCS", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK_EQ(s.payload_len, 3);

    /* IPv6 with trailing bytes */
    t.payload = 0;
    p.n = 0;
    put_eth(&p, 0x86dd);
    put_v6_tcp(&p, &t);
    pfill(&p, 0xee, 8);
    w = want6(&t);
    expect_tcp("IPv6 trailer", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    CHECK_EQ(s.payload_len, 0);

    /* IP total length 0 (segmentation offload): the wire length is used */
    t.payload = 1000;
    p.n = 0;
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    set16(&p, 14 + 2, 0);
    w = want4(&t);
    expect_tcp("IPv4 total length 0 (TSO)", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
}

static void test_snapshot_truncation(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    const size_t th = 14 + 20;

    /* 14 TCP bytes: ports, seq, ack, offset, flags, no window */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 14, p.n, &s), DEC_TCP);
    CHECK(s.hdr_truncated);
    CHECK(s.sport == 40000 && s.dport == 443);
    CHECK(s.seq == 0x01020304 && s.ack == 0xa0b0c0d0);
    CHECK_EQ(s.flags, TH_SYN | TH_ACK);
    CHECK(!s.have_win);
    CHECK_EQ(s.hdr_len, 40);
    CHECK_EQ(s.payload_len, 100);          /* from the IP length */
    CHECK_EQ(s.ip_len, 160);
    CHECK(s.opts & OPT_TRUNCATED);
    CHECK(!(s.opts & (OPT_MSS | OPT_WSCALE | OPT_TIMESTAMP | OPT_SACK_PERM)));

    /* 16 bytes: the window too */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 16, p.n, &s), DEC_TCP);
    CHECK(s.have_win && s.win == 0xfaf0);
    CHECK(s.hdr_truncated);

    /* 24 bytes: the MSS option is whole, the rest is cut */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 24, p.n, &s), DEC_TCP);
    CHECK(s.hdr_truncated);
    CHECK_EQ(s.opts, OPT_MSS | OPT_TRUNCATED);
    CHECK_EQ(s.mss, 1460);

    /* 30 bytes: cut inside the timestamp option */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 30, p.n, &s), DEC_TCP);
    CHECK_EQ(s.opts, OPT_MSS | OPT_SACK_PERM | OPT_TRUNCATED);
    CHECK_EQ(s.tsval, 0);

    /* whole header, payload cut: nothing truncated that matters */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 40, p.n, &s), DEC_TCP);
    CHECK(!s.hdr_truncated);
    CHECK_EQ(s.opts, OPT_MSS | OPT_SACK_PERM | OPT_TIMESTAMP | OPT_WSCALE);
    CHECK_EQ(s.payload_len, 100);

    /* 12 and 13 bytes: no flags, so no segment */
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 12, p.n, &s), DEC_TRUNC_TCP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 13, p.n, &s), DEC_TRUNC_TCP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, th + 0, p.n, &s), DEC_TRUNC_TCP);

    /* IP header cut */
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14 + 10, p.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14 + 19, p.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14, p.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, p.b, 15, p.n, &s), DEC_TRUNC_IP);

    struct pkt q = { .n = 0 };
    put_eth(&q, 0x86dd);
    put_v6_tcp(&q, &t);
    CHECK_EQ(dec(DLT_EN10MB, q.b, 14 + 39, q.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, q.b, 14 + 8, q.n, &s), DEC_TRUNC_IP);
    CHECK_EQ(dec(DLT_EN10MB, q.b, 14 + 40 + 14, q.n, &s), DEC_TCP);
    CHECK(s.hdr_truncated && s.payload_len == 100 && s.src.family == 6);
    CHECK_EQ(dec(DLT_EN10MB, q.b, 14 + 40 + 12, q.n, &s), DEC_TRUNC_TCP);
}

static void test_bad_ip(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    struct pkt orig = p;

    p.b[14] = 0x55;             /* version 5 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);
    p.b[14] = 0x65;             /* version 6 under ethertype IPv4 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);
    p.b[14] = 0x44;             /* IHL 4 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);
    p.b[14] = 0x40;             /* IHL 0 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);

    p = orig;
    set16(&p, 16, 19);          /* total length below the header length */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);
    p = orig;
    p.b[14] = 0x46;             /* IHL 6 (24 bytes), total 23 */
    set16(&p, 16, 23);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);
    p = orig;
    set16(&p, 16, (unsigned)(p.n - 14 + 1));   /* longer than the packet on the wire */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);

    /* IPv4 bytes under the IPv6 ethertype */
    p = orig;
    set16(&p, 12, 0x86dd);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_IP);

    /* IPv6 payload length longer than the wire */
    struct pkt q = { .n = 0 };
    put_eth(&q, 0x86dd);
    put_v6_tcp(&q, &t);
    set16(&q, 14 + 4, (unsigned)(q.n - 14 - 40 + 1));
    CHECK_EQ(dec(DLT_EN10MB, q.b, q.n, q.n, &s), DEC_BAD_IP);

    /* raw IP links: the link says the payload is IP, so a bad version is
     * bad IP (not "not IP", which means ARP and friends) */
    struct pkt r = { .n = 0 };
    put_v4_tcp(&r, &t);
    r.b[0] = 0x55;
    CHECK_EQ(dec(DLT_IPV4, r.b, r.n, r.n, &s), DEC_BAD_IP);
    CHECK_EQ(dec(DLT_RAW, r.b, r.n, r.n, &s), DEC_BAD_IP);
    r.b[0] = 0x05;
    CHECK_EQ(dec(DLT_RAW, r.b, r.n, r.n, &s), DEC_BAD_IP);
}

static void test_bad_tcp(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    const size_t th = 14 + 20;

    p.b[th + 12] = 4 << 4;      /* data offset 4 */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_TCP);
    p.b[th + 12] = 0;
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_TCP);

    /* data offset 15 (60 bytes) in a 20-byte TCP segment */
    struct tcpspec t0 = { 1, 2, 3, 4, TH_ACK, 5, NULL, 0, 0, 15 };
    p.n = 0;
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t0);
    pfill(&p, 0, 20);           /* bytes beyond the IP length do not count */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_TCP);

    /* an IP payload too short for any TCP header */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4A, V4B, 6, 10, 5, 0);
    pfill(&p, 0x11, 10);
    pfill(&p, 0, 16);           /* Ethernet padding */
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_BAD_TCP);
}

/* TCP header of 20 + optlen bytes, captured exactly up to its end (the
 * payload exists on the wire only), so any read past the header faults. */
static enum decode_outcome dec_opts(const uint8_t *opt, size_t optlen, size_t payload,
                                    const uint8_t *payload_bytes, struct segment *s)
{
    struct tcpspec t = { 1000, 2000, 1, 2, TH_ACK, 3, opt, optlen, 0, 0 };
    struct pkt p = { .n = 0 };
    put_ipv4(&p, V4A, V4B, 6, 20 + optlen + payload, 5, 0);
    put_tcp(&p, &t);
    size_t hdr_end = p.n;
    if (payload_bytes)
        pmem(&p, payload_bytes, payload);
    else
        pfill(&p, 0, payload);
    enum decode_outcome o = dec(DLT_IPV4, p.b, hdr_end, p.n, s);
    /* and once with the payload captured too */
    struct segment s2;
    enum decode_outcome o2 = dec(DLT_IPV4, p.b, p.n, p.n, &s2);
    CHECK(o2 == o);
    CHECKF(o2 != DEC_TCP || (s2.opts & ~OPT_TRUNCATED) == (s->opts & ~OPT_TRUNCATED),
           "options differ when the payload is captured: %#x vs %#x", s2.opts, s->opts);
    CHECKF(o2 != DEC_TCP || (s2.mss == s->mss && s2.tsval == s->tsval && s2.nsack == s->nsack),
           "option values differ when the payload is captured");
    return o;
}

static void test_tcp_options_malformed(void)
{
    struct segment s;
    /* payload bytes that would decode as a timestamp and an MSS option if
     * the option parser ran past the header */
    static const uint8_t lure[16] = { 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                      2, 4, 0x12, 0x34, 1, 1, 0 };

    static const uint8_t len0[4] = { 2, 0, 5, 0xb4 };
    CHECK_EQ(dec_opts(len0, 4, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK(!(s.opts & OPT_MSS));

    static const uint8_t len1[4] = { 3, 1, 7, 0 };
    CHECK_EQ(dec_opts(len1, 4, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK(!(s.opts & OPT_WSCALE));

    /* timestamp claiming 10 bytes in a 4-byte option space */
    static const uint8_t past[4] = { 8, 10, 0xaa, 0xbb };
    CHECK_EQ(dec_opts(past, 4, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK(!(s.opts & OPT_TIMESTAMP));
    CHECK_EQ(s.tsval, 0);

    /* the last header byte is an option kind: its length byte would be the
     * first payload byte */
    static const uint8_t lastkind[4] = { 1, 1, 1, 8 };
    CHECK_EQ(dec_opts(lastkind, 4, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK(!(s.opts & OPT_TIMESTAMP));

    /* SACK whose length runs one byte past the header */
    static const uint8_t sackpast[12] = { 1, 1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2 };
    CHECK_EQ(dec_opts(sackpast, 12, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK_EQ(s.nsack, 0);

    /* end of option list stops parsing: what follows is ignored */
    static const uint8_t eol[8] = { 2, 4, 5, 0xb4, 0, 8, 10, 1 };
    CHECK_EQ(dec_opts(eol, 8, 16, lure, &s), DEC_TCP);
    CHECK_EQ(s.opts, OPT_MSS);
    CHECK_EQ(s.mss, 1460);

    /* an unknown option is skipped by its length; a bad-length MSS is not
     * an MSS but not malformed either; window scale above 14 is clamped */
    static const uint8_t mix[16] = { 30, 4, 0xff, 0xff, 2, 5, 1, 2, 3, 3, 3, 20, 4, 2, 1, 1 };
    CHECK_EQ(dec_opts(mix, 16, 0, NULL, &s), DEC_TCP);
    CHECK_EQ(s.opts, OPT_WSCALE | OPT_SACK_PERM);
    CHECK_EQ(s.wscale, 14);

    /* a SACK option of a length no block count fits */
    static const uint8_t sackodd[12] = { 5, 12, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1 };
    CHECK_EQ(dec_opts(sackodd, 12, 0, NULL, &s), DEC_TCP);
    CHECK(!(s.opts & OPT_SACK));
    CHECK_EQ(s.nsack, 0);

    /* all NOPs, then a full 40 bytes of options with a final 1-byte kind */
    uint8_t nops[40];
    memset(nops, 1, sizeof nops);
    CHECK_EQ(dec_opts(nops, 40, 16, lure, &s), DEC_TCP);
    CHECK_EQ(s.opts, 0);
    nops[39] = 2;
    CHECK_EQ(dec_opts(nops, 40, 16, lure, &s), DEC_TCP);
    CHECK(s.opts & OPT_MALFORMED);
    CHECK(!(s.opts & OPT_MSS));
}

static void test_tunnels(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t), w6 = want6(&t);
    struct pkt p = { .n = 0 };
    size_t inner = 20 + tcp_len(&t);

    /* GRE version 0 with key and sequence number */
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 12 + inner, 5, 0);
    p16(&p, 0x3000);
    p16(&p, 0x0800);
    p32(&p, 0x00001234);        /* key */
    p32(&p, 0x00000007);        /* sequence */
    put_v4_tcp(&p, &t);
    expect_tcp("GRE key+seq", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* GRE with checksum, key and sequence */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 16 + inner, 5, 0);
    p16(&p, 0xb000);
    p16(&p, 0x0800);
    p32(&p, 0xffff0000);
    p32(&p, 0x00001234);
    p32(&p, 0x00000007);
    put_v4_tcp(&p, &t);
    expect_tcp("GRE csum+key+seq", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* plain GRE carrying IPv6 */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 4 + 40 + tcp_len(&t), 5, 0);
    p16(&p, 0);
    p16(&p, 0x86dd);
    put_v6_tcp(&p, &t);
    expect_tcp("GRE ipv6", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w6);

    /* WCCP redirection in GRE: version 2 with its 4-byte redirect header,
     * version 1 without */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 4 + 4 + inner, 5, 0);
    p16(&p, 0);
    p16(&p, 0x883e);
    p32(&p, 0x05590048);
    put_v4_tcp(&p, &t);
    expect_tcp("GRE WCCPv2", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 4 + inner, 5, 0);
    p16(&p, 0);
    p16(&p, 0x883e);
    put_v4_tcp(&p, &t);
    expect_tcp("GRE WCCPv1", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* GRE transparent Ethernet bridging */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 47, 4 + 14 + inner, 5, 0);
    p16(&p, 0);
    p16(&p, 0x6558);
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("GRE TEB", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* GRE version 2: not something we decode */
    p.b[14 + 20 + 1] = 0x02;
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_IP);

    /* IP in IP */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 4, inner, 5, 0);
    put_v4_tcp(&p, &t);
    expect_tcp("IP-in-IP", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);

    /* IPv6 in IPv4 (6in4) and IPv4 in IPv6 */
    p.n = 0;
    put_ipv4(&p, V4X, V4Y, 41, 40 + tcp_len(&t), 5, 0);
    put_v6_tcp(&p, &t);
    expect_tcp("6in4", dec(DLT_RAW, p.b, p.n, p.n, &s), &s, &w6);
    p.n = 0;
    put_ipv6(&p, V6X, V6Y, 4, inner);
    put_v4_tcp(&p, &t);
    expect_tcp("4in6", dec(DLT_IPV6, p.b, p.n, p.n, &s), &s, &w);

    /* VXLAN: Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / TCP */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4X, V4Y, 17, 8 + 8 + 14 + inner, 5, 0);
    p16(&p, 54321);
    p16(&p, 4789);
    p16(&p, (unsigned)(8 + 8 + 14 + inner));
    p16(&p, 0);
    p32(&p, 0x08000000);        /* flags: VNI valid */
    p32(&p, 0x00002a00);        /* VNI 42 */
    put_eth(&p, 0x0800);
    put_v4_tcp(&p, &t);
    expect_tcp("VXLAN", dec(DLT_EN10MB, p.b, p.n, p.n, &s), &s, &w);
    /* VXLAN with the I flag clear: not a VXLAN frame we follow */
    p.b[14 + 20 + 8] = 0;
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_TCP);
    /* VXLAN whose inner packet is cut: counted as not TCP, not malformed */
    p.b[14 + 20 + 8] = 0x08;
    CHECK_EQ(dec(DLT_EN10MB, p.b, 14 + 20 + 8 + 8 + 14 + 10, p.n, &s), DEC_NOT_TCP);

    /* tunnels nested deeper than followed */
    p.n = 0;
    for (int i = 0; i < 8; i++)
        put_ipv4(&p, V4X, V4Y, 4, (size_t)(7 - i) * 20 + inner, 5, 0);
    put_v4_tcp(&p, &t);
    CHECK_EQ(dec(DLT_RAW, p.b, p.n, p.n, &s), DEC_TUNNEL_DEPTH);
}

static void test_not_ip_not_tcp(void)
{
    struct segment s;
    struct pkt p = { .n = 0 };

    /* ARP request */
    put_eth(&p, 0x0806);
    p16(&p, 1); p16(&p, 0x0800); p8(&p, 6); p8(&p, 4); p16(&p, 1);
    pfill(&p, 0x11, 6); pmem(&p, V4A, 4); pfill(&p, 0, 6); pmem(&p, V4B, 4);
    pfill(&p, 0, 18);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_IP);
    /* LLDP */
    set16(&p, 12, 0x88cc);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_IP);
    /* 802.3 length field with a non-SNAP LLC (STP) */
    set16(&p, 12, 38);
    p.b[14] = 0x42; p.b[15] = 0x42; p.b[16] = 0x03;
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_IP);

    /* UDP (DNS) */
    p.n = 0;
    put_eth(&p, 0x0800);
    put_ipv4(&p, V4A, V4B, 17, 8 + 12, 5, 0);
    p16(&p, 5353); p16(&p, 53); p16(&p, 20); p16(&p, 0);
    pfill(&p, 0, 12);
    CHECK_EQ(dec(DLT_EN10MB, p.b, p.n, p.n, &s), DEC_NOT_TCP);
    /* ICMP */
    p.n = 0;
    put_ipv4(&p, V4A, V4B, 1, 8, 5, 0);
    pfill(&p, 0, 8);
    CHECK_EQ(dec(DLT_RAW, p.b, p.n, p.n, &s), DEC_NOT_TCP);
    /* ICMPv6 */
    p.n = 0;
    put_ipv6(&p, V6A, V6B, 58, 8);
    pfill(&p, 0, 8);
    CHECK_EQ(dec(DLT_IPV6, p.b, p.n, p.n, &s), DEC_NOT_TCP);
    /* ESP */
    p.n = 0;
    put_ipv4(&p, V4A, V4B, 50, 16, 5, 0);
    pfill(&p, 0x77, 16);
    CHECK_EQ(dec(DLT_RAW, p.b, p.n, p.n, &s), DEC_ENCRYPTED);
}

static void test_unsupported_link(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct pkt p = { .n = 0 };
    put_v4_tcp(&p, &t);
    static const int unsupported[] = { 107 /* Frame Relay */, 195 /* 802.15.4 */, 147, 1000 };
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        CHECKF(dec(unsupported[i], p.b, p.n, p.n, &s) == DEC_UNSUPPORTED_LINK, "dlt %d", unsupported[i]);
        CHECKF(!decode_link_supported(unsupported[i]), "dlt %d", unsupported[i]);
    }
    /* -1: a pcapng packet on an interface the file never described */
    CHECK(dec(-1, p.b, p.n, p.n, &s) == DEC_NO_INTERFACE);
    CHECK(!decode_link_supported(-1));
    static const int supported[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
                                     DLT_IPV6, DLT_NULL, DLT_LOOP };
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        CHECKF(decode_link_supported(supported[i]), "dlt %d", supported[i]);

    /* outcome names: present, distinct; malformed exactly the second half */
    for (int o = 0; o < DEC__COUNT; o++) {
        const char *n = decode_outcome_name((enum decode_outcome)o);
        CHECKF(n && n[0] && strcmp(n, "?") != 0, "outcome %d", o);
        CHECKF(decode_outcome_text((enum decode_outcome)o)[0] != '?', "outcome %d text", o);
        for (int q = 0; q < o; q++)
            CHECKF(strcmp(n, decode_outcome_name((enum decode_outcome)q)) != 0, "outcome %d name", o);
        CHECKF(decode_outcome_malformed((enum decode_outcome)o) == (o >= DEC_TRUNC_LINK), "outcome %d", o);
    }
    CHECK_STREQ(decode_outcome_name(DEC_TRUNC_TCP), "truncated_tcp");
    CHECK_STREQ(decode_outcome_name((enum decode_outcome)DEC__COUNT), "?");
}

/* ---------------------------------------------------- every prefix --- */

struct sample {
    const char *what;
    int dlt;
    struct pkt p;
    size_t tcp_off;         /* where the TCP header starts */
    size_t ip_off;          /* where the innermost IP header starts */
    unsigned ip_hdr_len;    /* its length (IPv6: 40) */
    bool tunnel;            /* truncation inside a tunnel is "not TCP" */
};

static void check_prefixes(const struct sample *x)
{
    struct segment full, s;
    enum decode_outcome o = dec(x->dlt, x->p.b, x->p.n, x->p.n, &full);
    CHECKF(o == DEC_TCP, "%s: whole packet gives %s", x->what, decode_outcome_name(o));
    CHECKF(full.tcp_hdr == x->p.b + x->tcp_off, "%s: tcp_hdr at %ld, want %zu", x->what,
           ptr_off(full.tcp_hdr, x->p.b, x->p.n), x->tcp_off);
    CHECKF(full.ip_hdr && full.ip_hdr == x->p.b + x->ip_off && full.ip_hdr_len == x->ip_hdr_len,
           "%s: ip_hdr at %ld (len %u), want %zu (%u)", x->what, ptr_off(full.ip_hdr, x->p.b, x->p.n),
           full.ip_hdr_len, x->ip_off, x->ip_hdr_len);
    for (size_t cap = 0; cap <= x->p.n; cap++) {
        o = dec(x->dlt, x->p.b, cap, x->p.n, &s);
        if (cap >= x->tcp_off + 14) {
            CHECKF(o == DEC_TCP, "%s cap %zu: %s", x->what, cap, decode_outcome_name(o));
            if (o == DEC_TCP) {
                CHECKF(s.sport == full.sport && s.dport == full.dport && s.seq == full.seq &&
                       s.ack == full.ack && s.flags == full.flags &&
                       s.payload_len == full.payload_len && s.ip_len == full.ip_len &&
                       addr_cmp(&s.src, &full.src) == 0 && addr_cmp(&s.dst, &full.dst) == 0,
                       "%s cap %zu: fields differ from the whole packet", x->what, cap);
                CHECKF(s.hdr_truncated == (cap < x->tcp_off + full.hdr_len), "%s cap %zu: hdr_truncated %d",
                       x->what, cap, s.hdr_truncated);
                CHECKF(s.have_win == (cap >= x->tcp_off + 16), "%s cap %zu: have_win", x->what, cap);
                /* where the TCP header is, and how much of the segment was captured */
                size_t seglen = (size_t)full.hdr_len + full.payload_len;
                size_t tcpcap = (cap < x->tcp_off + seglen ? cap : x->tcp_off + seglen) - x->tcp_off;
                CHECKF(s.tcp_hdr == x->p.b + x->tcp_off && s.tcp_caplen == tcpcap,
                       "%s cap %zu: tcp_hdr at %ld, tcp_caplen %u, want %zu, %zu", x->what, cap,
                       ptr_off(s.tcp_hdr, x->p.b, cap), s.tcp_caplen, x->tcp_off, tcpcap);
                CHECKF(s.ip_hdr == full.ip_hdr && s.ip_hdr_len == full.ip_hdr_len &&
                       s.ip_caplen == (cap < (size_t)(full.ip_hdr - x->p.b) + full.ip_len
                                           ? cap - (size_t)(full.ip_hdr - x->p.b) : full.ip_len),
                       "%s cap %zu: ip_hdr at %ld len %u caplen %u", x->what, cap,
                       ptr_off(s.ip_hdr, x->p.b, cap), s.ip_hdr_len, s.ip_caplen);
                /* options decoded from a prefix are a subset of the whole */
                CHECKF((s.opts & ~OPT_TRUNCATED & ~full.opts) == 0, "%s cap %zu: opts %#x vs %#x", x->what,
                       cap, s.opts, full.opts);
            }
        } else if (x->tunnel) {
            CHECKF(o != DEC_TCP, "%s cap %zu: TCP from a cut header", x->what, cap);
        } else {
            CHECKF(o != DEC_TCP && decode_outcome_malformed(o), "%s cap %zu: %s", x->what, cap,
                   decode_outcome_name(o));
        }
        /* the same bytes as if the packet really were that short */
        dec(x->dlt, x->p.b, cap, cap, &s);
    }
}

/* IP over InfiniBand (LINKTYPE_IPOIB, RFC 4391 as libpcap writes it: a
 * 20-byte address each way, type, reserved), MPLS inside PPP, ARCnet,
 * Juniper's Ethernet captures. */
static void test_more_links(void)
{
    struct segment s;
    struct tcpspec t = std_tcp();
    struct want w = want4(&t), w6 = want6(&t);
    struct pkt p = { .n = 0 };
    for (int i = 0; i < 40; i++)
        p8(&p, (unsigned)i);
    p16(&p, 0x0800);
    p16(&p, 0);
    put_v4_tcp(&p, &t);
    expect_tcp("IPoIB ipv4", dec(242, p.b, p.n, p.n, &s), &s, &w);
    CHECK(decode_link_supported(242));
    CHECK_EQ(dec(242, p.b, 43, p.n, &s), DEC_TRUNC_LINK);
    p.b[40] = 0x86;
    p.b[41] = 0xdd;
    p.n = 44;
    put_v6_tcp(&p, &t);
    expect_tcp("IPoIB ipv6", dec(242, p.b, p.n, p.n, &s), &s, &w6);
    p.b[40] = 0x08;
    p.b[41] = 0x06;                 /* ARP */
    CHECK_EQ(dec(242, p.b, p.n, p.n, &s), DEC_NOT_IP);

    /* PPP in HDLC framing, protocol 0x0281: two labels, the second the
     * bottom of the stack, then IPv4 */
    struct pkt q = { .n = 0 };
    p8(&q, 0xff);
    p8(&q, 0x03);
    p16(&q, 0x0281);
    p32(&q, (100u << 12) | 64);
    p32(&q, (200u << 12) | 0x100 | 64);
    put_v4_tcp(&q, &t);
    expect_tcp("PPP MPLS ipv4", dec(DLT_PPP, q.b, q.n, q.n, &s), &s, &w);
    q.b[3] = 0x83;                  /* multicast MPLS */
    expect_tcp("PPP MPLS multicast ipv4", dec(DLT_PPP, q.b, q.n, q.n, &s), &s, &w);
    CHECK_EQ(dec(DLT_PPP, q.b, 6, q.n, &s), DEC_TRUNC_LINK);

    /* ARCnet: BSD's header (source, destination, type) and Linux's (two
     * offset bytes before the type); RFC 1201 (type 0xd4, flag, sequence
     * number), its exception form, and RFC 1051 (type 0xf0, nothing more) */
    for (int linux_hdr = 0; linux_hdr < 2; linux_hdr++) {
        int dlt = linux_hdr ? 129 : 7;
        struct pkt a = { .n = 0 };
        p8(&a, 0xbe);
        p8(&a, 0x50);
        if (linux_hdr)
            p16(&a, 0);
        size_t at = a.n;
        p8(&a, 0xd4);
        p8(&a, 0);
        p16(&a, 0x016b);
        put_v4_tcp(&a, &t);
        expect_tcp("ARCnet RFC 1201", dec(dlt, a.b, a.n, a.n, &s), &s, &w);
        CHECK(decode_link_supported(dlt));
        CHECK_EQ(dec(dlt, a.b, at + 2, a.n, &s), DEC_TRUNC_LINK);
        a.b[at + 1] = 3;            /* the first piece of a split packet */
        CHECK_EQ(dec(dlt, a.b, a.n, a.n, &s), DEC_NOT_IP);
        a.b[at + 1] = 0;
        a.b[at] = 0xd5;             /* ARP */
        CHECK_EQ(dec(dlt, a.b, a.n, a.n, &s), DEC_NOT_IP);

        struct pkt e = { .n = 0 };  /* exception packet */
        for (size_t i = 0; i < at; i++)
            p8(&e, a.b[i]);
        p8(&e, 0xd4);
        p8(&e, 0xff);
        p16(&e, 0xffff);
        p8(&e, 0xd4);
        p8(&e, 0);
        p16(&e, 0x016c);
        put_v4_tcp(&e, &t);
        expect_tcp("ARCnet RFC 1201 exception", dec(dlt, e.b, e.n, e.n, &s), &s, &w);

        struct pkt o = { .n = 0 };  /* RFC 1051 */
        for (size_t i = 0; i < at; i++)
            p8(&o, a.b[i]);
        p8(&o, 0xf0);
        put_v4_tcp(&o, &t);
        expect_tcp("ARCnet RFC 1051", dec(dlt, o.b, o.n, o.n, &s), &s, &w);
    }

    /* Juniper's Ethernet captures: "MGC", flags, extensions (0x80) or
     * none, then the frame; or (0x02) no link-layer header: 4 bytes, IP */
    struct pkt j = { .n = 0 };
    p8(&j, 'M');
    p8(&j, 'G');
    p8(&j, 'C');
    p8(&j, 0x80);
    p16(&j, 6);
    p16(&j, 0x0301);
    p32(&j, 0x01060102);
    put_eth(&j, 0x0800);
    put_v4_tcp(&j, &t);
    expect_tcp("Juniper Ethernet, extensions", dec(178, j.b, j.n, j.n, &s), &s, &w);
    CHECK(decode_link_supported(178));
    CHECK_EQ(dec(178, j.b, 11, j.n, &s), DEC_TRUNC_LINK);
    j.b[0] = 'X';
    CHECK_EQ(dec(178, j.b, j.n, j.n, &s), DEC_NOT_IP);
    struct pkt k = { .n = 0 };
    p8(&k, 'M');
    p8(&k, 'G');
    p8(&k, 'C');
    p8(&k, 0x02);
    p32(&k, 2);
    put_v6_tcp(&k, &t);
    expect_tcp("Juniper, no link-layer header", dec(178, k.b, k.n, k.n, &s), &s, &w6);
}

static void test_prefixes(void)
{
    static struct sample xs[6];
    struct tcpspec t = std_tcp();
    struct tcpspec tsack = { 80, 50123, 0xfffffff0, 7, TH_ACK, 501, OPT_SACK3, sizeof OPT_SACK3, 30, 0 };
    size_t inner = 20 + tcp_len(&t);
    memset(xs, 0, sizeof xs);

    xs[0].what = "ethernet ipv4 IHL 8";
    xs[0].dlt = DLT_EN10MB;
    put_eth(&xs[0].p, 0x0800);
    put_ipv4(&xs[0].p, V4A, V4B, 6, tcp_len(&t), 8, 0);
    put_tcp(&xs[0].p, &t);
    xs[0].tcp_off = 14 + 32;
    xs[0].ip_off = 14;
    xs[0].ip_hdr_len = 32;

    xs[1].what = "QinQ ipv6 ext chain";
    xs[1].dlt = DLT_EN10MB;
    put_eth(&xs[1].p, 0x88a8);
    p16(&xs[1].p, 1);
    p16(&xs[1].p, 0x8100);
    p16(&xs[1].p, 2);
    p16(&xs[1].p, 0x86dd);
    xs[1].ip_off = xs[1].p.n;
    xs[1].ip_hdr_len = 40;
    xs[1].tcp_off = xs[1].p.n + 40 + put_v6_ext_chain(&xs[1].p, &tsack, 1);

    xs[2].what = "VXLAN";
    xs[2].dlt = DLT_EN10MB;
    xs[2].tunnel = true;
    put_eth(&xs[2].p, 0x0800);
    put_ipv4(&xs[2].p, V4X, V4Y, 17, 8 + 8 + 14 + inner, 5, 0);
    p16(&xs[2].p, 4789);
    p16(&xs[2].p, 4789);
    p16(&xs[2].p, (unsigned)(8 + 8 + 14 + inner));
    p16(&xs[2].p, 0);
    p32(&xs[2].p, 0x08000000);
    p32(&xs[2].p, 0x00000100);
    put_eth(&xs[2].p, 0x0800);
    put_v4_tcp(&xs[2].p, &t);
    xs[2].tcp_off = 14 + 20 + 8 + 8 + 14 + 20;
    xs[2].ip_off = 14 + 20 + 8 + 8 + 14;
    xs[2].ip_hdr_len = 20;

    xs[3].what = "GRE key+seq";
    xs[3].dlt = DLT_EN10MB;
    put_eth(&xs[3].p, 0x0800);
    put_ipv4(&xs[3].p, V4X, V4Y, 47, 12 + inner, 5, 0);
    p16(&xs[3].p, 0x3000);
    p16(&xs[3].p, 0x0800);
    p32(&xs[3].p, 1);
    p32(&xs[3].p, 2);
    put_v4_tcp(&xs[3].p, &t);
    xs[3].tcp_off = 14 + 20 + 12 + 20;
    xs[3].ip_off = 14 + 20 + 12;
    xs[3].ip_hdr_len = 20;

    xs[4].what = "SLL2 ipv4";
    xs[4].dlt = DLT_LINUX_SLL2;
    p16(&xs[4].p, 0x0800);
    pfill(&xs[4].p, 0, 18);
    put_v4_tcp(&xs[4].p, &tsack);
    xs[4].tcp_off = 20 + 20;
    xs[4].ip_off = 20;
    xs[4].ip_hdr_len = 20;

    xs[5].what = "NULL ipv6";
    xs[5].dlt = DLT_NULL;
    pmem(&xs[5].p, "\x1e\x00\x00\x00", 4);
    put_v6_tcp(&xs[5].p, &t);
    xs[5].tcp_off = 4 + 40;
    xs[5].ip_off = 4;
    xs[5].ip_hdr_len = 40;

    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        check_prefixes(&xs[i]);
}

/* Random corruption of valid packets: any outcome, but no read outside the
 * capture (the guard pages fault) and nothing absurd in a TCP result. */
static void test_fuzz(void)
{
    struct tcpspec t = std_tcp();
    struct tcpspec tsack = { 80, 50123, 0xfffffff0, 7, TH_ACK, 501, OPT_SACK3, sizeof OPT_SACK3, 30, 0 };
    struct pkt base[4] = { { .n = 0 } };
    int dlt[4] = { DLT_EN10MB, DLT_EN10MB, DLT_EN10MB, DLT_RAW };
    put_eth(&base[0], 0x0800);
    put_v4_tcp(&base[0], &t);
    put_eth(&base[1], 0x86dd);
    put_v6_ext_chain(&base[1], &tsack, 1);
    put_eth(&base[2], 0x0800);
    put_ipv4(&base[2], V4X, V4Y, 47, 4 + 20 + tcp_len(&t), 5, 0);
    p16(&base[2], 0);
    p16(&base[2], 0x0800);
    put_v4_tcp(&base[2], &t);
    put_ipv4(&base[3], V4X, V4Y, 17, 8 + 8 + 14 + 20 + tcp_len(&t), 5, 0);
    p16(&base[3], 1);
    p16(&base[3], 4789);
    p16(&base[3], (unsigned)(8 + 8 + 14 + 20 + tcp_len(&t)));
    p16(&base[3], 0);
    p32(&base[3], 0x08000000);
    p32(&base[3], 0);
    put_eth(&base[3], 0x0800);
    put_v4_tcp(&base[3], &t);

    uint32_t rng = 12345;
    unsigned long tcp = 0, runs = 0;
    for (int k = 0; k < 4; k++)
        for (int iter = 0; iter < 20000; iter++) {
            struct pkt p = base[k];
            int flips = 1 + (int)((rng = rng * 1103515245u + 12345u) >> 16) % 4;
            for (int f = 0; f < flips; f++) {
                rng = rng * 1103515245u + 12345u;
                size_t at = (rng >> 8) % p.n;
                rng = rng * 1103515245u + 12345u;
                p.b[at] = (uint8_t)(rng >> 16);
            }
            rng = rng * 1103515245u + 12345u;
            size_t cap = (rng >> 8) % (p.n + 1);
            if (iter & 1)
                cap = p.n;
            struct segment s;
            uint32_t wire = (uint32_t)p.n;
            enum decode_outcome o = dec(dlt[k], p.b, cap, wire, &s);
            runs++;
            if (o == DEC_TCP) {
                tcp++;
                CHECKF(s.hdr_len >= 20 && s.hdr_len <= 60, "fuzz %d/%d hdr_len %u", k, iter, s.hdr_len);
                CHECKF(s.payload_len + s.hdr_len <= s.ip_len && s.ip_len <= wire,
                       "fuzz %d/%d payload %u hdr %u ip %u wire %u", k, iter, s.payload_len, s.hdr_len,
                       s.ip_len, wire);
                CHECKF(s.nsack <= SEG_MAX_SACK, "fuzz %d/%d nsack %u", k, iter, s.nsack);
                CHECKF(s.src.family == 4 || s.src.family == 6, "fuzz family %d", s.src.family);
            }
        }
    CHECK(tcp > runs / 10);     /* the corruption leaves plenty decodable */
}

int main(void)
{
    guard_init();
    test_ethernet();
    test_vlan();
    test_sll();
    test_raw();
    test_more_links();
    test_null_loop();
    test_ipv4_options();
    test_ipv4_fragments();
    test_ipv6_ext();
    test_ipv6_routing();
    test_padding();
    test_snapshot_truncation();
    test_bad_ip();
    test_bad_tcp();
    test_tcp_options_malformed();
    test_tunnels();
    test_not_ip_not_tcp();
    test_unsupported_link();
    test_prefixes();
    test_fuzz();
    return unit_done("test_decode");
}
