/* main.c - tcpfsm: read packets, track connections, report.
 *
 * The data flows one way: capture -> decode -> tracker -> report, which
 * hands each connection to the census, the services and the format. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "capture.h"
#include "census.h"
#include "decode.h"
#include "exitcodes.h"
#include "pcapfile.h"
#include "extract.h"
#include "feed.h"
#include "format.h"
#include "listeners.h"
#include "live.h"
#include "options.h"
#include "pcapwrite.h"
#include "progress.h"
#include "outwriter.h"
#include "report.h"
#include "services.h"
#include "tracker.h"
#include "zeekconn.h"

#define MAX_LISTENERS 65536
#define MAX_SERVICES 16384

/* Signals.  Once packets are being read (`reading`), SIGINT, SIGTERM and
 * SIGHUP set `interrupted`: reading stops and what was read is reported
 * (exit status 4).  Before that - while options are checked and the input
 * opened - and for SIGQUIT, SIGPIPE and SIGXFSZ at any time, the signal
 * ends the process as it would any program, after removing the temporary
 * files of -o and -w.  Handlers restart interrupted system calls
 * (SA_RESTART), so that a report being written to a slow pipe is not cut
 * short; the reader waits for input in ppoll(), which a signal always
 * interrupts, with the stopping signals unblocked only while it waits, so
 * none can slip in between its look at the flag and the wait
 * (src/pcapfile.c).  SIGUSR1 asks for a progress line (src/progress.h)
 * and never ends tcpfsm. */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t reading;

static void die_by_signal(int sig)
{
    pcapwrite_cleanup_on_signal();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig);
}

/* The first SIGINT, SIGTERM or SIGHUP while reading stops the reading; a
 * second one (say, while the report is stuck on a pipe nobody reads) ends
 * the process. */
static void on_interrupt(int sig)
{
    if (reading && !interrupted)
        interrupted = sig;
    else
        die_by_signal(sig);
}

/* Catch sig with handler, unless whoever started us ignores it (nohup, a
 * shell's background job, trap '' PIPE): that choice stands. */
static void catch(int sig, void (*handler)(int))
{
    struct sigaction sa, old;
    if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        return;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = handler;
    sigaction(sig, &sa, NULL);
}

static void catch_signals(void)
{
    catch(SIGINT, on_interrupt);
    catch(SIGTERM, on_interrupt);
    catch(SIGHUP, on_interrupt);
    catch(SIGQUIT, die_by_signal);
    catch(SIGPIPE, die_by_signal);
    catch(SIGXFSZ, die_by_signal);
    catch(SIGUSR1, progress_request);    /* -r: a progress line, as dd(1) */
    pcapfile_set_interrupt(&interrupted);
}

/* Where retired connections go: the aggregates and the report. */
struct sink {
    struct selection *selection;    /* -w: connections whose packets to write */
    struct census census;
    struct services services;
    struct analysis *analysis;
    struct tracker *tracker;
    struct report *report;
};

static void on_retired(void *ctx, const struct conn *c, enum retire_reason why)
{
    struct sink *k = ctx;
    if (k->selection)
        selection_consider(k->selection, c, k->analysis);
    report_conn(k->report, c, why, tracker_now(k->tracker));
}

/* The census and the services take each connection from the report, in the
 * thread that formats it (src/report.c), which may not be this one. */
static void on_view(void *ctx, const struct conn_view *v)
{
    struct sink *k = ctx;
    census_add(&k->census, v);
    services_add(&k->services, v);
}

/* -w reads its input twice.  Standard input, a FIFO or a process
 * substitution can be read only once: keep a copy in $TMPDIR for the second
 * pass (removed on every exit, signals included).  in_fd: the input, name:
 * how messages call it.  *slot: the copy's cleanup slot. */
