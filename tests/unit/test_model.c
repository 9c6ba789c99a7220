/* test_model.c - the live model's pictures (src/model.c): the screen's view
 * and the snapshots' summary.
 *
 * A row's rate is the bytes its side sent since the last view over the
 * time between the views: 0 in the first view, the new connection's whole
 * bytes when it was not in the last view, and nothing taken from an older
 * connection whose record (slot) it now has (the table hands a freed
 * record to the next connection), for more connections than the rates'
 * first allocation holds; no row rates when time stands still.  The
 * summary counts the same endpoints and finds the same anomalies as the
 * view, keeps no rows, runs its packet and byte rates from the last
 * summary, and leaves the screen's view as it was.  The detail view's
 * connection is found again where it was, and kept as last seen once it
 * has left the table. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "options.h"
#include "unit.h"

#define T0 ((tstamp_t)1700000000 * TS_PER_SEC)
#define MS(x) ((tstamp_t)(x) * (TS_PER_SEC / 1000))

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

static uint8_t frame[1600];
static uint64_t pktno;

/* One Ethernet/IPv4/TCP packet from 192.0.2.<a>:<ap> to 192.0.2.<b>:<bp>
 * with len bytes of payload, at T0 + ms. */
static void packet(struct model *m, tstamp_t ms, uint8_t a, uint16_t ap, uint8_t b, uint16_t bp, uint8_t flags,
                   uint32_t seq, uint32_t ack, uint16_t len)
{
    memset(frame, 0, sizeof frame);
    frame[12] = 0x08;                           /* IPv4 */
    uint8_t *ip = frame + 14;
    uint16_t total = (uint16_t)(40 + len);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[8] = 64;
    ip[9] = 6;
    const uint8_t src[4] = { 192, 0, 2, a }, dst[4] = { 192, 0, 2, b };
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint8_t *tcp = ip + 20;
    tcp[0] = (uint8_t)(ap >> 8);
    tcp[1] = (uint8_t)ap;
    tcp[2] = (uint8_t)(bp >> 8);
    tcp[3] = (uint8_t)bp;
    for (int i = 0; i < 4; i++) {
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff;                             /* window */
    struct capture_packet p;
    memset(&p, 0, sizeof p);
    p.data = frame;
    p.caplen = p.wirelen = 14u + total;
    p.ts = T0 + MS(ms);
    p.linktype = 1;                             /* Ethernet */
    p.pktno = ++pktno;
    model_packet(m, &p);
}

/* Client 192.0.2.<c>:<cp> opens a connection to 192.0.2.80:80 at ms. */
static void handshake(struct model *m, tstamp_t ms, uint8_t c, uint16_t cp)
{
    packet(m, ms, c, cp, 80, 80, F_SYN, 1000, 0, 0);
    packet(m, ms + 1, 80, 80, c, cp, F_SYN | F_ACK, 5000, 1001, 0);
    packet(m, ms + 2, c, cp, 80, 80, F_ACK, 1001, 5001, 0);
}

static const struct model_row *row_of(const struct model_view *v, uint16_t client_port)
{
    for (uint32_t i = 0; i < v->nrows; i++)
        if (v->rows[i].port[CLIENT] == client_port)
            return &v->rows[i];
    return NULL;
}

/* The summary's counts are the view's. */
static void check_counts_match(const struct model_view *s, const struct model_view *v)
{
    CHECK(memcmp(s->state, v->state, sizeof s->state) == 0);
    CHECK_EQ(s->stuck, v->stuck);
    CHECK_EQ(s->nanoms, v->nanoms);
    CHECK_EQ(s->open, v->open);
    CHECK_EQ(s->seen, v->seen);
    CHECK_EQ(s->packets, v->packets);
    for (uint32_t i = 0; i < s->nanoms && i < v->nanoms; i++) {
        CHECK_EQ(s->anoms[i].id, v->anoms[i].id);
        CHECK_EQ(s->anoms[i].conn_id, v->anoms[i].conn_id);
        CHECK_STREQ(s->anoms[i].detail, v->anoms[i].detail);
    }
    CHECK_EQ(s->nrows, 0);
}

int main(void)
{
    struct options opt;
    char a0[] = "tcpfsm", a1[] = "-r", a2[] = "unused.pcap", a3[] = "--stuck-after", a4[] = "3";
    char *argv[] = { a0, a1, a2, a3, a4, NULL };
    CHECK(options_parse(5, argv, &opt) == OPTIONS_RUN);
    struct model *m = model_create(&opt, NULL, NULL);
    CHECK(m != NULL);
    if (!m)
        return unit_done("test_model");

    /* A: 1000 bytes before the first view */
    handshake(m, 1000, 10, 40001);
    packet(m, 1100, 10, 40001, 80, 80, F_ACK | F_PSH, 1001, 5001, 1000);
    const struct model_view *v = model_view(m, T0 + MS(2000));
    const struct model_row *ra = row_of(v, 40001);
    CHECK(ra != NULL);
    if (ra) {
        CHECK_EQ(ra->bytes[CLIENT], 1000);
        CHECK(ra->rate[CLIENT] == 0 && ra->rate[SERVER] == 0);     /* nothing to run from */
    }
    const struct model_view *s = model_summary(m, T0 + MS(2000));
    check_counts_match(s, v);
    CHECK_EQ(v->nrows, 1);                      /* the screen's view left alone */
    /* the first summary's rate: since the start (packets over elapsed) */
    CHECK(s->elapsed > 0 && s->packets > 0);
    if (s->elapsed > 0)
        CHECK(s->pps > 0 && fabs(s->pps - (double)s->packets / ((double)s->elapsed / 1e9)) < 1e-6);

    /* A sends 3000 more, is reset, and lingers out of the table; C comes
     * and takes its record; B comes beside it */
    packet(m, 2100, 10, 40001, 80, 80, F_ACK | F_PSH, 2001, 5001, 3000);
    packet(m, 2200, 10, 40001, 80, 80, F_RST | F_ACK, 5001, 5001, 0);
    model_advance(m, T0 + MS(8000));
    handshake(m, 8100, 11, 40002);
    packet(m, 8200, 11, 40002, 80, 80, F_ACK | F_PSH, 1001, 5001, 100);
    handshake(m, 8300, 12, 40003);
    packet(m, 8400, 12, 40003, 80, 80, F_ACK | F_PSH, 1001, 5001, 500);
    packet(m, 8500, 80, 80, 12, 40003, F_ACK | F_PSH, 5001, 1501, 300);
    v = model_view(m, T0 + MS(10000));          /* 8 s after the first */
    CHECK(row_of(v, 40001) == NULL);
    const struct model_row *rc = row_of(v, 40002), *rb = row_of(v, 40003);
    CHECK(rc != NULL && rb != NULL);
    if (rc && rb) {
        CHECKF(rc->rate[CLIENT] == 100.0 / 8, "C's rate %g", rc->rate[CLIENT]);
        CHECKF(rb->rate[CLIENT] == 500.0 / 8, "B's rate %g", rb->rate[CLIENT]);
        CHECKF(rb->rate[SERVER] == 300.0 / 8, "B's server rate %g", rb->rate[SERVER]);
    }

    /* C sends 800 more, and its server half-closes: C's client sits in
     * CLOSE_WAIT and its server in FIN_WAIT_2, past --stuck-after later */
    packet(m, 10500, 11, 40002, 80, 80, F_ACK | F_PSH, 1101, 5001, 800);
    packet(m, 10600, 80, 80, 11, 40002, F_FIN | F_ACK, 5001, 1901, 0);
    packet(m, 10700, 11, 40002, 80, 80, F_ACK, 1901, 5002, 0);
    v = model_view(m, T0 + MS(12000));
    rc = row_of(v, 40002);
    rb = row_of(v, 40003);
    CHECK(rc != NULL && rb != NULL);
    if (rc && rb) {
        CHECKF(rc->rate[CLIENT] == 400, "C's rate %g", rc->rate[CLIENT]);
        CHECKF(rb->rate[CLIENT] == 0 && rb->rate[SERVER] == 0, "B's rates %g %g", rb->rate[CLIENT],
               rb->rate[SERVER]);
    }
    uint32_t rows = v->nrows;
    s = model_summary(m, T0 + MS(12000));       /* 14 packets since the last, 10 s before */
    check_counts_match(s, v);
    CHECKF(s->pps == 1.4, "summary pps %g", s->pps);
    CHECK_EQ(v->nrows, rows);

    /* stuck, later: seen by both */
    model_advance(m, T0 + MS(15000));
    v = model_view(m, T0 + MS(15000));
    s = model_summary(m, T0 + MS(15000));
    CHECK_EQ(v->stuck, 2);
    check_counts_match(s, v);
    bool stuck_anomaly = false;
    for (uint32_t i = 0; i < s->nanoms; i++)
        stuck_anomaly |= s->anoms[i].judged_live;
    CHECK(stuck_anomaly);

    /* time standing still (a finished replay): no row rates, the packet
     * and byte rates of the last picture kept */
    const struct model_view *again = model_view(m, T0 + MS(15000));
    rc = row_of(again, 40002);
    CHECK(rc != NULL && rc->rate[CLIENT] == 0 && rc->rate[SERVER] == 0);
    double pps = s->pps, bps = s->bps;
    s = model_summary(m, T0 + MS(15000));
    CHECK(s->pps == pps && s->bps == bps);

    /* 1500 more connections (the rates' slots past their first 1024),
     * each sending its number of bytes, then as many again: every rate
     * is that over the 4 s between the pictures */
    for (uint16_t i = 0; i < 1500; i++)
        handshake(m, 16000 + i, (uint8_t)(20 + i % 100), (uint16_t)(41000 + i));
    for (uint16_t i = 0; i < 1500; i++)
        packet(m, 17600, (uint8_t)(20 + i % 100), (uint16_t)(41000 + i), 80, 80, F_ACK | F_PSH, 1001, 5001,
               (uint16_t)(i + 1));
    v = model_view(m, T0 + MS(18000));
    uint64_t before_bytes = v->bytes;
    tstamp_t before = v->now;
    for (uint16_t i = 0; i < 1500; i++)
        packet(m, 19000, (uint8_t)(20 + i % 100), (uint16_t)(41000 + i), 80, 80, F_ACK | F_PSH, (uint32_t)(1002 + i),
               5001, (uint16_t)(i + 1));
    v = model_view(m, T0 + MS(22000));
    CHECK_EQ(v->now - before, MS(4000));
    uint32_t right = 0;
    for (uint16_t i = 0; i < 1500; i++) {
        const struct model_row *r = row_of(v, (uint16_t)(41000 + i));
        right += r && r->rate[CLIENT] == (double)(i + 1) / 4 && r->rate[SERVER] == 0;
    }
    CHECK_EQ(right, 1500);
    CHECKF(v->bps == (double)(v->bytes - before_bytes) / 4, "bps %g", v->bps);
    CHECK(v->bps > 0);

    /* the detail: found, then found again where it was; once it has left
     * the table its last picture stays, whoever takes its record */
    struct model_detail d;
    memset(&d, 0, sizeof d);
    const struct model_row *r7 = row_of(v, 41007);
    uint32_t id7 = r7 ? r7->id : 0;
    CHECK(id7 != 0);
    model_detail(m, id7, T0 + MS(22000), &d);
    CHECK(!d.gone && d.row.id == id7 && d.row.port[CLIENT] == 41007);
    CHECK_EQ(d.row.bytes[CLIENT], 16);
    CHECK_EQ(model_detail_walks(m), 1);         /* found by a walk */
    packet(m, 22100, 27, 41007, 80, 80, F_ACK | F_PSH, 1017, 5001, 10);
    model_detail(m, id7, T0 + MS(22200), &d);
    CHECK(!d.gone && d.row.id == id7);
    CHECK_EQ(d.row.bytes[CLIENT], 26);
    CHECK_EQ(model_detail_walks(m), 1);         /* then where it was */
    packet(m, 22300, 27, 41007, 80, 80, F_RST | F_ACK, 1027, 5001, 0);
    model_advance(m, T0 + MS(28000));           /* past the linger: retired */
    handshake(m, 28100, 99, 49999);             /* takes its record */
    model_detail(m, id7, T0 + MS(28200), &d);
    CHECK(d.gone && d.row.id == id7 && d.row.port[CLIENT] == 41007);
    CHECK_EQ(model_detail_walks(m), 1);
    /* a connection gone before its detail was asked for: one walk, not
     * one a refresh */
    model_detail(m, 1, T0 + MS(28300), &d);
    model_detail(m, 1, T0 + MS(28400), &d);
    model_detail(m, 1, T0 + MS(28500), &d);
    CHECK(d.gone && d.retire_reason == RETIRE__COUNT);
    CHECK_EQ(model_detail_walks(m), 2);
    model_detail_free(&d);

    model_destroy(m);

    /* A one-directional capture (only the server's segments): its client,
     * sent the server's FIN, is in CLOSE_WAIT past --stuck-after, but the
     * capture has nothing from it, so it is not stuck - as in the report
     * (analysis_stuck()). */
    m = model_create(&opt, NULL, NULL);
    CHECK(m != NULL);
    if (m) {
        packet(m, 100, 80, 80, 13, 40100, F_SYN | F_ACK, 5000, 1001, 0);
        packet(m, 200, 80, 80, 13, 40100, F_ACK | F_PSH, 5001, 1101, 200);
        packet(m, 300, 80, 80, 13, 40100, F_FIN | F_ACK, 5201, 1101, 0);
        model_advance(m, T0 + MS(5000));
        v = model_view(m, T0 + MS(5000));
        const struct model_row *rd = row_of(v, 40100);
        CHECK(rd != NULL && rd->state[CLIENT] == ST_CLOSE_WAIT);
        CHECK_EQ(v->stuck, 0);
        CHECK(rd != NULL && (rd->anomalies & (1u << AN_ONE_SIDED)));   /* the row's ANOMALY column */
        s = model_summary(m, T0 + MS(5000));
        bool judged_stuck = false, one_sided = false;
        for (uint32_t i = 0; i < s->nanoms; i++) {
            judged_stuck |= s->anoms[i].judged_live && s->anoms[i].id != AN_ONE_SIDED;
            /* ... while the one-sided capture is judged live, as the report will */
            if (s->anoms[i].id == AN_ONE_SIDED) {
                one_sided = true;
                CHECK(s->anoms[i].judged_live);
                CHECK_EQ(s->anoms[i].who, CLIENT);
                CHECK_EQ(s->anoms[i].count, 3);
                CHECK_STREQ(s->anoms[i].detail, "only the server's 3 packets were captured, none from the client");
            }
        }
        CHECK(!judged_stuck);
        CHECK(one_sided);
        model_destroy(m);
    }

    /* A connection silent for longer than --idle-after (60 s): idle, judged
     * live as the report will word it, from the moment the silence passes
     * 60 s - not at 60 s, not after it speaks again; a second, longer
     * silence is shown at its own length over the first one's record */
    m = model_create(&opt, NULL, NULL);
    CHECK(m != NULL);
    if (m) {
        handshake(m, 900, 17, 40500);
        packet(m, 1000, 17, 40500, 80, 80, F_ACK | F_PSH, 1001, 5001, 100);
        v = model_view(m, T0 + MS(61000));
        const struct model_row *ri = row_of(v, 40500);
        CHECK(ri != NULL && !(ri->anomalies & (1u << AN_IDLE)));
        v = model_view(m, T0 + MS(61001));
        ri = row_of(v, 40500);
        CHECK(ri != NULL && (ri->anomalies & (1u << AN_IDLE)));
        bool idle = false;
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_IDLE) {
                idle = true;
                CHECK(v->anoms[i].judged_live);
                CHECK_EQ(v->anoms[i].who, -1);
                CHECK_STREQ(v->anoms[i].detail, "no segment for 1m00s");
            }
        CHECK(idle);
        check_counts_match(model_summary(m, T0 + MS(61001)), v);
        /* it speaks (the analysis records that silence), then is silent
         * for 90 s */
        packet(m, 70000, 17, 40500, 80, 80, F_ACK | F_PSH, 1101, 5001, 100);
        v = model_view(m, T0 + MS(70001));
        ri = row_of(v, 40500);
        CHECK(ri != NULL && (ri->anomalies & (1u << AN_IDLE)));
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_IDLE) {
                CHECK(!v->anoms[i].judged_live);
                CHECK_STREQ(v->anoms[i].detail, "no segment for 1m09s");
            }
        v = model_view(m, T0 + MS(160000));
        idle = false;
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_IDLE) {
                idle = true;
                CHECK_STREQ(v->anoms[i].detail, "no segment for 1m30s");
            }
        CHECK(idle);
        model_destroy(m);
    }

    /* A server stuck in CLOSE_WAIT whose host gave up: the client's FIN at
     * 1000 ms, acknowledged; the server's 100 bytes at 1100 ms never
     * acknowledged, sent again at 1300, 1700 and 2500 ms, then nothing
     * (the next was due at 4100 ms).  With --stuck-after 3 it was stuck 3 s
     * when it gave up: the view shows it CLOSED (inferred), not marked
     * STUCK, and lists close-wait-stuck as the report will word it */
    m = model_create(&opt, NULL, NULL);
    CHECK(m != NULL);
    if (m) {
        handshake(m, 900, 18, 40600);
        packet(m, 1000, 18, 40600, 80, 80, F_FIN | F_ACK, 1001, 5001, 0);
        packet(m, 1001, 80, 80, 18, 40600, F_ACK, 5001, 1002, 0);
        for (int i = 0; i < 4; i++)
            packet(m, i == 0 ? 1100 : i == 1 ? 1300 : i == 2 ? 1700 : 2500, 80, 80, 18, 40600, F_ACK | F_PSH, 5001,
                   1002, 100);
        v = model_view(m, T0 + MS(4200));
        const struct model_row *rw = row_of(v, 40600);
        CHECK(rw != NULL && rw->state[SERVER] == ST_CLOSED && (rw->epflags[SERVER] & EPF_INFERRED));
        CHECK(rw != NULL && !(rw->stuck & (1u << SERVER)));
        bool cw = false;
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_CLOSE_WAIT_STUCK) {
                cw = true;
                CHECK(v->anoms[i].judged_live);
                CHECK_EQ(v->anoms[i].who, SERVER);
                CHECK(v->anoms[i].end == T0 + MS(4100));
                CHECK(strstr(v->anoms[i].detail, "server in CLOSE_WAIT for 3.00s (since packet ") != NULL);
                CHECK(strstr(v->anoms[i].detail, "until its host gave up retransmitting") != NULL);
            }
        CHECK(cw);
        model_destroy(m);
    }

    /* A client that gave up: its 100 bytes sent at 1000 ms, sent again at
     * 1200, 1600 and 2400 ms (its timer doubling: 200, 400, 800), never
     * acknowledged, and nothing from it after.  The tracker judges it only
     * as the connection leaves; the view shows it CLOSED (inferred, since
     * the next retransmission was due: 2400 + 2 x 800 ms) as soon as that
     * time has passed, in its row, the counts and the summary; ESTABLISHED
     * until then, and again once it sends more. */
    m = model_create(&opt, NULL, NULL);
    CHECK(m != NULL);
    if (m) {
        handshake(m, 900, 14, 40200);
        for (int i = 0; i < 4; i++)
            packet(m, i == 0 ? 1000 : i == 1 ? 1200 : i == 2 ? 1600 : 2400, 14, 40200, 80, 80, F_ACK | F_PSH, 1001,
                   5001, 100);
        v = model_view(m, T0 + MS(3999));
        const struct model_row *rg = row_of(v, 40200);
        CHECK(rg != NULL && rg->state[CLIENT] == ST_ESTABLISHED && !(rg->epflags[CLIENT] & EPF_INFERRED));
        CHECK_EQ(v->state[CLIENT][ST_ESTABLISHED], 1);
        v = model_view(m, T0 + MS(4001));
        rg = row_of(v, 40200);
        CHECK(rg != NULL && rg->state[CLIENT] == ST_CLOSED && (rg->epflags[CLIENT] & EPF_INFERRED));
        CHECK(rg != NULL && rg->since[CLIENT] == T0 + MS(4000));
        CHECK(rg != NULL && rg->state[SERVER] == ST_ESTABLISHED);
        CHECK_EQ(v->state[CLIENT][ST_CLOSED], 1);
        CHECK_EQ(v->state[CLIENT][ST_ESTABLISHED], 0);
        s = model_summary(m, T0 + MS(4001));
        CHECK_EQ(s->state[CLIENT][ST_CLOSED], 1);
        struct model_detail dg;
        memset(&dg, 0, sizeof dg);
        model_detail(m, rg ? rg->id : 0, T0 + MS(4001), &dg);
        CHECK(!dg.gone && dg.row.state[CLIENT] == ST_CLOSED);
        model_detail_free(&dg);
        /* a server that answered once and holds no request (a SYN
         * cookie): SYN_RCVD for 4.5 s after the SYN-ACK (3 s and half
         * again), LISTEN (inferred) after */
        packet(m, 5000, 15, 40300, 80, 80, F_SYN, 7000, 0, 0);
        packet(m, 5001, 80, 80, 15, 40300, F_SYN | F_ACK, 9000, 7001, 0);
        v = model_view(m, T0 + MS(9500));
        const struct model_row *rc = row_of(v, 40300);
        CHECK(rc != NULL && rc->state[SERVER] == ST_SYN_RCVD && !(rc->epflags[SERVER] & EPF_INFERRED));
        v = model_view(m, T0 + MS(9502));
        rc = row_of(v, 40300);
        CHECK(rc != NULL && rc->state[SERVER] == ST_LISTEN && (rc->epflags[SERVER] & EPF_INFERRED));
        CHECK(rc != NULL && rc->since[SERVER] == T0 + MS(9501));
        CHECK_EQ(v->state[SERVER][ST_SYN_RCVD], 0);
        /* ... and synack-unacked, judged live, worded as the report will */
        CHECK(rc != NULL && (rc->anomalies & (1u << AN_SYNACK_UNACKED)));
        bool half = false;
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_SYNACK_UNACKED) {
                half = true;
                CHECK(v->anoms[i].judged_live);
                CHECK_STREQ(v->anoms[i].detail, "server sent 1 SYN-ACK, then nothing: it held no request (a SYN "
                                                "cookie, or dropped); client never completed");
            }
        CHECK(half);
        check_counts_match(model_summary(m, T0 + MS(9502)), v);
        /* a SYN nobody answers: syn-unanswered once its retransmission
         * timeout (1 s) has passed, not before */
        packet(m, 9502, 16, 40400, 80, 80, F_SYN, 3000, 0, 0);
        v = model_view(m, T0 + MS(10400));
        const struct model_row *ru = row_of(v, 40400);
        CHECK(ru != NULL && !(ru->anomalies & (1u << AN_SYN_UNANSWERED)));
        v = model_view(m, T0 + MS(10502));
        ru = row_of(v, 40400);
        CHECK(ru != NULL && (ru->anomalies & (1u << AN_SYN_UNANSWERED)));
        bool unanswered = false;
        for (uint32_t i = 0; i < v->nanoms; i++)
            if (v->anoms[i].id == AN_SYN_UNANSWERED) {
                unanswered = true;
                CHECK(v->anoms[i].judged_live);
                CHECK_EQ(v->anoms[i].who, SERVER);
            }
        CHECK(unanswered);
        check_counts_match(model_summary(m, T0 + MS(10502)), v);
        /* ... and once its next SYN is overdue, even late (after a single
         * SYN, which may be a retransmission the capture began after: the
         * longest timer, 120 s, and half again), the client gave up:
         * CLOSED (inferred) as of then, still syn-unanswered */
        v = model_view(m, T0 + MS(189502));
        ru = row_of(v, 40400);
        CHECK(ru != NULL && ru->state[CLIENT] == ST_SYN_SENT && !(ru->epflags[CLIENT] & EPF_INFERRED));
        v = model_view(m, T0 + MS(189503));
        ru = row_of(v, 40400);
        CHECK(ru != NULL && ru->state[CLIENT] == ST_CLOSED && (ru->epflags[CLIENT] & EPF_INFERRED));
        CHECK(ru != NULL && ru->since[CLIENT] == T0 + MS(189502));
        CHECK(ru != NULL && (ru->anomalies & (1u << AN_SYN_UNANSWERED)));
        check_counts_match(model_summary(m, T0 + MS(189503)), v);
        /* it was not gone after all */
        packet(m, 5000, 14, 40200, 80, 80, F_ACK | F_PSH, 1101, 5001, 10);
        v = model_view(m, T0 + MS(5001));
        rg = row_of(v, 40200);
        CHECK(rg != NULL && rg->state[CLIENT] == ST_ESTABLISHED);
        model_destroy(m);
    }
    options_free(&opt);
    return unit_done("test_model");
}
