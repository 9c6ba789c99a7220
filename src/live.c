/* live.c - the loop of the live view (see live.h).
 *
 * One thread.  Packets come first: each turn handles every packet already
 * captured (for at most a short budget), then, only when the refresh is
 * due, builds a picture from the model and draws it; then it polls the
 * capture and the keyboard, waiting at most until the next refresh.  A slow
 * terminal therefore costs pictures, never packets. */
#include "live.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "exitcodes.h"
#include "format.h"
#include "livecap.h"
#include "model.h"
#include "outwriter.h"
#include "privs.h"
#include "snapshot.h"
#include "ui.h"

#define DEFAULT_REFRESH_MS 1000
#define DEFAULT_INTERVAL (10 * TS_PER_SEC)
#define PACKET_BUDGET (50 * TS_PER_MS)      /* packets handled before looking at the screen */
#define LIVE_SETTLE (500 * TS_PER_MS)       /* live: expiry lags the clock, for packets in flight */
#define SKIP_HINT_AFTER (3 * TS_PER_SEC)    /* a paced replay's wait this long is shown (n skips it) */

/* How long a packet may wait in the kernel's buffer (livecap.h): a tenth
 * of the screen's refresh (50 ms to 60 s), at least 5 ms, at most
 * LIVECAP_LATENCY_MS, which is also the wait without a screen (snapshots
 * are seconds apart). */
static uint32_t live_latency_ms(uint32_t refresh_ms)
{
    uint32_t ms = (refresh_ms ? refresh_ms : DEFAULT_REFRESH_MS) / 10;
    return ms < 5 ? 5 : ms > LIVECAP_LATENCY_MS ? LIVECAP_LATENCY_MS : ms;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static void stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sa.sa_flags = 0;        /* no SA_RESTART: poll() must wake */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static tstamp_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (tstamp_t)ts.tv_sec * TS_PER_SEC + ts.tv_nsec;
}

static tstamp_t wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (tstamp_t)ts.tv_sec * TS_PER_SEC + ts.tv_nsec;
}

static void on_packet(void *ctx, const struct capture_packet *pkt)
{
    model_packet(ctx, pkt);
}

struct replay {
    struct capture *cap;
    double speed;               /* 0: as fast as possible */
    struct capture_packet pending;
    bool have_pending, eof;
    enum capture_result rc;
    tstamp_t t0_capture, t0_mono;
    bool started;
};

/* A time in ns computed in double, held within +-2^62 (146 years): an
 * extreme --speed (1e-300, 1e300) must not overflow the conversion or the
 * sums it goes into. */
static tstamp_t sat_ns(double v)
{
    const double lim = 4.6e18;
    return v >= lim ? (tstamp_t)lim : v <= -lim ? -(tstamp_t)lim : (tstamp_t)v;
}

/* Replay what is due; returns true if more is due at once. */
static bool replay_step(struct replay *r, struct model *m, tstamp_t *vnow)
{
    tstamp_t until = mono() + PACKET_BUDGET / 2;
    for (int n = 0;; n++) {
        if (!r->have_pending) {
            r->rc = capture_next(r->cap, &r->pending);
            if (r->rc != CAPTURE_PACKET) {
                r->eof = true;
                return false;
            }
            r->have_pending = true;
        }
        if (r->speed > 0) {
            if (!r->started) {
                r->started = true;
                r->t0_capture = r->pending.ts;
                r->t0_mono = mono();
            }
            tstamp_t vt = r->t0_capture + sat_ns((double)(mono() - r->t0_mono) * r->speed);
            *vnow = vt;
            if (r->pending.ts > vt) {
                model_advance(m, vt);
                return false;
            }
        }
        model_packet(m, &r->pending);
        r->have_pending = false;
        if ((n & 255) == 255 && mono() > until)
            return true;
    }
}

/* How long until the replay's next packet is due, in ns (speed > 0). */
static tstamp_t replay_wait(const struct replay *r)
{
    if (r->speed <= 0 || !r->have_pending || !r->started)
        return 0;
    tstamp_t due = r->t0_mono + sat_ns((double)(r->pending.ts - r->t0_capture) / r->speed);
    tstamp_t d = due - mono();
    return d > 0 ? d : 0;
}

/* n: the next packet due now.  The replay's clock jumps to it (its start
 * moves back by the wait), and what ages with capture time ages by the
 * time skipped. */
static void replay_skip(struct replay *r)
{
    r->t0_mono -= replay_wait(r);
}

