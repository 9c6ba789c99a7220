/* test_connview.c - the view a connection's consumers get when it leaves.
 *
 * conn_view_make() (src/connview.c) gives the census, the services and the
 * report formats everything they read about a connection: its anomaly mask,
 * its anomaly records (copied, so that they outlive the analysis's), its
 * Zeek history.  Here the tracker and the analysis run on hand-built
 * segments that give one connection several anomalies, and the view made
 * in the tracker's retire observer must agree with the analysis itself:
 * the same mask and history, the same records in the same order, none
 * without a buffer for them; with no analysis, nothing; and when the
 * analysis ran out of anomaly records (the mask keeps ids it has no record
 * for), only those it has. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "connview.h"
#include "segment.h"
#include "tracker.h"
#include "unit.h"

struct run {
    struct tracker *t;
    struct analysis *an;
    tstamp_t now;
    uint64_t pktno;
    int retired;
    uint32_t mask;          /* of the connection, when it left */
    unsigned nrecords;      /* the analysis's records for it then */
};

/* Compare every way of making the view with the analysis, while the
 * connection's records still exist (as report_conn() does). */
static void on_retired(void *ctx, const struct conn *c, enum retire_reason why)
{
    struct run *r = ctx;
    r->retired++;
    tstamp_t now = tracker_now(r->t);
    uint32_t mask = analysis_mask(r->an, c);
    const struct anomaly *want[AN__COUNT + 1];
    unsigned n = 0;
    for (const struct anomaly *a = analysis_first(r->an, c); a && n <= AN__COUNT; a = analysis_next(r->an, a))
        want[n++] = a;
    r->mask = mask;
    r->nrecords = n;

    struct anomaly buf[AN__COUNT];
    memset(buf, 0xa5, sizeof buf);
    struct conn_view v;
    conn_view_make(&v, r->an, c, why, now, buf);
    CHECK(v.c == c);
    CHECK_EQ(v.why, why);
    CHECK_EQ(v.now, now);
    CHECK_EQ(v.mask, mask);
    CHECK(v.h == analysis_history(r->an, c));
    CHECK(v.anomalies == buf);
    CHECK_EQ(v.nanomalies, n);
    for (unsigned i = 0; i < n && i < v.nanomalies; i++) {
        CHECKF(memcmp(&v.anomalies[i], want[i], sizeof *want[i]) == 0, "record %u", i);
        CHECKF(mask & (1u << v.anomalies[i].id), "record %u's id %u is in the mask", i, v.anomalies[i].id);
    }

    /* no buffer: the mask and history, no records */
    conn_view_make(&v, r->an, c, why, now, NULL);
    CHECK_EQ(v.mask, mask);
    CHECK_EQ(v.nanomalies, 0);

    /* no analysis: no anomalies, no history */
    conn_view_make(&v, NULL, c, why, now, buf);
    CHECK_EQ(v.mask, 0);
    CHECK_EQ(v.nanomalies, 0);
    CHECK(v.h == NULL);
    CHECK(v.c == c);
}

static void seg(struct run *r, int from_client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len,
                uint16_t win)
{
    struct segment s;
    memset(&s, 0, sizeof s);
    s.ts = r->now;
    s.pktno = ++r->pktno;
    if (!addr_parse(from_client ? "192.0.2.1" : "198.51.100.2", &s.src) ||
        !addr_parse(from_client ? "198.51.100.2" : "192.0.2.1", &s.dst))
        exit(99);
    s.sport = from_client ? 40000 : 80;
    s.dport = from_client ? 80 : 40000;
    s.seq = seq;
    s.ack = (flags & TH_ACK) ? ack : 0;
    s.flags = flags;
    s.hdr_len = 20;
    s.win = win;
    s.have_win = true;
    s.payload_len = len;
    s.ip_len = 40 + len;
    tracker_segment(r->t, &s);
}

/* One connection with several anomalies: its SYN retransmitted twice, a
 * slow handshake, a zero window that stalls the client, then a reset by
 * the client with data unread. */
static void run_scenario(struct run *r, uint32_t max_anomalies)
{
    memset(r, 0, sizeof *r);
    struct analysis_config acfg;
    analysis_config_defaults(&acfg);
    acfg.history = true;
    acfg.max_anomalies = max_anomalies;
    struct tracker_config tcfg;
    tracker_config_defaults(&tcfg);
    r->an = analysis_create(&acfg, tcfg.max_conns);
    r->t = tracker_create(&tcfg, NULL);
    if (!r->an || !r->t)
        exit(99);
    tracker_set_analysis(r->t, r->an);
    struct tracker_observer o = { r, on_retired, NULL, NULL };
    tracker_add_observer(r->t, &o);
    r->now = 1700000000 * TS_PER_SEC;

    uint32_t c = 1000, s = 5000;
    seg(r, 1, c, 0, TH_SYN, 0, 65535);
    r->now += TS_PER_SEC;
    seg(r, 1, c, 0, TH_SYN, 0, 65535);
    r->now += 2 * TS_PER_SEC;
    seg(r, 1, c, 0, TH_SYN, 0, 65535);
    r->now += 400 * TS_PER_MS;
    seg(r, 0, s, c + 1, TH_SYN | TH_ACK, 0, 65535);
    r->now += 400 * TS_PER_MS;
    seg(r, 1, c + 1, s + 1, TH_ACK, 0, 65535);
    r->now += TS_PER_MS;
    seg(r, 1, c + 1, s + 1, TH_ACK | TH_PSH, 100, 65535);
    r->now += TS_PER_MS;
    seg(r, 0, s + 1, c + 101, TH_ACK, 0, 0);            /* zero window */
    for (int i = 0; i < 5; i++) {
        r->now += TS_PER_SEC;
        seg(r, 1, c + 100, s + 1, TH_ACK, 1, 65535);    /* window probes */
        seg(r, 0, s + 1, c + 101, TH_ACK, 0, 0);
    }
    r->now += TS_PER_MS;
    seg(r, 0, s + 1, c + 101, TH_ACK | TH_PSH, 50, 0);  /* data the client leaves unread */
    r->now += TS_PER_MS;
    seg(r, 1, c + 101, s + 1, TH_RST | TH_ACK, 0, 0);
    tracker_finish(r->t);
    CHECK_EQ(r->retired, 1);
    tracker_destroy(r->t);
    analysis_destroy(r->an);
}

int main(void)
{
    struct run r;
    run_scenario(&r, 1000);
    /* the scenario is worth running only if it gives several anomalies */
    CHECKF(__builtin_popcount(r.mask) >= 3, "mask 0x%x", r.mask);
    CHECK_EQ(r.nrecords, (unsigned)__builtin_popcount(r.mask));
    unsigned full = r.nrecords;

    /* one anomaly record in all: the mask keeps every id, the view only
     * the one record there is */
    run_scenario(&r, 1);
    CHECK_EQ((unsigned)__builtin_popcount(r.mask), full);
    CHECK_EQ(r.nrecords, 1);
    return unit_done("connview");
}
