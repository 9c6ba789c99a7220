/* ui_conns.c - the connections table: one row per tracked connection,
 * filtered, sorted, and as many columns as the terminal has room for. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "format.h"
#include "ui_priv.h"

struct col_def {
    const char *name;
    int width;              /* 0: sized to its content */
    int priority;           /* lower: kept first when the terminal is narrow */
    bool right;             /* right-aligned */
};

static const struct col_def cols[COL__COUNT] = {
    [COL_CLIENT] = { "CLIENT", 0, 0, false },
    [COL_SERVER] = { "SERVER", 0, 1, false },
    [COL_CSTATE] = { "C-STATE", 11, 2, false },
    [COL_SSTATE] = { "S-STATE", 11, 3, false },
    [COL_INSTATE] = { "IN-STATE", 8, 4, true },
    [COL_AGE] = { "AGE", 7, 7, true },
    [COL_IDLE] = { "IDLE", 7, 6, true },
    [COL_PKTS] = { "PKTS", 7, 8, true },
    [COL_BYTES] = { "BYTES", 7, 9, true },
    [COL_RATE_CS] = { "C>S/s", 7, 10, true },
    [COL_RATE_SC] = { "S>C/s", 7, 11, true },
    [COL_ANOM] = { "ANOMALY", 14, 5, false },
};

const char *ui_col_name(enum conn_col c) { return cols[c].name; }

static void endpoint_text(const struct model_row *r, int role, char buf[ENDPOINT_STRLEN])
{
    format_addr_port(&r->addr[role], r->port[role], buf);
}

/* How long the connection has been as it is: since either endpoint last
 * changed state; for a stuck connection, how long its stuck endpoint has
 * been stuck. */
static tstamp_t in_state(const struct model_row *r, tstamp_t now)
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

static bool matches(const struct ui *u, const struct model_row *r)
{
    if (u->state_only >= 0 && r->state[0] != u->state_only && r->state[1] != u->state_only)
        return false;
    if (!u->filter[0])
        return true;
    char c[ENDPOINT_STRLEN], s[ENDPOINT_STRLEN], both[2 * ENDPOINT_STRLEN + 2];
    endpoint_text(r, CLIENT, c);
    endpoint_text(r, SERVER, s);
    snprintf(both, sizeof both, "%s %s", c, s);
    /* several words: each must match */
    char words[sizeof u->filter];
    snprintf(words, sizeof words, "%s", u->filter);
    char *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (!strcasestr(both, w))
            return false;
    return true;
}

static int cmp3(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int trouble(const struct model_row *r)
{
    int t = 0;
    for (int role = 0; role < 2; role++)
        if (r->stuck & (1u << role))
            t += 1000;
    if (r->anomalies)
        t += anomaly_info(r->worst)->severity;
    return t;
}

static int compare(const void *pa, const void *pb, void *ctx)
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
        if (!c)
            c = cmp3(x->port[role], y->port[role]);
        break;
    }
    case COL_CSTATE:
        c = cmp3(x->state[CLIENT], y->state[CLIENT]);
        break;
    case COL_SSTATE:
        c = cmp3(x->state[SERVER], y->state[SERVER]);
        break;
    case COL_INSTATE:
        c = cmp3(in_state(x, now), in_state(y, now));
        break;
    case COL_AGE:
        c = cmp3(now - x->first, now - y->first);
        break;
    case COL_IDLE:
        c = cmp3(now - x->last, now - y->last);
        break;
    case COL_PKTS:
        c = cmp3((int64_t)x->pkts[0] + x->pkts[1], (int64_t)y->pkts[0] + y->pkts[1]);
        break;
    case COL_BYTES:
        c = cmp3((int64_t)(x->bytes[0] + x->bytes[1]), (int64_t)(y->bytes[0] + y->bytes[1]));
        break;
    case COL_RATE_CS:
        c = (x->rate[0] > y->rate[0]) - (x->rate[0] < y->rate[0]);
        break;
    case COL_RATE_SC:
        c = (x->rate[1] > y->rate[1]) - (x->rate[1] < y->rate[1]);
        break;
    case COL_ANOM:
    case COL__COUNT:
        c = cmp3(trouble(x), trouble(y));
        if (!c)
            c = cmp3(x->nanom, y->nanom);
        if (!c && u->sort_default)
            c = cmp3(in_state(x, now), in_state(y, now));
        break;
    }
    if (u->sort_desc)
        c = -c;
    if (!c)
        c = cmp3(x->id, y->id);
    return c;
}

