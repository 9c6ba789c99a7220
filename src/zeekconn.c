/* zeekconn.c - Zeek's TCP connection tracking, emulated; conn.log output.
 *
 * The structure follows Zeek's own code so that the two can be compared
 * line by line: TCPSessionAdapter::Process (per packet), the endpoint state
 * machine, TCP_Endpoint (sizes, scaled history letters), a reduced
 * TCP_Reassembler (it keeps only the sequence ranges received, enough to find
 * content gaps and to know whether data is still pending when a side
 * closes), and the connection timers.  Names in comments refer to Zeek's.
 *
 * Memory and time: connection records live in a conntab (slabs, never one
 * allocation per packet).  Each connection has a fixed set of timer slots,
 * linked into FIFO queues by deadline kind, so arming, cancelling and firing
 * a timer is O(1) and nothing scans the table (see "timers" below).  IPv4
 * fragments are reassembled in a small pool allocated at the first one. */
#include "zeekconn.h"
#include "zeekstate.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "bytes.h"
#include "capture.h"
#include "checksum.h"
#include "conntab.h"
#include "exitcodes.h"
#include "hash.h"
#include "outwriter.h"

/* Raw IPv4 link type (LINKTYPE_IPV4), for decoding reassembled datagrams. */
#define DLT_IPV4_RAW 228

/* ------------------------------------------------------------ constants --- */

#define SEC(x) ((tstamp_t)(x) * TS_PER_SEC)

#define TCP_SYN_TIMEOUT SEC(5)          /* first Expire timer */
#define TCP_SESSION_TIMER SEC(6)        /* Expire timer re-arm, half close */
#define TCP_CONNECTION_LINGER SEC(5)
#define TCP_ATTEMPT_DELAY SEC(5)
#define TCP_CLOSE_DELAY SEC(5)
#define TCP_INACTIVITY_TIMEOUT SEC(300)
#define UDP_INACTIVITY_TIMEOUT SEC(60)  /* the initial TCP timeout too */
#define PORT_INACTIVITY_TIMEOUT SEC(3600) /* Conn::port_inactivity_timeouts */
#define MAX_TIMER_EXPIRES 300
#define TOO_LARGE_SEQ_DELTA 1048576

#define TCP_MAX_INITIAL_WINDOW 16384
#define TCP_MAX_ABOVE_HOLE_WITHOUT_ANY_ACKS 16384
#define TCP_EXCESSIVE_DATA_WITHOUT_FURTHER_ACKS (10u * 1024 * 1024)

#define DEFAULT_MAX_CONNS (1u << 20)
#define TUNNEL_MAX_CHANGES_PER_CONNECTION 5
#define HIST_ANALYZER_LIMIT_REACHED 0x400   /* 'X', never shifted */

/* IPv4 fragment reassembly: datagrams being put together at once (the
 * least recently used is dropped), and how many separate pieces each may
 * have before it is given up. */
#define FRAG_SLOTS 16
#define FRAG_PIECES 32
#define FRAG_MAX 65535

/* Endpoint states (TCP_ENDPOINT_*). */
enum {
    ST_INACTIVE,
    ST_SYN_SENT,
    ST_SYN_ACK_SENT,
    ST_PARTIAL,
    ST_ESTABLISHED,
    ST_CLOSED,
    ST_RESET,
};

/* History masks (TCP_Endpoint.h); the responder's are shifted by 16. */
enum {
    HIST_SYN_PKT = 0x1,
    HIST_FIN_PKT = 0x2,
    HIST_RST_PKT = 0x4,
    HIST_FIN_RST_PKT = 0x8,
    HIST_DATA_PKT = 0x10,
    HIST_ACK_PKT = 0x20,
    HIST_MULTI_FLAG_PKT = 0x40,
};

/* first_packet_seen bits, by role. */
enum { SEEN_ORIG = 1, SEEN_RESP = 2 };

/* Timers a connection can have armed at once.  EXPIRE is the chain armed at
 * creation, EXPIRE2 the one armed by a half close; a side that sends a SYN
 * as originator from INACTIVE arms an attempt timer, each side at most once.
 * All but INACT belong to the TCP analyzer and are cancelled together. */
enum {
    TM_EXPIRE,
    TM_EXPIRE2,
    TM_ATTEMPT0,
    TM_ATTEMPT1,
    TM_DELETE,
    TM_INACT,
    TM_N
};

/* Timer queues, by how the deadline is computed; deadlines within one
 * queue grow as the times they come from grow. */
enum {
    Q_EXPIRE_NEW,       /* network time + tcp_SYN_timeout */
    Q_EXPIRE_REARM,     /* network time + tcp_session_timer */
    Q_HALF_CLOSE,       /* last_time + tcp_session_timer */
    Q_ATTEMPT,          /* packet time + tcp_attempt_delay */
    Q_DELETE,           /* last_time + tcp_close_delay */
    Q_INACT_UDP,        /* last_time + udp_inactivity_timeout */
    Q_INACT_TCP,        /* last_time + tcp_inactivity_timeout */
    Q_INACT_PORT,       /* last_time + a Conn::port_inactivity_timeouts value */
    Q_N,
    Q_HEAP = 0xfe,
    Q_NONE = 0xff,
};

/* Out-of-order ranges a reassembler remembers; beyond this the highest range
 * is forgotten (as if it had not been received). */
#define REASM_RANGES 8
/* Longest history kept; Zeek's is unbounded, but only the repeated S/H/F/R
 * letters of pathological connections could get this long. */
#define HIST_MAX 96

/* ----------------------------------------------------------- structures --- */

/* What Zeek's TCP_Reassembler knows about one direction's sequence space,
 * without the data.  Sequence numbers are relative (1 = first data octet). */
struct reasm {
    uint64_t last_reassem_seq;  /* delivered up to here */
    uint64_t trim_seq;          /* blocks below were freed (acked) */
    uint64_t del_lo, del_hi;    /* delivered blocks still held: [del_lo, del_hi) */
    struct {
        uint64_t lo, hi;
    } ooo[REASM_RANGES];        /* received above a hole, sorted, disjoint */
    uint8_t nooo;
    bool skip_deliveries;
    bool did_eof;
};

struct endpoint {
    uint8_t state, prev_state;
    bool did_close;
    int64_t start_seq;          /* a 32-bit value, as in Zeek */
    uint32_t last_seq, ack_seq;
    uint32_t seq_wraps, ack_wraps;
    uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
    uint64_t fin_seq;
    uint32_t fin_cnt, rst_cnt;
    uint32_t chk_cnt, chk_thresh;
    uint32_t rxmt_cnt, rxmt_thresh;
    uint32_t win0_cnt, win0_thresh;
    uint32_t gap_cnt, gap_thresh;
    uint64_t pkts, ip_bytes;    /* ConnSize, kept with the host */
    struct reasm r;
    struct flow_addr addr;
    uint16_t port;
};

/* A timer slot of a connection: armed if q is not Q_NONE. */
struct tslot {
    tstamp_t when;
    uint64_t seq;               /* arming order breaks ties */
    uint32_t prev, next;        /* queue neighbours, timer id + 1 (0: none) */
    uint32_t pos;               /* position in the heap, if q == Q_HEAP */
    uint8_t q;
};

struct zconn {
    struct ct_node node;
    struct endpoint ep[2];      /* ep[0] sent the first packet */
    uint8_t orig;               /* which of ep[] is the originator now */
    uint8_t ep0_side;           /* ep[0]'s side in the table key */
    uint8_t first_packet_seen;  /* SEEN_* */
    bool is_active;             /* the TCP analyzer's */
    bool is_partial;
    bool close_deferred, deferred_gen_event;
    bool established_event;     /* connection_established raised by this packet */
    uint8_t hist_len;
    uint32_t hist_seen;
    char hist[HIST_MAX + 1];
    tstamp_t start_time, last_time;
    tstamp_t inactivity_timeout;
    uint64_t missed_bytes;
    uint64_t serial;
    uint64_t encap;             /* tunnels of the last packet (segment.encap) */
    uint32_t tunnel_changes;
    struct tslot t[TM_N];
};


/* An IPv4 datagram being reassembled from fragments. */
struct frag {
    bool used;
    uint8_t hdr_len;            /* 0 until the first fragment arrives */
    uint8_t proto;
    uint16_t id;
    uint8_t src[4], dst[4];
    uint32_t total;             /* payload length, 0 until the last fragment */
    uint64_t stamp;             /* for least-recently-used replacement */
    uint8_t npieces;
    struct {
        uint32_t lo, hi;
    } piece[FRAG_PIECES];       /* payload ranges received, sorted, merged */
    uint8_t *buf;               /* 60 bytes of header room, then the payload */
};

