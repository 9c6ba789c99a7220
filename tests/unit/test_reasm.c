/* test_reasm.c - IP fragments put back together (src/reasm.h).
 *
 * One TCP segment (header with a timestamps option, 3,000 bytes of data) is
 * cut into IPv4 fragments and given to decode_packet() and reasm_packet()
 * as a capture would: in order, out of order, with the TCP header itself
 * split between the first two fragments, cut by a small snapshot length,
 * repeated, overlapping, with a fragment missing, with a length that is no
 * multiple of 8, out of time order, and from more datagrams at once than
 * there are slots.  Each time the outcomes counted must add
 * up, and a completed datagram must decode to the whole segment.  The
 * same segment in IPv6 fragments, with and without an extension header
 * before the fragment header. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "reasm.h"
#include "unit.h"

#define DLT_RAW_IPV4 228
#define DATA 3000
#define TCPH 32

static uint8_t datagram[20 + TCPH + DATA];     /* the unfragmented IPv4 datagram */

static void be16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xffff); }

static void make_datagram(uint16_t id)
{
    uint8_t *ip = datagram, *t = datagram + 20;
    memset(datagram, 0, sizeof datagram);
    ip[0] = 0x45;
    be16(ip + 2, sizeof datagram);
    be16(ip + 4, id);
    ip[8] = 64;
    ip[9] = 6;
    be32(ip + 12, 0xc000020a);      /* 192.0.2.10 */
    be32(ip + 16, 0xc6336401);      /* 198.51.100.1 */
    be16(t, 40000);
    be16(t + 2, 80);
    be32(t + 4, 1000);              /* seq */
    be32(t + 8, 5000);              /* ack */
    t[12] = (TCPH / 4) << 4;
    t[13] = 0x18;                   /* PSH ACK */
    be16(t + 14, 512);
    t[20] = 1; t[21] = 1; t[22] = 8; t[23] = 10;    /* NOP NOP TS */
    be32(t + 24, 777);
    be32(t + 28, 888);
    for (int i = 0; i < DATA; i++)
        t[TCPH + i] = (uint8_t)i;
}

/* Fragment [lo, hi) of the datagram's payload, as a packet: its own header
 * (MF unless it is the last), captured up to snap bytes. */
static uint32_t fragment(uint8_t *pkt, uint32_t lo, uint32_t hi, uint32_t *wire)
{
    uint32_t payload = sizeof datagram - 20;
    memcpy(pkt, datagram, 20);
    be16(pkt + 2, 20 + (hi - lo));
    be16(pkt + 6, (hi < payload ? 0x2000 : 0) | (lo / 8));
    memcpy(pkt + 20, datagram + 20 + lo, hi - lo);
    *wire = 20 + (hi - lo);
    return *wire;
}

struct run {
    struct reasm r;
    uint64_t outcome[DEC__COUNT];
    uint64_t pktno;
    struct segment last;            /* the last segment decoded whole */
    int segments;
};

/* A packet as feed.c takes it: decoded, its fragment given to the
 * reassembly, its outcome counted. */
static enum decode_outcome feed_packet(struct run *run, int dlt, const uint8_t *pkt, uint32_t len, uint32_t snap,
                                       tstamp_t ts)
{
    struct segment seg;
    enum decode_outcome o = decode_packet(dlt, pkt, len < snap ? len : snap, len, &seg);
    seg.ts = ts;
    seg.pktno = ++run->pktno;
    if (seg.frag_ip)
        o = reasm_packet(&run->r, &seg, run->outcome);
    run->outcome[o]++;
    if (o == DEC_TCP) {
        run->last = seg;
        run->segments++;
    }
    return o;
}

static enum decode_outcome feed(struct run *run, uint32_t lo, uint32_t hi, uint32_t snap, tstamp_t ts)
{
    static uint8_t pkt[sizeof datagram];
    uint32_t wire;
    uint32_t len = fragment(pkt, lo, hi, &wire);
    return feed_packet(run, DLT_RAW_IPV4, pkt, len, snap, ts);
}

static void start(struct run *run)
{
    memset(run, 0, sizeof *run);
    reasm_init(&run->r);
}

static uint64_t total(const struct run *run)
{
    uint64_t n = 0;
    for (int o = 0; o < DEC__COUNT; o++)
        n += run->outcome[o];
    return n;
}

