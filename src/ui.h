/* ui.h - the live view on a terminal (ncursesw), like top(1) for TCP states.
 *
 * The loop that owns the capture (live.c) calls ui_input when the keyboard
 * has something, ui_refresh with each new picture at the refresh rate, and
 * ui_draw to put it on the screen.  The terminal is restored on every way
 * out: ui_close, and on a crash signal (SIGSEGV, SIGABRT, ...) a handler that
 * writes the terminal's reset sequences and restores its modes, then lets
 * the signal take its course. */
#ifndef TCPFSM_UI_H
#define TCPFSM_UI_H

#include <stdbool.h>

#include "model.h"

struct ui_config {
    struct model_source src;
    const char *mode;           /* "LIVE", "REPLAY 2x", ... (updated by ui_set_mode) */
    tstamp_t stuck_after;
    uint32_t refresh_ms;
    bool paced;                 /* a replay at --speed: n skips its waits */
};

/* UI_SKIP: the user asked to skip the wait for the next packet (paced) */
enum ui_action { UI_CONTINUE, UI_QUIT, UI_SKIP };

struct ui;

/* Take over the terminal.  NULL with err set if it cannot. */
struct ui *ui_open(const struct ui_config *cfg, char *err, size_t errlen);
void ui_close(struct ui *u);
void ui_set_mode(struct ui *u, const char *mode);
/* Keys waiting on standard input. */
enum ui_action ui_input(struct ui *u, struct model *m);
/* A new picture from the model (ignored while paused). */
void ui_refresh(struct ui *u, struct model *m, const struct model_view *v, tstamp_t now);
bool ui_paused(const struct ui *u);
/* Put the picture on the screen (only what changed is sent). */
void ui_draw(struct ui *u);

#endif
