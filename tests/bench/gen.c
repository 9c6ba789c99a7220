/* gen.c - deterministic synthetic TCP traces, with the states they must leave.
 *
 * Writes a pcap file (Ethernet, microsecond timestamps) of N TCP connections
 * between documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
 * 2001:db8::/32, MACs 00:00:5e:00:53:xx), and a TSV of the RFC 793 state each
 * endpoint is in at the end of the capture, derived from what was generated.
 * The same arguments always give byte-identical output: all randomness comes
 * from splitmix64 streams seeded from --seed and the connection's index.
 *
 *   gen -o trace.pcap [-e expected.tsv] [options]
 *
 * Connections.  Every connection has its own client endpoint, so no 4-tuple
 * repeats and every connection is exactly one record for a tracker.  Each is a
 * script: SYN (MSS, SACK-permitted, timestamps, window scale), SYN-ACK, ACK,
 * a request from the client and a response from the server (--data segments
 * in all, some retransmitted and some pairs reordered, receivers acknowledging
 * every second segment), then one of these endings:
 *
 *   client   4-way close from the client  -> client TIME_WAIT, server CLOSED
 *   server   4-way close from the server  -> client CLOSED, server TIME_WAIT
 *   fin3     FIN, FIN+ACK, ACK (either side first) -> closer TIME_WAIT, other CLOSED
 *   rst      RST from either side         -> both CLOSED
 *   syn      unanswered SYN, retransmitted at 1 s, 3 s, 7 s -> SYN_SENT, LISTEN
 *            (the client CLOSED once the capture has gone on for 1.5 x the
 *            larger of 3 s + first to last SYN and twice that span after its
 *            last SYN: it gave up)
 *   refused  SYN answered by RST+ACK      -> both CLOSED
 *   half     FIN from one side, ACKed, the other keeps sending, nothing more
 *                                         -> closer FIN_WAIT_2, other CLOSE_WAIT
 *   simul    crossing FINs, then both ACKs -> both TIME_WAIT
 *   open     no ending                    -> both ESTABLISHED
 *
 * TIME_WAIT lasts 2*MSL of capture time: an endpoint that entered TIME_WAIT at
 * least 2*MSL (--msl, as given to tcpfsm) before the last packet is expected
 * CLOSED.  The two crossing final ACKs of a simultaneous close carry the same
 * timestamp, so both endpoints' timers start together (--simul-ack-gap sets
 * them apart; each endpoint's timer then runs from its own ACK).
 *
 * Timing.  The capture point is beside the clients: what a client sends shows
 * at once, the server's answer one round trip later.  --concurrency K keeps K
 * connections exchanging at once (a finished one is replaced after a short
 * gap; an unanswered SYN frees its slot after its first SYN).  --all-open opens
 * every connection (handshake and data) before any closes: first all opening
 * parts, --open-gap apart, then all endings, --close-gap apart.
 *
 * --flood M writes M SYNs, --flood-gap us apart, from distinct sources in
 * 198.51.100.0/24 (varying ports) to 192.0.2.1:443 and nothing else.
 *
 * C11 plus POSIX inet_ntop; no other dependency. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- random --- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct rng {
    uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

/* 0 .. n-1 (n >= 1) */
static uint64_t rbelow(struct rng *r, uint64_t n)
{
    return rnext(r) % n;
}

/* lo .. hi inclusive */
static int64_t rrange(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rbelow(r, (uint64_t)(hi - lo + 1));
}

static double runit(struct rng *r)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static bool rpct(struct rng *r, double pct)
{
    return pct > 0 && runit(r) * 100.0 < pct;
}

static struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t idx)
{
    struct rng r = { mix64(seed ^ mix64(stream * 0x632be59bd9b4e019ULL + idx)) };
    return r;
}

/* A bijection on [0, n) for n <= 2^24: a 4-round Feistel network on 24 bits,
 * cycle-walked.  Gives every index its own random-looking client endpoint. */
static uint32_t perm24(uint32_t x, uint32_t n, uint64_t key)
{
    do {
        uint32_t l = x >> 12, r = x & 0xfff;
        for (uint32_t round = 0; round < 4; round++) {
            uint32_t f = (uint32_t)mix64(key + round * 0x1000193ULL + r) & 0xfff;
            uint32_t t = l ^ f;
            l = r;
            r = t;
        }
        x = l << 12 | r;
    } while (x >= n);
    return x;
}

/* ------------------------------------------------------------ options --- */

enum kind { K_CLIENT, K_SERVER, K_FIN3, K_RST, K_SYN, K_REFUSED, K_HALF, K_SIMUL, K_OPEN, K__N };
static const char *const kind_names[K__N] = {
    "client", "server", "fin3", "rst", "syn", "refused", "half", "simul", "open",
};

enum st { ST_CLOSED, ST_LISTEN, ST_SYN_SENT, ST_ESTABLISHED, ST_FIN_WAIT_2, ST_CLOSE_WAIT, ST_TIME_WAIT };
static const char *const st_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_2", "CLOSE_WAIT", "TIME_WAIT",
};

struct cfg {
    const char *out, *expect;
    uint64_t conns;
    uint64_t concurrency;
    bool all_open;
    uint32_t data;
    double ipv6_pct;
    double weight[K__N];
    double retrans_pct, reorder_pct, wrap_pct;
    uint64_t seed;
    double msl;
    uint32_t snaplen;
    int64_t start_us;
    uint32_t servers;
    int64_t open_gap, close_gap;
    uint64_t flood;
    int64_t flood_gap;
    int64_t simul_ack_gap;
    bool stats;
};

