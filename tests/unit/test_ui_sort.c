/* test_ui_sort.c - the connections table's order (src/ui_conns.c,
 * ui_conns_rebuild()).
 *
 * The table sorts by keys made once per row.  Whatever the column, the
 * direction and the default "troubles first" order, the order must be the
 * one the comparison below gives, row against row: the specification,
 * written as the table compared rows before the keys (by the column's
 * value, reversed when descending, then by ascending id).  Rows are drawn
 * with many ties (few states, few addresses, equal counts) so that every
 * word of a key and the id decide somewhere; IPv4 and IPv6 mixed; sizes
 * from 0 rows to past the insertion sort's cut-off, and inputs already in
 * order and in reverse order. */
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "ui_priv.h"
#include "unit.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;

static int cmp3(int64_t a, int64_t b) { return (a > b) - (a < b); }

static tstamp_t spec_in_state(const struct model_row *r, tstamp_t now)
{
    if (r->stuck) {
        tstamp_t s = now;
        for (int role = 0; role < 2; role++)
            if ((r->stuck & (1u << role)) && r->since[role] < s)
                s = r->since[role];
        return now - s;
    }
    tstamp_t s = r->since[0] > r->since[1] ? r->since[0] : r->since[1];
    return now - s;
}

static int spec_trouble(const struct model_row *r)
{
    int t = 0;
    for (int role = 0; role < 2; role++)
        if (r->stuck & (1u << role))
            t += 1000;
    if (r->anomalies)
        t += anomaly_info(r->worst)->severity;
    return t;
}

static int spec_compare(const void *pa, const void *pb, void *ctx)
{
    const struct ui *u = ctx;
    const struct model_row *x = &u->view->rows[*(const uint32_t *)pa], *y = &u->view->rows[*(const uint32_t *)pb];
    tstamp_t now = u->view->now;
    int c = 0;
    switch (u->sort) {
    case COL_CLIENT:
    case COL_SERVER: {
        int role = u->sort == COL_CLIENT ? CLIENT : SERVER;
        c = addr_cmp(&x->addr[role], &y->addr[role]);
        c = (c > 0) - (c < 0);
        if (!c)
            c = cmp3(x->port[role], y->port[role]);
        break;
    }
    case COL_CSTATE: c = cmp3(x->state[CLIENT], y->state[CLIENT]); break;
    case COL_SSTATE: c = cmp3(x->state[SERVER], y->state[SERVER]); break;
    case COL_INSTATE: c = cmp3(spec_in_state(x, now), spec_in_state(y, now)); break;
    case COL_AGE: c = cmp3(now - x->first, now - y->first); break;
    case COL_IDLE: c = cmp3(now - x->last, now - y->last); break;
    case COL_PKTS: c = cmp3((int64_t)x->pkts[0] + x->pkts[1], (int64_t)y->pkts[0] + y->pkts[1]); break;
    case COL_BYTES: c = cmp3((int64_t)(x->bytes[0] + x->bytes[1]), (int64_t)(y->bytes[0] + y->bytes[1])); break;
    case COL_RATE_CS: c = (x->rate[0] > y->rate[0]) - (x->rate[0] < y->rate[0]); break;
    case COL_RATE_SC: c = (x->rate[1] > y->rate[1]) - (x->rate[1] < y->rate[1]); break;
    case COL_ANOM:
    case COL__COUNT:
        c = cmp3(spec_trouble(x), spec_trouble(y));
        if (!c)
            c = cmp3(x->nanom, y->nanom);
        if (!c && u->sort_default)
            c = cmp3(spec_in_state(x, now), spec_in_state(y, now));
        break;
    }
    if (u->sort_desc)
        c = -c;
    if (!c)
        c = cmp3(x->id, y->id);
    return c;
}

static void random_row(struct model_row *r, uint32_t id, tstamp_t now)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    for (int role = 0; role < 2; role++) {
        struct flow_addr *a = &r->addr[role];
        a->family = unit_rand(&rng) % 3 ? 4 : 6;
        /* few distinct addresses; IPv4's unused bytes left as they come */
        for (int i = 0; i < 16; i++)
            a->b[i] = (uint8_t)(unit_rand(&rng) % 3);
        if (unit_rand(&rng) % 4 == 0)
            a->b[unit_rand(&rng) % 16] = 0xff;
        r->port[role] = (uint16_t)(unit_rand(&rng) % 4 ? 80 + unit_rand(&rng) % 3 : unit_rand(&rng));
        r->state[role] = (uint8_t)(unit_rand(&rng) % ST__COUNT);
        r->since[role] = now - (tstamp_t)(unit_rand(&rng) % 5) * TS_PER_SEC + (unit_rand(&rng) % 2 ? 0 : TS_PER_SEC);
        r->bytes[role] = unit_rand(&rng) % 3 ? unit_rand(&rng) % 4 : unit_rand64(&rng);
        r->pkts[role] = unit_rand(&rng) % 3 ? unit_rand(&rng) % 4 : unit_rand(&rng);
        uint32_t kind = unit_rand(&rng) % 4;
        r->rate[role] = kind == 0 ? 0 : kind == 1 ? 1.5 : kind == 2 ? (double)(unit_rand(&rng) % 1000) / 7 : 1e12;
    }
    r->first = now - (tstamp_t)(unit_rand(&rng) % 4) * TS_PER_SEC;
    r->last = r->first + (tstamp_t)(unit_rand(&rng) % 3) * TS_PER_SEC;
    r->stuck = (uint8_t)(unit_rand(&rng) % 5 == 0 ? 1 + unit_rand(&rng) % 3 : 0);
    if (unit_rand(&rng) % 3 == 0) {
        r->worst = (uint8_t)(unit_rand(&rng) % AN__COUNT);
        r->anomalies = 1u << r->worst;
        r->nanom = (uint8_t)(1 + unit_rand(&rng) % 3);
    }
}

