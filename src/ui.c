/* ui.c - the terminal, the keys and the layout of the live view. */
#include "ui_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <term.h>

#include "filemap.h"
#include "tcpstate.h"

/* ----------------------------------------------- restoring the terminal --- */

/* What a crash handler writes: leave the alternate screen, show the cursor,
 * reset attributes and keypad mode.  Prepared before the first draw, so the
 * handler only calls write(2) and tcsetattr(3), both async-signal-safe. */
static char crash_seq[256];
static size_t crash_len;
static struct termios saved_tio;
static bool saved_tio_ok;
static volatile sig_atomic_t in_crash;
static volatile sig_atomic_t continued;

/* After SIGSTOP/SIGCONT (a debugger, a job-control shell) the terminal may
 * hold anything: the next draw repaints it all. */
static void on_cont(int sig)
{
    (void)sig;
    continued = 1;
}

static void add_cap(const char *name)
{
    char *s = tigetstr((char *)name);
    if (!s || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (crash_len + n < sizeof crash_seq) {
        memcpy(crash_seq + crash_len, s, n);
        crash_len += n;
    }
}

static const int crash_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
#define N_CRASH_SIGNALS (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction previous_crash[N_CRASH_SIGNALS];

static void on_crash(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    /* A capture file that shrank under its mapped window (filemap.h): not
     * a crash, the reader reports it. */
    if (sig == SIGBUS && filemap_fault(si))
        return;
    if (!in_crash) {
        in_crash = 1;
        if (crash_len) {
            ssize_t r = write(STDOUT_FILENO, crash_seq, crash_len);
            (void)r;
        }
        if (saved_tio_ok)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    }
    /* What was there before takes it (a sanitizer's report, or the default
     * action; never "ignored", which would return into the crash). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (size_t i = 0; i < N_CRASH_SIGNALS; i++)
        if (crash_signals[i] == sig && (previous_crash[i].sa_flags & SA_SIGINFO ||
                                        previous_crash[i].sa_handler != SIG_IGN))
            sa = previous_crash[i];
    sigaction(sig, &sa, NULL);
    raise(sig);
}

/* Installed while the screen is ours; afterwards the handlers from before
 * (the default actions, or filemap's for SIGBUS) are back.  A second crash
 * inside the handler finds in_crash set and goes straight to the handler
 * from before. */
static void crash_handlers(bool install)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO;
    for (size_t i = 0; i < N_CRASH_SIGNALS; i++) {
        if (install)
            sigaction(crash_signals[i], &sa, &previous_crash[i]);
        else
            sigaction(crash_signals[i], &previous_crash[i], NULL);
    }
}

/* --------------------------------------------------------------- helpers --- */

tstamp_t ui_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (tstamp_t)ts.tv_sec * TS_PER_SEC + ts.tv_nsec;
}

attr_t ui_attr(const struct ui *u, int pair, attr_t extra)
{
    if (!u->colors || pair == CP_DEFAULT)
        return extra;
    return (attr_t)COLOR_PAIR(pair) | extra;
}

attr_t ui_state_attr(const struct ui *u, enum state_class sc)
{
    switch (sc) {
    case SC_HANDSHAKE:
        return ui_attr(u, CP_HANDSHAKE, 0);
    case SC_ESTABLISHED:
        return ui_attr(u, CP_ESTABLISHED, 0);
    case SC_CLOSING:
        return ui_attr(u, CP_CLOSING, 0);
    case SC_RESET:
        return ui_attr(u, CP_RESET, A_BOLD);
    case SC_STUCK:
        return ui_attr(u, CP_STUCK, A_BOLD | A_REVERSE);
    case SC_CLOSED:
    default:
        return u->colors ? ui_attr(u, CP_CLOSED, A_DIM) : A_DIM;
    }
}

void ui_put(int y, int x, int n, const char *s, attr_t a, bool pad)
{
    if (n <= 0)
        return;
    attr_t old_a;
    short old_p;
    attr_get(&old_a, &old_p, NULL);
    attrset(a);
    int len = (int)strlen(s);
    if (len > n)
        len = n;
    mvaddnstr(y, x, s, len);
    if (pad)
        for (int i = len; i < n; i++)
            addch(' ');
    attr_set(old_a, old_p, NULL);
}