#define N4_SPACE (254u * 64512u)   /* client hosts x ports 1024..65535 */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: gen -o OUT.pcap [-e EXPECTED.tsv] [options]\n"
        "  --conns N          connections (default 1000; at most %u)\n"
        "  --concurrency K    connections exchanging at once (default 100)\n"
        "  --all-open         open every connection before any closes\n"
        "  --open-gap US      --all-open: microseconds between opens (default 20)\n"
        "  --close-gap US     --all-open: microseconds between endings (default 20)\n"
        "  --data N           data segments per connection (default 4)\n"
        "  --ipv6 PCT         share of IPv6 connections, percent (default 20)\n"
        "  --mix SPEC         ending weights, e.g. client=25,server=15,fin3=10,rst=10,\n"
        "                     syn=5,refused=5,half=10,simul=10,open=10 (the default);\n"
        "                     names not given keep their default weight\n"
        "  --retrans PCT      data segments retransmitted, percent (default 2)\n"
        "  --reorder PCT      data segments swapped with the next, percent (default 2)\n"
        "  --wrap PCT         ISNs within 3000 of 2^32, percent (default 10)\n"
        "  --servers N        server addresses per family (default 16)\n"
        "  --seed S           (default 1)\n"
        "  --msl S            MSL for the expectations, as tcpfsm --msl (default 30)\n"
        "  --snaplen N        bytes captured per packet (default 128)\n"
        "  --start SECONDS    capture start, Unix time (default 1700000000)\n"
        "  --flood M          instead: M SYNs from distinct sources to one port\n"
        "  --flood-gap US     microseconds between flood SYNs (default 1)\n"
        "  --simul-ack-gap US simultaneous close: time between the two final ACKs\n"
        "                     (default 0); each endpoint's 2*MSL runs from its own\n"
        "                     entry into TIME_WAIT, as in RFC 793\n"
        "  --stats            print a summary on standard error\n",
        N4_SPACE);
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return false;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *v = x;
    return true;
}

static bool parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= 0) || x > 1e12)
        return false;
    *v = x;
    return true;
}

static bool parse_mix(const char *spec, double *w)
{
    char buf[512];
    if (strlen(spec) >= sizeof buf)
        return false;
    strcpy(buf, spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return false;
        *eq = 0;
        int k;
        for (k = 0; k < K__N; k++)
            if (!strcmp(tok, kind_names[k]))
                break;
        if (k == K__N) {
            fprintf(stderr, "gen: --mix: unknown ending \"%s\"\n", tok);
            return false;
        }
        if (!parse_double(eq + 1, &w[k]))
            return false;
    }
    return true;
}

static int parse_args(int argc, char **argv, struct cfg *c)
{
    static const double defw[K__N] = { 25, 15, 10, 10, 5, 5, 10, 10, 10 };
    memset(c, 0, sizeof *c);
    c->conns = 1000;
    c->concurrency = 100;
    c->data = 4;
    c->ipv6_pct = 20;
    memcpy(c->weight, defw, sizeof defw);
    c->retrans_pct = 2;
    c->reorder_pct = 2;
    c->wrap_pct = 10;
    c->seed = 1;
    c->msl = 30;
    c->snaplen = 128;
    c->start_us = 1700000000LL * 1000000;
    c->servers = 16;
    c->open_gap = 20;
    c->close_gap = 20;
    c->flood_gap = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t u;
        double d;
#define NEEDV() do { if (!v) { fprintf(stderr, "gen: %s needs a value\n", a); return 2; } i++; } while (0)
#define BAD() do { fprintf(stderr, "gen: %s: bad value \"%s\"\n", a, v); return 2; } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "-o")) {
            NEEDV();
            c->out = v;
        } else if (!strcmp(a, "-e")) {
            NEEDV();
            c->expect = v;
        } else if (!strcmp(a, "--conns")) {
            NEEDV();
            if (!parse_u64(v, &c->conns) || c->conns > N4_SPACE)
                BAD();
        } else if (!strcmp(a, "--concurrency")) {
            NEEDV();
            if (!parse_u64(v, &c->concurrency) || c->concurrency == 0)
                BAD();
        } else if (!strcmp(a, "--all-open")) {
            c->all_open = true;
        } else if (!strcmp(a, "--open-gap")) {
            NEEDV();
            if (!parse_u64(v, &u) || u == 0 || u > 10000000)
                BAD();
            c->open_gap = (int64_t)u;
        } else if (!strcmp(a, "--close-gap")) {
            NEEDV();
            if (!parse_u64(v, &u) || u == 0 || u > 10000000)
                BAD();
            c->close_gap = (int64_t)u;
        } else if (!strcmp(a, "--data")) {
            NEEDV();
            if (!parse_u64(v, &u) || u > 10000)
                BAD();
            c->data = (uint32_t)u;
        } else if (!strcmp(a, "--ipv6")) {
            NEEDV();
            if (!parse_double(v, &c->ipv6_pct) || c->ipv6_pct > 100)
                BAD();
        } else if (!strcmp(a, "--mix")) {
            NEEDV();
            if (!parse_mix(v, c->weight))
                BAD();
        } else if (!strcmp(a, "--retrans")) {
            NEEDV();
            if (!parse_double(v, &c->retrans_pct) || c->retrans_pct > 100)
                BAD();
        } else if (!strcmp(a, "--reorder")) {
            NEEDV();
            if (!parse_double(v, &c->reorder_pct) || c->reorder_pct > 100)
                BAD();
        } else if (!strcmp(a, "--wrap")) {
            NEEDV();
            if (!parse_double(v, &c->wrap_pct) || c->wrap_pct > 100)
                BAD();
        } else if (!strcmp(a, "--servers")) {
            NEEDV();
            if (!parse_u64(v, &u) || u == 0 || u > 200)
                BAD();
            c->servers = (uint32_t)u;
        } else if (!strcmp(a, "--seed")) {
            NEEDV();
            if (!parse_u64(v, &c->seed))
                BAD();
        } else if (!strcmp(a, "--msl")) {
            NEEDV();
            if (!parse_double(v, &d) || d <= 0 || d > 1e6)
                BAD();
            c->msl = d;
        } else if (!strcmp(a, "--snaplen")) {
            NEEDV();
            if (!parse_u64(v, &u) || u < 96 || u > 65535)
                BAD();
            c->snaplen = (uint32_t)u;
        } else if (!strcmp(a, "--start")) {
            NEEDV();
            if (!parse_u64(v, &u) || u > 4000000000ULL)
                BAD();
            c->start_us = (int64_t)u * 1000000;
        } else if (!strcmp(a, "--flood")) {
            NEEDV();
            if (!parse_u64(v, &c->flood) || c->flood == 0 || c->flood > N4_SPACE)
                BAD();
        } else if (!strcmp(a, "--flood-gap")) {
            NEEDV();
            if (!parse_u64(v, &u) || u == 0 || u > 10000000)
                BAD();
            c->flood_gap = (int64_t)u;
        } else if (!strcmp(a, "--simul-ack-gap")) {
            NEEDV();
            if (!parse_u64(v, &u) || u > 100000000)
                BAD();
            c->simul_ack_gap = (int64_t)u;
        } else if (!strcmp(a, "--stats")) {
            c->stats = true;
        } else {
            fprintf(stderr, "gen: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
#undef NEEDV
#undef BAD
    }
    if (!c->out) {
        fprintf(stderr, "gen: give -o OUT.pcap\n");
        return 2;
    }
    double total = 0;
    for (int k = 0; k < K__N; k++)
        total += c->weight[k];
    if (!c->flood && !(total > 0)) {
        fprintf(stderr, "gen: --mix: all weights are zero\n");
        return 2;
    }
    return 0;
}