struct zeek {
    struct zeek_config cfg;
    FILE *out;
    struct conntab *tab;
    uint32_t qhead[Q_N], qtail[Q_N];    /* timer id + 1 (0: empty) */
    uint32_t *heap;                     /* timer ids */
    uint32_t nheap, heap_cap;
    uint64_t timer_seq;
    uint64_t serial;
    tstamp_t now;               /* network time */
    tstamp_t first_ts;
    bool have_time;
    bool header_written;
    struct hash_key uid_key;
    struct frag *frags;         /* FRAG_SLOTS, allocated at the first fragment */
    uint64_t frag_stamp;
};

/* ---------------------------------------------------------- configuration --- */

static const uint16_t default_server_ports[] = {
    21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502, 514, 563, 585,
    587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306,
    3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static void port_set(struct zeek_config *cfg, uint16_t p)
{
    cfg->server_ports[p >> 6] |= (uint64_t)1 << (p & 63);
}

static bool port_likely(const struct zeek_config *cfg, uint16_t p)
{
    return (cfg->server_ports[p >> 6] >> (p & 63)) & 1;
}

void zeek_config_defaults(struct zeek_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_conns = DEFAULT_MAX_CONNS;
    for (size_t i = 0; i < sizeof default_server_ports / sizeof default_server_ports[0]; i++)
        port_set(cfg, default_server_ports[i]);
}

bool zeek_config_set_ports(struct zeek_config *cfg, const char *list, char *err, size_t errlen)
{
    uint64_t ports[65536 / 64];
    memset(ports, 0, sizeof ports);
    if (strcmp(list, "none") != 0) {
        const char *s = list;
        for (;;) {
            char *end;
            if (!strncmp(s, "default", 7) && (s[7] == ',' || s[7] == 0)) {
                for (size_t i = 0; i < sizeof default_server_ports / sizeof default_server_ports[0]; i++)
                    ports[default_server_ports[i] >> 6] |= (uint64_t)1 << (default_server_ports[i] & 63);
                if (s[7] == 0)
                    break;
                s += 8;
                continue;
            }
            if (!isdigit((unsigned char)*s)) {
                snprintf(err, errlen, "\"%s\" is not a comma-separated list of ports (or \"none\")", list);
                return false;
            }
            unsigned long v = strtoul(s, &end, 10);
            /* Accept Zeek's own spelling "80/tcp" too. */
            if (!strncmp(end, "/tcp", 4))
                end += 4;
            if (v > 65535 || (*end != ',' && *end != 0)) {
                snprintf(err, errlen, "\"%s\" is not a comma-separated list of ports (or \"none\")", list);
                return false;
            }
            ports[v >> 6] |= (uint64_t)1 << (v & 63);
            if (*end == 0)
                break;
            s = end + 1;
        }
    }
    memcpy(cfg->server_ports, ports, sizeof ports);
    return true;
}

/* ---------------------------------------------------------------- timers --- */

/* Timers are kept in FIFO queues, one per kind of deadline (network time
 * plus 5 s, packet time plus 5 s, ...).  Times in a capture almost always
 * grow, so a new timer almost always belongs at the tail of its queue:
 * arming, cancelling and finding the next due timer are O(1).  A timer
 * whose deadline is earlier than its queue's tail (timestamps that went
 * backwards) goes into a binary heap instead, so the order stays exact.
 * Timers are identified by connection index * TM_N + slot. */

static struct zconn *conn_at(struct zeek *z, uint32_t idx)
{
    return ct_at(z->tab, idx);
}

static inline struct tslot *tslot_of(struct zeek *z, uint32_t id)
{
    return &conn_at(z, id / TM_N)->t[id % TM_N];
}

static inline uint32_t timer_id(const struct zeek *z, const struct zconn *c, int slot)
{
    return ct_index(z->tab, c) * TM_N + (uint32_t)slot;
}

static bool slot_before(const struct tslot *a, const struct tslot *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(struct zeek *z, uint32_t pos, uint32_t id)
{
    z->heap[pos] = id;
    tslot_of(z, id)->pos = pos;
}

static void heap_up(struct zeek *z, uint32_t pos)
{
    uint32_t id = z->heap[pos];
    const struct tslot *t = tslot_of(z, id);
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!slot_before(t, tslot_of(z, z->heap[parent])))
            break;
        heap_set(z, pos, z->heap[parent]);
        pos = parent;
    }
    heap_set(z, pos, id);
}

static void heap_down(struct zeek *z, uint32_t pos)
{
    uint32_t id = z->heap[pos];
    const struct tslot *t = tslot_of(z, id);
    for (;;) {
        uint32_t l = 2 * pos + 1, r = l + 1, m = pos;
        const struct tslot *best = t;
        if (l < z->nheap && slot_before(tslot_of(z, z->heap[l]), best)) {
            m = l;
            best = tslot_of(z, z->heap[l]);
        }
        if (r < z->nheap && slot_before(tslot_of(z, z->heap[r]), best))
            m = r;
        if (m == pos)
            break;
        heap_set(z, pos, z->heap[m]);
        pos = m;
    }
    heap_set(z, pos, id);
}

static void heap_remove(struct zeek *z, uint32_t pos)
{
    z->nheap--;
    if (pos == z->nheap)
        return;
    heap_set(z, pos, z->heap[z->nheap]);
    heap_down(z, pos);
    heap_up(z, pos);
}

static void timer_cancel(struct zeek *z, struct zconn *c, int slot)
{
    struct tslot *t = &c->t[slot];
    if (t->q == Q_NONE)
        return;
    if (t->q == Q_HEAP) {
        heap_remove(z, t->pos);
    } else {
        if (t->prev)
            tslot_of(z, t->prev - 1)->next = t->next;
        else
            z->qhead[t->q] = t->next;
        if (t->next)
            tslot_of(z, t->next - 1)->prev = t->prev;
        else
            z->qtail[t->q] = t->prev;
    }
    t->q = Q_NONE;
}

/* Arm the timer in a connection's slot (replacing it if armed), due at
 * `when`, in queue q. */
static void timer_add(struct zeek *z, struct zconn *c, int slot, int q, tstamp_t when)
{
    timer_cancel(z, c, slot);
    struct tslot *t = &c->t[slot];
    uint32_t id = timer_id(z, c, slot);
    t->when = when;
    t->seq = z->timer_seq++;
    if (!z->qtail[q] || tslot_of(z, z->qtail[q] - 1)->when <= when) {
        t->q = (uint8_t)q;
        t->next = 0;
        t->prev = z->qtail[q];
        if (z->qtail[q])
            tslot_of(z, z->qtail[q] - 1)->next = id + 1;
        else
            z->qhead[q] = id + 1;
        z->qtail[q] = id + 1;
        return;
    }
    if (z->nheap == z->heap_cap) {
        uint32_t cap = z->heap_cap ? z->heap_cap * 2 : 256;
        uint32_t *h = realloc(z->heap, (size_t)cap * sizeof *h);
        if (!h)
            return;             /* out of memory: the timer is not armed */
        z->heap = h;
        z->heap_cap = cap;
    }
    t->q = Q_HEAP;
    z->heap[z->nheap++] = id;
    heap_up(z, z->nheap - 1);
}

/* The earliest armed timer (id + 1), or 0 if none. */
static uint32_t timer_first(struct zeek *z)
{
    uint32_t best = z->nheap ? z->heap[0] + 1 : 0;
    for (int q = 0; q < Q_N; q++) {
        uint32_t h = z->qhead[q];
        if (h && (!best || slot_before(tslot_of(z, h - 1), tslot_of(z, best - 1))))
            best = h;
    }
    return best;
}

/* Analyzer::CancelTimers for the TCP analyzer: all but the inactivity timer. */
static void cancel_analyzer_timers(struct zeek *z, struct zconn *c)
{
    for (int k = 0; k < TM_N; k++)
        if (k != TM_INACT)
            timer_cancel(z, c, k);
}

/* ------------------------------------------------------------- helpers --- */

static inline int32_t seq_delta(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static inline struct endpoint *peer_of(struct zconn *c, struct endpoint *e)
{
    return &c->ep[e == &c->ep[0] ? 1 : 0];
}

static inline bool ep_is_orig(const struct zconn *c, const struct endpoint *e)
{
    return e == &c->ep[c->orig];
}

static inline struct endpoint *orig_ep(struct zconn *c)
{
    return &c->ep[c->orig];
}

static inline struct endpoint *resp_ep(struct zconn *c)
{
    return &c->ep[c->orig ^ 1];
}

static inline uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
    return ((uint64_t)wraps << 32) + seq;
}

static inline uint64_t rel_space(const struct endpoint *e, uint32_t seq, uint32_t wraps)
{
    return full_seq(seq, wraps) - (uint64_t)e->start_seq;
}

