/* options.c - tcpdump-like command line: options, then a BPF filter. */
#include "options.h"

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"

enum {
    OPT_FORMAT = 256,
    OPT_MSL,
    OPT_IDLE,
    OPT_MAX_CONNS,
    OPT_ALL,
    OPT_LINGER,
    OPT_ZEEK_PORTS,
    OPT_ZEEK_CHECKSUMS,
    OPT_STUCK_AFTER,
    OPT_SLOW_HANDSHAKE,
    OPT_IDLE_AFTER,
    OPT_FLOOD_RATE,
    OPT_PILEUP,
    OPT_EXAMPLES,
    OPT_SELECT,
    OPT_UI,
    OPT_NO_UI,
    OPT_SPEED,
    OPT_REFRESH,
    OPT_INTERVAL,
    OPT_THREADS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_DEDUPE,
    OPT_NO_DEDUPE,
};

static const struct option longopts[] = {
    {"read", required_argument, NULL, 'r'},
    {"write", required_argument, NULL, 'w'},
    {"output", required_argument, NULL, 'o'},
    {"select", required_argument, NULL, OPT_SELECT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"msl", required_argument, NULL, OPT_MSL},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"linger", required_argument, NULL, OPT_LINGER},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"dedupe", no_argument, NULL, OPT_DEDUPE},
    {"no-dedupe", no_argument, NULL, OPT_NO_DEDUPE},
    {"all", no_argument, NULL, OPT_ALL},
    {"conns", no_argument, NULL, OPT_ALL},
    {"stuck-after", required_argument, NULL, OPT_STUCK_AFTER},
    {"slow-handshake", required_argument, NULL, OPT_SLOW_HANDSHAKE},
    {"idle-after", required_argument, NULL, OPT_IDLE_AFTER},
    {"syn-flood-rate", required_argument, NULL, OPT_FLOOD_RATE},
    {"time-wait-pileup", required_argument, NULL, OPT_PILEUP},
    {"examples", required_argument, NULL, OPT_EXAMPLES},
    {"zeek-server-ports", required_argument, NULL, OPT_ZEEK_PORTS},
    {"zeek-verify-checksums", no_argument, NULL, OPT_ZEEK_CHECKSUMS},
    {"interface", required_argument, NULL, 'i'},
    {"list-interfaces", no_argument, NULL, 'D'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"snapshot-length", required_argument, NULL, 's'},
    {"relinquish-privileges", required_argument, NULL, 'Z'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"ui", no_argument, NULL, OPT_UI},
    {"no-ui", no_argument, NULL, OPT_NO_UI},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: tcpfsm -r FILE [options] [filter expression]\n"
        "       tcpfsm -i IFACE [options] [filter expression]   (live view, like top)\n"
        "Infer both endpoints' RFC 793 states for every TCP connection in a capture.\n"
        "\n"
        "  -r, --read FILE          read a pcap or pcapng file (- for standard input), also one\n"
        "                           compressed by gzip, bzip2, xz, zstd or lz4 (through that program);\n"
        "                           -r A -r B ...: the files read in that order as one capture\n"
        "                           (tcpdump -C or -G's pieces: -r dump -r dump1 -r dump2)\n"
        "  -w, --write FILE         write the packets of connections with anomalies to a pcap file\n"
        "  -o, --output FILE        write the report to FILE, renamed into place when complete\n"
        "      --select ID,...      -w: only these connections (numbers) or anomaly ids instead\n"
        "      --format FMT         text (default), json (JSON lines), csv, or zeek (conn.log)\n"
        "      --conns, --all       text: list every connection, not only troubled ones\n"
        "      --examples N         text: connections shown per anomaly (default 3, at most 10)\n"
        "      --msl SECONDS        maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30)\n"
        "      --idle-timeout SECS  retire connections idle this long; 0 never (default 7500)\n"
        "      --linger SECONDS     keep closed connections this long before retiring (default 5)\n"
        "      --max-conns N        most connections tracked at once (default 1048576)\n"
        "      --threads N          -r: 2 reads packets in a thread of its own, 1 in one thread\n"
        "                           (default 2 if more than one processor is available, counting\n"
        "                           a compressed file's decompressor as taking one)\n"
        "      --progress           -r: a line on standard error each second: how much is read,\n"
        "                           how fast, the time left (default: when standard error is a\n"
        "                           terminal and no lines stream to the same terminal)\n"
        "      --no-progress        -r: no progress line (kill -USR1 still asks for one)\n"
        "      --dedupe             count once a TCP segment seen again within 1 ms, on any link\n"
        "                           type (a SPAN session, a switch loop); default: only in captures\n"
        "                           on Linux's any device\n"
        "      --no-dedupe          never: every copy counts (a retransmission to the tracker)\n"
        "      --stuck-after SECS   close-wait-stuck, fin-wait-2-stuck after this long; 0 any (default 60)\n"
        "      --slow-handshake MS  handshake-slow above this round trip (default 1000)\n"
        "      --idle-after SECS    idle: no segment for this long (default 60)\n"
        "      --syn-flood-rate N   syn-flood: incomplete handshakes per second to a service (default 100)\n"
        "      --time-wait-pileup N time-wait-pileup: TIME_WAIT per client and service (default 1000)\n"
        "      --zeek-server-ports LIST  zeek: likely_server_ports: 80,443 or none or default,8443 (default: Zeek's)\n"
        "      --zeek-verify-checksums   zeek: drop bad-checksum packets as Zeek does without -C\n"
        "  -i, --interface IFACE    capture live on IFACE (any: all) and show the live view\n"
        "  -D, --list-interfaces    list the interfaces -i can capture on and exit\n"
        "  -p, --no-promiscuous-mode  -i: do not put the interface into promiscuous mode\n"
        "  -s, --snapshot-length N  -i: bytes captured per packet (default 512)\n"
        "  -Z, --relinquish-privileges USER  after opening the capture, run as USER (default nobody)\n"
        "  -B, --buffer-size KIB    -i: kernel capture buffer in KiB (default 65536)\n"
        "      --ui                 the live view, also for -r FILE (replayed)\n"
        "      --no-ui              -i: no screen; print a snapshot every --interval, the report at exit\n"
        "      --speed X            -r with --ui: replay at X times real time (default: as fast as possible)\n"
        "      --refresh MS         live view: redraw every MS milliseconds (default 1000)\n"
        "      --interval SECONDS   --no-ui: seconds between snapshots (default 10)\n"
        "  -h, --help               show this help and exit\n"
        "  -V, --version            show the version and exit\n"
        "\n"
        "The filter expression is a BPF filter, as for tcpdump (see pcap-filter(7)).\n"
        "Exit status: 0 all input read; 1 input damaged (what was readable is reported);\n"
        "2 usage error or input that cannot be opened (a missing interface, no permission to\n"
        "capture, a user for -Z that does not exist); 3 the report could not be written;\n"
        "4 reading a file was interrupted by a signal (what was read is reported).\n"
        "A live capture (-i) ends on q, Ctrl-C or SIGTERM with status 0; 1 if the interface failed.\n"
        "Documentation: tcpfsm(1), docs/ in the source tree.\n");
}