/* -------------------------------------------------------- pcap output --- */

struct writer {
    FILE *f;
    uint32_t snaplen;
    uint64_t packets, bytes;
    int64_t first_t, last_t;
};

static void put16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static bool writer_open(struct writer *w, const char *path, uint32_t snaplen)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        return false;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 20);
    w->snaplen = snaplen;
    uint8_t h[24];
    put32le(h, 0xa1b2c3d4);     /* microsecond pcap, written little-endian */
    put16le(h + 4, 2);
    put16le(h + 6, 4);
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, snaplen);
    put32le(h + 20, 1);         /* LINKTYPE_ETHERNET */
    fwrite(h, 1, sizeof h, w->f);
    return true;
}

static void writer_packet(struct writer *w, int64_t t_us, const uint8_t *frame, uint32_t wirelen)
{
    uint32_t caplen = wirelen < w->snaplen ? wirelen : w->snaplen;
    uint8_t h[16];
    put32le(h, (uint32_t)(t_us / 1000000));
    put32le(h + 4, (uint32_t)(t_us % 1000000));
    put32le(h + 8, caplen);
    put32le(h + 12, wirelen);
    fwrite(h, 1, sizeof h, w->f);
    fwrite(frame, 1, caplen, w->f);
    if (!w->packets)
        w->first_t = t_us;
    w->last_t = t_us;
    w->packets++;
    w->bytes += 16 + caplen;
}

static bool writer_close(struct writer *w, const char *path)
{
    bool ok = !ferror(w->f);
    if (fclose(w->f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "gen: %s: write error\n", path);
    return ok;
}

/* ----------------------------------------------------- packet building --- */

/* One endpoint as the frame builder needs it. */
struct host {
    uint8_t addr[16];
    uint16_t port;
    uint8_t mac[6];
    uint16_t ipid;
    uint32_t flow;          /* IPv6 flow label */
    uint8_t ttl;
};

enum { OPTS_NONE, OPTS_TS, OPTS_SYN };

struct gpkt {
    int64_t t;              /* microseconds since the epoch */
    uint32_t seq, ack, tsval, tsecr;
    uint16_t win, len;      /* len: TCP payload bytes */
    uint8_t flags, dir, opts;   /* dir 0: client to server */
};

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

struct synopts {
    uint16_t mss;
    uint8_t wscale;
    bool ws, sack, ts;
};

/* Build the frame for p from src to dst; returns its length on the wire.
 * The payload is zeros, so checksums need only the headers (zero words add
 * nothing) and stay right however little of the payload is captured. */
static uint32_t build_frame(uint8_t *buf, size_t bufsize, int v6, struct host *src, const struct host *dst,
                            const struct gpkt *p, const struct synopts *so)
{
    uint8_t opt[40];
    size_t ol = 0;
    if (p->opts == OPTS_SYN) {
        opt[ol++] = 2; opt[ol++] = 4; put16(opt + ol, so->mss); ol += 2;
        if (so->sack && so->ts) {
            opt[ol++] = 4; opt[ol++] = 2;
        } else if (so->ts || so->sack) {
            opt[ol++] = 1; opt[ol++] = 1;
            if (!so->ts) { opt[ol++] = 4; opt[ol++] = 2; }
        }
        if (so->ts) {
            opt[ol++] = 8; opt[ol++] = 10;
            put32(opt + ol, p->tsval); put32(opt + ol + 4, p->tsecr); ol += 8;
        }
        if (so->ws) {
            opt[ol++] = 1; opt[ol++] = 3; opt[ol++] = 3; opt[ol++] = so->wscale;
        }
    } else if (p->opts == OPTS_TS) {
        opt[ol++] = 1; opt[ol++] = 1; opt[ol++] = 8; opt[ol++] = 10;
        put32(opt + ol, p->tsval); put32(opt + ol + 4, p->tsecr); ol += 8;
    }
    size_t tcplen = 20 + ol;
    size_t iphl = v6 ? 40 : 20;
    uint32_t wire = (uint32_t)(14 + iphl + tcplen + p->len);
    size_t fill = wire < bufsize ? wire : bufsize;
    memset(buf, 0, fill);

    /* Ethernet */
    memcpy(buf, dst->mac, 6);
    memcpy(buf + 6, src->mac, 6);
    put16(buf + 12, v6 ? 0x86dd : 0x0800);
    uint8_t *ip = buf + 14, *tcp = ip + iphl;

    uint32_t ps;    /* pseudo-header sum */
    if (v6) {
        put32(ip, 0x60000000u | (src->flow & 0xfffff));
        put16(ip + 4, (uint16_t)(tcplen + p->len));
        ip[6] = 6;
        ip[7] = src->ttl;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
        ps = sum16(src->addr, 16, 0);
        ps = sum16(dst->addr, 16, ps);
        uint32_t l = (uint32_t)(tcplen + p->len);
        ps += (l >> 16) + (l & 0xffff) + 6;
    } else {
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)(20 + tcplen + p->len));
        put16(ip + 4, src->ipid++);
        put16(ip + 6, 0x4000);  /* DF */
        ip[8] = src->ttl;
        ip[9] = 6;
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        put16(ip + 10, fold(sum16(ip, 20, 0)));
        ps = sum16(src->addr, 4, 0);
        ps = sum16(dst->addr, 4, ps);
        ps += (uint32_t)(tcplen + p->len) + 6;
    }
    put16(tcp, src->port);
    put16(tcp + 2, dst->port);
    put32(tcp + 4, p->seq);
    put32(tcp + 8, p->ack);
    tcp[12] = (uint8_t)((tcplen / 4) << 4);
    tcp[13] = p->flags;
    put16(tcp + 14, p->win);
    memcpy(tcp + 20, opt, ol);
    put16(tcp + 16, fold(sum16(tcp, tcplen, ps)));
    return wire;
}

