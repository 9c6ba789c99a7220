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
    [COL_CSTATE] = { "C-STATE", 12, 2, false },
    [COL_SSTATE] = { "S-STATE", 12, 3, false },
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
    if (!u->filter[0] && !u->service[0])
        return true;
    char c[ENDPOINT_STRLEN], s[ENDPOINT_STRLEN], both[2 * ENDPOINT_STRLEN + 2];
    endpoint_text(r, SERVER, s);
    if (u->service[0] && strcmp(s, u->service))
        return false;
    if (!u->filter[0])
        return true;
    endpoint_text(r, CLIENT, c);
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

/* The order is worked out from a key per row, made once per rebuild:
 * three words compared in turn, then the id (ascending, whatever the
 * direction: rows that sort alike stay in a stable order).  Comparing the
 * rows themselves, through qsort's callback, read two rows scattered over
 * the view at every comparison: with a million rows that sort was half the
 * live view's processor time (docs/performance.md, "The live view's
 * pictures").  The keys lie side by side and compare inline. */
struct conn_sort_key {
    uint64_t k[3];
    uint32_t id;
    uint32_t row;               /* index into view->rows */
};

/* Signed and floating values as unsigned words in the same order. */
static inline uint64_t ordered_signed(int64_t v) { return (uint64_t)v ^ (UINT64_C(1) << 63); }

static inline uint64_t ordered_double(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

static void make_key(const struct ui *u, const struct model_row *r, uint32_t row, struct conn_sort_key *key)
{
    tstamp_t now = u->view->now;
    uint64_t k[3] = { 0, 0, 0 };
    switch (u->sort) {
    case COL_CLIENT:
    case COL_SERVER: {
        /* family, then the address's bytes (4 of them for IPv4), then the port */
        int role = u->sort == COL_CLIENT ? CLIENT : SERVER;
        const struct flow_addr *a = &r->addr[role];
        uint8_t b[16] = { 0 };
        memcpy(b, a->b, a->family == 4 ? 4 : 16);
        k[0] = (uint64_t)a->family << 56;
        for (int i = 0; i < 7; i++)
            k[0] |= (uint64_t)b[i] << (48 - 8 * i);
        for (int i = 0; i < 8; i++)
            k[1] = k[1] << 8 | b[7 + i];
        k[2] = (uint64_t)b[15] << 16 | r->port[role];
        break;
    }
    case COL_CSTATE:
        k[0] = r->state[CLIENT];
        break;
    case COL_SSTATE:
        k[0] = r->state[SERVER];
        break;
    case COL_INSTATE:
        k[0] = ordered_signed(in_state(r, now));
        break;
    case COL_AGE:
        k[0] = ordered_signed(now - r->first);
        break;
    case COL_IDLE:
        k[0] = ordered_signed(now - r->last);
        break;
    case COL_PKTS:
        k[0] = (uint64_t)r->pkts[0] + r->pkts[1];
        break;
    case COL_BYTES:
        k[0] = ordered_signed((int64_t)(r->bytes[0] + r->bytes[1]));
        break;
    case COL_RATE_CS:
        k[0] = ordered_double(r->rate[0]);
        break;
    case COL_RATE_SC:
        k[0] = ordered_double(r->rate[1]);
        break;
    case COL_ANOM:
    case COL__COUNT:
        k[0] = ordered_signed(trouble(r));
        k[1] = r->nanom;
        if (u->sort_default)
            k[2] = ordered_signed(in_state(r, now));
        break;
    }
    for (int i = 0; i < 3; i++)
        key->k[i] = u->sort_desc ? ~k[i] : k[i];
    key->id = r->id;
    key->row = row;
}

/* ui_conns_sort_depth_cap(): quicksort's levels at most (-1: 2 log2 n). */
static int sort_depth_cap = -1;

void ui_conns_sort_depth_cap(int levels) { sort_depth_cap = levels; }

static inline bool key_less(const struct conn_sort_key *a, const struct conn_sort_key *b)
{
    if (a->k[0] != b->k[0])
        return a->k[0] < b->k[0];
    if (a->k[1] != b->k[1])
        return a->k[1] < b->k[1];
    if (a->k[2] != b->k[2])
        return a->k[2] < b->k[2];
    return a->id < b->id;
}

static inline void key_swap(struct conn_sort_key *a, struct conn_sort_key *b)
{
    struct conn_sort_key t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(struct conn_sort_key *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct conn_sort_key t = a[i];
        size_t j = i;
        for (; j > 0 && key_less(&t, &a[j - 1]); j--)
            a[j] = a[j - 1];
        a[j] = t;
    }
}

static void sift_down(struct conn_sort_key *a, size_t root, size_t n)
{
    struct conn_sort_key t = a[root];
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            break;
        if (c + 1 < n && key_less(&a[c], &a[c + 1]))
            c++;
        if (!key_less(&t, &a[c]))
            break;
        a[root] = a[c];
        root = c;
    }
    a[root] = t;
}