void ui_conns_rebuild(struct ui *u)
{
    const struct model_view *v = u->view;
    if (!v)
        return;
    if (u->order_cap < v->nrows) {
        size_t cap = v->nrows + v->nrows / 2 + 64;
        uint32_t *p = realloc(u->order, cap * sizeof *p);
        if (!p)
            return;
        u->order = p;
        u->order_cap = cap;
    }
    u->norder = 0;
    for (uint32_t i = 0; i < v->nrows; i++)
        if (matches(u, &v->rows[i]))
            u->order[u->norder++] = i;
    if (u->norder > 1)
        qsort_r(u->order, u->norder, sizeof *u->order, compare, u);
    /* keep the selected connection selected */
    if (u->sel_id) {
        for (uint32_t i = 0; i < u->norder; i++)
            if (v->rows[u->order[i]].id == u->sel_id) {
                u->conns.sel = (int)i;
                break;
            }
    }
    if (u->conns.sel >= (int)u->norder)
        u->conns.sel = u->norder ? (int)u->norder - 1 : 0;
    if (u->norder)
        u->sel_id = v->rows[u->order[u->conns.sel]].id;
}

static void anom_text(const struct model_row *r, char *buf, size_t len)
{
    buf[0] = 0;
    if (r->stuck) {
        int extra = r->nanom - ((r->anomalies & ((1u << AN_CLOSE_WAIT_STUCK) | (1u << AN_FIN_WAIT_2_STUCK))) ? 1 : 0);
        if (extra > 0)
            snprintf(buf, len, "STUCK+%d", extra);
        else
            snprintf(buf, len, "STUCK");
    } else if (r->nanom) {
        const char *id = anomaly_info(r->worst)->id;
        if (r->nanom > 1)
            snprintf(buf, len, "%s+%d", id, r->nanom - 1);
        else
            snprintf(buf, len, "%s", id);
    }
}