static char *copy_input(int in_fd, const char *name, int *slot, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(dir ? dir : "/tmp") + 32;
    char *path = malloc(n);
    if (!path) {
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    snprintf(path, n, "%s/tcpfsm-input-XXXXXX", dir ? dir : "/tmp");
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);     /* the file and its slot at once */
    int fd = mkstemp(path);
    if (fd >= 0)
        *slot = cleanup_track(path);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot keep a copy for -w: %s", name, strerror(errno));
        free(path);
        return NULL;
    }
    char buf[65536];
    ssize_t r = 0;
    reading = 1;
    for (;;) {
        if (!interrupted && pcapfile_wait_readable(in_fd, &interrupted))
            r = read(in_fd, buf, sizeof buf);
        if (interrupted) {
            snprintf(err, errlen, "%s: interrupted by a signal while keeping a copy for -w, "
                                  "before anything was analysed; nothing reported", name);
            break;
        }
        if (r == 0) {
            close(fd);
            reading = 0;            /* until the copy is being read */
            return path;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || write(fd, buf, (size_t)r) != r) {
            snprintf(err, errlen, "%s: cannot keep a copy for -w: %s", name, strerror(errno));
            break;
        }
    }
    close(fd);
    unlink(path);
    cleanup_untrack(*slot);
    *slot = 0;
    free(path);
    return NULL;
}

/* The directory part of path: "." if it has none, "/" for "/x". */
static void dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else
        snprintf(dir, len, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* The directory part of path ("." if none) holds the same inode as dir's? */
static bool same_dir_of(const char *a, const char *b)
{
    char da[4096], db[4096];
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    dir_of(a, da, sizeof da);
    dir_of(b, db, sizeof db);
    struct stat x, y;
    return stat(da, &x) == 0 && stat(db, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino &&
           !strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b);
}

/* Would a and b name the same regular file, whatever the paths: the same
 * inode if both exist, the same name in the same directory if neither does
 * yet? */
static bool same_file(const char *a, const char *b)
{
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
        return false;
    struct stat x, y;
    bool ea = stat(a, &x) == 0, eb = stat(b, &y) == 0;
    if (ea && eb)
        return S_ISREG(x.st_mode) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
    return !ea && !eb && same_dir_of(a, b);
}

/* The first of the files (regular files or FIFOs) that is given twice,
 * by device and inode; NULL if none.  (Each looked at once: thousands of
 * rotated pieces are no more than a few milliseconds.) */
static const char *input_twice(const char *const *inputs, int n)
{
    struct id {
        dev_t dev;
        ino_t ino;
    } *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        return NULL;
    const char *twice = NULL;
    for (int i = 0; i < n && !twice; i++) {
        struct stat st;
        ids[i].dev = 0, ids[i].ino = 0;
        if (stat(inputs[i], &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)))
            continue;       /* (a missing file is named when it is opened) */
        ids[i].dev = st.st_dev, ids[i].ino = st.st_ino;
        for (int j = 0; j < i && !twice; j++)
            if (ids[j].ino == st.st_ino && ids[j].dev == st.st_dev && ids[j].ino)
                twice = inputs[i];
    }
    free(ids);
    return twice;
}

/* The progress line (src/progress.h): as asked, or by default when
 * standard error is a terminal and no lines stream to a terminal while
 * the file is read (JSON, CSV and Zeek lines of connections retired on
 * the way; the text report comes after reading, when the line is gone). */
static bool want_progress(const struct options *opt, FILE *out)
{
    if (opt->progress)
        return opt->progress > 0;
    if (!isatty(STDERR_FILENO))
        return false;
    bool streams = opt->zeek_format || opt->report.format != FORMAT_TEXT;
    return !(streams && isatty(fileno(out)));
}

/* A filter that does not compile and whose first word names a file: the
 * files were likely meant as input (tcpfsm -r dump dump1 dump2), each of
 * which needs its own -r.  The hint to add to the message, or "". */
static const char *files_in_filter(const char *filter, char *buf, size_t len)
{
    char word[256];
    size_t n = strcspn(filter, " ");
    struct stat st;
    if (n == 0 || n >= sizeof word)
        return "";
    memcpy(word, filter, n);
    word[n] = 0;
    if (stat(word, &st) != 0 || !S_ISREG(st.st_mode))
        return "";
    snprintf(buf, len, "; %s is a file: several files are read as one capture with -r before each (-r A -r B)",
             word);
    return buf;
}

/* Read a capture file and report on it; -w's second pass too. */
/* *report_failed: set when the report itself could not be written (as
 * opposed to -w's file). */