static void heap_sort(struct conn_sort_key *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        key_swap(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

/* Quicksort (median of three, Hoare's partition), heapsort past `depth`
 * levels so that no input takes quadratic time, insertion sort for the
 * small pieces.  Keys are different while ids are (a live capture's ids
 * may wrap after 2^32 connections); equal ones are sorted all the same. */
static void sort_keys(struct conn_sort_key *a, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(a, n);
            return;
        }
        size_t m = n / 2;
        if (key_less(&a[m], &a[0]))
            key_swap(&a[m], &a[0]);
        if (key_less(&a[n - 1], &a[0]))
            key_swap(&a[n - 1], &a[0]);
        if (key_less(&a[n - 1], &a[m]))
            key_swap(&a[n - 1], &a[m]);
        /* a[0] <= pivot <= a[n - 1]: both scans stop inside */
        struct conn_sort_key p = a[m];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_less(&a[i], &p))
                i++;
            while (key_less(&p, &a[j]))
                j--;
            if (i >= j)
                break;
            key_swap(&a[i], &a[j]);
            i++;
            j--;
        }
        /* a[0..j] <= p <= a[j+1..n-1]; the smaller side recursed, the
         * larger looped on, so the stack stays logarithmic */
        size_t left = j + 1;
        if (left < n - left) {
            sort_keys(a, left, depth);
            a += left;
            n -= left;
        } else {
            sort_keys(a + left, n - left, depth);
            n = left;
        }
    }
    insertion_sort(a, n);
}

void ui_conns_rebuild(struct ui *u)
{
    const struct model_view *v = u->view;
    if (!v)
        return;
    if (u->order_cap < v->nrows) {
        size_t cap = v->nrows + v->nrows / 2 + 64;
        uint32_t *p = realloc(u->order, cap * sizeof *p);
        if (!p) {
            u->norder = 0;      /* no room to list this view's rows: none, not the last view's */
            return;
        }
        u->order = p;
        u->order_cap = cap;
    }
    bool keyed = u->keys_cap >= v->nrows;
    if (!keyed) {
        size_t cap = v->nrows + v->nrows / 2 + 64;
        struct conn_sort_key *p = realloc(u->keys, cap * sizeof *p);
        if (p) {
            u->keys = p;
            u->keys_cap = cap;
            keyed = true;
        }
    }
    /* (no memory for the keys: the rows unsorted, rather than none) */
    uint32_t n = 0;
    for (uint32_t i = 0; i < v->nrows; i++)
        if (matches(u, &v->rows[i])) {
            if (keyed)
                make_key(u, &v->rows[i], i, &u->keys[n]);
            else
                u->order[n] = i;
            n++;
        }
    if (keyed) {
        int depth = 0;
        for (uint32_t k = n; k > 1; k >>= 1)
            depth += 2;
        if (sort_depth_cap >= 0 && depth > sort_depth_cap)
            depth = sort_depth_cap;
        sort_keys(u->keys, n, depth);
        for (uint32_t i = 0; i < n; i++)
            u->order[i] = u->keys[i].row;
    }
    u->norder = n;
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