void ui_conns_draw(struct ui *u, int y, int h, int width)
{
    const struct model_view *v = u->view;
    if (!v || h < 2)
        return;
    int body = h - 1;
    u->rows_shown = body;
    ui_list_fit(&u->conns, (int)u->norder, body);

    /* endpoint column widths from the rows on screen */
    int wc = 6, ws = 6;
    for (int i = 0; i < body && u->conns.top + i < (int)u->norder; i++) {
        const struct model_row *r = &v->rows[u->order[u->conns.top + i]];
        char e[ENDPOINT_STRLEN];
        int n = (int)strlen((endpoint_text(r, CLIENT, e), e));
        if (n > wc)
            wc = n;
        n = (int)strlen((endpoint_text(r, SERVER, e), e));
        if (n > ws)
            ws = n;
    }
    int w[COL__COUNT];
    bool on[COL__COUNT];
    for (int c = 0; c < COL__COUNT; c++) {
        w[c] = cols[c].width;
        on[c] = false;
    }
    w[COL_CLIENT] = wc;
    w[COL_SERVER] = ws;
    /* the essential columns (both states, time in state, a short anomaly
     * mark), shrinking the addresses (from their start: the port stays) if
     * they must */
    int essential = w[COL_CSTATE] + w[COL_SSTATE] + w[COL_INSTATE] + 7 + 5;
    while (w[COL_CLIENT] + w[COL_SERVER] + essential > width && (w[COL_CLIENT] > 12 || w[COL_SERVER] > 12)) {
        if (w[COL_CLIENT] >= w[COL_SERVER])
            w[COL_CLIENT]--;
        else
            w[COL_SERVER]--;
    }
    int used = -1;
    for (int pri = 0; pri < COL__COUNT; pri++)
        for (int c = 0; c < COL__COUNT; c++) {
            if (cols[c].priority != pri)
                continue;
            if (c == COL_ANOM && used + 1 + w[c] > width && used + 1 + 7 <= width)
                w[c] = 7;   /* "STUCK+1", "rst-ab~": better short than none */
            if (used + 1 + w[c] <= width) {
                on[c] = true;
                used += 1 + w[c];
            }
        }
    int spare = width - used;

    /* header */
    move(y, 0);
    attr_t bar = ui_attr(u, CP_BAR, u->colors ? 0 : A_REVERSE);
    ui_put(y, 0, width, "", bar, true);
    int x = 0;
    for (int c = 0; c < COL__COUNT; c++) {
        if (!on[c])
            continue;
        char t[32];
        bool sorted = !u->sort_default && u->sort == (enum conn_col)c;
        snprintf(t, sizeof t, "%s%s", cols[c].name, sorted ? (u->sort_desc ? "v" : "^") : "");
        int cw = w[c] + (c == COL_ANOM ? spare : 0);
        char cell[64];
        if (cols[c].right)
            snprintf(cell, sizeof cell, "%*s", w[c], t);
        else
            snprintf(cell, sizeof cell, "%-*s", w[c], t);
        ui_put(y, x, cw, cell, sorted ? bar | A_BOLD : bar, true);
        x += w[c] + 1;
    }

    tstamp_t now = v->now;
    for (int i = 0; i < body; i++) {
        int idx = u->conns.top + i;
        int ly = y + 1 + i;
        if (idx >= (int)u->norder) {
            if (i == 0 && !u->norder)
                ui_put(ly, 1, width - 1,
                       v->nrows ? "no connection matches the filter (c clears it)" : "no connection tracked yet",
                       A_DIM, false);
            break;
        }
        const struct model_row *r = &v->rows[u->order[idx]];
        bool sel = idx == u->conns.sel;
        attr_t base = sel ? ui_attr(u, CP_BAR, A_BOLD | (u->colors ? 0 : A_REVERSE)) : (r->closed ? A_DIM : A_NORMAL);
        if (sel)
            ui_put(ly, 0, width, "", base, true);
        x = 0;
        for (int c = 0; c < COL__COUNT; c++) {
            if (!on[c])
                continue;
            char t[ENDPOINT_STRLEN + 8], d[24];
            attr_t a = base;
            t[0] = 0;
            switch ((enum conn_col)c) {
            case COL_CLIENT:
            case COL_SERVER: {
                char e[ENDPOINT_STRLEN];
                endpoint_text(r, c == COL_CLIENT ? CLIENT : SERVER, e);
                int n = (int)strlen(e);
                if (n > w[c] && w[c] > 1)      /* keep the port: cut the address's start */
                    snprintf(t, sizeof t, "~%s", e + n - w[c] + 1);
                else
                    snprintf(t, sizeof t, "%s", e);
                break;
            }
            case COL_CSTATE:
            case COL_SSTATE: {
                int role = c == COL_CSTATE ? CLIENT : SERVER;
                snprintf(t, sizeof t, "%s%s", tcp_state_name(r->state[role]),
                         (r->epflags[role] & EPF_INFERRED) ? "?" : "");
                enum state_class sc = model_state_class(r, role);
                if (!sel || sc == SC_STUCK)
                    a = ui_state_attr(u, sc);
                break;
            }
            case COL_INSTATE:
                format_duration(in_state(r, now), d);
                snprintf(t, sizeof t, "%s", d);
                if (r->stuck)
                    a = ui_state_attr(u, SC_STUCK);
                break;
            case COL_AGE:
                snprintf(t, sizeof t, "%s", format_duration(now - r->first, d));
                break;
            case COL_IDLE:
                snprintf(t, sizeof t, "%s", format_duration(now - r->last, d));
                break;
            case COL_PKTS:
                snprintf(t, sizeof t, "%" PRIu64, (uint64_t)r->pkts[0] + r->pkts[1]);
                break;
            case COL_BYTES:
                snprintf(t, sizeof t, "%s", ui_rate((double)(r->bytes[0] + r->bytes[1]), d));
                break;
            case COL_RATE_CS:
                snprintf(t, sizeof t, "%s", ui_rate(r->rate[0], d));
                break;
            case COL_RATE_SC:
                snprintf(t, sizeof t, "%s", ui_rate(r->rate[1], d));
                break;
            case COL_ANOM:
                anom_text(r, t, sizeof t);
                if (r->stuck)
                    a = ui_state_attr(u, SC_STUCK);
                else if (r->nanom && !sel)
                    a = ui_attr(u, CP_ANOM, A_BOLD);
                break;
            case COL__COUNT:
                break;
            }
            char cell[96];
            int cw = w[c] + (c == COL_ANOM ? spare : 0);
            if (cw > (int)sizeof cell - 1)
                cw = (int)sizeof cell - 1;
            if (cols[c].right)
                snprintf(cell, sizeof cell, "%*.*s", cw, cw, t);
            else
                snprintf(cell, sizeof cell, "%-*.*s", cw, cw, t);
            ui_put(ly, x, cw, cell, a, false);
            x += w[c] + 1;
        }
    }
}