/* A command-line word fit to print: control characters and bytes that are
 * not printable ASCII become '?'. */
static void safe_arg(const char *in, char *out, size_t len)
{
    size_t i = 0;
    for (; in && in[i] && i + 1 < len; i++)
        out[i] = (in[i] >= 32 && in[i] < 127) ? in[i] : '?';
    out[i] = 0;
}

/* An argument as an error message shows it: control characters as '?',
 * so that a message cannot drive the terminal (two calls' results at once). */
static const char *printable(const char *in)
{
    static char buf[2][256];
    static int k;
    k ^= 1;
    safe_arg(in, buf[k], sizeof buf[k]);
    return buf[k];
}

static bool parse_seconds(const char *opt, const char *arg, tstamp_t *out, bool allow_zero)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (!(errno && errno != ERANGE) && end != arg && !*end && (v > 1e9 || (errno == ERANGE && v > 0))) {
        fprintf(stderr, "tcpfsm: %s: \"%s\" is more than 1000000000 seconds (31 years)\n", opt, printable(arg));
        return false;
    }
    if (errno || end == arg || *end || !isfinite(v) || v < 0 || (!allow_zero && v == 0)) {
        fprintf(stderr, "tcpfsm: %s: \"%s\" is not a number of seconds%s\n", opt, printable(arg),
                allow_zero ? "" : " above 0");
        return false;
    }
    *out = (tstamp_t)llround(v * 1e9);
    if (!allow_zero && *out == 0) {
        fprintf(stderr, "tcpfsm: %s: \"%s\" is less than a nanosecond\n", opt, printable(arg));
        return false;
    }
    return true;
}

