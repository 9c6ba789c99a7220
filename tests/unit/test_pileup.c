/* test_pileup.c - the TIME_WAIT pileup counts under churn.
 *
 * analysis_time_wait() counts client TIME_WAIT endpoints per (client
 * address, service) in an open-addressing table that drops a pair once it
 * has none left (unless it reached the threshold).  Here random connections
 * enter and leave TIME_WAIT across a few thousand pairs, and a plain array
 * keeps the expected counts: every pileup the analysis reports at the end
 * must be one the model saw reach the threshold, with the same peak, and
 * none may be missing.  Deletions in the middle of probe runs are where an
 * open-addressing table loses entries, so this also checks that a pair
 * counted up again after leaving is found. Then, 200,000 distinct pairs that
 * each come and go must not fill the table: a pileup after them is still
 * seen (a table that kept them would refuse it).  And when more pairs wait
 * at once than the table holds, the pairs of the oldest single TIME_WAITs
 * make room for new ones, so a pileup is still seen; pairs with two or more
 * are kept come what may. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "conn.h"
#include "unit.h"

#define PAIRS 3000
#define CONNS_PER_PAIR 8
#define THRESHOLD 6

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t next_rand(void) { return unit_rand(&rng); }

/* A connection from client address number `client` to 198.51.100.1:port. */
static void make_conn(struct conn *c, uint32_t client, uint16_t port, uint16_t sport)
{
    memset(c, 0, sizeof *c);
    struct ct_tuple *k = &c->node.key;
    c->node.family = 4;
    k->addr[0][0] = 192;
    k->addr[0][1] = 0;
    k->addr[0][2] = (uint8_t)(client >> 8);
    k->addr[0][3] = (uint8_t)client;
    k->addr[0][4] = (uint8_t)(client >> 16);   /* more clients than a /24 holds */
    k->addr[1][0] = 198;
    k->addr[1][1] = 51;
    k->addr[1][2] = 100;
    k->addr[1][3] = 1;
    k->port[0] = sport;
    k->port[1] = port;
    c->first = 1700000000LL * TS_PER_SEC;
}

static const struct service_anomaly *find_pileup(const struct service_anomaly *s, uint32_t n,
                                                 uint32_t client, uint16_t port)
{
    for (uint32_t i = 0; i < n; i++) {
        if (s[i].a.id != AN_TIME_WAIT_PILEUP || s[i].port != port)
            continue;
        const uint8_t *b = s[i].client.b;
        uint32_t num = (uint32_t)b[2] << 8 | b[3] | (uint32_t)b[4] << 16;
        if (num == client)
            return &s[i];
    }
    return NULL;
}

/* The connections of one array in array order, as the tracker gives its
 * TIME_WAIT list (entered first, first): for the full-table tests, whose
 * connections enter TIME_WAIT in array order. */
struct array_walk {
    struct conn *base;
    size_t n;
};

static struct conn *walk_array(void *ctx, struct conn *after)
{
    const struct array_walk *w = ctx;
    if (!after || after < w->base || after >= w->base + w->n)
        return w->n ? w->base : NULL;
    return after + 1 < w->base + w->n ? after + 1 : NULL;
}

/* An analysis whose pileup threshold is THRESHOLD. */
static struct analysis *new_analysis(uint32_t max_conns)
{
    struct analysis_config cfg;
    analysis_config_defaults(&cfg);
    cfg.pileup = THRESHOLD;
    struct analysis *an = analysis_create(&cfg, max_conns);
    CHECK(an != NULL);
    return an;
}

