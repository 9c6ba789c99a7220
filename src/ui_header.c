/* ui_header.c - the header: source, rates, drops, connections, endpoint
 * states per side, anomalies.  Items flow onto the next line when the
 * terminal is narrow. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "ui_priv.h"

struct flow {
    int y, x, width, y0;
};

/* Put one item; move to the next line first if it does not fit. */
static void item(struct flow *f, const char *s, attr_t a)
{
    int n = (int)strlen(s);
    if (f->x > 0 && f->x + n > f->width) {
        f->y++;
        f->x = 0;
    }
    ui_put(f->y, f->x, f->width - f->x, s, a, false);
    f->x += n;
}

static void newline(struct flow *f)
{
    f->y++;
    f->x = 0;
}

static void states_line(struct ui *u, struct flow *f, int role)
{
    const struct model_view *v = u->view;
    uint32_t stuck[ST__COUNT];
    memset(stuck, 0, sizeof stuck);
    for (uint32_t i = 0; i < v->nrows; i++)
        if (v->rows[i].stuck & (1u << role))
            stuck[v->rows[i].state[role]]++;
    item(f, role == CLIENT ? "Client:" : "Server:", A_BOLD);
    bool any = false;
    for (int st = 0; st < ST__COUNT; st++) {
        if (!v->state[role][st])
            continue;
        any = true;
        struct model_row r;
        memset(&r, 0, sizeof r);
        r.state[role] = (uint8_t)st;
        char t[48];
        snprintf(t, sizeof t, " %s %" PRIu32, tcp_state_name(st), v->state[role][st]);
        item(f, t, ui_state_attr(u, model_state_class(&r, role)));
        if (stuck[st]) {
            snprintf(t, sizeof t, " (%" PRIu32 " STUCK)", stuck[st]);
            item(f, t, ui_state_attr(u, SC_STUCK));
        }
    }
    if (!any)
        item(f, " -", A_DIM);
    newline(f);
}

int ui_header_draw(struct ui *u, int width)
{
    struct flow f = { 0, 0, width, 0 };
    const struct model_view *v = u->view;
    char t[256], a[24], b[24], d[24];

    snprintf(t, sizeof t, "tcpfsm %s", u->cfg.src.name ? u->cfg.src.name : "");
    item(&f, t, ui_attr(u, CP_TITLE, A_BOLD));
    if (u->cfg.src.filter) {
        snprintf(t, sizeof t, " [%s]", u->cfg.src.filter);
        item(&f, t, A_NORMAL);
    }
    snprintf(t, sizeof t, "  %s%s", u->cfg.mode ? u->cfg.mode : "", u->paused ? " (PAUSED)" : "");
    item(&f, t, u->paused ? ui_attr(u, CP_ANOM, A_BOLD | A_REVERSE) : A_BOLD);
    if (v) {
        char clock[40];
        format_time(v->now, clock);
        snprintf(t, sizeof t, "  %.8s UTC  elapsed %s", clock + 11, format_duration(v->elapsed, d));
        item(&f, t, A_NORMAL);
    }
    newline(&f);
    if (!v) {
        item(&f, "waiting for packets...", A_DIM);
        newline(&f);
        return f.y;
    }

    snprintf(t, sizeof t, "Pkts %" PRIu64 " (%s/s)", v->packets, ui_rate(v->pps, a));
    item(&f, t, A_NORMAL);
    snprintf(t, sizeof t, "  Bytes %s (%s/s)", ui_rate((double)v->bytes, a), ui_rate(v->bps, b));
    item(&f, t, A_NORMAL);
    if (v->have_drops) {
        snprintf(t, sizeof t, "  Drops kernel %" PRIu64 " if %" PRIu64, v->kernel_drops, v->if_drops);
        item(&f, t, v->kernel_drops || v->if_drops ? ui_attr(u, CP_WARN, A_BOLD | A_REVERSE) : A_NORMAL);
    } else {
        item(&f, "  Drops -", A_DIM);
    }
    snprintf(t, sizeof t, "  Conns %" PRIu32 " open %" PRIu64 " seen", v->open, v->seen);
    item(&f, t, A_NORMAL);
    snprintf(t, sizeof t, "  Anomalies %" PRIu32, v->active_anomalies);
    item(&f, t, v->active_anomalies ? ui_attr(u, CP_ANOM, A_BOLD) : A_NORMAL);
    if (v->stuck) {
        snprintf(t, sizeof t, "  STUCK %" PRIu32, v->stuck);
        item(&f, t, ui_state_attr(u, SC_STUCK));
    }
    newline(&f);
    states_line(u, &f, CLIENT);
    states_line(u, &f, SERVER);
    return f.y;
}