/* --------------------------------------------------------- connections --- */

/* What a connection must leave behind, for the expectations file. */
struct rec {
    uint8_t v6, kind, st[2];
    uint16_t port[2];
    uint8_t addr[2][16];
    int64_t tw[2];          /* when each endpoint entered TIME_WAIT, or -1 */
    int64_t syn[2];         /* syn: its first and last SYN's times */
};

struct side {
    uint32_t isn, nxt;      /* first and next sequence number it sends */
    uint32_t rcv;           /* next sequence number it expects from the peer */
    uint32_t tsbase, tsecr; /* its timestamp clock; last TSval received */
    uint16_t win;           /* window field it advertises after the SYN */
    uint16_t mss;           /* largest payload it sends */
};

struct script {
    uint64_t idx;
    int slot;               /* slot mode: its slot, -1 once released */
    uint32_t release;       /* slot mode: the slot is free after this packet */
    uint32_t split;         /* first packet of the ending */
    uint32_t next, end;     /* packets [next, end) still to write */
    uint32_t n, cap;
    struct gpkt *p;
    int64_t t0;             /* start: the clock of the TS option */
    int v6;
    struct host h[2];
    struct synopts so[2];
    struct side s[2];
    int64_t rtt, small_lo, small_hi;
    struct rec rec;
};

struct gen {
    struct cfg cfg;
    double wsum;
    int64_t msl_ns;
    struct writer w;
    struct rec *recs;
    struct script **free_scripts;
    size_t nfree, free_cap;
    uint8_t frame[2048];
    uint64_t kinds[K__N];
    uint64_t max_active, active;
};

static void push_pkt(struct script *sc, const struct gpkt *p)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 64;
        sc->p = realloc(sc->p, sc->cap * sizeof *sc->p);
        if (!sc->p) {
            fprintf(stderr, "gen: out of memory\n");
            exit(1);
        }
    }
    sc->p[sc->n++] = *p;
}

static uint32_t ts_of(const struct script *sc, int dir, int64_t t)
{
    return sc->s[dir].tsbase + (uint32_t)((t - sc->t0) / 1000);  /* 1 kHz */
}

/* Append a segment from side dir at time t; the receiving side picks up its
 * TSval.  Sequence bookkeeping is the caller's. */
static void emit(struct script *sc, int64_t t, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                 uint16_t len)
{
    struct gpkt p;
    memset(&p, 0, sizeof p);
    p.t = t;
    p.dir = (uint8_t)dir;
    p.flags = flags;
    p.seq = seq;
    p.ack = (flags & F_ACK) ? ack : 0;
    p.len = len;
    if (flags & F_SYN) {
        p.opts = OPTS_SYN;
        p.win = sc->v6 ? 64800 : (dir ? 65160 : 64240);
    } else if (flags & F_RST) {
        p.opts = OPTS_NONE;
        p.win = 0;
    } else {
        p.opts = sc->so[0].ts ? OPTS_TS : OPTS_NONE;
        p.win = sc->s[dir].win;
    }
    if (p.opts != OPTS_NONE && sc->so[0].ts) {
        p.tsval = ts_of(sc, dir, t);
        p.tsecr = sc->s[dir].tsecr;
        sc->s[!dir].tsecr = p.tsval;
    }
    push_pkt(sc, &p);
}

/* How long after a segment from the other side an answer from `dir` shows
 * at the capture point, beside the client: a round trip for the server. */
static int64_t answer_delay(struct script *sc, struct rng *r, int dir)
{
    return dir ? sc->rtt + rrange(r, 0, sc->rtt / 8) : rrange(r, sc->small_lo, sc->small_hi);
}

struct seg {
    uint32_t seq;
    uint16_t len;
    bool lost, rcvd;
};

/* Side x sends n data segments to side y; y acknowledges every second one it
 * sees and the last; segments lost beyond the capture point are sent again
 * after a timeout; some neighbours arrive swapped.  Returns the time of the
 * last packet. */
static int64_t burst(struct script *sc, struct rng *r, const struct cfg *cfg, int64_t t, int x,
                     uint32_t n, bool full_size)
{
    int y = !x;
    struct side *sx = &sc->s[x], *sy = &sc->s[y];
    struct seg segv[64];
    uint32_t order[64];
    while (n > 0) {
        uint32_t m = n > 64 ? 64 : n;
        n -= m;
        for (uint32_t i = 0; i < m; i++) {
            uint16_t len = full_size && (i + 1 < m || n > 0) ? sx->mss
                         : (uint16_t)rrange(r, 40, sx->mss);
            segv[i].seq = sx->nxt;
            segv[i].len = len;
            segv[i].lost = rpct(r, cfg->retrans_pct);
            segv[i].rcvd = false;
            sx->nxt += len;
            order[i] = i;
        }
        for (uint32_t i = 0; i + 1 < m; i++)
            if (rpct(r, cfg->reorder_pct)) {
                order[i] = i + 1;
                order[i + 1] = i;
                i++;
            }
        uint32_t contiguous = 0, seen = 0;
        bool any_lost = false;
        for (uint32_t k = 0; k < m; k++) {
            struct seg *s = &segv[order[k]];
            t += x ? rrange(r, 5, 20) : rrange(r, 10, 60);
            emit(sc, t, x, F_ACK | (order[k] == m - 1 ? F_PSH : 0), s->seq, sx->rcv, s->len);
            if (s->lost)
                any_lost = true;
            else
                s->rcvd = true;
            while (contiguous < m && segv[contiguous].rcvd)
                contiguous++;
            seen++;
            if (seen % 2 == 0 || k == m - 1) {
                sy->rcv = contiguous < m ? segv[contiguous].seq : sx->nxt;
                t += answer_delay(sc, r, y);
                emit(sc, t, y, F_ACK, sy->nxt, sy->rcv, 0);
            }
        }
        if (any_lost) {
            /* the retransmission timer: at least 200 ms, as Linux */
            int64_t rto = sc->rtt * 2 > 200000 ? sc->rtt * 2 : 200000;
            t += rto;
            for (uint32_t i = 0; i < m; i++) {
                if (!segv[i].lost)
                    continue;
                t += rrange(r, 5, 20);
                emit(sc, t, x, F_ACK, segv[i].seq, sx->rcv, segv[i].len);
                segv[i].rcvd = true;
            }
            sy->rcv = sx->nxt;
            t += answer_delay(sc, r, y);
            emit(sc, t, y, F_ACK, sy->nxt, sy->rcv, 0);
        }
    }
    return t;
}

