/* tests/soak/soakgen.c - a deterministic pcap of hostile random-tuple TCP
 * traffic, for the soak test (tests/soak/soak.sh).
 *
 *   soakgen [-n PACKETS] [-s SEED] [-o FILE]     (default: 1000000, 1, stdout)
 *
 * Each packet is drawn from one of these mixes (percentages):
 *   25  SYN flood: a SYN from a new random source address and port to one
 *       of a few services
 *   12  RST storm: RST or RST+ACK, to a tuple seen before or a new one, with
 *       random sequence numbers
 *   15  every TCP flag combination in turn (0x00 .. 0xff: null, SYN+FIN,
 *       SYN+RST, FIN+PSH+URG ...) on tuples seen before or new ones
 *   20  well-formed connections (handshake, data, close from either side,
 *       sometimes reset), interleaved, so that states and expiry run
 *   10  tiny IPv4 fragments: first fragments holding 8 bytes of TCP
 *       header, and later fragments (some overlapping the TCP header)
 *   13  IPv6 with a random chain of extension headers (hop-by-hop,
 *       routing, fragment, destination options, AH, mobility), some chains
 *       malformed or cut short
 *    5  not TCP: UDP, ICMP, ARP
 * Sources are 198.51.100.0/24 and 2001:db8::/32 with random ports;
 * services are 192.0.2.0/24 and 2001:db8:ffff::/48.  Timestamps advance by
 * 0.2 to 1.2 us per packet.  The same seed always gives the same bytes.
 * The counts of what was written go to standard error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1    /* getopt */
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state;

static uint64_t rnd(void)       /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* ------------------------------------------------------------ output --- */

static FILE *out;
static uint64_t ts_ns = 1700000000ULL * 1000000000ULL;
static uint64_t written;

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void emit(const uint8_t *frame, uint32_t len)
{
    uint8_t h[16];
    ts_ns += 200 + below(1000);
    put32le(h, (uint32_t)(ts_ns / 1000000000ULL));
    put32le(h + 4, (uint32_t)(ts_ns % 1000000000ULL));
    put32le(h + 8, len);
    put32le(h + 12, len);
    if (fwrite(h, 1, 16, out) != 16 || fwrite(frame, 1, len, out) != len) {
        fprintf(stderr, "soakgen: write error: %s\n", strerror(errno));
        exit(1);
    }
    written++;
}

/* ------------------------------------------------------------ headers --- */

struct tuple {
    uint8_t v6;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    /* for well-formed connections */
    uint8_t step;
    uint32_t cseq, sseq;
};

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, (uint16_t)(v >> 16)); be16(p + 2, (uint16_t)v); }