const char *ui_rate(double v, char buf[16])
{
    if (v < 0.5)
        snprintf(buf, 16, "0");
    else if (v < 1000)
        snprintf(buf, 16, "%.0f", v);
    else if (v < 1e6)
        snprintf(buf, 16, "%.1fK", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, 16, "%.1fM", v / 1e6);
    else
        snprintf(buf, 16, "%.1fG", v / 1e9);
    return buf;
}

void ui_list_fit(struct ui_list *l, int n, int page)
{
    if (page < 1)
        page = 1;
    if (l->sel >= n)
        l->sel = n - 1;
    if (l->sel < 0)
        l->sel = 0;
    if (l->top > l->sel)
        l->top = l->sel;
    if (l->sel >= l->top + page)
        l->top = l->sel - page + 1;
    if (l->top > n - page)
        l->top = n - page;
    if (l->top < 0)
        l->top = 0;
}

bool ui_list_key(struct ui_list *l, int key, int n, int page)
{
    switch (key) {
    case KEY_UP:
    case 'k':
        l->sel--;
        break;
    case KEY_DOWN:
    case 'j':
        l->sel++;
        break;
    case KEY_PPAGE:
        l->sel -= page;
        l->top -= page;
        break;
    case KEY_NPAGE:
        l->sel += page;
        l->top += page;
        break;
    case KEY_HOME:
    case 'g':
        l->sel = 0;
        break;
    case KEY_END:
    case 'G':
        l->sel = n - 1;
        break;
    default:
        return false;
    }
    ui_list_fit(l, n, page);
    return true;
}

void ui_set_status(struct ui *u, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->status, sizeof u->status, fmt, ap);
    va_end(ap);
    u->status_error = error;
    u->status_until = ui_monotonic() + 5 * TS_PER_SEC;
}

/* ------------------------------------------------------------- lifetime --- */