static void test_churn(void)
{
    struct analysis *an = new_analysis(1u << 16);
    if (!an)
        return;

    static struct conn conns[PAIRS][CONNS_PER_PAIR];
    static uint32_t now[PAIRS], peak[PAIRS];
    for (uint32_t p = 0; p < PAIRS; p++)
        for (uint32_t j = 0; j < CONNS_PER_PAIR; j++)
            make_conn(&conns[p][j], p, (uint16_t)(8000 + p % 7), (uint16_t)(40000 + j));

    /* Enter and leave at random; pairs drift up and down through zero. */
    for (uint32_t step = 0; step < 400000; step++) {
        uint32_t p = next_rand() % PAIRS, j = next_rand() % CONNS_PER_PAIR;
        struct conn *c = &conns[p][j];
        bool in = (c->flags & CF_TW_COUNTED) != 0;
        /* leave more often than enter, so most pairs keep falling to zero */
        bool enter = !in && next_rand() % 8 < 3;
        bool leave = in && next_rand() % 8 < 4;
        if (enter) {
            analysis_time_wait(an, c, true);
            CHECK(c->flags & CF_TW_COUNTED);
            if (++now[p] > peak[p])
                peak[p] = now[p];
        } else if (leave) {
            analysis_time_wait(an, c, false);
            CHECK(!(c->flags & CF_TW_COUNTED));
            now[p]--;
        }
    }
    analysis_finish(an, 1700000100LL * TS_PER_SEC);
    uint32_t n;
    const struct service_anomaly *s = analysis_service_anomalies(an, &n);
    uint32_t expected = 0, reported = 0;
    for (uint32_t i = 0; i < n; i++)
        reported += s[i].a.id == AN_TIME_WAIT_PILEUP;
    for (uint32_t p = 0; p < PAIRS; p++) {
        const struct service_anomaly *f = find_pileup(s, n, p, (uint16_t)(8000 + p % 7));
        if (peak[p] >= THRESHOLD) {
            expected++;
            CHECKF(f != NULL, "pair %u peak %u not reported", p, peak[p]);
            CHECKF(f && f->a.count == peak[p], "pair %u: peak %u, reported %u", p, peak[p],
                   f ? f->a.count : 0);
        } else {
            CHECKF(f == NULL, "pair %u peak %u reported", p, peak[p]);
        }
    }
    CHECK_EQ(reported, expected);
    /* the scenario must exercise both sides of the threshold */
    CHECK(expected > 10);
    CHECK(expected < PAIRS);
    analysis_destroy(an);
}

/* n connections of one pair (client number, port) enter TIME_WAIT, the
 * j-th at its first segment + j ms; each must be counted. */
static void pile_up(struct analysis *an, struct conn *late, int n, uint32_t client, uint16_t port)
{
    for (int j = 0; j < n; j++) {
        make_conn(&late[j], client, port, (uint16_t)(50000 + j));
        late[j].ep[CLIENT].since_rel = (uint32_t)j * 1000;
        analysis_time_wait(an, &late[j], true);
        CHECK(late[j].flags & CF_TW_COUNTED);
    }
}

/* Finish the analysis and find the pileup of (client number, port). */
static const struct service_anomaly *finish_and_find(struct analysis *an, uint32_t client, uint16_t port,
                                                     uint32_t *n)
{
    analysis_finish(an, 1700000100LL * TS_PER_SEC);
    const struct service_anomaly *s = analysis_service_anomalies(an, n);
    return find_pileup(s, *n, client, port);
}

static void test_many_transient_pairs(void)
{
    struct analysis *an = new_analysis(1u << 20);
    if (!an)
        return;
    struct conn c;
    for (uint32_t client = 0; client < 200000; client++) {
        make_conn(&c, client, 443, 50000);
        analysis_time_wait(an, &c, true);
        analysis_time_wait(an, &c, false);
    }
    /* two past the threshold: the peak's time moves on after it is found */
    static struct conn late[THRESHOLD + 2];
    pile_up(an, late, THRESHOLD + 2, 300000, 443);
    uint32_t n;
    const struct service_anomaly *f = finish_and_find(an, 300000, 443, &n);
    CHECK(f != NULL);
    CHECK(f && f->a.count == THRESHOLD + 2);
    /* the pileup is dated when its count last reached the peak */
    CHECK(f && f->a.start == late[0].first + (THRESHOLD + 1) * TS_PER_MS);
    CHECK_EQ(n, 1);
    CHECK_EQ(analysis_stats(an)->time_wait_not_counted, 0);
    analysis_destroy(an);
}