/* inputs[0..n-1]: the files read as one capture; names[i]: what messages
 * call inputs[i] (a copy's original), NULL: its own name. */
static int run_file(struct options *opt, const char *const *inputs, const char *const *names, int ninputs,
                    struct selection *selection, FILE *out, bool *report_failed)
{
    char err[512];
    struct capture *cap = capture_open_files(inputs, names, ninputs, err, sizeof err);
    if (!cap) {
        fprintf(stderr, "tcpfsm: %s\n", err);
        return EXIT_USAGE;
    }
    /* A pcap file has one link type: if it is not one we decode, nothing in
     * it can be.  A pcapng file is judged packet by packet. */
    int lt = capture_linktype(cap);
    if (capture_single_linktype(cap) && lt >= 0 && !decode_link_supported(lt)) {
        fprintf(stderr, "tcpfsm: %s: unsupported link type %s; tcpfsm decodes Ethernet (with VLAN tags), "
                        "Linux cooked (SLL, SLL2), raw IP, BSD loopback, PPP, PPPoE, FDDI, ARCnet, IP over InfiniBand, Juniper's Ethernet captures, "
                        "802.11 (bare, radiotap, PPI, Prism, AVS), NFLOG, PKTAP, pflog, enc, ipnet, SLIP, MPLS and netANALYZER\n",
                capture_file_name(cap), capture_linktype_text(cap));
        capture_close(cap);
        return EXIT_USAGE;
    }
    if (!capture_set_filter(cap, opt->filter, err, sizeof err)) {
        char hint[300];
        fprintf(stderr, "tcpfsm: %s%s\n", err, files_in_filter(opt->filter, hint, sizeof hint));
        capture_close(cap);
        return EXIT_USAGE;
    }
    int threads = feed_pick_threads(opt->threads, capture_size_hint(cap),
                                    feed_default_threads(capture_compressed(cap) ? 1 : 0));
    /* The line once a second, or only when SIGUSR1 asks (then a line of its
     * own, even on a terminal) */
    struct progress progress;
    if (want_progress(opt, out))
        progress_init(&progress, STDERR_FILENO, isatty(STDERR_FILENO), 1000, "");
    else
        progress_init(&progress, STDERR_FILENO, false, PROGRESS_ON_REQUEST, "");
    capture_show_progress(cap, &progress);
    /* With a processor to spare, a report going to a file or a pipe is
     * written out by a thread of its own (src/outwriter.h); a terminal gets
     * it directly, as it is made. */
    struct outwriter *writer = NULL;
    if (threads >= 2 && !isatty(fileno(out))) {
        FILE *front = outwriter_start(out, &writer);
        if (front)
            out = front;
    }
    if (opt->zeek_format) {      /* a Zeek conn.log: the RFC 793 tracker is not needed */
        opt->zeek.max_conns = opt->tracker.max_conns;
        reading = 1;
        int zstatus = zeek_run(cap, &opt->zeek, out, &interrupted);
        const char *why = out_reason(zstatus == EXIT_OUTPUT ? errno : 0);
        if (!outwriter_finish(writer)) {     /* it knows the reason */
            why = strerror(errno);
            zstatus = EXIT_OUTPUT;
        }
        if (zstatus == EXIT_OUTPUT)
            fprintf(stderr, "tcpfsm: cannot write the conn.log: %s\n", why);
        *report_failed = zstatus == EXIT_OUTPUT;
        capture_warn_disorder(cap);
        capture_close(cap);
        return zstatus;
    }