static void expect_whole(const struct run *run, uint64_t pktno, const char *what)
{
    CHECKF(run->segments == 1, "%s: %d segments", what, run->segments);
    CHECKF(run->last.payload_len == DATA, "%s: payload_len %u", what, run->last.payload_len);
    CHECKF(run->last.seq == 1000 && run->last.ack == 5000 && run->last.flags == 0x18, "%s: header", what);
    CHECKF(run->last.sport == 40000 && run->last.dport == 80 && run->last.win == 512, "%s: ports, window", what);
    CHECKF((run->last.opts & OPT_TIMESTAMP) && run->last.tsval == 777, "%s: timestamps option", what);
    CHECKF(run->last.pktno == pktno, "%s: packet number %llu, want %llu", what,
           (unsigned long long)run->last.pktno, (unsigned long long)pktno);
}

#define P (sizeof datagram - 20)   /* the payload: TCP header and data */

static void test_in_order(void)
{
    struct run run;
    start(&run);
    CHECK_EQ(feed(&run, 0, 1480, 65535, 1), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 1480, 2960, 65535, 2), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 2960, P, 65535, 3), DEC_TCP);
    expect_whole(&run, 3, "in order");
    CHECK_EQ(run.last.ts, 3);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], 2);
    CHECK_EQ(total(&run), 3);
    reasm_finish(&run.r, run.outcome);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 0);
    reasm_destroy(&run.r);
}

static void test_out_of_order_and_snapshot(void)
{
    struct run run;
    start(&run);
    /* last first, then the middle, then the first: and captured with a
     * 96-byte snapshot, which holds the headers but not the data */
    CHECK_EQ(feed(&run, 2960, P, 96, 1), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 1480, 2960, 96, 2), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 0, 1480, 96, 3), DEC_TCP);
    expect_whole(&run, 3, "out of order, 96-byte snapshot");
    reasm_destroy(&run.r);
}

static void test_header_split(void)
{
    struct run run;
    start(&run);
    /* an 8-byte first fragment: ports and sequence number only (RFC 1858's
     * tiny fragment); the rest of the header comes in the second */
    CHECK_EQ(feed(&run, 0, 8, 65535, 1), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 8, P, 65535, 2), DEC_TCP);
    expect_whole(&run, 2, "header split");
    reasm_destroy(&run.r);
}

static void test_repeat_and_overlap(void)
{
    struct run run;
    start(&run);
    CHECK_EQ(feed(&run, 0, 1480, 65535, 1), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 0, 1480, 65535, 2 * TS_PER_MS), DEC_IP_FRAGMENT);     /* exact repeat: nothing new */
    CHECK_EQ(feed(&run, 1480, P, 65535, 3 * TS_PER_MS), DEC_TCP);
    expect_whole(&run, 3, "with a repeated fragment");
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], 2);
    /* a copy of the last fragment within a millisecond: another
     * interface's copy, not a new datagram */
    CHECK_EQ(feed(&run, 1480, P, 65535, 3 * TS_PER_MS + 1000), DEC_DUPLICATE);

    /* overlapping (not a repeat): the datagram is dropped whole */
    make_datagram(2);
    CHECK_EQ(feed(&run, 0, 1480, 65535, 10 * TS_PER_MS), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 1472, P, 65535, 11 * TS_PER_MS), DEC_IP_FRAGMENT_LOST);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 2);     /* both, the first moved */
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], 2);
    CHECK_EQ(total(&run), 6);
    CHECK_EQ(run.segments, 1);
    reasm_destroy(&run.r);
    make_datagram(1);
}

static void test_odd_lengths_and_time(void)
{
    struct run run;
    start(&run);
    /* a fragment before the last with 1,001 bytes: cut to 1,000, as Linux
     * does, so the next one starting at 1,000 does not overlap it */
    CHECK_EQ(feed(&run, 0, 1001, 65535, 10 * TS_PER_MS), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 1000, P, 65535, 11 * TS_PER_MS), DEC_TCP);
    expect_whole(&run, 2, "a 1,001-byte first fragment");
    /* the same identification again, at an earlier time (a capture out of
     * order): a new datagram, not a copy */
    CHECK_EQ(feed(&run, 1000, P, 65535, 5 * TS_PER_MS), DEC_IP_FRAGMENT);
    reasm_finish(&run.r, run.outcome);
    CHECK_EQ(run.outcome[DEC_DUPLICATE], 0);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 1);
    CHECK_EQ(total(&run), 3);
    reasm_destroy(&run.r);
}