/* More pairs with a TIME_WAIT at once than the table holds, each with one:
 * every new pair takes the place of the oldest (counted as dropped, never
 * silently), and a pileup that starts while the table is full is counted
 * exactly - a table that refused new pairs would never see it. */
static void test_table_full_of_singles(void)
{
    enum { TABLE = 65536, EXTRA = 37 };
    struct analysis *an = new_analysis(1u << 20);
    if (!an)
        return;
    static struct conn one[TABLE + EXTRA];
    struct array_walk w = { one, TABLE + EXTRA };
    analysis_set_time_wait_walk(an, walk_array, &w);
    for (uint32_t i = 0; i < TABLE + EXTRA; i++) {
        make_conn(&one[i], i, 443, 50000);
        analysis_time_wait(an, &one[i], true);
        CHECK(one[i].flags & CF_TW_COUNTED);
    }
    CHECK_EQ(analysis_stats(an)->time_wait_dropped, EXTRA);
    CHECK_EQ(analysis_stats(an)->time_wait_not_counted, 0);
    /* the ones given up are the oldest: the same whatever the hash key */
    uint32_t counted = 0;
    for (uint32_t i = 0; i < TABLE + EXTRA; i++) {
        bool in = (one[i].flags & CF_TW_COUNTED) != 0;
        CHECKF(in == (i >= EXTRA), "connection %u %s", i, in ? "still counted" : "given up");
        counted += in;
    }
    CHECK_EQ(counted, TABLE);
    /* a pileup while they all still wait: its first TIME_WAIT gives up one
     * more single, the rest find their pair */
    static struct conn late[THRESHOLD + 1];
    pile_up(an, late, THRESHOLD + 1, 400000, 80);
    CHECK_EQ(analysis_stats(an)->time_wait_dropped, EXTRA + 1);
    CHECK(!(one[EXTRA].flags & CF_TW_COUNTED));
    for (uint32_t i = 0; i < TABLE + EXTRA; i++) {
        analysis_time_wait(an, &one[i], false);
        CHECK(!(one[i].flags & CF_TW_COUNTED));
    }
    uint32_t n;
    const struct service_anomaly *f = finish_and_find(an, 400000, 80, &n);
    CHECK(f != NULL);
    CHECK(f && f->a.count == THRESHOLD + 1);
    CHECK_EQ(n, 1);
    CHECK_EQ(analysis_stats(an)->time_wait_not_counted, 0);
    analysis_destroy(an);
}

/* A table full of pairs with two TIME_WAITs each has nothing it may give
 * up: a new pair is refused and counted as not counted; once they leave, a
 * pileup of a new pair is found as usual. */
static void test_table_full_of_pairs(void)
{
    enum { TABLE = 65536, EXTRA = 37 };
    struct analysis *an = new_analysis(1u << 20);
    if (!an)
        return;
    static struct conn two[TABLE][2];
    struct array_walk w = { &two[0][0], 2 * TABLE };
    analysis_set_time_wait_walk(an, walk_array, &w);
    for (uint32_t i = 0; i < TABLE; i++)
        for (int j = 0; j < 2; j++) {
            make_conn(&two[i][j], i, 443, (uint16_t)(50000 + j));
            analysis_time_wait(an, &two[i][j], true);
            CHECK(two[i][j].flags & CF_TW_COUNTED);
        }
    static struct conn extra[EXTRA];
    for (uint32_t i = 0; i < EXTRA; i++) {
        make_conn(&extra[i], TABLE + i, 443, 50000);
        analysis_time_wait(an, &extra[i], true);
        CHECK(!(extra[i].flags & CF_TW_COUNTED));
    }
    CHECK_EQ(analysis_stats(an)->time_wait_not_counted, EXTRA);
    CHECK_EQ(analysis_stats(an)->time_wait_dropped, 0);
    for (uint32_t i = 0; i < TABLE; i++)
        for (int j = 0; j < 2; j++)
            analysis_time_wait(an, &two[i][j], false);
    static struct conn late[THRESHOLD];
    pile_up(an, late, THRESHOLD, 400000, 80);
    uint32_t n;
    const struct service_anomaly *f = finish_and_find(an, 400000, 80, &n);
    CHECK(f && f->a.count == THRESHOLD);
    CHECK_EQ(n, 1);
    CHECK_EQ(analysis_stats(an)->time_wait_not_counted, EXTRA);
    CHECK_EQ(analysis_stats(an)->time_wait_dropped, 0);
    analysis_destroy(an);
}

