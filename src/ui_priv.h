/* ui_priv.h - what the screen components share: the UI's state, colours and
 * drawing helpers.  Each component (ui_header.c, ui_conns.c, ui_services.c,
 * ui_anomalies.c, ui_detail.c, ui_help.c) draws one part of the screen from
 * the model's view; ui.c owns the terminal, the keys and the layout. */
#ifndef TCPFSM_UI_PRIV_H
#define TCPFSM_UI_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "model.h"
#include "ui.h"

enum ui_screen { SCREEN_CONNS, SCREEN_SERVICES, SCREEN_ANOMALIES, SCREEN__TABS, SCREEN_DETAIL = SCREEN__TABS };

enum conn_col {
    COL_CLIENT, COL_SERVER, COL_CSTATE, COL_SSTATE, COL_INSTATE, COL_AGE, COL_IDLE,
    COL_PKTS, COL_BYTES, COL_RATE_CS, COL_RATE_SC, COL_ANOM, COL__COUNT
};

/* Colour pairs. */
enum {
    CP_DEFAULT = 0, CP_HANDSHAKE = 1, CP_ESTABLISHED, CP_CLOSING, CP_RESET, CP_CLOSED, CP_STUCK,
    CP_BAR, CP_TITLE, CP_WARN, CP_ANOM, CP_KEY, CP_OK
};

struct conn_sort_key;

enum prompt_kind { PROMPT_NONE, PROMPT_FILTER, PROMPT_STATE, PROMPT_WRITE };

/* A list's scroll position and selection. */
struct ui_list {
    int sel;                /* index in the shown order */
    int top;                /* first shown line */
};

struct ui {
    struct ui_config cfg;
    bool colors;
    bool paused;
    enum ui_screen screen, back;    /* back: the tab the detail was opened from */
    bool help;
    /* the picture shown: the model's latest view (frozen while paused) */
    const struct model_view *view;
    /* connections: sort, filters, order shown */
    enum conn_col sort;
    bool sort_desc;
    bool sort_default;              /* troubles first: stuck, anomalies, time in state */
    char filter[128];
    char service[ENDPOINT_STRLEN];  /* Enter in the services view: only the
                                       connections to this server endpoint
                                       (its text, exactly); "" for all */
    int state_only;                 /* -1: all */
    uint32_t *order;                /* indices into view->rows, filtered and sorted */
    uint32_t norder;
    size_t order_cap;
    struct conn_sort_key *keys;     /* ui_conns.c's, to sort by */
    size_t keys_cap;
    uint32_t sel_id;                /* the selected connection, kept across refreshes */
    struct ui_list conns, svcs, anoms, detail;
    /* the detail */
    uint32_t detail_id;
    struct model_detail det;
    /* prompt and status line */
    enum prompt_kind prompt;
    char input[256];
    size_t input_len;
    char status[256];
    tstamp_t status_until;          /* monotonic ns */
    bool status_error;
    int rows_shown;                 /* table lines on screen, for paging */
};

/* Drawing helpers (ui.c). */
attr_t ui_attr(const struct ui *u, int pair, attr_t extra);
attr_t ui_state_attr(const struct ui *u, enum state_class sc);
/* Print s at (y, x), at most n columns, padded with blanks to n if pad. */
void ui_put(int y, int x, int n, const char *s, attr_t a, bool pad);
/* "1.2K", "3.4M" */
const char *ui_rate(double bytes_per_sec, char buf[16]);
/* A list's selection moved by a key; true if the key was a movement. */
bool ui_list_key(struct ui_list *l, int key, int n, int page);
void ui_list_fit(struct ui_list *l, int n, int page);
void ui_set_status(struct ui *u, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
tstamp_t ui_monotonic(void);

/* Components. */
int ui_header_draw(struct ui *u, int width);        /* returns the lines used */
void ui_conns_rebuild(struct ui *u);                /* filter and sort view->rows into u->order */
/* Tests: let the table's sort go at most `levels` deep before it turns to
 * heapsort (-1: the usual 2 log2 n), so that its fallback is checked. */
void ui_conns_sort_depth_cap(int levels);
void ui_conns_draw(struct ui *u, int y, int h, int width);
const char *ui_col_name(enum conn_col c);
void ui_services_draw(struct ui *u, int y, int h, int width);
void ui_anomalies_draw(struct ui *u, int y, int h, int width);
void ui_detail_draw(struct ui *u, int y, int h, int width);
void ui_help_draw(struct ui *u, int y, int h, int width);
/* Lines the help needs, its settings line included. */
int ui_help_lines(void);
/* The detail's lines (for scrolling): how many there are. */
int ui_detail_lines(const struct ui *u, int width);

#endif