struct ui *ui_open(const struct ui_config *cfg, char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "the live view needs a terminal");
        return NULL;
    }
    struct ui *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    u->cfg = *cfg;
    u->state_only = -1;
    u->sort = COL_ANOM;
    u->sort_desc = true;
    u->sort_default = true;
    u->screen = SCREEN_CONNS;
    saved_tio_ok = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    if (!initscr()) {
        snprintf(err, errlen, "cannot set up the terminal (is TERM right?)");
        free(u);
        return NULL;
    }
    crash_len = 0;
    add_cap("rmcup");
    add_cap("sgr0");
    add_cap("cnorm");
    add_cap("rmkx");
    crash_handlers(true);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    /* Home, End, PgUp, PgDn as xterm, screen/tmux and the Linux console send
     * them, whatever TERM says (a wrong TERM inside tmux is common) */
    static const struct {
        const char *seq;
        int key;
    } keys[] = {
        { "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
        { "\033[4~", KEY_END }, { "\033[8~", KEY_END }, { "\033[F", KEY_END }, { "\033OF", KEY_END },
        { "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (key_defined(keys[i].seq) <= 0)
            define_key(keys[i].seq, keys[i].key);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
        u->colors = true;
        init_pair(CP_HANDSHAKE, COLOR_YELLOW, -1);
        init_pair(CP_ESTABLISHED, COLOR_GREEN, -1);
        init_pair(CP_CLOSING, COLOR_CYAN, -1);
        init_pair(CP_RESET, COLOR_MAGENTA, -1);
        init_pair(CP_CLOSED, -1, -1);
        init_pair(CP_STUCK, COLOR_RED, -1);        /* with A_REVERSE: white on red */
        init_pair(CP_BAR, COLOR_BLACK, COLOR_CYAN);
        init_pair(CP_TITLE, COLOR_CYAN, -1);
        init_pair(CP_WARN, COLOR_RED, -1);
        init_pair(CP_ANOM, COLOR_YELLOW, -1);
        init_pair(CP_KEY, COLOR_BLACK, COLOR_CYAN);
        init_pair(CP_OK, COLOR_GREEN, -1);
    }
    return u;
}

void ui_close(struct ui *u)
{
    if (!u)
        return;
    endwin();
    crash_handlers(false);
    signal(SIGCONT, SIG_DFL);
    model_detail_free(&u->det);
    free(u->order);
    free(u->keys);
    free(u);
}

void ui_set_mode(struct ui *u, const char *mode) { u->cfg.mode = mode; }
bool ui_paused(const struct ui *u) { return u->paused; }

void ui_refresh(struct ui *u, struct model *m, const struct model_view *v, tstamp_t now)
{
    if (u->paused && u->view)
        return;
    u->view = v;
    ui_conns_rebuild(u);
    if (u->screen == SCREEN_DETAIL && u->detail_id)
        model_detail(m, u->detail_id, now, &u->det);
}

/* ---------------------------------------------------------------- layout --- */

static const char *const screen_names[] = { "Connections", "Services", "Anomalies" };

static void draw_footer(struct ui *u, int y, int width)
{
    move(y, 0);
    clrtoeol();
    if (u->prompt != PROMPT_NONE) {
        const char *label = u->prompt == PROMPT_FILTER ? "Filter (address or port): "
                            : u->prompt == PROMPT_STATE ? "Only endpoints in state (empty: all): "
                                                        : "Write this connection's packets to: ";
        ui_put(y, 0, width, label, ui_attr(u, CP_TITLE, A_BOLD), false);
        int x = (int)strlen(label);
        int room = width - x - 1;
        const char *in = u->input;
        if ((int)u->input_len > room && room > 0)
            in += u->input_len - (size_t)room;
        ui_put(y, x, room, in, A_NORMAL, false);
        curs_set(1);
        move(y, x + (int)strlen(in));
        return;
    }
    curs_set(0);
    if (u->status[0] && ui_monotonic() < u->status_until) {
        ui_put(y, 0, width, u->status, u->status_error ? ui_attr(u, CP_WARN, A_BOLD) : ui_attr(u, CP_OK, A_BOLD),
               true);
        return;
    }
    static const char *const keys[][2] = {
        { "?", "Help" }, { "Enter", "Detail" }, { "/", "Filter" }, { "s", "State" }, { "1-0", "Sort" },
        { "p", "Pause" }, { "Tab", "View" }, { "q", "Quit" },
    };
    static const char *const detail_keys[][2] = {
        { "?", "Help" }, { "Esc", "Back" }, { "w", "Write pcap" }, { "Up/Dn", "Scroll" }, { "p", "Pause" },
        { "q", "Quit" },
    };
    bool det = u->screen == SCREEN_DETAIL;
    size_t n = det ? sizeof detail_keys / sizeof detail_keys[0] : sizeof keys / sizeof keys[0];
    int x = 0;
    for (size_t i = 0; i < n && x < width; i++) {
        const char *k = det ? detail_keys[i][0] : keys[i][0], *l = det ? detail_keys[i][1] : keys[i][1];
        if (!det && u->screen == SCREEN_SERVICES && !strcmp(k, "Enter"))
            l = "Its conns";      /* (Enter lists the service's connections there) */
        ui_put(y, x, width - x, k, A_BOLD, false);
        x += (int)strlen(k);
        char lab[24];
        snprintf(lab, sizeof lab, " %s ", l);
        ui_put(y, x, width - x, lab, ui_attr(u, CP_KEY, 0), false);
        x += (int)strlen(lab) + 1;
    }
}

static void draw_tabs(struct ui *u, int y, int width)
{
    move(y, 0);
    clrtoeol();
    int x = 0;
    for (int i = 0; i < SCREEN__TABS && x < width; i++) {
        enum ui_screen cur = u->screen == SCREEN_DETAIL ? u->back : u->screen;
        char t[48];
        if (i == SCREEN_CONNS)
            snprintf(t, sizeof t, " %s (%u) ", screen_names[i], u->view ? (unsigned)u->norder : 0u);
        else if (i == SCREEN_SERVICES)
            snprintf(t, sizeof t, " %s (%u) ", screen_names[i], u->view ? (unsigned)u->view->nsvcs : 0u);
        else
            snprintf(t, sizeof t, " %s (%u) ", screen_names[i], u->view ? (unsigned)u->view->nanoms : 0u);
        ui_put(y, x, width - x, t, (int)cur == i ? ui_attr(u, CP_BAR, A_BOLD) : A_NORMAL, false);
        x += (int)strlen(t) + 1;
    }
    char f[200] = "";
    size_t fl = 0;
    if (u->service[0])
        fl += (size_t)snprintf(f + fl, sizeof f - fl, " service %s", u->service);
    if (u->filter[0] && fl < sizeof f)
        fl += (size_t)snprintf(f + fl, sizeof f - fl, " filter \"%s\"", u->filter);
    if (u->state_only >= 0 && fl < sizeof f)
        fl += (size_t)snprintf(f + fl, sizeof f - fl, " only %s", tcp_state_name(u->state_only));
    if (f[0] && x < width)
        ui_put(y, x, width - x, f, ui_attr(u, CP_ANOM, A_BOLD), false);
}

void ui_draw(struct ui *u)
{
    int h = LINES, w = COLS;
    if (continued) {
        continued = 0;
        clearok(curscr, TRUE);
    }
    erase();
    int y = h < 6 || w < 20 ? h : ui_header_draw(u, w);
    if (h - y - 2 < 2) {
        /* no room for two rows under the header (which wraps when narrow):
         * say so, in what room there is, rather than show nothing */
        char msg[64];
        erase();
        snprintf(msg, sizeof msg, "tcpfsm: the terminal is too small (%dx%d)", w, h);
        if ((int)strlen(msg) <= w) {
            ui_put(0, 0, w, msg, A_BOLD, false);
        } else {
            ui_put(0, 0, w, "tcpfsm:", A_BOLD, false);
            if (h > 1)
                ui_put(1, 0, w, "terminal too small", A_BOLD, false);
        }
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    if (u->help) {
        /* the help over the header when it would not fit under it (80x24
         * lost its last lines, and any key closes it) */
        if (h - y - 1 < ui_help_lines()) {
            erase();
            y = 0;
        }
        ui_help_draw(u, y, h - y - 1, w);
    } else {
        draw_tabs(u, y, w);
        y++;
        int body = h - y - 1;
        switch (u->screen) {
        case SCREEN_CONNS:
            ui_conns_draw(u, y, body, w);
            break;
        case SCREEN_SERVICES:
            ui_services_draw(u, y, body, w);
            break;
        case SCREEN_ANOMALIES:
            ui_anomalies_draw(u, y, body, w);
            break;
        case SCREEN_DETAIL:
            ui_detail_draw(u, y, body, w);
            break;
        }
    }
    draw_footer(u, h - 1, w);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ----------------------------------------------------------------- keys --- */

static void open_detail(struct ui *u, struct model *m, uint32_t id)
{
    if (!id)
        return;
    u->back = u->screen == SCREEN_DETAIL ? u->back : u->screen;
    u->screen = SCREEN_DETAIL;
    u->detail_id = id;
    u->detail.top = u->detail.sel = 0;
    model_detail(m, id, u->view ? u->view->now : 0, &u->det);
}

static void start_prompt(struct ui *u, enum prompt_kind k, const char *initial)
{
    u->prompt = k;
    snprintf(u->input, sizeof u->input, "%s", initial ? initial : "");
    u->input_len = strlen(u->input);
}

static void finish_prompt(struct ui *u, struct model *m)
{
    enum prompt_kind k = u->prompt;
    u->prompt = PROMPT_NONE;
    curs_set(0);
    switch (k) {
    case PROMPT_FILTER:
        snprintf(u->filter, sizeof u->filter, "%.*s", (int)sizeof u->filter - 1, u->input);
        u->conns.sel = u->conns.top = 0;
        break;
    case PROMPT_STATE:
        if (!u->input[0]) {
            u->state_only = -1;
        } else {
            int st = tcp_state_parse(u->input);
            if (st < 0)
                ui_set_status(u, true, "no state called \"%s\" (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_2, ...)", u->input);
            else
                u->state_only = st;
        }
        u->conns.sel = u->conns.top = 0;
        break;
    case PROMPT_WRITE: {
        if (!u->input[0])
            break;
        char err[512];
        uint64_t n = 0;
        if (model_write_conn(m, u->detail_id, u->input, &n, err, sizeof err))
            ui_set_status(u, false, "wrote %llu packets of connection %u to %s", (unsigned long long)n,
                          (unsigned)u->detail_id, u->input);
        else
            ui_set_status(u, true, "not written: %s", err);
        break;
    }
    case PROMPT_NONE:
        break;
    }
    ui_conns_rebuild(u);
}

static void prompt_key(struct ui *u, struct model *m, int ch)
{
    switch (ch) {
    case 27:    /* Esc */
        u->prompt = PROMPT_NONE;
        curs_set(0);
        return;
    case '\n':
    case '\r':
    case KEY_ENTER:
        finish_prompt(u, m);
        return;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (u->input_len)
            u->input[--u->input_len] = 0;
        return;
    case 21:    /* ^U */
        u->input_len = 0;
        u->input[0] = 0;
        return;
    default:
        if (ch >= 32 && ch < 127 && u->input_len + 1 < sizeof u->input) {
            u->input[u->input_len++] = (char)ch;
            u->input[u->input_len] = 0;
        }
    }
}

static void sort_by(struct ui *u, enum conn_col c)
{
    if (!u->sort_default && u->sort == c) {
        u->sort_desc = !u->sort_desc;
    } else {
        u->sort = c;
        u->sort_default = false;
        /* numbers and times: largest first; addresses and states: A to Z */
        u->sort_desc = c >= COL_INSTATE;
    }
    ui_conns_rebuild(u);
    ui_set_status(u, false, "sorted by %s, %s", ui_col_name(c), u->sort_desc ? "descending" : "ascending");
}

static int list_page(void) { return LINES > 12 ? LINES - 10 : 2; }

static void screen_key(struct ui *u, struct model *m, int ch)
{
    const struct model_view *v = u->view;
    switch (u->screen) {
    case SCREEN_CONNS:
        if (ui_list_key(&u->conns, ch, (int)u->norder, u->rows_shown > 0 ? u->rows_shown : list_page())) {
            if (u->norder)
                u->sel_id = v->rows[u->order[u->conns.sel]].id;
            return;
        }
        if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && u->norder)
            open_detail(u, m, v->rows[u->order[u->conns.sel]].id);
        else if (ch >= '1' && ch <= '9')
            sort_by(u, (enum conn_col)(ch - '1'));
        else if (ch == '0')
            sort_by(u, COL_RATE_CS);
        else if (ch == 'a')
            sort_by(u, COL_ANOM);
        else if (ch == 'r')
            sort_by(u, COL_RATE_SC);
        else if (ch == 'd') {
            u->sort_default = true;
            u->sort = COL_ANOM;
            u->sort_desc = true;
            ui_conns_rebuild(u);
            ui_set_status(u, false, "sorted troubles first");
        } else if (ch == '<' || ch == '>') {
            int c = (int)u->sort + (ch == '<' ? -1 : 1);
            sort_by(u, (enum conn_col)((c + COL__COUNT) % COL__COUNT));
        }
        return;
    case SCREEN_SERVICES: {
        int n = v ? (int)v->nsvcs : 0;
        if (ui_list_key(&u->svcs, ch, n, u->rows_shown > 0 ? u->rows_shown : list_page()))
            return;
        if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && n) {
            /* the service's connections */
            const struct model_service *s = &v->svcs[u->svcs.sel];
            char ep[ENDPOINT_STRLEN];
            /* exactly that server endpoint: the free-text filter would also
             * take 192.0.2.80:8080 for 192.0.2.80:80 */
            snprintf(u->service, sizeof u->service, "%s", format_addr_port(&s->addr, s->port, ep));
            u->screen = SCREEN_CONNS;
            u->conns.sel = u->conns.top = 0;
            ui_conns_rebuild(u);
        }
        return;
    }
    case SCREEN_ANOMALIES: {
        int n = v ? (int)v->nanoms : 0;
        if (ui_list_key(&u->anoms, ch, n, u->rows_shown > 0 ? u->rows_shown : list_page()))
            return;
        if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && n && v->anoms[u->anoms.sel].conn_id)
            open_detail(u, m, v->anoms[u->anoms.sel].conn_id);
        return;
    }
    case SCREEN_DETAIL: {
        int nlines = ui_detail_lines(u, COLS);
        int page = LINES - 8 > 1 ? LINES - 8 : 1;
        switch (ch) {
        case KEY_UP:
        case 'k':
            u->detail.top--;
            break;
        case KEY_DOWN:
        case 'j':
            u->detail.top++;
            break;
        case KEY_PPAGE:
            u->detail.top -= page;
            break;
        case KEY_NPAGE:
        case ' ':
            u->detail.top += page;
            break;
        case KEY_HOME:
        case 'g':
            u->detail.top = 0;
            break;
        case KEY_END:
        case 'G':
            u->detail.top = nlines - page;
            break;
        case 27:
        case KEY_BACKSPACE:
        case 127:
        case KEY_LEFT:
        case '\n':
        case '\r':
        case KEY_ENTER:
            u->screen = u->back;
            return;
        case 'w': {
            /* here if this (unprivileged) process may write here, else /tmp */
            char def[96];
            const char *tmp = getenv("TMPDIR");
            if (access(".", W_OK) == 0)
                snprintf(def, sizeof def, "tcpfsm-conn-%u.pcap", (unsigned)u->detail_id);
            else
                snprintf(def, sizeof def, "%.60s/tcpfsm-conn-%u.pcap", tmp && *tmp ? tmp : "/tmp",
                         (unsigned)u->detail_id);
            start_prompt(u, PROMPT_WRITE, def);
            return;
        }
        default:
            return;
        }
        if (u->detail.top > nlines - page)
            u->detail.top = nlines - page;
        if (u->detail.top < 0)
            u->detail.top = 0;
        return;
    }
    }
}