static bool no_data_acked(const struct endpoint *e)
{
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    uint64_t start = (uint64_t)e->start_seq;
    return ack == start || ack == start + 1;
}

/* TCP_Endpoint::Size */
static uint64_t ep_size(const struct zconn *c, const struct endpoint *e)
{
    const struct endpoint *p = &c->ep[e == &c->ep[0] ? 1 : 0];
    if (e->prev_state == ST_SYN_SENT && e->state == ST_RESET && p->state == ST_INACTIVE &&
        !no_data_acked(e))
        return 0;
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    uint64_t size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
    if (size != 0)
        size--;
    if (e->fin_cnt > 0 && size != 0)
        size--;
    return size;
}

/* ------------------------------------------------------------- history --- */

static void add_history(struct zconn *c, char code)
{
    if (c->hist_len < HIST_MAX) {
        c->hist[c->hist_len++] = code;
        c->hist[c->hist_len] = 0;
    }
}

/* Connection::FlipRoles and TCPSessionAdapter::FlipRoles.  Endpoint objects,
 * with their states, counters and ConnSize counts, stay with their hosts;
 * hist_seen is not swapped. */
static void flip_roles(struct zconn *c)
{
    c->orig ^= 1;
    c->first_packet_seen = (uint8_t)(((c->first_packet_seen & SEEN_ORIG) ? SEEN_RESP : 0) |
                                     ((c->first_packet_seen & SEEN_RESP) ? SEEN_ORIG : 0));
    c->is_partial = false;
    add_history(c, '^');
}

/* TCP_Endpoint::CheckHistory: true if the letter was already seen.  A or D
 * while the history is exactly "H" first flips the connection and makes the
 * history "^h" (a SYN-ACK seen first, then productive traffic). */
static bool check_history(struct zconn *c, struct endpoint *e, uint32_t mask, char code)
{
    if ((mask == HIST_ACK_PKT || mask == HIST_DATA_PKT) && c->hist_len == 1 && c->hist[0] == 'H') {
        flip_roles(c);
        c->hist_len = 0;
        add_history(c, '^');
        add_history(c, 'h');
    }
    if (!ep_is_orig(c, e)) {
        mask <<= 16;
        code = (char)tolower((unsigned char)code);
    }
    if (c->hist_seen & mask)
        return true;
    c->hist_seen |= mask;
    add_history(c, code);
    return false;
}

static void add_ep_history(struct zconn *c, struct endpoint *e, char code)
{
    add_history(c, ep_is_orig(c, e) ? code : (char)tolower((unsigned char)code));
}

/* Session::ScaledHistoryEntry: the letter on the 1st, 10th, 100th... event. */
static void scaled_history(struct zconn *c, struct endpoint *e, char code, uint32_t *cnt,
                           uint32_t *thresh)
{
    if (++*cnt == *thresh) {
        add_ep_history(c, e, code);
        uint32_t next = *thresh * 10;
        if (next <= *thresh)
            *cnt = 0;
        else
            *thresh = next;
    }
}

static void update_history(struct zconn *c, struct endpoint *e, uint8_t flags, uint64_t rel_seq,
                           int32_t len)
{
    bool syn = flags & TH_SYN, fin = flags & TH_FIN, rst = flags & TH_RST, ack = flags & TH_ACK;
    int bits = syn + fin + rst;

    if (bits > 1) {
        if (fin && rst)
            check_history(c, e, HIST_FIN_RST_PKT, 'I');
        else
            check_history(c, e, HIST_MULTI_FLAG_PKT, 'Q');
    } else if (bits == 1) {
        if (syn) {
            char code = ack ? 'H' : 'S';
            if (check_history(c, e, HIST_SYN_PKT, code) && rel_seq != e->hist_last_syn)
                add_ep_history(c, e, code);
            e->hist_last_syn = rel_seq;
        }
        if (fin) {
            uint64_t at = rel_seq + (uint64_t)(int64_t)len;
            if (check_history(c, e, HIST_FIN_PKT, 'F') && at != e->hist_last_fin)
                add_ep_history(c, e, 'F');
            e->hist_last_fin = at;
        }
        if (rst) {
            if (check_history(c, e, HIST_RST_PKT, 'R') && rel_seq != e->hist_last_rst)
                add_ep_history(c, e, 'R');
            e->hist_last_rst = rel_seq;
        }
    } else {
        if (len)
            check_history(c, e, HIST_DATA_PKT, 'D');
        else if (ack)
            check_history(c, e, HIST_ACK_PKT, 'A');
    }
}

/* -------------------------------------------------------- state changes --- */

static inline bool is_handshake(uint8_t s)
{
    return s == ST_INACTIVE || s == ST_SYN_SENT || s == ST_SYN_ACK_SENT;
}

static int inactivity_queue(tstamp_t timeout)
{
    return timeout == UDP_INACTIVITY_TIMEOUT ? Q_INACT_UDP :
           timeout == TCP_INACTIVITY_TIMEOUT ? Q_INACT_TCP : Q_INACT_PORT;
}

/* Session::SetLastTime.  Zeek's inactivity timer, when it fires, re-arms
 * itself at last_time + timeout unless that time has come; so it removes
 * the connection at the first network time >= last_time + timeout.  Keeping
 * the timer at that time directly gives the same result without re-arming. */
static void set_last_time(struct zeek *z, struct zconn *c, tstamp_t t)
{
    c->last_time = t;
    if (c->inactivity_timeout)
        timer_add(z, c, TM_INACT, inactivity_queue(c->inactivity_timeout),
                  t + c->inactivity_timeout);
}

static void set_inactivity_timeout(struct zeek *z, struct zconn *c, tstamp_t timeout)
{
    if (timeout == c->inactivity_timeout)
        return;
    timer_cancel(z, c, TM_INACT);
    c->inactivity_timeout = timeout;
    if (timeout)
        timer_add(z, c, TM_INACT, inactivity_queue(timeout), c->last_time + timeout);
}

static void set_state(struct zeek *z, struct zconn *c, struct endpoint *e, uint8_t st)
{
    if (st == e->state)
        return;
    if (!is_handshake(st) && is_handshake(e->state) && is_handshake(peer_of(c, e)->state))
        set_inactivity_timeout(z, c, TCP_INACTIVITY_TIMEOUT);
    e->prev_state = e->state;
    e->state = st;
}

/* --------------------------------------------------------- reassembler --- */

static bool reasm_has_blocks(const struct reasm *r)
{
    return r->nooo > 0 || r->del_hi > r->del_lo;
}

/* Established, or closed after being established (TCP_Reassembler.cc). */
static inline bool is_clean(const struct endpoint *e)
{
    return e->state == ST_ESTABLISHED || (e->state == ST_CLOSED && e->prev_state == ST_ESTABLISHED);
}

/* TCP_Reassembler::Gap */
static void reasm_gap(struct zconn *c, struct endpoint *e, uint64_t len)
{
    struct endpoint *p = peer_of(c, e);
    if (is_clean(e) && is_clean(p)) {
        scaled_history(c, e, 'G', &e->gap_cnt, &e->gap_thresh);
        c->missed_bytes += len;
    }
}

static void reasm_deliver_front(struct reasm *r)
{
    /* The first out-of-order range starts at last_reassem_seq: deliver it. */
    if (r->del_hi <= r->del_lo || r->del_hi < r->ooo[0].lo)
        r->del_lo = r->ooo[0].lo;
    r->last_reassem_seq = r->ooo[0].hi;
    r->del_hi = r->ooo[0].hi;
    memmove(&r->ooo[0], &r->ooo[1], (size_t)(r->nooo - 1) * sizeof r->ooo[0]);
    r->nooo--;
}

/* Free blocks wholly below seq. */
static void reasm_free_below(struct reasm *r, uint64_t seq)
{
    if (r->del_hi <= seq)
        r->del_lo = r->del_hi = 0;
    else if (r->del_lo < seq)
        r->del_lo = seq;
    while (r->nooo && r->ooo[0].hi <= seq) {
        memmove(&r->ooo[0], &r->ooo[1], (size_t)(r->nooo - 1) * sizeof r->ooo[0]);
        r->nooo--;
    }
}

/* TCP_Reassembler::Undelivered */
static void reasm_undelivered(struct zconn *c, struct endpoint *e, uint64_t up_to)
{
    struct reasm *r = &e->r;
    if (up_to <= 2 && c->is_partial)
        return;     /* a faked-up SYN of a partial connection, or a keep-alive */
    if (!r->skip_deliveries) {
        while (r->nooo && r->ooo[0].lo < up_to) {
            uint64_t gap = r->ooo[0].lo - r->last_reassem_seq;
            reasm_gap(c, e, gap);
            r->last_reassem_seq = r->ooo[0].lo;
            reasm_deliver_front(r);
        }
        if (up_to > r->last_reassem_seq)
            reasm_gap(c, e, up_to - r->last_reassem_seq);
    }
    if (up_to > r->last_reassem_seq)
        r->last_reassem_seq = up_to;
}