static uint16_t ipsum(const uint8_t *p, int n)
{
    uint32_t s = 0;
    for (int i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static int eth(uint8_t *p, uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memcpy(p, macs, 12);
    be16(p + 12, type);
    return 14;
}

static int ipv4(uint8_t *p, const struct tuple *t, bool reverse, uint8_t proto, int payload, uint16_t frag)
{
    p[0] = 0x45;
    p[1] = 0;
    be16(p + 2, (uint16_t)(20 + payload));
    be16(p + 4, (uint16_t)below(65536));
    be16(p + 6, frag);
    p[8] = 64;
    p[9] = proto;
    p[10] = p[11] = 0;
    memcpy(p + 12, reverse ? t->dst : t->src, 4);
    memcpy(p + 16, reverse ? t->src : t->dst, 4);
    be16(p + 10, ipsum(p, 20));
    return 20;
}

static int ipv6(uint8_t *p, const struct tuple *t, bool reverse, uint8_t nh, int payload)
{
    be32(p, 0x60000000u | below(1u << 20));
    be16(p + 4, (uint16_t)payload);
    p[6] = nh;
    p[7] = 64;
    memcpy(p + 8, reverse ? t->dst : t->src, 16);
    memcpy(p + 24, reverse ? t->src : t->dst, 16);
    return 40;
}

/* A TCP header with options on SYNs; returns its length. */
static int tcp(uint8_t *p, const struct tuple *t, bool reverse, uint32_t seq, uint32_t ack, uint8_t flags)
{
    int len = 20;
    be16(p, reverse ? t->dport : t->sport);
    be16(p + 2, reverse ? t->sport : t->dport);
    be32(p + 4, seq);
    be32(p + 8, ack);
    be16(p + 14, (uint16_t)(1024 + below(64512)));
    p[16] = p[17] = p[18] = p[19] = 0;
    if (flags & 0x02) {     /* MSS, SACK permitted, timestamps, NOP, window scale */
        static const uint8_t opts[20] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
        memcpy(p + 20, opts, 20);
        len += 20;
    }
    p[12] = (uint8_t)((len / 4) << 4);
    p[13] = flags;
    return len;
}

static void random_src(struct tuple *t)
{
    t->v6 = below(4) == 0;
    memset(t->src, 0, 16);
    memset(t->dst, 0, 16);
    if (t->v6) {
        static const uint8_t db8[4] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(t->src, db8, 4);
        uint64_t r = rnd();
        memcpy(t->src + 4, &r, 8);
        t->src[12] = (uint8_t)below(256);
        memcpy(t->dst, db8, 4);
        t->dst[4] = t->dst[5] = 0xff;
        t->dst[15] = (uint8_t)(1 + below(8));
    } else {
        t->src[0] = 198; t->src[1] = 51; t->src[2] = 100; t->src[3] = (uint8_t)below(256);
        t->dst[0] = 192; t->dst[1] = 0; t->dst[2] = 2; t->dst[3] = (uint8_t)(1 + below(8));
    }
    t->sport = (uint16_t)(1024 + below(64512));
    static const uint16_t services[] = {80, 443, 22, 25, 8080, 5432};
    t->dport = services[below(6)];
    t->step = 0;
    t->cseq = (uint32_t)rnd();
    t->sseq = (uint32_t)rnd();
}

/* One TCP segment over IPv4 or IPv6. */
static void segment(const struct tuple *t, bool reverse, uint32_t seq, uint32_t ack, uint8_t flags, int data)
{
    uint8_t f[1600];
    int off = eth(f, t->v6 ? 0x86dd : 0x0800);
    uint8_t th[64];
    int tl = tcp(th, t, reverse, seq, ack, flags);
    if (t->v6)
        off += ipv6(f + off, t, reverse, 6, tl + data);
    else
        off += ipv4(f + off, t, reverse, 6, tl + data, 0x4000);
    memcpy(f + off, th, (size_t)tl);
    off += tl;
    memset(f + off, 'x', (size_t)data);
    emit(f, (uint32_t)(off + data));
}

/* ------------------------------------------------------------ mixes --- */

#define POOL 8192
static struct tuple pool[POOL];
static uint64_t counts[8];
enum { M_FLOOD, M_RST, M_FLAGS, M_CONN, M_FRAG, M_V6EXT, M_OTHER };

static struct tuple *pick(int fresh_percent)
{
    struct tuple *t = &pool[below(POOL)];
    if ((int)below(100) < fresh_percent)
        random_src(t);
    return t;
}

static void syn_flood(void)
{
    struct tuple t;
    random_src(&t);
    t.dport = below(2) ? 80 : 443;
    t.dst[t.v6 ? 15 : 3] = 1;
    segment(&t, false, (uint32_t)rnd(), 0, 0x02, 0);
}

static void rst_storm(void)
{
    struct tuple *t = pick(50);
    segment(t, below(2), (uint32_t)rnd(), (uint32_t)rnd(), below(2) ? 0x04 : 0x14, 0);
}

static void all_flags(void)
{
    static uint8_t next;
    struct tuple *t = pick(30);
    segment(t, below(2), (uint32_t)rnd(), (uint32_t)rnd(), next++, below(4) ? 0 : (int)below(200));
}

static void conn_step(void)
{
    struct tuple *t = &pool[below(64)];     /* a few at a time, interleaved */
    bool server_closes = t->sport & 1;
    switch (t->step++) {
    case 0: random_src(t); t->step = 1;
            segment(t, false, t->cseq, 0, 0x02, 0); break;
    case 1: segment(t, true, t->sseq, t->cseq + 1, 0x12, 0); break;
    case 2: segment(t, false, t->cseq + 1, t->sseq + 1, 0x10, 0); break;
    case 3: segment(t, false, t->cseq + 1, t->sseq + 1, 0x18, 100); break;
    case 4: segment(t, true, t->sseq + 1, t->cseq + 101, 0x18, 300); break;
    case 5:
        if (below(10) == 0) {   /* reset instead of a close */
            segment(t, !server_closes, server_closes ? t->cseq + 101 : t->sseq + 301, 0, 0x04, 0);
            t->step = 0;
            break;
        }
        if (server_closes)
            segment(t, true, t->sseq + 301, t->cseq + 101, 0x11, 0);
        else
            segment(t, false, t->cseq + 101, t->sseq + 301, 0x11, 0);
        break;
    case 6:
        if (server_closes)
            segment(t, false, t->cseq + 101, t->sseq + 302, 0x11, 0);
        else
            segment(t, true, t->sseq + 301, t->cseq + 102, 0x11, 0);
        break;
    default:
        if (server_closes)
            segment(t, true, t->sseq + 302, t->cseq + 102, 0x10, 0);
        else
            segment(t, false, t->cseq + 102, t->sseq + 302, 0x10, 0);
        t->step = 0;
        break;
    }
}

static void tiny_fragment(void)
{
    struct tuple *t = pick(60);
    if (t->v6)
        t->v6 = 0, t->src[0] = 198, t->src[1] = 51, t->src[2] = 100,
        t->dst[0] = 192, t->dst[1] = 0, t->dst[2] = 2, t->dst[3] = 1;
    uint8_t f[256], th[64];
    tcp(th, t, false, (uint32_t)rnd(), (uint32_t)rnd(), (uint8_t)below(256) & ~0x02);
    int off = eth(f, 0x0800), n;
    switch (below(3)) {
    case 0:     /* first fragment: 8 bytes of TCP header, more fragments */
        n = 8;
        off += ipv4(f + off, t, false, 6, n, 0x2000);
        memcpy(f + off, th, (size_t)n);
        break;
    case 1:     /* overlapping second fragment at offset 8 rewriting flags */
        n = 12;
        off += ipv4(f + off, t, false, 6, n, 0x0001);
        memcpy(f + off, th + 8, (size_t)n);
        break;
    default:    /* a later fragment anywhere */
        n = 8 * (int)(1 + below(8));
        off += ipv4(f + off, t, false, 6, n, (uint16_t)((below(2) ? 0x2000 : 0) | (1 + below(8000))));
        memset(f + off, 'f', (size_t)n);
        break;
    }
    emit(f, (uint32_t)(off + n));
}

static void v6_extensions(void)
{
    struct tuple *t = pick(40);
    if (!t->v6) {
        t->v6 = 1;
        static const uint8_t s[4] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(t->src, s, 4);
        memcpy(t->dst, s, 4);
        t->dst[4] = t->dst[5] = 0xff;
    }
    static const uint8_t kinds[] = {0, 43, 44, 60, 51, 135};
    uint8_t f[1600], ext[1200];
    int elen = 0, nh_first = 6;
    int n = (int)below(7);
    uint8_t *prev_nh = NULL;
    int last = -1;
    bool bad = below(8) == 0;
    for (int i = 0; i < n; i++) {
        uint8_t k = kinds[below(sizeof kinds)];
        uint8_t *h = ext + elen;
        int len;
        if (k == 44) {
            len = 8;
            h[1] = 0;
            /* offset 0 most of the time, so the TCP header follows */
            be16(h + 2, below(4) ? (uint16_t)(below(2)) : (uint16_t)((1 + below(100)) << 3));
            be32(h + 4, (uint32_t)rnd());
        } else if (k == 51) {   /* AH: length in 4-byte units minus 2 */
            uint8_t units = (uint8_t)(1 + below(6));
            len = (units + 2) * 4;
            h[1] = units;
            memset(h + 2, 0, (size_t)len - 2);
        } else {
            uint8_t units = (uint8_t)below(4);
            len = (units + 1) * 8;
            h[1] = units;
            memset(h + 2, 0, (size_t)len - 2);
            if (k != 43)
                h[2] = 1, h[3] = (uint8_t)(len - 4);    /* one PadN option */
        }
        if (prev_nh)
            *prev_nh = k;
        else
            nh_first = k;
        prev_nh = h;
        last = elen;
        elen += len;
        if (elen > 1000)
            break;
    }
    if (prev_nh)
        *prev_nh = 6;
    uint8_t th[64];
    int tl = tcp(th, t, false, (uint32_t)rnd(), (uint32_t)rnd(), (uint8_t)(0x02 << below(4) | (below(2) ? 0x10 : 0)));
    int off = eth(f, 0x86dd);
    int payload = elen + tl;
    if (bad && last >= 0) {     /* the last extension header claims more than is there */
        ext[last + 1] = 200;
        tl = 0;
        payload = elen;
    }
    off += ipv6(f + off, t, false, (uint8_t)nh_first, payload);
    memcpy(f + off, ext, (size_t)elen);
    off += elen;
    memcpy(f + off, th, (size_t)tl);
    off += tl;
    emit(f, (uint32_t)off);
}

static void other(void)
{
    uint8_t f[128];
    struct tuple t;
    random_src(&t);
    t.v6 = 0;
    t.src[0] = 198; t.src[1] = 51; t.src[2] = 100;
    t.dst[0] = 192; t.dst[1] = 0; t.dst[2] = 2;
    int off;
    switch (below(3)) {
    case 0:     /* UDP */
        off = eth(f, 0x0800);
        off += ipv4(f + off, &t, false, 17, 8 + 16, 0);
        be16(f + off, t.sport); be16(f + off + 2, 53); be16(f + off + 4, 24); be16(f + off + 6, 0);
        memset(f + off + 8, 'u', 16);
        off += 24;
        break;
    case 1:     /* ICMP echo */
        off = eth(f, 0x0800);
        off += ipv4(f + off, &t, false, 1, 8, 0);
        memset(f + off, 0, 8);
        f[off] = 8;
        off += 8;
        break;
    default:    /* ARP request */
        off = eth(f, 0x0806);
        memset(f + off, 0, 28);
        be16(f + off, 1); be16(f + off + 2, 0x0800); f[off + 4] = 6; f[off + 5] = 4; be16(f + off + 6, 1);
        memcpy(f + off + 14, t.src, 4);
        memcpy(f + off + 24, t.dst, 4);
        off += 28;
        break;
    }
    emit(f, (uint32_t)off);
}

int main(int argc, char **argv)
{
    unsigned long long n = 1000000, seed = 1;
    const char *path = NULL;
    int c;
    while ((c = getopt(argc, argv, "n:s:o:")) != -1) {
        switch (c) {
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'o': path = optarg; break;
        default:
            fprintf(stderr, "usage: soakgen [-n PACKETS] [-s SEED] [-o FILE]\n");
            return 2;
        }
    }
    rng_state = seed * 0x2545f4914f6cdd1dULL + 1;
    out = path ? fopen(path, "wb") : stdout;
    if (!out) {
        fprintf(stderr, "soakgen: %s: %s\n", path, strerror(errno));
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    uint8_t h[24];
    put32le(h, 0xa1b23c4d);     /* nanosecond pcap */
    h[4] = 2; h[5] = 0; h[6] = 4; h[7] = 0;
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, 65535);
    put32le(h + 20, 1);         /* Ethernet */
    fwrite(h, 1, 24, out);
    for (int i = 0; i < POOL; i++)
        random_src(&pool[i]);
    while (written < n) {
        uint32_t r = below(100);
        int m = r < 25 ? M_FLOOD : r < 37 ? M_RST : r < 52 ? M_FLAGS : r < 72 ? M_CONN
              : r < 82 ? M_FRAG : r < 95 ? M_V6EXT : M_OTHER;
        counts[m]++;
        switch (m) {
        case M_FLOOD: syn_flood(); break;
        case M_RST: rst_storm(); break;
        case M_FLAGS: all_flags(); break;
        case M_CONN: conn_step(); break;
        case M_FRAG: tiny_fragment(); break;
        case M_V6EXT: v6_extensions(); break;
        default: other(); break;
        }
    }
    if (fflush(out) != 0 || (path && fclose(out) != 0)) {
        fprintf(stderr, "soakgen: write error: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "soakgen: %llu packets: syn-flood %llu, rst-storm %llu, flag-combinations %llu, "
                    "connections %llu, tiny-fragments %llu, ipv6-extensions %llu, not-tcp %llu\n",
            (unsigned long long)written, (unsigned long long)counts[M_FLOOD], (unsigned long long)counts[M_RST],
            (unsigned long long)counts[M_FLAGS], (unsigned long long)counts[M_CONN],
            (unsigned long long)counts[M_FRAG], (unsigned long long)counts[M_V6EXT],
            (unsigned long long)counts[M_OTHER]);
    return 0;
}