    struct listeners *listeners = listeners_create(MAX_LISTENERS);
    /* JSON and CSV give every connection Zeek's history and conn_state */
    opt->analysis.history = opt->report.format == FORMAT_JSON || opt->report.format == FORMAT_CSV;
    struct analysis *analysis = analysis_create(&opt->analysis, opt->tracker.max_conns);
    struct tracker *tr = tracker_create(&opt->tracker, listeners);
    if (tr)
        tracker_set_analysis(tr, analysis);
    opt->report.writer = writer;
    struct report *rep = report_create(&opt->report, out, analysis);
    static struct sink sink;
    census_init(&sink.census);
    if (!listeners || !analysis || !tr || !rep || !services_init(&sink.services, MAX_SERVICES)) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        outwriter_finish(writer);
        return EXIT_USAGE;
    }
    sink.analysis = analysis;
    sink.selection = selection;
    sink.tracker = tr;
    sink.report = rep;
    struct tracker_observer obs = { .ctx = &sink, .retired = on_retired };
    tracker_add_observer(tr, &obs);
    report_also(rep, on_view, &sink);

    struct run_info info;
    memset(&info, 0, sizeof info);
    /* Packets are read and decoded in batches by the reading stage (a
     * thread of its own when there are two processors: src/feed.c) and
     * applied here in capture order.  Each segment's bucket in the table is
     * fetched AHEAD segments before it is applied and its record HALF
     * segments before, so the tracker rarely waits on memory. */
    reading = 1;            /* from here a signal stops the reading */
    struct feed *feed = feed_start(cap, &info, &interrupted, threads, tr, opt->dedupe);
    if (!feed) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        outwriter_finish(writer);
        return EXIT_USAGE;
    }
    /* With the output going through the writing thread, the report takes
     * the connections in a thread of its own too (src/report.c): the
     * formats' lines, the census and the services.  This one then only
     * copies each connection. */
    if (writer)
        report_start_thread(rep);
    enum { AHEAD = 8, HALF = AHEAD / 2 };
    for (struct feed_batch *b; (b = feed_next(feed));) {
        uint32_t n = b->n;
        /* a busy report thread needs the processor a spinning reader
         * would take (src/feed.c) */
        feed_allow_spinning(feed, !report_thread_busy(rep));
        /* the keys' hashes, all at once (independent SipHash chains that
         * the processor overlaps), unless the reading thread had the time */
        if (!b->hashed)
            for (uint32_t i = 0; i < n; i++)
                tracker_hash(tr, &b->prep[i]);
        for (uint32_t i = 0; i < n && i < AHEAD; i++)
            tracker_prefetch_bucket(tr, &b->prep[i]);
        for (uint32_t i = 0; i < n; i++) {
            if (i + AHEAD < n)
                tracker_prefetch_bucket(tr, &b->prep[i + AHEAD]);
            if (i + HALF < n)
                tracker_prefetch(tr, &b->prep[i + HALF]);
            tracker_segment_prepared(tr, &b->seg[i], &b->prep[i]);
        }
    }
    enum capture_result rc = feed_end(feed);
    capture_progress_done(cap);
    tracker_finish(tr);
    analysis_finish(analysis, tracker_now(tr));

    info.exit_status = EXIT_ALL_READ;
    if (interrupted) {
        info.interrupted = true;
        info.exit_status = EXIT_INTERRUPTED;
        fprintf(stderr, "tcpfsm: %s: interrupted by a signal after %llu packets; reporting them\n",
                capture_source(cap), (unsigned long long)capture_records(cap));
    } else if (rc == CAPTURE_DAMAGED) {
        info.damage = capture_error(cap);
        info.damage_pkt = capture_error_pktno(cap);
        info.exit_status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the %llu packets before it\n",
                capture_source(cap), (unsigned long long)info.damage_pkt, info.damage,
                (unsigned long long)capture_records(cap));
    } else if (rc == CAPTURE_FAILED) {
        info.damage = capture_error(cap);
        info.damage_pkt = capture_error_pktno(cap);
        info.exit_status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the packets before it\n",
                capture_source(cap), (unsigned long long)info.damage_pkt, info.damage);
    }
    capture_warn_disorder(cap);
    info.source = capture_source(cap);
    info.link = capture_linktype_text(cap);
    info.filter = opt->filter;
    info.records = capture_records(cap);
    info.filtered = capture_filtered(cap);
    info.cfg = &opt->tracker;
    info.stats = tracker_stats(tr);
    info.census = &sink.census;
    info.listeners = listeners;
    info.services = &sink.services;
    info.analysis = analysis;
    info.format = capture_format(cap);
    info.oversized = capture_oversized(cap);
    info.ts_clamped = capture_ts_clamped(cap);

    if (info.outcome[DEC_UNSUPPORTED_LINK])
        fprintf(stderr, "tcpfsm: %s: %llu packets on interfaces of a link type tcpfsm does not decode "
                        "were counted, not decoded\n",
                capture_source(cap), (unsigned long long)info.outcome[DEC_UNSUPPORTED_LINK]);
    if (info.outcome[DEC_NO_INTERFACE])
        fprintf(stderr, "tcpfsm: %s: %llu %s an interface the file never describes; counted, "
                        "not decoded\n",
                capture_source(cap), (unsigned long long)info.outcome[DEC_NO_INTERFACE],
                info.outcome[DEC_NO_INTERFACE] == 1 ? "packet names" : "packets name");
    int status = info.exit_status;
    bool wrote = report_finish(rep, &info);
    const char *why = out_reason(wrote ? 0 : errno);
    if (!outwriter_finish(writer)) {     /* it knows the reason */
        wrote = false;
        why = strerror(errno);
    }
    if (!wrote) {
        fprintf(stderr, "tcpfsm: cannot write the report: %s\n", why);
        status = EXIT_OUTPUT;
        *report_failed = true;
    }

    if (selection && info.interrupted) {
        fprintf(stderr, "tcpfsm: %s not written: the input was not read to its end\n", opt->write_file);
    } else if (selection && status != EXIT_OUTPUT) {
        uint64_t written;
        if (selection_write(selection, inputs, names, ninputs, opt->filter, opt->write_file, &interrupted, &progress,
                            &written, err, sizeof err)) {
            uint64_t chosen = selection_chosen(selection);
            fprintf(stderr, "tcpfsm: wrote %llu %s of %llu %s to %s\n", (unsigned long long)written,
                    written == 1 ? "packet" : "packets", (unsigned long long)chosen,
                    chosen == 1 ? "connection" : "connections", opt->write_file);
            if (selection_not_kept(selection))
                fprintf(stderr, "tcpfsm: %llu chosen connections were not kept (table full) and not written\n",
                        (unsigned long long)selection_not_kept(selection));
        } else {
            fprintf(stderr, "tcpfsm: %s\n", err);
            status = interrupted ? EXIT_INTERRUPTED : EXIT_OUTPUT;
        }
    }
    report_destroy(rep);
    services_destroy(&sink.services);
    tracker_destroy(tr);
    analysis_destroy(analysis);
    listeners_destroy(listeners);
    capture_close(cap);
    return status;
}