static enum kind pick_kind(struct gen *g, struct rng *r)
{
    double x = runit(r) * g->wsum;
    for (int k = 0; k < K__N; k++) {
        if (g->cfg.weight[k] <= 0)
            continue;
        if (x < g->cfg.weight[k])
            return (enum kind)k;
        x -= g->cfg.weight[k];
    }
    for (int k = K__N - 1; k >= 0; k--)
        if (g->cfg.weight[k] > 0)
            return (enum kind)k;
    return K_OPEN;
}

static uint32_t pick_isn(struct rng *r, double wrap_pct)
{
    if (rpct(r, wrap_pct))
        return (uint32_t)(0u - (uint32_t)rrange(r, 1, 3000));  /* wraps within the first segments */
    return (uint32_t)rnext(r);
}

static const uint8_t mac_client[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 };
static const uint8_t mac_server[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02 };

static void set_state(struct script *sc, enum st c, enum st s)
{
    sc->rec.st[0] = (uint8_t)c;
    sc->rec.st[1] = (uint8_t)s;
}

/* The whole script of connection idx, starting at `start`.  Its ending
 * starts at close_at if that is later than the data exchange (--all-open),
 * otherwise after a short pause.  Packets never go back in time. */
static void build_script(struct gen *g, struct script *sc, uint64_t idx, int64_t start, int64_t close_at)
{
    const struct cfg *cfg = &g->cfg;
    struct rng r = rng_for(cfg->seed, 1, idx);
    sc->idx = idx;
    sc->n = 0;
    sc->next = 0;
    sc->t0 = start;
    memset(sc->h, 0, sizeof sc->h);
    memset(&sc->rec, 0, sizeof sc->rec);
    sc->rec.tw[0] = sc->rec.tw[1] = -1;

    enum kind kind = pick_kind(g, &r);
    sc->rec.kind = (uint8_t)kind;
    sc->v6 = rpct(&r, cfg->ipv6_pct);
    sc->rec.v6 = (uint8_t)sc->v6;

    /* Addresses: the client endpoint is a bijective function of idx. */
    struct host *c = &sc->h[0], *s = &sc->h[1];
    uint32_t server = (uint32_t)rbelow(&r, cfg->servers);
    static const uint16_t sports[] = { 443, 443, 443, 80, 80, 8080, 22, 5432, 25, 993 };
    s->port = sports[rbelow(&r, sizeof sports / sizeof sports[0])];
    if (sc->v6) {
        uint64_t lo = mix64(idx ^ mix64(cfg->seed + 0x7f4a7c15));   /* a bijection of idx */
        static const uint8_t cpre[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00 };
        static const uint8_t spre[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00 };
        memcpy(c->addr, cpre, 8);
        for (int i = 0; i < 8; i++)
            c->addr[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
        c->port = (uint16_t)rrange(&r, 1024, 65535);
        memcpy(s->addr, spre, 8);
        s->addr[15] = (uint8_t)(10 + server);
    } else {
        uint32_t x = perm24((uint32_t)idx, N4_SPACE, mix64(cfg->seed + 0x5bd1e995));
        c->addr[0] = 192; c->addr[1] = 0; c->addr[2] = 2; c->addr[3] = (uint8_t)(1 + x % 254);
        c->port = (uint16_t)(1024 + x / 254);
        (void)rnext(&r);    /* keep the streams of both families aligned */
        s->addr[0] = 198; s->addr[1] = 51; s->addr[2] = 100; s->addr[3] = (uint8_t)(10 + server);
    }
    memcpy(c->mac, mac_client, 6);
    memcpy(s->mac, mac_server, 6);
    c->ttl = 64;
    s->ttl = (uint8_t)rrange(&r, 50, 60);
    c->ipid = (uint16_t)rnext(&r);
    s->ipid = (uint16_t)rnext(&r);
    c->flow = (uint32_t)rnext(&r) & 0xfffff;
    s->flow = (uint32_t)rnext(&r) & 0xfffff;
    for (int i = 0; i < 2; i++) {
        memcpy(sc->rec.addr[i], sc->h[i].addr, 16);
        sc->rec.port[i] = sc->h[i].port;
    }

    /* Options: what the client offers, the server echoes. */
    bool ts = !rpct(&r, 10), sack = !rpct(&r, 5), ws = !rpct(&r, 5);
    uint16_t mss = sc->v6 ? 1440 : 1460;
    for (int i = 0; i < 2; i++) {
        sc->so[i].mss = mss;
        sc->so[i].ts = ts;
        sc->so[i].sack = sack;
        sc->so[i].ws = ws;
        sc->so[i].wscale = (uint8_t)(i ? rrange(&r, 7, 9) : 7);
        sc->s[i].isn = pick_isn(&r, cfg->wrap_pct);
        sc->s[i].tsbase = (uint32_t)rnext(&r);
        sc->s[i].tsecr = 0;
        sc->s[i].mss = (uint16_t)(mss - (ts ? 12 : 0));
        uint32_t buf = (uint32_t)rrange(&r, 64, 512) * 1024;
        sc->s[i].win = ws ? (uint16_t)(buf >> sc->so[i].wscale) : (uint16_t)(buf > 65535 ? 65535 : buf);
        if (sc->s[i].win == 0)
            sc->s[i].win = 1;
    }
    /* Round trip: log-uniform from 200 us to 20 ms. */
    sc->rtt = (int64_t)(200.0 * pow(100.0, runit(&r)));
    sc->small_lo = 10;
    sc->small_hi = 150;

    struct side *C = &sc->s[0], *S = &sc->s[1];
    int64_t t = start;
    C->nxt = C->isn;
    S->nxt = S->isn;

    /* SYN */
    emit(sc, t, 0, F_SYN, C->nxt, 0, 0);
    C->nxt++;
    sc->release = 0;
    if (kind == K_SYN) {
        int64_t rto = 1000000;
        int again = (int)rrange(&r, 1, 3);
        sc->rec.syn[0] = t;
        for (int i = 0; i < again; i++) {
            t += rto + rrange(&r, 0, 2000);
            emit(sc, t, 0, F_SYN, C->isn, 0, 0);
            rto *= 2;
        }
        sc->rec.syn[1] = t;
        set_state(sc, ST_SYN_SENT, ST_LISTEN);
        sc->split = sc->n;
        return;
    }
    t += answer_delay(sc, &r, 1);
    if (kind == K_REFUSED) {
        emit(sc, t, 1, F_RST | F_ACK, 0, C->nxt, 0);
        set_state(sc, ST_CLOSED, ST_CLOSED);
        sc->split = sc->n;
        sc->release = sc->n - 1;
        return;
    }
    /* SYN-ACK, ACK */
    C->rcv = S->nxt + 1;
    emit(sc, t, 1, F_SYN | F_ACK, S->nxt, C->nxt, 0);
    S->nxt++;
    S->rcv = C->nxt;
    t += answer_delay(sc, &r, 0);
    emit(sc, t, 0, F_ACK, C->nxt, C->rcv, 0);

    /* Data: a request, then a response after the server's think time. */
    uint32_t nc = cfg->data ? (cfg->data + 3) / 4 : 0, ns = cfg->data - nc;
    if (nc) {
        t += rrange(&r, 20, 500);
        t = burst(sc, &r, cfg, t, 0, nc, false);
    }
    if (ns) {
        t += rrange(&r, 50, 3000);
        t = burst(sc, &r, cfg, t, 1, ns, true);
    }

    sc->split = sc->n;
    if (kind == K_OPEN) {
        set_state(sc, ST_ESTABLISHED, ST_ESTABLISHED);
        sc->release = sc->n - 1;
        return;
    }
    /* The ending. */
    int64_t pause = rrange(&r, 100, 5000);
    t = close_at > t ? close_at : t + pause;
    int ini = kind == K_CLIENT ? 0 : kind == K_SERVER ? 1 : (int)rbelow(&r, 2);
    int oth = !ini;
    struct side *I = &sc->s[ini], *P = &sc->s[oth];
    switch (kind) {
    case K_CLIENT:
    case K_SERVER:
        emit(sc, t, ini, F_FIN | F_ACK, I->nxt, I->rcv, 0);
        I->nxt++;
        P->rcv = I->nxt;
        t += answer_delay(sc, &r, oth);
        emit(sc, t, oth, F_ACK, P->nxt, P->rcv, 0);
        t += rrange(&r, 50, 5000);      /* the application closes too */
        emit(sc, t, oth, F_FIN | F_ACK, P->nxt, P->rcv, 0);
        P->nxt++;
        I->rcv = P->nxt;
        sc->rec.tw[ini] = t;
        t += answer_delay(sc, &r, ini);
        emit(sc, t, ini, F_ACK, I->nxt, I->rcv, 0);
        sc->rec.st[ini] = ST_TIME_WAIT;
        sc->rec.st[oth] = ST_CLOSED;
        break;
    case K_FIN3:
        emit(sc, t, ini, F_FIN | F_ACK, I->nxt, I->rcv, 0);
        I->nxt++;
        P->rcv = I->nxt;
        t += answer_delay(sc, &r, oth);
        emit(sc, t, oth, F_FIN | F_ACK, P->nxt, P->rcv, 0);
        P->nxt++;
        I->rcv = P->nxt;
        sc->rec.tw[ini] = t;
        t += answer_delay(sc, &r, ini);
        emit(sc, t, ini, F_ACK, I->nxt, I->rcv, 0);
        sc->rec.st[ini] = ST_TIME_WAIT;
        sc->rec.st[oth] = ST_CLOSED;
        break;
    case K_RST:
        /* RST+ACK, or a bare RST, at the sender's next sequence number */
        if (rbelow(&r, 2))
            emit(sc, t, ini, F_RST | F_ACK, I->nxt, I->rcv, 0);
        else
            emit(sc, t, ini, F_RST, I->nxt, 0, 0);
        set_state(sc, ST_CLOSED, ST_CLOSED);
        break;
    case K_HALF:
        emit(sc, t, ini, F_FIN | F_ACK, I->nxt, I->rcv, 0);
        I->nxt++;
        P->rcv = I->nxt;
        t += answer_delay(sc, &r, oth);
        emit(sc, t, oth, F_ACK, P->nxt, P->rcv, 0);
        t += rrange(&r, 50, 3000);
        t = burst(sc, &r, cfg, t, oth, (uint32_t)rrange(&r, 1, 3), oth == 1);
        sc->rec.st[ini] = ST_FIN_WAIT_2;
        sc->rec.st[oth] = ST_CLOSE_WAIT;
        break;
    case K_SIMUL:
        /* Both FINs are sent before either arrives: the second does not
         * acknowledge the first. */
        emit(sc, t, ini, F_FIN | F_ACK, I->nxt, I->rcv, 0);
        t += rrange(&r, 5, 50);
        emit(sc, t, oth, F_FIN | F_ACK, P->nxt, P->rcv, 0);
        I->nxt++;
        P->nxt++;
        I->rcv = P->nxt;
        P->rcv = I->nxt;
        t += answer_delay(sc, &r, 0);
        /* The two final ACKs cross too, seen at the same microsecond unless
         * --simul-ack-gap says otherwise.  Each endpoint enters TIME_WAIT
         * when the ACK of its FIN arrives. */
        emit(sc, t, ini, F_ACK, I->nxt, I->rcv, 0);
        sc->rec.tw[oth] = t;
        t += cfg->simul_ack_gap;
        emit(sc, t, oth, F_ACK, P->nxt, P->rcv, 0);
        sc->rec.tw[ini] = t;
        set_state(sc, ST_TIME_WAIT, ST_TIME_WAIT);
        break;
    default:
        break;
    }
    sc->release = sc->n - 1;
}

/* ---------------------------------------------------------- scheduling --- */

static struct script *script_get(struct gen *g)
{
    if (g->nfree)
        return g->free_scripts[--g->nfree];
    struct script *sc = calloc(1, sizeof *sc);
    if (!sc) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    return sc;
}

static void script_put(struct gen *g, struct script *sc)
{
    if (g->nfree == g->free_cap) {
        g->free_cap = g->free_cap ? g->free_cap * 2 : 256;
        g->free_scripts = realloc(g->free_scripts, g->free_cap * sizeof *g->free_scripts);
        if (!g->free_scripts) {
            fprintf(stderr, "gen: out of memory\n");
            exit(1);
        }
    }
    g->free_scripts[g->nfree++] = sc;
}

/* A binary min-heap of scripts by the time of their next packet, then by
 * connection index: the order of the output is fully determined. */
struct heap {
    struct script **v;
    size_t n, cap;
};

static bool before(const struct script *a, const struct script *b)
{
    int64_t ta = a->p[a->next].t, tb = b->p[b->next].t;
    return ta < tb || (ta == tb && a->idx < b->idx);
}

static void heap_up(struct heap *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(h->v[i], h->v[p]))
            break;
        struct script *t = h->v[i];
        h->v[i] = h->v[p];
        h->v[p] = t;
        i = p;
    }
}