/* Reassembler::TrimToSeq */
static void reasm_trim(struct zconn *c, struct endpoint *e, uint64_t seq)
{
    struct reasm *r = &e->r;
    if (seq > r->last_reassem_seq)
        reasm_undelivered(c, e, seq);
    reasm_free_below(r, seq);
    if (r->nooo && r->ooo[0].lo == r->last_reassem_seq)
        reasm_deliver_front(r);
    if (seq > r->trim_seq)
        r->trim_seq = seq;
}

static uint64_t reasm_data_size(const struct reasm *r)
{
    uint64_t n = r->del_hi > r->del_lo ? r->del_hi - r->del_lo : 0;
    for (unsigned i = 0; i < r->nooo; i++)
        n += r->ooo[i].hi - r->ooo[i].lo;
    return n;
}

static void reasm_clear(struct reasm *r)
{
    r->nooo = 0;
    r->del_lo = r->del_hi = 0;
}

/* Add [lo, hi) to the out-of-order ranges (merging). */
static void reasm_add_range(struct reasm *r, uint64_t lo, uint64_t hi)
{
    unsigned i = 0;
    while (i < r->nooo && r->ooo[i].hi < lo)
        i++;
    /* Ranges i.. that touch [lo, hi) merge into one. */
    unsigned j = i;
    while (j < r->nooo && r->ooo[j].lo <= hi) {
        if (r->ooo[j].lo < lo)
            lo = r->ooo[j].lo;
        if (r->ooo[j].hi > hi)
            hi = r->ooo[j].hi;
        j++;
    }
    if (j > i) {
        r->ooo[i].lo = lo;
        r->ooo[i].hi = hi;
        memmove(&r->ooo[i + 1], &r->ooo[j], (size_t)(r->nooo - j) * sizeof r->ooo[0]);
        r->nooo = (uint8_t)(r->nooo - (j - i - 1));
        return;
    }
    if (r->nooo == REASM_RANGES) {
        if (i == REASM_RANGES)
            return;             /* highest of all: forget it */
        r->nooo--;              /* forget the highest range */
    }
    memmove(&r->ooo[i + 1], &r->ooo[i], (size_t)(r->nooo - i) * sizeof r->ooo[0]);
    r->ooo[i].lo = lo;
    r->ooo[i].hi = hi;
    r->nooo++;
}

/* TCP_Endpoint::DataSent -> TCP_Reassembler::DataSent -> NewBlock,
 * BlockInserted and the buffering limits. */
static void reasm_data_sent(struct zconn *c, struct endpoint *e, uint64_t seq, uint32_t len,
                            uint32_t caplen)
{
    struct reasm *r = &e->r;
    if (caplen < len)
        return;                 /* truncated_tcp_payload: never stored */
    if (r->skip_deliveries || len == 0)
        return;
    uint64_t upper = seq + len;
    if (upper <= r->trim_seq)
        return;
    if (seq < r->trim_seq)
        seq = r->trim_seq;
    /* Data below last_reassem_seq was delivered already. */
    uint64_t lo = seq < r->last_reassem_seq ? r->last_reassem_seq : seq;
    bool fills_front = seq <= r->last_reassem_seq && upper > r->last_reassem_seq;
    if (upper > lo)
        reasm_add_range(r, lo, upper);
    if (fills_front && r->nooo && r->ooo[0].lo == r->last_reassem_seq) {
        reasm_deliver_front(r);
        if (no_data_acked(e) && ep_size(c, e) > TCP_MAX_INITIAL_WINDOW)
            reasm_trim(c, e, r->last_reassem_seq);
    }

    uint64_t undelivered = 0;
    if (r->nooo)
        undelivered = r->ooo[r->nooo - 1].hi - r->last_reassem_seq;
    else if (r->del_hi > r->del_lo)
        undelivered = r->del_hi - r->last_reassem_seq;  /* may wrap, as in Zeek */
    if (no_data_acked(e) && undelivered > TCP_MAX_ABOVE_HOLE_WITHOUT_ANY_ACKS) {
        reasm_clear(r);
        r->skip_deliveries = true;
    }
    if (reasm_data_size(r) > TCP_EXCESSIVE_DATA_WITHOUT_FURTHER_ACKS) {
        reasm_clear(r);
        r->skip_deliveries = true;
    }
}

/* TCP_Reassembler::DataPending */
static bool data_pending(struct zconn *c, struct endpoint *e)
{
    const struct reasm *r = &e->r;
    if (r->skip_deliveries)
        return false;
    uint64_t delivered = (uint64_t)e->start_seq + r->last_reassem_seq;
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    if (last < delivered)
        return false;
    if (delivered != last - 1 && delivered != last)
        return true;
    if (e->state != ST_RESET && reasm_has_blocks(&peer_of(c, e)->r))
        return true;
    return false;
}

static void connection_closed(struct zeek *z, struct zconn *c, struct endpoint *e,
                              struct endpoint *p, bool gen_event);

/* TCP_Reassembler::CheckEOF -> TCPSessionAdapter::EndpointEOF */
static void check_eof(struct zeek *z, struct zconn *c, struct endpoint *e)
{
    if (e->r.did_eof)
        return;
    if (!(e->fin_cnt > 0 || e->state == ST_CLOSED || e->state == ST_RESET))
        return;
    if (data_pending(c, e))
        return;
    e->r.did_eof = true;
    if (c->close_deferred) {
        connection_closed(z, c, e, peer_of(c, e), c->deferred_gen_event);
        c->close_deferred = false;
    }
}

/* TCP_Reassembler::AckReceived, for the endpoint whose data was acked. */
static void ack_received(struct zeek *z, struct zconn *c, struct endpoint *e, uint64_t seq)
{
    if (e->fin_cnt > 0 && seq >= e->fin_seq)
        seq = e->fin_seq - 1;
    if (seq <= e->r.trim_seq)
        return;
    reasm_trim(c, e, seq);
    check_eof(z, c, e);
}

/* ------------------------------------------------- sequence bookkeeping --- */