/* The header's mode for a replay at --speed: with a long wait ahead (a
 * capture's silence, at 1x or slower, can last hours), how long, and that
 * n skips it - else the screen would only stand still. */
static void replay_mode(const struct replay *r, char *mode, size_t len)
{
    tstamp_t w = replay_wait(r);
    char d[24];
    if (w >= SKIP_HINT_AFTER)
        snprintf(mode, len, "REPLAY %gx - next packet in %s (n skips)", r->speed, format_duration(w, d));
    else
        snprintf(mode, len, "REPLAY %gx", r->speed);
}

/* "tcpfsm: FILE: packet N: what; tail" (no packet number from a live
 * capture's error), nothing if there was no damage. */
static void say_damage(const char *name, const char *damage, uint64_t pkt, const char *tail)
{
    char where[40] = "";
    if (!damage)
        return;
    if (pkt)
        snprintf(where, sizeof where, "packet %llu: ", (unsigned long long)pkt);
    fprintf(stderr, "tcpfsm: %s: %s%s%s\n", name, where, damage, tail);
}

static int list_interfaces(void)
{
    char err[512];
    if (!livecap_list(stdout, err, sizeof err)) {
        fprintf(stderr, "tcpfsm: %s\n", err);
        return EXIT_USAGE;
    }
    if (!out_flushed(stdout)) {
        fprintf(stderr, "tcpfsm: cannot write the list: %s\n", out_reason(errno));
        return EXIT_OUTPUT;
    }
    return EXIT_ALL_READ;
}