static void heap_down(struct heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < h->n && before(h->v[l], h->v[m]))
            m = l;
        if (l + 1 < h->n && before(h->v[l + 1], h->v[m]))
            m = l + 1;
        if (m == i)
            break;
        struct script *t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
}

static void heap_push(struct heap *h, struct script *sc)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->v = realloc(h->v, h->cap * sizeof *h->v);
        if (!h->v) {
            fprintf(stderr, "gen: out of memory\n");
            exit(1);
        }
    }
    h->v[h->n++] = sc;
    heap_up(h, h->n - 1);
}

static void heap_pop(struct heap *h)
{
    h->v[0] = h->v[--h->n];
    if (h->n)
        heap_down(h, 0);
}

static void write_pkt(struct gen *g, struct script *sc, const struct gpkt *p)
{
    int d = p->dir;
    uint32_t wire = build_frame(g->frame, sizeof g->frame, sc->v6, &sc->h[d], &sc->h[!d], p, &sc->so[d]);
    writer_packet(&g->w, p->t, g->frame, wire);
}

static void start_script(struct gen *g, struct heap *h, uint64_t idx, int64_t start, int64_t close_at,
                         int slot, bool closing_part)
{
    struct script *sc = script_get(g);
    build_script(g, sc, idx, start, close_at);
    g->kinds[sc->rec.kind] += closing_part ? 0 : 1;
    g->recs[idx] = sc->rec;
    sc->slot = slot;
    if (closing_part) {
        sc->next = sc->split;
        sc->end = sc->n;
    } else {
        sc->next = 0;
        sc->end = slot >= 0 ? sc->n : sc->split;
    }
    if (sc->next >= sc->end) {
        script_put(g, sc);
        return;
    }
    g->active++;
    if (g->active > g->max_active)
        g->max_active = g->active;
    heap_push(h, sc);
}