int main(int argc, char **argv)
{
    struct options opt;
    switch (options_parse(argc, argv, &opt)) {
    case OPTIONS_EXIT_OK:     /* --help or --version: was it written? */
        if (!out_flushed(stdout)) {
            fprintf(stderr, "tcpfsm: cannot write to standard output: %s\n", out_reason(errno));
            return EXIT_OUTPUT;
        }
        return EXIT_ALL_READ;
    case OPTIONS_ERROR:
        options_free(&opt);
        return EXIT_USAGE;
    case OPTIONS_RUN:
        break;
    }
    if (opt.iface || opt.ui || opt.list_ifaces) {   /* the live view: live.c */
        int live_status = run_live(&opt);
        options_free(&opt);
        return live_status;
    }

    char err[512];
    char *input_copy = NULL;            /* -w's copy of an input read once */
    int copy_slot = 0;
    int ninputs = opt.nread;
    const char **inputs = malloc((size_t)ninputs * 2 * sizeof *inputs), **names = inputs + ninputs;
    if (!inputs) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        options_free(&opt);
        return EXIT_USAGE;
    }
    for (int i = 0; i < ninputs; i++)
        inputs[i] = opt.read_files[i], names[i] = NULL;
    /* One file for two jobs would be lost to one of them. */
    const char *clash = NULL, *clash_path = NULL;
    for (int i = 0; i < ninputs && !clash; i++) {
        if (same_file(opt.output_file, inputs[i]))
            clash = "-o names an input file", clash_path = opt.output_file;
        else if (same_file(opt.write_file, inputs[i]))
            clash = "-w names an input file", clash_path = opt.write_file;
    }
    if (!clash && ninputs > 1)
        clash_path = input_twice(inputs, ninputs), clash = clash_path ? "given twice with -r" : NULL;
    if (!clash && same_file(opt.output_file, opt.write_file))
        clash = "-o and -w name the same file", clash_path = opt.output_file;
    struct stat wst, ost;
    if (!clash && opt.write_file && !opt.output_file && stat(opt.write_file, &wst) == 0 &&
        fstat(STDOUT_FILENO, &ost) == 0 && wst.st_dev == ost.st_dev && wst.st_ino == ost.st_ino)
        clash = "-w names standard output, where the report goes (give -o FILE for the report)",
        clash_path = opt.write_file;
    if (clash) {
        fprintf(stderr, "tcpfsm: %s: %s\n", clash_path, clash);
        free(inputs);
        options_free(&opt);
        return EXIT_USAGE;
    }
    struct selection *selection = NULL;
    int status = EXIT_USAGE;
    catch_signals();
    if (opt.write_file) {
        selection = selection_create(opt.select, opt.tracker.max_conns, err, sizeof err);
        if (!selection) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            goto out;
        }
        /* -w reads its input twice: one that can be read only once is
         * copied (a single input; one of several must be a file) */
        for (int i = 0; i < ninputs; i++) {
            const char *input = inputs[i];
            struct stat st;
            bool is_stdin = !strcmp(input, "-");
            if (!is_stdin && (stat(input, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
                continue;
            if (ninputs > 1) {
                fprintf(stderr, "tcpfsm: %s: -w reads the capture twice, and this input can be read only once; "
                                "with several -r files each must be a regular file\n",
                        input);
                goto out;
            }
            int in_fd = is_stdin ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC);
            if (in_fd < 0) {
                fprintf(stderr, "tcpfsm: %s: cannot open: %s\n", input, strerror(errno));
                goto out;
            }
            input_copy = copy_input(in_fd, is_stdin ? "standard input" : input, &copy_slot, err, sizeof err);
            if (!is_stdin)
                close(in_fd);
            if (!input_copy) {
                fprintf(stderr, "tcpfsm: %s\n", err);
                if (interrupted)
                    status = EXIT_INTERRUPTED;
                goto out;
            }
            names[i] = is_stdin ? "standard input" : input;
            inputs[i] = input_copy;
        }
    }
    /* -w is written after the whole input is read (src/pcapwrite.c): a
     * directory it cannot be written in is said now, not hours later.
     * The report is still made (a failed -w does not cost it), and the
     * run still ends with exit status 3 when -w fails then. */
    if (opt.write_file) {
        char dir[4096];
        dir_of(opt.write_file, dir, sizeof dir);
        if (access(dir, W_OK | X_OK) != 0)
            fprintf(stderr, "tcpfsm: %s: cannot write a file in %s: %s; the report is made, "
                            "the packets will not be written\n", opt.write_file, dir, strerror(errno));
    }
    /* -o: the report goes to a temporary file beside FILE, renamed over it
     * only once complete; a run that reports nothing leaves no file. */
    struct atomic_file report_file = { 0 };
    FILE *out = stdout;
    if (opt.output_file) {
        if (!atomic_open(&report_file, opt.output_file, 0666, err, sizeof err)) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            status = EXIT_OUTPUT;
            goto out;
        }
        out = report_file.fp;
    }
    bool report_failed = false;
    status = run_file(&opt, inputs, names, ninputs, selection, out, &report_failed);
    if (opt.output_file) {
        /* A failed -w does not cost the report: it is complete. */
        if (status == EXIT_USAGE || report_failed) {
            if (report_failed && !report_file.direct)
                fprintf(stderr, "tcpfsm: %s: the report could not be written; the file was left as it was\n",
                        opt.output_file);
            atomic_abort(&report_file);
        } else if (!atomic_commit(&report_file, err, sizeof err)) {
            fprintf(stderr, "tcpfsm: %s\n", err);
            status = EXIT_OUTPUT;
        }
    }
out:
    if (input_copy) {
        unlink(input_copy);
        cleanup_untrack(copy_slot);
        free(input_copy);
    }
    selection_destroy(selection);
    free(inputs);
    options_free(&opt);
    return status;
}