static void test_lost_and_late(void)
{
    struct run run;
    start(&run);
    /* the middle fragment never comes */
    CHECK_EQ(feed(&run, 0, 1480, 65535, 1), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 2960, P, 65535, 2), DEC_IP_FRAGMENT);
    reasm_finish(&run.r, run.outcome);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], 0);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 2);
    CHECK_EQ(run.r.dropped, 1);
    CHECK_EQ(run.segments, 0);
    reasm_destroy(&run.r);

    /* the last one comes after the reassembly timeout: the first two are
     * dropped, and the late one starts a datagram of its own */
    start(&run);
    CHECK_EQ(feed(&run, 0, 1480, 65535, TS_PER_SEC), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 1480, 2960, 65535, TS_PER_SEC), DEC_IP_FRAGMENT);
    CHECK_EQ(feed(&run, 2960, P, 65535, TS_PER_SEC + REASM_TIMEOUT + 1), DEC_IP_FRAGMENT);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 2);
    CHECK_EQ(run.segments, 0);
    reasm_finish(&run.r, run.outcome);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 3);
    CHECK_EQ(total(&run), 3);
    reasm_destroy(&run.r);
}

static void test_too_long(void)
{
    struct run run;
    start(&run);
    /* a fragment reaching past 65,535 bytes (the ping of death's trick) */
    static uint8_t pkt[100];
    memcpy(pkt, datagram, 20);
    be16(pkt + 2, 100);
    be16(pkt + 6, 0x1fff);          /* offset 65,528, last */
    struct segment seg;
    enum decode_outcome o = decode_packet(DLT_RAW_IPV4, pkt, sizeof pkt, sizeof pkt, &seg);
    CHECK_EQ(o, DEC_IP_FRAGMENT);
    seg.ts = 1;
    seg.pktno = 1;
    CHECK_EQ(reasm_packet(&run.r, &seg, run.outcome), DEC_IP_FRAGMENT_LOST);
    reasm_destroy(&run.r);
}

static void test_many_at_once(void)
{
    struct run run;
    start(&run);
    /* first fragments of REASM_SLOTS + 10 datagrams: the 10 least recently
     * added to are dropped to make room */
    for (int i = 0; i < REASM_SLOTS + 10; i++) {
        make_datagram((uint16_t)(100 + i));
        CHECK_EQ(feed(&run, 0, 1480, 65535, 1000 + i), DEC_IP_FRAGMENT);
    }
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 10);
    /* the datagrams still held complete */
    for (int i = 10; i < REASM_SLOTS + 10; i++) {
        make_datagram((uint16_t)(100 + i));
        CHECK_EQ(feed(&run, 1480, P, 65535, 2000 + i), DEC_TCP);
    }
    CHECK_EQ(run.segments, REASM_SLOTS);
    /* the dropped ones' last fragments start datagrams of their own, in
     * the completed ones' slots, and never complete */
    for (int i = 0; i < 10; i++) {
        make_datagram((uint16_t)(100 + i));
        CHECK_EQ(feed(&run, 1480, P, 65535, 3 * TS_PER_MS + i), DEC_IP_FRAGMENT);
    }
    reasm_finish(&run.r, run.outcome);
    CHECK_EQ(total(&run), 2 * (REASM_SLOTS + 10));
    CHECK_EQ(run.outcome[DEC_TCP], REASM_SLOTS);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], REASM_SLOTS);
    CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 20);
    reasm_destroy(&run.r);
    make_datagram(1);
}

/* ------------------------------------------------------------- IPv6 --- */

#define DLT_RAW_IPV6 229
/* IPv6 header, then (with_opts) an 8-byte destination options header, both
 * not fragmented; the fragmentable part is the TCP segment of the IPv4
 * tests: datagram[20..]. */
static uint32_t fragment6(uint8_t *pkt, bool with_opts, uint32_t id, uint32_t lo, uint32_t hi)
{
    uint32_t payload = sizeof datagram - 20, unfrag = with_opts ? 8 : 0;
    memset(pkt, 0, 48 + unfrag);
    pkt[0] = 0x60;
    be16(pkt + 4, unfrag + 8 + (hi - lo));
    pkt[6] = with_opts ? 60 : 44;
    pkt[7] = 64;
    be32(pkt + 8, 0x20010db8); be32(pkt + 20, 0x10);     /* 2001:db8::10 */
    be32(pkt + 24, 0x20010db8); be32(pkt + 36, 0x80);    /* 2001:db8::80 */
    uint8_t *f = pkt + 40;
    if (with_opts) {
        f[0] = 44;              /* next: fragment; length 0 (8 bytes); PadN 4 */
        f[2] = 1; f[3] = 4;
        f += 8;
    }
    f[0] = 6;
    be16(f + 2, (uint16_t)(lo | (hi < payload ? 1 : 0)));
    be32(f + 4, id);
    memcpy(f + 8, datagram + 20 + lo, hi - lo);
    return 48 + unfrag + (hi - lo);
}