enum ui_action ui_input(struct ui *u, struct model *m)
{
    int ch;
    bool skip = false;
    while ((ch = getch()) != ERR) {
        if (ch == KEY_RESIZE) {
            clearok(stdscr, TRUE);     /* repaint everything at the new size */
            continue;
        }
        if (u->prompt != PROMPT_NONE) {
            prompt_key(u, m, ch);
            continue;
        }
        if (u->help) {
            u->help = false;        /* any key closes the help */
            if (ch == 'q')
                return UI_QUIT;
            continue;
        }
        switch (ch) {
        case 'q':
        case 'Q':
            return UI_QUIT;
        case '?':
        case 'h':
        case KEY_F(1):
            u->help = true;
            continue;
        case 'n':
        case 'N':
            /* (the keys after it are read first: ncurses may hold them
             * already, where poll() would not see them) */
            if (u->cfg.paced) {
                skip = true;
                ui_set_status(u, false, "skipped to the next packet");
                continue;
            }
            break;
        case 'p':
        case 'P':
            u->paused = !u->paused;
            ui_set_status(u, false, u->paused ? "display paused (capture goes on): p to resume" : "display resumed");
            continue;
        case '\t':
            u->screen = (enum ui_screen)(((u->screen == SCREEN_DETAIL ? u->back : u->screen) + 1) % SCREEN__TABS);
            continue;
        case KEY_BTAB:
            u->screen = (enum ui_screen)(((u->screen == SCREEN_DETAIL ? u->back : u->screen) + SCREEN__TABS - 1) %
                                         SCREEN__TABS);
            continue;
        case '/':
            if (u->screen != SCREEN_DETAIL) {
                start_prompt(u, PROMPT_FILTER, u->filter);
                continue;
            }
            break;
        case 's':
        case 'S':
            if (u->screen != SCREEN_DETAIL) {
                start_prompt(u, PROMPT_STATE, u->state_only >= 0 ? tcp_state_name(u->state_only) : "");
                continue;
            }
            break;
        case 'c':
        case 'C':
            if (u->screen != SCREEN_DETAIL) {
                u->filter[0] = 0;
                u->service[0] = 0;
                u->state_only = -1;
                ui_conns_rebuild(u);
                ui_set_status(u, false, "filters cleared");
                continue;
            }
            break;
        default:
            break;
        }
        if (u->view)
            screen_key(u, m, ch);
    }
    return skip ? UI_SKIP : UI_CONTINUE;
}