/* Write the top packet; returns the script if it has more, else NULL. */
static struct script *write_top(struct gen *g, struct heap *h)
{
    struct script *sc = h->v[0];
    write_pkt(g, sc, &sc->p[sc->next]);
    sc->next++;
    if (sc->next >= sc->end) {
        heap_pop(h);
        g->active--;
        script_put(g, sc);
        return NULL;
    }
    heap_down(h, 0);
    return sc;
}

static void run_slots(struct gen *g)
{
    const struct cfg *cfg = &g->cfg;
    struct heap h = { 0 };
    struct rng r = rng_for(cfg->seed, 2, 0);
    uint64_t next_conn = 0;
    uint64_t k = cfg->concurrency < cfg->conns ? cfg->concurrency : cfg->conns;
    /* stagger the first connections over 50 ms */
    for (uint64_t j = 0; j < k; j++)
        start_script(g, &h, next_conn++, cfg->start_us + (int64_t)rbelow(&r, 50000), -1, (int)j, false);
    while (h.n) {
        struct script *sc = h.v[0];
        int slot = sc->slot;
        uint32_t at = sc->next;
        int64_t t = sc->p[at].t;
        bool release = slot >= 0 && at >= sc->release;
        if (release)
            sc->slot = -1;
        write_top(g, &h);
        if (release && next_conn < cfg->conns)
            start_script(g, &h, next_conn++, t + rrange(&r, 1, 2000), -1, slot, false);
    }
    free(h.v);
}

static void run_all_open(struct gen *g)
{
    const struct cfg *cfg = &g->cfg;
    struct heap h = { 0 };
    /* Pass 1: every connection's opening part (whole script for those
     * without an ending), --open-gap apart. */
    uint64_t i = 0;
    int64_t t0 = cfg->start_us;
    while (i < cfg->conns || h.n) {
        while (i < cfg->conns && (!h.n || t0 + (int64_t)i * cfg->open_gap <= h.v[0]->p[h.v[0]->next].t)) {
            start_script(g, &h, i, t0 + (int64_t)i * cfg->open_gap, -1, -1, false);
            i++;
        }
        if (h.n)
            write_top(g, &h);
    }
    /* Pass 2: the endings, --close-gap apart, from 100 ms after the last
     * packet.  Each script is built again (deterministically) and only its
     * ending is written. */
    int64_t t1 = g->w.last_t + 100000;
    i = 0;
    while (i < cfg->conns || h.n) {
        while (i < cfg->conns && (!h.n || t1 + (int64_t)i * cfg->close_gap <= h.v[0]->p[h.v[0]->next].t)) {
            start_script(g, &h, i, t0 + (int64_t)i * cfg->open_gap, t1 + (int64_t)i * cfg->close_gap, -1, true);
            i++;
        }
        if (h.n)
            write_top(g, &h);
    }
    free(h.v);
}