/* Churn through many more single pairs than the table holds, with a few
 * busy pairs among them: whatever is dropped, a pair's reported peak is
 * never above the true one, and busy pairs far past the threshold are all
 * found (a pair with more than one TIME_WAIT is never given up). */
static void test_full_churn(void)
{
    enum { SINGLES = 150000, BUSY = 16, PER_BUSY = 64 };
    struct analysis *an = new_analysis(1u << 20);
    if (!an)
        return;
    static struct conn single[SINGLES];
    static struct conn busy[BUSY][PER_BUSY];
    static uint32_t now[BUSY], peak[BUSY];
    /* (in array order, not in order of entering: what is given up is then
     * some single, which is all this test needs) */
    struct array_walk w = { single, SINGLES };
    analysis_set_time_wait_walk(an, walk_array, &w);
    for (uint32_t i = 0; i < SINGLES; i++)
        make_conn(&single[i], i, 443, 50000);
    for (uint32_t b = 0; b < BUSY; b++)
        for (uint32_t j = 0; j < PER_BUSY; j++)
            make_conn(&busy[b][j], 500000 + b, 8080, (uint16_t)(40000 + j));
    for (uint32_t step = 0; step < 1000000; step++) {
        struct conn *c;
        uint32_t b = UINT32_MAX;
        if (next_rand() % 16 == 0) {
            b = next_rand() % BUSY;
            c = &busy[b][next_rand() % PER_BUSY];
        } else {
            c = &single[next_rand() % SINGLES];
        }
        bool in = (c->flags & CF_TW_COUNTED) != 0;
        if (!in && next_rand() % 4 < 3) {
            analysis_time_wait(an, c, true);
            if (b != UINT32_MAX && ++now[b] > peak[b])
                peak[b] = now[b];
        } else if (in && next_rand() % 4 == 0) {
            analysis_time_wait(an, c, false);
            if (b != UINT32_MAX)
                now[b]--;
        }
    }
    /* the table was full for most of the run */
    CHECK(analysis_stats(an)->time_wait_dropped > 10000);
    analysis_finish(an, 1700000100LL * TS_PER_SEC);
    uint32_t n;
    const struct service_anomaly *s = analysis_service_anomalies(an, &n);
    uint32_t found = 0;
    for (uint32_t b = 0; b < BUSY; b++) {
        const struct service_anomaly *f = find_pileup(s, n, 500000 + b, 8080);
        CHECKF(peak[b] >= 2 * THRESHOLD, "busy pair %u: peak only %u", b, peak[b]);
        CHECKF(f != NULL, "busy pair %u (peak %u) not reported", b, peak[b]);
        CHECKF(!f || f->a.count <= peak[b], "busy pair %u: reported %u, true peak %u", b, f ? f->a.count : 0,
               peak[b]);
        found += f != NULL;
    }
    CHECK_EQ(found, BUSY);
    analysis_destroy(an);
}

int main(void)
{
    test_churn();
    test_many_transient_pairs();
    test_table_full_of_singles();
    test_table_full_of_pairs();
    test_full_churn();
    return unit_done("test_pileup");
}