int run_live(struct options *opt)
{
    char err[1024];
    if (opt->list_ifaces)
        return list_interfaces();
    if (opt->write_file) {
        fprintf(stderr, "tcpfsm: -w writes from -r without --ui; in the live view, w in a connection's detail "
                        "writes its packets\n");
        return EXIT_USAGE;
    }
    if (opt->zeek_format) {
        fprintf(stderr, "tcpfsm: --format zeek is for -r without --ui\n");
        return EXIT_USAGE;
    }
    bool use_ui = !opt->no_ui && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);

    /* 1. the source, opened while privileged */
    struct livecap *lc = NULL;
    struct replay rp;
    memset(&rp, 0, sizeof rp);
    struct model_source src = { .filter = opt->filter };
    if (opt->iface) {
        struct livecap_config lcfg = {
            .iface = opt->iface, .filter = opt->filter, .promisc = !opt->no_promisc, .snaplen = opt->snaplen,
            .buffer_kib = opt->buffer_kib,
            .latency_ms = opt->no_ui ? LIVECAP_LATENCY_MS : live_latency_ms(opt->refresh_ms),
        };
        lc = livecap_open(&lcfg, err, sizeof err);
        if (!lc) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            return EXIT_USAGE;
        }
        src.name = opt->iface;
        src.link = livecap_linktype_text(lc);
        src.live = true;
        if (!decode_link_supported(livecap_linktype(lc))) {
            fprintf(stderr, "tcpfsm: %s: unsupported link type %s\n", opt->iface, src.link);
            livecap_close(lc);
            return EXIT_USAGE;
        }
    } else {
        rp.cap = capture_open_files(opt->read_files, NULL, opt->nread, err, sizeof err);
        if (!rp.cap) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            return EXIT_USAGE;
        }
        if (!capture_open_now(rp.cap, err, sizeof err)) {     /* privileges go below */
            fprintf(stderr, "tcpfsm: %s\n", err);
            capture_close(rp.cap);
            return EXIT_USAGE;
        }
        if (!capture_set_filter(rp.cap, opt->filter, err, sizeof err)) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            capture_close(rp.cap);
            return EXIT_USAGE;
        }
        rp.speed = opt->speed;
        src.name = capture_source(rp.cap);
        src.link = capture_linktype_text(rp.cap);
    }

    /* 2. no privilege left before the first packet is parsed */
    if (!privs_drop(opt->user, err, sizeof err)) {
        fprintf(stderr, "tcpfsm: %s\n", err);
        livecap_close(lc);
        capture_close(rp.cap);
        return EXIT_USAGE;
    }

    struct model *m = model_create(opt, use_ui ? NULL : &opt->report, stdout);
    if (!m) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        livecap_close(lc);
        capture_close(rp.cap);
        return EXIT_USAGE;
    }
    model_set_source(m, &src);
    stop_handlers();

    char mode[160];
    if (lc)
        snprintf(mode, sizeof mode, "LIVE");
    else if (rp.speed > 0)
        snprintf(mode, sizeof mode, "REPLAY %gx", rp.speed);
    else
        snprintf(mode, sizeof mode, "REPLAY");
    struct ui *u = NULL;
    tstamp_t refresh = (tstamp_t)(opt->refresh_ms ? opt->refresh_ms : DEFAULT_REFRESH_MS) * TS_PER_MS;
    if (use_ui) {
        struct ui_config ucfg = {
            .src = src, .mode = mode, .stuck_after = opt->analysis.stuck_after,
            .refresh_ms = (uint32_t)(refresh / TS_PER_MS), .paced = rp.cap && rp.speed > 0,
        };
        u = ui_open(&ucfg, err, sizeof err);
        if (!u) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            model_destroy(m);
            livecap_close(lc);
            capture_close(rp.cap);
            return EXIT_USAGE;
        }
    }
    tstamp_t interval = opt->interval ? opt->interval : DEFAULT_INTERVAL;

    /* 3. the loop */
    int status = EXIT_ALL_READ;
    const char *damage = NULL;
    uint64_t damage_pkt = 0;    /* the replayed file's record where it was found */
    bool failed = false, replay_done_shown = false, out_error = false;
    bool quit_early = false;    /* q in a replay not yet at its end */
    tstamp_t failed_at = 0;     /* when the live capture failed: time stops there */
    tstamp_t start = mono();
    tstamp_t next_draw = start, next_snap = start + interval;
    tstamp_t vnow = 0;
    while (!stop_signal) {
        bool more = false;
        if (lc && !failed) {
            tstamp_t until = mono() + PACKET_BUDGET;
            int n;
            do {
                n = livecap_dispatch(lc, 1024, on_packet, m);
            } while (n > 0 && mono() < until);
            model_flush(m);     /* (nothing waits for the next dispatch) */
            if (n < 0) {
                failed = true;
                failed_at = wall();
                damage = livecap_error(lc);
                status = EXIT_DAMAGED;
                if (!u)
                    break;
                /* the reason on screen too, not only on stderr after q */
                snprintf(mode, sizeof mode, "CAPTURE FAILED: %s", damage ? damage : "read error");
            }
            more = n > 0;
        } else if (rp.cap && !rp.eof) {
            more = replay_step(&rp, m, &vnow);
            model_flush(m);
            if (rp.eof) {
                if (rp.rc == CAPTURE_DAMAGED || rp.rc == CAPTURE_FAILED) {
                    damage = capture_error(rp.cap);
                    damage_pkt = capture_error_pktno(rp.cap);
                    status = EXIT_DAMAGED;
                }
                model_set_input_counts(m, capture_records(rp.cap), capture_filtered(rp.cap), capture_format(rp.cap));
                model_input_ended(m);
                if (!u)
                    break;
            }
        }

        tstamp_t now = mono();
        /* (nothing was captured after a failure: connections do not age,
         * go stuck or expire from time no packet could be seen in) */
        tstamp_t view_now = lc ? (failed ? failed_at : wall()) : rp.speed > 0 && !rp.eof ? vnow : 0;
        bool snap_due = !u && now >= next_snap;
        if (lc && (now >= next_draw || snap_due)) {
            struct livecap_stats st;
            livecap_stats(lc, &st);
            model_set_drops(m, st.kernel_drops, st.if_drops);
            /* Time moves on only once every captured packet is handled:
             * a backlog must not look idle or expired. */
            if (!more && !failed)
                model_advance(m, view_now - LIVE_SETTLE);
        }
        if (now >= next_draw) {
            if (u) {
                if (rp.cap && rp.eof && !replay_done_shown) {
                    /* what was wrong, and where, on screen (not only on
                     * stderr once the view is gone) */
                    if (damage)
                        snprintf(mode, sizeof mode, "REPLAY DONE (input damaged at packet %llu: %s) - q quits",
                                 (unsigned long long)damage_pkt, damage);
                    else
                        snprintf(mode, sizeof mode, "REPLAY DONE - q quits");
                    replay_done_shown = true;
                }
                if (rp.cap && !rp.eof && rp.speed > 0)
                    replay_mode(&rp, mode, sizeof mode);
                if (!ui_paused(u))
                    ui_refresh(u, m, model_view(m, view_now), view_now);
                ui_draw(u);
            }
            next_draw += refresh;
            if (next_draw <= now)
                next_draw = now + refresh;
        }
        if (snap_due) {
            if (!snapshot_print(stdout, opt->report.format == FORMAT_JSON, model_summary(m, view_now), &src)) {
                out_error = true;
                break;
            }
            next_snap += interval;
            if (next_snap <= now)
                next_snap = now + interval;
        }

        /* wait for packets, keys, or the next refresh */
        tstamp_t wait = next_draw - now;
        if (!u && next_snap - now < wait)
            wait = next_snap - now;
        if (more || (rp.cap && !rp.eof && rp.speed <= 0))
            wait = 0;
        else if (rp.cap && !rp.eof) {
            tstamp_t w = replay_wait(&rp);
            if (w < wait)
                wait = w;
        }
        struct pollfd pfd[2];
        int nfd = 0, kbd = -1;
        if (lc && !failed) {
            pfd[nfd].fd = livecap_fd(lc);
            pfd[nfd++].events = POLLIN;
        }
        if (u) {
            kbd = nfd;
            pfd[nfd].fd = STDIN_FILENO;
            pfd[nfd++].events = POLLIN;
        }
        int timeout = (int)((wait + TS_PER_MS - 1) / TS_PER_MS);
        int pr = poll(pfd, (nfds_t)nfd, timeout);
        if (u && pr > 0 && kbd >= 0 && (pfd[kbd].revents & (POLLHUP | POLLERR | POLLNVAL)))
            break;      /* the terminal is gone */
        if (u && ((pr > 0 && kbd >= 0 && (pfd[kbd].revents & POLLIN)) || (pr < 0 && errno == EINTR) ||
                  (pr == 0 && wait == 0))) {
            enum ui_action act = ui_input(u, m);
            if (act == UI_QUIT) {
                quit_early = rp.cap && !rp.eof;
                break;
            }
            if (act == UI_SKIP && rp.cap && !rp.eof)
                replay_skip(&rp);
            ui_draw(u);
        }
    }

    /* 4. the end: a replay cut short by a signal, or by q, is reported as
     * such: not all of the input was read (exit status 4, as for -r) */
    if ((stop_signal || quit_early) && rp.cap && !rp.eof && status == EXIT_ALL_READ) {
        status = EXIT_INTERRUPTED;
        model_set_input_counts(m, capture_records(rp.cap), capture_filtered(rp.cap), capture_format(rp.cap));
        if (!u)
            fprintf(stderr, "tcpfsm: %s: interrupted by a signal after %llu packets; reporting them\n", src.name,
                    (unsigned long long)capture_records(rp.cap));
    }
    model_flush(m);
    uint64_t kdrops = 0, idrops = 0;
    if (lc) {
        struct livecap_stats st;
        livecap_stats(lc, &st);
        model_set_drops(m, st.kernel_drops, st.if_drops);
        kdrops = st.kernel_drops;
        idrops = st.if_drops;
    }
    if (u) {
        ui_close(u);
        if (status == EXIT_INTERRUPTED)
            fprintf(stderr, "tcpfsm: %s: replay %s after %llu packets, before the end of the input\n", src.name,
                    quit_early ? "quit" : "interrupted by a signal", (unsigned long long)capture_records(rp.cap));
        const struct tracker_stats *ts = model_tracker_stats(m);
        if (lc)
            fprintf(stderr, "tcpfsm: %s: %llu packets, %llu dropped by the kernel, %llu by the interface; "
                            "%llu connections seen\n",
                    src.name, (unsigned long long)model_packets(m), (unsigned long long)kdrops,
                    (unsigned long long)idrops, (unsigned long long)ts->conns);
        say_damage(src.name, damage, damage_pkt, "");
        if (rp.cap)
            capture_warn_disorder(rp.cap);
        model_finish_report(m, status, damage, damage_pkt);
    } else {
        if (rp.cap && rp.eof && !out_error)
            out_error = !snapshot_print(stdout, opt->report.format == FORMAT_JSON, model_summary(m, 0), &src);
        say_damage(src.name, damage, damage_pkt, "; reporting what was read");
        if (rp.cap)
            capture_warn_disorder(rp.cap);
        /* (errno says why the report could not be written, if the stream
         * told: out_flushed()) */
        int why = 0;
        bool wrote = model_finish_report(m, status, damage, damage_pkt);
        if (!wrote)
            why = errno;
        else if (!out_flushed(stdout)) {
            wrote = false;
            why = errno;
        }
        if (!wrote || out_error) {
            fprintf(stderr, "tcpfsm: cannot write the report: %s\n", out_reason(why));
            status = EXIT_OUTPUT;
        }
    }
    model_destroy(m);
    livecap_close(lc);
    capture_close(rp.cap);
    return status;
}