/* ui_conns_rebuild() on the view against the specification's order. */
static void check_order(struct ui *u, const char *what)
{
    ui_conns_rebuild(u);
    const struct model_view *v = u->view;
    uint32_t *want = malloc((v->nrows + 1) * sizeof *want);
    CHECK(want != NULL);
    if (!want)
        return;
    for (uint32_t i = 0; i < v->nrows; i++)
        want[i] = i;
    qsort_r(want, v->nrows, sizeof *want, spec_compare, u);
    CHECKF(u->norder == v->nrows, "%s: %u of %u rows", what, u->norder, v->nrows);
    uint32_t first_bad = UINT32_MAX;
    for (uint32_t i = 0; i < v->nrows && i < u->norder && first_bad == UINT32_MAX; i++)
        if (u->order[i] != want[i])
            first_bad = i;
    CHECKF(first_bad == UINT32_MAX, "%s (col %d, %s%s, %u rows): first difference at %u", what, (int)u->sort,
           u->sort_desc ? "descending" : "ascending", u->sort_default ? ", default" : "", v->nrows, first_bad);
    free(want);
}

static void check_all_orders(struct ui *u, const char *what)
{
    for (int col = 0; col <= COL__COUNT; col++)
        for (int desc = 0; desc < 2; desc++)
            for (int dflt = 0; dflt < 2; dflt++) {
                if (dflt && col != COL_ANOM && col != COL__COUNT)
                    continue;
                u->sort = (enum conn_col)col;
                u->sort_desc = desc;
                u->sort_default = dflt;
                check_order(u, what);
            }
}

int main(void)
{
    const tstamp_t now = (tstamp_t)1700000000 * TS_PER_SEC;
    static const uint32_t sizes[] = { 0, 1, 2, 3, 16, 17, 40, 1000, 20000 };
    struct model_view v;
    memset(&v, 0, sizeof v);
    v.now = now;
    v.rows = malloc(20000 * sizeof *v.rows);
    struct ui *u = calloc(1, sizeof *u);
    CHECK(v.rows != NULL && u != NULL);
    if (!v.rows || !u)
        return unit_done("test_ui_sort");
    u->view = &v;
    u->state_only = -1;

    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        v.nrows = sizes[s];
        for (uint32_t i = 0; i < v.nrows; i++)
            random_row(&v.rows[i], (uint32_t)(unit_rand(&rng) % 3 ? i + 1 : v.nrows * 2 - i), now);
        check_all_orders(u, "random rows");
    }

    /* the heapsort quicksort turns to past its depth: straight away, and
     * after a level or two */
    for (int cap = 0; cap <= 2; cap++) {
        ui_conns_sort_depth_cap(cap);
        v.nrows = cap == 1 ? 20000 : 1000;
        for (uint32_t i = 0; i < v.nrows; i++)
            random_row(&v.rows[i], i + 1, now);
        check_all_orders(u, "heapsort past the depth");
    }
    ui_conns_sort_depth_cap(-1);

    /* rows already in the order asked for, and in reverse */
    v.nrows = 20000;
    for (uint32_t i = 0; i < v.nrows; i++) {
        random_row(&v.rows[i], i + 1, now);
        v.rows[i].bytes[0] = i;
        v.rows[i].bytes[1] = 0;
    }
    u->sort = COL_BYTES;
    u->sort_desc = false;
    u->sort_default = false;
    check_order(u, "ascending input");
    u->sort_desc = true;
    check_order(u, "ascending input, sorted descending");

    /* a filter: the matching rows, all of them, in order */
    u->state_only = ST_ESTABLISHED;
    u->sort = COL_AGE;
    u->sort_desc = false;
    ui_conns_rebuild(u);
    uint32_t *want = malloc(v.nrows * sizeof *want), nwant = 0;
    CHECK(want != NULL);
    if (want) {
        for (uint32_t i = 0; i < v.nrows; i++)
            if (v.rows[i].state[0] == ST_ESTABLISHED || v.rows[i].state[1] == ST_ESTABLISHED)
                want[nwant++] = i;
        qsort_r(want, nwant, sizeof *want, spec_compare, u);
        CHECK(nwant > 0 && nwant < v.nrows);
        CHECK_EQ(u->norder, nwant);
        CHECK(u->norder == nwant && memcmp(u->order, want, nwant * sizeof *want) == 0);
        free(want);
    }

    free(u->order);
    free(u->keys);
    free(u);
    free(v.rows);
    return unit_done("test_ui_sort");
}