static enum decode_outcome feed6(struct run *run, bool with_opts, uint32_t id, uint32_t lo, uint32_t hi,
                                 uint32_t snap, tstamp_t ts)
{
    static uint8_t pkt[sizeof datagram + 64];
    uint32_t len = fragment6(pkt, with_opts, id, lo, hi);
    return feed_packet(run, DLT_RAW_IPV6, pkt, len, snap, ts);
}

static void test_ipv6(void)
{
    struct run run;
    for (int opts = 0; opts < 2; opts++) {
        start(&run);
        /* in order, with the 200-byte snapshot tcpdump's tests use */
        CHECK_EQ(feed6(&run, opts, 7, 0, 1448, 200, 1), DEC_IP_FRAGMENT);
        CHECK_EQ(feed6(&run, opts, 7, 1448, 2896, 200, 2), DEC_IP_FRAGMENT);
        CHECK_EQ(feed6(&run, opts, 7, 2896, P, 200, 3), DEC_TCP);
        expect_whole(&run, 3, opts ? "IPv6 with options, in order" : "IPv6, in order");
        CHECK_EQ(run.last.src.family, 6);
        /* another identification, out of order; a first fragment with 8
         * bytes of the TCP header is dropped (RFC 8200 4.5, RFC 7112: the
         * receiver does), one with 24 completes it */
        run.segments = 0;
        CHECK_EQ(feed6(&run, opts, 8, 24, P, 65535, 4), DEC_IP_FRAGMENT);
        CHECK_EQ(feed6(&run, opts, 8, 0, 8, 65535, 5), DEC_IP_FRAGMENT_LOST);
        CHECK_EQ(feed6(&run, opts, 8, 0, 24, 65535, 6), DEC_TCP);
        expect_whole(&run, 6, "IPv6, out of order, the TCP header in two");
        /* overlapping: dropped whole (RFC 5722) */
        CHECK_EQ(feed6(&run, opts, 9, 0, 1448, 65535, 6), DEC_IP_FRAGMENT);
        CHECK_EQ(feed6(&run, opts, 9, 1440, P, 65535, 7), DEC_IP_FRAGMENT_LOST);
        /* a fragment before the last whose length is no multiple of 8:
         * dropped alone (RFC 8200 4.5), the datagram still completes */
        CHECK_EQ(feed6(&run, opts, 11, 0, 1001, 65535, 8), DEC_IP_FRAGMENT_LOST);
        CHECK_EQ(feed6(&run, opts, 11, 0, 1000, 65535, 9), DEC_IP_FRAGMENT);
        CHECK_EQ(feed6(&run, opts, 11, 1000, P, 65535, 10), DEC_TCP);
        reasm_finish(&run.r, run.outcome);
        CHECK_EQ(run.outcome[DEC_IP_FRAGMENT_LOST], 4);
        CHECK_EQ(run.outcome[DEC_IP_FRAGMENT], 4);
        CHECK_EQ(run.outcome[DEC_TCP], 3);
        CHECK_EQ(total(&run), run.pktno);
        reasm_destroy(&run.r);
    }
    /* a fragment header with a payload length of 0 (a jumbogram's, or an
     * offloaded packet's: the wire's length, which may be anything) */
    start(&run);
    {
        static uint8_t pkt[sizeof datagram + 64];
        uint32_t len = fragment6(pkt, false, 12, 0, 1448);
        be16(pkt + 4, 0);
        struct segment seg;
        CHECK_EQ(decode_packet(DLT_RAW_IPV6, pkt, len, 0xfffffff8u, &seg), DEC_TCP);
        CHECK(seg.frag_ip != NULL);
        seg.ts = 1;
        seg.pktno = 1;
        CHECK_EQ(reasm_packet(&run.r, &seg, run.outcome), DEC_BAD_IP);
    }
    reasm_destroy(&run.r);
    /* an atomic fragment (offset 0, no more: RFC 6946) is no fragment */
    start(&run);
    CHECK_EQ(feed6(&run, false, 10, 0, P, 65535, 1), DEC_TCP);
    expect_whole(&run, 1, "IPv6 atomic fragment");
    CHECK(run.r.slot == NULL);
    reasm_destroy(&run.r);
}

int main(void)
{
    make_datagram(1);
    test_in_order();
    test_out_of_order_and_snapshot();
    test_header_split();
    test_repeat_and_overlap();
    test_lost_and_late();
    test_odd_lengths_and_time();
    test_too_long();
    test_many_at_once();
    test_ipv6();
    return unit_done("test_reasm");
}