/* A whole number from 1 to max (the message names the option's own range). */
static bool parse_count_to(const char *opt, const char *arg, uint32_t *out, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    bool digits = end != arg && !*end && arg[0] != '-';
    if (digits && (errno == ERANGE || v > max)) {
        fprintf(stderr, "tcpfsm: %s: \"%s\" is more than %llu\n", opt, printable(arg), max);
        return false;
    }
    if (errno || !digits || v < 1) {
        fprintf(stderr, "tcpfsm: %s: \"%s\" is not a whole number from 1 to %llu\n", opt, printable(arg), max);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_count(const char *opt, const char *arg, uint32_t *out)
{
    return parse_count_to(opt, arg, out, 100000000ULL);
}

enum options_result options_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->report.format = FORMAT_TEXT;
    tracker_config_defaults(&o->tracker);
    zeek_config_defaults(&o->zeek);
    analysis_config_defaults(&o->analysis);

    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:w:o:i:Dps:Z:B:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': {
            const char **more = realloc(o->read_files, (size_t)(o->nread + 1) * sizeof *more);
            if (!more) {
                fprintf(stderr, "tcpfsm: out of memory\n");
                return OPTIONS_ERROR;
            }
            o->read_files = more;
            o->read_files[o->nread++] = optarg;
            o->read_file = o->read_files[0];
            break;
        }
        case 'w':
            o->write_file = optarg;
            break;
        case 'o':
            o->output_file = optarg;
            break;
        case OPT_SELECT:
            o->select = optarg;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "text"))
                o->report.format = FORMAT_TEXT;
            else if (!strcmp(optarg, "json"))
                o->report.format = FORMAT_JSON;
            else if (!strcmp(optarg, "csv"))
                o->report.format = FORMAT_CSV;
            else if (!strcmp(optarg, "zeek"))
                o->zeek_format = true;
            else {
                fprintf(stderr, "tcpfsm: --format: unknown format \"%s\" (text, json, csv or zeek)\n", printable(optarg));
                return OPTIONS_ERROR;
            }
            break;
        case OPT_MSL:
            if (!parse_seconds("--msl", optarg, &o->tracker.msl, false))
                return OPTIONS_ERROR;
            break;
        case OPT_IDLE:
            if (!parse_seconds("--idle-timeout", optarg, &o->tracker.idle_timeout, true))
                return OPTIONS_ERROR;
            break;
        case OPT_LINGER:
            if (!parse_seconds("--linger", optarg, &o->tracker.linger, true))
                return OPTIONS_ERROR;
            break;
        case OPT_MAX_CONNS:
            if (!parse_count("--max-conns", optarg, &o->tracker.max_conns))
                return OPTIONS_ERROR;
            break;
        case OPT_THREADS:
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                fprintf(stderr, "tcpfsm: --threads: \"%s\" is not 1 or 2\n", printable(optarg));
                return OPTIONS_ERROR;
            }
            o->threads = optarg[0] - '0';
            break;
        case OPT_PROGRESS:
            o->progress = 1;
            break;
        case OPT_DEDUPE:
            o->dedupe = 1;
            break;
        case OPT_NO_DEDUPE:
            o->dedupe = -1;
            break;
        case OPT_NO_PROGRESS:
            o->progress = -1;
            break;
        case OPT_ZEEK_PORTS: {
            char err[200];
            if (!zeek_config_set_ports(&o->zeek, optarg, err, sizeof err)) {
                fprintf(stderr, "tcpfsm: --zeek-server-ports: %s\n", err);
                return OPTIONS_ERROR;
            }
            break;
        }
        case OPT_ZEEK_CHECKSUMS:
            o->zeek.verify_checksums = true;
            break;
        case OPT_ALL:
            o->report.all = true;
            break;
        case OPT_STUCK_AFTER:
            if (!parse_seconds("--stuck-after", optarg, &o->analysis.stuck_after, true))
                return OPTIONS_ERROR;
            break;
        case OPT_SLOW_HANDSHAKE: {
            char *end;
            errno = 0;
            double ms = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(ms) || ms < 0 || ms > 1e9) {
                char shown[64];
                safe_arg(optarg, shown, sizeof shown);
                fprintf(stderr, "tcpfsm: --slow-handshake: \"%s\" is not a number of milliseconds\n", shown);
                return OPTIONS_ERROR;
            }
            o->analysis.slow_handshake = (tstamp_t)llround(ms * 1e6);
            break;
        }
        case OPT_IDLE_AFTER:
            if (!parse_seconds("--idle-after", optarg, &o->analysis.idle_after, false))
                return OPTIONS_ERROR;
            break;
        case OPT_FLOOD_RATE:
            if (!parse_count("--syn-flood-rate", optarg, &o->analysis.flood_rate))
                return OPTIONS_ERROR;
            break;
        case OPT_PILEUP:
            if (!parse_count("--time-wait-pileup", optarg, &o->analysis.pileup))
                return OPTIONS_ERROR;
            break;
        case OPT_EXAMPLES:
            if (!parse_count("--examples", optarg, &o->report.examples))
                return OPTIONS_ERROR;
            if (o->report.examples > 10) {
                fprintf(stderr, "tcpfsm: --examples: \"%s\" is more than 10 (--conns, or --format json, lists "
                                "every connection)\n", printable(optarg));
                return OPTIONS_ERROR;
            }
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'D':
            o->list_ifaces = true;
            break;
        case 'p':
            o->no_promisc = true;
            break;
        case 's':
            if (!parse_count_to("-s", optarg, &o->snaplen, 262144))   /* bytes */
                return OPTIONS_ERROR;
            break;
        case 'Z':
            o->user = optarg;
            break;
        case 'B':
            if (!parse_count_to("-B", optarg, &o->buffer_kib, 4194304))    /* KiB: 4 GiB */
                return OPTIONS_ERROR;
            break;
        case OPT_UI:
            o->ui = true;
            break;
        case OPT_NO_UI:
            o->no_ui = true;
            break;
        case OPT_SPEED: {
            char *end;
            errno = 0;
            o->speed = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(o->speed) || o->speed <= 0 || o->speed > 1e6) {
                fprintf(stderr, "tcpfsm: --speed: \"%s\" is not a number above 0\n", printable(optarg));
                return OPTIONS_ERROR;
            }
            break;
        }
        case OPT_REFRESH:
            if (!parse_count("--refresh", optarg, &o->refresh_ms))
                return OPTIONS_ERROR;
            if (o->refresh_ms < 50 || o->refresh_ms > 60000) {
                fprintf(stderr, "tcpfsm: --refresh: \"%s\" is not a number of milliseconds from 50 to 60000\n", printable(optarg));
                return OPTIONS_ERROR;
            }
            break;
        case OPT_INTERVAL:
            if (!parse_seconds("--interval", optarg, &o->interval, false))
                return OPTIONS_ERROR;
            break;
        case 'h':
            usage(stdout);
            return OPTIONS_EXIT_OK;
        case 'V':
            printf("tcpfsm %s\n", PACKAGE_VERSION);
            return OPTIONS_EXIT_OK;
        case ':':
            fprintf(stderr, "tcpfsm: option %s needs an argument\n", argv[optind - 1]);
            return OPTIONS_ERROR;
        default: {
            /* optopt is the short option letter, or a long option's value
             * (>= 256) when it was given an argument it does not take */
            char shown[64];
            safe_arg(argv[optind - 1], shown, sizeof shown);
            if (optopt >= 256 || (optopt > 0 && optopt < 256 && strchr(shown, '=') && !strncmp(shown, "--", 2)))
                fprintf(stderr, "tcpfsm: option %s: takes no argument (tcpfsm --help lists the options)\n", shown);
            else if (optopt > 32 && optopt < 127)
                fprintf(stderr, "tcpfsm: unknown option -%c (tcpfsm --help lists them)\n", optopt);
            else
                fprintf(stderr, "tcpfsm: unknown option %s (tcpfsm --help lists them)\n", shown);
            return OPTIONS_ERROR;
        }
        }
    }
    if (o->select && !o->write_file) {
        fprintf(stderr, "tcpfsm: --select chooses the connections -w writes; give -w FILE too\n");
        return OPTIONS_ERROR;
    }
    if (o->write_file && o->zeek_format) {
        fprintf(stderr, "tcpfsm: -w works with the text, json and csv reports, not with --format zeek\n");
        return OPTIONS_ERROR;
    }
    if (!o->read_file && !o->iface && !o->list_ifaces) {
        fprintf(stderr, "tcpfsm: no input: give -r FILE or -i INTERFACE (tcpfsm --help for usage)\n");
        return OPTIONS_ERROR;
    }
    for (int i = 0; i < o->nread; i++)
        if (!*o->read_files[i] || (o->nread > 1 && !strcmp(o->read_files[i], "-"))) {
            fprintf(stderr, "tcpfsm: -r %s: %s\n", o->read_files[i],
                    *o->read_files[i] ? "standard input is read alone (several -r files are read as one capture)"
                                      : "an empty file name");
            return OPTIONS_ERROR;
        }
    if ((o->output_file && !*o->output_file) || (o->write_file && !*o->write_file)) {
        fprintf(stderr, "tcpfsm: %s: an empty file name\n", o->output_file && !*o->output_file ? "-o" : "-w");
        return OPTIONS_ERROR;
    }
    if (o->output_file && (o->iface || o->ui || o->list_ifaces)) {
        fprintf(stderr, "tcpfsm: -o writes the report of -r FILE; the live view writes to standard output\n");
        return OPTIONS_ERROR;
    }
    if (o->output_file && o->write_file && !strcmp(o->output_file, o->write_file)) {
        fprintf(stderr, "tcpfsm: -o and -w name the same file, %s\n", o->output_file);
        return OPTIONS_ERROR;
    }
    if (o->read_file && o->iface) {
        fprintf(stderr, "tcpfsm: -r and -i: read a file or capture live, not both\n");
        return OPTIONS_ERROR;
    }
    if (o->progress > 0 && (o->iface || o->ui)) {
        fprintf(stderr, "tcpfsm: --progress is for -r without --ui (the live view shows its own counts)\n");
        return OPTIONS_ERROR;
    }
    if (o->ui && o->no_ui) {
        fprintf(stderr, "tcpfsm: --ui and --no-ui: choose one\n");
        return OPTIONS_ERROR;
    }
    /* No interface or user is named with control characters: such a name
     * is refused here, before messages would print it. */
    const char *named[2] = { o->iface, o->user };
    for (int i = 0; i < 2; i++)
        for (const char *p = named[i]; p && *p; p++)
            if ((unsigned char)*p < 32 || *p == 127) {
                fprintf(stderr, "tcpfsm: %s: \"%s\" has control characters\n", i ? "-Z" : "-i",
                        printable(named[i]));
                return OPTIONS_ERROR;
            }
    /* Options of the live view and of live capture mean nothing to a report
     * of -r FILE: refused rather than ignored, above all -Z, which would
     * otherwise let a user believe a hostile file is parsed without root. */
    if (o->read_file && !o->ui && !o->iface) {
        const char *live = o->user ? "-Z" : o->no_promisc ? "-p" : o->snaplen ? "-s" : o->buffer_kib ? "-B"
                         : o->speed > 0 ? "--speed" : o->refresh_ms ? "--refresh" : o->interval ? "--interval" : NULL;
        if (live) {
            fprintf(stderr, "tcpfsm: %s is for live capture or the live view (-i, or -r with --ui); "
                            "a report of -r FILE %s\n", live,
                    o->user ? "is made by the user that runs tcpfsm: run it as that user" : "does not use it");
            return OPTIONS_ERROR;
        }
    }
    if (optind < argc) {
        size_t len = 0;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        o->filter = malloc(len);
        if (!o->filter) {
            fprintf(stderr, "tcpfsm: out of memory\n");
            return OPTIONS_ERROR;
        }
        o->filter[0] = 0;
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(o->filter, " ");
            strcat(o->filter, argv[i]);
        }
    }
    return OPTIONS_RUN;
}

void options_free(struct options *o)
{
    free(o->read_files);
    o->read_files = NULL;
    free(o->filter);
    o->filter = NULL;
}
