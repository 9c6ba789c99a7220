/* ui_anomalies.c - the anomalies active on open connections, worst first,
 * each with its detail in words; the selected one with its explanation. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "anomaly.h"
#include "describe.h"
#include "ui_priv.h"

void ui_anomalies_draw(struct ui *u, int y, int h, int width)
{
    const struct model_view *v = u->view;
    if (!v || h < 2)
        return;
    int body = h - 1 - (v->nanoms ? 3 : 0);     /* room for the explanation */
    if (body < 1)
        body = 1;
    u->rows_shown = body;
    ui_list_fit(&u->anoms, (int)v->nanoms, body);
    attr_t bar = ui_attr(u, CP_BAR, u->colors ? 0 : A_REVERSE);
    char t[512];
    snprintf(t, sizeof t, "%-20s %6s %-6s %s", "ANOMALY", "CONN", "WHO", "DETAIL");
    ui_put(y, 0, width, t, bar, true);
    if (!v->nanoms) {
        ui_put(y + 1, 1, width - 1, "no anomaly on the connections tracked now", A_DIM, false);
        return;
    }
    for (int i = 0; i < body && u->anoms.top + i < (int)v->nanoms; i++) {
        int idx = u->anoms.top + i;
        const struct model_anomaly *a = &v->anoms[idx];
        snprintf(t, sizeof t, "%-20s %6" PRIu32 " %-6s %s: %s", anomaly_info(a->id)->id, a->conn_id, role_name(a->who),
                 a->where, a->detail);
        attr_t at = anomaly_info(a->id)->severity >= 70 ? ui_attr(u, CP_WARN, A_BOLD) : ui_attr(u, CP_ANOM, 0);
        if (a->id == AN_CLOSE_WAIT_STUCK || a->id == AN_FIN_WAIT_2_STUCK)
            at = ui_state_attr(u, SC_STUCK);
        if (idx == u->anoms.sel)
            at = ui_attr(u, CP_BAR, A_BOLD | (u->colors ? 0 : A_REVERSE));
        ui_put(y + 1 + i, 0, width, t, at, idx == u->anoms.sel);
    }
    /* the selected anomaly explained */
    const struct model_anomaly *a = &v->anoms[u->anoms.sel];
    const struct anomaly_info *in = anomaly_info(a->id);
    int ey = y + h - 3;
    snprintf(t, sizeof t, "%s: %s", in->id, in->explanation);
    ui_put(ey, 0, width, t, A_BOLD, true);
    snprintf(t, sizeof t, "Check: %s", in->check);
    ui_put(ey + 1, 0, width, t, A_NORMAL, true);
    const char *live = !a->judged_live ? ""
                     : a->id == AN_ONE_SIDED ? "(judged now: nothing captured from that endpoint so far)"
                                             : "(judged now: still in that state past --stuck-after)";
    ui_put(ey + 2, 0, width, live, A_DIM, true);
}
