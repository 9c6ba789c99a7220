/* ui_help.c - the keys, and what the colours mean. */
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

static const char *const help[] = {
    "Keys",
    "  Up/Down, PgUp/PgDn, Home/End   move (j/k, g/G too)",
    "  Enter        detail of the selected connection (timeline, anomalies)",
    "  Tab/S-Tab    switch view: connections, services, anomalies",
    "  1-9, 0       sort by CLIENT, SERVER, C-STATE, S-STATE, IN-STATE, AGE, IDLE,",
    "               PKTS, BYTES, C>S/s; r by S>C/s, a by ANOMALY (again: reverse)",
    "  < >          sort by the previous / next column;  d troubles first (default)",
    "  /            show only connections whose addresses contain the words",
    "  s            show only connections with an endpoint in one state (close-wait)",
    "  c            clear the filters (and the service Enter chose in Services)",
    "  p            pause the display (capture goes on)",
    "  n            (a replay with --speed) skip the wait for the next packet",
    "  w            (in the detail) write the connection's kept packets to a pcap",
    "  Esc          (in the detail) back;  ? help;  q quit",
    "",
    "Colours",
    "",     /* the legend, drawn in its colours */
    "  handshake: SYN_SENT, SYN_RCVD; closing: FIN_WAIT_*, CLOSE_WAIT, CLOSING,",
    "  LAST_ACK, TIME_WAIT; reset: CLOSED by a RST.  STUCK: CLOSE_WAIT or",
    "  FIN_WAIT_2 for longer than --stuck-after.",
    "  A state ending in ? is inferred: the capture did not see how it began.",
    "Press any key to go back.",
};

int ui_help_lines(void)
{
    return (int)(sizeof help / sizeof help[0]) + 1;     /* and the settings line */
}

void ui_help_draw(struct ui *u, int y, int h, int width)
{
    int n = (int)(sizeof help / sizeof help[0]);
    static const struct {
        const char *name;
        enum state_class sc;
    } legend[] = {
        { "handshake", SC_HANDSHAKE }, { "ESTABLISHED", SC_ESTABLISHED }, { "closing", SC_CLOSING },
        { "reset", SC_RESET }, { "CLOSED", SC_CLOSED }, { "STUCK", SC_STUCK },
    };
    for (int i = 0; i < n && i < h; i++) {
        if (!help[i][0] && i > 0 && !strcmp(help[i - 1], "Colours")) {
            int x = 2;
            for (size_t k = 0; k < sizeof legend / sizeof legend[0] && x < width; k++) {
                ui_put(y + i, x, width - x, legend[k].name, ui_state_attr(u, legend[k].sc), false);
                x += (int)strlen(legend[k].name) + 2;
            }
            continue;
        }
        attr_t a = (help[i][0] && help[i][0] != ' ') ? ui_attr(u, CP_TITLE, A_BOLD) : A_NORMAL;
        ui_put(y + i, 0, width, help[i], a, false);
    }
    if (h > n) {
        char t[128];
        snprintf(t, sizeof t, "stuck after %.0fs; redraw every %ums", (double)u->cfg.stuck_after / 1e9,
                 (unsigned)u->cfg.refresh_ms);
        ui_put(y + n, 0, width, t, A_DIM, false);
    }
}