static void run_flood(struct gen *g)
{
    const struct cfg *cfg = &g->cfg;
    static const uint8_t srv[4] = { 192, 0, 2, 1 };
    uint64_t key = mix64(cfg->seed + 0xf1009);
    for (uint64_t j = 0; j < cfg->flood; j++) {
        struct rng r = rng_for(cfg->seed, 3, j);
        uint32_t x = perm24((uint32_t)j, N4_SPACE, key);
        struct host c, s;
        memset(&c, 0, sizeof c);
        memset(&s, 0, sizeof s);
        c.addr[0] = 198; c.addr[1] = 51; c.addr[2] = 100; c.addr[3] = (uint8_t)(1 + x % 254);
        c.port = (uint16_t)(1024 + x / 254);
        memcpy(c.mac, mac_client, 6);
        c.ttl = (uint8_t)rrange(&r, 40, 250);
        c.ipid = (uint16_t)rnext(&r);
        memcpy(s.addr, srv, 4);
        s.port = 443;
        memcpy(s.mac, mac_server, 6);
        struct synopts so = { 1460, 7, true, true, true };
        struct gpkt p;
        memset(&p, 0, sizeof p);
        p.t = cfg->start_us + (int64_t)j * cfg->flood_gap;
        p.seq = (uint32_t)rnext(&r);
        p.flags = F_SYN;
        p.opts = OPTS_SYN;
        p.win = 64240;
        p.tsval = (uint32_t)rnext(&r);
        uint32_t wire = build_frame(g->frame, sizeof g->frame, 0, &c, &s, &p, &so);
        writer_packet(&g->w, p.t, g->frame, wire);
        if (g->recs) {
            struct rec *e = &g->recs[j];
            memset(e, 0, sizeof *e);
            memcpy(e->addr[0], c.addr, 4);
            memcpy(e->addr[1], s.addr, 4);
            e->port[0] = c.port;
            e->port[1] = s.port;
            e->kind = K_SYN;
            e->st[0] = ST_SYN_SENT;
            e->st[1] = ST_LISTEN;
            e->tw[0] = e->tw[1] = -1;
            e->syn[0] = e->syn[1] = p.t;
        }
    }
}

/* --------------------------------------------------------------- main --- */

static bool write_expect(struct gen *g, uint64_t n)
{
    FILE *f = fopen(g->cfg.expect, "w");
    if (!f) {
        fprintf(stderr, "gen: %s: %s\n", g->cfg.expect, strerror(errno));
        return false;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    fprintf(f, "# client_addr\tclient_port\tserver_addr\tserver_port\tclient_state\tserver_state\tending\n");
    int64_t last_ns = g->w.last_t * 1000;
    for (uint64_t i = 0; i < n; i++) {
        const struct rec *e = &g->recs[i];
        char a[2][INET6_ADDRSTRLEN];
        for (int s = 0; s < 2; s++)
            inet_ntop(e->v6 ? AF_INET6 : AF_INET, e->addr[s], a[s], sizeof a[s]);
        const char *st[2];
        for (int s = 0; s < 2; s++) {
            enum st x = (enum st)e->st[s];
            /* TIME_WAIT ends 2*MSL after it began, in capture time */
            if (x == ST_TIME_WAIT && e->tw[s] * 1000 + 2 * g->msl_ns <= last_ns)
                x = ST_CLOSED;
            /* a client whose unanswered SYN would have come again by then,
             * even late, gave up: its next SYN is due at most the larger of
             * (last - first) + 3 s (its timer 3 s at most, doubling) and
             * 2 x (last - first) (the first SYN seen a retransmission) after
             * the last - 120 s after a single one - and half as long again
             * for a late timer (tcpfsm's conn_attempt_abandoned()) */
            int64_t span = e->syn[1] - e->syn[0], quiet = 120000000;
            if (e->syn[1] != e->syn[0])
                quiet = 2 * span > span + 3000000 ? 2 * span : span + 3000000;
            quiet += quiet / 2;
            if (x == ST_SYN_SENT && s == 0 && last_ns - e->syn[1] * 1000 > quiet * 1000)
                x = ST_CLOSED;
            st[s] = st_names[x];
        }
        fprintf(f, "%s\t%u\t%s\t%u\t%s\t%s\t%s\n", a[0], e->port[0], a[1], e->port[1], st[0], st[1],
                kind_names[e->kind]);
    }
    bool ok = !ferror(f);
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "gen: %s: write error\n", g->cfg.expect);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    static struct gen g;
    int rc = parse_args(argc, argv, &g.cfg);
    if (rc)
        return rc == 1 ? 0 : rc;
    const struct cfg *cfg = &g.cfg;
    for (int k = 0; k < K__N; k++)
        g.wsum += cfg->weight[k];
    g.msl_ns = llround(cfg->msl * 1e9);

    uint64_t n = cfg->flood ? cfg->flood : cfg->conns;
    if (!cfg->flood || cfg->expect) {
        g.recs = calloc(n ? n : 1, sizeof *g.recs);
        if (!g.recs) {
            fprintf(stderr, "gen: out of memory for %" PRIu64 " records\n", n);
            return 1;
        }
    }
    if (!writer_open(&g.w, cfg->out, cfg->snaplen))
        return 1;
    if (cfg->flood)
        run_flood(&g);
    else if (cfg->all_open)
        run_all_open(&g);
    else
        run_slots(&g);
    if (!writer_close(&g.w, cfg->out))
        return 1;
    if (cfg->expect && !write_expect(&g, n))
        return 1;
    if (cfg->stats) {
        fprintf(stderr, "gen: packets=%" PRIu64 " conns=%" PRIu64 " bytes=%" PRIu64
                        " duration_s=%.6f max_active_scripts=%" PRIu64,
                g.w.packets, n, g.w.bytes + 24, (double)(g.w.last_t - g.w.first_t) / 1e6, g.max_active);
        if (!cfg->flood)
            for (int k = 0; k < K__N; k++)
                fprintf(stderr, " %s=%" PRIu64, kind_names[k], g.kinds[k]);
        fputc('\n', stderr);
    }
    while (g.nfree) {
        struct script *sc = g.free_scripts[--g.nfree];
        free(sc->p);
        free(sc);
    }
    free(g.free_scripts);
    free(g.recs);
    return 0;
}