static void init_endpoint(struct endpoint *e, uint8_t flags, uint32_t first_seq, uint32_t last_seq)
{
    bool syn = flags & TH_SYN;
    switch (e->state) {
    case ST_INACTIVE:
        if (syn) {
            e->ack_seq = first_seq;
            e->start_seq = first_seq;
        } else {
            /* A partial connection: number as though a SYN was seen. */
            e->ack_seq = first_seq - 1;
            e->start_seq = (uint32_t)(first_seq - 1);
            last_seq = first_seq;
        }
        e->last_seq = last_seq;
        break;
    case ST_SYN_SENT:
    case ST_SYN_ACK_SENT:
        if (syn && first_seq != (uint32_t)e->start_seq) {
            e->start_seq = first_seq;
            e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    case ST_ESTABLISHED:
    case ST_PARTIAL:
        if (syn) {
            e->start_seq = first_seq;
            e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    case ST_RESET:
        if (syn && e->prev_state == ST_INACTIVE) {
            e->start_seq = first_seq;
            e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    default:
        break;
    }
}

static uint64_t get_relative_seq(const struct endpoint *e, uint32_t cur, uint32_t last,
                                 uint32_t wraps, bool *underflow)
{
    int32_t delta = seq_delta(cur, last);
    if (delta < 0) {
        if (wraps && cur > last)
            --wraps;
    } else if (delta > 0) {
        if (cur < last)
            ++wraps;
    }
    if (wraps == 0) {
        delta = seq_delta(cur, (uint32_t)e->start_seq);
        if (delta < 0)
            *underflow = true;
        return (uint64_t)(int64_t)delta;
    }
    return rel_space(e, cur, wraps);
}

static void init_peer(struct endpoint *p, uint32_t ack_seq)
{
    p->start_seq = (uint32_t)(ack_seq - 1);
    p->ack_seq = ack_seq - 1;
    p->last_seq = ack_seq - 1;
}

static void update_ack_seq(struct endpoint *e, uint32_t ack_seq)
{
    int32_t d = seq_delta(ack_seq, e->ack_seq);
    if (ack_seq == 0 && d > TOO_LARGE_SEQ_DELTA)
        return;
    if (d > 0) {
        if (ack_seq < e->ack_seq)
            e->ack_wraps++;
        e->ack_seq = ack_seq;
    }
}

static void update_last_seq_value(struct endpoint *e, uint32_t seq)
{
    if (seq < e->last_seq)
        e->seq_wraps++;
    e->last_seq = seq;
}

static int32_t update_last_seq(struct zconn *c, struct endpoint *e, uint32_t last_seq,
                               uint8_t flags, int32_t len)
{
    int32_t d = seq_delta(last_seq, e->last_seq);
    if ((flags & (TH_SYN | TH_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA))
        ;
    else if ((flags & TH_FIN) && e->last_seq == (uint32_t)(e->start_seq + 1))
        update_last_seq_value(e, last_seq);
    else if (e->state == ST_RESET)
        ;
    else if (d > 0)
        update_last_seq_value(e, last_seq);
    else if (len > 0)
        scaled_history(c, e, 'T', &e->rxmt_cnt, &e->rxmt_thresh);
    return d;
}

/* ------------------------------------------------------- state machine --- */

struct pkt {
    tstamp_t ts;
    uint8_t flags;
    uint32_t seq, ack;
    int32_t len;
    bool is_orig;               /* as when the packet arrived (not updated by flips) */
};

static void connection_reset(struct zconn *c)
{
    c->is_active = false;
}

/* The connection_established event.  Its handler in conn/inactivity.zeek
 * gives services on Conn::port_inactivity_timeouts ports (21, 22, 23, 513:
 * the responder's port, or the originator's if the originator is still
 * INACTIVE) an inactivity timeout of an hour.  Handlers run after the
 * packet; the port is judged now, with the state the event carries. */
static void connection_established(struct zconn *c)
{
    uint16_t port = orig_ep(c)->state == ST_INACTIVE ? orig_ep(c)->port : resp_ep(c)->port;
    if (port == 21 || port == 22 || port == 23 || port == 513)
        c->established_event = true;
}

static void update_inactive(struct zeek *z, struct zconn *c, struct endpoint *e,
                            struct endpoint *p, const struct pkt *k, bool *do_close,
                            bool *gen_event)
{
    uint8_t f = k->flags;
    if (f & TH_SYN) {
        if (k->is_orig) {
            set_state(z, c, e, (f & TH_ACK) ? ST_SYN_ACK_SENT : ST_SYN_SENT);
            timer_add(z, c, c->t[TM_ATTEMPT0].q != Q_NONE ? TM_ATTEMPT1 : TM_ATTEMPT0,
                      Q_ATTEMPT, k->ts + TCP_ATTEMPT_DELAY);
        } else {
            if (f & TH_ACK) {
                /* bad_SYN_ack: a weird only */
            } else if (p->state == ST_SYN_ACK_SENT && k->seq == (uint32_t)e->start_seq) {
                /* SYN/SYN-ACK reversal */
                c->is_partial = false;
                flip_roles(c);
                set_state(z, c, p, ST_ESTABLISHED);
                c->first_packet_seen |= SEEN_ORIG;
            }
            if (p->state == ST_SYN_SENT)
                set_state(z, c, p, ST_ESTABLISHED);
            set_state(z, c, e, ST_ESTABLISHED);
            if (p->state != ST_PARTIAL)
                connection_established(c);
        }
    }
    if (f & TH_FIN) {
        set_state(z, c, e, ST_CLOSED);
        *do_close = *gen_event = true;
    }
    if (f & TH_RST) {
        set_state(z, c, e, ST_RESET);
        bool is_reject = false;
        if (k->is_orig) {
            if (p->state == ST_ESTABLISHED)
                is_reject = true;
        } else if (p->state == ST_SYN_SENT || p->state == ST_SYN_ACK_SENT) {
            is_reject = true;
        }
        *do_close = true;
        *gen_event = !is_reject;
    }
    if (e->state == ST_INACTIVE) {
        if (!k->is_orig && k->len == 0 && orig_ep(c)->state == ST_SYN_SENT) {
            /* an ACK of the SYN before the SYN-ACK */
        } else if ((f & TH_ACK) && p->state == ST_ESTABLISHED) {
            /* missed the SYN: the SYN-ACK came first */
            set_state(z, c, e, ST_ESTABLISHED);
            c->is_partial = false;
            c->first_packet_seen |= k->is_orig ? SEEN_ORIG : SEEN_RESP;
        } else {
            set_state(z, c, e, ST_PARTIAL);
        }
    }
}

static void update_syn_sent(struct zeek *z, struct zconn *c, struct endpoint *e,
                            const struct pkt *k, bool *do_close, bool *gen_event)
{
    if (k->flags & TH_FIN) {
        set_state(z, c, e, ST_CLOSED);
        *do_close = *gen_event = true;
    }
    if (k->flags & TH_RST) {
        set_state(z, c, e, ST_RESET);
        connection_reset(c);
        *do_close = true;
    }
}

static void update_established(struct zeek *z, struct zconn *c, struct endpoint *e,
                               struct endpoint *p, const struct pkt *k, bool *do_close,
                               bool *gen_event)
{
    uint8_t f = k->flags;
    if ((f & TH_SYN) && e->state == ST_PARTIAL && p->state == ST_INACTIVE && !(f & TH_ACK))
        set_state(z, c, e, ST_SYN_SENT);
    if ((f & TH_FIN) && !(f & TH_RST)) {
        set_state(z, c, e, ST_CLOSED);
        if (p->state == ST_RESET && p->prev_state == ST_CLOSED)
            set_state(z, c, p, ST_CLOSED);
        *do_close = *gen_event = true;
    }
    if (f & TH_RST) {
        set_state(z, c, e, ST_RESET);
        *do_close = true;
        if (p->state != ST_RESET || p->prev_state != ST_ESTABLISHED)
            connection_reset(c);
    }
}

static void update_closed(struct zeek *z, struct zconn *c, struct endpoint *e,
                          const struct pkt *k, bool *do_close)
{
    if ((k->flags & TH_RST) && peer_of(c, e)->state != ST_CLOSED) {
        set_state(z, c, e, ST_RESET);
        if (!e->did_close)
            *do_close = true;
    }
}

static void update_state_machine(struct zeek *z, struct zconn *c, struct endpoint *e,
                                 struct endpoint *p, const struct pkt *k, bool *do_close,
                                 bool *gen_event)
{
    *do_close = *gen_event = false;
    switch (e->state) {
    case ST_INACTIVE:
        update_inactive(z, c, e, p, k, do_close, gen_event);
        break;
    case ST_SYN_SENT:
    case ST_SYN_ACK_SENT:
        update_syn_sent(z, c, e, k, do_close, gen_event);
        break;
    case ST_ESTABLISHED:
    case ST_PARTIAL:
        update_established(z, c, e, p, k, do_close, gen_event);
        break;
    case ST_CLOSED:
        update_closed(z, c, e, k, do_close);
        break;
    default:
        break;
    }
}

/* TCPSessionAdapter::ConnectionClosed */
static void connection_closed(struct zeek *z, struct zconn *c, struct endpoint *e,
                              struct endpoint *p, bool gen_event)
{
    if (data_pending(c, e)) {
        c->close_deferred = true;
        if (!c->deferred_gen_event)
            c->deferred_gen_event = gen_event;
        return;
    }
    c->close_deferred = false;
    if (e->did_close)
        return;
    e->did_close = true;

    bool complete = e->state == ST_RESET || p->did_close || p->state == ST_INACTIVE;
    if (complete) {
        if (e->prev_state != ST_INACTIVE || p->state != ST_INACTIVE) {
            if (c->deferred_gen_event) {
                gen_event = true;
                c->deferred_gen_event = false;
            }
            if (gen_event)
                c->is_active = false;   /* ConnectionFinished */
        }
        cancel_analyzer_timers(z, c);
        timer_add(z, c, TM_DELETE, Q_DELETE, c->last_time + TCP_CLOSE_DELAY);
    } else if (e->prev_state != ST_INACTIVE) {
        timer_add(z, c, TM_EXPIRE2, Q_HALF_CLOSE, c->last_time + TCP_SESSION_TIMER);
    }
    /* else: a partial-close timer, but only with a connection_partial_close
     * handler, which the default scripts do not have. */
}

/* ------------------------------------------------------------ conn.log --- */

static const char *conn_state(struct zconn *c)
{
    const struct endpoint *o = orig_ep(c), *r = resp_ep(c);
    /* zeekconn's endpoint states are Zeek's, in Zeek's order */
    return zeek_conn_state(o->state, r->state, ep_size(c, o), ep_size(c, r), c->hist);
}

/* seconds with six decimals, rounded as printf("%.6f") rounds a double */
static void put_time(FILE *f, tstamp_t t)
{
    bool neg = t < 0;
    uint64_t v = neg ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
    uint64_t us = (v + 500) / 1000;
    fprintf(f, "%s%" PRIu64 ".%06" PRIu64, neg ? "-" : "", us / 1000000, us % 1000000);
}

static void put_date(FILE *f, tstamp_t t)
{
    time_t s = (time_t)(t / TS_PER_SEC);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&s, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d-%H-%M-%S", &tm))
        strcpy(buf, "1970-01-01-00-00-00");
    fputs(buf, f);
}

static void write_header(struct zeek *z)
{
    FILE *f = z->out;
    z->header_written = true;
    fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
          "#path\tconn\n#open\t", f);
    put_date(f, z->have_time ? z->first_ts : 0);
    fputs("\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
          "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\t"
          "missed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
          "tunnel_parents\n"
          "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
          "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n", f);
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void put_base62(FILE *f, uint64_t v)
{
    char buf[16];
    int n = 0;
    do {
        buf[n++] = b62[v % 62];
        v /= 62;
    } while (v);
    while (n)
        fputc(buf[--n], f);
}

/* A uid like Zeek's ("C" and 96 bits in base 62), derived from the
 * connection's first packet and its number, so output is reproducible. */
static void put_uid(struct zeek *z, struct zconn *c)
{
    struct {
        tstamp_t ts;
        uint64_t serial;
        struct ct_key key;
    } in;
    memset(&in, 0, sizeof in);
    in.ts = c->start_time;
    in.serial = c->serial;
    ct_node_key(&c->node, &in.key);
    uint64_t a = siphash13(&z->uid_key, &in, sizeof in);
    in.serial = ~in.serial;
    uint64_t b = siphash13(&z->uid_key, &in, sizeof in);
    fputc('C', z->out);
    put_base62(z->out, a);
    put_base62(z->out, b & 0xffffffffu);
}

static void write_row(struct zeek *z, struct zconn *c)
{
    FILE *f = z->out;
    char ab[ADDR_STRLEN];
    struct endpoint *o = orig_ep(c), *r = resp_ep(c);

    if (!z->header_written)
        write_header(z);
    put_time(f, c->start_time);
    fputc('\t', f);
    put_uid(z, c);
    fprintf(f, "\t%s\t%u", addr_format(&o->addr, ab), o->port);
    fprintf(f, "\t%s\t%u\ttcp\t-\t", addr_format(&r->addr, ab), r->port);
    tstamp_t dur = c->last_time - c->start_time;
    if (dur > 0) {
        put_time(f, dur);
        fprintf(f, "\t%" PRIu64 "\t%" PRIu64, ep_size(c, o), ep_size(c, r));
    } else {
        fputs("-\t-\t-", f);
    }
    fprintf(f, "\t%s\t-\t-\t%" PRIu64 "\t%s", conn_state(c), c->missed_bytes,
            c->hist_len ? c->hist : "-");
    fprintf(f, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t-\n", o->pkts, o->ip_bytes,
            r->pkts, r->ip_bytes);
}

/* Session removal: log the connection, drop its timers, free the record. */
static void conn_remove(struct zeek *z, struct zconn *c)
{
    write_row(z, c);
    for (int k = 0; k < TM_N; k++)
        timer_cancel(z, c, k);
    ct_delete(z->tab, c);
}

/* ------------------------------------------------------------ timers (2) --- */

/* TCPSessionAdapter::ExpireTimer; re-arms its own chain. */
static void expire_timer(struct zeek *z, struct zconn *c, int kind, tstamp_t t)
{
    if (!c->is_active)
        return;
    struct endpoint *o = orig_ep(c), *r = resp_ep(c);
    if (c->last_time + TCP_CONNECTION_LINGER < t) {
        if (o->did_close || r->did_close) {
            if ((o->did_close && r->did_close) || o->state == ST_RESET || r->state == ST_RESET ||
                o->state == ST_INACTIVE || r->state == ST_INACTIVE) {
                c->is_active = false;
                conn_remove(z, c);
                return;
            }
        }
        if (r->state == ST_INACTIVE && o->state == ST_INACTIVE) {
            conn_remove(z, c);
            return;
        }
    }
    timer_add(z, c, kind, Q_EXPIRE_REARM, t + TCP_SESSION_TIMER);
}

static void attempt_timer(struct zeek *z, struct zconn *c)
{
    if (!c->is_active)
        return;
    struct endpoint *o = orig_ep(c), *r = resp_ep(c);
    if ((o->state == ST_SYN_SENT || o->state == ST_SYN_ACK_SENT) && r->state == ST_INACTIVE) {
        c->is_active = false;
        conn_remove(z, c);
    }
}

static void inactivity_timer(struct zeek *z, struct zconn *c, tstamp_t t)
{
    if (c->last_time + c->inactivity_timeout <= t)
        conn_remove(z, c);
    else
        timer_add(z, c, TM_INACT, inactivity_queue(c->inactivity_timeout),
                  c->last_time + c->inactivity_timeout);
}

static void dispatch_timer(struct zeek *z, struct zconn *c, int kind, tstamp_t t, bool at_end)
{
    switch (kind) {
    case TM_EXPIRE:
    case TM_EXPIRE2:
        if (!at_end)
            expire_timer(z, c, kind, t);
        break;
    case TM_ATTEMPT0:
    case TM_ATTEMPT1:
        attempt_timer(z, c);
        break;
    case TM_DELETE:
        if (!at_end)
            conn_remove(z, c);
        break;
    case TM_INACT:
        if (!at_end)
            inactivity_timer(z, c, t);
        break;
    default:
        break;
    }
}

/* Fire the timers due at network time (at most MAX_TIMER_EXPIRES). */
static void run_timers(struct zeek *z)
{
    for (int n = 0; n < MAX_TIMER_EXPIRES; n++) {
        uint32_t first = timer_first(z);
        if (!first || tslot_of(z, first - 1)->when > z->now)
            break;
        struct zconn *c = conn_at(z, (first - 1) / TM_N);
        int slot = (int)((first - 1) % TM_N);
        timer_cancel(z, c, slot);
        dispatch_timer(z, c, slot, z->now, false);
    }
}

/* -------------------------------------------------------- connections --- */

static struct zconn *new_conn(struct zeek *z, const struct ct_key *key, uint64_t hash, int dir,
                              const struct segment *seg, tstamp_t ts)
{
    struct zconn *c = ct_insert(z->tab, key, hash);
    if (!c) {
        /* Full (or out of memory): log the oldest connection early. */
        struct zconn *old = ct_list_head(z->tab, 0);
        if (!old)
            return NULL;
        conn_remove(z, old);
        c = ct_insert(z->tab, key, hash);
        if (!c)
            return NULL;
    }
    ct_list_put(z->tab, c, 0);
    for (int k = 0; k < TM_N; k++)
        c->t[k].q = Q_NONE;
    c->ep0_side = (uint8_t)dir;
    c->ep[0].addr = seg->src;
    c->ep[0].port = seg->sport;
    c->ep[1].addr = seg->dst;
    c->ep[1].port = seg->dport;
    for (int i = 0; i < 2; i++) {
        struct endpoint *e = &c->ep[i];
        e->chk_thresh = e->rxmt_thresh = e->win0_thresh = e->gap_thresh = 1;
        e->r.last_reassem_seq = e->r.trim_seq = 1;
    }
    c->orig = 0;
    c->is_active = true;
    c->start_time = c->last_time = ts;
    c->serial = z->serial++;
    c->encap = seg->encap;

    /* The port heuristic applies unless the first packet is a pure SYN. */
    uint8_t f = seg->flags;
    if (!(f & TH_SYN) || (f & TH_ACK)) {
        bool flip = false;
        if (port_likely(&z->cfg, seg->sport)) {
            if (port_likely(&z->cfg, seg->dport))
                flip = !(f & TH_SYN) && seg->sport < seg->dport;
            else
                flip = true;
        }
        bool broadcast = seg->dst.family == 4 && seg->dst.b[0] == 0xff && seg->dst.b[1] == 0xff &&
                         seg->dst.b[2] == 0xff && seg->dst.b[3] == 0xff;
        if (flip && !broadcast)
            flip_roles(c);
    }
    timer_add(z, c, TM_EXPIRE, Q_EXPIRE_NEW, z->now + TCP_SYN_TIMEOUT);
    set_inactivity_timeout(z, c, UDP_INACTIVITY_TIMEOUT);
    return c;
}

/* TCPSessionAdapter::IsReuse */
static bool is_reuse(struct zconn *c, const struct segment *seg)
{
    uint8_t f = seg->flags;
    if (seg->hdr_len < 20 || !(f & TH_SYN))
        return false;
    struct endpoint *o = orig_ep(c), *r = resp_ep(c), *conn_orig = o;
    if (f & TH_ACK) {
        if (o->state != ST_INACTIVE)
            return false;
        conn_orig = r;
    }
    if (!o->did_close && !r->did_close) {
        if (seg->seq == (uint32_t)conn_orig->start_seq)
            return false;
        if (!(f & TH_ACK) && conn_orig->state == ST_SYN_ACK_SENT && r->state == ST_INACTIVE &&
            seg->seq == (uint32_t)r->start_seq)
            return false;
    }
    return true;
}

/* TCPSessionAdapter::SetPartialStatus */
static void set_partial_status(struct zconn *c, uint8_t flags, bool is_orig)
{
    if (is_orig) {
        if (!(c->first_packet_seen & SEEN_ORIG))
            c->is_partial = !(flags & TH_SYN) || (flags & TH_ACK);
    } else if (!(c->first_packet_seen & SEEN_RESP) && !c->is_partial) {
        c->is_partial = !(flags & TH_SYN);
    }
}

/* TCPSessionAdapter::Process */
static void process(struct zeek *z, struct zconn *c, int si, const struct segment *seg,
                    tstamp_t ts)
{
    struct endpoint *e = &c->ep[si], *p = &c->ep[si ^ 1];
    struct pkt k;
    k.ts = ts;
    k.flags = seg->flags;
    k.seq = seg->seq;
    k.ack = seg->ack;
    k.len = (int32_t)seg->payload_len;
    k.is_orig = ep_is_orig(c, e);
    bool syn = k.flags & TH_SYN, fin = k.flags & TH_FIN, rst = k.flags & TH_RST,
         ack = k.flags & TH_ACK;

    set_partial_status(c, k.flags, k.is_orig);

    int32_t seg_len = k.len + syn + fin;
    if (rst)
        seg_len -= k.len;
    uint32_t seq_end = k.seq + (uint32_t)seg_len;

    init_endpoint(e, k.flags, k.seq, seq_end);
    bool underflow = false;
    uint64_t rel_seq = get_relative_seq(e, k.seq, e->last_seq, e->seq_wraps, &underflow);

    update_history(c, e, k.flags, rel_seq, k.len);

    /* update_window: a zero window (scaling cannot make a non-zero one zero) */
    if (seg->have_win && seg->win == 0 && !rst && p->state != ST_CLOSED && e->state != ST_RESET)
        scaled_history(c, e, 'W', &e->win0_cnt, &e->win0_thresh);

    if (!c->ep[0].did_close || !c->ep[1].did_close)
        set_last_time(z, c, ts);

    if (fin) {
        e->fin_cnt++;
        e->fin_seq = rel_seq + (uint64_t)(int64_t)seg_len;
    }
    if (rst)
        e->rst_cnt++;

    uint64_t rel_ack = 0;
    if (ack) {
        if (p->state == ST_INACTIVE) {
            rel_ack = 1;
            init_peer(p, k.ack);
        } else {
            bool ack_underflow = false;
            rel_ack = get_relative_seq(p, k.ack, p->ack_seq, p->ack_wraps, &ack_underflow);
            if (ack_underflow)
                rel_ack = 0;
            else if (!rst)
                update_ack_seq(p, k.ack);
        }
    }

    update_last_seq(c, e, seq_end, k.flags, k.len);

    bool do_close, gen_event;
    update_state_machine(z, c, e, p, &k, &do_close, &gen_event);

    if (ack)
        ack_received(z, c, p, rel_ack);

    /* CheckPIA_FirstPacket */
    if (k.is_orig)
        c->first_packet_seen |= SEEN_ORIG;
    else
        c->first_packet_seen |= SEEN_RESP;

    uint64_t rel_data_seq = syn ? rel_seq + 1 : rel_seq;
    if (k.len > 0 && !rst && !underflow) {
        uint32_t caplen = seg->tcp_caplen > seg->hdr_len ? seg->tcp_caplen - seg->hdr_len : 0;
        reasm_data_sent(c, e, rel_data_seq, (uint32_t)k.len, caplen);
    }
    check_eof(z, c, e);
    if (do_close)
        connection_closed(z, c, e, p, gen_event);

    /* Event handlers, after the packet. */
    if (c->established_event) {
        c->established_event = false;
        set_inactivity_timeout(z, c, PORT_INACTIVITY_TIMEOUT);
    }
}

static void tcp_packet(struct zeek *z, tstamp_t ts, const struct segment *seg, bool header_ok)
{
    /* IP layer */
    if (z->cfg.verify_checksums && seg->src.family == 4 && seg->ip_hdr) {
        uint16_t total;
        if (bytes_be16(bytes_make(seg->ip_hdr, seg->ip_caplen), 2, &total) && total == 0)
            return;                         /* TSO: ip_hdr_len_zero */
        if (checksum_ipv4_header(seg) == CHECKSUM_BAD)
            return;                         /* bad_IP_checksum */
    }
    /* The connection key needs 20 TCP bytes, on the wire and captured. */
    uint64_t tcp_len;
    uint64_t tcp_cap;
    if (header_ok) {
        tcp_len = (uint64_t)seg->hdr_len + seg->payload_len;
        tcp_cap = seg->tcp_caplen;
    } else {
        if (!seg->ip_hdr || seg->ip_len < seg->ip_hdr_len || seg->ip_caplen < seg->ip_hdr_len)
            return;
        tcp_len = seg->ip_len - seg->ip_hdr_len;
        tcp_cap = seg->ip_caplen - seg->ip_hdr_len;
    }
    if (tcp_len < 20 || tcp_cap < 20)
        return;

    struct ct_key key;
    int dir;
    ct_key_from_segment(seg, &key, &dir);
    uint64_t hash = ct_hash(z->tab, &key);
    struct zconn *c = ct_find(z->tab, &key, hash);
    if (!c) {
        c = new_conn(z, &key, hash, dir, seg, ts);
    } else if (header_ok && is_reuse(c, seg)) {
        conn_remove(z, c);
        c = new_conn(z, &key, hash, dir, seg, ts);
    } else if (seg->encap != c->encap) {
        /* Connection::CheckEncapsulation: a connection whose tunnels keep
         * changing gets an X once it has changed more than the limit. */
        c->encap = seg->encap;
        if (++c->tunnel_changes > TUNNEL_MAX_CHANGES_PER_CONNECTION &&
            !(c->hist_seen & HIST_ANALYZER_LIMIT_REACHED)) {
            c->hist_seen |= HIST_ANALYZER_LIMIT_REACHED;
            add_history(c, 'X');
        }
    }
    if (!c)
        return;
    int si = dir == c->ep0_side ? 0 : 1;

    /* TCP header length */
    if (!header_ok || seg->hdr_len < 20 || seg->hdr_len > tcp_len || seg->hdr_len > tcp_cap)
        return;
    /* checksum */
    if (z->cfg.verify_checksums && checksum_tcp(seg) == CHECKSUM_BAD) {
        struct endpoint *e = &c->ep[si];
        scaled_history(c, e, 'C', &e->chk_cnt, &e->chk_thresh);
        return;
    }

    process(z, c, si, seg, ts);

    /* ConnSize: its counters follow the hosts through flips. */
    c->ep[si].pkts++;
    c->ep[si].ip_bytes += seg->ip_len;
}

/* ----------------------------------------------------------- fragments --- */

static void frag_free(struct frag *f)
{
    f->used = false;
}

static struct frag *frag_slot(struct zeek *z, const uint8_t *src, const uint8_t *dst, uint16_t id,
                              uint8_t proto)
{
    struct frag *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < FRAG_SLOTS; i++) {
        struct frag *f = &z->frags[i];
        if (!f->used) {
            if (!free_slot)
                free_slot = f;
            continue;
        }
        if (f->id == id && f->proto == proto && !memcmp(f->src, src, 4) && !memcmp(f->dst, dst, 4))
            return f;
        if (!oldest || f->stamp < oldest->stamp)
            oldest = f;
    }
    struct frag *f = free_slot ? free_slot : oldest;
    uint8_t *buf = f->buf;
    memset(f, 0, sizeof *f);
    f->buf = buf;
    f->used = true;
    f->id = id;
    f->proto = proto;
    memcpy(f->src, src, 4);
    memcpy(f->dst, dst, 4);
    return f;
}

/* Record payload range [lo, hi); false if there are too many pieces. */
static bool frag_add_piece(struct frag *f, uint32_t lo, uint32_t hi)
{
    unsigned i = 0, j;
    while (i < f->npieces && f->piece[i].hi < lo)
        i++;
    for (j = i; j < f->npieces && f->piece[j].lo <= hi; j++) {
        if (f->piece[j].lo < lo)
            lo = f->piece[j].lo;
        if (f->piece[j].hi > hi)
            hi = f->piece[j].hi;
    }
    if (j > i) {
        f->piece[i].lo = lo;
        f->piece[i].hi = hi;
        memmove(&f->piece[i + 1], &f->piece[j], (f->npieces - j) * sizeof f->piece[0]);
        f->npieces = (uint8_t)(f->npieces - (j - i - 1));
        return true;
    }
    if (f->npieces == FRAG_PIECES)
        return false;
    memmove(&f->piece[i + 1], &f->piece[i], (f->npieces - i) * sizeof f->piece[0]);
    f->piece[i].lo = lo;
    f->piece[i].hi = hi;
    f->npieces++;
    return true;
}

static void tcp_packet(struct zeek *z, tstamp_t ts, const struct segment *seg, bool header_ok);

/* The packet met an IPv4 fragment: the ones this engine puts together
 * (an IPv6 first fragment is analysed as it is). */
static bool ipv4_fragment(const struct segment *seg)
{
    return seg->frag_ip && seg->frag_caplen && seg->frag_ip[0] >> 4 == 4;
}

/* An IPv4 fragment, wholly captured: add it to its datagram; when the
 * datagram is complete, decode it and process it as one packet, as Zeek
 * does (fragments themselves reach no connection). */
static void frag_packet(struct zeek *z, tstamp_t ts, const struct segment *seg)
{
    struct bytes ip = bytes_make(seg->frag_ip, seg->frag_caplen);
    uint8_t vihl, proto, src[4], dst[4];
    uint16_t id, off_field;
    if (!bytes_u8(ip, 0, &vihl) || !bytes_be16(ip, 4, &id) || !bytes_be16(ip, 6, &off_field) ||
        !bytes_u8(ip, 9, &proto) || !bytes_copy(ip, 12, src, 4) || !bytes_copy(ip, 16, dst, 4))
        return;
    uint32_t ihl = (vihl & 0x0f) * 4u;
    if (ihl < 20 || seg->frag_len < ihl || !bytes_has(ip, 0, ihl))
        return;
    if (z->cfg.verify_checksums &&
        checksum_fold(checksum_add(seg->frag_ip, ihl, 0)) != 0xffff)
        return;                             /* bad_IP_checksum */
    if (!z->frags) {
        z->frags = calloc(FRAG_SLOTS, sizeof *z->frags);
        if (!z->frags)
            return;
        for (int i = 0; i < FRAG_SLOTS; i++) {
            z->frags[i].buf = malloc(60 + FRAG_MAX);
            if (!z->frags[i].buf) {
                for (int k = 0; k < i; k++)
                    free(z->frags[k].buf);
                free(z->frags);
                z->frags = NULL;
                return;
            }
        }
    }
    uint32_t lo = (uint32_t)(off_field & 0x1fff) * 8, len = seg->frag_len - ihl;
    uint32_t hi = lo + len;
    if (hi > FRAG_MAX)
        return;
    struct frag *f = frag_slot(z, src, dst, id, proto);
    f->stamp = ++z->frag_stamp;
    if (!bytes_copy(ip, ihl, f->buf + 60 + lo, len) || !frag_add_piece(f, lo, hi)) {
        frag_free(f);
        return;
    }
    if (lo == 0) {                          /* the first fragment's header */
        f->hdr_len = (uint8_t)ihl;
        bytes_copy(ip, 0, f->buf + 60 - ihl, ihl);
    }
    if (!(off_field & 0x2000))              /* no more fragments: the end */
        f->total = hi;
    if (!f->hdr_len || !f->total || f->npieces != 1 || f->piece[0].lo != 0 ||
        f->piece[0].hi < f->total)
        return;
    if (f->hdr_len + f->total > FRAG_MAX) {
        frag_free(f);                       /* longer than an IPv4 datagram can be */
        return;
    }

    /* Complete: a header saying so, then the payload. */
    uint8_t *p = f->buf + 60 - f->hdr_len;
    uint32_t dlen = f->hdr_len + f->total;
    p[2] = (uint8_t)(dlen >> 8);
    p[3] = (uint8_t)dlen;
    p[6] = p[7] = 0;
    p[10] = p[11] = 0;
    uint16_t sum = (uint16_t)~checksum_fold(checksum_add(p, f->hdr_len, 0));
    p[10] = (uint8_t)(sum >> 8);
    p[11] = (uint8_t)sum;
    struct segment inner;
    enum decode_outcome o = decode_packet(DLT_IPV4_RAW, p, dlen, dlen, &inner);
    inner.ts = seg->ts;
    inner.pktno = seg->pktno;
    frag_free(f);
    if (ipv4_fragment(&inner))
        return;                             /* fragments inside: not followed */
    if (o == DEC_TCP)
        tcp_packet(z, ts, &inner, true);
    else if (o == DEC_BAD_TCP)
        tcp_packet(z, ts, &inner, false);
}

/* --------------------------------------------------------------- public --- */

struct zeek *zeek_create(const struct zeek_config *cfg, FILE *out)
{
    struct zeek *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->cfg = *cfg;
    if (!z->cfg.max_conns)
        z->cfg.max_conns = DEFAULT_MAX_CONNS;
    z->out = out;
    z->tab = ct_create(sizeof(struct zconn), z->cfg.max_conns);
    if (!z->tab) {
        free(z);
        return NULL;
    }
    /* A fixed key: uids depend only on the input. */
    z->uid_key.k0 = 0x7a65656b636f6e6eULL;
    z->uid_key.k1 = 0x74637066736d2121ULL;
    return z;
}

void zeek_packet(struct zeek *z, tstamp_t ts, enum decode_outcome o, const struct segment *seg)
{
    if (!z->have_time) {
        z->have_time = true;
        z->first_ts = ts;
        z->now = ts;
    }
    if (ts > z->now)
        z->now = ts;
    run_timers(z);
    if (ipv4_fragment(seg)) {
        /* Zeek reassembles fragments first (IPv4 here; an IPv6 first
         * fragment is analysed as it is); a fragment that was not wholly
         * captured is not reassembled, and only a first one is analysed. */
        if (seg->frag_caplen >= seg->frag_len)
            frag_packet(z, ts, seg);
        else if (seg->ip_first_frag && (o == DEC_TCP || o == DEC_BAD_TCP))
            tcp_packet(z, ts, seg, o == DEC_TCP);
        return;
    }
    if (o == DEC_TCP)
        tcp_packet(z, ts, seg, true);
    else if (o == DEC_BAD_TCP)
        tcp_packet(z, ts, seg, false);
}

bool zeek_finish(struct zeek *z)
{
    /* timer_mgr->Expire(): only attempt timers run at termination. */
    uint32_t first;
    while ((first = timer_first(z)) != 0) {
        struct zconn *c = conn_at(z, (first - 1) / TM_N);
        int slot = (int)((first - 1) % TM_N);
        timer_cancel(z, c, slot);
        dispatch_timer(z, c, slot, z->now, true);
    }
    /* session_mgr->Drain(): the rest, oldest first. */
    struct zconn *c;
    while ((c = ct_list_head(z->tab, 0)) != NULL)
        conn_remove(z, c);
    if (!z->header_written)
        write_header(z);
    fputs("#close\t", z->out);
    put_date(z->out, z->have_time ? z->now : 0);
    fputc('\n', z->out);
    return out_flushed(z->out);
}

void zeek_destroy(struct zeek *z)
{
    if (!z)
        return;
    if (z->frags) {
        for (int i = 0; i < FRAG_SLOTS; i++)
            free(z->frags[i].buf);
        free(z->frags);
    }
    ct_destroy(z->tab);
    free(z->heap);
    free(z);
}

int zeek_run(struct capture *cap, const struct zeek_config *cfg, FILE *out, const volatile sig_atomic_t *stop)
{
    struct zeek *z = zeek_create(cfg, out);
    if (!z) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        return EXIT_USAGE;
    }
    struct capture_packet pkt;
    enum capture_result rc = CAPTURE_END;   /* stopped before the first read: nothing went wrong */
    while (!(stop && *stop) && (rc = capture_next(cap, &pkt)) == CAPTURE_PACKET) {
        struct segment seg;
        enum decode_outcome o = decode_packet(pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, &seg);
        seg.ts = pkt.ts;
        seg.pktno = pkt.pktno;
        zeek_packet(z, pkt.ts, o, &seg);
    }
    capture_progress_done(cap);
    int status = EXIT_ALL_READ;
    if (stop && *stop) {
        status = EXIT_INTERRUPTED;
        fprintf(stderr, "tcpfsm: %s: interrupted by a signal after %llu packets; reporting them\n",
                capture_source(cap), (unsigned long long)capture_records(cap));
    } else if (rc == CAPTURE_DAMAGED) {
        status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the %llu packets before it\n",
                capture_source(cap), (unsigned long long)capture_error_pktno(cap),
                capture_error(cap), (unsigned long long)capture_records(cap));
    } else if (rc == CAPTURE_FAILED) {
        status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the packets before it\n",
                capture_source(cap), (unsigned long long)capture_error_pktno(cap), capture_error(cap));
    }
    int why = 0;
    if (!zeek_finish(z)) {
        status = EXIT_OUTPUT;       /* the caller says so, with what it knows */
        why = errno;
    }
    zeek_destroy(z);
    errno = why;
    return status;
}
