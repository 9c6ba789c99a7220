/* ui_services.c - one line per service (server address and port): its
 * connections open now by server state, the stuck ones, and its history. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

/* Services with the most trouble first: stuck, anomalous, open, seen. */
static int cmp_service(const void *a, const void *b)
{
    const struct model_service *x = a, *y = b;
    if (x->stuck != y->stuck)
        return x->stuck > y->stuck ? -1 : 1;
    if (x->anomalous != y->anomalous)
        return x->anomalous > y->anomalous ? -1 : 1;
    if (x->open != y->open)
        return x->open > y->open ? -1 : 1;
    if (x->seen != y->seen)
        return x->seen > y->seen ? -1 : 1;
    int c = addr_cmp(&x->addr, &y->addr);
    return c ? c : (x->port > y->port) - (x->port < y->port);
}

void ui_services_draw(struct ui *u, int y, int h, int width)
{
    const struct model_view *v = u->view;
    if (!v || h < 2)
        return;
    /* The view's array is the model's; sorting it in place is harmless
     * (the model rebuilds it each time) and keeps Enter's index right. */
    if (v->nsvcs > 1)
        qsort(v->svcs, v->nsvcs, sizeof *v->svcs, cmp_service);
    int body = h - 1;
    u->rows_shown = body;
    ui_list_fit(&u->svcs, (int)v->nsvcs, body);
    attr_t bar = ui_attr(u, CP_BAR, u->colors ? 0 : A_REVERSE);
    /* the service column as wide as the longest on screen */
    int sw = 7;
    for (int i = 0; i < body && u->svcs.top + i < (int)v->nsvcs; i++) {
        const struct model_service *s = &v->svcs[u->svcs.top + i];
        char a[ADDR_STRLEN];
        int n = (int)strlen(addr_format(&s->addr, a)) + 6 + (s->addr.family == 6 ? 2 : 0);
        if (n > sw)
            sw = n;
    }
    char t[320];
    /* the columns that matter most first, so an 80-column terminal keeps them */
    snprintf(t, sizeof t, "%-*s %5s %5s %5s %6s %7s %6s %7s %7s %7s %7s %7s", sw, "SERVICE", "OPEN", "STUCK", "ANOM",
             "ESTAB", "CL_WAIT", "SYNRCV", "LST_ACK", "TM_WAIT", "SEEN", "REFUSED", "RATE/s");
    ui_put(y, 0, width, t, bar, true);
    if (!v->nsvcs)
        ui_put(y + 1, 1, width - 1, "no service seen yet", A_DIM, false);
    for (int i = 0; i < body && u->svcs.top + i < (int)v->nsvcs; i++) {
        int idx = u->svcs.top + i;
        const struct model_service *s = &v->svcs[idx];
        char ep[ENDPOINT_STRLEN], r[16];
        format_addr_port(&s->addr, s->port, ep);
        const uint32_t *st = s->state[SERVER];
        snprintf(t, sizeof t, "%-*s %5" PRIu32 " %5" PRIu32 " %5" PRIu32 " %6" PRIu32 " %7" PRIu32 " %6" PRIu32
                              " %7" PRIu32 " %7" PRIu32 " %7" PRIu64 " %7" PRIu64 " %7s",
                 sw, ep, s->open, s->stuck, s->anomalous, st[ST_ESTABLISHED], st[ST_CLOSE_WAIT], st[ST_SYN_RCVD],
                 st[ST_LAST_ACK], st[ST_TIME_WAIT] + s->state[CLIENT][ST_TIME_WAIT], s->seen, s->refused,
                 ui_rate(s->rate, r));
        attr_t at = A_NORMAL;
        if (idx == u->svcs.sel)
            at = ui_attr(u, CP_BAR, A_BOLD | (u->colors ? 0 : A_REVERSE));
        else if (s->stuck)
            at = ui_state_attr(u, SC_STUCK);
        else if (s->anomalous || s->refused)
            at = ui_attr(u, CP_ANOM, 0);
        else if (!s->open)
            at = A_DIM;
        ui_put(y + 1 + i, 0, width, t, at, idx == u->svcs.sel);
    }
}
